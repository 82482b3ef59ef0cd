package sandbox_test

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ice-studio/ice-studio/backend/sandbox"
)

// unprivUID is the user the suite is run again as, when it runs as root.
const unprivUID = 65534

// TestAsUnprivileged re-runs the TestSandbox tests as an unprivileged user
// (nobody), with a root-owned file in a workspace (the EOVERFLOW case).
func TestAsUnprivileged(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("not root: the suite already runs unprivileged")
	}
	if testing.Short() {
		t.Skip("short")
	}
	base, err := os.MkdirTemp("", "ice-sandbox-unpriv-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(base)
	os.Chmod(base, 0o755)
	bin := filepath.Join(base, "sandbox.test")
	if err := copyExe(os.Args[0], bin); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(base, "tmp")
	os.Mkdir(tmp, 0o755)
	os.Chown(tmp, unprivUID, unprivUID)
	// A workspace of nobody with a file (and a folder) owned by root.
	ws := filepath.Join(base, "foreign-ws")
	os.MkdirAll(filepath.Join(ws, "rootdir"), 0o777)
	os.WriteFile(filepath.Join(ws, "root-owned.txt"), []byte("root\n"), 0o666)
	os.WriteFile(filepath.Join(ws, "rootdir", "r.txt"), []byte("r\n"), 0o644)
	os.WriteFile(filepath.Join(ws, "mine.txt"), []byte("mine\n"), 0o644)
	os.Chown(ws, unprivUID, unprivUID)
	os.Chown(filepath.Join(ws, "mine.txt"), unprivUID, unprivUID)
	os.Chmod(filepath.Join(ws, "rootdir"), 0o777)

	cmd := exec.Command(bin, "-test.run", "^TestSandbox", "-test.count=1")
	if testing.Verbose() {
		cmd.Args = append(cmd.Args, "-test.v")
	}
	cmd.Dir = tmp
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "TMPDIR=" + tmp, "HOME=" + tmp, "ICE_TEST_FOREIGN_WS=" + ws}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: unprivUID, Gid: unprivUID}}
	out, err := cmd.CombinedOutput()
	t.Logf("as uid %d:\n%s", unprivUID, out)
	if err != nil {
		t.Fatalf("the suite failed as uid %d: %v", unprivUID, err)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Fatalf("no PASS")
	}
	if b, _ := os.ReadFile(filepath.Join(ws, "root-owned.txt")); string(b) != "root\n" {
		t.Errorf("the real root-owned file changed: %q", b)
	}
}

func copyExe(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
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
