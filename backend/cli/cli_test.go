package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/cli"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// dataDirWithLog runs a Studio that opens n folders, and returns its data dir.
func dataDirWithLog(tb testing.TB, n int) string {
	tb.Helper()
	dir := tb.TempDir()
	s := studio.New(studio.Config{DataDir: dir, PollInterval: time.Hour})
	if err := s.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if _, err := s.OpenFolder(studio.OpenFolderRequest{Path: tb.TempDir()}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.Close(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// eventCount is how many events a data dir's log holds (opening a folder
// also records its scan in the background, so the number varies).
func eventCount(tb testing.TB, dataDir string) int {
	tb.Helper()
	db, err := sql.Open("sqlite3", studio.LogPath(dataDir)+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM events`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func runVerb(verb func([]string, cli.IO) int, dataDir string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	env := map[string]string{"ICE_HOME": dataDir}
	code := verb(args, cli.IO{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }})
	return code, out.String(), errb.String()
}

func edit(tb testing.TB, dataDir, stmt string) {
	tb.Helper()
	db, err := sql.Open("sqlite3", studio.LogPath(dataDir))
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt); err != nil {
		tb.Fatal(err)
	}
}

func TestVerifyVerb(t *testing.T) {
	dir := dataDirWithLog(t, 3) // 3 opens + 3 closes, and the scans
	n := eventCount(t, dir)
	code, out, _ := runVerb(cli.Verify, dir)
	if code != cli.ExitOK || !strings.Contains(out, fmt.Sprintf(" %d events verified", n)) || n < 6 {
		t.Fatalf("verify = %d %q; want success over %d events", code, out, n)
	}
	edit(t, dir, `UPDATE events SET payload = CAST('{"reason":"forged"}' AS BLOB) WHERE seq = 4`)
	code, out, _ = runVerb(cli.Verify, dir)
	if code != cli.ExitFailed || !strings.Contains(out, "at seq 4") {
		t.Fatalf("verify after tampering = %d %q; want failure naming seq 4", code, out)
	}
	code, out, _ = runVerb(cli.Verify, dir, "--json")
	var rep struct {
		OK       bool  `json:"ok"`
		FirstBad int64 `json:"firstBad"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != cli.ExitFailed || rep.OK || rep.FirstBad != 4 {
		t.Fatalf("verify --json = %d %q (%v)", code, out, err)
	}
}

func TestReplayVerb(t *testing.T) {
	dir := dataDirWithLog(t, 2)
	if code, out, errs := runVerb(cli.Replay, dir, "--check"); code != cli.ExitOK || !strings.Contains(out, "identical") {
		t.Fatalf("replay --check = %d %q %q", code, out, errs)
	}
	edit(t, dir, `UPDATE p_workspaces SET name = 'renamed behind the log'`)
	code, out, _ := runVerb(cli.Replay, dir, "--check")
	if code != cli.ExitFailed || !strings.Contains(out, "p_workspaces") || !strings.Contains(out, "renamed behind the log") {
		t.Fatalf("replay --check after editing a projection = %d %q; want the difference reported", code, out)
	}
	if code, _, errs := runVerb(cli.Replay, dir); code != cli.ExitUsage || !strings.Contains(errs, "--check") {
		t.Fatalf("replay without --check = %d %q", code, errs)
	}
}

func TestEventsVerb(t *testing.T) {
	dir := dataDirWithLog(t, 2)
	// Opening also records the scan in the background: list the open/close events.
	code, out, _ := runVerb(cli.Events, dir, "--type", "workspace.opened,workspace.closed")
	if code != cli.ExitOK || strings.Count(out, "\n") != 4 || !strings.Contains(out, "workspace.opened") {
		t.Fatalf("events = %d %q; want 4 lines", code, out)
	}
	code, out, _ = runVerb(cli.Events, dir, "--type", "workspace.closed", "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != cli.ExitOK || len(lines) != 2 {
		t.Fatalf("events --type workspace.closed --json = %d %q", code, out)
	}
	var e struct {
		Type string `json:"type"`
		Hash string `json:"hash"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &e); err != nil || e.Type != "workspace.closed" || len(e.Hash) != 64 {
		t.Fatalf("events --json line = %q (%v)", lines[0], err)
	}
	n := eventCount(t, dir)
	code, out, _ = runVerb(cli.Events, dir, "--last", "1")
	if code != cli.ExitOK || strings.Count(out, "\n") != 1 || !strings.HasPrefix(strings.TrimSpace(out), fmt.Sprintf("%d ", n)) {
		t.Fatalf("events --last 1 = %d %q; want only seq %d", code, out, n)
	}
	if code, _, errs := runVerb(cli.Events, dir, "--type", "nope"); code != cli.ExitUsage || !strings.Contains(errs, "unknown event type") {
		t.Fatalf("events --type nope = %d %q", code, errs)
	}
}

func TestVerbsWithoutALog(t *testing.T) {
	empty := t.TempDir()
	for name, verb := range map[string]func([]string, cli.IO) int{"verify": cli.Verify, "events": cli.Events} {
		code, _, errs := runVerb(verb, empty)
		if code != cli.ExitFailed || !strings.Contains(errs, "no event log") {
			t.Errorf("%s without a log = %d %q", name, code, errs)
		}
	}
	if err := os.WriteFile(studio.LogPath(empty), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runVerb(cli.Verify, empty)
	if code != cli.ExitFailed || !strings.Contains(errs, "damaged") {
		t.Errorf("verify on a damaged log = %d %q", code, errs)
	}
}

func TestSearchVerb(t *testing.T) {
	dir := t.TempDir()
	for p, c := range map[string]string{
		"a.go": "package a\n// Needle here\n", "sub/b.txt": "no match\nneedle twice needle\n",
		".gitignore": "ignored/\n", "ignored/c.txt": "needle hidden\n",
	} {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) (int, string, string) {
		var out, errb strings.Builder
		code := cli.Search(args, cli.IO{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
		return code, out.String(), errb.String()
	}
	if code, out, _ := run("needle", dir); code != 0 || out != "a.go:2:// Needle here\nsub/b.txt:2:needle twice needle\n" {
		t.Errorf("search needle = %d %q", code, out)
	}
	if code, out, _ := run("--case", "--include", "*.go", "Needle", dir); code != 0 || out != "a.go:2:// Needle here\n" {
		t.Errorf("search --case --include = %d %q", code, out)
	}
	if code, out, _ := run("--regex", `^no\s`, dir); code != 0 || out != "sub/b.txt:1:no match\n" {
		t.Errorf("search --regex = %d %q", code, out)
	}
	if code, _, _ := run("absent", dir); code != 1 {
		t.Errorf("search with no match exited %d, want 1", code)
	}
	if code, _, errs := run("--regex", "a(", dir); code != 2 || !strings.Contains(errs, "invalid regular expression") {
		t.Errorf("bad regex: %d %q", code, errs)
	}
	if code, _, errs := run("x", filepath.Join(dir, "missing")); code != 2 || errs == "" {
		t.Errorf("missing folder: %d %q", code, errs)
	}
}
