package search

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"regexp/syntax"
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

// matcher finds matches in one file's content.
type matcher struct {
	lit      []byte // literal search (case-sensitive, or folded ASCII when fold)
	fold     bool   // lit is lower-case ASCII: compare with the lower-cased content
	re       *regexp.Regexp
	prefix   []byte // for re: a literal every match contains (prefilter); nil = none
	prefFold bool
	literals []string   // for the index: literals of 3+ characters every match contains
	groups   [][]string // for the index, from a regex: an AND of ORs of trigrams
}

// compile turns a query into a matcher.
func compile(q Query) (*matcher, error) {
	if q.Pattern == "" {
		return nil, ErrEmptyQuery
	}
	if strings.ContainsRune(q.Pattern, '\n') {
		return nil, errors.New("a search matches within one line: remove the line break")
	}
	m := &matcher{}
	if !q.Regex && !q.WholeWord && (q.CaseSensitive || isASCII(q.Pattern)) {
		if q.CaseSensitive {
			m.lit = []byte(q.Pattern)
		} else {
			m.lit, m.fold = []byte(strings.ToLower(q.Pattern)), true
		}
		if utf8.RuneCountInString(q.Pattern) >= 3 {
			m.literals = []string{q.Pattern}
		}
		return m, nil
	}
	expr := q.Pattern
	if !q.Regex {
		expr = regexp.QuoteMeta(expr)
	}
	if q.WholeWord {
		expr = `\b(?:` + expr + `)\b`
	}
	if !q.CaseSensitive {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		// Say what is wrong with the pattern as the user wrote it, not
		// with the case flag and word boundaries added to it.
		if _, perr := syntax.Parse(q.Pattern, syntax.Perl); perr != nil {
			err = perr
		}
		var se *syntax.Error
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%w: %s in %q", ErrBadRegex, se.Code, se.Expr)
		}
		return nil, fmt.Errorf("%w: %v", ErrBadRegex, err)
	}
	m.re = re
	m.groups = trigramGroups(expr)
	var best literal
	for _, l := range requiredLiterals(expr) {
		if utf8.RuneCountInString(l.text) >= 3 {
			m.literals = append(m.literals, l.text)
		}
		// A folded literal prefilters through ASCII lower-casing, which
		// misses the non-ASCII forms RE2 folds with k and s (U+212A, U+017F).
		usable := !l.fold || (isASCII(l.text) && !strings.ContainsAny(l.text, "kKsS"))
		if usable && len(l.text) > len(best.text) {
			best = l
		}
	}
	switch {
	case best.text == "":
	case best.fold:
		m.prefix, m.prefFold = []byte(strings.ToLower(best.text)), true
	default:
		m.prefix = []byte(best.text)
	}
	return m, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// literal is a run of characters every match of a regex contains.
type literal struct {
	text string
	fold bool // matched case-insensitively
}

