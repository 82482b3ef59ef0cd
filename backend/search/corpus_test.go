package search_test

// The corpus of the differential test against ripgrep (rgdiff_test.go): a
// deterministic tree of a few MB that holds what tells two text searches
// apart — Go- and JS-like source, prose in many scripts, very long lines,
// CRLF, binary files, invalid UTF-8, empty and blank lines, and words
// against punctuation. It holds no ignore file and no hidden or
// default-ignored folder, so the Studio's scan and `rg --no-ignore
// --hidden` walk the same files.

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// corpusSeed fixes the corpus: the same files, byte for byte, on every run.
const corpusSeed = 18

// writeCorpus writes the corpus into dir and returns the number of bytes
// written.
func writeCorpus(tb testing.TB, dir string) int64 {
	tb.Helper()
	g := &corpusGen{r: rand.New(rand.NewPCG(corpusSeed, corpusSeed*7919)), dir: dir, tb: tb}
	for i := range 100 {
		g.write(fmt.Sprintf("go/pkg%02d/file%03d.go", i%12, i), g.goFile(i))
	}
	for i := range 30 {
		g.write(fmt.Sprintf("js/src/mod%02d.js", i), g.jsFile(i))
	}
	for i := range 4 {
		g.write(fmt.Sprintf("js/dist/bundle%d.min.js", i), g.minified(40<<10+i*9000))
	}
	for i := range 40 {
		g.write(fmt.Sprintf("prose/doc%02d.md", i), g.prose(i, "\n"))
	}
	for i := range 8 {
		g.write(fmt.Sprintf("crlf/win%02d.txt", i), g.prose(100+i, "\r\n"))
		g.write(fmt.Sprintf("crlf/win%02d.go", i), bytes.ReplaceAll(g.goFile(200+i), []byte("\n"), []byte("\r\n")))
	}
	for i := range 6 {
		g.write(fmt.Sprintf("latin1/old%02d.txt", i), g.latin1(i))
	}
	g.binaries()
	g.edges()
	return g.bytes
}

type corpusGen struct {
	r     *rand.Rand
	dir   string
	tb    testing.TB
	bytes int64
}

func (g *corpusGen) write(rel string, data []byte) {
	full := filepath.Join(g.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		g.tb.Fatal(err)
	}
	if err := os.WriteFile(full, data, 0o644); err != nil {
		g.tb.Fatal(err)
	}
	g.bytes += int64(len(data))
}

