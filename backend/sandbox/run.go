package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The private argv[1] values by which the Studio's binary knows it was
// re-executed as one of the sandbox's stages.
const (
	helperArg = "__ice-sandbox-helper" // stage 1: PID 1 of the namespaces
	stage2Arg = "__ice-sandbox-exec"   // stage 2: confines itself and execs the command
)

// Init runs the sandbox helper when this process is one, and returns
// otherwise. Call it first thing in main() and in TestMain of every test
// package that runs commands.
func Init() {
	if len(os.Args) < 2 {
		return
	}
	switch os.Args[1] {
	case helperArg:
		os.Exit(helperMain())
	case stage2Arg:
		os.Exit(stage2Main())
	}
}

// helperConfig is what the parent sends stage 1 (as JSON on fd 3).
type helperConfig struct {
	Root        string   `json:"root"`
	Lower       string   `json:"lower"` // ModeCopy: the copy bound at Root
	Dir         string   `json:"dir"`
	Argv        []string `json:"argv"`
	Env         []string `json:"env"`
	Scratch     string   `json:"scratch"`
	Home        string   `json:"home"`
	Binds       []Bind   `json:"binds"`
	ProxySocket string   `json:"proxySocket"`
	Limits      Limits   `json:"limits"`
	Mode        string   `json:"mode"`
	Deletes     []string `json:"deletes"`
	SelfTest    string   `json:"selfTest,omitempty"` // "userns": exit at once; "mount": build the root, write a probe file, exit
}

// helperStatus is one message of stage 1 to the parent (JSON lines on fd 4).
type helperStatus struct {
	Event      string   `json:"event"` // "exec", "exit", "error"
	TimeNs     int64    `json:"timeNs,omitempty"`
	Layers     []string `json:"layers,omitempty"`
	ExitCode   int      `json:"exitCode"`
	Signal     string   `json:"signal,omitempty"`
	Limit      string   `json:"limit,omitempty"`
	CPUTimeMs  int64    `json:"cpuTimeMs,omitempty"`
	PeakMemory int64    `json:"peakMemory,omitempty"`
	Error      string   `json:"error,omitempty"`
}

// Run runs one command in the sandbox and returns how it ended and what it
// changed in the workspace view. A cancelled ctx kills the whole sandbox at
// once; Run then returns the Result so far with ctx's error.
func Run(ctx context.Context, s Spec) (Result, error) {
	t0 := time.Now()
	s.Limits = s.Limits.Or(DefaultLimits)
	if err := checkSpec(&s); err != nil {
		return Result{}, err
	}
	mode := s.Mode
	if mode == "" {
		st := Probe(ctx)
		if !st.Available {
			return Result{}, fmt.Errorf("sandbox unavailable: %s (%s)", st.Reason, st.Hint)
		}
		mode = st.Mode
	}
	if mode == ModeUnsandboxed {
		return runUnsandboxed(ctx, s, t0)
	}
	if mode != ModeOverlay && mode != ModeFuse && mode != ModeCopy {
		return Result{}, fmt.Errorf("sandbox: unknown mode %q", mode)
	}
	cfg, err := prepare(s, mode)
	if err != nil {
		return Result{}, err
	}
	res, err := runHelper(ctx, cfg, s, t0)
	// overlayfs leaves its work/work folder mode 000: let the caller remove Scratch.
	os.Chmod(filepath.Join(s.Scratch, "work", "work"), 0o700)
	res.Mode = mode
	res.Limits = s.Limits
	if err != nil && res.ExitCode == 0 && res.Signal == "" {
		return res, err
	}
	var cerr error
	if mode == ModeCopy {
		res.Changes, cerr = diffCopy(s.Root, cfg.Lower, s.Staged)
	} else {
		res.Changes, cerr = diffUpper(s.Root, filepath.Join(s.Scratch, "upper"), s.Staged, mode == ModeFuse)
	}
	res.DurationMs = time.Since(t0).Milliseconds()
	if err == nil {
		err = cerr
	}
	return res, err
}

