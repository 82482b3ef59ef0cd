package eventlog_test

import (
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// copyLog copies a closed log (no -wal left) to a new folder.
func copyLog(tb testing.TB, path string) string {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	out := filepath.Join(tb.TempDir(), eventlog.FileName)
	if err := os.WriteFile(out, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return out
}

func compareFiles(tb testing.TB, local, replica string) eventlog.VerifyReport {
	tb.Helper()
	l, err := eventlog.Open(local, eventlog.Options{ReadOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	r, err := eventlog.Open(replica, eventlog.Options{ReadOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	rep, err := eventlog.CompareWith(context.Background(), l, r)
	if err != nil {
		tb.Fatalf("CompareWith: %v", err)
	}
	return rep
}

// TestCompareWithAReplica: a local log that extends its replica passes; a
// rewrite with the chain recomputed is found at its first changed seq, and
// a cut tail is reported as shorter than the replica.
func TestCompareWithAReplica(t *testing.T) {
	path := logWith(t, 40)
	replica := copyLog(t, path)
	if rep := compareFiles(t, path, replica); !rep.OK || rep.HeadSeq != 40 {
		t.Fatalf("identical logs: %+v", rep)
	}

	// The local log grows on after the replica's copy: still OK.
	longer := logWith(t, 60)
	shorter := copyLog(t, longer)
	tamper(t, shorter, `DELETE FROM events WHERE seq > 45`)
	if rep := compareFiles(t, longer, shorter); !rep.OK || rep.HeadSeq != 60 {
		t.Fatalf("local log extending the replica: %+v", rep)
	}

	// A rewrite at seq 17, re-hashed to the head: Verify passes, the
	// comparison does not.
	rehash(t, path, 17, `{"hash":"abc","path":"src/EVIL.go"}`)
	if rep := verifyFile(t, path); !rep.OK {
		t.Fatalf("the premise: Verify alone passes a re-hashed chain, got %+v", rep)
	}
	rep := compareFiles(t, path, replica)
	if rep.OK || rep.Problem != eventlog.ProblemAnchor || rep.FirstBad != 17 {
		t.Fatalf("re-hashed rewrite at 17 against the replica: %+v", rep)
	}

	// A cut tail.
	cut := logWith(t, 40)
	rcut := copyLog(t, cut)
	tamper(t, cut, `DELETE FROM events WHERE seq > 25`)
	rep = compareFiles(t, cut, rcut)
	if rep.OK || rep.Problem != eventlog.ProblemTruncated || rep.HeadSeq != 25 || rep.FirstBad != 26 {
		t.Fatalf("cut tail against the replica: %+v", rep)
	}

	// Cut and rewritten: the first difference is named.
	rehash(t, cut, 3, `{"hash":"abc","path":"src/EVIL.go"}`)
	rep = compareFiles(t, cut, rcut)
	if rep.OK || rep.Problem != eventlog.ProblemAnchor || rep.FirstBad != 3 {
		t.Fatalf("cut and rewritten against the replica: %+v", rep)
	}

	// An empty replica holds nothing to contradict.
	empty := filepath.Join(t.TempDir(), eventlog.FileName)
	s, err := eventlog.Open(empty, eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if rep := compareFiles(t, path, empty); !rep.OK {
		t.Fatalf("against an empty replica: %+v", rep)
	}
}

// TestVerifyChecksInLogAnchors: a log.anchored event names a position;
// Verify fails when the log no longer has that hash there.
func TestVerifyChecksInLogAnchors(t *testing.T) {
	path := logWith(t, 30)
	s, err := eventlog.Open(path, eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at, err := s.Get(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	g := eventlog.NewGate(s, eventlog.DefaultCatalogue())
	if _, err := g.Emit(ctx, eventlog.Draft{Stream: "log", Type: eventlog.LogAnchored, Origin: eventlog.OriginRuntime,
		Payload: eventlog.AnchoredPayload{Seq: 20, Hash: hex.EncodeToString(at.Hash), Replica: "file:///r"}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if rep := verifyFile(t, path); !rep.OK {
		t.Fatalf("intact log with an in-log anchor: %+v", rep)
	}
	rehash(t, path, 12, `{"hash":"abc","path":"src/EVIL.go"}`)
	rep := verifyFile(t, path)
	if rep.OK || rep.Problem != eventlog.ProblemAnchor || rep.FirstBad != 20 {
		t.Fatalf("rewrite under an in-log anchor: %+v", rep)
	}
}
