package kernel_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
)

// scopeGlobs maps a request's scope choices by id to their globs.
func scopeGlobs(cs []kernel.ScopeChoice) map[string]string {
	m := map[string]string{}
	for _, c := range cs {
		m[c.ID] = c.Scope.Glob
	}
	return m
}

func TestScopeChoicesOfAFile(t *testing.T) {
	cs := kernel.ScopeChoices(capability.Request{Kind: capability.FSWrite, Path: "src/a/b.go"})
	want := map[string]string{"exact": "src/a/b.go", "folder": "src/a/**", "like": "**/*.go", "all": "**"}
	if got := scopeGlobs(cs); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("choices = %v, want %v", got, want)
	}
	if cs[0].ID != kernel.ScopeExact || cs[len(cs)-1].ID != kernel.ScopeAll || !cs[len(cs)-1].RunOnly || cs[0].RunOnly {
		t.Errorf("order or run-only flags: %+v", cs)
	}
	for _, c := range cs {
		if c.Describe != c.Scope.Glob || c.Label == "" {
			t.Errorf("choice %s shows %q, grants %q", c.ID, c.Describe, c.Scope.Glob)
		}
	}
	// A file at the root has no folder choice (its folder is the workspace:
	// that is "every file"); a dotfile or a name without extension has no
	// "files like it".
	if got := scopeGlobs(kernel.ScopeChoices(capability.Request{Kind: capability.FSWrite, Path: "main.go"})); got["folder"] != "" || got["like"] != "**/*.go" {
		t.Errorf("root file: %v", got)
	}
	for _, p := range []string{".gitignore", "docs/Makefile"} {
		if got := scopeGlobs(kernel.ScopeChoices(capability.Request{Kind: capability.FSWrite, Path: p})); got["like"] != "" {
			t.Errorf("%s: %v", p, got)
		}
	}
	// Commands: the exact argv, its first two words, the program.
	sh := kernel.ScopeChoices(capability.Request{Kind: capability.ShellExec, Argv: []string{"go", "test", "./..."}})
	if len(sh) != 3 || fmt.Sprint(sh[0].Scope.Argv, sh[1].Scope.Argv, sh[2].Scope.Argv) != "[go test ./...] [go test] [go]" {
		t.Errorf("command choices: %+v", sh)
	}
	// Anything else: the exact request only.
	if n := kernel.ScopeChoices(capability.Request{Kind: capability.NetHTTP, Host: "example.com", Port: 443}); len(n) != 1 || n[0].Scope.Host != "example.com:443" {
		t.Errorf("host choices: %+v", n)
	}
}

func TestScopeChoicesEscapeGlobMetacharacters(t *testing.T) {
	p := "we[ir]d/{x}*a?.g[o]"
	got := scopeGlobs(kernel.ScopeChoices(capability.Request{Kind: capability.FSWrite, Path: p}))
	want := map[string]string{"exact": `we\[ir\]d/\{x\}\*a\?.g\[o\]`, "folder": `we\[ir\]d/**`, "like": `**/*.g\[o\]`, "all": "**"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("choices = %v, want %v", got, want)
	}
	match := func(glob, path string) bool {
		return capability.Matches(capability.FSWrite, capability.Scope{Glob: glob}, capability.Request{Kind: capability.FSWrite, Path: path})
	}
	for id, g := range got {
		if !match(g, p) {
			t.Errorf("%s scope %q does not cover the file itself", id, g)
		}
	}
	// Unescaped, these globs would cover weid/…, werd/… or x.go.
	for _, other := range []string{"weid/xya.go", "werd/{x}*a?.go", "we[ir]d/xya.go", "x.go", "we[ir]d.go"} {
		for _, id := range []string{"exact", "like"} {
			if match(got[id], other) {
				t.Errorf("%s scope %q covers %s", id, got[id], other)
			}
		}
	}
	if !match(got["folder"], "we[ir]d/other.txt") || match(got["folder"], "weid/other.txt") {
		t.Errorf("folder scope %q", got["folder"])
	}
}

// tryWrite is writeStep going on after a refusal.
func tryWrite(p, body string) func(context.Context, *kernel.Env) error {
	return func(_ context.Context, env *kernel.Env) error {
		if err := env.WriteFile(p, []byte(body)); err != nil && !errors.Is(err, kernel.ErrDenied) {
			return err
		}
		return nil
	}
}

