// Package mcp is ICE Studio's Model Context Protocol client: the servers a
// workspace (or the Studio's settings) configures, started and stopped by
// the Studio — stdio servers inside the command sandbox, Streamable HTTP
// servers reached through a kernel-decided HTTP client — their tools,
// resources and prompts, and tool calls with cancellation. It decides
// nothing: every call is authorised and recorded by the kernel (an
// mcp.call effect), which uses a Manager through its Tool and Call.
package mcp

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
)

// ServerConfig is one server, in the mcpServers JSON shape users already
// have (Claude Desktop, Cursor, Claude Code's .mcp.json, VS Code's
// "servers"): a command with args and env (stdio), or a URL (Streamable
// HTTP) with optional headers.
type ServerConfig struct {
	// Name is the server's key in the mcpServers object (not in the JSON).
	Name string `json:"-"`
	// Type is "stdio" or "http" ("streamable-http" and "sse" are read as
	// "http"); "" is inferred: a URL is http, a command stdio.
	Type    string            `json:"type,omitempty"`
	Command string            `json:"command,omitempty"`
	Args    []string          `json:"args,omitempty"`
	Env     map[string]string `json:"env,omitempty"`
	URL     string            `json:"url,omitempty"`
	// Headers are sent with every HTTP request (an Authorization bearer
	// token): kept in the settings file, never in the event log.
	Headers map[string]string `json:"headers,omitempty"`
	// Disabled servers are listed but never started.
	Disabled bool `json:"disabled,omitempty"`
	// DisabledTools are tools the agent is never offered.
	DisabledTools []string `json:"disabledTools,omitempty"`
	// Hosts are the net.http hosts a stdio server may connect to (each
	// connection still decided by the kernel); none: no network.
	Hosts []string `json:"hosts,omitempty"`
	// Writable are folders (workspace-relative) whose writes inside the
	// sandbox reach the real folder; none: writes land in a scratch layer
	// and are discarded.
	Writable []string `json:"writable,omitempty"`
}

// Tool is one tool a server offers, as it presents it now.
type Tool struct {
	Server      string          `json:"server"`
	Name        string          `json:"name"`
	Title       string          `json:"title,omitempty"`
	Description string          `json:"description"`
	InputSchema json.RawMessage `json:"inputSchema"`
	Annotations json.RawMessage `json:"annotations,omitempty"`
	// Hash is DefinitionHash of the name, description and input schema:
	// what a pin is compared with.
	Hash string `json:"hash"`
	// Disabled is set for a tool in its server's DisabledTools: listed,
	// but never offered to the agent (the kernel refuses to call it).
	Disabled bool `json:"disabled,omitempty"`
}

// Resource is a resource a server lists (read-only).
type Resource struct {
	URI         string `json:"uri"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	MIMEType    string `json:"mimeType,omitempty"`
}

// Prompt is a prompt a server lists (read-only).
type Prompt struct {
	Name        string           `json:"name"`
	Description string           `json:"description,omitempty"`
	Arguments   []PromptArgument `json:"arguments,omitempty"`
}

// PromptArgument is one argument of a prompt.
type PromptArgument struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Required    bool   `json:"required,omitempty"`
}

// Result is a tool call's result.
type Result struct {
	// Raw is the whole CallToolResult as the server sent it (JSON).
	Raw json.RawMessage `json:"raw"`
	// Text is what the model is told: the text contents joined, other
	// contents named ("[image image/png, 1234 bytes]").
	Text    string `json:"text"`
	IsError bool   `json:"isError"`
}

// States of a server.
const (
	StateStopped  = "stopped"
	StateStarting = "starting"
	StateRunning  = "running"
	StateCrashed  = "crashed" // it ended on its own, or failed to start
)

// Status is one server as the MCP panel shows it.
type Status struct {
	Name    string `json:"name"`
	State   string `json:"state"`
	Error   string `json:"error,omitempty"` // why it crashed or could not start
	Type    string `json:"type"`            // stdio or http
	Command string `json:"command"`         // the exact command line, or the URL
	// ServerName/ServerVersion are what the server said at initialisation.
	ServerName    string     `json:"serverName,omitempty"`
	ServerVersion string     `json:"serverVersion,omitempty"`
	Tools         []Tool     `json:"tools"`
	Resources     []Resource `json:"resources"`
	Prompts       []Prompt   `json:"prompts"`
	StartedAt     int64      `json:"startedAt,omitempty"` // unix ms
	Restarts      int        `json:"restarts"`
}

// Process is a started stdio server: its stdin and stdout carry the
// protocol; Wait returns when it ended; Kill ends it at once.
type Process interface {
	Stdin() io.WriteCloser
	Stdout() io.ReadCloser
	Wait() error
	Kill()
}

// Terminator is a Process that can be asked to end (SIGTERM) before it is
// killed: Stop closes stdin, then calls Terminate, then Kill.
type Terminator interface {
	Terminate()
}

// Launcher starts a stdio server (in the sandbox, see SandboxLauncher)
// with its stderr going to stderr.
type Launcher func(ctx context.Context, c ServerConfig, stderr io.Writer) (Process, error)

// HTTPClient returns the client a Streamable HTTP server is reached
// with: its every connection decided by the kernel (net.http).
type HTTPClient func(server string) *http.Client
