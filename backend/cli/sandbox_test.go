package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ice-studio/ice-studio/backend/cli"
	"github.com/ice-studio/ice-studio/backend/sandbox"
)

func sandboxCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	home := t.TempDir()
	code := cli.Sandbox(args, cli.IO{Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "ICE_HOME" {
			return home
		}
		return os.Getenv(k)
	}})
	return code, out.String(), errb.String()
}

func TestSandboxVerbPrintsChangesAndAppliesNothing(t *testing.T) {
	if st := sandbox.Probe(context.Background()); !st.Available {
		t.Skipf("no sandbox here: %s", st.Reason)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "old.txt"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := sandboxCLI(t, dir, "--", "sh", "-c", "echo hi; echo x > new.txt; rm old.txt; exit 3")
	if code != 3 {
		t.Fatalf("exit %d, want the command's 3\n%s", code, errs)
	}
	if out != "hi\n" {
		t.Errorf("stdout %q", out)
	}
	if !strings.Contains(errs, "M new.txt") || !strings.Contains(errs, "D old.txt") {
		t.Errorf("the changes are not listed:\n%s", errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "new.txt")); err == nil {
		t.Error("new.txt was applied")
	}
	if _, err := os.Stat(filepath.Join(dir, "old.txt")); err != nil {
		t.Error("old.txt was deleted for real")
	}
}

func TestSandboxVerbNetworkOnlyForNamedHosts(t *testing.T) {
	if st := sandbox.Probe(context.Background()); !st.Available {
		t.Skipf("no sandbox here: %s", st.Reason)
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1); fmt.Fprint(w, "ok") }))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	code, out, errs := sandboxCLI(t, t.TempDir(), "--", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", srv.URL)
	if code != 0 || out != "403" || hits.Load() != 0 || !strings.Contains(errs, "denied") {
		t.Fatalf("without --net: exit %d, out %q, hits %d\n%s", code, out, hits.Load(), errs)
	}
	code, out, errs = sandboxCLI(t, "--net", host, t.TempDir(), "--", "curl", "-s", srv.URL)
	if code != 0 || out != "ok" || hits.Load() != 1 || !strings.Contains(errs, "allowed (--net "+host+")") {
		t.Fatalf("with --net %s: exit %d, out %q, hits %d\n%s", host, code, out, hits.Load(), errs)
	}
}

func TestSandboxVerbUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"dir"}, {"dir", "true"}, {"--limits", "bogus=1", t.TempDir(), "--", "true"},
		{"--net", "a/b", t.TempDir(), "--", "true"}, {"/no/such/folder", "--", "true"}} {
		if code, _, errs := sandboxCLI(t, args...); code != 2 || errs == "" {
			t.Errorf("%q: exit %d, stderr %q; want a usage error", args, code, errs)
		}
	}
}
