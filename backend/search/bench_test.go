//go:build linux

package search_test

// The text search benchmarks for `make bench` (scripts/bench): searches of
// the Go source tree beside ripgrep on the same tree and queries in the same
// run, the index build, and the peak memory of scanning and indexing that
// tree. Nothing here asserts on timing.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/search"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// benchQuery is one query, as search.Query and as ripgrep arguments.
type benchQuery struct {
	name string
	q    search.Query
	rg   []string
}

// benchQueries are the benchmark's queries. ripgrep's \d and \w are Unicode
// classes and Go's ASCII ones; rg -c counts lines on the same tree agree
// (see the lines metrics), so the difference does not matter here.
var benchQueries = []benchQuery{
	{"rare", search.Query{Pattern: "ErrUnexpectedEOF", CaseSensitive: true}, []string{"-e", "ErrUnexpectedEOF"}},
	{"common", search.Query{Pattern: "func", CaseSensitive: true}, []string{"-e", "func"}},
	{"nocase", search.Query{Pattern: "errunexpectedeof"}, []string{"-i", "-e", "errunexpectedeof"}},
	{"regex", search.Query{Pattern: `func \w+\(ctx context\.Context`, Regex: true, CaseSensitive: true},
		[]string{"-e", `func \w+\(ctx context\.Context`}},
	{"regex-noliteral", search.Query{Pattern: `\d{4}-\d{2}-\d{2}`, Regex: true, CaseSensitive: true},
		[]string{"-e", `\d{4}-\d{2}-\d{2}`}},
}

// benchTree is the scanned tree and its text index.
type benchTree struct {
	src     string
	targets []search.Target
	docs    []search.Doc
	index   *search.Index
}

// BenchmarkSearch runs each query through search.Run (with the text index)
// and through ripgrep, ICE_BENCH_ROUNDS times, interleaved; and builds the
// index from scratch once a round ("index"). Before the rounds the index is
// built and every query is run once both ways (so the page cache is warm
// for both, and the result counts are checked). Sub-benchmarks:
//
//   - index: search.Open + Sync of every text file from a fresh file
//     (the scan that lists them is not timed); reports the index size.
//   - <query>-ours: search.Run over the scan's text files (not Binary, Huge
//     or symlinks), MaxResults = search.MaxMaxResults. A query with more
//     matches than that cap is run over the file list cut into parts small
//     enough to stay below it, one Run per part, so the full result is
//     found ("runs" is how many).
//   - <query>-rg: rg --hidden --no-ignore -n (the whole tree; it skips
//     binary files itself), its output read through a pipe and counted.
//
// "lines" is the number of matching lines each found.
func BenchmarkSearch(b *testing.B) {
	if _, err := exec.LookPath("rg"); err != nil {
		b.Skip("ripgrep (rg) is not installed: scripts/setup installs it")
	}
	t := benchSetup(b)
	parts := map[string]int{}
	for _, bq := range benchQueries { // warm-up, and the number of runs each query needs
		n := 1
		for {
			lines, st := benchOurs(b, t, bq.q, n)
			if !st.Truncated {
				break
			}
			if n >= 64 {
				b.Fatalf("%s: still truncated at %d runs (%d lines)", bq.name, n, lines)
			}
			n *= 2
		}
		parts[bq.name] = n
		benchRG(b, t.src, bq.rg)
	}
	for range benchRounds() {
		b.Run("index", func(b *testing.B) {
			var res search.SyncResult
			var disk int64
			for range b.N {
				b.StopTimer()
				dir := b.TempDir()
				b.StartTimer()
				ix, err := search.Open(filepath.Join(dir, "index.db"))
				if err != nil {
					b.Fatal(err)
				}
				if res, err = ix.Sync(context.Background(), t.src, t.docs, nil); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if _, _, disk, err = ix.Stats(context.Background()); err != nil {
					b.Fatal(err)
				}
				if err := ix.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms")
			b.ReportMetric(float64(res.Indexed), "files")
			b.ReportMetric(float64(res.Chunks), "chunks")
			b.ReportMetric(float64(res.Bytes)/(1<<20), "text-MiB")
			b.ReportMetric(float64(disk)/(1<<20), "index-MiB")
		})
		for _, bq := range benchQueries {
			b.Run(bq.name+"-ours", func(b *testing.B) {
				var lines int
				var st search.Stats
				for range b.N {
					lines, st = benchOurs(b, t, bq.q, parts[bq.name])
				}
				b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms")
				b.ReportMetric(float64(lines), "lines")
				b.ReportMetric(float64(st.Files), "files-read")
				b.ReportMetric(float64(st.Skipped), "files-skipped")
				b.ReportMetric(float64(parts[bq.name]), "runs")
			})
			b.Run(bq.name+"-rg", func(b *testing.B) {
				var lines int
				for range b.N {
					lines = benchRG(b, t.src, bq.rg)
				}
				b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms")
				b.ReportMetric(float64(lines), "lines")
			})
		}
	}
}

// benchOurs runs q over the targets, in parts runs over consecutive slices
// of the list; it returns the matching lines and the summed stats.
func benchOurs(b *testing.B, t *benchTree, q search.Query, parts int) (int, search.Stats) {
	q.MaxResults = search.MaxMaxResults
	var lines int
	var sum search.Stats
	per := (len(t.targets) + parts - 1) / parts
	for i := 0; i < len(t.targets); i += per {
		src := search.Source{Root: t.src, Targets: t.targets[i:min(len(t.targets), i+per)], Index: t.index}
		st, err := search.Run(context.Background(), src, q, func(rs []search.FileResult) {
			for _, r := range rs {
				lines += len(r.Matches)
			}
		})
		if err != nil {
			b.Fatalf("%q: %v", q.Pattern, err)
		}
		if !st.UsedIndex && strings.Contains(q.Pattern, "ErrUnexpectedEOF") {
			b.Fatalf("%q: the index was not used", q.Pattern)
		}
		sum.Files += st.Files
		sum.Skipped += st.Skipped
		sum.Matches += st.Matches
		sum.Truncated = sum.Truncated || st.Truncated
	}
	return lines, sum
}

// benchRG runs ripgrep in dir and returns how many lines it printed, one
// per matching line.
func benchRG(b *testing.B, dir string, args []string) int {
	cmd := exec.Command("rg", append([]string{"--no-config", "--hidden", "--no-ignore", "--line-number",
		"--no-heading", "--with-filename", "--color", "never"}, append(args, ".")...)...)
	cmd.Dir = dir
	var c lineCounter
	cmd.Stdout = &c
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 { // 1: no match
			b.Fatalf("rg %q: %v\n%s", args, err, stderr.String())
		}
	}
	return c.n
}

