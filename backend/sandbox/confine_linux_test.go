//go:build linux

package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The confinement tests run their scenario in a child: this test binary
// started again with childEnv naming the scenario and -test.run selecting
// TestSandboxChild, which runs it, prints "FAIL: …" lines for what went
// wrong and "DONE" at the end (or execs a command).
const (
	childEnv    = "ICE_SANDBOX_TEST_CHILD"
	childDirEnv = "ICE_SANDBOX_TEST_DIR"
)

// childScenarios are the scenarios TestSandboxChild can run.
var childScenarios = map[string]func(c *childT){
	"seccomp":  scenarioSeccomp,
	"confine":  scenarioConfine,
	"landlock": scenarioLandlock,
	"caps":     scenarioCaps,
	"true":     scenarioTrue,
	"nproc":    func(c *childT) { scenarioNproc(c, 3) },
	"nproc0":   func(c *childT) { scenarioNproc(c, 0) },
	"hog":      scenarioHog,
}

// childT collects the failures of a scenario in the child.
type childT struct{ failed bool }

// fail reports one failure.
func (c *childT) fail(format string, args ...any) {
	c.failed = true
	fmt.Printf("FAIL: "+format+"\n", args...)
}

// errno checks that a system call failed with want.
func (c *childT) errno(what string, err error, want syscall.Errno) {
	if err != want {
		c.fail("%s: got %v (%d), want %v", what, err, errnoOf(err), want)
	}
}

// ok checks that an operation succeeded.
func (c *childT) ok(what string, err error) {
	if err != nil {
		c.fail("%s: %v", what, err)
	}
}

// errnoOf is the number of an errno error (0 otherwise).
func errnoOf(err error) int {
	if e, ok := err.(syscall.Errno); ok {
		return int(e)
	}
	return 0
}

// TestSandboxChild is the child side of the confinement tests; it does
// nothing in a normal run.
func TestSandboxChild(t *testing.T) {
	name := os.Getenv(childEnv)
	if name == "" {
		t.Skip("only run as a child of the confinement tests")
	}
	runtime.LockOSThread()
	c := &childT{}
	childScenarios[name](c)
	fmt.Println("DONE")
	if c.failed {
		os.Exit(1)
	}
	os.Exit(0)
}

// runChild runs scenario in a child and returns its output and error.
func runChild(t *testing.T, scenario, dir string, attr *syscall.SysProcAttr) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestSandboxChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+scenario, childDirEnv+"="+dir, "GORACE=atexit_sleep_ms=0")
	if attr == nil {
		attr = &syscall.SysProcAttr{}
	}
	attr.Setpgid = true // a scenario gone wrong may leave processes: kill them all
	cmd.SysProcAttr = attr
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// expectChild runs scenario in a child and fails t unless it ended well.
func expectChild(t *testing.T, scenario, dir string, attr *syscall.SysProcAttr) string {
	t.Helper()
	out, err := runChild(t, scenario, dir, attr)
	if err != nil || strings.Contains(out, "FAIL:") || !strings.Contains(out, "DONE") {
		t.Fatalf("child %s: %v\n%s", scenario, err, out)
	}
	return out
}

// needRoot skips tests that need root (the child sets up what it tests
// with privileges, to show that the layer, not a missing privilege,
// refuses).
func needRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	if !seccompAvailable() {
		t.Skip("no seccomp")
	}
}

// Raw system calls of the scenarios (only the error matters).
func sysPtraceTraceme() error {
	_, _, e := syscall.RawSyscall(syscall.SYS_PTRACE, syscall.PTRACE_TRACEME, 0, 0)
	return errOrNil(e)
}

// sysProcessVMReadv reads one of this process's words through
// process_vm_readv.
func sysProcessVMReadv() error {
	var src, dst uint64 = 42, 0
	local := unix.Iovec{Base: (*byte)(unsafe.Pointer(&dst)), Len: 8}
	remote := unix.RemoteIovec{Base: uintptr(unsafe.Pointer(&src)), Len: 8}
	_, err := unix.ProcessVMReadv(os.Getpid(), []unix.Iovec{local}, []unix.RemoteIovec{remote}, 0)
	if err == nil {
		return nil
	}
	return err.(syscall.Errno)
}

