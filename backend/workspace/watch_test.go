package workspace_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/workspace"
)

// syncDeadline bounds every wait for the watcher to catch up. It is
// generous: the assertions are about the final state, not about speed.
const syncDeadline = 60 * time.Second

// watchHarness runs a Watcher and replays the changes it delivers onto a
// map, checking that they make sense (no creation of a known path, no
// modification or deletion of an unknown one).
type watchHarness struct {
	t    testing.TB
	root string
	w    *workspace.Watcher

	mu         sync.Mutex
	applied    map[string]workspace.FileInfo
	changes    []workspace.Change
	violations []string
	batches    int
}

func mustOpenWatcher(tb testing.TB, root string, tune func(*workspace.WatchConfig)) *watchHarness {
	tb.Helper()
	h := &watchHarness{t: tb, root: root, applied: map[string]workspace.FileInfo{}}
	cfg := workspace.WatchConfig{Root: root, OnChange: h.onChange}
	if tune != nil {
		tune(&cfg)
	}
	w, err := workspace.NewWatcher(cfg)
	if err != nil {
		tb.Fatalf("NewWatcher: %v", err)
	}
	if err := w.Open(context.Background()); err != nil {
		tb.Fatalf("Open: %v", err)
	}
	h.w = w
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := w.Close(ctx); err != nil {
			tb.Errorf("Close: %v", err)
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, v := range h.violations {
			tb.Errorf("inconsistent change: %s", v)
		}
	})
	select {
	case <-w.Ready():
	case <-time.After(syncDeadline):
		tb.Fatal("the initial scan was not delivered")
	}
	return h
}

func (h *watchHarness) onChange(cs []workspace.Change) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.batches++
	if !sort.SliceIsSorted(cs, func(i, j int) bool { return cs[i].Path < cs[j].Path }) {
		h.violations = append(h.violations, "a batch is not sorted by path")
	}
	for _, c := range cs {
		h.changes = append(h.changes, c)
		_, known := h.applied[c.Path]
		switch c.Kind {
		case workspace.ChangeCreated:
			if known {
				h.violations = append(h.violations, "created a known path "+c.Path)
			}
			h.applied[c.Path] = c.File
		case workspace.ChangeModified:
			if !known {
				h.violations = append(h.violations, "modified an unknown path "+c.Path)
			}
			h.applied[c.Path] = c.File
		case workspace.ChangeDeleted:
			if !known {
				h.violations = append(h.violations, "deleted an unknown path "+c.Path)
			}
			delete(h.applied, c.Path)
		default:
			h.violations = append(h.violations, "unknown kind "+c.Kind)
		}
	}
	return nil
}

// mark returns how many changes were delivered so far, for since.
func (h *watchHarness) mark() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.changes)
}

// since returns the changes delivered after mark, as "kind path".
func (h *watchHarness) since(mark int) map[string]bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]bool{}
	for _, c := range h.changes[mark:] {
		out[c.Kind+" "+c.Path] = true
	}
	return out
}

