package studio

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/agent"
	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/internal/realollama"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/ollama"
)

// These run against a real `ollama serve` (v0.6.5, built by `make
// test-ollama`) with a tiny random-weight model: its answers are gibberish,
// but real, streamed by Ollama, and the same every time (fixed seed,
// temperature 0).

func realStudio(t *testing.T) (*Studio, Workspace, *realollama.Server, *bus.Bus) {
	t.Helper()
	srv := realollama.Start(t)
	b := bus.New()
	s := New(Config{DataDir: t.TempDir(), Bus: b, Ollama: ollama.New(srv.URL(), nil), PollInterval: time.Hour})
	must(t, s.Open(context.Background()))
	t.Cleanup(func() { closeStudio(t, s) })
	root, _ := filepath.EvalSymlinks(t.TempDir())
	writeFiles(t, root, map[string]string{"README.md": "# tiny\n"})
	ws, err := s.OpenFolder(OpenFolderRequest{Path: root})
	must(t, err)
	return s, ws, srv, b
}

// TestRealOllamaAgentRun: a full run of the Studio with the real server:
// the model's answer is streamed through the kernel, recorded with the
// model's digest and Ollama's own token counts, and the same again.
func TestRealOllamaAgentRun(t *testing.T) {
	s, ws, srv, b := realStudio(t)
	models := s.ListModels(context.Background())
	var digest string
	for _, m := range models.Models {
		if m.Name == srv.Model {
			digest = m.Digest
			if !m.Has("tools") || !m.Has("completion") {
				t.Errorf("capabilities of %s: %v", m.Name, m.Capabilities)
			}
		}
	}
	if digest == "" {
		t.Fatalf("%s is not listed: %+v", srv.Model, models)
	}
	updates, unsub := b.Subscribe(4096)
	defer unsub()
	answer := func() (kernel.RunInfo, Transcript) {
		run, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "Say hello.", Model: srv.Model,
			Options: RunOptions{Profile: capability.ProfileAsk}, Seed: ptr(42), Temperature: ptr(0.0), NumCtx: 4096})
		must(t, err)
		info, err := s.WaitRun(RunRequest{ID: run.ID})
		must(t, err)
		tr, err := s.GetTranscript(RunRequest{ID: run.ID})
		must(t, err)
		return info, tr
	}
	info, tr := answer()
	if info.State != kernel.StateValidated {
		t.Fatalf("run %s: %s\n--- ollama log ---\n%s", info.State, info.Reason, srv.Log())
	}
	if len(tr.Steps) != 1 {
		t.Fatalf("%d steps: %+v", len(tr.Steps), tr.Steps)
	}
	st := tr.Steps[0]
	if st.Response == nil || st.Content == "" || st.Response.EvalTokens == 0 || st.Response.PromptTokens == 0 || st.Response.DoneReason == "" {
		t.Fatalf("step = %+v, response %+v", st, st.Response)
	}
	if st.Digest == "" || !strings.Contains(digest, strings.TrimPrefix(st.Digest, "sha256:")) {
		t.Errorf("recorded digest %q, Ollama lists %q", st.Digest, digest)
	}
	// Ollama 0.6.5 sends an answer to a request with tools in one piece at
	// the end (it looks for tool calls in it); the text still reaches the
	// transcript through the bus.
	streamed := false
	for len(updates) > 0 {
		if u, ok := (<-updates).Data.(agent.Update); ok && u.Run == info.ID && u.Kind == "delta" && u.Content == st.Content {
			streamed = true
		}
	}
	if !streamed {
		t.Error("the answer did not reach the bus")
	}
	// Deterministic: the same request, the same answer.
	_, again := answer()
	if len(again.Steps) != 1 || again.Steps[0].Content != st.Content {
		t.Errorf("a second run answered %q, the first %q", again.Steps[0].Content, st.Content)
	}
	// What the model was sent, from the log alone.
	view, err := s.GetInferenceRequest(InferenceStepRequest{Run: info.ID, Step: 1})
	must(t, err)
	if len(view.Messages) != 2 || view.Messages[1].Content != "Say hello." || !strings.Contains(view.JSON, `"seed": 42`) {
		t.Errorf("request view: %+v", view)
	}
}

