package eventlog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

// FileName is the log's file name inside the data directory.
const FileName = "events.db"

// migrations are the numbered schema changes of the log, applied in order.
// Never edit one that has shipped; append a new one.
var migrations = []string{
	1: `
CREATE TABLE events (
	seq         INTEGER PRIMARY KEY,
	id          TEXT    NOT NULL UNIQUE,
	stream      TEXT    NOT NULL,
	version     INTEGER NOT NULL,
	type        TEXT    NOT NULL,
	schema      INTEGER NOT NULL,
	origin      TEXT    NOT NULL,
	at          INTEGER NOT NULL,
	workspace   TEXT    NOT NULL DEFAULT '',
	run         TEXT    NOT NULL DEFAULT '',
	causation   TEXT    NOT NULL DEFAULT '',
	correlation TEXT    NOT NULL DEFAULT '',
	payload     BLOB    NOT NULL,
	prev_hash   BLOB    NOT NULL,
	hash        BLOB    NOT NULL,
	UNIQUE (stream, version)
);
CREATE INDEX events_run ON events (run, seq) WHERE run != '';
CREATE INDEX events_workspace ON events (workspace, seq) WHERE workspace != '';
CREATE INDEX events_type ON events (type, seq);
CREATE INDEX events_origin ON events (origin, seq);
CREATE TABLE blobs (
	hash TEXT PRIMARY KEY,
	size INTEGER NOT NULL,
	data BLOB NOT NULL
);
-- Projections keep their checkpoint here, updated in the same transaction
-- as their read model.
CREATE TABLE projection_checkpoints (
	name    TEXT PRIMARY KEY,
	version INTEGER NOT NULL,
	seq     INTEGER NOT NULL
);`,
}

// SchemaVersion is the newest schema this build knows.
var SchemaVersion = len(migrations) - 1

// Options tune how the store is opened.
type Options struct {
	// Synchronous is SQLite's synchronous pragma: "FULL" (default: every
	// acknowledged append survives power loss) or "NORMAL" (survives a
	// process crash; faster).
	Synchronous string
	// ReadOnly opens an existing log without writing anything (verify, events).
	ReadOnly bool
}

// SQLiteStore is the Store on SQLite (github.com/mattn/go-sqlite3) in WAL mode.
type SQLiteStore struct {
	path string
	w    *sql.DB // one connection: appends are serialised
	r    *sql.DB // a pool of readers; WAL lets them run beside the writer

	mu      sync.Mutex // serialises Append; guards changes
	changes chan struct{}
	closed  bool

	insert, head, streamVersion *sql.Stmt // prepared once on the writer
	synchronous                 string    // the configured mode (FULL unless asked otherwise)
}

var _ Store = (*SQLiteStore)(nil)

func dsn(path string, opts Options, readOnly bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	q.Set("_synchronous", opts.Synchronous)
	q.Set("_txlock", "immediate")
	q.Set("_cache_size", "-16000")
	if readOnly {
		q.Set("mode", "ro")
		q.Set("_query_only", "1")
	}
	return FileURI(path, q)
}

// FileURI is the go-sqlite3 data source name of a database file with
// connection parameters. The path is escaped, so a '#' or '?' in a folder
// name cannot cut the URI short.
func FileURI(path string, params url.Values) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + params.Encode()
}

// Open opens (creating if needed) the log at path, checks it is an ICE Studio
// log of a schema this build can read, puts it in WAL mode and applies
// pending migrations. It never overwrites a file it does not recognise.
func Open(path string, opts Options) (*SQLiteStore, error) {
	if opts.Synchronous == "" {
		opts.Synchronous = "FULL"
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open event log: %w", err)
	}
	if opts.ReadOnly {
		if _, err := os.Stat(abs); err != nil {
			return nil, fmt.Errorf("open event log %s: %w", abs, err)
		}
	}
	if err := checkHeader(abs); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite3", dsn(abs, opts, opts.ReadOnly))
	if err != nil {
		return nil, fmt.Errorf("open event log: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	s := &SQLiteStore{path: abs, w: w, changes: make(chan struct{}), synchronous: strings.ToUpper(opts.Synchronous)}
	if err := s.prepare(opts); err != nil {
		_ = w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite3", dsn(abs, opts, true))
	if err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("open event log readers: %w", err)
	}
	r.SetMaxOpenConns(4)
	s.r = r
	return s, nil
}

// checkHeader refuses a non-empty file that is not SQLite before SQLite
// touches it.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrReadOnly, path, err)
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := f.Read(head)
	if n == 0 {
		return nil
	}
	if n < 16 || !bytes.Equal(head, []byte("SQLite format 3\x00")) {
		return fmt.Errorf("%w: %s (left untouched)", ErrDamaged, path)
	}
	return nil
}

// classify maps SQLite errors to the log's sentinel errors.
func classify(path string, err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrNotADB, sqlite3.ErrCorrupt:
			return fmt.Errorf("%w: %s (left untouched): %v", ErrDamaged, path, err)
		case sqlite3.ErrReadonly, sqlite3.ErrCantOpen, sqlite3.ErrPerm, sqlite3.ErrAuth:
			return fmt.Errorf("%w: %s: %v", ErrReadOnly, path, err)
		}
	}
	return err
}

