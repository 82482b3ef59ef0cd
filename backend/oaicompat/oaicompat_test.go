package oaicompat_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/agent"
	"github.com/ice-studio/ice-studio/backend/oaicompat"
	"github.com/ice-studio/ice-studio/backend/ollama"
)

// The agent talks to an OpenAI-compatible endpoint as to Ollama.
var _ agent.Chatter = (*oaicompat.Provider)(nil)

// fakeServer is an httptest server speaking the OpenAI wire format with
// canned answers, recording what it was sent.
type fakeServer struct {
	*httptest.Server
	mu       sync.Mutex
	bodies   []map[string]any
	auth     []string
	paths    []string
	handle   func(w http.ResponseWriter, r *http.Request)
	provider *oaicompat.Provider
}

const testKey = "sk-test-0123456789abcdef"

// mustOpenServer starts a server answering with handle, and a provider for
// it (with testKey unless key is given).
func mustOpenServer(tb testing.TB, handle func(w http.ResponseWriter, r *http.Request), key ...string) *fakeServer {
	tb.Helper()
	s := &fakeServer{handle: handle}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		s.mu.Lock()
		s.bodies = append(s.bodies, m)
		s.auth = append(s.auth, r.Header.Get("Authorization"))
		s.paths = append(s.paths, r.Method+" "+r.URL.Path)
		s.mu.Unlock()
		s.handle(w, r)
	}))
	tb.Cleanup(s.Close)
	k := testKey
	if len(key) > 0 {
		k = key[0]
	}
	p, err := oaicompat.New(oaicompat.Config{BaseURL: s.URL + "/v1", APIKey: k})
	if err != nil {
		tb.Fatalf("New(%s/v1): %v", s.URL, err)
	}
	s.provider = p
	return s
}

func (s *fakeServer) lastBody(tb testing.TB) map[string]any {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.bodies) == 0 {
		tb.Fatal("the server got no request")
	}
	return s.bodies[len(s.bodies)-1]
}

// stream answers with the chunks as server-sent events, then [DONE]
// unless done is false.
func stream(done bool, chunks ...string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, c := range chunks {
			fmt.Fprintf(w, "data: %s\n\n", c)
			w.(http.Flusher).Flush()
		}
		if done {
			fmt.Fprint(w, "data: [DONE]\n\n")
		}
	}
}

// delta is a chunk with one choice's delta and finish reason ("" none).
func delta(d string, finish string) string {
	f := "null"
	if finish != "" {
		f = `"` + finish + `"`
	}
	return `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"served-model","choices":[{"index":0,"delta":` + d + `,"finish_reason":` + f + `}]}`
}

func text(s string) string {
	b, _ := json.Marshal(s)
	return delta(`{"role":"assistant","content":`+string(b)+`}`, "")
}

func usage(prompt, completion int) string {
	return fmt.Sprintf(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"served-model","choices":[],"usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}`,
		prompt, completion, prompt+completion)
}

func chatReq(model string) *api.ChatRequest {
	return &api.ChatRequest{Model: model, Messages: []api.Message{{Role: "user", Content: "hi"}}}
}

func TestChatStreamsContent(t *testing.T) {
	s := mustOpenServer(t, stream(true, text("Hel"), text("lo"), text(" world"), delta(`{}`, "stop"), usage(7, 3)))
	var chunks []api.ChatResponse
	res, err := s.provider.Chat(context.Background(), chatReq("m"), func(r api.ChatResponse) { chunks = append(chunks, r) })
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	var got []string
	for i, c := range chunks {
		got = append(got, c.Message.Content)
		if c.Done != (i == len(chunks)-1) {
			t.Errorf("chunk %d of %d has Done %v: only the last is done", i, len(chunks), c.Done)
		}
	}
	if want := []string{"Hel", "lo", " world", ""}; !reflect.DeepEqual(got, want) {
		t.Errorf("Chat streamed %q, want %q", got, want)
	}
	last := chunks[len(chunks)-1]
	if last.DoneReason != "stop" || last.PromptEvalCount != 7 || last.EvalCount != 3 || last.Model != "served-model" {
		t.Errorf("last chunk = %+v, want done reason stop, 7 prompt and 3 answer tokens, model served-model", last)
	}
	if res.Content != "Hello world" || res.DoneReason != "stop" || res.PromptTokens != 7 || res.EvalTokens != 3 || res.Model != "served-model" {
		t.Errorf("Chat = %+v, want Hello world, stop, 7+3 tokens, served-model", res)
	}
	if res.Metrics.EvalCount != 3 || res.Metrics.TotalDuration <= 0 || res.Metrics.TotalDuration < res.Metrics.EvalDuration {
		t.Errorf("Chat metrics = %+v, want 3 answer tokens and a total duration covering the answer's", res.Metrics)
	}
	if len(res.ToolCalls) != 0 {
		t.Errorf("Chat tool calls = %v, want none", res.ToolCalls)
	}
	body := s.lastBody(t)
	if body["stream"] != true || !reflect.DeepEqual(body["stream_options"], map[string]any{"include_usage": true}) {
		t.Errorf("request stream %v, stream_options %v: want a stream with include_usage", body["stream"], body["stream_options"])
	}
	if got := s.paths[0]; got != "POST /v1/chat/completions" {
		t.Errorf("request went to %q, want POST /v1/chat/completions", got)
	}
}

