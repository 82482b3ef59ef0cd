package mcp

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// Errors a Manager returns; each is wrapped with the server (and tool) it
// is about and what to do.
var (
	ErrUnknownServer = errors.New("no such MCP server")
	ErrUnknownTool   = errors.New("no such MCP tool")
	ErrDisabled      = errors.New("MCP server is disabled")
	ErrCrashed       = errors.New("MCP server crashed")
	ErrStopped       = errors.New("MCP server was stopped")
	ErrClosed        = errors.New("MCP manager is closed")
	ErrNoTransport   = errors.New("MCP server cannot be reached")
)

// Defaults for Options.
const (
	DefaultLogBytes     = 256 << 10
	DefaultStartTimeout = time.Minute
)

const (
	// stdinGrace is how long a stdio server has to exit after its stdin
	// closed; stopGrace how long after Terminate, before it is killed.
	stdinGrace = 500 * time.Millisecond
	stopGrace  = 2 * time.Second
	// endWait bounds how long a call whose connection broke waits to learn
	// how the server ended.
	endWait = 5 * time.Second
	// maxMessage is the largest JSON-RPC message read from a stdio server
	// (a 10 MB tool result must fit).
	maxMessage = 64 << 20
	// relistTimeout bounds a re-list after a list_changed notification.
	relistTimeout = 30 * time.Second
)

// Options are a Manager's dependencies.
type Options struct {
	// Launch starts stdio servers (required for stdio servers).
	Launch Launcher
	// HTTP gives the client a Streamable HTTP server is reached with; nil
	// refuses HTTP servers.
	HTTP HTTPClient
	// Log receives the Manager's own diagnostics (never header or env
	// values).
	Log *slog.Logger
	// OnChange is called (not under a lock, possibly from another
	// goroutine) when a server's state or its tool, resource or prompt list
	// changed.
	OnChange func(server string)
	// LogBytes is how much stderr is kept per server (default 256 KiB,
	// oldest dropped).
	LogBytes int
	// StartTimeout bounds a start: launch, initialise and list (default
	// one minute).
	StartTimeout time.Duration
}

// Manager runs the configured MCP servers: it starts them on demand, keeps
// their tool lists current and carries tool calls. It decides nothing (the
// kernel authorises every call). It is safe for concurrent use.
type Manager struct {
	o   Options
	log *slog.Logger

	mu      sync.Mutex
	servers map[string]*server
	closed  bool
	wg      sync.WaitGroup // every goroutine a run started
}

// server is one configured server across its runs.
type server struct {
	cfg      ServerConfig
	logs     *ringLog
	state    string
	err      string
	starts   int
	restarts int
	run      *run // the run starting or running; nil when stopped or crashed
}

// run is one start of a server, until it ended.
type run struct {
	ctx    context.Context // cancelled when the run is stopped or ended
	cancel context.CancelFunc
	ready  chan struct{} // closed when the start finished, well or not
	// Under Manager.mu:
	startErr  error
	sess      *sdk.ClientSession
	proc      Process
	info      *sdk.Implementation
	tools     []Tool
	resources []Resource
	prompts   []Prompt
	startedAt time.Time

	stopping atomic.Bool
	stderr   *lineTracker

	exited     chan struct{} // closed when the process ended (http: the session)
	exitErr    error         // set before exited is closed
	exitOnce   sync.Once
	ended      chan struct{} // closed once the Manager has recorded the end
	endReason  string        // set before ended is closed
	relistMu   sync.Mutex
	connClosed chan struct{} // closed when the SDK session ended
}

