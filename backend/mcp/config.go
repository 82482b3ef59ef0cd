package mcp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Kinds of server, as Kind returns them.
const (
	KindStdio = "stdio"
	KindHTTP  = "http"
)

// nameRe is what a server name may be: it becomes part of the tool names
// mcp__<server>__<tool> the model sees, so it stays short and plain.
var nameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

// ParseServers reads servers from the JSON users already have: Claude
// Desktop / Cursor / Claude Code's .mcp.json ({"mcpServers": {...}}), VS
// Code's mcp.json ({"servers": {...}}), or a bare {name: {...}} object. The
// servers come back sorted by name, each one validated; an error names the
// server it is about. Fields the Studio does not know are ignored.
func ParseServers(data []byte) ([]ServerConfig, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("read MCP servers: not a JSON object: %w", err)
	}
	if top == nil {
		return nil, errors.New(`read MCP servers: not a JSON object: paste an object like {"mcpServers": {"name": {"command": "npx", "args": ["…"]}}}`)
	}
	entries := top
	for _, key := range []string{"mcpServers", "servers"} {
		raw, ok := top[key]
		if !ok || isServerObject(raw) {
			continue
		}
		var inner map[string]json.RawMessage
		if err := json.Unmarshal(raw, &inner); err != nil {
			return nil, fmt.Errorf("read MCP servers: %q must be an object of servers by name: %w", key, err)
		}
		entries = inner
		break
	}
	servers := make([]ServerConfig, 0, len(entries))
	for name, raw := range entries {
		var c ServerConfig
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("server %q: %w", name, describeJSONError(err))
		}
		c.Name = name
		if err := c.Validate(); err != nil {
			return nil, err
		}
		c.Type = c.Kind()
		servers = append(servers, c)
	}
	sort.Slice(servers, func(i, j int) bool { return servers[i].Name < servers[j].Name })
	return servers, nil
}

// isServerObject reports whether raw is itself one server (it has a
// command or a url), so that a bare object with a server named "servers"
// is not mistaken for VS Code's wrapper.
func isServerObject(raw json.RawMessage) bool {
	var probe struct {
		Command *json.RawMessage `json:"command"`
		URL     *json.RawMessage `json:"url"`
	}
	if json.Unmarshal(raw, &probe) != nil {
		return false
	}
	return probe.Command != nil || probe.URL != nil
}

func describeJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		field, _, _ := strings.Cut(te.Field, ".")
		return fmt.Errorf("%q must be %s, not a JSON %s", field, fieldKind(field), te.Value)
	}
	if errors.As(err, &te) {
		return fmt.Errorf("must be an object with a command or a url, not a JSON %s", te.Value)
	}
	return err
}

// fieldKind is what a ServerConfig field holds, in the user's words.
func fieldKind(field string) string {
	switch field {
	case "args", "disabledTools", "hosts", "writable":
		return "an array of strings"
	case "env", "headers":
		return "an object of strings"
	case "disabled":
		return "true or false"
	}
	return "a string"
}

// Validate reports the first problem with c, naming the server and saying
// how to fix it.
func (c ServerConfig) Validate() error {
	fail := func(format string, a ...any) error {
		return fmt.Errorf("server %q: %s", c.Name, fmt.Sprintf(format, a...))
	}
	switch {
	case c.Name == "":
		return errors.New("server \"\": needs a name")
	case !nameRe.MatchString(c.Name):
		return fail("name may only use letters, digits, - and _ (at most 40): it becomes part of the tool names mcp__<server>__<tool>")
	case strings.Contains(c.Name, "__"):
		return fail("name may not contain \"__\": it separates the server from the tool in mcp__<server>__<tool>")
	}
	kind := normalType(c.Type)
	switch kind {
	case "", KindStdio, KindHTTP:
	default:
		return fail("unknown type %q: use \"stdio\" (a command) or \"http\" (a URL)", c.Type)
	}
	hasCommand, hasURL := strings.TrimSpace(c.Command) != "", strings.TrimSpace(c.URL) != ""
	switch {
	case !hasCommand && !hasURL:
		return fail("needs a command or a url")
	case hasCommand && hasURL:
		return fail("has both a command and a url: keep the command for a stdio server or the url for an HTTP server")
	case kind == KindStdio && !hasCommand:
		return fail("is a stdio server, so it needs a command (not a url)")
	case kind == KindHTTP && !hasURL:
		return fail("is an HTTP server, so it needs a url (not a command)")
	}
	for k := range c.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return fail("environment variable name %q is not valid", k)
		}
	}
	if hasURL {
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fail("url %q must be an http:// or https:// address", c.URL)
		}
		if len(c.Args) > 0 || len(c.Env) > 0 {
			return fail("args and env only apply to stdio servers, not to a url")
		}
	} else if len(c.Headers) > 0 {
		return fail("headers only apply to HTTP servers (a url), not to a command")
	}
	for k := range c.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			return fail("header name %q is not valid", k)
		}
	}
	return nil
}

