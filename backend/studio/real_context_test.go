package studio

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/agent"
	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/internal/realollama"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/ollama"
)

// The runtime owns the context window, against the real Ollama v0.6.5
// with a window of 512 tokens: the server never has to cut a request of
// a managed run, and one that is cut anyway is found out.

func realDebugStudio(t *testing.T, files map[string]string) (*Studio, Workspace, *realollama.Server) {
	t.Helper()
	srv := realollama.StartDebug(t)
	s := New(Config{DataDir: t.TempDir(), Bus: bus.New(), Ollama: ollama.New(srv.URL(), nil), PollInterval: time.Hour})
	must(t, s.Open(context.Background()))
	t.Cleanup(func() { closeStudio(t, s) })
	root, _ := filepath.EvalSymlinks(t.TempDir())
	writeFiles(t, root, files)
	ws, err := s.OpenFolder(OpenFolderRequest{Path: root})
	must(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- ollama serve log ---\n%s", srv.Log())
		}
	})
	return s, ws, srv
}

func words(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString([]string{"the ", "file ", "read ", "tool ", "and ", "line ", "code ", "test ", "path ", "text "}[i%10])
	}
	return b.String()
}

// TestRealOllamaSmallWindow: a 20-step run of the tool caller (it reads
// README.md at every step) in a small window. Every request fits: the
// server logs no cut, counts at most the window's prompt tokens each
// time, and the runtime trimmed and compacted to get there. (The window
// is 2,048 tokens, not 512: the tiny model's small vocabulary makes about
// 0.7 tokens a byte, so its four tools' schema and the system prompt
// alone take some 800 tokens, and 20 reads of README.md some 16,000.)
func TestRealOllamaSmallWindow(t *testing.T) {
	const steps, window = 20, 2048
	s, ws, srv := realDebugStudio(t, map[string]string{"README.md": words(1200)})
	model := srv.InstallToolCaller(t)
	res, err := s.SendMessage(SendMessageRequest{WorkspaceID: ws.ID, Text: "What does the README say?", Agent: AgentParams{Model: model,
		NumCtx: window, NumPredict: realollama.ToolCallerNumPredict, MaxTurns: steps, Seed: ptr(42), Temperature: ptr(0.0),
		Options: RunOptions{Profile: capability.ProfileAsk}}})
	must(t, err)
	info := waitRun(t, s, res.Run.ID)
	if info.State != kernel.StateTerminated || !strings.Contains(info.Reason, "more than 20 model steps") {
		t.Fatalf("run %s: %s; want the step budget to end it", info.State, info.Reason)
	}
	log := srv.Log()
	for _, cut := range []string{"truncating input prompt", "truncating input messages"} {
		if strings.Contains(log, cut) {
			t.Fatalf("the server cut a request (%q)", cut)
		}
	}
	work := 0
	for _, e := range runEvents(t, s, res.Run.ID, eventlog.InferenceResponse) {
		var p agent.ResponsePayload
		must(t, json.Unmarshal(e.Payload, &p))
		if p.Error != "" || p.PromptTokens <= 0 || p.PromptTokens > window {
			t.Fatalf("step %d: %d prompt tokens of %d (%s)", p.Step, p.PromptTokens, window, p.Error)
		}
		if p.Purpose == "" {
			work++
		}
	}
	if work != steps {
		t.Fatalf("%d work steps", work)
	}
	if n := len(runEvents(t, s, res.Run.ID, eventlog.InferenceTruncated)); n != 0 {
		t.Fatalf("%d truncations", n)
	}
	trims, compactions := runEvents(t, s, res.Run.ID, eventlog.ContextTrimmed), runEvents(t, s, res.Run.ID, eventlog.ContextCompacted)
	if len(trims)+len(compactions) == 0 {
		t.Fatal("20 reads of README.md fitted the window without trimming or compacting: the test proves nothing")
	}
	for _, e := range runEvents(t, s, res.Run.ID, eventlog.InferenceRequest) {
		var p agent.RequestPayload
		must(t, json.Unmarshal(e.Payload, &p))
		if n, _ := p.Options["num_ctx"].(float64); int(n) != window {
			t.Fatalf("step %d sent num_ctx %v", p.Step, p.Options["num_ctx"])
		}
	}
	t.Logf("%d trims, %d compactions", len(trims), len(compactions))
}

// TestRealOllamaTruncationDetected: a request deliberately larger than
// the window, sent unmanaged, is cut by the server, and the runtime
// records it as inference.truncated.
func TestRealOllamaTruncationDetected(t *testing.T) {
	const window = 512
	s, ws, srv := realDebugStudio(t, map[string]string{"README.md": "# tiny\n"})
	res, err := s.SendMessage(SendMessageRequest{WorkspaceID: ws.ID, Text: "Read this: " + words(4000), Agent: AgentParams{Model: srv.Model,
		NumCtx: window, MaxTurns: 1, Seed: ptr(42), Temperature: ptr(0.0), Unmanaged: true, Options: RunOptions{Profile: capability.ProfileAsk}}})
	must(t, err)
	waitRun(t, s, res.Run.ID)
	if !strings.Contains(srv.Log(), "truncating input prompt") {
		t.Fatal("the server did not cut the oversized request: the test proves nothing")
	}
	cut := runEvents(t, s, res.Run.ID, eventlog.InferenceTruncated)
	if len(cut) != 1 {
		t.Fatalf("%d inference.truncated events", len(cut))
	}
	var p kernel.TruncatedPayload
	must(t, json.Unmarshal(cut[0].Payload, &p))
	if p.Window != window || p.PromptEval != window || p.Estimate <= window || cut[0].Origin != eventlog.OriginRuntime {
		t.Fatalf("truncated: %+v (origin %s)", p, cut[0].Origin)
	}
	tr, err := s.GetTranscript(RunRequest{ID: res.Run.ID})
	must(t, err)
	if len(tr.Notices) != 1 || tr.Notices[0].Kind != "truncated" {
		t.Fatalf("notices: %+v", tr.Notices)
	}
}
