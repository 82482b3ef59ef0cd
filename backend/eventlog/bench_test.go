package eventlog_test

// Benchmarks of the write path, each beside its baseline in the same run: the
// same rows inserted by plain SQL into the same schema with the same pragmas.
// `make bench` runs them (scripts/bench) and prints the table for the README.
// They report events/s; nothing here asserts on timing.

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/eventlog/eventlogtest"
)

// BenchmarkAppendOne appends one event per call: one durable commit each
// (synchronous FULL, WAL), against one INSERT per transaction.
func BenchmarkAppendOne(b *testing.B) { benchAppend(b, 1) }

// BenchmarkAppendBatch appends 100 events per call, against 100 INSERTs per
// transaction.
func BenchmarkAppendBatch(b *testing.B) { benchAppend(b, 100) }

// benchAppend runs the store, its raw-SQL baseline and the Emit gate in
// turn, ICE_BENCH_ROUNDS times, so that drift on the machine (the disk's
// fsync latency above all) hits the figure and its baseline alike.
func benchAppend(b *testing.B, per int) {
	for range benchRounds() {
		b.Run("store", func(b *testing.B) { benchStoreAppend(b, per) })
		b.Run("raw", func(b *testing.B) { benchRawInsert(b, per) })
		b.Run("emit", func(b *testing.B) { benchEmit(b, per) })
	}
}

// benchRounds is how many times each figure and its baseline are measured,
// interleaved (ICE_BENCH_ROUNDS, default 1).
func benchRounds() int {
	if n, err := strconv.Atoi(os.Getenv("ICE_BENCH_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 1
}

func benchStoreAppend(b *testing.B, per int) {
	ctx := context.Background()
	s := benchOpenStore(b)
	evs := benchEvents(b.N * per)
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.Append(ctx, evs[i*per:(i+1)*per]); err != nil {
			b.Fatalf("Append(%d events): %v", per, err)
		}
	}
	benchReportRate(b, per)
}

// benchRawInsert inserts the rows the store would write (the same values,
// hashes computed beforehand) with one prepared INSERT per row and one
// transaction per call, on a connection opened like the store's writer.
func benchRawInsert(b *testing.B, per int) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), eventlog.FileName)
	s, err := eventlog.Open(path, eventlog.Options{}) // creates the schema
	if err != nil {
		b.Fatalf("eventlog.Open: %v", err)
	}
	want := benchPragmas(b, s.DB())
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	// The path is escaped: sub-benchmark names (and so b.TempDir) may hold '#'.
	db, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+
		"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000&_txlock=immediate&_cache_size=-16000")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if got := benchPragmas(b, db); got != want {
		b.Fatalf("raw connection pragmas %s, the store's %s", got, want)
	}
	ins, err := db.PrepareContext(ctx, `INSERT INTO events
		(seq, id, stream, version, type, schema, origin, at, workspace, run, causation, correlation, payload, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	defer ins.Close()
	rows := benchRows(b.N * per)
	b.ResetTimer()
	for i := range b.N {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		st := tx.StmtContext(ctx, ins)
		for _, e := range rows[i*per : (i+1)*per] {
			if _, err := st.ExecContext(ctx, e.Seq, e.ID, e.Stream, e.Version, e.Type, e.Schema, e.Origin, e.At,
				e.Workspace, e.Run, e.Causation, e.Correlation, []byte(e.Payload), e.PrevHash, e.Hash); err != nil {
				b.Fatalf("raw insert seq %d: %v", e.Seq, err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	benchReportRate(b, per)
}

// benchEmit sends the same events through the Emit gate, as the Studio
// does: catalogue and authority checks, canonical JSON, new ids, and a
// look-up of each cause stored by an earlier call. (A cause inside the same
// call cannot be named through the gate, whose ids are new, so it is left
// out.)
func benchEmit(b *testing.B, per int) {
	ctx := context.Background()
	g := eventlog.NewGate(benchOpenStore(b), eventlog.DefaultCatalogue())
	evs := benchEvents(b.N * per)
	drafts := make([]eventlog.Draft, len(evs))
	for i, e := range evs {
		drafts[i] = eventlog.Draft{Stream: e.Stream, Type: e.Type, Origin: e.Origin, Workspace: e.Workspace,
			Run: e.Run, Correlation: e.Correlation, Payload: json.RawMessage(e.Payload)}
	}
	stored := make(map[string]string, len(evs)) // generated id → id given by the gate
	b.ResetTimer()
	for i := range b.N {
		call := drafts[i*per : (i+1)*per]
		for j := range call {
			call[j].Causation = stored[evs[i*per+j].Causation]
		}
		out, err := g.Emit(ctx, call...)
		if err != nil {
			b.Fatalf("Emit(%d drafts): %v", per, err)
		}
		for j, e := range out {
			stored[evs[i*per+j].ID] = e.ID
		}
	}
	benchReportRate(b, per)
}

func benchReportRate(b *testing.B, per int) {
	b.ReportMetric(float64(b.N*per)/b.Elapsed().Seconds(), "events/s")
}

func benchOpenStore(b *testing.B) *eventlog.SQLiteStore {
	b.Helper()
	s, err := eventlog.Open(filepath.Join(b.TempDir(), eventlog.FileName), eventlog.Options{})
	if err != nil {
		b.Fatalf("eventlog.Open: %v", err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

// benchPragmas describes the settings that decide what a commit costs.
func benchPragmas(b *testing.B, db *sql.DB) string {
	b.Helper()
	var mode string
	var synchronous, busy, cache int
	for q, dst := range map[string]any{"journal_mode": &mode, "synchronous": &synchronous, "busy_timeout": &busy, "cache_size": &cache} {
		if err := db.QueryRow(`PRAGMA ` + q).Scan(dst); err != nil {
			b.Fatalf("PRAGMA %s: %v", q, err)
		}
	}
	return "journal_mode=" + mode + " synchronous=" + strconv.Itoa(synchronous) + " busy_timeout=" + strconv.Itoa(busy) + " cache_size=" + strconv.Itoa(cache)
}

// benchPool holds typical events, generated once and reused by every
// benchmark (each writes them to a fresh log), and the same events as the
// store writes them to an empty log: seq, version, prev_hash and hash set.
var benchPool struct {
	sync.Mutex
	gen      *eventlogtest.Typical
	evs      []eventlog.Event
	rows     []eventlog.Event
	versions map[string]int64
}

func benchEvents(n int) []eventlog.Event {
	benchPool.Lock()
	defer benchPool.Unlock()
	if benchPool.gen == nil {
		benchPool.gen = eventlogtest.NewTypical(1)
		benchPool.versions = make(map[string]int64)
	}
	for len(benchPool.evs) < n {
		benchPool.evs = append(benchPool.evs, benchPool.gen.Next())
	}
	return benchPool.evs[:n]
}

func benchRows(n int) []eventlog.Event {
	evs := benchEvents(n)
	benchPool.Lock()
	defer benchPool.Unlock()
	for i := len(benchPool.rows); i < n; i++ {
		e := evs[i]
		prev := []byte{}
		if i > 0 {
			prev = benchPool.rows[i-1].Hash
		}
		benchPool.versions[e.Stream]++
		e.Seq, e.Version, e.PrevHash = int64(i+1), benchPool.versions[e.Stream], prev
		e.Hash = eventlog.ComputeHash(&e)
		benchPool.rows = append(benchPool.rows, e)
	}
	return benchPool.rows[:n]
}
