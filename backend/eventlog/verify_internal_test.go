package eventlog

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// verifySequential is Verify as first written, one event at a time through
// Read, re-encoding every payload: the pipelined Verify must give the same
// report on every log, good or tampered.
func verifySequential(ctx context.Context, s *SQLiteStore, cat *Catalogue, from Checkpoint) (VerifyReport, error) {
	rep := VerifyReport{OK: true, HeadSeq: from.Seq}
	var prev []byte
	var expect int64 = 1
	if from.Seq > 0 {
		a, err := CheckAnchor(ctx, s, from)
		if err != nil || !a.OK {
			return a, err
		}
		prev, expect = from.Hash, from.Seq+1
	}
	causeBad, err := s.FirstBadCausationAfter(ctx, from.Seq)
	if err != nil {
		return rep, err
	}
	bad := func(seq int64, problem, detail string, args ...any) error {
		rep.OK, rep.FirstBad, rep.Problem, rep.Detail = false, seq, problem, fmt.Sprintf(detail, args...)
		return errStop
	}
	var anchors []Checkpoint
	err = s.Read(ctx, Query{AfterSeq: from.Seq}, func(e Event) error {
		if a, ok := anchoredIn(e); ok {
			anchors = append(anchors, a)
		}
		rep.Checked++
		rep.HeadSeq = e.Seq
		if e.Seq != expect {
			return bad(e.Seq, ProblemSeqGap, "expected seq %d, found %d: events are missing or reordered", expect, e.Seq)
		}
		expect++
		if !bytes.Equal(e.PrevHash, prev) {
			return bad(e.Seq, ProblemPrevHash, "prev_hash does not match the hash of seq %d: the chain is broken here", e.Seq-1)
		}
		if !bytes.Equal(computeHashStreaming(&e), e.Hash) {
			return bad(e.Seq, ProblemHash, "the stored hash does not match the event's content: it was changed after it was written")
		}
		prev = e.Hash
		info, ok := cat.Lookup(e.Type)
		if !ok {
			return bad(e.Seq, ProblemType, "type %q is not in the catalogue", e.Type)
		}
		auth, err := OriginAuthority(e.Origin)
		if err != nil || info.Allowed&auth == 0 {
			return bad(e.Seq, ProblemAuthority, "origin %q may not emit %s (only %s)", e.Origin, e.Type, info.Allowed)
		}
		if e.Seq == causeBad {
			return bad(e.Seq, ProblemCause, "causation %s is not an earlier event", e.Causation)
		}
		if c, err := CanonicalJSON(e.Payload); err != nil || !bytes.Equal(c, e.Payload) {
			return bad(e.Seq, ProblemPayload, "payload is not canonical JSON")
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return rep, err
	}
	if rep.OK {
		return rep, checkInLogAnchors(ctx, s, rep.HeadSeq, anchors, &rep)
	}
	return rep, nil
}

// testLogEvents is the size of the test log: long enough for many ranges
// of testScanChunk.
const (
	testLogEvents = 400
	testScanChunk = 7
)

// writeTestLog writes a log of every kind of event Verify treats apart:
// user, runtime and agent origins, causes a few events back, payloads with
// escapes (some only CanonicalJSON decides), and log.anchored events.
func writeTestLog(tb testing.TB, path string) {
	tb.Helper()
	s, err := Open(path, Options{Synchronous: "NORMAL"})
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	var ids []string
	texts := []string{"plain", "line\nbreak \"quoted\" tab\t", "é <>& ünïcödé", "sep\u2028arator", "ctl\x01"}
	for i := 1; i <= testLogEvents; i++ {
		e := Event{ID: fmt.Sprintf("id-%04d", i), Stream: fmt.Sprintf("run/r%d", i%5), Schema: 1, At: int64(i) * 1e9, Run: fmt.Sprintf("r%d", i%5)}
		payload := map[string]any{"n": i, "text": texts[i%len(texts)], "nested": map[string]any{"list": []any{1.5, true, nil}}}
		switch {
		case i%100 == 0:
			seq, hash, err := s.Head(ctx)
			if err != nil {
				tb.Fatal(err)
			}
			e.Stream, e.Run, e.Type, e.Origin = "log", "", LogAnchored, OriginRuntime
			payload = map[string]any{"seq": seq, "hash": hex.EncodeToString(hash), "replica": "file:///backup"}
		case i%3 == 0:
			e.Type, e.Origin = RunRequested, OriginUser
		case i%3 == 1:
			e.Type, e.Origin = RunCreated, OriginRuntime
			if len(ids) > 0 {
				e.Causation = ids[len(ids)-1]
			}
		default:
			e.Type, e.Origin = InferenceRequest, AgentPrefix+"coder"
		}
		if e.Payload, err = MarshalPayload(payload); err != nil {
			tb.Fatal(err)
		}
		if _, err := s.Append(ctx, []Event{e}); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	if _, err := s.DB().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		tb.Fatal(err)
	}
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
}

// rewriteChain changes the event at seq and re-hashes the chain from it to
// the head, as a process that knows the hash encoding can.
func rewriteChain(tb testing.TB, db *sql.DB, path string, seq int64, change func(*Event)) {
	tb.Helper()
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	var evs []Event
	if err := s.Read(context.Background(), Query{}, func(e Event) error { evs = append(evs, e); return nil }); err != nil {
		tb.Fatal(err)
	}
	s.Close()
	var prev []byte
	for i := range evs {
		e := &evs[i]
		if e.Seq == seq {
			change(e)
		}
		if e.Seq >= seq {
			e.PrevHash = prev
			e.Hash = ComputeHash(e)
			if _, err := db.Exec(`UPDATE events SET type = ?, origin = ?, causation = ?, payload = ?, prev_hash = ?, hash = ? WHERE seq = ?`,
				e.Type, e.Origin, e.Causation, []byte(e.Payload), e.PrevHash, e.Hash, e.Seq); err != nil {
				tb.Fatal(err)
			}
		}
		prev = e.Hash
	}
}

// TestVerifyMatchesSequential tampers with a log in every way Verify
// detects (and some it must read past), and checks that the pipelined
// Verify, its ranges read by two connections, gives exactly the report of
// the sequential one, from the start and from a checkpoint.
func TestVerifyMatchesSequential(t *testing.T) {
	base := filepath.Join(t.TempDir(), "base.db")
	writeTestLog(t, base)
	exec := func(stmts ...string) func(*testing.T, *sql.DB, string) {
		return func(t *testing.T, db *sql.DB, _ string) {
			for _, q := range stmts {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("tamper %q: %v", q, err)
				}
			}
		}
	}
	rewrite := func(seq int64, change func(*Event)) func(*testing.T, *sql.DB, string) {
		return func(t *testing.T, db *sql.DB, path string) { rewriteChain(t, db, path, seq, change) }
	}
	both := func(a, b func(*testing.T, *sql.DB, string)) func(*testing.T, *sql.DB, string) {
		return func(t *testing.T, db *sql.DB, path string) { a(t, db, path); b(t, db, path) }
	}
	flip := func(seq int) string {
		return fmt.Sprintf(`UPDATE events SET payload = CAST(replace(CAST(payload AS TEXT), '"n":', '"m":') AS BLOB) WHERE seq = %d`, seq)
	}
	cases := []struct {
		name   string
		tamper func(*testing.T, *sql.DB, string)
		want   string // the problem expected ("" when the log passes)
	}{
		{"intact", exec(), ""},
		{"payload changed", exec(flip(123)), ProblemHash},
		{"payload changed in the last range", exec(flip(399)), ProblemHash},
		{"event deleted", exec(`DELETE FROM events WHERE seq = 77`), ProblemSeqGap},
		{"first event deleted", exec(`DELETE FROM events WHERE seq = 1`), ProblemSeqGap},
		{"range of events deleted", exec(`DELETE FROM events WHERE seq BETWEEN 140 AND 160`), ProblemSeqGap},
		{"prev_hash broken", exec(`UPDATE events SET prev_hash = zeroblob(32) WHERE seq = 130`), ProblemPrevHash},
		{"payload not canonical, re-hashed", rewrite(150, func(e *Event) { e.Payload = []byte(`{"b":1, "a":2}`) }), ProblemPayload},
		{"unknown type, re-hashed", rewrite(160, func(e *Event) { e.Type = "run.teleported" }), ProblemType},
		{"agent as user, re-hashed", rewrite(171, func(e *Event) { e.Origin = AgentPrefix + "coder" }), ProblemAuthority},
		{"cause later, re-hashed", rewrite(181, func(e *Event) { e.Causation = "id-0390" }), ProblemCause},
		{"cause missing and payload not canonical, same event", rewrite(181, func(e *Event) {
			e.Causation, e.Payload = "nobody", []byte(`{"z":1,"a":2}`)
		}), ProblemCause},
		{"cause missing after a changed payload", both(rewrite(241, func(e *Event) { e.Causation = "nobody" }), exec(flip(222))), ProblemHash},
		{"cause missing before a changed payload", both(rewrite(202, func(e *Event) { e.Causation = "nobody" }), exec(flip(333))), ProblemCause},
		{"chain re-hashed under an in-log anchor", rewrite(120, func(e *Event) { e.Payload = []byte(`{"n":0}`) }), ProblemAnchor},
		{"payload stored as text", exec(`UPDATE events SET payload = CAST(payload AS TEXT) WHERE seq = 90`), ""},
		{"payload stored as text, then a change", exec(`UPDATE events SET payload = CAST(payload AS TEXT) WHERE seq = 90`, flip(250)), ProblemHash},
		{"id stored as a blob", exec(`UPDATE events SET id = CAST(id AS BLOB) WHERE seq = 10`), ""},
		{"type stored as a number", exec(`UPDATE events SET type = 7 WHERE seq = 300`), ProblemHash},
	}
	defer func(old int64) { scanChunk = old }(scanChunk)
	for _, chunk := range []int64{testScanChunk, scanChunk} {
		scanChunk = chunk
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/ranges of %d", c.name, chunk), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), FileName)
				raw, err := os.ReadFile(base)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, raw, 0o600); err != nil {
					t.Fatal(err)
				}
				db, err := sql.Open("sqlite3", path)
				if err != nil {
					t.Fatal(err)
				}
				c.tamper(t, db, path)
				if err := db.Close(); err != nil {
					t.Fatal(err)
				}
				s, err := Open(path, Options{ReadOnly: true})
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				ctx := context.Background()
				cat := DefaultCatalogue()
				for _, fromSeq := range []int64{0, 5} {
					var from Checkpoint
					if fromSeq > 0 {
						e, err := s.Get(ctx, fromSeq)
						if err != nil {
							t.Fatal(err)
						}
						from = Checkpoint{Seq: e.Seq, Hash: e.Hash}
					}
					got, err := VerifyFrom(ctx, s, cat, from)
					if err != nil {
						t.Fatalf("VerifyFrom(%d): %v", fromSeq, err)
					}
					want, err := verifySequential(ctx, s, cat, from)
					if err != nil {
						t.Fatalf("verifySequential(%d): %v", fromSeq, err)
					}
					if got != want {
						t.Errorf("VerifyFrom(%d) = %+v\nthe sequential check gives %+v", fromSeq, got, want)
					}
					if fromSeq == 0 && got.Problem != c.want {
						t.Errorf("VerifyFrom(%d) found problem %q (%s), want %q", fromSeq, got.Problem, got.Detail, c.want)
					}
				}
			})
		}
	}
}