// checkSpec validates and normalises the paths of s.
func checkSpec(s *Spec) error {
	if len(s.Argv) == 0 {
		return errors.New("sandbox: empty argv")
	}
	if !filepath.IsAbs(s.Root) || !filepath.IsAbs(s.Scratch) {
		return errors.New("sandbox: Root and Scratch must be absolute")
	}
	s.Root = filepath.Clean(s.Root)
	if s.Root == "/" {
		return errors.New("sandbox: the workspace cannot be /")
	}
	d, err := cleanRel(s.Dir)
	if err != nil && s.Dir != "" && s.Dir != "." {
		return fmt.Errorf("sandbox: Dir: %w", err)
	}
	s.Dir = d
	for i, f := range s.Staged {
		p, err := cleanRel(f.Path)
		if err != nil {
			return fmt.Errorf("sandbox: staged %q: %w", f.Path, err)
		}
		s.Staged[i].Path = p
	}
	for _, b := range s.Binds {
		if !filepath.IsAbs(b.Path) {
			return fmt.Errorf("sandbox: bind %q is not absolute", b.Path)
		}
	}
	return nil
}

// cleanRel checks a slash-separated path relative to the root.
func cleanRel(p string) (string, error) {
	c := path.Clean(strings.TrimPrefix(p, "./"))
	if p == "" || c == "." || path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") {
		return "", errors.New("not a relative path inside the workspace")
	}
	return c, nil
}

