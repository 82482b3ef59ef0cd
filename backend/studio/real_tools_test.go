package studio

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
)

// TestRealOllamaToolCallingRun: a full agent run with real tool calling.
// The tool caller (realollama.InstallToolCaller) answers every step with
// the same read_file call, which Ollama parses into a native tool call;
// the agent reads README.md through the kernel and sends the result back,
// and the step budget ends the loop.
func TestRealOllamaToolCallingRun(t *testing.T) {
	const steps = 3
	s, ws, srv, _ := realStudio(t)
	model := srv.InstallToolCaller(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- ollama serve log ---\n%s", srv.Log())
		}
	})
	var digest string
	for _, m := range s.ListModels(context.Background()).Models {
		if m.Name == model {
			digest = m.Digest
			if !m.Has("tools") {
				t.Errorf("capabilities of %s: %v, want tools", m.Name, m.Capabilities)
			}
		}
	}
	if digest == "" {
		t.Fatalf("%s is not listed", model)
	}

	run, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "What does the README say?", Model: model,
		Options: RunOptions{Profile: capability.ProfileAsk}, MaxTurns: steps, Seed: ptr(42), Temperature: ptr(0.0), NumCtx: 4096})
	must(t, err)
	info, err := s.WaitRun(RunRequest{ID: run.ID})
	must(t, err)
	if info.State != kernel.StateTerminated || !strings.Contains(info.Reason, "budget exceeded: more than 3 model steps") {
		t.Fatalf("run %s: %q; want terminated by the step budget", info.State, info.Reason)
	}

	tr, err := s.GetTranscript(RunRequest{ID: run.ID})
	must(t, err)
	if len(tr.Steps) != steps {
		t.Fatalf("%d steps, want %d: %+v", len(tr.Steps), steps, tr.Steps)
	}
	for _, st := range tr.Steps {
		r := st.Response
		if r == nil || r.Error != "" || r.DoneReason != "stop" || r.EvalTokens != 2 || strings.Join(r.ToolCalls, ",") != "read_file" || st.Content != "" {
			t.Errorf("step %d: content %q, response %+v; want one native read_file call, no text, stopped after 2 tokens", st.Step, st.Content, r)
		}
		if len(st.ToolCalls) != 1 {
			t.Errorf("step %d: %d tool calls, want 1: %+v", st.Step, len(st.ToolCalls), st.ToolCalls)
			continue
		}
		c := st.ToolCalls[0]
		if c.Name != "read_file" || c.Arguments != `{"path":"README.md"}` || c.Source != "native" || c.Error != "" || !strings.Contains(c.Result, "1\t# tiny") {
			t.Errorf("step %d: call %+v; want a native read_file of README.md answered with its text", st.Step, c)
		}
		if st.Digest == "" || !strings.Contains(digest, strings.TrimPrefix(st.Digest, "sha256:")) {
			t.Errorf("step %d: recorded digest %q, Ollama lists %q", st.Step, st.Digest, digest)
		}
	}

	reads := runEvents(t, s, run.ID, eventlog.EffectFileRead)
	if len(reads) != steps {
		t.Errorf("%d effect.file_read events, want %d (one per call)", len(reads), steps)
	}
	for _, e := range reads {
		var p kernel.FileReadPayload
		must(t, json.Unmarshal(e.Payload, &p))
		if p.Path != "README.md" || p.Size != int64(len("# tiny\n")) {
			t.Errorf("effect.file_read %+v, want README.md of %d bytes", p, len("# tiny\n"))
		}
	}

	// The second request carries the first call and its result.
	view, err := s.GetInferenceRequest(InferenceStepRequest{Run: run.ID, Step: 2})
	must(t, err)
	if len(view.Messages) != 4 {
		t.Fatalf("step 2 sent %d messages, want system, user, the assistant's call and the tool's result: %+v", len(view.Messages), view.Messages)
	}
	call, result := view.Messages[2], view.Messages[3]
	if call.Role != "assistant" || len(call.ToolCalls) != 1 || call.ToolCalls[0].Function.Name != "read_file" ||
		call.ToolCalls[0].Function.Arguments.String() != `{"path":"README.md"}` {
		t.Errorf("step 2 message 3 = %+v, want the assistant's read_file call", call)
	}
	if result.Role != "tool" || result.ToolName != "read_file" || !strings.Contains(result.Content, "1\t# tiny") {
		t.Errorf("step 2 message 4 = %+v, want the tool's result with README.md's text", result)
	}
	if !strings.Contains(view.JSON, `"tool_calls"`) || !strings.Contains(view.JSON, `"role": "tool"`) {
		t.Errorf("step 2 request body lacks the call or the result:\n%s", view.JSON)
	}
	if last, err := s.GetInferenceRequest(InferenceStepRequest{Run: run.ID, Step: steps}); err != nil || len(last.Messages) != 2+2*(steps-1) {
		t.Errorf("step %d sent %d messages (%v), want %d", steps, len(last.Messages), err, 2+2*(steps-1))
	}
}