// TestReadChunks reads a log in many short ranges on two connections: every
// event comes once, in seq order, as Read gives it, the ones appended after
// the head was taken included.
func TestReadChunks(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	writeTestLog(t, path)
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var want []Event
	if err := s.Read(ctx, Query{AfterSeq: 3}, func(e Event) error { want = append(want, e); return nil }); err != nil {
		t.Fatal(err)
	}
	defer func(old int64) { scanChunk = old }(scanChunk)
	scanChunk = testScanChunk
	// A head below the real one stands for events appended meanwhile:
	// the last range reads on to the end.
	for _, head := range []int64{testLogEvents, testLogEvents - 50} {
		var got []Event
		if err := s.readChunks(ctx, 3, head, 2, func(evs []Event) error { got = append(got, evs...); return nil }); err != nil {
			t.Fatalf("readChunks(after 3, head %d): %v", head, err)
		}
		if len(got) != len(want) {
			t.Fatalf("readChunks(after 3, head %d) gave %d events, Read %d", head, len(got), len(want))
		}
		for i := range got {
			g, w := got[i], want[i]
			if g.Seq != w.Seq || g.ID != w.ID || !bytes.Equal(g.Payload, w.Payload) || !bytes.Equal(g.Hash, w.Hash) || !bytes.Equal(g.PrevHash, w.PrevHash) {
				t.Fatalf("readChunks event %d = seq %d %s, Read gives seq %d %s", i, g.Seq, g.ID, w.Seq, w.ID)
			}
		}
	}
	// An error from fn stops the reading and is returned.
	stop := errors.New("stop here")
	n := 0
	err = s.readChunks(ctx, 0, testLogEvents, 2, func(evs []Event) error {
		if n++; n == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("readChunks with fn failing at its 5th batch = %v, want that error", err)
	}
}
