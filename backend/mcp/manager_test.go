package mcp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/mcp"
)

// guard bounds every wait in these tests: generous, it only turns a hang
// into a failure.
const guard = 10 * time.Second

// fixture is a Manager running the scripted test server as "test".
type fixture struct {
	m       *mcp.Manager
	dir     string
	calls   string // echo's arguments, one JSON line per call
	events  string // hang started/cancelled
	changes chan string
}

func newFixture(t *testing.T, extra ...mcp.ServerConfig) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{
		dir:     dir,
		calls:   filepath.Join(dir, "calls.jsonl"),
		events:  filepath.Join(dir, "events.log"),
		changes: make(chan string, 1000),
	}
	f.m = mcp.NewManager(mcp.Options{
		Launch: mcp.ExecLauncher(dir, nil),
		OnChange: func(server string) {
			select {
			case f.changes <- server:
			default:
			}
		},
	})
	t.Cleanup(f.m.Close)
	f.m.Configure(append([]mcp.ServerConfig{f.config("test")}, extra...))
	return f
}

func (f *fixture) config(name string, args ...string) mcp.ServerConfig {
	return mcp.ServerConfig{
		Name: name, Command: testserverPath, Args: args,
		Env: map[string]string{
			"TESTSERVER_CALLS":       f.calls,
			"TESTSERVER_EVENTS":      f.events,
			"TESTSERVER_MUTATE_FILE": filepath.Join(f.dir, "mutate-"+name),
		},
	}
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	t.Cleanup(cancel)
	return ctx
}

// waitFor polls cond until it holds or the guard runs out.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func lines(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("not JSON: %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("not JSON: %s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func toolNames(tools []mcp.Tool) []string {
	var names []string
	for _, t := range tools {
		names = append(names, t.Name)
	}
	return names
}

func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return p.Signal(syscall.Signal(0)) == nil
}

