package mcp_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// testserverPath is the scripted server, built once per test binary.
var testserverPath string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "mcp-testserver-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	name := "testserver"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	testserverPath = filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", testserverPath, "github.com/ice-studio/ice-studio/backend/mcp/internal/testserver")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build the MCP test server:", err)
		return 1
	}
	return m.Run()
}
