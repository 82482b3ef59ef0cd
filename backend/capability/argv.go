package capability

import (
	"fmt"
	"strings"
)

// SplitCommandLine splits a command line (a model's, or the user's validation command) into argv the way a POSIX
// shell splits words, but without any expansion: quotes ('…' keeps
// everything literal; "…" honours \" \\ \$ \` and backslash-newline) and
// backslash escapes outside quotes are honoured, while $NAME, ${NAME},
// $(…), backticks, ~ and globs stay literal text in argv. Nothing is read
// from the Studio's environment: a model that wants expansion runs
// `sh -c '…'`, and then it happens inside the sandbox. Words are separated
// by spaces, tabs and newlines; shell operators (|, ;, >) are plain words.
// An unterminated quote or a trailing backslash is an ErrBadRequest.
func SplitCommandLine(line string) ([]string, error) {
	var (
		argv   []string
		word   strings.Builder
		inWord bool // a word has started (so '' yields an empty argument)
	)
	end := func() {
		if inWord {
			argv = append(argv, word.String())
			word.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			end()
		case '\\':
			if i+1 >= len(line) {
				return nil, fmt.Errorf("%w: the command %q ends with a lone backslash", ErrBadRequest, line)
			}
			i++
			if line[i] == '\n' { // line continuation
				continue
			}
			word.WriteByte(line[i])
			inWord = true
		case '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("%w: the command %q has an unterminated single quote", ErrBadRequest, line)
			}
			word.WriteString(line[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case '"':
			inWord = true
			closed := false
			for i++; i < len(line); i++ {
				d := line[i]
				if d == '"' {
					closed = true
					break
				}
				if d == '\\' && i+1 < len(line) {
					switch line[i+1] {
					case '"', '\\', '$', '`':
						i++
						word.WriteByte(line[i])
						continue
					case '\n':
						i++
						continue
					}
				}
				word.WriteByte(d)
			}
			if !closed {
				return nil, fmt.Errorf("%w: the command %q has an unterminated double quote", ErrBadRequest, line)
			}
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	end()
	return argv, nil
}
