package kernel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// The file effects: a read, a listing, a walk over text files (search),
// and a staged write. Each is judged on the path after its links are
// resolved, and reads use what was opened while resolving, so a link
// swapped in between the decision and the use changes nothing.

// realTarget resolves a workspace path as written to the real path it
// leads to (links resolved beneath the root). A path that does not
// canonicalise is returned as written, for authorize to refuse and
// record; a path leading out is a refusal.
func realTarget(rc *runCtx, kind, rel string) (string, error) {
	clean, err := capability.CanonicalPath(rel)
	if err != nil {
		return rel, nil // authorize records the refusal with the reason
	}
	real, err := workspace.RealPath(rc.root, clean)
	if errors.Is(err, workspace.ErrOutside) {
		return "", refuse(kind, clean, leadsOutside)
	}
	if err != nil {
		return "", err
	}
	return real, nil
}

// folderTarget is realTarget for a folder a listing or search covers:
// "", "." and "./" are the workspace folder itself.
func folderTarget(rc *runCtx, rel string) (string, error) {
	if rel == "" || rel == "." || rel == "./" {
		return ".", nil
	}
	return realTarget(rc, capability.FSRead, rel)
}

// folderRequest is the request of a listing or search of rel: a read of
// the real folder, which it keeps in real.
func folderRequest(rc *runCtx, rel string, real *string) (capability.Request, *EffectDetail, error) {
	r, err := folderTarget(rc, rel)
	if err != nil {
		return capability.Request{}, nil, err
	}
	*real = r
	return capability.Request{Kind: capability.FSRead, Path: r}, nil, nil
}

// readEffect reads one file (effect.file_read, its body in the blob store).
type readEffect struct {
	rel string
	// set by resolve
	f       *os.File
	real    string
	missing error
	// set by perform
	data []byte
	hash string
}

func (e *readEffect) resolve(_ context.Context, rc *runCtx) (capability.Request, *EffectDetail, error) {
	clean, err := capability.CanonicalPath(e.rel)
	if err != nil {
		return capability.Request{Kind: capability.FSRead, Path: e.rel}, nil, nil // refused, with the reason, by authorize
	}
	f, real, err := workspace.OpenBeneath(rc.root, clean, false)
	switch {
	case errors.Is(err, workspace.ErrOutside):
		return capability.Request{}, nil, refuse(capability.FSRead, clean, leadsOutside)
	case errors.Is(err, workspace.ErrNotFound) || errors.Is(err, fs.ErrNotExist):
		// Decided as what it would be, then reported missing.
		if real, err = realTarget(rc, capability.FSRead, clean); err != nil {
			return capability.Request{}, nil, err
		}
		e.missing = fmt.Errorf("read %s: %w", clean, fs.ErrNotExist)
	case err != nil:
		return capability.Request{}, nil, fmt.Errorf("read %s: %w", clean, err)
	default:
		e.f = f
	}
	e.real = real
	return capability.Request{Kind: capability.FSRead, Path: real}, nil, nil
}

func (e *readEffect) perform(context.Context, *runCtx, decided) (outcome, error) {
	if e.missing != nil {
		return outcome{}, e.missing
	}
	if fi, err := e.f.Stat(); err != nil {
		return outcome{}, fmt.Errorf("read %s: %w", e.real, err)
	} else if fi.IsDir() {
		return outcome{}, fmt.Errorf("read %s: %w", e.real, workspace.ErrIsDir)
	}
	data, err := io.ReadAll(e.f)
	if err != nil {
		return outcome{}, fmt.Errorf("read %s: %w", e.real, err)
	}
	e.data, e.hash = data, eventlog.BlobAddress(data)
	p := FileReadPayload{Path: e.real, Hash: e.hash, Size: int64(len(data))}
	if clean, _ := capability.CanonicalPath(e.rel); clean != e.real {
		p.Via = clean
	}
	return outcome{typ: eventlog.EffectFileRead, payload: p, blobs: [][]byte{data}}, nil
}

func (e *readEffect) close() {
	if e.f != nil {
		e.f.Close()
	}
}

// remember notes the first content a run saw of a file (the base of a
// later staged write).
func (rc *runCtx) remember(real, hash string) {
	rc.mu.Lock()
	if _, ok := rc.reads[real]; !ok {
		rc.reads[real] = hash
	}
	rc.mu.Unlock()
}

// listEffect lists one folder (disk state). Nothing beyond the use is recorded.
type listEffect struct {
	rel     string
	real    string
	listing workspace.Listing
}

func (e *listEffect) resolve(_ context.Context, rc *runCtx) (capability.Request, *EffectDetail, error) {
	return folderRequest(rc, e.rel, &e.real)
}

func (e *listEffect) perform(_ context.Context, rc *runCtx, _ decided) (outcome, error) {
	l, err := workspace.List(rc.root, e.real)
	e.listing = l
	return outcome{}, err
}

