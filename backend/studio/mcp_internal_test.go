package studio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/mcp"
	"github.com/ice-studio/ice-studio/backend/ollama"
	"github.com/ice-studio/ice-studio/backend/sandbox"
)

var (
	testServerOnce sync.Once
	testServerBin  string
	testServerErr  error
)

// MCPTestServer builds the scripted MCP server of package mcp once per
// test binary and returns its path (one file in the temporary folder,
// replaced at once by each build, so runs neither pile up nor collide).
func MCPTestServer(tb testing.TB) string {
	tb.Helper()
	testServerOnce.Do(func() {
		testServerBin = filepath.Join(os.TempDir(), fmt.Sprintf("ice-studio-mcp-testserver-%d", os.Getuid()))
		tmp := fmt.Sprintf("%s.%d", testServerBin, os.Getpid())
		out, err := exec.Command("go", "build", "-o", tmp, "github.com/ice-studio/ice-studio/backend/mcp/internal/testserver").CombinedOutput()
		if err == nil {
			err = os.Rename(tmp, testServerBin)
		}
		if err != nil {
			_ = os.Remove(tmp)
			testServerErr = fmt.Errorf("go build testserver: %v\n%s", err, out)
		}
	})
	if testServerErr != nil {
		tb.Fatal(testServerErr)
	}
	return testServerBin
}

// ExecMCPLauncher is a Config.MCPLauncher that starts servers as plain
// children (tests: no sandbox, so a server's effects are seen).
func ExecMCPLauncher(string) mcp.Launcher { return mcp.ExecLauncher("", nil) }