// waitSynced waits until both the watcher's known state and the state
// rebuilt from its changes equal a fresh Scan of the tree.
func (h *watchHarness) waitSynced(step string) {
	h.t.Helper()
	deadline := time.Now().Add(syncDeadline)
	var diff string
	for time.Now().Before(deadline) {
		want := scanMap(h.t, h.root)
		known := map[string]workspace.FileInfo{}
		for _, fi := range h.w.Files() {
			known[fi.Path] = fi
		}
		h.mu.Lock()
		applied := make(map[string]workspace.FileInfo, len(h.applied))
		for p, fi := range h.applied {
			applied[p] = fi
		}
		h.mu.Unlock()
		diff = diffStates("known state", known, want) + diffStates("state from changes", applied, want)
		if diff == "" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.t.Fatalf("%s: the watcher did not catch up with the disk within %v:\n%s", step, syncDeadline, diff)
}

// scanMap is a fresh Scan as a map; a missing root is an empty tree.
func scanMap(tb testing.TB, root string) map[string]workspace.FileInfo {
	tb.Helper()
	out := map[string]workspace.FileInfo{}
	_, err := workspace.Scan(context.Background(), root, workspace.ScanOptions{}, func(fi workspace.FileInfo) error {
		out[fi.Path] = fi
		return nil
	})
	if err != nil && !errors.Is(err, workspace.ErrNotFound) {
		tb.Fatalf("Scan: %v", err)
	}
	return out
}

func diffStates(name string, got, want map[string]workspace.FileInfo) string {
	var b strings.Builder
	n := 0
	for _, p := range sortedKeys(want) {
		if g, ok := got[p]; !ok || g != want[p] {
			if n++; n <= 5 {
				fmt.Fprintf(&b, "  %s: %s is %+v, want %+v\n", name, p, g, want[p])
			}
		}
	}
	for _, p := range sortedKeys(got) {
		if _, ok := want[p]; !ok {
			if n++; n <= 5 {
				fmt.Fprintf(&b, "  %s: %s should not be there\n", name, p)
			}
		}
	}
	if n > 5 {
		fmt.Fprintf(&b, "  %s: … %d differences in all\n", name, n)
	}
	return b.String()
}

func waitStatus(tb testing.TB, w *workspace.Watcher, ok func(workspace.WatchStatus) bool, what string) workspace.WatchStatus {
	tb.Helper()
	deadline := time.Now().Add(syncDeadline)
	for time.Now().Before(deadline) {
		if s := w.Status(); ok(s) {
			return s
		}
		time.Sleep(10 * time.Millisecond)
	}
	tb.Fatalf("status never became %s; last %+v", what, w.Status())
	return workspace.WatchStatus{}
}

func TestWatcherInitialScan(t *testing.T) {
	root := writeTree(t, map[string]string{
		".gitignore": "*.log\nbuild/\n", "a.txt": "a", "d/b.go": "package d", "d/e/c.md": "c",
		"x.log": "no", "build/out": "no", "node_modules/m/i.js": "no", ".git/HEAD": "no",
	})
	h := mustOpenWatcher(t, root, nil)
	h.waitSynced("initial scan")
	got := h.since(0)
	for _, p := range []string{".gitignore", "a.txt", "d/b.go", "d/e/c.md"} {
		if !got["created "+p] {
			t.Errorf("initial changes %v lack a creation of %s", got, p)
		}
	}
	if len(got) != 4 {
		t.Errorf("initial changes = %v, want exactly the 4 files not ignored", got)
	}
	if s := h.w.Status(); s.Mode != workspace.WatchLive || s.Watches != 3 || s.Files != 4 {
		t.Errorf("status = %+v; want watching 3 folders (., d, d/e) and 4 files", s)
	}
}

func TestWatcherCreateModifyRenameDelete(t *testing.T) {
	root := writeTree(t, map[string]string{".gitignore": "*.log\n", "keep.txt": "keep", "dir/a.txt": "a", "dir/sub/b.txt": "b", "notes.md": "n"})
	h := mustOpenWatcher(t, root, nil)
	h.waitSynced("initial scan")
	at := func(p string) string { return filepath.Join(root, filepath.FromSlash(p)) }
	expect := func(step string, m int, want ...string) {
		t.Helper()
		h.waitSynced(step)
		got := h.since(m)
		for _, w := range want {
			if !got[w] {
				t.Errorf("%s: changes %v lack %q", step, got, w)
			}
		}
	}

	m := h.mark()
	mustWrite(t, at("new.txt"), "fresh")
	expect("create", m, "created new.txt")

	m = h.mark()
	f, err := os.OpenFile(at("new.txt"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(" and more")
	f.Close()
	expect("modify", m, "modified new.txt")

	m = h.mark()
	if err := os.Rename(at("new.txt"), at("renamed.txt")); err != nil {
		t.Fatal(err)
	}
	expect("rename a file", m, "deleted new.txt", "created renamed.txt")

	m = h.mark()
	if err := os.Rename(at("dir"), at("moved")); err != nil {
		t.Fatal(err)
	}
	expect("rename a folder", m, "deleted dir/a.txt", "deleted dir/sub/b.txt", "created moved/a.txt", "created moved/sub/b.txt")

	// The renamed folder's watches must report new paths, not old ones.
	m = h.mark()
	mustWrite(t, at("moved/sub/b.txt"), "changed inside the moved folder")
	mustWrite(t, at("moved/sub/c.txt"), "new inside the moved folder")
	expect("write inside a renamed folder", m, "modified moved/sub/b.txt", "created moved/sub/c.txt")

	m = h.mark()
	if err := os.Remove(at("renamed.txt")); err != nil {
		t.Fatal(err)
	}
	expect("delete a file", m, "deleted renamed.txt")

	m = h.mark()
	mustWrite(t, at("ignored.log"), "not indexed")
	mustWrite(t, at("visible.txt"), "indexed")
	expect("ignored file", m, "created visible.txt")
	if got := h.since(m); got["created ignored.log"] {
		t.Errorf("an ignored file was reported: %v", got)
	}

	m = h.mark()
	mustWrite(t, at(".gitignore"), "*.log\n*.md\n")
	expect("a .gitignore edit hides files", m, "deleted notes.md", "modified .gitignore")

	m = h.mark()
	mustWrite(t, at(".gitignore"), "*.md\n")
	expect("a .gitignore edit reveals files", m, "created ignored.log")

	m = h.mark()
	if err := os.RemoveAll(at("moved")); err != nil {
		t.Fatal(err)
	}
	expect("delete a folder", m, "deleted moved/a.txt", "deleted moved/sub/b.txt", "deleted moved/sub/c.txt")

	m = h.mark()
	if err := os.Symlink("keep.txt", at("link")); err != nil {
		t.Fatal(err)
	}
	expect("create a symlink", m, "created link")
	m = h.mark()
	os.Remove(at("link"))
	if err := os.Symlink("visible.txt", at("link")); err != nil {
		t.Fatal(err)
	}
	h.waitSynced("retarget a symlink")
	// One batch sees a modification; a batch boundary between the two
	// calls would show a deletion and a creation instead.
	if got := h.since(m); !got["modified link"] && !(got["deleted link"] && got["created link"]) {
		t.Errorf("retarget a symlink: changes %v", got)
	}

	m = h.mark()
	os.Remove(at("visible.txt"))
	if err := os.Mkdir(at("visible.txt"), 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, at("visible.txt/inner"), "a file became a folder")
	expect("a file replaced by a folder", m, "deleted visible.txt", "created visible.txt/inner")
}

// TestWatcherSeesSameSizeSameTimeEdits rewrites a file with content of the
// same size and puts its modification time back, as a second write within
// one timestamp tick would look: the watcher must not trust its stored
// hash for a file it read so soon after it was written.
func TestWatcherSeesSameSizeSameTimeEdits(t *testing.T) {
	root := writeTree(t, map[string]string{"f.txt": "version-1"})
	h := mustOpenWatcher(t, root, nil)
	h.waitSynced("initial scan")
	full := filepath.Join(root, "f.txt")
	st, err := os.Stat(full)
	if err != nil {
		t.Fatal(err)
	}
	m := h.mark()
	mustWrite(t, full, "version-2")
	if err := os.Chtimes(full, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	h.waitSynced("same size, same time")
	if got := h.since(m); !got["modified f.txt"] {
		t.Errorf("changes %v lack the modification", got)
	}
}

func TestWatcherNewFoldersAndFilesInside(t *testing.T) {
	root := writeTree(t, map[string]string{"top.txt": "t"})
	h := mustOpenWatcher(t, root, nil)
	h.waitSynced("initial scan")

	// Files written right after their folders, before any watch can exist.
	deep := "n0"
	for i := 1; i < 20; i++ {
		deep += fmt.Sprintf("/n%d", i)
	}
	if err := os.MkdirAll(filepath.Join(root, deep), 0o755); err != nil {
		t.Fatal(err)
	}
	for p := deep; p != "."; p = filepath.Dir(p) {
		mustWrite(t, filepath.Join(root, p, "f.txt"), p)
	}
	for i := range 30 {
		mustWrite(t, filepath.Join(root, fmt.Sprintf("burst/d%d/e/f.txt", i)), "x")
	}
	h.waitSynced("create folders then files inside")

	// The new folders are watched now: later writes in them are seen.
	m := h.mark()
	mustWrite(t, filepath.Join(root, deep, "later.txt"), "later")
	mustWrite(t, filepath.Join(root, "burst/d7/e/later.txt"), "later")
	h.waitSynced("write in new folders")
	if got := h.since(m); !got["created "+deep+"/later.txt"] || !got["created burst/d7/e/later.txt"] {
		t.Errorf("writes in new folders gave %v", got)
	}
	if s := h.w.Status(); s.Watches != 1+20+1+30*2 {
		t.Errorf("status.Watches = %d, want %d", s.Watches, 1+20+1+30*2)
	}
}

func TestWatcherMassChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("5,000 files")
	}
	root := writeTree(t, map[string]string{"seed.txt": "seed"})
	h := mustOpenWatcher(t, root, nil)
	h.waitSynced("initial scan")
	const n = 5000
	name := func(i int) string { return filepath.Join(root, fmt.Sprintf("d%02d/f%04d.txt", i%50, i)) }
	for i := range n {
		mustWrite(t, name(i), fmt.Sprintf("file %d", i))
	}
	h.waitSynced("5,000 files created")
	if s := h.w.Status(); s.Files != n+1 {
		t.Errorf("status.Files = %d, want %d", s.Files, n+1)
	}

	m := h.mark()
	for i := 0; i < n; i += 2 {
		mustWrite(t, name(i), fmt.Sprintf("file %d, modified", i))
	}
	h.waitSynced("half modified")
	got := h.since(m)
	for i := 0; i < n; i += 2 {
		rel := fmt.Sprintf("d%02d/f%04d.txt", i%50, i)
		if !got["modified "+rel] {
			t.Fatalf("no modification reported for %s", rel)
		}
	}

	m = h.mark()
	for i := 0; i < n; i += 4 {
		if err := os.Remove(name(i)); err != nil {
			t.Fatal(err)
		}
	}
	h.waitSynced("a quarter deleted")
	if got := h.since(m); len(got) != n/4 {
		t.Errorf("%d changes after deleting %d files, want exactly the deletions", len(got), n/4)
	}
}

func TestWatcherRootDeletedAndBack(t *testing.T) {
	parent := writeTree(t, map[string]string{"ws/a.txt": "a", "ws/d/b.txt": "b"})
	root := filepath.Join(parent, "ws")
	h := mustOpenWatcher(t, root, func(c *workspace.WatchConfig) { c.PollInterval = 100 * time.Millisecond })
	h.waitSynced("initial scan")

	m := h.mark()
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	h.waitSynced("root deleted")
	if got := h.since(m); !got["deleted a.txt"] || !got["deleted d/b.txt"] {
		t.Errorf("deleting the root gave %v", got)
	}
	s := waitStatus(t, h.w, func(s workspace.WatchStatus) bool { return s.Mode == workspace.WatchMissing }, "missing")
	if !strings.Contains(s.Reason, "gone") || s.Files != 0 || s.Watches != 0 {
		t.Errorf("status with the root gone = %+v", s)
	}

	mustWrite(t, filepath.Join(root, "again.txt"), "back")
	h.waitSynced("root back")
	waitStatus(t, h.w, func(s workspace.WatchStatus) bool { return s.Mode == workspace.WatchLive }, "watching again")
	m = h.mark()
	mustWrite(t, filepath.Join(root, "sub/new.txt"), "watched again")
	h.waitSynced("write after the root came back")
	if got := h.since(m); !got["created sub/new.txt"] {
		t.Errorf("after the root came back, a new file gave %v", got)
	}
}

func TestWatcherPollsWhenWatchesRunOut(t *testing.T) {
	root := writeTree(t, map[string]string{"a/1.txt": "1", "b/2.txt": "2", "c/3.txt": "3", "c/d/4.txt": "4"})
	var mu sync.Mutex
	var modes []string
	h := mustOpenWatcher(t, root, func(c *workspace.WatchConfig) {
		c.MaxWatches = 2
		c.PollInterval = 100 * time.Millisecond
		c.RetryWatches = 300 * time.Millisecond
		c.OnStatus = func(s workspace.WatchStatus) {
			mu.Lock()
			modes = append(modes, s.Mode)
			mu.Unlock()
		}
	})
	h.waitSynced("initial scan")
	s := waitStatus(t, h.w, func(s workspace.WatchStatus) bool { return s.Mode == workspace.WatchPolling }, "polling")
	if !strings.Contains(s.Reason, workspace.ErrWatchLimit.Error()) || s.Watches != 0 {
		t.Errorf("polling status = %+v; want the watch limit named and no watches held", s)
	}
	mustWrite(t, filepath.Join(root, "c/d/5.txt"), "5")
	mustWrite(t, filepath.Join(root, "a/1.txt"), "one")
	os.Remove(filepath.Join(root, "b/2.txt"))
	h.waitSynced("changes seen by polling")
	mu.Lock()
	if !containsStr(modes, workspace.WatchPolling) {
		t.Errorf("OnStatus saw modes %v, never polling", modes)
	}
	mu.Unlock()

	// Once the tree fits the limit again, watching resumes by itself.
	if err := os.RemoveAll(filepath.Join(root, "c")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(root, "b")); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, h.w, func(s workspace.WatchStatus) bool { return s.Mode == workspace.WatchLive && s.Watches == 2 }, "watching again")
	mustWrite(t, filepath.Join(root, "a/6.txt"), "6")
	h.waitSynced("a change seen by watching again")
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestWatcherStopsWhenOnChangeFails(t *testing.T) {
	root := writeTree(t, map[string]string{"a.txt": "a"})
	boom := errors.New("index is full")
	var calls atomic.Int32
	w, err := workspace.NewWatcher(workspace.WatchConfig{Root: root, OnChange: func([]workspace.Change) error {
		if calls.Add(1) == 2 {
			return boom
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-w.Ready()
	mustWrite(t, filepath.Join(root, "b.txt"), "b")
	deadline := time.Now().Add(syncDeadline)
	for calls.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.Close(ctx); !errors.Is(err, boom) {
		t.Errorf("Close after OnChange failed = %v, want %v", err, boom)
	}
}

func TestNewWatcherChecksConfig(t *testing.T) {
	root := writeTree(t, map[string]string{"f": ""})
	if _, err := workspace.NewWatcher(workspace.WatchConfig{Root: root}); err == nil {
		t.Error("NewWatcher without OnChange succeeded")
	}
	ok := func([]workspace.Change) error { return nil }
	if _, err := workspace.NewWatcher(workspace.WatchConfig{Root: filepath.Join(root, "missing"), OnChange: ok}); !errors.Is(err, workspace.ErrNotFound) {
		t.Errorf("NewWatcher(missing root) = %v, want ErrNotFound", err)
	}
	if _, err := workspace.NewWatcher(workspace.WatchConfig{Root: filepath.Join(root, "f"), OnChange: ok}); !errors.Is(err, workspace.ErrNotDir) {
		t.Errorf("NewWatcher(file) = %v, want ErrNotDir", err)
	}
}

// BenchmarkWatcherLatency measures the time from a file write to the
// OnChange call that reports it, one change at a time, over 200 changes,
// with the default 50 ms debounce included.
func BenchmarkWatcherLatency(b *testing.B) {
	root := writeTree(b, map[string]string{"seed.txt": "seed"})
	const changes = 200
	seen := make(chan string, 16)
	w, err := workspace.NewWatcher(workspace.WatchConfig{Root: root, OnChange: func(cs []workspace.Change) error {
		for _, c := range cs {
			seen <- c.Path
		}
		return nil
	}})
	if err != nil {
		b.Fatal(err)
	}
	if err := w.Open(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer w.Close(context.Background())
	<-w.Ready()
	<-seen // seed.txt
	var lat []time.Duration
	round := 0
	for b.Loop() {
		round++
		for i := range changes {
			name := fmt.Sprintf("r%d-f%d.txt", round, i)
			start := time.Now()
			if err := os.WriteFile(filepath.Join(root, name), []byte(name), 0o644); err != nil {
				b.Fatal(err)
			}
			for p := range seen {
				if p == name {
					break
				}
			}
			lat = append(lat, time.Since(start))
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}
