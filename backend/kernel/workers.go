package kernel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/ice-studio/ice-studio/backend/workspace"
)

// EditWorker stages new content for one file: the user's own edit, made in
// the Studio, goes through a run like any other change.
type EditWorker struct {
	Path    string
	Content []byte
}

// Name implements Worker.
func (*EditWorker) Name() string { return "edit" }

// Run implements Worker.
func (w *EditWorker) Run(_ context.Context, env *Env) error {
	if _, err := env.ReadFile(w.Path); err != nil && !isNotExist(err) {
		return err
	}
	return env.WriteFile(w.Path, w.Content)
}

func isNotExist(err error) bool {
	return errors.Is(err, workspace.ErrNotFound) || errors.Is(err, fs.ErrNotExist)
}

// ReplaceWorker replaces a literal text in every text file under a folder:
// a deterministic, scripted worker for bulk edits.
type ReplaceWorker struct {
	Find, Replace string
	Under         string // folder, relative to the root ("" for all)
	MaxFileSize   int64  // larger files are skipped (default 1 MiB)
}

// Name implements Worker.
func (*ReplaceWorker) Name() string { return "replace" }

// ErrNothingToDo is a replace that found no occurrence.
var ErrNothingToDo = errors.New("no file contains the text")

// Run implements Worker.
func (w *ReplaceWorker) Run(ctx context.Context, env *Env) error {
	if w.Find == "" {
		return errors.New("nothing to find")
	}
	limit := w.MaxFileSize
	if limit <= 0 {
		limit = 1 << 20
	}
	paths, err := env.FindFiles(w.Find, w.Under, limit)
	if err != nil {
		return err
	}
	changed := 0
	var denied []string
	var writes []FileWrite
	for _, p := range paths {
		data, err := env.ReadFile(p)
		if errors.Is(err, ErrDenied) {
			denied = append(denied, p) // recorded as capability.denied; the other files go on
			continue
		}
		if err != nil {
			return err
		}
		if !bytes.Contains(data, []byte(w.Find)) {
			continue // changed since the search
		}
		writes = append(writes, FileWrite{Path: p, Data: bytes.ReplaceAll(data, []byte(w.Find), []byte(w.Replace))})
	}
	// One batch: the writes that need an approval are all asked at once,
	// so the user can answer them in one decision.
	errs, err := env.WriteFiles(writes)
	if err != nil {
		return err
	}
	for i, err := range errs {
		if errors.Is(err, ErrDenied) {
			denied = append(denied, writes[i].Path)
			continue
		}
		if err != nil {
			return err
		}
		changed++
	}
	if changed == 0 && len(denied) > 0 {
		return fmt.Errorf("%w: every change was refused (%s)", ErrDenied, strings.Join(denied, ", "))
	}
	if changed == 0 {
		return fmt.Errorf("%w %q", ErrNothingToDo, w.Find)
	}
	return nil
}
