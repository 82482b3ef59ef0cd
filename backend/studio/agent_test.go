package studio

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/agent"
	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/internal/fakeollama"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/ollama"
)

// agentStudio opens a Studio whose Ollama is a scripted fake, with a
// workspace holding files; writes and commands are granted up front, so
// runs need no answers.
func agentStudio(t *testing.T, files map[string]string, grant bool) (*Studio, Workspace, string, *fakeollama.Server, *bus.Bus) {
	t.Helper()
	fake := fakeollama.Start(
		fakeollama.Model{Name: "tiny:latest", Digest: "sha256:tinydigest", Capabilities: []string{"completion", "tools"}},
		fakeollama.Model{Name: "plain:latest", Digest: "sha256:plaindigest", Capabilities: []string{"completion"}},
		fakeollama.Model{Name: "embed:latest", Digest: "sha256:embeddigest", Capabilities: []string{"embedding"}})
	t.Cleanup(fake.Close)
	u, _ := url.Parse(fake.URL)
	b := bus.New()
	s := New(Config{DataDir: t.TempDir(), Bus: b, Ollama: ollama.New(u, nil), PollInterval: time.Hour})
	must(t, s.Open(context.Background()))
	t.Cleanup(func() { closeStudio(t, s) })
	root, _ := filepath.EvalSymlinks(t.TempDir())
	writeFiles(t, root, files)
	ws, err := s.OpenFolder(OpenFolderRequest{Path: root})
	must(t, err)
	if grant {
		_, err = s.Grant(GrantRequest{WorkspaceID: ws.ID, Kind: capability.FSWrite, Scope: capability.Scope{Glob: "**"}, Reason: "test"})
		must(t, err)
		_, err = s.Grant(GrantRequest{WorkspaceID: ws.ID, Kind: capability.ShellExec, Scope: capability.Scope{Argv: []string{"cat"}}, Reason: "test"})
		must(t, err)
	}
	return s, ws, root, fake, b
}

func waitRun(t *testing.T, s *Studio, id string) kernel.RunInfo {
	t.Helper()
	info, err := s.WaitRun(RunRequest{ID: id})
	must(t, err)
	return info
}

// runEvents returns a run's events of the given types.
func runEvents(t *testing.T, s *Studio, run string, types ...string) []eventlog.Event {
	t.Helper()
	var out []eventlog.Event
	must(t, s.events.Read(context.Background(), eventlog.Query{Run: run, Types: types}, func(e eventlog.Event) error {
		out = append(out, e)
		return nil
	}))
	return out
}

func toolCalls(t *testing.T, s *Studio, run string) []agent.ToolCallPayload {
	t.Helper()
	var out []agent.ToolCallPayload
	for _, e := range runEvents(t, s, run, eventlog.InferenceToolCall) {
		var p agent.ToolCallPayload
		must(t, json.Unmarshal(e.Payload, &p))
		if e.Origin != "agent:agent" {
			t.Errorf("tool call origin %q, want agent:agent", e.Origin)
		}
		out = append(out, p)
	}
	return out
}

