package cli_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/cli"
	"github.com/ice-studio/ice-studio/backend/internal/fakeollama"
	"github.com/ice-studio/ice-studio/backend/ollama"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// uiShortID is the run id as the Studio shows it (shortId in
// frontend/src/components/EventDetail.tsx): "…" and the id's last 8
// characters.
func uiShortID(id string) string {
	if len(id) <= 9 {
		return id
	}
	return "…" + id[len(id)-8:]
}

// TestAuditTakesTheShortIDTheUIShows: the run id copied from the run
// view's header ("run …1a2b3c4d") names the run, also when the "…" came
// through as three dots, and a prefix two runs share is refused clearly.
func TestAuditTakesTheShortIDTheUIShows(t *testing.T) {
	fake := fakeollama.Start()
	defer fake.Close()
	u, _ := url.Parse(fake.URL)
	dir := t.TempDir()
	s := studio.New(studio.Config{DataDir: dir, PollInterval: time.Hour, Ollama: ollama.New(u, nil)})
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("alpha\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: root})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, task := range []string{"First", "Second"} {
		fake.Push(fakeollama.Reply{Chunks: []string{task + " answer."}})
		run, err := s.StartAgentRun(studio.StartAgentRunRequest{WorkspaceID: ws.ID, Task: task, Model: "tiny"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.WaitRun(studio.RunRequest{ID: run.ID}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, run.ID)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	short := uiShortID(ids[0])
	for _, arg := range []string{short, " " + short + "\n", "run " + short, "..." + ids[0][len(ids[0])-8:], ids[0][len(ids[0])-8:], ids[0]} {
		code, out, errOut := runVerb(cli.Audit, dir, arg)
		if code != cli.ExitOK || !strings.Contains(out, "First answer.") || strings.Contains(out, "Second answer.") {
			t.Errorf("audit %q = %d, %s%s", arg, code, out, errOut)
		}
	}
	// UUIDv7 ids of runs started together share their start: a shared
	// prefix is refused with both ids, not taken as one of them.
	common := 0
	for common < len(ids[0]) && ids[0][common] == ids[1][common] {
		common++
	}
	if common >= 6 {
		code, _, errOut := runVerb(cli.Audit, dir, ids[0][:common])
		if code != cli.ExitFailed || !strings.Contains(errOut, "matches more than one id") {
			t.Errorf("audit of a shared prefix = %d, %s", code, errOut)
		}
	}
}
