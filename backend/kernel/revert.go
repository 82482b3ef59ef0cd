package kernel

import (
	"context"
	"fmt"
	"github.com/ice-studio/ice-studio/backend/capability"
)

// Revert starts a new run that restores the before-images of a committed
// run. It goes through validation (a conflict if the files changed since
// the commit) and waits for approval like any run.
func (k *Kernel) Revert(ctx context.Context, run string) (RunInfo, error) {
	return k.RevertWith(ctx, run, false)
}

// RevertWith is Revert; with autoCommit the revert is committed as soon
// as it validates (the user asked for the restore that needs it).
func (k *Kernel) RevertWith(ctx context.Context, run string, autoCommit bool) (RunInfo, error) {
	orig, err := LoadRun(ctx, k.cfg.ReadDB, run)
	if err != nil {
		return RunInfo{}, err
	}
	if orig.Outcome != OutcomeCommitted {
		return RunInfo{}, fmt.Errorf("%w: only a committed run can be reverted (this one is %s)", ErrNotRevertable, orig.State)
	}
	if orig.RevertedBy != "" {
		if by, err := LoadRun(ctx, k.cfg.ReadDB, orig.RevertedBy); err == nil && by.Outcome != OutcomeAborted && by.Outcome != OutcomeTerminated {
			return RunInfo{}, fmt.Errorf("%w: run %s already reverts it", ErrNotRevertable, orig.RevertedBy)
		}
	}
	journal, err := k.mergedJournal(ctx, run) // its partial commits too
	if err != nil {
		return RunInfo{}, err
	}
	// You asked for the revert: it may write back exactly the files the
	// original run wrote, and run its validation command.
	grants := UserGrants(orig.config.ValidationCommand, "you asked to revert run "+short(run))
	for _, j := range journal {
		grants = append(grants, CapGrantedPayload{Kind: capability.FSWrite, Scope: capability.Scope{Glob: LiteralGlob(j.Path)},
			IssuedBy: "user", Reason: "you asked to revert run " + short(run)})
	}
	return k.Start(ctx, StartRequest{
		Workspace: orig.Workspace, Task: fmt.Sprintf("Revert run %s (%s)", short(run), orig.Task), RevertOf: run, AutoCommit: autoCommit,
		ValidationCommand: orig.config.ValidationCommand, Grants: grants,
	}, &revertWorker{journal: journal})
}

func short(id string) string {
	if len(id) > 8 {
		return id[len(id)-8:]
	}
	return id
}

// revertWorker stages, for every file a commit wrote, its before-image,
// expecting the disk to hold the commit's after-image.
type revertWorker struct{ journal []JournalEntry }

func (*revertWorker) Name() string { return "revert" }

func (w *revertWorker) Run(ctx context.Context, env *Env) error {
	for _, e := range w.journal {
		if err := env.rc.step(); err != nil {
			return err
		}
		base := e.After
		st := &stageEffect{rel: e.Path, base: &base, afterAddr: e.Before, del: e.Before == ""}
		if _, err := env.rc.do(ctx, st); err != nil {
			return err
		}
		env.rc.mu.Lock()
		env.rc.staged[st.p.Path] = st.p.After
		env.rc.mu.Unlock()
	}
	return nil
}