// TestAgentReadsEditsRunsAndStages: the scripted model lists, reads, makes
// a malformed call, edits, runs a command on the copy, and finishes. The
// staged diff is the edit, the disk is untouched, the command saw the
// staged version, and the malformed call was answered with a tool error.
func TestAgentReadsEditsRunsAndStages(t *testing.T) {
	s, ws, root, fake, b := agentStudio(t, map[string]string{"notes.txt": "hello world\nsecond line\n", "src/a.go": "package a\n"}, true)
	updates, unsub := b.Subscribe(4096)
	defer unsub()
	fake.Push(
		fakeollama.Reply{Chunks: []string{"Let me ", "look."}, Calls: []fakeollama.Call{{Name: "list_dir", Args: `{"path":"."}`}}},
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: "read_file", Args: `{"path":"notes.txt"}`}}},
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: "read_file", Args: `{"path":42}`}, {Name: "teleport", Args: `{}`}}},
		fakeollama.Reply{Chunks: []string{`{"name": "edit_file", "arguments": {"path": "notes.txt", `}}, // cut-off JSON in the text
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: "read_file", Args: `"{\"path\": "`}}},          // arguments that are not an object, on the wire
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: "edit_file", Args: `{"path":"notes.txt","old_text":"hello world","new_text":"hello agent"}`}}},
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: "run_command", Args: `{"command":"cat notes.txt"}`}}},
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: "search_text", Args: `{"query":"package"}`}}},
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: "propose_memory", Args: `{"content":"Greetings in notes.txt address the agent.","kind":"convention"}`},
			{Name: "propose_memory", Args: `{"content":"Greetings in notes.txt address the agent.","kind":"decision"}`}}},
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: "finish", Args: `{"summary":"Greeted the agent."}`}}},
	)
	run, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "Change the greeting", Model: "tiny",
		Options: RunOptions{Profile: capability.ProfileAgent}, Seed: ptr(7), Temperature: ptr(0.0)})
	must(t, err)
	if run.Model != "tiny" || run.Profile != capability.ProfileAgent {
		t.Errorf("started run: model %q, profile %q", run.Model, run.Profile)
	}
	info := waitRun(t, s, run.ID)
	if info.State != kernel.StateValidated || info.Model != "tiny" {
		t.Fatalf("run %s: %s (model %q)", info.State, info.Reason, info.Model)
	}
	d, err := s.GetRun(RunRequest{ID: run.ID})
	must(t, err)
	if len(d.Changes) != 1 || d.Changes[0].Path != "notes.txt" || d.Changes[0].Before != "hello world\nsecond line\n" || d.Changes[0].After != "hello agent\nsecond line\n" {
		t.Fatalf("staged = %+v", d.Changes)
	}
	if got := readDisk(t, filepath.Join(root, "notes.txt")); got != "hello world\nsecond line\n" {
		t.Fatalf("the disk changed before commit: %q", got)
	}
	calls := toolCalls(t, s, run.ID)
	want := []struct{ name, err, result string }{
		{"list_dir", "", "notes.txt (24 bytes)"},
		{"read_file", "", "1\thello world"},
		{"read_file", `the argument "path" of read_file must be a string, not a number`, ""},
		{"teleport", `there is no tool "teleport"`, ""},
		{"", "not valid JSON", ""},
		{"", "Ollama sent an answer that cannot be read", ""},
		{"edit_file", "", "staged the edit of notes.txt"},
		{"run_command", "", "exit code 0\nhello agent"},
		{"search_text", "", "src/a.go:1: package a"},
		{"propose_memory", "unknown kind", ""},
		{"propose_memory", "", "proposed for the user's review"},
		{"finish", "", "Greeted the agent."},
	}
	if len(calls) != len(want) {
		t.Fatalf("%d tool calls recorded, want %d: %+v", len(calls), len(want), calls)
	}
	for i, w := range want {
		c := calls[i]
		if c.Name != w.name || !strings.Contains(c.Error, w.err) || (w.err == "") != (c.Error == "") || !strings.Contains(c.Preview, w.result) {
			t.Errorf("call %d = %s err=%q preview=%q, want %s err~%q result~%q", i, c.Name, c.Error, c.Preview, w.name, w.err, w.result)
		}
	}
	// The kernel recorded the effects: reads, the staged write, the command.
	if n := len(runEvents(t, s, run.ID, eventlog.EffectFileStaged)); n != 1 {
		t.Errorf("%d effect.file_staged, want 1", n)
	}
	if n := len(runEvents(t, s, run.ID, eventlog.EffectCommandExecuted)); n != 1 {
		t.Errorf("%d effect.command_executed, want 1", n)
	}
	if n := len(runEvents(t, s, run.ID, eventlog.InferenceRequest)); n != 10 {
		t.Errorf("%d inference.request, want 10", n)
	}
	// The proposal waits in the review queue; nothing became a memory.
	props, err := s.MemoryProposals(WorkspaceRequest{WorkspaceID: ws.ID})
	must(t, err)
	if len(props) != 1 || props[0].Spec.Content != "Greetings in notes.txt address the agent." || props[0].Run != run.ID {
		t.Errorf("proposals = %+v", props)
	}
	// Live updates reached the bus: streamed text and tool results.
	var sawDelta, sawTool bool
	for len(updates) > 0 {
		m := <-updates
		if u, ok := m.Data.(agent.Update); ok && m.Name == bus.AgentUpdate && u.Run == run.ID {
			sawDelta = sawDelta || (u.Kind == "delta" && strings.Contains(u.Content, "look"))
			sawTool = sawTool || (u.Kind == "tool" && u.Tool == "edit_file")
		}
	}
	if !sawDelta || !sawTool {
		t.Errorf("bus updates: delta %v, tool %v", sawDelta, sawTool)
	}
	// Approve: the edit lands.
	if _, err := s.ApproveRun(RunRequest{ID: run.ID}); err != nil {
		t.Fatal(err)
	}
	if got := readDisk(t, filepath.Join(root, "notes.txt")); got != "hello agent\nsecond line\n" {
		t.Fatalf("after commit: %q", got)
	}
	checkAudit(t, s, run.ID, fake)
}

