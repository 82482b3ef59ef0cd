//go:build linux

package projection_test

// The replay benchmark: a log of a million typical events folded through
// every projection into a fresh database, beside a plain SELECT of the same
// events table in the same run. `make bench` runs it (scripts/bench). The log
// is generated once and cached under build/bench/; nothing here asserts on
// timing. Linux only: peak memory is read from the kernel's high-water mark.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/eventlog/eventlogtest"
	"github.com/ice-studio/ice-studio/backend/projection"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// replayEvents is the size of the replay fixture.
const replayEvents = 1_000_000

// replayFixture names the cached log; bump its version whenever
// eventlogtest.Typical changes, so a stale fixture is not reused.
var replayFixture = fmt.Sprintf("typical-%d-v2.db", replayEvents)

// BenchmarkReplay folds the whole log through studio.Projections() into a
// fresh database, as projection.Check sets one up, and scans the same table
// with one SELECT of every column; ICE_BENCH_ROUNDS times, interleaved. Run
// it with -benchtime 1x: one iteration is a million events.
func BenchmarkReplay(b *testing.B) {
	path := replayLog(b)
	for range benchRounds() {
		b.Run("projections", func(b *testing.B) { benchReplay(b, path) })
		b.Run("raw-scan", func(b *testing.B) { benchScan(b, path) })
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

func benchReplay(b *testing.B, path string) {
	ctx := context.Background()
	store, err := eventlog.Open(path, eventlog.Options{ReadOnly: true})
	if err != nil {
		b.Fatalf("open the fixture: %v", err)
	}
	defer store.Close()
	workspaces, err := store.Distinct(ctx, "workspace", 10_000)
	if err != nil {
		b.Fatal(err)
	}
	// Peak memory: the kernel's high-water mark of the resident set, reset
	// here so that generating the fixture earlier in this process does not
	// count, then read with getrusage after the replay.
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Fatalf("reset the peak RSS: %v", err)
	}
	before := currentRSS(b)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		fresh := benchFreshDB(b)
		b.StartTimer()
		runner := projection.NewRunner(store, fresh, nil, studio.Projections()...)
		if err := runner.Open(ctx); err != nil {
			b.Fatalf("replay: %v", err)
		}
		b.StopTimer()
		// The fold really happened: every projection reached the head, and
		// the registry knows every workspace of the log.
		for _, p := range studio.Projections() {
			if got := runner.Checkpoint(p.Name()); got != replayEvents {
				b.Fatalf("projection %s reached seq %d, want %d", p.Name(), got, replayEvents)
			}
		}
		var known int
		if err := fresh.QueryRow(`SELECT count(*) FROM p_workspaces`).Scan(&known); err != nil || known != len(workspaces) {
			b.Fatalf("replayed registry has %d workspaces (%v), the log %d", known, err, len(workspaces))
		}
		if err := fresh.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	peak := ru.Maxrss * 1024 // KiB on Linux
	b.ReportMetric(float64(b.N*replayEvents)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(peak-before)/(1<<20), "RSS-growth-MiB")
}

// benchScan reads every column of every event in seq order into Go values,
// on a connection opened like the store's readers.
func benchScan(b *testing.B, path string) {
	ctx := context.Background()
	db, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+
		"?_busy_timeout=10000&_cache_size=-16000&mode=ro&_query_only=1")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var n, payloadBytes int64
	b.ResetTimer()
	for range b.N {
		rows, err := db.QueryContext(ctx, `SELECT seq, id, stream, version, type, schema, origin, at, workspace, run,
			causation, correlation, payload, prev_hash, hash FROM events ORDER BY seq`)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var e eventlog.Event
			var payload []byte
			if err := rows.Scan(&e.Seq, &e.ID, &e.Stream, &e.Version, &e.Type, &e.Schema, &e.Origin, &e.At,
				&e.Workspace, &e.Run, &e.Causation, &e.Correlation, &payload, &e.PrevHash, &e.Hash); err != nil {
				b.Fatal(err)
			}
			e.Payload = payload
			n++
			payloadBytes += int64(len(payload))
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		rows.Close()
	}
	b.StopTimer()
	if n != int64(b.N)*replayEvents {
		b.Fatalf("scanned %d events, want %d", n, b.N*replayEvents)
	}
	dbSize, walSize := fileSize(b, path), fileSize(b, path+"-wal")
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(payloadBytes)/float64(n), "payload-B/event")
	b.ReportMetric(float64(dbSize)/(1<<20), "db-MiB")
	b.ReportMetric(float64(walSize)/(1<<20), "wal-MiB")
	b.ReportMetric(float64(dbSize+walSize)/replayEvents, "disk-B/event")
}

