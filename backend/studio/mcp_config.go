package studio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/mcp"
)

// Where an MCP server is configured (MCPServerView.Source, the scope of
// an import or a removal).
const (
	// MCPScopeGlobal is the Studio's settings.json: every workspace has them.
	MCPScopeGlobal = "global"
	// MCPScopeWorkspace is a file of the workspace in the data folder
	// (never in the project folder).
	MCPScopeWorkspace = "workspace"
	// MCPScopeProject is the project's own .mcp.json: untrusted, each
	// server started only once the user approved its exact command line.
	MCPScopeProject = "project"
)

// MCPProjectFile is the project's own server list at the workspace root
// (Claude Code's name for it).
const MCPProjectFile = ".mcp.json"

// Errors of the MCP servers' configuration and use.
var (
	ErrMCPUnknownServer = errors.New("no such MCP server")
	ErrMCPUntrusted     = errors.New("the MCP server's command line is not approved")
	ErrMCPDisabled      = errors.New("the MCP server is turned off")
	ErrMCPToolDisabled  = errors.New("the MCP tool is turned off")
	ErrMCPChanged       = errors.New("the command line changed; review it again")
)

// mcpOverride is the user's switches for a project server (kept in the
// workspace's file: the project's own file is never written).
type mcpOverride struct {
	Disabled      bool     `json:"disabled,omitempty"`
	DisabledTools []string `json:"disabledTools,omitempty"`
}

// mcpWorkspaceFile is the workspace's MCP file in the data folder: its
// servers in the mcpServers shape, and the switches of project servers.
type mcpWorkspaceFile struct {
	MCPServers json.RawMessage        `json:"mcpServers"`
	Project    map[string]mcpOverride `json:"project,omitempty"`
}

// mcpEntry is one server as a workspace has it, from the source that wins.
type mcpEntry struct {
	cfg     mcp.ServerConfig // a project server's with the user's switches applied
	source  string
	trusted bool // may be started
}

// mcpConfig is a workspace's servers from the three sources, merged.
type mcpConfig struct {
	global, workspace, project []mcp.ServerConfig
	overrides                  map[string]mcpOverride
	entries                    []mcpEntry // sorted by name
	problems                   []string   // what could not be read or is shadowed
}

// entry returns the server named name.
func (c mcpConfig) entry(name string) (mcpEntry, bool) {
	for _, e := range c.entries {
		if e.cfg.Name == name {
			return e, true
		}
	}
	return mcpEntry{}, false
}

// digest identifies what the MCP panel shows of c.
func (c mcpConfig) digest() string {
	var b strings.Builder
	for _, e := range c.entries {
		fmt.Fprintf(&b, "%s\x00%t\x00%s\n", e.source, e.trusted, configKey(e.cfg, true))
	}
	for _, p := range c.problems {
		b.WriteString(p + "\n")
	}
	return b.String()
}

// mcpGlobal is where the global servers are kept: the running Studio's
// settings (under its lock) or settings.json read directly (the CLI).
type mcpGlobal interface {
	load() ([]mcp.ServerConfig, error)
	// update replaces the servers with what change makes of them, saved at once.
	update(change func([]mcp.ServerConfig) ([]mcp.ServerConfig, error)) error
}

// mcpFolder is where one workspace's servers are configured and approved;
// the running Studio and `ice-studio mcp` share it.
type mcpFolder struct {
	dataDir string // "" no data folder: the workspace scope cannot be kept
	ws      string // the workspace id ("" never opened: no workspace scope, no approvals)
	root    string
	global  mcpGlobal
	events  eventlog.Store // approvals are read from it
	emit    func(ctx context.Context, d eventlog.Draft) error
}

func (f *mcpFolder) workspacePath() string {
	if f.dataDir == "" || f.ws == "" {
		return ""
	}
	return filepath.Join(f.dataDir, "mcp", f.ws+".json")
}

