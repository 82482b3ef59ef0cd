package workspace

import (
	"strings"
	"unicode/utf8"
)

// starsAfterPrefix rewrites a pattern with a slash into alternatives
// without one of git's quirks. git's match_pathname compares the literal
// part before the first wildcard character by itself and hands only the
// rest to wildmatch, so a run of two or more stars that starts the rest
// is taken as a whole-path-element "**" even right after a letter:
// "b**/x" matches "bx", "b/x" and "bc/d/x", and "a**" everything below a
// folder named a*. Such a run followed by "/" (or "\/") and a rest R
// means the literal part directly followed by R (where a leading star run
// of R is again the same quirk), or followed by anything, a slash and R.
func starsAfterPrefix(p string) []string {
	k := strings.IndexAny(p, `*?[\`)
	if k <= 0 || p[k-1] == '/' || k+1 >= len(p) || p[k] != '*' || p[k+1] != '*' {
		return []string{p} // no quirk, or one that changes nothing after a slash
	}
	j := k
	for j < len(p) && p[j] == '*' {
		j++
	}
	prefix := p[:k]
	var rest string
	switch {
	case j == len(p):
		return []string{prefix + "*", prefix + "*/**"}
	case p[j] == '/':
		rest = p[j+1:]
	case p[j] == '\\' && j+1 < len(p) && p[j+1] == '/':
		// wildmatch tries "no folder" only for a plain slash: here the
		// stars take something, then a slash.
		return []string{prefix + "*/**/" + p[j+2:]}
	default:
		return []string{p} // not a whole element: an ordinary star
	}
	if rest == "" {
		return []string{prefix}
	}
	return append(starsAfterPrefix(prefix+rest), prefix+"*/**/"+rest)
}

// byteRunes spells each byte of s beyond ASCII as the rune of the same
// number (U+0080 to U+00FF), so that doublestar, which matches runes,
// matches bytes as git's wildmatch does: "?" and a class take one byte, and
// "a?" does not match "aé" (two bytes after the a). Patterns and paths are
// both spelt so; names that are not valid UTF-8 need nothing more.
func byteRunes(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, 0, len(s)+len(s)-i)
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		b = utf8.AppendRune(b, rune(s[i]))
	}
	return string(b)
}

// posixClasses are the bracket expressions git's wildmatch knows, as
// tests of an ASCII byte.
var posixClasses = map[string]func(c byte) bool{
	"alnum":  func(c byte) bool { return isAlpha(c) || isDigit(c) },
	"alpha":  isAlpha,
	"blank":  func(c byte) bool { return c == ' ' || c == '\t' },
	"cntrl":  func(c byte) bool { return c < 0x20 || c == 0x7f },
	"digit":  isDigit,
	"graph":  func(c byte) bool { return c > 0x20 && c < 0x7f },
	"lower":  func(c byte) bool { return c >= 'a' && c <= 'z' },
	"print":  func(c byte) bool { return c >= 0x20 && c < 0x7f },
	"punct":  func(c byte) bool { return c > 0x20 && c < 0x7f && !isAlpha(c) && !isDigit(c) },
	"space":  func(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') },
	"upper":  func(c byte) bool { return c >= 'A' && c <= 'Z' },
	"xdigit": func(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') },
}

// posixSyntax reports whether s, what follows "[:" in a bracket
// expression, is a POSIX class as git's wildmatch reads one: the first
// "]" is preceded by a ":" that is not the first character. Otherwise the
// "[" is an ordinary member ("[[:a]" holds "[", ":" and "a").
func posixSyntax(s string) bool {
	end := strings.IndexByte(s, ']')
	return end > 0 && s[end-1] == ':'
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// translate rewrites a gitignore glob into doublestar syntax. The dialects
// differ in four places: braces are literal in git but alternation in
// doublestar; a "]" first in a class is literal in git; git knows POSIX
// classes; and stars that are not a whole path element are plain "*" in
// git. A trailing "/**" matches everything inside a folder but not the
// folder itself, which doublestar spells "/**/*"; an escaped slash is a
// slash, but "**\/" takes at least one folder. It returns "" for a
// pattern git would never match.
func translate(p string, basename bool) string {
	var b strings.Builder
	segStart := true
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case '\\':
			if i+1 >= len(p) {
				return "" // a trailing backslash never matches in git
			}
			if p[i+1] == '/' { // an escaped slash is a slash, also for "**" around it
				b.WriteByte('/')
				i++
				segStart = true
				continue
			}
			_, w := utf8.DecodeRuneInString(p[i+1:])
			b.WriteByte('\\')
			b.WriteString(p[i+1 : i+1+w])
			i += w
		case '{', '}':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '*':
			j := i
			for j < len(p) && p[j] == '*' {
				j++
			}
			escSlash := strings.HasPrefix(p[j:], `\/`)
			whole := segStart && (j == len(p) || p[j] == '/' || escSlash)
			switch {
			case j-i >= 2 && whole && !basename && escSlash:
				// wildmatch tries "no folder" only for a plain slash: before
				// an escaped one, the stars take at least one folder.
				b.WriteString("*/**")
			case j-i >= 2 && whole && !basename: // git: any run of two or more
				b.WriteString("**")
			default:
				b.WriteByte('*')
			}
			i = j - 1
		case '[':
			end, class := translateClass(p[i:])
			if end < 0 || class == "" {
				return "" // an unclosed class, or one that matches nothing
			}
			b.WriteString(class)
			i += end
		default:
			b.WriteByte(c)
		}
		segStart = c == '/'
	}
	out := b.String()
	if out == "**" {
		return "**"
	}
	if strings.HasSuffix(out, "/") {
		return "" // "a//" or "a\/": a slash at the end must match one, and no path ends in a slash
	}
	if strings.HasSuffix(out, "/**") {
		out += "/*"
	}
	return out
}

// translateClass translates the bracket expression at the start of p and
// returns the index of its closing "]" in p (or -1) and its doublestar
// form; a class that can match nothing ("[/]": git's classes never match
// a slash) is "" with the index. The ASCII members are listed one by one,
// each escaped, so no range or class can take in the slash; members
// beyond ASCII are kept as written.
func translateClass(p string) (int, string) {
	var ascii [128]bool
	var wide strings.Builder // members and ranges beyond ASCII
	negated := false
	i := 1
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		negated = true
		i++
	}
	// member reads one member at i: a character (escaped or not) and its
	// width in p.
	member := func(i int) (rune, int) {
		if p[i] == '\\' && i+1 < len(p) {
			r, w := utf8.DecodeRuneInString(p[i+1:])
			return r, w + 1
		}
		r, w := utf8.DecodeRuneInString(p[i:])
		return r, w
	}
	first := true
	for i < len(p) {
		c := p[i]
		switch {
		case c == ']' && !first:
			var b strings.Builder
			b.WriteByte('[')
			if negated {
				b.WriteByte('^')
			}
			n := 0
			for ch := 0; ch < 128; ch++ {
				if ascii[ch] && ch != '/' {
					b.WriteByte('\\')
					b.WriteByte(byte(ch))
					n++
				}
			}
			b.WriteString(wide.String())
			if negated {
				b.WriteString(`\/`)
			} else if n == 0 && wide.Len() == 0 {
				return i, ""
			}
			b.WriteByte(']')
			return i, b.String()
		case c == '[' && i+1 < len(p) && p[i+1] == ':' && posixSyntax(p[i+2:]):
			end := strings.IndexByte(p[i+2:], ']')
			is, ok := posixClasses[p[i+2:i+2+end-1]]
			if !ok {
				return -1, "" // git: a malformed class never matches
			}
			for ch := 0; ch < 128; ch++ {
				if is(byte(ch)) {
					ascii[ch] = true
				}
			}
			i += 2 + end + 1
		default:
			lo, w := member(i)
			i += w
			hi := lo
			if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
				hi, w = member(i + 1)
				i += 1 + w
			}
			switch {
			case hi < lo: // an empty range
			case hi < 128:
				for ch := lo; ch <= hi; ch++ {
					ascii[ch] = true
				}
			default:
				for ch := lo; ch < 128; ch++ {
					ascii[ch] = true
				}
				from := max(lo, 128)
				wide.WriteString(string(from))
				if hi > from {
					wide.WriteByte('-')
					wide.WriteString(string(hi))
				}
			}
		}
		first = false
	}
	return -1, ""
}
