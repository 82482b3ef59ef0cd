package kernel

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/projection"
)

// Runs is the projection of runs: each run's state (a fold of its lifecycle
// events, never set by hand) and its staged changes. While folding a batch
// it keeps the runs the batch touches in memory and writes each once at the
// end (a run's events come in bursts; one statement per event would make a
// replay several times slower).
type Runs struct {
	batch map[string]*runRow // rows touched by the current batch
}

// runRow is one p_runs row while a batch is folded.
type runRow struct {
	id, workspace, worker, task string
	state                       State
	version, createdAt, updated int64
	autoCommit                  bool
	revertOf, reason, outcome   string
	revertedBy, config          string
	approved                    bool
	isNew                       bool
}

var (
	_ projection.Projection = (*Runs)(nil)
	_ projection.Batcher    = (*Runs)(nil)
)

// Name implements projection.Projection.
func (*Runs) Name() string { return "runs" }

// Version implements projection.Projection.
func (*Runs) Version() int { return 2 }

// Tables implements projection.Projection.
func (*Runs) Tables() []string { return []string{"p_runs", "p_run_staged"} }

// Setup implements projection.Projection.
func (*Runs) Setup(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
CREATE TABLE IF NOT EXISTS p_runs (
	id          TEXT PRIMARY KEY,
	workspace   TEXT NOT NULL,
	worker      TEXT NOT NULL,
	task        TEXT NOT NULL,
	state       TEXT NOT NULL,
	version     INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	auto_commit INTEGER NOT NULL,
	revert_of   TEXT NOT NULL,
	reason      TEXT NOT NULL,
	approved    INTEGER NOT NULL,
	reverted_by TEXT NOT NULL,
	outcome     TEXT NOT NULL,
	config      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS p_runs_state ON p_runs (state);
CREATE INDEX IF NOT EXISTS p_runs_workspace ON p_runs (workspace, created_at);
CREATE TABLE IF NOT EXISTS p_run_staged (
	run   TEXT NOT NULL,
	path  TEXT NOT NULL,
	op    TEXT NOT NULL,
	base  TEXT NOT NULL,
	after TEXT NOT NULL,
	seq   INTEGER NOT NULL,
	PRIMARY KEY (run, path)
);`)
	return err
}

// row returns the run's row, from this batch or the table (nil: unknown run).
func (r *Runs) row(ctx context.Context, tx *projection.Tx, id string) (*runRow, error) {
	if r.batch == nil {
		r.batch = make(map[string]*runRow)
	}
	if row, ok := r.batch[id]; ok {
		return row, nil
	}
	row := &runRow{id: id}
	var auto, approved int
	err := tx.QueryRowScan(ctx, `SELECT workspace, worker, task, state, version, created_at, updated_at, auto_commit,
		revert_of, reason, approved, reverted_by, outcome, config FROM p_runs WHERE id = ?`, []any{id},
		&row.workspace, &row.worker, &row.task, &row.state, &row.version, &row.createdAt, &row.updated, &auto,
		&row.revertOf, &row.reason, &approved, &row.revertedBy, &row.outcome, &row.config)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	row.autoCommit, row.approved = auto == 1, approved == 1
	r.batch[id] = row
	return row, nil
}

// Apply implements projection.Projection.
func (r *Runs) Apply(ctx context.Context, tx *projection.Tx, e eventlog.Event) error {
	if e.Run == "" {
		return nil
	}
	if e.Type == eventlog.RunCreated {
		var p CreatedPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		if r.batch == nil {
			r.batch = make(map[string]*runRow)
		}
		r.batch[e.Run] = &runRow{id: e.Run, workspace: e.Workspace, worker: p.Worker, task: p.Task, state: StateCreated,
			version: e.Version, createdAt: e.At, updated: e.At, autoCommit: p.AutoCommit, revertOf: p.RevertOf,
			config: string(e.Payload), isNew: true}
		if p.RevertOf != "" {
			orig, err := r.row(ctx, tx, p.RevertOf)
			if err != nil {
				return err
			}
			if orig != nil {
				orig.revertedBy = e.Run
			}
		}
		return nil
	}
	row, err := r.row(ctx, tx, e.Run)
	if err != nil || row == nil {
		return err // nil row: an event before the run was created (run.requested)
	}
	row.version, row.updated = e.Version, e.At
	switch e.Type {
	case eventlog.EffectFileStaged:
		var p StagedPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		// Staging a path again keeps the first base: the run still expects
		// the disk as it first saw it.
		_, err := tx.ExecContext(ctx, `INSERT INTO p_run_staged (run, path, op, base, after, seq) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(run, path) DO UPDATE SET op = excluded.op, after = excluded.after, seq = excluded.seq`,
			e.Run, p.Path, p.Op, p.Base, p.After, e.Seq)
		return err
	case eventlog.RunCommitApproved:
		row.approved = true
		return nil
	case eventlog.RunPartialCommitted:
		// What a partial commit wrote is on disk: the rest of each file
		// stays staged against it, and a file written whole is done.
		if err := applyPartialCommit(ctx, tx, e); err != nil {
			return err
		}
	}
	if !Lifecycle(e.Type) {
		return nil
	}
	prev := row.state
	next, terr := Next(prev, e.Type)
	if terr != nil {
		// The kernel never emits an illegal transition; a log that has one
		// keeps the last legal state (verify and the UI show the event).
		return nil
	}
	row.state = next
	// The teardown after a commit or an abort keeps the outcome's reason.
	if !(e.Type == eventlog.RunTerminated && prev.Finished()) {
		if bytes.Contains(e.Payload, []byte(`"reason":`)) { // most lifecycle payloads have none
			var p ReasonPayload
			_ = json.Unmarshal(e.Payload, &p)
			if p.Reason != "" {
				row.reason = p.Reason
			}
		}
	}
	switch {
	case next == StateCommitted:
		row.outcome = OutcomeCommitted
	case next == StateAborted:
		row.outcome = OutcomeAborted
	case next == StateTerminated && !prev.Finished():
		row.outcome = OutcomeTerminated // ended by the runtime: budget, shutdown
	}
	return nil
}

// BeginBatch implements projection.Batcher.
func (r *Runs) BeginBatch() { r.batch = nil }

// EndBatch implements projection.Batcher.
func (r *Runs) EndBatch(ctx context.Context, tx *projection.Tx) error {
	defer func() { r.batch = nil }()
	for _, w := range r.batch {
		var err error
		if w.isNew {
			_, err = tx.ExecContext(ctx, `INSERT INTO p_runs (id, workspace, worker, task, state, version, created_at, updated_at,
				auto_commit, revert_of, reason, approved, reverted_by, outcome, config) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				w.id, w.workspace, w.worker, w.task, w.state, w.version, w.createdAt, w.updated, boolInt(w.autoCommit),
				w.revertOf, w.reason, boolInt(w.approved), w.revertedBy, w.outcome, w.config)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE p_runs SET state = ?, version = ?, updated_at = ?, reason = ?, approved = ?,
				reverted_by = ?, outcome = ? WHERE id = ?`,
				w.state, w.version, w.updated, w.reason, boolInt(w.approved), w.revertedBy, w.outcome, w.id)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Outcomes of a finished run.
const (
	OutcomeCommitted  = "committed"
	OutcomeAborted    = "aborted"
	OutcomeTerminated = "terminated"
)

// RunInfo is a run as the projection knows it.
type RunInfo struct {
	ID         string `json:"id"`
	Workspace  string `json:"workspace"`
	Worker     string `json:"worker"`
	Task       string `json:"task"`
	State      State  `json:"state"`
	Version    int64  `json:"version"`
	CreatedAt  int64  `json:"createdAt"` // Unix ns
	UpdatedAt  int64  `json:"updatedAt"`
	AutoCommit bool   `json:"autoCommit"`
	RevertOf   string `json:"revertOf"`
	RevertedBy string `json:"revertedBy"`
	Reason     string `json:"reason"`
	Approved   bool   `json:"approved"`
	Outcome    string `json:"outcome"` // committed, aborted, terminated, or "" while undecided
	Profile    string `json:"profile"` // capability profile: ask, edit or agent
	Model      string `json:"model"`   // an agent run's model ("" for other workers)
	// ValidationCommand is the command validation runs (nil: none is
	// configured, and validation only checks that the edits apply).
	ValidationCommand []string `json:"validationCommand"`
	// Waiting is set (by the Studio, not the projection) while the run
	// waits for an answer to an approval card.
	Waiting bool `json:"waiting"`
	config  CreatedPayload
}

const runColumns = `id, workspace, worker, task, state, version, created_at, updated_at, auto_commit, revert_of, reverted_by, reason, approved, outcome, config`

func scanRun(row interface{ Scan(...any) error }) (RunInfo, error) {
	var r RunInfo
	var auto, approved int
	var config string
	err := row.Scan(&r.ID, &r.Workspace, &r.Worker, &r.Task, &r.State, &r.Version, &r.CreatedAt, &r.UpdatedAt,
		&auto, &r.RevertOf, &r.RevertedBy, &r.Reason, &approved, &r.Outcome, &config)
	if err != nil {
		return r, err
	}
	r.AutoCommit, r.Approved = auto == 1, approved == 1
	_ = json.Unmarshal([]byte(config), &r.config)
	r.Profile, r.Model, r.ValidationCommand = r.config.Profile, r.config.Model, r.config.ValidationCommand
	if r.Profile == "" {
		r.Profile = "edit"
	}
	return r, nil
}

// ErrUnknownRun is a run id that is not in the log.
var ErrUnknownRun = errors.New("no such run")

// LoadRun reads one run from the projection.
func LoadRun(ctx context.Context, db *sql.DB, id string) (RunInfo, error) {
	r, err := scanRun(db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM p_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return RunInfo{}, fmt.Errorf("%w: %s", ErrUnknownRun, id)
	}
	return r, err
}

// LoadRuns reads runs by id (those not found are left out).
func LoadRuns(ctx context.Context, db *sql.DB, ids []string) (map[string]RunInfo, error) {
	out := make(map[string]RunInfo, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := db.QueryContext(ctx, `SELECT `+runColumns+` FROM p_runs WHERE id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out[r.ID] = r
	}
	return out, rows.Err()
}

