package kernel

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/projection"
)

// A review splits a validated run's staged changes into hunks, computed
// from each file's base and staged content alone (so the same on every
// call), and commits the ones the user accepts: the rest stays staged.

// ErrStaleReview is a review decision that names hunks or files the run
// does not have staged now (the review was made of an older state).
var ErrStaleReview = errors.New("the review is out of date")

// Operations of a reviewed file.
const (
	ReviewCreate = "create"
	ReviewModify = "modify"
	ReviewDelete = "delete"
)

// Whole-file decisions of a review.
const (
	FileAccept = "accept"
	FileReject = "reject"
)

// hunkContext is how many unchanged lines a hunk shows around its changes;
// changes closer than twice that are one hunk.
const hunkContext = 3

// maxEditDistance bounds the line diff's work: two versions further apart
// than this many inserted and deleted lines are one change, everything
// between their common first and last lines.
const maxEditDistance = 2000

// HunkLine is one line of a hunk: kept (' '), added ('+') or removed ('-').
type HunkLine struct {
	Kind string `json:"kind"`
	Text string `json:"text"` // without its line break
}

// Hunk is one change of a file with the lines around it.
type Hunk struct {
	// ID is the hunk's content hash: SHA-256 of the path, the hunk's old
	// lines and its new lines (shortened). A decision names hunks by it, so
	// a decision made of other content never applies.
	ID       string     `json:"id"`
	OldStart int        `json:"oldStart"` // 1-based
	OldLines int        `json:"oldLines"`
	NewStart int        `json:"newStart"`
	NewLines int        `json:"newLines"`
	Lines    []HunkLine `json:"lines"`
	lo, hi   int        // its edits, [lo, hi) of the file's edit script
}

// FileHunks is one staged file split into hunks.
type FileHunks struct {
	Path    string `json:"path"`
	Op      string `json:"op"` // create, modify or delete
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
	Binary  bool   `json:"binary"`
	// Whole says the file is decided as a whole: a create, a delete or a
	// binary file has one hunk, and it is the file.
	Whole bool   `json:"whole"`
	Hunks []Hunk `json:"hunks"`

	staged Staged
	a, b   []string // the lines of base and staged content
	edits  []edit
}

// edit is one step of a line diff: keep a[i] (== b[j]), delete a[i] or insert b[j].
type edit struct {
	op   byte // ' ', '-', '+'
	i, j int
}

// Hunks splits a run's staged changes into hunks.
func (k *Kernel) Hunks(ctx context.Context, run string) ([]FileHunks, error) {
	if _, err := k.load(ctx, run); err != nil {
		return nil, err
	}
	staged, err := StagedChanges(ctx, k.cfg.ReadDB, run)
	if err != nil {
		return nil, err
	}
	return k.hunksOf(ctx, staged)
}

func (k *Kernel) hunksOf(ctx context.Context, staged []Staged) ([]FileHunks, error) {
	out := make([]FileHunks, 0, len(staged))
	for _, s := range staged {
		var base, after []byte
		for _, side := range []struct {
			addr string
			dst  *[]byte
		}{{s.Base, &base}, {s.After, &after}} {
			if side.addr == "" {
				continue
			}
			b, err := k.cfg.Blobs.GetBlob(ctx, side.addr)
			if err != nil {
				return nil, fmt.Errorf("content of %s: %w", s.Path, err)
			}
			*side.dst = b
		}
		out = append(out, fileHunks(s, base, after))
	}
	return out, nil
}

// fileHunks splits one staged change into hunks.
func fileHunks(s Staged, base, after []byte) FileHunks {
	f := FileHunks{Path: s.Path, Op: ReviewModify, staged: s}
	switch {
	case s.Base == "":
		f.Op, f.Whole = ReviewCreate, true
	case s.After == "" || s.Op == OpDelete:
		f.Op, f.Whole = ReviewDelete, true
	}
	if isBinary(base) || isBinary(after) {
		f.Binary, f.Whole = true, true
		f.Hunks = []Hunk{{ID: hunkID(s.Path, []string{s.Base}, []string{s.After})}}
		return f
	}
	f.a, f.b = splitLines(base), splitLines(after)
	f.edits = diffLines(f.a, f.b)
	for _, e := range f.edits {
		switch e.op {
		case '+':
			f.Added++
		case '-':
			f.Removed++
		}
	}
	f.Hunks = groupHunks(s.Path, f.a, f.b, f.edits)
	if f.Whole && len(f.Hunks) != 1 {
		// An empty file created or deleted: no line changes, still the file.
		f.Hunks = []Hunk{{ID: hunkID(s.Path, []string{s.Base}, []string{s.After}), lo: 0, hi: len(f.edits)}}
	}
	return f
}

