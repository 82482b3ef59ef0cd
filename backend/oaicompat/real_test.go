package oaicompat_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/internal/realollama"
	"github.com/ice-studio/ice-studio/backend/oaicompat"
	"github.com/ice-studio/ice-studio/backend/ollama"
)

// The real-server tests run ollama v0.6.5 (scripts/real-ollama build, set
// in ICE_OLLAMA_BIN) with its tiny random-weight model and speak to its
// OpenAI-compatible /v1 through this package, beside the native provider
// on the same server; `make test-ollama` runs them (-run Real), and they
// skip without ICE_OLLAMA_BIN.

// realDeadline bounds a whole test, so a hang fails with the server's log
// instead of the test binary timing out.
const realDeadline = 2 * time.Minute

// greedy is a request both clients send alike: Ollama's /v1 sets
// temperature 1 and top_p 1 when the request has none, overriding the
// model's Modelfile (temperature 0), so the sampling is spelled out.
func greedy(model string, msgs ...api.Message) *api.ChatRequest {
	return &api.ChatRequest{Model: model, Messages: msgs, Options: map[string]any{
		"temperature": realollama.Temperature, "seed": realollama.SampleSeed, "num_predict": realollama.NumPredict, "top_p": 1.0,
	}}
}

func mustOpenReal(t *testing.T) (*realollama.Server, *oaicompat.Provider, *ollama.Provider, context.Context) {
	t.Helper()
	srv := realollama.Start(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- ollama serve log ---\n%s", srv.Log())
		}
	})
	p, err := oaicompat.New(oaicompat.Config{BaseURL: srv.Host + "/v1"})
	if err != nil {
		t.Fatalf("New(%s/v1): %v", srv.Host, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), realDeadline)
	t.Cleanup(cancel)
	return srv, p, ollama.New(srv.URL(), nil), ctx
}

func readFileTool() api.Tool {
	props := api.NewToolPropertiesMap()
	props.Set("path", api.ToolProperty{Type: api.PropertyType{"string"}, Description: "the file's path"})
	return api.Tool{Type: "function", Function: api.ToolFunction{Name: "read_file", Description: "Read a file of the workspace",
		Parameters: api.ToolFunctionParameters{Type: "object", Required: []string{"path"}, Properties: props}}}
}

