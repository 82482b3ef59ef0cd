package workspace_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ice-studio/ice-studio/backend/workspace"
)

// linkTree is a workspace with links of every kind and a folder outside it.
func linkTree(t *testing.T) (root, outside string) {
	t.Helper()
	root, _ = filepath.EvalSymlinks(t.TempDir())
	outside, _ = filepath.EvalSymlinks(t.TempDir())
	for p, body := range map[string]string{"sub/a.txt": "a", ".git/config": "[core]", "outside.txt": "", "sub/deep/b.txt": "b"} {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte(body), 0o644)
	}
	os.Remove(filepath.Join(root, "outside.txt"))
	os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o600)
	for link, target := range map[string]string{
		"insidelink":    "sub",
		"filelink":      "sub/a.txt",
		"sub/up":        "../sub/deep",
		"gitlink":       ".git",
		"abslink":       filepath.Join(root, "sub"), // absolute, even into root: outside (RESOLVE_BENEATH)
		"outlink":       outside,
		"dotdotlink":    "../" + filepath.Base(outside),
		"dangling":      "sub/new.txt",
		"danglingchain": "dangling",
		"loop":          "loop",
		"loopa":         "loopb",
		"loopb":         "loopa",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	return root, outside
}

func TestRealPath(t *testing.T) {
	root, _ := linkTree(t)
	for _, tc := range []struct {
		rel, want string
		err       error
	}{
		{"sub/a.txt", "sub/a.txt", nil},
		{".", ".", nil},
		{"insidelink/a.txt", "sub/a.txt", nil},
		{"insidelink/new/x.txt", "sub/new/x.txt", nil},
		{"filelink", "sub/a.txt", nil},
		{"sub/up/b.txt", "sub/deep/b.txt", nil},
		{"gitlink/config", ".git/config", nil},
		{"gitlink/hooks/pre-commit", ".git/hooks/pre-commit", nil},
		{"dangling", "sub/new.txt", nil},
		{"danglingchain", "sub/new.txt", nil},
		{"missing/dir/f.txt", "missing/dir/f.txt", nil},
		{"abslink/a.txt", "", workspace.ErrOutside},
		{"outlink/secret.txt", "", workspace.ErrOutside},
		{"outlink/new.txt", "", workspace.ErrOutside},
		{"dotdotlink/secret.txt", "", workspace.ErrOutside},
		{"../x", "", workspace.ErrOutside},
		{"/etc/passwd", "", workspace.ErrOutside},
		{"loop", "", workspace.ErrLinkLoop},
		{"loopa/x", "", workspace.ErrLinkLoop},
		{"sub/a.txt/x", "", workspace.ErrNotDir},
	} {
		got, err := workspace.RealPath(root, tc.rel)
		if tc.err != nil {
			var pe *workspace.PathError
			if !errors.Is(err, tc.err) || !errors.As(err, &pe) {
				t.Errorf("RealPath(%q) = %q, %v; want %v in a *PathError", tc.rel, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("RealPath(%q) = %q, %v; want %q", tc.rel, got, err, tc.want)
		}
	}
}

func TestOpenBeneath(t *testing.T) {
	root, _ := linkTree(t)
	f, real, err := workspace.OpenBeneath(root, "insidelink/a.txt", false)
	if err != nil {
		t.Fatalf("open through an inside link: %v", err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if real != "sub/a.txt" || string(b) != "a" {
		t.Errorf("through an inside link: real %q, content %q; want sub/a.txt, a", real, b)
	}
	if f, real, err := workspace.OpenBeneath(root, "gitlink", false); err != nil || real != ".git" {
		t.Errorf("a folder link to .git: %q, %v; want .git", real, err)
	} else {
		f.Close()
	}
	for _, rel := range []string{"outlink/secret.txt", "dotdotlink/secret.txt", "abslink/a.txt"} {
		if f, _, err := workspace.OpenBeneath(root, rel, false); !errors.Is(err, workspace.ErrOutside) {
			if f != nil {
				f.Close()
			}
			t.Errorf("OpenBeneath(%q) = %v, want ErrOutside", rel, err)
		}
	}
	if _, _, err := workspace.OpenBeneath(root, "insidelink/a.txt", true); !errors.Is(err, workspace.ErrLink) {
		t.Errorf("noLinks through a link: %v, want ErrLink", err)
	}
	if _, _, err := workspace.OpenBeneath(root, "loop", false); !errors.Is(err, workspace.ErrLinkLoop) {
		t.Errorf("a loop: %v, want ErrLinkLoop", err)
	}
	if runtime.GOOS == "linux" {
		fifo := filepath.Join(root, "fifo")
		if err := mkfifo(fifo); err == nil {
			if _, _, err := workspace.OpenBeneath(root, "fifo", false); !errors.Is(err, workspace.ErrNotRegular) {
				t.Errorf("a named pipe: %v, want ErrNotRegular (and no hang)", err)
			}
		}
	}
}

func TestReadBeneath(t *testing.T) {
	root, _ := linkTree(t)
	if b, err := workspace.ReadBeneath(root, "sub/a.txt"); err != nil || string(b) != "a" {
		t.Errorf("plain read: %q, %v", b, err)
	}
	for rel, want := range map[string]error{
		"filelink":           workspace.ErrLink,
		"insidelink/a.txt":   workspace.ErrLink,
		"outlink/secret.txt": workspace.ErrLink,
		"missing.txt":        workspace.ErrNotFound,
		"missing/x.txt":      workspace.ErrNotFound,
		"sub":                workspace.ErrIsDir,
		"../x":               workspace.ErrOutside,
	} {
		if b, err := workspace.ReadBeneath(root, rel); !errors.Is(err, want) {
			t.Errorf("ReadBeneath(%q) = %q, %v; want %v", rel, b, err, want)
		}
	}
}

func TestWriteBeneath(t *testing.T) {
	t.Run("planted symlink at the temporary name", func(t *testing.T) {
		root, outside := linkTree(t)
		victim := filepath.Join(outside, "secret.txt")
		tmp := ".a.txt.tmp"
		if err := os.Symlink(victim, filepath.Join(root, "sub", tmp)); err != nil {
			t.Fatal(err)
		}
		if err := workspace.WriteBeneath(root, "sub/a.txt", []byte("new"), tmp, false); err != nil {
			t.Fatalf("WriteBeneath: %v", err)
		}
		if b, _ := os.ReadFile(victim); string(b) != "secret" {
			t.Errorf("the file outside became %q", b)
		}
		assertRegular(t, filepath.Join(root, "sub/a.txt"), "new")
		if _, err := os.Lstat(filepath.Join(root, "sub", tmp)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the temporary name is left: %v", err)
		}
	})
	t.Run("parent folder swapped for a link to outside", func(t *testing.T) {
		root, outside := linkTree(t)
		os.Rename(filepath.Join(root, "sub"), filepath.Join(root, "sub.moved"))
		os.Symlink(outside, filepath.Join(root, "sub"))
		err := workspace.WriteBeneath(root, "sub/secret.txt", []byte("pwned"), ".t", false)
		if !errors.Is(err, workspace.ErrLink) {
			t.Errorf("write through a swapped folder: %v, want ErrLink", err)
		}
		if err := workspace.WriteBeneath(root, "sub/new/x.txt", []byte("pwned"), ".t", false); !errors.Is(err, workspace.ErrLink) {
			t.Errorf("write (with folders to make) through a swapped folder: %v, want ErrLink", err)
		}
		if b, _ := os.ReadFile(filepath.Join(outside, "secret.txt")); string(b) != "secret" {
			t.Errorf("the file outside became %q", b)
		}
		if ents, _ := os.ReadDir(outside); len(ents) != 1 {
			t.Errorf("outside now holds %d entries", len(ents))
		}
	})
	t.Run("target is a link to outside", func(t *testing.T) {
		root, outside := linkTree(t)
		if err := workspace.WriteBeneath(root, "outlink", []byte("new"), ".t", false); err != nil {
			t.Fatalf("WriteBeneath over a link: %v", err)
		}
		assertRegular(t, filepath.Join(root, "outlink"), "new")
		if ents, _ := os.ReadDir(outside); len(ents) != 1 {
			t.Errorf("outside now holds %d entries", len(ents))
		}
	})
	t.Run("mode kept, folders made, .git and folders refused", func(t *testing.T) {
		root, _ := linkTree(t)
		if err := os.Chmod(filepath.Join(root, "sub/a.txt"), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := workspace.WriteBeneath(root, "sub/a.txt", []byte("x"), ".t", false); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(filepath.Join(root, "sub/a.txt")); fi.Mode().Perm() != 0o750 {
			t.Errorf("mode %v, want 0750 kept", fi.Mode().Perm())
		}
		if err := workspace.WriteBeneath(root, "n1/n2/n3/f.txt", []byte("deep"), ".t", false); err != nil {
			t.Fatal(err)
		}
		assertRegular(t, filepath.Join(root, "n1/n2/n3/f.txt"), "deep")
		if fi, _ := os.Stat(filepath.Join(root, "n1/n2/n3/f.txt")); fi.Mode().Perm()&0o600 != 0o600 {
			t.Errorf("new file mode %v", fi.Mode().Perm())
		}
		if err := workspace.WriteBeneath(root, "sub", []byte("x"), ".t", false); !errors.Is(err, workspace.ErrIsDir) {
			t.Errorf("over a folder: %v, want ErrIsDir", err)
		}
		for _, p := range []string{".git/config", ".GIT/hooks/x", "sub/.git/HEAD"} {
			if err := workspace.WriteBeneath(root, p, []byte("x"), ".t", false); !errors.Is(err, workspace.ErrProtected) {
				t.Errorf("%s: %v, want ErrProtected", p, err)
			}
		}
		if err := workspace.WriteBeneath(root, ".git/config", []byte("x"), ".t", true); err != nil {
			t.Errorf(".git with allowGit: %v", err)
		}
		if err := workspace.WriteBeneath(root, "gitlink/config", []byte("x"), ".t", true); !errors.Is(err, workspace.ErrLink) {
			t.Errorf("through a link to .git: %v, want ErrLink", err)
		}
		if err := workspace.WriteBeneath(root, "sub/a.txt", []byte("x"), "../evil", false); err == nil {
			t.Errorf("a temporary name with a slash was accepted")
		}
	})
}

func TestRemoveAndLstatBeneath(t *testing.T) {
	root, outside := linkTree(t)
	if err := workspace.RemoveBeneath(root, "outlink/secret.txt"); !errors.Is(err, workspace.ErrLink) {
		t.Errorf("remove through a link: %v, want ErrLink", err)
	}
	if _, err := os.Stat(filepath.Join(outside, "secret.txt")); err != nil {
		t.Errorf("the file outside: %v", err)
	}
	if err := workspace.RemoveBeneath(root, "outlink"); err != nil {
		t.Errorf("remove a link: %v", err)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("the folder outside: %v", err)
	}
	for _, p := range []string{"sub/a.txt", "sub/a.txt", "missing/x.txt"} {
		if err := workspace.RemoveBeneath(root, p); err != nil {
			t.Errorf("remove %s: %v", p, err)
		}
	}
	if err := workspace.RemoveBeneath(root, "sub"); !errors.Is(err, workspace.ErrIsDir) {
		t.Errorf("remove a folder: %v, want ErrIsDir", err)
	}
	if fi, err := workspace.LstatBeneath(root, "filelink"); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("lstat of a link: %v, %v", fi, err)
	}
	if _, err := workspace.LstatBeneath(root, "insidelink/a.txt"); !errors.Is(err, workspace.ErrLink) {
		t.Errorf("lstat through a link: %v, want ErrLink", err)
	}
	if _, err := workspace.LstatBeneath(root, "nothere"); !errors.Is(err, workspace.ErrNotFound) {
		t.Errorf("lstat of nothing: %v, want ErrNotFound", err)
	}
	if fi, err := workspace.LstatBeneath(root, "sub"); err != nil || !fi.IsDir() {
		t.Errorf("lstat of a folder: %v, %v", fi, err)
	}
}

func assertRegular(t *testing.T, p, want string) {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatalf("%s: %v; want a regular file", p, err)
	}
	if !fi.Mode().IsRegular() {
		t.Fatalf("%s is %v; want a regular file", p, fi.Mode())
	}
	if b, _ := os.ReadFile(p); string(b) != want {
		t.Errorf("%s = %q, want %q", p, b, want)
	}
}
