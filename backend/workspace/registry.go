package workspace

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/projection"
)

// Payloads of the workspace events this package emits and folds.
type (
	// OpenedPayload is the payload of workspace.opened.
	OpenedPayload struct {
		Root string `json:"root"`
		Name string `json:"name"`
	}
	// ClosedPayload is the payload of workspace.closed.
	ClosedPayload struct {
		Reason string `json:"reason"`
	}
	// ForgottenPayload is the payload of workspace.forgotten (the user
	// removed the folder from the recent list).
	ForgottenPayload struct {
		Root string `json:"root"`
	}
)

// Stream returns the event stream of a workspace.
func Stream(id string) string { return "workspace/" + id }

// Registry is the projection of known workspaces: every folder ever opened,
// when, how often, whether it is open, and whether the user removed it from
// the recent list. The welcome screen reads it.
type Registry struct{}

var _ projection.Projection = Registry{}

// RegistryTable is the registry's read-model table.
const RegistryTable = "p_workspaces"

// Name implements projection.Projection.
func (Registry) Name() string { return "workspaces" }

// Version implements projection.Projection.
func (Registry) Version() int { return 1 }

// Tables implements projection.Projection.
func (Registry) Tables() []string { return []string{RegistryTable} }

// Setup implements projection.Projection.
func (Registry) Setup(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
CREATE TABLE IF NOT EXISTS p_workspaces (
	id           TEXT PRIMARY KEY,
	root         TEXT NOT NULL,
	name         TEXT NOT NULL,
	first_opened INTEGER NOT NULL,
	last_opened  INTEGER NOT NULL,
	opens        INTEGER NOT NULL,
	is_open      INTEGER NOT NULL,
	forgotten    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS p_workspaces_root ON p_workspaces (root);
CREATE INDEX IF NOT EXISTS p_workspaces_recent ON p_workspaces (forgotten, last_opened);`)
	return err
}

// Apply implements projection.Projection.
func (Registry) Apply(ctx context.Context, tx *projection.Tx, e eventlog.Event) error {
	switch e.Type {
	case eventlog.WorkspaceOpened:
		var p OpenedPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return fmt.Errorf("decode %s: %w", e.Type, err)
		}
		_, err := tx.ExecContext(ctx, `
INSERT INTO p_workspaces (id, root, name, first_opened, last_opened, opens, is_open, forgotten)
VALUES (?, ?, ?, ?, ?, 1, 1, 0)
ON CONFLICT(id) DO UPDATE SET root = excluded.root, name = excluded.name, last_opened = excluded.last_opened,
	opens = opens + 1, is_open = 1, forgotten = 0`, e.Workspace, p.Root, p.Name, e.At, e.At)
		return err
	case eventlog.WorkspaceClosed:
		_, err := tx.ExecContext(ctx, `UPDATE p_workspaces SET is_open = 0 WHERE id = ?`, e.Workspace)
		return err
	case eventlog.WorkspaceForgotten:
		_, err := tx.ExecContext(ctx, `UPDATE p_workspaces SET forgotten = 1 WHERE id = ?`, e.Workspace)
		return err
	}
	return nil
}

// Known is one workspace of the registry.
type Known struct {
	ID         string
	Root       string
	Name       string
	LastOpened int64 // Unix nanoseconds
	Open       bool
}

// RecentFolder is one entry of the recent-folders list.
type RecentFolder struct {
	Path     string `json:"path"`
	Name     string `json:"name"`
	OpenedAt int64  `json:"openedAt"` // Unix milliseconds
	Missing  bool   `json:"missing"`  // the folder no longer exists
}

// RecentMax is how many folders the recent list shows.
const RecentMax = 20

// LookupRoot returns the registered workspace for a canonical root.
func LookupRoot(ctx context.Context, db *sql.DB, root string) (Known, bool, error) {
	var k Known
	var open int
	err := db.QueryRowContext(ctx, `SELECT id, root, name, last_opened, is_open FROM p_workspaces WHERE root = ?
		ORDER BY last_opened DESC LIMIT 1`, root).Scan(&k.ID, &k.Root, &k.Name, &k.LastOpened, &open)
	if errors.Is(err, sql.ErrNoRows) {
		return Known{}, false, nil
	}
	if err != nil {
		return Known{}, false, fmt.Errorf("look up workspace: %w", err)
	}
	k.Open = open == 1
	return k, true, nil
}

// StillOpen lists workspaces the registry considers open (at start-up these
// were left open by a Studio that did not exit cleanly).
func StillOpen(ctx context.Context, db *sql.DB) ([]Known, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, root, name, last_opened FROM p_workspaces WHERE is_open = 1 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("open workspaces: %w", err)
	}
	defer rows.Close()
	var out []Known
	for rows.Next() {
		k := Known{Open: true}
		if err := rows.Scan(&k.ID, &k.Root, &k.Name, &k.LastOpened); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Recent returns the recent-folders list, most recent first, marking
// folders that no longer exist.
func Recent(ctx context.Context, db *sql.DB) ([]RecentFolder, error) {
	rows, err := db.QueryContext(ctx, `SELECT root, name, last_opened FROM p_workspaces WHERE forgotten = 0
		ORDER BY last_opened DESC, id LIMIT ?`, RecentMax)
	if err != nil {
		return nil, fmt.Errorf("recent folders: %w", err)
	}
	defer rows.Close()
	out := []RecentFolder{}
	for rows.Next() {
		var f RecentFolder
		var at int64
		if err := rows.Scan(&f.Path, &f.Name, &at); err != nil {
			return nil, err
		}
		f.OpenedAt = at / 1e6
		fi, err := os.Stat(f.Path)
		f.Missing = err != nil || !fi.IsDir()
		out = append(out, f)
	}
	return out, rows.Err()
}

// LookupID returns a registered workspace by id.
func LookupID(ctx context.Context, db *sql.DB, id string) (Known, bool, error) {
	var k Known
	var open int
	err := db.QueryRowContext(ctx, `SELECT id, root, name, last_opened, is_open FROM p_workspaces WHERE id = ?`, id).
		Scan(&k.ID, &k.Root, &k.Name, &k.LastOpened, &open)
	if errors.Is(err, sql.ErrNoRows) {
		return Known{}, false, nil
	}
	if err != nil {
		return Known{}, false, fmt.Errorf("look up workspace: %w", err)
	}
	k.Open = open == 1
	return k, true, nil
}
