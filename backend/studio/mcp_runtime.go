package studio

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/mcp"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// mcpStartWait is how long Tools waits for servers still starting, so a
// run that begins as the workspace opens is offered their tools.
const mcpStartWait = 10 * time.Second

// mcpHub holds the MCP servers of each open workspace.
type mcpHub struct {
	mu  sync.Mutex
	rts map[string]*mcpRuntime
}

// mcpRuntime is one open workspace's MCP servers: their configuration
// from the three sources and the Manager that runs the trusted ones.
type mcpRuntime struct {
	s      *Studio
	ws     Workspace
	folder *mcpFolder
	m      *mcp.Manager
	ctx    context.Context // lives until the workspace closes
	cancel context.CancelFunc
	wg     sync.WaitGroup // background starts and reloads

	evMu     sync.Mutex // one state change recorded at a time, in order
	reloadMu sync.Mutex // one reload at a time: the Manager is configured in order

	mu      sync.Mutex
	cfg     mcpConfig
	given   map[string]mcp.ServerConfig // what the Manager was given: the trusted servers
	states  map[string]string           // last state seen of each server
	reasons map[string]string           // why a server is being stopped (mcp.server_stopped)
	pending map[string]bool             // background starts not finished
	changed chan struct{}               // closed and replaced at every change
	closed  bool
	digest  string // of the configuration as last loaded: the UI is told when it changes
}

// mcpFolderOf is where the running Studio keeps a workspace's servers.
func (s *Studio) mcpFolderOf(ws Workspace) *mcpFolder {
	dir := s.cfg.DataDir
	if s.cfg.DataDirErr != nil {
		dir = ""
	}
	return &mcpFolder{dataDir: dir, ws: ws.ID, root: ws.Root, global: studioGlobal{s}, events: s.events,
		emit: func(ctx context.Context, d eventlog.Draft) error { _, err := s.emit(ctx, d); return err }}
}

// startMCP configures an opened workspace's servers and starts the
// trusted, enabled ones in the background. Without an event log nothing
// is started: approvals and calls could not be recorded.
func (s *Studio) startMCP(ws Workspace) {
	if s.events == nil || s.kernel == nil {
		return
	}
	ctx, cancel := context.WithCancel(s.bg)
	r := &mcpRuntime{s: s, ws: ws, folder: s.mcpFolderOf(ws), ctx: ctx, cancel: cancel, given: map[string]mcp.ServerConfig{},
		states: map[string]string{}, reasons: map[string]string{}, pending: map[string]bool{}, changed: make(chan struct{})}
	launch := s.cfg.MCPLauncher
	if launch == nil {
		launch = s.kernel.MCPLauncher
	}
	r.m = mcp.NewManager(mcp.Options{Launch: launch(ws.ID), HTTP: r.httpClient, Log: s.log.With("workspace", ws.ID), OnChange: r.onChange})
	s.mcp.mu.Lock()
	if s.mcp.rts == nil {
		s.mcp.rts = map[string]*mcpRuntime{}
	}
	s.mcp.rts[ws.ID] = r
	s.mcp.mu.Unlock()
	if err := r.reload(ctx); err != nil {
		s.log.Warn("MCP servers not loaded", "workspace", ws.ID, "err", err)
	}
}

// stopMCP stops a closing workspace's servers.
func (s *Studio) stopMCP(id, reason string) {
	s.mcp.mu.Lock()
	r := s.mcp.rts[id]
	delete(s.mcp.rts, id)
	s.mcp.mu.Unlock()
	if r != nil {
		r.close(reason)
	}
}

// stopAllMCP stops every workspace's servers (the Studio exits).
func (s *Studio) stopAllMCP(reason string) {
	s.mcp.mu.Lock()
	rts := make([]*mcpRuntime, 0, len(s.mcp.rts))
	for id, r := range s.mcp.rts {
		rts = append(rts, r)
		delete(s.mcp.rts, id)
	}
	s.mcp.mu.Unlock()
	var wg sync.WaitGroup
	for _, r := range rts {
		wg.Add(1)
		go func() { defer wg.Done(); r.close(reason) }()
	}
	wg.Wait()
}

