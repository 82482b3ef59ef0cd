// Package projection derives state from the event log. Each projection is a
// pure fold over events into its own tables; its checkpoint (the last seq
// folded) is written in the same transaction as its tables, so a crash can
// never leave the two out of step. Any projection can be rebuilt from zero.
package projection

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// Projection is one read model.
type Projection interface {
	// Name identifies the projection's checkpoint; persisted, never rename.
	Name() string
	// Version changes whenever the fold or the tables change: a stored
	// projection of another version is dropped and rebuilt.
	Version() int
	// Tables lists the projection's tables (dropped on rebuild, compared by replay).
	Tables() []string
	// Setup creates the tables if missing.
	Setup(ctx context.Context, tx *sql.Tx) error
	// Apply folds one event into the tables. It must depend only on the
	// event and the tables (no clock, no randomness, no I/O elsewhere).
	Apply(ctx context.Context, tx *Tx, e eventlog.Event) error
}

// Batcher is implemented by projections that keep read-model rows in
// memory while folding one batch and write them at its end: fewer
// statements per event. The rows never outlive the batch's transaction.
type Batcher interface {
	// BeginBatch forgets anything kept from an earlier (possibly failed) batch.
	BeginBatch()
	// EndBatch writes what the batch changed, in the batch's transaction.
	EndBatch(ctx context.Context, tx *Tx) error
}

// Tx is a batch's transaction, with its statements prepared once per batch.
type Tx struct {
	*sql.Tx
	stmts map[string]*sql.Stmt
}

func newTx(tx *sql.Tx) *Tx { return &Tx{Tx: tx, stmts: make(map[string]*sql.Stmt)} }

func (t *Tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := t.stmts[query]; ok {
		return s, nil
	}
	s, err := t.Tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	t.stmts[query] = s
	return s, nil
}

// ExecContext runs a statement, prepared once per batch.
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

// QueryRowScan runs a one-row query, prepared once per batch, into dest.
func (t *Tx) QueryRowScan(ctx context.Context, query string, args []any, dest ...any) error {
	s, err := t.stmt(ctx, query)
	if err != nil {
		return err
	}
	return s.QueryRowContext(ctx, args...).Scan(dest...)
}

func (t *Tx) close() {
	for _, s := range t.stmts {
		_ = s.Close()
	}
}

// batchSize is how many events one catch-up transaction folds.
const batchSize = 5000

// Runner keeps projections up to date with a log. Events are read from
// source; read models are written to target (the same database for the live
// Studio, a fresh one for a replay check).
type Runner struct {
	source      eventlog.Store
	target      *sql.DB
	projections []Projection
	log         *slog.Logger

	mu   sync.Mutex // one catch-up at a time
	seqs map[string]int64
}

// NewRunner returns a runner; call Open before use.
func NewRunner(source eventlog.Store, target *sql.DB, log *slog.Logger, ps ...Projection) *Runner {
	if log == nil {
		log = slog.Default()
	}
	return &Runner{source: source, target: target, projections: ps, log: log, seqs: make(map[string]int64)}
}

const checkpointTable = `CREATE TABLE IF NOT EXISTS projection_checkpoints (
	name TEXT PRIMARY KEY, version INTEGER NOT NULL, seq INTEGER NOT NULL)`

