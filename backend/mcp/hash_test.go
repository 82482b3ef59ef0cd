package mcp_test

import (
	"encoding/json"
	"testing"

	"github.com/ice-studio/ice-studio/backend/mcp"
)

func TestDefinitionHash(t *testing.T) {
	schema := json.RawMessage(`{"type":"object","properties":{"path":{"type":"string","description":"where"},"n":{"type":"integer","default":1}},"required":["path"]}`)
	base := mcp.DefinitionHash("read", "Reads a file.", schema)
	if len(base) != 64 {
		t.Fatalf("DefinitionHash = %q, want 64 hex digits", base)
	}
	same := json.RawMessage(`{
	  "required": ["path"],
	  "properties": {"n": {"default": 1, "type": "integer"}, "path": {"description": "where", "type": "string"}},
	  "type": "object"
	}`)
	if got := mcp.DefinitionHash("read", "Reads a file.", same); got != base {
		t.Errorf("reordered, re-indented schema hashed to %s, want %s", got, base)
	}
	if mcp.DefinitionHash("read", "Reads a file.", schema) != base {
		t.Error("DefinitionHash is not stable")
	}
	changed := map[string][3]string{
		"name":                 {"write", "Reads a file.", string(schema)},
		"description":          {"read", "Reads a file!", string(schema)},
		"description spacing":  {"read", "Reads a file. ", string(schema)},
		"a property type":      {"read", "Reads a file.", `{"type":"object","properties":{"path":{"type":"number","description":"where"},"n":{"type":"integer","default":1}},"required":["path"]}`},
		"a default":            {"read", "Reads a file.", `{"type":"object","properties":{"path":{"type":"string","description":"where"},"n":{"type":"integer","default":2}},"required":["path"]}`},
		"required":             {"read", "Reads a file.", `{"type":"object","properties":{"path":{"type":"string","description":"where"},"n":{"type":"integer","default":1}},"required":[]}`},
		"array order":          {"read", "Reads a file.", `{"type":"object","properties":{"path":{"type":"string","description":"where"},"n":{"type":"integer","default":1}},"required":["path","n"]}`},
		"schema moved to name": {"read{}", "Reads a file.", `null`},
		"no schema":            {"read", "Reads a file.", ``},
	}
	seen := map[string]string{}
	for what, d := range changed {
		h := mcp.DefinitionHash(d[0], d[1], json.RawMessage(d[2]))
		if h == base {
			t.Errorf("changing the %s left the hash unchanged", what)
		}
		if other, dup := seen[h]; dup {
			t.Errorf("changing the %s and the %s hash the same", what, other)
		}
		seen[h] = what
	}
	if mcp.DefinitionHash("x", "", nil) != mcp.DefinitionHash("x", "", json.RawMessage("null")) {
		t.Error("a missing schema and a null schema hash differently")
	}
}
