package kernel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/mcp"
)

// TestMCPHTTPServerIsANetDecision: a Streamable HTTP server is reached
// from the kernel, so its host is decided as net.http (the default policy
// denies the network: the server cannot even be initialised) and every
// connection is recorded; an allow rule for its host lets it through.
func TestMCPHTTPServerIsANetDecision(t *testing.T) {
	server := sdk.NewServer(&sdk.Implementation{Name: "remote", Version: "1"}, nil)
	type in struct {
		Text string `json:"text"`
	}
	sdk.AddTool(server, &sdk.Tool{Name: "echo", Description: "Echoes."}, func(_ context.Context, _ *sdk.CallToolRequest, a in) (*sdk.CallToolResult, any, error) {
		return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: a.Text}}}, nil, nil
	})
	ts := httptest.NewServer(sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return server }, nil))
	defer ts.Close()
	u, _ := url.Parse(ts.URL)

	caps := capability.NewEnforcer()
	caps.SetPolicy(wsID, capability.DefaultPolicy(), 0)
	root, _ := filepath.EvalSymlinks(t.TempDir())
	h := openHarness(t, filepath.Join(t.TempDir(), eventlog.FileName), root, kernel.Config{Caps: caps})
	cfg := mcp.ServerConfig{Name: "remote", Type: "http", URL: ts.URL + "/mcp"}
	m := mcp.NewManager(mcp.Options{HTTP: func(string) *http.Client { return h.k.MCPHTTPClient(wsID, cfg) }})
	defer m.Close()
	m.Configure([]mcp.ServerConfig{cfg})
	err := m.Start(context.Background(), "remote")
	if err == nil || !strings.Contains(err.Error(), "not permitted") {
		t.Fatalf("the default policy denies the network, yet Start said %v", err)
	}
	denied := payloads[kernel.CapDeniedPayload](t, h, eventlog.Query{Types: []string{eventlog.CapabilityDenied}})
	if len(denied) == 0 || denied[0].Kind != capability.NetHTTP || !strings.Contains(denied[0].Target, "MCP server remote") {
		t.Fatalf("capability.denied: %+v", denied)
	}

	p := capability.DefaultPolicy()
	p.Rules = append([]capability.Rule{{Kind: capability.NetHTTP, Scope: capability.Scope{Host: u.Host}, Effect: capability.Allow}}, p.Rules...)
	caps.SetPolicy(wsID, p, 1)
	if err := m.Restart(context.Background(), "remote"); err != nil {
		t.Fatalf("with an allow rule for %s: %v", u.Host, err)
	}
	res, err := m.Call(context.Background(), "remote", "echo", []byte(`{"text":"over http"}`))
	if err != nil || res.Text != "over http" {
		t.Fatalf("call: %+v %v", res, err)
	}
	used := payloads[kernel.CapUsedPayload](t, h, eventlog.Query{Types: []string{eventlog.CapabilityUsed}})
	if len(used) == 0 || used[0].Kind != capability.NetHTTP || used[0].Rule != 1 {
		t.Fatalf("capability.used: %+v", used)
	}
}
