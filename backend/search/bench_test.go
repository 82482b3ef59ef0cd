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
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/internal/benchenv"
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
// classes, Go's ASCII ones; on this tree both find the same lines (compare
// the lines metrics), so the difference does not show.
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
// and through ripgrep, ICE_BENCH_ROUNDS times, interleaved. Before the
// rounds the tree is scanned, its index built, and every query run once
// both ways, so the page cache is warm for both. Sub-benchmarks:
//
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
		parts[bq.name] = benchParts(b, t, bq.name, bq.q)
		benchRG(b, t.src, bq.rg)
	}
	for range benchRounds() {
		for _, bq := range benchQueries {
			b.Run(bq.name+"-ours", func(b *testing.B) {
				var lines int
				var st search.Stats
				// The label marks these samples in a -cpuprofile (pprof
				// -tagfocus bench=common-ours); Run's goroutines inherit it.
				pprof.Do(context.Background(), pprof.Labels("bench", bq.name+"-ours"), func(context.Context) {
					for range b.N {
						lines, st = benchOurs(b, t, bq.q, parts[bq.name])
					}
				})
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
// benchParts is into how many parts (a power of two) the file list must
// be cut for each Run of q to stay below search.MaxMaxResults; it runs q
// so, warming the cache.
func benchParts(b *testing.B, t *benchTree, name string, q search.Query) int {
	for n := 1; ; n *= 2 {
		lines, st := benchOurs(b, t, q, n)
		if !st.Truncated {
			return n
		}
		if n >= 64 {
			b.Fatalf("%s: still truncated at %d runs (%d lines)", name, n, lines)
		}
	}
}

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
	t.index, err = search.Open(filepath.Join(benchTempDir(b), "index.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = t.index.Close() })
	if _, err := t.index.Sync(context.Background(), src, t.docs, nil); err != nil {
		b.Fatal(err)
	}
	return t
}

// BenchmarkIndexBuild scans the Go source tree and builds its text index
// from nothing in a fresh process, as a Studio does when a folder is first
// opened: this test binary run again as a child (TestIndexBuildChild), once
// per round (ICE_BENCH_ROUNDS). The child times the scan and the index
// build (search.Open + Sync of every text file) and reads its own memory
// high-water mark (VmHWM) at the end; reported beside the resident size
// before the scan, the index's size on disk and what it holds.
func BenchmarkIndexBuild(b *testing.B) {
	src := benchGorootSrc(b)
	for range benchRounds() {
		b.Run("scan+index", func(b *testing.B) {
			var figures map[string]float64
			for range b.N {
				cmd := exec.Command(os.Args[0], "-test.run=^TestIndexBuildChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), "ICE_BENCH_CHILD=index-build", "ICE_BENCH_CHILD_SRC="+src,
					"ICE_BENCH_CHILD_DIR="+benchTempDir(b))
				out, err := cmd.CombinedOutput()
				if err != nil {
					b.Fatalf("child: %v\n%s", err, out)
				}
				figures = nil
				sc := bufio.NewScanner(bytes.NewReader(out))
				for sc.Scan() {
					if rest, ok := strings.CutPrefix(sc.Text(), "index-build "); ok {
						figures = map[string]float64{}
						f := strings.Fields(rest)
						for i := 0; i+1 < len(f); i += 2 {
							v, err := strconv.ParseFloat(f[i], 64)
							if err != nil {
								b.Fatalf("child printed %q", sc.Text())
							}
							figures[f[i+1]] = v
						}
					}
				}
				if figures == nil {
					b.Fatalf("child printed no figures:\n%s", out)
				}
			}
			for unit, v := range figures {
				b.ReportMetric(v, unit)
			}
		})
	}
}

// TestIndexBuildChild is BenchmarkIndexBuild's child process, skipped
// unless that benchmark started it. It prints one line: "index-build"
// and then value-unit pairs.
func TestIndexBuildChild(t *testing.T) {
	if os.Getenv("ICE_BENCH_CHILD") != "index-build" {
		t.Skip("run by BenchmarkIndexBuild")
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
	scanned := time.Now()
	ix, err := search.Open(filepath.Join(dir, "index.db"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := ix.Sync(context.Background(), src, docs, nil)
	if err != nil {
		t.Fatal(err)
	}
	indexed := time.Now()
	_, _, disk, err := ix.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	peak := procStatusKiB(t, "VmHWM")
	fmt.Printf("index-build %d scan-ms %d index-ms %.1f base-RSS-MiB %.1f peak-RSS-MiB %.1f index-MiB %.1f text-MiB %d files %d chunks\n",
		scanned.Sub(start).Milliseconds(), indexed.Sub(scanned).Milliseconds(), float64(base)/1024, float64(peak)/1024,
		float64(disk)/(1<<20), float64(res.Bytes)/(1<<20), res.Indexed, res.Chunks)
}

// benchTempDir is a temporary folder removed when b ends. Unlike
// b.TempDir its path never holds the '#' of a repeated sub-benchmark's
// name: search.Open puts the path into an SQLite URI unescaped, where '#'
// would cut it short.
func benchTempDir(b *testing.B) string {
	dir, err := os.MkdirTemp("", "ice-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
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

func benchGorootSrc(b *testing.B) string { return benchenv.GorootSrc(b) }

func benchRounds() int { return benchenv.Rounds() }
