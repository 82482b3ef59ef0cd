package studio

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/mcp"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// MCPFolder is a folder's MCP servers read and changed without a running
// Studio (`ice-studio mcp`): the same three sources and the same approvals
// (events in the same log) as the Studio's; nothing is started. A Studio
// running at the same time sees a change when it next reloads the
// workspace's servers (the global ones at its next start).
type MCPFolder struct {
	f     *mcpFolder
	store *eventlog.SQLiteStore
	// Root is the folder; Workspace its workspace id ("" never opened in
	// the Studio: no workspace servers and no approvals yet).
	Root, Workspace string
}

// OpenMCPFolder opens dir's MCP configuration in a data folder whose event
// log exists (the Studio ran once).
func OpenMCPFolder(ctx context.Context, dataDir, dir string) (*MCPFolder, error) {
	root, err := workspace.CheckRoot(dir)
	if err != nil {
		return nil, err
	}
	path := LogPath(dataDir)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("there is no event log at %s yet (start the Studio once, or set ICE_HOME)", path)
	}
	store, err := eventlog.Open(path, eventlog.Options{})
	if err != nil {
		return nil, err
	}
	k, _, err := workspace.LookupRoot(ctx, store.ReadDB(), root)
	if err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("find the workspace of %s: %w", root, err)
	}
	gate := eventlog.NewGate(store, eventlog.DefaultCatalogue())
	f := &mcpFolder{dataDir: dataDir, ws: k.ID, root: root, global: fileGlobal{settingsFile(dataDir)}, events: store,
		emit: func(ctx context.Context, d eventlog.Draft) error { _, err := gate.Emit(ctx, d); return err }}
	return &MCPFolder{f: f, store: store, Root: root, Workspace: k.ID}, nil
}

// Close closes the event log.
func (m *MCPFolder) Close() error { return m.store.Close() }

// Servers lists the folder's servers as configured (State is empty: the
// CLI does not know what a running Studio runs) and the problems found.
func (m *MCPFolder) Servers(ctx context.Context) ([]MCPServerView, []string, error) {
	c, err := m.f.load(ctx)
	if err != nil {
		return nil, nil, err
	}
	out := make([]MCPServerView, 0, len(c.entries))
	for _, e := range c.entries {
		cfg := e.cfg
		out = append(out, MCPServerView{
			Name: cfg.Name, Type: cfg.Kind(), Command: shownCommand(e), Tools: []mcp.Tool{}, Resources: []mcp.Resource{}, Prompts: []mcp.Prompt{},
			Source: e.source, Trusted: e.trusted, Fingerprint: cfg.Fingerprint(), Disabled: cfg.Disabled,
			DisabledTools: append([]string{}, cfg.DisabledTools...), Hosts: append([]string{}, cfg.Hosts...),
			Writable: append([]string{}, cfg.Writable...), HasHeaders: len(cfg.Headers) > 0, Pins: []MCPPin{},
		})
	}
	return out, c.problems, nil
}

// Import merges the servers in data into scope (workspace or global) and
// returns their names.
func (m *MCPFolder) Import(ctx context.Context, scope string, data []byte) ([]string, error) {
	if scope != MCPScopeGlobal && scope != MCPScopeWorkspace {
		return nil, fmt.Errorf("scope %q: choose %q (this workspace) or %q (all workspaces)", scope, MCPScopeWorkspace, MCPScopeGlobal)
	}
	return m.f.importServers(ctx, scope, data)
}

// Approve records the user's approval of a project server's command
// line: fingerprint ("" the current one) must be the current one. It
// returns the line approved, and false when nothing needed approving
// (approved already, or the user's own server).
func (m *MCPFolder) Approve(ctx context.Context, name, fingerprint string) (string, bool, error) {
	c, recorded, err := m.f.approve(ctx, name, fingerprint)
	return c.CommandLine(), recorded, err
}

// Remove removes a server from scope ("" the scope it comes from).
func (m *MCPFolder) Remove(ctx context.Context, name, scope string) error {
	return m.f.remove(ctx, name, scope)
}
