package kernel

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/projection"
)

// Threads: a conversation is a thread of runs, one run per user message.
// The thread and the order of its turns are events in the thread's own
// stream (thread/<id>); this projection lists them.

// ThreadStream is a thread's event stream.
func ThreadStream(id string) string { return "thread/" + id }

// Kinds of turn.
const (
	TurnMessage = "message" // the user's message
	TurnRetry   = "retry"   // the last turn again, after it failed
	TurnCompact = "compact" // the user's /compact: a summary of the thread so far
	TurnRestore = "restore" // a compensating run of a restore to an earlier turn
)

// Payloads of the thread events. Field names are persisted.
type (
	// ThreadCreatedPayload is thread.created (by the user: a first
	// message, or a fork of another thread at a turn).
	ThreadCreatedPayload struct {
		Title    string `json:"title"`
		ForkOf   string `json:"forkOf,omitempty"`
		ForkTurn int    `json:"forkTurn,omitempty"`
	}
	// ThreadRenamedPayload is thread.renamed.
	ThreadRenamedPayload struct {
		Title string `json:"title"`
	}
	// ThreadRestorePayload is thread.restore_requested: the user asked for
	// the tree as it was after a turn.
	ThreadRestorePayload struct {
		Turn int `json:"turn"`
	}
	// TurnAddedPayload is thread.turn_added: run Run is turn Turn.
	TurnAddedPayload struct {
		Turn int    `json:"turn"`
		Run  string `json:"run"`
		Kind string `json:"kind"`
		// Retries is the turn this one tries again (it then no longer
		// counts in the conversation).
		Retries int `json:"retries,omitempty"`
		// Inherited: a fork's turn, taken over from the thread it forks.
		Inherited bool `json:"inherited,omitempty"`
		// Reverts is the run a restore's compensating run reverts.
		Reverts string `json:"reverts,omitempty"`
	}
)

// Threads is the projection of threads and their turns.
type Threads struct{}

var _ projection.Projection = Threads{}

// Name implements projection.Projection.
func (Threads) Name() string { return "threads" }

// Version implements projection.Projection.
func (Threads) Version() int { return 1 }

// Tables implements projection.Projection.
func (Threads) Tables() []string { return []string{"p_threads", "p_thread_turns"} }

// Setup implements projection.Projection.
func (Threads) Setup(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
CREATE TABLE IF NOT EXISTS p_threads (
	id         TEXT PRIMARY KEY,
	workspace  TEXT NOT NULL,
	title      TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	hidden     INTEGER NOT NULL,
	fork_of    TEXT NOT NULL,
	fork_turn  INTEGER NOT NULL,
	turns      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS p_threads_workspace ON p_threads (workspace, updated_at);
CREATE TABLE IF NOT EXISTS p_thread_turns (
	thread     TEXT NOT NULL,
	turn       INTEGER NOT NULL,
	run        TEXT NOT NULL,
	kind       TEXT NOT NULL,
	retries    INTEGER NOT NULL,
	retried    INTEGER NOT NULL,
	inherited  INTEGER NOT NULL,
	reverts    TEXT NOT NULL,
	at         INTEGER NOT NULL,
	PRIMARY KEY (thread, turn)
);
CREATE INDEX IF NOT EXISTS p_thread_turns_run ON p_thread_turns (run);`)
	return err
}

// Apply implements projection.Projection.
func (Threads) Apply(ctx context.Context, tx *projection.Tx, e eventlog.Event) error {
	id, ok := strings.CutPrefix(e.Stream, "thread/")
	if !ok {
		return nil
	}
	switch e.Type {
	case eventlog.ThreadCreated:
		var p ThreadCreatedPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO p_threads (id, workspace, title, created_at, updated_at, hidden, fork_of, fork_turn, turns)
			VALUES (?, ?, ?, ?, ?, 0, ?, ?, 0)`, id, e.Workspace, p.Title, e.At, e.At, p.ForkOf, p.ForkTurn)
		return err
	case eventlog.ThreadRenamed:
		var p ThreadRenamedPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE p_threads SET title = ? WHERE id = ?`, p.Title, id)
		return err
	case eventlog.ThreadHidden:
		_, err := tx.ExecContext(ctx, `UPDATE p_threads SET hidden = 1 WHERE id = ?`, id)
		return err
	case eventlog.ThreadTurnAdded:
		var p TurnAddedPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO p_thread_turns (thread, turn, run, kind, retries, retried, inherited, reverts, at)
			VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`, id, p.Turn, p.Run, p.Kind, p.Retries, boolInt(p.Inherited), p.Reverts, e.At); err != nil {
			return err
		}
		if p.Retries > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE p_thread_turns SET retried = 1 WHERE thread = ? AND turn = ?`, id, p.Retries); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE p_threads SET turns = MAX(turns, ?), updated_at = ? WHERE id = ?`, p.Turn, e.At, id)
		return err
	}
	return nil
}

