package search

import (
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// slowMatcher is the query compiled as a plain regex and matched line by
// line, with every shortcut off: the reference the fast paths (literal
// search, whole-word neighbours, string sets, prefilters, empty-match
// forms) must agree with.
func slowMatcher(t *testing.T, q Query) *matcher {
	t.Helper()
	if !q.Regex {
		q.Pattern, q.Regex = regexp.QuoteMeta(q.Pattern), true
	}
	m, err := compile(q)
	if err != nil {
		t.Fatal(err)
	}
	m.lit, m.pre, m.anch, m.reNE, m.nePre = nil, nil, nil, nil, nil
	m.nonEmpty = nonEmptyUnknown
	return m
}

// TestFastPathsAgree runs random queries over random text both ways.
func TestFastPathsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	pieces := []string{"a", "ab", "b", "foo", "Foo", "FOO", "bar", "k", "K", "\u212a", "s", "S", "\u017f", "σ", "ς", "Σ",
		"é", "É", "_", "-", "1", "-1", " ", "  ", "(", ")", "x", "xx", "\xe9", "\ufffd", "\t", "日本", "😀"}
	var b strings.Builder
	for range 3000 {
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		if rng.IntN(20) == 0 {
			b.WriteByte('\r')
		}
		b.WriteByte('\n')
	}
	data := []byte(b.String())
	lits := []string{"a", "ab", "foo", "k", "kk", "s", "ss", "σ", "σς", "é", "-1", "(", "a a", "x", "1", "_"}
	regexes := []string{`foo|bar`, `a|ab`, `ab|a`, `(?:foo|ba)r?`, `k|s`, `σ|é`, `x*`, `a?`, `(?:ab)*`, `b{0,2}`,
		`[ab]x`, `xx|a`, `aa|ab`, `-1|\(`, `foo_|foo`, `\d`, `\w+`, `\p{Greek}+`, `é+`}
	all := func(int) bool { return true }
	for i := range 400 {
		q := Query{CaseSensitive: rng.IntN(2) == 0, WholeWord: rng.IntN(3) == 0}
		if rng.IntN(2) == 0 {
			q.Pattern = lits[rng.IntN(len(lits))]
		} else {
			q.Pattern, q.Regex = regexes[rng.IntN(len(regexes))], true
		}
		fast, err := compile(q)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := fast.find(data, nil, all)
		want, _ := slowMatcher(t, q).find(data, nil, all)
		if !reflect.DeepEqual(got, want) {
			for j := range min(len(got), len(want)) {
				if !reflect.DeepEqual(got[j], want[j]) {
					t.Fatalf("query %d %+v: first difference at result %d:\n fast %+v\n slow %+v", i, q, j, got[j], want[j])
				}
			}
			t.Fatalf("query %d %+v: %d lines fast, %d slow", i, q, len(got), len(want))
		}
	}
}
