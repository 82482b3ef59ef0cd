package search

// The matcher: a query compiled into what finds its matches in one file.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// matcher finds matches in one file's content.
type matcher struct {
	lit  []byte // literal search (case-sensitive, or folded ASCII when fold)
	fold bool   // lit is lower-case ASCII: compare with the lower-cased content
	// litKS: a folded lit holds k or s, whose forms outside ASCII (U+212A,
	// U+017F) lower-casing does not show: a file with them goes through re.
	litKS bool
	// litWord: whole words of lit only, found by checking each
	// occurrence's neighbours (see wordRanges).
	litWord bool
	re      *regexp.Regexp
	pre     *prefilter // for re: where a match may be; nil = every line
	// word: re is `(?:^|\W)(pattern)(?:\W|$)` with rg's Unicode \W, the
	// match being group 1; reNext is the same without ^, for the
	// matches after the first (rg's -w).
	word   bool
	reNext *regexp.Regexp
	// reA and reNextA are the same for a line of ASCII text.
	reA, reNextA *regexp.Regexp
	// For a regex that may match empty (x*, ^): whether it has non-empty
	// matches at all, and where they must be, so a line of empty matches
	// is reported without looking for more.
	emptyOK  bool
	nonEmpty nonEmptyKind
	nePre    *prefilter
	// reNE matches exactly the non-empty matches of such a regex, when
	// there is a simple form for them (x* → (?:x)+), nil otherwise.
	reNE *regexp.Regexp
	// anch: for a regex that only matches the strings the prefilter looks
	// for, the regex anchored at the start, and the longest of them.
	anch    *regexp.Regexp
	anchMax int
	// anchWord: anch is for whole words: group 1 is the match, followed
	// by a non-word character or the line's end.
	anchWord bool
	// For the index: sets of which every match contains one string, and
	// (from a regex) an AND of ORs of trigrams.
	sets   []strset
	groups [][]string
}

// compile turns a query into a matcher.
func compile(q Query) (*matcher, error) {
	if q.Pattern == "" {
		return nil, ErrEmptyQuery
	}
	if strings.ContainsRune(q.Pattern, '\n') {
		return nil, errors.New("a search matches within one line: remove the line break")
	}
	m := &matcher{}
	expr := q.Pattern
	if q.Regex {
		if _, err := syntax.Parse(q.Pattern, syntax.Perl); err != nil {
			return nil, badRegex(err)
		}
	} else {
		expr = regexp.QuoteMeta(expr)
	}
	flags := ""
	if !q.CaseSensitive {
		flags = "(?i)"
	}
	// On a line of ASCII text, RE2's own ASCII classes match exactly as
	// the Unicode ones do, and faster: asciiExpr is for such lines.
	asciiExpr, expr := flags+expr, flags+unicodeClasses(expr)
	parsed, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, badRegex(err)
	}
	simple := parsed.Simplify()
	info := analyzeLiterals(simple)
	m.sets = info.sets()
	if q.Regex {
		m.groups = trigramGroups(expr)
	}
	if !q.Regex && (q.CaseSensitive || isASCII(q.Pattern)) {
		m.litWord = q.WholeWord
		if q.CaseSensitive {
			m.lit = []byte(q.Pattern)
			return m, nil
		}
		m.lit, m.fold = []byte(strings.ToLower(q.Pattern)), true
		m.litKS = strings.ContainsAny(string(m.lit), "ks")
		if !m.litKS {
			return m, nil
		}
	}
	m.word = q.WholeWord
	if m.re, m.reNext, err = compileMatch(flags, expr, wordClassBody, q.WholeWord, true); err != nil {
		return nil, err
	}
	if m.reA, m.reNextA, err = compileMatch(flags, asciiExpr, `0-9A-Za-z_`, q.WholeWord, false); err != nil {
		return nil, err
	}
	m.pre = newPrefilter(m.sets)
	// A regex that is a small set of strings and nothing else (foo|bar,
	// colou?r, σ case-insensitively) is matched where the prefilter finds
	// one of them: the regex, anchored, only picks which at that spot.
	if ex := info.exact; ex != nil && minLen(*ex) > 0 && !hasAssertions(simple) {
		if pre := newPrefilter([]strset{*ex}); pre != nil {
			inner := strings.TrimPrefix(expr, flags)
			if q.WholeWord {
				// The set's string and what follows it, as the word
				// regex has it (see wordLocs); the character before is
				// looked at in setRanges.
				if inner, err = byteExact(inner); err != nil {
					return nil, badRegex(err)
				}
				if m.anch, err = regexp.Compile(flags + `^(` + inner + `)(?:[^` + wordClassBody + `]|$)`); err != nil {
					return nil, badRegex(err)
				}
				m.anchWord = true
			} else if m.anch, err = compileExact(flags + `^(?:` + inner + `)`); err != nil {
				return nil, err
			}
			m.pre = pre
			for _, x := range ex.strs {
				m.anchMax = max(m.anchMax, len(x))
			}
		}
	}
	m.emptyOK = canMatchEmpty(simple)
	if m.pre == nil && !m.emptyOK {
		m.pre = firstBytePrefilter(simple)
	}
	if m.emptyOK {
		if ne := nonEmptyForm(simple); ne != "" {
			if m.reNE, err = compileExact(flags + ne); err != nil {
				return nil, err
			}
		}
		var set *strset
		if m.nonEmpty, set = nonEmptyInfo(simple); m.nonEmpty == nonEmptySet {
			if m.nePre = newPrefilter([]strset{*set}); m.nePre == nil {
				m.nonEmpty = nonEmptyUnknown
			}
		}
	}
	return m, nil
}

