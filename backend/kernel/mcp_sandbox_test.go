package kernel_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/internal/asuser"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/mcp"
	"github.com/ice-studio/ice-studio/backend/sandbox"
)

// MCP servers started by the kernel's launcher: inside the command
// sandbox, with real servers (the scripted Go one, and the npm
// filesystem server).

// managerTools serves the kernel from a Manager (as the Studio does).
type managerTools struct{ m *mcp.Manager }

func (a *managerTools) Tools(ctx context.Context, _ string) []mcp.Tool {
	var out []mcp.Tool
	for _, s := range a.m.Status() {
		out = append(out, s.Tools...)
	}
	return out
}

func (a *managerTools) Tool(ctx context.Context, _, server, tool string) (mcp.Tool, error) {
	return a.m.Tool(ctx, server, tool)
}

func (a *managerTools) Call(ctx context.Context, _, server, tool string, args json.RawMessage) (mcp.Result, error) {
	return a.m.Call(ctx, server, tool, args)
}

var (
	testserverOnce sync.Once
	testserverBin  string
	testserverErr  error
)

// testserver builds the scripted MCP server once, into a folder of the
// repository (the sandbox hides the host's /tmp), and copies it into dir.
func testserver(t *testing.T, dir string) string {
	t.Helper()
	testserverOnce.Do(func() {
		if p := os.Getenv("ICE_TEST_MCP_TESTSERVER"); p != "" {
			testserverBin = p // built by the parent run (TestMCPAsUnprivileged)
			return
		}
		out, err := os.MkdirTemp("", "ice-testserver-")
		if err != nil {
			testserverErr = err
			return
		}
		testserverBin = filepath.Join(out, "testserver")
		b, err := exec.Command("go", "build", "-o", testserverBin, "github.com/ice-studio/ice-studio/backend/mcp/internal/testserver").CombinedOutput()
		if err != nil {
			testserverErr = errors.New(string(b))
		}
	})
	if testserverErr != nil {
		t.Fatalf("build the MCP test server: %v", testserverErr)
	}
	data, err := os.ReadFile(testserverBin)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "testserver")
	if err := os.WriteFile(p, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func sandboxedMCP(t *testing.T, files map[string]string, servers ...mcp.ServerConfig) (*harness, *mcp.Manager) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the command sandbox is Linux's")
	}
	if st := sandbox.Probe(context.Background()); !st.Available {
		t.Fatalf("the sandbox is unavailable here: %s", st.Reason)
	}
	caps := capability.NewEnforcer()
	p := capability.DefaultPolicy()
	p.Rules = append([]capability.Rule{{Kind: capability.MCPCall, Scope: capability.Scope{Tool: "*/*"}, Effect: capability.Allow}}, p.Rules...)
	caps.SetPolicy(wsID, p, 0)
	root, _ := filepath.EvalSymlinks(t.TempDir())
	writeTree(t, root, files)
	tools := &managerTools{}
	h := openHarness(t, filepath.Join(t.TempDir(), eventlog.FileName), root, kernel.Config{Caps: caps, MCP: tools, DataDir: t.TempDir()})
	m := mcp.NewManager(mcp.Options{Launch: h.k.MCPLauncher(wsID)})
	t.Cleanup(m.Close)
	tools.m = m
	for i := range servers {
		servers[i].Command = strings.ReplaceAll(servers[i].Command, "$ROOT", root)
		for j, a := range servers[i].Args {
			servers[i].Args[j] = strings.ReplaceAll(a, "$ROOT", root)
		}
		for k, v := range servers[i].Env {
			servers[i].Env[k] = strings.ReplaceAll(v, "$ROOT", root)
		}
	}
	m.Configure(servers)
	return h, m
}

