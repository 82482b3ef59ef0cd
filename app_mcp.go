package main

import "github.com/ice-studio/ice-studio/backend/studio"

// MCPState returns a workspace's MCP servers: their source, trust, state,
// tools and pins.
func (a *App) MCPState(req studio.WorkspaceRequest) (studio.MCPState, error) {
	return a.studio.MCPState(req)
}

// ImportMCPServers merges a pasted mcpServers config into the workspace's
// or the global servers.
func (a *App) ImportMCPServers(req studio.ImportMCPRequest) (studio.MCPState, error) {
	return a.studio.ImportMCPServers(req)
}

// RemoveMCPServer removes a workspace or global server.
func (a *App) RemoveMCPServer(req studio.MCPServerRequest) (studio.MCPState, error) {
	return a.studio.RemoveMCPServer(req)
}

// ApproveMCPServer approves a project server's exact command line (by
// its fingerprint) and starts it.
func (a *App) ApproveMCPServer(req studio.MCPServerRequest) (studio.MCPState, error) {
	return a.studio.ApproveMCPServer(req)
}

// StartMCPServer starts a trusted server.
func (a *App) StartMCPServer(req studio.MCPServerRequest) (studio.MCPState, error) {
	return a.studio.StartMCPServer(req)
}

// StopMCPServer stops a server.
func (a *App) StopMCPServer(req studio.MCPServerRequest) (studio.MCPState, error) {
	return a.studio.StopMCPServer(req)
}

// RestartMCPServer restarts a server (a crashed one included).
func (a *App) RestartMCPServer(req studio.MCPServerRequest) (studio.MCPState, error) {
	return a.studio.RestartMCPServer(req)
}

// SetMCPTool turns a server's tool (or, with no tool, the server) on or off.
func (a *App) SetMCPTool(req studio.SetMCPToolRequest) (studio.MCPState, error) {
	return a.studio.SetMCPTool(req)
}

// MCPServerLog returns a server's stderr.
func (a *App) MCPServerLog(req studio.MCPServerRequest) (string, error) {
	return a.studio.MCPServerLog(req)
}

// MCPToolChange returns a tool's pinned and current definitions.
func (a *App) MCPToolChange(req studio.MCPToolRequest) (studio.MCPToolChange, error) {
	return a.studio.MCPToolChange(req)
}

// RepinMCPTool re-approves a tool's changed definition.
func (a *App) RepinMCPTool(req studio.MCPToolRequest) (studio.MCPState, error) {
	return a.studio.RepinMCPTool(req)
}
