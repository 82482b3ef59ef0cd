package search_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ice-studio/ice-studio/backend/search"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// maxListed caps the differences listed per pattern.
const maxListed = 8

// TestRipgrepDifferential runs the 40 searches of rgPatterns over a
// generated corpus (writeCorpus) through search.Run, with the tree scanned
// and indexed as the Studio does, and through ripgrep, and fails on every
// matching line (path and line number) one finds and the other does not,
// apart from the knownDifferences, and on every line both find where the
// matches differ (see diffRanges). Without rg it is skipped, unless CI is
// set: CI installs rg (scripts/setup) and must run this.
func TestRipgrepDifferential(t *testing.T) {
	requireRG(t)
	root := t.TempDir()
	size := writeCorpus(t, root)
	tree := openTree(t, root, t.TempDir())
	t.Logf("corpus: %d files searched by the Studio, %.1f MB written", len(tree.targets), float64(size)/1e6)

	used := make([]bool, len(knownDifferences))
	files := fileLines{}
	var summary []string
	for _, p := range rgPatterns {
		oursM, st := studioMatches(t, tree, p.q)
		if st.Truncated {
			t.Fatalf("%s: the Studio's search stopped at %d matches", p.name, st.Matches)
		}
		theirsM, err := rgMatches(context.Background(), root, p.rg)
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		ours, theirs := keysOf(oursM), keysOf(theirsM)
		diffs := diffLines(ours, theirs)
		var strict, known []lineDiff
		for _, d := range diffs {
			if k := knownFor(p.name, d.path); k >= 0 {
				used[k] = true
				known = append(known, d)
				continue
			}
			strict = append(strict, d)
		}
		if len(known) > 0 {
			t.Logf("%s (%s): %d known differences\n%s", p.name, describe(p), len(known), listDiffs(root, known))
		}
		status := "same"
		if len(strict) > 0 {
			status = fmt.Sprintf("%d differ", len(strict))
			t.Errorf("%s (%s): %d matching lines differ from rg (Studio %d lines, rg %d)\n%s",
				p.name, describe(p), len(strict), len(ours), len(theirs), listDiffs(root, strict))
		} else if len(diffs) > 0 {
			status = fmt.Sprintf("same but %d known", len(diffs))
		}
		if rd := diffRanges(root, p.name, oursM, theirsM, files); len(rd) > 0 {
			status += fmt.Sprintf(", ranges differ on %d lines", len(rd))
			if len(rd) > maxListed {
				rd = append(rd[:maxListed], fmt.Sprintf("… and %d more", len(rd)-maxListed))
			}
			t.Errorf("%s (%s): the matches found on a line differ from rg's (Studio's ranges, rg's, in UTF-16 units)\n\t%s",
				p.name, describe(p), strings.Join(rd, "\n\t"))
		}
		summary = append(summary, fmt.Sprintf("%-18s Studio %6d  rg %6d  %s", p.name, len(ours), len(theirs), status))
	}
	for i, k := range knownDifferences {
		if !used[i] {
			t.Errorf("known difference %q in %q no longer shows: remove it from knownDifferences (and the README)", k.pattern, k.path)
		}
	}
	t.Logf("matching lines per pattern:\n%s", strings.Join(summary, "\n"))
}

// requireRG skips the test when rg is missing, or fails it under CI.
func requireRG(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("rg"); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("ripgrep (rg) is not installed, and CI needs it: scripts/setup installs it")
		}
		tb.Skip("ripgrep (rg) is not installed: scripts/setup installs it")
	}
}

// searchTree is a scanned tree and its text index, as the Studio holds them.
type searchTree struct {
	root    string
	targets []search.Target
	index   *search.Index
}