func TestChatThinking(t *testing.T) {
	s := mustOpenServer(t, stream(true, delta(`{"reasoning_content":"let me see"}`, ""), delta(`{"reasoning":" more"}`, ""), text("42"), delta(`{}`, "stop"), usage(1, 3)))
	var thinking []string
	res, err := s.provider.Chat(context.Background(), chatReq("m"), func(r api.ChatResponse) { thinking = append(thinking, r.Message.Thinking) })
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	if res.Thinking != "let me see more" || res.Content != "42" {
		t.Errorf("Chat thinking %q, content %q; want %q, %q", res.Thinking, res.Content, "let me see more", "42")
	}
	if want := []string{"let me see", " more", "", ""}; !reflect.DeepEqual(thinking, want) {
		t.Errorf("streamed thinking %q, want %q", thinking, want)
	}
}

func TestChatToolCallDeltas(t *testing.T) {
	// Two calls, their names and arguments split across chunks and
	// interleaved, as OpenAI streams parallel calls.
	s := mustOpenServer(t, stream(true,
		delta(`{"role":"assistant","tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"read_file","arguments":""}}]}`, ""),
		delta(`{"tool_calls":[{"index":0,"function":{"arguments":"{\"pa"}}]}`, ""),
		delta(`{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"list_dir","arguments":"{\"dir\":"}}]}`, ""),
		delta(`{"tool_calls":[{"index":0,"function":{"arguments":"th\":\"main.go\",\"n\":2}"}}]}`, ""),
		delta(`{"tool_calls":[{"index":1,"function":{"arguments":"\"src\"}"}}]}`, ""),
		delta(`{}`, "tool_calls"),
		usage(20, 9)))
	var last api.ChatResponse
	res, err := s.provider.Chat(context.Background(), chatReq("m"), func(r api.ChatResponse) { last = r })
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	if res.DoneReason != "stop" || res.EvalTokens != 9 || res.PromptTokens != 20 {
		t.Errorf("Chat done reason %q, tokens %d+%d; want stop (tool_calls), 20+9", res.DoneReason, res.PromptTokens, res.EvalTokens)
	}
	if len(res.ToolCalls) != 2 {
		t.Fatalf("Chat tool calls = %+v, want 2", res.ToolCalls)
	}
	a, b := res.ToolCalls[0], res.ToolCalls[1]
	if a.ID != "call_a" || a.Function.Name != "read_file" || a.Function.Arguments.String() != `{"path":"main.go","n":2}` || a.Function.Index != 0 {
		t.Errorf("first call = id %q %s(%s) index %d, want call_a read_file({\"path\":\"main.go\",\"n\":2}) index 0", a.ID, a.Function.Name, a.Function.Arguments.String(), a.Function.Index)
	}
	if b.ID != "call_b" || b.Function.Name != "list_dir" || b.Function.Arguments.String() != `{"dir":"src"}` || b.Function.Index != 1 {
		t.Errorf("second call = id %q %s(%s) index %d, want call_b list_dir({\"dir\":\"src\"}) index 1", b.ID, b.Function.Name, b.Function.Arguments.String(), b.Function.Index)
	}
	if v, _ := a.Function.Arguments.Get("n"); v != float64(2) {
		t.Errorf("first call's n = %#v, want the number 2", v)
	}
	if !last.Done || len(last.Message.ToolCalls) != 2 {
		t.Errorf("the done chunk holds %d tool calls (done %v), want both", len(last.Message.ToolCalls), last.Done)
	}
}