// StagedChangesOf lists the staged changes of several runs, by run.
func StagedChangesOf(ctx context.Context, db *sql.DB, runs []string) (map[string][]Staged, error) {
	out := make(map[string][]Staged, len(runs))
	if len(runs) == 0 {
		return out, nil
	}
	args := make([]any, len(runs))
	for i, id := range runs {
		args[i] = id
	}
	rows, err := db.QueryContext(ctx, `SELECT run, path, op, base, after FROM p_run_staged WHERE run IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(runs)), ",")+`) ORDER BY run, path`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var run string
		var s Staged
		if err := rows.Scan(&run, &s.Path, &s.Op, &s.Base, &s.After); err != nil {
			return nil, err
		}
		out[run] = append(out[run], s)
	}
	return out, rows.Err()
}

// ListRuns returns runs, newest first; an empty workspace lists all.
func ListRuns(ctx context.Context, db *sql.DB, workspace string, limit int) ([]RunInfo, error) {
	if limit <= 0 {
		limit = 200
	}
	q := `SELECT ` + runColumns + ` FROM p_runs`
	args := []any{}
	if workspace != "" {
		q += ` WHERE workspace = ?`
		args = append(args, workspace)
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	rows, err := db.QueryContext(ctx, q, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RunInfo{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// runsIn returns the ids of runs in any of the given states.
func runsIn(ctx context.Context, db *sql.DB, states ...State) ([]RunInfo, error) {
	var out []RunInfo
	for _, s := range states {
		rows, err := db.QueryContext(ctx, `SELECT `+runColumns+` FROM p_runs WHERE state = ? ORDER BY created_at`, s)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			r, err := scanRun(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, r)
		}
		rows.Close()
	}
	return out, nil
}

// Staged is one staged change of a run.
type Staged struct {
	Path  string `json:"path"`
	Op    string `json:"op"`
	Base  string `json:"base"`  // blob address of what the run expects on disk ("" absent)
	After string `json:"after"` // blob address of the proposed content ("" delete)
}

// StagedChanges lists a run's staged changes by path.
func StagedChanges(ctx context.Context, db *sql.DB, run string) ([]Staged, error) {
	rows, err := db.QueryContext(ctx, `SELECT path, op, base, after FROM p_run_staged WHERE run = ? ORDER BY path`, run)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Staged{}
	for rows.Next() {
		var s Staged
		if err := rows.Scan(&s.Path, &s.Op, &s.Base, &s.After); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
