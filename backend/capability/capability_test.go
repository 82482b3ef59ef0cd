package capability

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/workspace"
)

func TestScopeMatching(t *testing.T) {
	fs := func(kind, glob, path string, want bool) row {
		return row{kind, Scope{Glob: glob}, Request{Kind: kind, Path: path}, want}
	}
	sh := func(prefix []string, want bool, argv ...string) row {
		return row{ShellExec, Scope{Argv: prefix}, Request{Kind: ShellExec, Argv: argv}, want}
	}
	nt := func(scope, host string, port int, want bool) row {
		return row{NetHTTP, Scope{Host: scope}, Request{Kind: NetHTTP, Host: host, Port: port}, want}
	}
	md := func(pattern, endpoint, model, at string, want bool) row {
		return row{ModelInvoke, Scope{Model: pattern, Endpoint: endpoint}, Request{Kind: ModelInvoke, Model: model, Endpoint: at}, want}
	}
	mem := func(scope, req string, want bool) row {
		return row{MemoryWrite, Scope{Memory: scope}, Request{Kind: MemoryWrite, Memory: req}, want}
	}
	rows := []row{
		fs(FSRead, "src/**", "src/a/b.go", true),
		fs(FSRead, "src/**", "src2/a.go", false),
		fs(FSRead, "src/**", "SRC/a.go", false), // case near-miss
		fs(FSRead, "*.md", "docs/a.md", false),
		fs(FSRead, "**/*.md", "docs/a.md", true),
		fs(FSWrite, "a.txt", "a.txt", true),
		fs(FSWrite, "a.txt", "a.txt.bak", false),
		fs(FSWrite, "**", ".git/config", false),
		fs(FSWrite, "**", "vendor/x/.git/HEAD", false),
		fs(FSRead, "**", ".git/config", true),
		fs(FSWrite, ".git/hooks/*", ".git/hooks/pre-commit", true),
		fs(FSWrite, `a\[1\].txt`, "a[1].txt", true),
		fs(FSWrite, `a\[1\].txt`, "a1.txt", false),
		fs(FSRead, "**", ".", true),
		fs(FSRead, "src/**", ".", false),
		sh([]string{"git", "status"}, true, "git", "status", "--short"),
		sh([]string{"git", "status"}, false, "git", "push"),
		sh([]string{"git"}, false, "git-evil"),
		sh([]string{"git"}, false, "gitx", "status"),
		sh([]string{"git"}, false, "/usr/bin/git", "status"),
		sh([]string{"git"}, false, "sh", "-c", "git status"),
		sh([]string{"git"}, false, "git", "log", "; rm -rf ~"),
		sh([]string{"git"}, false, "git", "log", "a&&b"),
		sh([]string{"git"}, false, "git", "log", "`id`"),
		sh([]string{"git"}, true, "git", "log", "--oneline"),
		sh([]string{"*"}, true, "anything", "at; all"),
		sh([]string{"go", "test"}, false, "go"),
		nt("example.com", "example.com", 443, true),
		nt("example.com", "example.com", 8443, false),
		nt("example.com:8443", "example.com", 8443, true),
		nt("example.com", "www.example.com", 443, false),
		nt("*.example.com", "www.example.com", 443, true),
		nt("*.example.com", "example.com", 443, false),
		nt("*.example.com", "evilexample.com", 443, false),
		nt("*.example.com", "www.example.com.evil.io", 443, false),
		nt("*", "anything.io", 80, true),
		md("llama3*", "", "llama3.2:1b", "127.0.0.1:11434", true),
		md("llama3*", "", "mistral", "127.0.0.1:11434", false),
		md("*", "127.0.0.1:11434", "x", "10.0.0.5:11434", false),
		mem("workspace", "workspace", true),
		mem("workspace", "global", false),
		mem("*", "global", true),
	}
	for i, row := range rows {
		req, err := Canonical(row.r)
		if err != nil {
			t.Fatalf("row %d: Canonical(%+v): %v", i, row.r, err)
		}
		if err := row.s.Check(row.kind); err != nil {
			t.Fatalf("row %d: scope %+v: %v", i, row.s, err)
		}
		if got := Matches(row.kind, row.s, req); got != row.want {
			t.Errorf("row %d %s %+v vs %+v: Matches = %v, want %v", i, row.kind, row.s, req, got, row.want)
		}
	}
}

type row struct {
	kind string
	s    Scope
	r    Request
	want bool
}

