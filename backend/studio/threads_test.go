package studio

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/agent"
	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/internal/fakeollama"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/ollama"
	"github.com/ice-studio/ice-studio/backend/projection"
)

// send sends a message and waits for its turn to settle.
func send(t *testing.T, s *Studio, req SendMessageRequest) SendResult {
	t.Helper()
	if req.Agent.Model == "" {
		req.Agent.Model = "tiny"
	}
	res, err := s.SendMessage(req)
	must(t, err)
	res.Run = waitRun(t, s, res.Run.ID)
	return res
}

// requestsOf rebuilds every inference.request of a run from the log.
func requestsOf(t *testing.T, s *Studio, run string) ([]agent.RequestPayload, []api.ChatRequest) {
	t.Helper()
	var ps []agent.RequestPayload
	var reqs []api.ChatRequest
	for _, e := range runEvents(t, s, run, eventlog.InferenceRequest) {
		var p agent.RequestPayload
		must(t, json.Unmarshal(e.Payload, &p))
		v, tools, err := RebuildRequest(context.Background(), s.events, p)
		must(t, err)
		stream := true
		ps = append(ps, p)
		reqs = append(reqs, api.ChatRequest{Model: v.Model, Messages: v.Messages, Tools: tools, Options: v.Options, Stream: &stream})
	}
	return ps, reqs
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	must(t, err)
	return string(b)
}

// sameAsSent checks that the requests the log records are exactly the
// last ones the server received, in order.
func sameAsSent(t *testing.T, fake *fakeollama.Server, logged []api.ChatRequest) {
	t.Helper()
	_, bodies := fake.Requests()
	if len(logged) == 0 || len(logged) > len(bodies) {
		t.Fatalf("%d requests logged, %d received", len(logged), len(bodies))
	}
	bodies = bodies[len(bodies)-len(logged):]
	for i, l := range logged {
		// Byte for byte: the body rebuilt from the log is the one sent.
		if a, b := strings.TrimSpace(string(bodies[i])), asJSON(t, l); a != b {
			t.Fatalf("request %d: the log rebuilds\n%s\nthe server received\n%s", i, b, a)
		}
	}
}

// TestConversationFollowUp: a follow-up's request carries the earlier
// turn exactly as the log has it, the rules file is read at each turn
// (a change between turns is picked up with its new hash), and the turn
// records which messages it carries.
func TestConversationFollowUp(t *testing.T) {
	s, ws, root, fake, _ := agentStudio(t, map[string]string{"a.txt": "alpha\n", "AGENTS.md": "Rule one: be brief.\n"}, false)
	fake.Push(fakeollama.Reply{Calls: []fakeollama.Call{{Name: "read_file", Args: `{"path":"a.txt"}`}}},
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: "finish", Args: `{"summary":"a.txt says alpha"}`}}})
	first := send(t, s, SendMessageRequest{WorkspaceID: ws.ID, Text: "What is in a.txt?"})
	if first.Run.State != kernel.StateValidated || first.Turn != 1 || first.Thread.Title != "What is in a.txt?" {
		t.Fatalf("turn 1: %+v", first)
	}
	writeFiles(t, root, map[string]string{"AGENTS.md": "Rule two: answer in French.\n"})
	fake.Push(fakeollama.Reply{Chunks: []string{"Il dit alpha."}})
	second := send(t, s, SendMessageRequest{ThreadID: first.Thread.ID, Text: "And in French?"})
	if second.Run.State != kernel.StateValidated || second.Turn != 2 || second.Thread.ID != first.Thread.ID {
		t.Fatalf("turn 2: %+v", second)
	}
	_, r1 := requestsOf(t, s, first.Run.ID)
	p2, r2 := requestsOf(t, s, second.Run.ID)
	sameAsSent(t, fake, r2)
	// Turn 1 ended: its last request, the answer (finish) and the result.
	want := append([]api.Message(nil), r1[len(r1)-1].Messages[1:]...)
	want = append(want, api.Message{Role: "assistant", ToolCalls: []api.ToolCall{{Function: api.ToolCallFunction{Index: 0, Name: "finish",
		Arguments: mustArgs(t, `{"summary":"a.txt says alpha"}`)}}}}, api.Message{Role: "tool", Content: "a.txt says alpha", ToolName: "finish"})
	got := r2[0].Messages
	if a, b := asJSON(t, got[1:len(got)-1]), asJSON(t, want); a != b {
		t.Fatalf("turn 2 carries\n%s\nwant\n%s", a, b)
	}
	if last := got[len(got)-1]; last.Role != "user" || last.Content != "And in French?" {
		t.Fatalf("turn 2's message: %+v", last)
	}
	if !strings.Contains(got[1].Content, "What is in a.txt?") || !strings.Contains(asJSON(t, got), "alpha") {
		t.Fatalf("turn 1's task and result are not in turn 2's request: %s", asJSON(t, got))
	}
	// The rules: turn 1 had rule one, turn 2 rule two, each with its hash.
	if !strings.Contains(r1[0].Messages[0].Content, "Rule one") || !strings.Contains(got[0].Content, "Rule two") || strings.Contains(got[0].Content, "Rule one") {
		t.Fatalf("system prompts: %q / %q", r1[0].Messages[0].Content, got[0].Content)
	}
	var cp1, cp2 kernel.ContextPayload
	must(t, json.Unmarshal(runEvents(t, s, first.Run.ID, eventlog.RunContextResolved)[0].Payload, &cp1))
	must(t, json.Unmarshal(runEvents(t, s, second.Run.ID, eventlog.RunContextResolved)[0].Payload, &cp2))
	if len(cp1.Rules) != 1 || len(cp2.Rules) != 1 || cp1.Rules[0].Hash == cp2.Rules[0].Hash ||
		cp2.Rules[0].Hash != eventlog.BlobAddress([]byte("Rule two: answer in French.\n")) {
		t.Fatalf("rules recorded: %+v / %+v", cp1.Rules, cp2.Rules)
	}
	if cp2.Thread != first.Thread.ID || cp2.Turn != 2 || len(cp2.History) != len(got)-2 {
		t.Fatalf("turn 2's context: %+v (request of %d messages)", cp2, len(got))
	}
	for i, a := range cp2.History {
		b, _ := json.Marshal(got[1+i])
		if eventlog.BlobAddress(b) != a {
			t.Fatalf("history %d is %s, the request sent %s", i, a, b)
		}
	}
	if p2[0].Window == 0 || p2[0].Estimate == 0 || p2[0].Options["num_ctx"] == nil {
		t.Fatalf("the request's window: %+v", p2[0])
	}
	v, err := s.GetThread(ThreadRequest{ID: short(first.Thread.ID)})
	must(t, err)
	if len(v.Turns) != 2 || v.Turns[1].History != len(cp2.History) || len(v.Turns[1].Rules) != 1 || v.Busy {
		t.Fatalf("thread view: %+v", v)
	}
	list, err := s.ListThreads(ListThreadsRequest{WorkspaceID: ws.ID})
	must(t, err)
	if len(list) != 1 || list[0].Turns != 2 || list[0].Last != kernel.StateValidated {
		t.Fatalf("threads: %+v", list)
	}
	// Rename and delete (hide): the log keeps it.
	_, err = s.RenameThread(RenameThreadRequest{ID: first.Thread.ID, Title: "alpha"})
	must(t, err)
	_, err = s.DeleteThread(ThreadRequest{ID: first.Thread.ID})
	must(t, err)
	if list, _ = s.ListThreads(ListThreadsRequest{WorkspaceID: ws.ID}); len(list) != 0 {
		t.Fatalf("a deleted thread is listed: %+v", list)
	}
	if list, _ = s.ListThreads(ListThreadsRequest{WorkspaceID: ws.ID, Hidden: true}); len(list) != 1 || list[0].Title != "alpha" || !list[0].Hidden {
		t.Fatalf("hidden threads: %+v", list)
	}
}

