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
