package studio_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/mcp"
	"github.com/ice-studio/ice-studio/backend/ollama"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// fakeOllama is an Ollama that answers its version (the Studio polls it).
func fakeOllama(tb testing.TB) *ollama.Provider {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"version":"9.9.9"}`)) }))
	tb.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return ollama.New(u, nil)
}

func contextWithTimeout(tb testing.TB) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 20*time.Second)
}

func mustOK(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func mcpServer(t *testing.T, st studio.MCPState, name string) studio.MCPServerView {
	t.Helper()
	for _, v := range st.Servers {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no server %q in %+v", name, st.Servers)
	return studio.MCPServerView{}
}

func mcpEvents(t *testing.T, s *studio.Studio, typ string) []studio.EventDetail {
	t.Helper()
	page, err := s.ListEvents(studio.ListEventsRequest{Filter: studio.EventFilter{Type: typ}, Limit: 1000})
	mustOK(t, err)
	var out []studio.EventDetail
	for _, r := range page.Rows {
		d, err := s.GetEvent(studio.GetEventRequest{Seq: r.Seq})
		mustOK(t, err)
		out = append(out, d)
	}
	return out
}

// TestMCPConfigSources: the global servers (settings.json), a workspace's
// (its file in the data folder) and the project's .mcp.json are merged —
// the workspace's win over the global ones, a project server shadowed by
// either is left out and said so — and nothing is written in the project.
func TestMCPConfigSources(t *testing.T) {
	data := t.TempDir()
	s := MustOpen(t, studio.Config{DataDir: data, MCPLauncher: studio.ExecMCPLauncher})
	dir := project(t)
	mustOK(t, os.WriteFile(filepath.Join(dir, ".mcp.json"), []byte(`{"mcpServers":{
		"shared":{"command":"project-shared"},
		"proj":{"command":"project-only","args":["--x"]}}}`), 0o644))
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: dir})
	mustOK(t, err)
	_, err = s.ImportMCPServers(studio.ImportMCPRequest{WorkspaceID: ws.ID, Scope: studio.MCPScopeGlobal,
		JSON: `{"mcpServers":{"shared":{"command":"global-shared","disabled":true},"gonly":{"command":"global-only","disabled":true}}}`})
	mustOK(t, err)
	st, err := s.ImportMCPServers(studio.ImportMCPRequest{WorkspaceID: ws.ID, Scope: studio.MCPScopeWorkspace,
		JSON: `{"shared":{"command":"workspace-shared","disabled":true}}`})
	mustOK(t, err)

	var got []string
	for _, v := range st.Servers {
		got = append(got, fmt.Sprintf("%s:%s:%s:%t", v.Name, v.Source, v.Command, v.Trusted))
	}
	want := []string{"gonly:global:global-only:true", "proj:project:project-only --x:false", "shared:workspace:workspace-shared:true"}
	if !slices.Equal(got, want) {
		t.Errorf("servers %q, want %q", got, want)
	}
	if len(st.Problems) != 1 || !strings.Contains(st.Problems[0], `"shared"`) || !strings.Contains(st.Problems[0], "workspace") {
		t.Errorf("problems %q, want one saying the project's shared is ignored for the workspace's", st.Problems)
	}

	settings, err := os.ReadFile(filepath.Join(data, "settings.json"))
	mustOK(t, err)
	if !strings.Contains(string(settings), "global-shared") || strings.Contains(string(settings), "workspace-shared") {
		t.Errorf("settings.json holds the wrong servers:\n%s", settings)
	}
	wsFile := filepath.Join(data, "mcp", ws.ID+".json")
	b, err := os.ReadFile(wsFile)
	mustOK(t, err)
	if !strings.Contains(string(b), "workspace-shared") {
		t.Errorf("%s does not hold the workspace's server:\n%s", wsFile, b)
	}
	for _, p := range []string{wsFile, filepath.Join(data, "settings.json")} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600 (it may hold tokens)", p, fi.Mode().Perm(), err)
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{".mcp.json", "src"}) {
		t.Errorf("the project folder holds %v: the Studio wrote in it", names)
	}

	// Another workspace has the global servers and its project's, not the first one's.
	other, err := s.OpenFolder(studio.OpenFolderRequest{Path: project(t)})
	mustOK(t, err)
	st2, err := s.MCPState(studio.WorkspaceRequest{WorkspaceID: other.ID})
	mustOK(t, err)
	got = nil
	for _, v := range st2.Servers {
		got = append(got, v.Name+":"+v.Source+":"+v.Command)
	}
	if want := []string{"gonly:global:global-only", "shared:global:global-shared"}; !slices.Equal(got, want) {
		t.Errorf("other workspace: %q, want %q", got, want)
	}

	// Removing the workspace's server uncovers the global one; the project's stays shadowed.
	st, err = s.RemoveMCPServer(studio.MCPServerRequest{WorkspaceID: ws.ID, Name: "shared"})
	mustOK(t, err)
	if v := mcpServer(t, st, "shared"); v.Source != studio.MCPScopeGlobal {
		t.Errorf("after removing the workspace's shared: source %s, want global", v.Source)
	}
	if _, err := s.RemoveMCPServer(studio.MCPServerRequest{WorkspaceID: ws.ID, Name: "proj"}); err == nil || !strings.Contains(err.Error(), ".mcp.json") {
		t.Errorf("removing a project server: %v, want an error naming .mcp.json", err)
	}
	var changes []string
	for _, e := range mcpEvents(t, s, "mcp.config_changed") {
		var p studio.MCPConfigChangedPayload
		mustOK(t, json.Unmarshal([]byte(e.Payload), &p))
		changes = append(changes, p.Scope+": "+p.Change)
		if e.Origin != "user" {
			t.Errorf("mcp.config_changed by %s, want the user", e.Origin)
		}
	}
	if want := []string{"global: import gonly, shared", "workspace: import shared", "workspace: remove shared"}; !slices.Equal(changes, want) {
		t.Errorf("recorded changes %q, want %q", changes, want)
	}
}

// TestMCPImportClaudeDesktopConfig: a pasted Claude Desktop config is
// imported whole; its tokens (headers, environment values, a URL's
// password) are kept in the data folder but appear nowhere in the event
// log, and a bad config is refused with the server it is about.
func TestMCPImportClaudeDesktopConfig(t *testing.T) {
	data := t.TempDir()
	s := studio.New(studio.Config{DataDir: data, MCPLauncher: studio.ExecMCPLauncher, Ollama: fakeOllama(t)})
	mustOK(t, s.Open(t.Context()))
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: project(t)})
	mustOK(t, err)
	const pasted = `{
	  "mcpServers": {
	    "github": {
	      "command": "/nonexistent/github-mcp-server",
	      "args": ["stdio"],
	      "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_SECRET1111"}
	    },
	    "remote": {
	      "type": "http",
	      "url": "https://user:SECRET2222@mcp.example.com/mcp?key=SECRET3333",
	      "headers": {"Authorization": "Bearer SECRET4444"}
	    }
	  }
	}`
	st, err := s.ImportMCPServers(studio.ImportMCPRequest{WorkspaceID: ws.ID, Scope: studio.MCPScopeGlobal, JSON: pasted})
	mustOK(t, err)
	gh, remote := mcpServer(t, st, "github"), mcpServer(t, st, "remote")
	if gh.Type != mcp.KindStdio || !strings.Contains(gh.Command, "/nonexistent/github-mcp-server stdio") || gh.Source != studio.MCPScopeGlobal || !gh.Trusted {
		t.Errorf("github = %+v", gh)
	}
	if remote.Type != mcp.KindHTTP || !remote.HasHeaders || gh.HasHeaders {
		t.Errorf("remote: type %s hasHeaders %t (github %t): want http with a token", remote.Type, remote.HasHeaders, gh.HasHeaders)
	}
	// The servers try to start (and fail): their state changes are recorded too.
	studio.WaitMCP(t, s, ws.ID, "github", func(v studio.MCPServerView) bool { return v.State == mcp.StateCrashed })
	studio.WaitMCP(t, s, ws.ID, "remote", func(v studio.MCPServerView) bool { return v.State == mcp.StateCrashed })
	if len(mcpEvents(t, s, "mcp.server_crashed")) != 2 {
		t.Errorf("want an mcp.server_crashed event for each server that failed to start")
	}
	secrets := []string{"SECRET1111", "SECRET2222", "SECRET3333", "SECRET4444"}
	st, err = s.MCPState(studio.WorkspaceRequest{WorkspaceID: ws.ID})
	mustOK(t, err)
	shown, _ := json.Marshal(st)
	for _, name := range []string{"github", "remote"} {
		log, err := s.MCPServerLog(studio.MCPServerRequest{WorkspaceID: ws.ID, Name: name})
		mustOK(t, err)
		shown = append(shown, log...)
	}
	for _, secret := range secrets {
		if bytes.Contains(shown, []byte(secret)) {
			t.Errorf("the MCP panel is shown the token %s:\n%s", secret, shown)
		}
	}
	_, err = s.ImportMCPServers(studio.ImportMCPRequest{WorkspaceID: ws.ID, Scope: studio.MCPScopeWorkspace, JSON: `{"mcpServers":{"x":{"args":["a"]}}}`})
	if err == nil || !strings.Contains(err.Error(), `server "x": needs a command or a url`) {
		t.Errorf("bad config: %v, want the server named and what it needs", err)
	}
	if _, err := s.ImportMCPServers(studio.ImportMCPRequest{WorkspaceID: ws.ID, Scope: "project", JSON: pasted}); err == nil {
		t.Errorf("importing into the project's .mcp.json: no error")
	}
	ctx, cancel := contextWithTimeout(t)
	defer cancel()
	mustOK(t, s.Close(ctx))

	settings, err := os.ReadFile(filepath.Join(data, "settings.json"))
	mustOK(t, err)
	if !strings.Contains(string(settings), "SECRET4444") {
		t.Errorf("settings.json lost the token: the server could not be reached:\n%s", settings)
	}
	logs, _ := filepath.Glob(filepath.Join(data, "events.db*"))
	if len(logs) == 0 {
		t.Fatalf("no event log files in %s", data)
	}
	for _, p := range logs {
		b, err := os.ReadFile(p)
		mustOK(t, err)
		for _, secret := range secrets {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds the token %s", filepath.Base(p), secret)
			}
		}
	}
}

// TestMCPProjectServerNeedsApproval: a project's .mcp.json server starts
// nothing until the user approves its exact command line (an event by the
// user); a changed command line is untrusted again.
func TestMCPProjectServerNeedsApproval(t *testing.T) {
	s := MustOpen(t, studio.Config{MCPLauncher: studio.ExecMCPLauncher})
	dir := project(t)
	marks := t.TempDir()
	marker, control := filepath.Join(marks, "project-started"), filepath.Join(marks, "control-started")
	mcpJSON := func(file string) []byte {
		return fmt.Appendf(nil, `{"mcpServers":{"evil":{"command":"sh","args":["-c","touch %s"]}}}`, file)
	}
	mustOK(t, os.WriteFile(filepath.Join(dir, ".mcp.json"), mcpJSON(marker), 0o644))
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: dir})
	mustOK(t, err)
	// A server of the user's own starts at once: once it did, an
	// untrusted one would have too.
	_, err = s.ImportMCPServers(studio.ImportMCPRequest{WorkspaceID: ws.ID, Scope: studio.MCPScopeWorkspace,
		JSON: fmt.Sprintf(`{"control":{"command":"sh","args":["-c","touch %s"]}}`, control)})
	mustOK(t, err)
	studio.WaitMCP(t, s, ws.ID, "control", func(v studio.MCPServerView) bool { return v.State == mcp.StateCrashed })
	if _, err := os.Stat(control); err != nil {
		t.Fatalf("the user's own server did not start: %v", err)
	}
	st, err := s.MCPState(studio.WorkspaceRequest{WorkspaceID: ws.ID})
	mustOK(t, err)
	evil := mcpServer(t, st, "evil")
	if evil.Trusted || evil.State != mcp.StateStopped || evil.Source != studio.MCPScopeProject {
		t.Errorf("untrusted project server: %+v, want stopped and not trusted", evil)
	}
	if want := "sh -c 'touch " + marker + "'"; evil.Command != want {
		t.Errorf("command shown %q, want the exact line %q", evil.Command, want)
	}
	if _, err := s.StartMCPServer(studio.MCPServerRequest{WorkspaceID: ws.ID, Name: "evil"}); !errors.Is(err, studio.ErrMCPUntrusted) {
		t.Errorf("StartMCPServer before approval: %v, want ErrMCPUntrusted", err)
	}
	if _, err := s.RestartMCPServer(studio.MCPServerRequest{WorkspaceID: ws.ID, Name: "evil"}); !errors.Is(err, studio.ErrMCPUntrusted) {
		t.Errorf("RestartMCPServer before approval: %v, want ErrMCPUntrusted", err)
	}
	if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the project's server ran before approval (marker: %v)", err)
	}
	if len(mcpEvents(t, s, "mcp.server_approved")) != 0 {
		t.Fatalf("an approval was recorded before the user approved")
	}

	// The user saw another command line: refused.
	if _, err := s.ApproveMCPServer(studio.MCPServerRequest{WorkspaceID: ws.ID, Name: "evil", Fingerprint: strings.Repeat("0", 64)}); !errors.Is(err, studio.ErrMCPChanged) {
		t.Errorf("approval with a stale fingerprint: %v, want ErrMCPChanged", err)
	}
	st, err = s.ApproveMCPServer(studio.MCPServerRequest{WorkspaceID: ws.ID, Name: "evil", Fingerprint: evil.Fingerprint})
	mustOK(t, err)
	if v := mcpServer(t, st, "evil"); !v.Trusted {
		t.Errorf("after approval: not trusted")
	}
	studio.WaitMCP(t, s, ws.ID, "evil", func(v studio.MCPServerView) bool { return v.State == mcp.StateCrashed })
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("approved, the server did not start: %v", err)
	}
	approvals := mcpEvents(t, s, "mcp.server_approved")
	if len(approvals) != 1 {
		t.Fatalf("%d approvals recorded, want 1", len(approvals))
	}
	var p studio.MCPServerApprovedPayload
	mustOK(t, json.Unmarshal([]byte(approvals[0].Payload), &p))
	if a := approvals[0]; a.Origin != "user" || a.Workspace != ws.ID || a.Stream != "capability/"+ws.ID || p.Server != "evil" || p.Fingerprint != evil.Fingerprint || p.CommandLine != evil.Command {
		t.Errorf("approval event %+v, payload %+v", a, p)
	}
	// Approving again records nothing more.
	_, err = s.ApproveMCPServer(studio.MCPServerRequest{WorkspaceID: ws.ID, Name: "evil", Fingerprint: evil.Fingerprint})
	mustOK(t, err)
	if n := len(mcpEvents(t, s, "mcp.server_approved")); n != 1 {
		t.Errorf("a second approval of the same line recorded %d events, want still 1", n)
	}

	// The project changes the command: untrusted again, and not started.
	mustOK(t, os.Remove(marker))
	other := filepath.Join(marks, "changed-started")
	mustOK(t, os.WriteFile(filepath.Join(dir, ".mcp.json"), mcpJSON(other), 0o644))
	st, err = s.MCPState(studio.WorkspaceRequest{WorkspaceID: ws.ID})
	mustOK(t, err)
	if v := mcpServer(t, st, "evil"); v.Trusted || v.State != mcp.StateStopped || v.Fingerprint == evil.Fingerprint {
		t.Errorf("after .mcp.json changed: %+v, want untrusted, stopped, another fingerprint", v)
	}
	if _, err := s.StartMCPServer(studio.MCPServerRequest{WorkspaceID: ws.ID, Name: "evil"}); !errors.Is(err, studio.ErrMCPUntrusted) {
		t.Errorf("StartMCPServer after the change: %v, want ErrMCPUntrusted", err)
	}
	for _, f := range []string{marker, other} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the changed project server ran (%s: %v)", filepath.Base(f), err)
		}
	}

	// Reopened, the workspace folds the approval from the log: the
	// approved line is trusted again.
	mustOK(t, s.CloseWorkspace(studio.WorkspaceRequest{WorkspaceID: ws.ID}))
	mustOK(t, os.WriteFile(filepath.Join(dir, ".mcp.json"), mcpJSON(marker), 0o644))
	ws, err = s.OpenFolder(studio.OpenFolderRequest{Path: dir})
	mustOK(t, err)
	st, err = s.MCPState(studio.WorkspaceRequest{WorkspaceID: ws.ID})
	mustOK(t, err)
	if v := mcpServer(t, st, "evil"); !v.Trusted || v.Fingerprint != evil.Fingerprint {
		t.Errorf("the approved line again after reopening: %+v, want trusted", v)
	}
}

// TestMCPRealServerLifecycle: the scripted server is started, listed,
// stopped and restarted, each state change recorded, its log kept.
func TestMCPRealServerLifecycle(t *testing.T) {
	s := MustOpen(t, studio.Config{MCPLauncher: studio.ExecMCPLauncher})
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: project(t)})
	mustOK(t, err)
	_, err = s.ImportMCPServers(studio.ImportMCPRequest{WorkspaceID: ws.ID, Scope: studio.MCPScopeWorkspace,
		JSON: fmt.Sprintf(`{"mcpServers":{"ts":{"command":%q}}}`, studio.MCPTestServer(t))})
	mustOK(t, err)
	v := studio.WaitMCP(t, s, ws.ID, "ts", func(v studio.MCPServerView) bool { return v.State == mcp.StateRunning })
	if v.ServerName != "testserver" || len(v.Tools) == 0 || len(v.Resources) != 1 || len(v.Prompts) != 1 || len(v.Pins) != len(v.Tools) {
		t.Errorf("running server: %+v", v)
	}
	for _, p := range v.Pins {
		if p.Pinned != "" || p.Current == "" || p.Changed {
			t.Errorf("pin of a tool never allowed: %+v", p)
		}
	}
	st, err := s.StopMCPServer(studio.MCPServerRequest{WorkspaceID: ws.ID, Name: "ts"})
	mustOK(t, err)
	if v := mcpServer(t, st, "ts"); v.State != mcp.StateStopped || len(v.Tools) != 0 {
		t.Errorf("stopped server: %s with %d tools", v.State, len(v.Tools))
	}
	st, err = s.StartMCPServer(studio.MCPServerRequest{WorkspaceID: ws.ID, Name: "ts"})
	mustOK(t, err)
	if v := mcpServer(t, st, "ts"); v.State != mcp.StateRunning {
		t.Errorf("StartMCPServer: %s, want running", v.State)
	}
	st, err = s.RestartMCPServer(studio.MCPServerRequest{WorkspaceID: ws.ID, Name: "ts"})
	mustOK(t, err)
	if v := mcpServer(t, st, "ts"); v.State != mcp.StateRunning || v.Restarts != 2 {
		t.Errorf("RestartMCPServer: %s, restarts %d; want running, 2", v.State, v.Restarts)
	}
	log, err := s.MCPServerLog(studio.MCPServerRequest{WorkspaceID: ws.ID, Name: "ts"})
	mustOK(t, err)
	if !strings.Contains(log, "testserver: ready") {
		t.Errorf("server log lacks its stderr:\n%s", log)
	}
	mustOK(t, s.CloseWorkspace(studio.WorkspaceRequest{WorkspaceID: ws.ID}))
	var reasons []string
	for _, e := range mcpEvents(t, s, "mcp.server_stopped") {
		var p studio.MCPServerStoppedPayload
		mustOK(t, json.Unmarshal([]byte(e.Payload), &p))
		reasons = append(reasons, p.Reason)
	}
	if want := []string{"stopped by the user", "restarted by the user", "the workspace closed"}; !slices.Equal(reasons, want) {
		t.Errorf("stop reasons %q, want %q", reasons, want)
	}
	if n := len(mcpEvents(t, s, "mcp.server_started")); n != 3 {
		t.Errorf("%d mcp.server_started events, want 3", n)
	}
	if _, err := s.MCPState(studio.WorkspaceRequest{WorkspaceID: ws.ID}); !errors.Is(err, studio.ErrUnknownWorkspace) {
		t.Errorf("MCPState of a closed workspace: %v", err)
	}
}

// TestMCPEditedProjectFileStopsItsServer: an approved project server runs;
// when the project's .mcp.json changes its command line, the watcher's
// reload stops it (recorded, with why) and it is untrusted again.
func TestMCPEditedProjectFileStopsItsServer(t *testing.T) {
	s := MustOpen(t, studio.Config{MCPLauncher: studio.ExecMCPLauncher})
	dir := project(t)
	file := filepath.Join(dir, ".mcp.json")
	mustOK(t, os.WriteFile(file, fmt.Appendf(nil, `{"mcpServers":{"ts":{"command":%q}}}`, studio.MCPTestServer(t)), 0o644))
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: dir})
	mustOK(t, err)
	st, err := s.MCPState(studio.WorkspaceRequest{WorkspaceID: ws.ID})
	mustOK(t, err)
	_, err = s.ApproveMCPServer(studio.MCPServerRequest{WorkspaceID: ws.ID, Name: "ts", Fingerprint: mcpServer(t, st, "ts").Fingerprint})
	mustOK(t, err)
	studio.WaitMCP(t, s, ws.ID, "ts", func(v studio.MCPServerView) bool { return v.State == mcp.StateRunning })

	mustOK(t, os.WriteFile(file, fmt.Appendf(nil, `{"mcpServers":{"ts":{"command":%q,"args":["-big-bytes","100"]}}}`, studio.MCPTestServer(t)), 0o644))
	// Only the watcher reloads here: MCPState (which reloads too) is not called until the stop is recorded.
	deadline := time.Now().Add(60 * time.Second)
	var reason string
	for reason == "" {
		for _, e := range mcpEvents(t, s, "mcp.server_stopped") {
			var p studio.MCPServerStoppedPayload
			mustOK(t, json.Unmarshal([]byte(e.Payload), &p))
			reason = p.Reason
		}
		if time.Now().After(deadline) {
			t.Fatal("the server kept running after its .mcp.json changed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if reason != "its command line changed and is not approved" {
		t.Errorf("stopped because %q", reason)
	}
	st, err = s.MCPState(studio.WorkspaceRequest{WorkspaceID: ws.ID})
	mustOK(t, err)
	if v := mcpServer(t, st, "ts"); v.Trusted || v.State != mcp.StateStopped || !strings.Contains(v.Command, "-big-bytes 100") {
		t.Errorf("after the edit: %+v, want the new line, untrusted and stopped", v)
	}
}