func mustArgs(t *testing.T, s string) api.ToolCallFunctionArguments {
	t.Helper()
	var a api.ToolCallFunctionArguments
	must(t, json.Unmarshal([]byte(s), &a))
	return a
}

// conversation runs three turns (two messages and a follow-up) in a new
// studio on dataDir and returns the third turn's first request. With
// restart, the Studio is closed and opened again before the third.
func conversation(t *testing.T, dataDir, root string, fake *fakeollama.Server, restart bool) api.ChatRequest {
	t.Helper()
	open := func() (*Studio, Workspace) {
		s := New(Config{DataDir: dataDir, Ollama: ollamaFor(t, fake), PollInterval: time.Hour})
		must(t, s.Open(context.Background()))
		ws, err := s.OpenFolder(OpenFolderRequest{Path: root})
		must(t, err)
		return s, ws
	}
	s, ws := open()
	fake.Push(fakeollama.Reply{Calls: []fakeollama.Call{{Name: "read_file", Args: `{"path":"a.txt"}`}}}, fakeollama.Reply{Chunks: []string{"It says alpha."}})
	one := send(t, s, SendMessageRequest{WorkspaceID: ws.ID, Text: "Read a.txt"})
	fake.Push(fakeollama.Reply{Calls: []fakeollama.Call{{Name: "list_dir", Args: `{"path":"."}`}}}, fakeollama.Reply{Chunks: []string{"Two files."}})
	send(t, s, SendMessageRequest{ThreadID: one.Thread.ID, Text: "List the folder"})
	if restart {
		closeStudio(t, s)
		s, _ = open()
	}
	defer closeStudio(t, s)
	fake.Push(fakeollama.Reply{Chunks: []string{"Bye."}})
	three := send(t, s, SendMessageRequest{ThreadID: one.Thread.ID, Text: "Thanks"})
	_, reqs := requestsOf(t, s, three.Run.ID)
	if three.Turn != 3 || len(reqs) != 1 {
		t.Fatalf("turn 3: %+v, %d requests", three, len(reqs))
	}
	return reqs[0]
}

