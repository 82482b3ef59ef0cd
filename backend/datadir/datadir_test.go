package datadir_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ice-studio/ice-studio/backend/datadir"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestResolve(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"ICE_HOME wins", map[string]string{"ICE_HOME": "/data/ice", "XDG_DATA_HOME": "/xdg", "HOME": "/home/u"}, "/data/ice"},
		{"XDG_DATA_HOME", map[string]string{"XDG_DATA_HOME": "/xdg", "HOME": "/home/u"}, "/xdg/ice-studio"},
		{"relative XDG is ignored, as the spec says", map[string]string{"XDG_DATA_HOME": "rel", "HOME": "/home/u"}, "/home/u/.local/share/ice-studio"},
		{"HOME fallback", map[string]string{"HOME": "/home/u"}, "/home/u/.local/share/ice-studio"},
	} {
		got, err := datadir.Resolve(env(tc.env))
		if err != nil || got != tc.want {
			t.Errorf("%s: Resolve() = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestEnsureCreatesAndProbes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := datadir.Ensure(dir); err != nil {
		t.Fatalf("Ensure(new dir) = %v", err)
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("Ensure did not create a private folder: %v %v", fi, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Ensure left files behind: %v", entries)
	}
}

func TestEnsureRejectsFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := datadir.Ensure(f); !errors.Is(err, datadir.ErrNotDir) {
		t.Errorf("Ensure(file) = %v, want ErrNotDir", err)
	}
	if b, _ := os.ReadFile(f); string(b) != "keep me" {
		t.Errorf("Ensure(file) changed the file to %q", b)
	}
}

func TestEnsureReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		// root writes through permission bits; a read-only bind of the
		// data dir is covered by the inside-a-file case below instead.
		dir := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(dir, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := datadir.Ensure(filepath.Join(dir, "sub")); !errors.Is(err, datadir.ErrNotWritable) {
			t.Errorf("Ensure(under a file) = %v, want ErrNotWritable", err)
		}
		return
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	if err := datadir.Ensure(dir); !errors.Is(err, datadir.ErrNotWritable) {
		t.Errorf("Ensure(read-only dir) = %v, want ErrNotWritable", err)
	}
}
