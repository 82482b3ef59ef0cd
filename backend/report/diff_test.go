package report

import (
	"strings"
	"testing"
)

// TestUnifiedDiff: hunks as diff -u makes them, for changes, new files,
// deletions, a missing final newline and far-apart changes.
func TestUnifiedDiff(t *testing.T) {
	lines := func(n int, f func(i int) string) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			b.WriteString(f(i) + "\n")
		}
		return b.String()
	}
	num := func(i int) string { return "line " + string(rune('a'+i-1)) }
	for _, tc := range []struct {
		name, before, after string
		bExists, aExists    bool
		want                string
		added, removed      int
	}{
		{"change", "a\nb\nc\n", "a\nB\nc\n", true, true, "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n", 1, 1},
		{"new file", "", "x\ny\n", false, true, "--- /dev/null\n+++ b/f\n@@ -0,0 +1,2 @@\n+x\n+y\n", 2, 0},
		{"deleted", "x\n", "", true, false, "--- a/f\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n", 0, 1},
		{"no final newline", "a\nb", "a\nc", true, true, "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n", 1, 1},
		{"same", "a\n", "a\n", true, true, "", 0, 0},
		{"two hunks", lines(20, num), strings.Replace(strings.Replace(lines(20, num), "line b\n", "line B\n", 1), "line s\n", "", 1), true, true,
			"--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n line a\n-line b\n+line B\n line c\n line d\n line e\n@@ -16,5 +16,4 @@\n line p\n line q\n line r\n-line s\n line t\n", 1, 2},
		{"insert between", "a\nc\n", "a\nb\nc\n", true, true, "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n a\n+b\n c\n", 1, 0},
	} {
		got, added, removed := unifiedDiff("f", tc.before, tc.after, tc.bExists, tc.aExists)
		if got != tc.want || added != tc.added || removed != tc.removed {
			t.Errorf("%s: got (+%d -%d)\n%s\nwant (+%d -%d)\n%s", tc.name, added, removed, got, tc.added, tc.removed, tc.want)
		}
	}
}

// TestEditScriptIsMinimalAndApplies: the script turns a into b with the
// fewest edits on interleaved changes.
func TestEditScriptIsMinimalAndApplies(t *testing.T) {
	a := splitKeep("a\nb\nc\na\nb\nb\na\n")
	b := splitKeep("c\nb\na\nb\na\nc\n")
	ops := editScript(a, b)
	var olds, news []string
	edits := 0
	for _, op := range ops {
		if op.kind != '+' {
			olds = append(olds, op.line)
		}
		if op.kind != '-' {
			news = append(news, op.line)
		}
		if op.kind != ' ' {
			edits++
		}
	}
	if strings.Join(olds, "") != strings.Join(a, "") || strings.Join(news, "") != strings.Join(b, "") {
		t.Fatalf("script does not turn a into b: %v", ops)
	}
	if edits != 5 { // Myers' paper: D = 5 for ABCABBA → CBABAC
		t.Errorf("%d edits, want 5", edits)
	}
}
