package kernel_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/sandbox"
)

// The effect pipeline's holes, each reproduced: a path is judged after its
// links are resolved, a refused listing is recorded as refused, and a
// command's effects are governed, not lost (commands_test.go).

// events returns a run's events of the given types.
func (h *harness) events(run string, types ...string) []eventlog.Event {
	h.t.Helper()
	var out []eventlog.Event
	_ = h.store.Read(context.Background(), eventlog.Query{Run: run, Types: types}, func(e eventlog.Event) error {
		out = append(out, e)
		return nil
	})
	return out
}

// allowAll allows reads, writes and commands, and denies the network.
func allowAll() capability.Policy { return allowAllPolicy() }

func allowAllPolicy() capability.Policy {
	return capability.Policy{Rules: []capability.Rule{
		{Kind: capability.FSRead, Scope: capability.Scope{Glob: "**"}, Effect: capability.Allow},
		{Kind: capability.FSWrite, Scope: capability.Scope{Glob: "**"}, Effect: capability.Allow},
		{Kind: capability.ShellExec, Scope: capability.Scope{Argv: []string{"*"}}, Effect: capability.Allow},
		{Kind: capability.NetHTTP, Scope: capability.Scope{Host: "*"}, Effect: capability.Deny},
	}}
}

func TestWriteThroughALinkToGitIsJudgedAsGit(t *testing.T) {
	h, _ := policyHarness(t, map[string]string{".git/config": "[core]\n"}, allowAll())
	if err := os.Symlink(".git", filepath.Join(h.root, "gitlink")); err != nil {
		t.Fatal(err)
	}
	err, denied := tryInRun(t, h, "agent", func(env *kernel.Env) error {
		return env.WriteFile("gitlink/config", []byte("[core]\n\tfsmonitor = evil\n"))
	})
	if !errors.Is(err, kernel.ErrDenied) {
		t.Fatalf("WriteFile(gitlink/config) = %v, want a denial", err)
	}
	if len(denied) != 1 || denied[0].Target != ".git/config" {
		t.Fatalf("denials %+v, want one for .git/config (the real path)", denied)
	}
	if got := read(t, h.root, ".git/config"); got != "[core]\n" {
		t.Fatalf(".git/config = %q", got)
	}
}

func TestAWriteThroughAnInsideLinkStagesTheRealFile(t *testing.T) {
	h, _ := policyHarness(t, map[string]string{"real.txt": "old"}, allowAll())
	if err := os.Symlink("real.txt", filepath.Join(h.root, "alias.txt")); err != nil {
		t.Fatal(err)
	}
	info := h.start(kernel.StartRequest{Task: "through a link", Profile: "agent"}, steps(writeStep("alias.txt", "new")))
	h.wait(info.ID)
	staged, err := kernel.StagedChanges(context.Background(), h.store.ReadDB(), info.ID)
	if err != nil || len(staged) != 1 || staged[0].Path != "real.txt" {
		t.Fatalf("staged %+v, %v; want real.txt", staged, err)
	}
	if _, err := h.k.Approve(context.Background(), info.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.Readlink(filepath.Join(h.root, "alias.txt")); got != "real.txt" {
		t.Fatalf("the link was replaced: %q", got)
	}
	if got := read(t, h.root, "real.txt"); got != "new" {
		t.Fatalf("real.txt = %q", got)
	}
}

func TestStagingThroughALinkOutsideStoresNothingOfIt(t *testing.T) {
	outside := t.TempDir()
	secret := []byte("root:x:0:0:secret-line\n")
	if err := os.WriteFile(filepath.Join(outside, "passwd"), secret, 0o644); err != nil {
		t.Fatal(err)
	}
	h, _ := policyHarness(t, nil, allowAll())
	if err := os.Symlink(filepath.Join(outside, "passwd"), filepath.Join(h.root, "pw")); err != nil {
		t.Fatal(err)
	}
	err, denied := tryInRun(t, h, "agent", func(env *kernel.Env) error { return env.WriteFile("pw", []byte("x")) })
	if !errors.Is(err, kernel.ErrDenied) || len(denied) != 1 {
		t.Fatalf("WriteFile(pw) = %v, denials %+v; want one denial", err, denied)
	}
	if _, err := h.store.GetBlob(context.Background(), eventlog.BlobAddress(secret)); err == nil {
		t.Fatal("the blob store holds the content of the file outside the workspace")
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "passwd")); string(b) != string(secret) {
		t.Fatal("the file outside changed")
	}
}

