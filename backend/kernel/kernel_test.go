package kernel_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/projection"
)

// legal lists every lifecycle transition the state machine allows.
var legal = map[kernel.State]map[string]kernel.State{
	kernel.StateNone:            {eventlog.RunCreated: kernel.StateCreated},
	kernel.StateCreated:         {eventlog.RunProvisioned: kernel.StateProvisioned, eventlog.RunAborted: kernel.StateAborted, eventlog.RunTerminated: kernel.StateTerminated},
	kernel.StateProvisioned:     {eventlog.RunContextResolved: kernel.StateContextResolved, eventlog.RunAborted: kernel.StateAborted, eventlog.RunTerminated: kernel.StateTerminated},
	kernel.StateContextResolved: {eventlog.RunMemoryMounted: kernel.StateMemoryMounted, eventlog.RunAborted: kernel.StateAborted, eventlog.RunTerminated: kernel.StateTerminated},
	kernel.StateMemoryMounted:   {eventlog.RunCapabilitiesBound: kernel.StateContextReady, eventlog.RunAborted: kernel.StateAborted, eventlog.RunTerminated: kernel.StateTerminated},
	kernel.StateContextReady:    {eventlog.RunExecutionStarted: kernel.StateExecuting, eventlog.RunAborted: kernel.StateAborted, eventlog.RunTerminated: kernel.StateTerminated},
	kernel.StateExecuting:       {eventlog.RunValidationStarted: kernel.StateValidating, eventlog.RunAborted: kernel.StateAborted, eventlog.RunTerminated: kernel.StateTerminated},
	kernel.StateValidating: {eventlog.RunValidationPassed: kernel.StateValidated, eventlog.RunValidationFailed: kernel.StateValidationFailed,
		eventlog.RunAborted: kernel.StateAborted, eventlog.RunTerminated: kernel.StateTerminated},
	kernel.StateValidated: {eventlog.RunCommitting: kernel.StateCommitting, eventlog.RunPartialCommitting: kernel.StatePartiallyCommitting,
		eventlog.RunAborted: kernel.StateAborted, eventlog.RunTerminated: kernel.StateTerminated},
	kernel.StateValidationFailed: {eventlog.RunAborted: kernel.StateAborted, eventlog.RunTerminated: kernel.StateTerminated},
	kernel.StateCommitting:       {eventlog.RunCommitted: kernel.StateCommitted, eventlog.RunAborted: kernel.StateAborted},
	kernel.StateCommitted:        {eventlog.RunTerminated: kernel.StateTerminated},
	kernel.StateAborted:          {eventlog.RunTerminated: kernel.StateTerminated},
	kernel.StateTerminated:       {},

	kernel.StatePartiallyCommitting: {eventlog.RunPartialCommitted: kernel.StateValidated, eventlog.RunAborted: kernel.StateAborted},
}

var lifecycleEvents = []string{eventlog.RunCreated, eventlog.RunProvisioned, eventlog.RunContextResolved, eventlog.RunMemoryMounted,
	eventlog.RunCapabilitiesBound, eventlog.RunExecutionStarted, eventlog.RunValidationStarted, eventlog.RunValidationPassed,
	eventlog.RunValidationFailed, eventlog.RunCommitting, eventlog.RunCommitted, eventlog.RunAborted, eventlog.RunTerminated,
	eventlog.RunPartialCommitting, eventlog.RunPartialCommitted}

