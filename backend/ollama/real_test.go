package ollama_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"
	"github.com/ollama/ollama/format"

	"github.com/ice-studio/ice-studio/backend/internal/realollama"
	"github.com/ice-studio/ice-studio/backend/internal/tinymodel"
	"github.com/ice-studio/ice-studio/backend/ollama"
)

// The real-server tests run ollama v0.6.5 (built by scripts/real-ollama,
// pointed to by ICE_OLLAMA_BIN) with a tiny random-weight model; `make
// test-ollama` runs them, and they skip without ICE_OLLAMA_BIN.

// guard bounds a call that should return at once, and deadline a whole
// test, so a hang fails with a message (and the server's log) instead of
// the whole test binary timing out.
const (
	guard    = 30 * time.Second
	deadline = 2 * time.Minute
)

func realChat(model, prompt string) *api.ChatRequest {
	return &api.ChatRequest{Model: model, Messages: []api.Message{{Role: "user", Content: prompt}}}
}

// endless asks for an answer that never ends by itself (no num_predict
// cap), for tests that interrupt a stream.
func endless(req *api.ChatRequest) *api.ChatRequest {
	req.Options = map[string]any{"num_predict": -1}
	return req
}

// TestRealServer checks the provider's calls against one server.
func TestRealServer(t *testing.T) {
	srv := realollama.Start(t)
	p := ollama.New(srv.URL(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	// Log the server's output when a check fails: it says why.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- ollama serve log ---\n%s", srv.Log())
		}
	})

	t.Run("Version", func(t *testing.T) {
		v, err := p.Version(ctx)
		if err != nil || v == "" {
			t.Fatalf("Version() = %q, %v; want a version", v, err)
		}
		if st := p.Status(ctx, 5*time.Second); !st.Reachable || st.Version != v || st.Error != "" {
			t.Errorf("Status() = %+v, want reachable with version %q", st, v)
		}
	})

	t.Run("Models", func(t *testing.T) {
		ms, err := p.Models(ctx)
		if err != nil {
			t.Fatalf("Models(): %v", err)
		}
		if len(ms) != 1 {
			t.Fatalf("Models() = %+v, want only %s", ms, srv.Model)
		}
		m := ms[0]
		want := ollama.Model{Name: srv.Model, Family: "llama", Parameters: format.HumanNumber(tinymodel.ParameterCount()),
			Quantization: "F16", Format: "gguf", ContextLength: tinymodel.ContextLength}
		if m.Name != want.Name || m.Family != want.Family || m.Parameters != want.Parameters || m.Quantization != want.Quantization ||
			m.Format != want.Format || m.ContextLength != want.ContextLength {
			t.Errorf("Models()[0] = %+v, want %+v", m, want)
		}
		if !m.Has("completion") || !m.Has("tools") || m.Has("embedding") {
			t.Errorf("Models()[0].Capabilities = %v, want completion and tools, not embedding", m.Capabilities)
		}
		if m.Size <= 0 || m.Digest == "" || m.ModifiedAt <= 0 {
			t.Errorf("Models()[0] size %d, digest %q, modified %d: want all set", m.Size, m.Digest, m.ModifiedAt)
		}
	})

	t.Run("Show", func(t *testing.T) {
		m, err := p.Show(ctx, srv.Model)
		if err != nil {
			t.Fatalf("Show(%s): %v", srv.Model, err)
		}
		if m.Family != "llama" || m.Quantization != "F16" || m.Format != "gguf" {
			t.Errorf("Show(%s) = %+v, want a llama F16 gguf", srv.Model, m)
		}
		if !slices.Contains(m.Capabilities, "completion") || !slices.Contains(m.Capabilities, "tools") {
			t.Errorf("Show(%s).Capabilities = %v, want completion and tools", srv.Model, m.Capabilities)
		}
	})

	t.Run("Chat", func(t *testing.T) {
		chat := func(prompt string) (ollama.ChatResult, []api.ChatResponse) {
			t.Helper()
			var chunks []api.ChatResponse
			res, err := p.Chat(ctx, realChat(srv.Model, prompt), func(r api.ChatResponse) { chunks = append(chunks, r) })
			if err != nil {
				t.Fatalf("Chat(%q): %v", prompt, err)
			}
			return res, chunks
		}
		const prompt = "Hello, please read the file main.go."
		res, chunks := chat(prompt)
		if len(chunks) < 3 {
			t.Errorf("Chat streamed %d chunks, want one per token (%d) and a last one", len(chunks), realollama.NumPredict)
		}
		var joined strings.Builder
		for i, c := range chunks {
			joined.WriteString(c.Message.Content)
			if c.Done != (i == len(chunks)-1) {
				t.Errorf("chunk %d of %d has done = %v: only the last is done", i, len(chunks), c.Done)
			}
		}
		if res.Content == "" || res.Content != joined.String() {
			t.Errorf("Chat content %q, the chunks joined %q: want the same, not empty", res.Content, joined.String())
		}
		// Random weights never pick </s>: num_predict ends the answer.
		if res.DoneReason != "length" || res.EvalTokens != realollama.NumPredict || res.PromptTokens <= 0 {
			t.Errorf("Chat done reason %q, %d answer tokens, %d prompt tokens; want length, %d, some",
				res.DoneReason, res.EvalTokens, res.PromptTokens, realollama.NumPredict)
		}
		if res.Model != srv.Model || res.Metrics.EvalDuration <= 0 {
			t.Errorf("Chat model %q, eval duration %v: want %s and a duration", res.Model, res.Metrics.EvalDuration, srv.Model)
		}
		if len(res.ToolCalls) != 0 || res.Thinking != "" {
			t.Errorf("Chat tool calls %v, thinking %q: the tiny model has neither", res.ToolCalls, res.Thinking)
		}

		again, _ := chat(prompt)
		if again.Content != res.Content {
			t.Errorf("the same chat twice (temperature 0, seed %d) answered %q then %q", realollama.SampleSeed, res.Content, again.Content)
		}
		other, _ := chat("What is in the workspace?")
		if other.Content == res.Content {
			t.Errorf("two different prompts got the same answer %q: the prompt does not reach the model", res.Content)
		}
	})

	t.Run("ChatWithTools", func(t *testing.T) {
		tool := api.Tool{Type: "function", Function: api.ToolFunction{Name: "read_file", Description: "Read a file of the workspace"}}
		tool.Function.Parameters.Type = "object"
		tool.Function.Parameters.Required = []string{"path"}
		plain, err := p.Chat(ctx, realChat(srv.Model, "Read main.go"), nil)
		if err != nil {
			t.Fatalf("Chat without tools: %v", err)
		}
		req := realChat(srv.Model, "Read main.go")
		req.Tools = api.Tools{tool}
		res, err := p.Chat(ctx, req, nil)
		if err != nil {
			t.Fatalf("Chat with a tool (the template is tool-capable): %v", err)
		}
		// The template renders the tools into the prompt.
		if res.PromptTokens <= plain.PromptTokens || res.DoneReason != "length" {
			t.Errorf("Chat with a tool: %d prompt tokens (without: %d), done reason %q; want more, length",
				res.PromptTokens, plain.PromptTokens, res.DoneReason)
		}
	})

	t.Run("Embed", func(t *testing.T) {
		texts := []string{"hello world", "read the file", "hello world"}
		vs, err := p.Embed(ctx, srv.Model, texts)
		if err != nil {
			t.Fatalf("Embed(%s): %v", srv.Model, err)
		}
		if len(vs) != len(texts) {
			t.Fatalf("Embed(%d texts) = %d vectors", len(texts), len(vs))
		}
		for i, v := range vs {
			if len(v) != tinymodel.EmbeddingLength {
				t.Errorf("vector %d has %d dimensions, want %d", i, len(v), tinymodel.EmbeddingLength)
			}
		}
		if fmt.Sprint(vs[0]) != fmt.Sprint(vs[2]) || fmt.Sprint(vs[0]) == fmt.Sprint(vs[1]) {
			t.Errorf("Embed: the same text should get the same vector and another text another one")
		}
	})

	t.Run("CancelMidStream", func(t *testing.T) {
		errStop := errors.New("the user pressed stop")
		cctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		chunks := 0
		done := make(chan error, 1)
		var res ollama.ChatResult
		go func() {
			var err error
			res, err = p.Chat(cctx, endless(realChat(srv.Model, "Tell me a long story")), func(api.ChatResponse) {
				if chunks++; chunks == 1 {
					cancel(errStop)
				}
			})
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, errStop) || errors.Is(err, ollama.ErrDropped) {
				t.Errorf("Chat cancelled after the first chunk = %v, want the context's cause %q", err, errStop)
			}
			if res.Content == "" || res.DoneReason != "" {
				t.Errorf("cancelled Chat kept content %q, done reason %q: want what arrived, not done", res.Content, res.DoneReason)
			}
		case <-time.After(guard):
			t.Fatalf("Chat did not return within %s of its context being cancelled", guard)
		}
		// The server still answers. (ollama v0.6.5 leaks one of its slots
		// for the model in about one abandoned stream in ten; realollama
		// gives it four.)
		if _, err := p.Chat(ctx, realChat(srv.Model, "hi"), nil); err != nil {
			t.Errorf("Chat after a cancelled one: %v", err)
		}
	})

	// A model runner that dies mid-answer (a crash, the OOM killer): the
	// chat fails with a typed error, keeping what arrived, and the server
	// starts a new runner for the next chat, which answers as before.
	t.Run("RunnerCrashMidStream", func(t *testing.T) {
		before, err := p.Chat(ctx, realChat(srv.Model, "hi"), nil)
		if err != nil {
			t.Fatalf("Chat before the crash: %v", err)
		}
		var killed int
		var killErr error
		res, err := p.Chat(ctx, endless(realChat(srv.Model, "Tell me a long story")), func(api.ChatResponse) {
			if killed == 0 && killErr == nil {
				killed, killErr = srv.KillRunner()
			}
		})
		if killErr != nil || killed == 0 {
			t.Fatalf("KillRunner() = %d, %v: want the runner killed", killed, killErr)
		}
		t.Logf("Chat whose runner died: %v", err)
		// v0.6.5 reports it in the stream: {"error":"an error was encountered
		// while running the model: unexpected EOF"}.
		if !errors.Is(err, ollama.ErrServer) {
			t.Errorf("Chat whose runner died mid-answer = %v, want ErrServer (or ErrDropped)", err)
		}
		if res.Content == "" || res.DoneReason != "" {
			t.Errorf("the failed Chat kept content %q, done reason %q: want what arrived, not done", res.Content, res.DoneReason)
		}
		after, err := p.Chat(ctx, realChat(srv.Model, "hi"), nil)
		if err != nil || after.Content != before.Content {
			t.Errorf("Chat after the crash = %q, %v; want %q as before it", after.Content, err, before.Content)
		}
	})

	t.Run("UnknownModel", func(t *testing.T) {
		const missing = "ice-studio-no-such-model"
		if _, err := p.Show(ctx, missing); !errors.Is(err, ollama.ErrModelMissing) || !strings.Contains(err.Error(), missing) {
			t.Errorf("Show(%s) = %v, want ErrModelMissing naming it", missing, err)
		}
		if _, err := p.Embed(ctx, missing, []string{"x"}); !errors.Is(err, ollama.ErrModelMissing) || !strings.Contains(err.Error(), missing) {
			t.Errorf("Embed(%s) = %v, want ErrModelMissing naming it", missing, err)
		}
		if _, err := p.Chat(ctx, realChat(missing, "hi"), nil); !errors.Is(err, ollama.ErrModelMissing) || !strings.Contains(err.Error(), missing) {
			t.Errorf("Chat(%s) = %v, want ErrModelMissing naming it", missing, err)
		}
	})
}

