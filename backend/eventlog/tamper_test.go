package eventlog_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// logWith writes n valid events through the gate and returns the path.
func logWith(tb testing.TB, n int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), eventlog.FileName)
	s, err := eventlog.Open(path, eventlog.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	g := eventlog.NewGate(s, eventlog.DefaultCatalogue())
	var cause string
	for i := 0; i < n; i++ {
		d := eventlog.Draft{Stream: fmt.Sprintf("workspace/w%d", i%3), Type: eventlog.WorkspaceFileChanged,
			Origin: eventlog.OriginRuntime, Workspace: fmt.Sprintf("w%d", i%3), Causation: cause,
			Payload: map[string]any{"path": fmt.Sprintf("src/f%d.go", i), "hash": "abc"}}
		evs, err := g.Emit(context.Background(), d)
		if err != nil {
			tb.Fatal(err)
		}
		if i%4 == 0 {
			cause = evs[0].ID
		}
	}
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// tamper runs SQL against the log file directly, as an attacker with the file would.
func tamper(tb testing.TB, path string, stmts ...string) {
	tb.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			tb.Fatalf("tamper %q: %v", q, err)
		}
	}
}

func verifyFile(tb testing.TB, path string) eventlog.VerifyReport {
	tb.Helper()
	s, err := eventlog.Open(path, eventlog.Options{ReadOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	rep, err := eventlog.Verify(context.Background(), s, eventlog.DefaultCatalogue())
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

func TestVerifyIntactLog(t *testing.T) {
	rep := verifyFile(t, logWith(t, 30))
	if !rep.OK || rep.Checked != 30 || rep.FirstBad != 0 {
		t.Fatalf("Verify(intact) = %+v, want OK over 30 events", rep)
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	for _, tc := range []struct {
		name    string
		stmts   []string
		bad     int64
		problem string
	}{
		{"one payload byte changed", []string{
			`UPDATE events SET payload = CAST(replace(CAST(payload AS TEXT), 'f11.go', 'f11.gO') AS BLOB) WHERE seq = 12`}, 12, eventlog.ProblemHash},
		{"payload changed and hash recomputed badly", []string{
			`UPDATE events SET payload = CAST('{"hash":"abc","path":"evil"}' AS BLOB), hash = zeroblob(32) WHERE seq = 7`}, 7, eventlog.ProblemHash},
		{"type changed", []string{`UPDATE events SET type = 'workspace.opened' WHERE seq = 20`}, 20, eventlog.ProblemHash},
		{"origin changed", []string{`UPDATE events SET origin = 'user' WHERE seq = 3`}, 3, eventlog.ProblemHash},
		{"row deleted", []string{`DELETE FROM events WHERE seq = 15`}, 16, eventlog.ProblemSeqGap},
		{"first row deleted", []string{`DELETE FROM events WHERE seq = 1`}, 2, eventlog.ProblemSeqGap},
		{"two rows swapped", []string{
			`UPDATE events SET seq = -1 WHERE seq = 9`,
			`UPDATE events SET seq = 9 WHERE seq = 10`,
			`UPDATE events SET seq = 10 WHERE seq = -1`}, 9, eventlog.ProblemPrevHash},
		{"row deleted and later rows renumbered", []string{
			`DELETE FROM events WHERE seq = 25`,
			`UPDATE events SET seq = seq - 1 WHERE seq > 25`}, 25, eventlog.ProblemPrevHash},
		{"chain cut", []string{`UPDATE events SET prev_hash = zeroblob(32) WHERE seq = 5`}, 5, eventlog.ProblemPrevHash},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := logWith(t, 30)
			tamper(t, path, tc.stmts...)
			rep := verifyFile(t, path)
			if rep.OK || rep.FirstBad != tc.bad || rep.Problem != tc.problem {
				t.Fatalf("Verify = %+v; want first bad seq %d (%s)", rep, tc.bad, tc.problem)
			}
		})
	}
}

// A forger who recomputes every hash still cannot hide an event that breaks
// the catalogue or authority: verify checks those too.
func TestVerifyFindsAuthorityAndCatalogueViolations(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ev      eventlog.Event
		problem string
	}{
		{"agent asserts a lifecycle fact", eventlog.Event{ID: "x1", Stream: "run/r", Type: eventlog.RunCommitted, Origin: "agent:coder"}, eventlog.ProblemAuthority},
		{"user emits a lifecycle event", eventlog.Event{ID: "x2", Stream: "run/r", Type: eventlog.RunCreated, Origin: "user"}, eventlog.ProblemAuthority},
		{"unknown type", eventlog.Event{ID: "x3", Stream: "s", Type: "made.up", Origin: "runtime"}, eventlog.ProblemType},
		{"missing cause", eventlog.Event{ID: "x4", Stream: "s", Type: eventlog.WorkspaceScanned, Origin: "runtime", Causation: "ghost"}, eventlog.ProblemCause},
		{"non-canonical payload", eventlog.Event{ID: "x5", Stream: "s", Type: eventlog.WorkspaceScanned, Origin: "runtime", Payload: []byte(`{"b":1, "a":2}`)}, eventlog.ProblemPayload},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := logWith(t, 5)
			s, err := eventlog.Open(path, eventlog.Options{})
			if err != nil {
				t.Fatal(err)
			}
			// Appending below the gate, as a forger with write access to the file could.
			if _, err := s.Append(context.Background(), []eventlog.Event{tc.ev}); err != nil {
				t.Fatal(err)
			}
			_ = s.Close()
			rep := verifyFile(t, path)
			if rep.OK || rep.FirstBad != 6 || rep.Problem != tc.problem {
				t.Fatalf("Verify = %+v; want seq 6 flagged as %s", rep, tc.problem)
			}
		})
	}
}
