package search

// The literal analysis of a regular expression: the strings every match
// contains (for the prefilter and the index), whether it can match empty,
// and what its matches begin with.

import (
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of the literal analysis of a regular expression.
const (
	maxSetStrings = 64 // strings one set may hold (case variants, alternatives)
	maxScanStarts = 8  // distinct first bytes the prefilter tracks itself
)

// strset is a set of strings one of which every match contains (or, as
// an exact set, the strings a node matches). When fold is set the strings
// are lower-case ASCII and stand for every ASCII case variant of
// themselves; the forms of k and s outside ASCII (U+212A KELVIN SIGN and
// U+017F LATIN SMALL LETTER LONG S) are not covered by such a set, so a
// file holding either is searched without the prefilter.
type strset struct {
	strs []string
	fold bool
}

// litInfo is what the analysis knows of a node: the exact strings it
// matches (nil: unknown or too many) and sets every match contains.
type litInfo struct {
	exact *strset
	req   []strset
}

// analyzeLiterals walks a parsed, simplified regular expression in the
// manner of Russ Cox's codesearch: exact sets are combined through
// concatenations and alternations while they stay small, and what cannot
// be combined is kept as a required set.
func analyzeLiterals(re *syntax.Regexp) litInfo {
	switch re.Op {
	case syntax.OpLiteral:
		return literalInfo(re.Rune, re.Flags&syntax.FoldCase != 0)
	case syntax.OpCharClass:
		if set := classSet(re.Rune); set != nil && len(set) <= maxSetStrings {
			s := &strset{}
			for _, c := range set {
				s.strs = append(s.strs, string(c))
			}
			return litInfo{exact: s}
		}
		return litInfo{}
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return litInfo{exact: &strset{strs: []string{""}}}
	case syntax.OpCapture:
		return analyzeLiterals(re.Sub[0])
	case syntax.OpConcat:
		subs := make([]litInfo, len(re.Sub))
		for i, s := range re.Sub {
			subs[i] = analyzeLiterals(s)
		}
		return concatInfo(subs)
	case syntax.OpAlternate:
		subs := make([]litInfo, len(re.Sub))
		for i, s := range re.Sub {
			subs[i] = analyzeLiterals(s)
		}
		return alternateInfo(subs)
	case syntax.OpQuest:
		sub := analyzeLiterals(re.Sub[0])
		if sub.exact != nil {
			if u := union(sub.exact, &strset{strs: []string{""}, fold: sub.exact.fold}); u != nil {
				return litInfo{exact: u}
			}
		}
		return litInfo{}
	case syntax.OpPlus:
		return atLeastOnce(analyzeLiterals(re.Sub[0]))
	case syntax.OpRepeat:
		sub := analyzeLiterals(re.Sub[0])
		if re.Min == re.Max && re.Min >= 1 && re.Min <= maxRepeatCopy && sub.exact != nil {
			subs := make([]litInfo, re.Min)
			for i := range subs {
				subs[i] = sub
			}
			return concatInfo(subs)
		}
		if re.Min >= 1 {
			return atLeastOnce(sub)
		}
		return litInfo{}
	}
	return litInfo{}
}

// literalInfo is the exact set of a literal run. A case-insensitive run
// is cut into pieces: ASCII runs as folded strings, other characters as
// the list of their case variants, combined as far as the limits allow.
func literalInfo(runes []rune, fold bool) litInfo {
	if !fold {
		return litInfo{exact: &strset{strs: []string{string(runes)}}}
	}
	var pieces []litInfo
	for i := 0; i < len(runes); {
		j := i
		for j < len(runes) && runes[j] < utf8.RuneSelf {
			j++
		}
		if j > i {
			pieces = append(pieces, litInfo{exact: &strset{strs: []string{strings.ToLower(string(runes[i:j]))}, fold: true}})
			i = j
			continue
		}
		s := &strset{}
		for _, c := range orbit(runes[i]) {
			s.strs = append(s.strs, string(c))
		}
		pieces = append(pieces, litInfo{exact: s})
		i++
	}
	return concatInfo(pieces)
}

func atLeastOnce(sub litInfo) litInfo {
	out := litInfo{req: sub.req}
	if sub.exact != nil {
		out.req = append(out.req, *sub.exact)
	}
	return out
}

// concatInfo combines a sequence: adjacent exact sets multiply while the
// product stays small; a run that cannot grow further becomes a required
// set.
func concatInfo(subs []litInfo) litInfo {
	var out litInfo
	cur := &strset{strs: []string{""}}
	exact := true
	for _, s := range subs {
		out.req = append(out.req, s.req...)
		if s.exact == nil {
			exact = false
			if cur != nil {
				out.req = append(out.req, *cur)
			}
			cur = nil
			continue
		}
		if cur != nil {
			if p := product(cur, s.exact); p != nil {
				cur = p
				continue
			}
			out.req = append(out.req, *cur)
			exact = false
		}
		cur = s.exact
	}
	if exact && cur != nil {
		out.exact = cur
	} else if cur != nil {
		out.req = append(out.req, *cur)
	}
	return out
}

// alternateInfo: the union of the branches' exact sets, or else a set
// made of each branch's best required set.
func alternateInfo(subs []litInfo) litInfo {
	var acc *strset
	exact := true
	for _, s := range subs {
		if s.exact == nil {
			exact = false
			break
		}
		if acc == nil {
			acc = s.exact
		} else if acc = union(acc, s.exact); acc == nil {
			exact = false
			break
		}
	}
	if exact && acc != nil {
		return litInfo{exact: acc}
	}
	acc = nil
	for _, s := range subs {
		best, ok := bestSet(s)
		if !ok {
			return litInfo{}
		}
		if acc == nil {
			acc = &best
		} else if acc = union(acc, &best); acc == nil {
			return litInfo{}
		}
	}
	if acc == nil {
		return litInfo{}
	}
	return litInfo{req: []strset{*acc}}
}

// sets is every set a node's matches contain one string of.
func (li litInfo) sets() []strset {
	out := append([]strset(nil), li.req...)
	if li.exact != nil {
		out = append(out, *li.exact)
	}
	return out
}

// bestSet is the most selective set of a node: the longest shortest
// string, then the fewest strings.
func bestSet(li litInfo) (strset, bool) {
	var best strset
	bestLen, found := 0, false
	for _, s := range li.sets() {
		n := minLen(s)
		if n == 0 {
			continue
		}
		if !found || n > bestLen || (n == bestLen && len(s.strs) < len(best.strs)) {
			best, bestLen, found = s, n, true
		}
	}
	return best, found
}

func minLen(s strset) int {
	if len(s.strs) == 0 {
		return 0
	}
	n := len(s.strs[0])
	for _, x := range s.strs[1:] {
		n = min(n, len(x))
	}
	return n
}

// product is every a followed by every b, nil when too many.
func product(a, b *strset) *strset {
	a, b, ok := sameFold(a, b)
	if !ok || len(a.strs)*len(b.strs) > maxSetStrings {
		return nil
	}
	out := &strset{fold: a.fold}
	for _, x := range a.strs {
		for _, y := range b.strs {
			out.strs = append(out.strs, x+y)
		}
	}
	return dedupe(out)
}

// union is a's strings and b's, nil when too many.
func union(a, b *strset) *strset {
	a, b, ok := sameFold(a, b)
	if !ok || len(a.strs)+len(b.strs) > maxSetStrings {
		return nil
	}
	out := &strset{fold: a.fold, strs: append(append([]string(nil), a.strs...), b.strs...)}
	return dedupe(out)
}

// sameFold brings two sets to the same kind: a folded set combined with
// an exact one is spelt out into its case variants, if that stays small.
func sameFold(a, b *strset) (*strset, *strset, bool) {
	if a.fold == b.fold {
		return a, b, true
	}
	// The empty string is the same folded or not.
	if isEmptySet(a) {
		return &strset{strs: a.strs, fold: b.fold}, b, true
	}
	if isEmptySet(b) {
		return a, &strset{strs: b.strs, fold: a.fold}, true
	}
	if a.fold {
		x, ok := expandFold(a)
		return x, b, ok
	}
	y, ok := expandFold(b)
	return a, y, ok
}

// expandFold spells a folded set out as the exact strings it stands for
// (U+212A and U+017F included).
func expandFold(s *strset) (*strset, bool) {
	out := &strset{}
	for _, x := range s.strs {
		vs := []string{""}
		for _, c := range x {
			o := orbit(c)
			if len(vs)*len(o) > maxSetStrings {
				return nil, false
			}
			next := make([]string, 0, len(vs)*len(o))
			for _, v := range vs {
				for _, r := range o {
					next = append(next, v+string(r))
				}
			}
			vs = next
		}
		out.strs = append(out.strs, vs...)
		if len(out.strs) > maxSetStrings {
			return nil, false
		}
	}
	return out, true
}

func isEmptySet(s *strset) bool { return len(s.strs) == 1 && s.strs[0] == "" }

func dedupe(s *strset) *strset {
	sort.Strings(s.strs)
	out := s.strs[:0]
	for i, x := range s.strs {
		if i == 0 || x != s.strs[i-1] {
			out = append(out, x)
		}
	}
	s.strs = out
	return s
}

// setsQuery is the FTS5 query for required sets: each set an OR of its
// strings (each the AND of its trigrams), the sets ANDed. A set with a
// string shorter than three characters cannot narrow and is left out.
// The index folds case (as Unicode lower-casing does, and U+212A, U+017F
// and ς too), so case variants with the same lower case are asked for once.
func setsQuery(sets []strset) string {
	var parts []string
	seen := map[string]bool{}
outer:
	for _, s := range sets {
		var alts []string
		got := map[string]bool{}
		for _, x := range s.strs {
			if utf8.RuneCountInString(x) < 3 {
				continue outer
			}
			k := strings.ToValidUTF8(strings.ToLower(x), "")
			if got[k] {
				continue
			}
			got[k] = true
			alts = append(alts, matchQuery([]string{k}))
		}
		if len(alts) == 0 {
			continue
		}
		sort.Strings(alts)
		q := ""
		if len(alts) == 1 {
			q = alts[0]
		} else {
			q = "((" + strings.Join(alts, ") OR (") + "))"
		}
		if !seen[q] {
			seen[q] = true
			parts = append(parts, q)
		}
	}
	return strings.Join(parts, " AND ")
}

// canMatchEmpty reports whether a regex may match the empty string
// somewhere (x*, ^, \b).
func canMatchEmpty(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune) == 0
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL, syntax.OpNoMatch:
		return false
	case syntax.OpCapture, syntax.OpPlus:
		return canMatchEmpty(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		return true
	case syntax.OpRepeat:
		return re.Min == 0 || canMatchEmpty(re.Sub[0])
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !canMatchEmpty(s) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if canMatchEmpty(s) {
				return true
			}
		}
		return false
	}
	return true // anchors, boundaries, the empty match
}

