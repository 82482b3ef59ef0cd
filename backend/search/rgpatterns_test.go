package search_test

import "github.com/ice-studio/ice-studio/backend/search"

// rgPattern is one search, as a search.Query and as the ripgrep arguments
// that ask rg the same thing: -s or -i for the letter case, -w for whole
// words, -F for a literal (the Studio's non-regex query).
type rgPattern struct {
	name string
	q    search.Query
	rg   []string
}

// Helpers for the table: a literal and a regex, case-sensitive or not,
// whole word or not.
func lit(name, p string, caseSensitive, word bool) rgPattern {
	return mk(name, search.Query{Pattern: p, CaseSensitive: caseSensitive, WholeWord: word}, "-F")
}

func re(name, p string, caseSensitive, word bool) rgPattern {
	return mk(name, search.Query{Pattern: p, Regex: true, CaseSensitive: caseSensitive, WholeWord: word})
}

func mk(name string, q search.Query, extra ...string) rgPattern {
	args := []string{"-i"}
	if q.CaseSensitive {
		args = []string{"-s"}
	}
	if q.WholeWord {
		args = append(args, "-w")
	}
	args = append(args, extra...)
	return rgPattern{name: name, q: q, rg: append(args, "-e", q.Pattern)}
}

// rgPatterns are the 40 searches of the differential test
// (TestRipgrepDifferential, on a generated corpus) and of the benchmark
// (BenchmarkSearch40, on the Go source tree and node_modules).
var rgPatterns = []rgPattern{
	// Literals.
	lit("lit-rare", "ErrUnexpectedEOF", true, false),
	lit("lit-common", "func", true, false),
	lit("lit-nocase", "errunexpectedeof", false, false),
	lit("lit-punct", "len(", true, false),
	lit("lit-minus-1", "-1", true, false),
	lit("lit-cafe", "café", true, false),
	lit("lit-cjk", "日本語", true, false),
	lit("lit-emoji", "😀", true, false),
	// Case-insensitive, where Unicode folding differs from ASCII's.
	lit("nocase-sigma", "σ", false, false),
	lit("nocase-sophia", "ΣΟΦΊΑ", false, false),
	lit("nocase-kkkk", "kkkk", false, false),
	lit("nocase-kelvin", "kelvin", false, false),
	lit("nocase-class", "class", false, false),
	lit("nocase-strasse", "straße", false, false),
	lit("nocase-cafe", "CAFÉ", false, false),
	// Whole words.
	lit("word-caf", "caf", false, true),
	lit("word-len(", "len(", true, true),
	lit("word-minus-1", "-1", true, true),
	lit("word-x-1", "x-1", true, true),
	lit("word-i", "i", true, true),
	lit("word-func", "func", true, true),
	lit("word-sigma", "σς", false, true),
	// Regexes with a literal, alternations.
	re("re-literal", `func \w+\(ctx context\.Context`, true, false),
	re("re-alt", `foo|bar|baz`, true, false),
	re("re-alt-nocase", `foo|bar|baz`, false, false),
	re("re-alt-word", `foo|bar|baz`, true, true),
	re("re-anchored", `^package \w+`, true, false),
	re("re-end", `\)$`, true, false),
	re("re-boundary", `\bcaf\b`, true, false),
	// Regexes with no literal.
	re("re-date", `\d{4}-\d{2}-\d{2}`, true, false),
	re("re-camel", `[A-Z][a-z]+[A-Z]`, true, false),
	re("re-hex", `0x[0-9a-f]+`, true, false),
	re("re-greek", `\p{Greek}{3,}`, true, false),
	re("re-word-line", `^\w+$`, true, false),
	re("re-blank", `^\s+$`, true, false),
	re("re-kelvin-class", `[k]{4}`, false, false),
	re("re-dot", `i.valid`, true, false),
	// Regexes that match the empty string.
	re("empty-line", `^$`, true, false),
	re("empty-xstar", `x*`, true, false),
	re("empty-caret", `^`, true, false),
}

// knownDifference is a difference from rg that the Studio keeps by design:
// the pattern (by name) and the file where it shows, and why. The README
// lists them.
type knownDifference struct {
	pattern, path string // path "" = every file
	reason        string
}

// knownDifferences are the differences TestRipgrepDifferential accepts;
// one that no longer shows fails the test, so the list stays true.
var knownDifferences = []knownDifference{
	{"re-boundary", "", "\\b and \\B are ASCII word boundaries in RE2 (Go), Unicode ones in rg: \\bcaf\\b matches " +
		"in café; whole-word searches (--word) are Unicode-aware, as rg -w"},
	{"*", "bin/nul-very-late.dat", "rg stops reading a file at the block holding its first NUL byte and keeps the " +
		"matches of the blocks before; its block is 64 KiB but grows with a long line and stays grown for the next files " +
		"its thread searches, so how much it keeps depends on what it searched before; the Studio keeps what a fresh " +
		"64 KiB block would (as rg on that file alone)"},
	{"*", "bin/control.dat", "the Studio's scan calls a file binary when over 10% of its first 8 KiB are control " +
		"characters or invalid UTF-8, even without a NUL byte; rg calls a file binary only for a NUL byte"},
}