func TestChatWholeCallsAtOneIndex(t *testing.T) {
	// Ollama's /v1 sends each whole call in one chunk, with its own id, and
	// may give two of them the same index.
	s := mustOpenServer(t, stream(true,
		delta(`{"tool_calls":[{"index":0,"id":"call_x1","type":"function","function":{"name":"a","arguments":"{}"}}]}`, ""),
		delta(`{"tool_calls":[{"index":0,"id":"call_x2","type":"function","function":{"name":"b","arguments":"{\"k\":1}"}}]}`, ""),
		delta(`{}`, "tool_calls")))
	res, err := s.provider.Chat(context.Background(), chatReq("m"), nil)
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	var got []string
	for _, c := range res.ToolCalls {
		got = append(got, c.ID+" "+c.Function.Name+c.Function.Arguments.String())
	}
	if want := []string{`call_x1 a{}`, `call_x2 b{"k":1}`}; !reflect.DeepEqual(got, want) {
		t.Errorf("tool calls %q, want %q", got, want)
	}
	if res.PromptTokens != 0 || res.EvalTokens != 0 {
		t.Errorf("without usage the counts are %d+%d, want 0+0 (unknown)", res.PromptTokens, res.EvalTokens)
	}
}

func TestChatFinishReasons(t *testing.T) {
	call := delta(`{"tool_calls":[{"index":0,"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}`, "")
	for _, tc := range []struct {
		finish, want string
		chunks       []string
	}{
		{"stop", "stop", []string{text("a")}},
		{"length", "length", []string{text("a")}},
		{"tool_calls", "stop", []string{call}},
		{"content_filter", "content_filter", []string{text("a")}},
	} {
		t.Run(tc.finish, func(t *testing.T) {
			s := mustOpenServer(t, stream(true, append(tc.chunks, delta(`{}`, tc.finish), usage(1, 1))...))
			res, err := s.provider.Chat(context.Background(), chatReq("m"), nil)
			if err != nil || res.DoneReason != tc.want {
				t.Errorf("Chat with finish reason %s = done reason %q, %v; want %q", tc.finish, res.DoneReason, err, tc.want)
			}
		})
	}
}

func TestChatDropped(t *testing.T) {
	cut := func(w http.ResponseWriter, r *http.Request) {
		// Half a chunked body, then the connection closes.
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: %s\n\n", text("partial"))
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}
	for name, h := range map[string]func(http.ResponseWriter, *http.Request){
		"no finish reason, [DONE]":    stream(true, text("partial")),
		"no finish reason, no [DONE]": stream(false, text("partial")),
		"connection cut":              cut,
	} {
		t.Run(name, func(t *testing.T) {
			s := mustOpenServer(t, h)
			res, err := s.provider.Chat(context.Background(), chatReq("m"), nil)
			if !errors.Is(err, ollama.ErrDropped) {
				t.Fatalf("Chat of a stream that stops early: %v, want ErrDropped", err)
			}
			if res.Content != "partial" {
				t.Errorf("Chat kept %q of the dropped answer, want %q", res.Content, "partial")
			}
		})
	}
	t.Run("after the finish reason", func(t *testing.T) {
		// The answer is whole once the finish reason came: a connection
		// closed before [DONE] loses nothing that matters.
		s := mustOpenServer(t, stream(false, text("all"), delta(`{}`, "stop")))
		res, err := s.provider.Chat(context.Background(), chatReq("m"), nil)
		if err != nil || res.Content != "all" || res.DoneReason != "stop" {
			t.Errorf("Chat = %q, %q, %v; want all, stop, no error", res.Content, res.DoneReason, err)
		}
	})
}

