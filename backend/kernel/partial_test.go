package kernel_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
)

// numbered is a file of n lines "name 1" … "name n".
func numbered(name string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %d", name, i+1)
	}
	return out
}

// withLines returns lines with some replaced (1-based line → new text).
func withLines(lines []string, repl map[int]string) string {
	out := append([]string(nil), lines...)
	for n, t := range repl {
		out[n-1] = t
	}
	return strings.Join(out, "\n") + "\n"
}

// twoByTwo is a validated run that changes a.txt and b.txt, each in two
// places far apart (two hunks each).
func twoByTwo(t *testing.T, req kernel.StartRequest) (*harness, kernel.RunInfo, map[string][]string) {
	t.Helper()
	base := map[string][]string{"a.txt": numbered("a", 20), "b.txt": numbered("b", 20)}
	h := newHarness(t, map[string]string{"a.txt": withLines(base["a.txt"], nil), "b.txt": withLines(base["b.txt"], nil)})
	info := h.start(req, steps(
		writeStep("a.txt", withLines(base["a.txt"], map[int]string{2: "a ONE", 18: "a TWO"})),
		writeStep("b.txt", withLines(base["b.txt"], map[int]string{3: "b ONE", 17: "b TWO"})),
	))
	if got := h.wait(info.ID); got.State != kernel.StateValidated {
		t.Fatalf("state %s (%s), want validated", got.State, got.Reason)
	}
	return h, info, base
}

func hunksOf(t *testing.T, h *harness, run string) map[string]kernel.FileHunks {
	t.Helper()
	files, err := h.k.Hunks(context.Background(), run)
	if err != nil {
		t.Fatalf("Hunks: %v", err)
	}
	out := map[string]kernel.FileHunks{}
	for _, f := range files {
		out[f.Path] = f
	}
	return out
}

func TestPartialCommitWritesExactlyTheAcceptedHunks(t *testing.T) {
	h, info, base := twoByTwo(t, kernel.StartRequest{Task: "two by two"})
	ctx := context.Background()
	files := hunksOf(t, h, info.ID)
	a, b := files["a.txt"], files["b.txt"]
	if len(a.Hunks) != 2 || len(b.Hunks) != 2 || a.Added != 2 || a.Removed != 2 || a.Op != kernel.ReviewModify {
		t.Fatalf("hunks: a %+v\nb %+v; want two hunks each, +2 -2", a, b)
	}
	if h0 := a.Hunks[0]; h0.OldStart != 1 || h0.OldLines != 5 || h0.NewLines != 5 || len(h0.Lines) != 6 || h0.Lines[1] != (kernel.HunkLine{Kind: "-", Text: "a 2"}) || h0.Lines[2] != (kernel.HunkLine{Kind: "+", Text: "a ONE"}) {
		t.Errorf("first hunk of a.txt = %+v", h0)
	}
	// The same content gives the same hunks.
	if again := hunksOf(t, h, info.ID); again["a.txt"].Hunks[1].ID != a.Hunks[1].ID {
		t.Error("hunk ids differ between two reads of the same run")
	}

	res, err := h.k.CommitPartial(ctx, info.ID, kernel.ReviewDecision{Accept: []string{a.Hunks[0].ID}})
	if err != nil {
		t.Fatalf("CommitPartial: %v", err)
	}
	if res.Accepted != 1 || res.Rejected != 3 || res.Committed || strings.Join(res.Written, ",") != "a.txt" {
		t.Errorf("result = %+v", res)
	}
	wantA := withLines(base["a.txt"], map[int]string{2: "a ONE"})
	if got := read(t, h.root, "a.txt"); got != wantA {
		t.Errorf("a.txt = %q, want only the accepted hunk applied: %q", got, wantA)
	}
	if got := read(t, h.root, "b.txt"); got != withLines(base["b.txt"], nil) {
		t.Errorf("b.txt changed: %q", got)
	}
	// The decision is the user's, recorded before anything was written, with the hashes.
	types := strings.Join(h.types(info.ID), " ")
	if !strings.Contains(types, "run.review_decided run.partial_committing effect.file_written run.partial_committed") {
		t.Errorf("events: %s", types)
	}
	ev := h.events(info.ID, eventlog.RunReviewDecided)
	if len(ev) != 1 || ev[0].Origin != eventlog.OriginUser {
		t.Fatalf("review_decided events = %+v, want one by the user", ev)
	}
	var p kernel.ReviewDecidedPayload
	if err := jsonUnmarshal(ev[0].Payload, &p); err != nil {
		t.Fatal(err)
	}
	if p.Accepted != 1 || p.Rejected != 3 || len(p.Files) != 2 ||
		p.Files[0].Path != "a.txt" || p.Files[0].Decision != "partial" || strings.Join(p.Files[0].Accepted, ",") != a.Hunks[0].ID || strings.Join(p.Files[0].Rejected, ",") != a.Hunks[1].ID ||
		p.Files[1].Decision != "rejected" || len(p.Files[1].Rejected) != 2 {
		t.Errorf("review_decided payload = %s", ev[0].Payload)
	}
	// The run is still open with the rest staged against the new disk content.
	got, _ := h.k.Get(ctx, info.ID)
	if got.State != kernel.StateValidated || got.Outcome != "" || !strings.Contains(got.Reason, "1 of 4 hunk(s)") {
		t.Errorf("run after the partial commit = %s %q (%s)", got.State, got.Outcome, got.Reason)
	}
	rest := hunksOf(t, h, info.ID)
	if len(rest["a.txt"].Hunks) != 1 || rest["a.txt"].Hunks[0].ID != a.Hunks[1].ID || len(rest["b.txt"].Hunks) != 2 {
		t.Errorf("still staged: a %+v, b %d hunks; want a's second hunk and b's two", rest["a.txt"].Hunks, len(rest["b.txt"].Hunks))
	}
	// The accepted hunk's hash is stale now.
	if _, err := h.k.CommitPartial(ctx, info.ID, kernel.ReviewDecision{Accept: []string{a.Hunks[0].ID}}); !errors.Is(err, kernel.ErrStaleReview) {
		t.Errorf("accepting a written hunk again: %v, want ErrStaleReview", err)
	}
	// Abort drops the rest; the accepted hunk stays on disk.
	if _, err := h.k.Abort(ctx, info.ID, "the rest is wrong"); err != nil {
		t.Fatal(err)
	}
	if got := read(t, h.root, "a.txt"); got != wantA {
		t.Errorf("a.txt after abort = %q, want %q", got, wantA)
	}
	if got := read(t, h.root, "b.txt"); got != withLines(base["b.txt"], nil) {
		t.Errorf("b.txt after abort = %q", got)
	}
}