// sysIOUringSetup tries io_uring_setup and closes the ring if it got one.
func sysIOUringSetup() error {
	var params [120]byte
	r, _, e := syscall.RawSyscall(unix.SYS_IO_URING_SETUP, 1, uintptr(unsafe.Pointer(&params[0])), 0)
	if e == 0 {
		syscall.Close(int(r))
	}
	return errOrNil(e)
}

// sysBPF tries to create a one-element array map.
func sysBPF() error {
	var attr [72]byte
	*(*uint32)(unsafe.Pointer(&attr[0])) = 2  // BPF_MAP_TYPE_ARRAY
	*(*uint32)(unsafe.Pointer(&attr[4])) = 4  // key_size
	*(*uint32)(unsafe.Pointer(&attr[8])) = 4  // value_size
	*(*uint32)(unsafe.Pointer(&attr[12])) = 1 // max_entries
	r, _, e := syscall.RawSyscall(unix.SYS_BPF, 0 /* BPF_MAP_CREATE */, uintptr(unsafe.Pointer(&attr[0])), uintptr(len(attr)))
	if e == 0 {
		syscall.Close(int(r))
	}
	return errOrNil(e)
}

// sysKeyctl asks for the session keyring's id.
func sysKeyctl() error {
	_, err := unix.KeyctlInt(unix.KEYCTL_GET_KEYRING_ID, unix.KEY_SPEC_SESSION_KEYRING, 0, 0, 0)
	if err == nil {
		return nil
	}
	return err.(syscall.Errno)
}

// sysClone forks with flags through clone (or clone3 when three is set);
// a child it makes exits at once.
func sysClone(flags uintptr, three bool) error {
	var r uintptr
	var e syscall.Errno
	if three {
		var args [11]uint64 // struct clone_args
		args[0] = uint64(flags)
		args[4] = uint64(syscall.SIGCHLD) // exit_signal
		r, _, e = syscall.RawSyscall(unix.SYS_CLONE3, uintptr(unsafe.Pointer(&args[0])), unsafe.Sizeof(args), 0)
	} else {
		r, _, e = syscall.RawSyscall6(syscall.SYS_CLONE, flags|uintptr(syscall.SIGCHLD), 0, 0, 0, 0, 0)
	}
	if e != 0 {
		return e
	}
	if r == 0 { // the child
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 0, 0, 0)
	}
	var ws syscall.WaitStatus
	syscall.Wait4(int(r), &ws, 0, nil)
	return nil
}

