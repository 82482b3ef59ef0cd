package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// running returns the server's current run, starting the server if it is
// stopped. A crashed server is not restarted behind the user's back.
func (m *Manager) running(ctx context.Context, name string) (*run, error) {
	m.mu.Lock()
	s := m.servers[name]
	if s == nil {
		m.mu.Unlock()
		return nil, fmt.Errorf("%w %q: add it to the MCP servers first", ErrUnknownServer, name)
	}
	if s.state == StateCrashed {
		why := s.err
		m.mu.Unlock()
		return nil, fmt.Errorf("%w: %q %s; restart it from the MCP panel", ErrCrashed, name, why)
	}
	m.mu.Unlock()
	return m.start(ctx, name)
}

// Tool is a tool's current definition (as last listed: the server's
// list_changed notifications keep it current), starting the server if it
// is stopped.
func (m *Manager) Tool(ctx context.Context, server, tool string) (Tool, error) {
	r, err := m.running(ctx, server)
	if err != nil {
		return Tool{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return findTool(server, tool, r.tools)
}

func findTool(server, tool string, tools []Tool) (Tool, error) {
	names := make([]string, 0, len(tools))
	for _, t := range tools {
		if t.Name == tool {
			t.InputSchema = slices.Clone(t.InputSchema)
			t.Annotations = slices.Clone(t.Annotations)
			return t, nil
		}
		names = append(names, t.Name)
	}
	if len(names) == 0 {
		return Tool{}, fmt.Errorf("%w: server %q offers no tools (asked for %q)", ErrUnknownTool, server, tool)
	}
	return Tool{}, fmt.Errorf("%w: server %q has no tool %q; it offers %v", ErrUnknownTool, server, tool, names)
}

// Call calls a tool with args (a JSON object; empty means {}), starting
// the server if it is stopped. Cancelling ctx tells the server
// (notifications/cancelled) and returns ctx's error at once. A server that
// crashes during the call makes an error saying so. A tool's own failure
// is no error: it comes back with Result.IsError set.
func (m *Manager) Call(ctx context.Context, server, tool string, args json.RawMessage) (Result, error) {
	var arguments any = map[string]any{}
	if len(args) > 0 && string(args) != "null" {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(args, &obj); err != nil {
			return Result{}, fmt.Errorf("call %s/%s: arguments must be a JSON object: %w", server, tool, err)
		}
		arguments = args
	}
	var res *sdk.CallToolResult
	err := m.withSession(ctx, server, "call "+tool, func(ctx context.Context, sess *sdk.ClientSession) error {
		var err error
		res, err = sess.CallTool(ctx, &sdk.CallToolParams{Name: tool, Arguments: arguments})
		return err
	})
	if err != nil {
		return Result{}, err
	}
	return toResult(res)
}

// ReadResource reads a resource (the whole ReadResourceResult as JSON).
func (m *Manager) ReadResource(ctx context.Context, server, uri string) (json.RawMessage, error) {
	var res *sdk.ReadResourceResult
	err := m.withSession(ctx, server, "read "+uri, func(ctx context.Context, sess *sdk.ClientSession) error {
		var err error
		res, err = sess.ReadResource(ctx, &sdk.ReadResourceParams{URI: uri})
		return err
	})
	if err != nil {
		return nil, err
	}
	return json.Marshal(res)
}

// GetPrompt gets a prompt filled with args (the whole GetPromptResult as
// JSON).
func (m *Manager) GetPrompt(ctx context.Context, server, name string, args map[string]string) (json.RawMessage, error) {
	var res *sdk.GetPromptResult
	err := m.withSession(ctx, server, "get prompt "+name, func(ctx context.Context, sess *sdk.ClientSession) error {
		var err error
		res, err = sess.GetPrompt(ctx, &sdk.GetPromptParams{Name: name, Arguments: args})
		return err
	})
	if err != nil {
		return nil, err
	}
	return json.Marshal(res)
}

// withSession runs f against the server's session, under a context that
// also ends when the server is stopped, and explains the errors: ctx's own
// error as it is, a stop or a crash during f as such.
func (m *Manager) withSession(ctx context.Context, server, what string, f func(context.Context, *sdk.ClientSession) error) error {
	r, err := m.running(ctx, server)
	if err != nil {
		return err
	}
	m.mu.Lock()
	sess := r.sess
	m.mu.Unlock()
	callCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(r.ctx, cancel)()

	err = f(callCtx, sess)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if r.stopping.Load() {
		return fmt.Errorf("%w during %s: %q", ErrStopped, what, server)
	}
	if brokenConnection(err, r) {
		select {
		case <-r.ended:
			if r.stopping.Load() {
				return fmt.Errorf("%w during %s: %q", ErrStopped, what, server)
			}
			return fmt.Errorf("%w during %s: %q %s; restart it from the MCP panel", ErrCrashed, what, server, r.endReason)
		case <-time.After(endWait):
			return fmt.Errorf("%w during %s: %q lost its connection (%v); restart it from the MCP panel", ErrCrashed, what, server, err)
		}
	}
	return fmt.Errorf("mcp %s/%s: %w", server, what, err)
}

// brokenConnection reports whether err means the session is gone rather
// than that the server answered with an error.
func brokenConnection(err error, r *run) bool {
	if errors.Is(err, sdk.ErrConnectionClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	select {
	case <-r.connClosed:
		return true
	case <-r.exited:
		return true
	default:
		return false
	}
}

// withHeaders returns a copy of base that adds the server's headers to
// its requests to the server's own host (never to a host it redirects to).
func withHeaders(base *http.Client, cfg ServerConfig) (*http.Client, error) {
	if len(cfg.Headers) == 0 {
		return base, nil
	}
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("server %q: url %q: %w", cfg.Name, cfg.URL, err)
	}
	c := *base
	rt := base.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	c.Transport = &headerTransport{base: rt, host: u.Host, headers: cfg.Headers}
	return &c, nil
}

type headerTransport struct {
	base    http.RoundTripper
	host    string
	headers map[string]string
}

func (t *headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != t.host {
		return t.base.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	for k, v := range t.headers {
		req.Header.Set(k, v)
	}
	return t.base.RoundTrip(req)
}