func isBinary(b []byte) bool { return bytes.IndexByte(b, 0) >= 0 || !utf8.Valid(b) }

// splitLines splits text into lines, each with its line break (the last
// may have none), so joining them gives the text back byte for byte.
func splitLines(text []byte) []string {
	var out []string
	for len(text) > 0 {
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			out = append(out, string(text))
			break
		}
		out = append(out, string(text[:i+1]))
		text = text[i+1:]
	}
	return out
}

// diffLines is a shortest edit script from a to b (Myers), after their
// common first and last lines.
func diffLines(a, b []string) []edit {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	out := make([]edit, 0, len(a)+len(b)-pre-suf)
	for i := 0; i < pre; i++ {
		out = append(out, edit{' ', i, i})
	}
	for _, e := range myers(a[pre:len(a)-suf], b[pre:len(b)-suf]) {
		out = append(out, edit{e.op, e.i + pre, e.j + pre})
	}
	for n := suf; n > 0; n-- {
		out = append(out, edit{' ', len(a) - n, len(b) - n})
	}
	return out
}

// myers is the greedy O((N+M)D) shortest edit script of Myers (1986);
// past maxEditDistance it gives up and replaces all of a with all of b.
func myers(a, b []string) []edit {
	n, m := len(a), len(b)
	replace := func() []edit {
		out := make([]edit, 0, n+m)
		for i := 0; i < n; i++ {
			out = append(out, edit{'-', i, 0})
		}
		for j := 0; j < m; j++ {
			out = append(out, edit{'+', n, j})
		}
		return out
	}
	if n == 0 || m == 0 {
		return replace()
	}
	off := n + m
	v := make([]int, 2*off+2)
	var trace [][]int // trace[d]: v (for k in -d..d) before step d
	for d := 0; d <= n+m; d++ {
		if d > maxEditDistance {
			return replace()
		}
		trace = append(trace, append([]int(nil), v[off-d:off+d+1]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				return backtrack(trace, n, m)
			}
		}
	}
	return replace()
}