// load reads the three sources and the approvals and merges them: a
// workspace server wins over a global one of the same name, and a project
// server is listed only under a name neither uses.
func (f *mcpFolder) load(ctx context.Context) (mcpConfig, error) {
	var c mcpConfig
	var err error
	if c.global, err = f.global.load(); err != nil {
		c.problems = append(c.problems, fmt.Sprintf("the Studio's MCP servers in settings.json cannot be read: %v", err))
	}
	wf, err := f.readWorkspaceFile()
	if err != nil {
		c.problems = append(c.problems, fmt.Sprintf("this workspace's MCP servers (%s) cannot be read: %v", f.workspacePath(), err))
	}
	c.overrides = wf.Project
	if c.workspace, err = serversOf(wf.MCPServers); err != nil {
		c.problems = append(c.problems, fmt.Sprintf("this workspace's MCP servers (%s) cannot be read: %v", f.workspacePath(), err))
	}
	if b, err := os.ReadFile(filepath.Join(f.root, MCPProjectFile)); err == nil {
		if c.project, err = mcp.ParseServers(b); err != nil {
			c.problems = append(c.problems, fmt.Sprintf("the project's %s cannot be read, none of its servers is listed: %v", MCPProjectFile, err))
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		c.problems = append(c.problems, fmt.Sprintf("the project's %s cannot be read: %v", MCPProjectFile, err))
	}
	approved, err := f.approvals(ctx)
	if err != nil {
		return c, err
	}
	byName := map[string]mcpEntry{}
	for _, s := range c.global {
		byName[s.Name] = mcpEntry{cfg: s, source: MCPScopeGlobal, trusted: true}
	}
	for _, s := range c.workspace {
		byName[s.Name] = mcpEntry{cfg: s, source: MCPScopeWorkspace, trusted: true}
	}
	for _, s := range c.project {
		if e, used := byName[s.Name]; used {
			c.problems = append(c.problems, fmt.Sprintf("the project's %s also names a server %q: the %s one is used and the project's is ignored", MCPProjectFile, s.Name, e.source))
			continue
		}
		if o, ok := c.overrides[s.Name]; ok {
			s.Disabled = s.Disabled || o.Disabled
			s.DisabledTools = unionSorted(s.DisabledTools, o.DisabledTools)
		}
		byName[s.Name] = mcpEntry{cfg: s, source: MCPScopeProject, trusted: approved[approvalKey(s.Name, s.Fingerprint())]}
	}
	for _, e := range byName {
		c.entries = append(c.entries, e)
	}
	sort.Slice(c.entries, func(i, j int) bool { return c.entries[i].cfg.Name < c.entries[j].cfg.Name })
	return c, nil
}

// serversOf reads an mcpServers object (nil or null: none).
func serversOf(raw json.RawMessage) ([]mcp.ServerConfig, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	return mcp.ParseServers(append(append([]byte(`{"mcpServers":`), raw...), '}'))
}

// serversObject is the mcpServers object of servers (headers kept).
func serversObject(servers []mcp.ServerConfig) (json.RawMessage, error) {
	b, err := mcp.MarshalServers(servers, true)
	if err != nil {
		return nil, err
	}
	var wrap struct {
		MCPServers json.RawMessage `json:"mcpServers"`
	}
	if err := json.Unmarshal(b, &wrap); err != nil {
		return nil, err
	}
	return wrap.MCPServers, nil
}

func (f *mcpFolder) readWorkspaceFile() (mcpWorkspaceFile, error) {
	var wf mcpWorkspaceFile
	p := f.workspacePath()
	if p == "" {
		return wf, nil
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return wf, nil
	}
	if err != nil {
		return wf, err
	}
	if err := json.Unmarshal(b, &wf); err != nil {
		return mcpWorkspaceFile{}, fmt.Errorf("not the Studio's MCP file (fix or remove it): %w", err)
	}
	return wf, nil
}

// updateWorkspaceFile changes the workspace's file (read, changed, written
// whole, readable by the user only).
func (f *mcpFolder) updateWorkspaceFile(change func(servers []mcp.ServerConfig, project map[string]mcpOverride) ([]mcp.ServerConfig, error)) error {
	p := f.workspacePath()
	if p == "" {
		if f.ws == "" {
			return errors.New("this folder has not been opened in the Studio yet: open it once, or configure the servers for all workspaces")
		}
		return errors.New("this workspace's servers cannot be kept: the data folder cannot be used")
	}
	wf, err := f.readWorkspaceFile()
	if err != nil {
		return err
	}
	servers, err := serversOf(wf.MCPServers)
	if err != nil {
		return fmt.Errorf("this workspace's MCP servers (%s) cannot be read: %w", p, err)
	}
	if wf.Project == nil {
		wf.Project = map[string]mcpOverride{}
	}
	servers, err = change(servers, wf.Project)
	if err != nil {
		return err
	}
	if wf.MCPServers, err = serversObject(servers); err != nil {
		return err
	}
	for name, o := range wf.Project {
		if !o.Disabled && len(o.DisabledTools) == 0 {
			delete(wf.Project, name)
		}
	}
	b, err := json.MarshalIndent(wf, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("save this workspace's MCP servers: %w", err)
	}
	if err := writeFileAtomic(p, append(b, '\n')); err != nil {
		return fmt.Errorf("save this workspace's MCP servers: %w", err)
	}
	return nil
}

func approvalKey(server, fingerprint string) string { return server + "\x00" + fingerprint }

// approvals folds the workspace's mcp.server_approved events.
func (f *mcpFolder) approvals(ctx context.Context) (map[string]bool, error) {
	out := map[string]bool{}
	if f.ws == "" || f.events == nil {
		return out, nil
	}
	err := f.events.Read(ctx, eventlog.Query{Stream: kernel.CapStream(f.ws), Types: []string{eventlog.MCPServerApproved}, NoHashes: true},
		func(e eventlog.Event) error {
			var p MCPServerApprovedPayload
			if json.Unmarshal(e.Payload, &p) == nil && e.Origin == eventlog.OriginUser {
				out[approvalKey(p.Server, p.Fingerprint)] = true
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read the approvals of MCP servers: %w", err)
	}
	return out, nil
}

// record emits a user's change of a scope (mcp.config_changed).
func (f *mcpFolder) recordChange(ctx context.Context, scope, change string, servers []mcp.ServerConfig) error {
	names := make([]string, 0, len(servers))
	shown := make([]mcp.ServerConfig, 0, len(servers))
	for _, s := range servers {
		names = append(names, s.Name)
		shown = append(shown, maskedConfig(s))
	}
	b, err := mcp.MarshalServers(shown, false)
	if err != nil {
		return err
	}
	d := eventlog.Draft{Type: eventlog.MCPConfigChanged, Origin: eventlog.OriginUser,
		Payload: MCPConfigChangedPayload{Scope: scope, Change: change, Servers: names, Config: json.RawMessage(b)}}
	if scope == MCPScopeGlobal {
		d.Stream = settingsStream
	} else {
		d.Stream, d.Workspace = kernel.CapStream(f.ws), f.ws
	}
	return f.emit(ctx, d)
}

// importServers merges the servers in data (any shape ParseServers reads)
// into scope, a server of the same name replaced; it returns their names.
func (f *mcpFolder) importServers(ctx context.Context, scope string, data []byte) ([]string, error) {
	in, err := mcp.ParseServers(data)
	if err != nil {
		return nil, err
	}
	if len(in) == 0 {
		return nil, errors.New(`there is no server in it: paste an object like {"mcpServers": {"name": {"command": "npx", "args": ["…"]}}}`)
	}
	names := make([]string, len(in))
	for i, s := range in {
		names[i] = s.Name
	}
	merge := func(have []mcp.ServerConfig) ([]mcp.ServerConfig, error) {
		out := slices.DeleteFunc(slices.Clone(have), func(s mcp.ServerConfig) bool { return slices.Contains(names, s.Name) })
		out = append(out, in...)
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out, nil
	}
	after, err := f.changeScope(scope, merge)
	if err != nil {
		return nil, err
	}
	return names, f.recordChange(ctx, scope, "import "+strings.Join(names, ", "), after)
}

// changeScope applies change to the servers of scope (global or
// workspace) and returns them as saved.
func (f *mcpFolder) changeScope(scope string, change func([]mcp.ServerConfig) ([]mcp.ServerConfig, error)) ([]mcp.ServerConfig, error) {
	var after []mcp.ServerConfig
	keep := func(s []mcp.ServerConfig) ([]mcp.ServerConfig, error) {
		out, err := change(s)
		after = out
		return out, err
	}
	switch scope {
	case MCPScopeGlobal:
		return after, f.global.update(keep)
	case MCPScopeWorkspace:
		return after, f.updateWorkspaceFile(func(s []mcp.ServerConfig, _ map[string]mcpOverride) ([]mcp.ServerConfig, error) { return keep(s) })
	case MCPScopeProject:
		return nil, fmt.Errorf("a project's servers are in its %s: edit that file (the Studio never changes your project's files)", MCPProjectFile)
	}
	return nil, fmt.Errorf("scope %q: choose %q (this workspace) or %q (all workspaces)", scope, MCPScopeWorkspace, MCPScopeGlobal)
}

// remove takes a server out of scope ("" the scope it comes from now).
func (f *mcpFolder) remove(ctx context.Context, name, scope string) error {
	if scope == "" {
		c, err := f.load(ctx)
		if err != nil {
			return err
		}
		e, ok := c.entry(name)
		if !ok {
			return fmt.Errorf("%w: %q", ErrMCPUnknownServer, name)
		}
		scope = e.source
	}
	found := false
	after, err := f.changeScope(scope, func(have []mcp.ServerConfig) ([]mcp.ServerConfig, error) {
		out := slices.DeleteFunc(slices.Clone(have), func(s mcp.ServerConfig) bool { return s.Name == name })
		found = len(out) < len(have)
		if !found {
			return nil, fmt.Errorf("%w: there is no server %q in the %s servers", ErrMCPUnknownServer, name, scope)
		}
		return out, nil
	})
	if err != nil {
		return err
	}
	return f.recordChange(ctx, scope, "remove "+name, after)
}

// approve records the user's approval of a project server's command line;
// fingerprint ("" the current one, for the CLI which shows it) must be
// the current one. It returns the server as approved, and false when it
// was approved already (nothing recorded).
func (f *mcpFolder) approve(ctx context.Context, name, fingerprint string) (mcp.ServerConfig, bool, error) {
	c, err := f.load(ctx)
	if err != nil {
		return mcp.ServerConfig{}, false, err
	}
	e, ok := c.entry(name)
	if !ok {
		return mcp.ServerConfig{}, false, fmt.Errorf("%w: %q", ErrMCPUnknownServer, name)
	}
	if e.source != MCPScopeProject {
		return e.cfg, false, nil // the user's own servers need no approval
	}
	fp := e.cfg.Fingerprint()
	if fingerprint != "" && fingerprint != fp {
		return e.cfg, false, fmt.Errorf("server %q: %w", name, ErrMCPChanged)
	}
	if e.trusted {
		return e.cfg, false, nil
	}
	if f.ws == "" {
		return e.cfg, false, errors.New("this folder has not been opened in the Studio yet: open it once, then approve its servers")
	}
	err = f.emit(ctx, eventlog.Draft{Stream: kernel.CapStream(f.ws), Type: eventlog.MCPServerApproved, Origin: eventlog.OriginUser,
		Workspace: f.ws, Payload: MCPServerApprovedPayload{Server: name, CommandLine: loggedCommandLine(e.cfg), Fingerprint: fp}})
	if err != nil {
		return e.cfg, false, fmt.Errorf("record the approval of %q: %w", name, err)
	}
	return e.cfg, true, nil
}

// setSwitch turns a server (tool "") or one of its tools on or off.
func (f *mcpFolder) setSwitch(ctx context.Context, server, tool string, enabled bool) error {
	c, err := f.load(ctx)
	if err != nil {
		return err
	}
	e, ok := c.entry(server)
	if !ok {
		return fmt.Errorf("%w: %q", ErrMCPUnknownServer, server)
	}
	onOff := map[bool]string{true: "on", false: "off"}[enabled]
	change := fmt.Sprintf("server %s %s", server, onOff)
	if tool != "" {
		change = fmt.Sprintf("tool %s/%s %s", server, tool, onOff)
	}
	flip := func(disabled *bool, tools *[]string) {
		if tool == "" {
			*disabled = !enabled
			return
		}
		*tools = slices.DeleteFunc(slices.Clone(*tools), func(t string) bool { return t == tool })
		if !enabled {
			*tools = unionSorted(*tools, []string{tool})
		}
	}
	if e.source == MCPScopeProject {
		var after []mcp.ServerConfig
		err := f.updateWorkspaceFile(func(s []mcp.ServerConfig, project map[string]mcpOverride) ([]mcp.ServerConfig, error) {
			o := project[server]
			flip(&o.Disabled, &o.DisabledTools)
			project[server] = o
			after = s
			return s, nil
		})
		if err != nil {
			return err
		}
		return f.recordChange(ctx, MCPScopeWorkspace, change, after)
	}
	after, err := f.changeScope(e.source, func(have []mcp.ServerConfig) ([]mcp.ServerConfig, error) {
		out := slices.Clone(have)
		for i := range out {
			if out[i].Name == server {
				flip(&out[i].Disabled, &out[i].DisabledTools)
			}
		}
		return out, nil
	})
	if err != nil {
		return err
	}
	return f.recordChange(ctx, e.source, change, after)
}

func unionSorted(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// writeFileAtomic replaces path at once (a temporary file renamed over
// it), readable by the user only.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+"-*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if err := f.Chmod(0o600); err != nil && werr == nil {
		werr = err
	}
	if err := f.Sync(); err != nil && werr == nil {
		werr = err
	}
	if err := f.Close(); err != nil && werr == nil {
		werr = err
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		_ = os.Remove(tmp)
	}
	return werr
}
