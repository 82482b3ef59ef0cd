package sandbox_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/internal/asuser"
	"github.com/ice-studio/ice-studio/backend/sandbox"
)

// TestAsUnprivileged re-runs the TestSandbox tests as an unprivileged user
// (nobody), with a root-owned file in a workspace (the EOVERFLOW case).
func TestAsUnprivileged(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("not root: the suite already runs unprivileged")
	}
	base, err := os.MkdirTemp("", "ice-sandbox-unpriv-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(base)
	os.Chmod(base, 0o755)
	// A workspace of nobody with a file (and a folder) owned by root.
	ws := filepath.Join(base, "foreign-ws")
	os.MkdirAll(filepath.Join(ws, "rootdir"), 0o777)
	os.WriteFile(filepath.Join(ws, "root-owned.txt"), []byte("root\n"), 0o666)
	os.WriteFile(filepath.Join(ws, "rootdir", "r.txt"), []byte("r\n"), 0o644)
	os.WriteFile(filepath.Join(ws, "mine.txt"), []byte("mine\n"), 0o644)
	os.Chown(ws, asuser.UID, asuser.UID)
	os.Chown(filepath.Join(ws, "mine.txt"), asuser.UID, asuser.UID)
	os.Chmod(filepath.Join(ws, "rootdir"), 0o777)

	asuser.Rerun(t, "^TestSandbox", "ICE_TEST_FOREIGN_WS="+ws)
	if b, _ := os.ReadFile(filepath.Join(ws, "root-owned.txt")); string(b) != "root\n" {
		t.Errorf("the real root-owned file changed: %q", b)
	}
}

// TestSandboxForeignOwned writes to files owned by another uid: the root-
// owned fixture of TestAsUnprivileged, or (as root) a file given to uid 4242.
func TestSandboxForeignOwned(t *testing.T) {
	ws := os.Getenv("ICE_TEST_FOREIGN_WS")
	if ws == "" {
		if os.Getuid() != 0 {
			t.Skip("no foreign-owned fixture")
		}
		ws = workspace(t, map[string]string{"root-owned.txt": "root\n", "rootdir/r.txt": "r\n", "mine.txt": "mine\n"})
		os.Chmod(filepath.Join(ws, "root-owned.txt"), 0o666)
		os.Chmod(filepath.Join(ws, "rootdir"), 0o777)
		os.Chown(filepath.Join(ws, "root-owned.txt"), 4242, 4242)
		os.Chown(filepath.Join(ws, "rootdir"), 4242, 4242)
	}
	res, out := run(t, sandbox.Spec{Root: ws}, `set -e
echo more >> root-owned.txt
echo new > rootdir/new.txt
mv mine.txt rootdir/moved.txt
cat root-owned.txt`)
	if res.ExitCode != 0 {
		t.Fatalf("exit %d: %s", res.ExitCode, out)
	}
	want := `write mine.txt ""|write root-owned.txt "root\nmore\n"|write rootdir/moved.txt "mine\n"|write rootdir/new.txt "new\n"|`
	want = strings.Replace(want, `write mine.txt ""`, `delete mine.txt ""`, 1)
	if got := changesString(res.Changes); got != want {
		t.Errorf("changes:\n got %s\nwant %s", got, want)
	}
	if b, _ := os.ReadFile(filepath.Join(ws, "root-owned.txt")); string(b) != "root\n" {
		t.Errorf("real file changed: %q", b)
	}
}
