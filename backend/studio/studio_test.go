package studio_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/ollama"
	"github.com/ice-studio/ice-studio/backend/studio"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// MustOpen starts a Studio on a temporary data dir with a fake Ollama.
func MustOpen(tb testing.TB, cfg studio.Config) *studio.Studio {
	tb.Helper()
	if cfg.DataDir == "" && cfg.DataDirErr == nil {
		cfg.DataDir = tb.TempDir()
	}
	if cfg.Ollama == nil {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"version":"9.9.9"}`))
		}))
		tb.Cleanup(srv.Close)
		u, _ := url.Parse(srv.URL)
		cfg.Ollama = ollama.New(u, nil)
	}
	s := studio.New(cfg)
	if err := s.Open(context.Background()); err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

func project(tb testing.TB) string {
	tb.Helper()
	dir, _ := filepath.EvalSymlinks(tb.TempDir())
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "src", "main.go"), []byte("package main\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir
}

func TestOpenFolderAndList(t *testing.T) {
	b := bus.New()
	events, stop := b.Subscribe(16)
	defer stop()
	s := MustOpen(t, studio.Config{Bus: b})
	dir := project(t)
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: dir})
	if err != nil {
		t.Fatalf("OpenFolder(%s): %v", dir, err)
	}
	if ws.Root != dir || ws.Name != filepath.Base(dir) || ws.ID == "" {
		t.Fatalf("OpenFolder = %+v, want root %s", ws, dir)
	}
	again, _ := s.OpenFolder(studio.OpenFolderRequest{Path: dir + "/src/.."})
	if again.ID != ws.ID {
		t.Errorf("reopening the same folder gave id %s, want %s", again.ID, ws.ID)
	}
	l, err := s.ListDir(studio.ListDirRequest{WorkspaceID: ws.ID, Path: "src"})
	if err != nil || len(l.Entries) != 1 || l.Entries[0].Name != "main.go" {
		t.Fatalf("ListDir(src) = %+v, %v", l, err)
	}
	if _, err := s.ListDir(studio.ListDirRequest{WorkspaceID: ws.ID, Path: "../.."}); !errors.Is(err, workspace.ErrOutside) {
		t.Errorf("ListDir(../..) error = %v, want ErrOutside", err)
	}
	if _, err := s.ListDir(studio.ListDirRequest{WorkspaceID: "nope"}); !errors.Is(err, studio.ErrUnknownWorkspace) {
		t.Errorf("ListDir(unknown workspace) error = %v, want ErrUnknownWorkspace", err)
	}
	rec, _ := s.RecentFolders()
	if len(rec) != 1 || rec[0].Path != dir {
		t.Errorf("RecentFolders() = %+v, want [%s]", rec, dir)
	}
	seen := map[string]bool{}
	deadline := time.After(2 * time.Second)
	for !seen[bus.WorkspaceOpened] || !seen[bus.RecentChanged] {
		select {
		case m := <-events:
			seen[m.Name] = true
		case <-deadline:
			t.Fatalf("notifications seen %v, want workspace.opened and recent.changed", seen)
		}
	}
}

func TestInitialFolderProblemsBecomeNotices(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "gone")
	s := MustOpen(t, studio.Config{InitialFolder: missing})
	n := s.Notices()
	if len(n) != 1 || !strings.Contains(n[0], "does not exist") || !strings.Contains(n[0], missing) {
		t.Fatalf("Notices() = %q, want one naming %s as missing", n, missing)
	}
	if len(s.Workspaces()) != 0 {
		t.Errorf("Workspaces() = %v, want none", s.Workspaces())
	}
}

func TestInitialFolderOpens(t *testing.T) {
	dir := project(t)
	s := MustOpen(t, studio.Config{InitialFolder: dir})
	st, err := s.Startup()
	if err != nil || len(st.Workspaces) != 1 || st.Workspaces[0].Root != dir {
		t.Fatalf("Startup() = %+v, %v; want the folder open", st, err)
	}
}

func TestStartupJSONHasNoNulls(t *testing.T) {
	s := MustOpen(t, studio.Config{})
	st, err := s.Startup()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(st)
	if strings.Contains(string(b), "null") {
		t.Errorf("Startup() JSON %s has a null the UI would have to guard against", b)
	}
}

func TestUnusableDataDirStillRuns(t *testing.T) {
	s := MustOpen(t, studio.Config{DataDir: "/nowhere", DataDirErr: errors.New("read-only file system")})
	if n := s.Notices(); len(n) != 1 || !strings.Contains(n[0], "read-only file system") {
		t.Fatalf("Notices() = %q, want the data dir problem", n)
	}
	if _, err := s.OpenFolder(studio.OpenFolderRequest{Path: project(t)}); err != nil {
		t.Errorf("OpenFolder without a data dir: %v", err)
	}
	if rec, err := s.RecentFolders(); err != nil || len(rec) != 0 {
		t.Errorf("RecentFolders() without a data dir = %v, %v; want empty", rec, err)
	}
}

func TestOllamaStatusIsPublished(t *testing.T) {
	b := bus.New()
	events, stop := b.Subscribe(16)
	defer stop()
	s := MustOpen(t, studio.Config{Bus: b, PollInterval: time.Hour})
	select {
	case m := <-events:
		st, ok := m.Data.(ollama.Status)
		if m.Name != bus.OllamaStatusChanged || !ok || !st.Reachable || st.Version != "9.9.9" {
			t.Fatalf("first notification = %+v, want a reachable Ollama 9.9.9", m)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no Ollama status published after Open")
	}
	if st := s.OllamaStatus(context.Background()); st.Version != "9.9.9" {
		t.Errorf("OllamaStatus() = %+v", st)
	}
}

func TestRecentFoldersComeFromTheLog(t *testing.T) {
	dataDir := t.TempDir()
	a, b := project(t), project(t)
	s := studio.New(studio.Config{DataDir: dataDir, PollInterval: time.Hour})
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	wsA, _ := s.OpenFolder(studio.OpenFolderRequest{Path: a})
	if _, err := s.OpenFolder(studio.OpenFolderRequest{Path: b}); err != nil {
		t.Fatal(err)
	}
	rec, err := s.ForgetRecent(studio.ForgetRecentRequest{Path: a})
	if err != nil || len(rec) != 1 || rec[0].Path != b {
		t.Fatalf("ForgetRecent(a) = %+v, %v; want [b]", rec, err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	// A restart reads the same list from the log, and reopening a folder
	// keeps its workspace id and brings it back to the top.
	s2 := MustOpen(t, studio.Config{DataDir: dataDir})
	rec, _ = s2.RecentFolders()
	if len(rec) != 1 || rec[0].Path != b {
		t.Fatalf("RecentFolders() after restart = %+v, want [b]", rec)
	}
	again, err := s2.OpenFolder(studio.OpenFolderRequest{Path: a})
	if err != nil || again.ID != wsA.ID {
		t.Fatalf("reopening a = %+v, %v; want workspace id %s again", again, err, wsA.ID)
	}
	rec, _ = s2.RecentFolders()
	if len(rec) != 2 || rec[0].Path != a || rec[1].Path != b {
		t.Fatalf("RecentFolders() = %+v, want [a b]", rec)
	}
	rep, err := s2.VerifyLog()
	if err != nil || !rep.OK || rep.Checked < 5 {
		t.Fatalf("VerifyLog() = %+v, %v; want an intact log of the opens, closes and the forget", rep, err)
	}
	page, err := s2.ListEvents(studio.ListEventsRequest{Filter: studio.EventFilter{Type: "workspace.forgotten"}})
	if err != nil || page.Total != 1 || page.Rows[0].Origin != "user" {
		t.Fatalf("ListEvents(workspace.forgotten) = %+v, %v; want one user event", page, err)
	}
}

func TestWorkspacesLeftOpenByACrashAreClosed(t *testing.T) {
	dataDir := t.TempDir()
	dir := project(t)
	s := studio.New(studio.Config{DataDir: dataDir, PollInterval: time.Hour})
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenFolder(studio.OpenFolderRequest{Path: dir}); err != nil {
		t.Fatal(err)
	}
	// No Close: the process "crashed". The next start records the close.
	s2 := MustOpen(t, studio.Config{DataDir: dataDir})
	page, err := s2.ListEvents(studio.ListEventsRequest{Filter: studio.EventFilter{Type: "workspace.closed"}})
	if err != nil || page.Total != 1 {
		t.Fatalf("workspace.closed events after a crash = %+v, %v; want 1", page, err)
	}
	d, err := s2.GetEvent(studio.GetEventRequest{Seq: page.Rows[0].Seq})
	if err != nil || !strings.Contains(d.Payload, "did not exit cleanly") {
		t.Fatalf("GetEvent = %+v, %v; want the reason", d, err)
	}
}

func TestEventInspectorAPI(t *testing.T) {
	s := MustOpen(t, studio.Config{})
	for i := 0; i < 3; i++ {
		if _, err := s.OpenFolder(studio.OpenFolderRequest{Path: project(t)}); err != nil {
			t.Fatal(err)
		}
	}
	// Opening records workspace.opened, then (in the background) the scan's
	// file_changed events and workspace.scanned: filter on the first.
	opened := studio.EventFilter{Type: "workspace.opened"}
	all, err := s.ListEvents(studio.ListEventsRequest{Filter: opened, Offset: 1, Limit: 2})
	if err != nil || all.Total != 3 || len(all.Rows) != 2 || all.Rows[0].Seq >= all.Rows[1].Seq {
		t.Fatalf("ListEvents(opened, offset 1, limit 2) = %+v, %v; want the 2nd and 3rd of 3", all, err)
	}
	ws := all.Rows[0].Workspace
	one, err := s.ListEvents(studio.ListEventsRequest{Filter: studio.EventFilter{Workspace: ws, Type: "workspace.opened"}})
	if err != nil || one.Total != 1 || one.Rows[0].Workspace != ws {
		t.Fatalf("ListEvents(workspace) = %+v, %v", one, err)
	}
	f, err := s.EventFacets()
	if err != nil || !slices.Contains(f.Types, "workspace.opened") || len(f.Workspaces) != 3 || len(f.Origins) != 1 {
		t.Fatalf("EventFacets() = %+v, %v", f, err)
	}
	seq := all.Rows[0].Seq
	d, err := s.GetEvent(studio.GetEventRequest{Seq: seq})
	if err != nil || len(d.Hash) != 64 || len(d.PrevHash) != 64 || !strings.Contains(d.Payload, `"root"`) {
		t.Fatalf("GetEvent(%d) = %+v, %v", seq, d, err)
	}
	if byID, err := s.GetEvent(studio.GetEventRequest{ID: d.ID}); err != nil || byID.Seq != seq {
		t.Fatalf("GetEvent(id) = %+v, %v", byID, err)
	}
}

func TestDamagedLogIsReportedAndLeftAlone(t *testing.T) {
	dataDir := t.TempDir()
	junk := []byte("not a database at all")
	if err := os.WriteFile(studio.LogPath(dataDir), junk, 0o600); err != nil {
		t.Fatal(err)
	}
	s := MustOpen(t, studio.Config{DataDir: dataDir})
	n := s.Notices()
	if len(n) != 1 || !strings.Contains(n[0], "event log cannot be used") || !strings.Contains(n[0], "damaged") {
		t.Fatalf("Notices() = %q, want one explaining the damaged log", n)
	}
	if _, err := s.OpenFolder(studio.OpenFolderRequest{Path: project(t)}); err != nil {
		t.Errorf("OpenFolder with a damaged log: %v", err)
	}
	// The status bar asks for the sandbox's state with the folder open:
	// without a log there is no policy store, and it once panicked here.
	if st := s.SandboxStatus(); len(st.Unsandboxed) != 0 {
		t.Errorf("SandboxStatus() with a damaged log = %+v, want nothing unsandboxed", st)
	}
	if _, err := s.VerifyLog(); !errors.Is(err, studio.ErrNoEventLog) {
		t.Errorf("VerifyLog() error = %v, want ErrNoEventLog", err)
	}
	if got, _ := os.ReadFile(studio.LogPath(dataDir)); string(got) != string(junk) {
		t.Errorf("the damaged log was changed to %q", got)
	}
}
