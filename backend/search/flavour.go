package search

import (
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ripgrep's Perl classes are Unicode-aware, RE2's (Go's) are ASCII. So
// that a search finds what rg finds, \w \d \s and their negations are
// rewritten as Unicode classes before the pattern is compiled: \w is a
// letter, a mark, a decimal digit, a letter number, a connector
// punctuation or a joiner (rg's Alphabetic ∪ M ∪ Nd ∪ Pc ∪ Join_Control,
// less the few symbols Unicode calls alphabetic, such as Ⓐ); \d is a
// decimal digit of any script; \s is Unicode white space. \b and \B stay
// ASCII word boundaries: RE2 has no Unicode form of them.
const (
	wordClassBody  = `\pL\pM\p{Nd}\p{Nl}\p{Pc}\x{200C}\x{200D}`
	spaceClassBody = `\t-\r\x{85}\p{Z}`
)

// unicodeClasses rewrites the Perl classes of an RE2 pattern. It reads the
// pattern lexically (escapes, \Q…\E, bracket classes); a negated class
// inside brackets ([\W]) has no RE2 spelling and is kept as written.
func unicodeClasses(expr string) string {
	if !strings.Contains(expr, `\`) {
		return expr
	}
	var b strings.Builder
	inClass := false
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
			// A ] right after [ or [^ is a member, not the end.
			if i+1 < len(expr) && expr[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(expr) && expr[i+1] == ']' {
				b.WriteByte(']')
				i++
			}
			continue
		case c == '[' && inClass && strings.HasPrefix(expr[i:], "[:"):
			if end := strings.Index(expr[i+2:], ":]"); end >= 0 {
				b.WriteString(expr[i : i+2+end+2])
				i += 2 + end + 1
				continue
			}
		case c == ']' && inClass:
			inClass = false
		case c == '\\' && i+1 < len(expr):
			n := expr[i+1]
			if n == 'Q' && !inClass {
				end := strings.Index(expr[i+2:], `\E`)
				if end < 0 {
					b.WriteString(expr[i:])
					return b.String()
				}
				b.WriteString(expr[i : i+2+end+2])
				i += 2 + end + 1
				continue
			}
			if r, ok := classRewrite(n, inClass); ok {
				b.WriteString(r)
			} else {
				b.WriteString(expr[i : i+2])
			}
			i++
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func classRewrite(c byte, inClass bool) (string, bool) {
	switch c {
	case 'w':
		if inClass {
			return wordClassBody, true
		}
		return "[" + wordClassBody + "]", true
	case 'W':
		if inClass {
			return "", false
		}
		return "[^" + wordClassBody + "]", true
	case 'd':
		return `\p{Nd}`, true
	case 'D':
		return `\P{Nd}`, true
	case 's':
		if inClass {
			return spaceClassBody, true
		}
		return "[" + spaceClassBody + "]", true
	case 'S':
		if inClass {
			return "", false
		}
		return "[^" + spaceClassBody + "]", true
	}
	return "", false
}

// Go's regexp reads an invalid UTF-8 byte as U+FFFD and lets any class
// that spans U+FFFD match it, so `.`, `[^a]` and \W would match inside
// Latin-1 text where ripgrep's never do. byteExact takes U+FFFD out of
// every class wider than that one character (and out of `.`): invalid
// bytes then match nothing but a literal U+FFFD in the pattern, and a
// real U+FFFD in the text only where the pattern names it.
func byteExact(expr string) (string, error) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return "", err
	}
	changed := false
	var walk func(r *syntax.Regexp)
	walk = func(r *syntax.Regexp) {
		switch r.Op {
		case syntax.OpAnyCharNotNL:
			r.Op, r.Rune = syntax.OpCharClass, []rune{0, '\n' - 1, '\n' + 1, utf8.RuneError - 1, utf8.RuneError + 1, unicode.MaxRune}
			changed = true
		case syntax.OpAnyChar:
			r.Op, r.Rune = syntax.OpCharClass, []rune{0, utf8.RuneError - 1, utf8.RuneError + 1, unicode.MaxRune}
			changed = true
		case syntax.OpCharClass:
			var out []rune
			for i := 0; i+1 < len(r.Rune); i += 2 {
				lo, hi := r.Rune[i], r.Rune[i+1]
				if lo < hi && lo <= utf8.RuneError && utf8.RuneError <= hi {
					if lo < utf8.RuneError {
						out = append(out, lo, utf8.RuneError-1)
					}
					if hi > utf8.RuneError {
						out = append(out, utf8.RuneError+1, hi)
					}
					changed = true
					continue
				}
				out = append(out, lo, hi)
			}
			r.Rune = out
		}
		for _, s := range r.Sub {
			walk(s)
		}
	}
	walk(re)
	if !changed {
		return expr, nil
	}
	return re.String(), nil
}