func TestRealOpenAIEndpoint(t *testing.T) {
	srv, p, native, ctx := mustOpenReal(t)
	caller := srv.InstallToolCaller(t)

	t.Run("Models", func(t *testing.T) {
		ms, err := p.Models(ctx)
		if err != nil {
			t.Fatalf("Models(): %v", err)
		}
		var ids []string
		for _, m := range ms {
			ids = append(ids, m.ID)
			if m.Created <= 0 || m.OwnedBy == "" {
				t.Errorf("model %+v: want a creation time and an owner", m)
			}
		}
		if strings.Join(ids, " ") != realollama.Model+" "+caller {
			t.Errorf("Models() = %v, want %s and %s", ids, realollama.Model, caller)
		}
		if st := p.Status(ctx, 10*time.Second); !st.Reachable || st.Models != 2 || st.Error != "" {
			t.Errorf("Status() = %+v, want reachable with 2 models", st)
		}
	})

	t.Run("ChatLikeNative", func(t *testing.T) {
		msgs := []api.Message{{Role: "system", Content: "You are terse."}, {Role: "user", Content: "Hello, please read the file main.go."}}
		var chunks []api.ChatResponse
		got, err := p.Chat(ctx, greedy(realollama.Model, msgs...), func(r api.ChatResponse) { chunks = append(chunks, r) })
		if err != nil {
			t.Fatalf("Chat through /v1: %v", err)
		}
		want, err := native.Chat(ctx, greedy(realollama.Model, msgs...), nil)
		if err != nil {
			t.Fatalf("Chat through the native API: %v", err)
		}
		// The same prompt, the same greedy sampling and seed: the same
		// answer, token for token.
		if got.Content == "" || got.Content != want.Content {
			t.Errorf("/v1 answered %q, the native API %q: want the same, not empty", got.Content, want.Content)
		}
		if got.DoneReason != "length" || got.EvalTokens != realollama.NumPredict || got.PromptTokens != want.PromptTokens {
			t.Errorf("/v1 done reason %q, %d+%d tokens; want length, %d+%d as native", got.DoneReason, got.PromptTokens, got.EvalTokens,
				want.PromptTokens, realollama.NumPredict)
		}
		if len(chunks) < 3 || !chunks[len(chunks)-1].Done {
			t.Fatalf("/v1 streamed %d chunks, want one per token and a last done one", len(chunks))
		}
		var joined strings.Builder
		for _, c := range chunks {
			joined.WriteString(c.Message.Content)
		}
		if joined.String() != got.Content {
			t.Errorf("the streamed pieces join to %q, the result is %q", joined.String(), got.Content)
		}
		if got.Model != realollama.Model || got.Metrics.EvalDuration <= 0 || got.Metrics.TotalDuration < got.Metrics.EvalDuration {
			t.Errorf("/v1 model %q, metrics %+v: want %s, an answer's duration within the total", got.Model, got.Metrics, realollama.Model)
		}
	})

	t.Run("ToolCall", func(t *testing.T) {
		req := greedy(caller, api.Message{Role: "user", Content: "What is in the README?"})
		req.Options["num_predict"] = realollama.ToolCallerNumPredict
		req.Tools = api.Tools{readFileTool()}
		res, err := p.Chat(ctx, req, nil)
		if err != nil {
			t.Fatalf("Chat with the tool caller through /v1: %v", err)
		}
		if len(res.ToolCalls) != 1 {
			t.Fatalf("Chat tool calls = %+v (content %q), want one call of read_file", res.ToolCalls, res.Content)
		}
		c := res.ToolCalls[0]
		path, _ := c.Function.Arguments.Get("path")
		if c.Function.Name != "read_file" || path != "README.md" || c.Function.Arguments.Len() != 1 || c.ID == "" {
			t.Errorf("tool call = id %q %s(%s), want an id and read_file({\"path\":\"README.md\"})", c.ID, c.Function.Name, c.Function.Arguments.String())
		}
		if res.DoneReason != "stop" || res.Content != "" || res.EvalTokens != 2 {
			t.Errorf("Chat done reason %q, content %q, %d answer tokens; want stop (tool_calls), none, 2", res.DoneReason, res.Content, res.EvalTokens)
		}
	})

	t.Run("ToolResultLikeNative", func(t *testing.T) {
		// A conversation with a call and its result: Ollama's /v1 must
		// render it as the native API does (the same prompt, the same
		// answer), which it does only if the call arrives as a call.
		args := api.NewToolCallFunctionArguments()
		args.Set("path", "README.md")
		msgs := []api.Message{
			{Role: "user", Content: "What is in the README?"},
			{Role: "assistant", ToolCalls: []api.ToolCall{{Function: api.ToolCallFunction{Name: "read_file", Arguments: args}}}},
			{Role: "tool", ToolName: "read_file", Content: "# ICE Studio\nAn agent studio."},
		}
		oreq, nreq := greedy(realollama.Model, msgs...), greedy(realollama.Model, msgs...)
		oreq.Tools, nreq.Tools = api.Tools{readFileTool()}, api.Tools{readFileTool()}
		got, err := p.Chat(ctx, oreq, nil)
		if err != nil {
			t.Fatalf("Chat with a tool result through /v1: %v", err)
		}
		want, err := native.Chat(ctx, nreq, nil)
		if err != nil {
			t.Fatalf("Chat with a tool result through the native API: %v", err)
		}
		plain, err := native.Chat(ctx, greedy(realollama.Model, msgs[0]), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.PromptTokens != want.PromptTokens || got.Content != want.Content {
			t.Errorf("/v1: %d prompt tokens, %q; native: %d, %q; want the same", got.PromptTokens, got.Content, want.PromptTokens, want.Content)
		}
		if got.PromptTokens <= plain.PromptTokens {
			t.Errorf("the call and its result added no prompt tokens (%d, without them %d)", got.PromptTokens, plain.PromptTokens)
		}
	})

	t.Run("ModelMissing", func(t *testing.T) {
		_, err := p.Chat(ctx, greedy("no-such-model", api.Message{Role: "user", Content: "hi"}), nil)
		if !errors.Is(err, oaicompat.ErrModelMissing) || !strings.Contains(err.Error(), "model no-such-model is not served by "+srv.Host+"/v1") {
			t.Errorf("Chat with a model the server lacks: %v, want ErrModelMissing naming it and the endpoint", err)
		}
	})

	t.Run("WrongPath", func(t *testing.T) {
		bare, err := oaicompat.New(oaicompat.Config{BaseURL: srv.Host}) // without /v1
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bare.Models(ctx); err == nil || !strings.Contains(err.Error(), "/v1") {
			t.Errorf("Models at the server's root: %v, want an error pointing at /v1", err)
		}
	})
}

func TestRealOpenAIServerStops(t *testing.T) {
	srv, p, _, ctx := mustOpenReal(t)
	req := greedy(realollama.Model, api.Message{Role: "user", Content: "Tell me a long story"})
	req.Options["num_predict"] = -1 // no end of its own
	chunks := 0
	res, err := p.Chat(ctx, req, func(api.ChatResponse) {
		if chunks++; chunks == 3 {
			srv.Stop() // Ollama vanishes mid-answer
		}
	})
	if !errors.Is(err, ollama.ErrDropped) {
		t.Fatalf("Chat while the server stopped: %v (after %d chunks), want ErrDropped", err, chunks)
	}
	if res.Content == "" {
		t.Errorf("Chat kept nothing of the answer before the server stopped")
	}
	_, err = p.Chat(ctx, greedy(realollama.Model, api.Message{Role: "user", Content: "hi"}), nil)
	if !errors.Is(err, oaicompat.ErrUnreachable) || !strings.Contains(err.Error(), "cannot reach "+srv.Host+"/v1") {
		t.Errorf("Chat with the server stopped: %v, want ErrUnreachable naming the endpoint", err)
	}
	if st := p.Status(ctx, 5*time.Second); st.Reachable || st.Error == "" {
		t.Errorf("Status() with the server stopped = %+v, want unreachable with the reason", st)
	}
}

// benchTokens is the answer's length in the benchmark: long enough that
// streaming, not the request, dominates.
const benchTokens = 256

// BenchmarkRealTokens streams the same answer through this client (the
// server's /v1) and through the native provider (its /api/chat), in turn on
// one server and model, and reports each one's tokens per second of the
// whole call as the caller sees it.
func BenchmarkRealTokens(b *testing.B) {
	srv := realollama.Start(b)
	p, err := oaicompat.New(oaicompat.Config{BaseURL: srv.Host + "/v1"})
	if err != nil {
		b.Fatal(err)
	}
	native := ollama.New(srv.URL(), nil)
	ctx := context.Background()
	req := func() *api.ChatRequest {
		r := greedy(realollama.Model, api.Message{Role: "user", Content: "Tell me a story about a lighthouse."})
		r.Options["num_predict"] = benchTokens
		return r
	}
	type client struct {
		name   string
		chat   func(context.Context, *api.ChatRequest, func(api.ChatResponse)) (ollama.ChatResult, error)
		tokens int
		took   time.Duration
	}
	clients := []*client{{name: "openai", chat: p.Chat}, {name: "native", chat: native.Chat}}
	for _, c := range clients { // load the model, warm the connections
		if _, err := c.chat(ctx, req(), nil); err != nil {
			b.Fatalf("%s warm-up: %v\n%s", c.name, err, srv.Log())
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, c := range clients {
			start := time.Now()
			res, err := c.chat(ctx, req(), func(api.ChatResponse) {})
			c.took += time.Since(start)
			if err != nil {
				b.Fatalf("%s chat: %v", c.name, err)
			}
			c.tokens += res.EvalTokens
		}
	}
	b.StopTimer()
	for _, c := range clients {
		b.ReportMetric(float64(c.tokens)/c.took.Seconds(), c.name+"-tokens/s")
	}
}