// TestConversationResumesAfterRestart: after a restart the thread goes
// on, and the next request is exactly the one a Studio that never
// stopped sends.
func TestConversationResumesAfterRestart(t *testing.T) {
	fake := fakeollama.Start(fakeollama.Model{Name: "tiny:latest", Digest: "sha256:tinydigest", Capabilities: []string{"completion", "tools"}})
	t.Cleanup(fake.Close)
	root, _ := filepath.EvalSymlinks(t.TempDir())
	writeFiles(t, root, map[string]string{"a.txt": "alpha\n", "b.txt": "beta\n"})
	never := conversation(t, t.TempDir(), root, fake, false)
	restarted := conversation(t, t.TempDir(), root, fake, true)
	if a, b := asJSON(t, restarted), asJSON(t, never); a != b {
		t.Fatalf("after a restart the Studio sent\n%s\nwithout one\n%s", a, b)
	}
	if n := len(never.Messages); n != 1+4+4+1 { // system; turn 1: task, call, result, answer; turn 2 likewise; the message
		t.Fatalf("%d messages: %s", n, asJSON(t, never.Messages))
	}
}

// TestContextWindowManaged: a long run against a server that enforces
// num_ctx as Ollama does. Left to the server, the task is lost; managed
// by the runtime, every request fits, keeps the task and the rules, and
// the log (with its trim and compaction events) rebuilds exactly what
// was sent.
func TestContextWindowManaged(t *testing.T) {
	var big strings.Builder
	for i := 0; big.Len() < 3000; i++ {
		fmt.Fprintf(&big, "line %d of the big file: some words to read and keep in mind\n", i)
	}
	s, ws, _, fake, _ := agentStudio(t, map[string]string{"big.txt": big.String(), "AGENTS.md": "RULE-MARKER: keep every answer short.\n"}, false)
	fake.EnforceContext(4)
	const steps = 30
	script := func() {
		for range steps {
			fake.Push(fakeollama.Reply{Calls: []fakeollama.Call{{Name: "read_file", Args: `{"path":"big.txt"}`}}})
		}
		fake.Push(fakeollama.Reply{Calls: []fakeollama.Call{{Name: "finish", Args: `{"summary":"read it"}`}}})
	}
	task := "TASK-MARKER: read big.txt again and again"
	params := AgentParams{Model: "tiny", NumCtx: 2048, MaxTurns: steps + 5, Options: RunOptions{Profile: capability.ProfileAsk}}

	// Left to the server: it drops the oldest messages, the task first.
	script()
	before := len(fake.Seen())
	unmanaged := params
	unmanaged.Unmanaged = true
	lost := send(t, s, SendMessageRequest{WorkspaceID: ws.ID, Text: task, Agent: unmanaged})
	taskLost := false
	for _, sn := range fake.Seen()[before:] {
		if !strings.Contains(asJSON(t, sn.Messages), "TASK-MARKER") {
			taskLost = true
		}
	}
	if !taskLost {
		t.Fatal("without the runtime's management the server never lost the task: the test shows nothing")
	}
	if n := len(runEvents(t, s, lost.Run.ID, eventlog.InferenceTruncated)); n == 0 {
		t.Fatal("the server cut requests and no inference.truncated was recorded")
	}

	// Managed: every request fits.
	script()
	before = len(fake.Seen())
	kept := send(t, s, SendMessageRequest{WorkspaceID: ws.ID, Text: task, Agent: params})
	if kept.Run.State != kernel.StateValidated {
		t.Fatalf("managed run: %s (%s)", kept.Run.State, kept.Run.Reason)
	}
	seen := fake.Seen()[before:]
	if len(seen) < steps+1 {
		t.Fatalf("%d requests seen", len(seen))
	}
	for i, sn := range seen {
		if sn.Dropped > 0 || sn.Truncated || sn.TokensAfter > sn.NumCtx {
			t.Fatalf("request %d was cut by the server: %+v", i, sn)
		}
		if sn.NumCtx != 2048 {
			t.Fatalf("request %d: num_ctx %d", i, sn.NumCtx)
		}
	}
	ps, reqs := requestsOf(t, s, kept.Run.ID)
	sameAsSent(t, fake, reqs)
	work := 0
	for i, r := range reqs {
		if ps[i].Purpose != "" {
			continue
		}
		work++
		all := asJSON(t, r.Messages)
		if !strings.Contains(r.Messages[0].Content, "RULE-MARKER") || !strings.Contains(all, "TASK-MARKER") {
			t.Fatalf("step %d lost the rules or the task: %s", ps[i].Step, all)
		}
	}
	if work != steps+1 {
		t.Fatalf("%d work steps", work)
	}
	if n := len(runEvents(t, s, kept.Run.ID, eventlog.InferenceTruncated)); n != 0 {
		t.Fatalf("%d truncations in a managed run", n)
	}
	trims := runEvents(t, s, kept.Run.ID, eventlog.ContextTrimmed)
	compactions := runEvents(t, s, kept.Run.ID, eventlog.ContextCompacted)
	if len(trims) == 0 || len(compactions) == 0 {
		t.Fatalf("%d trims and %d compactions: the run should have needed both", len(trims), len(compactions))
	}
	// Each compaction names a recorded summary step and its summary is in
	// the next request.
	for _, e := range compactions {
		var p kernel.CompactPayload
		must(t, json.Unmarshal(e.Payload, &p))
		found := false
		for i, rp := range ps {
			if rp.Step == p.SummaryStep && rp.Purpose == "compact" {
				found = true
			}
			if rp.Step == p.Step && rp.Purpose == "" {
				if rp.Messages[p.At] != p.Summary || !strings.Contains(reqs[i].Messages[p.At].Content, fakeollama.SummaryText) {
					t.Fatalf("step %d: message %d is not the summary %s", rp.Step, p.At, p.Summary)
				}
			}
		}
		if !found || len(p.Replaced) == 0 {
			t.Fatalf("compaction %+v: no summary step", p)
		}
	}
	tr, err := s.GetTranscript(RunRequest{ID: kept.Run.ID})
	must(t, err)
	if len(tr.Notices) != len(trims)+len(compactions) {
		t.Fatalf("transcript notices: %+v", tr.Notices)
	}
}

