package studio

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"

	"github.com/ice-studio/ice-studio/backend/mcp"
)

// What the MCP events record, and what the user is shown of a server:
// never a token (headers, environment values, a URL's password or query).

// MCPServerApprovedPayload is the payload of mcp.server_approved: the user
// approved a project server's command line. CommandLine is shown with
// environment values and URL secrets masked (the log keeps no token); the
// fingerprint is of the exact configuration.
type MCPServerApprovedPayload struct {
	Server      string `json:"server"`
	CommandLine string `json:"commandLine"`
	Fingerprint string `json:"fingerprint"`
}

// MCPConfigChangedPayload is the payload of mcp.config_changed: the user
// changed the servers of a scope. Config is the scope's servers after the
// change in the mcpServers shape, without headers and with environment
// values masked.
type MCPConfigChangedPayload struct {
	Scope   string          `json:"scope"`
	Change  string          `json:"change"` // "import github, fs", "remove x", "tool x/y off", "server x on"
	Servers []string        `json:"servers"`
	Config  json.RawMessage `json:"config"`
}

// MCPServerStartedPayload is the payload of mcp.server_started.
type MCPServerStartedPayload struct {
	Server      string `json:"server"`
	CommandLine string `json:"commandLine"` // masked as in MCPServerApprovedPayload
	Type        string `json:"type"`
}

// MCPServerStoppedPayload is the payload of mcp.server_stopped.
type MCPServerStoppedPayload struct {
	Server string `json:"server"`
	Reason string `json:"reason"`
}

// MCPServerCrashedPayload is the payload of mcp.server_crashed: the server
// ended on its own or could not start.
type MCPServerCrashedPayload struct {
	Server string `json:"server"`
	Error  string `json:"error"`
}

// masked stands in for a secret in what is recorded.
const masked = "***"

// loggedCommandLine is c's command line as the event log keeps it:
// environment values and the URL's password and query values masked.
func loggedCommandLine(c mcp.ServerConfig) string {
	c = maskedConfig(c)
	return c.CommandLine()
}

// maskedConfig is c without what may be a token: headers dropped,
// environment values, the URL's password and its query values masked.
func maskedConfig(c mcp.ServerConfig) mcp.ServerConfig {
	c.Headers = nil
	if len(c.Env) > 0 {
		env := make(map[string]string, len(c.Env))
		for k := range c.Env {
			env[k] = masked
		}
		c.Env = env
	}
	if c.URL != "" {
		if u, err := url.Parse(c.URL); err == nil {
			if _, has := u.User.Password(); has {
				u.User = url.UserPassword(u.User.Username(), masked)
			}
			if q := u.Query(); len(q) > 0 {
				for k := range q {
					q.Set(k, masked)
				}
				u.RawQuery = q.Encode()
			}
			c.URL = u.String()
		}
	}
	return c
}

// shownCommand is the command line the user is shown: a project server's
// exact one (what is approved), the user's own servers' with their
// environment values masked (tokens, which never leave the backend).
func shownCommand(e mcpEntry) string {
	if e.source == MCPScopeProject {
		return e.cfg.CommandLine()
	}
	return loggedCommandLine(e.cfg)
}

// maskSecrets masks in text (an error a server's start ended with) what
// may be a token of c: its environment and header values, the URL's
// password and query values.
func maskSecrets(c mcp.ServerConfig, text string) string {
	var secrets []string
	for _, v := range c.Env {
		secrets = append(secrets, v)
	}
	for _, v := range c.Headers {
		secrets = append(secrets, v)
		if _, tok, ok := strings.Cut(v, " "); ok {
			secrets = append(secrets, tok)
		}
	}
	if u, err := url.Parse(c.URL); err == nil && c.URL != "" {
		if p, ok := u.User.Password(); ok {
			secrets = append(secrets, p, url.QueryEscape(p))
		}
		for _, vs := range u.Query() {
			for _, v := range vs {
				secrets = append(secrets, v, url.QueryEscape(v))
			}
		}
	}
	// Longest first, so a token is not half masked by a shorter one inside it.
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	for _, sec := range secrets {
		if len(sec) >= 3 {
			text = strings.ReplaceAll(text, sec, masked)
		}
	}
	return text
}
