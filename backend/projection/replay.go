package projection

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	_ "github.com/mattn/go-sqlite3" // the replay target is a fresh SQLite database

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// Difference is one table where the live read model and the rebuilt one disagree.
type Difference struct {
	Table     string `json:"table"`
	LiveRows  int    `json:"liveRows"`
	FreshRows int    `json:"freshRows"`
	Detail    string `json:"detail"`
}

// ReplayReport is the outcome of a replay check.
type ReplayReport struct {
	OK          bool         `json:"ok"`
	Seq         int64        `json:"seq"`         // events folded, up to this seq
	Projections []string     `json:"projections"` // projections compared
	Differences []Difference `json:"differences"`
}

// Check rebuilds every projection from the log into a fresh temporary
// database, up to the seq the live projections have reached, and compares
// every table row by row with the live database. Projections are built by
// newProjections so the fresh run shares no state with the live one.
func Check(ctx context.Context, source eventlog.Store, live *sql.DB, newProjections func() []Projection) (ReplayReport, error) {
	ps := newProjections()
	rep := ReplayReport{OK: true}
	seq, err := liveCheckpoint(ctx, live, ps)
	if err != nil {
		return rep, err
	}
	rep.Seq = seq
	dir, err := os.MkdirTemp("", "ice-replay-")
	if err != nil {
		return rep, fmt.Errorf("replay: %w", err)
	}
	defer os.RemoveAll(dir)
	fresh, err := sql.Open("sqlite3", eventlog.FileURI(filepath.Join(dir, "replay.db"), url.Values{"_journal_mode": {"WAL"}, "_synchronous": {"OFF"}}))
	if err != nil {
		return rep, fmt.Errorf("replay: %w", err)
	}
	defer fresh.Close()
	fresh.SetMaxOpenConns(1)
	runner := NewRunner(source, fresh, nil, ps...)
	// Open catches up fully; stop at the live seq instead.
	if err := runner.openNoCatchUp(ctx); err != nil {
		return rep, err
	}
	if seq > 0 {
		if err := runner.CatchUpTo(ctx, seq); err != nil {
			return rep, err
		}
	}
	for _, p := range ps {
		rep.Projections = append(rep.Projections, p.Name())
		for _, t := range p.Tables() {
			d, err := compareTable(ctx, live, fresh, t)
			if err != nil {
				return rep, err
			}
			if d != nil {
				rep.OK = false
				rep.Differences = append(rep.Differences, *d)
			}
		}
	}
	return rep, nil
}

// liveCheckpoint returns the seq every live projection has reached; they
// must all stand at the same one to be compared.
func liveCheckpoint(ctx context.Context, live *sql.DB, ps []Projection) (int64, error) {
	var seq int64 = -1
	for _, p := range ps {
		var s int64
		var v int
		err := live.QueryRowContext(ctx, `SELECT seq, version FROM projection_checkpoints WHERE name = ?`, p.Name()).Scan(&s, &v)
		if err != nil {
			return 0, fmt.Errorf("replay: projection %s has no live checkpoint (start the Studio once): %w", p.Name(), err)
		}
		if v != p.Version() {
			return 0, fmt.Errorf("replay: live projection %s is version %d, this build has %d: start the Studio once to rebuild it", p.Name(), v, p.Version())
		}
		if seq >= 0 && s != seq {
			return 0, fmt.Errorf("replay: live projections stand at different positions (%d and %d); retry once the Studio is idle", seq, s)
		}
		seq = s
	}
	return max(seq, 0), nil
}

func (r *Runner) openNoCatchUp(ctx context.Context) error {
	tx, err := r.target.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, checkpointTable); err != nil {
		return err
	}
	for _, p := range r.projections {
		if err := p.Setup(ctx, tx); err != nil {
			return fmt.Errorf("set up projection %s: %w", p.Name(), err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO projection_checkpoints (name, version, seq) VALUES (?, ?, 0)`, p.Name(), p.Version()); err != nil {
			return err
		}
		r.seqs[p.Name()] = 0
	}
	return tx.Commit()
}

// dumpTable returns every row of table, each rendered as text, in a total order.
func dumpTable(ctx context.Context, db *sql.DB, table string) ([]string, error) {
	cols, err := columns(ctx, db, table)
	if err != nil {
		return nil, err
	}
	order := make([]string, len(cols))
	for i := range cols {
		order[i] = fmt.Sprint(i + 1)
	}
	rows, err := db.QueryContext(ctx, `SELECT * FROM `+table+` ORDER BY `+strings.Join(order, ","))
	if err != nil {
		return nil, fmt.Errorf("dump %s: %w", table, err)
	}
	defer rows.Close()
	var out []string
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		var b strings.Builder
		for i, v := range vals {
			if i > 0 {
				b.WriteString(" | ")
			}
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(&b, "%s=%v", cols[i], v)
		}
		out = append(out, b.String())
	}
	return out, rows.Err()
}

func columns(ctx context.Context, db *sql.DB, table string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("replay: table %s does not exist", table)
	}
	return cols, rows.Err()
}

func compareTable(ctx context.Context, live, fresh *sql.DB, table string) (*Difference, error) {
	a, err := dumpTable(ctx, live, table)
	if err != nil {
		return nil, err
	}
	b, err := dumpTable(ctx, fresh, table)
	if err != nil {
		return nil, err
	}
	if reflect.DeepEqual(a, b) {
		return nil, nil
	}
	d := &Difference{Table: table, LiveRows: len(a), FreshRows: len(b)}
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			d.Detail = fmt.Sprintf("row %d differs:\n  live:    %s\n  rebuilt: %s", i+1, orNone(x), orNone(y))
			break
		}
	}
	return d, nil
}

func orNone(s string) string {
	if s == "" {
		return "(no row)"
	}
	return s
}
