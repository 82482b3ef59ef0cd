package studio

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/ollama"
	"github.com/ice-studio/ice-studio/backend/projection"
	"github.com/ice-studio/ice-studio/backend/search"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// openStudio starts a Studio on dataDir with a fake Ollama.
func openStudio(t *testing.T, dataDir string, b *bus.Bus) *Studio {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"version":"9.9.9"}`))
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	s := New(Config{DataDir: dataDir, Bus: b, Ollama: ollama.New(u, nil)})
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func closeStudio(t *testing.T, s *Studio) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func writeFiles(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fresh is what a clean scan of root finds now.
func fresh(t testing.TB, root string) []workspace.FileInfo {
	t.Helper()
	var out []workspace.FileInfo
	_, err := workspace.Scan(context.Background(), root, workspace.ScanOptions{}, func(f workspace.FileInfo) error {
		out = append(out, f)
		return nil
	})
	if err != nil && !os.IsNotExist(err) && !strings.Contains(err.Error(), "not found") && !strings.Contains(err.Error(), "does not exist") {
		t.Fatal(err)
	}
	return out
}

// recorded is the Files projection of a workspace.
func recorded(t testing.TB, s *Studio, id string) []workspace.FileInfo {
	t.Helper()
	files, err := workspace.FilesOf(context.Background(), s.events.ReadDB(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := []workspace.FileInfo{}
	for _, f := range files {
		out = append(out, f.FileInfo)
	}
	return out
}

func sameFiles(a, b []workspace.FileInfo) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

// waitIndexEqualsScan waits until the recorded files equal a fresh scan and
// the text index is ready.
func waitIndexEqualsScan(t *testing.T, s *Studio, id, root, what string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		want, got := fresh(t, root), recorded(t, s, id)
		st, _ := s.WorkspaceStatus(WorkspaceRequest{WorkspaceID: id})
		if sameFiles(want, got) && st.Index.State == IndexReady && st.Index.Indexed == st.Index.Total {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the index did not catch up: %d files recorded, %d on disk, index %+v", what, len(got), len(want), st.Index)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func searchPaths(t *testing.T, s *Studio, id, pattern string) []string {
	t.Helper()
	res, err := s.Search(context.Background(), SearchRequest{WorkspaceID: id, Query: search.Query{Pattern: pattern}})
	if err != nil {
		t.Fatalf("Search(%q): %v", pattern, err)
	}
	out := []string{}
	for _, r := range res.Results {
		out = append(out, r.Path)
	}
	return out
}

func countEvents(t *testing.T, s *Studio, typ, ws string) int {
	t.Helper()
	p, err := s.ListEvents(ListEventsRequest{Filter: EventFilter{Type: typ, Workspace: ws}, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return int(p.Total)
}

func TestWatchedChangesReachTheIndex(t *testing.T) {
	b := bus.New()
	msgs, unsub := b.Subscribe(100000)
	defer unsub()
	s := openStudio(t, t.TempDir(), b)
	defer closeStudio(t, s)
	root, _ := filepath.EvalSymlinks(t.TempDir())
	writeFiles(t, root, map[string]string{
		"README.md": "# demo\n", "src/main.go": "package main\n", ".gitignore": "build/\n", "build/out.bin": "ignored\n",
		"node_modules/x/index.js": "ignored by default\n",
	})
	ws, err := s.OpenFolder(OpenFolderRequest{Path: root})
	if err != nil {
		t.Fatal(err)
	}
	waitIndexEqualsScan(t, s, ws.ID, root, "first scan")
	if n := len(recorded(t, s, ws.ID)); n != 3 {
		t.Errorf("recorded %d files, want 3 (ignored ones left out)", n)
	}
	// workspace.indexed is recorded just after the index reports ready.
	for deadline := time.Now().Add(5 * time.Second); countEvents(t, s, eventlog.WorkspaceIndexed, ws.ID) == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if countEvents(t, s, eventlog.WorkspaceScanned, ws.ID) != 1 || countEvents(t, s, eventlog.WorkspaceIndexed, ws.ID) != 1 {
		t.Errorf("want one workspace.scanned and one workspace.indexed event")
	}

	steps := []struct {
		what string
		do   func()
	}{
		{"create", func() { writeFiles(t, root, map[string]string{"notes.txt": "a wombat lives here\n"}) }},
		{"modify", func() { writeFiles(t, root, map[string]string{"notes.txt": "a numbat lives here now\n"}) }},
		{"rename", func() { must(t, os.Rename(filepath.Join(root, "notes.txt"), filepath.Join(root, "renamed.txt"))) }},
		{"delete", func() { must(t, os.Remove(filepath.Join(root, "README.md"))) }},
		{"folder then file", func() {
			must(t, os.MkdirAll(filepath.Join(root, "new/deeper"), 0o755))
			writeFiles(t, root, map[string]string{"new/deeper/file.go": "package deeper // kiwi\n"})
		}},
		{"delete a folder", func() { must(t, os.RemoveAll(filepath.Join(root, "src"))) }},
	}
	for _, st := range steps {
		st.do()
		waitIndexEqualsScan(t, s, ws.ID, root, st.what)
	}
	if got := searchPaths(t, s, ws.ID, "numbat"); !reflect.DeepEqual(got, []string{"renamed.txt"}) {
		t.Errorf("search numbat = %v", got)
	}
	if got := searchPaths(t, s, ws.ID, "wombat"); len(got) != 0 {
		t.Errorf("search wombat (overwritten) = %v", got)
	}
	if got := searchPaths(t, s, ws.ID, "KIWI"); !reflect.DeepEqual(got, []string{"new/deeper/file.go"}) {
		t.Errorf("search KIWI = %v", got)
	}

	// A burst of 5,000 files (a checkout), then half of them changed.
	mass := map[string]string{}
	for i := range 5000 {
		mass[fmt.Sprintf("mass/d%02d/f%04d.txt", i%50, i)] = fmt.Sprintf("file %d\n", i)
	}
	writeFiles(t, root, mass)
	for i := 0; i < 5000; i += 2 {
		writeFiles(t, root, map[string]string{fmt.Sprintf("mass/d%02d/f%04d.txt", i%50, i): fmt.Sprintf("file %d, edited: zebu%d\n", i, i)})
	}
	waitIndexEqualsScan(t, s, ws.ID, root, "5,000 files")
	if got := searchPaths(t, s, ws.ID, "zebu4998"); !reflect.DeepEqual(got, []string{"mass/d48/f4998.txt"}) {
		t.Errorf("search zebu4998 = %v", got)
	}

	// The UI heard about the changes after they were recorded.
	heard := map[string]bool{}
drain:
	for {
		select {
		case m := <-msgs:
			if fc, ok := m.Data.(FilesChanged); ok && m.Name == bus.FilesChanged {
				for _, c := range fc.Changes {
					heard[c.Kind+" "+c.Path] = true
				}
			}
		default:
			break drain
		}
	}
	for _, want := range []string{"created notes.txt", "modified notes.txt", "deleted notes.txt", "created renamed.txt", "deleted README.md", "created new/deeper/file.go", "deleted src/main.go"} {
		if !heard[want] {
			t.Errorf("no FilesChanged notification for %q", want)
		}
	}

	// The workspace folder itself is deleted: everything is recorded gone.
	must(t, os.RemoveAll(root))
	deadline := time.Now().Add(20 * time.Second)
	for len(recorded(t, s, ws.ID)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("deleted root: %d files still recorded", len(recorded(t, s, ws.ID)))
		}
		time.Sleep(20 * time.Millisecond)
	}
	st, _ := s.WorkspaceStatus(WorkspaceRequest{WorkspaceID: ws.ID})
	if st.Watch.Mode != workspace.WatchMissing {
		t.Errorf("watch mode after the root was deleted: %q", st.Watch.Mode)
	}
}

// openWatched opens a Studio on data (with bus b, nil for a new one) and a
// workspace holding files, and waits until it is scanned and indexed.
func openWatched(t *testing.T, data string, b *bus.Bus, files map[string]string) (*Studio, Workspace, string) {
	t.Helper()
	s := openStudio(t, data, b)
	root, _ := filepath.EvalSymlinks(t.TempDir())
	writeFiles(t, root, files)
	ws, err := s.OpenFolder(OpenFolderRequest{Path: root})
	must(t, err)
	waitIndexEqualsScan(t, s, ws.ID, root, "open")
	return s, ws, root
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestReopenRecordsOnlyWhatChangedWhileClosed: a workspace opened again
// is seeded from the index, so only differences become events.
func TestReopenRecordsOnlyWhatChangedWhileClosed(t *testing.T) {
	data := t.TempDir()
	root, _ := filepath.EvalSymlinks(t.TempDir())
	files := map[string]string{}
	for i := range 200 {
		files[fmt.Sprintf("f%03d.txt", i)] = fmt.Sprintf("content %d\n", i)
	}
	writeFiles(t, root, files)
	// Old enough that their recorded hashes are trusted (see racyWindow).
	old := time.Now().Add(-time.Hour)
	for p := range files {
		must(t, os.Chtimes(filepath.Join(root, p), old, old))
	}
	s := openStudio(t, data, nil)
	ws, err := s.OpenFolder(OpenFolderRequest{Path: root})
	if err != nil {
		t.Fatal(err)
	}
	waitIndexEqualsScan(t, s, ws.ID, root, "first open")
	before := countEvents(t, s, eventlog.WorkspaceFileChanged, ws.ID)
	if before != 200 {
		t.Errorf("first open recorded %d file_changed events, want 200", before)
	}
	closeStudio(t, s)

	writeFiles(t, root, map[string]string{"f007.txt": "edited while closed\n", "added.txt": "new\n"})
	must(t, os.Remove(filepath.Join(root, "f100.txt")))

	s = openStudio(t, data, nil)
	defer closeStudio(t, s)
	ws2, err := s.OpenFolder(OpenFolderRequest{Path: root})
	if err != nil || ws2.ID != ws.ID {
		t.Fatalf("reopen: %+v, %v", ws2, err)
	}
	waitIndexEqualsScan(t, s, ws.ID, root, "reopen")
	if got := countEvents(t, s, eventlog.WorkspaceFileChanged, ws.ID) - before; got != 3 {
		t.Errorf("reopening recorded %d file_changed events, want 3 (one edit, one new file, one deletion)", got)
	}
	if got := searchPaths(t, s, ws.ID, "edited while"); !reflect.DeepEqual(got, []string{"f007.txt"}) {
		t.Errorf("search after reopen = %v", got)
	}
}

// TestRestartWhileIndexingResumes stops the Studio while the text index is
// part way through a large first pass, starts it again, and checks that the
// index picks up where it stopped and ends identical to a clean one.
func TestRestartWhileIndexingResumes(t *testing.T) {
	data := t.TempDir()
	root, _ := filepath.EvalSymlinks(t.TempDir())
	files := map[string]string{}
	for i := range 4000 {
		files[fmt.Sprintf("d%02d/f%04d.txt", i%40, i)] = strings.Repeat(fmt.Sprintf("row %d of file %d, unique token tok%dx\n", i, i, i), 150)
	}
	writeFiles(t, root, files)
	b := bus.New()
	msgs, unsub := b.Subscribe(100000)
	s := openStudio(t, data, b)
	ws, err := s.OpenFolder(OpenFolderRequest{Path: root})
	if err != nil {
		t.Fatal(err)
	}
	stoppedAt := 0
	for stoppedAt == 0 {
		select {
		case m := <-msgs:
			if st, ok := m.Data.(WorkspaceStatus); ok && st.Index.State == IndexIndexing && st.Index.Indexed > 0 {
				stoppedAt = st.Index.Indexed
			}
		case <-time.After(30 * time.Second):
			t.Fatal("no indexing progress")
		}
	}
	unsub()
	closeStudio(t, s)
	ix, err := search.Open(filepath.Join(data, "index", ws.ID+".db"))
	must(t, err)
	hashes, err := ix.Hashes(context.Background())
	must(t, err)
	ix.Close()
	if len(hashes) == 0 || len(hashes) >= len(files) {
		t.Fatalf("after stopping, the index holds %d of %d files: the test did not stop it part way", len(hashes), len(files))
	}

	s = openStudio(t, data, nil)
	defer closeStudio(t, s)
	if _, err := s.OpenFolder(OpenFolderRequest{Path: root}); err != nil {
		t.Fatal(err)
	}
	waitIndexEqualsScan(t, s, ws.ID, root, "after restart")
	// The workspace.indexed event of this open says how many files the
	// pass had to (re)index: only those the first run did not get to.
	var indexed workspace.IndexedPayload
	deadline := time.Now().Add(10 * time.Second)
	for {
		p, err := s.ListEvents(ListEventsRequest{Filter: EventFilter{Type: eventlog.WorkspaceIndexed, Workspace: ws.ID}, Limit: 10})
		must(t, err)
		if len(p.Rows) > 0 {
			d, err := s.GetEvent(GetEventRequest{Seq: p.Rows[len(p.Rows)-1].Seq})
			must(t, err)
			must(t, json.Unmarshal([]byte(d.Payload), &indexed))
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no workspace.indexed event after the restart")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if indexed.Done != len(files)-len(hashes) || indexed.Files != len(files) {
		t.Errorf("after the restart the index (re)indexed %d files and holds %d; %d of %d were already indexed, so want %d: it did not resume",
			indexed.Done, indexed.Files, len(hashes), len(files), len(files)-len(hashes))
	}
	if got := countEvents(t, s, eventlog.WorkspaceFileChanged, ws.ID); got != len(files) {
		t.Errorf("%d file_changed events for %d files: the restart re-recorded files", got, len(files))
	}

	// Identical to a clean index of the same files.
	rt, err := s.runtimeOf(ws.ID)
	must(t, err)
	clean, err := search.Open(filepath.Join(t.TempDir(), "clean.db"))
	must(t, err)
	defer clean.Close()
	var docs []search.Doc
	for _, f := range recorded(t, s, ws.ID) {
		docs = append(docs, search.Doc{Path: f.Path, Hash: f.Hash, Size: f.Size})
	}
	_, err = clean.Sync(context.Background(), root, docs, nil)
	must(t, err)
	got, err := rt.index.Hashes(context.Background())
	must(t, err)
	want, err := clean.Hashes(context.Background())
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("resumed index holds %d files, a clean one %d", len(got), len(want))
	}
	for _, tok := range []string{"tok0x", "tok3999x", "tok1234x"} {
		c1, err := rt.index.Candidates(context.Background(), search.LiteralQuery(tok))
		must(t, err)
		c2, err := clean.Candidates(context.Background(), search.LiteralQuery(tok))
		must(t, err)
		if !reflect.DeepEqual(c1, c2) || len(c1) == 0 {
			t.Errorf("candidates(%s): resumed %v, clean %v", tok, c1, c2)
		}
	}
}

// TestAwkwardFilesAreRecordedWithWarnings: a symlink loop, a 200 MB
// (sparse) file, a binary file and a name that is not UTF-8 are recorded
// faithfully, with warnings, and nothing crashes.
func TestAwkwardFilesAreRecordedWithWarnings(t *testing.T) {
	s := openStudio(t, t.TempDir(), nil)
	defer closeStudio(t, s)
	root, _ := filepath.EvalSymlinks(t.TempDir())
	writeFiles(t, root, map[string]string{"ok.txt": "fine text\n", "bin.dat": "\x00\x01\x02binary\x00"})
	must(t, os.MkdirAll(filepath.Join(root, "loop"), 0o755))
	must(t, os.Symlink("..", filepath.Join(root, "loop", "up")))
	must(t, os.Symlink("self", filepath.Join(root, "self")))
	big, err := os.Create(filepath.Join(root, "big.log"))
	must(t, err)
	must(t, big.Truncate(200<<20))
	must(t, big.Close())
	bad := "caf\xe9.txt"
	writeFiles(t, root, map[string]string{bad: "latin-1 name\n"})

	ws, err := s.OpenFolder(OpenFolderRequest{Path: root})
	must(t, err)
	waitIndexEqualsScan(t, s, ws.ID, root, "awkward files")
	byPath := map[string]workspace.FileInfo{}
	for _, f := range recorded(t, s, ws.ID) {
		byPath[f.Path] = f
	}
	if f := byPath["big.log"]; !f.Huge || f.Hash != "" || f.Size != 200<<20 {
		t.Errorf("200 MB file recorded as %+v, want flagged huge and not hashed", f)
	}
	if f := byPath["bin.dat"]; !f.Binary {
		t.Errorf("binary file recorded as %+v", f)
	}
	if f := byPath["loop/up"]; !f.Symlink || f.LinkTarget != ".." {
		t.Errorf("symlink loop recorded as %+v", f)
	}
	if _, ok := byPath[bad]; !ok {
		t.Errorf("the non-UTF-8 name was not recorded under its raw bytes: %v", byPath)
	}
	st, _ := s.WorkspaceStatus(WorkspaceRequest{WorkspaceID: ws.ID})
	warned := false
	for _, w := range st.Watch.Warnings {
		warned = warned || w.Path == bad
	}
	if !warned {
		t.Errorf("no warning for the non-UTF-8 name: %+v", st.Watch.Warnings)
	}
	if st.Index.Total != 2 { // ok.txt and the latin-1 file; not binary, huge or links
		t.Errorf("text files indexed: %+v", st.Index)
	}
	if got := searchPaths(t, s, ws.ID, "latin-1"); !reflect.DeepEqual(got, []string{bad}) {
		t.Errorf("search in the non-UTF-8 file = %q", got)
	}
	// The log replays to the same index (the raw name survives JSON).
	rep, err := projection.Check(context.Background(), s.events, s.events.DB(), Projections)
	must(t, err)
	if !rep.OK {
		t.Errorf("replay differs: %+v", rep)
	}
}

func TestCloseWorkspace(t *testing.T) {
	b := bus.New()
	msgs, unsub := b.Subscribe(1000)
	defer unsub()
	s, ws, root := openWatched(t, t.TempDir(), b, map[string]string{"a.txt": "x\n"})
	defer closeStudio(t, s)
	must(t, s.CloseWorkspace(WorkspaceRequest{WorkspaceID: ws.ID}))
	if len(s.Workspaces()) != 0 {
		t.Errorf("still open: %+v", s.Workspaces())
	}
	if _, err := s.WorkspaceStatus(WorkspaceRequest{WorkspaceID: ws.ID}); err == nil {
		t.Error("status of a closed workspace")
	}
	if err := s.CloseWorkspace(WorkspaceRequest{WorkspaceID: ws.ID}); err == nil {
		t.Error("closing twice is not an error")
	}
	// Changes after closing are not recorded.
	n := countEvents(t, s, eventlog.WorkspaceFileChanged, ws.ID)
	writeFiles(t, root, map[string]string{"b.txt": "y\n"})
	time.Sleep(300 * time.Millisecond)
	if got := countEvents(t, s, eventlog.WorkspaceFileChanged, ws.ID); got != n {
		t.Errorf("a closed workspace recorded %d more changes", got-n)
	}
	closed := false
	for len(msgs) > 0 {
		m := <-msgs
		closed = closed || m.Name == bus.WorkspaceClosed
	}
	if !closed || countEvents(t, s, eventlog.WorkspaceClosed, ws.ID) != 1 {
		t.Error("closing was not published and recorded")
	}
	// Reopening records only b.txt.
	_, err := s.OpenFolder(OpenFolderRequest{Path: root})
	must(t, err)
	waitIndexEqualsScan(t, s, ws.ID, root, "reopen")
	if got := countEvents(t, s, eventlog.WorkspaceFileChanged, ws.ID); got != n+1 {
		t.Errorf("reopen recorded %d changes, want 1", got-n)
	}
}

func TestSearchAPIStreamsAndCancels(t *testing.T) {
	b := bus.New()
	msgs, unsub := b.Subscribe(100000)
	defer unsub()
	files := map[string]string{}
	for i := range 300 {
		files[fmt.Sprintf("f%03d.txt", i)] = strings.Repeat("needle in hay\n", 20)
	}
	s, ws, _ := openWatched(t, t.TempDir(), b, files)
	defer closeStudio(t, s)
	if _, err := s.StartSearch(SearchRequest{WorkspaceID: ws.ID, Query: search.Query{Pattern: "(", Regex: true}}); err == nil {
		t.Error("a bad regex was accepted")
	}
	if _, err := s.StartSearch(SearchRequest{WorkspaceID: "nope", Query: search.Query{Pattern: "x"}}); err == nil {
		t.Error("an unknown workspace was accepted")
	}
	started, err := s.StartSearch(SearchRequest{WorkspaceID: ws.ID, Query: search.Query{Pattern: "needle", MaxResults: 1000}})
	must(t, err)
	var matches int
	var final SearchUpdate
	for !final.Done {
		select {
		case m := <-msgs:
			if u, ok := m.Data.(SearchUpdate); ok && u.ID == started.ID {
				for _, r := range u.Results {
					matches += len(r.Matches)
				}
				if u.Done {
					final = u
				}
			}
		case <-time.After(10 * time.Second):
			t.Fatal("search did not finish")
		}
	}
	if final.Error != "" || final.Stats == nil || !final.Stats.Truncated || matches < 1000 || matches > 1100 {
		t.Errorf("search: %d matches streamed, final %+v %+v", matches, final, final.Stats)
	}
	must(t, s.CancelSearch(CancelSearchRequest{ID: "unknown"}))
	fm, err := s.FindFiles(FindFilesRequest{WorkspaceID: ws.ID, Query: "f299", Limit: 5})
	if err != nil || len(fm) == 0 || fm[0].Path != "f299.txt" {
		t.Errorf("FindFiles = %+v, %v", fm, err)
	}
	if fm, err := s.FindFiles(FindFilesRequest{WorkspaceID: ws.ID, Query: "zzzzqqq"}); err != nil || fm == nil || len(fm) != 0 {
		t.Errorf("FindFiles of nothing = %#v, %v; want an empty list (not null)", fm, err)
	}
}

// TestEmptyFoldersAreAnnounced: creating or removing an empty folder
// changes no file, but the explorer must still hear of it.
func TestEmptyFoldersAreAnnounced(t *testing.T) {
	b := bus.New()
	msgs, unsub := b.Subscribe(1000)
	defer unsub()
	s, _, root := openWatched(t, t.TempDir(), b, map[string]string{"a.txt": "x\n"})
	defer closeStudio(t, s)
	wait := func(want ChangedPath) {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for {
			select {
			case m := <-msgs:
				if fc, ok := m.Data.(FilesChanged); ok {
					for _, c := range fc.Changes {
						if c == want {
							return
						}
					}
				}
			case <-deadline:
				t.Fatalf("no FilesChanged with %+v", want)
			}
		}
	}
	must(t, os.Mkdir(filepath.Join(root, "empty"), 0o755))
	wait(ChangedPath{Path: "empty", Kind: workspace.ChangeCreated, Folder: true})
	must(t, os.Rename(filepath.Join(root, "empty"), filepath.Join(root, "moved")))
	wait(ChangedPath{Path: "empty", Kind: workspace.ChangeDeleted, Folder: true})
	must(t, os.Remove(filepath.Join(root, "moved")))
	wait(ChangedPath{Path: "moved", Kind: workspace.ChangeDeleted, Folder: true})
}
