package search

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FileMatch is one quick-open result. Positions are the matched
// characters, as UTF-16 offsets into Path.
type FileMatch struct {
	Path      string `json:"path"`
	Score     int    `json:"score"`
	Positions []int  `json:"positions"`
}

// Fuzzy ranks paths against a quick-open query: every character of the
// query (spaces ignored, letters of either case unless the query has an
// upper-case letter) must appear in order. Matches at the start of a name,
// after a separator or at a camel-case hump, runs of consecutive
// characters and matches in the file name score higher; shorter paths
// break ties. An empty query lists the first paths in order.
func Fuzzy(paths []string, query string, limit int) []FileMatch {
	if limit <= 0 {
		limit = 50
	}
	q := []rune(strings.ReplaceAll(query, " ", ""))
	if len(q) == 0 {
		out := make([]FileMatch, 0, min(limit, len(paths)))
		for _, p := range paths {
			if len(out) == limit {
				break
			}
			out = append(out, FileMatch{Path: p, Positions: []int{}})
		}
		return out
	}
	smart := false
	for _, r := range q {
		if unicode.IsUpper(r) {
			smart = true
		}
	}
	if !smart {
		for i, r := range q {
			q[i] = unicode.ToLower(r)
		}
	}
	var out []FileMatch
	var rs []rune
	for _, p := range paths {
		rs = rs[:0]
		for _, r := range p {
			rs = append(rs, r)
		}
		score, pos, ok := fuzzyScore(rs, q, smart)
		if !ok {
			continue
		}
		out = append(out, FileMatch{Path: p, Score: score, Positions: pos})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		if len(out[i].Path) != len(out[j].Path) {
			return len(out[i].Path) < len(out[j].Path)
		}
		return out[i].Path < out[j].Path
	})
	if len(out) > limit {
		out = out[:limit]
	}
	for i := range out {
		out[i].Positions = utf16Positions(out[i].Path, out[i].Positions)
	}
	return out
}

// fuzzyScore matches q in s: it tries each start of the first character
// and keeps the best greedy alignment from there (cheap, and close to the
// optimum for the short queries people type).
func fuzzyScore(s, q []rune, caseSensitive bool) (int, []int, bool) {
	eq := func(a, b rune) bool {
		if caseSensitive {
			return a == b
		}
		return unicode.ToLower(a) == b
	}
	// Quick reject: all of q in order at all?
	j := 0
	for _, r := range s {
		if j < len(q) && eq(r, q[j]) {
			j++
		}
	}
	if j < len(q) {
		return 0, nil, false
	}
	base := 0
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			base = i + 1
			break
		}
	}
	best, bestPos := -1<<31, []int(nil)
	pos := make([]int, len(q))
	tries := 0
	for start := 0; start < len(s) && tries < 8; start++ {
		if !eq(s[start], q[0]) {
			continue
		}
		tries++
		score, k, prev := 0, 0, -2
		for i := start; i < len(s) && k < len(q); i++ {
			if !eq(s[i], q[k]) {
				continue
			}
			pos[k] = i
			bonus := 1
			switch {
			case i == 0 || s[i-1] == '/':
				bonus += 10
			case s[i-1] == '_' || s[i-1] == '-' || s[i-1] == '.' || s[i-1] == ' ':
				bonus += 7
			case unicode.IsUpper(s[i]) && unicode.IsLower(s[i-1]):
				bonus += 7
			}
			if prev == i-1 {
				bonus += 8
			}
			if i >= base {
				bonus += 3
			}
			score += bonus
			prev = i
			k++
		}
		if k < len(q) {
			break // later starts cannot finish either
		}
		score -= (pos[len(q)-1] - pos[0]) / 2 // spread out
		if pos[len(q)-1] == len(s)-1 {
			score += 4 // the query ends where the name does
		}
		if score > best {
			best, bestPos = score, append([]int(nil), pos...)
		}
	}
	if bestPos == nil {
		return 0, nil, false
	}
	return best - len(s)/16, bestPos, true
}

// utf16Positions converts rune indexes into UTF-16 offsets of s.
func utf16Positions(s string, runes []int) []int {
	if len(runes) == 0 {
		return []int{}
	}
	out := make([]int, 0, len(runes))
	ri, u, k := 0, 0, 0
	for _, r := range s {
		for k < len(runes) && runes[k] == ri {
			out = append(out, u)
			k++
		}
		ri++
		if r >= 0x10000 && r != utf8.RuneError {
			u += 2
		} else {
			u++
		}
	}
	return out
}