// TestMentionsAndSelection: @-files are read through the kernel and
// recorded with their hashes; an @-file that leads outside the workspace
// is refused, recorded, and the turn says why.
func TestMentionsAndSelection(t *testing.T) {
	s, ws, root, fake, _ := agentStudio(t, map[string]string{"src/a.go": "package a\n", "src/AGENTS.md": "Go rules.\n"}, false)
	outside := filepath.Join(t.TempDir(), "secret.txt")
	must(t, os.WriteFile(outside, []byte("top secret\n"), 0o644))
	must(t, os.Symlink(outside, filepath.Join(root, "link.txt")))
	fake.Push(fakeollama.Reply{Chunks: []string{"Seen."}})
	ok := send(t, s, SendMessageRequest{WorkspaceID: ws.ID, Text: "Explain", Mentions: []string{"@src/a.go", "src"},
		Selection: &SelectionRequest{Path: "src/a.go", StartLine: 1, EndLine: 1, Text: "package a"}})
	if ok.Run.State != kernel.StateValidated {
		t.Fatalf("run: %+v", ok.Run)
	}
	_, reqs := requestsOf(t, s, ok.Run.ID)
	msg := reqs[0].Messages[len(reqs[0].Messages)-1].Content
	if !strings.Contains(msg, "@src/a.go:\n```\npackage a\n```") || !strings.Contains(msg, "Selected in src/a.go, lines 1–1") ||
		!strings.Contains(msg, "@src/ (a folder):\n```\na.go (10 bytes)\nAGENTS.md (10 bytes)\n```") {
		t.Fatalf("the message: %q", msg)
	}
	if !strings.Contains(reqs[0].Messages[0].Content, "Go rules.") {
		t.Fatalf("the rules of src/ are not in the system prompt: %q", reqs[0].Messages[0].Content)
	}
	v, err := s.GetThread(ThreadRequest{ID: ok.Thread.ID})
	must(t, err)
	tu := v.Turns[0]
	if len(tu.Files) != 2 || !tu.Files[1].Folder || tu.Files[0].Hash != eventlog.BlobAddress([]byte("package a\n")) || tu.Selection == nil || len(tu.Rules) != 1 || tu.Rules[0].Path != "src/AGENTS.md" {
		t.Fatalf("turn: %+v", tu)
	}

	res, err := s.SendMessage(SendMessageRequest{ThreadID: ok.Thread.ID, Text: "And this?", Mentions: []string{"link.txt"}, Agent: AgentParams{Model: "tiny"}})
	must(t, err) // the turn is recorded: it says why it could not start
	info := waitRun(t, s, res.Run.ID)
	if res.Turn != 2 || res.Run.Outcome != kernel.OutcomeAborted || info.Outcome != kernel.OutcomeAborted ||
		!strings.Contains(info.Reason, "link.txt") || !strings.Contains(info.Reason, "outside the workspace") {
		t.Fatalf("the refused turn: %+v / %+v", res, info)
	}
	denied := runEvents(t, s, res.Run.ID, eventlog.CapabilityDenied)
	if len(denied) != 1 || !strings.Contains(string(denied[0].Payload), "outside") {
		t.Fatalf("denials: %v", denied)
	}
	if v, _ = s.GetThread(ThreadRequest{ID: ok.Thread.ID}); len(v.Turns) != 2 || !v.Turns[1].Retryable {
		t.Fatalf("the refused turn is not in the thread: %+v", v.Turns)
	}
}

// TestDenyWithReason: the model is told why the user refused.
func TestDenyWithReason(t *testing.T) {
	s, ws, _, fake, _ := agentStudio(t, map[string]string{"a.txt": "a\n"}, false)
	fake.Push(fakeollama.Reply{Calls: []fakeollama.Call{{Name: "write_file", Args: `{"path":"a.txt","content":"b\n"}`}}},
		fakeollama.Reply{Chunks: []string{"OK, I will not."}})
	res, err := s.SendMessage(SendMessageRequest{WorkspaceID: ws.ID, Text: "Change a.txt", Agent: AgentParams{Model: "tiny"}})
	must(t, err)
	var ask kernel.Ask
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if asks := s.kernel.Asks(ws.ID); len(asks) > 0 {
			ask = asks[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no approval card")
		}
	}
	must(t, s.AnswerCapability(AnswerRequest{RequestID: ask.ID, Choice: kernel.ChoiceDeny, Reason: "keep a.txt as it is"}))
	waitRun(t, s, res.Run.ID)
	got, _ := fake.Requests()
	last := got[len(got)-1].Messages
	tool := last[len(last)-1]
	if tool.Role != "tool" || !strings.Contains(tool.Content, "keep a.txt as it is") {
		t.Fatalf("the model was told %q", tool.Content)
	}
	refused := runEvents(t, s, res.Run.ID, eventlog.CapabilityRefused)
	if len(refused) != 1 || !strings.Contains(string(refused[0].Payload), "keep a.txt as it is") {
		t.Fatalf("refusal: %v", refused)
	}
}

