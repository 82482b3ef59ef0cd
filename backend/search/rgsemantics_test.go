package search

import (
	"fmt"
	"strings"
	"testing"
)

// TestSearchAsRipgrep holds the cases where the Studio once differed from
// rg 13 (issue 18); each row's want is what rg prints for it.
func TestSearchAsRipgrep(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"w.txt": "café caf\n" + // 1
			"caf-x\n" + // 2
			"n := len(x)\n" + // 3
			"if len( y\n" + // 4
			"x-1 and -1 and (-1)\n" + // 5
			"iñvalid i\n" + // 6
			"a a a\n" + // 7
			"foo_bar foo\n", // 8
		"k.txt": "\u212a\u212a\u212a\u212a\n" + // Kelvin signs
			"kkkk\n" +
			"maſs and MASS\n" +
			"ΣΊΣΥΦΟΣ σίσυφος\n" +
			"plain\n",
		"u.txt": "١٢٣ digits\n" + // Arabic-Indic digits
			"x\u00a0y\n" + // no-break space
			"naïve\n",
		"latin1.txt": "caf\xe9 ok\n" + "i\xf1valid\n",
	}
	write(t, root, files)
	src := Source{Root: root, Targets: targetsOf(files)}
	for _, c := range []struct {
		name string
		q    Query
		want []string
	}{
		{"whole word needs a non-word neighbour (é is a letter)", Query{Pattern: "caf", WholeWord: true, Include: []string{"w.txt"}},
			[]string{"w.txt:1:[[5 8]]", "w.txt:2:[[0 3]]"}},
		{"whole word of a pattern ending in a non-word character", Query{Pattern: "len(", WholeWord: true, CaseSensitive: true},
			[]string{"w.txt:4:[[3 7]]"}},
		{"whole word of a pattern beginning with a non-word character", Query{Pattern: "-1", WholeWord: true},
			[]string{"w.txt:5:[[8 10] [16 18]]"}},
		{"whole word: ñ is a letter", Query{Pattern: "i", WholeWord: true, CaseSensitive: true, Include: []string{"w.txt"}},
			[]string{"w.txt:6:[[8 9]]"}},
		{"whole word: adjacent words all match", Query{Pattern: "a", WholeWord: true, CaseSensitive: true, Include: []string{"w.txt"}},
			[]string{"w.txt:7:[[0 1] [2 3] [4 5]]"}},
		{"whole word: _ is a word character", Query{Pattern: "foo", WholeWord: true, Include: []string{"w.txt"}},
			[]string{"w.txt:8:[[8 11]]"}},
		{"an invalid byte is not a word boundary's neighbour", Query{Pattern: "caf", WholeWord: true, Include: []string{"latin1.txt"}},
			nil},
		{"an invalid byte is not matched by .", Query{Pattern: `caf.`, Regex: true, Include: []string{"latin1.txt"}},
			nil},
		{"a negated class does not match an invalid byte", Query{Pattern: `i[^a-z]valid`, Regex: true, Include: []string{"latin1.txt"}},
			nil},
		{"case-insensitive literal folds the Kelvin sign", Query{Pattern: "kkkk"},
			[]string{"k.txt:1:[[0 4]]", "k.txt:2:[[0 4]]"}}, // ranges count UTF-16 units
		{"case-insensitive literal folds long s", Query{Pattern: "mass"},
			[]string{"k.txt:3:[[0 4] [9 13]]"}},
		{"case-insensitive literal folds final sigma", Query{Pattern: "σίσυφοσ"},
			[]string{"k.txt:4:[[0 7] [8 15]]"}},
		{"a case-sensitive literal does not fold", Query{Pattern: "kkkk", CaseSensitive: true},
			[]string{"k.txt:2:[[0 4]]"}},
		{`\d is any decimal digit`, Query{Pattern: `\d+ digits`, Regex: true},
			[]string{"u.txt:1:[[0 10]]"}},
		{`\s is Unicode white space`, Query{Pattern: `x\sy`, Regex: true},
			[]string{"u.txt:2:[[0 3]]"}},
		{`\w is a Unicode word character`, Query{Pattern: `^\w+$`, Regex: true, Include: []string{"u.txt"}},
			[]string{"u.txt:3:[[0 5]]"}},
		{`[\w] too`, Query{Pattern: `^na[\w]ve`, Regex: true},
			[]string{"u.txt:3:[[0 5]]"}},
		{"a set of strings: the first alternative that matches at a place wins", Query{Pattern: `foo_|foo_bar`, Regex: true, CaseSensitive: true},
			[]string{"w.txt:8:[[0 4]]"}},
		{"a set of strings: the longer one first", Query{Pattern: `foo_bar|foo_`, Regex: true, CaseSensitive: true},
			[]string{"w.txt:8:[[0 7]]"}},
		{"a whole-word set of strings: a later alternative when the first is no whole word", Query{Pattern: `foo_|foo_bar`, Regex: true, CaseSensitive: true, WholeWord: true},
			[]string{"w.txt:8:[[0 7]]"}},
		{"a whole-word set of strings: adjacent words", Query{Pattern: `a|and`, Regex: true, CaseSensitive: true, WholeWord: true, Include: []string{"w.txt"}},
			[]string{"w.txt:5:[[4 7] [11 14]]", "w.txt:7:[[0 1] [2 3] [4 5]]"}},
		{"a set of strings with an optional letter, every place", Query{Pattern: `an?d`, Regex: true, CaseSensitive: true},
			[]string{"k.txt:3:[[5 8]]", "w.txt:5:[[4 7] [11 14]]"}},
		{"a regex beginning with a Greek letter", Query{Pattern: `\p{Greek}{3}`, Regex: true, CaseSensitive: true},
			[]string{"k.txt:4:[[0 3] [3 6] [8 11] [11 14]]"}},
		{"alternation with case folding", Query{Pattern: `kkkk|plain`, Regex: true},
			[]string{"k.txt:1:[[0 4]]", "k.txt:2:[[0 4]]", "k.txt:5:[[0 5]]"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, _ := collect(t, src, c.q)
			for i := range got {
				got[i] = got[i][:strings.Index(got[i], "]] ")+2]
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// TestTextPrefix: a file with a NUL byte is searched as ripgrep reads it,
// up to the 64 KiB buffer of whole lines holding the NUL.
func TestTextPrefix(t *testing.T) {
	line := strings.Repeat("x", 99) + "\n" // 100 bytes
	big := strings.Repeat(line, 1000)      // 100,000 bytes
	for _, c := range []struct {
		name string
		data string
		want int
	}{
		{"no NUL", "abc\n", 4},
		{"NUL in the first buffer", "abc\n\x00", 0},
		{"NUL in the second buffer", big + "\x00", 65500},
		// One line longer than the buffer: it grows, and the NUL is read with it.
		{"NUL in a long line", strings.Repeat("y", 70000) + "\x00\n", 0},
		// The buffer grew to 192 KiB for the long line: the whole lines in it
		// are searched, then the next fill meets the NUL.
		{"NUL after a long line", strings.Repeat("y", 70000) + "\n" + big + big + big + "\x00", 196601},
	} {
		if got := textPrefix([]byte(c.data)); got != c.want {
			t.Errorf("%s: textPrefix = %d, want %d", c.name, got, c.want)
		}
	}
}

// TestEmptyMatchRanges: a regex that may match empty reports its
// non-empty matches as ranges (as rg), or the first empty one.
func TestEmptyMatchRanges(t *testing.T) {
	for _, c := range []struct {
		expr, line string
		want       string
	}{
		{`a*`, "baaab a", "[[1 4] [6 7]]"},
		{`a*`, "bbb", "[[0 0]]"},
		{`(?:ab|a)*`, "xaab", "[[1 4]]"},
		{`a?`, "ba", "[[1 2]]"},
		{`a{0,2}`, "aaa", "[[0 2] [2 3]]"},
		{`a*?`, "aa", "[[0 0]]"},
		{`^`, "abc", "[[0 0]]"},
		{`\s*$`, "ab  ", "[[2 4]]"},
	} {
		m, err := compile(Query{Pattern: c.expr, Regex: true, CaseSensitive: true})
		if err != nil {
			t.Fatal(err)
		}
		lm, ok := m.reLine(1, []byte(c.line))
		if got := fmt.Sprint(lm.Ranges); !ok || got != c.want {
			t.Errorf("%q on %q: ranges %s (matched %v), want %s", c.expr, c.line, got, ok, c.want)
		}
	}
}
