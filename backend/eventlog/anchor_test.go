package eventlog_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// rehash rewrites one event's payload and recomputes every hash from it
// to the head, as a process running as the user can: Verify alone then
// passes.
func rehash(tb testing.TB, path string, seq int64, payload string) {
	tb.Helper()
	s, err := eventlog.Open(path, eventlog.Options{ReadOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	var evs []eventlog.Event
	if err := s.Read(context.Background(), eventlog.Query{}, func(e eventlog.Event) error { evs = append(evs, e); return nil }); err != nil {
		tb.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var prev []byte
	for i := range evs {
		e := &evs[i]
		if e.Seq == seq {
			e.Payload = []byte(payload)
		}
		if e.Seq >= seq {
			e.PrevHash = prev
			e.Hash = eventlog.ComputeHash(e)
			if _, err := db.Exec(`UPDATE events SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?`, e.Payload, e.PrevHash, e.Hash, e.Seq); err != nil {
				tb.Fatal(err)
			}
		}
		prev = e.Hash
	}
}

func headOf(tb testing.TB, path string) eventlog.Checkpoint {
	tb.Helper()
	s, err := eventlog.Open(path, eventlog.Options{ReadOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	seq, hash, err := s.Head(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return eventlog.Checkpoint{Seq: seq, Hash: hash}
}

func anchorReport(tb testing.TB, path string, a eventlog.Checkpoint) eventlog.VerifyReport {
	tb.Helper()
	s, err := eventlog.Open(path, eventlog.Options{ReadOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	rep, err := eventlog.CheckAnchor(context.Background(), s, a)
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

// TestAnchorCatchesARehashedChainAndACutTail: the two tampers Verify
// cannot see — a payload rewritten with the chain recomputed, and the last
// events deleted — are caught against an anchor kept outside the log.
func TestAnchorCatchesARehashedChainAndACutTail(t *testing.T) {
	path := logWith(t, 40)
	anchor := headOf(t, path)
	if rep := anchorReport(t, path, anchor); !rep.OK {
		t.Fatalf("intact log against its own head: %+v", rep)
	}
	if c, err := eventlog.ParseCheckpoint(anchor.String()); err != nil || c.Seq != anchor.Seq || string(c.Hash) != string(anchor.Hash) {
		t.Fatalf("ParseCheckpoint(%s) = %+v, %v", anchor, c, err)
	}

	rehash(t, path, 12, `{"hash":"abc","path":"src/EVIL.go"}`)
	if rep := verifyFile(t, path); !rep.OK {
		t.Fatalf("the premise: Verify alone passes a re-hashed chain, got %+v", rep)
	}
	rep := anchorReport(t, path, anchor)
	if rep.OK || rep.Problem != eventlog.ProblemAnchor || rep.FirstBad != anchor.Seq {
		t.Fatalf("re-hashed chain against the anchor: %+v", rep)
	}

	cut := logWith(t, 40)
	anchor = headOf(t, cut)
	tamper(t, cut, `DELETE FROM events WHERE seq > 30`)
	if rep := verifyFile(t, cut); !rep.OK {
		t.Fatalf("the premise: Verify alone passes a cut tail, got %+v", rep)
	}
	rep = anchorReport(t, cut, anchor)
	if rep.OK || rep.Problem != eventlog.ProblemTruncated || rep.HeadSeq != 30 {
		t.Fatalf("cut tail against the anchor: %+v", rep)
	}
	for _, bad := range []string{"", "12", "x:ab", "12:zz", "0:" + anchor.String()[3:], "12:abcd"} {
		if _, err := eventlog.ParseCheckpoint(bad); err == nil {
			t.Errorf("ParseCheckpoint(%q) accepted", bad)
		}
	}
}

// TestVerifyFromACheckpoint: only what came after a verified position is
// read, the chain continuing from its hash; a change after it is found,
// and so is a rewrite reaching back to it.
func TestVerifyFromACheckpoint(t *testing.T) {
	path := logWith(t, 50)
	s, err := eventlog.Open(path, eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mid, err := s.Get(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	cp := eventlog.Checkpoint{Seq: 20, Hash: mid.Hash}
	must(t, s.SetVerified(ctx, cp))
	got, err := s.Verified(ctx)
	if err != nil || got.Seq != 20 {
		t.Fatalf("Verified = %+v, %v", got, err)
	}
	rep, err := eventlog.VerifyFrom(ctx, s, eventlog.DefaultCatalogue(), cp)
	if err != nil || !rep.OK || rep.Checked != 30 || rep.HeadSeq != 50 {
		t.Fatalf("VerifyFrom(20) of an intact log: %+v, %v", rep, err)
	}
	s.Close()

	tamper(t, path, `UPDATE events SET payload = CAST('{"hash":"abc","path":"x"}' AS BLOB) WHERE seq = 33`)
	s, _ = eventlog.Open(path, eventlog.Options{ReadOnly: true})
	rep, _ = eventlog.VerifyFrom(ctx, s, eventlog.DefaultCatalogue(), cp)
	s.Close()
	if rep.OK || rep.FirstBad != 33 {
		t.Fatalf("a change after the checkpoint: %+v", rep)
	}

	path = logWith(t, 50)
	s, _ = eventlog.Open(path, eventlog.Options{ReadOnly: true})
	mid, _ = s.Get(ctx, 20)
	s.Close()
	cp = eventlog.Checkpoint{Seq: 20, Hash: mid.Hash}
	rehash(t, path, 5, `{"hash":"abc","path":"src/EVIL.go"}`)
	s, _ = eventlog.Open(path, eventlog.Options{ReadOnly: true})
	rep, _ = eventlog.VerifyFrom(ctx, s, eventlog.DefaultCatalogue(), cp)
	s.Close()
	if rep.OK || rep.Problem != eventlog.ProblemAnchor || rep.FirstBad != 20 {
		t.Fatalf("a re-hashed rewrite before the checkpoint: %+v", rep)
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