func (g *corpusGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

var (
	goIdents = []string{"buf", "n", "i", "x", "err", "ctx", "r", "w", "foo", "bar", "baz", "fooBar", "item",
		"value", "count", "offset", "size", "data", "line", "ok", "k", "s", "seen", "Kind", "Path", "klass"}
	goTypes = []string{"int", "string", "[]byte", "error", "bool", "context.Context", "*Reader", "map[string]int", "io.Writer"}
	words   = []string{"the", "search", "finds", "every", "line", "that", "matches", "a", "pattern", "and", "reports",
		"it", "with", "its", "number", "in", "file", "case", "word", "boundary", "index", "trigram", "literal",
		"regex", "result", "i", "is", "of", "to", "foo", "bar", "baz", "class", "mass", "kick", "book"}
	// unicodeWords carry what case folding and Unicode classes must get
	// right: σ/ς/Σ, the Kelvin sign K (U+212A) and long s ſ (U+017F) that fold
	// with ASCII k and s, ß/ẞ, accents, a combining accent, CJK, emoji,
	// digits of other scripts and spaces other than ASCII's.
	unicodeWords = []string{"café", "CAFÉ", "Café", "cafe\u0301", "caf", "iñvalid", "straße", "STRAẞE", "Straße", "STRASSE",
		"σοφία", "ΣΟΦΊΑ", "Σοφία", "λόγος", "ΛΌΓΟΣ", "οδός", "ὁδὸς", "σς", "ΣΣ", "KKKK", "kkkk", "KkKk", "\u212Aelvin",
		"\u212A\u212A\u212A\u212A", "claſſ", "maſs", "ſtraße", "ǅungla", "ǆ", "日本語", "中文字符", "한국어", "テキスト",
		"😀", "🎉👍", "naïve", "résumé", "Ångström", "ÆØÅ", "øre", "İstanbul", "ıi", "\u00A0nbsp\u00A0", "ideo\u3000space",
		"٣٤٥٦", "２０２４", "x²", "½", "ﬁle", "Ⅻ", "ⅻ",
		// U+FFFD is a character (a symbol, not a word character), which
		// RE2 cannot tell from an invalid byte: both read as U+FFFD.
		"\uFFFD", "\uFFFDfoo", "i\uFFFD", "\uFFFDσς"}
	punct = []string{"len(", "-1", "x-1", "(-1)", "[i]", "i++", "a.b", "foo|bar", "$x", "#1", "@me", "--", "->", "::", "...",
		"len(x)", "len()", "cap(", "(i)", "i,", "-1,", "n-1", "-1-", "2024-03-15", "1999-12-31", "0x1f", "\"quoted\""}
)

// goFile is a Go-like source file.
func (g *corpusGen) goFile(n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Package pkg%02d is generated.\npackage pkg%02d\n\nimport (\n\t\"context\"\n\t\"io\"\n)\n\n", n%12, n%12)
	for f := range 20 + g.r.IntN(20) {
		name := g.pick(goIdents)
		camel := strings.ToUpper(name[:1]) + name[1:] + g.pick([]string{"Reader", "Writer", "Index", "X", "At"})
		if g.r.IntN(3) == 0 {
			fmt.Fprintf(&b, "func %s%d(ctx context.Context, %s %s) (%s, error) {\n", camel, f, g.pick(goIdents), g.pick(goTypes), g.pick(goTypes))
		} else {
			fmt.Fprintf(&b, "func %s%d(%s %s) %s {\n", camel, f, g.pick(goIdents), g.pick(goTypes), g.pick(goTypes))
		}
		for range 3 + g.r.IntN(8) {
			a, c := g.pick(goIdents), g.pick(goIdents)
			switch g.r.IntN(9) {
			case 0:
				fmt.Fprintf(&b, "\tfor i := 0; i < len(%s)-1; i++ {\n\t\t%s[i] = %s[i+1]\n\t}\n", a, a, a)
			case 1:
				fmt.Fprintf(&b, "\tif %s == -1 {\n\t\treturn nil, io.ErrUnexpectedEOF\n\t}\n", a)
			case 2:
				fmt.Fprintf(&b, "\t%s := %s-1 // %s\n", a, c, g.sentence(6))
			case 3:
				fmt.Fprintf(&b, "\t%s = append(%s, %q)\n", a, c, g.pick(unicodeWords))
			case 4:
				fmt.Fprintf(&b, "\n")
			case 5:
				fmt.Fprintf(&b, "\t%s := len( %s ) // %s\n", a, c, g.pick(punct))
			case 6:
				fmt.Fprintf(&b, "\t// released %d-%02d-%02d, see %s\n", 1990+g.r.IntN(40), 1+g.r.IntN(12), 1+g.r.IntN(28), g.pick(punct))
			case 7:
				fmt.Fprintf(&b, "\t%s, ok := %s.(%s)\n", a, c, g.pick(goTypes))
			default:
				fmt.Fprintf(&b, "\treturn %s(%s)\n", g.pick([]string{"len", "cap", "foo", "bar", "baz", "string"}), a)
			}
		}
		b.WriteString("}\n\n")
	}
	return b.Bytes()
}

// jsFile is a JS-like module.
func (g *corpusGen) jsFile(n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "'use strict';\n// module %d\nimport { foo, bar } from './mod%02d.js';\n\n", n, (n+1)%30)
	for f := range 15 + g.r.IntN(15) {
		fmt.Fprintf(&b, "export function %s%d(%s, %s) {\n", g.pick(goIdents), f, g.pick(goIdents), g.pick(goIdents))
		for range 2 + g.r.IntN(6) {
			switch g.r.IntN(6) {
			case 0:
				fmt.Fprintf(&b, "  const %s = %s.indexOf(%q) !== -1;\n", g.pick(goIdents), g.pick(goIdents), g.pick(unicodeWords))
			case 1:
				fmt.Fprintf(&b, "  if (%s.length-1 > 0) return %s.slice(0, -1);\n", g.pick(goIdents), g.pick(goIdents))
			case 2:
				b.WriteString("    \n") // only spaces
			case 3:
				fmt.Fprintf(&b, "  /* %s */\n", g.sentence(8))
			case 4:
				fmt.Fprintf(&b, "  return `${%s}-${%s}`;\n", g.pick(goIdents), g.pick(goIdents))
			default:
				fmt.Fprintf(&b, "  let %s = new Date('%d-%02d-%02d');\n", g.pick(goIdents), 2000+g.r.IntN(30), 1+g.r.IntN(12), 1+g.r.IntN(28))
			}
		}
		b.WriteString("}\n\n")
	}
	return b.Bytes()
}

