package kernel

import (
	"math/rand"
	"strings"
	"testing"
)

// The line diff is exact: applying every hunk gives the staged content,
// applying none the base, for any pair of texts.
func TestHunksApplyExactly(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	words := []string{"a\n", "b\n", "c\n", "d\n", "e", "\n", "f\r\n"}
	text := func() string {
		var b strings.Builder
		for n := r.Intn(40); n > 0; n-- {
			b.WriteString(words[r.Intn(len(words))])
		}
		return b.String()
	}
	for i := 0; i < 2000; i++ {
		base, after := text(), text()
		f := fileHunks(Staged{Path: "f", Op: OpWrite, Base: "x", After: "y"}, []byte(base), []byte(after))
		all, none := map[string]bool{}, map[string]bool{}
		ids := map[string]bool{}
		for _, h := range f.Hunks {
			all[h.ID] = true
			if ids[h.ID] {
				t.Fatalf("duplicate hunk id in %q → %q", base, after)
			}
			ids[h.ID] = true
		}
		if got := string(f.apply(all)); got != after {
			t.Fatalf("all hunks of %q → %q give %q", base, after, got)
		}
		if got := string(f.apply(none)); got != base {
			t.Fatalf("no hunk of %q → %q gives %q", base, after, got)
		}
		// Each hunk alone changes exactly its lines.
		for _, h := range f.Hunks {
			one := string(f.apply(map[string]bool{h.ID: true}))
			if (one == base) != (h.OldLines == h.NewLines && sameSides(h)) {
				t.Fatalf("hunk %+v alone: %q", h, one)
			}
		}
	}
}

func sameSides(h Hunk) bool {
	for _, l := range h.Lines {
		if l.Kind != " " {
			return false
		}
	}
	return true
}

// Far-apart versions past the edit bound are still exact (one change).
func TestHunksPastTheEditBound(t *testing.T) {
	var a, b strings.Builder
	for i := 0; i < maxEditDistance+10; i++ {
		a.WriteString("a\n")
		b.WriteString("b\n")
	}
	f := fileHunks(Staged{Path: "f", Op: OpWrite, Base: "x", After: "y"}, []byte(a.String()), []byte(b.String()))
	if len(f.Hunks) != 1 || string(f.apply(map[string]bool{f.Hunks[0].ID: true})) != b.String() {
		t.Fatalf("%d hunks", len(f.Hunks))
	}
}
