package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// commitLocked applies a validated run's staged changes: it journals every
// file (before and after) in run.committing, applies each atomically and
// records it, then records committed and tears the run down. The caller
// holds the run's lock.
func (k *Kernel) commitLocked(ctx context.Context, info *RunInfo, cause string) error {
	root, err := k.cfg.Roots(ctx, info.Workspace)
	if err != nil {
		return k.fail(ctx, info, fmt.Sprintf("cannot commit: %v", err))
	}
	staged, err := StagedChanges(ctx, k.cfg.ReadDB, info.ID)
	if err != nil {
		return err
	}
	journal, ended, err := k.writeLocked(ctx, info, root, staged, eventlog.RunCommitting, cause)
	if ended || err != nil {
		return err
	}
	if _, err := k.record(ctx, info, eventlog.RunCommitted, eventlog.OriginRuntime,
		ReasonPayload{Reason: fmt.Sprintf("%d file(s) written", len(journal))}, ""); err != nil {
		return err
	}
	_, err = k.record(ctx, info, eventlog.RunTerminated, eventlog.OriginRuntime, ReasonPayload{Reason: "teardown after commit"}, "")
	return err
}

// writeLocked writes staged (a run's changes, or the accepted part of
// them) the one way the kernel writes files: it checks each against the
// disk once more, journals every file (before and after) in the event typ
// (run.committing, run.partial_committing), applies each atomically and
// records it as effect.file_written. A conflict fails the run; a failure
// mid-way recovers it (finished or rolled back, never half-applied): then
// ended is true and the caller returns err as it is. The caller holds the
// run's lock.
func (k *Kernel) writeLocked(ctx context.Context, info *RunInfo, root string, staged []Staged, typ, cause string) (journal []JournalEntry, ended bool, err error) {
	// The files may have changed since validation: check again, last thing
	// before the journal.
	cs, err := conflicts(root, staged)
	if err != nil {
		return nil, true, k.fail(ctx, info, fmt.Sprintf("cannot commit: %v", err))
	}
	if len(cs) > 0 {
		paths := make([]string, len(cs))
		for i, c := range cs {
			paths[i] = c.Path
		}
		return nil, true, k.fail(ctx, info, "conflict at commit: changed on disk since validation: "+strings.Join(paths, ", "))
	}
	journal = make([]JournalEntry, len(staged))
	created := map[string]bool{}
	for i, s := range staged {
		journal[i] = JournalEntry{Path: s.Path, Op: s.Op, Before: s.Base, After: s.After}
		if s.After != "" {
			for _, d := range missingDirs(root, s.Path) {
				if !created[d] {
					created[d] = true
					journal[i].NewDirs = append(journal[i].NewDirs, d)
				}
			}
		}
	}
	if _, err := k.record(ctx, info, typ, eventlog.OriginRuntime, CommittingPayload{Files: journal}, cause); err != nil {
		return nil, false, err
	}
	for _, e := range journal {
		if err := k.applyTo(ctx, root, e, info.ID); err != nil {
			// Leave the run in committing: recovery (now, or at the next
			// start) finishes it or rolls it back, never half-applied.
			k.log.Error("commit failed mid-way; recovering", "run", info.ID, "path", e.Path, "err", err)
			return nil, true, k.recoverRun(ctx, info)
		}
		if _, err := k.record(ctx, info, eventlog.EffectFileWritten, eventlog.OriginRuntime,
			WrittenPayload{Path: e.Path, Op: e.Op, Before: e.Before, After: e.After}, ""); err != nil {
			return nil, false, err
		}
	}
	return journal, false, nil
}

// missingDirs lists the folders of rel that do not exist yet, outermost
// first. Each is looked at beneath root with no link followed (a link in
// the way makes the write fail later, so it is not "missing").
func missingDirs(root, rel string) []string {
	var out []string
	parts := strings.Split(rel, "/")
	for i := 1; i < len(parts); i++ {
		d := strings.Join(parts[:i], "/")
		if _, err := workspace.LstatBeneath(root, d); errors.Is(err, workspace.ErrNotFound) {
			out = append(out, d)
		}
	}
	return out
}

// commitAllowsGit says whether a commit may write under a .git folder. It
// may not: the enforcer can grant a staged .git write, but the commit (and
// its conflict check, diskHash) refuses it, as it always has.
const commitAllowsGit = false

// testHookBeforeWrite, when set (tests only), runs in applyTo before the
// file is written: where the old code had judged the path and not yet
// used it.
var testHookBeforeWrite func(root, rel string)

// tempName is the deterministic temporary file, in rel's folder, that a
// commit writes before its rename, so recovery can find and remove one left
// by a crash. It is predictable, so WriteBeneath removes whatever is there
// (without following it) and creates it exclusively.
func tempName(rel, run string) string {
	if len(run) > 12 {
		run = run[len(run)-12:]
	}
	return "." + path.Base(rel) + ".ice-commit-" + run
}

