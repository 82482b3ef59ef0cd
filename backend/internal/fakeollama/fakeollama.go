// Package fakeollama is a scripted Ollama HTTP server for deterministic
// tests and benchmarks: installed models with capabilities, and chat
// answers taken from a queue — streamed text, tool calls (well-formed or
// not), HTTP errors, a connection dropped mid-stream, slow tokens. It
// keeps every chat request it received, so tests can compare them with
// what the Studio recorded. With EnforceContext it also applies the
// context window (options.num_ctx) as Ollama v0.6.5 does, and keeps what
// the model saw (Seen, Log).
package fakeollama

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/ollama/ollama/api"
)

// Call is a tool call in a scripted answer; Args is the raw JSON of its
// arguments (sent as they are, so it can be of any JSON type).
type Call struct {
	Name string
	Args string
}

// Reply is one scripted chat answer.
type Reply struct {
	Status     int    // an HTTP error status instead of an answer (with Error)
	Error      string //
	Chunks     []string
	Thinking   string
	Calls      []Call
	DoneReason string        // default "stop"
	Drop       bool          // close the connection after the chunks, before done
	StreamErr  string        // after the chunks, an {"error": …} line in the 200 stream (a runner that crashed)
	Delay      time.Duration // before each chunk
	Hold       chan struct{} // the answer waits for this before its chunks (a slow model)
	Prompt     int           // prompt_eval_count (default: the prompt's tokens at 4 bytes a token, or with EnforceContext as enforced); when set, reported as it is
}

// Model is an installed model.
type Model struct {
	Name         string
	Digest       string
	Capabilities []string
	// ContextLength is the trained context length Show reports (0: 4096).
	ContextLength int
}

// Server is a running fake Ollama.
type Server struct {
	URL string
	srv *httptest.Server

	mu       sync.Mutex
	models   []Model
	queue    []Reply
	requests []api.ChatRequest
	bodies   [][]byte
	asides   int
	arrivals chan struct{}
	enforce  *enforcement // nil: num_ctx is not enforced
	seen     []Seen
	log      strings.Builder
}

// Start serves a fake Ollama with the given models (default: one
// tool-capable "tiny:latest" and an embedding model).
func Start(models ...Model) *Server {
	if len(models) == 0 {
		models = []Model{{Name: "tiny:latest", Digest: "sha256:0a1b2c", Capabilities: []string{"completion", "tools"}},
			{Name: "embed:latest", Digest: "sha256:3d4e5f", Capabilities: []string{"embedding"}}}
	}
	s := &Server{models: models, arrivals: make(chan struct{}, 4096)}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/version", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"version":"0.6.5-fake"}`)) })
	mux.HandleFunc("/api/tags", s.tags)
	mux.HandleFunc("/api/show", s.show)
	mux.HandleFunc("/api/chat", s.chat)
	mux.HandleFunc("/api/embed", s.embed)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.CloseClientConnections(); s.srv.Close() }

// Push queues answers, used in order; with the queue empty the answer is
// "Done." with no tool call.
func (s *Server) Push(r ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, r...)
}

// SummaryText is the fake's answer to a compaction step (a request
// whose system prompt starts "You summarise").
const SummaryText = "The user asked for work on the project; the agent read files and is going on."

// asideReply answers the Studio's runtime steps without using the
// script: a calibration (no tools, num_predict 1) gets one token, a
// compaction SummaryText.
func asideReply(req api.ChatRequest) (Reply, bool) {
	if len(req.Tools) > 0 {
		return Reply{}, false
	}
	if n, ok := req.Options["num_predict"].(float64); ok && n == 1 {
		return Reply{Chunks: []string{"ok"}, DoneReason: "length"}, true
	}
	if len(req.Messages) > 0 && req.Messages[0].Role == "system" && strings.HasPrefix(req.Messages[0].Content, "You summarise") {
		return Reply{Chunks: []string{SummaryText}}, true
	}
	return Reply{}, false
}

// Arrivals receives once for each chat request as it arrives (before
// its answer), for timing the way to a model's first token.
func (s *Server) Arrivals() <-chan struct{} { return s.arrivals }

// Asides returns how many requests were answered apart from the script.
func (s *Server) Asides() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asides
}

// Requests returns the chat requests received so far, as decoded by the
// official api types, and their raw bodies.
func (s *Server) Requests() ([]api.ChatRequest, [][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]api.ChatRequest(nil), s.requests...), append([][]byte(nil), s.bodies...)
}

func (s *Server) find(name string) (Model, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.models {
		if m.Name == name || m.Name == name+":latest" {
			return m, true
		}
	}
	return Model{}, false
}

func (s *Server) tags(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, m := range s.models {
		out = append(out, map[string]any{"name": m.Name, "model": m.Name, "digest": m.Digest, "size": 1 << 20,
			"modified_at": "2026-01-02T03:04:05Z", "details": map[string]any{"family": "llama", "parameter_size": "1M", "quantization_level": "F32", "format": "gguf"}})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"models": out})
}