// normalType maps the type spellings of the various clients onto ours.
func normalType(t string) string {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "":
		return ""
	case "stdio":
		return KindStdio
	case "http", "streamable-http", "streamablehttp", "streamable_http", "sse":
		return KindHTTP
	}
	return t
}

// Kind is "stdio" or "http": the type given, or else inferred (a URL is
// http, a command stdio).
func (c ServerConfig) Kind() string {
	if k := normalType(c.Type); k == KindStdio || k == KindHTTP {
		return k
	}
	if strings.TrimSpace(c.URL) != "" && strings.TrimSpace(c.Command) == "" {
		return KindHTTP
	}
	return KindStdio
}

// CommandLine is what the user sees and approves: for a stdio server the
// exact command line, shell-quoted, with its environment as KEY=VALUE
// prefixes (sorted); for an HTTP server its URL (headers never shown).
func (c ServerConfig) CommandLine() string {
	if c.Kind() == KindHTTP {
		return c.URL
	}
	var parts []string
	for _, k := range sortedKeys(c.Env) {
		parts = append(parts, shellQuote(k+"="+c.Env[k]))
	}
	parts = append(parts, shellQuote(c.Command))
	for _, a := range c.Args {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_@%+=:,./-", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Fingerprint is the sha256 (hex) of what a user approves when starting a
// server: its kind, command, args, environment and URL. Headers are left
// out, so rotating a token does not ask again; the name is left out, so
// renaming does not either.
func (c ServerConfig) Fingerprint() string {
	args := c.Args
	if args == nil {
		args = []string{}
	}
	env := c.Env
	if env == nil {
		env = map[string]string{}
	}
	// encoding/json writes map keys sorted, so the encoding is canonical.
	b, err := json.Marshal(struct {
		Type    string            `json:"type"`
		Command string            `json:"command"`
		Args    []string          `json:"args"`
		Env     map[string]string `json:"env"`
		URL     string            `json:"url"`
	}{c.Kind(), c.Command, args, env, c.URL})
	if err != nil {
		panic(fmt.Sprintf("mcp: marshal fingerprint: %v", err)) // strings only: cannot fail
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// MarshalServers writes servers as {"mcpServers": {...}}, indented, the
// shape ParseServers reads. Headers (tokens) are dropped unless
// withHeaders, so an export can be shared.
func MarshalServers(servers []ServerConfig, withHeaders bool) ([]byte, error) {
	out := make(map[string]ServerConfig, len(servers))
	for _, c := range servers {
		if c.Name == "" {
			return nil, errors.New("marshal MCP servers: a server has no name")
		}
		if _, dup := out[c.Name]; dup {
			return nil, fmt.Errorf("marshal MCP servers: server %q is listed twice", c.Name)
		}
		if !withHeaders {
			c.Headers = nil
		}
		out[c.Name] = c
	}
	b, err := json.MarshalIndent(struct {
		MCPServers map[string]ServerConfig `json:"mcpServers"`
	}{out}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal MCP servers: %w", err)
	}
	return append(b, '\n'), nil
}