// benchFreshDB opens an empty target database the way projection.Check does.
func benchFreshDB(b *testing.B) *sql.DB {
	b.Helper()
	path := filepath.Join(b.TempDir(), "replay.db")
	db, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_journal_mode=WAL&_synchronous=OFF")
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// replayLog returns the path of the cached fixture, generating it when it is
// missing or incomplete: typical events appended through the store in
// batches, then checkpointed so the log is one file.
func replayLog(b *testing.B) string {
	b.Helper()
	dir, err := benchDir()
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, replayFixture)
	if replayLogComplete(path) {
		return path
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	// Fixtures of other sizes or generator versions are stale: remove them.
	stale, _ := filepath.Glob(filepath.Join(dir, "typical-*.db"))
	for _, p := range stale {
		removeLog(b, p, true)
	}
	tmp := path + ".partial"
	removeLog(b, path, true)
	removeLog(b, tmp, true)
	fmt.Fprintf(os.Stderr, "bench: generating the replay fixture (%d typical events, once)\n", replayEvents)
	start := time.Now()
	s, err := eventlog.Open(tmp, eventlog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	gen := eventlogtest.NewTypical(1)
	const batch = 1000
	for range replayEvents / batch {
		if _, err := s.Append(ctx, gen.Take(batch)); err != nil {
			_ = s.Close()
			b.Fatalf("generate the replay fixture: %v", err)
		}
	}
	if _, err := s.DB().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if n := fileSize(b, tmp+"-wal"); n != 0 {
		b.Fatalf("the fixture's WAL still holds %d bytes after a checkpoint", n)
	}
	removeLog(b, tmp, false) // the WAL is empty: the log is the one file
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	// On stderr: a benchmark with sub-benchmarks does not print its own log.
	fmt.Fprintf(os.Stderr, "bench: generated %d typical events in %s: %s\n", replayEvents, time.Since(start).Round(time.Millisecond), path)
	return path
}

// replayLogComplete reports whether path holds the whole fixture.
func replayLogComplete(path string) bool {
	if _, err := os.Stat(path); err != nil {
		return false
	}
	s, err := eventlog.Open(path, eventlog.Options{ReadOnly: true})
	if err != nil {
		return false
	}
	defer s.Close()
	seq, _, err := s.Head(context.Background())
	return err == nil && seq == replayEvents
}

// removeLog removes a log's -wal and -shm files, and the log itself too
// when withDB.
func removeLog(b *testing.B, path string, withDB bool) {
	b.Helper()
	paths := []string{path + "-wal", path + "-shm"}
	if withDB {
		paths = append(paths, path)
	}
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			b.Fatal(err)
		}
	}
}

// benchDir is ICE_BENCH_DIR, or build/bench at the module root.
func benchDir() (string, error) {
	if d := os.Getenv("ICE_BENCH_DIR"); d != "" {
		return d, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "build", "bench"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: set ICE_BENCH_DIR")
		}
		dir = parent
	}
}

func fileSize(b *testing.B, path string) int64 {
	b.Helper()
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}

// currentRSS returns the resident set size now (from /proc/self/statm).
func currentRSS(b *testing.B) int64 {
	b.Helper()
	raw, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		b.Fatal(err)
	}
	var size, resident int64
	if _, err := fmt.Sscan(string(raw), &size, &resident); err != nil {
		b.Fatalf("parse /proc/self/statm: %v", err)
	}
	return resident * int64(os.Getpagesize())
}