func (s *SQLiteStore) prepare(opts Options) error {
	ctx := context.Background()
	// Reading the schema first: a damaged file fails here, before any write.
	var current int
	var hasTable int
	if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_migrations'`).Scan(&hasTable); err != nil {
		return classify(s.path, fmt.Errorf("open event log %s: %w", s.path, err))
	}
	if hasTable == 1 {
		if err := s.w.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return classify(s.path, fmt.Errorf("read schema version: %w", err))
		}
	} else {
		var tables int
		if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master`).Scan(&tables); err != nil {
			return classify(s.path, err)
		}
		if tables > 0 {
			return fmt.Errorf("%w: %s is an SQLite database of something else (left untouched)", ErrDamaged, s.path)
		}
	}
	if current > SchemaVersion {
		return fmt.Errorf("%w (schema %d; this build reads up to %d): update ICE Studio to open %s", ErrNewerSchema, current, SchemaVersion, s.path)
	}
	if opts.ReadOnly {
		if current < SchemaVersion {
			return fmt.Errorf("%w: %s has schema %d and needs migrating; open it once with the Studio", ErrReadOnly, s.path, current)
		}
		return nil
	}
	var mode string
	if err := s.w.QueryRowContext(ctx, `PRAGMA journal_mode=WAL`).Scan(&mode); err != nil {
		return classify(s.path, fmt.Errorf("set WAL mode: %w", err))
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("%w: journal_mode is %q", ErrNoWAL, mode)
	}
	for v := current + 1; v <= SchemaVersion; v++ {
		if err := s.migrate(ctx, v); err != nil {
			return classify(s.path, err)
		}
	}
	ins, err := s.w.PrepareContext(ctx, `INSERT INTO events
		(seq, id, stream, version, type, schema, origin, at, workspace, run, causation, correlation, payload, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return classify(s.path, err)
	}
	s.insert = ins
	if s.head, err = s.w.PrepareContext(ctx, headQuery); err != nil {
		return classify(s.path, err)
	}
	if s.streamVersion, err = s.w.PrepareContext(ctx, streamVersionQuery); err != nil {
		return classify(s.path, err)
	}
	return nil
}

func (s *SQLiteStore) migrate(ctx context.Context, v int) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate to %d: %w", v, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate to %d: %w", v, err)
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return fmt.Errorf("migrate to %d: %w", v, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, v, time.Now().UnixNano()); err != nil {
		return fmt.Errorf("migrate to %d: %w", v, err)
	}
	return tx.Commit()
}

// Path returns the database file's path.
func (s *SQLiteStore) Path() string { return s.path }

// DB returns the writer handle; projections keep their read models in the
// same database so their checkpoint commits with their update.
func (s *SQLiteStore) DB() *sql.DB { return s.w }

// ReadDB returns the reader pool, for read-model queries.
func (s *SQLiteStore) ReadDB() *sql.DB { return s.r }

// JournalMode reports the journal mode in force (it must be "wal").
func (s *SQLiteStore) JournalMode(ctx context.Context) (string, error) {
	var mode string
	err := s.w.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode)
	return mode, err
}

// Close closes the store; an ongoing Read finishes first.
func (s *SQLiteStore) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.changes)
	s.mu.Unlock()
	var errs []error
	for _, st := range []*sql.Stmt{s.insert, s.head, s.streamVersion} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	errs = append(errs, s.w.Close())
	return errors.Join(errs...)
}

// Changes implements Store.
func (s *SQLiteStore) Changes() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changes
}

