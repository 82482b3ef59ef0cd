package studio

import (
	"context"
	"fmt"
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
	benchSteps         = 20   // model steps per run
	benchTokensPerStep = 50   // streamed pieces per step
	benchLongAnswer    = 5000 // pieces of the one-step throughput run
)

func benchStudio(b *testing.B) (*Studio, Workspace, *fakeollama.Server) {
	fake := fakeollama.Start()
	b.Cleanup(fake.Close)
	u, _ := url.Parse(fake.URL)
	bb := bus.New()
	_, unsub := bb.Subscribe(1 << 16) // a UI listening to the updates
	b.Cleanup(unsub)
	s := New(Config{DataDir: b.TempDir(), Bus: bb, Ollama: ollama.New(u, nil), PollInterval: time.Hour})
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

func agentRun(b *testing.B, s *Studio, ws Workspace) {
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
func direct(b *testing.B, c *api.Client, reqs []api.ChatRequest) {
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

func BenchmarkAgentStep(b *testing.B) {
	s, ws, fake := benchStudio(b)
	u, _ := url.Parse(fake.URL)
	client := api.NewClient(u, http.DefaultClient)
	var sent []api.ChatRequest
	b.Run("agent", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			before, _ := fake.Requests()
			script(fake, benchSteps, benchTokensPerStep)
			b.StartTimer()
			agentRun(b, s, ws)
			b.StopTimer()
			all, _ := fake.Requests()
			sent = all[len(before):]
			b.StartTimer()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchSteps), "ns/step")
	})
	b.Run("direct", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			script(fake, benchSteps, benchTokensPerStep)
			b.StartTimer()
			direct(b, client, sent)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchSteps), "ns/step")
	})
}

func BenchmarkAgentTokens(b *testing.B) {
	s, ws, fake := benchStudio(b)
	u, _ := url.Parse(fake.URL)
	client := api.NewClient(u, http.DefaultClient)
	var sent []api.ChatRequest
	long := fakeollama.Reply{Chunks: pieces(benchLongAnswer)} // one step: an answer without a tool call ends the run
	b.Run("agent", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			before, _ := fake.Requests()
			fake.Push(long)
			b.StartTimer()
			agentRun(b, s, ws)
			b.StopTimer()
			all, _ := fake.Requests()
			sent = all[len(before):]
			b.StartTimer()
		}
		b.ReportMetric(float64(b.N*benchLongAnswer)/b.Elapsed().Seconds(), "tokens/s")
	})
	b.Run("direct", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			fake.Push(long)
			b.StartTimer()
			direct(b, client, sent)
		}
		b.ReportMetric(float64(b.N*benchLongAnswer)/b.Elapsed().Seconds(), "tokens/s")
	})
}