// tree reads every file under root (but the Studio's own).
func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	must(t, filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[rel] = string(b)
		return err
	}))
	return out
}

// TestForkAndRestore: restore to turn N and fork at turn N (with its
// files) leave the tree byte-identical to the state after turn N; the
// reverts are recorded compensating runs.
func TestForkAndRestore(t *testing.T) {
	s, ws, root, fake, _ := agentStudio(t, map[string]string{"f.txt": "zero\n"}, true)
	write := func(path, content string) fakeollama.Reply {
		return fakeollama.Reply{Calls: []fakeollama.Call{{Name: "write_file", Args: fmt.Sprintf(`{"path":%q,"content":%q}`, path, content)}}}
	}
	params := AgentParams{Model: "tiny", Options: RunOptions{AutoCommit: true}}
	var after []map[string]string
	fake.Push(write("f.txt", "one\n"), fakeollama.Reply{Chunks: []string{"done"}})
	one := send(t, s, SendMessageRequest{WorkspaceID: ws.ID, Text: "one", Agent: params})
	after = append(after, tree(t, root))
	fake.Push(write("f.txt", "two\n"), write("g.txt", "new\n"), fakeollama.Reply{Chunks: []string{"done"}})
	send(t, s, SendMessageRequest{ThreadID: one.Thread.ID, Text: "two", Agent: params})
	after = append(after, tree(t, root))
	fake.Push(write("g.txt", "three\n"), write("h.txt", "h\n"), fakeollama.Reply{Chunks: []string{"done"}})
	three := send(t, s, SendMessageRequest{ThreadID: one.Thread.ID, Text: "three", Agent: params})
	if three.Run.Outcome != kernel.OutcomeCommitted || after[0]["f.txt"] != "one\n" || after[1]["g.txt"] != "new\n" {
		t.Fatalf("turn 3: %+v; trees %v", three.Run, after)
	}

	v, err := s.RestoreThread(RestoreRequest{ID: one.Thread.ID, Turn: 1})
	must(t, err)
	if got := tree(t, root); asJSON(t, got) != asJSON(t, after[0]) {
		t.Fatalf("after restore to turn 1: %v, want %v", got, after[0])
	}
	if len(v.Turns) != 5 || v.Turns[3].Kind != kernel.TurnRestore || v.Turns[3].Info.RevertOf != three.Run.ID || v.Turns[4].Info.Outcome != kernel.OutcomeCommitted {
		t.Fatalf("restore turns: %+v", v.Turns)
	}

	fork, err := s.ForkThread(ForkRequest{ID: one.Thread.ID, Turn: 2, RestoreFiles: true})
	must(t, err)
	if got := tree(t, root); asJSON(t, got) != asJSON(t, after[1]) {
		t.Fatalf("after fork at turn 2: %v, want %v", got, after[1])
	}
	if fork.Thread.ForkOf != one.Thread.ID || len(fork.Turns) != 2 || !fork.Turns[0].Inherited {
		t.Fatalf("fork: %+v", fork)
	}
	// The fork goes on from turn 2.
	fake.Push(fakeollama.Reply{Chunks: []string{"forked"}})
	next := send(t, s, SendMessageRequest{ThreadID: fork.Thread.ID, Text: "go on", Agent: params})
	_, reqs := requestsOf(t, s, next.Run.ID)
	all := asJSON(t, reqs[0].Messages)
	if next.Turn != 3 || !strings.Contains(all, `"two"`) || strings.Contains(all, `"three"`) {
		t.Fatalf("the fork's turn 3 carries %s", all)
	}
	// Threads are a projection like any other: a replay gives the same
	// (once the watcher has recorded the restored files).
	waitIndexEqualsScan(t, s, ws.ID, root, "after the fork")
	rep, err := projection.Check(context.Background(), s.events, s.events.DB(), Projections)
	must(t, err)
	if !rep.OK {
		t.Fatalf("replay differs: %+v", rep.Differences)
	}
}

func ollamaFor(t *testing.T, fake *fakeollama.Server) *ollama.Provider {
	t.Helper()
	u, err := url.Parse(fake.URL)
	must(t, err)
	return ollama.New(u, nil)
}