// TestRealServerStoppedMidStream stops Ollama while it streams an answer:
// the chat fails as dropped (or not running), keeping what arrived, and the
// provider then reports the server down.
func TestRealServerStoppedMidStream(t *testing.T) {
	srv := realollama.Start(t)
	p := ollama.New(srv.URL(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()

	done := make(chan error, 1)
	var res ollama.ChatResult
	chunks := 0
	go func() {
		var err error
		res, err = p.Chat(ctx, endless(realChat(srv.Model, "Tell me a long story")), func(api.ChatResponse) {
			if chunks++; chunks == 1 {
				srv.Stop() // returns once the server has exited
			}
		})
		done <- err
	}()
	select {
	case err := <-done:
		t.Logf("Chat with the server stopped mid-stream: %v", err)
		if !errors.Is(err, ollama.ErrDropped) && !errors.Is(err, ollama.ErrNotRunning) {
			t.Errorf("Chat with the server stopped mid-stream = %v, want ErrDropped or ErrNotRunning", err)
		}
		if res.Content == "" || res.DoneReason != "" {
			t.Errorf("the dropped Chat kept content %q, done reason %q: want what arrived, not done", res.Content, res.DoneReason)
		}
	case <-time.After(guard):
		t.Fatalf("Chat did not return within %s of the server stopping\n--- ollama serve log ---\n%s", guard, srv.Log())
	}

	if _, err := p.Chat(ctx, realChat(srv.Model, "hi"), nil); !errors.Is(err, ollama.ErrNotRunning) {
		t.Errorf("Chat with the server stopped = %v, want ErrNotRunning", err)
	}
	if st := p.Status(ctx, 5*time.Second); st.Reachable || !strings.Contains(st.Error, "not running") {
		t.Errorf("Status() with the server stopped = %+v, want not running", st)
	}
}
