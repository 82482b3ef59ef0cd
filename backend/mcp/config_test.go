package mcp_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/mcp"
)

func TestParseServersShapes(t *testing.T) {
	tests := []struct {
		name string
		json string
		want []mcp.ServerConfig
	}{
		{
			name: "claude desktop",
			json: `{
			  "globalShortcut": "Ctrl+Space",
			  "mcpServers": {
			    "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"], "env": {"GITHUB_TOKEN": "t"}},
			    "filesystem": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/me"]}
			  }
			}`,
			want: []mcp.ServerConfig{
				{Name: "filesystem", Type: "stdio", Command: "npx", Args: []string{"-y", "@modelcontextprotocol/server-filesystem", "/home/me"}},
				{Name: "github", Type: "stdio", Command: "npx", Args: []string{"-y", "@modelcontextprotocol/server-github"}, Env: map[string]string{"GITHUB_TOKEN": "t"}},
			},
		},
		{
			name: "vs code",
			json: `{
			  "inputs": [{"type": "promptString", "id": "token", "password": true}],
			  "servers": {
			    "remote": {"type": "http", "url": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer x"}},
			    "local": {"type": "stdio", "command": "uvx", "args": ["mcp-server-git"]}
			  }
			}`,
			want: []mcp.ServerConfig{
				{Name: "local", Type: "stdio", Command: "uvx", Args: []string{"mcp-server-git"}},
				{Name: "remote", Type: "http", URL: "https://mcp.example.com/mcp", Headers: map[string]string{"Authorization": "Bearer x"}},
			},
		},
		{
			name: "bare, with types inferred and spelled otherwise",
			json: `{
			  "b_sse": {"type": "sse", "url": "http://localhost:8080/sse"},
			  "a-url": {"url": "http://127.0.0.1:3000/mcp"},
			  "c": {"command": "/usr/bin/server", "disabled": true, "disabledTools": ["rm"], "hosts": ["api.example.com"], "writable": ["out"]},
			  "servers": {"type": "streamable-http", "url": "https://x.example/mcp"}
			}`,
			want: []mcp.ServerConfig{
				{Name: "a-url", Type: "http", URL: "http://127.0.0.1:3000/mcp"},
				{Name: "b_sse", Type: "http", URL: "http://localhost:8080/sse"},
				{Name: "c", Type: "stdio", Command: "/usr/bin/server", Disabled: true, DisabledTools: []string{"rm"}, Hosts: []string{"api.example.com"}, Writable: []string{"out"}},
				{Name: "servers", Type: "http", URL: "https://x.example/mcp"},
			},
		},
		{
			name: "empty wrapper",
			json: `{"mcpServers": {}}`,
			want: []mcp.ServerConfig{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mcp.ParseServers([]byte(tt.json))
			if err != nil {
				t.Fatalf("ParseServers: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseServers:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseServersErrors(t *testing.T) {
	tests := []struct {
		json string
		want string
	}{
		{`{"mcpServers": {"github": {"args": ["x"]}}}`, `server "github": needs a command or a url`},
		{`{"mcpServers": {"my server": {"command": "x"}}}`, `server "my server": name may only use letters, digits, - and _`},
		{`{"a__b": {"command": "x"}}`, `server "a__b": name may not contain "__"`},
		{`{"` + strings.Repeat("n", 41) + `": {"command": "x"}}`, `name may only use letters, digits, - and _ (at most 40)`},
		{`{"x": {"command": "c", "url": "http://h/"}}`, `server "x": has both a command and a url`},
		{`{"x": {"type": "websocket", "url": "ws://h/"}}`, `server "x": unknown type "websocket"`},
		{`{"x": {"type": "http", "command": "c"}}`, `server "x": is an HTTP server, so it needs a url`},
		{`{"x": {"type": "stdio", "url": "http://h/"}}`, `server "x": is a stdio server, so it needs a command`},
		{`{"x": {"url": "ftp://h/"}}`, `server "x": url "ftp://h/" must be an http:// or https:// address`},
		{`{"x": {"command": "c", "env": {"N": 1}}}`, `server "x": "env" must be an object of strings, not a JSON number`},
		{`{"x": {"command": "c", "args": "-v"}}`, `server "x": "args" must be an array of strings`},
		{`{"x": 3}`, `server "x": must be an object with a command or a url`},
		{`{"x": {"command": "c", "headers": {"A": "b"}}}`, `server "x": headers only apply to HTTP servers`},
		{`{"mcpServers": [1]}`, `"mcpServers" must be an object of servers by name`},
		{`[1, 2]`, `not a JSON object`},
		{`null`, `not a JSON object`},
		{`{"x": `, `not a JSON object`},
	}
	for _, tt := range tests {
		_, err := mcp.ParseServers([]byte(tt.json))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseServers(%s) = %v, want an error containing %q", tt.json, err, tt.want)
		}
	}
}

func TestCommandLine(t *testing.T) {
	c := mcp.ServerConfig{
		Name: "x", Command: "npx",
		Args: []string{"-y", "@scope/pkg@1.0", "it's", "a b", ""},
		Env:  map[string]string{"Z": "1", "A_KEY": "v w"},
	}
	want := `'A_KEY=v w' Z=1 npx -y @scope/pkg@1.0 'it'\''s' 'a b' ''`
	if got := c.CommandLine(); got != want {
		t.Errorf("CommandLine() = %s, want %s", got, want)
	}
	h := mcp.ServerConfig{Name: "h", URL: "https://h.example/mcp", Headers: map[string]string{"Authorization": "Bearer secret"}}
	if got := h.CommandLine(); got != "https://h.example/mcp" {
		t.Errorf("CommandLine() of an http server = %q, want its URL only", got)
	}
	if h.Kind() != "http" || c.Kind() != "stdio" {
		t.Errorf("Kind() = %q, %q; want http, stdio", h.Kind(), c.Kind())
	}
}

func TestFingerprint(t *testing.T) {
	a, err := mcp.ParseServers([]byte(`{"s": {"command": "npx", "args": ["-y", "pkg"], "env": {"A": "1", "B": "2"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := mcp.ParseServers([]byte(`{"mcpServers": {"other": {"type": "stdio", "env": {"B": "2", "A": "1"}, "args": ["-y", "pkg"], "command": "npx",
		"disabledTools": ["x"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	base := a[0].Fingerprint()
	if len(base) != 64 {
		t.Fatalf("Fingerprint() = %q, want 64 hex digits", base)
	}
	if got := b[0].Fingerprint(); got != base {
		t.Errorf("the same server written otherwise (key order, name, explicit type) has fingerprint %s, want %s", got, base)
	}
	changes := map[string]func(*mcp.ServerConfig){
		"command":     func(c *mcp.ServerConfig) { c.Command = "npm" },
		"an arg":      func(c *mcp.ServerConfig) { c.Args = []string{"-y", "pkg2"} },
		"arg split":   func(c *mcp.ServerConfig) { c.Args = []string{"-y pkg"} },
		"an env var":  func(c *mcp.ServerConfig) { c.Env = map[string]string{"A": "1", "B": "3"} },
		"env removed": func(c *mcp.ServerConfig) { c.Env = map[string]string{"A": "1"} },
		"url":         func(c *mcp.ServerConfig) { c.Command, c.Args, c.Env, c.URL = "", nil, nil, "http://h/" },
	}
	for name, change := range changes {
		c := a[0]
		c.Args = append([]string(nil), c.Args...)
		change(&c)
		if c.Fingerprint() == base {
			t.Errorf("changing the %s left the fingerprint unchanged", name)
		}
	}
	h1 := mcp.ServerConfig{Name: "h", URL: "http://h/", Headers: map[string]string{"Authorization": "Bearer 1"}}
	h2 := mcp.ServerConfig{Name: "h", URL: "http://h/", Headers: map[string]string{"Authorization": "Bearer 2"}}
	if h1.Fingerprint() != h2.Fingerprint() {
		t.Error("a new token changed the fingerprint: headers are not part of what is approved")
	}
}

func TestMarshalServersRoundTrip(t *testing.T) {
	in := []mcp.ServerConfig{
		{Name: "b", Type: "http", URL: "https://h.example/mcp", Headers: map[string]string{"Authorization": "Bearer secret"}},
		{Name: "a", Type: "stdio", Command: "npx", Args: []string{"-y", "pkg"}, Env: map[string]string{"K": "V"}, DisabledTools: []string{"rm"}},
	}
	out, err := mcp.MarshalServers(in, false)
	if err != nil {
		t.Fatalf("MarshalServers: %v", err)
	}
	if strings.Contains(string(out), "secret") {
		t.Errorf("MarshalServers(withHeaders=false) kept a header:\n%s", out)
	}
	if !strings.Contains(string(out), "\n  \"mcpServers\": {") {
		t.Errorf("MarshalServers output is not an indented mcpServers object:\n%s", out)
	}
	back, err := mcp.ParseServers(out)
	if err != nil {
		t.Fatalf("ParseServers(MarshalServers(...)): %v", err)
	}
	want := []mcp.ServerConfig{in[1], in[0]}
	want[1].Headers = nil
	if !reflect.DeepEqual(back, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, want)
	}

	out, err = mcp.MarshalServers(in, true)
	if err != nil {
		t.Fatalf("MarshalServers: %v", err)
	}
	back, err = mcp.ParseServers(out)
	if err != nil {
		t.Fatal(err)
	}
	if back[1].Headers["Authorization"] != "Bearer secret" {
		t.Errorf("MarshalServers(withHeaders=true) lost the header: %+v", back[1])
	}
	var generic map[string]map[string]json.RawMessage
	if err := json.Unmarshal(out, &generic); err != nil || len(generic["mcpServers"]) != 2 {
		t.Errorf("MarshalServers output = %s (%v), want an mcpServers object with two servers", out, err)
	}
	if _, err := mcp.MarshalServers([]mcp.ServerConfig{{Name: "a", Command: "x"}, {Name: "a", Command: "y"}}, false); err == nil {
		t.Error("MarshalServers accepted two servers with the same name")
	}
}