// NewManager returns a Manager with no servers; Configure gives it some.
func NewManager(o Options) *Manager {
	if o.LogBytes <= 0 {
		o.LogBytes = DefaultLogBytes
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = DefaultStartTimeout
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Manager{o: o, log: log, servers: map[string]*server{}}
}

func (m *Manager) changed(name string) {
	if m.o.OnChange != nil {
		m.o.OnChange(name)
	}
}

// Configure replaces the set of servers. Servers removed, disabled or whose
// configuration changed (anything but DisabledTools) are stopped; the
// others keep running. A server keeps its log across changes.
func (m *Manager) Configure(servers []ServerConfig) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	next := make(map[string]*server, len(servers))
	var stops []*run
	var touched []string
	for _, c := range servers {
		old := m.servers[c.Name]
		switch {
		case old == nil:
			next[c.Name] = &server{cfg: c, logs: newRingLog(m.o.LogBytes), state: StateStopped}
			touched = append(touched, c.Name)
		case sameRun(old.cfg, c):
			if !slices.Equal(old.cfg.DisabledTools, c.DisabledTools) {
				touched = append(touched, c.Name)
				if r := old.run; r != nil {
					for i := range r.tools {
						r.tools[i].Disabled = slices.Contains(c.DisabledTools, r.tools[i].Name)
					}
				}
			}
			old.cfg = c
			next[c.Name] = old
		default:
			if r := old.run; r != nil {
				r.stopping.Store(true)
				stops = append(stops, r)
				old.logs.note("stopping: its configuration changed")
			}
			next[c.Name] = &server{cfg: c, logs: old.logs, state: StateStopped, starts: old.starts, restarts: old.restarts}
			touched = append(touched, c.Name)
		}
	}
	for name, old := range m.servers {
		if _, kept := next[name]; kept {
			continue
		}
		if r := old.run; r != nil {
			r.stopping.Store(true)
			stops = append(stops, r)
		}
		old.run = nil
		touched = append(touched, name)
	}
	m.servers = next
	m.mu.Unlock()

	m.shutdownAll(stops)
	for _, name := range touched {
		m.changed(name)
	}
}

// sameRun reports whether a running server with configuration a may go on
// running under b.
func sameRun(a, b ServerConfig) bool {
	return a.Fingerprint() == b.Fingerprint() && a.Disabled == b.Disabled &&
		mapsEqual(a.Headers, b.Headers) && slices.Equal(a.Hosts, b.Hosts) && slices.Equal(a.Writable, b.Writable)
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Status is every configured server, sorted by name; Tools, Resources and
// Prompts are empty unless it runs.
func (m *Manager) Status() []Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Status, 0, len(m.servers))
	for _, s := range m.servers {
		out = append(out, s.status())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// StatusOf is one server's Status; false if it is not configured.
func (m *Manager) StatusOf(name string) (Status, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.servers[name]
	if s == nil {
		return Status{}, false
	}
	return s.status(), true
}

// status is called under Manager.mu.
func (s *server) status() Status {
	st := Status{
		Name: s.cfg.Name, State: s.state, Error: s.err,
		Type: s.cfg.Kind(), Command: s.cfg.CommandLine(),
		Tools: []Tool{}, Resources: []Resource{}, Prompts: []Prompt{},
		Restarts: s.restarts,
	}
	if r := s.run; r != nil && s.state == StateRunning {
		if r.info != nil {
			st.ServerName, st.ServerVersion = r.info.Name, r.info.Version
		}
		st.Tools = append(st.Tools, r.tools...)
		st.Resources = append(st.Resources, r.resources...)
		st.Prompts = append(st.Prompts, r.prompts...)
		st.StartedAt = r.startedAt.UnixMilli()
	}
	return st
}

// Log is a server's stderr so far (the last LogBytes of it), with the
// Studio's own lines about it ("starting", "exited with status 1").
func (m *Manager) Log(name string) string {
	m.mu.Lock()
	s := m.servers[name]
	m.mu.Unlock()
	if s == nil {
		return ""
	}
	return s.logs.String()
}

// Close stops every server and waits until they and every goroutine the
// Manager started have ended. The Manager cannot be used afterwards.
func (m *Manager) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		m.wg.Wait()
		return
	}
	m.closed = true
	var runs []*run
	for _, s := range m.servers {
		if r := s.run; r != nil {
			r.stopping.Store(true)
			runs = append(runs, r)
			s.run = nil
			s.state, s.err = StateStopped, ""
		}
	}
	m.mu.Unlock()
	m.shutdownAll(runs)
	m.wg.Wait()
}
