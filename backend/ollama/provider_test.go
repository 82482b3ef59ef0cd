package ollama_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/ollama"
)

// fakeOllama serves a scripted Ollama: two installed models, streamed chat
// with a tool call, pulls, deletes, and the failure modes a provider must
// survive (500, a dropped stream, an unknown model, slow tokens).
func fakeOllama(t *testing.T) (*ollama.Provider, func()) {
	t.Helper()
	models := map[string][]string{"llama-tiny:latest": {"completion", "tools"}, "nomic-embed-text:latest": {"embedding"}}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/tags", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"models":[
			{"name":"nomic-embed-text:latest","model":"nomic-embed-text:latest","size":274000000,"digest":"abc","modified_at":"2026-01-02T03:04:05Z","details":{"family":"nomic-bert","parameter_size":"137M","quantization_level":"F16","format":"gguf"}},
			{"name":"llama-tiny:latest","model":"llama-tiny:latest","size":1000,"digest":"def","modified_at":"2026-01-02T03:04:05Z","details":{"family":"llama","parameter_size":"1M","quantization_level":"F32","format":"gguf"}}]}`))
	})
	mux.HandleFunc("/api/show", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Model string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		caps, ok := models[req.Model]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"model '` + req.Model + `' not found"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"capabilities": caps, "details": map[string]any{"family": "llama"},
			"model_info": map[string]any{"llama.context_length": 2048}})
	})
	mux.HandleFunc("/api/ps", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"models":[{"name":"llama-tiny:latest","model":"llama-tiny:latest","size":3000,"size_vram":1000,
			"expires_at":"2026-01-02T03:09:05Z","context_length":4096,"details":{"family":"llama"}}]}`))
	})
	mux.HandleFunc("/api/chat", func(w http.ResponseWriter, r *http.Request) {
		var req api.ChatRequest
		_ = json.NewDecoder(r.Body).Decode(&req)
		fl := w.(http.Flusher)
		switch req.Model {
		case "broken":
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"error":"llama runner process has terminated"}`))
			return
		case "unknown":
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"model \"unknown\" not found, try pulling it first"}`))
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		for _, tok := range []string{"Hel", "lo", "!"} {
			_, _ = w.Write([]byte(`{"model":"` + req.Model + `","message":{"role":"assistant","content":"` + tok + `"},"done":false}` + "\n"))
			fl.Flush()
			if req.Model == "slow" {
				select {
				case <-r.Context().Done():
					return
				case <-time.After(300 * time.Millisecond):
				}
			}
		}
		if req.Model == "drop" {
			hj := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close()
			return
		}
		_, _ = w.Write([]byte(`{"model":"` + req.Model + `","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"read_file","arguments":{"path":"a.txt"}}}]},"done":true,"done_reason":"stop","prompt_eval_count":12,"eval_count":3}` + "\n"))
	})
	mux.HandleFunc("/api/pull", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Model string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		if req.Model == "nope" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"pull model manifest: file does not exist"}`))
			return
		}
		for i := 0; i <= 4; i++ {
			_, _ = w.Write([]byte(`{"status":"pulling abc","digest":"abc","total":400,"completed":` + []string{"0", "100", "200", "300", "400"}[i] + `}` + "\n"))
		}
		if req.Model != "half" {
			_, _ = w.Write([]byte(`{"status":"success"}` + "\n"))
		}
	})
	mux.HandleFunc("/api/delete", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Model string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		if _, ok := models[req.Model]; !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"model not found"}`))
			return
		}
		delete(models, req.Model)
	})
	srv := httptest.NewServer(mux)
	u, _ := url.Parse(srv.URL)
	return ollama.New(u, nil), srv.Close
}

func TestProviderModels(t *testing.T) {
	p, stop := fakeOllama(t)
	defer stop()
	ms, err := p.Models(context.Background())
	if err != nil || len(ms) != 2 {
		t.Fatalf("Models = %+v, %v", ms, err)
	}
	if ms[0].Name != "llama-tiny:latest" || !ms[0].Has("tools") || ms[0].Parameters != "1M" || ms[0].ContextLength != 2048 {
		t.Errorf("llama-tiny = %+v", ms[0])
	}
	if !ms[1].Has("embedding") || ms[1].Has("tools") || ms[1].Quantization != "F16" {
		t.Errorf("nomic = %+v", ms[1])
	}
	if _, err := p.Show(context.Background(), "ghost"); !errors.Is(err, ollama.ErrModelMissing) || !strings.Contains(err.Error(), "pull it?") {
		t.Errorf("Show(ghost) = %v", err)
	}
	if err := p.Delete(context.Background(), "llama-tiny:latest"); err != nil {
		t.Errorf("Delete: %v", err)
	}
	if err := p.Delete(context.Background(), "llama-tiny:latest"); !errors.Is(err, ollama.ErrModelMissing) {
		t.Errorf("Delete twice: %v", err)
	}
}

