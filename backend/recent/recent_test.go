package recent_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/recent"
)

func MustOpen(tb testing.TB, dir string) *recent.Store {
	tb.Helper()
	s, warn, err := recent.Open(dir)
	if err != nil || warn != "" {
		tb.Fatalf("recent.Open(%s) = warn %q, err %v", dir, warn, err)
	}
	return s
}

func TestTouchOrdersAndDedupes(t *testing.T) {
	dir := t.TempDir()
	a, b := t.TempDir(), t.TempDir()
	s := MustOpen(t, dir)
	for _, p := range []string{a, b, a} {
		if err := s.Touch(p); err != nil {
			t.Fatalf("Touch(%s): %v", p, err)
		}
	}
	got, err := MustOpen(t, dir).List() // a second store reads what the first wrote
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Path != a || got[1].Path != b {
		t.Fatalf("List() = %+v, want [a b]", got)
	}
	if got[0].Name != filepath.Base(a) || got[0].Missing {
		t.Errorf("List()[0] = %+v, want name %q, not missing", got[0], filepath.Base(a))
	}
}

func TestListMarksMissingAndRemove(t *testing.T) {
	dir, gone := t.TempDir(), filepath.Join(t.TempDir(), "gone")
	s := MustOpen(t, dir)
	if err := s.Touch(gone); err != nil {
		t.Fatal(err)
	}
	got, _ := s.List()
	if len(got) != 1 || !got[0].Missing {
		t.Fatalf("List() = %+v, want one missing folder", got)
	}
	if err := s.Remove(gone); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.List(); len(got) != 0 {
		t.Fatalf("List() after Remove = %+v, want empty", got)
	}
}

func TestCapsAtMax(t *testing.T) {
	s := MustOpen(t, t.TempDir())
	for i := 0; i < recent.Max+5; i++ {
		if err := s.Touch(filepath.Join("/nowhere", string(rune('a'+i)))); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := s.List(); len(got) != recent.Max {
		t.Fatalf("len(List()) = %d, want %d", len(got), recent.Max)
	}
}

func TestDamagedFileIsKeptAside(t *testing.T) {
	dir := t.TempDir()
	bad := []byte("{not json")
	if err := os.WriteFile(filepath.Join(dir, recent.FileName), bad, 0o600); err != nil {
		t.Fatal(err)
	}
	s, warn, err := recent.Open(dir)
	if err != nil || !strings.Contains(warn, "damaged") {
		t.Fatalf("Open(damaged) = warn %q, err %v; want a warning", warn, err)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, recent.FileName+".damaged-*"))
	if len(matches) != 1 {
		t.Fatalf("damaged copies = %v, want exactly one", matches)
	}
	if kept, _ := os.ReadFile(matches[0]); string(kept) != string(bad) {
		t.Errorf("damaged copy = %q, want the original bytes %q", kept, bad)
	}
	if got, err := s.List(); err != nil || len(got) != 0 {
		t.Errorf("List() after recovery = %v, %v; want empty", got, err)
	}
}