// compileMatch compiles the regex a line is matched with, and for a whole
// word search the one for the matches after the first (see wordLocs);
// word is the body of the word-character class. exact: match invalid
// UTF-8 as rg does (see byteExact).
func compileMatch(flags, expr, word string, wholeWord, exact bool) (*regexp.Regexp, *regexp.Regexp, error) {
	comp := compileExact
	if !exact {
		comp = func(e string) (*regexp.Regexp, error) {
			re, err := regexp.Compile(e)
			if err != nil {
				return nil, badRegex(err)
			}
			return re, nil
		}
	}
	if !wholeWord {
		re, err := comp(expr)
		return re, nil, err
	}
	// The pattern is made byte-exact on its own: the word wrapper's
	// non-word class keeps U+FFFD, so a real U+FFFD next to a word counts
	// as a boundary, and wordLocs turns down an invalid byte there.
	inner := strings.TrimPrefix(expr, flags)
	if exact {
		var err error
		if inner, err = byteExact(inner); err != nil {
			return nil, nil, badRegex(err)
		}
	}
	re, err := regexp.Compile(flags + `(?:^|[^` + word + `])(` + inner + `)(?:[^` + word + `]|$)`)
	if err != nil {
		return nil, nil, badRegex(err)
	}
	next, err := regexp.Compile(flags + `[^` + word + `](` + inner + `)(?:[^` + word + `]|$)`)
	if err != nil {
		return nil, nil, badRegex(err)
	}
	return re, next, nil
}

// compileExact compiles expr with invalid UTF-8 matched as ripgrep does
// (see byteExact).
func compileExact(expr string) (*regexp.Regexp, error) {
	exact, err := byteExact(expr)
	if err != nil {
		return nil, badRegex(err)
	}
	re, err := regexp.Compile(exact)
	if err != nil {
		return nil, badRegex(err)
	}
	return re, nil
}

