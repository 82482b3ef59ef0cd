package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/cli"
	"github.com/ice-studio/ice-studio/backend/mcp"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// TestMCPVerb: `ice-studio mcp` lists a folder's servers, approves its
// .mcp.json server (an event by the user the Studio then trusts), imports
// and removes servers, and leaves the log verifiable.
func TestMCPVerb(t *testing.T) {
	data, dir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".mcp.json"), []byte(`{"mcpServers":{"proj":{"command":"true","args":["x y"]}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	newStudio := func() *studio.Studio {
		s := studio.New(studio.Config{DataDir: data, PollInterval: time.Hour,
			MCPLauncher: func(string) mcp.Launcher { return mcp.ExecLauncher("", nil) }})
		if err := s.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := newStudio()
	if _, err := s.OpenFolder(studio.OpenFolderRequest{Path: dir}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	code, out, errs := runVerb(cli.MCP, data, "list", "--workspace", dir)
	if code != cli.ExitOK || !strings.Contains(out, "proj") || !strings.Contains(out, "NOT APPROVED") || !strings.Contains(out, "true 'x y'") {
		t.Fatalf("mcp list = %d %q %q; want proj not approved with its command line", code, out, errs)
	}
	if code, _, errs := runVerb(cli.MCP, data, "approve", "proj", "--fingerprint", "0000", "--workspace", dir); code != cli.ExitFailed || !strings.Contains(errs, "changed") {
		t.Errorf("mcp approve with another fingerprint = %d %q; want refused", code, errs)
	}
	code, out, errs = runVerb(cli.MCP, data, "approve", "proj", "--workspace", dir)
	if code != cli.ExitOK || !strings.Contains(out, "approved proj: true 'x y'") {
		t.Fatalf("mcp approve = %d %q %q", code, out, errs)
	}
	if _, out, _ := runVerb(cli.MCP, data, "list", "--workspace", dir); strings.Contains(out, "NOT APPROVED") {
		t.Errorf("after approval, list still says:\n%s", out)
	}
	conf := filepath.Join(t.TempDir(), "claude.json")
	if err := os.WriteFile(conf, []byte(`{"mcpServers":{"fs":{"command":"npx","args":["-y","@modelcontextprotocol/server-filesystem","/tmp"],"disabled":true}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runVerb(cli.MCP, data, "import", conf, "--global", "--workspace", dir); code != cli.ExitOK || !strings.Contains(out, "imported fs for every workspace") {
		t.Fatalf("mcp import --global = %d %q %q", code, out, errs)
	}
	if _, out, _ := runVerb(cli.MCP, data, "list", "--workspace", dir); !strings.Contains(out, "fs") || !strings.Contains(out, "global") {
		t.Errorf("list after import lacks the global server:\n%s", out)
	}
	if code, _, errs := runVerb(cli.MCP, data, "remove", "proj", "--workspace", dir); code != cli.ExitFailed || !strings.Contains(errs, ".mcp.json") {
		t.Errorf("mcp remove of a project server = %d %q; want refused, naming .mcp.json", code, errs)
	}
	if code, out, errs := runVerb(cli.MCP, data, "remove", "fs", "--workspace", dir); code != cli.ExitOK || !strings.Contains(out, "removed fs") {
		t.Errorf("mcp remove fs = %d %q %q", code, out, errs)
	}
	if code, out, _ := runVerb(cli.Verify, data); code != cli.ExitOK {
		t.Errorf("verify after the mcp verbs = %d %q", code, out)
	}
	if code, _, errs := runVerb(cli.MCP, data, "approve", "proj", "--workspace", t.TempDir()); code != cli.ExitFailed || !strings.Contains(errs, "no server") {
		t.Errorf("approve in a folder without it = %d %q", code, errs)
	}
	if code, _, _ := runVerb(cli.MCP, data, "frobnicate"); code != cli.ExitUsage {
		t.Errorf("unknown mcp command = %d, want usage", code)
	}

	// The Studio trusts what the CLI approved.
	s = newStudio()
	defer s.Close(context.Background())
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.MCPState(studio.WorkspaceRequest{WorkspaceID: ws.ID})
	if err != nil || len(st.Servers) != 1 || !st.Servers[0].Trusted {
		t.Fatalf("the Studio after the CLI's approval: %+v, %v; want proj trusted", st.Servers, err)
	}
}
