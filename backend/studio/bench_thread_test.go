package studio

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/agent"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/internal/fakeollama"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/ollama"
)

// Conversations: what the runtime's context management costs per model
// step of a long thread, and how fast a long thread resumes after a
// restart, each beside its baseline in the same run.

const benchTurns = 100

// benchThread builds a thread of benchTurns turns (each: the user's
// message, a read_file call and its result of about 2 KiB, an answer)
// against the fake Ollama, and returns the studio, its data dir, the
// workspace root and the thread.
func benchThread(b *testing.B, fake *fakeollama.Server) (*Studio, string, string, string) {
	b.Helper()
	dir := b.TempDir()
	root, _ := filepath.EvalSymlinks(b.TempDir())
	var body strings.Builder
	for i := 0; body.Len() < 2048; i++ {
		fmt.Fprintf(&body, "func f%d() int { return %d } // a line of the file\n", i, i)
	}
	writeFiles(b, root, map[string]string{"main.go": body.String()})
	s := benchOpen(b, dir, fake)
	ws, err := s.OpenFolder(OpenFolderRequest{Path: root})
	if err != nil {
		b.Fatal(err)
	}
	thread := ""
	for i := range benchTurns {
		fake.Push(fakeollama.Reply{Calls: []fakeollama.Call{{Name: "read_file", Args: `{"path":"main.go"}`}}},
			fakeollama.Reply{Chunks: []string{fmt.Sprintf("Turn %d: main.go defines many small functions; nothing to change.", i)}})
		res, err := s.SendMessage(SendMessageRequest{WorkspaceID: ws.ID, ThreadID: thread, Text: fmt.Sprintf("Question %d: what does main.go do?", i),
			Agent: AgentParams{Model: "tiny", NumCtx: 1 << 17, Options: RunOptions{Profile: "ask"}}})
		if err != nil {
			b.Fatal(err)
		}
		thread = res.Thread.ID
		if info, err := s.WaitRun(RunRequest{ID: res.Run.ID}); err != nil || info.State != kernel.StateValidated {
			b.Fatalf("turn %d: %+v %v", i, info, err)
		}
	}
	return s, dir, root, thread
}

// benchFake is a fake Ollama whose model was trained for 128k tokens:
// a 100-turn thread fits its window whole, as with a large local model.
func benchFake(b *testing.B) *fakeollama.Server {
	fake := fakeollama.Start(fakeollama.Model{Name: "tiny:latest", Digest: "sha256:0a1b2c", Capabilities: []string{"completion", "tools"}, ContextLength: 1 << 17})
	b.Cleanup(fake.Close)
	return fake
}

