package mcp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ice-studio/ice-studio/backend/mcp"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// newHTTPServer is a Streamable HTTP MCP server (one tool, whoami) that
// refuses every request without the bearer token.
func newHTTPServer(t *testing.T, token string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	srv := sdk.NewServer(&sdk.Implementation{Name: "http-test", Version: "0.1.0"}, nil)
	srv.AddTool(&sdk.Tool{Name: "whoami", Description: "Says who asked.", InputSchema: map[string]any{"type": "object"}},
		func(_ context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
			return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: "you sent " + string(req.Params.Arguments)}}}, nil
		})
	handler := sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return srv }, nil)
	refused := &atomic.Int64{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			refused.Add(1)
			http.Error(w, "missing or wrong bearer token", http.StatusUnauthorized)
			return
		}
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts, refused
}

func TestHTTPServerWithBearer(t *testing.T) {
	const token = "s3cret-token"
	ts, refused := newHTTPServer(t, token)
	var asked []string
	m := mcp.NewManager(mcp.Options{HTTP: func(server string) *http.Client {
		asked = append(asked, server)
		return ts.Client()
	}})
	t.Cleanup(m.Close)
	m.Configure([]mcp.ServerConfig{
		{Name: "remote", URL: ts.URL, Headers: map[string]string{"Authorization": "Bearer " + token}},
		{Name: "anon", URL: ts.URL},
	})
	ctx := ctxFor(t)
	if err := m.Start(ctx, "remote"); err != nil {
		t.Fatalf("Start(remote): %v", err)
	}
	st, _ := m.StatusOf("remote")
	if st.State != mcp.StateRunning || st.Type != "http" || st.ServerName != "http-test" || len(st.Tools) != 1 || st.Tools[0].Name != "whoami" {
		t.Errorf("StatusOf(remote) = %+v, want a running http server offering whoami", st)
	}
	if st.Command != ts.URL || strings.Contains(st.Command, token) {
		t.Errorf("Status.Command = %q, want the URL alone", st.Command)
	}
	res, err := m.Call(ctx, "remote", "whoami", []byte(`{"q":1}`))
	if err != nil || res.Text != `you sent {"q":1}` {
		t.Errorf("Call(whoami) = %q, %v", res.Text, err)
	}
	if n := refused.Load(); n != 0 {
		t.Errorf("the server refused %d requests carrying the token", n)
	}
	if len(asked) == 0 || asked[0] != "remote" {
		t.Errorf("HTTP client asked for %v, want remote", asked)
	}

	err = m.Start(ctx, "anon")
	if err == nil {
		t.Fatal("Start(anon) without the token succeeded")
	}
	t.Logf("Start(anon) = %v", err)
	if refused.Load() == 0 {
		t.Error("the server saw no refused request from anon")
	}
	if st, _ := m.StatusOf("anon"); st.State != mcp.StateCrashed || st.Error == "" {
		t.Errorf("StatusOf(anon) = %q %q, want crashed with the reason", st.State, st.Error)
	}
	for _, name := range []string{"remote", "anon"} {
		if strings.Contains(m.Log(name), token) {
			t.Errorf("Log(%s) holds the token", name)
		}
	}
	if err := m.Stop("remote"); err != nil {
		t.Errorf("Stop(remote): %v", err)
	}
	if st, _ := m.StatusOf("remote"); st.State != mcp.StateStopped {
		t.Errorf("after Stop: %q, want stopped", st.State)
	}
}

func TestHTTPRefusedWithoutClient(t *testing.T) {
	m := mcp.NewManager(mcp.Options{})
	t.Cleanup(m.Close)
	m.Configure([]mcp.ServerConfig{{Name: "remote", URL: "http://127.0.0.1:1/mcp"}, {Name: "local", Command: "true"}})
	if err := m.Start(ctxFor(t), "remote"); !errors.Is(err, mcp.ErrNoTransport) || !strings.Contains(err.Error(), "HTTP") {
		t.Errorf("Start(remote) with no HTTP client = %v, want ErrNoTransport about HTTP", err)
	}
	if err := m.Start(ctxFor(t), "local"); !errors.Is(err, mcp.ErrNoTransport) {
		t.Errorf("Start(local) with no launcher = %v, want ErrNoTransport", err)
	}
}
