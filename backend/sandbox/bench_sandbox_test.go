package sandbox_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/sandbox"
)

// BenchmarkSandboxStart measures a command from "allowed" to its exec and
// its whole run (`true`), on a small folder and on the Go source tree:
// sandboxed with the overlay, beside a bare exec of the same command and
// beside a full copy of the folder (what commands did before the sandbox,
// and what the copy fallback still does). Each is reported as start-µs
// (to the exec) and total-µs; rounds alternate in one process so the
// figures share the machine's state.
func BenchmarkSandboxStart(b *testing.B) {
	if st := sandbox.Probe(context.Background()); !st.Available {
		b.Skipf("no sandbox here: %s", st.Reason)
	}
	small := b.TempDir()
	for i := 0; i < 20; i++ {
		if err := os.WriteFile(filepath.Join(small, fmt.Sprintf("f%02d.go", i)), []byte("package x\n"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	trees := []struct{ name, root string }{{"small", small}, {"goroot", filepath.Join(runtime.GOROOT(), "src")}}
	truePath, err := exec.LookPath("true")
	if err != nil {
		b.Fatal(err)
	}
	for _, tr := range trees {
		root, err := filepath.EvalSymlinks(tr.root)
		if err != nil {
			b.Skip(err)
		}
		for _, mode := range []string{sandbox.ModeOverlay, "bare", sandbox.ModeCopy} {
			if mode == sandbox.ModeCopy && tr.name == "goroot" && testing.Short() {
				continue
			}
			b.Run(tr.name+"/"+mode, func(b *testing.B) {
				var start, total time.Duration
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					if mode == "bare" {
						cmd := exec.Command(truePath)
						cmd.Dir = root
						if err := cmd.Start(); err != nil {
							b.Fatal(err)
						}
						start += time.Since(t0) // Start returns once the child has exec'd
						if err := cmd.Wait(); err != nil {
							b.Fatal(err)
						}
						total += time.Since(t0)
						continue
					}
					scratch := b.TempDir()
					res, err := sandbox.Run(context.Background(), sandbox.Spec{Root: root, Argv: []string{"true"}, Env: baseEnv,
						Scratch: scratch, Mode: mode, Output: io.Discard})
					if err != nil || res.ExitCode != 0 {
						b.Fatalf("%s: %v, exit %d", mode, err, res.ExitCode)
					}
					total += time.Since(t0)
					start += time.Duration(res.StartUs) * time.Microsecond
					b.StopTimer()
					_ = sandbox.RemoveScratch(scratch)
					b.StartTimer()
				}
				b.ReportMetric(float64(start.Microseconds())/float64(b.N), "start-µs")
				b.ReportMetric(float64(total.Microseconds())/float64(b.N), "total-µs")
			})
		}
	}
}

// BenchmarkSandboxGoTest runs `go test` of a small package with warm
// caches in the sandbox and, in turn, directly with the same caches.
func BenchmarkSandboxGoTest(b *testing.B) {
	if st := sandbox.Probe(context.Background()); !st.Available {
		b.Skipf("no sandbox here: %s", st.Reason)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		b.Skip("go is not installed")
	}
	ws := b.TempDir()
	files := map[string]string{
		"go.mod":      "module example.com/small\n\ngo 1.22\n",
		"add.go":      "package small\n\nfunc Add(a, b int) int { return a + b }\n",
		"add_test.go": "package small\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(2, 3) != 5 {\n\t\tt.Fatal(\"no\")\n\t}\n}\n",
	}
	for p, c := range files {
		if err := os.WriteFile(filepath.Join(ws, p), []byte(c), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	cache := b.TempDir()
	env := []string{"PATH=" + filepath.Dir(goBin) + ":/usr/bin:/bin", "LANG=C", "GOTOOLCHAIN=local", "GOFLAGS=-count=1",
		"GOCACHE=" + filepath.Join(cache, "build"), "GOMODCACHE=" + filepath.Join(cache, "mod"), "GOPATH=" + filepath.Join(cache, "path")}
	binds := []sandbox.Bind{{Path: cache, Writable: true}}
	direct := func() {
		cmd := exec.Command(goBin, "test", "./...")
		cmd.Dir, cmd.Env = ws, append(env, "HOME="+b.TempDir())
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go test: %v\n%s", err, out)
		}
	}
	boxed := func() {
		scratch := b.TempDir()
		res, err := sandbox.Run(context.Background(), sandbox.Spec{Root: ws, Argv: []string{"go", "test", "./..."}, Env: env,
			Scratch: scratch, Binds: binds, Output: io.Discard})
		if err != nil || res.ExitCode != 0 {
			b.Fatalf("sandboxed go test: %v, exit %d", err, res.ExitCode)
		}
		_ = sandbox.RemoveScratch(scratch)
	}
	direct() // warm the caches
	boxed()
	var d, s time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		direct()
		d += time.Since(t0)
		t0 = time.Now()
		boxed()
		s += time.Since(t0)
	}
	b.ReportMetric(float64(s.Milliseconds())/float64(b.N), "sandbox-ms")
	b.ReportMetric(float64(d.Milliseconds())/float64(b.N), "direct-ms")
	b.ReportMetric(float64(s)/float64(d), "ratio")
}
