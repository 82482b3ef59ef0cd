package kernel

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/netproxy"
	"github.com/ice-studio/ice-studio/backend/sandbox"
)

// Commands. Allowing a command to start is not allowing whatever it does:
// every command of a run runs in the kernel's sandbox (package sandbox),
// sees the workspace through an overlay with the run's staged edits, has
// no network but the kernel's proxy (each connection a net.http decision,
// effects_net.go), an environment built from an allowlist, and compute
// limits; what it changed in its view comes back as staged writes of the
// run (each an fs.write decision) or, for a validation command, is shown
// and discarded.

// Purposes of a command.
const (
	PurposeValidation = "validation"
	PurposeTool       = "tool"
)

// fixedEnv are the variables of the Studio's environment every command
// gets (when set); the workspace policy may name more.
var fixedEnv = []string{"PATH", "LANG", "LANGUAGE", "TERM", "TZ", "USER", "LOGNAME", "COLORTERM", "NO_COLOR"}

// FixedEnv lists the variables every sandboxed command gets from the
// Studio's environment, besides LC_* (for the UI and the README).
func FixedEnv() []string { return append([]string(nil), fixedEnv...) }

// SandboxEnv is the exact environment of a sandboxed command: the
// allowlisted variables of environ (fixed ones, LC_*, and those the
// workspace names), the per-workspace build caches under cacheDir, and the
// proxy variables when proxied. Nothing else of the Studio's environment
// reaches a command.
func SandboxEnv(environ []string, extra []string, cacheDir string, proxied bool) []string {
	allowed := map[string]bool{}
	for _, n := range fixedEnv {
		allowed[n] = true
	}
	for _, n := range extra {
		allowed[n] = true
	}
	var out []string
	for _, kv := range environ {
		name, _, ok := strings.Cut(kv, "=")
		if ok && (allowed[name] || strings.HasPrefix(name, "LC_")) {
			out = append(out, kv)
		}
	}
	if !hasVar(out, "PATH") {
		out = append(out, "PATH=/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin")
	}
	if cacheDir != "" {
		out = append(out,
			"GOCACHE="+filepath.Join(cacheDir, "go-build"),
			"GOMODCACHE="+filepath.Join(cacheDir, "gomod"),
			"GOPATH="+filepath.Join(cacheDir, "gopath"),
			"GOTOOLCHAIN=local",
			"npm_config_cache="+filepath.Join(cacheDir, "npm"),
			"npm_config_update_notifier=false",
			"PIP_CACHE_DIR="+filepath.Join(cacheDir, "pip"),
			"XDG_CACHE_HOME="+filepath.Join(cacheDir, "xdg"))
	}
	if proxied {
		p := fmt.Sprintf("http://127.0.0.1:%d", sandbox.ProxyPort)
		for _, n := range []string{"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
			"npm_config_proxy", "npm_config_https_proxy", "PIP_PROXY"} {
			out = append(out, n+"="+p)
		}
	}
	sort.Strings(out)
	return out
}

func hasVar(env []string, name string) bool {
	for _, kv := range env {
		if strings.HasPrefix(kv, name+"=") {
			return true
		}
	}
	return false
}

// CacheDirs are the folders SandboxEnv's caches live in, to bind into
// the sandbox (created when missing).
func CacheDirs(cacheDir string) ([]sandbox.Bind, error) {
	var out []sandbox.Bind
	for _, d := range []string{"go-build", "gomod", "gopath", "npm", "pip", "xdg"} {
		p := filepath.Join(cacheDir, d)
		if err := os.MkdirAll(p, 0o755); err != nil {
			return nil, fmt.Errorf("build cache %s: %w", p, err)
		}
		out = append(out, sandbox.Bind{Path: p, Writable: true})
	}
	return out, nil
}

// sandboxStatus is what the machine offers (probed once).
func (k *Kernel) sandboxStatus(ctx context.Context) sandbox.Status {
	if k.cfg.SandboxStatus != nil {
		return k.cfg.SandboxStatus(ctx)
	}
	return sandbox.Probe(ctx)
}

// commandEffect runs one command of a run in the sandbox
// (effect.command_executed).
type commandEffect struct {
	argv    []string
	dir     string
	purpose string
	timeout time.Duration // the default wall clock when no limit names one
	staged  []Staged
	// set by resolve
	policy capability.SandboxPolicy
	mode   string
	// set by perform
	payload CommandPayload
	output  []byte
	changes []sandbox.Change
}

// writableWords describes where a sandboxed command's writes land.
var writableWords = []string{"the workspace, through a scratch layer (its changes come back as staged writes)",
	"a private /tmp and home folder", "the workspace's build caches"}

