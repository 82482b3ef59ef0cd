package studio

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ice-studio/ice-studio/backend/mcp"
)

// The global MCP servers: the mcpServers key of settings.json.

// studioGlobal keeps the global servers in the running Studio's settings.
type studioGlobal struct{ s *Studio }

func (g studioGlobal) load() ([]mcp.ServerConfig, error) {
	g.s.prefs.mu.Lock()
	defer g.s.prefs.mu.Unlock()
	return serversOf(g.s.prefs.raw[SetMCPServers])
}

func (g studioGlobal) update(change func([]mcp.ServerConfig) ([]mcp.ServerConfig, error)) error {
	s := g.s
	s.prefs.mu.Lock()
	defer s.prefs.mu.Unlock()
	have, err := serversOf(s.prefs.raw[SetMCPServers])
	if err != nil {
		return fmt.Errorf("the MCP servers in settings.json cannot be read (fix them in the file): %w", err)
	}
	servers, err := change(have)
	if err != nil {
		return err
	}
	next, err := withServers(s.prefs.raw, servers)
	if err != nil {
		return err
	}
	if err := s.writeSettings(next); err != nil {
		return err
	}
	s.prefs.raw = next
	return nil
}

// fileGlobal keeps the global servers in settings.json read and written
// directly (the CLI, with no Studio running in this process).
type fileGlobal struct{ path string }

func (g fileGlobal) read() (map[string]json.RawMessage, error) {
	raw := map[string]json.RawMessage{}
	b, err := os.ReadFile(g.path)
	if errors.Is(err, os.ErrNotExist) {
		return raw, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		return nil, fmt.Errorf("%s is not a JSON object (start the Studio once: it sets a bad file aside)", g.path)
	}
	return raw, nil
}

func (g fileGlobal) load() ([]mcp.ServerConfig, error) {
	raw, err := g.read()
	if err != nil {
		return nil, err
	}
	return serversOf(raw[SetMCPServers])
}

func (g fileGlobal) update(change func([]mcp.ServerConfig) ([]mcp.ServerConfig, error)) error {
	raw, err := g.read()
	if err != nil {
		return err
	}
	have, err := serversOf(raw[SetMCPServers])
	if err != nil {
		return err
	}
	servers, err := change(have)
	if err != nil {
		return err
	}
	next, err := withServers(raw, servers)
	if err != nil {
		return err
	}
	return writeSettingsFile(g.path, next)
}

// withServers is a copy of settings raw with its mcpServers key set to
// servers (removed when there are none).
func withServers(raw map[string]json.RawMessage, servers []mcp.ServerConfig) (map[string]json.RawMessage, error) {
	next := make(map[string]json.RawMessage, len(raw)+1)
	for k, v := range raw {
		next[k] = v
	}
	delete(next, SetMCPServers)
	if len(servers) > 0 {
		obj, err := serversObject(servers)
		if err != nil {
			return nil, err
		}
		next[SetMCPServers] = obj
	}
	return next, nil
}

// settingsFile is settings.json in a data folder.
func settingsFile(dataDir string) string { return filepath.Join(dataDir, "settings.json") }