// TestMCPServerInSandbox: the scripted server runs in the sandbox; a
// run's call reaches it with exactly the recorded arguments (it writes
// them to the one folder its config makes writable), its other writes
// never reach the workspace, it has no network, and its stderr is its log.
func TestMCPServerInSandbox(t *testing.T) {
	bin := t.TempDir()
	h, m := sandboxedMCP(t, map[string]string{"calls/.keep": "", "README.md": "hello\n"}, mcp.ServerConfig{
		Name: "srv", Command: "$ROOT/.bin/testserver",
		Env:      map[string]string{"TESTSERVER_CALLS": "$ROOT/calls/calls.jsonl", "TESTSERVER_EVENTS": "$ROOT/scratch-events.log"},
		Writable: []string{"calls"},
	})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_ = bin
	must(os.MkdirAll(filepath.Join(h.root, ".bin"), 0o755))
	testserver(t, filepath.Join(h.root, ".bin"))
	ctx := context.Background()
	must(m.Start(ctx, "srv"))
	var out []string
	run := h.start(kernel.StartRequest{Task: "echo", Profile: capability.ProfileAgent},
		steps(callStep("echo", `{"text":"from the run"}`, &out), callStep("hang", `{}`, &out)))
	// The hang: Abort ends it.
	deadline := time.Now().Add(10 * time.Second)
	for outcomes(&out) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	t0 := time.Now()
	if _, err := h.k.Abort(ctx, run.ID, "stop"); err != nil {
		t.Fatal(err)
	}
	info := h.wait(run.ID)
	t.Logf("Abort ended the run with a hanging MCP call in %v", time.Since(t0))
	if info.Outcome != kernel.OutcomeAborted || len(out) != 1 || !strings.Contains(out[0], "from the run") {
		t.Fatalf("run %+v, outcomes %q", info, out)
	}
	calls, err := os.ReadFile(filepath.Join(h.root, "calls", "calls.jsonl"))
	must(err)
	called := payloads[kernel.MCPCalledPayload](t, h, eventlog.Query{Run: run.ID, Types: []string{eventlog.EffectMCPCalled}})
	if len(called) != 1 {
		t.Fatalf("effect.mcp_called: %+v", called)
	}
	args, err := h.store.GetBlob(ctx, called[0].Arguments)
	must(err)
	var got, sent map[string]any
	must(json.Unmarshal(args, &sent))
	if err := json.Unmarshal([]byte(strings.TrimSpace(strings.Split(string(calls), "\n")[0])), &got); err != nil || got["text"] != sent["text"] {
		t.Fatalf("the server received %s, the log recorded %s", calls, args)
	}
	// Its write outside the writable folder landed in the scratch layer.
	if _, err := os.Stat(filepath.Join(h.root, "scratch-events.log")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a write outside the writable folder reached the workspace: %v", err)
	}
	if !strings.Contains(m.Log("srv"), "testserver: ready") {
		t.Errorf("the server's stderr is not its log:\n%s", m.Log("srv"))
	}
}

