package kernel_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
)

// gitIn runs git in dir for a test, with no user or system configuration.
func gitIn(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// newGitHarness is a harness whose workspace is a git repository with
// files committed, an identity set in the repository, and a policy with
// rule for git.commit (effect).
func newGitHarness(tb testing.TB, files map[string]string, gitEffect string) *harness {
	tb.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		tb.Skip("git is not installed")
	}
	root, _ := filepath.EvalSymlinks(tb.TempDir())
	writeTree(tb, root, files)
	gitIn(tb, root, "init", "-q", "-b", "main")
	gitIn(tb, root, "config", "user.name", "Test")
	gitIn(tb, root, "config", "user.email", "test@example.com")
	gitIn(tb, root, "config", "commit.gpgsign", "false")
	gitIn(tb, root, "add", "-A")
	gitIn(tb, root, "commit", "-q", "-m", "initial")
	caps := capability.NewEnforcer()
	caps.SetPolicy(wsID, capability.Policy{Rules: []capability.Rule{
		{Kind: capability.FSRead, Scope: capability.Scope{Glob: "**"}, Effect: capability.Allow},
		{Kind: capability.FSWrite, Scope: capability.Scope{Glob: "**"}, Effect: capability.Allow},
		{Kind: capability.GitCommit, Effect: gitEffect},
	}}, 0)
	home := tb.TempDir() // no global git configuration of the machine running the tests
	env := func() []string { return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home} }
	return openHarness(tb, filepath.Join(tb.TempDir(), eventlog.FileName), root, kernel.Config{Caps: caps, Environ: env})
}

// committedRun runs a scripted edit of files and commits it.
func (h *harness) committedRun(files map[string]string) kernel.RunInfo {
	h.t.Helper()
	var ss []func(context.Context, *kernel.Env) error
	for p, body := range files {
		ss = append(ss, writeStep(p, body))
	}
	info := h.start(kernel.StartRequest{Task: "edit"}, steps(ss...))
	if got := h.wait(info.ID); got.State != kernel.StateValidated {
		h.t.Fatalf("run is %s (%s), want validated", got.State, got.Reason)
	}
	info, err := h.k.Approve(context.Background(), info.ID)
	if err != nil || info.Outcome != kernel.OutcomeCommitted {
		h.t.Fatalf("Approve = %+v, %v", info, err)
	}
	return info
}

