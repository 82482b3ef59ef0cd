// Package asuser re-runs tests of the current test binary as an
// unprivileged user, so a suite that CI runs as root also proves itself
// the way users run the Studio: as themselves.
package asuser

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// UID is the unprivileged user the tests are re-run as (nobody).
const UID = 65534

// Rerun runs the tests matching pattern again, in a copy of the current
// test binary, as UID with a private TMPDIR and HOME, and fails t if they
// fail (their output is logged). It skips when not root (the suite then
// already runs unprivileged) and under -short.
func Rerun(t *testing.T, pattern string, env ...string) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("not root: the suite already runs unprivileged")
	}
	if testing.Short() {
		t.Skip("short")
	}
	base, err := os.MkdirTemp("", "ice-asuser-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(base)
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(base, filepath.Base(os.Args[0]))
	if err := copyExe(os.Args[0], bin); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(base, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(home, UID, UID); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	cmd := exec.Command(bin, "-test.run", pattern, "-test.count=1", "-test.v")
	cmd.Dir = wd // testdata, if any, stays where the tests expect it
	if fi, err := os.Stat(wd); err != nil || fi.Mode().Perm()&0o005 != 0o005 {
		cmd.Dir = home
	}
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "TMPDIR=" + home, "HOME=" + home, "LANG=C"}, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: UID, Gid: UID}}
	out, err := cmd.CombinedOutput()
	t.Logf("as uid %d:\n%s", UID, out)
	if err != nil {
		t.Fatalf("the tests failed as uid %d: %v", UID, err)
	}
	if !strings.Contains(string(out), "\nPASS") || strings.Contains(string(out), "--- SKIP") && !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("as uid %d nothing passed", UID)
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