func TestEveryIllegalTransitionIsRejected(t *testing.T) {
	for _, from := range append([]kernel.State{kernel.StateNone}, kernel.States...) {
		for _, ev := range lifecycleEvents {
			to, err := kernel.Next(from, ev)
			want, ok := legal[from][ev]
			switch {
			case ok && (err != nil || to != want):
				t.Errorf("Next(%q, %s) = %q, %v; want %q", from, ev, to, err, want)
			case !ok && !errors.Is(err, kernel.ErrIllegalTransition):
				t.Errorf("Next(%q, %s) = %q, %v; want ErrIllegalTransition", from, ev, to, err)
			}
		}
	}
	// Effects only in the phase that owns them.
	for _, tc := range []struct {
		state kernel.State
		typ   string
		ok    bool
	}{
		{kernel.StateExecuting, eventlog.EffectFileStaged, true},
		{kernel.StateValidated, eventlog.EffectFileStaged, false},
		{kernel.StateCommitted, eventlog.EffectFileStaged, false},
		{kernel.StateCommitting, eventlog.EffectFileWritten, true},
		{kernel.StateExecuting, eventlog.EffectFileWritten, false},
		{kernel.StateValidated, eventlog.RunCommitApproved, true},
		{kernel.StateExecuting, eventlog.RunCommitApproved, false},
		{kernel.StateValidationFailed, eventlog.RunCommitApproved, false},
		{kernel.StateTerminated, eventlog.RunAbortRequested, false},
	} {
		_, err := kernel.Next(tc.state, tc.typ)
		if (err == nil) != tc.ok {
			t.Errorf("Next(%q, %s) error = %v, want allowed=%v", tc.state, tc.typ, err, tc.ok)
		}
	}
}

func TestRunCommitsOnlyAfterApproval(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "old a\n", "c.txt": "to delete\n", "keep.txt": "keep\n"})
	before := treeHash(t, h.root)
	info := h.start(kernel.StartRequest{Task: "edit files", ContextFiles: []string{"keep.txt"}}, steps(
		readStep("a.txt"),
		writeStep("a.txt", "new a\n"),
		writeStep("new/dir/b.txt", "brand new\n"),
		deleteStep("c.txt"),
		func(_ context.Context, env *kernel.Env) error {
			// The run reads its own staged writes.
			b, err := env.ReadFile("a.txt")
			if err != nil || string(b) != "new a\n" {
				return fmt.Errorf("read-your-writes: %q, %v", b, err)
			}
			return nil
		},
	))
	got := h.wait(info.ID)
	if got.State != kernel.StateValidated {
		t.Fatalf("state after the worker = %s (%s), want validated", got.State, got.Reason)
	}
	if treeHash(t, h.root) != before {
		t.Fatal("the workspace changed before the commit was approved")
	}
	got, err := h.k.Approve(context.Background(), info.ID)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	if got.State != kernel.StateTerminated {
		t.Errorf("state after commit = %s, want terminated", got.State)
	}
	stored, _ := h.k.Get(context.Background(), info.ID)
	if stored.Outcome != kernel.OutcomeCommitted || !stored.Approved {
		t.Errorf("projection = %+v, want outcome committed and approved", stored)
	}
	for p, want := range map[string]string{"a.txt": "new a\n", "new/dir/b.txt": "brand new\n", "c.txt": "<absent>", "keep.txt": "keep\n"} {
		if got := read(t, h.root, p); got != want {
			t.Errorf("%s = %q after commit, want %q", p, got, want)
		}
	}
	// Every effect is preceded by the capability.used that authorised it.
	wantTypes := []string{"run.requested", "run.created", "run.provisioned", "capability.used", "effect.file_read", "run.context_resolved",
		"run.memory_mounted", "run.capabilities_bound", "run.execution_started", "capability.used", "effect.file_read",
		"capability.used", "effect.file_staged", "capability.used", "effect.file_staged", "capability.used", "effect.file_staged", "run.validation_started", "run.validation_passed", "run.commit_approved",
		"run.committing", "effect.file_written", "effect.file_written", "effect.file_written", "run.committed", "run.terminated"}
	if got := h.types(info.ID); strings.Join(got, " ") != strings.Join(wantTypes, " ") {
		t.Errorf("events =\n%v\nwant\n%v", got, wantTypes)
	}
	if _, err := h.k.Approve(context.Background(), info.ID); !errors.Is(err, kernel.ErrNotApprovable) {
		t.Errorf("approving twice: %v, want ErrNotApprovable", err)
	}
}

