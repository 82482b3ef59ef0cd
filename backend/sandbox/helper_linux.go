package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// proxyPath is where the kernel's proxy socket is seen inside.
const proxyPath = "/run/ice-proxy.sock"

// stage2Config is what stage 1 sends stage 2 (JSON on fd 3).
type stage2Config struct {
	Argv    []string    `json:"argv"`
	Env     []string    `json:"env"`
	Dir     string      `json:"dir"`
	Confine confineSpec `json:"confine"`
}

// stage2Report is what stage 2 says just before its exec (fd 4, close-on-exec).
type stage2Report struct {
	Layers []string `json:"layers"`
}

// helperMain is stage 1: PID 1 of the sandbox's namespaces.
func helperMain() int {
	unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	in := os.NewFile(3, "spec")
	status := os.NewFile(4, "status")
	var cfg helperConfig
	if err := json.NewDecoder(in).Decode(&cfg); err != nil {
		return 2
	}
	in.Close()
	enc := json.NewEncoder(status)
	var encMu sync.Mutex
	send := func(m helperStatus) {
		encMu.Lock()
		enc.Encode(m)
		encMu.Unlock()
	}
	fail := func(err error) int {
		send(helperStatus{Event: "error", Error: err.Error()})
		return 1
	}
	if cfg.SelfTest == "userns" {
		return 0
	}
	if err := buildRoot(&cfg); err != nil {
		return fail(err)
	}
	if cfg.SelfTest == "mount" {
		if err := os.WriteFile(filepath.Join(cfg.Root, "probe"), []byte("ok"), 0o644); err != nil {
			return fail(fmt.Errorf("write through the overlay: %w", err))
		}
		return 0
	}
	if err := loopbackUp(); err != nil {
		return fail(fmt.Errorf("bring lo up: %w", err))
	}
	unix.Sethostname([]byte("sandbox"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if cfg.ProxySocket != "" {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", ProxyPort))
		if err != nil {
			return fail(fmt.Errorf("proxy listener: %w", err))
		}
		go bridge(ctx, ln, proxyPath)
	}

	// Stage 2, through which the command starts.
	cfgR, cfgW, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	home := cfg.Home
	env := withEnv(cfg.Env, "HOME="+home, "TMPDIR=/tmp")
	rw := []string{cfg.Root, "/tmp", home, "/dev"}
	ro := []string{"/"}
	for _, b := range cfg.Binds {
		if b.Writable {
			rw = append(rw, b.Path)
		}
	}
	dir := cfg.Root
	if cfg.Dir != "" && cfg.Dir != "." {
		dir = filepath.Join(cfg.Root, filepath.FromSlash(cfg.Dir))
	}
	s2 := stage2Config{Argv: cfg.Argv, Env: env, Dir: dir,
		Confine: confineSpec{ReadOnly: ro, ReadWrite: rw, Limits: cfg.Limits}}
	cmd := exec.Command("/proc/self/exe", stage2Arg)
	cmd.Args[0] = "ice-sandbox-exec"
	cmd.Env = []string{}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{cfgR, repW}
	cmd.Dir = "/"
	if err := cmd.Start(); err != nil {
		return fail(fmt.Errorf("start stage 2: %w", err))
	}
	cfgR.Close()
	repW.Close()
	json.NewEncoder(cfgW).Encode(s2)
	cfgW.Close()
	pid := cmd.Process.Pid

	// The exec report: stage 2 writes its layers, then the pipe closes at
	// the exec (close-on-exec) or when stage 2 fails.
	repDone := make(chan struct{})
	go func() {
		defer close(repDone)
		b, _ := io.ReadAll(repR)
		repR.Close()
		t := time.Now().UnixNano()
		var rep stage2Report
		if json.Unmarshal(b, &rep) == nil {
			send(helperStatus{Event: "exec", TimeNs: t, Layers: rep.Layers})
		}
	}()

	var limMu sync.Mutex
	limit := ""
	// killAll kills every other process of the namespace, again and again
	// (a fork bomb may fork while the first kill goes round) until the
	// reaping below has collected them all.
	reaped := make(chan struct{})
	var killOnce sync.Once
	killAll := func() {
		killOnce.Do(func() {
			unix.Kill(-1, unix.SIGKILL)
			go func() {
				t := time.NewTicker(5 * time.Millisecond)
				defer t.Stop()
				for {
					select {
					case <-reaped:
						return
					case <-t.C:
						unix.Kill(-1, unix.SIGKILL)
					}
				}
			}()
		})
	}
	wctx, wcancel := context.WithCancel(ctx)
	usageCh := make(chan usage, 1)
	go func() {
		usageCh <- watch(wctx, "/proc", cfg.Limits, func(l string) {
			limMu.Lock()
			if limit == "" {
				limit = l
			}
			limMu.Unlock()
			killAll()
		})
	}()

	// Reap everything; when the command ends, kill whatever it left.
	var st helperStatus
	st.Event = "exit"
	for {
		var ws unix.WaitStatus
		wpid, err := unix.Wait4(-1, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			break
		}
		if wpid == pid {
			switch {
			case ws.Exited():
				st.ExitCode = ws.ExitStatus()
			case ws.Signaled():
				st.ExitCode = -1
				st.Signal = unix.SignalName(ws.Signal())
			}
			killAll()
		}
	}
	close(reaped)
	wcancel()
	<-repDone
	u := <-usageCh
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_CHILDREN, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if u.CPU > cpu {
		cpu = u.CPU
	}
	st.CPUTimeMs = cpu.Milliseconds()
	st.PeakMemory = ru.Maxrss * 1024
	if u.PeakRSS > st.PeakMemory {
		st.PeakMemory = u.PeakRSS
	}
	limMu.Lock()
	st.Limit = limit
	limMu.Unlock()
	if st.Limit == "" && st.Signal == "SIGXCPU" {
		st.Limit = "cpu"
	}
	if st.Limit != "" {
		st.ExitCode = -1
		if st.Signal == "" {
			st.Signal = "SIGKILL"
		}
	}
	send(st)
	status.Close()
	return 0
}

// withEnv sets the variables of set in env (replacing earlier values).
func withEnv(env []string, set ...string) []string {
	out := make([]string, 0, len(env)+len(set))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, s := range set {
			if strings.HasPrefix(s, k+"=") {
				keep = false
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	return append(out, set...)
}

// stage2Main confines this process and execs the command.
func stage2Main() int {
	runtime.LockOSThread()
	in := os.NewFile(3, "config")
	rep := os.NewFile(4, "report")
	unix.CloseOnExec(4)
	var c stage2Config
	if err := json.NewDecoder(in).Decode(&c); err != nil {
		fmt.Fprintln(os.Stderr, "sandbox: stage 2 config:", err)
		return 126
	}
	in.Close()
	if err := os.Chdir(c.Dir); err != nil {
		fmt.Fprintf(os.Stderr, "sandbox: cd %s: %v\n", c.Dir, err)
		return 1
	}
	prog, err := lookPath(c.Argv[0], c.Env)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", c.Argv[0], err)
		if errors.Is(err, errNotFound) {
			return 127
		}
		return 126
	}
	// The command runs a little below PID 1, so that the watch and the
	// kills keep up with a fork bomb (root is exempt from RLIMIT_NPROC).
	unix.Setpriority(unix.PRIO_PROCESS, 0, 5)
	layers, err := confine(c.Confine)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sandbox: confine:", err)
		return 126
	}
	json.NewEncoder(rep).Encode(stage2Report{Layers: layers})
	err = syscall.Exec(prog, c.Argv, c.Env)
	fmt.Fprintf(os.Stderr, "%s: %v\n", c.Argv[0], err)
	return 126
}

var errNotFound = errors.New("command not found")

// lookPath finds argv[0] as a shell would, in the PATH of env.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		if err := executable(name); err != nil {
			if os.IsNotExist(err) {
				return "", errors.New("No such file or directory")
			}
			return "", err
		}
		return name, nil
	}
	pathv := "/usr/local/bin:/usr/bin:/bin"
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathv = v
		}
	}
	for _, d := range filepath.SplitList(pathv) {
		if d == "" {
			d = "."
		}
		p := filepath.Join(d, name)
		if executable(p) == nil {
			return p, nil
		}
	}
	return "", errNotFound
}

func executable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return errors.New("Is a directory")
	}
	return unix.Access(p, unix.X_OK)
}

// loopbackUp brings up lo, the only device of the new network namespace.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}

// itoa is strconv.Itoa (kept short for the mount options).
func itoa(i int) string { return strconv.Itoa(i) }
