package studio

import (
	"errors"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/memory"
)

// TestRunInfoSaysWhatValidationChecks: a run tells the UI whether a
// validation command tests it, so "validated" is only said of a run a
// command passed; without one, its edits merely apply cleanly.
func TestRunInfoSaysWhatValidationChecks(t *testing.T) {
	s, ws, _ := memStudio(t, t.TempDir())
	defer closeStudio(t, s)
	plain, err := s.StartEditRun(StartEditRunRequest{WorkspaceID: ws.ID, Path: "a.txt", Content: "alpha two\n"})
	must(t, err)
	got, _ := s.WaitRun(RunRequest{ID: plain.ID})
	if got.State != kernel.StateValidated || len(got.ValidationCommand) != 0 {
		t.Fatalf("run without a command: state %s, validation command %q", got.State, got.ValidationCommand)
	}
	tested, err := s.StartEditRun(StartEditRunRequest{WorkspaceID: ws.ID, Path: "b.txt", Content: "beta two\n",
		Options: RunOptions{ValidationCommand: `grep -q two b.txt`}})
	must(t, err)
	s.WaitRun(RunRequest{ID: tested.ID})
	d, err := s.GetRun(RunRequest{ID: tested.ID})
	must(t, err)
	if strings.Join(d.Run.ValidationCommand, " ") != "grep -q two b.txt" {
		t.Errorf("GetRun: validation command %q, want the argv of %q", d.Run.ValidationCommand, "grep -q two b.txt")
	}
	runs, err := s.ListRuns(ListRunsRequest{WorkspaceID: ws.ID})
	must(t, err)
	byID := map[string]kernel.RunInfo{}
	for _, r := range runs {
		byID[r.ID] = r
	}
	if len(byID[tested.ID].ValidationCommand) != 4 || len(byID[plain.ID].ValidationCommand) != 0 {
		t.Errorf("ListRuns: %q and %q", byID[tested.ID].ValidationCommand, byID[plain.ID].ValidationCommand)
	}
}

// TestARevertedRunCannotBePromoted: once a committed revert undid a run,
// its output is no longer in the files; Promote and Accept refuse it
// (the UI offers neither), while an aborted revert leaves it promotable.
func TestARevertedRunCannotBePromoted(t *testing.T) {
	s, ws, _ := memStudio(t, t.TempDir())
	defer closeStudio(t, s)
	run := committedEdit(t, s, ws.ID, "a.txt", "alpha two\n")
	p, err := s.mem.Propose(t.Context(), "agent", ws.ID, run.ID, nil, fact("a.txt says alpha two"))
	must(t, err)

	aborted, err := s.RevertRun(RunRequest{ID: run.ID})
	must(t, err)
	s.WaitRun(RunRequest{ID: aborted.ID})
	_, err = s.AbortRun(AbortRunRequest{ID: aborted.ID, Reason: "changed my mind"})
	must(t, err)
	if _, err := s.PromoteRun(PromoteRunRequest{Run: run.ID, Spec: fact("still true")}); err != nil {
		t.Fatalf("promoting a run whose revert was aborted: %v", err)
	}

	rev, err := s.RevertRun(RunRequest{ID: run.ID})
	must(t, err)
	s.WaitRun(RunRequest{ID: rev.ID})
	_, err = s.ApproveRun(RunRequest{ID: rev.ID})
	must(t, err)
	_, err = s.PromoteRun(PromoteRunRequest{Run: run.ID, Spec: fact("no longer true")})
	if !errors.Is(err, memory.ErrNotPromotable) || !strings.Contains(err.Error(), "reverted") {
		t.Errorf("promoting a reverted run: %v", err)
	}
	_, err = s.DecideProposal(ProposalDecision{Proposal: p, Accept: true})
	if !errors.Is(err, memory.ErrNotPromotable) || !strings.Contains(err.Error(), "reverted") {
		t.Errorf("accepting a proposal of a reverted run: %v", err)
	}
	if _, err := s.DecideProposal(ProposalDecision{Proposal: p, Reason: "undone"}); err != nil {
		t.Errorf("rejecting it stays possible: %v", err)
	}
}

// TestMeaningSearchErrorNamesARealPlace: with no embedding model, the
// error says where to choose one as the Studio has it.
func TestMeaningSearchErrorNamesARealPlace(t *testing.T) {
	s, ws, _ := memStudio(t, t.TempDir())
	defer closeStudio(t, s)
	_, err := s.MemoryList(MemoryListRequest{Filter: memory.Filter{Workspace: ws.ID}, Text: "build", Mode: "semantic"})
	if !errors.Is(err, memory.ErrNoEmbeddings) {
		t.Fatalf("semantic search without a model: %v", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "Memory → settings") || !strings.Contains(msg, "Meaning search") || !strings.Contains(msg, "Models → Defaults") {
		t.Errorf("the error points at a place that does not exist: %q", msg)
	}
}

// TestCapabilityStateTellsWhetherAGrantsRunEnded: a run-bound grant of a
// finished run is listed with the run's outcome, so the panel shows it ended.
func TestCapabilityStateTellsWhetherAGrantsRunEnded(t *testing.T) {
	s, ws, _ := memStudio(t, t.TempDir())
	defer closeStudio(t, s)
	done := committedEdit(t, s, ws.ID, "a.txt", "alpha two\n")
	open, err := s.StartEditRun(StartEditRunRequest{WorkspaceID: ws.ID, Path: "b.txt", Content: "beta two\n"})
	must(t, err)
	s.WaitRun(RunRequest{ID: open.ID})
	st, err := s.CapabilityState(WorkspaceRequest{WorkspaceID: ws.ID})
	must(t, err)
	seen := map[string]bool{}
	for _, g := range st.Grants {
		if g.Run != "" {
			seen[g.Run] = true
		}
	}
	if !seen[done.ID] || !seen[open.ID] {
		t.Fatalf("the edit runs' grants are not listed: %+v", st.Grants)
	}
	if got, ok := st.RunOutcomes[done.ID]; !ok || got != kernel.OutcomeCommitted {
		t.Errorf("outcome of the committed run's grant: %q (listed %v)", got, ok)
	}
	if got, ok := st.RunOutcomes[open.ID]; !ok || got != "" {
		t.Errorf("outcome of the open run's grant: %q (listed %v), want listed and undecided", got, ok)
	}
}