// TestMCPFilesystemServerOutsideItsGrant: the npm filesystem server,
// given "/" as its allowed folder, still gets nothing the sandbox hides:
// not a file of the host's /tmp or home, and its writes do not reach the
// workspace or any host folder.
func TestMCPFilesystemServerOutsideItsGrant(t *testing.T) {
	entry := npmServer(t, "server-filesystem")
	secretDir := t.TempDir()
	secret := filepath.Join(secretDir, "secret.txt")
	if err := os.WriteFile(secret, []byte("the host's secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h, m := sandboxedMCP(t, map[string]string{"docs/a.md": "inside the workspace\n"},
		mcp.ServerConfig{Name: "fs", Command: "node", Args: []string{entry, "/"}})
	ctx := context.Background()
	if err := m.Start(ctx, "fs"); err != nil {
		t.Fatalf("start the filesystem server in the sandbox: %v\n%s", err, m.Log("fs"))
	}
	var out []string
	call := func(tool string, args map[string]any) {
		b, _ := json.Marshal(args)
		out = append(out, "")
		i := len(out) - 1
		run := h.start(kernel.StartRequest{Task: tool, Profile: capability.ProfileAgent}, steps(func(_ context.Context, env *kernel.Env) error {
			res, err := env.CallMCP("fs", tool, b)
			switch {
			case err != nil:
				out[i] = "error: " + err.Error()
			case res.IsError:
				out[i] = "tool error: " + res.Text
			default:
				out[i] = res.Text
			}
			return nil
		}))
		h.wait(run.ID)
	}
	call("read_text_file", map[string]any{"path": filepath.Join(h.root, "docs", "a.md")})
	call("read_text_file", map[string]any{"path": secret})
	call("write_file", map[string]any{"path": filepath.Join(h.root, "docs", "new.md"), "content": "written by the server"})
	call("write_file", map[string]any{"path": filepath.Join(secretDir, "planted.txt"), "content": "x"})
	if !strings.Contains(out[0], "inside the workspace") {
		t.Errorf("a workspace file: %q", out[0])
	}
	if strings.Contains(out[1], "secret") && !strings.Contains(out[1], "error") {
		t.Errorf("the host's /tmp file was read: %q", out[1])
	}
	if _, err := os.Stat(filepath.Join(h.root, "docs", "new.md")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the server's write reached the workspace (%q): %v", out[2], err)
	}
	if _, err := os.Stat(filepath.Join(secretDir, "planted.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the server's write reached a host folder (%q): %v", out[3], err)
	}
	t.Logf("outcomes: %q", out)
}

// TestMCPAsUnprivileged runs the sandboxed-server tests again as an
// unprivileged user: users run the Studio as themselves.
func TestMCPAsUnprivileged(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("not root: the suite already runs unprivileged")
	}
	dir, err := os.MkdirTemp("", "ice-mcp-unpriv-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	testserver(t, dir)
	asuser.Rerun(t, "^(TestMCPServerInSandbox|TestMCPFilesystemServerOutsideItsGrant|TestMCPEverythingServerInSandbox)$", "ICE_TEST_MCP_TESTSERVER="+filepath.Join(dir, "testserver"), "CI="+os.Getenv("CI"))
}

// TestMCPEverythingServerInSandbox: the npm reference server with every
// feature, started through the kernel's sandbox: tools, resources and
// prompts listed; a run's call and a long-running operation that Abort
// cancels.
func TestMCPEverythingServerInSandbox(t *testing.T) {
	entry := npmServer(t, "server-everything")
	h, m := sandboxedMCP(t, nil, mcp.ServerConfig{Name: "everything", Command: "node", Args: []string{entry, "stdio"}})
	ctx := context.Background()
	if err := m.Start(ctx, "everything"); err != nil {
		t.Fatalf("start server-everything in the sandbox: %v\n%s", err, m.Log("everything"))
	}
	st, _ := m.StatusOf("everything")
	if len(st.Tools) == 0 || len(st.Resources) == 0 || len(st.Prompts) == 0 {
		t.Fatalf("listed %d tools, %d resources, %d prompts", len(st.Tools), len(st.Resources), len(st.Prompts))
	}
	var out []string
	run := h.start(kernel.StartRequest{Task: "everything", Profile: capability.ProfileAgent},
		steps(callOn("everything", "echo", `{"message":"from the sandbox"}`, &out),
			callOn("everything", "trigger-long-running-operation", `{"duration":60,"steps":60}`, &out)))
	deadline := time.Now().Add(20 * time.Second)
	for outcomes(&out) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // the long operation is under way
	t0 := time.Now()
	if _, err := h.k.Abort(ctx, run.ID, "stop"); err != nil {
		t.Fatal(err)
	}
	info := h.wait(run.ID)
	t.Logf("Abort ended a long-running call of server-everything in %v", time.Since(t0))
	if info.Outcome != kernel.OutcomeAborted || len(out) != 1 || !strings.Contains(out[0], "from the sandbox") {
		t.Fatalf("run %+v, outcomes %q", info, out)
	}
	if _, err := m.ReadResource(ctx, "everything", st.Resources[0].URI); err != nil {
		t.Errorf("read a resource: %v", err)
	}
}

// npmServer is the entry point of an npm reference server that
// scripts/setup installs (a failure under CI, where it must be there).
func npmServer(t *testing.T, pkg string) string {
	t.Helper()
	entry, err := filepath.Abs(filepath.Join("..", "..", "scripts", "mcp-servers", "node_modules", "@modelcontextprotocol", pkg, "dist", "index.js"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(entry); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the npm reference servers are not installed (scripts/setup installs them): %v", err)
		}
		t.Skipf("the npm reference servers are not installed (run scripts/setup): %v", err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	return entry
}
