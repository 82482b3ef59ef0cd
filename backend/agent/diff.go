package agent

import (
	"fmt"
	"strconv"
	"strings"
)

// hunk is one @@ section of a unified diff.
type hunk struct {
	oldStart   int // 1-based, as the header says (a hint: the text decides)
	old, lines []string
}

// applyDiff applies a unified diff of one file to text. Each hunk's old
// side (context and removed lines) must be found in the file; it is looked
// for nearest to where the header says, so small line drift is fine.
func applyDiff(text, diff string) (string, error) {
	hunks, err := parseHunks(diff)
	if err != nil {
		return "", err
	}
	trailingNL := strings.HasSuffix(text, "\n")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if text == "" {
		lines = nil
	}
	offset := 0
	for n, h := range hunks {
		at := find(lines, h.old, h.oldStart-1+offset)
		if at < 0 {
			return "", fmt.Errorf("hunk %d of the diff does not apply: its lines (%q…) are not in the file — read it again and make a fresh diff", n+1, first(h.old))
		}
		var next []string
		next = append(next, lines[:at]...)
		next = append(next, h.lines...)
		next = append(next, lines[at+len(h.old):]...)
		offset += len(h.lines) - len(h.old)
		lines = next
	}
	out := strings.Join(lines, "\n")
	if trailingNL || text == "" {
		out += "\n"
	}
	return out, nil
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// find returns where want occurs in lines, nearest to hint (-1: nowhere).
func find(lines, want []string, hint int) int {
	if len(want) == 0 {
		return max(0, min(hint, len(lines)))
	}
	best := -1
	for i := 0; i+len(want) <= len(lines); i++ {
		ok := true
		for j := range want {
			if lines[i+j] != want[j] {
				ok = false
				break
			}
		}
		if ok && (best < 0 || abs(i-hint) < abs(best-hint)) {
			best = i
		}
	}
	return best
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func parseHunks(diff string) ([]hunk, error) {
	var hunks []hunk
	var cur *hunk
	for _, l := range strings.Split(strings.ReplaceAll(diff, "\r\n", "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "@@"):
			hunks = append(hunks, hunk{oldStart: hunkStart(l)})
			cur = &hunks[len(hunks)-1]
		case cur == nil:
			continue // headers (---, +++, diff --git, index) before the first hunk
		case strings.HasPrefix(l, "---") || strings.HasPrefix(l, "+++"):
			cur = nil // the next file's headers
		case strings.HasPrefix(l, "\\"):
			continue // "\ No newline at end of file"
		case strings.HasPrefix(l, "+"):
			cur.lines = append(cur.lines, l[1:])
		case strings.HasPrefix(l, "-"):
			cur.old = append(cur.old, l[1:])
		case strings.HasPrefix(l, " "):
			cur.old = append(cur.old, l[1:])
			cur.lines = append(cur.lines, l[1:])
		case l == "":
			// An empty context line whose leading space was lost; a trailing
			// one is the end of the diff text.
			cur.old = append(cur.old, "")
			cur.lines = append(cur.lines, "")
		default:
			return nil, fmt.Errorf("%w: the diff line %q starts with none of ' ', '+', '-'", errBadCall, l)
		}
	}
	if len(hunks) == 0 {
		return nil, fmt.Errorf("%w: the diff has no @@ hunk", errBadCall)
	}
	// Empty lines at the end of each hunk are the diff's own trailing newline.
	for i := range hunks {
		h := &hunks[i]
		for len(h.old) > 0 && len(h.lines) > 0 && h.old[len(h.old)-1] == "" && h.lines[len(h.lines)-1] == "" {
			h.old, h.lines = h.old[:len(h.old)-1], h.lines[:len(h.lines)-1]
		}
		if len(h.old) == 0 && len(h.lines) == 0 {
			return nil, fmt.Errorf("%w: hunk %d of the diff is empty", errBadCall, i+1)
		}
	}
	return hunks, nil
}

// hunkStart reads the old start line of "@@ -a,b +c,d @@" (1 if unreadable).
func hunkStart(h string) int {
	f := strings.Fields(h)
	if len(f) < 2 || !strings.HasPrefix(f[1], "-") {
		return 1
	}
	n, err := strconv.Atoi(strings.SplitN(f[1][1:], ",", 2)[0])
	if err != nil || n < 1 {
		return 1
	}
	return n
}