func TestChatMalformedArguments(t *testing.T) {
	for name, args := range map[string]string{"not JSON": `{\"path\": main.go`, "an array": `[1,2]`, "a string": `\"main.go\"`} {
		t.Run(name, func(t *testing.T) {
			s := mustOpenServer(t, stream(true, text("calling"),
				delta(`{"tool_calls":[{"index":0,"id":"c","type":"function","function":{"name":"read_file","arguments":"`+args+`"}}]}`, ""),
				delta(`{}`, "tool_calls")))
			res, err := s.provider.Chat(context.Background(), chatReq("m"), nil)
			if !errors.Is(err, ollama.ErrMalformed) {
				t.Fatalf("Chat with arguments %s: %v, want ErrMalformed", args, err)
			}
			if !strings.Contains(err.Error(), "read_file") {
				t.Errorf("error %q does not name the tool", err)
			}
			if res.Content != "calling" || len(res.ToolCalls) != 0 {
				t.Errorf("Chat result %q with %d calls, want the text and no calls", res.Content, len(res.ToolCalls))
			}
		})
	}
	t.Run("a chunk that is not JSON", func(t *testing.T) {
		s := mustOpenServer(t, stream(true, text("a"), `{"choices": [`))
		if _, err := s.provider.Chat(context.Background(), chatReq("m"), nil); !errors.Is(err, ollama.ErrMalformed) {
			t.Errorf("Chat of a broken chunk: %v, want ErrMalformed", err)
		}
	})
}

func TestChatHTTPErrors(t *testing.T) {
	answer := func(code int, body string) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			io.WriteString(w, body)
		}
	}
	for _, tc := range []struct {
		name     string
		handle   func(http.ResponseWriter, *http.Request)
		is       []error
		contains []string
	}{
		{"401 echoing the key", answer(401, `{"error":{"message":"Incorrect API key provided: `+testKey+`","type":"invalid_request_error","code":"invalid_api_key"}}`),
			[]error{oaicompat.ErrKeyRefused}, []string{"API key was refused", "401"}},
		{"403", answer(403, `{"error":{"message":"forbidden"}}`), []error{oaicompat.ErrKeyRefused}, []string{"API key was refused", "403"}},
		{"404 model (Ollama)", answer(404, `{"error":{"message":"model \"nope\" not found, try pulling it first","type":"api_error"}}`),
			[]error{oaicompat.ErrModelMissing, ollama.ErrModelMissing}, []string{"model nope is not served by http://127.0.0.1"}},
		{"404 model (vLLM's old shape)", answer(404, `{"object":"error","message":"The model `+"`nope`"+` does not exist.","type":"NotFoundError","code":404}`),
			[]error{oaicompat.ErrModelMissing}, []string{"model nope is not served by", "does not exist"}},
		{"404 page", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
			[]error{oaicompat.ErrModelMissing}, []string{"model nope is not served by", "/v1"}},
		{"500", answer(500, `{"error":{"message":"llama runner process has terminated"}}`),
			[]error{oaicompat.ErrServer, ollama.ErrServer}, []string{"500", "llama runner process has terminated"}},
		{"error in the stream", stream(true, text("a"), `{"error":{"message":"the runner crashed"}}`),
			[]error{oaicompat.ErrServer, ollama.ErrServer}, []string{"the runner crashed"}},
		{"400", answer(400, `{"error":"messages must not be empty"}`), nil, []string{"400", "messages must not be empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustOpenServer(t, tc.handle)
			_, err := s.provider.Chat(context.Background(), chatReq("nope"), nil)
			if err == nil {
				t.Fatal("Chat succeeded, want an error")
			}
			for _, want := range tc.is {
				if !errors.Is(err, want) {
					t.Errorf("Chat error %q is not %q", err, want)
				}
			}
			for _, want := range tc.contains {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Chat error %q does not say %q", err, want)
				}
			}
			if strings.Contains(err.Error(), testKey) || strings.Contains(fmt.Sprintf("%+v %#v", err, err), testKey) {
				t.Errorf("Chat error %q holds the API key", err)
			}
			if errors.Is(err, ollama.ErrDropped) || errors.Is(err, ollama.ErrMalformed) {
				t.Errorf("Chat error %q is classed as dropped or malformed", err)
			}
		})
	}
}

func TestAPIKey(t *testing.T) {
	s := mustOpenServer(t, stream(true, text("a"), delta(`{}`, "stop")))
	if _, err := s.provider.Chat(context.Background(), chatReq("m"), nil); err != nil {
		t.Fatalf("Chat: %v", err)
	}
	if _, err := s.provider.Models(context.Background()); err == nil {
		t.Log("the canned stream parsed as a model list") // what matters is the header
	}
	for i, got := range s.auth {
		if got != "Bearer "+testKey {
			t.Errorf("request %d (%s) sent Authorization %q, want Bearer and the key", i, s.paths[i], got)
		}
	}

	// No key: no Authorization, whatever the environment says.
	t.Setenv("OPENAI_API_KEY", "sk-from-the-environment")
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
	none := mustOpenServer(t, stream(true, text("a"), delta(`{}`, "stop")), "")
	if _, err := none.provider.Chat(context.Background(), chatReq("m"), nil); err != nil {
		t.Fatalf("Chat without a key (OPENAI_BASE_URL set elsewhere): %v", err)
	}
	if got := none.auth[0]; got != "" {
		t.Errorf("a provider without a key sent Authorization %q, want none", got)
	}
}

