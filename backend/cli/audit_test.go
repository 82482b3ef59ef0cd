package cli_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/cli"
	"github.com/ice-studio/ice-studio/backend/internal/fakeollama"
	"github.com/ice-studio/ice-studio/backend/ollama"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// TestAuditVerb: `ice-studio audit RUN` prints what the model was sent and
// answered at every step, from the log alone (the fake server is gone by
// then), and --json gives the exact request bodies the server received.
func TestAuditVerb(t *testing.T) {
	fake := fakeollama.Start()
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
	fake.Push(fakeollama.Reply{Chunks: []string{"Reading."}, Calls: []fakeollama.Call{{Name: "read_file", Args: `{"path":"a.txt"}`}}},
		fakeollama.Reply{Chunks: []string{"It says alpha."}})
	run, err := s.StartAgentRun(studio.StartAgentRunRequest{WorkspaceID: ws.ID, Task: "What does a.txt say?", Model: "tiny"})
	if err != nil {
		t.Fatal(err)
	}
	if info, err := s.WaitRun(studio.RunRequest{ID: run.ID}); err != nil || info.State != "validated" {
		t.Fatalf("run: %+v %v", info, err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	sent, _ := fake.Requests()
	fake.Close()

	code, out, errOut := runVerb(cli.Audit, dir, run.ID)
	if code != cli.ExitOK {
		t.Fatalf("audit = %d, %s", code, errOut)
	}
	for _, want := range []string{"── step 1", "── step 2", "sha256:0a1b2c", "user               What does a.txt say?",
		"tool     read_file({\"path\":\"a.txt\"}) → 1\talpha", "tool read_file", "answer   It says alpha."} {
		if !strings.Contains(out, want) {
			t.Errorf("audit output lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = runVerb(cli.Audit, dir, "--json", "--step", "2", run.ID)
	if code != cli.ExitOK {
		t.Fatalf("audit --json = %d, %s", code, errOut)
	}
	var first struct {
		Request api.ChatRequest `json:"request"`
	}
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &first); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(first.Request.Messages)
	want, _ := json.Marshal(sent[1].Messages)
	if string(got) != string(want) {
		t.Errorf("step 2 rebuilt from the log:\n%s\nthe server received:\n%s", got, want)
	}
	if code, _, errOut := runVerb(cli.Audit, dir, "no-such-run"); code != cli.ExitFailed || !strings.Contains(errOut, "no run or thread no-such-run") {
		t.Errorf("unknown run: %d %s", code, errOut)
	}
	// The short id the UI shows (the id's end) names the run too.
	if code, out, errOut := runVerb(cli.Audit, dir, run.ID[len(run.ID)-8:]); code != cli.ExitOK || !strings.Contains(out, "── step 2") {
		t.Errorf("audit by short id = %d, %s%s", code, out, errOut)
	}
	if code, _, errOut := runVerb(cli.Audit, dir, run.ID[len(run.ID)-3:]); code != cli.ExitFailed {
		t.Errorf("audit by 3 characters = %d, %s", code, errOut)
	}
}

// TestAuditThread: a thread is audited turn by turn, by its short id.
func TestAuditThread(t *testing.T) {
	fake := fakeollama.Start()
	defer fake.Close()
	u, _ := url.Parse(fake.URL)
	dir := t.TempDir()
	s := studio.New(studio.Config{DataDir: dir, PollInterval: time.Hour, Ollama: ollama.New(u, nil)})
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	fake.Push(fakeollama.Reply{Chunks: []string{"First answer."}}, fakeollama.Reply{Chunks: []string{"Second answer."}})
	var thread string
	for _, text := range []string{"First question", "Second question"} {
		res, err := s.SendMessage(studio.SendMessageRequest{WorkspaceID: ws.ID, ThreadID: thread, Text: text, Agent: studio.AgentParams{Model: "tiny"}})
		if err != nil {
			t.Fatal(err)
		}
		thread = res.Thread.ID
		if _, err := s.WaitRun(studio.RunRequest{ID: res.Run.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runVerb(cli.Audit, dir, "…"+thread[len(thread)-8:]) // as the Studio shows it
	if code != cli.ExitOK {
		t.Fatalf("audit thread = %d, %s", code, errOut)
	}
	turn2 := out[strings.Index(out, "══ turn 2"):]
	for _, want := range []string{"thread " + thread + " · First question · 2 turns", "══ turn 1 (message)", "answer   First answer."} {
		if !strings.Contains(out, want) {
			t.Errorf("audit output lacks %q:\n%s", want, out)
		}
	}
	// Turn 2 was sent turn 1's messages and then its own.
	if !strings.Contains(turn2, "user               First question") || !strings.Contains(turn2, "assistant          First answer.") ||
		!strings.Contains(turn2, "user               Second question") {
		t.Errorf("turn 2 as audited:\n%s", turn2)
	}
}