// prepare lays out the scratch folder and the helper's configuration.
func prepare(s Spec, mode string) (*helperConfig, error) {
	for _, d := range []string{"upper", "work", "home", "tmp", "etc", "root"} {
		if err := os.MkdirAll(filepath.Join(s.Scratch, d), 0o755); err != nil {
			return nil, err
		}
	}
	// Let the command's uid use the scratch folders even when Scratch was
	// made by someone else (tests).
	cfg := &helperConfig{Root: s.Root, Dir: s.Dir, Argv: s.Argv, Env: s.Env, Scratch: s.Scratch,
		Binds: s.Binds, ProxySocket: s.ProxySocket, Limits: s.Limits, Mode: mode}
	name, home := identity()
	cfg.Home = home
	if err := writeEtc(filepath.Join(s.Scratch, "etc"), name, home); err != nil {
		return nil, err
	}
	if mode == ModeCopy {
		cfg.Lower = filepath.Join(s.Scratch, "copy")
		if err := copyTree(s.Root, cfg.Lower); err != nil {
			return nil, fmt.Errorf("sandbox: copy the workspace: %w", err)
		}
		if err := applyStaged(cfg.Lower, s.Staged); err != nil {
			return nil, err
		}
		return cfg, nil
	}
	upper := filepath.Join(s.Scratch, "upper")
	if os.Getuid() != 0 {
		if err := precopyForeign(s.Root, upper); err != nil {
			return nil, fmt.Errorf("sandbox: foreign-owned files: %w", err)
		}
	}
	for _, f := range s.Staged {
		if f.Delete {
			cfg.Deletes = append(cfg.Deletes, f.Path)
			continue
		}
		if err := writeStaged(s.Root, upper, f); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// identity is the caller's user name and the home path shown inside.
func identity() (name, home string) {
	uid := os.Getuid()
	if uid == 0 {
		return "root", "/root"
	}
	name = fmt.Sprintf("user%d", uid)
	if u, err := user.LookupId(fmt.Sprint(uid)); err == nil {
		name, home = u.Username, u.HomeDir
	}
	if home == "" || home == "/" || !filepath.IsAbs(home) || home == "/nonexistent" {
		home = "/home/" + name
	}
	return name, filepath.Clean(home)
}

// writeEtc generates the sandbox's passwd, group, hosts and resolv.conf.
func writeEtc(dir, name, home string) error {
	uid, gid := os.Getuid(), os.Getgid()
	passwd := "root:x:0:0:root:/root:/bin/sh\n"
	group := "root:x:0:\n"
	if uid != 0 {
		passwd += fmt.Sprintf("%s:x:%d:%d:%s:%s:/bin/sh\n", name, uid, gid, name, home)
	}
	if gid != 0 {
		group += fmt.Sprintf("%s:x:%d:\n", name, gid)
	}
	if uid != 65534 {
		passwd += "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
	}
	if gid != 65534 {
		group += "nogroup:x:65534:\n"
	}
	files := map[string]string{
		"passwd":      passwd,
		"group":       group,
		"hosts":       "127.0.0.1\tlocalhost sandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n",
		"resolv.conf": "nameserver 127.0.0.1\n",
		"hostname":    "sandbox\n",
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeStaged puts one staged edit into the upper layer, with the mode of
// the lower file when there is one.
func writeStaged(root, upper string, f File) error {
	mode := os.FileMode(0o644)
	if lf, err := lowerFile(root, f.Path); err == nil && lf.kind == kindFile {
		mode = lf.mode
	}
	dst := filepath.Join(upper, filepath.FromSlash(f.Path))
	if err := upperDirs(root, upper, path.Dir(f.Path)); err != nil {
		return err
	}
	os.Remove(dst)
	if err := os.WriteFile(dst, f.Data, mode); err != nil {
		return err
	}
	return os.Chmod(dst, mode)
}

// applyStaged applies the staged edits to a copy of the workspace.
func applyStaged(dir string, staged []File) error {
	for _, f := range staged {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if f.Delete {
			if err := os.RemoveAll(p); err != nil {
				return err
			}
			continue
		}
		mode := os.FileMode(0o644)
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() {
			mode = fi.Mode().Perm()
		}
		os.Remove(p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, mode); err != nil {
			return err
		}
	}
	return nil
}

// runHelper starts stage 1 in its namespaces, pumps the output, enforces
// the wall clock, the output limit and ctx, and collects its status.
func runHelper(ctx context.Context, cfg *helperConfig, s Spec, t0 time.Time) (Result, error) {
	res := Result{ExitCode: -1}
	cmd, specW, statR, outR, err := startHelper(cfg, s.Stdin, s.Stderr)
	if err != nil {
		return res, err
	}
	// The helper waits for its spec: it is in its pids cgroup before it
	// starts anything.
	if cleanup, err := joinPidsCgroup(cmd.Process.Pid, s.Limits.Processes); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return res, err
	} else {
		defer cleanup()
	}
	json.NewEncoder(specW).Encode(cfg)
	specW.Close()

	var mu sync.Mutex
	limit := ""
	kill := func(l string) {
		mu.Lock()
		if limit == "" {
			limit = l
		}
		mu.Unlock()
		cmd.Process.Kill()
	}
	outDone := make(chan struct{})
	go func() {
		defer close(outDone)
		res.OutputSize = pumpOutput(outR, s.Output, s.Limits.OutputBytes, func() { kill("output") })
	}()
	statusCh := make(chan []helperStatus, 1)
	go func() { statusCh <- readStatus(statR) }()
	waitCh := make(chan error, 1)
	go func() { waitCh <- cmd.Wait() }()
	wall := time.NewTimer(time.Duration(s.Limits.WallClockMs) * time.Millisecond)
	defer wall.Stop()
	var werr, ctxErr error
	select {
	case werr = <-waitCh:
	case <-wall.C:
		kill("wall clock")
		werr = <-waitCh
	case <-ctx.Done():
		kill("")
		ctxErr = ctx.Err()
		werr = <-waitCh
	}
	msgs := <-statusCh
	outR.Close()
	<-outDone
	mu.Lock()
	res.Limit = limit
	mu.Unlock()
	exited := false
	for _, m := range msgs {
		switch m.Event {
		case "exec":
			res.StartUs = (m.TimeNs - t0.UnixNano()) / 1000
			res.Layers = m.Layers
		case "exit":
			exited = true
			res.ExitCode, res.Signal = m.ExitCode, m.Signal
			res.CPUTimeMs, res.PeakMemory = m.CPUTimeMs, m.PeakMemory
			if res.Limit == "" {
				res.Limit = m.Limit
			}
		case "error":
			return res, errors.New("sandbox: " + m.Error)
		}
	}
	if !exited {
		res.ExitCode, res.Signal = -1, "SIGKILL"
		if ctxErr == nil && res.Limit == "" {
			return res, fmt.Errorf("sandbox: the helper ended without a status: %v", werr)
		}
	}
	if res.Limit != "" {
		res.ExitCode = -1
		if res.Signal == "" {
			res.Signal = "SIGKILL"
		}
	}
	return res, ctxErr
}

// startHelper starts stage 1 in new namespaces.
func startHelper(cfg *helperConfig, stdin io.Reader, stderr io.Writer) (cmd *exec.Cmd, specW, statR, outR *os.File, err error) {
	specR, specW, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	statR, statW, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	defer specR.Close()
	defer statW.Close()
	defer outW.Close()
	cmd = exec.Command("/proc/self/exe", helperArg)
	cmd.Args[0] = "ice-sandbox"
	cmd.Env = []string{}
	cmd.Stdin = stdin
	cmd.Stdout, cmd.Stderr = outW, outW
	if stderr != nil {
		cmd.Stderr = stderr
	}
	cmd.ExtraFiles = []*os.File{specR, statW}
	cmd.WaitDelay = time.Second
	cmd.SysProcAttr = nsAttr()
	if err := cmd.Start(); err != nil {
		specW.Close()
		statR.Close()
		outR.Close()
		return nil, nil, nil, nil, fmt.Errorf("sandbox: start the helper in new namespaces: %w", err)
	}
	return cmd, specW, statR, outR, nil
}

// nsAttr is how stage 1 is cloned: new user, mount, PID, network, IPC and
// UTS namespaces; the caller's uid and gid mapped to themselves (as root:
// every id, so that files of other users can be copied up); the
// capabilities the helper needs kept across the exec.
func nsAttr() *syscall.SysProcAttr {
	uid, gid := os.Getuid(), os.Getgid()
	um := []syscall.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}}
	gm := []syscall.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}}
	if uid == 0 {
		um = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1 << 31}}
		gm = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1 << 31}}
	}
	return &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS | syscall.CLONE_NEWPID |
			syscall.CLONE_NEWNET | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS,
		UidMappings:                um,
		GidMappings:                gm,
		GidMappingsEnableSetgroups: false,
		AmbientCaps:                helperCaps,
		Pdeathsig:                  syscall.SIGKILL,
	}
}