// checkAudit rebuilds every step's request from the log alone and
// compares it with what the fake server received.
func checkAudit(t *testing.T, s *Studio, run string, fake *fakeollama.Server) {
	t.Helper()
	got, _ := fake.Requests()
	reqs := runEvents(t, s, run, eventlog.InferenceRequest)
	if len(reqs) != len(got) {
		t.Fatalf("%d requests recorded, the server received %d", len(reqs), len(got))
	}
	for i, e := range reqs {
		var p agent.RequestPayload
		must(t, json.Unmarshal(e.Payload, &p))
		v, tools, err := RebuildRequest(context.Background(), s.events, p)
		must(t, err)
		recorded, _ := json.Marshal(api.ChatRequest{Model: v.Model, Messages: v.Messages, Tools: tools, Options: v.Options})
		sent, _ := json.Marshal(api.ChatRequest{Model: got[i].Model, Messages: got[i].Messages, Tools: got[i].Tools, Options: got[i].Options})
		if string(recorded) != string(sent) {
			t.Errorf("step %d: rebuilt from the log\n%s\nsent\n%s", p.Step, recorded, sent)
		}
		if p.Digest == "" {
			t.Errorf("step %d: no model digest recorded", p.Step)
		}
		view, err := s.GetInferenceRequest(InferenceStepRequest{Run: run, Step: p.Step})
		must(t, err)
		if len(view.Messages) != len(got[i].Messages) || !strings.Contains(view.JSON, `"messages"`) {
			t.Errorf("GetInferenceRequest step %d: %d messages", p.Step, len(view.Messages))
		}
	}
	tr, err := s.GetTranscript(RunRequest{ID: run})
	must(t, err)
	if len(tr.Steps) != len(got) || tr.EvalTokens == 0 {
		t.Errorf("transcript: %d steps, %d eval tokens", len(tr.Steps), tr.EvalTokens)
	}
}

func ptr[T any](v T) *T { return &v }

// TestAgentBudgetStopsALoopingModel: a model that keeps calling tools is
// ended by the step budget; the run is terminated with the reason.
func TestAgentBudgetStopsALoopingModel(t *testing.T) {
	s, ws, _, fake, _ := agentStudio(t, map[string]string{"a.txt": "a\n"}, true)
	for range 10 {
		fake.Push(fakeollama.Reply{Calls: []fakeollama.Call{{Name: "read_file", Args: `{"path":"a.txt"}`}}})
	}
	run, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "loop", Model: "tiny", MaxTurns: 4})
	must(t, err)
	info := waitRun(t, s, run.ID)
	if info.State != kernel.StateTerminated || !strings.Contains(info.Reason, "budget exceeded: more than 4 model steps") {
		t.Fatalf("run %s: %q", info.State, info.Reason)
	}
	// The token budget ends it too.
	run, err = s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "loop", Model: "tiny", MaxTokens: 25})
	must(t, err)
	info = waitRun(t, s, run.ID)
	if info.State != kernel.StateTerminated || !strings.Contains(info.Reason, "more than 25 tokens") {
		t.Fatalf("token budget: run %s: %q", info.State, info.Reason)
	}
}

