package search

import (
	"bytes"
	"regexp/syntax"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/coregx/ahocorasick"
)

// prefilter finds the places where a match may be: one needle, or several
// through an Aho–Corasick automaton; in the content as it is, or
// lower-cased (ASCII) when fold is set.
type prefilter struct {
	needle []byte
	ac     *ahocorasick.Automaton
	starts []byte // the automaton's first bytes, when few enough to track here
	fold   bool
	// byteOnly: any of starts is a place to look (firstBytePrefilter).
	byteOnly bool
	// kOrS: the folded strings hold k or s, whose non-ASCII forms a
	// lower-cased haystack does not show: such a file goes without.
	kOrS bool
}

// newPrefilter builds the prefilter for the best of sets, nil when none
// is worth it (no string, or many one-byte strings).
func newPrefilter(sets []strset) *prefilter {
	best, ok := bestSet(litInfo{req: sets})
	if !ok || (minLen(best) < 2 && len(best.strs) > 4) {
		return nil
	}
	p := &prefilter{fold: best.fold}
	if best.fold {
		for _, s := range best.strs {
			if strings.ContainsAny(s, "ks") {
				p.kOrS = true
			}
		}
	}
	if len(best.strs) == 1 {
		p.needle = []byte(best.strs[0])
		return p
	}
	ac, err := ahocorasick.NewBuilder().AddStrings(best.strs).Build()
	if err != nil {
		return nil
	}
	p.ac = ac
	seen := map[byte]bool{}
	for _, s := range best.strs {
		if !seen[s[0]] {
			seen[s[0]] = true
			p.starts = append(p.starts, s[0])
		}
	}
	if len(p.starts) > maxScanStarts {
		p.starts = nil
	}
	return p
}

var (
	kelvinSign = []byte("\u212A")
	longS      = []byte("\u017F")
)

// hasKOrSForms reports whether data holds U+212A or U+017F, the forms of
// k and s that ASCII lower-casing does not show.
func hasKOrSForms(data []byte) bool {
	return bytes.Contains(data, kelvinSign) || bytes.Contains(data, longS)
}

// usable reports whether the prefilter can be trusted on data.
func (p *prefilter) usable(data []byte) bool {
	return !p.kOrS || !hasKOrSForms(data)
}

// scan is one pass of a prefilter over a haystack.
type scan struct {
	p    *prefilter
	hay  []byte
	next []int // per tracked first byte: its next position (len(hay) when none; -1 before the first look)
}

func (p *prefilter) scan(hay []byte) *scan {
	s := &scan{p: p, hay: hay}
	if len(p.starts) > 0 {
		s.next = make([]int, len(p.starts))
		for i := range s.next {
			s.next[i] = -1
		}
	}
	return s
}

// find returns the first position at or after off where a string of the
// prefilter occurs, -1 if none.
func (s *scan) find(off int) int {
	hay := s.hay
	if off > len(hay) {
		return -1
	}
	p := s.p
	if p.ac == nil && !p.byteOnly {
		i := bytes.Index(hay[off:], p.needle)
		if i < 0 {
			return -1
		}
		return off + i
	}
	if s.next == nil {
		m, ok := p.ac.Find(hay, off)
		if !ok {
			return -1
		}
		return m.Start
	}
	for {
		// The earliest first byte at or after off, each looked for again
		// only when passed, so a rare one costs one pass in all.
		pos := len(hay)
		for i, b := range p.starts {
			if s.next[i] < off {
				j := bytes.IndexByte(hay[off:], b)
				if j < 0 {
					s.next[i] = len(hay)
				} else {
					s.next[i] = off + j
				}
			}
			pos = min(pos, s.next[i])
		}
		if pos >= len(hay) {
			return -1
		}
		if p.byteOnly {
			return pos
		}
		if _, ok := p.ac.FindAt(hay, pos); ok {
			return pos
		}
		off = pos + 1
	}
}

// strings lists what the prefilter looks for (for tests and diagnostics).
func (p *prefilter) strings() []string {
	if p.ac == nil {
		return []string{string(p.needle)}
	}
	out := make([]string, p.ac.PatternCount())
	for i := range out {
		out[i] = string(p.ac.Pattern(i))
	}
	sort.Strings(out)
	return out
}

// inLine reports whether line may hold a string of the prefilter.
func (p *prefilter) inLine(line []byte) bool {
	if !p.usable(line) {
		return true
	}
	hay := line
	if p.fold {
		hay = lowerASCII(nil, line)
	}
	return p.scan(hay).find(0) >= 0
}

// firstBytePrefilter is, for a regex with no literal to look for, the
// bytes a match can begin with when they are few (\p{Greek}: the lead
// bytes of Greek letters), so that lines without any are skipped; nil
// when there are many or any.
func firstBytePrefilter(re *syntax.Regexp) *prefilter {
	runes, ok := firstRunes(re)
	if !ok {
		return nil
	}
	var set [256]bool
	var starts []byte
	for i := 0; i+1 < len(runes); i += 2 {
		lo, hi := leadByte(runes[i]), leadByte(runes[i+1])
		for b := int(lo); b <= int(hi); b++ {
			if !set[b] {
				set[b] = true
				if starts = append(starts, byte(b)); len(starts) > maxScanStarts {
					return nil
				}
			}
		}
	}
	if len(starts) == 0 {
		return nil
	}
	return &prefilter{starts: starts, byteOnly: true}
}

// leadByte is the first byte of r in UTF-8.
func leadByte(r rune) byte {
	var b [utf8.UTFMax]byte
	utf8.EncodeRune(b[:], r)
	return b[0]
}
