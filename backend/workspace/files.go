package workspace

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/projection"
)

// FileChangedPayload is the payload of workspace.file_changed: one file's
// new state (for a deletion, its last known one). The first scan of a
// folder records every file as created; later scans and the watcher record
// only differences, so the Files projection is the index of the workspace.
type FileChangedPayload struct {
	Kind string `json:"kind"` // ChangeCreated, ChangeModified or ChangeDeleted
	FileInfo
	// RawPath holds the name's bytes when it is not valid UTF-8, which JSON
	// strings cannot carry (Path then shows it with replacement characters).
	RawPath []byte `json:"rawPath,omitempty"`
}

// ChangedPayload builds the payload of a change.
func ChangedPayload(c Change) FileChangedPayload {
	p := FileChangedPayload{Kind: c.Kind, FileInfo: c.File}
	p.Path = c.Path
	if !utf8.ValidString(c.Path) {
		p.RawPath = []byte(c.Path)
		p.Path = strings.ToValidUTF8(c.Path, "\uFFFD")
	}
	return p
}

// Change returns the change a payload records.
func (p FileChangedPayload) Change() Change {
	f := p.FileInfo
	if p.RawPath != nil {
		f.Path = string(p.RawPath)
	}
	return Change{Path: f.Path, Kind: p.Kind, File: f}
}

// ScannedPayload is the payload of workspace.scanned: a full scan of the
// folder finished (at open, after an overflow, or a rescan while polling).
type ScannedPayload struct {
	Files    int       `json:"files"`
	Changed  int       `json:"changed"` // file_changed events it produced
	Mode     string    `json:"mode"`    // the watcher's mode after it
	Reason   string    `json:"reason,omitempty"`
	Warnings []Warning `json:"warnings,omitempty"` // the first few
}

// IndexedPayload is the payload of workspace.indexed: the text index caught
// up with the files after the workspace was opened.
type IndexedPayload struct {
	Files  int   `json:"files"`  // text files searchable
	Chunks int   `json:"chunks"` // text chunks in the index
	Bytes  int64 `json:"bytes"`  // text indexed
	Done   int   `json:"done"`   // files (re)indexed by this pass
	TookMS int64 `json:"tookMs"`
}

// Files is the projection of every workspace's files: path, size, time,
// hash, language and flags, as the last workspace.file_changed events
// recorded them. It is what the Watcher is seeded with when a workspace is
// reopened, and what search and quick-open read.
type Files struct{}

var _ projection.Projection = Files{}

// FilesTable is the Files projection's table.
const FilesTable = "p_files"

// Name implements projection.Projection.
func (Files) Name() string { return "files" }

// Version implements projection.Projection.
func (Files) Version() int { return 1 }

// Tables implements projection.Projection.
func (Files) Tables() []string { return []string{FilesTable} }

// Setup implements projection.Projection.
func (Files) Setup(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
CREATE TABLE IF NOT EXISTS p_files (
	workspace TEXT NOT NULL,
	path      TEXT NOT NULL,
	size      INTEGER NOT NULL,
	mtime     INTEGER NOT NULL,
	hash      TEXT NOT NULL,
	language  TEXT NOT NULL,
	binary    INTEGER NOT NULL,
	huge      INTEGER NOT NULL,
	symlink   INTEGER NOT NULL,
	target    TEXT NOT NULL,
	seen_at   INTEGER NOT NULL,
	seq       INTEGER NOT NULL,
	PRIMARY KEY (workspace, path)
) WITHOUT ROWID;`)
	return err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Apply implements projection.Projection.
func (Files) Apply(ctx context.Context, tx *projection.Tx, e eventlog.Event) error {
	if e.Type != eventlog.WorkspaceFileChanged {
		return nil
	}
	var p FileChangedPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return fmt.Errorf("decode %s: %w", e.Type, err)
	}
	c := p.Change()
	if c.Kind == ChangeDeleted {
		_, err := tx.ExecContext(ctx, `DELETE FROM p_files WHERE workspace = ? AND path = ?`, e.Workspace, c.Path)
		return err
	}
	f := c.File
	_, err := tx.ExecContext(ctx, `
INSERT INTO p_files (workspace, path, size, mtime, hash, language, binary, huge, symlink, target, seen_at, seq)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(workspace, path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, hash = excluded.hash,
	language = excluded.language, binary = excluded.binary, huge = excluded.huge, symlink = excluded.symlink,
	target = excluded.target, seen_at = excluded.seen_at, seq = excluded.seq`,
		e.Workspace, f.Path, f.Size, f.ModTime, f.Hash, f.Language, b2i(f.Binary), b2i(f.Huge), b2i(f.Symlink), f.LinkTarget, e.At, e.Seq)
	return err
}

// IndexedFile is one row of the Files projection.
type IndexedFile struct {
	FileInfo
	SeenAt int64 // when the state was recorded (unix ns): no earlier than when it was read
	Seq    int64 // the event that recorded it
}

// FilesOf returns a workspace's files as the index records them, sorted by
// path (byte-wise).
func FilesOf(ctx context.Context, db *sql.DB, workspaceID string) ([]IndexedFile, error) {
	rows, err := db.QueryContext(ctx, `SELECT path, size, mtime, hash, language, binary, huge, symlink, target, seen_at, seq
		FROM p_files WHERE workspace = ? ORDER BY path`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("files of workspace: %w", err)
	}
	defer rows.Close()
	out := []IndexedFile{}
	for rows.Next() {
		var f IndexedFile
		var bin, huge, link int
		if err := rows.Scan(&f.Path, &f.Size, &f.ModTime, &f.Hash, &f.Language, &bin, &huge, &link, &f.LinkTarget, &f.SeenAt, &f.Seq); err != nil {
			return nil, fmt.Errorf("files of workspace: %w", err)
		}
		f.Binary, f.Huge, f.Symlink = bin == 1, huge == 1, link == 1
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("files of workspace: %w", err)
	}
	return out, nil
}

// SeedOf turns recorded files into a Watcher seed.
func SeedOf(files []IndexedFile) []Seeded {
	out := make([]Seeded, len(files))
	for i, f := range files {
		out[i] = Seeded{Info: f.FileInfo, ReadAt: f.SeenAt}
	}
	return out
}
