package studio_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/studio"
)

// openAt opens a Studio on a data folder (closed at the end of the test).
func openAt(t *testing.T, data string) *studio.Studio {
	t.Helper()
	s := studio.New(studio.Config{DataDir: data})
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

func tamperLog(t *testing.T, data string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite3", studio.LogPath(data))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// seedRun leaves a log with one finished run in a folder, the Studio closed.
func seedRun(t *testing.T, data string) (dir string, runID string) {
	t.Helper()
	s := studio.New(studio.Config{DataDir: data})
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	dir = project(t)
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.StartReplaceRun(studio.StartReplaceRunRequest{WorkspaceID: ws.ID, Find: "nothing-matches-this", Replace: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitRun(studio.RunRequest{ID: run.ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dir, run.ID
}

func readOnlyNotice(s *studio.Studio) string {
	for _, n := range s.Notices() {
		if strings.Contains(n, "read-only") {
			return n
		}
	}
	return ""
}

// TestCutTailOpensReadOnly: the last events deleted while the Studio was
// closed. It used to open as if nothing happened and lose every new run
// (the projections' checkpoint lay beyond the new head); now it opens
// read-only, says so naming the position, refuses new runs with the
// reason, and still shows the runs it has.
func TestCutTailOpensReadOnly(t *testing.T) {
	data := t.TempDir()
	dir, old := seedRun(t, data)
	tamperLog(t, data, `DELETE FROM events WHERE seq > (SELECT MAX(seq) - 10 FROM events)`)
	s := openAt(t, data)
	n := readOnlyNotice(s)
	if n == "" || !strings.Contains(n, "seq") {
		t.Fatalf("no read-only notice naming the position: %q", s.Notices())
	}
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: dir})
	if err != nil {
		t.Fatalf("a read-only Studio still opens folders: %v", err)
	}
	if _, err := s.StartReplaceRun(studio.StartReplaceRunRequest{WorkspaceID: ws.ID, Find: "package main", Replace: "package app"}); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("a new run on a cut log: %v, want a refusal saying the log is read-only", err)
	}
	if _, err := s.GetRun(studio.RunRequest{ID: old}); err != nil {
		t.Fatalf("the run it had is lost: %v", err)
	}
	if info := s.Info(); info.ReadOnly == "" {
		t.Errorf("Info does not say read-only: %+v", info)
	}
}

// TestChangedEventOpensReadOnly: a flipped payload byte in what the last
// session appended, and a forged row, are found at start; a byte flipped
// in what an earlier start verified is found by the full verification
// that runs after start, which then keeps the log read-only.
func TestChangedEventOpensReadOnly(t *testing.T) {
	flip := func(where string) string {
		return `UPDATE events SET payload = CAST(REPLACE(CAST(payload AS TEXT), '"', ' "') AS BLOB) WHERE seq = ` + where
	}
	for name, c := range map[string]struct {
		stmt  string
		start bool // found by the start-up check (else by the full one after it)
	}{
		"flipped payload appended last session": {flip(`(SELECT MAX(seq) FROM events)`), true},
		"forged row": {`INSERT INTO events (seq, id, stream, version, type, schema, origin, at, payload, prev_hash, hash)
			SELECT MAX(seq) + 1, 'forged', 'x', 1, 'workspace.opened', 1, 'runtime', 0, CAST('{}' AS BLOB), X'00', X'00' FROM events`, true},
		"flipped payload verified before": {flip(`2`), false},
	} {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			dir, _ := seedRun(t, data)
			s := openAt(t, data)
			if readOnlyNotice(s) != "" {
				t.Fatalf("an intact log opened read-only: %q", s.Notices())
			}
			if _, err := s.OpenFolder(studio.OpenFolderRequest{Path: dir}); err != nil { // appends after the check
				t.Fatal(err)
			}
			s.Close(context.Background())
			tamperLog(t, data, c.stmt)
			s = openAt(t, data)
			if c.start {
				if n := readOnlyNotice(s); n == "" || !strings.Contains(n, "ice-studio verify") {
					t.Fatalf("no read-only notice at start: %q", s.Notices())
				}
				return
			}
			deadline := time.Now().Add(10 * time.Second)
			for s.Info().ReadOnly == "" {
				if time.Now().After(deadline) {
					t.Fatalf("the full verification after start did not keep the log read-only: %q", s.Notices())
				}
				time.Sleep(10 * time.Millisecond)
			}
			if n := readOnlyNotice(s); !strings.Contains(n, "at seq 2") {
				t.Fatalf("notice: %q", n)
			}
		})
	}
}
