package search

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
)

// Defaults and limits of a Query.
const (
	DefaultMaxResults = 2000
	MaxMaxResults     = 1000000
	maxPreviewRunes   = 240 // a longer line is cut around its first match
	maxRangesPerLine  = 50
)

// Errors of a search.
var (
	ErrEmptyQuery = errors.New("type something to search for")
	ErrBadRegex   = errors.New("invalid regular expression")
	ErrBadGlob    = errors.New("invalid path filter")
)

// Query is one text search.
type Query struct {
	Pattern       string   `json:"pattern"`
	Regex         bool     `json:"regex"`         // Pattern is an RE2 regular expression (Go syntax), matched per line
	CaseSensitive bool     `json:"caseSensitive"` // else letters match either case
	WholeWord     bool     `json:"wholeWord"`
	Include       []string `json:"include"` // globs: only paths matching one of them (see MatchPath)
	Exclude       []string `json:"exclude"` // globs: never paths matching one of them
	MaxResults    int      `json:"maxResults"`
}

// LineMatch is one line with matches. Ranges are [start, end) offsets in
// UTF-16 code units of Text, as a browser counts them.
type LineMatch struct {
	Line   int      `json:"line"` // 1-based
	Text   string   `json:"text"` // the line, cut to a preview around its first match when long
	Ranges [][2]int `json:"ranges"`
}

// FileResult is the matches found in one file.
type FileResult struct {
	Path    string      `json:"path"`
	Matches []LineMatch `json:"matches"`
}

// Target is a file a search may look at.
type Target struct {
	Path string
	Hash string // as recorded; compared with the index's to trust it
	Size int64
}

// Source is what a search runs over.
type Source struct {
	Root    string
	Targets []Target // text files, in the order to search them
	Index   *Index   // may be nil: every target is read
}

// Stats summarises a search.
type Stats struct {
	Files        int   `json:"files"`        // files read
	Skipped      int   `json:"skipped"`      // files the index ruled out
	FilesMatched int   `json:"filesMatched"` // files with a match
	Matches      int   `json:"matches"`      // matches found (lines × ranges)
	Truncated    bool  `json:"truncated"`    // stopped at MaxResults
	UsedIndex    bool  `json:"usedIndex"`    // the text index narrowed the files
	TookMS       int64 `json:"tookMs"`
}

// MatchPath reports whether a workspace-relative path passes the filters.
// A glob with a slash is matched against the whole path (or a folder
// prefix of it: "src/app" covers everything below it); one without is
// matched against each name along the path ("*.go", "testdata").
func MatchPath(p string, include, exclude []string) bool {
	for _, g := range exclude {
		if globMatch(g, p) {
			return false
		}
	}
	if len(include) == 0 {
		return true
	}
	for _, g := range include {
		if globMatch(g, p) {
			return true
		}
	}
	return false
}

