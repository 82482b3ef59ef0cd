package eventlog_test

// Benchmarks of the log's checks, each beside its baseline in the same run:
// Verify of a million typical events beside a plain SELECT of every column
// of the same table, and the Studio's start-up check (from a stored verified
// position 1,000 events below the head) beside opening the store alone.
// `ICE_BENCH_ONLY=verify make bench` runs them (scripts/bench). The log is
// built once per process in a temporary folder, only when one of these
// benchmarks runs; nothing here asserts on timing.

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/eventlog/eventlogtest"
)

// verifyEvents is the size of the benchmarks' log.
const verifyEvents = 1_000_000

// startupTail is how many events the start-up check finds after the stored
// verified position.
const startupTail = 1_000

// BenchmarkVerify1M verifies the whole million-event log (eventlog.Verify,
// as `ice-studio verify` and the Studio's check after start do), reporting
// events/s. Run it with -benchtime 1x: one iteration is a million events.
func BenchmarkVerify1M(b *testing.B) {
	path := verifyLog(b)
	ctx := context.Background()
	s, err := eventlog.Open(path, eventlog.Options{ReadOnly: true})
	if err != nil {
		b.Fatalf("open the log: %v", err)
	}
	defer s.Close()
	cat := eventlog.DefaultCatalogue()
	b.ResetTimer()
	for range b.N {
		rep, err := eventlog.Verify(ctx, s, cat)
		if err != nil {
			b.Fatalf("Verify: %v", err)
		}
		if !rep.OK || rep.Checked != verifyEvents {
			b.Fatalf("Verify of the generated log = %+v, want OK with %d events checked", rep, verifyEvents)
		}
	}
	b.ReportMetric(float64(b.N*verifyEvents)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkRawScan1M reads every column of every event of the same log in
// seq order into Go values with one SELECT, on a connection opened like the
// store's readers: what reading the log costs before any check.
func BenchmarkRawScan1M(b *testing.B) {
	path := verifyLog(b)
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
	if n != int64(b.N)*verifyEvents {
		b.Fatalf("scanned %d events, want %d", n, b.N*verifyEvents)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(payloadBytes)/float64(n), "payload-B/event")
}

// startupRuns is how many starts one iteration of BenchmarkStartupCheck
// and BenchmarkOpenOnly times (they run with -benchtime 1x beside the
// million-event benchmarks).
const startupRuns = 20

// BenchmarkStartupCheck opens the million-event log as the Studio does and
// runs its start-up check (backend/studio checkLog: read the stored verified
// position, VerifyFrom it, check the replica's anchor, move the position to
// the head), then closes it, startupRuns times; before each the stored
// position is put back 1,000 events below the head. It reports ms per
// start; check-ms is the check alone.
func BenchmarkStartupCheck(b *testing.B) {
	path := verifyLog(b)
	ctx := context.Background()
	mark := verifyMark(b, path)
	cat := eventlog.DefaultCatalogue()
	var check time.Duration
	b.ResetTimer()
	for range b.N * startupRuns {
		b.StopTimer()
		setVerified(b, path, mark)
		b.StartTimer()
		s, err := eventlog.Open(path, eventlog.Options{})
		if err != nil {
			b.Fatalf("open the log: %v", err)
		}
		t0 := time.Now()
		from, err := s.Verified(ctx)
		if err != nil {
			b.Fatalf("Verified: %v", err)
		}
		rep, err := eventlog.VerifyFrom(ctx, s, cat, from)
		if err != nil {
			b.Fatalf("VerifyFrom(%d): %v", from.Seq, err)
		}
		if !rep.OK || rep.Checked != startupTail || from.Seq != mark.Seq {
			b.Fatalf("VerifyFrom(%d) = %+v, want OK with %d events checked after seq %d", from.Seq, rep, startupTail, mark.Seq)
		}
		if a, err := eventlog.CheckAnchor(ctx, s, mark); err != nil || !a.OK {
			b.Fatalf("CheckAnchor(%s) = %+v, %v; want OK", mark, a, err)
		}
		seq, hash, err := s.Head(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.SetVerified(ctx, eventlog.Checkpoint{Seq: seq, Hash: hash}); err != nil {
			b.Fatalf("SetVerified: %v", err)
		}
		check += time.Since(t0)
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*startupRuns), "ms")
	b.ReportMetric(float64(check.Microseconds())/1000/float64(b.N*startupRuns), "check-ms")
}

// BenchmarkOpenOnly opens the same log as the Studio does and closes it,
// startupRuns times: the baseline of BenchmarkStartupCheck.
func BenchmarkOpenOnly(b *testing.B) {
	path := verifyLog(b)
	b.ResetTimer()
	for range b.N * startupRuns {
		s, err := eventlog.Open(path, eventlog.Options{})
		if err != nil {
			b.Fatalf("open the log: %v", err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*startupRuns), "ms")
}

// verifyMark is the position startupTail events below the head.
func verifyMark(b *testing.B, path string) eventlog.Checkpoint {
	b.Helper()
	s, err := eventlog.Open(path, eventlog.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	e, err := s.Get(context.Background(), verifyEvents-startupTail)
	if err != nil {
		b.Fatal(err)
	}
	return eventlog.Checkpoint{Seq: e.Seq, Hash: e.Hash}
}

func setVerified(b *testing.B, path string, c eventlog.Checkpoint) {
	b.Helper()
	s, err := eventlog.Open(path, eventlog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.SetVerified(context.Background(), c); err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
}

// verifyLogOnce holds the log built for this process.
var verifyLogOnce struct {
	sync.Once
	path string
	err  error
}

// TestMain removes the benchmarks' log, when one was built, after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if verifyLogOnce.path != "" {
		_ = os.RemoveAll(filepath.Dir(verifyLogOnce.path))
	}
	os.Exit(code)
}

// verifyLog returns the million-event log, building it on the first call
// of the process: typical events (eventlogtest.Typical: workspaces, file
// changes, runs with their inference and effects) appended through the
// store in batches of 1,000, with a log.anchored event naming the head
// every 100,000 events, as replication records them; then checkpointed so
// the log is one file.
func verifyLog(b *testing.B) string {
	b.Helper()
	verifyLogOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ice-bench-verify-")
		if err != nil {
			verifyLogOnce.err = err
			return
		}
		verifyLogOnce.path = filepath.Join(dir, eventlog.FileName)
		verifyLogOnce.err = buildVerifyLog(verifyLogOnce.path)
	})
	if verifyLogOnce.err != nil {
		b.Fatalf("build the %d-event log: %v", verifyEvents, verifyLogOnce.err)
	}
	return verifyLogOnce.path
}

func buildVerifyLog(path string) error {
	fmt.Fprintf(os.Stderr, "bench: generating a log of %d typical events in %s (once per process)\n", verifyEvents, filepath.Dir(path))
	start := time.Now()
	s, err := eventlog.Open(path, eventlog.Options{Synchronous: "NORMAL"})
	if err != nil {
		return err
	}
	defer s.Close()
	ctx := context.Background()
	gen := eventlogtest.NewTypical(1)
	const batch, anchorEvery = 1000, 100_000
	for n := 0; n < verifyEvents; n += batch {
		take := batch
		if (n+batch)%anchorEvery == 0 {
			take-- // room for the anchor
		}
		evs := gen.Take(take)
		if _, err := s.Append(ctx, evs); err != nil {
			return err
		}
		if len(evs) == batch {
			continue
		}
		seq, hash, err := s.Head(ctx)
		if err != nil {
			return err
		}
		payload, err := eventlog.MarshalPayload(eventlog.AnchoredPayload{Seq: seq, Hash: hex.EncodeToString(hash), Replica: "file:///mnt/backup/ice-studio"})
		if err != nil {
			return err
		}
		if _, err := s.Append(ctx, []eventlog.Event{{ID: uuid.Must(uuid.NewV7()).String(), Stream: "log", Type: eventlog.LogAnchored,
			Schema: 1, Origin: eventlog.OriginRuntime, At: time.Now().UnixNano(), Payload: payload}}); err != nil {
			return err
		}
	}
	if _, err := s.DB().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bench: generated %d events in %s\n", verifyEvents, time.Since(start).Round(time.Millisecond))
	return nil
}