// TestRealOllamaStopAndServerGone: Stop mid-answer aborts the run at once;
// the server stopping mid-answer aborts it with a clear reason.
func TestRealOllamaStopAndServerGone(t *testing.T) {
	s, ws, srv, _ := realStudio(t)
	start := func() kernel.RunInfo {
		run, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "Write a long story.", Model: srv.Model,
			Options: RunOptions{Profile: capability.ProfileAsk}, NumCtx: 4096, NumPredict: 100000})
		must(t, err)
		// Wait until the model is answering: its request is recorded and
		// the server has had time to start generating.
		deadline := time.Now().Add(30 * time.Second)
		for len(runEvents(t, s, run.ID, eventlog.InferenceRequest)) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("no model step started within 30 s")
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(500 * time.Millisecond)
		if info, _ := s.GetRun(RunRequest{ID: run.ID}); info.Run.State != kernel.StateExecuting {
			t.Fatalf("the run is no longer executing: %+v", info.Run)
		}
		return run
	}
	run := start()
	info, err := s.AbortRun(AbortRunRequest{ID: run.ID, Reason: "stopped by the user"})
	must(t, err)
	if info.Outcome != kernel.OutcomeAborted || info.Reason != "stopped by the user" {
		t.Fatalf("after Stop: %+v", info)
	}

	run = start()
	srv.Stop()
	info, err = s.WaitRun(RunRequest{ID: run.ID})
	must(t, err)
	if info.Outcome != kernel.OutcomeAborted || !strings.Contains(info.Reason, "Ollama") || !strings.Contains(info.Reason, srv.Host) {
		t.Fatalf("server stopped mid-answer: %s/%s %q", info.State, info.Outcome, info.Reason)
	}
	if n := len(runEvents(t, s, run.ID, eventlog.InferenceResponse)); n != 1 {
		t.Errorf("%d inference.response events for the failed step, want 1", n)
	}
	t.Logf("server gone: %s", info.Reason)
	// A new run is refused with the same clear reason.
	if _, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "x", Model: srv.Model}); err == nil || !strings.Contains(err.Error(), "not running") {
		t.Errorf("start with Ollama gone: %v", err)
	}
}

// BenchmarkRealAgentTokens: tokens per second of an answer of the real tiny
// model in a full agent run (the model step as the agent timed it: request
// sent, answer streamed, through the kernel), and the same request —
// rebuilt from the run's log — sent directly with api.Client to the same
// server, in turn; run-ms is the rest of the run (its start, which asks
// Ollama about the model, and its validation).
func BenchmarkRealAgentTokens(b *testing.B) {
	srv := realollama.Start(b)
	s := New(Config{DataDir: b.TempDir(), Bus: bus.New(), Ollama: ollama.New(srv.URL(), nil), PollInterval: time.Hour,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := s.Open(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close(context.Background()) })
	root, _ := filepath.EvalSymlinks(b.TempDir())
	writeFiles(b, root, map[string]string{"README.md": "# tiny\n"})
	ws, err := s.OpenFolder(OpenFolderRequest{Path: root})
	if err != nil {
		b.Fatal(err)
	}
	const predict = 256
	client := srv.Client()
	var runT, agentT, directT time.Duration
	var agentTokens, directTokens int
	// The first answer loads the model and fills the prompt cache: warm up
	// untimed, so both sides are measured warm.
	for i := -1; i < b.N; i++ {
		if i == 0 {
			runT, agentT, directT, agentTokens, directTokens = 0, 0, 0, 0, 0
		}
		t0 := time.Now()
		run, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "Say hello.", Model: srv.Model,
			Options: RunOptions{Profile: capability.ProfileAsk}, Seed: ptr(42), Temperature: ptr(0.0), NumCtx: 4096, NumPredict: predict})
		if err != nil {
			b.Fatal(err)
		}
		if info, err := s.WaitRun(RunRequest{ID: run.ID}); err != nil || info.State != kernel.StateValidated {
			b.Fatalf("run %s: %s %v", info.State, info.Reason, err)
		}
		runT += time.Since(t0)
		tr, err := s.GetTranscript(RunRequest{ID: run.ID})
		if err != nil || len(tr.Steps) != 1 || tr.Steps[0].Response == nil {
			b.Fatalf("transcript: %+v %v", tr, err)
		}
		agentTokens += tr.EvalTokens
		agentT += time.Duration(tr.Steps[0].Response.WallMs) * time.Millisecond // the model step, as the agent timed it
		view, err := s.GetInferenceRequest(InferenceStepRequest{Run: run.ID, Step: 1})
		if err != nil {
			b.Fatal(err)
		}
		var req api.ChatRequest
		if err := json.Unmarshal([]byte(view.JSON), &req); err != nil {
			b.Fatal(err)
		}
		t0 = time.Now()
		if err := client.Chat(context.Background(), &req, func(r api.ChatResponse) error {
			directTokens += r.EvalCount
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		directT += time.Since(t0)
	}
	b.ReportMetric(float64(agentTokens)/agentT.Seconds(), "agent-tokens/s")
	b.ReportMetric(float64(directTokens)/directT.Seconds(), "direct-tokens/s")
	b.ReportMetric(float64((runT-agentT).Milliseconds())/float64(b.N), "run-ms") // the rest of the run: start (incl. asking Ollama about the model), validation
	b.ReportMetric(float64(agentTokens)/float64(b.N), "tokens/answer")
}