func TestPartialThenFullCommitRevertsToTheOriginal(t *testing.T) {
	h, info, base := twoByTwo(t, kernel.StartRequest{Task: "two by two"})
	ctx := context.Background()
	before := treeHash(t, h.root)
	files := hunksOf(t, h, info.ID)
	if _, err := h.k.CommitPartial(ctx, info.ID, kernel.ReviewDecision{Accept: []string{files["b.txt"].Hunks[1].ID},
		Files: map[string]string{"a.txt": kernel.FileAccept}}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, h.root, "a.txt"); got != withLines(base["a.txt"], map[int]string{2: "a ONE", 18: "a TWO"}) {
		t.Errorf("a.txt (accepted whole) = %q", got)
	}
	if rest := hunksOf(t, h, info.ID); len(rest) != 1 || len(rest["b.txt"].Hunks) != 1 {
		t.Errorf("still staged = %+v, want b.txt's first hunk", rest)
	}
	// Commit the rest: the files are as the run proposed.
	if _, err := h.k.Approve(ctx, info.ID); err != nil {
		t.Fatal(err)
	}
	if got := read(t, h.root, "b.txt"); got != withLines(base["b.txt"], map[int]string{3: "b ONE", 17: "b TWO"}) {
		t.Errorf("b.txt after the commit of the rest = %q", got)
	}
	// A revert restores what was there before the first partial commit.
	rev, err := h.k.RevertWith(ctx, info.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.wait(rev.ID); got.Outcome != kernel.OutcomeCommitted {
		t.Fatalf("revert: %s %s", got.State, got.Reason)
	}
	if treeHash(t, h.root) != before {
		t.Error("the revert did not restore the files as they were before the partial commit")
	}
}

func TestPartialCommitRefusesAStaleOrEmptyDecision(t *testing.T) {
	h, info, _ := twoByTwo(t, kernel.StartRequest{Task: "two by two"})
	ctx := context.Background()
	before := treeHash(t, h.root)
	for _, d := range []kernel.ReviewDecision{
		{Accept: []string{"0123456789abcdef"}},
		{Files: map[string]string{"gone.txt": kernel.FileAccept}},
		{Files: map[string]string{"a.txt": "maybe"}},
		{},
	} {
		if _, err := h.k.CommitPartial(ctx, info.ID, d); err == nil {
			t.Errorf("CommitPartial(%+v) succeeded", d)
		} else if len(d.Accept) > 0 && !errors.Is(err, kernel.ErrStaleReview) {
			t.Errorf("stale hash: %v, want ErrStaleReview", err)
		}
	}
	if treeHash(t, h.root) != before {
		t.Error("a refused decision changed the files")
	}
	if ev := h.events(info.ID, eventlog.RunReviewDecided); len(ev) != 0 {
		t.Errorf("a refused decision was recorded: %d events", len(ev))
	}
	if got, _ := h.k.Get(ctx, info.ID); got.State != kernel.StateValidated {
		t.Errorf("state %s, want still validated", got.State)
	}
}

func TestPartialCommitIsValidatedAgain(t *testing.T) {
	// The check passes on the whole change (ONE and TWO) and fails on ONE alone.
	check := []string{"sh", "-c", "! grep -q 'a ONE' a.txt || grep -q 'a TWO' a.txt"}
	h, info, _ := twoByTwo(t, kernel.StartRequest{Task: "validated", ValidationCommand: check})
	ctx := context.Background()
	before := treeHash(t, h.root)
	files := hunksOf(t, h, info.ID)
	_, err := h.k.CommitPartial(ctx, info.ID, kernel.ReviewDecision{Accept: []string{files["a.txt"].Hunks[0].ID}})
	if err == nil || !strings.Contains(err.Error(), "nothing was written") || !strings.Contains(err.Error(), "exit code 1") {
		t.Fatalf("CommitPartial = %v, want a validation failure", err)
	}
	if treeHash(t, h.root) != before {
		t.Error("a partial commit that failed validation wrote files")
	}
	ev := h.events(info.ID, eventlog.RunReviewValidated)
	if len(ev) != 1 || !strings.Contains(string(ev[0].Payload), `"passed":false`) {
		t.Errorf("review_validated = %+v", ev)
	}
	if got, _ := h.k.Get(ctx, info.ID); got.State != kernel.StateValidated {
		t.Errorf("state %s, want still validated", got.State)
	}
	if rest := hunksOf(t, h, info.ID); len(rest["a.txt"].Hunks) != 2 {
		t.Error("the staged changes were lost")
	}
	// A part that passes is written.
	if _, err := h.k.CommitPartial(ctx, info.ID, kernel.ReviewDecision{Accept: []string{files["b.txt"].Hunks[0].ID}}); err != nil {
		t.Fatalf("a passing part: %v", err)
	}
	if ev := h.events(info.ID, eventlog.RunReviewValidated); len(ev) != 2 || !strings.Contains(string(ev[1].Payload), `"passed":true`) {
		t.Errorf("review_validated = %+v", ev)
	}
}

func TestPartialCommitDecidesCreatesAndDeletesWhole(t *testing.T) {
	base := numbered("a", 20)
	h := newHarness(t, map[string]string{"a.txt": withLines(base, nil), "c.txt": "to delete\n"})
	ctx := context.Background()
	info := h.start(kernel.StartRequest{Task: "mixed"}, steps(
		writeStep("a.txt", withLines(base, map[int]string{2: "a ONE", 18: "a TWO"})),
		writeStep("new.txt", "one\ntwo\nthree\n"),
		deleteStep("c.txt"),
	))
	if got := h.wait(info.ID); got.State != kernel.StateValidated {
		t.Fatalf("state %s", got.State)
	}
	files := hunksOf(t, h, info.ID)
	if f := files["new.txt"]; f.Op != kernel.ReviewCreate || !f.Whole || len(f.Hunks) != 1 || f.Added != 3 {
		t.Errorf("new.txt = %+v", f)
	}
	if f := files["c.txt"]; f.Op != kernel.ReviewDelete || !f.Whole || len(f.Hunks) != 1 || f.Removed != 1 {
		t.Errorf("c.txt = %+v", f)
	}
	_, err := h.k.CommitPartial(ctx, info.ID, kernel.ReviewDecision{Accept: []string{files["a.txt"].Hunks[1].ID},
		Files: map[string]string{"new.txt": kernel.FileAccept, "c.txt": kernel.FileReject}})
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, h.root, "new.txt"); got != "one\ntwo\nthree\n" {
		t.Errorf("new.txt = %q", got)
	}
	if got := read(t, h.root, "c.txt"); got != "to delete\n" {
		t.Errorf("c.txt = %q, want kept (its delete rejected)", got)
	}
	if got := read(t, h.root, "a.txt"); got != withLines(base, map[int]string{18: "a TWO"}) {
		t.Errorf("a.txt = %q", got)
	}
	rest := hunksOf(t, h, info.ID)
	if len(rest) != 2 || rest["c.txt"].Op != kernel.ReviewDelete || len(rest["a.txt"].Hunks) != 1 {
		t.Errorf("still staged = %+v", rest)
	}
	// Accepting everything that is left is an ordinary commit.
	res, err := h.k.CommitPartial(ctx, info.ID, kernel.ReviewDecision{Files: map[string]string{"c.txt": kernel.FileAccept, "a.txt": kernel.FileAccept}})
	if err != nil || !res.Committed || res.Run.Outcome != kernel.OutcomeCommitted {
		t.Fatalf("accepting the rest = %+v, %v", res, err)
	}
	if got := read(t, h.root, "c.txt"); got != "<absent>" {
		t.Errorf("c.txt = %q, want deleted", got)
	}
	if got := read(t, h.root, "a.txt"); got != withLines(base, map[int]string{2: "a ONE", 18: "a TWO"}) {
		t.Errorf("a.txt = %q", got)
	}
}
