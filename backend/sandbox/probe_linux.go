package sandbox

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ice-studio/ice-studio/backend/netproxy"
	"golang.org/x/sys/unix"
)

// bridge serves the kernel's proxy socket on ln inside the sandbox.
func bridge(ctx context.Context, ln net.Listener, socketPath string) {
	netproxy.Bridge(ctx, ln, socketPath)
}

func signalName(s unix.Signal) string { return unix.SignalName(s) }

var (
	probeOnce   sync.Once
	probeStatus Status
)

// Probe finds what this machine offers the sandbox, by trying it: a helper
// in new namespaces, then one that builds the whole root with an overlay
// of a temporary folder and writes through it. The result is cached for
// the life of the process.
func Probe(ctx context.Context) Status {
	probeOnce.Do(func() { probeStatus = probe(ctx) })
	return probeStatus
}

func probe(ctx context.Context) Status {
	st := Status{LandlockABI: landlockABI(), Seccomp: seccompAvailable()}
	if p, err := exec.LookPath("fuse-overlayfs"); err == nil && p != "" {
		if _, err := os.Stat("/dev/fuse"); err == nil {
			st.Fuse = true
		}
	}
	dir, err := os.MkdirTemp("", "ice-sandbox-probe-")
	if err != nil {
		st.Reason, st.Hint = "cannot make a temporary folder: "+err.Error(), "check $TMPDIR"
		return st
	}
	defer os.RemoveAll(dir)
	if err := selfTest(ctx, dir, "userns", ""); err != nil {
		st.Reason = "cannot create user namespaces: " + err.Error()
		st.Hint = usernsHint()
		return st
	}
	st.UserNS = true
	if err := selfTest(ctx, dir, "mount", ModeOverlay); err == nil {
		st.Overlay = true
		st.Available, st.Mode = true, ModeOverlay
		return st
	} else {
		st.Reason = "overlayfs in a user namespace: " + err.Error()
	}
	if st.Fuse {
		if err := selfTest(ctx, dir, "mount", ModeFuse); err == nil {
			st.Available, st.Mode, st.Reason = true, ModeFuse, ""
			return st
		}
	}
	if err := selfTest(ctx, dir, "mount", ModeCopy); err == nil {
		st.Available, st.Mode, st.Reason = true, ModeCopy, ""
		return st
	} else {
		st.Reason = "cannot build the sandbox's root: " + err.Error()
		st.Hint = "the kernel refuses mounts in user namespaces (a container without the needed privileges?)"
	}
	return st
}

// selfTest runs stage 1 with a self-test instead of a command.
func selfTest(ctx context.Context, dir, what, mode string) error {
	scratch, err := os.MkdirTemp(dir, "s")
	if err != nil {
		return err
	}
	root := filepath.Join(dir, "ws-"+filepath.Base(scratch))
	if err := os.Mkdir(root, 0o755); err != nil {
		return err
	}
	s := Spec{Root: root, Scratch: scratch, Argv: []string{"true"}, Limits: DefaultLimits}
	cfg := &helperConfig{SelfTest: what}
	if what == "mount" {
		if cfg, err = prepare(s, mode); err != nil {
			return err
		}
		cfg.SelfTest = what
	}
	cmd, specW, statR, outR, err := startHelper(cfg, nil, nil)
	if err != nil {
		return err
	}
	encodeJSON(specW, cfg)
	specW.Close()
	go drain(outR)
	msgs := readStatus(statR)
	werr := cmd.Wait()
	for _, m := range msgs {
		if m.Event == "error" {
			return errString(m.Error)
		}
	}
	if werr != nil {
		return werr
	}
	if what == "mount" && mode != ModeCopy {
		if _, err := os.Stat(filepath.Join(scratch, "upper", "probe")); err != nil {
			return errString("the probe file did not land in the upper layer")
		}
		if _, err := os.Stat(filepath.Join(root, "probe")); err == nil {
			return errString("the probe file reached the real folder")
		}
	}
	return nil
}

// usernsHint says how to enable unprivileged user namespaces here.
func usernsHint() string {
	read := func(p string) string {
		b, _ := os.ReadFile(p)
		return strings.TrimSpace(string(b))
	}
	switch {
	case read("/proc/sys/kernel/unprivileged_userns_clone") == "0":
		return "unprivileged user namespaces are disabled: sysctl kernel.unprivileged_userns_clone=1"
	case read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1":
		return "AppArmor restricts unprivileged user namespaces (Ubuntu): sysctl kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile allowing userns for the Studio"
	case read("/proc/sys/user/max_user_namespaces") == "0":
		return "user namespaces are disabled: sysctl user.max_user_namespaces=15000"
	}
	if _, err := os.Stat("/.dockerenv"); err == nil {
		return "running in a container without user namespaces: allow them (e.g. docker --security-opt seccomp=unconfined, or a seccomp profile allowing clone/unshare with CLONE_NEWUSER)"
	}
	if _, err := os.Stat("/run/.containerenv"); err == nil {
		return "running in a container without user namespaces"
	}
	return "the kernel refused a new user namespace"
}

type errString string

func (e errString) Error() string { return string(e) }

func encodeJSON(w io.Writer, v any) { json.NewEncoder(w).Encode(v) }

func drain(r io.ReadCloser) {
	io.Copy(io.Discard, r)
	r.Close()
}

// readStatus reads stage 1's status messages until the pipe closes.
func readStatus(r io.ReadCloser) []helperStatus {
	defer r.Close()
	var msgs []helperStatus
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var m helperStatus
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			msgs = append(msgs, m)
		}
	}
	return msgs
}
