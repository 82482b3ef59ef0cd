package ollama_test

import (
	"context"
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
