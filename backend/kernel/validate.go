package kernel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// maxOutput bounds the validation command output kept in the blob store.
const maxOutput = 1 << 20

// diskHash returns the content address of a workspace file now ("" when absent).
func diskHash(root, rel string) (string, error) {
	abs, err := workspace.ResolveForWrite(root, rel)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(abs)
	if errors.Is(err, fs.ErrNotExist) {
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
// validation command on a copy. The caller holds the run's lock and the
// run is executing; it returns whether the run is now validated.
func (k *Kernel) validate(ctx context.Context, info *RunInfo, root string) bool {
	fail := func(p ValidationPayload) bool {
		if _, err := k.record(ctx, info, eventlog.RunValidationFailed, eventlog.OriginRuntime, p, ""); err != nil {
			k.log.Error("record validation failure", "run", info.ID, "err", err)
		}
		return false
	}
	if _, err := k.record(ctx, info, eventlog.RunValidationStarted, eventlog.OriginRuntime, map[string]any{}, ""); err != nil {
		k.log.Error("record validation start", "run", info.ID, "err", err)
		return false
	}
	staged, err := StagedChanges(ctx, k.cfg.ReadDB, info.ID)
	if err != nil {
		return fail(ValidationPayload{Reason: fmt.Sprintf("cannot read the staged changes: %v", err)})
	}
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
		_, err := k.record(ctx, info, eventlog.RunValidationPassed, eventlog.OriginRuntime,
			ValidationPayload{Reason: fmt.Sprintf("%d staged change(s) apply cleanly; no validation command configured", len(staged))}, "")
		return err == nil
	}
	rc := &runCtx{k: k, info: info, root: root, locked: true, noAsk: true, userStep: true}
	if _, err := rc.authorize(ctx, capability.Request{Kind: capability.ShellExec, Argv: argv, Dir: "."}, nil); err != nil {
		return fail(ValidationPayload{Reason: fmt.Sprintf("validation command refused: %v", err)})
	}
	res, err := k.runValidationCommand(ctx, root, staged, argv)
	if err != nil {
		return fail(ValidationPayload{Reason: fmt.Sprintf("validation command could not run: %v", err)})
	}
	if _, err := k.record(ctx, info, eventlog.EffectCommandExecuted, eventlog.OriginRuntime, res, ""); err != nil {
		k.log.Error("record validation command", "run", info.ID, "err", err)
		return false
	}
	switch {
	case res.TimedOut:
		return fail(ValidationPayload{Reason: fmt.Sprintf("validation command timed out after %s", k.cfg.ValidationTimeout), ExitCode: res.ExitCode, Output: res.Output})
	case res.ExitCode != 0:
		return fail(ValidationPayload{Reason: fmt.Sprintf("validation command %q failed with exit code %d", strings.Join(argv, " "), res.ExitCode), ExitCode: res.ExitCode, Output: res.Output})
	}
	_, err = k.record(ctx, info, eventlog.RunValidationPassed, eventlog.OriginRuntime,
		ValidationPayload{Reason: fmt.Sprintf("%d staged change(s) apply cleanly and %q passed", len(staged), strings.Join(argv, " ")), Output: res.Output}, "")
	return err == nil
}

// runValidationCommand runs argv on a copy of the workspace with the staged
// changes applied (runOnCopy): the user's tree is never touched.
func (k *Kernel) runValidationCommand(ctx context.Context, root string, staged []Staged, argv []string) (CommandPayload, error) {
	res, out, err := k.runOnCopy(ctx, root, staged, argv, ".", k.cfg.ValidationTimeout)
	if err != nil {
		return CommandPayload{}, err
	}
	if _, err := k.cfg.Blobs.PutBlob(ctx, out); err != nil {
		return CommandPayload{}, err
	}
	return res, nil
}

// limitedWriter keeps the first n bytes and discards the rest.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		keep := min(len(p), l.n)
		if _, err := l.w.Write(p[:keep]); err != nil {
			return 0, err
		}
		l.n -= keep
	}
	return len(p), nil
}

// copyTree copies src to dst (files, folders and symlinks as they are),
// leaving out .git.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			if d.Name() == ".git" && p != src {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			return copyFile(p, target, info.Mode().Perm())
		}
		return nil // sockets, devices: not part of a project
	})
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
