package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/datadir"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/netproxy"
	"github.com/ice-studio/ice-studio/backend/sandbox"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

const sandboxUsage = `usage: ice-studio sandbox [--net HOST[:PORT]]... [--limits cpu=DUR,wall=DUR,memory=SIZE,processes=N,output=SIZE]
                          [--env NAME]... [--mode overlayfs|copy] DIR -- ARGV...`

// Sandbox is `ice-studio sandbox [flags] DIR -- ARGV…`: ARGV runs in
// exactly the sandbox a run's command gets — an overlay of DIR, a private
// /tmp and home, the allowlisted environment and build caches, no network
// but the kernel's proxy, which allows only the hosts named with --net —
// and what it changed in DIR is printed, never applied. The exit code is
// the command's (128+signal when killed); 125 when the sandbox itself
// cannot run it, 2 on a usage error.
func Sandbox(args []string, io IO) int {
	fl := newFlags("sandbox", io)
	var nets, envs globList
	fl.Var(&nets, "net", "allow connections to this `host[:port]` through the proxy (repeatable; *.domain and * work; without a port: 80 and 443)")
	fl.Var(&envs, "env", "also pass this environment variable `NAME` (repeatable)")
	limitsFlag := fl.String("limits", "", "compute `limits`, e.g. cpu=60s,wall=2m,memory=1G,processes=64,output=16M (default: the Studio's)")
	mode := fl.String("mode", "", "force the workspace view: overlayfs or copy (default: the best this machine offers)")
	if err := fl.Parse(args); err != nil {
		return ExitUsage
	}
	// Flags end at DIR; "--" then separates the command.
	rest := fl.Args()
	if len(rest) < 3 || rest[1] != "--" {
		fmt.Fprintln(io.Stderr, sandboxUsage)
		return ExitUsage
	}
	dir, argv := rest[0], rest[2:]
	for _, h := range nets {
		if err := (capability.Scope{Host: h}).Check(capability.NetHTTP); err != nil {
			fmt.Fprintf(io.Stderr, "ice-studio sandbox: --net %s: %v\n", h, err)
			return ExitUsage
		}
	}
	limits, err := parseLimits(*limitsFlag)
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio sandbox: --limits: %v\n", err)
		return ExitUsage
	}
	if *mode != "" && *mode != sandbox.ModeOverlay && *mode != sandbox.ModeCopy {
		fmt.Fprintf(io.Stderr, "ice-studio sandbox: --mode %q (overlayfs or copy)\n", *mode)
		return ExitUsage
	}
	root, err := workspace.CheckRoot(dir)
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio sandbox: %v\n", err)
		return ExitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st := sandbox.Probe(ctx)
	if !st.Available {
		fmt.Fprintf(io.Stderr, "ice-studio sandbox: commands cannot be sandboxed on this machine: %s\n", st.Reason)
		if st.Hint != "" {
			fmt.Fprintf(io.Stderr, "  to fix it: %s\n", st.Hint)
		}
		return 125
	}
	data, err := datadir.Resolve(io.Getenv)
	if err == nil {
		err = datadir.Ensure(data)
	}
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio sandbox: %v\n", err)
		return 125
	}
	code, err := runSandboxed(ctx, io, root, argv, nets, envs, limits, *mode, data)
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio sandbox: %v\n", err)
		return 125
	}
	return code
}

