package workspace

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// racyWindow: a file whose content was read less than this long after its
// modification time is read again next time even if size and time still
// match, because a second write within the same timestamp tick (coarse on
// many filesystems) would otherwise go unseen. Git's index does the same.
const racyWindow = int64(2 * time.Second)

// knownFile is one entry of the Watcher's state.
type knownFile struct {
	info   FileInfo
	readAt int64 // unix ns before the content was last read
}

func (w *Watcher) process(ctx context.Context) {
	defer w.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case b := <-w.work:
			res := w.apply(ctx, b)
			select {
			case w.done <- res:
			case <-ctx.Done():
				return
			}
		}
	}
}

// differ computes one batch's new state.
type differ struct {
	w       *Watcher
	readAt  int64
	paths   []string             // the batch's paths (not for a full rescan)
	updates map[string]*FileInfo // nil: deleted
	swept   map[string]bool      // folders whose known contents not in updates are gone
	warns   []Warning

	mu     sync.Mutex // reused is written by scan workers
	reused map[string]bool
}

// apply looks at a batch of paths, updates the known state and delivers
// the differences.
func (w *Watcher) apply(ctx context.Context, b batch) batchResult {
	defer func() {
		select {
		case <-w.ready:
		default:
			close(w.ready)
		}
	}()
	d := &differ{w: w, readAt: time.Now().UnixNano(), updates: map[string]*FileInfo{}, swept: map[string]bool{}, reused: map[string]bool{}}
	missing := false
	if fi, err := os.Stat(w.cfg.Root); err != nil || !fi.IsDir() {
		missing = true
		d.removeUnder("")
	} else if b.full {
		d.scanDir(ctx, "")
	} else {
		sort.Strings(b.paths)
		d.paths = b.paths
		for _, p := range b.paths {
			if ctx.Err() != nil {
				break
			}
			if !d.covered(p) {
				d.path(ctx, p)
			}
		}
	}
	if ctx.Err() != nil {
		return batchResult{}
	}
	changes := d.commit(b.full)
	var err error
	if len(changes) > 0 {
		err = w.cfg.OnChange(changes)
	}
	if err == nil && !b.full && w.cfg.OnFolders != nil {
		if folders := d.folders(changes); len(folders) > 0 {
			w.cfg.OnFolders(folders)
		}
	}
	return batchResult{missing: missing, err: err}
}

// folders lists the batch's paths that are folders now, or are gone and
// were not known files: folders created, renamed or deleted, which no file
// change reports when they are empty.
func (d *differ) folders(changes []Change) []FolderChange {
	files := make(map[string]bool, len(changes))
	for _, c := range changes {
		files[c.Path] = true
	}
	var out []FolderChange
	for _, p := range d.paths {
		if files[p] || p == "" {
			continue
		}
		fi, err := os.Lstat(filepath.Join(d.w.cfg.Root, filepath.FromSlash(p)))
		switch {
		case err == nil && fi.IsDir() && !d.w.ign.Ignored(p, true):
			out = append(out, FolderChange{Path: p, Exists: true})
		case err != nil:
			out = append(out, FolderChange{Path: p})
		}
	}
	return out
}

func (d *differ) opts() ScanOptions {
	return ScanOptions{Ignore: d.w.ign, MaxHashBytes: d.w.cfg.MaxHashBytes, Workers: d.w.cfg.Workers, Reuse: d.reuse}
}

// reuse trusts the known hash of a file whose size and time are unchanged,
// unless it was read so soon after being written that a later write could
// share its timestamp. It runs on scan workers while the processor
// goroutine waits, so reading known needs no lock.
func (d *differ) reuse(p string, size, mtime int64) (FileInfo, bool) {
	k, ok := d.w.known[p]
	if !ok || k.info.Symlink || k.info.Size != size || k.info.ModTime != mtime || k.readAt-mtime < racyWindow {
		return FileInfo{}, false
	}
	d.mu.Lock()
	d.reused[p] = true
	d.mu.Unlock()
	return k.info, true
}

