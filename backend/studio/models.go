package studio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/ollama"
)

// PullState is a model download, as the model manager shows it.
type PullState struct {
	Name        string  `json:"name"`
	Status      string  `json:"status"` // Ollama's words ("pulling …", "verifying …") or pulled, failed, interrupted, cancelled
	Total       int64   `json:"total"`
	Completed   int64   `json:"completed"`
	BytesPerSec float64 `json:"bytesPerSec"`
	Done        bool    `json:"done"`
	Error       string  `json:"error,omitempty"`
	StartedAt   int64   `json:"startedAt"` // unix ms
}

// ModelsState is the model manager's view.
type ModelsState struct {
	Models       []ollama.Model `json:"models"`
	Pulls        []PullState    `json:"pulls"` // running, and those that ended in this session or were interrupted
	DefaultChat  string         `json:"defaultChat"`
	DefaultEmbed string         `json:"defaultEmbed"`
	Error        string         `json:"error,omitempty"` // Ollama unreachable, …
}

// pulls tracks the downloads of this process.
type pulls struct {
	mu     sync.Mutex
	states map[string]*PullState
	cancel map[string]context.CancelFunc
}

// PullPayload is the payload of the model.pull_* events.
type PullPayload struct {
	Model     string `json:"model"`
	Total     int64  `json:"total,omitempty"`
	Completed int64  `json:"completed,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

func modelStream(name string) string { return "model/" + name }

// recoverPulls records pulls a previous Studio left unfinished as failed
// (interrupted) and shows them as such.
func (s *Studio) recoverPulls(ctx context.Context) {
	open := map[string]int64{}
	_ = s.events.Read(ctx, eventlog.Query{Types: []string{eventlog.ModelPullStarted, eventlog.ModelPullCompleted, eventlog.ModelPullFailed}},
		func(e eventlog.Event) error {
			var p PullPayload
			if json.Unmarshal(e.Payload, &p) == nil {
				if e.Type == eventlog.ModelPullStarted {
					open[p.Model] = e.At
				} else {
					delete(open, p.Model)
				}
			}
			return nil
		})
	for name, at := range open {
		s.emit(ctx, eventlog.Draft{Stream: modelStream(name), Type: eventlog.ModelPullFailed, Origin: eventlog.OriginRuntime,
			Payload: PullPayload{Model: name, Reason: "interrupted: the Studio stopped during the pull"}})
		s.pulls.states[name] = &PullState{Name: name, Status: "interrupted", Done: true, Error: "the Studio stopped during the pull; pull it again", StartedAt: at / 1e6}
	}
}

// ListModels returns the installed models, the pulls and the defaults.
func (s *Studio) ListModels(ctx context.Context) ModelsState {
	st := ModelsState{Models: []ollama.Model{}, Pulls: s.pullStates()}
	st.DefaultChat, st.DefaultEmbed = s.defaults()
	ms, err := s.cfg.Ollama.Models(ctx)
	if err != nil {
		st.Error = err.Error()
		return st
	}
	st.Models = ms
	return st
}

func (s *Studio) pullStates() []PullState {
	s.pulls.mu.Lock()
	defer s.pulls.mu.Unlock()
	out := []PullState{}
	for _, p := range s.pulls.states {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartedAt > out[j].StartedAt })
	return out
}

// ModelRequest names a model.
type ModelRequest struct {
	Name string `json:"name"`
}

// PullModel starts downloading a model; progress arrives as model.pull
// notifications, and the pull is recorded as model.pull_* events.
func (s *Studio) PullModel(req ModelRequest) (PullState, error) {
	name := strings.TrimSpace(req.Name)
	if name == "" || strings.ContainsAny(name, " \t\n") {
		return PullState{}, fmt.Errorf("%q is not a model name (e.g. llama3.2:1b or nomic-embed-text)", req.Name)
	}
	s.pulls.mu.Lock()
	if p := s.pulls.states[name]; p != nil && !p.Done {
		s.pulls.mu.Unlock()
		return *p, nil // already pulling
	}
	ctx, cancel := context.WithCancel(s.bg)
	st := &PullState{Name: name, Status: "starting", StartedAt: time.Now().UnixMilli()}
	s.pulls.states[name] = st
	s.pulls.cancel[name] = cancel
	s.pulls.mu.Unlock()
	s.emit(ctx, eventlog.Draft{Stream: modelStream(name), Type: eventlog.ModelPullRequested, Origin: eventlog.OriginUser, Payload: PullPayload{Model: name}},
		eventlog.Draft{Stream: modelStream(name), Type: eventlog.ModelPullStarted, Origin: eventlog.OriginRuntime, Payload: PullPayload{Model: name}})
	started := *st // copied before the pull goroutine writes to it
	go s.runPull(ctx, cancel, st)
	return started, nil
}

func (s *Studio) runPull(ctx context.Context, cancel context.CancelFunc, st *PullState) {
	defer cancel()
	start := time.Now()
	lastEvent, lastPub := 0, time.Time{}
	publish := func(force bool) {
		if !force && time.Since(lastPub) < 200*time.Millisecond {
			return
		}
		lastPub = time.Now()
		s.pulls.mu.Lock()
		cp := *st
		s.pulls.mu.Unlock()
		s.cfg.Bus.Publish(bus.ModelPull, cp)
	}
	err := s.cfg.Ollama.Pull(ctx, st.Name, func(p ollama.PullProgress) {
		s.pulls.mu.Lock()
		st.Status = p.Status
		if p.Total > 0 { // the closing "success" carries no sizes
			st.Total, st.Completed = p.Total, p.Completed
		}
		if secs := time.Since(start).Seconds(); secs > 0 {
			st.BytesPerSec = float64(p.Completed) / secs
		}
		s.pulls.mu.Unlock()
		// A progress event at each quarter of a layer, so the log tells how far it got.
		if p.Total > 0 {
			if q := int(4 * p.Completed / p.Total); q > lastEvent {
				lastEvent = q
				s.emit(context.Background(), eventlog.Draft{Stream: modelStream(st.Name), Type: eventlog.ModelPullProgress,
					Origin: eventlog.OriginRuntime, Payload: PullPayload{Model: st.Name, Total: p.Total, Completed: p.Completed}})
			}
		}
		publish(false)
	})
	status, reason := "pulled", ""
	switch {
	case errors.Is(err, context.Canceled):
		status, reason = "cancelled", "you cancelled the pull"
	case err != nil:
		status, reason = "failed", err.Error()
	}
	// Recorded before the pull is shown as done, so "done" means "in the log".
	if err != nil {
		s.emit(context.Background(), eventlog.Draft{Stream: modelStream(st.Name), Type: eventlog.ModelPullFailed, Origin: eventlog.OriginRuntime,
			Payload: PullPayload{Model: st.Name, Reason: reason}})
	} else {
		s.pulls.mu.Lock()
		total, completed := st.Total, st.Completed
		s.pulls.mu.Unlock()
		s.emit(context.Background(), eventlog.Draft{Stream: modelStream(st.Name), Type: eventlog.ModelPullCompleted, Origin: eventlog.OriginRuntime,
			Payload: PullPayload{Model: st.Name, Total: total, Completed: completed}})
	}
	s.pulls.mu.Lock()
	st.Done, st.Status, st.Error = true, status, reason
	s.pulls.mu.Unlock()
	publish(true)
}

// CancelPull stops a running download.
func (s *Studio) CancelPull(req ModelRequest) error {
	s.pulls.mu.Lock()
	cancel := s.pulls.cancel[req.Name]
	s.pulls.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	return nil
}

// DeleteModel removes an installed model (the UI asks for confirmation).
func (s *Studio) DeleteModel(req ModelRequest) error {
	ctx := context.Background()
	s.emit(ctx, eventlog.Draft{Stream: modelStream(req.Name), Type: eventlog.ModelDeleteRequested, Origin: eventlog.OriginUser, Payload: PullPayload{Model: req.Name}})
	if err := s.cfg.Ollama.Delete(ctx, req.Name); err != nil {
		return err
	}
	s.emit(ctx, eventlog.Draft{Stream: modelStream(req.Name), Type: eventlog.ModelDeleted, Origin: eventlog.OriginRuntime, Payload: PullPayload{Model: req.Name}})
	return nil
}

// settings are the Studio's choices kept in settings.json in the data folder.
type settings struct {
	DefaultChat  string `json:"defaultChat"`
	DefaultEmbed string `json:"defaultEmbed"`
}

func (s *Studio) settingsPath() string {
	if s.cfg.DataDir == "" || s.cfg.DataDirErr != nil {
		return ""
	}
	return filepath.Join(s.cfg.DataDir, "settings.json")
}

func (s *Studio) loadSettings() {
	p := s.settingsPath()
	if p == "" {
		return
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return
	}
	var st settings
	if json.Unmarshal(b, &st) == nil {
		s.mu.Lock()
		s.chatModel = st.DefaultChat
		if s.embed == "" {
			s.embed = st.DefaultEmbed
		}
		s.mu.Unlock()
	}
}

func (s *Studio) defaults() (chat, embed string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chatModel, s.embed
}

// DefaultModelsRequest chooses the default chat and embedding models.
type DefaultModelsRequest struct {
	Chat  string `json:"chat"`
	Embed string `json:"embed"`
}

// SetDefaultModels records the default chat model and the embedding model
// (which memory search by meaning uses); they are kept in settings.json.
func (s *Studio) SetDefaultModels(req DefaultModelsRequest) (ModelsState, error) {
	if req.Embed != "" && req.Embed != s.embedModel() {
		if _, err := s.SetMemorySettings(MemorySettingsRequest{EmbeddingModel: req.Embed}); err != nil {
			return ModelsState{}, fmt.Errorf("embedding model: %w", err)
		}
	}
	s.mu.Lock()
	s.chatModel = strings.TrimSpace(req.Chat)
	if req.Embed == "" {
		s.embed = ""
	}
	st := settings{DefaultChat: s.chatModel, DefaultEmbed: s.embed}
	s.mu.Unlock()
	if p := s.settingsPath(); p != "" {
		b, _ := json.MarshalIndent(st, "", "  ")
		tmp := p + ".tmp"
		if err := os.WriteFile(tmp, b, 0o600); err != nil {
			return ModelsState{}, err
		}
		if err := os.Rename(tmp, p); err != nil {
			return ModelsState{}, err
		}
	}
	return s.ListModels(context.Background()), nil
}