// helperCaps are the capabilities (in its own user namespace) stage 1 keeps
// across its exec when the caller is not root.
var helperCaps = []uintptr{
	21, // CAP_SYS_ADMIN: mounts, pivot_root
	8,  // CAP_SETPCAP
	12, // CAP_NET_ADMIN: bring lo up
	18, // CAP_SYS_CHROOT
	5,  // CAP_KILL
	1,  // CAP_DAC_OVERRIDE: the scratch folders
	2,  // CAP_DAC_READ_SEARCH
	3,  // CAP_FOWNER
	0,  // CAP_CHOWN
}

// pumpOutput copies the command's output to w up to max bytes and calls
// over once when more comes. It returns how much was written.
func pumpOutput(r io.Reader, w io.Writer, max int64, over func()) int64 {
	if w == nil {
		w = io.Discard
	}
	var n int64
	buf := make([]byte, 32<<10)
	overDone := false
	for {
		k, err := r.Read(buf)
		if k > 0 && !overDone {
			chunk := buf[:k]
			if max > 0 && n+int64(k) > max {
				chunk = chunk[:max-n]
				overDone = true
			}
			w.Write(chunk)
			n += int64(len(chunk))
			if overDone {
				over()
			}
		}
		if err != nil {
			return n
		}
	}
}
