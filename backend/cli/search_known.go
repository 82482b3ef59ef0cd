package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ice-studio/ice-studio/backend/datadir"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/search"
	"github.com/ice-studio/ice-studio/backend/studio"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// racyWindow: a recorded file whose content was read less than this long
// after its modification time is not trusted even when its size and time
// still match, since a second write within the same timestamp tick would
// not show (the Watcher uses the same window, as git's index does).
const racyWindow = int64(2 * time.Second)

// studioData is what the Studio keeps about a folder, opened read-only:
// the files it recorded (size, time, hash at the last scan or change) and
// its text index.
type studioData struct {
	files map[string]workspace.IndexedFile
	index *search.ReadOnly
}

// openStudioData opens the Studio's data about root when there is a
// usable index of it; otherwise it returns nil and why, and the folder is
// scanned as one the Studio never opened. Nothing is created or written:
// the event log is opened as the other read-only verbs open it, the index
// with search.OpenReadOnly.
func openStudioData(ctx context.Context, getenv func(string) string, root string) (*studioData, string) {
	dir, err := datadir.Resolve(getenv)
	if err != nil {
		return nil, fmt.Sprintf("fresh scan: %v", err)
	}
	logPath := studio.LogPath(dir)
	if _, err := os.Stat(logPath); err != nil {
		return nil, fmt.Sprintf("fresh scan: no event log at %s", logPath)
	}
	store, err := eventlog.Open(logPath, eventlog.Options{ReadOnly: true})
	if err != nil {
		return nil, fmt.Sprintf("fresh scan: %v", err)
	}
	defer store.Close()
	k, ok, err := workspace.LookupRoot(ctx, store.ReadDB(), root)
	switch {
	case err != nil:
		return nil, fmt.Sprintf("fresh scan: %v", err)
	case !ok:
		return nil, fmt.Sprintf("fresh scan: the Studio has not opened %s", root)
	}
	ix, err := search.OpenReadOnly(studio.IndexPath(dir, k.ID))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Sprintf("fresh scan: no text index of %s yet", root)
	}
	if err != nil {
		return nil, fmt.Sprintf("fresh scan: %v", err)
	}
	files, err := workspace.FilesOf(ctx, store.ReadDB(), k.ID)
	if err != nil {
		_ = ix.Close()
		return nil, fmt.Sprintf("fresh scan: %v", err)
	}
	d := &studioData{files: make(map[string]workspace.IndexedFile, len(files)), index: ix}
	for _, f := range files {
		d.files[f.Path] = f
	}
	return d, fmt.Sprintf("using the Studio's text index of %s (%d files recorded)", root, len(files))
}

func (d *studioData) close() { _ = d.index.Close() }

// reuse is the scan's ScanOptions.Reuse: a file keeps its recorded hash
// (which the index compares with the hash it indexed) only when its size
// and modification time are those recorded and it was recorded well after
// it was last written; any other file has no hash, so the search reads it.
func (d *studioData) reuse(p string, size, mtime int64) (workspace.FileInfo, bool) {
	f, ok := d.files[p]
	if !ok || f.Symlink || f.Hash == "" || f.Size != size || f.ModTime != mtime || f.SeenAt-mtime < racyWindow {
		return workspace.FileInfo{}, false
	}
	return f.FileInfo, true
}
