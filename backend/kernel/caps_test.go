package kernel_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
)

// capHarness is a kernel under the default policy (writes and commands
// ask, network denied) plus the rules given.
func capHarness(t *testing.T, files map[string]string, extra ...capability.Rule) (*harness, *capability.Enforcer) {
	t.Helper()
	p := capability.DefaultPolicy()
	p.Rules = append(extra, p.Rules...)
	return policyHarness(t, files, p)
}

// policyHarness is a kernel under exactly the policy given: what no rule
// or grant allows is denied (nothing waits for an answer).
func policyHarness(t *testing.T, files map[string]string, p capability.Policy) (*harness, *capability.Enforcer) {
	t.Helper()
	caps := capability.NewEnforcer()
	caps.SetPolicy(wsID, p, 0)
	root, _ := filepath.EvalSymlinks(t.TempDir())
	writeTree(t, root, files)
	return openHarness(t, filepath.Join(t.TempDir(), eventlog.FileName), root, kernel.Config{Caps: caps}), caps
}

// denials returns the capability.denied payloads of a run.
func denials(t *testing.T, h *harness, run string) []kernel.CapDeniedPayload {
	t.Helper()
	var out []kernel.CapDeniedPayload
	_ = h.store.Read(context.Background(), eventlog.Query{Run: run, Types: []string{eventlog.CapabilityDenied}}, func(e eventlog.Event) error {
		var d kernel.CapDeniedPayload
		_ = json.Unmarshal(e.Payload, &d)
		out = append(out, d)
		return nil
	})
	return out
}

// attempt runs one effect in a fresh run and returns its error and the
// run's denials.
type attempt func(env *kernel.Env) error

func tryInRun(t *testing.T, h *harness, profile string, a attempt, grants ...kernel.CapGrantedPayload) (error, []kernel.CapDeniedPayload) {
	t.Helper()
	var got error
	info := h.start(kernel.StartRequest{Task: "attack", Profile: profile, Grants: grants}, steps(func(_ context.Context, env *kernel.Env) error {
		got = a(env)
		return nil
	}))
	h.wait(info.ID)
	return got, denials(t, h, info.ID)
}