// TestFollowUpCarriesStagedChanges: a follow-up sent while the last
// turn's changes are staged sees them, takes them over (the old turn is
// aborted, saying where they went), and its Commit applies both.
func TestFollowUpCarriesStagedChanges(t *testing.T) {
	s, ws, root, fake, _ := agentStudio(t, map[string]string{"a.txt": "a\n", "b.txt": "b\n"}, true)
	fake.Push(fakeollama.Reply{Calls: []fakeollama.Call{{Name: "write_file", Args: `{"path":"a.txt","content":"A\n"}`}}},
		fakeollama.Reply{Chunks: []string{"Changed a.txt."}})
	one := send(t, s, SendMessageRequest{WorkspaceID: ws.ID, Text: "Capitalise a.txt"})
	if one.Run.State != kernel.StateValidated {
		t.Fatalf("turn 1: %+v", one.Run)
	}
	v, err := s.GetThread(ThreadRequest{ID: one.Thread.ID})
	must(t, err)
	if v.Pending != "staged" {
		t.Fatalf("pending %q, want staged", v.Pending)
	}
	fake.Push(fakeollama.Reply{Calls: []fakeollama.Call{{Name: "read_file", Args: `{"path":"a.txt"}`}}},
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: "write_file", Args: `{"path":"b.txt","content":"B\n"}`}}},
		fakeollama.Reply{Chunks: []string{"Both done."}})
	two := send(t, s, SendMessageRequest{ThreadID: one.Thread.ID, Text: "Now b.txt too"})
	if two.Run.State != kernel.StateValidated {
		t.Fatalf("turn 2: %+v", two.Run)
	}
	// It saw turn 1's change.
	calls := toolCalls(t, s, two.Run.ID)
	if res, _ := s.events.GetBlob(context.Background(), calls[0].Result); !strings.Contains(string(res), "1\tA") {
		t.Fatalf("turn 2 read %q, want turn 1's staged A", res)
	}
	old, err := s.kernel.Get(context.Background(), one.Run.ID)
	must(t, err)
	if old.Outcome != kernel.OutcomeAborted || !strings.Contains(old.Reason, "carried into turn 2") {
		t.Fatalf("turn 1 after the follow-up: %+v", old)
	}
	if _, err := s.ApproveRun(RunRequest{ID: one.Run.ID}); err == nil {
		t.Fatal("the carried turn could still be committed on its own")
	}
	if _, err := s.ApproveRun(RunRequest{ID: two.Run.ID}); err != nil {
		t.Fatal(err)
	}
	if got := tree(t, root); got["a.txt"] != "A\n" || got["b.txt"] != "B\n" {
		t.Fatalf("after Commit of turn 2: %v", got)
	}
	v, err = s.GetThread(ThreadRequest{ID: one.Thread.ID})
	must(t, err)
	if v.Turns[1].Carried == nil || v.Turns[1].Carried.Run != one.Run.ID || len(v.Turns[1].Changes) != 2 || v.Pending != "committed" {
		t.Fatalf("thread: %+v", v)
	}
}

// TestRetryAndCorrection: a turn that failed (the model server gone) is
// tried again and leaves the conversation; a stopped turn is answered
// with a correction that carries what it did so far.
func TestRetryAndCorrection(t *testing.T) {
	s, ws, _, fake, _ := agentStudio(t, map[string]string{"a.txt": "alpha\n"}, false)
	fake.Push(fakeollama.Reply{Chunks: []string{"Hello."}})
	one := send(t, s, SendMessageRequest{WorkspaceID: ws.ID, Text: "Hi"})
	fake.Push(fakeollama.Reply{Status: 503, Error: "server busy"})
	failed := send(t, s, SendMessageRequest{ThreadID: one.Thread.ID, Text: "Read a.txt"})
	if failed.Run.Outcome == "" || failed.Run.Outcome == kernel.OutcomeCommitted {
		t.Fatalf("turn 2 should have failed: %+v", failed.Run)
	}
	v, err := s.GetThread(ThreadRequest{ID: one.Thread.ID})
	must(t, err)
	if !v.Turns[1].Retryable {
		t.Fatalf("the failed turn is not retryable: %+v", v.Turns[1])
	}
	if _, err := s.RetryTurn(RetryRequest{ID: one.Thread.ID, Agent: AgentParams{Model: "tiny"}}); err != nil {
		// The retry itself starts; it is waited for below.
		t.Fatal(err)
	}
	v, _ = s.GetThread(ThreadRequest{ID: one.Thread.ID})
	retry := v.Turns[2]
	info := waitRun(t, s, retry.Run)
	if retry.Kind != kernel.TurnRetry || retry.Retries != 2 || !v.Turns[1].Retried || info.State != kernel.StateValidated || info.Task != "Read a.txt" {
		t.Fatalf("retry: %+v / %+v", retry, info)
	}
	_, reqs := requestsOf(t, s, retry.Run)
	msgs := reqs[0].Messages
	if len(msgs) != 4 || msgs[1].Content != "Hi" || msgs[2].Content != "Hello." || msgs[3].Content != "Read a.txt" {
		t.Fatalf("the retry sent %s", asJSON(t, msgs))
	}
	if _, err := s.RetryTurn(RetryRequest{ID: one.Thread.ID}); err == nil {
		t.Fatal("a turn that did not fail was retried")
	}

	// Stopped mid-way: the correction carries its call and result.
	hold := make(chan struct{})
	fake.Push(fakeollama.Reply{Calls: []fakeollama.Call{{Name: "read_file", Args: `{"path":"a.txt"}`}}}, fakeollama.Reply{Hold: hold, Chunks: []string{"never"}})
	res, err := s.SendMessage(SendMessageRequest{ThreadID: one.Thread.ID, Text: "Summarise a.txt", Agent: AgentParams{Model: "tiny"}})
	must(t, err)
	for deadline := time.Now().Add(10 * time.Second); len(toolCalls(t, s, res.Run.ID)) == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first call never ran")
		}
	}
	if _, err := s.SendMessage(SendMessageRequest{ThreadID: one.Thread.ID, Text: "too early", Agent: AgentParams{Model: "tiny"}}); err == nil || !strings.Contains(err.Error(), "still working") {
		t.Fatalf("a message while the turn works: %v", err)
	}
	_, err = s.AbortRun(AbortRunRequest{ID: res.Run.ID})
	must(t, err)
	close(hold)
	fake.Push(fakeollama.Reply{Chunks: []string{"OK."}})
	fix := send(t, s, SendMessageRequest{ThreadID: one.Thread.ID, Text: "No: only its first word"})
	_, reqs = requestsOf(t, s, fix.Run.ID)
	msgs = reqs[0].Messages
	all := asJSON(t, msgs)
	if !strings.Contains(all, "Summarise a.txt") || !strings.Contains(all, `1\talpha`) || msgs[len(msgs)-1].Content != "No: only its first word" ||
		!strings.Contains(msgs[0].Content, "stopped") {
		t.Fatalf("the correction sent %s", all)
	}
}