func TestProviderRunning(t *testing.T) {
	p, stop := fakeOllama(t)
	defer stop()
	rs, err := p.Running(context.Background())
	if err != nil || len(rs) != 1 {
		t.Fatalf("Running = %+v, %v", rs, err)
	}
	r := rs[0]
	want := time.Date(2026, 1, 2, 3, 9, 5, 0, time.UTC).UnixMilli()
	if r.Name != "llama-tiny:latest" || r.Size != 3000 || r.VRAM != 1000 || r.RAM() != 2000 || r.ExpiresAt != want || r.ContextLength != 4096 {
		t.Errorf("running = %+v (RAM %d)", r, r.RAM())
	}
	ms, err := p.Models(context.Background())
	if err != nil || ms[0].Display != "llama-tiny" || ms[1].Display != "nomic-embed-text" {
		t.Errorf("display names: %+v, %v", ms, err)
	}
	// Show finds the listed digest under the short name.
	if m, err := p.Show(context.Background(), "nomic-embed-text:latest"); err != nil || m.Digest != "abc" || m.Display != "nomic-embed-text" {
		t.Errorf("Show = %+v, %v", m, err)
	}
}

func TestProviderPull(t *testing.T) {
	p, stop := fakeOllama(t)
	defer stop()
	var seen []int64
	if err := p.Pull(context.Background(), "llama-tiny", func(pp ollama.PullProgress) { seen = append(seen, pp.Completed) }); err != nil {
		t.Fatalf("Pull: %v", err)
	}
	if len(seen) != 6 || seen[4] != 400 {
		t.Errorf("progress %v", seen)
	}
	if err := p.Pull(context.Background(), "half", nil); !errors.Is(err, ollama.ErrDropped) {
		t.Errorf("a pull that never succeeded: %v", err)
	}
	if err := p.Pull(context.Background(), "nope", nil); !errors.Is(err, ollama.ErrModelMissing) {
		t.Errorf("pull of a model that does not exist: %v", err)
	}
	if err := p.Pull(context.Background(), " ", nil); err == nil {
		t.Error("pull of no name")
	}
}

func TestProviderChat(t *testing.T) {
	p, stop := fakeOllama(t)
	defer stop()
	ctx := context.Background()
	chat := func(model string) (ollama.ChatResult, []string, error) {
		var chunks []string
		res, err := p.Chat(ctx, &api.ChatRequest{Model: model, Messages: []api.Message{{Role: "user", Content: "hi"}}},
			func(r api.ChatResponse) { chunks = append(chunks, r.Message.Content) })
		return res, chunks, err
	}
	res, chunks, err := chat("llama-tiny")
	if err != nil || res.Content != "Hello!" || len(chunks) != 4 || res.DoneReason != "stop" || res.PromptTokens != 12 || res.EvalTokens != 3 {
		t.Fatalf("chat = %+v %q, %v", res, chunks, err)
	}
	if len(res.ToolCalls) != 1 || res.ToolCalls[0].Function.Name != "read_file" {
		t.Errorf("tool calls %+v", res.ToolCalls)
	}
	for _, c := range []struct {
		model string
		want  error
	}{
		{"broken", ollama.ErrServer},
		{"unknown", ollama.ErrModelMissing},
		{"drop", ollama.ErrDropped},
	} {
		res, _, err := chat(c.model)
		if !errors.Is(err, c.want) {
			t.Errorf("chat(%s) = %v, want %v", c.model, err, c.want)
		}
		if c.model == "drop" && res.Content != "Hello!" {
			t.Errorf("what arrived before the drop is kept: %q", res.Content)
		}
	}
	// Cancel mid-stream.
	cctx, cancel := context.WithCancel(ctx)
	var got []string
	done := make(chan error, 1)
	go func() {
		_, err := p.Chat(cctx, &api.ChatRequest{Model: "slow"}, func(r api.ChatResponse) {
			got = append(got, r.Message.Content)
			if len(got) == 1 {
				cancel()
			}
		})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled chat: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancel did not stop the stream")
	}
	// Ollama down.
	stop()
	if _, _, err := chat("llama-tiny"); !errors.Is(err, ollama.ErrNotRunning) {
		t.Errorf("chat with the server down: %v", err)
	}
}