func globMatch(g, p string) bool {
	g = strings.TrimPrefix(strings.TrimSpace(g), "./")
	if g == "" {
		return false
	}
	if strings.Contains(strings.TrimSuffix(g, "/"), "/") {
		g = strings.TrimSuffix(strings.TrimPrefix(g, "/"), "/")
		if ok, _ := doublestar.Match(g, p); ok {
			return true
		}
		ok, _ := doublestar.Match(g+"/**", p)
		return ok
	}
	g = strings.TrimSuffix(g, "/")
	for _, name := range strings.Split(p, "/") {
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}

// CheckGlobs validates path filters.
func CheckGlobs(globs []string) error {
	for _, g := range globs {
		if !doublestar.ValidatePattern(strings.TrimSpace(g)) {
			return fmt.Errorf("%w: %q", ErrBadGlob, g)
		}
	}
	return nil
}

// Validate checks a query without running it.
func Validate(q Query) error {
	if _, err := compile(q); err != nil {
		return err
	}
	if err := CheckGlobs(q.Include); err != nil {
		return err
	}
	return CheckGlobs(q.Exclude)
}

// Run searches src for q, calling emit (never concurrently) with batches
// of results as they are found; it stops at q.MaxResults matches or when
// ctx is cancelled (returning ctx's error with the stats so far).
func Run(ctx context.Context, src Source, q Query, emit func([]FileResult)) (Stats, error) {
	start := time.Now()
	m, err := compile(q)
	if err != nil {
		return Stats{}, err
	}
	if err := CheckGlobs(q.Include); err != nil {
		return Stats{}, err
	}
	if err := CheckGlobs(q.Exclude); err != nil {
		return Stats{}, err
	}
	limit := q.MaxResults
	if limit <= 0 {
		limit = DefaultMaxResults
	}
	limit = min(limit, MaxMaxResults)

	var st Stats
	targets := make([]Target, 0, len(src.Targets))
	for _, t := range src.Targets {
		if MatchPath(t.Path, q.Include, q.Exclude) {
			targets = append(targets, t)
		}
	}
	if q := m.indexQuery(); src.Index != nil && q != "" {
		if narrowed, ok := narrow(ctx, src.Index, targets, q); ok {
			st.Skipped = len(targets) - len(narrowed)
			st.UsedIndex = true
			targets = narrowed
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var matches atomic.Int64
	var filesRead atomic.Int64
	results := make(chan FileResult, 64)
	jobs := make(chan Target)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf, low []byte
			for t := range jobs {
				if ctx.Err() != nil {
					continue
				}
				var err error
				buf, err = readInto(buf, filepath.Join(src.Root, filepath.FromSlash(t.Path)))
				if err != nil {
					continue // gone since it was indexed: the watcher reports it
				}
				filesRead.Add(1)
				buf = buf[:textPrefix(buf)]
				var lines []LineMatch
				lines, low = m.find(buf, low, func(n int) bool {
					return matches.Add(int64(n)) < int64(limit)
				})
				if len(lines) > 0 {
					// Always delivered (the collector drains until the
					// workers end), so what the counted matches are is shown.
					results <- FileResult{Path: t.Path, Matches: lines}
				}
				if matches.Load() >= int64(limit) {
					cancel()
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, t := range targets {
			select {
			case jobs <- t:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	var pending []FileResult
	last := time.Now()
	for r := range results {
		st.FilesMatched++
		pending = append(pending, r)
		if len(pending) >= 200 || time.Since(last) > 50*time.Millisecond {
			emit(pending)
			pending, last = nil, time.Now()
		}
	}
	if len(pending) > 0 {
		emit(pending)
	}
	st.Files = int(filesRead.Load())
	st.Matches = int(min(matches.Load(), int64(limit)))
	st.Truncated = matches.Load() >= int64(limit)
	st.TookMS = time.Since(start).Milliseconds()
	if err := context.Cause(ctx); err != nil && !st.Truncated {
		return st, err
	}
	return st, nil
}

// narrow keeps the targets that the index cannot rule out: those it holds
// at their current hash and lists as candidates, and all it does not hold
// (or holds only in part, or at an older hash).
func narrow(ctx context.Context, ix *Index, targets []Target, query string) ([]Target, bool) {
	hashes, err := ix.Hashes(ctx)
	if err != nil {
		return nil, false
	}
	cand, err := ix.Candidates(ctx, query)
	if err != nil {
		return nil, false
	}
	out := targets[:0:0]
	for _, t := range targets {
		h, ok := hashes[t.Path]
		if !ok || h != t.Hash || t.Hash == "" || t.Size > MaxIndexBytes {
			out = append(out, t)
			continue
		}
		if _, ok := cand[t.Path]; ok {
			out = append(out, t)
		}
	}
	return out, true
}

// rgBufferBytes is ripgrep's read buffer (grep-searcher's
// DEFAULT_BUFFER_CAPACITY).
const rgBufferBytes = 64 << 10

// textPrefix is how much of a file with a NUL byte is text to search, as
// ripgrep decides when it walks a folder: it reads the file in buffers of
// whole lines and stops, without searching it, at the buffer that holds
// the first NUL byte. The whole file when it has none.
func textPrefix(data []byte) int {
	nul := bytes.IndexByte(data, 0)
	if nul < 0 {
		return len(data)
	}
	size := rgBufferBytes // the buffer, tripled whenever a line fills it
	searched, end := 0, 0
	for {
		start := searched // the unfinished line is rolled to the front
		for {
			if end-start >= size {
				size *= 3
			}
			n := min(size-(end-start), len(data)-end)
			from := end
			end += n
			if nul < end {
				return searched
			}
			if i := bytes.LastIndexByte(data[from:end], '\n'); i >= 0 {
				searched = from + i + 1
				break
			}
		}
	}
}

// readInto reads a whole file into buf, growing it as needed.
func readInto(buf []byte, name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return buf, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return buf, errors.New("not a regular file")
	}
	n := int(fi.Size())
	if cap(buf) < n+1 {
		buf = make([]byte, n+1, n+n/4+512)
	}
	buf = buf[:n+1]
	got, err := readFull(f, buf)
	if got == n+1 { // grew since the stat: read the rest
		rest, err := readAllFrom(f)
		if err != nil {
			return buf[:0], err
		}
		return append(buf[:got], rest...), nil
	}
	return buf[:got], err
}

func readAllFrom(f *os.File) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(f)
	return b.Bytes(), err
}

// lineMatch builds a LineMatch from byte ranges in line, cutting a long
// line to a preview around the first match and converting offsets to
// UTF-16 units.
func lineMatch(ln int, line []byte, ranges [][2]int) LineMatch {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	from, to := 0, len(line)
	if utf8.RuneCount(line) > maxPreviewRunes {
		first := ranges[0][0]
		from = max(0, first-maxPreviewRunes/3)
		for from > 0 && !utf8.RuneStart(line[from]) {
			from--
		}
		to = min(len(line), from+maxPreviewRunes*2)
		for to < len(line) && !utf8.RuneStart(line[to]) {
			to++
		}
	}
	if len(ranges) > maxRangesPerLine {
		ranges = ranges[:maxRangesPerLine]
	}
	text := line[from:to]
	lm := LineMatch{Line: ln, Text: strings.ToValidUTF8(string(text), "\uFFFD")}
	for _, r := range ranges {
		a, b := r[0]-from, min(r[1], to)-from
		if a < 0 || a > len(text) || (a == len(text) && b > a) {
			continue
		}
		lm.Ranges = append(lm.Ranges, [2]int{utf16Len(text[:a]), utf16Len(text[:b])})
	}
	if from > 0 {
		lm.Text = "…" + lm.Text
		for i := range lm.Ranges {
			lm.Ranges[i][0]++
			lm.Ranges[i][1]++
		}
	}
	return lm
}

func utf16Len(b []byte) int {
	n := 0
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			n++
			b = b[1:]
			continue
		}
		r, size := utf8.DecodeRune(b)
		if r >= 0x10000 {
			n += 2 // a surrogate pair
		} else {
			n++ // including U+FFFD for an invalid byte
		}
		b = b[size:]
	}
	return n
}

// SortResults orders results by path and line, for callers that want a
// stable order (the search itself streams them as found).
func SortResults(rs []FileResult) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Path < rs[j].Path })
}