// covered reports whether a parent folder of p was already rescanned or
// removed in this batch.
func (d *differ) covered(p string) bool {
	if d.swept[""] {
		return true
	}
	for i := len(p) - 1; i > 0; i-- {
		if p[i] == '/' && d.swept[p[:i]] {
			return true
		}
	}
	return false
}

// path settles one changed path: gone, ignored, a folder (rescanned
// whole) or a file.
func (d *differ) path(ctx context.Context, p string) {
	full := filepath.Join(d.w.cfg.Root, filepath.FromSlash(p))
	fi, err := os.Lstat(full)
	switch {
	case err != nil:
		d.removeUnder(p)
	case d.w.ign.Ignored(p, fi.IsDir()):
		d.removeUnder(p)
	case fi.IsDir():
		d.scanDir(ctx, p)
	default:
		info, err := ScanFile(d.w.cfg.Root, p, d.opts())
		if err != nil {
			d.removeUnder(p)
			if !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrSpecial) && !errors.Is(err, ErrIsDir) {
				d.warns = append(d.warns, Warning{Path: p, Reason: err.Error(), Err: err})
			}
			return
		}
		d.updates[p] = &info
		d.swept[p] = true // it may have been a folder before
	}
}

// scanDir rescans the folder p ("" for all).
func (d *differ) scanDir(ctx context.Context, p string) {
	if _, ok := d.w.known[p]; ok && p != "" {
		d.updates[p] = nil // it was a file before
	}
	d.swept[p] = true
	opts := d.opts()
	opts.Dir = p
	rep, err := Scan(ctx, d.w.cfg.Root, opts, func(fi FileInfo) error {
		d.updates[fi.Path] = &fi
		return nil
	})
	d.warns = append(d.warns, rep.Warnings...)
	if err != nil && ctx.Err() == nil {
		d.removeUnder(p) // vanished between the event and the scan
	}
}

// removeUnder forgets p and everything below it.
func (d *differ) removeUnder(p string) {
	if _, ok := d.w.known[p]; ok && p != "" {
		d.updates[p] = nil
	}
	d.swept[p] = true
}

// commit turns the updates into changes, applies them to the known state
// and records the batch's warnings.
func (d *differ) commit(full bool) []Change {
	w := d.w
	if len(d.swept) > 0 {
		for p := range w.known {
			if _, ok := d.updates[p]; ok {
				continue
			}
			if d.swept[""] || d.covered(p) {
				d.updates[p] = nil
			}
		}
	}
	var changes []Change
	next := make(map[string]knownFile, len(d.updates))
	for p, fi := range d.updates {
		old, had := w.known[p]
		switch {
		case fi == nil && had:
			changes = append(changes, Change{Path: p, Kind: ChangeDeleted, File: old.info})
		case fi == nil:
		case !had:
			changes = append(changes, Change{Path: p, Kind: ChangeCreated, File: *fi})
		case old.info != *fi:
			changes = append(changes, Change{Path: p, Kind: ChangeModified, File: *fi})
		}
		if fi != nil {
			readAt := d.readAt
			if d.reused[p] {
				readAt = old.readAt
			}
			next[p] = knownFile{info: *fi, readAt: readAt}
		}
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })

	w.mu.Lock()
	for p, fi := range d.updates {
		if fi == nil {
			delete(w.known, p)
		} else {
			w.known[p] = next[p]
		}
	}
	files := len(w.known)
	w.mu.Unlock()

	warns := d.warns
	w.setStatus(func(s *WatchStatus) {
		s.Files = files
		if full {
			s.Warnings = nil
		}
		for _, nw := range warns {
			if len(s.Warnings) >= maxWarnings {
				break
			}
			dup := false
			for _, ow := range s.Warnings {
				if ow.Path == nw.Path && ow.Reason == nw.Reason {
					dup = true
					break
				}
			}
			if !dup {
				s.Warnings = append(s.Warnings, nw)
			}
		}
	})
	return changes
}
