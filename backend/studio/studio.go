// Package studio is the backend behind the Studio UI: it owns the services
// (workspaces, recent folders, the model provider) for one process and
// exposes the operations the UI calls. The desktop shell and `serve` both
// front the same Studio, so the two modes cannot drift apart.
package studio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/ice-studio/ice-studio/backend/buildinfo"
	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/mcp"
	"github.com/ice-studio/ice-studio/backend/memory"
	"github.com/ice-studio/ice-studio/backend/ollama"
	"github.com/ice-studio/ice-studio/backend/projection"
	"github.com/ice-studio/ice-studio/backend/sandbox"
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
	ErrNoEventLog       = errors.New("the event log is not available")
)

// Projections returns a fresh instance of every projection the Studio keeps,
// in the order they are folded (replay builds its own set with it).
func Projections() []projection.Projection {
	return []projection.Projection{workspace.Registry{}, workspace.Files{}, &kernel.Runs{}, memory.Projection{}, kernel.Threads{}}
}

// LogPath returns the event log's path in a data directory.
func LogPath(dataDir string) string { return filepath.Join(dataDir, eventlog.FileName) }

// IndexPath returns the path of a workspace's text index in a data directory.
func IndexPath(dataDir, workspaceID string) string {
	return filepath.Join(dataDir, "index", workspaceID+".db")
}

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
	// AnchorEvery is the least time between two log.anchored events while
	// the log is replicated (0: 10 s).
	AnchorEvery time.Duration
	// AutoStartOllama starts `ollama serve` at start when Ollama is
	// installed but not running (ICE_OLLAMA_AUTOSTART=1).
	AutoStartOllama bool
	// Sandbox and SandboxStatus replace the command sandbox (tests).
	Sandbox       func(ctx context.Context, s sandbox.Spec) (sandbox.Result, error)
	SandboxStatus func(ctx context.Context) sandbox.Status
	// MCPLauncher replaces the kernel's sandboxed launcher of MCP servers
	// (tests: mcp.ExecLauncher).
	MCPLauncher func(workspace string) mcp.Launcher
}

// Studio is the backend service. Construct with New, then Open; Close when done.
type Studio struct {
	cfg     Config
	log     *slog.Logger
	events  *eventlog.SQLiteStore // nil when the log could not be opened
	gate    *eventlog.Gate
	runner  *projection.Runner
	emitter *projection.Emitter
	kernel  *kernel.Kernel
	caps    *capability.Enforcer
	mem     *memory.Service
	vectors *memory.VectorIndex
	logErr  error // why events is nil
	// readOnly is why the log failed its check (at start, or the full
	// verification after it): it is read, never written (nil: it passed).
	readOnly   atomic.Pointer[string]
	readOnlyMu sync.Mutex // one keepReadOnly at a time
	// chats are the clients of the configured model endpoints.
	chats chatProviders
	// repl is the log's replication; replCtx lives until Close.
	repl    replication
	replCtx context.Context

	openMu     sync.Mutex // one OpenFolder at a time: a folder gets one watcher
	threadMu   sync.Mutex // guards threadLock
	threadLock map[string]*sync.Mutex
	mu         sync.Mutex
	workspaces map[string]Workspace
	runtimes   map[string]*wsRuntime // watcher and index of each open workspace
	mcp        mcpHub                // MCP servers of each open workspace (mcp_runtime.go)
	searches   map[string]context.CancelFunc
	notices    []string
	status     ollama.Status
	embed      string // the embedding model for memory ("" none)
	chatModel  string // the default chat model ("" none)
	pulls      pulls
	// prefs is settings.json (settings.go); defaultProvider says the Ollama
	// provider was made here from the environment, so the file's endpoint may replace it.
	prefs           prefs
	defaultProvider bool

	launcher *ollama.Launcher // starts `ollama serve` on request; stops only what it started

	bg       context.Context // lives from New to Close: workspace services run under it
	bgCancel context.CancelFunc
	// autostart is the start of Ollama at Open, when asked for (in the background).
	autostart sync.WaitGroup
	cancel    context.CancelFunc
	wg        sync.WaitGroup
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
	defaultProvider := cfg.Ollama == nil
	if defaultProvider {
		cfg.Ollama = ollama.New(ollama.HostFromEnv(), nil)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 5 * time.Second
	}
	bg, bgCancel := context.WithCancel(context.Background())
	launcher := &ollama.Launcher{Host: cfg.Ollama.Base()}
	return &Studio{cfg: cfg, log: cfg.Logger, launcher: launcher, defaultProvider: defaultProvider, pulls: pulls{states: map[string]*PullState{}, cancel: map[string]context.CancelFunc{}}, workspaces: make(map[string]Workspace), runtimes: make(map[string]*wsRuntime),
		searches: make(map[string]context.CancelFunc), bg: bg, bgCancel: bgCancel}
}

