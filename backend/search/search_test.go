package search

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func write(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func targetsOf(files map[string]string) []Target {
	var out []Target
	for p, c := range files {
		out = append(out, Target{Path: p, Hash: "h-" + fmt.Sprint(len(c)), Size: int64(len(c))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// collect runs a search and returns "path:line:[ranges] text" lines, sorted.
func collect(t testing.TB, src Source, q Query) ([]string, Stats) {
	t.Helper()
	var rs []FileResult
	st, err := Run(context.Background(), src, q, func(b []FileResult) { rs = append(rs, b...) })
	if err != nil {
		t.Fatalf("Run(%+v): %v", q, err)
	}
	var out []string
	for _, r := range rs {
		for _, m := range r.Matches {
			out = append(out, fmt.Sprintf("%s:%d:%v %s", r.Path, m.Line, m.Ranges, m.Text))
		}
	}
	sort.Strings(out)
	return out, st
}

func TestSearchMatching(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"a.go":          "package a\n\nfunc Foo() {}\nfunc foobar() { Foo(); Foo() }\n",
		"b/readme.md":   "FOO is loud\nnothing here\r\nfood\n",
		"b/uni.txt":     "héllo wörld 😀 Foo\n",
		"c/deep/x.go":   "// Foo_bar Foo2 xFoo\n",
		"vendor/lib.go": "Foo vendored\n",
	}
	write(t, root, files)
	src := Source{Root: root, Targets: targetsOf(files)}
	cases := []struct {
		name string
		q    Query
		want []string
	}{
		{"literal is case-insensitive by default", Query{Pattern: "foo"}, []string{
			"a.go:3:[[5 8]] func Foo() {}",
			"a.go:4:[[5 8] [16 19] [23 26]] func foobar() { Foo(); Foo() }",
			"b/readme.md:1:[[0 3]] FOO is loud",
			"b/readme.md:3:[[0 3]] food",
			"b/uni.txt:1:[[15 18]] héllo wörld 😀 Foo", // 😀 is two UTF-16 units
			"c/deep/x.go:1:[[3 6] [11 14] [17 20]] // Foo_bar Foo2 xFoo",
			"vendor/lib.go:1:[[0 3]] Foo vendored",
		}},
		{"case-sensitive literal", Query{Pattern: "Foo(", CaseSensitive: true}, []string{
			"a.go:3:[[5 9]] func Foo() {}",
			"a.go:4:[[16 20] [23 27]] func foobar() { Foo(); Foo() }",
		}},
		{"whole word", Query{Pattern: "Foo", CaseSensitive: true, WholeWord: true, Include: []string{"*.go"}, Exclude: []string{"vendor"}}, []string{
			"a.go:3:[[5 8]] func Foo() {}",
			"a.go:4:[[16 19] [23 26]] func foobar() { Foo(); Foo() }",
		}},
		{"regex with a literal", Query{Pattern: `func \w+\(\)`, Regex: true}, []string{
			"a.go:3:[[0 10]] func Foo()",
			"a.go:4:[[0 13]] func foobar()",
		}},
		{"regex without a literal, CRLF line", Query{Pattern: `^n\w+ing`, Regex: true}, []string{
			"b/readme.md:2:[[0 7]] nothing here",
		}},
		{"a regex matching only the empty string reports its line, as rg", Query{Pattern: `^$`, Regex: true, Include: []string{"a.go"}}, []string{
			"a.go:2:[[0 0]]",
		}},
		{"a regex that may match empty reports every line (z*)", Query{Pattern: `z*`, Regex: true, Include: []string{"a.go"}}, []string{
			"a.go:1:[[0 0]] package a",
			"a.go:2:[[0 0]]",
			"a.go:3:[[0 0]] func Foo() {}",
			"a.go:4:[[0 0]] func foobar() { Foo(); Foo() }",
		}},
		{"an empty match at the end of a line is at its end ($)", Query{Pattern: `a$`, Regex: true, Include: []string{"a.go"}}, []string{
			"a.go:1:[[8 9]] package a",
		}},
		{"non-ASCII case folding", Query{Pattern: "WÖRLD"}, []string{
			"b/uni.txt:1:[[6 11]] héllo wörld 😀 Foo",
		}},
		{"path filter with a slash", Query{Pattern: "foo", Include: []string{"c/**/*.go"}}, []string{
			"c/deep/x.go:1:[[3 6] [11 14] [17 20]] // Foo_bar Foo2 xFoo",
		}},
		{"folder prefix filter", Query{Pattern: "foo", Include: []string{"b"}, Exclude: []string{"*.txt"}}, []string{
			"b/readme.md:1:[[0 3]] FOO is loud",
			"b/readme.md:3:[[0 3]] food",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, _ := collect(t, src, c.q)
			// Compare without the line text prefix for the regex cases: text is the whole line.
			for i := range got {
				got[i] = strings.TrimRight(got[i], " ")
			}
			want := append([]string(nil), c.want...)
			sort.Strings(want)
			if len(got) != len(want) {
				t.Fatalf("got %d lines, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
			}
			for i := range want {
				// Regex rows list the whole line; the want rows may show a prefix.
				if !strings.HasPrefix(got[i], want[i]) {
					t.Errorf("line %d:\n got %s\nwant %s", i, got[i], want[i])
				}
			}
		})
	}
}

func TestSearchErrors(t *testing.T) {
	src := Source{Root: t.TempDir()}
	for _, c := range []struct {
		q    Query
		want error
	}{
		{Query{}, ErrEmptyQuery},
		{Query{Pattern: "a(b", Regex: true}, ErrBadRegex},
		{Query{Pattern: "x", Include: []string{"a/[b"}}, ErrBadGlob},
	} {
		if _, err := Run(context.Background(), src, c.q, func([]FileResult) {}); !errors.Is(err, c.want) {
			t.Errorf("Run(%+v) = %v, want %v", c.q, err, c.want)
		}
		if err := Validate(c.q); !errors.Is(err, c.want) {
			t.Errorf("Validate(%+v) = %v, want %v", c.q, err, c.want)
		}
	}
	// A bad pattern is explained as the user wrote it: not with the case
	// flag or the word boundaries the search adds to it.
	for _, q := range []Query{{Pattern: "a(b", Regex: true}, {Pattern: "a(b", Regex: true, WholeWord: true}, {Pattern: "x[", Regex: true, CaseSensitive: true}} {
		err := Validate(q)
		if err == nil || strings.Contains(err.Error(), "(?i)") || strings.Contains(err.Error(), `\b`) || !strings.Contains(err.Error(), q.Pattern[:1]) {
			t.Errorf("Validate(%+v) = %v", q, err)
		}
	}
}

func TestSearchCapAndCancel(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{}
	for i := range 50 {
		files[fmt.Sprintf("f%02d.txt", i)] = strings.Repeat("needle hay\n", 100)
	}
	write(t, root, files)
	src := Source{Root: root, Targets: targetsOf(files)}
	got, st := collect(t, src, Query{Pattern: "needle", MaxResults: 120})
	if !st.Truncated || st.Matches != 120 || len(got) < 120 || len(got) >= 5000 {
		t.Errorf("capped search: %d lines, stats %+v; want truncated at 120", len(got), st)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, src, Query{Pattern: "needle"}, func([]FileResult) {}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled search returned %v", err)
	}
}

func TestLongLinePreview(t *testing.T) {
	line := strings.Repeat("x", 5000) + "NEEDLE" + strings.Repeat("y", 5000)
	m, _ := compile(Query{Pattern: "needle"})
	lines, _ := m.find([]byte(line), nil, func(int) bool { return true })
	if len(lines) != 1 {
		t.Fatalf("got %d lines", len(lines))
	}
	lm := lines[0]
	r := lm.Ranges[0]
	if len([]rune(lm.Text)) > 2*maxPreviewRunes+2 || string([]rune(lm.Text)[r[0]:r[1]]) != "NEEDLE" {
		t.Errorf("preview %q ranges %v", lm.Text, lm.Ranges)
	}
}

func TestLiteralAnalysis(t *testing.T) {
	// The prefilter: the most selective set every match holds a string of.
	for _, c := range []struct {
		expr   string
		nocase bool
		want   []string // nil: no prefilter
		fold   bool
	}{
		{expr: `func \w+\(ctx context\.Context`, want: []string{"(ctx context.Context"}},
		{expr: `\d{4}-\d{2}`, want: []string{"-"}},
		{expr: `(foo|bar)baz`, want: []string{"barbaz", "foobaz"}},
		{expr: `foo|bar|baz`, want: []string{"bar", "baz", "foo"}},
		{expr: `(?:abcd)+x?`, want: []string{"abcd"}},
		{expr: `colou?r`, want: []string{"color", "colour"}},
		{expr: `a*bcd`, want: []string{"bcd"}},
		{expr: `x?`},
		{expr: `^$`},
		{expr: `[ab]cd`, want: []string{"acd", "bcd"}},
		{expr: `Foo\s+barbaz`, nocase: true, want: []string{"barbaz"}, fold: true},
		{expr: `σ`, nocase: true, want: []string{"Σ", "ς", "σ"}},
		{expr: `foo|ba`, nocase: true, want: []string{"ba", "foo"}, fold: true},
		{expr: `ok`, nocase: true, want: []string{"ok"}, fold: true},
		// A folded ASCII run next to a non-ASCII letter is spelt out.
		{expr: `café`, nocase: true, want: []string{"CAFÉ", "CAFé", "CAfÉ", "CAfé", "CaFÉ", "CaFé", "CafÉ", "Café", "cAFÉ", "cAFé", "cAfÉ", "cAfé", "caFÉ", "caFé", "cafÉ", "café"}},
	} {
		q := Query{Pattern: c.expr, Regex: true, CaseSensitive: !c.nocase}
		m, err := compile(q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		fold := false
		if m.pre != nil {
			got, fold = m.pre.strings(), m.pre.fold
		}
		if !reflect.DeepEqual(got, c.want) || fold != c.fold {
			t.Errorf("prefilter(%q, nocase %v) = %q fold %v, want %q fold %v", c.expr, c.nocase, got, fold, c.want, c.fold)
		}
	}
	// The index: every set whose strings have three characters or more;
	// an alternation is an OR of its branches.
	for expr, want := range map[string]string{
		`foo|bar|baz`:  `(("bar") OR ("baz") OR ("foo"))`,
		`\d{4}-\d{2}`:  ``,
		`(?i)ERRno|xy`: ``,
		`(?i)σσσ`:      `(("ςςς") OR ("ςςσ") OR ("ςσς") OR ("ςσσ") OR ("σςς") OR ("σςσ") OR ("σσς") OR ("σσσ"))`,
		`(?i)Hello`:    `"hel" AND "ell" AND "llo"`,
	} {
		m, err := compile(Query{Pattern: expr, Regex: true, CaseSensitive: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := setsQuery(m.sets); got != want {
			t.Errorf("index query of %q = %s, want %s", expr, got, want)
		}
	}
	// Which regexes are matched as a set of strings, and which begin with
	// one of a few bytes.
	for expr, want := range map[string]string{
		`foo|bar|baz`: "set", `(?i)σ`: "set", `colou?r`: "set", `^foo|bar`: "regex", `foo\b`: "regex",
		`\p{Greek}{3,}`: "first bytes [205 206 207 225 226 234 240]", `[A-Z][a-z]+`: "regex", `(?i)\d+`: "regex",
	} {
		m, err := compile(Query{Pattern: expr, Regex: true, CaseSensitive: true})
		if err != nil {
			t.Fatal(err)
		}
		got := "regex"
		switch {
		case m.anch != nil:
			got = "set"
		case m.pre != nil && m.pre.byteOnly:
			got = fmt.Sprintf("first bytes %v", m.pre.starts)
		}
		if got != want {
			t.Errorf("%q is matched as %s, want %s", expr, got, want)
		}
	}
	// A regex that may match empty: where its non-empty matches must be.
	for expr, want := range map[string]string{
		`x*`: "set [x]", `^`: "never", `^$|\b`: "never", `(a|b)?c*`: "set [a b c]", `.*`: "unknown", `x+`: "not empty",
	} {
		m, err := compile(Query{Pattern: expr, Regex: true, CaseSensitive: true})
		if err != nil {
			t.Fatal(err)
		}
		got := "not empty"
		switch {
		case !m.emptyOK:
		case m.nonEmpty == nonEmptyNever:
			got = "never"
		case m.nonEmpty == nonEmptySet:
			got = fmt.Sprintf("set %v", m.nePre.strings())
		default:
			got = "unknown"
		}
		if got != want {
			t.Errorf("non-empty matches of %q: %s, want %s", expr, got, want)
		}
	}
	// (?i)k also matches the Kelvin sign: no ASCII prefilter may drop it.
	root := t.TempDir()
	write(t, root, map[string]string{"k.txt": "temperature 5 \u212a\n"})
	got, _ := collect(t, Source{Root: root, Targets: targetsOf(map[string]string{"k.txt": ""})}, Query{Pattern: `\d K`, Regex: true})
	if len(got) != 1 {
		t.Errorf("case-insensitive regex missed the Kelvin sign: %v", got)
	}
}

func TestMatchPath(t *testing.T) {
	for _, c := range []struct {
		path     string
		inc, exc []string
		want     bool
	}{
		{"src/a.go", nil, nil, true},
		{"src/a.go", []string{"*.go"}, nil, true},
		{"src/a.go", []string{"*.ts"}, nil, false},
		{"src/a.go", []string{"src"}, nil, true},
		{"src/a.go", []string{"src/"}, nil, true},
		{"lib/src/a.go", []string{"/src/**"}, nil, false},
		{"src/x/a.go", []string{"src/**/*.go"}, nil, true},
		{"src/a.go", nil, []string{"src"}, false},
		{"node/a.go", []string{"*.go"}, []string{"node"}, false},
		{"a.go", []string{" *.go "}, nil, true},
	} {
		if got := MatchPath(c.path, c.inc, c.exc); got != c.want {
			t.Errorf("MatchPath(%q, %q, %q) = %v, want %v", c.path, c.inc, c.exc, got, c.want)
		}
	}
}

func TestFuzzy(t *testing.T) {
	paths := []string{
		"backend/studio/studio.go",
		"backend/studio/studio_test.go",
		"backend/search/search.go",
		"frontend/src/components/StudioView.tsx",
		"docs/setup.md",
		"scripts/setup",
	}
	got := Fuzzy(paths, "stgo", 10)
	if len(got) < 2 || got[0].Path != "backend/studio/studio.go" {
		t.Errorf("Fuzzy(stgo) = %+v, want studio.go first", got)
	}
	if got := Fuzzy(paths, "StudioView", 10); len(got) != 1 || got[0].Path != "frontend/src/components/StudioView.tsx" {
		t.Errorf("Fuzzy(StudioView) (smart case) = %+v", got)
	}
	if got := Fuzzy(paths, "zzz", 10); len(got) != 0 {
		t.Errorf("Fuzzy(zzz) = %+v, want nothing", got)
	}
	got = Fuzzy(paths, "setup", 10)
	if len(got) != 2 || got[0].Path != "scripts/setup" {
		t.Errorf("Fuzzy(setup) = %+v, want the shorter exact name first", got)
	}
	for _, m := range got {
		for i, p := range m.Positions {
			if !strings.EqualFold(m.Path[p:p+1], "setup"[i:i+1]) {
				t.Errorf("%s: position %d = %q, want %q", m.Path, p, m.Path[p:p+1], "setup"[i:i+1])
			}
		}
	}
	if got := Fuzzy([]string{"a/😀/b.go"}, "bgo", 5); len(got) != 1 || !reflect.DeepEqual(got[0].Positions, []int{5, 7, 8}) {
		t.Errorf("UTF-16 positions: %+v", got)
	}
	if got := Fuzzy(paths, "", 3); len(got) != 3 {
		t.Errorf("empty query listed %d", len(got))
	}
}

// TestIndexNarrowsWithoutChangingResults checks, over random files and
// queries, that a search with the index finds exactly what a search that
// reads every file finds, while reading fewer files.
// indexedTargets is the written files as targets at their real hashes,
// and an index that holds them (closed when the test ends).
func indexedTargets(t *testing.T, root string, files map[string]string) ([]Target, *Index) {
	t.Helper()
	targets := targetsOf(files)
	docs := make([]Doc, 0, len(targets))
	for i, tg := range targets {
		targets[i].Hash = hashFile(t, filepath.Join(root, tg.Path))
		docs = append(docs, Doc{Path: tg.Path, Hash: targets[i].Hash, Size: tg.Size})
	}
	ix, err := Open(filepath.Join(t.TempDir(), "ix.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if _, err := ix.Sync(context.Background(), root, docs, nil); err != nil {
		t.Fatal(err)
	}
	return targets, ix
}

func TestIndexNarrowsWithoutChangingResults(t *testing.T) {
	root := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 9))
	words := []string{"alpha", "beta", "gamma", "delta", "Epsilon", "zeta", "eta", "théta", "iota", "kappa", "λambda", "mu"}
	files := map[string]string{}
	for i := range 120 {
		var b strings.Builder
		for l := range 40 + rng.IntN(80) {
			for w := range 1 + rng.IntN(8) {
				if w > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(words[rng.IntN(len(words))])
			}
			if l%97 == 0 {
				b.WriteString(strings.Repeat(" pad", 3000)) // crosses a chunk boundary
			}
			b.WriteByte('\n')
		}
		if i%17 == 0 {
			b.WriteString("rare quetzal\n")
		}
		if i%29 == 0 {
			b.WriteString("a Xylophone-like line\n")
		}
		if i%31 == 0 {
			b.WriteString(fmt.Sprintf("call 555-%02d now\n", i%100))
		}
		files[fmt.Sprintf("d%d/f%03d.txt", i%7, i)] = b.String()
	}
	write(t, root, files)
	targets, ix := indexedTargets(t, root, files)
	queries := []Query{
		{Pattern: "kappa mu"}, {Pattern: "KAPPA"}, {Pattern: "Epsilon", CaseSensitive: true},
		{Pattern: "théta iota"}, {Pattern: "ΛAMBDA"}, {Pattern: `gamma\s+delta`, Regex: true},
		{Pattern: "eta", WholeWord: true}, {Pattern: "alpha beta gamma delta"}, {Pattern: "mu"},
		{Pattern: "quetzal"}, {Pattern: "xylophone"}, {Pattern: `rare\s+quetzal`, Regex: true}, {Pattern: "XYLOPHONE-like", WholeWord: true},
		{Pattern: `[0-9]{3}-[0-9]{2}`, Regex: true}, {Pattern: `(?i)q[uv]etz`, Regex: true},
		// An alternation narrows by the OR of its branches.
		{Pattern: `QUETZAL|xylophone`, Regex: true}, {Pattern: `quetzal|xylophone`, Regex: true, CaseSensitive: true},
	}
	for _, q := range queries {
		q.MaxResults = MaxMaxResults
		plain, _ := collect(t, Source{Root: root, Targets: targets}, q)
		indexed, st := collect(t, Source{Root: root, Targets: targets, Index: ix}, q)
		if !reflect.DeepEqual(plain, indexed) {
			t.Errorf("%+v: %d results with the index, %d without", q, len(indexed), len(plain))
		}
		if len(plain) == 0 && q.Pattern != "alpha beta gamma delta" {
			t.Errorf("%+v found nothing: the test data is wrong", q)
		}
		t.Logf("%q: %d lines, read %d files, skipped %d (index %v)", q.Pattern, len(plain), st.Files, st.Skipped, st.UsedIndex)
		low := strings.ToLower(q.Pattern)
		if rare := strings.Contains(low, "quetzal") || strings.Contains(low, "xylophone") || strings.Contains(low, "etz") || strings.Contains(low, `[0-9]{3}`); rare && (st.Skipped < 100 || !st.UsedIndex) {
			t.Errorf("%q is in %d lines but the index ruled out only %d of 120 files", q.Pattern, len(plain), st.Skipped)
		}
	}
	// A file changed after indexing (stale hash) is read, not trusted.
	stale := targets[0]
	write(t, root, map[string]string{stale.Path: "a brand new quokka\n"})
	targets[0].Hash = "changed"
	got, _ := collect(t, Source{Root: root, Targets: targets, Index: ix}, Query{Pattern: "quokka"})
	if len(got) != 1 {
		t.Errorf("stale file not searched: %v", got)
	}
}

func TestTrigramGroups(t *testing.T) {
	for _, c := range []struct {
		expr string
		want []string // groups joined with |
	}{
		{`abcd`, []string{"abc", "bcd"}},
		{`\d-x`, []string{"0-x|1-x|2-x|3-x|4-x|5-x|6-x|7-x|8-x|9-x"}},
		{`a\w+b`, nil},                   // \w is too large a class
		{`ab(c|d)`, []string{"abc|abd"}}, // simplified to a class
		{`ab(cd|ef)`, nil},               // alternation: unknown
		{`x{3}y`, []string{"xxx", "xxy"}},
		{`^abc$`, []string{"abc"}},
		{`(?i)ab`, nil}, // only two positions
		{`(?i)abc`, []string{"ABC|ABc|AbC|Abc|aBC|aBc|abC|abc"}},
	} {
		var got []string
		for _, g := range trigramGroups(c.expr) {
			got = append(got, strings.Join(g, "|"))
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("trigramGroups(%q) = %q, want %q", c.expr, got, c.want)
		}
	}
	if g := trigramGroups(`\d{4}-\d{2}-\d{2}`); len(g) == 0 || len(g) > maxQueryGroups {
		t.Errorf("date pattern: %d groups", len(g))
	}
}

// TestIndexUnicodeClass: \d is Unicode (as in rg), yet the index still
// narrows a search for it: chunks by their ASCII digit trigrams, or by the
// mark of a digit outside ASCII.
func TestIndexUnicodeClass(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"ascii.txt":  "call 555-12 now\n",
		"arabic.txt": "رقم ١٢٣-٤٥ هنا\n",
		"mixed.txt":  "café 987-65\n",
	}
	for i := range 60 {
		line := "no digits in this line\n"
		if i%2 == 0 {
			line = "pas de chiffres ici, déjà\n" // outside ASCII, but no digit there
		}
		files[fmt.Sprintf("plain%02d.txt", i)] = strings.Repeat(line, 20)
	}
	write(t, root, files)
	targets, ix := indexedTargets(t, root, files)
	for _, q := range []Query{{Pattern: `\d{3}-\d{2}`, Regex: true}, {Pattern: `\d\d\d-`, Regex: true}} {
		plain, _ := collect(t, Source{Root: root, Targets: targets}, q)
		indexed, st := collect(t, Source{Root: root, Targets: targets, Index: ix}, q)
		if len(plain) != 3 || !reflect.DeepEqual(plain, indexed) {
			t.Errorf("%q: %q with the index, %q without", q.Pattern, indexed, plain)
		}
		if !st.UsedIndex || st.Skipped != 60 {
			t.Errorf("%q: the index ruled out %d of the 60 files without digits (used %v)", q.Pattern, st.Skipped, st.UsedIndex)
		}
	}
}

// TestLowerASCII checks the eight-bytes-at-a-time lower-casing against
// the byte-at-a-time rule on every byte value, at every alignment.
func TestLowerASCII(t *testing.T) {
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
	}
	all = append(all, all...)
	for start := range 9 {
		in := all[start:]
		got := lowerASCII(nil, in)
		for i, c := range in {
			want := c
			if 'A' <= c && c <= 'Z' {
				want = c + 32
			}
			if got[i] != want {
				t.Fatalf("lowerASCII(%#x) = %#x at offset %d, want %#x", c, got[i], start, want)
			}
		}
	}
}

// TestIndexFoldsAsTheSearch: the index asks for one case form of each
// trigram (setsQuery lower-cases them), which is sound only because FTS5
// folds the indexed text the same way, also for the Kelvin sign, the long
// s and the final sigma; were it not so, these files would be ruled out.
func TestIndexFoldsAsTheSearch(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"kelvin.txt": "\u212a\u212a\u212a\u212a\n",
		"longs.txt":  "ma\u017f\u017f\u017f\n",
		"sigma.txt":  "\u03c2\u03c2\u03c2 \u03a3\u03a3\u03a3\n",
		"eszett.txt": "\u1e9e\u1e9e\u1e9e\n",
	}
	for i := range 20 {
		files[fmt.Sprintf("other%02d.txt", i)] = "nothing to see\n"
	}
	write(t, root, files)
	targets, ix := indexedTargets(t, root, files)
	for _, c := range []struct {
		q    Query
		want string
	}{
		{Query{Pattern: "kkkk"}, "kelvin.txt"},
		{Query{Pattern: "ssss", Regex: true}, ""},
		{Query{Pattern: "masss"}, "longs.txt"},
		{Query{Pattern: "σσσ"}, "sigma.txt"},
		{Query{Pattern: "ßßß"}, "eszett.txt"},
		{Query{Pattern: `(?i)k{4}|zzz`, Regex: true}, "kelvin.txt"},
	} {
		got, st := collect(t, Source{Root: root, Targets: targets, Index: ix}, c.q)
		var paths []string
		for _, g := range got {
			paths = append(paths, g[:strings.Index(g, ":")])
		}
		if strings.Join(paths, ",") != c.want || (c.want != "" && (!st.UsedIndex || st.Skipped < 20)) {
			t.Errorf("%q with the index: %v (used %v, ruled out %d), want %q", c.q.Pattern, paths, st.UsedIndex, st.Skipped, c.want)
		}
	}
}
