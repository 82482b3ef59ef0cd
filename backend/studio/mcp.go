package studio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/mcp"
	"github.com/ice-studio/ice-studio/backend/sandbox"
)

// MCPServerView is one server of a workspace as the MCP panel shows it:
// its mcp.Status (the fields are spelled out, not embedded, so that the
// Wails bindings generate the types they use) and its configuration.
type MCPServerView struct {
	Name          string         `json:"name"`
	State         string         `json:"state"`
	Error         string         `json:"error,omitempty"` // why it crashed or could not start
	Type          string         `json:"type"`            // stdio or http
	Command       string         `json:"command"`         // the command line, or the URL (tokens masked but in a project's)
	ServerName    string         `json:"serverName,omitempty"`
	ServerVersion string         `json:"serverVersion,omitempty"`
	Tools         []mcp.Tool     `json:"tools"`
	Resources     []mcp.Resource `json:"resources"`
	Prompts       []mcp.Prompt   `json:"prompts"`
	StartedAt     int64          `json:"startedAt,omitempty"` // unix ms
	Restarts      int            `json:"restarts"`

	Source        string   `json:"source"`      // MCPScopeGlobal, MCPScopeWorkspace or MCPScopeProject
	Trusted       bool     `json:"trusted"`     // may be started (a project server: this exact command line approved)
	Fingerprint   string   `json:"fingerprint"` // what ApproveMCPServer is given
	Disabled      bool     `json:"disabled"`
	DisabledTools []string `json:"disabledTools"`
	Hosts         []string `json:"hosts"`
	Writable      []string `json:"writable"`
	HasHeaders    bool     `json:"hasHeaders"` // a token is configured (its value never leaves the backend)
	Pins          []MCPPin `json:"pins"`
}

// MCPPin is a tool's pin: the definition it was first allowed with beside
// the one its server presents now.
type MCPPin struct {
	Tool    string `json:"tool"`
	Pinned  string `json:"pinned"`  // hash it was first allowed with ("" not yet)
	Current string `json:"current"` // hash the server presents now
	Changed bool   `json:"changed"` // pinned and different: calls are refused until re-approved
}

// MCPState is a workspace's MCP servers.
type MCPState struct {
	Servers   []MCPServerView `json:"servers"`
	Sandboxed bool            `json:"sandboxed"` // stdio servers run in the command sandbox
	// Problems are what could not be read, and project servers ignored
	// because another source uses their name.
	Problems []string `json:"problems"`
}