// tempPath is tempName as a path relative to the root.
func tempPath(rel, run string) string { return path.Join(path.Dir(rel), tempName(rel, run)) }

// applyTo makes one journal entry's after-state true in root: write the
// after content to a temporary file, fsync, rename over the target, fsync
// the folder; or remove the file. Idempotent. e.Path is a real path (links
// resolved when it was staged): every step is done beneath root with no
// link followed (workspace.WriteBeneath, RemoveBeneath), so a link that
// appeared anywhere in it since is an error, never followed.
func (k *Kernel) applyTo(ctx context.Context, root string, e JournalEntry, run string) error {
	if testHookBeforeWrite != nil {
		testHookBeforeWrite(root, e.Path)
	}
	if e.Op == OpDelete || e.After == "" {
		return removeBeneath(root, e.Path)
	}
	data, err := k.cfg.Blobs.GetBlob(ctx, e.After)
	if err != nil {
		return fmt.Errorf("content of %s: %w", e.Path, err)
	}
	return workspace.WriteBeneath(root, e.Path, data, tempName(e.Path, run), commitAllowsGit)
}

// restore makes the before-state of a journal entry true.
func (k *Kernel) restore(ctx context.Context, root string, e JournalEntry, run string) error {
	if e.Before == "" {
		return removeBeneath(root, e.Path)
	}
	data, err := k.cfg.Blobs.GetBlob(ctx, e.Before)
	if err != nil {
		return fmt.Errorf("before-image of %s: %w", e.Path, err)
	}
	return workspace.WriteBeneath(root, e.Path, data, tempName(e.Path, run), commitAllowsGit)
}

// removeBeneath removes a committed file beneath root, refusing .git as
// WriteBeneath does.
func removeBeneath(root, rel string) error {
	if !commitAllowsGit && workspace.InGit(rel) {
		return &workspace.PathError{Path: rel, Err: workspace.ErrProtected}
	}
	return workspace.RemoveBeneath(root, rel)
}

// Recover finishes what a crash interrupted, deterministically: a run left
// in committing is completed when every journaled file is in its before or
// after state, and rolled back to every before-image otherwise; runs that
// were still being prepared are terminated. Validated runs keep waiting for
// the user. A run left in partially_committing is treated the same way:
// finished, it is validated again with the rest staged. Call it before
// starting runs.
func (k *Kernel) Recover(ctx context.Context) error {
	k.removeScratch()
	runs, err := runsIn(ctx, k.cfg.ReadDB, StateCommitting, StatePartiallyCommitting)
	if err != nil {
		return fmt.Errorf("recover runs: %w", err)
	}
	for _, r := range runs {
		r := r
		unlock := k.lock(r.ID)
		err := k.recoverRun(ctx, &r)
		unlock()
		if err != nil {
			return fmt.Errorf("recover run %s: %w", r.ID, err)
		}
	}
	inflight, err := runsIn(ctx, k.cfg.ReadDB, StateCreated, StateProvisioned, StateContextResolved, StateMemoryMounted,
		StateContextReady, StateExecuting, StateValidating)
	if err != nil {
		return fmt.Errorf("recover runs: %w", err)
	}
	for _, r := range inflight {
		r := r
		unlock := k.lock(r.ID)
		k.terminate(ctx, &r, fmt.Sprintf("the Studio stopped while the run was %s", r.State))
		unlock()
	}
	return nil
}

// journalOf returns the last journal of a run (run.committing or
// run.partial_committing) and the paths recorded as written since.
func (k *Kernel) journalOf(ctx context.Context, run string) ([]JournalEntry, map[string]bool, error) {
	journals, written, err := k.journalsOf(ctx, run)
	if err != nil || len(journals) == 0 {
		return nil, written, err
	}
	return journals[len(journals)-1], written, nil
}

// journalsOf returns every journal of a run in order (its partial commits,
// then its commit) and the paths recorded as written since the last.
func (k *Kernel) journalsOf(ctx context.Context, run string) ([][]JournalEntry, map[string]bool, error) {
	rows, err := k.cfg.ReadDB.QueryContext(ctx, `SELECT type, payload FROM events WHERE run = ? AND type IN (?, ?, ?) ORDER BY seq`,
		run, eventlog.RunCommitting, eventlog.RunPartialCommitting, eventlog.EffectFileWritten)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var journals [][]JournalEntry
	written := map[string]bool{}
	for rows.Next() {
		var typ string
		var payload []byte
		if err := rows.Scan(&typ, &payload); err != nil {
			return nil, nil, err
		}
		if typ == eventlog.RunCommitting || typ == eventlog.RunPartialCommitting {
			var p CommittingPayload
			if err := json.Unmarshal(payload, &p); err != nil {
				return nil, nil, err
			}
			journals = append(journals, p.Files)
			written = map[string]bool{}
		} else {
			var p WrittenPayload
			if err := json.Unmarshal(payload, &p); err != nil {
				return nil, nil, err
			}
			written[p.Path] = true
		}
	}
	return journals, written, rows.Err()
}