// TestCompactOnDemand: /compact summarises the thread in a recorded step;
// the next message carries the summary, not the turns it replaced.
func TestCompactOnDemand(t *testing.T) {
	s, ws, _, fake, _ := agentStudio(t, map[string]string{"a.txt": "alpha\n"}, false)
	fake.Push(fakeollama.Reply{Chunks: []string{"First answer."}}, fakeollama.Reply{Chunks: []string{"Second answer."}})
	one := send(t, s, SendMessageRequest{WorkspaceID: ws.ID, Text: "First question"})
	send(t, s, SendMessageRequest{ThreadID: one.Thread.ID, Text: "Second question"})
	c, err := s.CompactThread(CompactRequest{ID: one.Thread.ID, Agent: AgentParams{Model: "tiny"}})
	must(t, err)
	if info := waitRun(t, s, c.Run.ID); info.State != kernel.StateValidated {
		t.Fatalf("compaction: %+v", info)
	}
	comp := runEvents(t, s, c.Run.ID, eventlog.ContextCompacted)
	if len(comp) != 1 {
		t.Fatalf("%d compactions", len(comp))
	}
	var p kernel.CompactPayload
	must(t, json.Unmarshal(comp[0].Payload, &p))
	if p.Reason != "requested" || len(p.Replaced) == 0 {
		t.Fatalf("compaction: %+v", p)
	}
	fake.Push(fakeollama.Reply{Chunks: []string{"Third answer."}})
	three := send(t, s, SendMessageRequest{ThreadID: one.Thread.ID, Text: "Third question"})
	_, reqs := requestsOf(t, s, three.Run.ID)
	all := asJSON(t, reqs[0].Messages)
	if !strings.Contains(all, fakeollama.SummaryText) || strings.Contains(all, "First question") {
		t.Fatalf("after /compact the next turn sent %s", all)
	}
	var cp kernel.ContextPayload
	must(t, json.Unmarshal(runEvents(t, s, three.Run.ID, eventlog.RunContextResolved)[0].Payload, &cp))
	if len(cp.Summaries) != 1 || cp.Summaries[0] != p.Summary {
		t.Fatalf("the next turn's context names summaries %v, want %s", cp.Summaries, p.Summary)
	}
}

// TestMentionRefusedByPolicy: an @-file the workspace policy does not
// let runs read is refused and recorded; the rest of the thread is fine.
func TestMentionRefusedByPolicy(t *testing.T) {
	s, ws, _, _, _ := agentStudio(t, map[string]string{"secret/key.txt": "k\n", "a.txt": "a\n"}, false)
	p, _ := s.caps.Policy(ws.ID)
	p.Rules = append([]capability.Rule{{Kind: capability.FSRead, Scope: capability.Scope{Glob: "secret/**"}, Effect: capability.Deny}}, p.Rules...)
	_, err := s.SetPolicy(SetPolicyRequest{WorkspaceID: ws.ID, Policy: p})
	must(t, err)
	res, err := s.SendMessage(SendMessageRequest{WorkspaceID: ws.ID, Text: "Look", Mentions: []string{"secret/key.txt"}, Agent: AgentParams{Model: "tiny"}})
	must(t, err)
	if res.Thread.ID == "" || res.Run.Outcome != kernel.OutcomeAborted || !strings.Contains(res.Run.Reason, "secret/key.txt") {
		t.Fatalf("a refused @-file: %+v", res)
	}
	if v, _ := s.GetThread(ThreadRequest{ID: res.Thread.ID}); v.Pending != "failed" || !v.Turns[0].Retryable {
		t.Fatalf("the thread after a refused @-file: %+v", v)
	}
	denied := runEvents(t, s, res.Run.ID, eventlog.CapabilityDenied)
	if len(denied) != 1 || !strings.Contains(string(denied[0].Payload), "secret/key.txt") {
		t.Fatalf("denials: %v", denied)
	}
	if n := len(runEvents(t, s, res.Run.ID, eventlog.EffectFileRead)); n != 0 {
		t.Fatalf("%d reads of a refused file", n)
	}
	rep, err := projection.Check(context.Background(), s.events, s.events.DB(), Projections)
	must(t, err)
	if !rep.OK {
		t.Fatalf("replay differs: %+v", rep.Differences)
	}
}