// WaitMCP polls a workspace's MCP state until ok accepts the server
// named name (a generous guard against a hang, not a timing assertion).
func WaitMCP(tb testing.TB, s *Studio, ws, name string, ok func(MCPServerView) bool) MCPServerView {
	tb.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var last MCPServerView
	for {
		st, err := s.MCPState(WorkspaceRequest{WorkspaceID: ws})
		if err != nil {
			tb.Fatalf("MCPState: %v", err)
		}
		for _, v := range st.Servers {
			if v.Name == name {
				last = v
				if ok(v) {
					return v
				}
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("server %s never reached the state waited for; last: %+v", name, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func mcpTestStudio(tb testing.TB, cfg Config) *Studio {
	tb.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = tb.TempDir()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"version":"9.9.9"}`)) }))
	tb.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	cfg.Ollama = ollama.New(u, nil)
	s := New(cfg)
	if err := s.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// mcpWorkspace opens a folder with the test server configured for it.
func mcpWorkspace(t *testing.T, s *Studio) Workspace {
	t.Helper()
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	ws, err := s.OpenFolder(OpenFolderRequest{Path: dir})
	must(t, err)
	conf := fmt.Sprintf(`{"mcpServers":{"ts":{"command":%q}}}`, MCPTestServer(t))
	_, err = s.ImportMCPServers(ImportMCPRequest{WorkspaceID: ws.ID, Scope: MCPScopeWorkspace, JSON: conf})
	must(t, err)
	WaitMCP(t, s, ws.ID, "ts", func(v MCPServerView) bool { return v.State == mcp.StateRunning })
	return ws
}

func toolNames(ts []mcp.Tool) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Server+"/"+t.Name)
	}
	slices.Sort(out)
	return out
}

// TestMCPToolSwitches: a tool turned off is not offered and its calls are
// refused, without restarting its server; a server turned off stops and
// offers nothing; both are recorded as the user's changes.
func TestMCPToolSwitches(t *testing.T) {
	s := mcpTestStudio(t, Config{MCPLauncher: ExecMCPLauncher})
	ws := mcpWorkspace(t, s)
	ctx := context.Background()
	d := mcpTools{s}
	if got := toolNames(d.Tools(ctx, ws.ID)); !slices.Contains(got, "ts/echo") || !slices.Contains(got, "ts/hang") {
		t.Fatalf("Tools() = %v, want the test server's tools", got)
	}
	before := WaitMCP(t, s, ws.ID, "ts", func(MCPServerView) bool { return true })

	st, err := s.SetMCPTool(SetMCPToolRequest{WorkspaceID: ws.ID, Server: "ts", Tool: "echo", Enabled: false})
	must(t, err)
	if v := st.Servers[0]; !slices.Equal(v.DisabledTools, []string{"echo"}) || v.State != mcp.StateRunning || v.StartedAt != before.StartedAt {
		t.Errorf("after turning echo off: disabledTools %v, state %s, startedAt %d (was %d): want [echo], still running, not restarted",
			v.DisabledTools, v.State, v.StartedAt, before.StartedAt)
	}
	if got := toolNames(d.Tools(ctx, ws.ID)); slices.Contains(got, "ts/echo") || !slices.Contains(got, "ts/hang") {
		t.Errorf("Tools() with echo off = %v, want no ts/echo but the others", got)
	}
	if _, err := d.Call(ctx, ws.ID, "ts", "echo", json.RawMessage(`{}`)); !errors.Is(err, ErrMCPToolDisabled) {
		t.Errorf("Call(echo) while off: %v, want ErrMCPToolDisabled", err)
	}
	if _, err := d.Tool(ctx, ws.ID, "ts", "echo"); !errors.Is(err, ErrMCPToolDisabled) {
		t.Errorf("Tool(echo) while off: %v, want ErrMCPToolDisabled", err)
	}
	if _, err := d.Call(ctx, ws.ID, "nope", "echo", nil); !errors.Is(err, ErrMCPUnknownServer) {
		t.Errorf("Call(nope/echo): %v, want ErrMCPUnknownServer", err)
	}

	_, err = s.SetMCPTool(SetMCPToolRequest{WorkspaceID: ws.ID, Server: "ts", Tool: "echo", Enabled: true})
	must(t, err)
	res, err := d.Call(ctx, ws.ID, "ts", "echo", json.RawMessage(`{"text":"hi"}`))
	if err != nil || !strings.Contains(res.Text, `"hi"`) {
		t.Fatalf("Call(echo) once on again = %+v, %v", res, err)
	}

	_, err = s.SetMCPTool(SetMCPToolRequest{WorkspaceID: ws.ID, Server: "ts", Enabled: false})
	must(t, err)
	v := WaitMCP(t, s, ws.ID, "ts", func(v MCPServerView) bool { return v.State == mcp.StateStopped })
	if !v.Disabled {
		t.Errorf("server turned off: disabled = false")
	}
	if got := d.Tools(ctx, ws.ID); len(got) != 0 {
		t.Errorf("Tools() with the server off = %v, want none", toolNames(got))
	}
	if _, err := d.Call(ctx, ws.ID, "ts", "echo", nil); !errors.Is(err, ErrMCPDisabled) {
		t.Errorf("Call while the server is off: %v, want ErrMCPDisabled", err)
	}
	if _, err := s.StartMCPServer(MCPServerRequest{WorkspaceID: ws.ID, Name: "ts"}); !errors.Is(err, ErrMCPDisabled) {
		t.Errorf("StartMCPServer while off: %v, want ErrMCPDisabled", err)
	}

	var changes []string
	must(t, s.events.Read(ctx, eventlog.Query{Types: []string{eventlog.MCPConfigChanged}}, func(e eventlog.Event) error {
		var p MCPConfigChangedPayload
		must(t, json.Unmarshal(e.Payload, &p))
		if e.Origin != eventlog.OriginUser || e.Workspace != ws.ID {
			t.Errorf("%s by %s in %q, want the user's in the workspace", e.Type, e.Origin, e.Workspace)
		}
		changes = append(changes, p.Change)
		return nil
	}))
	if want := []string{"import ts", "tool ts/echo off", "tool ts/echo on", "server ts off"}; !slices.Equal(changes, want) {
		t.Errorf("recorded changes %q, want %q", changes, want)
	}
	var stopped []MCPServerStoppedPayload
	must(t, s.events.Read(ctx, eventlog.Query{Types: []string{eventlog.MCPServerStopped}}, func(e eventlog.Event) error {
		var p MCPServerStoppedPayload
		must(t, json.Unmarshal(e.Payload, &p))
		stopped = append(stopped, p)
		return nil
	}))
	if len(stopped) != 1 || stopped[0].Reason != "turned off" {
		t.Errorf("mcp.server_stopped events %+v, want one: turned off", stopped)
	}
}

// TestMCPRepinAfterChange: a tool whose definition changed after it was
// pinned shows the change; MCPToolChange gives both definitions, and
// RepinMCPTool re-approves only the definition reviewed.
func TestMCPRepinAfterChange(t *testing.T) {
	s := mcpTestStudio(t, Config{MCPLauncher: ExecMCPLauncher})
	ws := mcpWorkspace(t, s)
	ctx := context.Background()
	d := mcpTools{s}
	echo, err := d.Tool(ctx, ws.ID, "ts", "echo")
	must(t, err)
	must(t, s.kernel.PinMCPTool(ctx, ws.ID, echo, false)) // as the first allowed call does
	if _, err := d.Call(ctx, ws.ID, "ts", "mutate", nil); err != nil {
		t.Fatal(err)
	}
	v := WaitMCP(t, s, ws.ID, "ts", func(v MCPServerView) bool {
		i := slices.IndexFunc(v.Pins, func(p MCPPin) bool { return p.Tool == "echo" })
		return i >= 0 && v.Pins[i].Changed
	})
	pin := v.Pins[slices.IndexFunc(v.Pins, func(p MCPPin) bool { return p.Tool == "echo" })]
	if pin.Pinned != echo.Hash || pin.Current == echo.Hash {
		t.Errorf("echo's pin %+v, want pinned %s and another current", pin, echo.Hash)
	}
	ch, err := s.MCPToolChange(MCPToolRequest{WorkspaceID: ws.ID, Server: "ts", Tool: "echo"})
	must(t, err)
	if ch.Pinned == nil || ch.Pinned.Description != "Echoes its arguments." || ch.Pinned.Hash != echo.Hash {
		t.Fatalf("MCPToolChange pinned = %+v, want the first definition", ch.Pinned)
	}
	if ch.Current.Hash != pin.Current || !strings.Contains(ch.Current.Description, "changed 1 times") {
		t.Errorf("MCPToolChange current = %+v, want the changed definition", ch.Current)
	}
	if _, err := s.RepinMCPTool(MCPToolRequest{WorkspaceID: ws.ID, Server: "ts", Tool: "echo", Hash: echo.Hash}); err == nil {
		t.Errorf("RepinMCPTool with the old hash: no error")
	}
	st, err := s.RepinMCPTool(MCPToolRequest{WorkspaceID: ws.ID, Server: "ts", Tool: "echo", Hash: ch.Current.Hash})
	must(t, err)
	i := slices.IndexFunc(st.Servers[0].Pins, func(p MCPPin) bool { return p.Tool == "echo" })
	if p := st.Servers[0].Pins[i]; p.Changed || p.Pinned != ch.Current.Hash {
		t.Errorf("after re-approval the pin is %+v, want pinned to %s", p, ch.Current.Hash)
	}
	var origins []string
	must(t, s.events.Read(ctx, eventlog.Query{Types: []string{eventlog.MCPToolPinned}}, func(e eventlog.Event) error {
		origins = append(origins, e.Origin)
		return nil
	}))
	if !slices.Equal(origins, []string{eventlog.OriginRuntime, eventlog.OriginUser}) {
		t.Errorf("mcp.tool_pinned origins %v, want runtime then the user's re-approval", origins)
	}
}

// TestMCPServerInTheSandbox: with the kernel's launcher a stdio server
// runs in the command sandbox, and its tools are called through the
// dispatcher.
func TestMCPServerInTheSandbox(t *testing.T) {
	if st := sandbox.Probe(context.Background()); !st.Available {
		t.Skipf("no sandbox here: %s", st.Reason)
	}
	s := mcpTestStudio(t, Config{})
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	bin, err := os.ReadFile(MCPTestServer(t))
	must(t, err)
	must(t, os.MkdirAll(filepath.Join(dir, "bin"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "bin", "testserver"), bin, 0o755)) // the sandbox sees the workspace
	ws, err := s.OpenFolder(OpenFolderRequest{Path: dir})
	must(t, err)
	st, err := s.MCPState(WorkspaceRequest{WorkspaceID: ws.ID})
	must(t, err)
	if !st.Sandboxed {
		t.Errorf("MCPState.sandboxed = false with the kernel's launcher and a sandbox")
	}
	conf := fmt.Sprintf(`{"mcpServers":{"ts":{"command":%q}}}`, filepath.Join(dir, "bin", "testserver"))
	_, err = s.ImportMCPServers(ImportMCPRequest{WorkspaceID: ws.ID, Scope: MCPScopeWorkspace, JSON: conf})
	must(t, err)
	v := WaitMCP(t, s, ws.ID, "ts", func(v MCPServerView) bool { return v.State != mcp.StateStarting && v.State != mcp.StateStopped })
	if v.State != mcp.StateRunning {
		log, _ := s.MCPServerLog(MCPServerRequest{WorkspaceID: ws.ID, Name: "ts"})
		t.Fatalf("sandboxed server: %s (%s)\n%s", v.State, v.Error, log)
	}
	res, err := mcpTools{s}.Call(context.Background(), ws.ID, "ts", "echo", json.RawMessage(`{"text":"from the sandbox"}`))
	if err != nil || !strings.Contains(res.Text, "from the sandbox") {
		t.Fatalf("Call(echo) in the sandbox = %+v, %v", res, err)
	}
}

// TestMCPServerViewHasEveryStatusField: the view spells out mcp.Status's
// fields (for the bindings); one added to Status must be added here too.
func TestMCPServerViewHasEveryStatusField(t *testing.T) {
	tags := func(v any) map[string]bool {
		out := map[string]bool{}
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			out[name] = true
		}
		return out
	}
	view := tags(MCPServerView{})
	for name := range tags(mcp.Status{}) {
		if !view[name] {
			t.Errorf("MCPServerView lacks mcp.Status's %q", name)
		}
	}
}