// mergedJournal is what all of a run's commits did together, per file: its
// content before the first and after the last (what a revert restores).
func (k *Kernel) mergedJournal(ctx context.Context, run string) ([]JournalEntry, error) {
	journals, _, err := k.journalsOf(ctx, run)
	if err != nil {
		return nil, err
	}
	var out []JournalEntry
	at := map[string]int{}
	for _, j := range journals {
		for _, e := range j {
			i, ok := at[e.Path]
			if !ok {
				at[e.Path] = len(out)
				out = append(out, e)
				continue
			}
			out[i].Op, out[i].After = e.Op, e.After
			out[i].NewDirs = append(out[i].NewDirs, e.NewDirs...)
		}
	}
	return out, nil
}

// recoverRun completes or rolls back a run in committing. The caller holds its lock.
func (k *Kernel) recoverRun(ctx context.Context, info *RunInfo) error {
	root, err := k.cfg.Roots(ctx, info.Workspace)
	if err != nil {
		return err
	}
	journal, written, err := k.journalOf(ctx, info.ID)
	if err != nil {
		return err
	}
	var foreign []string
	pending := make([]JournalEntry, 0, len(journal))
	for _, e := range journal {
		// A crash between write and rename leaves the temporary file; it is
		// removed beneath root (a link there is removed, not followed).
		_ = workspace.RemoveBeneath(root, tempPath(e.Path, info.ID))
		cur, err := diskHash(root, e.Path)
		if err != nil {
			foreign = append(foreign, fmt.Sprintf("%s (%v)", e.Path, err))
			continue
		}
		switch cur {
		case e.After:
			if !written[e.Path] {
				pending = append(pending, e) // applied, not yet recorded
			}
		case e.Before:
			pending = append(pending, e)
		default:
			foreign = append(foreign, e.Path)
		}
	}
	if len(foreign) == 0 {
		for _, e := range pending {
			if err := k.applyTo(ctx, root, e, info.ID); err != nil {
				foreign = append(foreign, fmt.Sprintf("%s (%v)", e.Path, err))
				break
			}
			if _, err := k.record(ctx, info, eventlog.EffectFileWritten, eventlog.OriginRuntime,
				WrittenPayload{Path: e.Path, Op: e.Op, Before: e.Before, After: e.After}, ""); err != nil {
				return err
			}
		}
	}
	if len(foreign) == 0 && info.State == StatePartiallyCommitting {
		k.log.Info("recovered an interrupted partial commit by finishing it", "run", info.ID, "files", len(journal))
		_, err := k.partialCommitted(ctx, info, journal, "recovered: finished the interrupted partial commit")
		return err
	}
	if len(foreign) == 0 {
		k.log.Info("recovered an interrupted commit by finishing it", "run", info.ID, "files", len(journal))
		if _, err := k.record(ctx, info, eventlog.RunCommitted, eventlog.OriginRuntime,
			ReasonPayload{Reason: fmt.Sprintf("recovered: finished the interrupted commit of %d file(s)", len(journal))}, ""); err != nil {
			return err
		}
		_, err := k.record(ctx, info, eventlog.RunTerminated, eventlog.OriginRuntime, ReasonPayload{Reason: "teardown after commit"}, "")
		return err
	}
	// Something else touched a journaled file: restore every file the run
	// changed to its before-image, and abort.
	var newDirs []string
	for _, e := range journal {
		if cur, err := diskHash(root, e.Path); err == nil && cur == e.After && cur != e.Before {
			if err := k.restore(ctx, root, e, info.ID); err != nil {
				return fmt.Errorf("roll back %s: %w", e.Path, err)
			}
		}
		newDirs = append(newDirs, e.NewDirs...)
	}
	// Folders the commit created go too, deepest first, if nothing else is in them.
	for i := len(newDirs) - 1; i >= 0; i-- {
		_ = workspace.RemoveDirBeneath(root, newDirs[i])
	}
	k.log.Warn("recovered an interrupted commit by rolling it back", "run", info.ID, "changedElsewhere", foreign)
	if _, err := k.record(ctx, info, eventlog.RunAborted, eventlog.OriginRuntime,
		ReasonPayload{Reason: "recovered: rolled back the interrupted commit because these files changed outside the run: " + strings.Join(foreign, ", ")}, ""); err != nil {
		return err
	}
	_, err = k.record(ctx, info, eventlog.RunTerminated, eventlog.OriginRuntime, ReasonPayload{Reason: "teardown after abort"}, "")
	return err
}