func TestAbortAtEveryPhaseLeavesTheTreeIdentical(t *testing.T) {
	files := map[string]string{"a.txt": "a\n", "b.txt": "b\n"}
	edits := []func(context.Context, *kernel.Env) error{readStep("a.txt"), writeStep("a.txt", "changed\n"), deleteStep("b.txt"), writeStep("c.txt", "new\n")}

	t.Run("executing", func(t *testing.T) {
		h := newHarness(t, files)
		before := treeHash(t, h.root)
		block := make(chan struct{})
		info := h.start(kernel.StartRequest{}, steps(append(edits, waitStep(block))...))
		time.Sleep(50 * time.Millisecond)
		if _, err := h.k.Abort(context.Background(), info.ID, "changed my mind"); err != nil {
			t.Fatal(err)
		}
		assertAborted(t, h, info.ID, before)
	})
	t.Run("validating", func(t *testing.T) {
		h := newHarness(t, files)
		before := treeHash(t, h.root)
		info := h.start(kernel.StartRequest{ValidationCommand: []string{"sleep", "2"}}, steps(edits...))
		deadline := time.Now().Add(10 * time.Second)
		for {
			r, _ := h.k.Get(context.Background(), info.ID)
			if r.State == kernel.StateValidating || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if _, err := h.k.Abort(context.Background(), info.ID, ""); err != nil {
			t.Fatal(err)
		}
		assertAborted(t, h, info.ID, before)
	})
	for _, phase := range []string{"validated", "validation_failed"} {
		t.Run(phase, func(t *testing.T) {
			h := newHarness(t, files)
			before := treeHash(t, h.root)
			req := kernel.StartRequest{}
			if phase == "validation_failed" {
				req.ValidationCommand = []string{"false"}
			}
			info := h.start(req, steps(edits...))
			if got := h.wait(info.ID); string(got.State) != phase {
				t.Fatalf("state = %s, want %s", got.State, phase)
			}
			if _, err := h.k.Abort(context.Background(), info.ID, ""); err != nil {
				t.Fatal(err)
			}
			assertAborted(t, h, info.ID, before)
		})
	}
	t.Run("after the end", func(t *testing.T) {
		h := newHarness(t, files)
		info := h.start(kernel.StartRequest{}, steps(edits...))
		h.wait(info.ID)
		if _, err := h.k.Approve(context.Background(), info.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := h.k.Abort(context.Background(), info.ID, ""); !errors.Is(err, kernel.ErrRunFinished) {
			t.Errorf("Abort(committed run) = %v, want ErrRunFinished", err)
		}
	})
}

func assertAborted(t *testing.T, h *harness, run, before string) {
	t.Helper()
	got := h.wait(run)
	if got.State != kernel.StateTerminated || got.Outcome != kernel.OutcomeAborted {
		t.Fatalf("after abort: state %s outcome %q, want terminated/aborted", got.State, got.Outcome)
	}
	if treeHash(t, h.root) != before {
		t.Fatal("abort changed the workspace")
	}
	types := h.types(run)
	if n := len(types); n < 3 || types[n-3] != "run.abort_requested" || types[n-2] != "run.aborted" || types[n-1] != "run.terminated" {
		t.Errorf("events end %v, want abort_requested, aborted, terminated", types)
	}
}

func TestConflictFailsValidation(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n", "b.txt": "b\n"})
	block := make(chan struct{})
	info := h.start(kernel.StartRequest{}, steps(readStep("a.txt"), writeStep("a.txt", "run's a\n"), writeStep("b.txt", "run's b\n"), waitStep(block)))
	time.Sleep(50 * time.Millisecond)
	writeTree(t, h.root, map[string]string{"a.txt": "someone else\n"}) // an editor saves meanwhile
	close(block)
	got := h.wait(info.ID)
	if got.State != kernel.StateValidationFailed || !strings.Contains(got.Reason, "a.txt") || strings.Contains(got.Reason, "b.txt") {
		t.Fatalf("state %s reason %q; want validation_failed naming a.txt only", got.State, got.Reason)
	}
	if read(t, h.root, "a.txt") != "someone else\n" || read(t, h.root, "b.txt") != "b\n" {
		t.Fatal("a failed validation wrote files")
	}
	if !strings.Contains(h.lastPayload(info.ID, eventlog.RunValidationFailed), `"conflicts":[{"expected"`) {
		t.Errorf("validation_failed payload %s does not list the conflict", h.lastPayload(info.ID, eventlog.RunValidationFailed))
	}
	if _, err := h.k.Approve(context.Background(), info.ID); !errors.Is(err, kernel.ErrNotApprovable) {
		t.Errorf("Approve(validation failed) = %v, want ErrNotApprovable", err)
	}
}

func TestValidationCommandRunsOnACopy(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "old\n", "sub/x.txt": "x\n"})
	before := treeHash(t, h.root)
	// The command sees the staged content, and scribbles on its tree.
	cmd := []string{"sh", "-c", "grep -q NEW a.txt && touch scribble && rm sub/x.txt && echo checked"}
	info := h.start(kernel.StartRequest{ValidationCommand: cmd}, steps(writeStep("a.txt", "NEW\n")))
	got := h.wait(info.ID)
	if got.State != kernel.StateValidated {
		t.Fatalf("state %s (%s), want validated", got.State, got.Reason)
	}
	if treeHash(t, h.root) != before {
		t.Fatal("the validation command changed the user's tree")
	}
	if p := h.lastPayload(info.ID, eventlog.EffectCommandExecuted); !strings.Contains(p, `"exitCode":0`) || !strings.Contains(p, `"argv":["sh","-c"`) {
		t.Errorf("command_executed payload = %s", p)
	}
	// A failing command fails validation, with its exit code and output kept.
	info = h.start(kernel.StartRequest{ValidationCommand: []string{"sh", "-c", "echo broken >&2; exit 3"}}, steps(writeStep("a.txt", "NEW\n")))
	got = h.wait(info.ID)
	if got.State != kernel.StateValidationFailed || !strings.Contains(got.Reason, "exit code 3") {
		t.Fatalf("state %s reason %q; want validation_failed with exit code 3", got.State, got.Reason)
	}
	var out string
	_ = h.store.Read(context.Background(), eventlog.Query{Run: info.ID, Types: []string{eventlog.EffectCommandExecuted}}, func(e eventlog.Event) error {
		var p kernel.CommandPayload
		if err := jsonUnmarshal(e.Payload, &p); err != nil {
			return err
		}
		b, err := h.store.GetBlob(context.Background(), p.Output)
		out = string(b)
		return err
	})
	if out != "broken\n" {
		t.Errorf("kept output = %q, want the command's stderr", out)
	}
	if treeHash(t, h.root) != before {
		t.Fatal("the workspace changed")
	}
}

