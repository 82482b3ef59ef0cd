package ollama_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/ollama"
)

func TestStatusReachable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/version" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"version":"0.12.3"}`))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	st := ollama.New(u, nil).Status(context.Background(), 2*time.Second)
	if !st.Reachable || st.Version != "0.12.3" || st.Error != "" {
		t.Fatalf("Status() = %+v, want reachable version 0.12.3", st)
	}
}

func TestStatusNotRunning(t *testing.T) {
	// Reserve a port and close it, so nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	u, _ := url.Parse("http://" + addr)
	st := ollama.New(u, nil).Status(context.Background(), 2*time.Second)
	if st.Reachable {
		t.Fatalf("Status() reachable with nothing listening: %+v", st)
	}
	if !strings.Contains(st.Error, "not running at http://"+addr) {
		t.Errorf("Status().Error = %q, want it to say Ollama is not running at the address", st.Error)
	}
}

func TestStatusServerError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"boom"}`, http.StatusInternalServerError)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	st := ollama.New(u, nil).Status(context.Background(), 2*time.Second)
	if st.Reachable || st.Error == "" || strings.Contains(st.Error, "not running") {
		t.Fatalf("Status() = %+v, want a reported server error distinct from 'not running'", st)
	}
}

func TestHostFromEnv(t *testing.T) {
	t.Setenv("OLLAMA_HOST", "10.1.2.3:9999")
	if got, want := ollama.HostFromEnv().String(), "http://10.1.2.3:9999"; got != want {
		t.Errorf("HostFromEnv() = %q, want %q", got, want)
	}
	t.Setenv("OLLAMA_HOST", "")
	if got, want := ollama.HostFromEnv().String(), "http://127.0.0.1:11434"; got != want {
		t.Errorf("HostFromEnv() default = %q, want %q", got, want)
	}
}

func TestEmbedBatchesAndErrors(t *testing.T) {
	var calls []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if r.URL.Path != "/api/embed" || json.NewDecoder(r.Body).Decode(&req) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if req.Model != "nomic" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"model \"` + req.Model + `\" not found, try pulling it first"}`))
			return
		}
		calls = append(calls, len(req.Input))
		out := make([][]float32, len(req.Input))
		for i, s := range req.Input {
			out[i] = []float32{float32(len(s)), 1}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"model": req.Model, "embeddings": out})
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	p := ollama.New(u, nil)
	texts := make([]string, 130)
	for i := range texts {
		texts[i] = strings.Repeat("x", i)
	}
	got, err := p.Embed(context.Background(), "nomic", texts)
	if err != nil || len(got) != 130 || got[129][0] != 129 {
		t.Fatalf("Embed = %d vectors, %v", len(got), err)
	}
	if fmt.Sprint(calls) != "[64 64 2]" {
		t.Errorf("batches %v, want [64 64 2]", calls)
	}
	if _, err := p.Embed(context.Background(), "missing", []string{"x"}); !errors.Is(err, ollama.ErrModelMissing) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("unknown model: %v", err)
	}
	srv.Close()
	if _, err := p.Embed(context.Background(), "nomic", []string{"x"}); !errors.Is(err, ollama.ErrNotRunning) {
		t.Errorf("server down: %v", err)
	}
}