// minified is a minified-JS-like file: a few lines of about size bytes
// each, the last without a line break.
func (g *corpusGen) minified(size int) []byte {
	var b bytes.Buffer
	for l := range 3 {
		start := b.Len()
		for b.Len()-start < size {
			v := string(rune('a' + g.r.IntN(26)))
			switch g.r.IntN(7) {
			case 0:
				fmt.Fprintf(&b, "var %s=function(%s){return %s.length-1};", v, v, v)
			case 1:
				fmt.Fprintf(&b, "%s.map(function(x){return x-1});", v)
			case 2:
				fmt.Fprintf(&b, "if(%s===-1)throw new Error(%q);", v, g.pick(unicodeWords))
			case 3:
				fmt.Fprintf(&b, "foo(%s)||bar(%s)&&baz(%s);", v, v, v)
			case 4:
				fmt.Fprintf(&b, "%s=len(%s,%d);", v, v, g.r.IntN(1000))
			default:
				fmt.Fprintf(&b, "%s[%d]=%q;", v, g.r.IntN(100), g.pick(words))
			}
		}
		if l < 2 {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

func (g *corpusGen) sentence(n int) string {
	ws := make([]string, n)
	for i := range ws {
		switch g.r.IntN(10) {
		case 0:
			ws[i] = g.pick(unicodeWords)
		case 1:
			ws[i] = g.pick(punct)
		default:
			ws[i] = g.pick(words)
		}
	}
	return strings.Join(ws, " ")
}

// prose is text in many scripts with empty and blank lines, ended by nl.
func (g *corpusGen) prose(n int, nl string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Document %d%s%s", n, nl, nl)
	for range 150 + g.r.IntN(150) {
		switch g.r.IntN(12) {
		case 0:
			b.WriteString(nl) // empty
		case 1:
			b.WriteString(strings.Repeat(" ", 1+g.r.IntN(6)) + nl) // only spaces
		case 2:
			b.WriteString("\t \t" + nl)
		case 3:
			b.WriteString(g.pick(unicodeWords) + nl) // one word alone
		case 4:
			fmt.Fprintf(&b, "%s, %s; %s.%s", g.pick(unicodeWords), g.pick(unicodeWords), g.pick(punct), nl)
		case 5:
			b.WriteString("\u3000\u00A0" + nl) // only non-ASCII spaces
		default:
			b.WriteString(capitalise(g.sentence(4+g.r.IntN(14))) + "." + nl)
		}
	}
	if n%3 == 0 { // no line break at the end
		b.WriteString("last line without a break: café σ -1")
	}
	return b.Bytes()
}

// latin1 is text with scattered invalid UTF-8: Latin-1 letters, a stray
// continuation byte, a cut sequence; few enough that the Studio's scan
// still calls it text.
func (g *corpusGen) latin1(n int) []byte {
	var b bytes.Buffer
	bad := []string{"i\xf1valid", "caf\xe9", "stra\xdfe", "\xff\xfe", "\x80x", "\xe6\x97", "na\xefve", "a\xffb", "k\xe9k"}
	for range 200 {
		b.WriteString(g.sentence(6))
		if g.r.IntN(3) == 0 {
			b.WriteString(" " + g.pick(bad) + " " + g.pick(words))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "file %d ends with a cut rune \xe2\x82", n)
	return b.Bytes()
}

// binaries are files both searches must skip, and the cases where the
// Studio's binary test (a NUL in the first 8 KiB, or over 10% control
// characters or invalid UTF-8 there) and rg's (a NUL in what it reads) part.
func (g *corpusGen) binaries() {
	text := func(n int) string {
		var s strings.Builder
		for s.Len() < n {
			s.WriteString(g.sentence(10) + " func len( -1 café\n")
		}
		return s.String()
	}
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	for range 2000 {
		png = append(png, byte(g.r.IntN(256)))
	}
	png = append(png, []byte("\nfunc café -1 len( foo\n")...)
	g.write("bin/image.png", png)
	g.write("bin/nul-early.dat", []byte(text(300)+"\x00"+text(2000)))
	g.write("bin/nul-at-8000.dat", []byte(text(8000)[:8000]+"\x00"+text(4000)))
	g.write("bin/utf16.txt", []byte("f\x00u\x00n\x00c\x00 \x00c\x00a\x00f\x00\xe9\x00\n\x00"))
	// A NUL after the 8 KiB the Studio sniffs but in the first block rg
	// reads (64 KiB), and one far beyond: rg then keeps the lines before it.
	g.write("bin/nul-late.dat", []byte(text(20000)+"\x00"+text(3000)))
	g.write("bin/nul-very-late.dat", []byte(text(300000)+"\x00"+text(3000)))
	// No NUL, but over 10% control characters: binary to the Studio only.
	ctrl := []byte(text(200))
	for range 400 {
		ctrl = append(ctrl, byte(1+g.r.IntN(7)))
	}
	g.write("bin/control.dat", append(ctrl, []byte("\nfunc len( -1 café\n")...))
}

// capitalise upper-cases the first letter of s.
func capitalise(s string) string {
	for i, r := range s {
		return s[:i] + strings.ToUpper(string(r)) + s[i+utf8.RuneLen(r):]
	}
	return s
}

// edges are the small files at the limits.
func (g *corpusGen) edges() {
	g.write("edge/empty.txt", nil)
	g.write("edge/newlines.txt", []byte("\n\n\n"))
	g.write("edge/spaces.txt", []byte("   \n \n\t\n  x  \n"))
	g.write("edge/no-eol.txt", []byte("func café -1"))
	g.write("edge/crlf-end.txt", []byte("foo\r\n\r\nbar\r\n"))
	g.write("edge/lone-cr.txt", []byte("foo\rbar\rbaz\n\r\n"))
	g.write("edge/one-char.txt", []byte("i"))
	g.write("edge/words.txt", []byte("len(x) len( x) len (x)\nx-1 y -1 z (-1) -1- a-1b\ncafé caf cafe caf.\niñvalid i ï i-i\n"+
		"foo|bar baz FOO Bar BAZ\nσ ς Σ σς\n\uFFFDlen( x \uFFFDi\uFFFD x-1\uFFFD \uFFFD-1\nK k \u212A ſ s S\nstraße STRASSE STRAẞE\n٣٤٥٦-٠١-٠٢ 2024-01-02\n"))
	long := strings.Repeat("abc def ", 3000) + "ErrUnexpectedEOF" + strings.Repeat(" ghi", 3000)
	g.write("edge/long-line.txt", []byte(long+"\n"+long))
}