// mcpOf is an open workspace's MCP servers.
func (s *Studio) mcpOf(id string) (*mcpRuntime, error) {
	if s.events == nil {
		return nil, fmt.Errorf("MCP servers: %w", ErrNoEventLog)
	}
	s.mcp.mu.Lock()
	r := s.mcp.rts[id]
	s.mcp.mu.Unlock()
	if r == nil {
		return nil, fmt.Errorf("%w: %s", ErrUnknownWorkspace, id)
	}
	return r, nil
}

// reloadAllMCP reloads every open workspace (the global servers changed).
func (s *Studio) reloadAllMCP(ctx context.Context) {
	s.mcp.mu.Lock()
	rts := make([]*mcpRuntime, 0, len(s.mcp.rts))
	for _, r := range s.mcp.rts {
		rts = append(rts, r)
	}
	s.mcp.mu.Unlock()
	for _, r := range rts {
		if err := r.reload(ctx); err != nil {
			s.log.Warn("reload MCP servers", "workspace", r.ws.ID, "err", err)
		}
	}
}

// mcpFilesChanged reloads a workspace's servers when its .mcp.json
// changed (an edited server is untrusted until approved again).
func (s *Studio) mcpFilesChanged(id string, cs []workspace.Change) {
	if !slices.ContainsFunc(cs, func(c workspace.Change) bool { return c.Path == MCPProjectFile }) {
		return
	}
	r, err := s.mcpOf(id)
	if err != nil {
		return
	}
	// In the background: stopping a server must not hold up the watcher.
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if err := r.reload(r.ctx); err != nil && r.ctx.Err() == nil {
			s.log.Warn("reload MCP servers", "workspace", id, "err", err)
		}
	}()
}

// configKey identifies a server's configuration (headers included: a new
// token reaches the server at its next start), with its tool switches or
// without (turning a tool off does not restart a server).
func configKey(c mcp.ServerConfig, withTools bool) string {
	if !withTools {
		c.DisabledTools = nil
	}
	b, _ := json.Marshal(struct {
		Name string
		C    mcp.ServerConfig
	}{c.Name, c})
	return string(b)
}