// TestAgentModelFailures: a server error, a dropped stream and an unknown
// model end (or refuse) the run with a clear reason, and the step's
// failure is recorded.
func TestAgentModelFailures(t *testing.T) {
	s, ws, _, fake, _ := agentStudio(t, map[string]string{"a.txt": "a\n"}, true)
	if _, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "x", Model: "nope"}); !errors.Is(err, ollama.ErrModelMissing) {
		t.Fatalf("unknown model: %v", err)
	}
	if _, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "x", Model: "embed"}); err == nil || !strings.Contains(err.Error(), "embedding model") {
		t.Fatalf("embedding model: %v", err)
	}
	if _, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "  ", Model: "tiny"}); err == nil {
		t.Fatal("an empty task started a run")
	}
	for _, tc := range []struct {
		reply fakeollama.Reply
		want  string
	}{
		{fakeollama.Reply{Status: 500, Error: "llama runner process has terminated"}, "llama runner process has terminated"},
		{fakeollama.Reply{Chunks: []string{"par", "tial"}, Drop: true}, "ended before it was done"},
		{fakeollama.Reply{Chunks: []string{"par"}, StreamErr: "an error was encountered while running the model: unexpected EOF"}, "the Ollama server failed at http"},
	} {
		fake.Push(tc.reply)
		run, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "x", Model: "tiny"})
		must(t, err)
		info := waitRun(t, s, run.ID)
		if info.State != kernel.StateTerminated || info.Outcome != kernel.OutcomeAborted || !strings.Contains(info.Reason, tc.want) {
			t.Errorf("run %s/%s: %q, want aborted with %q", info.State, info.Outcome, info.Reason, tc.want)
		}
		resp := runEvents(t, s, run.ID, eventlog.InferenceResponse)
		var p agent.ResponsePayload
		if len(resp) != 1 || json.Unmarshal(resp[0].Payload, &p) != nil || !strings.Contains(p.Error, tc.want) {
			t.Errorf("the failed step is not recorded: %+v", resp)
		}
	}
}

// TestAgentStopMidStream: Stop (abort) while the model is streaming ends
// the run at once; nothing is staged.
func TestAgentStopMidStream(t *testing.T) {
	s, ws, _, fake, _ := agentStudio(t, map[string]string{"a.txt": "a\n"}, true)
	hold := make(chan struct{})
	defer close(hold)
	fake.Push(fakeollama.Reply{Hold: hold, Chunks: []string{"never"}})
	run, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "slow", Model: "tiny"})
	must(t, err)
	deadline := time.Now().Add(10 * time.Second)
	for len(runEvents(t, s, run.ID, eventlog.InferenceRequest)) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	info, err := s.AbortRun(AbortRunRequest{ID: run.ID, Reason: "stopped by the user"})
	must(t, err)
	if info.Outcome != kernel.OutcomeAborted || info.Reason != "stopped by the user" {
		t.Fatalf("after Stop: %+v", info)
	}
	if n := len(runEvents(t, s, run.ID, eventlog.EffectFileStaged)); n != 0 {
		t.Errorf("%d staged after Stop", n)
	}
}

// TestAgentChatOnlyAndProfiles: a model without tool support gets no tools
// and its answer ends the run; an ask-profile run is offered read tools
// only, and a write it tries anyway is refused by the kernel.
func TestAgentChatOnlyAndProfiles(t *testing.T) {
	s, ws, _, fake, _ := agentStudio(t, map[string]string{"a.txt": "a\n"}, true)
	fake.Push(fakeollama.Reply{Chunks: []string{"Just ", "words."}})
	run, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "explain", Model: "plain"})
	must(t, err)
	if info := waitRun(t, s, run.ID); info.State != kernel.StateValidated {
		t.Fatalf("chat-only run %s: %s", info.State, info.Reason)
	}
	reqs, _ := fake.Requests()
	if len(reqs) != 1 || len(reqs[0].Tools) != 0 {
		t.Fatalf("chat-only: %d requests, tools %v", len(reqs), reqs[0].Tools)
	}
	tr, err := s.GetTranscript(RunRequest{ID: run.ID})
	must(t, err)
	if len(tr.Steps) != 1 || tr.Steps[0].Content != "Just words." || !tr.Steps[0].ChatOnly {
		t.Fatalf("transcript = %+v", tr.Steps)
	}

	fake.Push(fakeollama.Reply{Calls: []fakeollama.Call{{Name: "write_file", Args: `{"path":"a.txt","content":"b"}`}}})
	run, err = s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "look only", Model: "tiny", Options: RunOptions{Profile: capability.ProfileAsk}})
	must(t, err)
	waitRun(t, s, run.ID)
	reqs, _ = fake.Requests()
	var names []string
	for _, tl := range reqs[1].Tools {
		names = append(names, tl.Function.Name)
	}
	if strings.Join(names, ",") != "list_dir,read_file,search_text,finish" {
		t.Errorf("ask profile offered %v", names)
	}
	calls := toolCalls(t, s, run.ID)
	if len(calls) != 1 || !strings.Contains(calls[0].Error, `no tool "write_file"`) {
		t.Errorf("write in an ask run: %+v", calls)
	}
}

func readDisk(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	return string(b)
}