type lineCounter struct{ n int }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}

// benchSetup scans the tree and builds its index.
func benchSetup(b *testing.B) *benchTree {
	src := benchGorootSrc(b)
	t := &benchTree{src: src}
	_, err := workspace.Scan(context.Background(), src, workspace.ScanOptions{}, func(f workspace.FileInfo) error {
		if !f.Binary && !f.Huge && !f.Symlink && f.Hash != "" {
			t.targets = append(t.targets, search.Target{Path: f.Path, Hash: f.Hash, Size: f.Size})
			t.docs = append(t.docs, search.Doc{Path: f.Path, Hash: f.Hash, Size: f.Size})
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "ice-bench-index-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = os.RemoveAll(dir) })
	t.index, err = search.Open(filepath.Join(dir, "index.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = t.index.Close() })
	if _, err := t.index.Sync(context.Background(), src, t.docs, nil); err != nil {
		b.Fatal(err)
	}
	return t
}

// BenchmarkIndexMemory measures the peak resident memory of a fresh process
// that scans the Go source tree and builds its text index from nothing,
// as a Studio does when a folder is first opened: this test binary run again
// as a child (TestIndexMemoryChild), which reads its own high-water mark
// (VmHWM) at the end. Reported: the peak, and the resident size before the
// scan (the baseline of the same process). ICE_BENCH_ROUNDS runs.
func BenchmarkIndexMemory(b *testing.B) {
	src := benchGorootSrc(b)
	for range benchRounds() {
		b.Run("scan+index", func(b *testing.B) {
			var peak, base, took float64
			for range b.N {
				dir := b.TempDir()
				cmd := exec.Command(os.Args[0], "-test.run=^TestIndexMemoryChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), "ICE_BENCH_CHILD=index-memory", "ICE_BENCH_CHILD_SRC="+src,
					"ICE_BENCH_CHILD_DIR="+dir)
				out, err := cmd.CombinedOutput()
				if err != nil {
					b.Fatalf("child: %v\n%s", err, out)
				}
				sc := bufio.NewScanner(bytes.NewReader(out))
				found := false
				for sc.Scan() {
					if f := strings.Fields(sc.Text()); len(f) == 4 && f[0] == "index-memory" {
						base, _ = strconv.ParseFloat(f[1], 64)
						peak, _ = strconv.ParseFloat(f[2], 64)
						took, _ = strconv.ParseFloat(f[3], 64)
						found = true
					}
				}
				if !found {
					b.Fatalf("child printed no figures:\n%s", out)
				}
			}
			b.ReportMetric(peak/1024, "peak-RSS-MiB")
			b.ReportMetric(base/1024, "base-RSS-MiB")
			b.ReportMetric(took, "ms")
		})
	}
}

// TestIndexMemoryChild is BenchmarkIndexMemory's child process; it is
// skipped unless that benchmark started it. It prints
// "index-memory <RSS before, KiB> <peak RSS, KiB> <ms>".
func TestIndexMemoryChild(t *testing.T) {
	if os.Getenv("ICE_BENCH_CHILD") != "index-memory" {
		t.Skip("run by BenchmarkIndexMemory")
	}
	src, dir := os.Getenv("ICE_BENCH_CHILD_SRC"), os.Getenv("ICE_BENCH_CHILD_DIR")
	base := procStatusKiB(t, "VmRSS")
	start := time.Now()
	var docs []search.Doc
	_, err := workspace.Scan(context.Background(), src, workspace.ScanOptions{}, func(f workspace.FileInfo) error {
		if !f.Binary && !f.Huge && !f.Symlink && f.Hash != "" {
			docs = append(docs, search.Doc{Path: f.Path, Hash: f.Hash, Size: f.Size})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := search.Open(filepath.Join(dir, "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(context.Background(), src, docs, nil); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	fmt.Printf("index-memory %d %d %d\n", base, procStatusKiB(t, "VmHWM"), took.Milliseconds())
}

// procStatusKiB reads a "kB" field of /proc/self/status.
func procStatusKiB(t testing.TB, field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				n, err := strconv.ParseInt(f[0], 10, 64)
				if err == nil {
					return n
				}
			}
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// benchGorootSrc is $(go env GOROOT)/src, the large real tree the
// benchmarks use.
func benchGorootSrc(b *testing.B) string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		b.Skipf("go env GOROOT: %v", err)
	}
	src := filepath.Join(strings.TrimSpace(string(out)), "src")
	if _, err := os.Stat(src); err != nil {
		b.Skipf("no Go source tree at %s", src)
	}
	return src
}

// benchRounds is how many times each figure and its baseline are measured,
// interleaved (ICE_BENCH_ROUNDS, default 1).
func benchRounds() int {
	if n, err := strconv.Atoi(os.Getenv("ICE_BENCH_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 1
}
