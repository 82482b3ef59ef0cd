package memory

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
)

// Embedder turns texts into vectors with an embedding model (Ollama's
// /api/embed in production).
type Embedder interface {
	Embed(ctx context.Context, model string, texts []string) ([][]float32, error)
}

// Key names one embedded memory version.
type Key struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
}

// Hit is a search result: a memory version and its cosine similarity.
type Hit struct {
	Key
	Score float32 `json:"score"`
}

// ErrNoEmbeddings means no embedding model is configured or it failed.
var ErrNoEmbeddings = errors.New("semantic search is not available")

// VectorIndex is an exact, in-memory cosine index of the active memory
// versions for one embedding model. It is an access structure only:
// Sync rebuilds it from the memory projection at any time, and an index
// of another model is discarded.
type VectorIndex struct {
	mu    sync.RWMutex
	model string
	dim   int
	keys  []Key
	data  []float32 // len(keys)*dim, each vector normalised
	pos   map[Key]int
}

// NewVectorIndex returns an empty index.
func NewVectorIndex() *VectorIndex { return &VectorIndex{pos: map[Key]int{}} }

// Len is how many vectors the index holds.
func (v *VectorIndex) Len() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.keys)
}

// Model is the embedding model of the index.
func (v *VectorIndex) Model() string {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.model
}

func normalise(x []float32) []float32 {
	var n float64
	for _, f := range x {
		n += float64(f) * float64(f)
	}
	if n == 0 {
		return x
	}
	inv := float32(1 / math.Sqrt(n))
	out := make([]float32, len(x))
	for i, f := range x {
		out[i] = f * inv
	}
	return out
}

// Put adds (or replaces) vectors; all must have the index's dimension.
func (v *VectorIndex) Put(model string, keys []Key, vecs [][]float32) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.model != model {
		v.model, v.dim, v.keys, v.data, v.pos = model, 0, nil, nil, map[Key]int{}
	}
	if len(vecs) > 0 && v.dim == 0 {
		v.dim = len(vecs[0])
	}
	if need := len(v.data) + len(keys)*v.dim; need > cap(v.data) {
		extra := need / 4
		if len(v.data) == 0 {
			extra = 0 // a first, bulk load: exactly what it needs
		}
		grown := make([]float32, len(v.data), need+extra)
		copy(grown, v.data)
		v.data = grown
	}
	for i, k := range keys {
		x := vecs[i]
		if len(x) != v.dim || len(x) == 0 {
			return fmt.Errorf("embedding of %s v%d has %d dimensions, the index %d", k.ID, k.Version, len(x), v.dim)
		}
		x = normalise(x)
		if p, ok := v.pos[k]; ok {
			copy(v.data[p*v.dim:], x)
			continue
		}
		v.pos[k] = len(v.keys)
		v.keys = append(v.keys, k)
		v.data = append(v.data, x...)
	}
	return nil
}

// Retain drops every vector whose key keep rejects.
func (v *VectorIndex) Retain(keep func(Key) bool) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	dropped := 0
	keys, data := v.keys[:0], v.data[:0]
	pos := map[Key]int{}
	for i, k := range v.keys {
		if !keep(k) {
			dropped++
			continue
		}
		pos[k] = len(keys)
		keys = append(keys, k)
		data = append(data, v.data[i*v.dim:(i+1)*v.dim]...)
	}
	v.keys, v.data, v.pos = keys, data, pos
	return dropped
}

// Bytes is the memory the vectors take.
func (v *VectorIndex) Bytes() int64 {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return int64(cap(v.data)) * 4
}

// Has reports whether a key is indexed.
func (v *VectorIndex) Has(k Key) bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	_, ok := v.pos[k]
	return ok
}

func dot(a, b []float32) float32 {
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	n := len(a)
	b = b[:n]
	i := 0
	for ; i+8 <= n; i += 8 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
		s4 += a[i+4] * b[i+4]
		s5 += a[i+5] * b[i+5]
		s6 += a[i+6] * b[i+6]
		s7 += a[i+7] * b[i+7]
	}
	for ; i < n; i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7
}

type hitHeap []Hit // a min-heap on score (ties: the larger key first out)

