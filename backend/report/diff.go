package report

import (
	"fmt"
	"strings"
)

// Limits of the line diff: beyond them a file's change is shown as all of
// its old lines removed and all of its new lines added (still exact, only
// less readable), so a report of a huge rewrite cannot take minutes.
const (
	maxDiffLines = 50000 // lines of both sides after the common ends are cut
	maxDiffEdits = 4000  // edits (Myers' D) before falling back
	diffContext  = 3     // unchanged lines around each change, as diff -u
)

// diffOp is one line of an edit script: ' ' kept, '-' removed, '+' added.
type diffOp struct {
	kind byte
	line string // with its "\n", except a last line that has none
}

// splitKeep splits text into lines that keep their "\n".
func splitKeep(s string) []string {
	if s == "" {
		return nil
	}
	out := strings.SplitAfter(s, "\n")
	if out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// editScript returns a shortest edit script from a to b (Myers' O(ND)
// algorithm), with the common prefix and suffix taken off first.
func editScript(a, b []string) []diffOp {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var out []diffOp
	for _, l := range a[:pre] {
		out = append(out, diffOp{' ', l})
	}
	out = append(out, myers(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, l := range a[len(a)-suf:] {
		out = append(out, diffOp{' ', l})
	}
	return out
}

// replaceAll is the edit script that removes all of a and adds all of b.
func replaceAll(a, b []string) []diffOp {
	out := make([]diffOp, 0, len(a)+len(b))
	for _, l := range a {
		out = append(out, diffOp{'-', l})
	}
	for _, l := range b {
		out = append(out, diffOp{'+', l})
	}
	return out
}

func myers(a, b []string) []diffOp {
	n, m := len(a), len(b)
	if n == 0 || m == 0 || n+m > maxDiffLines {
		return replaceAll(a, b)
	}
	// trace[d][k+d] is the furthest x reached on diagonal k with d edits.
	var trace [][]int
	prev := func(d, k int) int {
		if d == 0 {
			return 0 // the virtual V[1] = 0 of the algorithm
		}
		return trace[d-1][k+d-1]
	}
	limit := min(n+m, maxDiffEdits)
	for d := 0; d <= limit; d++ {
		v := make([]int, 2*d+1)
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && prev(d, k-1) < prev(d, k+1)) {
				x = prev(d, k+1) // down: an insertion
			} else {
				x = prev(d, k-1) + 1 // right: a deletion
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[k+d] = x
			if x >= n && y >= m {
				trace = append(trace, v)
				return backtrack(a, b, trace)
			}
		}
		trace = append(trace, v)
	}
	return replaceAll(a, b)
}

func backtrack(a, b []string, trace [][]int) []diffOp {
	x, y := len(a), len(b)
	var rev []diffOp
	for d := len(trace) - 1; d > 0; d-- {
		k := x - y
		pv := trace[d-1]
		at := func(k int) int { return pv[k+d-1] }
		var pk int
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := at(pk)
		py := px - pk
		for x > px && y > py { // the snake after the edit
			rev = append(rev, diffOp{' ', a[x-1]})
			x, y = x-1, y-1
		}
		if pk == k+1 {
			rev = append(rev, diffOp{'+', b[y-1]})
		} else {
			rev = append(rev, diffOp{'-', a[x-1]})
		}
		x, y = px, py
	}
	for x > 0 && y > 0 {
		rev = append(rev, diffOp{' ', a[x-1]})
		x, y = x-1, y-1
	}
	out := make([]diffOp, len(rev))
	for i, op := range rev {
		out[len(rev)-1-i] = op
	}
	return out
}

// unifiedDiff is the unified diff (diff -u, three lines of context) of
// before and after, with ---/+++ headers naming path; "" when they are equal.
// It counts the lines added and removed.
func unifiedDiff(path, before, after string, beforeExists, afterExists bool) (diff string, added, removed int) {
	ops := editScript(splitKeep(before), splitKeep(after))
	var b strings.Builder
	from, to := "a/"+path, "b/"+path
	if !beforeExists {
		from = "/dev/null"
	}
	if !afterExists {
		to = "/dev/null"
	}
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", from, to)
	hunks := 0
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		// A hunk: from diffContext lines before this change to diffContext
		// lines after the last change that is at most 2*diffContext away.
		start := max(0, i-diffContext)
		end := i
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				end = j
			} else if j-end > 2*diffContext {
				break
			}
		}
		stop := min(len(ops), end+1+diffContext)
		oldStart, newStart := 1, 1
		for _, op := range ops[:start] {
			if op.kind != '+' {
				oldStart++
			}
			if op.kind != '-' {
				newStart++
			}
		}
		oldN, newN := 0, 0
		for _, op := range ops[start:stop] {
			if op.kind != '+' {
				oldN++
			}
			if op.kind != '-' {
				newN++
			}
		}
		fmt.Fprintf(&b, "@@ -%s +%s @@\n", hunkRange(oldStart, oldN), hunkRange(newStart, newN))
		for _, op := range ops[start:stop] {
			switch op.kind {
			case '+':
				added++
			case '-':
				removed++
			}
			b.WriteByte(op.kind)
			if strings.HasSuffix(op.line, "\n") {
				b.WriteString(op.line)
			} else {
				b.WriteString(op.line + "\n\\ No newline at end of file\n")
			}
		}
		hunks++
		i = stop
	}
	if hunks == 0 {
		return "", 0, 0
	}
	return b.String(), added, removed
}

// hunkRange is one side of a hunk header: "start,count", or "start" for
// one line; an empty side names the line before it.
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start-1)
	case 1:
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}