func TestChatRequestMapping(t *testing.T) {
	s := mustOpenServer(t, stream(true, text("ok"), delta(`{}`, "stop")))
	readArgs := api.NewToolCallFunctionArguments()
	readArgs.Set("path", "main.go")
	listArgs := api.NewToolCallFunctionArguments()
	listArgs.Set("dir", ".")
	props := api.NewToolPropertiesMap()
	props.Set("path", api.ToolProperty{Type: api.PropertyType{"string"}, Description: "a file"})
	readTool := api.Tool{Type: "function", Function: api.ToolFunction{Name: "read_file", Description: "Read a file",
		Parameters: api.ToolFunctionParameters{Type: "object", Required: []string{"path"}, Properties: props}}}
	finishTool := api.Tool{Type: "function", Function: api.ToolFunction{Name: "finish"}}
	req := &api.ChatRequest{
		Model: "qwen",
		Messages: []api.Message{
			{Role: "system", Content: "You are a helper."},
			{Role: "user", Content: "Read main.go"},
			{Role: "assistant", Thinking: "not sent", ToolCalls: []api.ToolCall{
				{Function: api.ToolCallFunction{Name: "read_file", Arguments: readArgs}},
				{Function: api.ToolCallFunction{Name: "list_dir", Arguments: listArgs}},
			}},
			{Role: "tool", ToolName: "list_dir", Content: "a.go b.go"}, // answers the second call, by name
			{Role: "tool", Content: "package main"},                    // the remaining one
			{Role: "assistant", Content: "More?", ToolCalls: []api.ToolCall{{ID: "srv_7", Function: api.ToolCallFunction{Name: "finish"}}}},
			{Role: "tool", ToolCallID: "srv_7", ToolName: "finish", Content: "done"},
			{Role: "tool", Content: "your call could not be read"}, // answers no call
			{Role: "assistant", Content: "Sorry."},
		},
		Tools:   api.Tools{readTool, finishTool},
		Options: map[string]any{"temperature": 0, "seed": 42, "num_predict": 24, "top_p": 0.9, "stop": []any{"</s>"}, "num_ctx": 8192, "top_k": 40},
	}
	if _, err := s.provider.Chat(context.Background(), req, nil); err != nil {
		t.Fatalf("Chat: %v", err)
	}
	body := s.lastBody(t)
	var got struct {
		Model    string `json:"model"`
		Messages []struct {
			Role       string `json:"role"`
			Content    any    `json:"content"`
			ToolCallID string `json:"tool_call_id"`
			ToolCalls  []struct {
				ID       string `json:"id"`
				Type     string `json:"type"`
				Function struct{ Name, Arguments string }
			} `json:"tool_calls"`
		} `json:"messages"`
		Tools []struct {
			Type     string `json:"type"`
			Function struct {
				Name        string         `json:"name"`
				Description string         `json:"description"`
				Parameters  map[string]any `json:"parameters"`
			} `json:"function"`
		} `json:"tools"`
	}
	raw, _ := json.Marshal(body)
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("decode the request %s: %v", raw, err)
	}
	if got.Model != "qwen" {
		t.Errorf("model %q, want qwen", got.Model)
	}
	var roles []string
	for _, m := range got.Messages {
		roles = append(roles, m.Role)
	}
	if want := []string{"system", "user", "assistant", "tool", "tool", "assistant", "tool", "user", "assistant"}; !reflect.DeepEqual(roles, want) {
		t.Fatalf("roles %v, want %v (the orphan tool result as a user message)\nrequest: %s", roles, want, raw)
	}
	m := got.Messages
	if m[0].Content != "You are a helper." || m[1].Content != "Read main.go" {
		t.Errorf("system and user content %q, %q", m[0].Content, m[1].Content)
	}
	if _, has := body["messages"].([]any)[2].(map[string]any)["content"]; has {
		t.Errorf("the assistant message with only tool calls has content %v: want none (Ollama's /v1 drops its calls otherwise)", m[2].Content)
	}
	if len(m[2].ToolCalls) != 2 {
		t.Fatalf("assistant tool calls %+v, want 2", m[2].ToolCalls)
	}
	c0, c1 := m[2].ToolCalls[0], m[2].ToolCalls[1]
	if c0.ID != "call_0" || c0.Type != "function" || c0.Function.Name != "read_file" || c0.Function.Arguments != `{"path":"main.go"}` {
		t.Errorf("first call %+v, want call_0 read_file {\"path\":\"main.go\"}", c0)
	}
	if c1.ID != "call_1" || c1.Function.Name != "list_dir" || c1.Function.Arguments != `{"dir":"."}` {
		t.Errorf("second call %+v, want call_1 list_dir {\"dir\":\".\"}", c1)
	}
	if m[3].ToolCallID != "call_1" || m[3].Content != "a.go b.go" || m[4].ToolCallID != "call_0" || m[4].Content != "package main" {
		t.Errorf("tool results answer %q (%v) and %q (%v), want call_1 by name, then call_0", m[3].ToolCallID, m[3].Content, m[4].ToolCallID, m[4].Content)
	}
	if m[5].Content != "More?" || len(m[5].ToolCalls) != 1 || m[5].ToolCalls[0].ID != "srv_7" || m[5].ToolCalls[0].Function.Arguments != "{}" {
		t.Errorf("second assistant message %+v, want More? with the call srv_7 and arguments {}", m[5])
	}
	if m[6].ToolCallID != "srv_7" || m[7].Content != "your call could not be read" || m[8].Content != "Sorry." {
		t.Errorf("messages 6-8 = %+v", m[6:])
	}
	if len(got.Tools) != 2 {
		t.Fatalf("tools %+v, want 2", got.Tools)
	}
	rt := got.Tools[0]
	wantParams := map[string]any{"type": "object", "required": []any{"path"}, "properties": map[string]any{"path": map[string]any{"type": "string", "description": "a file"}}}
	if rt.Type != "function" || rt.Function.Name != "read_file" || rt.Function.Description != "Read a file" || !reflect.DeepEqual(rt.Function.Parameters, wantParams) {
		t.Errorf("tool %+v, want read_file with %v", rt, wantParams)
	}
	if ft := got.Tools[1]; ft.Function.Name != "finish" || !reflect.DeepEqual(ft.Function.Parameters, map[string]any{"type": "object", "properties": map[string]any{}}) {
		t.Errorf("tool without parameters %+v, want an object schema with no properties", ft)
	}
	for k, want := range map[string]any{"temperature": 0.0, "seed": 42.0, "max_tokens": 24.0, "top_p": 0.9, "stop": []any{"</s>"}} {
		if v, ok := body[k]; !ok || !reflect.DeepEqual(v, want) {
			t.Errorf("request %s = %#v (present %v), want %#v", k, v, ok, want)
		}
	}
	for _, k := range []string{"num_ctx", "top_k", "options", "max_completion_tokens"} {
		if v, ok := body[k]; ok {
			t.Errorf("request has %s = %v, which an OpenAI server does not take", k, v)
		}
	}
}

