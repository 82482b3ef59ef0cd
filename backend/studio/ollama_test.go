package studio

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/ollama"
)

// TestFakeOllamaServe is not a test: it is the fake `ollama serve` the
// lifecycle test puts on the PATH (this test binary, re-run).
func TestFakeOllamaServe(t *testing.T) {
	if os.Getenv("ICE_FAKE_OLLAMA_SERVE") != "1" {
		t.Skip("the fake ollama server of TestStartOllama")
	}
	ln, err := net.Listen("tcp", os.Getenv("OLLAMA_HOST"))
	if err != nil {
		t.Fatal(err)
	}
	_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"version":"0.0.7-fake"}`))
	}))
}

func TestStartOllamaAndStopWhatWasStarted(t *testing.T) {
	exe, err := os.Executable()
	must(t, err)
	bin := t.TempDir()
	script := "#!/bin/sh\n[ \"$1\" = serve ] || exit 2\nexec \"" + exe + "\" -test.run '^TestFakeOllamaServe$'\n"
	must(t, os.WriteFile(filepath.Join(bin, "ollama"), []byte(script), 0o755))
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("ICE_FAKE_OLLAMA_SERVE", "1")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := ln.Addr().String()
	ln.Close()
	u, _ := url.Parse("http://" + addr)

	s := New(Config{DataDir: t.TempDir(), Ollama: ollama.New(u, nil), PollInterval: time.Hour})
	must(t, s.Open(context.Background()))
	st := s.refreshOllama(context.Background())
	if st.Reachable || !st.CanStart || st.Started {
		t.Fatalf("before: %+v, want not reachable and startable", st)
	}
	st, err = s.StartOllama(context.Background())
	if err != nil || !st.Reachable || st.Version != "0.0.7-fake" || !st.Started || st.CanStart {
		t.Fatalf("StartOllama = %+v, %v", st, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	must(t, s.Close(ctx))
	// What the Studio started is stopped with it.
	p := ollama.New(u, nil)
	deadline := time.Now().Add(5 * time.Second)
	for p.Status(context.Background(), time.Second).Reachable {
		if time.Now().After(deadline) {
			t.Fatal("the ollama the Studio started still runs after Close")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestAnOllamaTheStudioDidNotStartIsLeftRunning(t *testing.T) {
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"version":"1.2.3"}`))
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	go srv.Serve(ln)
	defer srv.Close()
	u, _ := url.Parse("http://" + ln.Addr().String())
	s := New(Config{DataDir: t.TempDir(), Ollama: ollama.New(u, nil), PollInterval: time.Hour, AutoStartOllama: true})
	must(t, s.Open(context.Background()))
	if st, err := s.StartOllama(context.Background()); err != nil || !st.Reachable || st.Started {
		t.Errorf("StartOllama with one already running = %+v, %v", st, err)
	}
	must(t, s.Close(context.Background()))
	if !ollama.New(u, nil).Status(context.Background(), time.Second).Reachable {
		t.Error("the Studio stopped an Ollama it did not start")
	}
}

// An Ollama that does not answer must not hold up the start: Open returns
// while the autostart probe still waits, and Close ends the probe.
func TestAutostartProbeDoesNotHoldUpOpen(t *testing.T) {
	entered := make(chan struct{}, 1)
	gaveUp := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case entered <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
			select {
			case gaveUp <- struct{}{}:
			default:
			}
		case <-release:
		}
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	go srv.Serve(ln)
	defer srv.Close()
	defer close(release)
	u, _ := url.Parse("http://" + ln.Addr().String())
	s := New(Config{DataDir: t.TempDir(), Ollama: ollama.New(u, nil), PollInterval: time.Hour, AutoStartOllama: true})
	must(t, s.Open(context.Background()))
	select {
	case <-gaveUp:
		t.Fatal("Open waited for the Ollama probe to give up")
	default:
	}
	<-entered // the probe runs, in the background
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	must(t, s.Close(ctx))
}
