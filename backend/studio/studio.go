// Package studio is the backend behind the Studio UI: it owns the services
// (workspaces, recent folders, the model provider) for one process and
// exposes the operations the UI calls. The desktop shell and `serve` both
// front the same Studio, so the two modes cannot drift apart.
package studio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ice-studio/ice-studio/backend/buildinfo"
	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/ollama"
	"github.com/ice-studio/ice-studio/backend/recent"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// Modes the Studio runs in.
const (
	ModeDesktop = "desktop"
	ModeBrowser = "browser"
)

// Sentinel errors of the Studio API.
var (
	ErrUnknownWorkspace = errors.New("workspace is not open")
	ErrNotOpen          = errors.New("studio is not open")
)

// RecentStore is what the Studio needs from the recent-folders store.
type RecentStore interface {
	List() ([]recent.Folder, error)
	Touch(path string) error
	Remove(path string) error
}

var _ RecentStore = (*recent.Store)(nil)

// Config wires a Studio. Zero values get defaults in New.
type Config struct {
	Mode          string
	DataDir       string
	DataDirErr    error // the data dir could not be prepared: run without persistence and say so
	LogFile       string
	Logger        *slog.Logger
	Bus           *bus.Bus
	Ollama        *ollama.Provider
	InitialFolder string        // folder named on the command line, opened at start
	PollInterval  time.Duration // how often the Ollama status is re-checked
}