// waitAsks waits until a run has n approvals pending and returns them.
func waitAsks(t *testing.T, h *harness, run string, n int) []kernel.Ask {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var mine []kernel.Ask
		for _, a := range h.k.Asks(wsID) {
			if a.Run == run {
				mine = append(mine, a)
			}
		}
		if len(mine) >= n {
			return mine
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d approvals pending, want %d", len(mine), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// decisions returns the run's capability.approved / refused payloads.
func decisions(t *testing.T, h *harness, run string) []kernel.CapDecisionPayload {
	t.Helper()
	var out []kernel.CapDecisionPayload
	_ = h.store.Read(context.Background(), eventlog.Query{Run: run, Types: []string{eventlog.CapabilityApproved, eventlog.CapabilityRefused}}, func(e eventlog.Event) error {
		if e.Origin != eventlog.OriginUser {
			t.Errorf("%s recorded with origin %s", e.Type, e.Origin)
		}
		var d kernel.CapDecisionPayload
		_ = json.Unmarshal(e.Payload, &d)
		out = append(out, d)
		return nil
	})
	return out
}

// grantedGlobs returns the globs of the run's capability.granted events.
func grantedGlobs(t *testing.T, h *harness, run string) []string {
	t.Helper()
	var out []string
	_ = h.store.Read(context.Background(), eventlog.Query{Run: run, Types: []string{eventlog.CapabilityGranted}}, func(e eventlog.Event) error {
		var g kernel.CapGrantedPayload
		_ = json.Unmarshal(e.Payload, &g)
		out = append(out, g.Scope.Glob)
		return nil
	})
	return out
}

func replaceTree(n int) map[string]string {
	files := map[string]string{}
	for i := range n {
		files[fmt.Sprintf("src/p%d/f%03d.go", i%7, i)] = "package old\n"
	}
	return files
}

func TestReplaceOver200FilesIsOneBatchDecision(t *testing.T) {
	h, _ := capHarness(t, replaceTree(200))
	info := h.start(kernel.StartRequest{Task: "replace"}, &kernel.ReplaceWorker{Find: "old", Replace: "new"})
	asks := waitAsks(t, h, info.ID, 200)
	for _, a := range asks {
		if a.Kind != capability.FSWrite || len(a.Scopes) != 4 || a.Detail == nil || a.Detail.After == "" {
			t.Fatalf("ask = %+v", a)
		}
	}
	// One decision: the first request and every other pending write of the run.
	answered, err := h.k.AnswerMany(context.Background(), kernel.Answer{Requests: []string{asks[0].ID}, AllPending: true, Choice: kernel.ChoiceOnce})
	if err != nil || len(answered) != 200 {
		t.Fatalf("AnswerMany: %d answered, %v", len(answered), err)
	}
	if got := h.wait(info.ID); got.State != kernel.StateValidated {
		t.Fatalf("run %s (%s)", got.State, got.Reason)
	}
	staged, _ := kernel.StagedChanges(context.Background(), h.store.ReadDB(), info.ID)
	if len(staged) != 200 {
		t.Errorf("%d files staged, want 200", len(staged))
	}
	ds := decisions(t, h, info.ID)
	if len(ds) != 1 || len(ds[0].Requests) != 200 || ds[0].Request != asks[0].ID || ds[0].Choice != kernel.ChoiceOnce {
		t.Fatalf("%d user decisions (%+v), want 1 naming 200 requests", len(ds), ds)
	}
	if gs := grantedGlobs(t, h, info.ID); len(gs) != 200 || strings.Contains(strings.Join(gs, " "), "*") {
		t.Errorf("%d once grants, want 200 of exact paths: %v", len(gs), gs[:min(3, len(gs))])
	}
	if len(denials(t, h, info.ID)) != 0 || len(h.k.Asks(wsID)) != 0 {
		t.Errorf("denials %v, asks left %d", denials(t, h, info.ID), len(h.k.Asks(wsID)))
	}
	// Each staged write follows the capability.used that allowed it.
	types := h.types(info.ID)
	for i, typ := range types {
		if typ == eventlog.EffectFileStaged && types[i-1] != eventlog.CapabilityUsed {
			t.Fatalf("event %d: %s after %s", i, typ, types[i-1])
		}
	}
}

func TestAWideScopeAnswersTheRunsOtherPendingApprovals(t *testing.T) {
	h, _ := capHarness(t, map[string]string{"src/a.go": "old", "src/b.go": "old", "src/c.md": "old", "lib/d.go": "old"})
	info := h.start(kernel.StartRequest{Task: "replace"}, &kernel.ReplaceWorker{Find: "old", Replace: "new"})
	asks := waitAsks(t, h, info.ID, 4) // lib/d.go, src/a.go, src/b.go, src/c.md
	var srcA kernel.Ask
	for _, a := range asks {
		if a.Target == "src/a.go" {
			srcA = a
		}
	}
	// The run-wide scope cannot stand for the workspace.
	if _, err := h.k.AnswerMany(context.Background(), kernel.Answer{Requests: []string{srcA.ID}, Choice: kernel.ChoiceWorkspace, Scope: kernel.ScopeAll}); err == nil || !strings.Contains(err.Error(), "only be allowed for this run") {
		t.Errorf("workspace-wide all: %v", err)
	}
	if _, err := h.k.AnswerMany(context.Background(), kernel.Answer{Requests: []string{srcA.ID}, Choice: kernel.ChoiceRun, Scope: "src/**"}); err == nil {
		t.Error("a glob passed as the scope was accepted (only the kernel's choices are)")
	}
	answered, err := h.k.AnswerMany(context.Background(), kernel.Answer{Requests: []string{srcA.ID}, Choice: kernel.ChoiceRun, Scope: kernel.ScopeFolder})
	if err != nil || len(answered) != 3 {
		t.Fatalf("folder answer covered %v, %v; want src/a.go, src/b.go, src/c.md", answered, err)
	}
	rest := waitAsks(t, h, info.ID, 1)
	if len(rest) != 1 || rest[0].Target != "lib/d.go" {
		t.Fatalf("still pending: %+v", rest)
	}
	if err := h.k.Answer(context.Background(), rest[0].ID, kernel.ChoiceDeny, ""); err != nil {
		t.Fatal(err)
	}
	h.wait(info.ID)
	if gs := grantedGlobs(t, h, info.ID); fmt.Sprint(gs) != "[src/**]" {
		t.Errorf("granted %v, want [src/**]", gs)
	}
	if ds := decisions(t, h, info.ID); len(ds) != 2 || ds[0].Scope != kernel.ScopeFolder || len(ds[0].Requests) != 3 {
		t.Errorf("decisions %+v", ds)
	}
}

func TestFolderAndLikeScopesCoverLaterRequestsInScopeOnly(t *testing.T) {
	h, caps := capHarness(t, nil)
	info := h.start(kernel.StartRequest{Task: "scopes"}, steps(
		writeStep("src/a/x.go", "1"),      // asked: allowed for the run as src/a/**
		writeStep("src/a/sub/y.txt", "2"), // in scope: no ask
		tryWrite("src/b/z.go", "3"),       // outside: asked, denied
		writeStep("docs/one.md", "4"),     // asked: allowed for the workspace as **/*.md
		writeStep("notes.md", "5"),        // in scope: no ask
	))
	answer := func(path, choice, scope string) {
		t.Helper()
		a := waitAsks(t, h, info.ID, 1)[0]
		if a.Target != path {
			t.Fatalf("asked about %s, want %s", a.Target, path)
		}
		if _, err := h.k.AnswerMany(context.Background(), kernel.Answer{Requests: []string{a.ID}, Choice: choice, Scope: scope}); err != nil {
			t.Fatal(err)
		}
	}
	answer("src/a/x.go", kernel.ChoiceRun, kernel.ScopeFolder)
	answer("src/b/z.go", kernel.ChoiceDeny, "")
	answer("docs/one.md", kernel.ChoiceWorkspace, kernel.ScopeLike)
	if got := h.wait(info.ID); got.State != kernel.StateValidated {
		t.Fatalf("run %s (%s)", got.State, got.Reason)
	}
	staged, _ := kernel.StagedChanges(context.Background(), h.store.ReadDB(), info.ID)
	var paths []string
	for _, s := range staged {
		paths = append(paths, s.Path)
	}
	if fmt.Sprint(paths) != "[docs/one.md notes.md src/a/sub/y.txt src/a/x.go]" {
		t.Errorf("staged %v", paths)
	}
	if d := denials(t, h, info.ID); len(d) != 1 || d[0].Target != "src/b/z.go" {
		t.Errorf("denials %+v", d)
	}
	if gs := grantedGlobs(t, h, info.ID); fmt.Sprint(gs) != "[src/a/** **/*.md]" {
		t.Errorf("grants %v", gs)
	}
	// The folder grant ended with the run's scope; the standing one covers a later run.
	var errMd, errGo error
	next := h.start(kernel.StartRequest{Task: "later"}, steps(func(_ context.Context, env *kernel.Env) error {
		errMd = env.WriteFile("x/y/z.md", []byte("6"))
		errGo = env.WriteFile("src/a/w.go", []byte("7"))
		return nil
	}))
	a := waitAsks(t, h, next.ID, 1)[0]
	if a.Target != "src/a/w.go" {
		t.Fatalf("later run asked about %s", a.Target)
	}
	_ = h.k.Answer(context.Background(), a.ID, kernel.ChoiceDeny, "")
	h.wait(next.ID)
	if errMd != nil || !errors.Is(errGo, kernel.ErrDenied) {
		t.Errorf("later run: md %v, go %v", errMd, errGo)
	}
	standing := 0
	for _, g := range grantsOf(caps) {
		if g.Run == "" {
			standing++
		}
	}
	if standing != 1 {
		t.Errorf("%d standing grants, want 1", standing)
	}
}

func TestASymlinkGetsScopesOfItsRealTargetOnly(t *testing.T) {
	outside := t.TempDir()
	h, _ := capHarness(t, map[string]string{"src/real.go": "old"})
	if err := os.Symlink(filepath.Join("src", "real.go"), filepath.Join(h.root, "alias.go")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(h.root, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("..", "..", filepath.Base(outside), "x.go"), filepath.Join(h.root, "src", "x.go")); err != nil {
		t.Fatal(err)
	}
	var errOut, errX error
	info := h.start(kernel.StartRequest{Task: "links"}, steps(
		writeStep("alias.go", "new"),
		func(_ context.Context, env *kernel.Env) error {
			errOut = env.WriteFile("out/x.go", []byte("escape"))
			errX = env.WriteFile("src/x.go", []byte("escape"))
			return nil
		}))
	a := waitAsks(t, h, info.ID, 1)[0]
	if a.Target != "src/real.go" {
		t.Fatalf("asked about %s, want the link's real target src/real.go", a.Target)
	}
	if got := scopeGlobs(a.Scopes); got["exact"] != "src/real.go" || got["folder"] != "src/**" {
		t.Errorf("scopes of the link: %v", got)
	}
	// Even every file of the run does not reach through a link out.
	if _, err := h.k.AnswerMany(context.Background(), kernel.Answer{Requests: []string{a.ID}, Choice: kernel.ChoiceRun, Scope: kernel.ScopeAll}); err != nil {
		t.Fatal(err)
	}
	h.wait(info.ID)
	if !errors.Is(errOut, kernel.ErrDenied) || !errors.Is(errX, kernel.ErrDenied) {
		t.Errorf("writes through links out: %v, %v", errOut, errX)
	}
	for _, d := range denials(t, h, info.ID) {
		if !strings.Contains(d.Reason, "outside the workspace") {
			t.Errorf("denial %+v", d)
		}
	}
	if n := len(h.k.Asks(wsID)); n != 0 {
		t.Errorf("%d asks for links out", n)
	}
	if _, err := os.Stat(filepath.Join(outside, "x.go")); !os.IsNotExist(err) {
		t.Errorf("a file appeared outside: %v", err)
	}
}

func TestABatchIsOneRunAndOneKind(t *testing.T) {
	h, _ := capHarness(t, map[string]string{"a.txt": "old", "b.txt": "old"})
	r1 := h.start(kernel.StartRequest{Task: "one"}, &kernel.ReplaceWorker{Find: "old", Replace: "new"})
	a1 := waitAsks(t, h, r1.ID, 2)
	r2 := h.start(kernel.StartRequest{Task: "two"}, steps(writeStep("c.txt", "x")))
	a2 := waitAsks(t, h, r2.ID, 1)
	if _, err := h.k.AnswerMany(context.Background(), kernel.Answer{Requests: []string{a1[0].ID, a2[0].ID}, Choice: kernel.ChoiceOnce}); err == nil || !strings.Contains(err.Error(), "one run and one kind") {
		t.Errorf("a batch across runs: %v", err)
	}
	if _, err := h.k.AnswerMany(context.Background(), kernel.Answer{Requests: []string{a1[0].ID, "nope"}, Choice: kernel.ChoiceOnce}); !errors.Is(err, kernel.ErrNoSuchAsk) {
		t.Errorf("a batch with an unknown request: %v", err)
	}
	if _, err := h.k.AnswerMany(context.Background(), kernel.Answer{Requests: []string{a1[0].ID}, Choice: kernel.ChoiceOnce, Scope: kernel.ScopeFolder}); err == nil {
		t.Error("once with a wider scope was accepted")
	}
	// Nothing was answered by the refused batches.
	if n := len(h.k.Asks(wsID)); n != 3 {
		t.Fatalf("%d asks pending, want 3", n)
	}
	if _, err := h.k.AnswerMany(context.Background(), kernel.Answer{Requests: []string{a1[0].ID, a1[1].ID}, Choice: kernel.ChoiceDeny, Reason: "no"}); err != nil {
		t.Fatal(err)
	}
	if got := h.wait(r1.ID); !strings.Contains(got.Reason, "every change was refused") {
		t.Errorf("refused batch: %s", got.Reason)
	}
	if ds := decisions(t, h, r1.ID); len(ds) != 1 || ds[0].Choice != kernel.ChoiceDeny || len(ds[0].Requests) != 2 {
		t.Errorf("decisions %+v", ds)
	}
	_ = h.k.Answer(context.Background(), a2[0].ID, kernel.ChoiceDeny, "")
	h.wait(r2.ID)
}