func TestRefusedListingsAreRecordedAsRefused(t *testing.T) {
	outside := t.TempDir()
	h, _ := policyHarness(t, map[string]string{"a.txt": "a"}, allowAll())
	if err := os.Symlink(outside, filepath.Join(h.root, "out")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		a    attempt
	}{
		{"list /", func(env *kernel.Env) error { _, err := env.ListDir("/"); return err }},
		{"list through a link outside", func(env *kernel.Env) error { _, err := env.ListDir("out"); return err }},
		{"search through a link outside", func(env *kernel.Env) error { _, _, err := env.SearchText("x", "out", false, 10); return err }},
		{"search /etc", func(env *kernel.Env) error { _, _, err := env.SearchText("root", "/etc", false, 10); return err }},
		{"find under ..", func(env *kernel.Env) error { _, err := env.FindFiles("x", "..", 1<<20); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var run string
			info := h.start(kernel.StartRequest{Task: tc.name, Profile: "agent"}, steps(func(_ context.Context, env *kernel.Env) error {
				run = env.RunID()
				if err := tc.a(env); !errors.Is(err, kernel.ErrDenied) {
					return fmt.Errorf("got %v, want a denial", err)
				}
				return nil
			}))
			h.wait(info.ID)
			if got := h.lastPayload(run, eventlog.RunAborted); got != "" {
				t.Fatalf("run aborted: %s", got)
			}
			if used := h.events(run, eventlog.CapabilityUsed); len(used) != 0 {
				t.Fatalf("recorded as used: %s", used[0].Payload)
			}
			if d := denials(t, h, run); len(d) != 1 {
				t.Fatalf("denials %+v, want exactly one", d)
			}
		})
	}
}

// newCapsHarness is a kernel over an empty folder under the enforcer given.
func newCapsHarness(tb testing.TB, caps *capability.Enforcer) *harness {
	tb.Helper()
	root, _ := filepath.EvalSymlinks(tb.TempDir())
	return openHarness(tb, filepath.Join(tb.TempDir(), eventlog.FileName), root, kernel.Config{Caps: caps})
}

// sandboxHarness is a kernel under policy p whose commands run in the real
// sandbox, with the Studio's environment given.
func sandboxHarness(t *testing.T, files map[string]string, p capability.Policy, environ []string) *harness {
	t.Helper()
	if st := sandbox.Probe(context.Background()); !st.Available {
		t.Skipf("the sandbox is not available here: %s", st.Reason)
	}
	caps := capability.NewEnforcer()
	caps.SetPolicy(wsID, p, 0)
	root, _ := filepath.EvalSymlinks(t.TempDir())
	writeTree(t, root, files)
	cfg := kernel.Config{Caps: caps, DataDir: t.TempDir(), Environ: func() []string { return environ }, ValidationTimeout: time.Minute}
	return openHarness(t, filepath.Join(t.TempDir(), eventlog.FileName), root, cfg)
}