// Open creates missing tables, rebuilds projections whose version changed,
// and catches every projection up with the log.
func (r *Runner) Open(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	tx, err := r.target.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("open projections: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, checkpointTable); err != nil {
		return fmt.Errorf("open projections: %w", err)
	}
	head, _, err := r.source.Head(ctx)
	if err != nil {
		return fmt.Errorf("open projections: %w", err)
	}
	for _, p := range r.projections {
		var version int
		var seq int64
		err := tx.QueryRowContext(ctx, `SELECT version, seq FROM projection_checkpoints WHERE name = ?`, p.Name()).Scan(&version, &seq)
		if err == nil && version == p.Version() && seq > head {
			// The log ends before what was folded: its tail was removed.
			// Folding on would skip the reused positions forever.
			return &AheadError{Projection: p.Name(), Checkpoint: seq, Head: head}
		}
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("open projection %s: %w", p.Name(), err)
		case version != p.Version():
			r.log.Info("projection changed: rebuilding", "projection", p.Name(), "from", version, "to", p.Version())
			if err := reset(ctx, tx, p); err != nil {
				return err
			}
			seq = 0
		}
		if err := p.Setup(ctx, tx); err != nil {
			return fmt.Errorf("set up projection %s: %w", p.Name(), err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO projection_checkpoints (name, version, seq) VALUES (?, ?, ?)
			ON CONFLICT(name) DO UPDATE SET version = excluded.version, seq = excluded.seq`, p.Name(), p.Version(), seq); err != nil {
			return fmt.Errorf("open projection %s: %w", p.Name(), err)
		}
		r.seqs[p.Name()] = seq
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("open projections: %w", err)
	}
	return r.catchUp(ctx, 0)
}

// ErrAheadOfLog is a projection that has folded events the log no longer
// holds (its last events were deleted).
var ErrAheadOfLog = errors.New("the projections are ahead of the event log")

// AheadError names the projection and the positions.
type AheadError struct {
	Projection       string
	Checkpoint, Head int64
}

func (e *AheadError) Error() string {
	return fmt.Sprintf("the log ends at seq %d, but the %s projection had read it up to seq %d: the events after seq %d were removed",
		e.Head, e.Projection, e.Checkpoint, e.Head)
}

func (e *AheadError) Unwrap() error { return ErrAheadOfLog }

// Load reads the projections' checkpoints without folding or writing
// anything: the read models as they are, for a log kept read-only.
func (r *Runner) Load(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.projections {
		var seq int64
		err := r.target.QueryRowContext(ctx, `SELECT seq FROM projection_checkpoints WHERE name = ?`, p.Name()).Scan(&seq)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("load projection %s: %w", p.Name(), err)
		}
		r.seqs[p.Name()] = seq
	}
	return nil
}

func reset(ctx context.Context, tx *sql.Tx, p Projection) error {
	for _, t := range p.Tables() {
		if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+t); err != nil {
			return fmt.Errorf("reset projection %s: %w", p.Name(), err)
		}
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM projection_checkpoints WHERE name = ?`, p.Name())
	return err
}

// Rebuild drops every projection and folds the whole log again.
func (r *Runner) Rebuild(ctx context.Context) error {
	r.mu.Lock()
	tx, err := r.target.BeginTx(ctx, nil)
	if err != nil {
		r.mu.Unlock()
		return fmt.Errorf("rebuild projections: %w", err)
	}
	for _, p := range r.projections {
		if err := reset(ctx, tx, p); err != nil {
			_ = tx.Rollback()
			r.mu.Unlock()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		r.mu.Unlock()
		return fmt.Errorf("rebuild projections: %w", err)
	}
	r.mu.Unlock()
	return r.Open(ctx)
}

// CatchUp folds every event appended since the last call.
func (r *Runner) CatchUp(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.catchUp(ctx, 0)
}

// CatchUpTo folds events up to and including seq only (replay checks stop
// where the live projections stand).
func (r *Runner) CatchUpTo(ctx context.Context, seq int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.catchUp(ctx, seq)
}

// Checkpoint returns the last seq folded into the named projection.
func (r *Runner) Checkpoint(name string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seqs[name]
}

func (r *Runner) catchUp(ctx context.Context, until int64) error {
	if len(r.projections) == 0 {
		return nil
	}
	from := r.seqs[r.projections[0].Name()]
	for _, p := range r.projections[1:] {
		from = min(from, r.seqs[p.Name()])
	}
	// Reading the next batch overlaps folding the current one: the read
	// and the fold each take about half the time of a long catch-up.
	type result struct {
		batch []eventlog.Event
		err   error
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan result, 1)
	go func() {
		defer close(batches)
		after := from
		// A live catch-up usually folds a handful of events: the batch grows
		// as needed rather than zeroing room for batchSize every time.
		room := 64
		for {
			batch := make([]eventlog.Event, 0, room)
			err := r.source.Read(rctx, eventlog.Query{AfterSeq: after, UntilSeq: until, Limit: batchSize, NoHashes: true}, func(e eventlog.Event) error {
				batch = append(batch, e)
				return nil
			})
			if err != nil {
				batches <- result{err: fmt.Errorf("catch up projections: %w", err)}
				return
			}
			if len(batch) == 0 {
				return
			}
			select {
			case batches <- result{batch: batch}:
			case <-rctx.Done():
				return
			}
			if len(batch) < batchSize {
				return
			}
			after = batch[len(batch)-1].Seq
			room = batchSize // a long catch-up: full batches follow
		}
	}()
	for res := range batches {
		if res.err != nil {
			return res.err
		}
		if err := r.applyBatch(ctx, res.batch); err != nil {
			return err
		}
	}
	return nil
}

// applyBatch folds a batch into every projection that has not seen it yet
// and moves their checkpoints, all in one transaction.
func (r *Runner) applyBatch(ctx context.Context, batch []eventlog.Event) error {
	sqlTx, err := r.target.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("apply events: %w", err)
	}
	defer sqlTx.Rollback()
	tx := newTx(sqlTx)
	defer tx.close()
	last := batch[len(batch)-1].Seq
	stored := make(map[string]int64, len(r.projections))
	for _, p := range r.projections {
		// The checkpoint is read inside the (immediate) transaction: another
		// Studio process on the same data folder may have folded these
		// events already, and folding twice would corrupt the read model.
		var done int64
		if err := tx.QueryRowScan(ctx, `SELECT seq FROM projection_checkpoints WHERE name = ?`, []any{p.Name()}, &done); err != nil {
			return fmt.Errorf("projection %s: read checkpoint: %w", p.Name(), err)
		}
		stored[p.Name()] = max(done, last)
		if done >= last {
			continue
		}
		if b, ok := p.(Batcher); ok {
			b.BeginBatch()
		}
		for i := range batch {
			if batch[i].Seq <= done {
				continue
			}
			if err := p.Apply(ctx, tx, batch[i]); err != nil {
				return fmt.Errorf("projection %s: event %d (%s): %w", p.Name(), batch[i].Seq, batch[i].Type, err)
			}
		}
		if b, ok := p.(Batcher); ok {
			if err := b.EndBatch(ctx, tx); err != nil {
				return fmt.Errorf("projection %s: end of batch: %w", p.Name(), err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE projection_checkpoints SET seq = ? WHERE name = ?`, last, p.Name()); err != nil {
			return fmt.Errorf("projection %s: checkpoint: %w", p.Name(), err)
		}
	}
	tx.close()
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("apply events: %w", err)
	}
	for name, seq := range stored {
		r.seqs[name] = seq
	}
	return nil
}

// Run keeps the projections current until ctx ends, waking on appends.
func (r *Runner) Run(ctx context.Context) error {
	for {
		changed := r.source.Changes()
		if err := r.CatchUp(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.log.Error("projections fell behind", "err", err)
			select { // do not spin on a broken store
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Second):
			}
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
		// Appends come in bursts (a run's steps): fold them together, not
		// one transaction per append. Whoever needs a fold at once (Emit, a
		// read of a run) catches up itself.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backgroundFoldDelay):
		}
	}
}

// backgroundFoldDelay is how long Run lets appends gather before folding.
const backgroundFoldDelay = 50 * time.Millisecond
