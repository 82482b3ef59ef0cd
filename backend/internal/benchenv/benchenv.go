// Package benchenv holds what the benchmarks of several packages share:
// the large real tree they measure and how many rounds to run.
package benchenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// GorootSrc is $(go env GOROOT)/src, the large real tree the benchmarks
// use; the benchmark is skipped when there is none.
func GorootSrc(tb testing.TB) string {
	tb.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		tb.Skipf("go env GOROOT: %v", err)
	}
	src := filepath.Join(strings.TrimSpace(string(out)), "src")
	if _, err := os.Stat(src); err != nil {
		tb.Skipf("no Go source tree at %s", src)
	}
	return src
}

// Rounds is how many times each figure and its baseline are measured,
// interleaved (ICE_BENCH_ROUNDS, default 1).
func Rounds() int {
	if n, err := strconv.Atoi(os.Getenv("ICE_BENCH_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 1
}