func TestDenyRulesMatchLoosely(t *testing.T) {
	for _, c := range []struct {
		s    Scope
		kind string
		r    Request
	}{
		{Scope{Glob: "secrets/**"}, FSRead, Request{Kind: FSRead, Path: "SECRETS/key"}},
		{Scope{Glob: "café/**"}, FSRead, Request{Kind: FSRead, Path: "cafe\u0301/x"}}, // NFD spelling
		{Scope{Argv: []string{"curl"}}, ShellExec, Request{Kind: ShellExec, Argv: []string{"/usr/bin/curl", "x"}}},
		{Scope{Argv: []string{"curl"}}, ShellExec, Request{Kind: ShellExec, Argv: []string{"CURL"}}},
	} {
		if !MatchesLoosely(c.kind, c.s, c.r) {
			t.Errorf("deny %+v does not catch %+v", c.s, c.r)
		}
		if Matches(c.kind, c.s, c.r) {
			t.Errorf("allow %+v matches %+v: an allow must be exact", c.s, c.r)
		}
	}
}

func TestCanonicalRefusals(t *testing.T) {
	for _, p := range []string{"", "/etc/passwd", "../x", "a/../../x", "a\x00b", "a\u200bb", "a\u202eb", "a\x7fb",
		"\xff", strings.Repeat("x", MaxPathBytes+1), strings.Repeat("y", 300) + "/z"} {
		if got, err := CanonicalPath(p); err == nil {
			t.Errorf("CanonicalPath(%q) = %q, want a refusal", p, got)
		}
	}
	for in, want := range map[string]string{"./a//b/": "a/b", "a/./b": "a/b", "a/c/../b": "a/b", "日本/語.txt": "日本/語.txt"} {
		if got, err := CanonicalPath(in); err != nil || got != want {
			t.Errorf("CanonicalPath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := Canonical(Request{Kind: ShellExec}); err == nil {
		t.Error("empty argv accepted")
	}
	if r, err := Canonical(Request{Kind: NetHTTP, Host: "API.Example.COM."}); err != nil || r.Host != "api.example.com" {
		t.Errorf("host canonical form: %+v, %v", r, err)
	}
	for _, h := range []string{"a b", "user@host", "host/path", "", "h\u200bost"} {
		if _, err := Canonical(Request{Kind: NetHTTP, Host: h}); err == nil {
			t.Errorf("host %q accepted", h)
		}
	}
	if _, err := Canonical(Request{Kind: "fs.delete"}); err == nil {
		t.Error("unknown kind accepted")
	}
}

func TestEnforcerOrder(t *testing.T) {
	e := NewEnforcer()
	now := time.Now().UnixNano()
	e.SetPolicy("w", Policy{Rules: []Rule{
		{Kind: FSWrite, Scope: Scope{Glob: "locked/**"}, Effect: Deny},
		{Kind: FSWrite, Scope: Scope{Glob: "docs/**"}, Effect: Allow},
		{Kind: FSWrite, Scope: Scope{Glob: "**"}, Effect: Ask},
	}}, 7)
	e.AddGrant(Grant{ID: "g1", Kind: FSWrite, Scope: Scope{Glob: "locked/**"}, Workspace: "w", Reason: "x"})
	e.AddGrant(Grant{ID: "g2", Kind: FSWrite, Scope: Scope{Glob: "src/**"}, Workspace: "w", Run: "r1", Reason: "x"})
	w := func(p string) Request { return Request{Kind: FSWrite, Path: p} }
	for _, c := range []struct {
		run, path, effect, grant string
		rule                     int
	}{
		{"r1", "locked/a", Deny, "", 1},    // deny rules win over grants
		{"r1", "src/a.go", Allow, "g2", 0}, // the run's grant
		{"r2", "src/a.go", Ask, "", 3},     // another run's grant does not apply
		{"r2", "docs/x.md", Allow, "", 2},
		{"r2", "other/x", Ask, "", 3},
	} {
		d := e.Decide("w", c.run, ProfileEdit, w(c.path), now)
		if d.Effect != c.effect || d.Grant != c.grant || d.Rule != c.rule || (c.rule > 0 && d.Policy != 7) {
			t.Errorf("%s %s: %+v", c.run, c.path, d)
		}
	}
	if d := e.Decide("other-ws", "r1", ProfileEdit, w("src/a.go"), now); d.Effect != Ask {
		t.Errorf("a grant leaked into another workspace: %+v", d)
	}
	if d := e.Decide("w", "r1", ProfileAsk, w("src/a.go"), now); d.Effect != Deny || !strings.Contains(d.Reason, "profile") {
		t.Errorf("profile ask wrote: %+v", d)
	}
	e.End("g2", true, 9)
	if d := e.Decide("w", "r1", ProfileEdit, w("src/a.go"), now); d.Grant != "" {
		t.Errorf("revoked grant used: %+v", d)
	}
	e.AddGrant(Grant{ID: "g3", Kind: FSRead, Scope: Scope{Glob: "**"}, Workspace: "x", ExpiresAt: now - 1, Reason: "old"})
	e.SetPolicy("x", Policy{}, 1)
	if d := e.Decide("x", "r", ProfileEdit, Request{Kind: FSRead, Path: "a"}, now); d.Effect != Deny || d.Exp != "g3" {
		t.Errorf("expired grant: %+v", d)
	}
	if got := e.Expired(now); len(got) != 1 || got[0] != "g3" {
		t.Errorf("Expired = %v", got)
	}
}

// FuzzCanonicalPath: no panic, and a path accepted by CanonicalPath and
// then resolved by the workspace never lands outside it.
func FuzzCanonicalPath(f *testing.F) {
	for _, s := range []string{"a", "../a", "a/../../b", "./a//b", "/abs", "a\x00", "link/x", "inside/../link/y", "ok/ok.txt",
		".git/config", "a/./.././b", strings.Repeat("../", 40)} {
		f.Add(s)
	}
	root := f.TempDir()
	outside := f.TempDir()
	os.MkdirAll(filepath.Join(root, "inside"), 0o755)
	os.WriteFile(filepath.Join(outside, "x"), []byte("x"), 0o644)
	os.Symlink(outside, filepath.Join(root, "link"))
	os.WriteFile(filepath.Join(root, "ok.txt"), []byte("ok"), 0o644)
	realRoot, _ := filepath.EvalSymlinks(root)
	f.Fuzz(func(t *testing.T, p string) {
		c, err := CanonicalPath(p)
		if err != nil {
			return
		}
		if strings.HasPrefix(c, "/") || c == ".." || strings.HasPrefix(c, "../") || strings.Contains(c, "/../") || strings.ContainsRune(c, 0) {
			t.Fatalf("CanonicalPath(%q) = %q escapes lexically", p, c)
		}
		abs, err := workspace.Resolve(realRoot, c)
		if err != nil {
			return
		}
		if rel, err := filepath.Rel(realRoot, abs); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
			t.Fatalf("%q → %q resolved to %s, outside %s", p, c, abs, realRoot)
		}
	})
}

// FuzzMatches: no panic for any scope and request, and an allowing match
// of a file glob never covers a path CanonicalPath refuses.
func FuzzMatches(f *testing.F) {
	f.Add("src/**", "src/a.go", "git", "git status")
	f.Add("**", ".git/config", "*", "sh -c x")
	f.Add("[", "a", "", "")
	f.Fuzz(func(t *testing.T, glob, path, prefix, argv string) {
		s := Scope{Glob: glob, Argv: strings.Fields(prefix), Host: prefix, Model: glob, Memory: prefix}
		for _, kind := range Kinds {
			r := Request{Kind: kind, Path: path, Argv: strings.Fields(argv), Host: path, Model: path, Memory: path}
			canon, err := Canonical(r)
			_ = MatchesLoosely(kind, s, r)
			if err != nil {
				continue
			}
			if Matches(kind, s, canon) && kind == FSWrite && underGit(canon.Path) && !namesGit(glob) {
				t.Fatalf("glob %q let a write into %q", glob, canon.Path)
			}
		}
	})
}

// BenchmarkDecide: one decision with 1,000 grants and a policy of 1,000
// rules in force, beside a bare map lookup.
func BenchmarkDecide(b *testing.B) {
	e := NewEnforcer()
	var rules []Rule
	for i := range 1000 {
		rules = append(rules, Rule{Kind: FSWrite, Scope: Scope{Glob: fmt.Sprintf("area%d/**/*.go", i)}, Effect: Allow})
	}
	rules = append(rules, Rule{Kind: FSWrite, Scope: Scope{Glob: "**"}, Effect: Ask})
	e.SetPolicy("w", Policy{Rules: rules}, 1)
	for i := range 1000 {
		e.AddGrant(Grant{ID: fmt.Sprint("g", i), Kind: FSWrite, Scope: Scope{Glob: fmt.Sprintf("pkg%d/**", i)}, Workspace: "w",
			Run: fmt.Sprint("run", i%10), Reason: "bench"})
	}
	req := Request{Kind: FSWrite, Path: "pkg500/sub/file.go"}
	now := time.Now().UnixNano()
	b.Run("decide", func(b *testing.B) {
		for range b.N {
			if d := e.Decide("w", "run0", ProfileEdit, req, now); d.Effect != Allow {
				b.Fatal(d)
			}
		}
	})
	// A request no grant covers: decided by the last of the 1,001 rules.
	miss := Request{Kind: FSWrite, Path: "elsewhere/sub/file.go"}
	b.Run("decide-by-last-rule", func(b *testing.B) {
		for range b.N {
			if d := e.Decide("w", "run0", ProfileEdit, miss, now); d.Effect != Ask {
				b.Fatal(d)
			}
		}
	})
	m := map[string]string{}
	for i := range 2000 {
		m[fmt.Sprintf("pkg%d/sub/file.go", i)] = "g"
	}
	b.Run("map", func(b *testing.B) {
		n := 0
		for range b.N {
			if m[req.Path] != "" {
				n++
			}
		}
		_ = n
	})
}