// Studio is the backend service. Construct with New, then Open; Close when done.
type Studio struct {
	cfg    Config
	log    *slog.Logger
	recent RecentStore

	mu         sync.Mutex
	workspaces map[string]Workspace
	notices    []string
	status     ollama.Status

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a Studio with defaults filled in; it does no I/O.
func New(cfg Config) *Studio {
	if cfg.Mode == "" {
		cfg.Mode = ModeDesktop
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Bus == nil {
		cfg.Bus = bus.New()
	}
	if cfg.Ollama == nil {
		cfg.Ollama = ollama.New(ollama.HostFromEnv(), nil)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 5 * time.Second
	}
	return &Studio{cfg: cfg, log: cfg.Logger, workspaces: make(map[string]Workspace)}
}

// Bus returns the notification bus the UI transports subscribe to.
func (s *Studio) Bus() *bus.Bus { return s.cfg.Bus }

// Open loads persistent state, opens the folder named on the command line
// and starts the background status checks. Problems that should not stop the
// Studio from starting (a bad folder argument, a damaged recent list) become
// notices shown in the UI.
func (s *Studio) Open(ctx context.Context) error {
	if s.cfg.DataDirErr != nil {
		s.addNotice(fmt.Sprintf("Your data folder cannot be used (%v). The Studio runs, but nothing will be remembered.", s.cfg.DataDirErr))
	} else {
		st, warn, err := recent.Open(s.cfg.DataDir)
		if err != nil {
			return fmt.Errorf("open studio: %w", err)
		}
		s.recent = st
		if warn != "" {
			s.addNotice(warn)
		}
	}
	if s.cfg.InitialFolder != "" {
		if _, err := s.OpenFolder(OpenFolderRequest{Path: s.cfg.InitialFolder}); err != nil {
			s.addNotice(fmt.Sprintf("Could not open the folder from the command line: %v", err))
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	s.cancel = cancel
	s.wg.Add(1)
	go s.pollOllama(ctx)
	s.log.Info("studio open", "mode", s.cfg.Mode, "dataDir", s.cfg.DataDir, "version", buildinfo.Version)
	return nil
}

// Close stops background work and waits for it.
func (s *Studio) Close(ctx context.Context) error {
	if s.cancel != nil {
		s.cancel()
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("close studio: %w", ctx.Err())
	}
	s.log.Info("studio closed")
	return nil
}

// Notices returns the start-up problems the user must be told about.
func (s *Studio) Notices() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{}, s.notices...) // [] not null in JSON
}

func (s *Studio) addNotice(n string) {
	s.log.Info("notice shown to the user", "text", n)
	s.mu.Lock()
	s.notices = append(s.notices, n)
	s.mu.Unlock()
}

func (s *Studio) pollOllama(ctx context.Context) {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.PollInterval)
	defer t.Stop()
	for {
		s.refreshOllama(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// refreshOllama checks the server and publishes the status when it changed.
func (s *Studio) refreshOllama(ctx context.Context) ollama.Status {
	st := s.cfg.Ollama.Status(ctx, 2*time.Second)
	s.mu.Lock()
	prev := s.status
	s.status = st
	s.mu.Unlock()
	if prev.Reachable != st.Reachable || prev.Version != st.Version || prev.Error != st.Error {
		if prev.CheckedAt != 0 {
			s.log.Info("ollama status changed", "reachable", st.Reachable, "version", st.Version, "error", st.Error)
		}
		s.cfg.Bus.Publish(bus.OllamaStatusChanged, st)
	}
	return st
}

// Info describes this Studio process.
type Info struct {
	Version    string `json:"version"`
	Mode       string `json:"mode"`
	DataDir    string `json:"dataDir"`
	LogFile    string `json:"logFile"`
	OllamaHost string `json:"ollamaHost"`
}

// Workspace is an open project folder.
type Workspace struct {
	ID       string `json:"id"`
	Root     string `json:"root"`
	Name     string `json:"name"`
	OpenedAt int64  `json:"openedAt"`
}

// StartupResponse is everything the first screen needs in one call.
type StartupResponse struct {
	Info       Info            `json:"info"`
	Recent     []recent.Folder `json:"recent"`
	Workspaces []Workspace     `json:"workspaces"`
	Notices    []string        `json:"notices"`
}

// Info returns the process description.
func (s *Studio) Info() Info {
	return Info{
		Version:    buildinfo.Version,
		Mode:       s.cfg.Mode,
		DataDir:    s.cfg.DataDir,
		LogFile:    s.cfg.LogFile,
		OllamaHost: s.cfg.Ollama.Host(),
	}
}

// Startup returns the state the UI renders first.
func (s *Studio) Startup() (StartupResponse, error) {
	rec, err := s.RecentFolders()
	if err != nil {
		return StartupResponse{}, err
	}
	return StartupResponse{Info: s.Info(), Recent: rec, Workspaces: s.Workspaces(), Notices: s.Notices()}, nil
}

// OllamaStatus checks the Ollama server now.
func (s *Studio) OllamaStatus(ctx context.Context) ollama.Status {
	return s.refreshOllama(ctx)
}

// OpenFolderRequest names a folder to open as a workspace.
type OpenFolderRequest struct {
	Path string `json:"path"`
}

// OpenFolder validates path and opens it as a workspace; opening a folder
// that is already open returns the same workspace.
func (s *Studio) OpenFolder(req OpenFolderRequest) (Workspace, error) {
	root, err := workspace.CheckRoot(req.Path)
	if err != nil {
		s.log.Warn("open folder refused", "path", req.Path, "err", err)
		return Workspace{}, fmt.Errorf("cannot open folder: %w", err)
	}
	s.mu.Lock()
	var ws Workspace
	for _, w := range s.workspaces {
		if w.Root == root {
			ws = w
		}
	}
	if ws.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			s.mu.Unlock()
			return Workspace{}, fmt.Errorf("open folder: %w", err)
		}
		ws = Workspace{ID: id.String(), Root: root, Name: filepath.Base(root), OpenedAt: time.Now().UnixMilli()}
		s.workspaces[ws.ID] = ws
	}
	s.mu.Unlock()
	if s.recent != nil {
		if err := s.recent.Touch(root); err != nil {
			s.log.Error("remember recent folder", "path", root, "err", err)
		} else {
			s.publishRecent()
		}
	}
	s.log.Info("workspace opened", "id", ws.ID, "root", root)
	s.cfg.Bus.Publish(bus.WorkspaceOpened, ws)
	return ws, nil
}

// Workspaces lists the open workspaces, oldest first.
func (s *Studio) Workspaces() []Workspace {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Workspace, 0, len(s.workspaces))
	for _, w := range s.workspaces {
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// RecentFolders lists recently opened folders, most recent first.
func (s *Studio) RecentFolders() ([]recent.Folder, error) {
	if s.recent == nil {
		return []recent.Folder{}, nil
	}
	return s.recent.List()
}

// ForgetRecentRequest names a folder to drop from the recent list.
type ForgetRecentRequest struct {
	Path string `json:"path"`
}

// ForgetRecent removes a folder from the recent list.
func (s *Studio) ForgetRecent(req ForgetRecentRequest) ([]recent.Folder, error) {
	if s.recent == nil {
		return []recent.Folder{}, nil
	}
	if err := s.recent.Remove(req.Path); err != nil {
		return nil, err
	}
	s.publishRecent()
	return s.recent.List()
}

func (s *Studio) publishRecent() {
	if rec, err := s.recent.List(); err == nil {
		s.cfg.Bus.Publish(bus.RecentChanged, rec)
	}
}

// ListDirRequest names a directory inside an open workspace.
type ListDirRequest struct {
	WorkspaceID string `json:"workspaceId"`
	Path        string `json:"path"`
}

// ListDir lists one directory of an open workspace.
func (s *Studio) ListDir(req ListDirRequest) (workspace.Listing, error) {
	s.mu.Lock()
	ws, ok := s.workspaces[req.WorkspaceID]
	s.mu.Unlock()
	if !ok {
		return workspace.Listing{}, fmt.Errorf("%w: %s", ErrUnknownWorkspace, req.WorkspaceID)
	}
	l, err := workspace.List(ws.Root, req.Path)
	if err != nil {
		return workspace.Listing{}, fmt.Errorf("list %s: %w", ws.Name, err)
	}
	return l, nil
}

// FrontendReadyRequest is what the UI reports once it has rendered.
type FrontendReadyRequest struct {
	Transport string `json:"transport"` // "wails" or "http"
	UserAgent string `json:"userAgent"`
}

// FrontendReady records that the UI loaded and reached the backend; the
// desktop smoke test waits for this log line.
func (s *Studio) FrontendReady(req FrontendReadyRequest) error {
	s.log.Info("frontend ready", "mode", s.cfg.Mode, "transport", req.Transport, "userAgent", req.UserAgent)
	return nil
}