// requiredLiterals returns the literal runs that every match of expr
// contains, of any length: the longest is a prefilter that skips lines
// cheaply, and those of three characters or more narrow the search through
// the trigram index.
func requiredLiterals(expr string) []literal {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	var out []literal
	var walk func(r *syntax.Regexp)
	walk = func(r *syntax.Regexp) {
		switch r.Op {
		case syntax.OpLiteral:
			if len(r.Rune) > 0 {
				out = append(out, literal{string(r.Rune), r.Flags&syntax.FoldCase != 0})
			}
		case syntax.OpCapture, syntax.OpPlus:
			walk(r.Sub[0]) // at least once
		case syntax.OpRepeat:
			if r.Min >= 1 {
				walk(r.Sub[0])
			}
		case syntax.OpConcat:
			// Adjacent literals (a literal split by a capture boundary) are
			// treated separately: still required, just shorter.
			for _, s := range r.Sub {
				walk(s)
			}
		}
	}
	walk(re)
	return out
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

// indexQuery is the FTS5 query that narrows the search, "" for none: the
// trigrams of the required literals, and for a regex those of its small
// character classes too.
func (m *matcher) indexQuery() string {
	q := matchQuery(m.literals)
	if g := groupsQuery(m.groups); g != "" {
		if q != "" {
			q += " AND "
		}
		q += g
	}
	return q
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

// find returns the lines of data that match. more is told how many
// matches a line adds and returns false to stop. low is a scratch buffer
// for case folding, returned for reuse.
func (m *matcher) find(data, low []byte, more func(int) bool) ([]LineMatch, []byte) {
	var out []LineMatch
	hay := data
	needle := m.lit
	if m.re != nil {
		needle = m.prefix
	}
	if (m.re == nil && m.fold) || (m.re != nil && m.prefFold) {
		low = lowerASCII(low, data)
		hay = low
	}
	lineNo, counted := 1, 0 // lineNo is the line of offset counted
	lineOf := func(off int) (int, int, int) {
		lineNo += bytes.Count(data[counted:off], nl)
		counted = off
		s := bytes.LastIndexByte(data[:off], '\n') + 1
		e := bytes.IndexByte(data[off:], '\n')
		if e < 0 {
			e = len(data)
		} else {
			e += off
		}
		return lineNo, s, e
	}
	if m.re == nil {
		for off := 0; off <= len(hay); {
			i := bytes.Index(hay[off:], needle)
			if i < 0 {
				break
			}
			ln, s, e := lineOf(off + i)
			var ranges [][2]int
			for j := off + i; j >= 0 && j < e; {
				ranges = append(ranges, [2]int{j - s, j - s + len(needle)})
				k := bytes.Index(hay[j+len(needle):e], needle)
				if k < 0 {
					break
				}
				j += len(needle) + k
			}
			out = append(out, lineMatch(ln, data[s:e], ranges))
			if !more(len(ranges)) {
				return out, low
			}
			off = e + 1
		}
		return out, low
	}
	if needle == nil {
		// No literal to look for: match line by line.
		for s := 0; s < len(data); {
			e := bytes.IndexByte(data[s:], '\n')
			if e < 0 {
				e = len(data)
			} else {
				e += s
			}
			if lm, ok := m.reLine(lineNo, data[s:e]); ok {
				out = append(out, lm)
				if !more(len(lm.Ranges)) {
					return out, low
				}
			}
			lineNo++
			s = e + 1
		}
		return out, low
	}
	for off := 0; off <= len(hay); {
		i := bytes.Index(hay[off:], needle)
		if i < 0 {
			break
		}
		ln, s, e := lineOf(off + i)
		if lm, ok := m.reLine(ln, data[s:e]); ok {
			out = append(out, lm)
			if !more(len(lm.Ranges)) {
				return out, low
			}
		}
		off = e + 1
	}
	return out, low
}

var nl = []byte{'\n'}

func (m *matcher) reLine(ln int, line []byte) (LineMatch, bool) {
	locs := m.re.FindAllIndex(line, maxRangesPerLine)
	if len(locs) == 0 {
		return LineMatch{}, false
	}
	var ranges [][2]int
	for _, l := range locs {
		if l[1] > l[0] {
			ranges = append(ranges, [2]int{l[0], l[1]})
		}
	}
	if len(ranges) == 0 {
		// Only empty matches (^$, x*): the line matches, as in rg, at
		// the first one's column.
		ranges = [][2]int{{locs[0][0], locs[0][0]}}
	}
	return lineMatch(ln, line, ranges), true
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

// lowerASCII writes data with ASCII letters lower-cased into dst.
func lowerASCII(dst, data []byte) []byte {
	if cap(dst) < len(data) {
		dst = make([]byte, len(data), len(data)+len(data)/4)
	}
	dst = dst[:len(data)]
	for i, c := range data {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst[i] = c
	}
	return dst
}

// SortResults orders results by path and line, for callers that want a
// stable order (the search itself streams them as found).
func SortResults(rs []FileResult) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Path < rs[j].Path })
}
