package search

import (
	"regexp/syntax"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the trigram query derived from a regular expression.
const (
	maxClassRunes  = 16  // a character class larger than this is "any character"
	maxGroupSize   = 128 // trigram alternatives one position may need
	maxQueryGroups = 6   // groups in one query (spread along the pattern)
	maxRepeatCopy  = 8   // x{n} is unrolled up to this many copies
)

// trigramGroups derives from a regular expression a necessary condition
// on the trigrams of any text it matches, in the spirit of Russ Cox's
// codesearch: the top-level sequence of the pattern is read as positions
// that each accept a small set of characters (literals, small classes such
// as \d, unrolled fixed repeats), and every run of three such positions
// yields a group of trigrams of which a matching text must contain at
// least one. The result is an AND of ORs; nil when nothing useful is known.
// Trigrams keep their case: the tokenizer folds query terms exactly as it
// folded the indexed text.
func trigramGroups(expr string) [][]string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	var runs [][][]rune // runs of positions; each position a set of runes
	var cur [][]rune
	cut := func() {
		if len(cur) >= 3 {
			runs = append(runs, cur)
		}
		cur = nil
	}
	var walk func(r *syntax.Regexp)
	walk = func(r *syntax.Regexp) {
		switch r.Op {
		case syntax.OpLiteral:
			for _, c := range r.Rune {
				if r.Flags&syntax.FoldCase != 0 {
					cur = append(cur, orbit(c))
				} else {
					cur = append(cur, []rune{c})
				}
			}
		case syntax.OpCharClass:
			if set := classSet(r.Rune); set != nil {
				cur = append(cur, set)
			} else if set := asciiClassSet(r.Rune); set != nil {
				cur = append(cur, set)
			} else {
				cut()
			}
		case syntax.OpCapture:
			walk(r.Sub[0])
		case syntax.OpConcat:
			for _, s := range r.Sub {
				walk(s)
			}
		case syntax.OpRepeat:
			if r.Min == r.Max && r.Min >= 1 && r.Min <= maxRepeatCopy {
				for range r.Min {
					walk(r.Sub[0])
				}
				return
			}
			if r.Min >= 1 {
				walk(r.Sub[0]) // at least one copy, then unknown
			}
			cut()
		case syntax.OpPlus:
			walk(r.Sub[0])
			cut()
		case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
			syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpEmptyMatch:
			// zero-width: the sequence goes on, but not across it
			cut()
		default:
			cut()
		}
	}
	walk(re)
	cut()

	var groups [][]string
	seen := map[string]bool{}
	for _, run := range runs {
		for i := 0; i+3 <= len(run); i++ {
			a, b, c := run[i], run[i+1], run[i+2]
			if len(a)*len(b)*len(c) > maxGroupSize*4 {
				continue
			}
			set := map[string]bool{}
			for _, x := range a {
				for _, y := range b {
					for _, z := range c {
						if mark := markOf(x, y, z); mark != "" {
							set[mark] = true
						} else {
							set[string([]rune{x, y, z})] = true
						}
					}
				}
			}
			if len(set) > maxGroupSize {
				continue
			}
			g := make([]string, 0, len(set))
			for t := range set {
				g = append(g, t)
			}
			sort.Strings(g)
			key := strings.Join(g, "\x00")
			if !seen[key] {
				seen[key] = true
				groups = append(groups, g)
			}
		}
	}
	if len(groups) > maxQueryGroups {
		step := (len(groups) + maxQueryGroups - 1) / maxQueryGroups
		var spread [][]string
		for i := 0; i < len(groups); i += step {
			spread = append(spread, groups[i])
		}
		groups = spread
	}
	return groups
}

// classSet lists the runes of a character class given as ranges, or nil
// when it has more than maxClassRunes.
func classSet(ranges []rune) []rune {
	var out []rune
	for i := 0; i+1 < len(ranges); i += 2 {
		if int(ranges[i+1]-ranges[i])+1+len(out) > maxClassRunes {
			return nil
		}
		for c := ranges[i]; c <= ranges[i+1]; c++ {
			out = append(out, c)
		}
	}
	return out
}

// Runes below zero in a position's set stand for the characters outside
// ASCII a class holds: a trigram with one is found through a mark (see
// chunkMarks).
const (
	anyNonASCII   = rune(-1) // any of them
	nonASCIIDigit = rune(-2) // only decimal digits
	nonASCIISpace = rune(-3) // only white space
)

// markOf is the index mark for a trigram of positions x, y, z, "" when
// it has none.
func markOf(x, y, z rune) string {
	m := min(x, y, z)
	switch {
	case m >= 0:
		return ""
	case x == anyNonASCII || y == anyNonASCII || z == anyNonASCII:
		return nonASCIIMark
	case x == nonASCIIDigit || y == nonASCIIDigit || z == nonASCIIDigit:
		if x == nonASCIISpace || y == nonASCIISpace || z == nonASCIISpace {
			return nonASCIIMark
		}
		return nonASCIIDigitMark
	}
	return nonASCIISpaceMark
}

// asciiClassSet is, for a class too large to list (\d, \s as Unicode
// classes), its ASCII members and the stand-in for the rest, or nil when
// its ASCII members alone are too many.
func asciiClassSet(ranges []rune) []rune {
	var out []rune
	digits, spaces, wide := true, true, false
	checked := 0
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		for c := lo; c <= min(hi, utf8.RuneSelf-1); c++ {
			if len(out) == maxClassRunes {
				return nil
			}
			out = append(out, c)
		}
		for c := max(lo, utf8.RuneSelf); c <= hi && (digits || spaces); c++ {
			wide = true
			if checked++; checked > 4096 {
				digits, spaces = false, false
				break
			}
			digits = digits && unicode.Is(unicode.Nd, c)
			spaces = spaces && unicode.IsSpace(c)
		}
		if hi >= utf8.RuneSelf {
			wide = true
		}
	}
	switch {
	case !wide:
	case digits:
		out = append(out, nonASCIIDigit)
	case spaces:
		out = append(out, nonASCIISpace)
	default:
		out = append(out, anyNonASCII)
	}
	return out
}

// orbit is c and every rune that matches it case-insensitively.
func orbit(c rune) []rune {
	out := []rune{c}
	for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
		out = append(out, f)
	}
	return out
}

// groupsQuery is the FTS5 query for trigram groups: each group an OR of
// quoted trigrams, the groups ANDed.
func groupsQuery(groups [][]string) string {
	parts := make([]string, 0, len(groups))
	for _, g := range groups {
		terms := make([]string, len(g))
		for i, t := range g {
			terms[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		}
		if len(terms) == 1 {
			parts = append(parts, terms[0])
		} else {
			parts = append(parts, "("+strings.Join(terms, " OR ")+")")
		}
	}
	return strings.Join(parts, " AND ")
}