// errOrNil turns errno 0 into nil.
func errOrNil(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// scenarioSeccomp loads the filter alone, keeping every capability of
// root, so that only the filter can refuse what it tests.
func scenarioSeccomp(c *childT) {
	f, err := seccompFilter()
	c.ok("filter", err)
	c.ok("no_new_privs", unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
	c.ok("load", loadSeccomp(f))
	dir := os.Getenv(childDirEnv)
	c.errno("ptrace(TRACEME)", sysPtraceTraceme(), syscall.EPERM)
	c.errno("process_vm_readv", sysProcessVMReadv(), syscall.EPERM)
	c.errno("unshare(CLONE_NEWNS)", syscall.Unshare(syscall.CLONE_NEWNS), syscall.EPERM)
	c.errno("unshare(CLONE_NEWUSER)", syscall.Unshare(syscall.CLONE_NEWUSER), syscall.EPERM)
	c.errno("mount", syscall.Mount("none", dir, "tmpfs", 0, ""), syscall.EPERM)
	c.errno("umount2", syscall.Unmount(dir, 0), syscall.EPERM)
	c.errno("chroot", syscall.Chroot("/"), syscall.EPERM)
	c.errno("io_uring_setup", sysIOUringSetup(), syscall.EPERM)
	c.errno("bpf", sysBPF(), syscall.EPERM)
	c.errno("keyctl", sysKeyctl(), syscall.EPERM)
	c.errno("clone(CLONE_NEWNS)", sysClone(syscall.CLONE_NEWNS, false), syscall.EPERM)
	c.errno("clone(CLONE_NEWNET)", sysClone(syscall.CLONE_NEWNET, false), syscall.EPERM)
	c.errno("clone3", sysClone(0, true), syscall.ENOSYS)
	// What a build does still works.
	c.ok("clone (fork)", sysClone(0, false))
	c.ok("exec /bin/true", exec.Command("/bin/true").Run())
	if out, err := exec.Command("/bin/sh", "-c", "echo a | cat").Output(); err != nil || string(out) != "a\n" {
		c.fail("sh pipeline: %q %v", out, err)
	}
}

// scenarioConfine applies the whole confinement with the filesystem
// readable and checks the system calls again.
func scenarioConfine(c *childT) {
	dir := os.Getenv(childDirEnv)
	layers, err := confine(confineSpec{ReadOnly: []string{"/"}, ReadWrite: []string{dir}})
	c.ok("confine", err)
	fmt.Printf("layers: %q\n", layers)
	if !contains(layers, "seccomp") {
		c.fail("layers %q lack seccomp", layers)
	}
	if abi := landlockABI(); abi > 0 && !contains(layers, fmt.Sprintf("landlock ABI %d", abi)) {
		c.fail("layers %q lack landlock ABI %d", layers, abi)
	}
	c.errno("ptrace(TRACEME)", sysPtraceTraceme(), syscall.EPERM)
	c.errno("process_vm_readv", sysProcessVMReadv(), syscall.EPERM)
	c.errno("unshare(CLONE_NEWUSER)", syscall.Unshare(syscall.CLONE_NEWUSER), syscall.EPERM)
	c.errno("mount", syscall.Mount("none", dir, "tmpfs", 0, ""), syscall.EPERM)
	c.errno("io_uring_setup", sysIOUringSetup(), syscall.EPERM)
	c.errno("bpf", sysBPF(), syscall.EPERM)
	var lim unix.Rlimit
	c.ok("getrlimit", unix.Getrlimit(unix.RLIMIT_CORE, &lim))
	if lim.Cur != 0 || lim.Max != 0 {
		c.fail("RLIMIT_CORE %+v", lim)
	}
	c.ok("write inside", os.WriteFile(filepath.Join(dir, "w"), []byte("x"), 0o644))
}

// contains reports whether list has s.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// scenarioLandlock confines to the folders of the parent's layout and
// tries reading and writing in and out of them.
func scenarioLandlock(c *childT) {
	dir := os.Getenv(childDirEnv)
	p := func(s string) string { return filepath.Join(dir, s) }
	_, err := confine(confineSpec{
		ReadOnly:  []string{p("ro"), p("rofile"), p("missing"), "/bin", "/usr", "/lib", "/lib64"},
		ReadWrite: []string{p("rw"), p("rwfile"), p("missing2"), "/dev/null"},
	})
	c.ok("confine", err)
	_, err = os.ReadFile(p("ro/a"))
	c.ok("read ro/a", err)
	_, err = os.ReadDir(p("ro"))
	c.ok("list ro", err)
	c.errno("write ro/new", pathErrno(os.WriteFile(p("ro/new"), nil, 0o644)), syscall.EACCES)
	c.errno("write ro/a", pathErrno(os.WriteFile(p("ro/a"), nil, 0o644)), syscall.EACCES)
	_, err = os.ReadFile(p("rofile"))
	c.ok("read rofile", err)
	c.errno("write rofile", pathErrno(os.WriteFile(p("rofile"), nil, 0o644)), syscall.EACCES)
	_, err = os.ReadFile(p("out/b"))
	c.errno("read out/b", pathErrno(err), syscall.EACCES)
	_, err = os.ReadDir(p("out"))
	c.errno("list out", pathErrno(err), syscall.EACCES)
	c.errno("write out/c", pathErrno(os.WriteFile(p("out/c"), nil, 0o644)), syscall.EACCES)
	c.ok("write rw/x", os.WriteFile(p("rw/x"), []byte("x"), 0o644))
	c.ok("mkdir rw/d", os.Mkdir(p("rw/d"), 0o755))
	c.ok("rename rw/x rw/d/x", os.Rename(p("rw/x"), p("rw/d/x")))
	c.ok("truncate rw/d/x", os.Truncate(p("rw/d/x"), 0))
	c.ok("remove rw/d/x", os.Remove(p("rw/d/x")))
	c.ok("symlink rw/l", os.Symlink("x", p("rw/l")))
	c.ok("write rwfile", os.WriteFile(p("rwfile"), []byte("y"), 0o644))
	c.errno("mkdir out/d", pathErrno(os.Mkdir(p("out/d"), 0o755)), syscall.EACCES)
	// After exec the domain still holds.
	err = syscall.Exec("/bin/sh", []string{"sh", "-c", `cat "$1/ro/a" && ! cat "$1/out/b" 2>/dev/null && echo DONE`, "sh", dir}, os.Environ())
	c.fail("exec: %v", err)
}

// pathErrno is the errno of a *PathError (or other wrapped errno).
func pathErrno(err error) error {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	return err
}

// scenarioCaps confines and execs a shell that prints its capabilities.
func scenarioCaps(c *childT) {
	before, _ := os.ReadFile("/proc/thread-self/status")
	fmt.Printf("before: %s\n", capLines(string(before)))
	_, err := confine(confineSpec{ReadOnly: []string{"/"}})
	c.ok("confine", err)
	err = syscall.Exec("/bin/sh", []string{"sh", "-c", "grep Cap /proc/self/status; id -u; echo DONE"}, os.Environ())
	c.fail("exec: %v", err)
}

// capLines are the Cap* lines of a status file, on one line.
func capLines(status string) string {
	var caps []string
	for _, l := range strings.Split(status, "\n") {
		if strings.HasPrefix(l, "Cap") {
			caps = append(caps, strings.Join(strings.Fields(l), " "))
		}
	}
	return strings.Join(caps, "; ")
}

// scenarioTrue confines and execs /bin/true.
func scenarioTrue(c *childT) {
	_, err := confine(confineSpec{ReadOnly: []string{"/"}, Limits: Limits{CPUTimeMs: 1500, Processes: 100}})
	c.ok("confine", err)
	var lim unix.Rlimit
	c.ok("getrlimit", unix.Getrlimit(unix.RLIMIT_CPU, &lim))
	if lim.Cur != 2 {
		c.fail("RLIMIT_CPU %+v, want 2 s", lim)
	}
	c.ok("getrlimit", unix.Getrlimit(unix.RLIMIT_NPROC, &lim))
	if lim.Cur != 100 {
		c.fail("RLIMIT_NPROC %+v, want 100", lim)
	}
	if c.failed {
		return
	}
	err = syscall.Exec("/bin/true", []string{"true"}, os.Environ())
	c.fail("exec: %v", err)
}

// scenarioNproc makes this thread uid 65534 (keeping its capabilities:
// RLIMIT_NPROC does not bind the host's root) and confines it with a
// limit of procs (0: none), then execs a shell that starts six processes.
func scenarioNproc(c *childT, procs int) {
	c.ok("keepcaps", unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0))
	_, _, e := syscall.RawSyscall(unix.SYS_SETRESUID, 65534, 65534, 65534) // this thread only
	c.ok("setresuid", errOrNil(e))
	hdr := unix.CapUserHeader{Version: linuxCapabilityVersion3}
	var data [2]unix.CapUserData
	c.ok("capget", unix.Capget(&hdr, &data[0]))
	data[0].Effective, data[1].Effective = data[0].Permitted, data[1].Permitted
	c.ok("capset", unix.Capset(&hdr, &data[0]))
	_, err := confine(confineSpec{ReadOnly: []string{"/"}, Limits: Limits{Processes: procs}})
	c.ok("confine", err)
	if c.failed {
		return
	}
	script := `for i in 1 2 3 4 5 6; do sleep 0.2 & done; wait; echo DONE`
	err = syscall.Exec("/bin/sh", []string{"sh", "-c", script}, os.Environ())
	c.fail("exec: %v", err)
}

// scenarioHog touches 300 MB and waits to be killed.
func scenarioHog(c *childT) {
	b := make([]byte, 300<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	fmt.Println("ready")
	time.Sleep(20 * time.Second)
	runtime.KeepAlive(b)
}

// TestSeccompFilter: the filter alone refuses what it lists, to root with
// every capability, and lets processes and pipes work.
func TestSeccompFilter(t *testing.T) {
	needRoot(t)
	expectChild(t, "seccomp", t.TempDir(), nil)
}

// TestConfine: after the whole confinement the same calls fail, and the
// layers are reported.
func TestConfine(t *testing.T) {
	needRoot(t)
	out := expectChild(t, "confine", t.TempDir(), nil)
	t.Log(strings.TrimSpace(strings.Split(out, "\n")[0]))
}

// TestConfineLandlock: reads and writes outside the lists are refused,
// inside they work, before and after exec.
func TestConfineLandlock(t *testing.T) {
	needRoot(t)
	if landlockABI() == 0 {
		t.Skip("no landlock")
	}
	dir := t.TempDir()
	for _, d := range []string{"ro", "rw", "out"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"ro/a", "out/b", "rofile", "rwfile"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("data\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := expectChild(t, "landlock", dir, nil)
	if !strings.Contains(out, "data\nDONE") {
		t.Fatalf("after exec:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "out/c")); err == nil {
		t.Fatal("out/c was written")
	}
}

// TestConfineCaps: after confine and exec, root has no capabilities left,
// in the host's user namespace and as uid 0 of a new one.
func TestConfineCaps(t *testing.T) {
	needRoot(t)
	for _, userns := range []bool{false, true} {
		t.Run(fmt.Sprint("userns=", userns), func(t *testing.T) {
			var attr *syscall.SysProcAttr
			if userns {
				attr = &syscall.SysProcAttr{
					Cloneflags:  syscall.CLONE_NEWUSER,
					UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}},
					GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}},
				}
			}
			out := expectChild(t, "caps", "", attr)
			before := ""
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(l, "before: ") {
					before = l
				}
			}
			if !strings.Contains(before, "CapEff: ") || strings.Contains(before, "CapEff: 0000000000000000") {
				t.Fatalf("the child had no capabilities to begin with:\n%s", out)
			}
			n := 0
			for _, l := range strings.Split(out, "\n") {
				if f := strings.Fields(l); len(f) == 2 && strings.HasPrefix(f[0], "Cap") {
					n++
					if f[1] != "0000000000000000" {
						t.Errorf("after exec %s", l)
					}
				}
			}
			if n != 5 {
				t.Fatalf("%d capability sets, want 5:\n%s", n, out)
			}
			if !strings.Contains(out, "\n0\nDONE") {
				t.Fatalf("not uid 0:\n%s", out)
			}
		})
	}
}

