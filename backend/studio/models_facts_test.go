package studio

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/ollama"
)

// factsServer is a fake Ollama with a chat model (loaded now, with a
// model_info that gives its KV cache) and an embedding model, both listed
// as ":latest".
func factsServer(t *testing.T, psStatus int) *url.URL {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/tags", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"models":[
			{"name":"chat:latest","model":"chat:latest","size":4294967296,"details":{"family":"llama","parameter_size":"8.0B","quantization_level":"Q4_K_M"}},
			{"name":"nomic-embed-text:latest","model":"nomic-embed-text:latest","size":274000000,"details":{"family":"nomic-bert"}}]}`))
	})
	mux.HandleFunc("/api/show", func(w http.ResponseWriter, r *http.Request) {
		// 32 layers, 8 KV heads of 128: 128 KiB a token.
		_, _ = w.Write([]byte(`{"capabilities":["completion","tools"],"details":{"family":"llama"},"model_info":{
			"llama.context_length":131072,"llama.block_count":32,"llama.embedding_length":4096,
			"llama.attention.head_count":32,"llama.attention.head_count_kv":8}}`))
	})
	mux.HandleFunc("/api/ps", func(w http.ResponseWriter, r *http.Request) {
		if psStatus != http.StatusOK {
			w.WriteHeader(psStatus)
			_, _ = w.Write([]byte(`{"error":"ps broke"}`))
			return
		}
		_, _ = w.Write([]byte(`{"models":[{"name":"chat:latest","model":"chat:latest","size":5368709120,"size_vram":1073741824,
			"expires_at":"2026-01-02T03:09:05Z","context_length":8192}]}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u
}

func TestListModelsFacts(t *testing.T) {
	const gib = int64(1) << 30
	old := readMemory
	readMemory = func() ollama.Memory { return ollama.Memory{Total: 16 * gib, Available: 2 * gib} }
	t.Cleanup(func() { readMemory = old })
	s := New(Config{DataDir: t.TempDir(), Ollama: ollama.New(factsServer(t, http.StatusOK), nil), PollInterval: time.Hour})
	must(t, s.Open(context.Background()))
	// Defaults set by their short names, as a user types them.
	s.mu.Lock()
	s.chatModel, s.embed = "chat", "nomic-embed-text"
	s.mu.Unlock()

	st := s.ListModels(context.Background())
	if st.Error != "" || len(st.Models) != 2 {
		t.Fatalf("ListModels = %+v", st)
	}
	if st.DefaultChat != "chat:latest" || st.DefaultEmbed != "nomic-embed-text:latest" {
		t.Errorf("defaults = %q, %q; want the installed names", st.DefaultChat, st.DefaultEmbed)
	}
	if st.Memory.Total != 16*gib || len(st.Running) != 1 {
		t.Errorf("memory %+v, running %+v", st.Memory, st.Running)
	}
	chat, embed := st.Models[0], st.Models[1]
	if chat.Display != "chat" || embed.Display != "nomic-embed-text" {
		t.Errorf("display names %q, %q", chat.Display, embed.Display)
	}
	if chat.ContextLength != 131072 || chat.KVBytesPerToken != 128<<10 {
		t.Errorf("chat context %d, kv %d", chat.ContextLength, chat.KVBytesPerToken)
	}
	if chat.Loaded == nil || chat.Loaded.RAM() != 4*gib || chat.Loaded.VRAM != gib || chat.Loaded.ExpiresAt == 0 {
		t.Errorf("chat loaded = %+v", chat.Loaded)
	}
	if embed.Loaded != nil {
		t.Errorf("the embedding model is not loaded: %+v", embed.Loaded)
	}
	// 4 GiB of weights and 1 GiB of cache (8192 tokens): 2 GiB are free,
	// and the 4 GiB the loaded model holds in RAM count as its own.
	f := chat.Fit
	if f == nil || f.Window != ollama.DefaultWindow || f.KVCache != gib || f.Need != 5*gib || f.Available != 6*gib || f.Verdict != ollama.FitTight {
		t.Errorf("chat fit = %+v", f)
	}
}

func TestListModelsWithoutPsOrMemory(t *testing.T) {
	old := readMemory
	readMemory = func() ollama.Memory { return ollama.Memory{} }
	t.Cleanup(func() { readMemory = old })
	s := New(Config{DataDir: t.TempDir(), Ollama: ollama.New(factsServer(t, http.StatusInternalServerError), nil), PollInterval: time.Hour})
	must(t, s.Open(context.Background()))
	st := s.ListModels(context.Background())
	if st.Error != "" || len(st.Models) != 2 || st.RunningError == "" || len(st.Running) != 0 {
		t.Fatalf("ListModels = %+v", st)
	}
	if f := st.Models[0].Fit; f == nil || f.Verdict != ollama.FitUnknown {
		t.Errorf("fit without the machine's memory = %+v", f)
	}
}

func TestParseMeminfo(t *testing.T) {
	m := parseMeminfo("MemTotal:       16303412 kB\nMemFree:         1234 kB\nMemAvailable:    8151706 kB\nbad line\n")
	if m.Total != 16303412<<10 || m.Available != 8151706<<10 {
		t.Errorf("parseMeminfo = %+v", m)
	}
	if m := parseMeminfo(""); m.Total != 0 || m.Available != 0 {
		t.Errorf("empty = %+v", m)
	}
}
