package realsshd_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/ice-studio/ice-studio/backend/internal/asuser"
	"github.com/ice-studio/ice-studio/backend/internal/realsshd"
)

func dial(t *testing.T, s *realsshd.Server, keyFile, hostKey string) (*ssh.Client, error) {
	t.Helper()
	b, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(b)
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(hostKey))
	if err != nil {
		t.Fatalf("the server's HostKey %q: %v", hostKey, err)
	}
	return ssh.Dial("tcp", s.Addr, &ssh.ClientConfig{
		User: s.User, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)}, HostKeyCallback: ssh.FixedHostKey(pub),
	})
}

// TestRealSSHD: the server speaks sftp to its key, with its host key,
// writes where it is told as the current user, refuses any other key, and
// runs as the current user (not root unless the test is).
func TestRealSSHD(t *testing.T) {
	s := realsshd.Start(t)
	conn, err := dial(t, s, s.KeyFile, s.HostKey)
	if err != nil {
		t.Fatalf("ssh to %s with the server's key: %v\n%s", s.Addr, err, s.Log())
	}
	defer conn.Close()
	c, err := sftp.NewClient(conn)
	if err != nil {
		t.Fatalf("sftp session: %v\n%s", err, s.Log())
	}
	defer c.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "f.txt")
	if err := c.MkdirAll(filepath.Dir(path)); err != nil {
		t.Fatal(err)
	}
	f, err := c.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte("written over sftp")
	if _, err := f.Write(want); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("file written over sftp reads %q, %v; want %q", got, err, want)
	}
	if owner := statUID(t, path); owner != os.Getuid() {
		t.Fatalf("the file sshd wrote belongs to uid %d, want the current user %d", owner, os.Getuid())
	}

	if _, err := dial(t, s, s.NewKey(t), s.HostKey); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("ssh with a key the server does not know = %v, want unable to authenticate", err)
	}
	other := s.NewKey(t)
	otherPub, err := os.ReadFile(other + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dial(t, s, s.KeyFile, string(otherPub)); err == nil || !strings.Contains(err.Error(), "host key mismatch") {
		t.Fatalf("ssh expecting another host key = %v, want host key mismatch", err)
	}

	_, port, _ := strings.Cut(s.Addr, ":")
	if p, _ := strconv.Atoi(port); p < 1024 {
		t.Fatalf("sshd listens on port %d, want an unprivileged one", p)
	}
	if !strings.HasPrefix(s.Addr, "127.0.0.1:") {
		t.Fatalf("sshd listens on %s, want loopback only", s.Addr)
	}
}

// statUID is the owner of path.
func statUID(t *testing.T, path string) int {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return int(fi.Sys().(*syscall.Stat_t).Uid)
}

// TestRealSSHDUnprivileged runs TestRealSSHD as an unprivileged user: sshd
// then runs without privilege separation, as that user, on a high port.
func TestRealSSHDUnprivileged(t *testing.T) {
	asuser.Rerun(t, "^TestRealSSHD$")
}
