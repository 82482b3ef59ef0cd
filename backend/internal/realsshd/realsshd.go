// Package realsshd runs a real OpenSSH sshd (Debian's openssh-server,
// which scripts/setup installs) for tests, so the sftp replica is proven
// against the server users point it at rather than an in-process fake.
//
// The server listens on a free loopback port, with its own configuration,
// a generated host key and a generated user key (ssh-keygen) in
// tb.TempDir(), and lets in only the current user with that key, over
// sftp only (internal-sftp: no shell is run). It works as root and as an
// unprivileged user: as root, sshd's privilege separation needs
// /run/sshd, which Start creates if it is missing (as Debian's ssh
// service does); as any other user sshd runs unprivileged (it can then
// authenticate only that user, which is all the tests need).
//
// Without the sshd program the tests that need it skip, saying how to
// install it.
package realsshd

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BinaryEnv names the environment variable that may point at another sshd
// program; DefaultBinary is used without it.
const BinaryEnv = "ICE_SSHD_BIN"

// DefaultBinary is Debian's sshd.
const DefaultBinary = "/usr/sbin/sshd"

// startTimeout bounds how long sshd may take to greet a client.
const startTimeout = 15 * time.Second

// Server is a running sshd.
type Server struct {
	Addr string // host:port on loopback
	User string // the only user let in: the current one
	// KeyFile is the private key (ed25519, no passphrase) the server
	// accepts for User.
	KeyFile string
	// HostKey is the server's public host key in authorized_keys form.
	HostKey string
	// Stop ends the server (SIGTERM, then SIGKILL after 5 s) and waits for
	// it; cleanup calls it again harmlessly.
	Stop func()

	dir     string
	logPath string
}

// URL is an sftp:// URL of path (absolute) on the server, for User.
func (s *Server) URL(path string) string {
	return "sftp://" + s.User + "@" + s.Addr + filepath.ToSlash(path)
}

// Log returns what sshd has printed so far, for failure messages.
func (s *Server) Log() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b)
}

// NewKey generates another key pair, one the server does not accept, and
// returns its private key file.
func (s *Server) NewKey(tb testing.TB) string {
	tb.Helper()
	return keygen(tb, tb.TempDir(), "id_other")
}

// Start runs sshd on a free loopback port and stops it when the test ends.
// It skips the test when there is no sshd program, and fails it when sshd
// does not start.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin := os.Getenv(BinaryEnv)
	if bin == "" {
		bin = DefaultBinary
	}
	if fi, err := os.Stat(bin); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		tb.Skipf("no sshd program at %s (install openssh-server: scripts/setup does): %v", bin, err)
	}
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		tb.Skipf("no ssh-keygen (install openssh-client): %v", err)
	}
	me, err := user.Current()
	if err != nil {
		tb.Fatalf("who am I: %v", err)
	}
	if os.Geteuid() == 0 {
		// sshd as root chroots its unprivileged half into this directory.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			tb.Fatalf("create sshd's privilege separation directory /run/sshd: %v", err)
		}
	}
	dir := tb.TempDir()
	s := &Server{User: me.Username, dir: dir, logPath: filepath.Join(dir, "sshd.log")}
	hostKey := keygen(tb, dir, "ssh_host_ed25519_key")
	pub, err := os.ReadFile(hostKey + ".pub")
	if err != nil {
		tb.Fatal(err)
	}
	s.HostKey = strings.TrimSpace(string(pub))
	s.KeyFile = keygen(tb, dir, "id_ed25519")
	userPub, err := os.ReadFile(s.KeyFile + ".pub")
	if err != nil {
		tb.Fatal(err)
	}
	authorized := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(authorized, userPub, 0o600); err != nil {
		tb.Fatal(err)
	}

	// The port is free when chosen and may be taken before sshd binds it:
	// then sshd exits at once and another port is tried.
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		addr, err := freeAddr()
		if err != nil {
			tb.Fatalf("find a free port for sshd: %v", err)
		}
		s.Addr = addr
		conf := filepath.Join(dir, "sshd_config")
		if err := os.WriteFile(conf, []byte(config(addr, hostKey, authorized, me.Username)), 0o600); err != nil {
			tb.Fatal(err)
		}
		if lastErr = s.run(tb, bin, conf); lastErr == nil {
			return s
		}
	}
	tb.Fatalf("sshd on %s: %v\n--- sshd log ---\n%s", s.Addr, lastErr, s.Log())
	return nil
}

// config is an sshd_config that lets only user in, with the one
// authorized key, to internal-sftp; nothing of /etc/ssh is read.
func config(addr, hostKey, authorized, user string) string {
	return strings.Join([]string{
		"ListenAddress " + addr,
		"HostKey " + hostKey,
		"PidFile none",
		"AuthorizedKeysFile " + authorized,
		// The key and config live in a test's temp dir, which sshd's
		// ownership checks of a home directory do not fit.
		"StrictModes no",
		"UsePAM no",
		"PubkeyAuthentication yes",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PermitRootLogin prohibit-password",
		"AllowUsers " + user,
		"AllowTcpForwarding no",
		"X11Forwarding no",
		"PermitTTY no",
		"ForceCommand internal-sftp",
		"Subsystem sftp internal-sftp",
		"MaxStartups 100",
		"MaxSessions 100",
		"LogLevel VERBOSE",
		"",
	}, "\n")
}

// run starts sshd with conf and waits until it greets a client.
func (s *Server) run(tb testing.TB, bin, conf string) error {
	tb.Helper()
	logFile, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close() // the child has its own descriptor
	// -D: stay in the foreground; -e: log to stderr.
	cmd := exec.Command(bin, "-D", "-e", "-f", conf)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C",
		// Without UsePAM sshd refuses a locked account ("!" in its shadow
		// entry). A user who cannot read /etc/shadow gets no entry, except
		// that systemd's NSS module then makes one up for nobody (the
		// tests' unprivileged user, package asuser) that reads "!*": this
		// asks it not to.
		"SYSTEMD_NSS_BYPASS_SYNTHETIC=1"}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group, so its per-connection children die with it;
	// SIGTERM if the test binary dies without cleaning up.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := sync.OnceFunc(func() { stopProcess(cmd, exited) })
	if err := waitGreeting(s.Addr, exited); err != nil {
		stop()
		return err
	}
	s.Stop = stop
	tb.Cleanup(stop)
	return nil
}

// waitGreeting dials addr until sshd sends its version line, exits, or
// startTimeout passes.
func waitGreeting(addr string, exited <-chan struct{}) error {
	deadline := time.Now().Add(startTimeout)
	for {
		if greeted(addr) {
			return nil
		}
		select {
		case <-exited:
			return errors.New("sshd exited before greeting a client")
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("sshd did not greet a client within %s", startTimeout)
		}
	}
}

func greeted(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "SSH-2.0-")
}

// keygen makes an ed25519 key pair without a passphrase at dir/name and
// returns the private key's path.
func keygen(tb testing.TB, dir, name string) string {
	tb.Helper()
	path := filepath.Join(dir, name)
	out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ice-realsshd", "-f", path).CombinedOutput()
	if err != nil {
		tb.Fatalf("ssh-keygen %s: %v\n%s", path, err, out)
	}
	return path
}

// stopProcess sends SIGTERM, waits up to 5 s, then kills the process
// group.
func stopProcess(cmd *exec.Cmd, exited <-chan struct{}) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-exited
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
