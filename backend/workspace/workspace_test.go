package workspace_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/ice-studio/ice-studio/backend/workspace"
)

// mustTree creates files (path → content; a trailing slash makes a folder)
// under a fresh temporary directory and returns its canonical path.
func mustTree(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir, err := filepath.EvalSymlinks(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	for p, body := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if p[len(p)-1] == '/' {
			if err := os.MkdirAll(full, 0o755); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func TestCheckRoot(t *testing.T) {
	root := mustTree(t, map[string]string{"a.txt": "x", "sub/": ""})
	if got, err := workspace.CheckRoot(root + "/sub/.."); err != nil || got != root {
		t.Errorf("CheckRoot(root/sub/..) = %q, %v; want %q", got, err, root)
	}
	for _, tc := range []struct {
		path string
		want error
	}{
		{"", workspace.ErrEmptyPath},
		{"   ", workspace.ErrEmptyPath},
		{filepath.Join(root, "missing"), workspace.ErrNotFound},
		{filepath.Join(root, "a.txt"), workspace.ErrNotDir},
	} {
		if _, err := workspace.CheckRoot(tc.path); !errors.Is(err, tc.want) {
			t.Errorf("CheckRoot(%q) error = %v, want %v", tc.path, err, tc.want)
		}
	}
}

func TestCheckRootUnreadable(t *testing.T) {
	if os.Geteuid() == 0 || runtime.GOOS == "windows" {
		t.Skip("permissions do not bind root")
	}
	root := mustTree(t, map[string]string{"locked/": ""})
	locked := filepath.Join(root, "locked")
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(locked, 0o755) })
	if _, err := workspace.CheckRoot(locked); !errors.Is(err, workspace.ErrUnreadable) {
		t.Errorf("CheckRoot(unreadable) error = %v, want ErrUnreadable", err)
	}
}

func TestResolveRejectsEscapes(t *testing.T) {
	outside := mustTree(t, map[string]string{"secret.txt": "s"})
	root := mustTree(t, map[string]string{"in/file.txt": "x"})
	if err := os.Symlink(outside, filepath.Join(root, "in", "out-dir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(root, "out-file")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("file.txt", filepath.Join(root, "in", "ok-link")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rel  string
		want error // nil means allowed
	}{
		{"in/file.txt", nil},
		{"./in//file.txt", nil},
		{"in/../in/file.txt", nil},
		{"in/ok-link", nil},
		{"", nil},
		{"..", workspace.ErrOutside},
		{"../" + filepath.Base(outside), workspace.ErrOutside},
		{"in/../../x", workspace.ErrOutside},
		{outside, workspace.ErrOutside},
		{"/etc/passwd", workspace.ErrOutside},
		{"in/out-dir/secret.txt", workspace.ErrOutside},
		{"in/out-dir", workspace.ErrOutside},
		{"out-file", workspace.ErrOutside},
		{"in/missing", workspace.ErrNotFound},
		{"in/file.txt\x00", workspace.ErrOutside},
	} {
		_, err := workspace.Resolve(root, tc.rel)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("Resolve(root, %q) error = %v, want %v", tc.rel, err, tc.want)
		}
	}
}

func TestList(t *testing.T) {
	root := mustTree(t, map[string]string{
		"b.txt": "bb", "A.md": "a", "zdir/": "", "Cdir/x.go": "package x", ".git/HEAD": "ref", ".env": "K=V",
	})
	outside := mustTree(t, map[string]string{"s": "s"})
	if err := os.Symlink(outside, filepath.Join(root, "escape")); err != nil {
		t.Fatal(err)
	}
	l, err := workspace.List(root, "")
	if err != nil {
		t.Fatalf("List(root) error = %v", err)
	}
	var got []string
	for _, e := range l.Entries {
		got = append(got, e.Kind+":"+e.Path)
	}
	want := []string{"dir:Cdir", "dir:zdir", "file:.env", "file:A.md", "file:b.txt", "symlink:escape"}
	if len(got) != len(want) {
		t.Fatalf("List(root) = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("List(root) = %v, want %v", got, want)
		}
	}
	sub, err := workspace.List(root, "Cdir")
	if err != nil || len(sub.Entries) != 1 || sub.Entries[0].Path != "Cdir/x.go" || sub.Entries[0].Size != 9 {
		t.Errorf("List(Cdir) = %+v, %v; want one entry Cdir/x.go of 9 bytes", sub, err)
	}
	if _, err := workspace.List(root, "b.txt"); !errors.Is(err, workspace.ErrNotDir) {
		t.Errorf("List(file) error = %v, want ErrNotDir", err)
	}
	if _, err := workspace.List(root, "escape"); !errors.Is(err, workspace.ErrOutside) {
		t.Errorf("List(escaping symlink) error = %v, want ErrOutside", err)
	}
}

func TestListTruncates(t *testing.T) {
	files := map[string]string{}
	for i := 0; i < workspace.MaxEntries+3; i++ {
		files[filepath.Join("many", "f"+strconv.Itoa(i))] = ""
	}
	root := mustTree(t, files)
	l, err := workspace.List(root, "many")
	if err != nil || !l.Truncated || len(l.Entries) != workspace.MaxEntries {
		t.Fatalf("List(many) = %d entries, truncated=%v, err=%v; want %d, true", len(l.Entries), l.Truncated, err, workspace.MaxEntries)
	}
}

func TestResolveForWrite(t *testing.T) {
	outside := mustTree(t, map[string]string{"secret.txt": "s"})
	root := mustTree(t, map[string]string{"src/a.go": "package a", ".git/config": "[core]", "dir/": ""})
	if err := os.Symlink(outside, filepath.Join(root, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(root, "link.txt")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rel  string
		want string // expected path relative to root, or "" when refused
		err  error
	}{
		{"src/a.go", "src/a.go", nil},
		{"src/new.go", "src/new.go", nil},
		{"new/deep/file.txt", "new/deep/file.txt", nil},
		{"./src//b.go", "src/b.go", nil},
		{"link.txt", "link.txt", nil}, // the link itself is replaced, the target untouched
		{"out/secret.txt", "", workspace.ErrOutside},
		{"out/new/file", "", workspace.ErrOutside},
		{"../x", "", workspace.ErrOutside},
		{"/etc/passwd", "", workspace.ErrOutside},
		{".git/config", "", workspace.ErrProtected},
		{".GIT/hooks/pre-commit", "", workspace.ErrProtected},
		{"dir", "", workspace.ErrIsDir},
		{"src/a.go/inside", "", workspace.ErrNotDir},
		{"", "", workspace.ErrOutside},
		{".", "", workspace.ErrOutside},
	} {
		got, err := workspace.ResolveForWrite(root, tc.rel)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("ResolveForWrite(%q) = %q, %v; want %v", tc.rel, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != filepath.Join(root, tc.want) {
			t.Errorf("ResolveForWrite(%q) = %q, %v; want %q", tc.rel, got, err, filepath.Join(root, tc.want))
		}
	}
}