// reload reads the configuration again and gives the Manager the trusted
// servers; servers new to it (or whose configuration changed) that are
// enabled start in the background.
func (r *mcpRuntime) reload(ctx context.Context) error {
	r.reloadMu.Lock()
	defer r.reloadMu.Unlock()
	c, err := r.folder.load(ctx)
	if err != nil {
		return err
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	digest := c.digest()
	news := digest != r.digest
	r.cfg, r.digest = c, digest
	next := map[string]mcp.ServerConfig{}
	var servers []mcp.ServerConfig
	var start []string
	same := true
	for _, e := range c.entries {
		if !e.trusted {
			continue
		}
		servers = append(servers, e.cfg)
		next[e.cfg.Name] = e.cfg
		old, had := r.given[e.cfg.Name]
		if !had || configKey(old, true) != configKey(e.cfg, true) {
			same = false
		}
		if (!had || configKey(old, false) != configKey(e.cfg, false)) && !e.cfg.Disabled {
			start = append(start, e.cfg.Name)
		}
	}
	for name, old := range r.given {
		if n, kept := next[name]; kept && configKey(old, false) == configKey(n, false) {
			continue
		}
		same = false
		e, still := c.entry(name)
		switch {
		case !still:
			r.reasons[name] = "removed from the configuration"
		case !e.trusted:
			r.reasons[name] = "its command line changed and is not approved"
		case e.cfg.Disabled:
			r.reasons[name] = "turned off"
		default:
			r.reasons[name] = "its configuration changed"
		}
	}
	r.given = next
	r.mu.Unlock()
	if !same {
		r.m.Configure(servers) // stops the servers removed, turned off or changed
	}
	r.startInBackground(start...)
	if news {
		for _, p := range c.problems {
			r.s.log.Warn("MCP configuration", "workspace", r.ws.ID, "problem", p)
		}
		r.signal()
		r.publish()
	}
	return nil
}

// startInBackground starts servers without waiting for them.
func (r *mcpRuntime) startInBackground(names ...string) {
	for _, name := range names {
		r.mu.Lock()
		if r.closed {
			r.mu.Unlock()
			return
		}
		r.pending[name] = true
		r.wg.Add(1)
		r.mu.Unlock()
		go func() {
			defer r.wg.Done()
			if err := r.m.Start(r.ctx, name); err != nil && r.ctx.Err() == nil {
				e, _ := r.config().entry(name)
				r.s.log.Warn("MCP server did not start", "workspace", r.ws.ID, "server", name, "err", maskSecrets(e.cfg, err.Error()))
			}
			r.mu.Lock()
			delete(r.pending, name)
			r.mu.Unlock()
			r.signal()
		}()
	}
}

// signal wakes whoever waits for a change (Tools waiting for starts).
func (r *mcpRuntime) signal() {
	r.mu.Lock()
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

func (r *mcpRuntime) publish() {
	r.s.cfg.Bus.Publish(bus.MCPChanged, WorkspaceRequest{WorkspaceID: r.ws.ID})
}

// onChange is the Manager's report of a server's change: its state
// transitions are recorded and the UI told.
func (r *mcpRuntime) onChange(server string) {
	r.evMu.Lock()
	st, ok := r.m.StatusOf(server)
	state := mcp.StateStopped
	if ok {
		state = st.State
	}
	r.mu.Lock()
	prev := r.states[server]
	r.states[server] = state
	reason := r.reasons[server]
	if state != mcp.StateRunning && state != mcp.StateStarting {
		delete(r.reasons, server)
	}
	e, _ := r.cfg.entry(server)
	r.mu.Unlock()
	var d *eventlog.Draft
	draft := func(typ string, payload any) *eventlog.Draft {
		return &eventlog.Draft{Stream: kernel.CapStream(r.ws.ID), Type: typ, Origin: eventlog.OriginRuntime, Workspace: r.ws.ID, Payload: payload}
	}
	switch {
	case state == mcp.StateRunning && prev != mcp.StateRunning:
		d = draft(eventlog.MCPServerStarted, MCPServerStartedPayload{Server: server, CommandLine: loggedCommandLine(e.cfg), Type: e.cfg.Kind()})
	case state == mcp.StateCrashed && prev != mcp.StateCrashed:
		d = draft(eventlog.MCPServerCrashed, MCPServerCrashedPayload{Server: server, Error: maskSecrets(e.cfg, st.Error)})
	case state == mcp.StateStopped && (prev == mcp.StateRunning || prev == mcp.StateStarting):
		if reason == "" {
			reason = "stopped"
		}
		d = draft(eventlog.MCPServerStopped, MCPServerStoppedPayload{Server: server, Reason: reason})
	}
	if d != nil {
		if _, err := r.s.emit(context.Background(), *d); err != nil {
			r.s.log.Error("record MCP server state", "workspace", r.ws.ID, "server", server, "err", err)
		}
	}
	r.evMu.Unlock()
	r.signal()
	r.publish()
}

// close stops the servers and waits for the background starts.
func (r *mcpRuntime) close(reason string) {
	r.mu.Lock()
	r.closed = true
	names := make([]string, 0, len(r.states))
	for name := range r.states {
		names = append(names, name)
		r.reasons[name] = reason
	}
	r.mu.Unlock()
	r.cancel()
	r.m.Close()
	r.wg.Wait()
	// A server the Manager stopped without a word is recorded as stopped.
	for _, name := range names {
		r.onChange(name)
	}
}

// config is the configuration as last loaded.
func (r *mcpRuntime) config() mcpConfig {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cfg
}

// usable says why a server (and tool, "" none) may not be used now.
func (r *mcpRuntime) usable(server, tool string) (mcpEntry, error) {
	e, ok := r.config().entry(server)
	switch {
	case !ok:
		return e, fmt.Errorf("%w: %q is not configured in this workspace (see the MCP panel)", ErrMCPUnknownServer, server)
	case !e.trusted:
		return e, fmt.Errorf("%w: %q comes from the project's %s; approve its command line in the MCP panel first", ErrMCPUntrusted, server, MCPProjectFile)
	case e.cfg.Disabled:
		return e, fmt.Errorf("%w: %q is off; turn it on in the MCP panel", ErrMCPDisabled, server)
	case tool != "" && slices.Contains(e.cfg.DisabledTools, tool):
		return e, fmt.Errorf("%w: %s/%s is off; turn it on in the MCP panel", ErrMCPToolDisabled, server, tool)
	}
	return e, nil
}

// waitStarts waits (at most d) until no trusted server is starting.
func (r *mcpRuntime) waitStarts(ctx context.Context, d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		r.mu.Lock()
		busy, ch := len(r.pending) > 0, r.changed
		r.mu.Unlock()
		if !busy {
			busy = slices.ContainsFunc(r.m.Status(), func(st mcp.Status) bool { return st.State == mcp.StateStarting })
		}
		if !busy {
			return
		}
		select {
		case <-ch:
		case <-timer.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// httpClient is the client a Streamable HTTP server is reached with:
// the kernel's, whose every connection is a net.http decision.
func (r *mcpRuntime) httpClient(server string) *http.Client {
	e, _ := r.config().entry(server)
	return r.s.kernel.MCPHTTPClient(r.ws.ID, e.cfg)
}

// mcpTools is the kernel's view of the MCP servers (kernel.MCPTools): the
// tools of the running, trusted, enabled servers, and calls refused for
// anything else.
type mcpTools struct{ s *Studio }

var _ kernel.MCPTools = mcpTools{}

// Tools lists the tools an agent may be offered in a workspace, waiting
// up to mcpStartWait for servers still starting.
func (t mcpTools) Tools(ctx context.Context, ws string) []mcp.Tool {
	r, err := t.s.mcpOf(ws)
	if err != nil {
		return nil
	}
	r.waitStarts(ctx, mcpStartWait)
	var out []mcp.Tool
	for _, e := range r.config().entries {
		if !e.trusted || e.cfg.Disabled {
			continue
		}
		st, ok := r.m.StatusOf(e.cfg.Name)
		if !ok || st.State != mcp.StateRunning {
			continue
		}
		for _, tool := range st.Tools {
			if !slices.Contains(e.cfg.DisabledTools, tool.Name) {
				out = append(out, tool)
			}
		}
	}
	return out
}

// Tool is a tool's current definition, refused for a server or tool that
// may not be used.
func (t mcpTools) Tool(ctx context.Context, ws, server, tool string) (mcp.Tool, error) {
	r, err := t.s.mcpOf(ws)
	if err != nil {
		return mcp.Tool{}, err
	}
	if _, err := r.usable(server, tool); err != nil {
		return mcp.Tool{}, err
	}
	return r.m.Tool(ctx, server, tool)
}

// Call calls a tool, refused for a server or tool that may not be used.
func (t mcpTools) Call(ctx context.Context, ws, server, tool string, args json.RawMessage) (mcp.Result, error) {
	r, err := t.s.mcpOf(ws)
	if err != nil {
		return mcp.Result{}, err
	}
	if _, err := r.usable(server, tool); err != nil {
		return mcp.Result{}, err
	}
	return r.m.Call(ctx, server, tool, args)
}
