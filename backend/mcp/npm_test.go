package mcp_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/mcp"
)

// npmServers is where scripts/setup installs the reference servers.
const npmServers = "../../scripts/mcp-servers/node_modules/@modelcontextprotocol"

// npmServer is the config of an installed reference server; without the
// packages (or node) the test is skipped, unless CI is set: then it fails.
func npmServer(t *testing.T, name, pkg string, args ...string) mcp.ServerConfig {
	t.Helper()
	entry, err := filepath.Abs(filepath.Join(npmServers, pkg, "dist", "index.js"))
	if err != nil {
		t.Fatal(err)
	}
	node, nodeErr := exec.LookPath("node")
	_, statErr := os.Stat(entry)
	if statErr != nil || nodeErr != nil {
		msg := "the MCP reference servers are not installed (run scripts/setup): " + errors.Join(statErr, nodeErr).Error()
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return mcp.ServerConfig{Name: name, Command: node, Args: append([]string{entry}, args...)}
}

func npmManager(t *testing.T, servers ...mcp.ServerConfig) *mcp.Manager {
	t.Helper()
	m := mcp.NewManager(mcp.Options{Launch: mcp.ExecLauncher(t.TempDir(), nil)})
	t.Cleanup(m.Close)
	m.Configure(servers)
	return m
}

func TestNPMEverythingServer(t *testing.T) {
	m := npmManager(t, npmServer(t, "everything", "server-everything", "stdio"))
	ctx := ctxFor(t)
	if err := m.Start(ctx, "everything"); err != nil {
		t.Fatalf("Start(everything): %v\n%s", err, m.Log("everything"))
	}
	st, _ := m.StatusOf("everything")
	names := toolNames(st.Tools)
	for _, want := range []string{"echo", "get-sum", "get-tiny-image", "trigger-long-running-operation"} {
		if !slices.Contains(names, want) {
			t.Errorf("tools %v lack %s", names, want)
		}
	}
	if len(st.Resources) == 0 {
		t.Error("no resources listed")
	}
	var prompts []string
	for _, p := range st.Prompts {
		prompts = append(prompts, p.Name)
	}
	if !slices.Contains(prompts, "simple-prompt") || !slices.Contains(prompts, "args-prompt") {
		t.Errorf("prompts %v lack simple-prompt and args-prompt", prompts)
	}
	for _, tool := range st.Tools {
		if tool.Hash != mcp.DefinitionHash(tool.Name, tool.Description, tool.InputSchema) || !json.Valid(tool.InputSchema) {
			t.Errorf("tool %s: hash or schema inconsistent: %s", tool.Name, tool.InputSchema)
		}
	}

	res, err := m.Call(ctx, "everything", "echo", json.RawMessage(`{"message":"héllo from Go"}`))
	if err != nil || res.IsError || !strings.Contains(res.Text, "héllo from Go") {
		t.Errorf("Call(echo) = %+v, %v; want the message echoed", res, err)
	}
	res, err = m.Call(ctx, "everything", "get-sum", json.RawMessage(`{"a":2,"b":40}`))
	if err != nil || !strings.Contains(res.Text, "42") {
		t.Errorf("Call(get-sum) = %q, %v; want 42", res.Text, err)
	}
	res, err = m.Call(ctx, "everything", "get-tiny-image", nil)
	if err != nil || !strings.Contains(res.Text, "[image image/png, ") {
		t.Errorf("Call(get-tiny-image).Text = %q, %v; want the image named", res.Text, err)
	}

	// Errors: arguments the tool's schema refuses, a tool it does not have.
	res, err = m.Call(ctx, "everything", "get-sum", json.RawMessage(`{"a":"two"}`))
	if err != nil || !res.IsError || res.Text == "" {
		t.Errorf("Call(get-sum, bad args) = %+v, %v; want an isError result saying why", res, err)
	}
	res, err = m.Call(ctx, "everything", "no-such-tool", nil)
	if err == nil && !res.IsError {
		t.Errorf("Call(no-such-tool) = %+v, want an error", res)
	}
	t.Logf("Call(no-such-tool) = %q, %v", res.Text, err)

	// A long-running tool, cancelled.
	callCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := m.Call(callCtx, "everything", "trigger-long-running-operation", json.RawMessage(`{"duration":60,"steps":60}`))
		done <- err
	}()
	time.Sleep(200 * time.Millisecond) // let it get going; not a timing assertion
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		t.Logf("Call(trigger-long-running-operation) returned %v, %v after the cancel", err, time.Since(start))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled long-running call = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the cancelled long-running call did not return within 5 s")
	}
	if res, err := m.Call(ctx, "everything", "echo", json.RawMessage(`{"message":"still here"}`)); err != nil || !strings.Contains(res.Text, "still here") {
		t.Errorf("Call(echo) after the cancel = %q, %v", res.Text, err)
	}
	// A short one completes.
	res, err = m.Call(ctx, "everything", "trigger-long-running-operation", json.RawMessage(`{"duration":0.2,"steps":2}`))
	if err != nil || !strings.Contains(res.Text, "completed") {
		t.Errorf("Call(trigger-long-running-operation, short) = %q, %v", res.Text, err)
	}

	uri := st.Resources[0].URI
	raw, err := m.ReadResource(ctx, "everything", uri)
	if err != nil {
		t.Errorf("ReadResource(%s): %v", uri, err)
	} else {
		var rr struct{ Contents []json.RawMessage }
		if err := json.Unmarshal(raw, &rr); err != nil || len(rr.Contents) == 0 {
			t.Errorf("ReadResource(%s) = %s, want contents", uri, raw)
		}
	}
	raw, err = m.GetPrompt(ctx, "everything", "args-prompt", map[string]string{"city": "Lisbon"})
	if err != nil || !strings.Contains(string(raw), "Lisbon") {
		t.Errorf("GetPrompt(args-prompt) = %s, %v; want Lisbon in it", raw, err)
	}
	stopStart := time.Now()
	if err := m.Stop("everything"); err != nil {
		t.Errorf("Stop: %v", err)
	}
	t.Logf("Stop took %v", time.Since(stopStart))
}

func TestNPMFilesystemServer(t *testing.T) {
	allowed, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	outside, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(allowed, "hello.txt"), []byte("inside the granted folder\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("outside\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := npmManager(t, npmServer(t, "fs", "server-filesystem", allowed))
	ctx := ctxFor(t)
	res, err := m.Call(ctx, "fs", "list_allowed_directories", nil)
	if err != nil || !strings.Contains(res.Text, allowed) || strings.Contains(res.Text, outside) {
		t.Fatalf("Call(list_allowed_directories) = %q, %v; want %s only\n%s", res.Text, err, allowed, m.Log("fs"))
	}
	res, err = m.Call(ctx, "fs", "read_text_file", mustJSON(t, map[string]string{"path": filepath.Join(allowed, "hello.txt")}))
	if err != nil || res.IsError || !strings.Contains(res.Text, "inside the granted folder") {
		t.Errorf("Call(read_text_file, inside) = %+v, %v", res, err)
	}
	res, err = m.Call(ctx, "fs", "read_text_file", mustJSON(t, map[string]string{"path": filepath.Join(outside, "secret.txt")}))
	if err != nil {
		t.Logf("read outside: protocol error %v", err)
	} else if !res.IsError || strings.Contains(res.Text, "outside\n") {
		t.Errorf("Call(read_text_file, outside) = %+v, want refused", res)
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
