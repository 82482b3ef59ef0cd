package search

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// ErrIndexChanged means a read-only index opened while no one had it open
// was written (the Studio opened it) during the reads: what was read may be
// torn, so the caller discards it.
var ErrIndexChanged = errors.New("text index: changed while it was read")

// quietFor is how long an index file must have been left alone before it
// is read as immutable: a write within the same timestamp tick as the
// check would otherwise go unseen (compare the Watcher's racy window).
const quietFor = 2 * time.Second

// ReadOnly is an existing index opened by another process than the one
// that keeps it (the command line beside the Studio): nothing is created,
// migrated or written, not even SQLite's -wal and -shm files when they are
// absent. Verify, after the searches, says whether their reads can be
// trusted.
type ReadOnly struct {
	*Index
	stamp *fileStamp // set when read as immutable: the file as it was
}

type fileStamp struct {
	size, mtime int64
	ino         uint64
}

// OpenReadOnly opens the index at path for reading only. When the keeper
// has it open (its -wal and -shm files exist) it is read as a WAL reader
// beside it; when no one does, its file is complete and is read as
// immutable, and Verify checks afterwards that no one wrote it meanwhile.
// A missing index, one of another layout version, or a damaged one is an
// error: it is left as it is.
func OpenReadOnly(path string) (*ReadOnly, error) {
	q := url.Values{"mode": {"ro"}, "_query_only": {"1"}}
	var stamp *fileStamp
	_, walErr := os.Lstat(path + "-wal")
	_, shmErr := os.Lstat(path + "-shm")
	switch {
	case walErr == nil && shmErr == nil:
		q.Set("_busy_timeout", "5000")
	case errors.Is(walErr, os.ErrNotExist) && errors.Is(shmErr, os.ErrNotExist):
		st, err := stampOf(path)
		if err != nil {
			return nil, fmt.Errorf("text index: %w", err)
		}
		if time.Since(time.Unix(0, st.mtime)) < quietFor {
			return nil, fmt.Errorf("text index: %s was written just now", path)
		}
		stamp = &st
		q.Set("immutable", "1")
	default:
		// One without the other: a reader would create the missing one.
		return nil, fmt.Errorf("text index: %s: its -wal or -shm file is missing", path)
	}
	db, err := sql.Open("sqlite3", eventlog.FileURI(path, q))
	if err != nil {
		return nil, fmt.Errorf("text index: %w", err)
	}
	ix := &Index{path: path, db: db}
	var have string
	if err := db.QueryRow(`SELECT value FROM meta WHERE key = 'version'`).Scan(&have); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("text index: %w", err)
	}
	if have != schemaVersion {
		_ = db.Close()
		return nil, fmt.Errorf("text index: version %s, want %s", have, schemaVersion)
	}
	return &ReadOnly{Index: ix, stamp: stamp}, nil
}

// Verify reports ErrIndexChanged when an index read as immutable was
// written or replaced since OpenReadOnly (call it after the reads); an
// index read beside its keeper is always consistent.
func (r *ReadOnly) Verify() error {
	if r.stamp == nil {
		return nil
	}
	// A keeper that opens it meanwhile writes to its -wal and leaves the
	// file alone until a checkpoint, whose first write moves the file's
	// time away from one at least quietFor old.
	if st, err := stampOf(r.path); err != nil || st != *r.stamp {
		return ErrIndexChanged
	}
	return nil
}

func stampOf(path string) (fileStamp, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{size: fi.Size(), mtime: fi.ModTime().UnixNano(), ino: inode(fi)}, nil
}
