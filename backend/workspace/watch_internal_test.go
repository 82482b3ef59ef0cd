package workspace

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// TestWatcherRecoversFromOverflow loses events on purpose, as a kernel
// queue overflow does, then reports the overflow: the rescan must bring
// the known state back in line with the disk, and folders created while
// events were lost must be watched afterwards.
func TestWatcherRecoversFromOverflow(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	write := func(rel, body string) {
		t.Helper()
		full := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("keep.txt", "keep")
	write("gone.txt", "gone")
	write("old/x.txt", "x")

	w, err := NewWatcher(WatchConfig{Root: root, OnChange: func([]Change) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	w.inject = make(chan error)
	if err := w.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer w.Close(context.Background())
	<-w.Ready()

	fresh := func() []FileInfo {
		var out []FileInfo
		if _, err := Scan(context.Background(), root, ScanOptions{}, func(fi FileInfo) error { out = append(out, fi); return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	waitEqual := func(step string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			if reflect.DeepEqual(w.Files(), fresh()) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("%s: known state %v, disk %v", step, w.Files(), fresh())
	}
	waitEqual("initial scan")

	w.dropEvents.Store(true)
	write("keep.txt", "keep, changed")
	write("new/deep/y.txt", "y")
	os.Remove(filepath.Join(root, "gone.txt"))
	os.RemoveAll(filepath.Join(root, "old"))
	// Let the lost events pass; the state must now be stale, or this test
	// proves nothing.
	time.Sleep(300 * time.Millisecond)
	if reflect.DeepEqual(w.Files(), fresh()) {
		t.Fatal("the watcher caught up although its events were dropped")
	}
	w.dropEvents.Store(false)
	w.inject <- fsnotify.ErrEventOverflow
	waitEqual("after the overflow rescan")
	if s := w.Status(); s.Rescans < 1 || s.Mode != WatchLive {
		t.Errorf("status after overflow = %+v; want a rescan counted, still watching", s)
	}
	write("new/deep/z.txt", "created in a folder made while events were lost")
	waitEqual("write in a folder created during the overflow")
}