func (h hitHeap) Len() int { return len(h) }
func (h hitHeap) Less(i, j int) bool {
	if h[i].Score != h[j].Score {
		return h[i].Score < h[j].Score
	}
	return keyLess(h[j].Key, h[i].Key)
}
func (h hitHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(x any)   { *h = append(*h, x.(Hit)) }
func (h *hitHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func keyLess(a, b Key) bool {
	if a.ID != b.ID {
		return a.ID < b.ID
	}
	return a.Version < b.Version
}

// Search returns the k vectors most similar to q (exact: every vector is
// compared, in parallel), best first; ties are broken by key, so a rebuilt
// index answers identically.
func (v *VectorIndex) Search(q []float32, k int, allow func(Key) bool) ([]Hit, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if len(v.keys) == 0 || k <= 0 {
		return []Hit{}, nil
	}
	if len(q) != v.dim {
		return nil, fmt.Errorf("the query has %d dimensions, the index %d", len(q), v.dim)
	}
	q = normalise(q)
	workers := max(1, runtime.GOMAXPROCS(0))
	parts := make([]hitHeap, workers)
	per := (len(v.keys) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			h := make(hitHeap, 0, k+1)
			for i := w * per; i < min(len(v.keys), (w+1)*per); i++ {
				if allow != nil && !allow(v.keys[i]) {
					continue
				}
				s := dot(q, v.data[i*v.dim:(i+1)*v.dim])
				if len(h) < k {
					heap.Push(&h, Hit{v.keys[i], s})
				} else if s > h[0].Score || (s == h[0].Score && keyLess(v.keys[i], h[0].Key)) {
					h[0] = Hit{v.keys[i], s}
					heap.Fix(&h, 0)
				}
			}
			parts[w] = h
		}(w)
	}
	wg.Wait()
	var all []Hit
	for _, h := range parts {
		all = append(all, h...)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Score != all[j].Score {
			return all[i].Score > all[j].Score
		}
		return keyLess(all[i].Key, all[j].Key)
	})
	if len(all) > k {
		all = all[:k]
	}
	return all, nil
}

// SyncIndex makes the index hold exactly the active memory versions,
// embedding those it lacks with model (in batches of 64).
func (s *Service) SyncIndex(ctx context.Context, v *VectorIndex, emb Embedder, model string) (int, error) {
	if emb == nil || model == "" {
		return 0, fmt.Errorf("%w: no embedding model is chosen", ErrNoEmbeddings)
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT id, version, content FROM p_memories WHERE state = 'active' ORDER BY id, version`)
	if err != nil {
		return 0, err
	}
	active := map[Key]bool{}
	var todo []Key
	var texts []string
	sameModel := v.Model() == model
	for rows.Next() {
		var k Key
		var c string
		if err := rows.Scan(&k.ID, &k.Version, &c); err != nil {
			rows.Close()
			return 0, err
		}
		active[k] = true
		if !sameModel || !v.Has(k) {
			todo = append(todo, k)
			texts = append(texts, c)
		}
	}
	rows.Close()
	if sameModel {
		v.Retain(func(k Key) bool { return active[k] })
	}
	added := 0
	for i := 0; i < len(todo); i += 64 {
		end := min(len(todo), i+64)
		vecs, err := emb.Embed(ctx, model, texts[i:end])
		if err != nil {
			return added, fmt.Errorf("%w: %v", ErrNoEmbeddings, err)
		}
		if len(vecs) != end-i {
			return added, fmt.Errorf("%w: the model returned %d embeddings for %d texts", ErrNoEmbeddings, len(vecs), end-i)
		}
		if err := v.Put(model, todo[i:end], vecs); err != nil {
			return added, err
		}
		added += end - i
	}
	if !sameModel && len(todo) == 0 {
		_ = v.Put(model, nil, nil) // an empty index of the new model
	}
	return added, nil
}

// Semantic searches by meaning: the query is embedded with the index's
// model and compared with every active memory version in the filter.
func (s *Service) Semantic(ctx context.Context, v *VectorIndex, emb Embedder, model, text string, f Filter) ([]Memory, error) {
	if _, err := s.SyncIndex(ctx, v, emb, model); err != nil {
		return nil, err
	}
	qv, err := emb.Embed(ctx, model, []string{text})
	if err != nil || len(qv) != 1 {
		return nil, fmt.Errorf("%w: embedding the query: %v", ErrNoEmbeddings, err)
	}
	where, args := f.where()
	rows, err := s.DB.QueryContext(ctx, `SELECT m.id, m.version FROM p_memories m WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	allowed := map[Key]bool{}
	for rows.Next() {
		var k Key
		if rows.Scan(&k.ID, &k.Version) == nil {
			allowed[k] = true
		}
	}
	rows.Close()
	hits, err := v.Search(qv[0], min(f.limit(), 50), func(k Key) bool { return allowed[k] })
	if err != nil {
		return nil, err
	}
	out := []Memory{}
	for _, h := range hits {
		m, err := s.Get(ctx, h.ID, h.Version)
		if err != nil {
			continue
		}
		m.Score = float64(h.Score)
		out = append(out, m)
	}
	return out, nil
}