func TestChatRejectsBadRequests(t *testing.T) {
	s := mustOpenServer(t, stream(true, text("a"), delta(`{}`, "stop")))
	for name, req := range map[string]*api.ChatRequest{
		"no model":        {Messages: []api.Message{{Role: "user", Content: "hi"}}},
		"no messages":     {Model: "m"},
		"unknown role":    {Model: "m", Messages: []api.Message{{Role: "narrator", Content: "hi"}}},
		"bad option":      {Model: "m", Messages: []api.Message{{Role: "user", Content: "hi"}}, Options: map[string]any{"temperature": "warm"}},
		"fractional seed": {Model: "m", Messages: []api.Message{{Role: "user", Content: "hi"}}, Options: map[string]any{"seed": 1.5}},
	} {
		if _, err := s.provider.Chat(context.Background(), req, nil); err == nil {
			t.Errorf("Chat with %s succeeded, want an error", name)
		}
	}
	if len(s.bodies) != 0 {
		t.Errorf("%d bad requests reached the server, want none", len(s.bodies))
	}
}

func TestChatCancel(t *testing.T) {
	release := make(chan struct{})
	s := mustOpenServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: %s\n\n", text("first"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	errStop := errors.New("the user pressed stop")
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	res, err := s.provider.Chat(ctx, chatReq("m"), func(api.ChatResponse) { cancel(errStop) })
	if !errors.Is(err, errStop) {
		t.Fatalf("Chat cancelled mid-stream: %v, want the cause %q", err, errStop)
	}
	if res.Content != "first" {
		t.Errorf("Chat kept %q, want first", res.Content)
	}
}