func benchOpen(b *testing.B, dir string, fake *fakeollama.Server) *Studio {
	b.Helper()
	u, _ := url.Parse(fake.URL)
	s := New(Config{DataDir: dir, Ollama: ollama.New(u, nil), PollInterval: time.Hour, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := s.Open(context.Background()); err != nil {
		b.Fatal(err)
	}
	return s
}

// assemblyWorker does, b.N times, what the agent does before sending a
// request of a long conversation: a step is added (a call and its
// result), and then either the kernel fits the request to its window and
// it is recorded message by message (managed), or only the request body
// is built (the baseline, what a client without management does).
type assemblyWorker struct {
	b       *testing.B
	history []kernel.HistoryMessage
	managed bool
	msgs    int // messages in the last request
}

func (*assemblyWorker) Name() string { return "agent" }

func (w *assemblyWorker) Run(ctx context.Context, env *kernel.Env) error {
	msgs := []api.Message{{Role: "system", Content: "You are the coding agent of ICE Studio."}}
	for _, h := range w.history {
		var m api.Message
		if err := json.Unmarshal(h.Message, &m); err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	msgs = append(msgs, api.Message{Role: "user", Content: "One more question."})
	task := len(msgs) - 1
	tools, _ := json.Marshal([]api.Tool{{Type: "function", Function: api.ToolFunction{Name: "read_file", Description: "Read a file."}}})
	result := strings.Repeat("a line of a tool's output\n", 80)
	// The window holds the thread, so the steady state is what a long
	// conversation costs each step: estimate, (rarely) trim, record.
	win := kernel.Window{Tokens: 1 << 17, Model: "bench"}
	stored := map[string]bool{}
	var addrs []string
	w.b.ResetTimer()
	for i := 0; i < w.b.N; i++ {
		msgs = append(msgs, api.Message{Role: "assistant", ToolCalls: []api.ToolCall{{Function: api.ToolCallFunction{Name: "read_file",
			Arguments: mustArgsB(`{"path":"main.go"}`)}}}}, api.Message{Role: "tool", ToolName: "read_file", Content: fmt.Sprintf("%d %s", i, result)})
		if !w.managed {
			if _, err := json.Marshal(api.ChatRequest{Model: "tiny", Messages: msgs, Tools: []api.Tool{}, Options: map[string]any{"num_ctx": win.Tokens}}); err != nil {
				return err
			}
			continue
		}
		f, err := env.Fit(ctx, win, kernel.FitRequest{Step: i + 1, Messages: msgs, Task: task, Tools: tools})
		if err != nil {
			return err
		}
		msgs, task = f.Messages, f.Task
		from := 0
		next := make([]string, len(msgs))
		var blobs [][]byte
		if !f.Compacted && len(addrs) <= len(msgs) {
			from = copy(next, addrs)
			for _, j := range f.Rewritten {
				if j < from {
					b, _ := json.Marshal(msgs[j])
					next[j] = eventlog.BlobAddress(b)
					if !stored[next[j]] {
						blobs = append(blobs, b)
						stored[next[j]] = true
					}
				}
			}
		}
		for j := from; j < len(msgs); j++ {
			b, _ := json.Marshal(msgs[j])
			next[j] = eventlog.BlobAddress(b)
			if !stored[next[j]] {
				blobs = append(blobs, b)
				stored[next[j]] = true
			}
		}
		addrs = next
		if _, err := env.Record(eventlog.InferenceRequest, agent.RequestPayload{Step: i + 1, Model: "tiny", Messages: addrs, Window: f.Window,
			Estimate: f.Estimate, Bytes: f.Bytes}, blobs...); err != nil {
			return err
		}
	}
	w.b.StopTimer()
	w.msgs = len(msgs)
	return nil
}

func mustArgsB(s string) api.ToolCallFunctionArguments {
	var a api.ToolCallFunctionArguments
	_ = json.Unmarshal([]byte(s), &a)
	return a
}

// BenchmarkContextAssembly: per model step of a 100-turn thread, the
// kernel's estimate, fit and the request's record (managed) beside
// building the same request body without management (baseline).
func BenchmarkContextAssembly(b *testing.B) {
	fake := benchFake(b)
	s, _, _, thread := benchThread(b, fake)
	b.Cleanup(func() { _ = s.Close(context.Background()) })
	turns, err := kernel.ThreadTurns(context.Background(), s.events.ReadDB(), thread)
	if err != nil {
		b.Fatal(err)
	}
	history, _, err := s.threadHistory(context.Background(), turns, len(turns)+1)
	if err != nil {
		b.Fatal(err)
	}
	ws := func() string {
		t, _ := kernel.LoadThread(context.Background(), s.events.ReadDB(), thread)
		return t.Workspace
	}()
	for _, managed := range []bool{true, false} {
		name := "managed"
		if !managed {
			name = "unmanaged"
		}
		b.Run(name, func(b *testing.B) {
			w := &assemblyWorker{b: b, history: history, managed: managed}
			info, err := s.kernel.Start(context.Background(), kernel.StartRequest{Workspace: ws, Task: "bench", Profile: "ask"}, w)
			if err != nil {
				b.Fatal(err)
			}
			if info, err = s.kernel.Wait(context.Background(), info.ID); err != nil || info.State != kernel.StateValidated {
				b.Fatalf("run: %+v %v", info, err)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/step")
			b.ReportMetric(float64(len(history)), "history-messages")
		})
	}
}

// BenchmarkResume: a restart, then opening the 100-turn thread and
// sending a follow-up, to the moment its request reaches the model (its
// first token), beside a fresh single-turn conversation in the same
// Studio.
func BenchmarkResume(b *testing.B) {
	fake := benchFake(b)
	s, dir, root, thread := benchThread(b, fake)
	if err := s.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	drain := func() {
		for {
			select {
			case <-fake.Arrivals():
			default:
				return
			}
		}
	}
	var resume, fresh, open time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		s := benchOpen(b, dir, fake)
		ws, err := s.OpenFolder(OpenFolderRequest{Path: root})
		if err != nil {
			b.Fatal(err)
		}
		open += time.Since(t0)
		for _, follow := range []bool{true, false} {
			drain()
			fake.Push(fakeollama.Reply{Chunks: []string{"ok"}})
			start := time.Now()
			req := SendMessageRequest{WorkspaceID: ws.ID, Text: "One more question", Agent: AgentParams{Model: "tiny", NumCtx: 1 << 17, Options: RunOptions{Profile: "ask"}}}
			if follow {
				if _, err := s.GetThread(ThreadRequest{ID: thread}); err != nil {
					b.Fatal(err)
				}
				req.ThreadID = thread
			}
			res, err := s.SendMessage(req)
			if err != nil {
				b.Fatal(err)
			}
			<-fake.Arrivals()
			if follow {
				resume += time.Since(start)
			} else {
				fresh += time.Since(start)
			}
			if _, err := s.WaitRun(RunRequest{ID: res.Run.ID}); err != nil {
				b.Fatal(err)
			}
			if follow {
				thread = res.Thread.ID
			}
		}
		if err := s.Close(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(resume.Microseconds())/1000/n, "resume-ms")
	b.ReportMetric(float64(fresh.Microseconds())/1000/n, "fresh-ms")
	b.ReportMetric(float64(open.Microseconds())/1000/n, "restart-ms")
}