func runSandboxed(ctx context.Context, io IO, root string, argv, nets, envs []string, limits capability.Limits, mode, data string) (int, error) {
	scratchRoot := filepath.Join(data, "sandbox", "scratch")
	if err := os.MkdirAll(scratchRoot, 0o700); err != nil {
		return 0, err
	}
	scratch, err := os.MkdirTemp(scratchRoot, "cli-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(scratch)
	sockDir, err := os.MkdirTemp("", "ice-proxy-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(sockDir)
	sock := filepath.Join(sockDir, "proxy.sock")
	proxy, err := netproxy.Listen(sock, func(_ context.Context, host string, port int) netproxy.Decision {
		req, err := capability.Canonical(capability.Request{Kind: capability.NetHTTP, Host: host, Port: port})
		if err == nil {
			for _, n := range nets {
				if capability.Matches(capability.NetHTTP, capability.Scope{Host: n}, req) {
					fmt.Fprintf(io.Stderr, "sandbox: connection to %s allowed (--net %s)\n", req.Target(), n)
					return netproxy.Decision{Allowed: true, Reason: "--net " + n}
				}
			}
		}
		fmt.Fprintf(io.Stderr, "sandbox: connection to %s:%d denied (no --net names it)\n", host, port)
		return netproxy.Decision{Reason: "no --net names it"}
	}, nil)
	if err != nil {
		return 0, err
	}
	defer proxy.Close()
	cacheDir := kernel.CacheDirFor(data, root)
	binds, err := kernel.CacheDirs(cacheDir)
	if err != nil {
		return 0, err
	}
	limits = limits.Or(sandbox.DefaultLimits)
	res, err := sandbox.Run(ctx, sandbox.Spec{Root: root, Dir: ".", Argv: argv, Env: kernel.SandboxEnv(os.Environ(), envs, cacheDir, true),
		Scratch: scratch, Binds: binds, ProxySocket: sock, Limits: limits, Mode: mode, Stdin: os.Stdin, Output: io.Stdout})
	if err != nil {
		return 0, err
	}
	printChanges(io, root, res)
	switch {
	case res.Limit != "":
		fmt.Fprintf(io.Stderr, "sandbox: killed: over its %s limit\n", res.Limit)
		return 137, nil
	case res.Signal != "":
		fmt.Fprintf(io.Stderr, "sandbox: killed by %s\n", res.Signal)
		if n, ok := signalNumbers[res.Signal]; ok {
			return 128 + n, nil
		}
		return 137, nil
	}
	return res.ExitCode, nil
}

var signalNumbers = map[string]int{"SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGABRT": 6, "SIGKILL": 9, "SIGSEGV": 11, "SIGPIPE": 13, "SIGTERM": 15,
	"hangup": 1, "interrupt": 2, "quit": 3, "aborted": 6, "killed": 9, "segmentation fault": 11, "broken pipe": 13, "terminated": 15}

func printChanges(io IO, root string, res sandbox.Result) {
	fmt.Fprintf(io.Stderr, "sandbox: %s view, %s; %d ms, CPU %d ms, peak memory %s\n", res.Mode, strings.Join(res.Layers, ", "),
		res.DurationMs, res.CPUTimeMs, sizeWords(res.PeakMemory))
	if len(res.Changes) == 0 {
		fmt.Fprintf(io.Stderr, "sandbox: the command changed nothing in %s\n", root)
		return
	}
	fmt.Fprintf(io.Stderr, "sandbox: the command changed %d file(s) in %s (not applied):\n", len(res.Changes), root)
	for _, c := range res.Changes {
		switch c.Op {
		case sandbox.OpWrite:
			fmt.Fprintf(io.Stderr, "  M %s (%s)\n", c.Path, sizeWords(c.Size))
		case sandbox.OpDelete:
			fmt.Fprintf(io.Stderr, "  D %s\n", c.Path)
		default:
			fmt.Fprintf(io.Stderr, "  ? %s (%s: not staged)\n", c.Path, c.Detail)
		}
	}
}

func sizeWords(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// parseLimits reads "cpu=60s,wall=2m,memory=1G,processes=64,output=16M".
func parseLimits(s string) (capability.Limits, error) {
	var l capability.Limits
	if strings.TrimSpace(s) == "" {
		return l, nil
	}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || v == "" {
			return l, fmt.Errorf("%q: want NAME=VALUE", part)
		}
		var err error
		switch k {
		case "cpu":
			l.CPUTimeMs, err = parseDurMs(v)
		case "wall":
			l.WallClockMs, err = parseDurMs(v)
		case "memory", "mem":
			l.MemoryBytes, err = parseSize(v)
		case "output":
			l.OutputBytes, err = parseSize(v)
		case "processes", "procs":
			l.Processes, err = strconv.Atoi(v)
			if err == nil && l.Processes <= 0 {
				err = errors.New("must be positive")
			}
		default:
			return l, fmt.Errorf("unknown limit %q (cpu, wall, memory, processes, output)", k)
		}
		if err != nil {
			return l, fmt.Errorf("%s=%s: %v", k, v, err)
		}
	}
	return l, nil
}

func parseDurMs(v string) (int64, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, errors.New("must be positive")
	}
	return d.Milliseconds(), nil
}

func parseSize(v string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(v, "G"):
		mult, v = 1<<30, strings.TrimSuffix(v, "G")
	case strings.HasSuffix(v, "M"):
		mult, v = 1<<20, strings.TrimSuffix(v, "M")
	case strings.HasSuffix(v, "K"):
		mult, v = 1<<10, strings.TrimSuffix(v, "K")
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, errors.New("a positive size, e.g. 512M or 2G")
	}
	return n * mult, nil
}
