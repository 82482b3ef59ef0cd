package memory

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

const benchN, benchDim = 100000, 768

var benchWords = []string{"build", "test", "deploy", "docs", "make", "go", "node", "rust", "cache", "index", "search", "memory",
	"kernel", "policy", "grant", "run", "commit", "revert", "file", "watch", "event", "log", "model", "agent"}

// BenchmarkMemoryRetrieval: top-10 by meaning over 100,000 memories with
// 768-dimension vectors (exact cosine, all cores), beside an FTS5 top-10
// query over the same 100,000 contents; the index's build time and heap
// are reported by the build sub-benchmark.
func BenchmarkMemoryRetrieval(b *testing.B) {
	rng := rand.New(rand.NewPCG(42, 7))
	keys := make([]Key, benchN)
	vecs := make([][]float32, benchN)
	for i := range benchN {
		keys[i] = Key{ID: fmt.Sprintf("m%06d", i), Version: 1}
		v := make([]float32, benchDim)
		for j := range v {
			v[j] = float32(rng.NormFloat64())
		}
		vecs[i] = v
	}
	// Built once (embedding excluded: the vectors are given), measured here.
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	ix := NewVectorIndex()
	if err := ix.Put("bench", keys, vecs); err != nil {
		b.Fatal(err)
	}
	buildMs := float64(time.Since(start).Milliseconds())
	vecs = nil
	runtime.GC()
	runtime.ReadMemStats(&after)
	heapMiB := (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / (1 << 20)
	b.Run("build", func(b *testing.B) {
		b.ReportMetric(buildMs, "build-ms")
		b.ReportMetric(float64(ix.Bytes())/(1<<20), "vectors-MiB")
		b.ReportMetric(heapMiB, "heap-growth-MiB")
	})
	q := make([]float32, benchDim)
	for j := range q {
		q[j] = float32(rng.NormFloat64())
	}
	b.Run("vector-top10", func(b *testing.B) {
		for range b.N {
			hits, err := ix.Search(q, 10, nil)
			if err != nil || len(hits) != 10 {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms")
	})

	db, err := sql.Open("sqlite3", "file:"+filepath.Join(b.TempDir(), "m.db")+"?_journal_mode=WAL&_synchronous=OFF")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tx, _ := db.Begin()
	if err := (Projection{}).Setup(context.Background(), tx); err != nil {
		b.Fatal(err)
	}
	st, _ := tx.Prepare(`INSERT INTO p_memory_fts (content, id, version) VALUES (?, ?, 1)`)
	for i := range benchN {
		text := ""
		for range 12 {
			text += benchWords[rng.IntN(len(benchWords))] + " "
		}
		if _, err := st.Exec(text, keys[i].ID); err != nil {
			b.Fatal(err)
		}
	}
	st.Close()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	b.Run("fts5-top10", func(b *testing.B) {
		for range b.N {
			rows, err := db.Query(`SELECT id FROM p_memory_fts WHERE p_memory_fts MATCH '"kernel" OR "grant"' ORDER BY bm25(p_memory_fts) LIMIT 10`)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			if n != 10 {
				b.Fatal(n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms")
	})
}
