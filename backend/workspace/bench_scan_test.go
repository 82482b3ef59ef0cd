//go:build linux

package workspace_test

// The scan benchmark for `make bench` (scripts/bench): Scan of the Go
// source tree, cold, beside `find | xargs sha256sum` on the same tree in the
// same run. Nothing here asserts on timing.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/ice-studio/ice-studio/backend/internal/benchenv"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// BenchmarkScanCold scans and hashes $(go env GOROOT)/src with Scan's
// defaults, and does the same with the coreutils baseline, ICE_BENCH_ROUNDS
// times, interleaved. Before every timed run the page cache is dropped
// (sync; echo 3 > /proc/sys/vm/drop_caches) when the process may do so
// (root, and not disabled with ICE_BENCH_DROP_CACHES=0); each result reports
// cold=1 if it was, cold=0 for a warm cache. Run with -benchtime 1x.
//
//   - scan: workspace.Scan, ScanOptions{} (one hashing worker per CPU)
//   - sha256sum: find DIR -type f -print0 | xargs -0 sha256sum >/dev/null
//     (one sha256sum at a time, as xargs runs them by default)
//   - sha256sum-P: the same with xargs -P<ncpu> -n 512, a parallel baseline
func BenchmarkScanCold(b *testing.B) {
	src := benchGorootSrc(b)
	files := benchCountFiles(b, src)
	for range benchRounds() {
		b.Run("scan", func(b *testing.B) {
			var rep workspace.ScanReport
			cold := benchTimed(b, func() {
				var err error
				rep, err = workspace.Scan(context.Background(), src, workspace.ScanOptions{}, func(workspace.FileInfo) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
			})
			benchReport(b, cold, rep.Files, rep.Bytes)
			b.ReportMetric(float64(rep.Ignored), "ignored")
		})
		b.Run("sha256sum", func(b *testing.B) {
			cold := benchTimed(b, func() { benchShell(b, `find "$1" -type f -print0 | xargs -0 sha256sum`, src) })
			benchReport(b, cold, files, benchTreeBytes(b, src))
		})
		b.Run("sha256sum-P", func(b *testing.B) {
			cold := benchTimed(b, func() {
				benchShell(b, `find "$1" -type f -print0 | xargs -0 -n 512 -P `+strconv.Itoa(runtime.NumCPU())+` sha256sum`, src)
			})
			benchReport(b, cold, files, benchTreeBytes(b, src))
		})
	}
}

// benchTimed runs fn b.N times, dropping the page cache before each run
// with the timer stopped; it reports whether every drop worked.
func benchTimed(b *testing.B, fn func()) bool {
	cold := true
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		cold = benchDropCaches() && cold
		b.StartTimer()
		fn()
	}
	b.StopTimer()
	return cold
}

func benchReport(b *testing.B, cold bool, files int, bytes int64) {
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(perOp*1000, "ms")
	b.ReportMetric(float64(files), "files")
	b.ReportMetric(float64(bytes)/(1<<20), "MiB")
	b.ReportMetric(float64(bytes)/(1<<20)/perOp, "MiB/s")
	c := 0.0
	if cold {
		c = 1
	}
	b.ReportMetric(c, "cold")
}

// benchDropCaches writes back dirty pages and drops the page cache, dentries
// and inodes; false when that is not allowed here.
func benchDropCaches() bool {
	if os.Getenv("ICE_BENCH_DROP_CACHES") == "0" {
		return false
	}
	syscall.Sync()
	return os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0) == nil
}

// benchShell runs script with sh, $1 set to arg and its output discarded.
func benchShell(b *testing.B, script, arg string) {
	cmd := exec.Command("sh", "-c", "set -e; "+script, "sh", arg)
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devnull.Close()
	cmd.Stdout = devnull
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v\n%s", script, err, stderr.String())
	}
}

// benchCountFiles counts what find -type f lists, as the baseline hashes it.
func benchCountFiles(b *testing.B, dir string) int {
	out, err := exec.Command("find", dir, "-type", "f").Output()
	if err != nil {
		b.Fatalf("find: %v", err)
	}
	return strings.Count(string(out), "\n")
}

var benchBytes = map[string]int64{}

// benchTreeBytes sums the sizes of the regular files below dir.
func benchTreeBytes(b *testing.B, dir string) int64 {
	if n, ok := benchBytes[dir]; ok {
		return n
	}
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += fi.Size()
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	benchBytes[dir] = n
	return n
}

func benchGorootSrc(b *testing.B) string { return benchenv.GorootSrc(b) }

func benchRounds() int { return benchenv.Rounds() }