func TestStartListCallEcho(t *testing.T) {
	f := newFixture(t)
	ctx := ctxFor(t)
	if st, _ := f.m.StatusOf("test"); st.State != mcp.StateStopped {
		t.Fatalf("before Start: state %q, want stopped", st.State)
	}
	if err := f.m.Start(ctx, "test"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if err := f.m.Start(ctx, "test"); err != nil {
		t.Fatalf("Start again (idempotent): %v", err)
	}
	st, ok := f.m.StatusOf("test")
	if !ok {
		t.Fatal("StatusOf(test): not found")
	}
	if st.State != mcp.StateRunning || st.ServerName != "testserver" || st.ServerVersion != "1.2.3" || st.Type != "stdio" {
		t.Errorf("StatusOf(test) = state %q, server %q %q, type %q; want running testserver 1.2.3 stdio", st.State, st.ServerName, st.ServerVersion, st.Type)
	}
	if st.StartedAt == 0 || st.Restarts != 0 {
		t.Errorf("StatusOf(test): startedAt %d, restarts %d; want set, 0", st.StartedAt, st.Restarts)
	}
	if want := []string{"big", "crash", "echo", "fail", "hang", "mutate"}; !reflect.DeepEqual(toolNames(st.Tools), want) {
		t.Errorf("tools = %v, want %v", toolNames(st.Tools), want)
	}
	if len(st.Resources) != 1 || st.Resources[0].URI != "test://hello" || st.Resources[0].MIMEType != "text/plain" {
		t.Errorf("resources = %+v, want test://hello (text/plain)", st.Resources)
	}
	if len(st.Prompts) != 1 || st.Prompts[0].Name != "greet" || len(st.Prompts[0].Arguments) != 1 || !st.Prompts[0].Arguments[0].Required {
		t.Errorf("prompts = %+v, want greet(name, required)", st.Prompts)
	}
	if !strings.Contains(st.Command, testserverPath) || !strings.Contains(st.Command, "TESTSERVER_CALLS=") {
		t.Errorf("Status.Command = %q, want the command line with its env", st.Command)
	}

	echo, err := f.m.Tool(ctx, "test", "echo")
	if err != nil {
		t.Fatalf("Tool(echo): %v", err)
	}
	if echo.Server != "test" || echo.Description != "Echoes its arguments." || echo.Hash != mcp.DefinitionHash("echo", echo.Description, echo.InputSchema) {
		t.Errorf("Tool(echo) = %+v", echo)
	}
	if !jsonEqual(t, echo.InputSchema, []byte(`{"type":"object","properties":{"text":{"type":"string"}}}`)) {
		t.Errorf("echo's input schema = %s, want what the server sent", echo.InputSchema)
	}
	if _, err := f.m.Tool(ctx, "test", "nope"); !errors.Is(err, mcp.ErrUnknownTool) || !strings.Contains(err.Error(), "echo") {
		t.Errorf("Tool(nope) = %v, want ErrUnknownTool listing the tools", err)
	}

	args := json.RawMessage(`{"text": "héllo \"world\"", "n": [1, 2.5, {"a": null}], "deep": {"x": true}}`)
	res, err := f.m.Call(ctx, "test", "echo", args)
	if err != nil {
		t.Fatalf("Call(echo): %v", err)
	}
	if res.IsError {
		t.Errorf("Call(echo): isError")
	}
	if !jsonEqual(t, []byte(res.Text), args) {
		t.Errorf("Call(echo).Text = %s, want the arguments %s", res.Text, args)
	}
	got := lines(f.calls)
	if len(got) != 1 || !jsonEqual(t, []byte(got[0]), args) {
		t.Errorf("the server received %q, want exactly the arguments %s", got, args)
	}
	var raw struct {
		Content []struct{ Type, Text string }
	}
	if err := json.Unmarshal(res.Raw, &raw); err != nil || len(raw.Content) != 1 || raw.Content[0].Type != "text" {
		t.Errorf("Result.Raw = %s (%v), want the CallToolResult with one text content", res.Raw, err)
	}

	if res, err := f.m.Call(ctx, "test", "echo", nil); err != nil || res.Text != "{}" {
		t.Errorf("Call(echo, no args) = %q, %v; want {}", res.Text, err)
	}
	if _, err := f.m.Call(ctx, "test", "echo", json.RawMessage(`[1]`)); err == nil || !strings.Contains(err.Error(), "JSON object") {
		t.Errorf("Call(echo, [1]) = %v, want an error asking for a JSON object", err)
	}
	log := f.m.Log("test")
	if !strings.Contains(log, "testserver: ready") || !strings.Contains(log, "started: testserver 1.2.3") {
		t.Errorf("Log(test) = %q, want the server's stderr and the Studio's start line", log)
	}
}

func TestToolErrorIsAResult(t *testing.T) {
	f := newFixture(t)
	res, err := f.m.Call(ctxFor(t), "test", "fail", nil)
	if err != nil {
		t.Fatalf("Call(fail) (starting the stopped server): %v", err)
	}
	if !res.IsError || res.Text != "the tool failed on purpose" {
		t.Errorf("Call(fail) = %+v, want isError with the tool's text", res)
	}
}

func TestResourceAndPrompt(t *testing.T) {
	f := newFixture(t)
	ctx := ctxFor(t)
	raw, err := f.m.ReadResource(ctx, "test", "test://hello")
	if err != nil {
		t.Fatalf("ReadResource: %v", err)
	}
	var rr struct {
		Contents []struct{ URI, Text string }
	}
	if err := json.Unmarshal(raw, &rr); err != nil || len(rr.Contents) != 1 || rr.Contents[0].Text != "hello, world" {
		t.Errorf("ReadResource = %s (%v), want hello, world", raw, err)
	}
	raw, err = f.m.GetPrompt(ctx, "test", "greet", map[string]string{"name": "Ada"})
	if err != nil {
		t.Fatalf("GetPrompt: %v", err)
	}
	if !strings.Contains(string(raw), "Hello, Ada!") {
		t.Errorf("GetPrompt = %s, want Hello, Ada!", raw)
	}
	if _, err := f.m.GetPrompt(ctx, "test", "nope", nil); err == nil {
		t.Error("GetPrompt(nope) succeeded")
	}
}

func TestListChangedUpdatesTheDefinition(t *testing.T) {
	f := newFixture(t)
	ctx := ctxFor(t)
	before, err := f.m.Tool(ctx, "test", "echo")
	if err != nil {
		t.Fatalf("Tool(echo): %v", err)
	}
	if _, err := f.m.Call(ctx, "test", "mutate", nil); err != nil {
		t.Fatalf("Call(mutate): %v", err)
	}
	var after mcp.Tool
	waitFor(t, "echo's new definition", func() bool {
		after, err = f.m.Tool(ctx, "test", "echo")
		return err == nil && after.Hash != before.Hash
	})
	if after.Description != "Echoes its arguments (changed 1 times)." {
		t.Errorf("echo's description after mutate = %q", after.Description)
	}
	if after.Hash != mcp.DefinitionHash("echo", after.Description, after.InputSchema) {
		t.Errorf("echo's hash %s is not DefinitionHash of its definition", after.Hash)
	}
	// Without a call: the server changes on its own (a file appears).
	if err := os.WriteFile(filepath.Join(f.dir, "mutate-test"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "echo's second definition", func() bool {
		t2, err := f.m.Tool(ctx, "test", "echo")
		return err == nil && t2.Description == "Echoes its arguments (changed 2 times)." && t2.Hash != after.Hash
	})
	st, _ := f.m.StatusOf("test")
	for _, tool := range st.Tools {
		if tool.Name == "echo" && tool.Description != "Echoes its arguments (changed 2 times)." {
			t.Errorf("Status shows echo as %q, want the new description", tool.Description)
		}
	}
}

func TestHangIsCancelledByContext(t *testing.T) {
	f := newFixture(t)
	if err := f.m.Start(ctxFor(t), "test"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := f.m.Call(ctx, "test", "hang", nil)
		done <- err
	}()
	waitFor(t, "the hang call to reach the server", func() bool { return strings.Contains(strings.Join(lines(f.events), "\n"), "hang started") })
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		t.Logf("Call(hang) returned %v after the cancel", time.Since(start))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Call(hang) after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Call(hang) did not return within 5 s of its context being cancelled")
	}
	waitFor(t, "the server to hear of the cancellation", func() bool {
		return strings.Contains(strings.Join(lines(f.events), "\n"), "hang cancelled")
	})
	if res, err := f.m.Call(ctxFor(t), "test", "echo", json.RawMessage(`{"after":"hang"}`)); err != nil || !strings.Contains(res.Text, "hang") {
		t.Errorf("Call(echo) after a cancelled call = %q, %v; want the server still serving", res.Text, err)
	}
}

func TestCrashMidCall(t *testing.T) {
	f := newFixture(t)
	ctx := ctxFor(t)
	if err := f.m.Start(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	drain(f.changes)
	_, err := f.m.Call(ctx, "test", "crash", nil)
	if !errors.Is(err, mcp.ErrCrashed) || !strings.Contains(err.Error(), "exited with status 3") || !strings.Contains(err.Error(), "crashing on purpose") {
		t.Fatalf("Call(crash) = %v, want ErrCrashed saying it exited with status 3 and its last stderr line", err)
	}
	st, _ := f.m.StatusOf("test")
	if st.State != mcp.StateCrashed || !strings.Contains(st.Error, "exited with status 3: panic: crashing on purpose") {
		t.Errorf("after the crash: state %q, error %q; want crashed, exited with status 3: panic: crashing on purpose", st.State, st.Error)
	}
	if len(st.Tools) != 0 {
		t.Errorf("a crashed server lists tools %v", toolNames(st.Tools))
	}
	if !sawChange(f.changes, "test") {
		t.Error("OnChange was not called for the crash")
	}
	if _, err := f.m.Tool(ctx, "test", "echo"); !errors.Is(err, mcp.ErrCrashed) || !strings.Contains(err.Error(), "restart") {
		t.Errorf("Tool on a crashed server = %v, want ErrCrashed saying it can be restarted", err)
	}
	if _, err := f.m.Call(ctx, "test", "echo", nil); !errors.Is(err, mcp.ErrCrashed) {
		t.Errorf("Call on a crashed server = %v, want ErrCrashed", err)
	}
	if log := f.m.Log("test"); !strings.Contains(log, "panic: crashing on purpose") || !strings.Contains(log, "exited with status 3") {
		t.Errorf("Log(test) = %q, want the stderr line and the exit", log)
	}

	if err := f.m.Restart(ctx, "test"); err != nil {
		t.Fatalf("Restart after the crash: %v", err)
	}
	st, _ = f.m.StatusOf("test")
	if st.State != mcp.StateRunning || st.Error != "" || st.Restarts != 1 {
		t.Errorf("after Restart: state %q, error %q, restarts %d; want running, no error, 1", st.State, st.Error, st.Restarts)
	}
	if res, err := f.m.Call(ctx, "test", "echo", json.RawMessage(`{"again":1}`)); err != nil || !jsonEqual(t, []byte(res.Text), []byte(`{"again":1}`)) {
		t.Errorf("Call(echo) after the restart = %q, %v", res.Text, err)
	}
}

func TestFailedStart(t *testing.T) {
	f := newFixture(t)
	f.m.Configure([]mcp.ServerConfig{f.config("broken", "-fail-start"), {Name: "missing", Command: filepath.Join(f.dir, "no-such-binary")}})
	ctx := ctxFor(t)
	err := f.m.Start(ctx, "broken")
	if err == nil || !strings.Contains(err.Error(), "exited with status 1") || !strings.Contains(err.Error(), "fatal: cannot start") {
		t.Errorf("Start(broken) = %v, want it to say it exited with status 1 and why", err)
	}
	if st, _ := f.m.StatusOf("broken"); st.State != mcp.StateCrashed || !strings.Contains(st.Error, "fatal: cannot start") {
		t.Errorf("StatusOf(broken) = %q %q, want crashed with the reason", st.State, st.Error)
	}
	if err := f.m.Start(ctx, "missing"); err == nil || !strings.Contains(err.Error(), "no-such-binary") {
		t.Errorf("Start(missing) = %v, want it to name the missing command", err)
	}
	if st, _ := f.m.StatusOf("missing"); st.State != mcp.StateCrashed {
		t.Errorf("StatusOf(missing) = %q, want crashed", st.State)
	}
	if err := f.m.Start(ctx, "nope"); !errors.Is(err, mcp.ErrUnknownServer) {
		t.Errorf("Start(nope) = %v, want ErrUnknownServer", err)
	}
}

func TestBigResultWhole(t *testing.T) {
	f := newFixture(t)
	res, err := f.m.Call(ctxFor(t), "test", "big", nil)
	if err != nil {
		t.Fatalf("Call(big): %v", err)
	}
	if len(res.Text) != 10<<20 {
		t.Errorf("Call(big).Text is %d bytes, want %d", len(res.Text), 10<<20)
	}
	var raw struct{ Content []struct{ Text string } }
	if err := json.Unmarshal(res.Raw, &raw); err != nil || len(raw.Content) != 1 || len(raw.Content[0].Text) != 10<<20 {
		t.Errorf("Call(big).Raw does not hold the whole 10 MB text (%v)", err)
	}
}

// pids lists the test server processes started with this fixture's env
// (unix only: read from ps).
func (f *fixture) pids(t *testing.T) []int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil || len(b) == 0 {
		t.Skip("no /proc: cannot list processes here")
	}
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue
		}
		if strings.Contains(string(env), "TESTSERVER_CALLS="+f.calls+"\x00") {
			pids = append(pids, pid)
		}
	}
	return pids
}