// Append implements Store.
func (s *SQLiteStore) Append(ctx context.Context, evs []Event) ([]Event, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if s.insert == nil {
		return nil, ErrReadOnly
	}
	if lazy(evs) && s.synchronous == "FULL" {
		// The writer is one connection: the pragma holds for this commit.
		if _, err := s.w.ExecContext(ctx, `PRAGMA synchronous=NORMAL`); err != nil {
			return nil, classify(s.path, fmt.Errorf("append events: %w", err))
		}
		defer func() { _, _ = s.w.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous=FULL`) }()
	}
	tx, err := s.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE (DSN): other processes wait
	if err != nil {
		return nil, classify(s.path, fmt.Errorf("append events: %w", err))
	}
	defer tx.Rollback()
	var seq int64
	var prev []byte
	err = tx.StmtContext(ctx, s.head).QueryRowContext(ctx).Scan(&seq, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, classify(s.path, fmt.Errorf("append events: read head: %w", err))
	}
	if prev == nil {
		prev = []byte{}
	}
	versions := make(map[string]int64)
	ins := tx.StmtContext(ctx, s.insert)
	for _, e := range evs {
		for _, b := range e.Blobs {
			if b == nil {
				b = []byte{} // an empty body is a zero-length blob, not NULL
			}
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO blobs (hash, size, data) VALUES (?, ?, ?)`,
				BlobAddress(b), len(b), b); err != nil {
				return nil, classify(s.path, fmt.Errorf("append events: blob: %w", err))
			}
		}
	}
	streamVersion := tx.StmtContext(ctx, s.streamVersion)
	out := make([]Event, len(evs))
	for i, e := range evs {
		if e.ID == "" || e.Stream == "" || e.Type == "" || e.Origin == "" || e.Version < 0 {
			return nil, fmt.Errorf("%w: event %d needs id, stream, type and origin", ErrInvalidEvent, i)
		}
		cur, ok := versions[e.Stream]
		if !ok {
			if err := streamVersion.QueryRowContext(ctx, e.Stream).Scan(&cur); err != nil {
				return nil, classify(s.path, fmt.Errorf("append events: stream version: %w", err))
			}
		}
		if e.Version == AnyVersion {
			e.Version = cur + 1
		} else if e.Version != cur+1 {
			return nil, &ConflictError{Stream: e.Stream, Expected: e.Version, Current: cur}
		}
		versions[e.Stream] = e.Version
		if len(e.Payload) == 0 {
			e.Payload = []byte("{}")
		}
		seq++
		e.Seq, e.PrevHash = seq, prev
		e.Hash = ComputeHash(&e)
		if _, err := ins.ExecContext(ctx, e.Seq, e.ID, e.Stream, e.Version, e.Type, e.Schema, e.Origin, e.At,
			e.Workspace, e.Run, e.Causation, e.Correlation, []byte(e.Payload), e.PrevHash, e.Hash); err != nil {
			var se sqlite3.Error
			if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique && strings.Contains(err.Error(), "events.id") {
				return nil, fmt.Errorf("%w: duplicate event id %s", ErrInvalidEvent, e.ID)
			}
			return nil, classify(s.path, fmt.Errorf("append events: %w", err))
		}
		prev = e.Hash
		out[i] = e
	}
	if err := tx.Commit(); err != nil {
		return nil, classify(s.path, fmt.Errorf("append events: commit: %w", err))
	}
	close(s.changes)
	s.changes = make(chan struct{})
	return out, nil
}

// lazy reports whether every event of a batch may be committed lazily.
func lazy(evs []Event) bool {
	for i := range evs {
		if !evs[i].Lazy {
			return false
		}
	}
	return true
}

// The head and a stream's version, read inside each append's transaction.
const (
	headQuery          = `SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1`
	streamVersionQuery = `SELECT coalesce(max(version), 0) FROM events WHERE stream = ?`
)

const eventColumns = `seq, id, stream, version, type, schema, origin, at, workspace, run, causation, correlation, payload, prev_hash, hash`

// eventColumnsNoHashes reads the same shape without the hash columns.
const eventColumnsNoHashes = `seq, id, stream, version, type, schema, origin, at, workspace, run, causation, correlation, payload, NULL, NULL`

type scanner interface{ Scan(dest ...any) error }

func scanEvent(row scanner) (Event, error) {
	var e Event
	var payload []byte
	err := row.Scan(&e.Seq, &e.ID, &e.Stream, &e.Version, &e.Type, &e.Schema, &e.Origin, &e.At,
		&e.Workspace, &e.Run, &e.Causation, &e.Correlation, &payload, &e.PrevHash, &e.Hash)
	e.Payload = payload
	return e, err
}