// TestConfineExec: exec works after confine, with the CPU and process
// rlimits set.
func TestConfineExec(t *testing.T) {
	needRoot(t)
	out, err := runChild(t, "true", "", nil)
	if err != nil || out != "" {
		t.Fatalf("exec /bin/true: %v\n%s", err, out)
	}
}

// TestConfineNproc: RLIMIT_NPROC stops the seventh process of a user
// limited to 3, and nothing stops it without the limit.
func TestConfineNproc(t *testing.T) {
	needRoot(t)
	out, _ := runChild(t, "nproc", "", nil)
	if !strings.Contains(strings.ToLower(out), "fork") || strings.Contains(out, "FAIL:") {
		t.Fatalf("with the limit, no fork failed:\n%s", out)
	}
	out = expectChild(t, "nproc0", "", nil)
	if strings.Contains(strings.ToLower(out), "fork") {
		t.Fatalf("without the limit:\n%s", out)
	}
}

// TestLandlockABI: the probe agrees with the kernel's answer.
func TestLandlockABI(t *testing.T) {
	abi := landlockABI()
	if abi < 0 || abi > maxLandlockABI {
		t.Fatalf("landlockABI() = %d", abi)
	}
	t.Logf("landlock ABI %d, seccomp %v", abi, seccompAvailable())
}