// Bus returns the notification bus the UI transports subscribe to.
func (s *Studio) Bus() *bus.Bus { return s.cfg.Bus }

// Open opens the event log and catches its projections up, closes
// workspaces a crashed Studio left open, opens the folder named on the
// command line and starts the background work. Problems that should not stop
// the Studio from starting (a bad folder argument, an unusable data folder or
// event log) become notices shown in the UI.
func (s *Studio) Open(ctx context.Context) error {
	began := time.Now()
	s.loadSettings() // first: it may choose the Ollama endpoint
	if s.cfg.DataDirErr != nil {
		s.logErr = s.cfg.DataDirErr
		s.addNotice(fmt.Sprintf("Your data folder cannot be used (%v). The Studio runs, but nothing will be recorded.", s.cfg.DataDirErr))
	} else if err := s.openLog(ctx); err != nil {
		s.logErr = err
		s.addNotice(fmt.Sprintf("The event log cannot be used: %v. The Studio runs, but nothing will be recorded; your log file was not changed.", err))
	}
	if s.events != nil {
		s.closeLeftOpen(ctx)
		s.recoverPulls(ctx)
	}
	if s.cfg.InitialFolder != "" {
		if _, err := s.OpenFolder(OpenFolderRequest{Path: s.cfg.InitialFolder}); err != nil {
			s.addNotice(fmt.Sprintf("Could not open the folder from the command line: %v", err))
		}
	}
	if s.cfg.DataDir != "" && s.cfg.DataDirErr == nil {
		if f, err := os.OpenFile(filepath.Join(s.cfg.DataDir, "ollama.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err == nil {
			s.launcher.Log = f
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	s.cancel = cancel
	if s.cfg.AutoStartOllama {
		// In the background: the first screen does not wait for Ollama.
		s.autostart.Add(1)
		go func() {
			defer s.autostart.Done()
			if st := s.cfg.Ollama.Status(ctx, 2*time.Second); !st.Reachable && ctx.Err() == nil {
				if _, ok := ollama.Binary(); ok {
					if err := s.launcher.Start(); err != nil {
						s.addNotice(fmt.Sprintf("Could not start Ollama: %v", err))
					}
				}
			}
		}()
	}
	s.wg.Add(1)
	go s.pollOllama(ctx)
	if s.events != nil && s.readOnlyWhy() == "" {
		s.wg.Add(1)
		go s.verifyAll(ctx)
		s.wg.Add(2)
		go func() { defer s.wg.Done(); _ = s.runner.Run(ctx) }()
		go s.announceAppends(ctx)
		s.wg.Add(2)
		go s.sweepGrants(ctx)
		go s.sweepMemories(ctx)
	}
	s.replCtx = ctx
	s.startReplication(ctx)
	s.log.Info("studio open", "mode", s.cfg.Mode, "dataDir", s.cfg.DataDir, "version", buildinfo.Version, "took", time.Since(began).Round(time.Millisecond))
	return nil
}

func (s *Studio) openLog(ctx context.Context) error {
	store, err := eventlog.Open(LogPath(s.cfg.DataDir), eventlog.Options{})
	if err != nil {
		return err
	}
	why, err := s.checkLog(ctx, store)
	if err != nil {
		_ = store.Close()
		return fmt.Errorf("check the log: %w", err)
	}
	runner := projection.NewRunner(store, store.DB(), s.log, Projections()...)
	if why, err = openProjections(ctx, runner, why); err != nil {
		_ = store.Close()
		return fmt.Errorf("rebuild state from the log: %w", err)
	}
	s.events, s.runner = store, runner
	s.gate = eventlog.NewGate(store, eventlog.DefaultCatalogue())
	if why != "" {
		s.keepReadOnly(why)
	}
	s.emitter = &projection.Emitter{Gate: s.gate, Runner: runner}
	s.caps = capability.NewEnforcer()
	if err := loadCapabilities(ctx, store, s.caps); err != nil {
		_ = store.Close()
		return err
	}
	s.mem = &memory.Service{Emitter: s.emitter, DB: store.ReadDB(), Store: store}
	s.vectors = memory.NewVectorIndex()
	s.kernel = kernel.New(kernel.Config{
		Emitter: s.emitter, Caps: s.caps, Memories: s.mountMemories, Propose: s.proposeMemory,
		Blobs: store, ReadDB: store.ReadDB(), Roots: s.roots, Log: s.log, Notify: s.notifyRun,
		DataDir: s.cfg.DataDir, Sandbox: s.cfg.Sandbox, SandboxStatus: s.cfg.SandboxStatus, MCP: mcpTools{s},
	})
	// What the sandbox can do is found once, in the background, so the
	// first screen does not wait for it.
	go s.SandboxStatus()
	// A commit interrupted by a crash is finished or rolled back before
	// anything else happens.
	if err := s.kernel.Recover(ctx); err != nil {
		s.addNotice(fmt.Sprintf("Recovering interrupted runs failed: %v", err))
	}
	return nil
}

// closeLeftOpen records that workspaces a previous Studio left open (it
// crashed or was killed) are closed.
func (s *Studio) closeLeftOpen(ctx context.Context) {
	open, err := workspace.StillOpen(ctx, s.events.ReadDB())
	if err != nil {
		s.log.Error("find workspaces left open", "err", err)
		return
	}
	for _, k := range open {
		s.emit(ctx, eventlog.Draft{Stream: workspace.Stream(k.ID), Type: eventlog.WorkspaceClosed, Origin: eventlog.OriginRuntime,
			Workspace: k.ID, Payload: workspace.ClosedPayload{Reason: "the Studio did not exit cleanly"}})
	}
}

// emit appends through the gate and folds the projections at once, so the
// caller reads its own write. Without an event log it does nothing.
func (s *Studio) emit(ctx context.Context, drafts ...eventlog.Draft) ([]eventlog.Event, error) {
	if s.events == nil || s.readOnlyWhy() != "" {
		return nil, nil // not recorded: no log, or one kept read-only (the notice says so)
	}
	evs, err := s.emitter.Emit(ctx, drafts...)
	if err != nil {
		s.log.Error("emit events", "err", err)
	}
	return evs, err
}

// Close records the open workspaces as closed, stops background work,
// waits for it and closes the event log.
func (s *Studio) Close(ctx context.Context) error {
	s.mu.Lock()
	rts := make([]*wsRuntime, 0, len(s.runtimes))
	for id, rt := range s.runtimes {
		rts = append(rts, rt)
		delete(s.runtimes, id)
	}
	for _, cancel := range s.searches {
		cancel()
	}
	s.mu.Unlock()
	for _, rt := range rts {
		rt.stop(ctx)
	}
	s.stopAllMCP("the Studio exited")
	// Recorded after the watchers stopped, so nothing of theirs follows.
	for _, ws := range s.Workspaces() {
		s.emit(ctx, eventlog.Draft{Stream: workspace.Stream(ws.ID), Type: eventlog.WorkspaceClosed, Origin: eventlog.OriginRuntime,
			Workspace: ws.ID, Payload: workspace.ClosedPayload{Reason: "the Studio exited"}})
	}
	s.bgCancel()
	// An Ollama being started in the background is started (or not) before
	// what the Studio started is stopped.
	if s.cancel != nil {
		s.cancel()
	}
	s.autostart.Wait()
	if err := s.launcher.Stop(ctx); err != nil {
		s.log.Error("stop ollama", "err", err)
	}
	if c, ok := s.launcher.Log.(io.Closer); ok {
		_ = c.Close()
	}
	if s.kernel != nil {
		if err := s.kernel.Close(ctx); err != nil {
			s.log.Error("stop runs", "err", err)
		}
	}
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
	s.stopReplication() // a last sync, before the log is closed
	var err error
	if s.events != nil {
		err = s.events.Close()
	}
	s.log.Info("studio closed")
	return err
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
	st.Started = s.launcher.Started()
	if !st.Reachable && !st.Started {
		_, st.CanStart = ollama.Binary()
	}
	s.mu.Lock()
	prev := s.status
	s.status = st
	s.mu.Unlock()
	if prev.Reachable != st.Reachable || prev.Version != st.Version || prev.Error != st.Error || prev.CanStart != st.CanStart || prev.Started != st.Started {
		if prev.CheckedAt != 0 {
			s.log.Info("ollama status changed", "reachable", st.Reachable, "version", st.Version, "error", st.Error)
		}
		s.cfg.Bus.Publish(bus.OllamaStatusChanged, st)
	}
	return st
}

// StartOllama starts `ollama serve` (Ollama installed but not running)
// and waits up to 20 seconds for it to answer.
func (s *Studio) StartOllama(ctx context.Context) (ollama.Status, error) {
	if st := s.refreshOllama(ctx); st.Reachable {
		return st, nil
	}
	if err := s.launcher.Start(); err != nil {
		return s.refreshOllama(ctx), err
	}
	s.log.Info("started ollama serve", "host", s.cfg.Ollama.Host())
	deadline := time.Now().Add(20 * time.Second)
	for {
		st := s.refreshOllama(ctx)
		if st.Reachable {
			return st, nil
		}
		if !s.launcher.Started() {
			return st, errors.New("ollama serve exited at once; see ollama.log in the data folder")
		}
		if time.Now().After(deadline) {
			return st, errors.New("ollama serve started but does not answer yet; it may still be loading")
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Info describes this Studio process.
type Info struct {
	Version    string `json:"version"`
	Mode       string `json:"mode"`
	DataDir    string `json:"dataDir"`
	LogFile    string `json:"logFile"`
	OllamaHost string `json:"ollamaHost"`
	// ReadOnly says why the event log is kept read-only ("" when it is
	// written): it failed the start-up check.
	ReadOnly string `json:"readOnly,omitempty"`
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
	Info       Info                     `json:"info"`
	Recent     []workspace.RecentFolder `json:"recent"`
	Workspaces []Workspace              `json:"workspaces"`
	Notices    []string                 `json:"notices"`
}

// Info returns the process description.
func (s *Studio) Info() Info {
	return Info{
		Version:    buildinfo.Version,
		Mode:       s.cfg.Mode,
		DataDir:    s.cfg.DataDir,
		LogFile:    s.cfg.LogFile,
		OllamaHost: s.cfg.Ollama.Host(),
		ReadOnly:   s.readOnlyWhy(),
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

// OpenFolder validates path and opens it as a workspace. A folder opened
// before keeps its workspace id; one already open returns the same workspace.
func (s *Studio) OpenFolder(req OpenFolderRequest) (Workspace, error) {
	ctx := context.Background()
	root, err := workspace.CheckRoot(req.Path)
	if err != nil {
		s.log.Warn("open folder refused", "path", req.Path, "err", err)
		return Workspace{}, fmt.Errorf("cannot open folder: %w", err)
	}
	s.openMu.Lock()
	defer s.openMu.Unlock()
	s.mu.Lock()
	for _, w := range s.workspaces {
		if w.Root == root {
			s.mu.Unlock()
			return w, nil
		}
	}
	s.mu.Unlock()
	id := ""
	if s.events != nil {
		if k, ok, err := workspace.LookupRoot(ctx, s.events.ReadDB(), root); err != nil {
			return Workspace{}, fmt.Errorf("open folder: %w", err)
		} else if ok {
			id = k.ID
		}
	}
	if id == "" {
		u, err := uuid.NewV7()
		if err != nil {
			return Workspace{}, fmt.Errorf("open folder: %w", err)
		}
		id = u.String()
	}
	ws := Workspace{ID: id, Root: root, Name: filepath.Base(root), OpenedAt: time.Now().UnixMilli()}
	if _, err := s.emit(ctx, eventlog.Draft{Stream: workspace.Stream(id), Type: eventlog.WorkspaceOpened,
		Origin: eventlog.OriginRuntime, Workspace: id, Payload: workspace.OpenedPayload{Root: root, Name: ws.Name}}); err != nil {
		return Workspace{}, fmt.Errorf("open folder: %w", err)
	}
	rt, err := s.startWorkspace(ws)
	if err != nil {
		s.emit(ctx, eventlog.Draft{Stream: workspace.Stream(id), Type: eventlog.WorkspaceClosed, Origin: eventlog.OriginRuntime,
			Workspace: id, Payload: workspace.ClosedPayload{Reason: fmt.Sprintf("could not watch the folder: %v", err)}})
		return Workspace{}, fmt.Errorf("open folder: %w", err)
	}
	s.mu.Lock()
	s.workspaces[ws.ID] = ws
	s.runtimes[ws.ID] = rt
	s.mu.Unlock()
	s.startMCP(ws)
	s.publishRecent()
	s.log.Info("workspace opened", "id", ws.ID, "root", root)
	s.cfg.Bus.Publish(bus.WorkspaceOpened, ws)
	return ws, nil
}

// OpenDropped opens a path dropped on the window: a folder as a workspace,
// a file as the folder that holds it.
func (s *Studio) OpenDropped(path string) (Workspace, error) {
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
		path = filepath.Dir(path)
	}
	ws, err := s.OpenFolder(OpenFolderRequest{Path: path})
	if err != nil {
		s.cfg.Bus.Publish(bus.Notice, err.Error())
	}
	return ws, err
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
func (s *Studio) RecentFolders() ([]workspace.RecentFolder, error) {
	if s.events == nil {
		return []workspace.RecentFolder{}, nil
	}
	return workspace.Recent(context.Background(), s.events.ReadDB())
}

// ForgetRecentRequest names a folder to drop from the recent list.
type ForgetRecentRequest struct {
	Path string `json:"path"`
}

// ForgetRecent removes a folder from the recent list (a user decision,
// recorded as workspace.forgotten).
func (s *Studio) ForgetRecent(req ForgetRecentRequest) ([]workspace.RecentFolder, error) {
	if s.events == nil {
		return []workspace.RecentFolder{}, nil
	}
	ctx := context.Background()
	k, ok, err := workspace.LookupRoot(ctx, s.events.ReadDB(), req.Path)
	if err != nil {
		return nil, err
	}
	if ok {
		if _, err := s.emit(ctx, eventlog.Draft{Stream: workspace.Stream(k.ID), Type: eventlog.WorkspaceForgotten,
			Origin: eventlog.OriginUser, Workspace: k.ID, Payload: workspace.ForgottenPayload{Root: k.Root}}); err != nil {
			return nil, err
		}
	}
	s.publishRecent()
	return s.RecentFolders()
}

func (s *Studio) publishRecent() {
	if rec, err := s.RecentFolders(); err == nil {
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
	s.markIgnored(req.WorkspaceID, l.Entries)
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