// backtrack walks a Myers trace back from (n, m) to (0, 0).
func backtrack(trace [][]int, n, m int) []edit {
	var rev []edit
	x, y := n, m
	for d := len(trace) - 1; d > 0; d-- {
		vd := trace[d]
		at := func(k int) int { return vd[k+d] }
		k := x - y
		prevK := k - 1
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			prevK = k + 1
		}
		prevX := at(prevK)
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x, y = x-1, y-1
			rev = append(rev, edit{' ', x, y})
		}
		if x == prevX {
			y--
			rev = append(rev, edit{'+', x, y})
		} else {
			x--
			rev = append(rev, edit{'-', x, y})
		}
	}
	for x > 0 && y > 0 {
		x, y = x-1, y-1
		rev = append(rev, edit{' ', x, y})
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

// groupHunks makes the hunks of an edit script: its changes with
// hunkContext kept lines around them, changes closer than twice that in
// one hunk.
func groupHunks(path string, a, b []string, edits []edit) []Hunk {
	var hunks []Hunk
	seen := map[string]int{}
	for i := 0; i < len(edits); {
		if edits[i].op == ' ' {
			i++
			continue
		}
		lo := max(0, i-hunkContext)
		for lo < i && edits[lo].op != ' ' {
			lo++
		}
		// Extend over changes and short runs of kept lines.
		hi, kept := i, 0
		for j := i; j < len(edits); j++ {
			if edits[j].op == ' ' {
				kept++
				if kept > 2*hunkContext {
					break
				}
				continue
			}
			kept = 0
			hi = j + 1
		}
		end := min(len(edits), hi+hunkContext)
		h := Hunk{lo: lo, hi: end}
		var old, cur []string
		for _, e := range edits[lo:end] {
			switch e.op {
			case ' ':
				old, cur = append(old, a[e.i]), append(cur, b[e.j])
				h.Lines = append(h.Lines, HunkLine{Kind: " ", Text: lineText(a[e.i])})
			case '-':
				old = append(old, a[e.i])
				h.Lines = append(h.Lines, HunkLine{Kind: "-", Text: lineText(a[e.i])})
			case '+':
				cur = append(cur, b[e.j])
				h.Lines = append(h.Lines, HunkLine{Kind: "+", Text: lineText(b[e.j])})
			}
		}
		first := edits[lo]
		h.OldStart, h.NewStart = first.i+1, first.j+1
		h.OldLines, h.NewLines = len(old), len(cur)
		if h.OldLines == 0 {
			h.OldStart--
		}
		if h.NewLines == 0 {
			h.NewStart--
		}
		h.ID = hunkID(path, old, cur)
		// The same change twice in a file (same lines around it too) gets
		// its occurrence in the id.
		if n := seen[h.ID]; n > 0 {
			h.ID = hunkID(path, append(old, fmt.Sprintf("\x00%d", n)), cur)
		}
		seen[hunkID(path, old, cur)]++
		hunks = append(hunks, h)
		i = hi
	}
	return hunks
}

// lineText is a line as shown: without its line break.
func lineText(l string) string {
	return strings.TrimSuffix(strings.TrimSuffix(l, "\n"), "\r")
}

// hunkID is the content hash of a hunk, hex, shortened to 16 digits.
func hunkID(path string, old, cur []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", path, len(old))
	for _, l := range old {
		fmt.Fprintf(h, "%d\x00%s", len(l), l)
	}
	fmt.Fprintf(h, "\x00%d\x00", len(cur))
	for _, l := range cur {
		fmt.Fprintf(h, "%d\x00%s", len(l), l)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// apply returns the file's base with only the accepted hunks applied.
func (f *FileHunks) apply(accepted map[string]bool) []byte {
	take := make([]bool, len(f.edits))
	for _, h := range f.Hunks {
		if accepted[h.ID] {
			for i := h.lo; i < h.hi; i++ {
				take[i] = true
			}
		}
	}
	var buf bytes.Buffer
	for i, e := range f.edits {
		switch {
		case e.op == ' ':
			buf.WriteString(f.a[e.i])
		case e.op == '-' && !take[i]:
			buf.WriteString(f.a[e.i])
		case e.op == '+' && take[i]:
			buf.WriteString(f.b[e.j])
		}
	}
	return buf.Bytes()
}

// ReviewDecision is the user's review of a validated run: the hunks
// accepted (by Hunk.ID); Files decides whole files ("accept" or "reject"
// by path), whatever their hunks. Every other hunk is rejected.
type ReviewDecision struct {
	Accept []string          `json:"accept"`
	Files  map[string]string `json:"files,omitempty"`
}

// PartialResult is what a partial commit did.
type PartialResult struct {
	Run      RunInfo  `json:"run"`
	Written  []string `json:"written"`  // the files written
	Accepted int      `json:"accepted"` // hunks
	Rejected int      `json:"rejected"` // hunks still staged
	// Committed says every hunk was accepted: the run was committed whole.
	Committed bool   `json:"committed"`
	Reason    string `json:"reason"`
}

// CommitPartial commits the part of a validated run's staged changes the
// user accepted. The decision is recorded first (run.review_decided, by
// the user, with the hunks accepted and rejected of each file); a decision
// naming a hunk or file the run does not have staged now is refused
// (ErrStaleReview) and nothing is recorded. Each file's accepted content is
// its base with only the accepted hunks applied. With a validation command
// configured, that content is validated again (run.review_validated); if
// it fails, nothing is written. Then it is written the way a commit writes
// (writeLocked: conflict check, journal, effects) and the run is validated
// again (run.partial_committed) with the rejected hunks staged against the
// new disk content, until it is committed or aborted. A decision that
// accepts every hunk is an ordinary commit.
func (k *Kernel) CommitPartial(ctx context.Context, run string, d ReviewDecision) (PartialResult, error) {
	unlock := k.lock(run)
	defer unlock()
	info, err := k.load(ctx, run)
	if err != nil {
		return PartialResult{}, err
	}
	if info.State != StateValidated {
		return PartialResult{Run: info}, fmt.Errorf("%w: it is %s, and only a validated run can be committed", ErrNotApprovable, info.State)
	}
	staged, err := StagedChanges(ctx, k.cfg.ReadDB, run)
	if err != nil {
		return PartialResult{}, err
	}
	files, err := k.hunksOf(ctx, staged)
	if err != nil {
		return PartialResult{}, err
	}
	accepted, decided, err := resolveReview(files, d)
	if err != nil {
		return PartialResult{Run: info}, err
	}
	res := PartialResult{Accepted: decided.Accepted, Rejected: decided.Rejected, Written: []string{}}
	if decided.Accepted == 0 {
		return PartialResult{Run: info}, errors.New("no hunk is accepted: nothing to commit (Abort drops the whole run)")
	}
	decision, err := k.record(ctx, &info, eventlog.RunReviewDecided, eventlog.OriginUser, decided, "")
	if err != nil {
		return PartialResult{}, err
	}
	if decided.Rejected == 0 {
		// Everything accepted: the run is committed as a whole.
		approval, err := k.record(ctx, &info, eventlog.RunCommitApproved, eventlog.OriginUser, map[string]any{}, decision.ID)
		if err != nil {
			return PartialResult{}, err
		}
		if err := k.commitLocked(ctx, &info, approval.ID); err != nil {
			return PartialResult{}, err
		}
		for _, f := range files {
			res.Written = append(res.Written, f.Path)
		}
		res.Committed = true
		res.Run, err = k.load(ctx, run)
		res.Reason = res.Run.Reason
		return res, err
	}
	// The accepted content of each file with an accepted hunk.
	var part []Staged
	for i := range files {
		f := &files[i]
		if !anyAccepted(f, accepted) {
			continue
		}
		s := f.staged
		if !f.Whole {
			body := f.apply(accepted)
			addr, err := k.cfg.Blobs.PutBlob(ctx, body)
			if err != nil {
				return PartialResult{}, fmt.Errorf("store the accepted content of %s: %w", f.Path, err)
			}
			s.After, s.Op = addr, OpWrite
		}
		part = append(part, s)
	}
	root, err := k.cfg.Roots(ctx, info.Workspace)
	if err != nil {
		return PartialResult{}, fmt.Errorf("cannot commit: %w", err)
	}
	if len(info.config.ValidationCommand) > 0 {
		p, ok := k.check(ctx, &info, root, part)
		if _, err := k.record(ctx, &info, eventlog.RunReviewValidated, eventlog.OriginRuntime,
			ReviewValidatedPayload{Passed: ok, ValidationPayload: p}, decision.ID); err != nil {
			return PartialResult{}, err
		}
		if !ok {
			res.Run, _ = k.load(ctx, run)
			return res, fmt.Errorf("the accepted hunks fail validation, so nothing was written: %s", p.Reason)
		}
	}
	journal, ended, err := k.writeLocked(ctx, &info, root, part, eventlog.RunPartialCommitting, decision.ID)
	if err != nil || ended {
		res.Run, _ = k.load(ctx, run)
		if err == nil && res.Run.State != StateValidated {
			err = fmt.Errorf("the partial commit did not complete: %s", res.Run.Reason)
		}
		return res, err
	}
	reason, err := k.partialCommitted(ctx, &info, journal,
		fmt.Sprintf("partial commit: %d of %d hunk(s) written", decided.Accepted, decided.Accepted+decided.Rejected))
	if err != nil {
		return PartialResult{}, err
	}
	for _, e := range journal {
		res.Written = append(res.Written, e.Path)
	}
	res.Reason = reason
	res.Run, err = k.load(ctx, run)
	return res, err
}

// partialCommitted records the end of a partial commit whose journal is
// written: each file's content now on disk is the base of what stays
// staged of it. It returns the reason recorded.
func (k *Kernel) partialCommitted(ctx context.Context, info *RunInfo, journal []JournalEntry, what string) (string, error) {
	staged, err := StagedChanges(ctx, k.cfg.ReadDB, info.ID)
	if err != nil {
		return "", err
	}
	after := make(map[string]string, len(staged))
	for _, s := range staged {
		after[s.Path] = s.After
	}
	p := PartialCommittedPayload{Files: make([]PartialFile, len(journal))}
	remaining := len(staged) - len(journal)
	for i, e := range journal {
		p.Files[i] = PartialFile{Path: e.Path, Base: e.After, Remaining: after[e.Path] != e.After}
		if p.Files[i].Remaining {
			remaining++
		}
	}
	p.Reason = fmt.Sprintf("%s to %d file(s); %d file(s) still staged: Commit or Abort the rest", what, len(journal), remaining)
	_, err = k.record(ctx, info, eventlog.RunPartialCommitted, eventlog.OriginRuntime, p, "")
	return p.Reason, err
}

// anyAccepted says whether any hunk of f is accepted.
func anyAccepted(f *FileHunks, accepted map[string]bool) bool {
	for _, h := range f.Hunks {
		if accepted[h.ID] {
			return true
		}
	}
	return false
}

// resolveReview checks a decision against the run's hunks now and says,
// per file, which hunks are accepted and rejected.
func resolveReview(files []FileHunks, d ReviewDecision) (map[string]bool, ReviewDecidedPayload, error) {
	var p ReviewDecidedPayload
	byID := map[string]string{} // hunk → path
	byPath := map[string]*FileHunks{}
	for i := range files {
		byPath[files[i].Path] = &files[i]
		for _, h := range files[i].Hunks {
			byID[h.ID] = files[i].Path
		}
	}
	accepted := map[string]bool{}
	for _, id := range d.Accept {
		if _, ok := byID[id]; !ok {
			return nil, p, fmt.Errorf("%w: hunk %s is not one of the run's staged hunks now; review the run again", ErrStaleReview, id)
		}
		accepted[id] = true
	}
	for path, dec := range d.Files {
		f, ok := byPath[path]
		if !ok {
			return nil, p, fmt.Errorf("%w: %s is not one of the run's staged files now; review the run again", ErrStaleReview, path)
		}
		for _, h := range f.Hunks {
			switch dec {
			case FileAccept:
				accepted[h.ID] = true
			case FileReject:
				if accepted[h.ID] && contains(d.Accept, h.ID) {
					return nil, p, fmt.Errorf("hunk %s of %s is both accepted and, with its file, rejected", h.ID, path)
				}
				delete(accepted, h.ID)
			default:
				return nil, p, fmt.Errorf("the decision for %s is %q: say %q or %q", path, dec, FileAccept, FileReject)
			}
		}
	}
	p.Files = make([]ReviewFile, len(files))
	for i, f := range files {
		rf := ReviewFile{Path: f.Path, Op: f.Op, Accepted: []string{}, Rejected: []string{}}
		for _, h := range f.Hunks {
			if accepted[h.ID] {
				rf.Accepted = append(rf.Accepted, h.ID)
			} else {
				rf.Rejected = append(rf.Rejected, h.ID)
			}
		}
		switch {
		case len(rf.Rejected) == 0:
			rf.Decision = "accepted"
		case len(rf.Accepted) == 0:
			rf.Decision = "rejected"
		default:
			rf.Decision = "partial"
		}
		p.Accepted += len(rf.Accepted)
		p.Rejected += len(rf.Rejected)
		p.Files[i] = rf
	}
	return accepted, p, nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// applyPartialCommit folds run.partial_committed into the staged changes.
func applyPartialCommit(ctx context.Context, tx *projection.Tx, e eventlog.Event) error {
	var p PartialCommittedPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return err
	}
	for _, f := range p.Files {
		var err error
		if f.Remaining {
			_, err = tx.ExecContext(ctx, `UPDATE p_run_staged SET base = ? WHERE run = ? AND path = ?`, f.Base, e.Run, f.Path)
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM p_run_staged WHERE run = ? AND path = ?`, e.Run, f.Path)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