// waitGit waits for the run's git commit outcome event and returns its type.
func (h *harness) waitGit(run string) string {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, typ := range h.types(run) {
			if typ == eventlog.EffectGitCommitted || typ == eventlog.EffectGitFailed {
				return typ
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.t.Fatalf("no git outcome recorded; events: %v", h.types(run))
	return ""
}

func TestGitCommitHoldsOnlyTheRunsFiles(t *testing.T) {
	h := newGitHarness(t, map[string]string{"a.txt": "a\n", "b.txt": "b\n", "docs/d.md": "d\n"}, capability.Ask)
	run := h.committedRun(map[string]string{"a.txt": "the run's a\n", "docs/new.md": "new\n"})
	// The user's own work in progress: modified, staged, untracked.
	writeTree(t, h.root, map[string]string{"b.txt": "the user's b\n", "c.txt": "staged by the user\n", "u.txt": "untracked\n"})
	gitIn(t, h.root, "add", "c.txt")

	res, err := h.k.GitCommit(context.Background(), kernel.GitCommitRequest{Run: run.ID, Message: "Edit a.txt\n\nFrom run " + run.ID})
	if err != nil || res.State != kernel.GitCommitWaiting || res.Ask == "" {
		t.Fatalf("GitCommit = %+v, %v; want it waiting for approval", res, err)
	}
	if n := strings.TrimSpace(gitIn(t, h.root, "rev-list", "--count", "HEAD")); n != "1" {
		t.Fatalf("a commit was made before the approval (%s commits)", n)
	}
	if err := h.k.Answer(context.Background(), res.Ask, kernel.ChoiceOnce, ""); err != nil {
		t.Fatal(err)
	}
	if typ := h.waitGit(run.ID); typ != eventlog.EffectGitCommitted {
		t.Fatalf("outcome %s: %s", typ, h.lastPayload(run.ID, eventlog.EffectGitFailed))
	}
	files := strings.Fields(gitIn(t, h.root, "log", "-1", "--name-only", "--format="))
	slices.Sort(files)
	if want := []string{"a.txt", "docs/new.md"}; !reflect.DeepEqual(files, want) {
		t.Errorf("the commit holds %v, want exactly the run's %v", files, want)
	}
	if msg := gitIn(t, h.root, "log", "-1", "--format=%B"); !strings.HasPrefix(msg, "Edit a.txt\n\nFrom run ") {
		t.Errorf("commit message = %q", msg)
	}
	if st := gitIn(t, h.root, "status", "--porcelain"); !strings.Contains(st, " M b.txt") || !strings.Contains(st, "A  c.txt") || !strings.Contains(st, "?? u.txt") {
		t.Errorf("the user's own changes were touched:\n%s", st)
	}
	var p kernel.GitCommittedPayload
	if err := json.Unmarshal([]byte(h.lastPayload(run.ID, eventlog.EffectGitCommitted)), &p); err != nil {
		t.Fatal(err)
	}
	if head := strings.TrimSpace(gitIn(t, h.root, "rev-parse", "HEAD")); p.Hash != head || p.Branch != "main" || len(p.Files) != 2 {
		t.Errorf("recorded %+v, HEAD is %s", p, head)
	}
	// The request, the decision and the effect are all on the run, in order.
	types := h.types(run.ID)
	i := slices.Index(types, eventlog.GitCommitRequested)
	if i < 0 || !isSubsequence(types[i:], []string{eventlog.GitCommitRequested, eventlog.CapabilityRequested, eventlog.CapabilityApproved,
		eventlog.CapabilityGranted, eventlog.CapabilityUsed, eventlog.EffectGitCommitted}) {
		t.Errorf("events %v", types)
	}
	// A second commit of the same run is refused, and records nothing.
	n := len(h.types(run.ID))
	if _, err := h.k.GitCommit(context.Background(), kernel.GitCommitRequest{Run: run.ID, Message: "again"}); !errors.Is(err, kernel.ErrNotGitCommittable) {
		t.Errorf("second GitCommit = %v, want ErrNotGitCommittable", err)
	}
	if len(h.types(run.ID)) != n {
		t.Errorf("a refused second commit recorded events")
	}
}

func isSubsequence(got, want []string) bool {
	j := 0
	for _, g := range got {
		if j < len(want) && g == want[j] {
			j++
		}
	}
	return j == len(want)
}

func TestGitCommitRefusesAPathLeadingOutside(t *testing.T) {
	h := newGitHarness(t, map[string]string{"sub/x.txt": "x\n"}, capability.Allow)
	run := h.committedRun(map[string]string{"sub/x.txt": "the run's x\n"})
	// The folder is swapped for a link to a folder outside with the same content.
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{"x.txt": "the run's x\n"})
	if err := os.RemoveAll(filepath.Join(h.root, "sub")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(h.root, "sub")); err != nil {
		t.Fatal(err)
	}
	res, err := h.k.GitCommit(context.Background(), kernel.GitCommitRequest{Run: run.ID, Message: "x"})
	if err != nil || res.State != kernel.GitCommitFailed || !strings.Contains(res.Error, "outside the workspace") {
		t.Fatalf("GitCommit = %+v, %v; want a refusal: outside the workspace", res, err)
	}
	if !strings.Contains(h.lastPayload(run.ID, eventlog.CapabilityDenied), "outside the workspace") {
		t.Errorf("no capability.denied recorded: %v", h.types(run.ID))
	}
	if n := strings.TrimSpace(gitIn(t, h.root, "rev-list", "--count", "HEAD")); n != "1" {
		t.Errorf("%s commits, want 1", n)
	}
}

func TestGitCommitFailureIsRecordedWithGitsWords(t *testing.T) {
	h := newGitHarness(t, map[string]string{"a.txt": "a\n"}, capability.Allow)
	run := h.committedRun(map[string]string{"a.txt": "b\n"})
	hook := filepath.Join(h.root, ".git", "hooks", "pre-commit")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho 'lint says no' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	res, err := h.k.GitCommit(context.Background(), kernel.GitCommitRequest{Run: run.ID, Message: "m"})
	if err != nil || res.State != kernel.GitCommitFailed || !strings.Contains(res.Stderr, "lint says no") {
		t.Fatalf("GitCommit = %+v, %v; want failed with the hook's words", res, err)
	}
	if p := h.lastPayload(run.ID, eventlog.EffectGitFailed); !strings.Contains(p, "lint says no") {
		t.Errorf("effect.git_failed = %s", p)
	}
	// A failed commit may be tried again once the cause is fixed.
	if err := os.Remove(hook); err != nil {
		t.Fatal(err)
	}
	if res, err := h.k.GitCommit(context.Background(), kernel.GitCommitRequest{Run: run.ID, Message: "m"}); err != nil || res.State != kernel.GitCommitDone {
		t.Errorf("retry = %+v, %v", res, err)
	}
}

func TestGitCommitRefusedBeforeAnythingHappens(t *testing.T) {
	h := newGitHarness(t, map[string]string{"a.txt": "a\n"}, capability.Allow)
	run := h.committedRun(map[string]string{"a.txt": "b\n"})
	head := strings.TrimSpace(gitIn(t, h.root, "rev-parse", "HEAD"))
	if err := os.WriteFile(filepath.Join(h.root, ".git", "MERGE_HEAD"), []byte(head+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	n := len(h.types(run.ID))
	if _, err := h.k.GitCommit(context.Background(), kernel.GitCommitRequest{Run: run.ID, Message: "m"}); err == nil || !strings.Contains(err.Error(), "merge is in progress") {
		t.Errorf("GitCommit during a merge = %v", err)
	}
	if _, err := h.k.GitCommit(context.Background(), kernel.GitCommitRequest{Run: run.ID, Message: "  "}); !errors.Is(err, kernel.ErrNotGitCommittable) {
		t.Errorf("GitCommit without a message = %v", err)
	}
	if len(h.types(run.ID)) != n {
		t.Errorf("refusals recorded events: %v", h.types(run.ID)[n:])
	}
	// A run that is not committed has nothing to commit.
	open := h.start(kernel.StartRequest{Task: "edit"}, steps(writeStep("a.txt", "c\n")))
	h.wait(open.ID)
	if _, err := h.k.GitCommit(context.Background(), kernel.GitCommitRequest{Run: open.ID, Message: "m"}); !errors.Is(err, kernel.ErrNotGitCommittable) {
		t.Errorf("GitCommit of a validated run = %v", err)
	}
}