// commandRun starts an agent-profile run whose worker runs argv, and
// returns the run, the command's result and its recorded payload.
func commandRun(t *testing.T, h *harness, argv ...string) (kernel.RunInfo, kernel.CommandResult, kernel.CommandPayload) {
	t.Helper()
	var res kernel.CommandResult
	var runErr error
	info := h.start(kernel.StartRequest{Task: "command", Profile: "agent"}, steps(func(_ context.Context, env *kernel.Env) error {
		res, runErr = env.RunCommand(argv, ".", time.Minute)
		return nil
	}))
	info = h.wait(info.ID)
	if runErr != nil {
		t.Fatalf("RunCommand %q: %v", argv, runErr)
	}
	evs := h.events(info.ID, eventlog.EffectCommandExecuted)
	if len(evs) != 1 {
		t.Fatalf("%d effect.command_executed events", len(evs))
	}
	var p kernel.CommandPayload
	if err := json.Unmarshal(evs[0].Payload, &p); err != nil {
		t.Fatal(err)
	}
	return info, res, p
}

func TestCommandsAreDeniedWhenTheSandboxCannotWork(t *testing.T) {
	caps := capability.NewEnforcer()
	caps.SetPolicy(wsID, allowAll(), 0)
	root, _ := filepath.EvalSymlinks(t.TempDir())
	var ran atomic.Value
	h := openHarness(t, filepath.Join(t.TempDir(), eventlog.FileName), root, kernel.Config{Caps: caps, DataDir: t.TempDir(),
		SandboxStatus: func(context.Context) sandbox.Status {
			return sandbox.Status{Reason: "unprivileged user namespaces are disabled", Hint: "sysctl kernel.unprivileged_userns_clone=1"}
		},
		Sandbox: func(_ context.Context, s sandbox.Spec) (sandbox.Result, error) {
			ran.Store(s.Mode)
			return sandbox.Result{Mode: s.Mode}, nil
		}})
	runTrue := func(env *kernel.Env) error {
		_, err := env.RunCommand([]string{"true"}, ".", time.Second)
		return err
	}
	err, denied := tryInRun(t, h, "agent", runTrue)
	if !errors.Is(err, kernel.ErrDenied) || len(denied) != 1 || !strings.Contains(denied[0].Reason, "sysctl kernel.unprivileged_userns_clone=1") {
		t.Fatalf("RunCommand = %v, denials %+v: want one denial that says how to fix it", err, denied)
	}
	if ran.Load() != nil {
		t.Fatal("the command ran")
	}
	// The workspace's explicit setting runs it unsandboxed, and the record says so.
	p := allowAll()
	p.Sandbox.Unsandboxed = true
	caps.SetPolicy(wsID, p, 0)
	if err, denied := tryInRun(t, h, "agent", runTrue); err != nil || len(denied) != 0 {
		t.Fatalf("unsandboxed by the workspace's setting: %v, %+v", err, denied)
	}
	if got := ran.Load(); got != sandbox.ModeUnsandboxed {
		t.Fatalf("ran in mode %v", got)
	}
}

func TestAbortKillsTheValidationCommand(t *testing.T) {
	h := sandboxHarness(t, map[string]string{"a.txt": "a"}, allowAll(), []string{"PATH=/usr/bin:/bin"})
	marker := fmt.Sprintf("ice-abort-%d", time.Now().UnixNano())
	info := h.start(kernel.StartRequest{Task: "slow validation", ValidationCommand: []string{"sh", "-c", "sleep 300; echo " + marker}},
		steps(writeStep("a.txt", "b")))
	deadline := time.Now().Add(30 * time.Second)
	for {
		cur, err := h.k.Get(context.Background(), info.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cur.State == kernel.StateValidating && pgrep(marker) != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the validation command never started: %s", cur.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Abort must not wait for sleep 300 (the test's own timeout would end it).
	got, err := h.k.Abort(context.Background(), info.ID, "stop")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != kernel.StateTerminated || got.Outcome != kernel.OutcomeAborted {
		t.Fatalf("after Abort: %s / %s", got.State, got.Outcome)
	}
	if pids := pgrep(marker); pids != "" {
		t.Fatalf("the command outlived the abort: pids %s", pids)
	}
}

// pgrep lists the processes whose command line holds s.
func pgrep(s string) string {
	out, _ := exec.Command("pgrep", "-f", s).Output()
	return strings.TrimSpace(string(out))
}