func TestStopAndStartAgain(t *testing.T) {
	f := newFixture(t)
	ctx := ctxFor(t)
	if err := f.m.Start(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	pids := f.pids(t)
	if len(pids) != 1 {
		t.Fatalf("running test servers: %v, want one", pids)
	}
	if err := f.m.Stop("test"); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if processAlive(pids[0]) {
		t.Errorf("the server (pid %d) is still alive after Stop", pids[0])
	}
	if st, _ := f.m.StatusOf("test"); st.State != mcp.StateStopped || len(st.Tools) != 0 || st.Error != "" {
		t.Errorf("after Stop: %+v, want stopped with no tools", st)
	}
	if err := f.m.Stop("test"); err != nil {
		t.Errorf("Stop of a stopped server: %v", err)
	}
	// Tool starts a stopped server.
	if _, err := f.m.Tool(ctx, "test", "echo"); err != nil {
		t.Fatalf("Tool after Stop: %v", err)
	}
	if st, _ := f.m.StatusOf("test"); st.State != mcp.StateRunning || st.Restarts != 1 {
		t.Errorf("after Tool: state %q restarts %d, want running 1", st.State, st.Restarts)
	}
}

func TestCloseLeavesNoProcess(t *testing.T) {
	f := newFixture(t)
	f.m.Configure([]mcp.ServerConfig{f.config("a"), f.config("b")})
	ctx := ctxFor(t)
	for _, name := range []string{"a", "b"} {
		if err := f.m.Start(ctx, name); err != nil {
			t.Fatalf("Start(%s): %v", name, err)
		}
	}
	pids := f.pids(t)
	if len(pids) != 2 {
		t.Fatalf("running test servers: %v, want two", pids)
	}
	done := make(chan error, 1)
	go func() {
		_, err := f.m.Call(context.Background(), "a", "hang", nil)
		done <- err
	}()
	waitFor(t, "the hang call", func() bool { return strings.Contains(strings.Join(lines(f.events), "\n"), "hang started") })
	f.m.Close()
	for _, pid := range pids {
		if processAlive(pid) {
			t.Errorf("server pid %d is alive after Close", pid)
		}
	}
	select {
	case err := <-done:
		if !errors.Is(err, mcp.ErrStopped) {
			t.Errorf("a call in flight during Close = %v, want ErrStopped", err)
		}
	case <-time.After(guard):
		t.Fatal("a call in flight during Close never returned")
	}
	if err := f.m.Start(ctx, "a"); !errors.Is(err, mcp.ErrClosed) {
		t.Errorf("Start after Close = %v, want ErrClosed", err)
	}
}

func TestConfigure(t *testing.T) {
	f := newFixture(t)
	f.m.Configure([]mcp.ServerConfig{f.config("keep"), f.config("change"), f.config("remove"), f.config("off")})
	ctx := ctxFor(t)
	for _, name := range []string{"keep", "change", "remove"} {
		if err := f.m.Start(ctx, name); err != nil {
			t.Fatalf("Start(%s): %v", name, err)
		}
	}
	keep, _ := f.m.StatusOf("keep")

	changed := f.config("change", "-big-bytes", "10")
	keepCfg := f.config("keep")
	keepCfg.DisabledTools = []string{"crash"}
	off := f.config("off")
	off.Disabled = true
	f.m.Configure([]mcp.ServerConfig{changed, keepCfg, off})

	names := []string{}
	for _, st := range f.m.Status() {
		names = append(names, st.Name)
	}
	if !reflect.DeepEqual(names, []string{"change", "keep", "off"}) {
		t.Errorf("Status names = %v, want change keep off", names)
	}
	if _, ok := f.m.StatusOf("remove"); ok {
		t.Error("a removed server is still listed")
	}
	if st, _ := f.m.StatusOf("change"); st.State != mcp.StateStopped || !strings.Contains(st.Command, "-big-bytes") {
		t.Errorf("a changed server: state %q command %q, want stopped with the new command", st.State, st.Command)
	}
	st, _ := f.m.StatusOf("keep")
	if st.State != mcp.StateRunning || st.StartedAt != keep.StartedAt {
		t.Errorf("an unchanged server: state %q startedAt %d (was %d), want it still running", st.State, st.StartedAt, keep.StartedAt)
	}
	crash, err := f.m.Tool(ctx, "keep", "crash")
	if err != nil || !crash.Disabled {
		t.Errorf("Tool(keep, crash) = %+v, %v; want it marked disabled", crash, err)
	}
	if echo, _ := f.m.Tool(ctx, "keep", "echo"); echo.Disabled {
		t.Error("echo is marked disabled")
	}
	if pids := f.pids(t); len(pids) != 1 {
		t.Errorf("running test servers after Configure: %v, want only keep's", pids)
	}
	if err := f.m.Start(ctx, "off"); !errors.Is(err, mcp.ErrDisabled) {
		t.Errorf("Start(off) = %v, want ErrDisabled", err)
	}
	if res, err := f.m.Call(ctx, "change", "big", nil); err != nil || res.Text != "xxxxxxxxxx" {
		t.Errorf("Call(change, big) with the new args = %q, %v; want its 10 bytes", res.Text, err)
	}
}

func TestConcurrentCalls(t *testing.T) {
	f := newFixture(t)
	ctx := ctxFor(t)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := range 8 {
		wg.Go(func() {
			for i := range 10 {
				args := fmt.Sprintf(`{"g":%d,"i":%d}`, g, i)
				res, err := f.m.Call(ctx, "test", "echo", json.RawMessage(args))
				if err != nil {
					errs <- err
					return
				}
				var got map[string]int
				if err := json.Unmarshal([]byte(res.Text), &got); err != nil || got["g"] != g || got["i"] != i {
					errs <- fmt.Errorf("call %s answered %s", args, res.Text)
				}
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			f.m.Status()
			f.m.Log("test")
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(lines(f.calls)); n != 80 {
		t.Errorf("the server received %d calls, want 80", n)
	}
}

func TestLogIsBounded(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs /bin/sh")
	}
	dir := t.TempDir()
	m := mcp.NewManager(mcp.Options{Launch: mcp.ExecLauncher(dir, nil), LogBytes: 200})
	t.Cleanup(m.Close)
	script := filepath.Join(dir, "noisy.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nfor i in $(seq 1 100); do echo \"line $i\" >&2; done\necho 'last words' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	m.Configure([]mcp.ServerConfig{{Name: "noisy", Command: script}})
	err := m.Start(ctxFor(t), "noisy")
	if err == nil || !strings.Contains(err.Error(), "last words") {
		t.Errorf("Start(noisy) = %v, want its last stderr line", err)
	}
	log := m.Log("noisy")
	if len(log) > 300 || strings.Contains(log, "line 1\n") || !strings.Contains(log, "older output dropped") {
		t.Errorf("Log(noisy) is %d bytes:\n%s\nwant at most the last 200 bytes, marked as trimmed", len(log), log)
	}
}

func drain(c chan string) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}

// sawChange waits (a while: OnChange is called after the state is set,
// not under the caller's feet) for a change of name.
func sawChange(c chan string, name string) bool {
	deadline := time.After(5 * time.Second)
	for {
		select {
		case got := <-c:
			if got == name {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

func TestCloseLeavesNoGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	f := newFixture(t)
	ctx := ctxFor(t)
	if _, err := f.m.Call(ctx, "test", "echo", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.Call(ctx, "test", "mutate", nil); err != nil {
		t.Fatal(err)
	}
	callCtx, cancel := context.WithCancel(ctx)
	cancel()
	_, _ = f.m.Call(callCtx, "test", "hang", nil)
	if _, err := f.m.Call(ctx, "test", "crash", nil); !errors.Is(err, mcp.ErrCrashed) {
		t.Fatalf("Call(crash) = %v", err)
	}
	if err := f.m.Restart(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	f.m.Close()
	var now int
	deadline := time.Now().Add(guard)
	for now = runtime.NumGoroutine(); now > before && time.Now().Before(deadline); now = runtime.NumGoroutine() {
		time.Sleep(20 * time.Millisecond)
	}
	if now > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before, %d after Close:\n%s", before, now, buf[:runtime.Stack(buf, true)])
	}
}
