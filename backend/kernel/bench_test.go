package kernel_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
)

const benchSteps = 1000 // worker operations per run: 500 reads + 500 staged writes

func benchFiles() map[string]string {
	files := map[string]string{}
	for i := 0; i < benchSteps/2; i++ {
		files[fmt.Sprintf("src/f%03d.go", i)] = fmt.Sprintf("package src\n\n// file %d\nfunc F%d() int { return %d }\n", i, i, i)
	}
	return files
}

// BenchmarkKernelSteps runs a scripted worker doing 1,000 small read/stage
// steps through the kernel (events, checks, blobs, durable commits as in the
// Studio); ns/step is the time per step.
func BenchmarkKernelSteps(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		b.Run("sync="+sync, func(b *testing.B) {
			root, _ := filepath.EvalSymlinks(b.TempDir())
			writeTree(b, root, benchFiles())
			h := openHarnessSync(b, filepath.Join(b.TempDir(), eventlog.FileName), root, sync)
			w := &kernelBenchWorker{}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				info := h.start(kernel.StartRequest{Budget: kernel.Budget{MaxSteps: benchSteps + 10}}, w)
				if got := h.wait(info.ID); got.State != kernel.StateValidated {
					b.Fatalf("run %s: %s", got.State, got.Reason)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchSteps), "ns/step")
		})
	}
}

type kernelBenchWorker struct{}

func (*kernelBenchWorker) Name() string { return "bench" }

func (*kernelBenchWorker) Run(_ context.Context, env *kernel.Env) error {
	for i := 0; i < benchSteps/2; i++ {
		p := fmt.Sprintf("src/f%03d.go", i)
		data, err := env.ReadFile(p)
		if err != nil {
			return err
		}
		if err := env.WriteFile(p, append(data, "// edited\n"...)); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkDirectSteps is the baseline: the same 1,000 file operations done
// directly, with the staged copy written to a scratch folder.
func BenchmarkDirectSteps(b *testing.B) {
	root, _ := filepath.EvalSymlinks(b.TempDir())
	writeTree(b, root, benchFiles())
	scratch := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < benchSteps/2; j++ {
			p := fmt.Sprintf("src/f%03d.go", j)
			data, err := os.ReadFile(filepath.Join(root, p))
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(scratch, fmt.Sprintf("f%03d.go", j)), append(data, "// edited\n"...), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchSteps), "ns/step")
}
