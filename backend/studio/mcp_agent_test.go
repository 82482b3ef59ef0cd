package studio

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/agent"
	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/internal/fakeollama"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/mcp"
	"github.com/ice-studio/ice-studio/backend/sandbox"
)

// The agent and MCP tools, end to end: the scripted fake Ollama calls
// tools of the scripted MCP server, which runs in the real command
// sandbox; the kernel asks, records, pins and cancels.

// mcpAgentStudio is agentStudio with the scripted MCP server "srv"
// configured for the workspace (its calls and events written to the one
// folder it may write).
func mcpAgentStudio(t *testing.T) (*Studio, Workspace, string, *fakeollama.Server) {
	t.Helper()
	if st := sandbox.Probe(context.Background()); !st.Available {
		t.Fatalf("the sandbox is unavailable here: %s", st.Reason)
	}
	s, ws, root, fake, _ := agentStudio(t, map[string]string{"out/.keep": "", "README.md": "a project\n"}, false)
	bin, err := os.ReadFile(MCPTestServer(t))
	must(t, err)
	must(t, os.MkdirAll(filepath.Join(root, ".bin"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, ".bin", "testserver"), bin, 0o755))
	conf, _ := json.Marshal(map[string]any{"mcpServers": map[string]any{"srv": map[string]any{
		"command":  filepath.Join(root, ".bin", "testserver"),
		"env":      map[string]string{"TESTSERVER_CALLS": filepath.Join(root, "out", "calls.jsonl"), "TESTSERVER_EVENTS": filepath.Join(root, "out", "events.log"), "TESTSERVER_MUTATE_FILE": filepath.Join(root, "out", "mutate")},
		"writable": []string{"out"},
	}}})
	_, err = s.ImportMCPServers(ImportMCPRequest{WorkspaceID: ws.ID, Scope: MCPScopeWorkspace, JSON: string(conf)})
	must(t, err)
	if v := WaitMCP(t, s, ws.ID, "srv", func(v MCPServerView) bool { return v.State != mcp.StateStarting && v.State != mcp.StateStopped }); v.State != mcp.StateRunning {
		log, _ := s.MCPServerLog(MCPServerRequest{WorkspaceID: ws.ID, Name: "srv"})
		t.Fatalf("server: %s (%s)\n%s", v.State, v.Error, log)
	}
	return s, ws, root, fake
}

// answerNext answers the next approval of a run.
func answerNext(t *testing.T, s *Studio, ws Workspace, run, choice string) kernel.Ask {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		st, err := s.CapabilityState(WorkspaceRequest{WorkspaceID: ws.ID})
		must(t, err)
		for _, a := range st.Asks {
			if a.Run == run {
				must(t, s.AnswerCapability(AnswerRequest{RequestID: a.ID, Choice: choice}))
				return a
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no approval asked for")
	return kernel.Ask{}
}

func mcpCalled(t *testing.T, s *Studio, run string) []kernel.MCPCalledPayload {
	t.Helper()
	var out []kernel.MCPCalledPayload
	for _, e := range runEvents(t, s, run, eventlog.EffectMCPCalled) {
		var p kernel.MCPCalledPayload
		must(t, json.Unmarshal(e.Payload, &p))
		out = append(out, p)
	}
	return out
}

// TestAgentMCPToolAllowedOnceThenDeniedAndACrash: the model is offered
// mcp__srv__echo; the first call is allowed once and reaches the server
// with exactly the arguments recorded, the second is refused, a crash of
// the server mid-call is a tool error and the run goes on to finish.
func TestAgentMCPToolAllowedOnceThenDeniedAndACrash(t *testing.T) {
	s, ws, root, fake := mcpAgentStudio(t)
	fake.Push(
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: agent.MCPToolName("srv", "echo"), Args: `{"text":"first"}`}}},
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: agent.MCPToolName("srv", "echo"), Args: `{"text":"second"}`}}},
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: agent.MCPToolName("srv", "crash"), Args: `{}`}}},
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: "finish", Args: `{"summary":"done"}`}}},
	)
	run, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "use the MCP tool", Model: "tiny",
		Options: RunOptions{Profile: capability.ProfileAgent}})
	must(t, err)
	a := answerNext(t, s, ws, run.ID, kernel.ChoiceOnce)
	if a.Kind != capability.MCPCall || a.Target != "srv/echo" || a.Detail == nil || a.Detail.MCP == nil || !strings.Contains(a.Detail.MCP.Arguments, `"first"`) {
		t.Fatalf("the approval card: %+v", a)
	}
	answerNext(t, s, ws, run.ID, kernel.ChoiceDeny)
	answerNext(t, s, ws, run.ID, kernel.ChoiceOnce) // the crash
	info := waitRun(t, s, run.ID)
	if info.State == kernel.StateTerminated {
		t.Fatalf("the run did not go on: %s", info.Reason)
	}
	// The tools the model was offered.
	_, bodies := fake.Requests()
	if len(bodies) < 2 || !strings.Contains(string(bodies[len(bodies)-1]), `"mcp__srv__echo"`) || !strings.Contains(string(bodies[len(bodies)-1]), "[MCP server srv]") {
		t.Fatalf("the model is not offered the MCP tools: %.600s", bodies)
	}
	calls := toolCalls(t, s, run.ID)
	if len(calls) != 4 || calls[0].Error != "" || !strings.Contains(calls[1].Error, "refused") || !strings.Contains(calls[2].Error, "crash") || calls[3].Name != "finish" {
		t.Fatalf("tool calls: %+v", calls)
	}
	received, err := os.ReadFile(filepath.Join(root, "out", "calls.jsonl"))
	must(t, err)
	lines := strings.Split(strings.TrimSpace(string(received)), "\n")
	if len(lines) != 1 {
		t.Fatalf("the server received %d calls of echo, want the one allowed: %s", len(lines), received)
	}
	called := mcpCalled(t, s, run.ID)
	if len(called) != 2 || called[0].Tool != "echo" || called[1].Tool != "crash" || !called[1].IsError {
		t.Fatalf("effect.mcp_called: %+v", called)
	}
	args, err := s.events.GetBlob(context.Background(), called[0].Arguments)
	must(t, err)
	var got, sent map[string]any
	must(t, json.Unmarshal(args, &sent))
	must(t, json.Unmarshal([]byte(lines[0]), &got))
	if fmt.Sprint(got) != fmt.Sprint(sent) {
		t.Fatalf("the server received %s, the log recorded %s", lines[0], args)
	}
}

