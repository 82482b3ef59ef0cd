package kernel

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// maxOutput bounds the validation command output kept in the blob store.
const maxOutput = 1 << 20

// diskHash returns the content address of a workspace file now ("" when
// absent). rel is a staged path, so a real one: it is read beneath root
// with no symbolic link followed (workspace.ReadBeneath), and a link met
// anywhere in it, even one pointing at identical content, is an error
// (ErrLink), never followed: validation fails, a commit aborts, recovery
// counts the file as changed elsewhere and rolls back. A .git path is
// refused as the commit refuses to write it (commitAllowsGit).
func diskHash(root, rel string) (string, error) {
	clean, err := workspace.CleanRel(rel)
	if err != nil {
		return "", err
	}
	if !commitAllowsGit && workspace.InGit(clean) {
		return "", &workspace.PathError{Path: rel, Err: workspace.ErrProtected}
	}
	data, err := workspace.ReadBeneath(root, clean)
	if errors.Is(err, workspace.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return eventlog.BlobAddress(data), nil
}

// conflicts lists staged files whose disk content is no longer their base.
func conflicts(root string, staged []Staged) ([]Conflict, error) {
	var out []Conflict
	for _, s := range staged {
		cur, err := diskHash(root, s.Path)
		if err != nil {
			return nil, fmt.Errorf("check %s: %w", s.Path, err)
		}
		if cur != s.Base {
			out = append(out, Conflict{Path: s.Path, Expected: s.Base, Found: cur})
		}
	}
	return out, nil
}

// validate checks that every staged change still applies and runs the
// validation command in the sandbox, on an overlay with the staged
// changes (what it changes there is shown and discarded). The caller
// holds the run's lock and the run is executing; records use ctx, the
// command cmdCtx (ended by Abort). It returns whether the run is now
// validated.
func (k *Kernel) validate(ctx, cmdCtx context.Context, info *RunInfo, root string) bool {
	if _, err := k.record(ctx, info, eventlog.RunValidationStarted, eventlog.OriginRuntime, map[string]any{}, ""); err != nil {
		k.log.Error("record validation start", "run", info.ID, "err", err)
		return false
	}
	var p ValidationPayload
	ok := false
	if staged, err := StagedChanges(ctx, k.cfg.ReadDB, info.ID); err != nil {
		p = ValidationPayload{Reason: fmt.Sprintf("cannot read the staged changes: %v", err)}
	} else {
		p, ok = k.check(cmdCtx, info, root, staged)
	}
	if !ok {
		if _, err := k.record(ctx, info, eventlog.RunValidationFailed, eventlog.OriginRuntime, p, ""); err != nil {
			k.log.Error("record validation failure", "run", info.ID, "err", err)
		}
		return false
	}
	_, err := k.record(ctx, info, eventlog.RunValidationPassed, eventlog.OriginRuntime, p, "")
	return err == nil
}

// check is validation's verdict on staged (a run's changes, or the part of
// them a partial commit would write): every change still applies to the
// disk, and the run's validation command, if any, passes on an overlay
// with them. The command runs under cmdCtx and records its
// effect.command_executed; the verdict is the caller's to record.
func (k *Kernel) check(cmdCtx context.Context, info *RunInfo, root string, staged []Staged) (ValidationPayload, bool) {
	fail := func(p ValidationPayload) (ValidationPayload, bool) { return p, false }
	cs, err := conflicts(root, staged)
	if err != nil {
		return fail(ValidationPayload{Reason: err.Error()})
	}
	if len(cs) > 0 {
		paths := make([]string, len(cs))
		for i, c := range cs {
			paths[i] = c.Path
		}
		return fail(ValidationPayload{Reason: "changed on disk since the run read them: " + strings.Join(paths, ", "), Conflicts: cs})
	}
	argv := info.config.ValidationCommand
	if len(argv) == 0 {
		return ValidationPayload{Reason: fmt.Sprintf("%d staged change(s) apply cleanly; no validation command configured", len(staged))}, true
	}
	rc := &runCtx{k: k, info: info, root: root, locked: true, noAsk: true, userStep: true, reads: map[string]string{}, staged: map[string]string{}}
	ce, err := rc.runCommand(cmdCtx, argv, ".", PurposeValidation, k.cfg.ValidationTimeout, staged)
	if err != nil {
		var d *DeniedError
		if errors.As(err, &d) {
			return fail(ValidationPayload{Reason: fmt.Sprintf("validation command refused: %v", err)})
		}
		if cmdCtx.Err() != nil {
			return fail(ValidationPayload{Reason: fmt.Sprintf("validation command stopped: %v", context.Cause(cmdCtx))})
		}
		return fail(ValidationPayload{Reason: fmt.Sprintf("validation command could not run: %v", err)})
	}
	res := ce.payload
	switch {
	case res.Limit == "wall clock":
		return fail(ValidationPayload{Reason: fmt.Sprintf("validation command timed out after %s (its wall clock limit)", time.Duration(res.Limits.WallClockMs)*time.Millisecond), ExitCode: res.ExitCode, Output: res.Output})
	case res.Limit != "":
		return fail(ValidationPayload{Reason: fmt.Sprintf("validation command was killed: over its %s limit", res.Limit), ExitCode: res.ExitCode, Output: res.Output})
	case res.ExitCode != 0:
		return fail(ValidationPayload{Reason: fmt.Sprintf("validation command %q failed with exit code %d", strings.Join(argv, " "), res.ExitCode), ExitCode: res.ExitCode, Output: res.Output})
	}
	return ValidationPayload{Reason: fmt.Sprintf("%d staged change(s) apply cleanly and %q passed", len(staged), strings.Join(argv, " ")), Output: res.Output}, true
}