func TestAttackCatalogueIsDeniedAndRecorded(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A generous workspace: everything read and written, "git" run and one
	// host reached without asking; nothing else.
	h, _ := policyHarness(t, map[string]string{"src/a.go": "package a\n", ".git/config": "[core]\n", "sub/.git/HEAD": "x\n"},
		capability.Policy{Rules: []capability.Rule{
			{Kind: capability.FSRead, Scope: capability.Scope{Glob: "private/**"}, Effect: capability.Deny},
			{Kind: capability.FSRead, Scope: capability.Scope{Glob: "**"}, Effect: capability.Allow},
			{Kind: capability.FSWrite, Scope: capability.Scope{Glob: "**"}, Effect: capability.Allow},
			{Kind: capability.ShellExec, Scope: capability.Scope{Argv: []string{"git"}}, Effect: capability.Allow},
			{Kind: capability.NetHTTP, Scope: capability.Scope{Host: "api.example.com"}, Effect: capability.Allow},
		}})
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(h.root, "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(h.root, "linkdir")); err != nil {
		t.Fatal(err)
	}
	read := func(p string) attempt { return func(env *kernel.Env) error { _, err := env.ReadFile(p); return err } }
	write := func(p string) attempt { return func(env *kernel.Env) error { return env.WriteFile(p, []byte("x")) } }
	exec := func(argv ...string) attempt {
		return func(env *kernel.Env) error {
			return env.Authorize(capability.Request{Kind: capability.ShellExec, Argv: argv})
		}
	}
	netw := func(host string, port int) attempt {
		return func(env *kernel.Env) error {
			return env.Authorize(capability.Request{Kind: capability.NetHTTP, Host: host, Port: port})
		}
	}
	long := strings.Repeat("a/", 3000) + "x"
	cases := []struct {
		name    string
		a       attempt
		profile string
	}{
		{"../ at the start", read("../secret.txt"), ""},
		{"../ in the middle", read("src/../../secret.txt"), ""},
		{"../ at the end", write("src/.."), ""},
		{"encoded-looking ..", read("src/./../../x"), ""},
		{"absolute path", read("/etc/passwd"), ""},
		{"absolute path into the workspace", read(filepath.Join(h.root, "src/a.go")), ""},
		{"symlinked file pointing outside", read("link.txt"), ""},
		{"symlinked folder pointing outside", read("linkdir/secret.txt"), ""},
		{"write through a symlinked folder", write("linkdir/new.txt"), ""},
		{".git/config write", write(".git/config"), ""},
		{".GIT/config write (case variant)", write(".GIT/config"), ""},
		{"nested .git write", write("sub/.git/HEAD"), ""},
		{"deny rule, case variant", read("PRIVATE/key.pem"), ""},
		{"NUL byte in a path", read("src/a.go\x00.txt"), ""},
		{"zero-width space in a path", read("src/a\u200b.go"), ""},
		{"bidi override in a path", write("src/\u202egol.exe"), ""},
		{"very long path", read(long), ""},
		{"sh -c wrapper", exec("sh", "-c", "git status"), "agent"},
		{"bash -c wrapper", exec("bash", "-c", "git push"), "agent"},
		{"; in an argument", exec("git", "status;rm -rf /"), "agent"},
		{"&& in an argument", exec("git", "log", "&&", "curl", "evil"), "agent"},
		{"$() in an argument", exec("git", "log", "$(curl evil)"), "agent"},
		{"git-evil", exec("git-evil"), "agent"},
		{"gitx", exec("gitx", "status"), "agent"},
		{"/usr/bin/git is not git", exec("/usr/bin/git", "status"), "agent"},
		{"NUL in argv", exec("git", "st\x00atus"), "agent"},
		{"env wrapper", exec("env", "git", "status"), "agent"},
		{"network: another host", netw("evil.example.com", 443), "agent"},
		{"network: suffix trick", netw("api.example.com.evil.io", 443), "agent"},
		{"network: allowed host, odd port", netw("api.example.com", 8080), "agent"},
		{"command outside the profile", exec("git", "status"), "edit"},
		{"network outside the profile", netw("api.example.com", 443), "ask"},
		{"write outside the profile", write("src/new.go"), "ask"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err, denied := tryInRun(t, h, c.profile, c.a)
			if err == nil {
				t.Fatalf("allowed")
			}
			if !errors.Is(err, kernel.ErrDenied) {
				t.Fatalf("error %v is not a capability denial", err)
			}
			if len(denied) != 1 || denied[0].Reason == "" {
				t.Fatalf("capability.denied events: %+v", denied)
			}
		})
	}
	// The near misses' neighbours are allowed, so the denials above are not
	// a kernel that refuses everything.
	for _, ok := range []struct {
		name string
		a    attempt
	}{
		{"read inside", read("src/a.go")},
		{"write inside", write("src/b.go")},
		{"git status", exec("git", "status", "--short")},
		{"allowed host", netw("API.example.com.", 443)},
	} {
		if err, denied := tryInRun(t, h, "agent", ok.a); err != nil || len(denied) != 0 {
			t.Errorf("%s: %v, denials %+v", ok.name, err, denied)
		}
	}
	// An explicit grant that names .git lets that write through.
	err, _ := tryInRun(t, h, "", write(".git/config"), kernel.CapGrantedPayload{Kind: capability.FSWrite,
		Scope: capability.Scope{Glob: ".git/config"}, Reason: "test"})
	if err != nil {
		t.Errorf(".git write with an explicit grant: %v", err)
	}
}

func TestSymlinkCreatedAfterTheGrantIsCaught(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "s.txt"), []byte("s"), 0o600)
	h, _ := capHarness(t, map[string]string{"docs/a.md": "a"})
	gate := make(chan struct{})
	var err error
	info := h.start(kernel.StartRequest{Task: "late link", Grants: []kernel.CapGrantedPayload{{Kind: capability.FSRead,
		Scope: capability.Scope{Glob: "docs/**"}, Reason: "test"}}}, steps(waitStep(gate), func(_ context.Context, env *kernel.Env) error {
		_, err = env.ReadFile("docs/late.md")
		return nil
	}))
	if e := os.Symlink(filepath.Join(outside, "s.txt"), filepath.Join(h.root, "docs/late.md")); e != nil {
		t.Fatal(e)
	}
	close(gate)
	h.wait(info.ID)
	if !errors.Is(err, kernel.ErrDenied) || len(denials(t, h, info.ID)) != 1 {
		t.Fatalf("read through a link made after the grant: %v, %+v", err, denials(t, h, info.ID))
	}
}

// grantOf finds the run's grants.
func grantsOf(caps *capability.Enforcer) []capability.Grant {
	return caps.Grants(wsID, time.Now().UnixNano(), true)
}

