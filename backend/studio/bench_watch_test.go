//go:build linux

package studio_test

// The change-latency benchmark for `make bench` (scripts/bench): a file
// written in an open workspace until its workspace.file_changed event is
// committed and the bus notification naming it reaches a subscriber, beside
// a bare fsnotify watcher seeing the same writes, in the same run. Nothing
// here asserts on timing.

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/studio"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// benchChanges is how many changes one iteration times.
const benchChanges = 200

// benchGap is the pause after each change is seen, before the next write.
const benchGap = 20 * time.Millisecond

// BenchmarkChangeLatency times 200 changes one at a time (write, wait until
// it is seen, pause 20 ms), alternately creating a new file and rewriting an
// existing one, ICE_BENCH_ROUNDS times, interleaved:
//
//   - studio: a real Studio (event log, watcher with its default 50 ms
//     debounce, indexer) with the project open and indexed; a change is seen
//     when the bus.FilesChanged notification naming the path arrives, which
//     is published once its file_changed event is committed.
//   - fsnotify: a bare fsnotify.Watcher on the same kind of folder; a change
//     is seen at the first event naming the path.
//
// It reports the p50, p99 and max latency in ms. Run with -benchtime 1x.
func BenchmarkChangeLatency(b *testing.B) {
	for range benchRounds() {
		b.Run("studio", benchStudioLatency)
		b.Run("fsnotify", benchFsnotifyLatency)
	}
}

func benchStudioLatency(b *testing.B) {
	bb := bus.New()
	// The data folder is not b.TempDir: a repeated sub-benchmark's name
	// holds '#', which the text index's SQLite URI does not escape.
	dataDir, err := os.MkdirTemp("", "ice-bench-data-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = os.RemoveAll(dataDir) }) // after MustOpen's Close: cleanups run last-in first-out
	s := MustOpen(b, studio.Config{DataDir: dataDir, Bus: bb, Logger: slog.New(slog.DiscardHandler)})
	root := benchProject(b)
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: root})
	if err != nil {
		b.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := s.WorkspaceStatus(studio.WorkspaceRequest{WorkspaceID: ws.ID})
		if err != nil {
			b.Fatal(err)
		}
		if st.Watch.Mode == workspace.WatchLive && st.Index.State == studio.IndexReady && st.Index.Indexed == st.Index.Total {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("workspace not watched and indexed after 30s: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	msgs, stop := bb.Subscribe(4096)
	defer stop()
	var lat []time.Duration
	b.ResetTimer()
	for n := range b.N {
		for i := range benchChanges {
			rel := benchChangePath(n, i)
			start := time.Now()
			benchWrite(b, filepath.Join(root, filepath.FromSlash(rel)), fmt.Sprintf("change %d of round %d\n", i, n))
			timeout := time.After(10 * time.Second)
		wait:
			for {
				select {
				case m := <-msgs:
					fc, ok := m.Data.(studio.FilesChanged)
					if m.Name != bus.FilesChanged || !ok || fc.WorkspaceID != ws.ID {
						continue
					}
					if fc.Rescan || slices.ContainsFunc(fc.Changes, func(c studio.ChangedPath) bool { return c.Path == rel }) {
						break wait
					}
				case <-timeout:
					b.Fatalf("no notification for %s after 10s", rel)
				}
			}
			lat = append(lat, time.Since(start))
			b.StopTimer()
			time.Sleep(benchGap)
			b.StartTimer()
		}
	}
	b.StopTimer()
	benchReportLatency(b, lat)
}

func benchFsnotifyLatency(b *testing.B) {
	root := benchProject(b)
	w, err := fsnotify.NewWatcher()
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	if err := w.Add(filepath.Join(root, "src")); err != nil {
		b.Fatal(err)
	}
	go func() {
		for range w.Errors {
		}
	}()
	var lat []time.Duration
	b.ResetTimer()
	for n := range b.N {
		for i := range benchChanges {
			rel := benchChangePath(n, i)
			full := filepath.Join(root, filepath.FromSlash(rel))
			start := time.Now()
			benchWrite(b, full, fmt.Sprintf("change %d of round %d\n", i, n))
			timeout := time.After(10 * time.Second)
		wait:
			for {
				select {
				case ev := <-w.Events:
					if ev.Name == full {
						break wait
					}
				case <-timeout:
					b.Fatalf("no fsnotify event for %s after 10s", rel)
				}
			}
			lat = append(lat, time.Since(start))
			b.StopTimer()
			time.Sleep(benchGap)
			// Events the write caused after the first (a Write after a
			// Create) are dropped, so the next change is timed from scratch.
			for drained := false; !drained; {
				select {
				case <-w.Events:
				default:
					drained = true
				}
			}
			b.StartTimer()
		}
	}
	b.StopTimer()
	benchReportLatency(b, lat)
}

// benchProject is a small project: 100 files in src/, 80 text files and
// 20 .go ones.
func benchProject(b *testing.B) string {
	root, err := filepath.EvalSymlinks(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	for i := range 100 {
		name := fmt.Sprintf("src/file%03d.txt", i)
		body := fmt.Sprintf("file %d\nsome text to index, line two\n", i)
		if i >= 80 {
			name = fmt.Sprintf("src/file%03d.go", i)
			body = fmt.Sprintf("package src\n\n// F%d is file %d.\nfunc F%d() int { return %d }\n", i, i, i, i)
		}
		benchWrite(b, filepath.Join(root, filepath.FromSlash(name)), body)
	}
	return root
}

// benchChangePath is change i of iteration n: even ones create a new file,
// odd ones rewrite one of the project's files.
func benchChangePath(n, i int) string {
	if i%2 == 0 {
		return fmt.Sprintf("src/new-%d-%d.txt", n, i)
	}
	return fmt.Sprintf("src/file%03d.txt", (i/2)%80)
}

func benchWrite(b *testing.B, full, body string) {
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
		b.Fatal(err)
	}
}

func benchReportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	pct := func(q float64) float64 { return ms(lat[int(q*float64(len(lat)-1)+0.5)]) }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
	b.ReportMetric(float64(len(lat)), "changes")
	b.ReportMetric(0, "ns/op")
}

// benchRounds is how many times each figure and its baseline are measured,
// interleaved (ICE_BENCH_ROUNDS, default 1).
func benchRounds() int {
	if n, err := strconv.Atoi(os.Getenv("ICE_BENCH_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 1
}
