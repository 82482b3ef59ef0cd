//go:build linux

package search_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/internal/studiotest"
	"github.com/ice-studio/ice-studio/backend/search"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// BenchmarkSearch40 runs the 40 searches of rgPatterns on the Go source
// tree ($(go env GOROOT)/src) and on the frontend's node_modules (when
// installed), each beside ripgrep on the same files, ICE_BENCH_ROUNDS
// times (ICE_BENCH_SEARCH40_TREES=goroot or =node_modules for one tree):
//
//   - <tree>/<pattern>-ours: search.Run with the tree's text index built
//     beforehand and the page cache warm, in as many runs over parts of
//     the file list as stay below search.MaxMaxResults (as BenchmarkSearch);
//   - <tree>/<pattern>-rg: rg --no-ignore --hidden over the tree, with the
//     Studio's default ignores as globs so it walks the same files (it
//     skips binary files itself), its output read through a pipe;
//   - <tree>/<pattern>-cli: `ice-studio search` as a process (built into
//     a temporary folder), --max search.MaxMaxResults, its output read
//     through a pipe, with ICE_HOME a data folder where a Studio opened
//     and indexed the tree (so it uses the Studio's file list and index).
//
// Before the rounds every pattern is run once by the Studio and by rg and
// the matching lines (path, line number) compared: the summary flags every
// pattern where they differ, with an example. After the rounds it prints a
// Markdown table (and writes it to $ICE_BENCH_DIR/search40.md): per
// pattern the times and the ratios to rg (the median over rounds of each
// round's ratio), then the median ratio and the worst pattern. Nothing
// here asserts on timing.
func BenchmarkSearch40(b *testing.B) {
	if _, err := exec.LookPath("rg"); err != nil {
		b.Skip("ripgrep (rg) is not installed: scripts/setup installs it")
	}
	cli := cliBinary(b)
	var md strings.Builder
	for _, tr := range search40Trees(b) {
		t := openTree(b, tr.root, benchTempDir(b))
		// The CLI searches the tree as a folder the Studio knows (opened,
		// indexed, closed), through the Studio's file list and index.
		home := ""
		if cli != "" {
			home = benchTempDir(b)
			studiotest.KnownFolder(b, home, tr.root, 20*time.Minute)
		}
		bt := &benchTree{src: t.root, targets: t.targets, index: t.index}
		rgExtra := defaultIgnoreGlobs()
		patterns := search40Patterns()
		rows := make([]search40Row, len(patterns))
		for i, p := range patterns { // warm-up, parts, and the comparison of results
			rows[i].p = p
			rows[i].parts = benchParts(b, bt, p.name, p.q)
			rows[i].compare(b, t, append(append([]string(nil), rgExtra...), p.rg...))
		}
		for range benchRounds() {
			for i := range rows {
				r := &rows[i]
				var ours, rg, cl time.Duration
				b.Run(tr.name+"/"+r.p.name+"-ours", func(b *testing.B) {
					var lines int
					for range b.N {
						lines, _ = benchOurs(b, bt, r.p.q, r.parts)
					}
					ours = b.Elapsed() / time.Duration(b.N)
					b.ReportMetric(ms(ours), "ms")
					b.ReportMetric(float64(lines), "lines")
				})
				b.Run(tr.name+"/"+r.p.name+"-rg", func(b *testing.B) {
					var lines int
					for range b.N {
						lines = 0
						if err := runRG(context.Background(), t.root, append(append([]string(nil), rgExtra...), r.p.rg...),
							func(string, int) { lines++ }); err != nil {
							b.Fatal(err)
						}
					}
					rg = b.Elapsed() / time.Duration(b.N)
					b.ReportMetric(ms(rg), "ms")
					b.ReportMetric(float64(lines), "lines")
				})
				if cli != "" {
					b.Run(tr.name+"/"+r.p.name+"-cli", func(b *testing.B) {
						var lines int
						for range b.N {
							lines = runCLI(b, cli, home, t.root, r.p.q)
						}
						cl = b.Elapsed() / time.Duration(b.N)
						b.ReportMetric(ms(cl), "ms")
						b.ReportMetric(float64(lines), "lines")
						r.cliLines = lines
					})
				}
				r.ours, r.rg, r.cli = append(r.ours, ours), append(r.rg, rg), append(r.cli, cl)
			}
		}
		writeSearch40Table(&md, tr, len(t.targets), rows, cli != "")
	}
	fmt.Print("\n" + md.String())
	if dir := os.Getenv("ICE_BENCH_DIR"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "search40.md"), []byte(md.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// search40Patterns is rgPatterns, or those named (comma-separated) in
// ICE_BENCH_SEARCH40_PATTERNS, to look at a few closely (with -cpuprofile).
func search40Patterns() []rgPattern {
	only := os.Getenv("ICE_BENCH_SEARCH40_PATTERNS")
	if only == "" {
		return rgPatterns
	}
	var out []rgPattern
	for _, p := range rgPatterns {
		for _, name := range strings.Split(only, ",") {
			if strings.TrimSpace(name) == p.name {
				out = append(out, p)
			}
		}
	}
	return out
}

// search40Tree is a tree the benchmark searches.
type search40Tree struct{ name, what, root string }

func search40Trees(b *testing.B) []search40Tree {
	only := os.Getenv("ICE_BENCH_SEARCH40_TREES")
	var out []search40Tree
	if only == "" || strings.Contains(only, "goroot") {
		out = append(out, search40Tree{"goroot", "the Go source tree (`$(go env GOROOT)/src`)", benchGorootSrc(b)})
	}
	if only == "" || strings.Contains(only, "node_modules") {
		nm, err := filepath.Abs("../../frontend/node_modules")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := os.Stat(nm); err == nil {
			out = append(out, search40Tree{"node_modules", "the frontend's `node_modules`", nm})
		} else {
			b.Logf("no %s (scripts/setup installs it): searched the Go source tree only", nm)
		}
	}
	return out
}

// defaultIgnoreGlobs are rg globs that exclude what the Studio ignores by
// default (workspace.DefaultIgnores: nested node_modules and the like),
// so that rg --no-ignore walks the files the Studio's scan lists.
func defaultIgnoreGlobs() []string {
	var out []string
	for _, p := range workspace.DefaultIgnores {
		out = append(out, "-g", "!"+p)
	}
	return out
}

// search40Row is one pattern's figures on one tree.
type search40Row struct {
	p             rgPattern
	parts         int
	ours, rg, cli []time.Duration // per round
	oursN, rgN    int             // matching lines
	rgOutside     int             // lines rg found in files the Studio does not search
	diffs         int             // lines found by one and not the other, in the Studio's files
	example       string          // the first of them
	cliLines      int
}

// compare runs the pattern once each way and records how the matching
// lines differ.
func (r *search40Row) compare(b *testing.B, t *searchTree, rgArgs []string) {
	ours := map[lineKey]bool{}
	q := r.p.q
	q.MaxResults = search.MaxMaxResults
	per := (len(t.targets) + r.parts - 1) / r.parts
	for i := 0; i < len(t.targets); i += per {
		src := search.Source{Root: t.root, Targets: t.targets[i:min(len(t.targets), i+per)], Index: t.index}
		if _, err := search.Run(context.Background(), src, q, func(rs []search.FileResult) {
			for _, fr := range rs {
				for _, m := range fr.Matches {
					ours[lineKey{fr.Path, m.Line}] = true
				}
			}
		}); err != nil {
			b.Fatal(err)
		}
	}
	searched := map[string]string{} // interned paths
	for _, tg := range t.targets {
		searched[tg.Path] = tg.Path
	}
	theirs := map[lineKey]bool{}
	err := runRG(context.Background(), t.root, rgArgs, func(p string, line int) {
		if s, ok := searched[p]; ok {
			theirs[lineKey{s, line}] = true
		} else {
			r.rgOutside++
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	r.oursN, r.rgN = len(ours), len(theirs)+r.rgOutside
	d := diffLines(ours, theirs)
	r.diffs = len(d)
	if len(d) > 0 {
		r.example = strings.TrimSpace(listDiffs(t.root, d[:1]))
		b.Logf("%s: %d matching lines differ from rg\n%s", r.p.name, len(d), listDiffs(t.root, d))
	}
}

// runCLI runs `ice-studio search` over root and returns how many lines it
// printed.
func runCLI(b *testing.B, bin, home, root string, q search.Query) int {
	args := []string{"search", "--max", strconv.Itoa(search.MaxMaxResults)}
	if q.Regex {
		args = append(args, "--regex")
	}
	if q.CaseSensitive {
		args = append(args, "--case")
	}
	if q.WholeWord {
		args = append(args, "--word")
	}
	cmd := exec.Command(bin, append(args, "--", q.Pattern, root)...)
	cmd.Env = append(os.Environ(), "ICE_HOME="+home)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	var c lineCounter
	_, _ = io.Copy(&c, bufio.NewReaderSize(stdout, 1<<20))
	if err := cmd.Wait(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 { // 1: no match
			b.Fatalf("ice-studio %q: %v\n%s", args, err, stderr.String())
		}
	}
	return c.n
}

// cliBinary is the CLI built from this tree into a temporary folder (not
// build/bin/ice-studio, which may be older); "" (the CLI rows left out)
// when it cannot be built.
func cliBinary(b *testing.B) string {
	out := filepath.Join(benchTempDir(b), "ice-studio")
	cmd := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", out, ".")
	cmd.Dir = "../.."
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Logf("go build of ice-studio failed, the CLI rows are left out: %v\n%s", err, msg)
		return ""
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func medianOf(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ratios are a row's per-round ratios of d to base.
func ratios(d, base []time.Duration) []float64 {
	var out []float64
	for i := range min(len(d), len(base)) {
		if base[i] > 0 {
			out = append(out, float64(d[i])/float64(base[i]))
		}
	}
	return out
}

func durs(ds []time.Duration) float64 {
	var fs []float64
	for _, d := range ds {
		fs = append(fs, ms(d))
	}
	return medianOf(fs)
}

// writeSearch40Table writes one tree's table.
func writeSearch40Table(w *strings.Builder, tr search40Tree, files int, rows []search40Row, withCLI bool) {
	fmt.Fprintf(w, "Text search, 40 patterns, on %s (%d text files the Studio searches), median of %d rounds:\n\n",
		tr.what, files, benchRounds())
	fmt.Fprintf(w, "| pattern | rg arguments | lines (Studio / rg) | Studio indexed | rg | ratio | CLI | CLI ratio | results |\n")
	fmt.Fprintf(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	var all, allCLI []float64
	worst, worstCLI := -1.0, -1.0
	var worstName, worstCLIName string
	differ := 0
	for _, r := range rows {
		ratio := medianOf(ratios(r.ours, r.rg))
		all = append(all, ratio)
		if ratio > worst {
			worst, worstName = ratio, r.p.name
		}
		cliCell, cliRatio := "—", "—"
		if withCLI {
			cr := medianOf(ratios(r.cli, r.rg))
			allCLI = append(allCLI, cr)
			if cr > worstCLI {
				worstCLI, worstCLIName = cr, r.p.name
			}
			cliCell, cliRatio = fmt.Sprintf("%.1f ms", durs(r.cli)), fmt.Sprintf("%.2f", cr)
			if r.cliLines != r.rgN {
				cliRatio += fmt.Sprintf(" (%d lines)", r.cliLines)
			}
		}
		res := "same"
		if r.diffs > 0 {
			differ++
			res = fmt.Sprintf("**%d lines differ**, e.g. `%s`", r.diffs, strings.ReplaceAll(r.example, "`", "'"))
		}
		if r.rgOutside > 0 {
			res += fmt.Sprintf("; rg: %d lines in files the Studio does not search", r.rgOutside)
		}
		fmt.Fprintf(w, "| %s | `%s` | %d / %d | %.1f ms | %.1f ms | %.2f | %s | %s | %s |\n", r.p.name,
			strings.ReplaceAll(strings.Join(r.p.rg, " "), "|", `\|`), r.oursN, r.rgN, durs(r.ours), durs(r.rg), ratio, cliCell, cliRatio,
			strings.ReplaceAll(res, "|", `\|`))
	}
	fmt.Fprintf(w, "\nStudio indexed: median ratio to rg %.2f, worst %s at %.2f.", medianOf(all), worstName, worst)
	if withCLI {
		fmt.Fprintf(w, " CLI: median %.2f, worst %s at %.2f.", medianOf(allCLI), worstCLIName, worstCLI)
	}
	fmt.Fprintf(w, " Results: %d of %d patterns find the same lines as rg.\n\n", len(rows)-differ, len(rows))
}
