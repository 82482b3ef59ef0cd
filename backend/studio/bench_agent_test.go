package studio

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/internal/fakeollama"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/ollama"
)

// The agent's cost over talking to the model directly, against the fake
// Ollama at zero latency: what a run adds per model step (recording the
// request, the response and the tool call, the model.invoke check, the
// live updates) and per streamed token. The baseline sends exactly the
// requests the agent sent, with the same answers, through api.Client.

const (
	benchSteps         = 20     // model steps per run
	benchTokensPerStep = 50     // streamed pieces per step
	benchLongAnswer    = 100000 // pieces of the one-step throughput run
)

func benchStudio(b *testing.B) (*Studio, Workspace, *fakeollama.Server) {
	fake := fakeollama.Start()
	b.Cleanup(fake.Close)
	u, _ := url.Parse(fake.URL)
	bb := bus.New()
	_, unsub := bb.Subscribe(1 << 16) // a UI listening to the updates
	b.Cleanup(unsub)
	s := New(Config{DataDir: b.TempDir(), Bus: bb, Ollama: ollama.New(u, nil), PollInterval: time.Hour,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := s.Open(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close(context.Background()) })
	root, _ := filepath.EvalSymlinks(b.TempDir())
	writeFiles(b, root, map[string]string{"README.md": "# bench\n", "src/main.go": "package main\n"})
	ws, err := s.OpenFolder(OpenFolderRequest{Path: root})
	if err != nil {
		b.Fatal(err)
	}
	return s, ws, fake
}

func pieces(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("tok%d ", i%100)
	}
	return out
}

// script queues one run's answers: steps-1 steps that list a folder, then finish.
func script(fake *fakeollama.Server, steps, tokens int) []fakeollama.Reply {
	var rs []fakeollama.Reply
	for i := 1; i < steps; i++ {
		rs = append(rs, fakeollama.Reply{Chunks: pieces(tokens), Calls: []fakeollama.Call{{Name: "list_dir", Args: `{"path":"src"}`}}})
	}
	rs = append(rs, fakeollama.Reply{Chunks: pieces(tokens), Calls: []fakeollama.Call{{Name: "finish", Args: `{"summary":"done"}`}}})
	fake.Push(rs...)
	return rs
}

func agentRun(b testing.TB, s *Studio, ws Workspace) {
	run, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "Look around", Model: "tiny"})
	if err != nil {
		b.Fatal(err)
	}
	info, err := s.WaitRun(RunRequest{ID: run.ID})
	if err != nil || info.State != kernel.StateValidated {
		b.Fatalf("run: %s %s %v", info.State, info.Reason, err)
	}
}

// direct sends reqs through a bare api.Client, gathering each answer.
func direct(b testing.TB, c *api.Client, reqs []api.ChatRequest) {
	for i := range reqs {
		var sb strings.Builder
		n := 0
		if err := c.Chat(context.Background(), &reqs[i], func(r api.ChatResponse) error {
			sb.WriteString(r.Message.Content)
			n += len(r.Message.ToolCalls)
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// pair runs one agent run (the answers queued by queue) and then replays
// the very requests it sent directly, with the same answers; it returns
// both times (taken in turn, so both see the same machine load).
func pair(b *testing.B, s *Studio, ws Workspace, fake *fakeollama.Server, client *api.Client, queue func()) (time.Duration, time.Duration) {
	before, _ := fake.Requests()
	queue()
	t0 := time.Now()
	agentRun(b, s, ws)
	agentT := time.Since(t0)
	all, _ := fake.Requests()
	queue()
	t0 = time.Now()
	direct(b, client, all[len(before):])
	return agentT, time.Since(t0)
}

// BenchmarkAgentStep: what the agent adds to each model step (recording the
// request, the response and the tool call, the model.invoke check, a
// list_dir tool, the live updates), as the slope between runs of
// stepsShort and stepsLong steps, so the run's own fixed cost (its
// lifecycle and validation, reported apart) is not spread over the steps.
func BenchmarkAgentStep(b *testing.B) {
	const stepsShort, stepsLong = 5, 25
	s, ws, fake := benchStudio(b)
	u, _ := url.Parse(fake.URL)
	client := api.NewClient(u, http.DefaultClient)
	var a1, d1, a2, d2 time.Duration
	for range b.N {
		a, d := pair(b, s, ws, fake, client, func() { script(fake, stepsShort, benchTokensPerStep) })
		a1, d1 = a1+a, d1+d
		a, d = pair(b, s, ws, fake, client, func() { script(fake, stepsLong, benchTokensPerStep) })
		a2, d2 = a2+a, d2+d
	}
	n := float64(b.N)
	agentStep := float64((a2 - a1).Microseconds()) / n / (stepsLong - stepsShort)
	directStep := float64((d2 - d1).Microseconds()) / n / (stepsLong - stepsShort)
	b.ReportMetric(agentStep, "agent-µs/step")
	b.ReportMetric(directStep, "direct-µs/step")
	b.ReportMetric(agentStep-directStep, "overhead-µs/step")
	b.ReportMetric((float64((a1-d1).Microseconds())/n-stepsShort*(agentStep-directStep))/1000, "run-ms")
}

// BenchmarkAgentTokens: streamed-token throughput of the agent beside the
// direct client, as the slope between answers of tokensShort and
// tokensLong pieces (an answer without a tool call ends the run), so the
// run's fixed cost is not counted against the tokens.
func BenchmarkAgentTokens(b *testing.B) {
	const tokensShort, tokensLong = 10000, benchLongAnswer
	s, ws, fake := benchStudio(b)
	u, _ := url.Parse(fake.URL)
	client := api.NewClient(u, http.DefaultClient)
	short, long := fakeollama.Reply{Chunks: pieces(tokensShort)}, fakeollama.Reply{Chunks: pieces(tokensLong)}
	var a1, d1, a2, d2 time.Duration
	for range b.N {
		a, d := pair(b, s, ws, fake, client, func() { fake.Push(short) })
		a1, d1 = a1+a, d1+d
		a, d = pair(b, s, ws, fake, client, func() { fake.Push(long) })
		a2, d2 = a2+a, d2+d
	}
	tokens := float64(b.N * (tokensLong - tokensShort))
	agent, direct := tokens/(a2-a1).Seconds(), tokens/(d2-d1).Seconds()
	b.ReportMetric(agent, "agent-tokens/s")
	b.ReportMetric(direct, "direct-tokens/s")
	b.ReportMetric(100*(1-agent/direct), "loss-%")
}