func TestRevocationMidRunStopsTheNextUse(t *testing.T) {
	h, caps := policyHarness(t, map[string]string{"a.txt": "a"}, capability.Policy{Rules: []capability.Rule{
		{Kind: capability.FSRead, Scope: capability.Scope{Glob: "**"}, Effect: capability.Allow}}})
	gate := make(chan struct{})
	var first, second error
	info := h.start(kernel.StartRequest{Task: "revoke", Grants: []kernel.CapGrantedPayload{{Kind: capability.FSWrite,
		Scope: capability.Scope{Glob: "*.txt"}, Reason: "test"}}}, steps(
		func(_ context.Context, env *kernel.Env) error {
			first = env.WriteFile("a.txt", []byte("1"))
			return nil
		},
		waitStep(gate),
		func(_ context.Context, env *kernel.Env) error {
			second = env.WriteFile("b.txt", []byte("2"))
			return nil
		},
	))
	deadline := time.Now().Add(5 * time.Second)
	for len(grantsOf(caps)) == 0 || grantsOf(caps)[0].Uses == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the first write did not happen")
		}
		time.Sleep(5 * time.Millisecond)
	}
	g := grantsOf(caps)[0]
	caps.End(g.ID, true, 0) // what Studio.Revoke does first
	close(gate)
	h.wait(info.ID)
	if first != nil {
		t.Errorf("write before the revocation: %v", first)
	}
	if !errors.Is(second, kernel.ErrDenied) || len(denials(t, h, info.ID)) != 1 {
		t.Errorf("the write after the revocation: %v, denials %+v", second, denials(t, h, info.ID))
	}
}

func TestExpiredAndUseLimitedGrants(t *testing.T) {
	h, caps := capHarness(t, map[string]string{"a.txt": "a"},
		capability.Rule{Kind: capability.FSWrite, Scope: capability.Scope{Glob: "**"}, Effect: capability.Deny})
	_ = caps
	// A use-limited grant stops at its limit (the deny rule would refuse,
	// but deny rules win over grants, so use a path the rule does not
	// cover: a read-deny policy instead).
	h2, _ := capHarness(t, map[string]string{"a.txt": "a"},
		capability.Rule{Kind: capability.FSRead, Scope: capability.Scope{Glob: "**"}, Effect: capability.Ask})
	var errs []error
	info := h2.start(kernel.StartRequest{Task: "limit", Grants: []kernel.CapGrantedPayload{{Kind: capability.FSRead,
		Scope: capability.Scope{Glob: "a.txt"}, MaxUses: 2, Reason: "twice"}}}, steps(func(_ context.Context, env *kernel.Env) error {
		for range 2 {
			_, err := env.ReadFile("a.txt")
			errs = append(errs, err)
		}
		return nil
	}))
	h2.wait(info.ID)
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("uses within the limit: %v", errs)
	}
	// The third use would ask (policy); Decide shows it is no longer granted.
	d := h2.k.Caps().Decide(wsID, info.ID, "edit", capability.Request{Kind: capability.FSRead, Path: "a.txt"}, time.Now().UnixNano())
	if d.Effect != capability.Ask || d.Grant != "" {
		t.Errorf("after the limit: %+v", d)
	}

	// An expired grant is refused and its expiry recorded.
	past := time.Now().Add(-time.Minute).UnixNano()
	var err error
	info = h.start(kernel.StartRequest{Task: "expired", Profile: "agent", Grants: []kernel.CapGrantedPayload{{Kind: capability.ShellExec,
		Scope: capability.Scope{Argv: []string{"make"}}, ExpiresAt: past, Reason: "expired"}}},
		steps(func(_ context.Context, env *kernel.Env) error {
			err = env.Authorize(capability.Request{Kind: capability.ShellExec, Argv: []string{"make", "test"}})
			return nil
		}))
	// make would ask (default policy) — answer nothing: deny after the ask shows.
	waitAsk(t, h, info.ID, kernel.ChoiceDeny)
	h.wait(info.ID)
	if !errors.Is(err, kernel.ErrDenied) {
		t.Errorf("expired grant: %v", err)
	}
	n := 0
	_ = h.store.Read(context.Background(), eventlog.Query{Types: []string{eventlog.CapabilityExpired}}, func(eventlog.Event) error { n++; return nil })
	if n != 1 {
		t.Errorf("%d capability.expired events, want 1", n)
	}
}

