package projection_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/projection"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// counter is a second projection: events per type, so replay compares more
// than one projection and one that sees every event.
type counter struct{ version int }

func (counter) Name() string     { return "type_counts" }
func (c counter) Version() int   { return c.version }
func (counter) Tables() []string { return []string{"p_type_counts"} }
func (counter) Setup(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS p_type_counts (type TEXT PRIMARY KEY, n INTEGER NOT NULL, last_at INTEGER NOT NULL)`)
	return err
}
func (counter) Apply(ctx context.Context, tx *projection.Tx, e eventlog.Event) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO p_type_counts (type, n, last_at) VALUES (?, 1, ?)
		ON CONFLICT(type) DO UPDATE SET n = n + 1, last_at = excluded.last_at`, e.Type, e.At)
	return err
}

func projections() []projection.Projection {
	return []projection.Projection{workspace.Registry{}, counter{version: 1}}
}

func mustStore(tb testing.TB) *eventlog.SQLiteStore {
	tb.Helper()
	s, err := eventlog.Open(filepath.Join(tb.TempDir(), eventlog.FileName), eventlog.Options{Synchronous: "NORMAL"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// randomWorkspaceEvents emits n random open/close/forget/file events over a
// handful of folders, as the Studio would.
func randomWorkspaceEvents(tb testing.TB, g *eventlog.Gate, rng *rand.Rand, n int) {
	tb.Helper()
	ids := []string{"w-a", "w-b", "w-c", "w-d"}
	for i := 0; i < n; i++ {
		id := ids[rng.IntN(len(ids))]
		d := eventlog.Draft{Stream: workspace.Stream(id), Origin: eventlog.OriginRuntime, Workspace: id}
		switch rng.IntN(4) {
		case 0:
			d.Type, d.Payload = eventlog.WorkspaceOpened, workspace.OpenedPayload{Root: "/home/u/" + id + fmt.Sprint(rng.IntN(2)), Name: id}
		case 1:
			d.Type, d.Payload = eventlog.WorkspaceClosed, workspace.ClosedPayload{Reason: "test"}
		case 2:
			d.Type, d.Origin, d.Payload = eventlog.WorkspaceForgotten, eventlog.OriginUser, workspace.ForgottenPayload{Root: id}
		default:
			d.Type, d.Payload = eventlog.WorkspaceFileChanged, map[string]string{"path": fmt.Sprint("f", i)}
		}
		if _, err := g.Emit(context.Background(), d); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestReplayIsDeterministic(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(seed, seed*31))
			s := mustStore(t)
			g := eventlog.NewGate(s, eventlog.DefaultCatalogue())
			live := projection.NewRunner(s, s.DB(), nil, projections()...)
			if err := live.Open(ctx); err != nil {
				t.Fatal(err)
			}
			// The live projections fold in chunks of random size, as appends arrive.
			for chunk := 0; chunk < 10; chunk++ {
				randomWorkspaceEvents(t, g, rng, 1+rng.IntN(60))
				if err := live.CatchUp(ctx); err != nil {
					t.Fatal(err)
				}
			}
			rep, err := projection.Check(ctx, s, s.DB(), projections)
			if err != nil {
				t.Fatal(err)
			}
			head, _, _ := s.Head(ctx)
			if !rep.OK || rep.Seq != head || len(rep.Projections) != 2 {
				t.Fatalf("Check = %+v; want identical projections at seq %d", rep, head)
			}
			// Rebuilding in place from zero gives the same tables too.
			before := dump(t, s.DB())
			if err := live.Rebuild(ctx); err != nil {
				t.Fatal(err)
			}
			if after := dump(t, s.DB()); after != before {
				t.Fatalf("Rebuild changed the read models:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func dump(tb testing.TB, db *sql.DB) string {
	tb.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT id, root, name, first_opened, last_opened, opens, is_open, forgotten FROM p_workspaces ORDER BY id`,
		`SELECT type, n, last_at FROM p_type_counts ORDER BY type`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			_ = rows.Scan(ptrs...)
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
	}
	return b.String()
}

func TestReplayCheckReportsADifference(t *testing.T) {
	ctx := context.Background()
	s := mustStore(t)
	g := eventlog.NewGate(s, eventlog.DefaultCatalogue())
	randomWorkspaceEvents(t, g, rand.New(rand.NewPCG(3, 4)), 50)
	live := projection.NewRunner(s, s.DB(), nil, projections()...)
	if err := live.Open(ctx); err != nil {
		t.Fatal(err)
	}
	// A read model changed behind the log's back (a bug, or a hand edit).
	if _, err := s.DB().Exec(`UPDATE p_workspaces SET opens = opens + 1 WHERE id = 'w-a'`); err != nil {
		t.Fatal(err)
	}
	rep, err := projection.Check(ctx, s, s.DB(), projections)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || len(rep.Differences) != 1 || rep.Differences[0].Table != "p_workspaces" || !strings.Contains(rep.Differences[0].Detail, "opens=") {
		t.Fatalf("Check = %+v; want one difference in p_workspaces naming the row", rep)
	}
}

func TestCatchUpResumesFromCheckpoint(t *testing.T) {
	ctx := context.Background()
	s := mustStore(t)
	g := eventlog.NewGate(s, eventlog.DefaultCatalogue())
	rng := rand.New(rand.NewPCG(9, 9))
	randomWorkspaceEvents(t, g, rng, 40)
	r1 := projection.NewRunner(s, s.DB(), nil, projections()...)
	if err := r1.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r1.Checkpoint("type_counts"); got != 40 {
		t.Fatalf("checkpoint after Open = %d, want 40", got)
	}
	randomWorkspaceEvents(t, g, rng, 25)
	// A new runner (a restart) starts from the stored checkpoint: events are
	// not folded twice, so the counts equal the number of events.
	r2 := projection.NewRunner(s, s.DB(), nil, projections()...)
	if err := r2.Open(ctx); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := s.DB().QueryRow(`SELECT sum(n) FROM p_type_counts`).Scan(&n); err != nil || n != 65 {
		t.Fatalf("sum of counts = %d, %v; want 65 (each event folded once)", n, err)
	}
}

func TestVersionChangeRebuilds(t *testing.T) {
	ctx := context.Background()
	s := mustStore(t)
	g := eventlog.NewGate(s, eventlog.DefaultCatalogue())
	randomWorkspaceEvents(t, g, rand.New(rand.NewPCG(5, 5)), 30)
	r1 := projection.NewRunner(s, s.DB(), nil, counter{version: 1})
	if err := r1.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`UPDATE p_type_counts SET n = 1000`); err != nil {
		t.Fatal(err)
	}
	r2 := projection.NewRunner(s, s.DB(), nil, counter{version: 2})
	if err := r2.Open(ctx); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := s.DB().QueryRow(`SELECT sum(n) FROM p_type_counts`).Scan(&n); err != nil || n != 30 {
		t.Fatalf("after a version change the counts sum to %d, %v; want 30 (rebuilt)", n, err)
	}
}

// Two Studio processes on one data folder run two runners over one database:
// each event must still be folded exactly once.
func TestTwoRunnersFoldOnce(t *testing.T) {
	ctx := context.Background()
	s := mustStore(t)
	g := eventlog.NewGate(s, eventlog.DefaultCatalogue())
	a := projection.NewRunner(s, s.DB(), nil, counter{version: 1})
	b := projection.NewRunner(s, s.DB(), nil, counter{version: 1})
	if err := a.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Open(ctx); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(2, 2))
	for i := 0; i < 5; i++ {
		randomWorkspaceEvents(t, g, rng, 10)
		if err := a.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		if err := b.CatchUp(ctx); err != nil { // b's memory is stale; the stored checkpoint is not
			t.Fatal(err)
		}
	}
	var n int64
	if err := s.DB().QueryRow(`SELECT sum(n) FROM p_type_counts`).Scan(&n); err != nil || n != 50 {
		t.Fatalf("sum of counts = %d, %v; want 50", n, err)
	}
}