func (e *commandEffect) resolve(ctx context.Context, rc *runCtx) (capability.Request, *EffectDetail, error) {
	k := rc.k
	req := capability.Request{Kind: capability.ShellExec, Argv: e.argv, Dir: e.dir}
	p, _ := k.cfg.Caps.Policy(rc.info.Workspace)
	e.policy = p.Sandbox
	sd := &SandboxDetail{Network: "proxy", Limits: e.policy.Limits.Or(k.defaultLimits(e.timeout))}
	if e.purpose == PurposeValidation {
		sd.Writable = []string{"the workspace, through a scratch layer (its changes are shown and discarded)", "a private /tmp and home folder", "the workspace's build caches"}
	} else {
		sd.Writable = writableWords
	}
	if e.policy.Unsandboxed {
		e.mode = sandbox.ModeUnsandboxed
		sd.Mode, sd.Network = sandbox.ModeUnsandboxed, "unrestricted"
		sd.Writable = []string{"anything you can write (the workspace's setting runs commands unsandboxed)"}
	} else if st := k.sandboxStatus(ctx); !st.Available {
		reason := "commands cannot be sandboxed on this machine: " + st.Reason
		if st.Hint != "" {
			reason += " (" + st.Hint + ")"
		}
		reason += "; a workspace may run them unsandboxed by an explicit setting in its policy"
		if c, err := capability.Canonical(req); err == nil {
			req = c
		}
		return capability.Request{}, nil, refuse(capability.ShellExec, req.Target(), reason)
	} else {
		e.mode, sd.Mode = st.Mode, st.Mode
	}
	return req, &EffectDetail{Argv: e.argv, Dir: e.dir, Sandbox: sd}, nil
}

// defaultLimits are the Studio's limits, with the caller's wall clock.
func (k *Kernel) defaultLimits(wall time.Duration) capability.Limits {
	d := sandbox.DefaultLimits
	if wall > 0 {
		d.WallClockMs = wall.Milliseconds()
	}
	return d
}

func (e *commandEffect) perform(ctx context.Context, rc *runCtx, dec decided) (outcome, error) {
	k := rc.k
	limits := e.policy.Limits.Or(k.defaultLimits(e.timeout))
	if dec.d.Grant != "" {
		if g, ok := k.cfg.Caps.Grant(dec.d.Grant); ok && g.Scope.Limits != nil {
			limits = g.Scope.Limits.Or(limits)
		}
	}
	scratch, err := os.MkdirTemp(k.scratchRoot(), "cmd-")
	if err != nil {
		return outcome{}, fmt.Errorf("sandbox scratch folder: %w", err)
	}
	defer func() {
		if err := sandbox.RemoveScratch(scratch); err != nil {
			k.log.Warn("remove a command's scratch folder", "err", err)
		}
	}()
	cacheDir := CacheDirFor(k.dataDir(), rc.root)
	binds, err := CacheDirs(cacheDir)
	if err != nil {
		return outcome{}, err
	}
	files := make([]sandbox.File, 0, len(e.staged))
	for _, s := range e.staged {
		f := sandbox.File{Path: s.Path, Delete: s.After == ""}
		if !f.Delete {
			if f.Data, err = k.cfg.Blobs.GetBlob(ctx, s.After); err != nil {
				return outcome{}, fmt.Errorf("staged %s: %w", s.Path, err)
			}
		}
		files = append(files, f)
	}
	// The kernel's proxy: the only way out of the sandbox.
	var proxy *netproxy.Server
	spec := sandbox.Spec{Root: rc.root, Dir: e.dir, Argv: e.argv, Staged: files, Scratch: scratch, Binds: binds,
		Limits: limits, Mode: e.mode}
	if e.mode != sandbox.ModeUnsandboxed {
		sockDir, err := os.MkdirTemp("", "ice-proxy-") // short: a socket path has at most 107 bytes
		if err != nil {
			return outcome{}, err
		}
		defer os.RemoveAll(sockDir)
		proxy, err = netproxy.Listen(filepath.Join(sockDir, "proxy.sock"), rc.netDecider(ctx), k.log)
		if err != nil {
			return outcome{}, fmt.Errorf("start the network proxy: %w", err)
		}
		defer proxy.Close()
		spec.ProxySocket = filepath.Join(sockDir, "proxy.sock")
	}
	spec.Env = SandboxEnv(k.environ(), e.policy.Env, cacheDir, proxy != nil)
	var out bytes.Buffer
	spec.Output = &limitedWriter{w: &out, n: maxOutput}
	res, err := k.runSandbox(ctx, spec)
	if proxy != nil {
		proxy.Close()
	}
	if ctx.Err() != nil {
		return outcome{}, context.Cause(ctx) // the run was stopped
	}
	if err != nil {
		return outcome{}, fmt.Errorf("the sandbox could not run the command: %w", err)
	}
	shown := e.dir
	if shown == "" {
		shown = "."
	}
	e.output = out.Bytes()
	e.changes = res.Changes
	e.payload = CommandPayload{Argv: e.argv, Dir: shown, ExitCode: res.ExitCode, TimedOut: res.Limit == "wall clock",
		DurationMs: res.DurationMs, Output: eventlog.BlobAddress(e.output), OutputSize: res.OutputSize, Purpose: e.purpose,
		Sandbox: res.Mode, Layers: res.Layers, Limits: limits, Limit: res.Limit, Signal: res.Signal, CPUTimeMs: res.CPUTimeMs,
		PeakMemory: res.PeakMemory, StartUs: res.StartUs}
	if proxy != nil {
		for _, r := range proxy.Records() {
			e.payload.Network = append(e.payload.Network, NetDecision{Target: r.Target, Allowed: r.Allowed, Event: r.Event, Reason: r.Reason})
		}
	}
	e.payload.Changes = rc.takeChanges(ctx, e.purpose, res.Changes)
	return outcome{typ: eventlog.EffectCommandExecuted, payload: e.payload, blobs: [][]byte{e.output}}, nil
}

