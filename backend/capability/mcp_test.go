package capability

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func mcpReq(server, tool, args string) Request {
	return Request{Kind: MCPCall, Server: server, Tool: tool, Args: json.RawMessage(args), Def: "h1"}
}

func TestMCPScopeMatches(t *testing.T) {
	cases := []struct {
		scope Scope
		req   Request
		want  bool
	}{
		{Scope{Tool: "github/create_issue"}, mcpReq("github", "create_issue", `{}`), true},
		{Scope{Tool: "github/create_issue"}, mcpReq("github", "delete_repo", `{}`), false},
		{Scope{Tool: "github/*"}, mcpReq("github", "delete_repo", `{}`), true},
		{Scope{Tool: "github/*"}, mcpReq("gitlab", "x", `{}`), false},
		{Scope{Tool: "*/*"}, mcpReq("any", "thing", `{}`), true},
		{Scope{Tool: "GitHub/*"}, mcpReq("github", "x", `{}`), false}, // allowing is literal
		{Scope{Tool: "fs/read_file", Args: map[string]string{"/path": "docs/*"}}, mcpReq("fs", "read_file", `{"path":"docs/a.md"}`), true},
		{Scope{Tool: "fs/read_file", Args: map[string]string{"/path": "docs/*"}}, mcpReq("fs", "read_file", `{"path":"secrets/a"}`), false},
		{Scope{Tool: "fs/read_file", Args: map[string]string{"/path": "docs/*"}}, mcpReq("fs", "read_file", `{}`), false},
		{Scope{Tool: "fs/read_file", Args: map[string]string{"/path": "docs/*"}}, mcpReq("fs", "read_file", `{"path":["docs/a"]}`), false},
		{Scope{Tool: "gh/*", Args: map[string]string{"/repo/owner": "ice"}}, mcpReq("gh", "x", `{"repo":{"owner":"ice"}}`), true},
		{Scope{Tool: "gh/*", Args: map[string]string{"/n": "4*"}}, mcpReq("gh", "x", `{"n":42}`), true},
		{Scope{Tool: "gh/*", Args: map[string]string{"/list/1": "b"}}, mcpReq("gh", "x", `{"list":["a","b"]}`), true},
		{Scope{Tool: "gh/*", Args: map[string]string{"/a~1b": "v"}}, mcpReq("gh", "x", `{"a/b":"v"}`), true},
	}
	for i, c := range cases {
		r, err := Canonical(c.req)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if got := Matches(MCPCall, c.scope, r); got != c.want {
			t.Errorf("case %d: %s matches %s%s = %v, want %v", i, c.scope.Describe(MCPCall), r.Target(), r.Args, got, c.want)
		}
	}
	// A deny rule is loose: case does not get a call past it.
	r, _ := Canonical(mcpReq("github", "delete_repo", `{}`))
	if !MatchesLoosely(MCPCall, Scope{Tool: "GitHub/*"}, r) {
		t.Error("a deny rule GitHub/* should catch github/delete_repo")
	}
}

func TestMCPCanonical(t *testing.T) {
	r, err := Canonical(mcpReq("fs", "read", ` { "b" : 1, "a" : "x" } `))
	if err != nil || string(r.Args) != `{"b":1,"a":"x"}` {
		t.Fatalf("compacted args = %s, %v", r.Args, err)
	}
	if r, err := Canonical(mcpReq("fs", "read", ``)); err != nil || string(r.Args) != `{}` {
		t.Fatalf("no args = %s, %v", r.Args, err)
	}
	for _, bad := range []Request{
		mcpReq("", "t", `{}`), mcpReq("s", "", `{}`), mcpReq("a/b", "t", `{}`), mcpReq("s", "t\u200b", `{}`),
		mcpReq("s", "t", `[1]`), mcpReq("s", "t", `{"a":1} {}`), mcpReq("s", "t", `{nope`),
		mcpReq(strings.Repeat("s", MaxMCPName+1), "t", `{}`),
	} {
		if _, err := Canonical(bad); !errors.Is(err, ErrBadRequest) {
			t.Errorf("Canonical(%q/%q %s) = %v, want ErrBadRequest", bad.Server, bad.Tool, bad.Args, err)
		}
	}
}

func TestMCPScopeCheckAndWords(t *testing.T) {
	for _, bad := range []Scope{{}, {Tool: "github"}, {Tool: "/x"}, {Tool: "a/b/c"}, {Tool: "a/[", Args: nil},
		{Tool: "a/b", Args: map[string]string{"path": "x"}}, {Tool: "a/b", Args: map[string]string{"/p": ""}}} {
		if err := bad.Check(MCPCall); !errors.Is(err, ErrBadScope) {
			t.Errorf("Check(%+v) = %v, want ErrBadScope", bad, err)
		}
	}
	words := map[string]Scope{
		"any MCP tool":                   {Tool: "*/*"},
		"any tool of github":             {Tool: "github/*"},
		"github/create_issue":            {Tool: "github/create_issue"},
		"fs/read where /path is docs/**": {Tool: "fs/read", Args: map[string]string{"/path": "docs/**"}},
	}
	for want, s := range words {
		if err := s.Check(MCPCall); err != nil {
			t.Errorf("Check(%+v): %v", s, err)
		}
		if got := s.Describe(MCPCall); got != want {
			t.Errorf("Describe = %q, want %q", got, want)
		}
	}
}

func TestMCPPinRefusesAChangedDefinition(t *testing.T) {
	e := NewEnforcer()
	r, _ := Canonical(mcpReq("gh", "create_issue", `{}`))
	if d := e.Decide("ws", "run", ProfileAgent, r, 1); d.Effect != Ask {
		t.Fatalf("default policy: %+v, want ask", d)
	}
	e.AddGrant(Grant{ID: "g", Kind: MCPCall, Scope: Scope{Tool: "gh/create_issue"}, Workspace: "ws"})
	e.SetPin("ws", Pin{Server: "gh", Tool: "create_issue", Hash: "h1"})
	if d := e.Decide("ws", "run", ProfileAgent, r, 1); d.Effect != Allow {
		t.Fatalf("pinned, same definition: %+v", d)
	}
	r.Def = "h2"
	d := e.Decide("ws", "run", ProfileAgent, r, 1)
	if d.Effect != Deny || !d.DefChanged || d.Reason != ReasonDefChanged {
		t.Fatalf("changed definition: %+v, want a deny naming the change", d)
	}
	e.SetPin("ws", Pin{Server: "gh", Tool: "create_issue", Hash: "h2"}) // re-approved
	if d := e.Decide("ws", "run", ProfileAgent, r, 1); d.Effect != Allow {
		t.Fatalf("re-approved: %+v", d)
	}
	if d := e.Decide("ws", "run", ProfileEdit, r, 1); d.Effect != Deny {
		t.Fatalf("the edit profile has no mcp.call: %+v", d)
	}
}
