package studio_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ice-studio/ice-studio/backend/studio"
)

// gitProject is a project folder that is a git repository with a
// .gitignore, a committed file, and files modified, untracked and ignored.
func gitProject(tb testing.TB) string {
	tb.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		tb.Skip("git is not installed")
	}
	dir := project(tb)
	files := map[string]string{".gitignore": "node_modules/\n*.log\n", "README.md": "hello\n"}
	for p, body := range files {
		if err := os.WriteFile(filepath.Join(dir, p), []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"config", "user.name", "T"}, {"config", "user.email", "t@example.com"},
		{"add", "-A"}, {"commit", "-q", "-m", "initial"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			tb.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	later := map[string]string{"README.md": "changed\n", "notes.txt": "new\n", "debug.log": "x\n", "node_modules/m/index.js": "x\n"}
	for p, body := range later {
		full := filepath.Join(dir, filepath.FromSlash(p))
		_ = os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func TestGitStatusAndIgnoredEntries(t *testing.T) {
	s := MustOpen(t, studio.Config{})
	dir := gitProject(t)
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.GitStatus(studio.GitStatusRequest{WorkspaceID: ws.ID})
	if err != nil || st.Error != "" || !st.Repo || st.Branch != "main" {
		t.Fatalf("GitStatus = %+v, %v", st, err)
	}
	want := map[string]string{"README.md": "M", "notes.txt": "U", "debug.log": "!", "node_modules": "!"}
	if !reflect.DeepEqual(st.Entries, want) {
		t.Errorf("GitStatus entries = %v, want %v", st.Entries, want)
	}
	l, err := s.ListDir(studio.ListDirRequest{WorkspaceID: ws.ID})
	if err != nil {
		t.Fatal(err)
	}
	ignored := map[string]bool{}
	for _, e := range l.Entries {
		ignored[e.Name] = e.Ignored
	}
	if wantIgn := map[string]bool{"node_modules": true, "debug.log": true, "README.md": false, "notes.txt": false, "src": false, ".gitignore": false}; !reflect.DeepEqual(ignored, wantIgn) {
		t.Errorf("ListDir ignored flags = %v, want %v", ignored, wantIgn)
	}
	// Inside an ignored folder everything is ignored.
	if l, err := s.ListDir(studio.ListDirRequest{WorkspaceID: ws.ID, Path: "node_modules"}); err != nil || len(l.Entries) != 1 || !l.Entries[0].Ignored {
		t.Errorf("ListDir(node_modules) = %+v, %v", l, err)
	}
}

func TestGitStatusOfAFolderWithoutRepo(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	s := MustOpen(t, studio.Config{})
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: project(t)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.GitStatus(studio.GitStatusRequest{WorkspaceID: ws.ID})
	if err != nil || st.Repo || st.Error != "" {
		t.Errorf("GitStatus(no repo) = %+v, %v; want repo false and no error", st, err)
	}
}

func TestRevealOnlyOnTheDesktop(t *testing.T) {
	s := MustOpen(t, studio.Config{Mode: studio.ModeBrowser})
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: project(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RevealPath(studio.RevealRequest{WorkspaceID: ws.ID, Path: "src"}); !errors.Is(err, studio.ErrNotDesktop) {
		t.Errorf("RevealPath in serve mode = %v, want ErrNotDesktop", err)
	}
}