// nonEmptyKind is what is known of the non-empty matches of a regex that
// may match empty.
type nonEmptyKind int

const (
	nonEmptyUnknown nonEmptyKind = iota
	nonEmptyNever                // only zero-width matches (^, $, \b)
	nonEmptySet                  // each holds a string of the set
)

// nonEmptyInfo finds, for a regex that may match empty, a set of strings
// every non-empty match contains (x* → "x"): a line with none of them has
// only empty matches, and needs no search for others.
func nonEmptyInfo(re *syntax.Regexp) (nonEmptyKind, *strset) {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return nonEmptyNever, nil
		}
		if best, ok := bestSet(literalInfo(re.Rune, re.Flags&syntax.FoldCase != 0)); ok {
			return nonEmptySet, &best
		}
		return nonEmptyUnknown, nil
	case syntax.OpCharClass:
		li := analyzeLiterals(re)
		if li.exact != nil {
			return nonEmptySet, li.exact
		}
		return nonEmptyUnknown, nil
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return nonEmptyUnknown, nil
	case syntax.OpNoMatch, syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return nonEmptyNever, nil
	case syntax.OpCapture, syntax.OpStar, syntax.OpPlus, syntax.OpQuest:
		return nonEmptyInfo(re.Sub[0])
	case syntax.OpRepeat:
		if re.Max == 0 {
			return nonEmptyNever, nil
		}
		return nonEmptyInfo(re.Sub[0])
	case syntax.OpConcat, syntax.OpAlternate:
		// A non-empty match has a non-empty part in one of them.
		kind, acc := nonEmptyNever, (*strset)(nil)
		for _, s := range re.Sub {
			k, set := nonEmptyInfo(s)
			switch k {
			case nonEmptyUnknown:
				return nonEmptyUnknown, nil
			case nonEmptySet:
				if acc == nil {
					acc = set
				} else if acc = union(acc, set); acc == nil {
					return nonEmptyUnknown, nil
				}
				kind = nonEmptySet
			}
		}
		return kind, acc
	}
	return nonEmptyUnknown, nil
}

