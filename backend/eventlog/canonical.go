package eventlog

import (
	"bytes"
	"unicode/utf8"
)

// isCanonicalPayload reports whether raw is a canonical JSON object, that
// is whether CanonicalJSON(raw) returns raw itself. Most payloads are
// decided by one pass over the bytes, without decoding them; those with
// anything the pass does not decide alone (a \u escape, an escaped key,
// deep nesting, anything malformed) are re-encoded by CanonicalJSON, so
// the answer is always CanonicalJSON's.
func isCanonicalPayload(raw []byte) bool {
	if plainCanonical(raw) {
		return true
	}
	c, err := CanonicalJSON(raw)
	return err == nil && bytes.Equal(c, raw)
}

// plainCanonicalDepth bounds the nesting plainCanonical follows; deeper
// payloads are left to CanonicalJSON.
const plainCanonicalDepth = 64

// plainCanonical is true only when raw is certainly what CanonicalJSON
// makes of it: one JSON object with no white space, keys in strictly
// increasing byte order (no duplicate), strings escaped exactly as
// encoding/json escapes them without HTML escaping, numbers as written.
// False means "not decided here", not "not canonical".
func plainCanonical(raw []byte) bool {
	if len(raw) == 0 || raw[0] != '{' {
		return false
	}
	n, ok := canonObject(raw, 0, 0)
	return ok && n == len(raw)
}

// canonValue checks the value at b[i] and returns the index after it.
func canonValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch c := b[i]; {
	case c == '{':
		return canonObject(b, i, depth+1)
	case c == '[':
		return canonArray(b, i, depth+1)
	case c == '"':
		j, _, ok := canonString(b, i)
		return j, ok
	case c == '-' || c >= '0' && c <= '9':
		return canonNumber(b, i)
	case c == 't':
		return canonLiteral(b, i, "true")
	case c == 'f':
		return canonLiteral(b, i, "false")
	case c == 'n':
		return canonLiteral(b, i, "null")
	}
	return 0, false
}

func canonObject(b []byte, i, depth int) (int, bool) {
	if depth > plainCanonicalDepth {
		return 0, false
	}
	i++ // '{'
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	var prev []byte
	for first := true; ; first = false {
		if i >= len(b) || b[i] != '"' {
			return 0, false
		}
		j, escaped, ok := canonString(b, i)
		if !ok || escaped {
			return 0, false // an escaped key sorts by its decoded form
		}
		key := b[i+1 : j-1]
		if !first && bytes.Compare(prev, key) >= 0 {
			return 0, false
		}
		prev = key
		if j >= len(b) || b[j] != ':' {
			return 0, false
		}
		if i, ok = canonValue(b, j+1, depth); !ok || i >= len(b) {
			return 0, false
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

func canonArray(b []byte, i, depth int) (int, bool) {
	if depth > plainCanonicalDepth {
		return 0, false
	}
	i++ // '['
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for {
		var ok bool
		if i, ok = canonValue(b, i, depth); !ok || i >= len(b) {
			return 0, false
		}
		switch b[i] {
		case ',':
			i++
		case ']':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

// canonString checks the string at b[i] (its opening quote) and returns
// the index after its closing quote and whether it holds an escape. Bytes
// below 0x20 must be escaped as encoding/json escapes them (\b \f \n \r
// \t; the others as \u00XX, left undecided), text must be valid UTF-8
// with U+2028 and U+2029 escaped (left undecided too).
func canonString(b []byte, i int) (int, bool, bool) {
	escaped := false
	for i++; i < len(b); {
		c := b[i]
		switch {
		case c == '"':
			return i + 1, escaped, true
		case c == '\\':
			if i+1 >= len(b) {
				return 0, false, false
			}
			switch b[i+1] {
			case '"', '\\', 'b', 'f', 'n', 'r', 't':
			default:
				return 0, false, false // \u…, \/: undecided
			}
			escaped = true
			i += 2
		case c < 0x20:
			return 0, false, false
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
				return 0, false, false
			}
			i += size
		}
	}
	return 0, false, false
}

// canonNumber checks a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func canonNumber(b []byte, i int) (int, bool) {
	digits := func(i int) int {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i
	}
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(i + 1)
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}

func canonLiteral(b []byte, i int, lit string) (int, bool) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, false
	}
	return i + len(lit), true
}
