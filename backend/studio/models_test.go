package studio

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/ollama"
)

// fakeModelServer serves tags, show, a pull that streams progress (slowly
// for "slow"), a failing pull and delete.
func fakeModelServer(t *testing.T) *url.URL {
	t.Helper()
	var mu sync.Mutex
	installed := map[string]bool{"tiny:latest": true}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/version", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"version":"9.9.9"}`)) })
	mux.HandleFunc("/api/tags", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var ms []map[string]any
		for n := range installed {
			ms = append(ms, map[string]any{"name": n, "model": n, "size": 1000, "details": map[string]any{"family": "llama"}})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"models": ms})
	})
	mux.HandleFunc("/api/show", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"capabilities":["completion"],"details":{"family":"llama"}}`))
	})
	mux.HandleFunc("/api/pull", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Model string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		if req.Model == "bad" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"pull model manifest: file does not exist"}`))
			return
		}
		fl := w.(http.Flusher)
		for i := 0; i <= 8; i++ {
			_, _ = w.Write([]byte(`{"status":"pulling x","total":800,"completed":` + []string{"0", "100", "200", "300", "400", "500", "600", "700", "800"}[i] + `}` + "\n"))
			fl.Flush()
			if req.Model == "slow" {
				select {
				case <-r.Context().Done():
					return
				case <-time.After(200 * time.Millisecond):
				}
			}
		}
		mu.Lock()
		installed[req.Model+":latest"] = true
		mu.Unlock()
		_, _ = w.Write([]byte(`{"status":"success"}` + "\n"))
	})
	mux.HandleFunc("/api/delete", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Model string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		defer mu.Unlock()
		if !installed[req.Model] {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"model not found"}`))
			return
		}
		delete(installed, req.Model)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u
}

func waitPull(t *testing.T, s *Studio, name string) PullState {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, p := range s.pullStates() {
			if p.Name == name && p.Done {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("pull of %s did not end", name)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func modelEvents(t *testing.T, s *Studio, name string) []string {
	t.Helper()
	var out []string
	_ = s.events.Read(context.Background(), eventlog.Query{Stream: "model/" + name}, func(e eventlog.Event) error {
		out = append(out, e.Type)
		return nil
	})
	return out
}

func TestModelManager(t *testing.T) {
	data := t.TempDir()
	u := fakeModelServer(t)
	b := bus.New()
	msgs, unsub := b.Subscribe(10000)
	defer unsub()
	s := New(Config{DataDir: data, Ollama: ollama.New(u, nil), Bus: b, PollInterval: time.Hour})
	must(t, s.Open(context.Background()))

	st := s.ListModels(context.Background())
	if st.Error != "" || len(st.Models) != 1 || st.Models[0].Name != "tiny:latest" || !st.Models[0].Has("completion") {
		t.Fatalf("ListModels = %+v", st)
	}
	if _, err := s.PullModel(ModelRequest{Name: "two words"}); err == nil {
		t.Error("a malformed model name was accepted")
	}
	_, err := s.PullModel(ModelRequest{Name: "llama"})
	must(t, err)
	if p := waitPull(t, s, "llama"); p.Status != "pulled" || p.Completed != 800 || p.Total != 800 {
		t.Errorf("pull = %+v", p)
	}
	got := strings.Join(modelEvents(t, s, "llama"), " ")
	if !strings.HasPrefix(got, "model.pull_requested model.pull_started model.pull_progress") || !strings.HasSuffix(got, "model.pull_completed") {
		t.Errorf("pull events: %s", got)
	}
	progress := 0
	for len(msgs) > 0 {
		if m := <-msgs; m.Name == bus.ModelPull {
			progress++
		}
	}
	if progress == 0 {
		t.Error("no model.pull notification")
	}
	if st := s.ListModels(context.Background()); len(st.Models) != 2 {
		t.Errorf("after the pull: %+v", st.Models)
	}

	_, err = s.PullModel(ModelRequest{Name: "bad"})
	must(t, err)
	if p := waitPull(t, s, "bad"); p.Status != "failed" || !strings.Contains(p.Error, "not installed") && !strings.Contains(p.Error, "does not exist") {
		t.Errorf("failed pull = %+v", p)
	}
	_, err = s.PullModel(ModelRequest{Name: "slow"})
	must(t, err)
	time.Sleep(300 * time.Millisecond)
	must(t, s.CancelPull(ModelRequest{Name: "slow"}))
	if p := waitPull(t, s, "slow"); p.Status != "cancelled" {
		t.Errorf("cancelled pull = %+v", p)
	}
	if evs := modelEvents(t, s, "slow"); evs[len(evs)-1] != eventlog.ModelPullFailed {
		t.Errorf("cancelled pull events %v", evs)
	}

	must(t, s.DeleteModel(ModelRequest{Name: "tiny:latest"}))
	if err := s.DeleteModel(ModelRequest{Name: "tiny:latest"}); err == nil {
		t.Error("deleting a model twice")
	}
	if evs := strings.Join(modelEvents(t, s, "tiny:latest"), " "); !strings.Contains(evs, "model.delete_requested model.deleted") {
		t.Errorf("delete events %s", evs)
	}

	// Defaults are kept across a restart; an embedding model that cannot embed is refused.
	if _, err := s.SetDefaultModels(DefaultModelsRequest{Chat: "llama:latest", Embed: "llama:latest"}); err == nil {
		t.Error("a model that cannot embed was accepted as the embedding model")
	}
	_, err = s.SetDefaultModels(DefaultModelsRequest{Chat: "llama:latest"})
	must(t, err)

	// A pull cut short by the Studio dying (its events stop at pull_started)
	// shows as interrupted next time, and is recorded as failed.
	s.emit(context.Background(), eventlog.Draft{Stream: modelStream("cut"), Type: eventlog.ModelPullRequested, Origin: eventlog.OriginUser, Payload: PullPayload{Model: "cut"}},
		eventlog.Draft{Stream: modelStream("cut"), Type: eventlog.ModelPullStarted, Origin: eventlog.OriginRuntime, Payload: PullPayload{Model: "cut"}})
	closeStudio(t, s)

	s2 := New(Config{DataDir: data, Ollama: ollama.New(u, nil), PollInterval: time.Hour})
	must(t, s2.Open(context.Background()))
	defer closeStudio(t, s2)
	st = s2.ListModels(context.Background())
	if st.DefaultChat != "llama:latest" {
		t.Errorf("default chat model after a restart: %q", st.DefaultChat)
	}
	interrupted := false
	for _, p := range st.Pulls {
		interrupted = interrupted || (p.Name == "cut" && p.Status == "interrupted")
	}
	if !interrupted {
		t.Errorf("the cut pull is not shown as interrupted: %+v", st.Pulls)
	}
	if evs := modelEvents(t, s2, "cut"); evs[len(evs)-1] != eventlog.ModelPullFailed {
		t.Errorf("interrupted pull events %v", evs)
	}
	if _, err := os.Stat(filepath.Join(data, "settings.json")); err != nil {
		t.Error(err)
	}
}