// TestConcurrentMessages: two messages sent at once to a thread never
// become the same turn: one waits for the other and is told it works.
func TestConcurrentMessages(t *testing.T) {
	s, ws, _, fake, _ := agentStudio(t, map[string]string{"a.txt": "a\n"}, false)
	fake.Push(fakeollama.Reply{Chunks: []string{"one"}})
	one := send(t, s, SendMessageRequest{WorkspaceID: ws.ID, Text: "first"})
	hold := make(chan struct{})
	fake.Push(fakeollama.Reply{Hold: hold, Chunks: []string{"two"}}, fakeollama.Reply{Hold: hold, Chunks: []string{"three"}})
	errs := make(chan error, 2)
	runs := make(chan string, 2)
	for _, text := range []string{"second", "third"} {
		go func() {
			res, err := s.SendMessage(SendMessageRequest{ThreadID: one.Thread.ID, Text: text, Agent: AgentParams{Model: "tiny"}})
			if err == nil {
				runs <- res.Run.ID
			}
			errs <- err
		}()
	}
	e1, e2 := <-errs, <-errs
	if (e1 == nil) == (e2 == nil) || !strings.Contains(fmt.Sprint(e1, e2), "still working") {
		t.Fatalf("two messages at once: %v / %v", e1, e2)
	}
	close(hold)
	waitRun(t, s, <-runs)
	v, err := s.GetThread(ThreadRequest{ID: one.Thread.ID})
	must(t, err)
	if len(v.Turns) != 2 || v.Turns[1].Turn != 2 {
		t.Fatalf("turns: %+v", v.Turns)
	}
}

// TestRulesFallbacks: without AGENTS.md a folder's CLAUDE.md (or
// .cursorrules, .clinerules) is read; AGENTS.md wins where both are;
// the setting leaves them all out.
func TestRulesFallbacks(t *testing.T) {
	s, ws, _, fake, _ := agentStudio(t, map[string]string{"CLAUDE.md": "claude rules\n", ".cursorrules": "cursor rules\n",
		"pkg/AGENTS.md": "pkg agents\n", "pkg/.clinerules": "pkg cline\n", "pkg/x/y.go": "package x\n", "other/.clinerules": "other\n"}, false)
	fake.Push(fakeollama.Reply{Chunks: []string{"ok"}}, fakeollama.Reply{Chunks: []string{"ok"}})
	res := send(t, s, SendMessageRequest{WorkspaceID: ws.ID, Text: "look", Mentions: []string{"pkg/x/y.go"}})
	var cp kernel.ContextPayload
	must(t, json.Unmarshal(runEvents(t, s, res.Run.ID, eventlog.RunContextResolved)[0].Payload, &cp))
	var got []string
	for _, r := range cp.Rules {
		got = append(got, r.Path)
	}
	if strings.Join(got, ",") != "CLAUDE.md,pkg/AGENTS.md" {
		t.Fatalf("rules read: %v", got)
	}
	off := send(t, s, SendMessageRequest{ThreadID: res.Thread.ID, Text: "again", Mentions: []string{"pkg/x/y.go"}, NoRules: true})
	cp = kernel.ContextPayload{}
	must(t, json.Unmarshal(runEvents(t, s, off.Run.ID, eventlog.RunContextResolved)[0].Payload, &cp))
	_, reqs := requestsOf(t, s, off.Run.ID)
	if len(cp.Rules) != 0 || strings.Contains(reqs[0].Messages[0].Content, "claude rules") {
		t.Fatalf("rules turned off, still read: %+v", cp.Rules)
	}
}

// TestMessageWhileOllamaIsDown: the message is not lost: its turn is
// recorded, fails with the reason, and can be retried.
func TestMessageWhileOllamaIsDown(t *testing.T) {
	s, ws, _, fake, _ := agentStudio(t, map[string]string{"a.txt": "a\n"}, false)
	fake.Push(fakeollama.Reply{Chunks: []string{"Hello."}})
	one := send(t, s, SendMessageRequest{WorkspaceID: ws.ID, Text: "Hi"})
	fake.Close()
	res, err := s.SendMessage(SendMessageRequest{ThreadID: one.Thread.ID, Text: "Are you there?", Agent: AgentParams{Model: "tiny"}})
	must(t, err)
	info := waitRun(t, s, res.Run.ID)
	if info.Outcome != kernel.OutcomeAborted || !strings.Contains(strings.ToLower(info.Reason), "ollama") || info.Task != "Are you there?" {
		t.Fatalf("the turn sent while Ollama is down: %+v", info)
	}
	v, err := s.GetThread(ThreadRequest{ID: one.Thread.ID})
	must(t, err)
	if len(v.Turns) != 2 || !v.Turns[1].Retryable || v.Pending != "failed" {
		t.Fatalf("thread: pending %q, turns %+v", v.Pending, v.Turns)
	}
	// The answered first turn (nothing to review) was finished when the
	// conversation went on.
	if v.Turns[0].Info.Outcome != kernel.OutcomeCommitted {
		t.Fatalf("turn 1 after the follow-up: %+v", v.Turns[0].Info)
	}
	list, err := s.ListThreads(ListThreadsRequest{WorkspaceID: ws.ID})
	must(t, err)
	if len(list) != 1 || !list[0].Failed || list[0].Outcome != kernel.OutcomeAborted {
		t.Fatalf("list: %+v", list)
	}
}
