package studio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
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
	Models []ollama.Model `json:"models"`
	Pulls  []PullState    `json:"pulls"` // running, and those that ended in this session or were interrupted
	// DefaultChat and DefaultEmbed are the defaults under the names the
	// server lists them ("tiny" set, "tiny:latest" installed: the latter).
	DefaultChat  string `json:"defaultChat"`
	DefaultEmbed string `json:"defaultEmbed"`
	// Memory is the machine's RAM the fit estimates compare with (zero: unknown).
	Memory ollama.Memory `json:"memory,omitempty"`
	// Running lists the models loaded now (/api/ps), also those not listed
	// as installed; RunningError says why it is not known.
	Running      []ollama.Running `json:"running,omitempty"`
	RunningError string           `json:"runningError,omitempty"`
	Error        string           `json:"error,omitempty"` // Ollama unreachable, …
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

// ListModels returns the installed models, with which are loaded and
// whether each fits in RAM, the pulls and the defaults.
func (s *Studio) ListModels(ctx context.Context) ModelsState {
	st := ModelsState{Models: []ollama.Model{}, Pulls: s.pullStates(), Running: []ollama.Running{}, Memory: readMemory()}
	st.DefaultChat, st.DefaultEmbed = s.defaults()
	ms, err := s.cfg.Ollama.Models(ctx)
	if err != nil {
		st.Error = err.Error()
		return st
	}
	if rs, err := s.cfg.Ollama.Running(ctx); err != nil {
		st.RunningError = err.Error()
	} else {
		st.Running = rs
	}
	for i := range ms {
		m := &ms[i]
		var held int64
		for j, r := range st.Running {
			if ollama.SameModel(r.Name, m.Name) {
				m.Loaded, held = &st.Running[j], r.RAM()
			}
		}
		// The cache a run would have: the default window, within the trained length.
		window, _ := ollama.WindowFor(*m, 0, 0)
		fit := ollama.FitIn(*m, window, st.Memory, held)
		m.Fit = &fit
	}
	st.Models = ms
	st.DefaultChat, st.DefaultEmbed = ollama.Installed(ms, st.DefaultChat), ollama.Installed(ms, st.DefaultEmbed)
	return st
}

// readMemory is the machine's memory (tests replace it).
var readMemory = func() ollama.Memory {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return ollama.Memory{} // not Linux: unknown
	}
	return parseMeminfo(string(b))
}

// parseMeminfo reads MemTotal and MemAvailable (in kB) from /proc/meminfo.
func parseMeminfo(text string) ollama.Memory {
	var m ollama.Memory
	for _, line := range strings.Split(text, "\n") {
		key, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var kb int64
		if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb); err != nil {
			continue
		}
		switch key {
		case "MemTotal":
			m.Total = kb << 10
		case "MemAvailable":
			m.Available = kb << 10
		}
	}
	return m
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
