package studio

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/internal/fakeollama"
	"github.com/ice-studio/ice-studio/backend/kernel"
)

// TestAgentCommandIsNotExpandedFromStudioEnv: a model's `$VAR` must reach the
// approval card, the log and the tool result literally, never as the value
// of the Studio's own environment variable.
func TestAgentCommandIsNotExpandedFromStudioEnv(t *testing.T) {
	const secret = "s3cr3t"
	t.Setenv("ICE_TEST_SECRET", secret)
	s, ws, _, fake, _ := agentStudio(t, map[string]string{"notes.txt": "hi\n"}, true) // grants cat, not echo
	fake.Push(
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: "run_command", Args: `{"command":"echo $ICE_TEST_SECRET ${ICE_TEST_SECRET}"}`}}},
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: "run_command", Args: `{"command":"echo \"$ICE_TEST_SECRET"}`}}}, // unbalanced quote
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: "finish", Args: `{"summary":"done"}`}}},
	)
	run, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "print the secret", Model: "tiny",
		Options: RunOptions{Profile: capability.ProfileAgent}, Seed: ptr(7), Temperature: ptr(0.0)})
	must(t, err)

	var ask kernel.Ask
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := s.GetRun(RunRequest{ID: run.ID})
		if err == nil && len(d.Asks) > 0 {
			ask = d.Asks[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run did not ask to run the command: %+v, %v", d, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	card, _ := json.Marshal(ask)
	if strings.Contains(string(card), secret) {
		t.Errorf("the approval card shows the Studio's secret: %s", card)
	}
	if !strings.Contains(string(card), `"$ICE_TEST_SECRET"`) || !strings.Contains(string(card), `"${ICE_TEST_SECRET}"`) {
		t.Errorf("the approval card does not show the literal argv: %s", card)
	}
	must(t, s.AnswerCapability(AnswerRequest{RequestID: ask.ID, Choice: "run"}))
	info := waitRun(t, s, run.ID)
	if info.State != kernel.StateValidated {
		t.Fatalf("run %s: %s", info.State, info.Reason)
	}
	for _, e := range runEvents(t, s, run.ID) {
		if strings.Contains(string(e.Payload), secret) {
			t.Errorf("event %s carries the secret: %s", e.Type, e.Payload)
		}
	}
	calls := toolCalls(t, s, run.ID)
	if len(calls) != 3 {
		t.Fatalf("%d tool calls, want 3: %+v", len(calls), calls)
	}
	if c := calls[0]; c.Error != "" || !strings.Contains(c.Preview, "$ICE_TEST_SECRET ${ICE_TEST_SECRET}") {
		t.Errorf("echo result = %q err %q, want the literal text", c.Preview, c.Error)
	}
	if c := calls[1]; !strings.Contains(c.Error, "quote") {
		t.Errorf("unbalanced quote: err %q, want a clear error about the quote", c.Error)
	}
	var requested int
	for _, e := range runEvents(t, s, run.ID, eventlog.CapabilityRequested) {
		requested++
		if !strings.Contains(string(e.Payload), "$ICE_TEST_SECRET") {
			t.Errorf("capability.requested without the literal argv: %s", e.Payload)
		}
	}
	if requested == 0 {
		t.Error("no capability.requested recorded")
	}
}