// walkEffect calls fn with every text file (at most maxSize bytes) under a
// folder, in path order, until fn returns false: one search, authorised
// as a read of the folder. Files are read beneath the root with no link
// followed.
type walkEffect struct {
	under   string
	maxSize int64
	fn      func(rel string, data []byte) bool
	real    string
}

func (e *walkEffect) resolve(_ context.Context, rc *runCtx) (capability.Request, *EffectDetail, error) {
	return folderRequest(rc, e.under, &e.real)
}

func (e *walkEffect) perform(ctx context.Context, rc *runCtx, _ decided) (outcome, error) {
	start := filepath.Join(rc.root, filepath.FromSlash(e.real))
	stop := errors.New("stop")
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable entries are skipped
		}
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		if d.IsDir() {
			if skipDirs[d.Name()] && p != start {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if info, err := d.Info(); err != nil || info.Size() > e.maxSize {
			return nil
		}
		rel, err := filepath.Rel(rc.root, p)
		if err != nil {
			return nil
		}
		rel = filepath.ToSlash(rel)
		data, err := workspace.ReadBeneath(rc.root, rel)
		if err != nil || len(data) > int(e.maxSize) || bytes.IndexByte(data, 0) >= 0 { // binary
			return nil
		}
		if !e.fn(rel, data) {
			return stop
		}
		return nil
	})
	if errors.Is(err, stop) {
		err = nil
	}
	return outcome{}, err
}

// skipDirs are folders a search never enters.
var skipDirs = map[string]bool{".git": true, "node_modules": true}

// stageEffect stages a write (data) or a delete (del) of a file: the
// change is recorded (effect.file_staged) and applied only at Commit. The
// path staged is the real one, so a write through a link to .git is
// judged, shown and committed as the .git file it is.
type stageEffect struct {
	rel  string
	data []byte
	del  bool
	// afterAddr, with base set, stages known contents by address (a
	// revert: the before-images of a commit, expected on disk its after).
	afterAddr string
	base      *string
	// set by resolve
	p     StagedPayload
	blobs [][]byte
}

func (e *stageEffect) resolve(ctx context.Context, rc *runCtx) (capability.Request, *EffectDetail, error) {
	real, err := realTarget(rc, capability.FSWrite, e.rel)
	if err != nil {
		return capability.Request{}, nil, err
	}
	if _, cerr := capability.CanonicalPath(e.rel); cerr != nil {
		return capability.Request{Kind: capability.FSWrite, Path: e.rel}, nil, nil // refused, with the reason, by authorize
	}
	if fi, err := os.Lstat(filepath.Join(rc.root, filepath.FromSlash(real))); err == nil && fi.IsDir() {
		return capability.Request{}, nil, &workspace.PathError{Path: real, Err: workspace.ErrIsDir}
	}
	// The base is what the run saw: its first read, else the disk now. It
	// goes to the blob store so the diff and any revert need nothing else.
	rc.mu.Lock()
	base, seen := rc.reads[real]
	rc.mu.Unlock()
	switch {
	case e.base != nil:
		base = *e.base
	case !seen:
		cur, err := workspace.ReadBeneath(rc.root, real)
		switch {
		case err == nil:
			base = eventlog.BlobAddress(cur)
			e.blobs = append(e.blobs, cur)
		case errors.Is(err, workspace.ErrNotFound) || errors.Is(err, fs.ErrNotExist):
			base = ""
		default:
			return capability.Request{}, nil, fmt.Errorf("stage %s: %w", real, err)
		}
		rc.remember(real, base)
	}
	e.p = StagedPayload{Path: real, Op: OpWrite, Base: base}
	if clean, _ := capability.CanonicalPath(e.rel); clean != real {
		e.p.Via = clean
	}
	switch {
	case e.del:
		e.p.Op = OpDelete
	case e.afterAddr != "":
		e.p.After = e.afterAddr
	default:
		e.p.After, e.p.Size = eventlog.BlobAddress(e.data), int64(len(e.data))
		e.blobs = append(e.blobs, e.data)
	}
	// The approval card shows the diff: both sides go to the blob store
	// first (content-addressed, so storing them again with the effect is free).
	for _, b := range e.blobs {
		if _, err := rc.k.cfg.Blobs.PutBlob(ctx, b); err != nil {
			return capability.Request{}, nil, err
		}
	}
	return capability.Request{Kind: capability.FSWrite, Path: real}, &EffectDetail{Op: e.p.Op, Base: e.p.Base, After: e.p.After}, nil
}

func (e *stageEffect) perform(context.Context, *runCtx, decided) (outcome, error) {
	return outcome{typ: eventlog.EffectFileStaged, payload: e.p, blobs: e.blobs}, nil
}