// badRegex says what is wrong with a pattern as the user wrote it.
func badRegex(err error) error {
	var se *syntax.Error
	if errors.As(err, &se) {
		return fmt.Errorf("%w: %s in %q", ErrBadRegex, se.Code, se.Expr)
	}
	return fmt.Errorf("%w: %v", ErrBadRegex, err)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// indexQuery is the FTS5 query that narrows the search, "" for none: the
// trigrams of the sets every match contains a string of, and for a regex
// those of its small character classes too.
func (m *matcher) indexQuery() string {
	q := setsQuery(m.sets)
	if g := groupsQuery(m.groups); g != "" {
		if q != "" {
			q += " AND "
		}
		q += g
	}
	return q
}

// find returns the lines of data that match. more is told how many
// matches a line adds and returns false to stop. low is a scratch buffer
// for case folding, returned for reuse.
func (m *matcher) find(data, low []byte, more func(int) bool) ([]LineMatch, []byte) {
	var out []LineMatch
	lineNo, counted := 1, 0 // lineNo is the line of offset counted
	lineOf := func(off int) (int, int, int) {
		lineNo += bytes.Count(data[counted:off], nl)
		counted = off
		s := bytes.LastIndexByte(data[:off], '\n') + 1
		e := bytes.IndexByte(data[off:], '\n')
		if e < 0 {
			e = len(data)
		} else {
			e += off
		}
		return lineNo, s, e
	}
	if m.lit != nil && (!m.litKS || !hasKOrSForms(data)) {
		hay, needle := data, m.lit
		if m.fold {
			low = lowerASCII(low, data)
			hay = low
		}
		for off := 0; off <= len(hay); {
			i := bytes.Index(hay[off:], needle)
			if i < 0 {
				break
			}
			ln, s, e := lineOf(off + i)
			if m.litWord {
				if ranges := wordRanges(data, hay, needle, s, e, off+i); len(ranges) > 0 {
					out = append(out, lineMatch(ln, data[s:e], ranges))
					if !more(len(ranges)) {
						return out, low
					}
				}
				off = e + 1
				continue
			}
			var ranges [][2]int
			for j := off + i; j >= 0 && j < e; {
				ranges = append(ranges, [2]int{j - s, j - s + len(needle)})
				k := bytes.Index(hay[j+len(needle):e], needle)
				if k < 0 {
					break
				}
				j += len(needle) + k
			}
			out = append(out, lineMatch(ln, data[s:e], ranges))
			if !more(len(ranges)) {
				return out, low
			}
			off = e + 1
		}
		return out, low
	}
	if m.pre == nil || !m.pre.usable(data) {
		// No literal to look for: match line by line.
		for s := 0; s < len(data); {
			e := bytes.IndexByte(data[s:], '\n')
			if e < 0 {
				e = len(data)
			} else {
				e += s
			}
			if lm, ok := m.reLine(lineNo, data[s:e]); ok {
				out = append(out, lm)
				if !more(len(lm.Ranges)) {
					return out, low
				}
			}
			lineNo++
			s = e + 1
		}
		return out, low
	}
	hay := data
	if m.pre.fold {
		low = lowerASCII(low, data)
		hay = low
	}
	sc := m.pre.scan(hay)
	for off := 0; off <= len(hay); {
		i := sc.find(off)
		if i < 0 {
			break
		}
		ln, s, e := lineOf(i)
		if m.anch != nil {
			if ranges := m.setRanges(sc, data, i, s, e); len(ranges) > 0 {
				out = append(out, lineMatch(ln, data[s:e], ranges))
				if !more(len(ranges)) {
					return out, low
				}
			}
			off = e + 1
			continue
		}
		if lm, ok := m.reLine(ln, data[s:e]); ok {
			out = append(out, lm)
			if !more(len(lm.Ranges)) {
				return out, low
			}
		}
		off = e + 1
	}
	return out, low
}

// setRanges is the matches in line data[s:e] of a regex that matches a
// set of strings, from the prefilter's find at i: at each place one of
// them starts, the anchored regex says which (or none), as FindAll would.
func (m *matcher) setRanges(sc *scan, data []byte, i, s, e int) [][2]int {
	var ranges [][2]int
	prevEnd := s
	for p := i; p >= 0 && p < e; {
		next := p + 1
		if m.anchWord {
			// As wordRanges: the line's start (before any match), or a
			// valid non-word character after the previous match.
			ok := p == s && len(ranges) == 0
			if !ok && p > s {
				r, n := utf8.DecodeLastRune(data[s:p])
				ok = p-n >= prevEnd && !(r == utf8.RuneError && n <= 1) && !isWordRune(r)
			}
			if ok {
				loc := m.anch.FindSubmatchIndex(data[p:min(e, p+m.anchMax+utf8.UTFMax)])
				if loc != nil && loc[3] > 0 && !invalidByte(data, p+loc[3], p+loc[1]) {
					ranges = append(ranges, [2]int{p - s, p - s + loc[3]})
					if len(ranges) == maxRangesPerLine {
						break
					}
					prevEnd, next = p+loc[3], p+loc[3]
				}
			}
		} else if loc := m.anch.FindIndex(data[p:min(e, p+m.anchMax)]); loc != nil && loc[1] > 0 {
			ranges = append(ranges, [2]int{p - s, p - s + loc[1]})
			if len(ranges) == maxRangesPerLine {
				break
			}
			next = p + loc[1]
		}
		p = sc.find(next)
	}
	return ranges
}

var nl = []byte{'\n'}

func (m *matcher) reLine(ln int, line []byte) (LineMatch, bool) {
	re, next := m.re, m.reNext
	if asciiLine(line) {
		re, next = m.reA, m.reNextA
	}
	var locs [][]int
	if m.emptyOK && !m.word {
		loc := re.FindIndex(line)
		if loc == nil {
			return LineMatch{}, false
		}
		if loc[0] == loc[1] && (m.nonEmpty == nonEmptyNever || (m.nonEmpty == nonEmptySet && !m.nePre.inLine(line))) {
			return lineMatch(ln, line, [][2]int{{loc[0], loc[0]}}), true
		}
		if m.reNE != nil {
			// The non-empty matches straight away, not one place at a time.
			ranges := [][2]int{{loc[0], loc[0]}}
			if ne := m.reNE.FindAllIndex(line, maxRangesPerLine); len(ne) > 0 {
				ranges = ranges[:0]
				for _, l := range ne {
					ranges = append(ranges, [2]int{l[0], l[1]})
				}
			}
			return lineMatch(ln, line, ranges), true
		}
	}
	if m.word {
		locs = wordLocs(re, next, line)
	} else {
		locs = re.FindAllIndex(line, maxRangesPerLine)
	}
	if len(locs) == 0 {
		return LineMatch{}, false
	}
	var ranges [][2]int
	for _, l := range locs {
		if l[1] > l[0] {
			ranges = append(ranges, [2]int{l[0], l[1]})
		}
	}
	if len(ranges) == 0 {
		// Only empty matches (^$, x*): the line matches, as in rg, at
		// the first one's column.
		ranges = [][2]int{{locs[0][0], locs[0][0]}}
	}
	return lineMatch(ln, line, ranges), true
}

// wordLocs finds whole-word matches as rg -w does: the pattern preceded by
// the line's start or a non-word character and followed by a non-word
// character or the line's end; each next match is looked for from where
// the previous one ended, so "a a" holds two.
func wordLocs(re, next *regexp.Regexp, line []byte) [][]int {
	var out [][]int
	for at, first := 0, true; len(out) < maxRangesPerLine && at <= len(line); first = false {
		var loc []int
		if first {
			loc = re.FindSubmatchIndex(line)
		} else if at < len(line) {
			if loc = next.FindSubmatchIndex(line[at:]); loc != nil {
				for i := range loc {
					loc[i] += at
				}
			}
		}
		if loc == nil {
			break
		}
		// A neighbour that is an invalid byte (read by Go as U+FFFD) is no
		// boundary for rg: look again from the next character.
		if invalidByte(line, loc[0], loc[2]) || invalidByte(line, loc[3], loc[1]) {
			if loc[0] < loc[2] {
				at = loc[0] + 1
			} else {
				at = loc[0]
			}
			continue
		}
		out = append(out, []int{loc[2], loc[3]})
		at = loc[3]
	}
	return out
}

// wordRanges returns the whole-word matches of needle in the line
// data[s:e] (hay is data or its lower-cased copy), looking from the
// occurrence at first, as rg -w finds them (see wordLocs): an occurrence
// counts when the character before it is the line's start or a non-word
// character after the previous match, and the one after it the line's
// end or a non-word character; an invalid byte is neither.
func wordRanges(data, hay, needle []byte, s, e, first int) [][2]int {
	var out [][2]int
	prevEnd := s
	for j := first; j >= 0 && j+len(needle) <= e; {
		end := j + len(needle)
		ok := true
		if j > s || len(out) > 0 {
			r, n := utf8.DecodeLastRune(data[s:j])
			ok = j > s && j-n >= prevEnd && !(r == utf8.RuneError && n <= 1) && !isWordRune(r)
		}
		if ok && end < e {
			r, n := utf8.DecodeRune(data[end:e])
			ok = !(r == utf8.RuneError && n <= 1) && !isWordRune(r)
		}
		next := j + 1
		if ok {
			out = append(out, [2]int{j - s, end - s})
			prevEnd, next = end, end
		}
		if next >= e {
			break
		}
		k := bytes.Index(hay[next:e], needle)
		if k < 0 {
			break
		}
		j = next + k
	}
	return out
}

// isWordRune is rg's \w: a letter, mark, decimal digit, letter number,
// connector punctuation or joiner (as wordClassBody).
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '_' || ('0' <= r && r <= '9') || ('a' <= r|0x20 && r|0x20 <= 'z')
	}
	return unicode.In(r, unicode.L, unicode.M, unicode.Nd, unicode.Nl, unicode.Pc) || r == 0x200C || r == 0x200D
}