func notFound(w http.ResponseWriter, model string) {
	w.WriteHeader(http.StatusNotFound)
	_, _ = fmt.Fprintf(w, `{"error":"model %q not found, try pulling it first"}`, model)
}

func (s *Server) show(w http.ResponseWriter, r *http.Request) {
	var req api.ShowRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
	m, ok := s.find(req.Model)
	if !ok {
		notFound(w, req.Model)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"capabilities": m.Capabilities, "details": map[string]any{"family": "llama", "parameter_size": "1M"},
		"model_info": map[string]any{"llama.context_length": cmp.Or(m.ContextLength, 4096)}})
}

func (s *Server) embed(w http.ResponseWriter, r *http.Request) {
	var req api.EmbedRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
	if _, ok := s.find(req.Model); !ok {
		notFound(w, req.Model)
		return
	}
	n := 1
	if in, ok := req.Input.([]any); ok {
		n = len(in)
	}
	vecs := make([][]float32, n)
	for i := range vecs {
		vecs[i] = []float32{1, 0, 0}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"model": req.Model, "embeddings": vecs})
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	var body []byte
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Body.Read(buf)
		body = append(body, buf[:n]...)
		if err != nil {
			break
		}
	}
	var req api.ChatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `{"error":%q}`, err.Error())
		return
	}
	if _, ok := s.find(req.Model); !ok {
		notFound(w, req.Model)
		return
	}
	select { // a benchmark waits for the request to reach the model
	case s.arrivals <- struct{}{}:
	default:
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.bodies = append(s.bodies, body)
	// Without enforcement the prompt is counted as 4 bytes a token (and
	// BOS), uncut: a realistic count that grows with the conversation.
	evaluated := Tokens(Render(req.Messages, req.Tools), 4) + 1
	if s.enforce != nil {
		seen, logs := fit(req, s.enforce.bytesPerToken)
		seen.Request = len(s.requests) - 1
		s.seen = append(s.seen, seen)
		for _, l := range logs {
			s.log.WriteString(l + "\n")
		}
		evaluated = seen.TokensAfter
	}
	reply := Reply{Chunks: []string{"Done."}}
	if aside, ok := asideReply(req); ok {
		// The runtime's own steps (a calibration, a summary) are answered
		// apart from the script, so scripts stay about the work.
		reply = aside
		s.asides++
	} else if len(s.queue) > 0 {
		reply = s.queue[0]
		s.queue = s.queue[1:]
	}
	s.mu.Unlock()
	if reply.Status != 0 {
		w.WriteHeader(reply.Status)
		_, _ = fmt.Fprintf(w, `{"error":%q}`, reply.Error)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	fl := w.(http.Flusher)
	if reply.Hold != nil {
		select {
		case <-reply.Hold:
		case <-r.Context().Done():
			return
		}
	}
	line := func(msg string) {
		fmt.Fprintf(w, `{"model":%q,"created_at":"2026-01-02T03:04:05Z","message":{"role":"assistant","content":%s},"done":false}`+"\n", req.Model, quote(msg))
	}
	if reply.Thinking != "" {
		fmt.Fprintf(w, `{"model":%q,"message":{"role":"assistant","content":"","thinking":%s},"done":false}`+"\n", req.Model, quote(reply.Thinking))
	}
	for _, c := range reply.Chunks {
		if reply.Delay > 0 {
			select {
			case <-time.After(reply.Delay):
			case <-r.Context().Done():
				return
			}
		}
		line(c)
		fl.Flush()
	}
	if reply.StreamErr != "" {
		fmt.Fprintf(w, `{"error":%s}`+"\n", quote(reply.StreamErr))
		fl.Flush()
		return
	}
	if reply.Drop {
		fl.Flush()
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				// A chunked stream cut off without its terminator.
				_ = conn.(*net.TCPConn).SetLinger(0)
				conn.Close()
			}
		}
		return
	}
	if len(reply.Calls) > 0 {
		var calls []string
		for i, c := range reply.Calls {
			calls = append(calls, fmt.Sprintf(`{"function":{"index":%d,"name":%q,"arguments":%s}}`, i, c.Name, c.Args))
		}
		fmt.Fprintf(w, `{"model":%q,"message":{"role":"assistant","content":"","tool_calls":[%s]},"done":false}`+"\n", req.Model, strings.Join(calls, ","))
	}
	reason := reply.DoneReason
	if reason == "" {
		reason = "stop"
	}
	prompt := reply.Prompt
	if prompt == 0 {
		prompt = evaluated
	}
	fmt.Fprintf(w, `{"model":%q,"message":{"role":"assistant","content":""},"done":true,"done_reason":%q,"prompt_eval_count":%d,"eval_count":%d,"total_duration":%d,"eval_duration":%d,"prompt_eval_duration":1000}`+"\n",
		req.Model, reason, prompt, len(reply.Chunks)+len(reply.Calls), 2_000_000, 1_000_000)
	fl.Flush()
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