func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	p, err := oaicompat.New(oaicompat.Config{BaseURL: "http://" + addr + "/v1", APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Chat(context.Background(), chatReq("m"), nil)
	if !errors.Is(err, oaicompat.ErrUnreachable) || !errors.Is(err, ollama.ErrNotRunning) {
		t.Fatalf("Chat with nothing listening: %v, want ErrUnreachable (and ollama.ErrNotRunning)", err)
	}
	if want := "cannot reach http://" + addr + "/v1"; !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), testKey) {
		t.Errorf("Chat error %q, want it to say %q and not hold the key", err, want)
	}
	st := p.Status(context.Background(), 5*time.Second)
	if st.Reachable || !strings.Contains(st.Error, "cannot reach") {
		t.Errorf("Status() = %+v, want unreachable with the reason", st)
	}
}

func TestModelsAndStatus(t *testing.T) {
	s := mustOpenServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"object":"list","data":[{"id":"zeta","object":"model","created":1700000000,"owned_by":"library"},{"id":"alpha","object":"model","created":1600000000,"owned_by":"me"}]}`)
	})
	ms, err := s.provider.Models(context.Background())
	if err != nil {
		t.Fatalf("Models: %v", err)
	}
	want := []oaicompat.Model{{ID: "alpha", OwnedBy: "me", Created: 1600000000}, {ID: "zeta", OwnedBy: "library", Created: 1700000000}}
	if !reflect.DeepEqual(ms, want) {
		t.Errorf("Models() = %+v, want %+v", ms, want)
	}
	if got := s.paths[0]; got != "GET /v1/models" {
		t.Errorf("Models asked %q, want GET /v1/models", got)
	}
	if st := s.provider.Status(context.Background(), 5*time.Second); !st.Reachable || st.Models != 2 || st.Error != "" {
		t.Errorf("Status() = %+v, want reachable with 2 models", st)
	}

	refused := mustOpenServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":{"message":"bad key `+testKey+`"}}`)
	})
	st := refused.provider.Status(context.Background(), 5*time.Second)
	if st.Reachable || !strings.Contains(st.Error, "API key was refused") || strings.Contains(st.Error, testKey) {
		t.Errorf("Status() with a refused key = %+v, want not reachable, the key refused, the key not shown", st)
	}

	slow := mustOpenServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	if st := slow.provider.Status(context.Background(), 50*time.Millisecond); st.Reachable || !strings.Contains(st.Error, "did not answer") {
		t.Errorf("Status() of a server that never answers = %+v, want not reachable, did not answer", st)
	}
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		url, host, errWord string
	}{
		{"http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/v1", ""},
		{"https://gpu.example.com:8000/v1/", "https://gpu.example.com:8000/v1", ""},
		{"http://user:secret@box:8000/v1", "http://box:8000/v1", ""},
		{"", "", "no URL"},
		{"127.0.0.1:11434/v1", "", "scheme"},
		{"gpu-box/v1", "", "no scheme"},
		{"ftp://box/v1", "", "use http or https"},
		{"http:///v1", "", "no host"},
		{"http://box/v1?x=1", "", "query"},
		{"http://user:secret@box:8000/v1?x=1", "", "query"},
		{"user:secret@box:8000/v1", "", "no scheme"},
		{"ftp://user:secret@box/v1", "", "use http or https"},
	} {
		p, err := oaicompat.New(oaicompat.Config{BaseURL: tc.url})
		if tc.errWord == "" {
			if err != nil || p.Host() != tc.host {
				t.Errorf("New(%q) = host %v, %v; want %q", tc.url, p, err, tc.host)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.errWord) {
			t.Errorf("New(%q) error = %v, want one saying %q", tc.url, err, tc.errWord)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("New(%q) error %q shows the password", tc.url, err)
		}
	}
	if _, err := oaicompat.New(oaicompat.Config{BaseURL: "http://box/v1", APIKey: "sk-\nx"}); err == nil {
		t.Error("New with a key holding a line break succeeded")
	}
}