// takeChanges turns what a command changed into staged writes of the run
// (a worker's command: each decided as fs.write, refusals recorded), or
// records them as discarded (a validation command's).
func (rc *runCtx) takeChanges(ctx context.Context, purpose string, changes []sandbox.Change) []CommandChange {
	out := make([]CommandChange, 0, len(changes))
	for _, c := range changes {
		cc := CommandChange{Path: c.Path, Op: c.Op, Size: c.Size}
		if c.Op == sandbox.OpWrite {
			cc.After = eventlog.BlobAddress(c.Data)
		}
		switch {
		case c.Op == sandbox.OpUnsupported:
			cc.Outcome, cc.Reason = ChangeUnsupported, c.Detail
		case purpose == PurposeValidation:
			cc.Outcome, cc.Reason = ChangeDiscarded, "a validation command's changes are shown, never applied"
		default:
			data := c.Data
			if data == nil {
				data = []byte{}
			}
			if _, err := rc.stage(ctx, c.Path, data, c.Op == sandbox.OpDelete); err != nil {
				cc.Outcome, cc.Reason = ChangeRefused, err.Error()
				var d *DeniedError
				if errors.As(err, &d) {
					cc.Reason = d.Reason
				}
				if ctx.Err() != nil {
					cc.Reason = "the run was stopped"
				}
			} else {
				cc.Outcome = ChangeStaged
			}
		}
		out = append(out, cc)
	}
	return out
}

// runSandbox runs a spec with the configured runner.
func (k *Kernel) runSandbox(ctx context.Context, s sandbox.Spec) (sandbox.Result, error) {
	if k.cfg.Sandbox != nil {
		return k.cfg.Sandbox(ctx, s)
	}
	return sandbox.Run(ctx, s)
}

func (k *Kernel) environ() []string {
	if k.cfg.Environ != nil {
		return k.cfg.Environ()
	}
	return os.Environ()
}

func (k *Kernel) scratchRoot() string {
	d := filepath.Join(k.dataDir(), "sandbox", "scratch")
	_ = os.MkdirAll(d, 0o700)
	return d
}

// removeScratch removes what commands of an earlier Studio left in the
// scratch folder (a crash mid-command); no command runs yet.
func (k *Kernel) removeScratch() {
	root := filepath.Join(k.dataDir(), "sandbox", "scratch")
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		if err := sandbox.RemoveScratch(filepath.Join(root, e.Name())); err != nil {
			k.log.Warn("remove a command's scratch folder", "path", e.Name(), "err", err)
		}
	}
}

func (k *Kernel) dataDir() string {
	if k.cfg.DataDir != "" {
		return k.cfg.DataDir
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("ice-studio-%d", os.Getuid()))
}

// CacheDirFor is the folder of a workspace's build caches in the data
// folder, keyed by the workspace's real path (a run's commands and
// `ice-studio sandbox` on the same folder share it).
func CacheDirFor(dataDir, root string) string {
	sum := sha256.Sum256([]byte(root))
	return filepath.Join(dataDir, "sandbox", "cache", hex.EncodeToString(sum[:8]))
}

// limitedWriter keeps the first n bytes and discards the rest.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		keep := min(len(p), l.n)
		if _, err := l.w.Write(p[:keep]); err != nil {
			return 0, err
		}
		l.n -= keep
	}
	return len(p), nil
}

// runCommand runs one command of the run through the pipeline.
func (rc *runCtx) runCommand(ctx context.Context, argv []string, dir, purpose string, timeout time.Duration, staged []Staged) (*commandEffect, error) {
	e := &commandEffect{argv: argv, dir: dir, purpose: purpose, timeout: timeout, staged: staged}
	if _, err := rc.do(ctx, e); err != nil {
		return nil, err
	}
	return e, nil
}
