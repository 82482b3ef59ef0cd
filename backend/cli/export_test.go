package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/cli"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// committedEdit makes a data dir whose log holds one committed edit run of
// a.txt, and returns the dir and the run id.
func committedEdit(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	s := studio.New(studio.Config{DataDir: dir, PollInterval: time.Hour})
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("one\ntwo\nthree\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: root})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.StartEditRun(studio.StartEditRunRequest{WorkspaceID: ws.ID, Path: "a.txt", Content: "one\n2\nthree\n"})
	if err != nil {
		t.Fatal(err)
	}
	if info, err := s.WaitRun(studio.RunRequest{ID: run.ID}); err != nil || info.State != kernel.StateValidated {
		t.Fatalf("run: %+v %v", info, err)
	}
	if _, err := s.ApproveRun(studio.RunRequest{ID: run.ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dir, run.ID
}

// TestExportVerb: `ice-studio export` prints a run's report (Markdown by
// default, by its short id), writes --out in the format of its extension,
// keeps an existing file unless --force, and says clearly what is wrong.
func TestExportVerb(t *testing.T) {
	dir, run := committedEdit(t)
	code, out, errOut := runVerb(cli.Export, dir, run[len(run)-8:])
	if code != cli.ExitOK {
		t.Fatalf("export = %d, %s", code, errOut)
	}
	for _, want := range []string{"# Run: Edit a\\.txt", "```diff\n--- a/a.txt\n+++ b/a.txt\n", "-two\n+2\n", "committed", "events verified: hash chain intact"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	file := filepath.Join(t.TempDir(), "report.html")
	if code, _, errOut := runVerb(cli.Export, dir, "--out", file, run); code != cli.ExitOK || !strings.Contains(errOut, "wrote the html report") {
		t.Fatalf("export --out = %d, %s", code, errOut)
	}
	html, _ := os.ReadFile(file)
	if !strings.HasPrefix(string(html), "<!DOCTYPE html>") || !strings.Contains(string(html), `<span class="del">-two</span>`) {
		t.Errorf("the html file:\n%.400s", html)
	}
	// An existing file is kept without --force, replaced with it.
	if code, _, errOut := runVerb(cli.Export, dir, "--format", "json", "--out", file, run); code != cli.ExitFailed || !strings.Contains(errOut, "exists; say --force") {
		t.Errorf("export over a file = %d, %s", code, errOut)
	}
	if code, _, errOut := runVerb(cli.Export, dir, "--format", "json", "--force", "--out", file, run); code != cli.ExitOK {
		t.Errorf("export --force = %d, %s", code, errOut)
	}
	if b, _ := os.ReadFile(file); !strings.Contains(string(b), `"schema": "ice-studio.report/1"`) {
		t.Errorf("--force did not replace the file: %.200s", b)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"no-such-run"}, cli.ExitFailed, "no run or thread no-such-run in the log"},
		{[]string{"abc"}, cli.ExitFailed, "at least 6 characters"},
		{[]string{"--format", "pdf", run}, cli.ExitUsage, `unknown format "pdf"`},
		{[]string{}, cli.ExitUsage, "say which run or thread"},
	} {
		if code, _, errOut := runVerb(cli.Export, dir, tc.args...); code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("export %q = %d %q, want %d %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
	// A tampered log: the report is still made, says so, and the exit code is 1.
	edit(t, dir, `UPDATE events SET payload = CAST('{"reason":"forged"}' AS BLOB) WHERE seq = 2`)
	code, out, errOut = runVerb(cli.Export, dir, run)
	if code != cli.ExitFailed || !strings.Contains(out, "TAMPERED OR DAMAGED at seq 2") || !strings.Contains(errOut, "does NOT verify") {
		t.Errorf("export of a tampered log = %d, %s\n%s", code, errOut, out)
	}
}