func TestBudgetTerminatesTheRun(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a"})
	loop := &script{steps: []func(context.Context, *kernel.Env) error{func(_ context.Context, env *kernel.Env) error {
		for {
			if _, err := env.ReadFile("a.txt"); err != nil {
				return err
			}
		}
	}}}
	info := h.start(kernel.StartRequest{Budget: kernel.Budget{MaxSteps: 5}}, loop)
	got := h.wait(info.ID)
	if got.State != kernel.StateTerminated || got.Outcome != kernel.OutcomeTerminated || !strings.Contains(got.Reason, "more than 5 steps") {
		t.Fatalf("step budget: state %s outcome %s reason %q", got.State, got.Outcome, got.Reason)
	}
	block := make(chan struct{})
	info = h.start(kernel.StartRequest{Budget: kernel.Budget{WallClockMs: 100}}, steps(writeStep("a.txt", "x"), waitStep(block)))
	got = h.wait(info.ID)
	if got.State != kernel.StateTerminated || !strings.Contains(got.Reason, "wall clock") {
		t.Fatalf("wall-clock budget: state %s reason %q", got.State, got.Reason)
	}
	if read(t, h.root, "a.txt") != "a" {
		t.Fatal("a terminated run wrote a file")
	}
}

func TestWorkerErrorsAbort(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a"})
	for name, w := range map[string]*script{
		"escape":      steps(readStep("../../etc/passwd")),
		"git":         steps(writeStep(".git/config", "x")),
		"missing":     steps(readStep("nope.txt")),
		"worker said": steps(func(context.Context, *kernel.Env) error { return errors.New("model output was malformed") }),
	} {
		info := h.start(kernel.StartRequest{Task: name}, w)
		got := h.wait(info.ID)
		if got.State != kernel.StateTerminated || got.Outcome != kernel.OutcomeAborted || got.Reason == "" {
			t.Errorf("%s: state %s outcome %s reason %q; want an aborted run with the reason", name, got.State, got.Outcome, got.Reason)
		}
	}
	if read(t, h.root, "a.txt") != "a" {
		t.Fatal("the workspace changed")
	}
}