// MCPServerRequest names a server of a workspace. Scope narrows
// RemoveMCPServer ("" the source it comes from); Fingerprint is what
// ApproveMCPServer approves.
type MCPServerRequest struct {
	WorkspaceID string `json:"workspaceId"`
	Name        string `json:"name"`
	Scope       string `json:"scope,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

// ImportMCPRequest is a pasted configuration (Claude Desktop, Cursor,
// .mcp.json or VS Code shape) for scope "workspace" or "global"; its
// servers are merged in, one of the same name replaced.
type ImportMCPRequest struct {
	WorkspaceID string `json:"workspaceId"`
	Scope       string `json:"scope"`
	JSON        string `json:"json"`
}

// SetMCPToolRequest turns a tool on or off (Tool "": the whole server).
type SetMCPToolRequest struct {
	WorkspaceID string `json:"workspaceId"`
	Server      string `json:"server"`
	Tool        string `json:"tool"`
	Enabled     bool   `json:"enabled"`
}

// MCPToolRequest names a tool; Hash is the definition RepinMCPTool
// re-approves.
type MCPToolRequest struct {
	WorkspaceID string `json:"workspaceId"`
	Server      string `json:"server"`
	Tool        string `json:"tool"`
	Hash        string `json:"hash,omitempty"`
}

// MCPToolChange is a tool's pinned definition (nil: not allowed yet)
// beside its current one.
type MCPToolChange struct {
	Pinned  *mcp.Tool `json:"pinned"`
	Current mcp.Tool  `json:"current"`
}

// MCPState returns a workspace's servers, their configuration read again
// (an edited .mcp.json is seen at once).
func (s *Studio) MCPState(req WorkspaceRequest) (MCPState, error) {
	r, err := s.mcpOf(req.WorkspaceID)
	if err != nil {
		return MCPState{}, err
	}
	if err := r.reload(context.Background()); err != nil {
		return MCPState{}, err
	}
	return s.mcpState(r), nil
}

// mcpState is what MCPState returns, without reading the configuration.
func (s *Studio) mcpState(r *mcpRuntime) MCPState {
	c := r.config()
	out := MCPState{Servers: make([]MCPServerView, 0, len(c.entries)), Problems: append([]string{}, c.problems...)}
	for _, e := range c.entries {
		out.Servers = append(out.Servers, s.mcpView(r, e))
	}
	if s.cfg.MCPLauncher == nil {
		probe := sandbox.Probe
		if s.cfg.SandboxStatus != nil {
			probe = s.cfg.SandboxStatus
		}
		p, _ := s.caps.Policy(r.ws.ID)
		out.Sandboxed = probe(context.Background()).Available && !p.Sandbox.Unsandboxed
	}
	return out
}

func (s *Studio) mcpView(r *mcpRuntime, e mcpEntry) MCPServerView {
	c := e.cfg
	st, ok := mcp.Status{}, false
	if e.trusted {
		st, ok = r.m.StatusOf(c.Name)
	}
	if !ok {
		st = mcp.Status{Name: c.Name, State: mcp.StateStopped, Type: c.Kind()}
	}
	st.Command, st.Error = shownCommand(e), maskSecrets(c, st.Error)
	nonNil := func(v []string) []string { return append([]string{}, v...) }
	st.Tools = append([]mcp.Tool{}, st.Tools...)
	st.Resources = append([]mcp.Resource{}, st.Resources...)
	st.Prompts = append([]mcp.Prompt{}, st.Prompts...)
	v := MCPServerView{Name: st.Name, State: st.State, Error: st.Error, Type: st.Type, Command: st.Command,
		ServerName: st.ServerName, ServerVersion: st.ServerVersion, Tools: st.Tools, Resources: st.Resources, Prompts: st.Prompts,
		StartedAt: st.StartedAt, Restarts: st.Restarts, Source: e.source, Trusted: e.trusted, Fingerprint: c.Fingerprint(), Disabled: c.Disabled,
		DisabledTools: nonNil(c.DisabledTools), Hosts: nonNil(c.Hosts), Writable: nonNil(c.Writable), HasHeaders: len(c.Headers) > 0,
		Pins: []MCPPin{}}
	for _, t := range st.Tools {
		pin := MCPPin{Tool: t.Name, Current: t.Hash}
		if p, ok := s.caps.MCPPin(r.ws.ID, c.Name, t.Name); ok {
			pin.Pinned = p.Hash
			pin.Changed = p.Hash != t.Hash
		}
		v.Pins = append(v.Pins, pin)
	}
	return v
}

// ImportMCPServers merges pasted servers into the workspace's or the
// global configuration (recorded as mcp.config_changed, without headers);
// the new ones start in the background.
func (s *Studio) ImportMCPServers(req ImportMCPRequest) (MCPState, error) {
	r, err := s.mcpOf(req.WorkspaceID)
	if err != nil {
		return MCPState{}, err
	}
	ctx := context.Background()
	if req.Scope != MCPScopeGlobal && req.Scope != MCPScopeWorkspace {
		return s.mcpState(r), fmt.Errorf("scope %q: choose %q (this workspace) or %q (all workspaces)", req.Scope, MCPScopeWorkspace, MCPScopeGlobal)
	}
	if _, err := r.folder.importServers(ctx, req.Scope, []byte(req.JSON)); err != nil {
		return s.mcpState(r), err
	}
	return s.mcpChanged(ctx, r, req.Scope)
}

// mcpChanged reloads after a change of scope (every open workspace for
// the global servers) and returns r's state.
func (s *Studio) mcpChanged(ctx context.Context, r *mcpRuntime, scope string) (MCPState, error) {
	if scope == MCPScopeGlobal {
		s.reloadAllMCP(ctx)
	} else if err := r.reload(ctx); err != nil {
		return s.mcpState(r), err
	}
	return s.mcpState(r), nil
}

// RemoveMCPServer removes a server from the workspace's or the global
// configuration (a project's servers are in its .mcp.json, never
// changed by the Studio); it is stopped.
func (s *Studio) RemoveMCPServer(req MCPServerRequest) (MCPState, error) {
	r, err := s.mcpOf(req.WorkspaceID)
	if err != nil {
		return MCPState{}, err
	}
	ctx := context.Background()
	scope := req.Scope
	if scope == "" {
		if e, ok := r.config().entry(req.Name); ok {
			scope = e.source
		}
	}
	if err := r.folder.remove(ctx, req.Name, scope); err != nil {
		return s.mcpState(r), err
	}
	return s.mcpChanged(ctx, r, scope)
}

// ApproveMCPServer records the user's approval of a project server's
// exact command line (mcp.server_approved) and starts it in the
// background. Fingerprint must be the one the user was shown: a
// .mcp.json changed since is refused (review it again).
func (s *Studio) ApproveMCPServer(req MCPServerRequest) (MCPState, error) {
	r, err := s.mcpOf(req.WorkspaceID)
	if err != nil {
		return MCPState{}, err
	}
	if req.Fingerprint == "" {
		return s.mcpState(r), errors.New("give the fingerprint of the command line you approve")
	}
	ctx := context.Background()
	if _, _, err := r.folder.approve(ctx, req.Name, req.Fingerprint); err != nil {
		return s.mcpState(r), err
	}
	return s.mcpChanged(ctx, r, MCPScopeProject)
}

// StartMCPServer starts a trusted, enabled server and returns once it is
// running (or failed to start: see its state and log).
func (s *Studio) StartMCPServer(req MCPServerRequest) (MCPState, error) {
	r, err := s.mcpOf(req.WorkspaceID)
	if err != nil {
		return MCPState{}, err
	}
	if _, err := r.usable(req.Name, ""); err != nil {
		return s.mcpState(r), err
	}
	if err := r.m.Start(r.ctx, req.Name); err != nil {
		return s.mcpState(r), fmt.Errorf("start %s: %w", req.Name, err)
	}
	return s.mcpState(r), nil
}

// StopMCPServer stops a server.
func (s *Studio) StopMCPServer(req MCPServerRequest) (MCPState, error) {
	r, err := s.mcpOf(req.WorkspaceID)
	if err != nil {
		return MCPState{}, err
	}
	e, ok := r.config().entry(req.Name)
	if !ok {
		return s.mcpState(r), fmt.Errorf("%w: %q", ErrMCPUnknownServer, req.Name)
	}
	if !e.trusted {
		return s.mcpState(r), nil // never started
	}
	r.mu.Lock()
	r.reasons[req.Name] = "stopped by the user"
	r.mu.Unlock()
	if err := r.m.Stop(req.Name); err != nil {
		return s.mcpState(r), fmt.Errorf("stop %s: %w", req.Name, err)
	}
	return s.mcpState(r), nil
}

// RestartMCPServer stops a server (crashed or not) and starts it again.
func (s *Studio) RestartMCPServer(req MCPServerRequest) (MCPState, error) {
	r, err := s.mcpOf(req.WorkspaceID)
	if err != nil {
		return MCPState{}, err
	}
	if _, err := r.usable(req.Name, ""); err != nil {
		return s.mcpState(r), err
	}
	r.mu.Lock()
	r.reasons[req.Name] = "restarted by the user"
	r.mu.Unlock()
	if err := r.m.Restart(r.ctx, req.Name); err != nil {
		return s.mcpState(r), fmt.Errorf("restart %s: %w", req.Name, err)
	}
	return s.mcpState(r), nil
}

// SetMCPTool turns a tool (Tool "": the whole server) on or off; a tool
// that is off is never offered to the agent and its calls are refused.
// Recorded as mcp.config_changed ("tool x/y off").
func (s *Studio) SetMCPTool(req SetMCPToolRequest) (MCPState, error) {
	r, err := s.mcpOf(req.WorkspaceID)
	if err != nil {
		return MCPState{}, err
	}
	ctx := context.Background()
	if err := r.reload(ctx); err != nil {
		return s.mcpState(r), err
	}
	e, ok := r.config().entry(req.Server)
	if !ok {
		return s.mcpState(r), fmt.Errorf("%w: %q", ErrMCPUnknownServer, req.Server)
	}
	if err := r.folder.setSwitch(ctx, req.Server, req.Tool, req.Enabled); err != nil {
		return s.mcpState(r), err
	}
	return s.mcpChanged(ctx, r, e.source)
}

// MCPServerLog returns a server's stderr and the Studio's lines about it
// ("" for a server never started), its tokens masked.
func (s *Studio) MCPServerLog(req MCPServerRequest) (string, error) {
	r, err := s.mcpOf(req.WorkspaceID)
	if err != nil {
		return "", err
	}
	e, ok := r.config().entry(req.Name)
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrMCPUnknownServer, req.Name)
	}
	if !e.trusted {
		return "", nil
	}
	return maskSecrets(e.cfg, r.m.Log(req.Name)), nil
}

// MCPToolChange returns a tool's pinned definition (from its
// mcp.tool_pinned event) beside the one its server presents now, for the
// user to review before re-approving.
func (s *Studio) MCPToolChange(req MCPToolRequest) (MCPToolChange, error) {
	r, err := s.mcpOf(req.WorkspaceID)
	if err != nil {
		return MCPToolChange{}, err
	}
	ctx := context.Background()
	if _, err := r.usable(req.Server, ""); err != nil {
		return MCPToolChange{}, err
	}
	cur, err := r.m.Tool(ctx, req.Server, req.Tool)
	if err != nil {
		return MCPToolChange{}, err
	}
	out := MCPToolChange{Current: cur}
	if p, ok := s.caps.MCPPin(r.ws.ID, req.Server, req.Tool); ok {
		t, err := s.pinnedTool(ctx, p.Seq)
		if err != nil {
			return out, fmt.Errorf("read the definition %s/%s was allowed with: %w", req.Server, req.Tool, err)
		}
		out.Pinned = &t
	}
	return out, nil
}

// RepinMCPTool re-approves a tool whose definition changed: Hash must be
// the definition the server presents now (the one the user reviewed).
func (s *Studio) RepinMCPTool(req MCPToolRequest) (MCPState, error) {
	r, err := s.mcpOf(req.WorkspaceID)
	if err != nil {
		return MCPState{}, err
	}
	ctx := context.Background()
	if _, err := r.usable(req.Server, ""); err != nil {
		return s.mcpState(r), err
	}
	cur, err := r.m.Tool(ctx, req.Server, req.Tool)
	if err != nil {
		return s.mcpState(r), err
	}
	if req.Hash == "" || req.Hash != cur.Hash {
		return s.mcpState(r), fmt.Errorf("the definition of %s/%s changed again since you reviewed it: review it again", req.Server, req.Tool)
	}
	if err := s.kernel.PinMCPTool(ctx, r.ws.ID, cur, true); err != nil {
		return s.mcpState(r), err
	}
	r.publish()
	return s.mcpState(r), nil
}

// pinnedTool reads the definition a tool was pinned with from its
// mcp.tool_pinned event (the definition is the event's blob).
func (s *Studio) pinnedTool(ctx context.Context, seq int64) (mcp.Tool, error) {
	ev, err := s.events.Get(ctx, seq)
	if err != nil {
		return mcp.Tool{}, err
	}
	var p kernel.MCPPinnedPayload
	if err := json.Unmarshal(ev.Payload, &p); err != nil {
		return mcp.Tool{}, fmt.Errorf("event %d is not a pin: %w", seq, err)
	}
	b, err := s.events.GetBlob(ctx, p.Definition)
	if err != nil {
		return mcp.Tool{}, err
	}
	t := mcp.Tool{Server: p.Server, Hash: p.Hash}
	if err := json.Unmarshal(b, &t); err != nil {
		return mcp.Tool{}, fmt.Errorf("the pinned definition of %s/%s cannot be read: %w", p.Server, p.Tool, err)
	}
	t.Server, t.Hash = p.Server, p.Hash
	return t, nil
}