// hasAssertions reports whether a regex has a zero-width assertion (^, $,
// \b, \B), whose truth depends on what is around the match.
func hasAssertions(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	for _, s := range re.Sub {
		if hasAssertions(s) {
			return true
		}
	}
	return false
}

// firstRunes is the ranges of characters a match of a regex that cannot
// match empty may begin with; ok is false when unknown (any character).
func firstRunes(re *syntax.Regexp) ([]rune, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return nil, false
		}
		if re.Flags&syntax.FoldCase != 0 {
			var out []rune
			for _, c := range orbit(re.Rune[0]) {
				out = append(out, c, c)
			}
			return out, true
		}
		return []rune{re.Rune[0], re.Rune[0]}, true
	case syntax.OpCharClass:
		return re.Rune, len(re.Rune) > 0
	case syntax.OpCapture, syntax.OpPlus:
		return firstRunes(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min == 0 {
			return nil, false
		}
		return firstRunes(re.Sub[0])
	case syntax.OpConcat:
		var out []rune
		for _, s := range re.Sub {
			switch s.Op {
			case syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpEmptyMatch:
				continue // zero-width: the next part begins the match
			}
			r, ok := firstRunes(s)
			if !ok {
				return nil, false
			}
			out = append(out, r...)
			if !canMatchEmpty(s) {
				return out, true
			}
		}
		return nil, false
	case syntax.OpAlternate:
		var out []rune
		for _, s := range re.Sub {
			r, ok := firstRunes(s)
			if !ok {
				return nil, false
			}
			out = append(out, r...)
		}
		return out, true
	}
	return nil, false
}

// nonEmptyForm is, for a greedy x*, x? or x{0,n} whose x never matches
// empty and has no assertion, a regex matching just the non-empty
// matches, in the same places: (?:x)+, (?:x), (?:x){1,n}. "" for any
// other regex.
func nonEmptyForm(re *syntax.Regexp) string {
	if re.Flags&syntax.NonGreedy != 0 || len(re.Sub) != 1 {
		return ""
	}
	sub := re.Sub[0]
	if canMatchEmpty(sub) || hasAssertions(sub) {
		return ""
	}
	x := "(?:" + sub.String() + ")"
	switch {
	case re.Op == syntax.OpStar:
		return x + "+"
	case re.Op == syntax.OpQuest:
		return x
	case re.Op == syntax.OpRepeat && re.Min == 0 && re.Max < 0:
		return x + "+"
	case re.Op == syntax.OpRepeat && re.Min == 0 && re.Max > 0:
		return x + "{1," + strconv.Itoa(re.Max) + "}"
	}
	return ""
}