func TestConcurrentRunsOnOneFileConflict(t *testing.T) {
	h := newHarness(t, map[string]string{"shared.txt": "v0\n"})
	block := make(chan struct{})
	slow := h.start(kernel.StartRequest{Task: "slow"}, steps(readStep("shared.txt"), writeStep("shared.txt", "slow\n"), waitStep(block)))
	fast := h.start(kernel.StartRequest{Task: "fast"}, steps(readStep("shared.txt"), writeStep("shared.txt", "fast\n")))
	if got := h.wait(fast.ID); got.State != kernel.StateValidated {
		t.Fatalf("fast run: %s", got.State)
	}
	if _, err := h.k.Approve(context.Background(), fast.ID); err != nil {
		t.Fatal(err)
	}
	close(block)
	got := h.wait(slow.ID)
	if got.State != kernel.StateValidationFailed || !strings.Contains(got.Reason, "shared.txt") {
		t.Fatalf("slow run: state %s reason %q; want a conflict on shared.txt", got.State, got.Reason)
	}
	if read(t, h.root, "shared.txt") != "fast\n" {
		t.Fatal("the losing run's edit reached the file")
	}
}

func TestRevert(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n", "gone.txt": "g\n"})
	before := treeHash(t, h.root)
	info := h.start(kernel.StartRequest{}, steps(writeStep("a.txt", "A\n"), writeStep("added.txt", "new\n"), deleteStep("gone.txt")))
	h.wait(info.ID)
	if _, err := h.k.Approve(context.Background(), info.ID); err != nil {
		t.Fatal(err)
	}
	rev, err := h.k.Revert(context.Background(), info.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.wait(rev.ID); got.State != kernel.StateValidated || got.RevertOf != info.ID {
		t.Fatalf("revert run: %+v", got)
	}
	if _, err := h.k.Revert(context.Background(), info.ID); !errors.Is(err, kernel.ErrNotRevertable) {
		t.Errorf("a second revert while one is pending = %v, want ErrNotRevertable", err)
	}
	if _, err := h.k.Approve(context.Background(), rev.ID); err != nil {
		t.Fatal(err)
	}
	if treeHash(t, h.root) != before {
		t.Fatal("after the revert the tree is not what it was before the run")
	}
	if orig, _ := h.k.Get(context.Background(), info.ID); orig.RevertedBy != rev.ID {
		t.Errorf("original run's revertedBy = %q, want %s", orig.RevertedBy, rev.ID)
	}
	if _, err := h.k.Revert(context.Background(), rev.ID); err != nil {
		t.Errorf("reverting the revert: %v", err) // a revert is a committed run like any other
	}

	// A file changed since the commit: the revert fails validation.
	h2 := newHarness(t, map[string]string{"a.txt": "a\n"})
	run := h2.start(kernel.StartRequest{}, steps(writeStep("a.txt", "A\n")))
	h2.wait(run.ID)
	if _, err := h2.k.Approve(context.Background(), run.ID); err != nil {
		t.Fatal(err)
	}
	writeTree(t, h2.root, map[string]string{"a.txt": "edited after\n"})
	rev2, err := h2.k.Revert(context.Background(), run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := h2.wait(rev2.ID); got.State != kernel.StateValidationFailed || !strings.Contains(got.Reason, "a.txt") {
		t.Fatalf("revert over a changed file: %s %q", got.State, got.Reason)
	}
	if read(t, h2.root, "a.txt") != "edited after\n" {
		t.Fatal("the failed revert wrote the file")
	}
	if _, err := h2.k.Revert(context.Background(), rev2.ID); !errors.Is(err, kernel.ErrNotRevertable) {
		t.Errorf("Revert(uncommitted run) = %v, want ErrNotRevertable", err)
	}
}

func TestReplayRebuildsRunsAndStagedDiffs(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a\n", "b.txt": "b\n"})
	r1 := h.start(kernel.StartRequest{}, steps(writeStep("a.txt", "1\n")))
	h.wait(r1.ID)
	if _, err := h.k.Approve(context.Background(), r1.ID); err != nil {
		t.Fatal(err)
	}
	r2 := h.start(kernel.StartRequest{}, steps(writeStep("b.txt", "2\n"), deleteStep("a.txt")))
	h.wait(r2.ID)
	r3 := h.start(kernel.StartRequest{ValidationCommand: []string{"false"}}, steps(writeStep("c.txt", "3\n")))
	h.wait(r3.ID)
	if _, err := h.k.Abort(context.Background(), r3.ID, ""); err != nil {
		t.Fatal(err)
	}
	rep, err := projection.Check(context.Background(), h.store, h.store.DB(), projections)
	if err != nil || !rep.OK {
		t.Fatalf("replay check = %+v, %v; want the same runs and staged changes rebuilt from the log", rep, err)
	}
	staged, err := kernel.StagedChanges(context.Background(), h.store.ReadDB(), r2.ID)
	if err != nil || len(staged) != 2 || staged[0].Path != "a.txt" || staged[0].Op != kernel.OpDelete || staged[1].After == "" {
		t.Fatalf("staged changes of r2 = %+v, %v", staged, err)
	}
	// Both sides of the diff are in the blob store.
	base, err1 := h.store.GetBlob(context.Background(), staged[1].Base)
	after, err2 := h.store.GetBlob(context.Background(), staged[1].After)
	if err1 != nil || err2 != nil || string(base) != "b\n" || string(after) != "2\n" {
		t.Fatalf("diff of b.txt = %q → %q (%v %v)", base, after, err1, err2)
	}
}

func TestShutdownTerminatesRunningRuns(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a"})
	block := make(chan struct{})
	info := h.start(kernel.StartRequest{}, steps(writeStep("a.txt", "x"), waitStep(block)))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.k.Close(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := h.k.Get(ctx, info.ID)
	if got.State != kernel.StateTerminated || !strings.Contains(got.Reason, "shutdown") {
		t.Fatalf("after Close: state %s reason %q", got.State, got.Reason)
	}
	if _, err := h.k.Start(ctx, kernel.StartRequest{Workspace: wsID}, steps()); !errors.Is(err, kernel.ErrShutdown) {
		t.Errorf("Start after Close = %v, want ErrShutdown", err)
	}
}

func TestReplaceAndEditWorkers(t *testing.T) {
	h := newHarness(t, map[string]string{"a/one.go": "var colour = 1\n", "a/two.go": "nothing here\n", "b/three.go": "colour colour\n",
		"node_modules/x.js": "colour", ".git/HEAD": "colour"})
	info := h.start(kernel.StartRequest{}, &kernel.ReplaceWorker{Find: "colour", Replace: "color"})
	if got := h.wait(info.ID); got.State != kernel.StateValidated {
		t.Fatalf("replace run: %s %q", got.State, got.Reason)
	}
	staged, _ := kernel.StagedChanges(context.Background(), h.store.ReadDB(), info.ID)
	if len(staged) != 2 || staged[0].Path != "a/one.go" || staged[1].Path != "b/three.go" {
		t.Fatalf("staged = %+v; want a/one.go and b/three.go only", staged)
	}
	if _, err := h.k.Approve(context.Background(), info.ID); err != nil {
		t.Fatal(err)
	}
	if read(t, h.root, "b/three.go") != "color color\n" || read(t, h.root, "node_modules/x.js") != "colour" {
		t.Fatal("replace did not apply as expected")
	}
	none := h.start(kernel.StartRequest{}, &kernel.ReplaceWorker{Find: "absent text", Replace: "x"})
	if got := h.wait(none.ID); got.Outcome != kernel.OutcomeAborted || !strings.Contains(got.Reason, "no file contains") {
		t.Fatalf("replace with no match: %s %q", got.Outcome, got.Reason)
	}
	edit := h.start(kernel.StartRequest{AutoCommit: true}, &kernel.EditWorker{Path: "docs/new.md", Content: []byte("# hi\n")})
	if got := h.wait(edit.ID); got.Outcome != kernel.OutcomeCommitted || read(t, h.root, "docs/new.md") != "# hi\n" {
		t.Fatalf("auto-committed edit: %+v", got)
	}
}

func TestAnswersCarryTheFoldedRun(t *testing.T) {
	h := newHarness(t, map[string]string{"a.txt": "a"})
	info := h.start(kernel.StartRequest{}, steps(writeStep("a.txt", "b")))
	if info.CreatedAt == 0 || info.State != kernel.StateExecuting {
		t.Errorf("Start answered %+v; want createdAt set and state executing", info)
	}
	h.wait(info.ID)
	got, err := h.k.Approve(context.Background(), info.ID)
	if err != nil || got.Outcome != kernel.OutcomeCommitted || !got.Approved {
		t.Fatalf("Approve answered %+v, %v; want outcome committed, approved", got, err)
	}
	other := h.start(kernel.StartRequest{}, steps(writeStep("a.txt", "c")))
	h.wait(other.ID)
	got, err = h.k.Abort(context.Background(), other.ID, "no")
	if err != nil || got.Outcome != kernel.OutcomeAborted || got.Reason != "no" {
		t.Fatalf("Abort answered %+v, %v; want outcome aborted with the reason", got, err)
	}
}

func TestValidationCommandTimesOut(t *testing.T) {
	root, _ := filepath.EvalSymlinks(t.TempDir())
	writeTree(t, root, map[string]string{"a.txt": "a"})
	h := openHarness(t, filepath.Join(t.TempDir(), eventlog.FileName), root, kernel.Config{ValidationTimeout: 300 * time.Millisecond})
	start := time.Now()
	info := h.start(kernel.StartRequest{ValidationCommand: []string{"sleep", "30"}}, steps(writeStep("a.txt", "b")))
	got := h.wait(info.ID)
	if got.State != kernel.StateValidationFailed || !strings.Contains(got.Reason, "timed out") {
		t.Fatalf("state %s reason %q; want validation_failed: timed out", got.State, got.Reason)
	}
	if time.Since(start) > 20*time.Second {
		t.Fatal("the command was not stopped at its timeout")
	}
	if !strings.Contains(h.lastPayload(info.ID, eventlog.EffectCommandExecuted), `"timedOut":true`) {
		t.Errorf("command_executed = %s, want timedOut", h.lastPayload(info.ID, eventlog.EffectCommandExecuted))
	}
}