// openTree scans root as the Studio does and builds its text index in dir
// (a path without '#': see benchTempDir).
func openTree(tb testing.TB, root, dir string) *searchTree {
	tb.Helper()
	t := &searchTree{root: root}
	var docs []search.Doc
	_, err := workspace.Scan(context.Background(), root, workspace.ScanOptions{}, func(f workspace.FileInfo) error {
		if !f.Binary && !f.Huge && !f.Symlink && f.Hash != "" {
			t.targets = append(t.targets, search.Target{Path: f.Path, Hash: f.Hash, Size: f.Size})
			docs = append(docs, search.Doc{Path: f.Path, Hash: f.Hash, Size: f.Size})
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	t.index, err = search.Open(filepath.Join(dir, "index.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = t.index.Close() })
	if _, err := t.index.Sync(context.Background(), root, docs, nil); err != nil {
		tb.Fatal(err)
	}
	return t
}

// lineKey is one matching line.
type lineKey struct {
	path string
	line int
}

// studioMatches runs q through search.Run with the index and returns the
// matching lines with their ranges.
func studioMatches(tb testing.TB, t *searchTree, q search.Query) (map[lineKey][][2]int, search.Stats) {
	tb.Helper()
	q.MaxResults = search.MaxMaxResults
	out := map[lineKey][][2]int{}
	src := search.Source{Root: t.root, Targets: t.targets, Index: t.index}
	st, err := search.Run(context.Background(), src, q, func(rs []search.FileResult) {
		for _, r := range rs {
			for _, m := range r.Matches {
				out[lineKey{r.Path, m.Line}] = m.Ranges
			}
		}
	})
	if err != nil {
		tb.Fatalf("search.Run(%+v): %v", q, err)
	}
	return out, st
}

func keysOf(m map[lineKey][][2]int) map[lineKey]bool {
	out := make(map[lineKey]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// rgMatches runs rg --json with args in dir over "." and returns the
// matching lines with their matches (byte offsets in the line).
func rgMatches(ctx context.Context, dir string, args []string) (map[lineKey][][2]int, error) {
	cmd := exec.CommandContext(ctx, "rg", append(append(append([]string(nil), rgArgs...), args...), "--json", ".")...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 { // no match
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("rg %q: %v\n%s", args, err, stderr.String())
	}
	out := map[lineKey][][2]int{}
	dec := json.NewDecoder(&stdout)
	for {
		var msg struct {
			Type string
			Data struct {
				Path       struct{ Text, Bytes string }
				LineNumber int `json:"line_number"`
				Submatches []struct{ Start, End int }
			}
		}
		if err := dec.Decode(&msg); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("rg --json: %v", err)
		}
		if msg.Type != "match" {
			continue
		}
		p := msg.Data.Path.Text
		if p == "" {
			b, err := base64.StdEncoding.DecodeString(msg.Data.Path.Bytes)
			if err != nil {
				return nil, fmt.Errorf("rg --json path: %v", err)
			}
			p = string(b)
		}
		var rs [][2]int
		for _, m := range msg.Data.Submatches {
			rs = append(rs, [2]int{m.Start, m.End})
		}
		out[lineKey{strings.TrimPrefix(p, "./"), msg.Data.LineNumber}] = rs
	}
}

// fileLines caches the corpus files' lines by path.
type fileLines map[string][][]byte

func (f fileLines) line(root, path string, n int) ([]byte, bool) {
	lines, ok := f[path]
	if !ok {
		data, _ := os.ReadFile(filepath.Join(root, filepath.FromSlash(path)))
		lines = bytes.Split(data, []byte{'\n'})
		f[path] = lines
	}
	if n < 1 || n > len(lines) {
		return nil, false
	}
	return lines[n-1], true
}

// maxCompared are the limits of the range comparison: the Studio shows a
// longer line as a preview around its first match, and at most 50 matches
// of a line.
const (
	maxComparedRunes   = 240
	maxComparedMatches = 50
)

// diffRanges compares the matches on the lines both found, where the
// Studio shows the whole line: rg's byte offsets are turned into UTF-16
// units (an invalid byte counting one, as the Studio's U+FFFD for it), and
// only non-empty matches are compared, or the first empty one of a line
// with no other (the Studio reports an empty match only then).
func diffRanges(root, pattern string, ours, theirs map[lineKey][][2]int, files fileLines) []string {
	var out []string
	keys := make([]lineKey, 0, len(ours))
	for k := range ours {
		if _, ok := theirs[k]; ok && knownFor(pattern, k.path) < 0 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].path != keys[j].path {
			return keys[i].path < keys[j].path
		}
		return keys[i].line < keys[j].line
	})
	for _, k := range keys {
		line, ok := files.line(root, k.path, k.line)
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if !ok || utf8.RuneCount(line) > maxComparedRunes || len(theirs[k]) > maxComparedMatches {
			continue
		}
		var want [][2]int
		for _, r := range theirs[k] {
			if r[1] > r[0] && r[0] < len(line) {
				want = append(want, [2]int{utf16At(line, r[0]), utf16At(line, min(r[1], len(line)))})
			}
		}
		if len(want) == 0 && len(theirs[k]) > 0 {
			r := theirs[k][0]
			want = [][2]int{{utf16At(line, r[0]), utf16At(line, r[0])}}
		}
		if got := ours[k]; !reflect.DeepEqual(got, want) {
			text, cut := line, ""
			if len(text) > 100 {
				text, cut = text[:100], "…"
			}
			out = append(out, fmt.Sprintf("%s:%d: Studio %v, rg %v: %q%s", k.path, k.line, got, want, text, cut))
		}
	}
	return out
}

// utf16At is the UTF-16 offset of byte offset off in line, an invalid
// byte counting one unit.
func utf16At(line []byte, off int) int {
	n := 0
	for b := line[:off]; len(b) > 0; {
		r, size := utf8.DecodeRune(b)
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		b = b[size:]
	}
	return n
}

// rgArgs are the arguments every rg run starts with: no configuration, no
// ignore files, hidden files too, one "path NUL line:text" record per
// matching line. The search arguments and "." follow.
var rgArgs = []string{"--no-config", "--no-ignore", "--hidden", "-n", "--no-heading", "--with-filename", "--null", "--color", "never"}

// runRG runs rg with args in dir over ".", calling fn for each matching
// line (path relative to dir, slash-separated).
func runRG(ctx context.Context, dir string, args []string, fn func(path string, line int)) error {
	cmd := exec.CommandContext(ctx, "rg", append(append(append([]string(nil), rgArgs...), args...), ".")...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	perr := parseRG(stdout, fn)
	_, _ = io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 { // no match
		err = nil
	}
	if err != nil {
		return fmt.Errorf("rg %q: %v\n%s", args, err, stderr.String())
	}
	return perr
}

func parseRG(r io.Reader, fn func(string, int)) error {
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		rec, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull { // a long line: only its start matters
			rec = append([]byte(nil), rec[:4096]...) // the buffer is reused by the reads below
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
		}
		if len(rec) > 0 && !bytes.Contains(rec, []byte{0}) && bytes.Contains(rec, []byte(": WARNING: stopped searching binary file")) {
			// A file with a NUL byte after a match: rg says so among the
			// results, and the lines before it are already listed.
			rec = nil
		}
		if len(rec) > 0 {
			p, rest, ok := bytes.Cut(rec, []byte{0})
			num, _, ok2 := bytes.Cut(rest, []byte{':'})
			n, cerr := strconv.Atoi(string(num))
			if !ok || !ok2 || cerr != nil {
				return fmt.Errorf("rg printed %.100q", rec)
			}
			fn(strings.TrimPrefix(string(p), "./"), n)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// lineDiff is a line one search found and the other did not.
type lineDiff struct {
	lineKey
	who string // "Studio only" or "rg only"
}

func diffLines(ours, theirs map[lineKey]bool) []lineDiff {
	var out []lineDiff
	for k := range ours {
		if !theirs[k] {
			out = append(out, lineDiff{k, "Studio only"})
		}
	}
	for k := range theirs {
		if !ours[k] {
			out = append(out, lineDiff{k, "rg only"})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].path != out[j].path {
			return out[i].path < out[j].path
		}
		return out[i].line < out[j].line
	})
	return out
}

// knownFor returns the index of the known difference that covers pattern
// in path, or -1.
func knownFor(pattern, path string) int {
	for i, k := range knownDifferences {
		if k.pattern != "*" && k.pattern != pattern {
			continue
		}
		if k.path == "" || k.path == path || (strings.HasSuffix(k.path, "/") && strings.HasPrefix(path, k.path)) {
			return i
		}
	}
	return -1
}

// describe shows a pattern as rg's arguments.
func describe(p rgPattern) string { return "rg " + strings.Join(p.rg, " ") }

// listDiffs lists the differences by file and by who found the lines, up
// to maxListed groups, each with its first line quoted (cut when long),
// read from the file under root.
func listDiffs(root string, diffs []lineDiff) string {
	type group struct {
		first lineDiff
		n     int
	}
	var groups []*group
	byKey := map[[2]string]*group{}
	for _, d := range diffs {
		k := [2]string{d.path, d.who}
		g, ok := byKey[k]
		if !ok {
			g = &group{first: d}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.n++
	}
	var b strings.Builder
	for i, g := range groups {
		if i == maxListed {
			fmt.Fprintf(&b, "\t… and %d more files\n", len(groups)-maxListed)
			break
		}
		d := g.first
		data, _ := os.ReadFile(filepath.Join(root, filepath.FromSlash(d.path)))
		lines := bytes.Split(data, []byte{'\n'})
		text := []byte("(no such line)")
		if d.line >= 1 && d.line <= len(lines) {
			text = lines[d.line-1]
		}
		cut := ""
		if len(text) > 100 {
			text, cut = text[:100], "…"
		}
		more := ""
		if g.n > 1 {
			more = fmt.Sprintf(" (and %d more lines there)", g.n-1)
		}
		fmt.Fprintf(&b, "\t%s:%d %s: %q%s%s\n", d.path, d.line, d.who, text, cut, more)
	}
	return b.String()
}