// TestAgentMCPChangedDefinitionAndHang: with a standing grant the tool is
// called and pinned; the server then changes echo's definition, and the
// next run's call is refused without asking until the user re-approves;
// a hanging call is cancelled by Abort.
func TestAgentMCPChangedDefinitionAndHang(t *testing.T) {
	s, ws, root, fake := mcpAgentStudio(t)
	_, err := s.Grant(GrantRequest{WorkspaceID: ws.ID, Kind: capability.MCPCall, Scope: capability.Scope{Tool: "srv/*"}, Reason: "test"})
	must(t, err)
	echo := func(text string) string {
		fake.Push(fakeollama.Reply{Calls: []fakeollama.Call{{Name: agent.MCPToolName("srv", "echo"), Args: fmt.Sprintf(`{"text":%q}`, text)}}},
			fakeollama.Reply{Calls: []fakeollama.Call{{Name: "finish", Args: `{"summary":"done"}`}}})
		run, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "echo " + text, Model: "tiny", Options: RunOptions{Profile: capability.ProfileAgent}})
		must(t, err)
		waitRun(t, s, run.ID)
		calls := toolCalls(t, s, run.ID)
		if len(calls) == 0 {
			t.Fatalf("no tool call in %s", run.ID)
		}
		if calls[0].Error != "" {
			return "error: " + calls[0].Error
		}
		return calls[0].Preview
	}
	if got := echo("before"); !strings.Contains(got, "before") {
		t.Fatalf("first call: %q", got)
	}
	before := WaitMCP(t, s, ws.ID, "srv", func(MCPServerView) bool { return true })
	must(t, os.WriteFile(filepath.Join(root, "out", "mutate"), []byte("x"), 0o644)) // the server changes echo's description
	WaitMCP(t, s, ws.ID, "srv", func(v MCPServerView) bool {
		for _, p := range v.Pins {
			if p.Tool == "echo" && p.Changed {
				return true
			}
		}
		return false
	})
	if got := echo("after"); !strings.Contains(got, "definition changed") {
		t.Fatalf("a call of the changed tool: %q", got)
	}
	reqs, _ := fake.Requests()
	for _, tl := range reqs[len(reqs)-1].Tools {
		if tl.Function.Name == agent.MCPToolName("srv", "echo") {
			t.Fatalf("the changed tool (and its new description %q) was offered to the model", tl.Function.Description)
		}
	}
	change, err := s.MCPToolChange(MCPToolRequest{WorkspaceID: ws.ID, Server: "srv", Tool: "echo"})
	must(t, err)
	if change.Pinned == nil || change.Pinned.Description == change.Current.Description {
		t.Fatalf("the change shown: %+v", change)
	}
	_, err = s.RepinMCPTool(MCPToolRequest{WorkspaceID: ws.ID, Server: "srv", Tool: "echo", Hash: change.Current.Hash})
	must(t, err)
	if got := echo("re-approved"); !strings.Contains(got, "re-approved") {
		t.Fatalf("after re-approval: %q", got)
	}
	_ = before

	// A hang: Abort ends the run and cancels the call.
	fake.Push(fakeollama.Reply{Calls: []fakeollama.Call{{Name: agent.MCPToolName("srv", "hang"), Args: `{}`}}})
	run, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "hang", Model: "tiny", Options: RunOptions{Profile: capability.ProfileAgent}})
	must(t, err)
	events := filepath.Join(root, "out", "events.log")
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(events)
		if strings.Contains(string(b), "hang started") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the hanging call never reached the server")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t0 := time.Now()
	_, err = s.AbortRun(AbortRunRequest{ID: run.ID})
	must(t, err)
	info := waitRun(t, s, run.ID)
	took := time.Since(t0)
	t.Logf("Abort ended the run with a hanging MCP call in %v", took)
	if info.Outcome != kernel.OutcomeAborted {
		t.Fatalf("run: %+v", info)
	}
	if took > 5*time.Second {
		t.Fatalf("Abort took %v", took) // a generous guard: the figure is logged above
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(events)
		if strings.Contains(string(b), "hang cancelled") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server never saw the cancellation: %s", b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