// Head implements Store.
func (s *SQLiteStore) Head(ctx context.Context) (int64, []byte, error) {
	var seq int64
	var hash []byte
	err := s.r.QueryRowContext(ctx, `SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, classify(s.path, fmt.Errorf("read head: %w", err))
	}
	return seq, hash, nil
}

// Get implements Store.
func (s *SQLiteStore) Get(ctx context.Context, seq int64) (Event, error) {
	e, err := scanEvent(s.r.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events WHERE seq = ?`, seq))
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, fmt.Errorf("%w: seq %d", ErrNotFound, seq)
	}
	return e, classify(s.path, err)
}

// GetByID implements Store.
func (s *SQLiteStore) GetByID(ctx context.Context, id string) (Event, error) {
	e, err := scanEvent(s.r.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, fmt.Errorf("%w: id %s", ErrNotFound, id)
	}
	return e, classify(s.path, err)
}

// where builds the WHERE clause for q.
func where(q Query) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if q.AfterSeq > 0 {
		add("seq > ?", q.AfterSeq)
	}
	if q.UntilSeq > 0 {
		add("seq <= ?", q.UntilSeq)
	}
	if q.Stream != "" {
		add("stream = ?", q.Stream)
	}
	if q.Run != "" {
		add("run = ?", q.Run)
	}
	if len(q.Runs) > 0 {
		ph := strings.TrimSuffix(strings.Repeat("?,", len(q.Runs)), ",")
		a := make([]any, len(q.Runs))
		for i, r := range q.Runs {
			a[i] = r
		}
		add("run IN ("+ph+")", a...)
	}
	if q.Workspace != "" {
		add("workspace = ?", q.Workspace)
	}
	if q.Origin != "" {
		add("origin = ?", q.Origin)
	}
	if q.Text != "" {
		// The payload is canonical JSON: a quote or a newline in the text is
		// stored escaped, so the escaped form is looked for too.
		needles := []string{q.Text}
		if esc := jsonEscaped(q.Text); esc != q.Text {
			needles = append(needles, esc)
		}
		var ors []string
		for _, n := range needles {
			ors = append(ors, `CAST(payload AS TEXT) LIKE ? ESCAPE '\'`)
			args = append(args, "%"+likeEscaper.Replace(n)+"%")
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	if len(q.Types) > 0 {
		ph := strings.TrimSuffix(strings.Repeat("?,", len(q.Types)), ",")
		a := make([]any, len(q.Types))
		for i, t := range q.Types {
			a[i] = t
		}
		col := "type"
		if q.Run != "" || len(q.Runs) > 0 || q.Stream != "" {
			// A run's (or stream's) events are few: the unary + keeps
			// SQLite from scanning every event of these types instead.
			col = "+type"
		}
		add(col+" IN ("+ph+")", a...)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// likeEscaper makes a text match itself in a LIKE pattern with ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// jsonEscaped is text as it stands inside a JSON string.
func jsonEscaped(text string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(text)
	out := strings.TrimSpace(b.String())
	return out[1 : len(out)-1]
}

// checkQuery refuses a query the store will not run.
func checkQuery(q Query) error {
	if len(q.Text) > MaxText {
		return ErrTextTooLong
	}
	return nil
}

// Read implements Store.
func (s *SQLiteStore) Read(ctx context.Context, q Query, fn func(Event) error) error {
	if err := checkQuery(q); err != nil {
		return err
	}
	w, args := where(q)
	order := " ORDER BY seq"
	if q.Desc {
		order += " DESC"
	}
	lim := ""
	if q.Limit > 0 || q.Offset > 0 {
		limit := q.Limit
		if limit <= 0 {
			limit = -1
		}
		lim = " LIMIT ? OFFSET ?"
		args = append(args, limit, q.Offset)
	}
	cols := eventColumns
	if q.NoHashes {
		cols = eventColumnsNoHashes
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+cols+` FROM events`+w+order+lim, args...)
	if err != nil {
		return classify(s.path, fmt.Errorf("read events: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return classify(s.path, fmt.Errorf("read events: %w", err))
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return classify(s.path, rows.Err())
}

// Count implements Store.
func (s *SQLiteStore) Count(ctx context.Context, q Query) (int64, error) {
	if err := checkQuery(q); err != nil {
		return 0, err
	}
	w, args := where(q)
	var n int64
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM events`+w, args...).Scan(&n)
	return n, classify(s.path, err)
}

// StreamVersion implements Store.
func (s *SQLiteStore) StreamVersion(ctx context.Context, stream string) (int64, error) {
	var v int64
	err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM events WHERE stream = ?`, stream).Scan(&v)
	return v, classify(s.path, err)
}

var distinctColumns = map[string]bool{"type": true, "origin": true, "workspace": true, "run": true}

// Distinct implements Store.
func (s *SQLiteStore) Distinct(ctx context.Context, column string, limit int) ([]string, error) {
	if !distinctColumns[column] {
		return nil, fmt.Errorf("distinct: unknown column %q", column)
	}
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT `+column+` FROM events WHERE `+column+` != '' ORDER BY 1 LIMIT ?`, limit)
	if err != nil {
		return nil, classify(s.path, err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// BlobAddress is the address of a content in the blobs table: its SHA-256
// in lowercase hex. Callers that refer to a blob before storing it (a
// staged change names its content) compute it with this, so the two agree.
func BlobAddress(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// PutBlob implements Store.
func (s *SQLiteStore) PutBlob(ctx context.Context, data []byte) (string, error) {
	if data == nil {
		data = []byte{} // an empty body is a zero-length blob, not NULL
	}
	h := BlobAddress(data)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", ErrClosed
	}
	if _, err := s.w.ExecContext(ctx, `INSERT OR IGNORE INTO blobs (hash, size, data) VALUES (?, ?, ?)`, h, len(data), data); err != nil {
		return "", classify(s.path, fmt.Errorf("put blob: %w", err))
	}
	return h, nil
}

// GetBlob implements Store.
func (s *SQLiteStore) GetBlob(ctx context.Context, hash string) ([]byte, error) {
	var data []byte
	err := s.r.QueryRowContext(ctx, `SELECT data FROM blobs WHERE hash = ?`, strings.ToLower(hash)).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: blob %s", ErrNotFound, hash)
	}
	return data, classify(s.path, err)
}

// FirstBadCausation returns the seq of the first event whose causation names
// no event, or an event that is not earlier (0 when there is none).
func (s *SQLiteStore) FirstBadCausation(ctx context.Context) (int64, error) {
	return s.FirstBadCausationAfter(ctx, 0)
}

// FirstBadCausationAfter is FirstBadCausation among the events after a
// seq (the start-up check from the last verified position).
func (s *SQLiteStore) FirstBadCausationAfter(ctx context.Context, after int64) (int64, error) {
	var seq int64
	err := s.r.QueryRowContext(ctx, `SELECT e.seq FROM events e LEFT JOIN events c ON c.id = e.causation
		WHERE e.seq > ? AND e.causation != '' AND (c.seq IS NULL OR c.seq >= e.seq) ORDER BY e.seq LIMIT 1`, after).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, classify(s.path, err)
}

// verifiedTable keeps the last position the Studio verified at start (a
// cost saving: the next start checks only what came after it; the
// witness against a local process is an anchor kept elsewhere).
const verifiedTable = `CREATE TABLE IF NOT EXISTS log_verified (
	id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash BLOB NOT NULL, at INTEGER NOT NULL)`

// Verified returns the last verified position (zero when none).
func (s *SQLiteStore) Verified(ctx context.Context) (Checkpoint, error) {
	var c Checkpoint
	err := s.r.QueryRowContext(ctx, `SELECT seq, hash FROM log_verified WHERE id = 1`).Scan(&c.Seq, &c.Hash)
	if err != nil && (errors.Is(err, sql.ErrNoRows) || strings.Contains(err.Error(), "no such table")) {
		return Checkpoint{}, nil
	}
	return c, classify(s.path, err)
}

// SetVerified records the last verified position. It does not wait for
// the disk (synchronous NORMAL for this commit, as a lazy append): a
// position lost to a power cut only makes the next start check more, and
// an fsync here was most of the start-up check's time on a busy disk.
func (s *SQLiteStore) SetVerified(ctx context.Context, c Checkpoint) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.synchronous == "FULL" {
		// The writer is one connection: the pragma holds for this commit.
		if _, err := s.w.ExecContext(ctx, `PRAGMA synchronous=NORMAL`); err != nil {
			return classify(s.path, fmt.Errorf("record the verified position: %w", err))
		}
		defer func() { _, _ = s.w.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous=FULL`) }()
	}
	if _, err := s.w.ExecContext(ctx, verifiedTable); err != nil {
		return classify(s.path, err)
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO log_verified (id, seq, hash, at) VALUES (1, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at`, c.Seq, c.Hash, time.Now().UnixNano())
	return classify(s.path, err)
}