// waitAsk waits for the run's approval card and answers it.
func waitAsk(t *testing.T, h *harness, run, choice string) kernel.Ask {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, a := range h.k.Asks(wsID) {
			if a.Run == run {
				if err := h.k.Answer(context.Background(), a.ID, choice, ""); err != nil {
					t.Fatal(err)
				}
				return a
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no approval asked for")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestAskOnceRunAndDeny(t *testing.T) {
	h, caps := capHarness(t, map[string]string{"a.txt": "old a\n", "b.txt": "old b\n"})
	var mu sync.Mutex
	var errs []error
	info := h.start(kernel.StartRequest{Task: "ask"}, steps(func(_ context.Context, env *kernel.Env) error {
		for _, p := range []string{"a.txt", "b.txt", "b.txt", "c.txt", "c.txt"} {
			err := env.WriteFile(p, []byte("new "+p))
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
		return nil
	}))
	a := waitAsk(t, h, info.ID, kernel.ChoiceDeny) // a.txt
	if a.Kind != capability.FSWrite || a.Target != "a.txt" || a.Detail == nil || a.Detail.Base == "" || a.Detail.After == "" {
		t.Errorf("ask = %+v", a)
	}
	if after, err := h.store.GetBlob(context.Background(), a.Detail.After); err != nil || string(after) != "new a.txt" {
		t.Errorf("the card's proposed content: %q, %v", after, err)
	}
	waitAsk(t, h, info.ID, kernel.ChoiceOnce) // b.txt once
	waitAsk(t, h, info.ID, kernel.ChoiceDeny) // b.txt again: once was once
	waitAsk(t, h, info.ID, kernel.ChoiceRun)  // c.txt for the run: the second write needs no ask
	h.wait(info.ID)
	mu.Lock()
	defer mu.Unlock()
	want := []bool{false, true, false, true, true}
	for i, ok := range want {
		if (errs[i] == nil) != ok {
			t.Errorf("write %d: %v, want allowed=%v", i, errs[i], ok)
		}
	}
	types := strings.Join(h.types(info.ID), " ")
	for _, typ := range []string{"capability.requested", "capability.refused", "capability.approved", "capability.granted", "capability.denied", "capability.used"} {
		if !strings.Contains(types, typ) {
			t.Errorf("no %s in %s", typ, types)
		}
	}
	if n := len(grantsOf(caps)); n != 2 {
		t.Errorf("%d grants, want 2 (once, run)", n)
	}
	if err := h.k.Answer(context.Background(), "nope", kernel.ChoiceOnce, ""); !errors.Is(err, kernel.ErrNoSuchAsk) {
		t.Errorf("answering an unknown ask: %v", err)
	}
}

func TestAbortWhileWaitingForApproval(t *testing.T) {
	h, _ := capHarness(t, map[string]string{"a.txt": "a"})
	info := h.start(kernel.StartRequest{Task: "abort"}, steps(writeStep("a.txt", "b")))
	deadline := time.Now().Add(5 * time.Second)
	for len(h.k.Asks(wsID)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no ask")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := h.k.Abort(context.Background(), info.ID, "changed my mind"); err != nil {
		t.Fatal(err)
	}
	got := h.wait(info.ID)
	if got.Outcome != kernel.OutcomeAborted || len(h.k.Asks(wsID)) != 0 {
		t.Errorf("after abort: %+v, asks %v", got, h.k.Asks(wsID))
	}
}

func TestReplaceGoesOnAfterADenial(t *testing.T) {
	h, _ := capHarness(t, map[string]string{"a.txt": "old\n", "b.txt": "old\n"})
	info := h.start(kernel.StartRequest{Task: "replace"}, &kernel.ReplaceWorker{Find: "old", Replace: "new"})
	waitAsk(t, h, info.ID, kernel.ChoiceDeny) // a.txt
	waitAsk(t, h, info.ID, kernel.ChoiceOnce) // b.txt
	got := h.wait(info.ID)
	if got.State != kernel.StateValidated {
		t.Fatalf("state %s (%s), want validated with b.txt staged", got.State, got.Reason)
	}
	if d := denials(t, h, info.ID); len(d) != 1 || d[0].Target != "a.txt" {
		t.Errorf("denials: %+v", d)
	}
	staged := h.lastPayload(info.ID, eventlog.EffectFileStaged)
	if !strings.Contains(staged, `"path":"b.txt"`) {
		t.Errorf("staged: %s", staged)
	}
	// Every write refused: the run says so.
	info = h.start(kernel.StartRequest{Task: "replace"}, &kernel.ReplaceWorker{Find: "old", Replace: "new"})
	waitAsk(t, h, info.ID, kernel.ChoiceDeny)
	waitAsk(t, h, info.ID, kernel.ChoiceDeny)
	if got := h.wait(info.ID); !strings.Contains(got.Reason, "every change was refused") {
		t.Errorf("all refused: %s %q", got.State, got.Reason)
	}
}