// ThreadInfo is a thread as the projection knows it.
type ThreadInfo struct {
	ID        string `json:"id"`
	Workspace string `json:"workspace"`
	Title     string `json:"title"`
	CreatedAt int64  `json:"createdAt"`
	UpdatedAt int64  `json:"updatedAt"`
	Hidden    bool   `json:"hidden"`
	ForkOf    string `json:"forkOf"`
	ForkTurn  int    `json:"forkTurn"`
	Turns     int    `json:"turns"`
}

// TurnInfo is one turn of a thread.
type TurnInfo struct {
	Turn      int    `json:"turn"`
	Run       string `json:"run"`
	Kind      string `json:"kind"`
	Retries   int    `json:"retries"`
	Retried   bool   `json:"retried"` // tried again by a later turn: no longer in the conversation
	Inherited bool   `json:"inherited"`
	Reverts   string `json:"reverts"`
	At        int64  `json:"at"`
}

// ErrUnknownThread is a thread id that is not in the log.
var ErrUnknownThread = errors.New("no such thread")

const threadColumns = `id, workspace, title, created_at, updated_at, hidden, fork_of, fork_turn, turns`

func scanThread(row interface{ Scan(...any) error }) (ThreadInfo, error) {
	var t ThreadInfo
	var hidden int
	err := row.Scan(&t.ID, &t.Workspace, &t.Title, &t.CreatedAt, &t.UpdatedAt, &hidden, &t.ForkOf, &t.ForkTurn, &t.Turns)
	t.Hidden = hidden == 1
	return t, err
}

// LoadThread reads one thread.
func LoadThread(ctx context.Context, db *sql.DB, id string) (ThreadInfo, error) {
	t, err := scanThread(db.QueryRowContext(ctx, `SELECT `+threadColumns+` FROM p_threads WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ThreadInfo{}, fmt.Errorf("%w: %s", ErrUnknownThread, id)
	}
	return t, err
}

// ListThreads lists a workspace's threads (hidden ones only when asked),
// the most recently active first.
func ListThreads(ctx context.Context, db *sql.DB, workspace string, hidden bool) ([]ThreadInfo, error) {
	q := `SELECT ` + threadColumns + ` FROM p_threads WHERE workspace = ?`
	if !hidden {
		q += ` AND hidden = 0`
	}
	rows, err := db.QueryContext(ctx, q+` ORDER BY updated_at DESC, id DESC`, workspace)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ThreadInfo{}
	for rows.Next() {
		t, err := scanThread(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ThreadTurns lists a thread's turns in order.
func ThreadTurns(ctx context.Context, db *sql.DB, thread string) ([]TurnInfo, error) {
	rows, err := db.QueryContext(ctx, `SELECT turn, run, kind, retries, retried, inherited, reverts, at FROM p_thread_turns
		WHERE thread = ? ORDER BY turn`, thread)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []TurnInfo{}
	for rows.Next() {
		var t TurnInfo
		var retried, inherited int
		if err := rows.Scan(&t.Turn, &t.Run, &t.Kind, &t.Retries, &retried, &inherited, &t.Reverts, &t.At); err != nil {
			return nil, err
		}
		t.Retried, t.Inherited = retried == 1, inherited == 1
		out = append(out, t)
	}
	return out, rows.Err()
}

// ThreadOfRun returns the thread a run is a turn of, and its turn, in
// the thread it was made in ("" when none).
func ThreadOfRun(ctx context.Context, db *sql.DB, run string) (string, int, error) {
	var thread string
	var turn int
	err := db.QueryRowContext(ctx, `SELECT thread, turn FROM p_thread_turns WHERE run = ? AND inherited = 0 ORDER BY at LIMIT 1`, run).Scan(&thread, &turn)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	}
	return thread, turn, err
}

// ResolveThread finds a thread by its id or the end of it (the short id
// the UI shows; at least 6 characters, and only one thread may match).
func ResolveThread(ctx context.Context, db *sql.DB, id string) (string, error) {
	return resolveShort(ctx, db, "p_threads", id, ErrUnknownThread)
}

// ResolveRun finds a run by its id or the end of it (as ResolveThread).
func ResolveRun(ctx context.Context, db *sql.DB, id string) (string, error) {
	return resolveShort(ctx, db, "p_runs", id, ErrUnknownRun)
}

func resolveShort(ctx context.Context, db *sql.DB, table, id string, unknown error) (string, error) {
	id = strings.TrimLeft(strings.TrimSpace(id), "…") // as the UI shows it: "…" and the id's end
	if id == "" {
		return "", fmt.Errorf("%w: no id given", unknown)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE id = ?`, id).Scan(&n); err != nil {
		return "", err
	}
	if n == 1 {
		return id, nil
	}
	if len(id) < 6 {
		return "", fmt.Errorf("%w: %s (give at least 6 characters of the id)", unknown, id)
	}
	rows, err := db.QueryContext(ctx, `SELECT id FROM `+table+` WHERE id LIKE ? ESCAPE '\' OR id LIKE ? ESCAPE '\' LIMIT 3`,
		"%"+likeEscape(id), likeEscape(id)+"%")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", err
		}
		found = append(found, s)
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%w: %s", unknown, id)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%s matches more than one id (%s, …): give more of it", id, strings.Join(found[:2], ", "))
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