// invalidByte reports whether line[from:to], a neighbour the word regex
// took, is an invalid UTF-8 byte.
func invalidByte(line []byte, from, to int) bool {
	if to <= from {
		return false
	}
	r, n := utf8.DecodeRune(line[from:to])
	return r == utf8.RuneError && n <= 1
}

// asciiLine reports whether a line is all ASCII, eight bytes at a time.
func asciiLine(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lowerASCII writes data with ASCII letters lower-cased into dst.
func lowerASCII(dst, data []byte) []byte {
	if cap(dst) < len(data) {
		dst = make([]byte, len(data), len(data)+len(data)/4)
	}
	dst = dst[:len(data)]
	// Eight bytes at a time: a byte gets 0x20 added when its low seven
	// bits are in A..Z and its high bit is clear.
	const ones = 0x0101010101010101
	i := 0
	for ; i+8 <= len(data); i += 8 {
		x := binary.LittleEndian.Uint64(data[i:])
		low := x & (0x7f * ones)
		atLeastA := low + (0x80-'A')*ones
		pastZ := low + (0x80-'Z'-1)*ones
		upper := atLeastA &^ pastZ &^ x & (0x80 * ones)
		binary.LittleEndian.PutUint64(dst[i:], x|upper>>2)
	}
	for ; i < len(data); i++ {
		c := data[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst[i] = c
	}
	return dst
}
