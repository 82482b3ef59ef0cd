package kernel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/mcp"
	"github.com/ice-studio/ice-studio/backend/netproxy"
	"github.com/ice-studio/ice-studio/backend/sandbox"
)

// Tools from MCP servers. A call of a server's tool is an effect of the
// run like any other, through the one pipeline (effect.go):
//
//	resolve   — the tool's definition as the server presents it now (its
//	            hash goes into the request, so a pin can be checked)
//	authorize — mcp.call "server/tool" with the arguments, decided by the
//	            workspace policy and grants; a definition other than the one
//	            the tool was first allowed with is refused (the pin)
//	perform   — the first allowed call pins the definition
//	            (mcp.tool_pinned); the call, cancelled with the run
//	record    — effect.mcp_called: server, tool, definition hash, the
//	            arguments and the whole result as blobs, duration, isError.
//
// Servers themselves are started by the Studio (package mcp) through
// MCPLauncher, inside the command sandbox, and a server's own network
// connections are net.http decisions recorded on the workspace's stream.

// MCPTools is what the kernel needs of the Studio's MCP servers.
type MCPTools interface {
	// Tools lists the tools a workspace's runs may be offered: of the
	// trusted, enabled, running servers, minus the tools switched off.
	Tools(ctx context.Context, workspace string) []mcp.Tool
	// Tool is a tool's definition as its server presents it now.
	Tool(ctx context.Context, workspace, server, tool string) (mcp.Tool, error)
	// Call calls a tool; ctx's end cancels it.
	Call(ctx context.Context, workspace, server, tool string, args json.RawMessage) (mcp.Result, error)
}

// ErrNoMCP is an MCP call in a Studio without MCP servers.
var ErrNoMCP = errors.New("no MCP servers are configured")

// MCPDetail is what an approval card shows of a tool call.
type MCPDetail struct {
	Server      string          `json:"server"`
	Tool        string          `json:"tool"`
	Title       string          `json:"title,omitempty"`
	Description string          `json:"description"`
	Arguments   string          `json:"arguments"` // pretty JSON
	Hash        string          `json:"hash"`
	InputSchema json.RawMessage `json:"inputSchema,omitempty"`
}

// Payloads of the MCP events.
type (
	// MCPCalledPayload is effect.mcp_called.
	MCPCalledPayload struct {
		Server     string `json:"server"`
		Tool       string `json:"tool"`
		Hash       string `json:"hash"`      // the definition it was called under
		Arguments  string `json:"arguments"` // blob (JSON)
		Result     string `json:"result"`    // blob: the whole result as the server sent it ("" none)
		ResultSize int    `json:"resultSize"`
		DurationMs int64  `json:"durationMs"`
		IsError    bool   `json:"isError"`
		// Error is why the call failed outside the tool (the server
		// crashed, the connection broke).
		Error string `json:"error,omitempty"`
	}
	// MCPPinnedPayload is mcp.tool_pinned; its blob is the definition.
	MCPPinnedPayload struct {
		Server     string `json:"server"`
		Tool       string `json:"tool"`
		Hash       string `json:"hash"`
		Definition string `json:"definition"`         // blob address of the tool's definition (JSON)
		Previous   string `json:"previous,omitempty"` // the hash it replaces (a re-approval)
		Run        string `json:"run,omitempty"`      // the run whose call first allowed it
	}
)

// mcpEffect is one tool call.
type mcpEffect struct {
	server, tool string
	args         json.RawMessage
	def          mcp.Tool
	res          mcp.Result
	callErr      error
}

func (e *mcpEffect) resolve(ctx context.Context, rc *runCtx) (capability.Request, *EffectDetail, error) {
	m := rc.k.cfg.MCP
	if m == nil {
		return capability.Request{}, nil, ErrNoMCP
	}
	def, err := m.Tool(ctx, rc.info.Workspace, e.server, e.tool)
	if err != nil {
		return capability.Request{}, nil, err
	}
	e.def = def
	req := capability.Request{Kind: capability.MCPCall, Server: e.server, Tool: e.tool, Args: e.args, Def: def.Hash}
	pretty := string(e.args)
	var b bytes.Buffer
	if json.Indent(&b, e.args, "", "  ") == nil {
		pretty = b.String()
	}
	return req, &EffectDetail{MCP: &MCPDetail{Server: e.server, Tool: e.tool, Title: def.Title, Description: def.Description,
		Arguments: pretty, Hash: def.Hash, InputSchema: def.InputSchema}}, nil
}

func (e *mcpEffect) perform(ctx context.Context, rc *runCtx, dec decided) (outcome, error) {
	k := rc.k
	ws := rc.info.Workspace
	if _, ok := k.cfg.Caps.MCPPin(ws, e.server, e.tool); !ok {
		if err := k.pin(ctx, ws, e.def, false, rc.info.ID); err != nil {
			return outcome{}, err
		}
	}
	args := dec.req.Args
	t0 := time.Now()
	res, err := k.cfg.MCP.Call(ctx, ws, e.server, e.tool, args)
	took := time.Since(t0)
	if ctx.Err() != nil {
		return outcome{}, context.Cause(ctx) // the run was stopped: the call was cancelled
	}
	e.res, e.callErr = res, err
	p := MCPCalledPayload{Server: e.server, Tool: e.tool, Hash: e.def.Hash, Arguments: eventlog.BlobAddress(args),
		DurationMs: took.Milliseconds(), IsError: res.IsError}
	blobs := [][]byte{args}
	if err != nil {
		p.IsError, p.Error = true, err.Error()
	} else {
		raw := []byte(res.Raw)
		if len(raw) == 0 {
			raw = []byte("{}")
		}
		p.Result, p.ResultSize = eventlog.BlobAddress(raw), len(raw)
		blobs = append(blobs, raw)
	}
	return outcome{typ: eventlog.EffectMCPCalled, payload: p, blobs: blobs}, nil
}

// MCPCallError is a call that failed outside the tool: the server crashed
// or the connection broke. The run goes on; the model is told.
type MCPCallError struct {
	Server, Tool string
	Err          error
}

func (e *MCPCallError) Error() string {
	return fmt.Sprintf("the MCP server %s failed during %s: %v", e.Server, e.Tool, e.Err)
}

func (e *MCPCallError) Unwrap() error { return e.Err }

// CallMCP calls a tool of an MCP server through the kernel: decided,
// pinned, performed and recorded (see the top of this file). A tool's own
// error is a Result with IsError; a server that fails is *MCPCallError.
func (e *Env) CallMCP(server, tool string, args json.RawMessage) (mcp.Result, error) {
	if err := e.rc.step(); err != nil {
		return mcp.Result{}, err
	}
	eff := &mcpEffect{server: server, tool: tool, args: args}
	if _, err := e.rc.do(e.ctx, eff); err != nil {
		return mcp.Result{}, err
	}
	if eff.callErr != nil {
		return mcp.Result{}, &MCPCallError{Server: server, Tool: tool, Err: eff.callErr}
	}
	return eff.res, nil
}

// MCPTools lists the MCP tools this run's worker may be offered: those
// the workspace's servers present, without the ones its profile or the
// policy would refuse whatever the arguments, and without a tool whose
// definition changed since it was allowed (its new description could
// carry instructions: the model does not see it before the user
// re-approves it). The kernel decides each call anyway.
func (e *Env) MCPTools() []mcp.Tool {
	m := e.rc.k.cfg.MCP
	if m == nil || !capabilityAdmits(e.rc.info.config.Profile, capability.MCPCall) {
		return nil
	}
	var out []mcp.Tool
	for _, t := range m.Tools(e.ctx, e.rc.info.Workspace) {
		req := capability.Request{Kind: capability.MCPCall, Server: t.Server, Tool: t.Name, Args: json.RawMessage("{}"), Def: t.Hash}
		d := e.rc.k.cfg.Caps.Peek(e.rc.info.Workspace, e.rc.info.ID, e.rc.info.config.Profile, req, nowNS())
		if d.DefChanged {
			continue // its new description is not shown to the model before the user re-approves it
		}
		if d.Effect == capability.Deny && d.Rule != 0 && !deniesSomeArgs(e.rc.k.cfg.Caps, e.rc.info.Workspace, d.Rule) {
			continue // a deny rule for the whole tool
		}
		out = append(out, t)
	}
	return out
}

// capabilityAdmits reports whether a profile includes a kind.
func capabilityAdmits(profile, kind string) bool {
	if profile == "" {
		profile = capability.ProfileEdit
	}
	for _, k := range capability.ProfileKinds[profile] {
		if k == kind {
			return true
		}
	}
	return false
}

// deniesSomeArgs reports whether the deny rule at index (1-based) only
// denies some arguments (so the tool may still be called with others).
func deniesSomeArgs(caps *capability.Enforcer, workspace string, rule int) bool {
	p, _ := caps.Policy(workspace)
	return rule <= len(p.Rules) && len(p.Rules[rule-1].Scope.Args) > 0
}

// pin records the definition a tool is allowed with (mcp.tool_pinned on
// the workspace's capability stream) and puts it in force.
func (k *Kernel) pin(ctx context.Context, workspace string, t mcp.Tool, byUser bool, run string) error {
	def, err := json.Marshal(struct {
		Name        string          `json:"name"`
		Title       string          `json:"title,omitempty"`
		Description string          `json:"description"`
		InputSchema json.RawMessage `json:"inputSchema"`
	}{t.Name, t.Title, t.Description, t.InputSchema})
	if err != nil {
		return err
	}
	p := MCPPinnedPayload{Server: t.Server, Tool: t.Name, Hash: t.Hash, Definition: eventlog.BlobAddress(def), Run: run}
	if old, ok := k.cfg.Caps.MCPPin(workspace, t.Server, t.Name); ok {
		if old.Hash == t.Hash {
			return nil
		}
		p.Previous = old.Hash
	}
	origin := eventlog.OriginRuntime
	if byUser {
		origin = eventlog.OriginUser
	}
	evs, err := k.cfg.Emitter.Emit(ctx, eventlog.Draft{Stream: CapStream(workspace), Type: eventlog.MCPToolPinned,
		Origin: origin, Workspace: workspace, Payload: p, Blobs: [][]byte{def}})
	if err != nil {
		return fmt.Errorf("record the pin of %s/%s: %w", t.Server, t.Name, err)
	}
	k.cfg.Caps.SetPin(workspace, capability.Pin{Server: t.Server, Tool: t.Name, Hash: t.Hash, Event: evs[0].ID, Seq: evs[0].Seq})
	return nil
}

// PinMCPTool records that the user approved a tool's (changed)
// definition: calls presenting it are decided again like any other.
func (k *Kernel) PinMCPTool(ctx context.Context, workspace string, t mcp.Tool, byUser bool) error {
	if t.Hash == "" || t.Server == "" || t.Name == "" {
		return errors.New("pin: the tool's server, name and hash are needed")
	}
	return k.pin(ctx, workspace, t, byUser, "")
}

// PinOf folds one mcp.tool_pinned event into an enforcer (start-up).
func PinOf(caps *capability.Enforcer, ev eventlog.Event) error {
	var p MCPPinnedPayload
	if err := json.Unmarshal(ev.Payload, &p); err != nil {
		return err
	}
	caps.SetPin(ev.Workspace, capability.Pin{Server: p.Server, Tool: p.Tool, Hash: p.Hash, Event: ev.ID, Seq: ev.Seq})
	return nil
}

// --- servers in the sandbox --------------------------------------------------

// mcpLimits are a server's limits: it lives as long as the Studio keeps
// it, so no wall clock or output cap (its protocol is its output); memory
// and processes as the workspace's commands.
func mcpLimits(p capability.Policy) capability.Limits {
	l := p.Sandbox.Limits.Or(sandbox.DefaultLimits)
	const forever = int64(1) << 50
	l.WallClockMs, l.CPUTimeMs, l.OutputBytes = forever, forever, forever
	return l
}

// MCPLauncher starts a workspace's stdio MCP servers inside the command
// sandbox: the workspace seen read-only through a scratch layer (its
// writes discarded, except in the folders the server's config names
// writable), a private home and /tmp, the exact environment a command
// gets plus the server's own variables, no network unless the server
// lists hosts — then each connection is a net.http decision of the
// workspace's policy and standing grants (a server cannot wait for an
// answer), recorded on the workspace's stream.
func (k *Kernel) MCPLauncher(workspace string) mcp.Launcher {
	return func(ctx context.Context, c mcp.ServerConfig, stderr io.Writer) (mcp.Process, error) {
		root, err := k.cfg.Roots(ctx, workspace)
		if err != nil {
			return nil, err
		}
		pol, _ := k.cfg.Caps.Policy(workspace)
		mode := ""
		if pol.Sandbox.Unsandboxed {
			mode = sandbox.ModeUnsandboxed
		} else if st := k.sandboxStatus(ctx); !st.Available {
			return nil, fmt.Errorf("MCP servers run in the command sandbox, which this machine cannot offer: %s (%s)", st.Reason, st.Hint)
		}
		binds, err := writableBinds(root, c.Writable)
		if err != nil {
			return nil, fmt.Errorf("server %s: %w", c.Name, err)
		}
		scratch, err := os.MkdirTemp(k.scratchRoot(), "mcp-")
		if err != nil {
			return nil, fmt.Errorf("sandbox scratch folder: %w", err)
		}
		cacheDir := CacheDirFor(k.dataDir(), root)
		caches, err := CacheDirs(cacheDir)
		if err != nil {
			sandbox.RemoveScratch(scratch)
			return nil, err
		}
		binds = append(binds, caches...)
		binds = append(binds, programBinds(c, SandboxEnv(k.environ(), pol.Sandbox.Env, "", false))...)
		p := &sandboxedServer{done: make(chan struct{})}
		var cleanups []func()
		spec := sandbox.Spec{Root: root, Argv: append([]string{c.Command}, c.Args...), Scratch: scratch, Binds: binds,
			Limits: mcpLimits(pol), Mode: mode, Stderr: stderr}
		if len(c.Hosts) > 0 && mode != sandbox.ModeUnsandboxed {
			sockDir, err := os.MkdirTemp("", "ice-mcp-")
			if err != nil {
				sandbox.RemoveScratch(scratch)
				return nil, err
			}
			proxy, err := netproxy.Listen(filepath.Join(sockDir, "proxy.sock"), k.serverNetDecider(workspace, c), k.log)
			if err != nil {
				os.RemoveAll(sockDir)
				sandbox.RemoveScratch(scratch)
				return nil, fmt.Errorf("start the network proxy: %w", err)
			}
			spec.ProxySocket = filepath.Join(sockDir, "proxy.sock")
			cleanups = append(cleanups, func() { proxy.Close(); os.RemoveAll(sockDir) })
		}
		spec.Env = SandboxEnv(k.environ(), pol.Sandbox.Env, cacheDir, spec.ProxySocket != "")
		for name, v := range c.Env {
			spec.Env = append(spec.Env, name+"="+v)
		}
		inR, inW, err := os.Pipe()
		if err != nil {
			sandbox.RemoveScratch(scratch)
			return nil, err
		}
		outR, outW := io.Pipe()
		spec.Stdin, spec.Output = inR, outW
		p.stdin, p.stdout = inW, outR
		sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		p.cancel = cancel
		k.wg.Add(1)
		go func() {
			defer k.wg.Done()
			defer close(p.done)
			res, err := k.runSandbox(sctx, spec)
			inR.Close()
			switch {
			case err != nil && sctx.Err() == nil:
				p.err = err
			case res.Limit != "":
				p.err = fmt.Errorf("killed: over its %s limit", res.Limit)
			case res.Signal != "" && sctx.Err() == nil:
				p.err = fmt.Errorf("killed by %s", res.Signal)
			case res.ExitCode != 0 && sctx.Err() == nil:
				p.err = fmt.Errorf("exited with status %d", res.ExitCode)
			}
			outW.CloseWithError(io.EOF)
			for _, f := range cleanups {
				f()
			}
			if err := sandbox.RemoveScratch(scratch); err != nil {
				k.log.Warn("remove an MCP server's scratch folder", "err", err)
			}
		}()
		return p, nil
	}
}

// writableBinds turns a server's writable folders into binds: each inside
// the workspace once its links are resolved, and a folder.
func writableBinds(root string, folders []string) ([]sandbox.Bind, error) {
	var out []sandbox.Bind
	for _, f := range folders {
		rel, err := capability.CanonicalPath(f)
		if err != nil {
			return nil, fmt.Errorf("writable folder %q: %w", f, err)
		}
		real, err := filepath.EvalSymlinks(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return nil, fmt.Errorf("writable folder %q: %w", f, err)
		}
		if real != root && !strings.HasPrefix(real, root+string(filepath.Separator)) {
			return nil, fmt.Errorf("writable folder %q: %s", f, leadsOutside)
		}
		if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("writable folder %q is not a folder", f)
		}
		out = append(out, sandbox.Bind{Path: real, Writable: true})
	}
	return out, nil
}

// programBinds makes a server's own program, and the files its arguments
// name, visible (read-only) where the sandbox would not show them: outside
// the system folders (/usr, /opt, …), as in the user's home folder, the
// system's temporary folder or a project checkout (node and its packages
// under ~/.nvm, a script in ~/mcp/, a node_modules tree). A path inside a
// node_modules tree shows the whole tree (a package's imports); a file
// shows its folder; never the whole home folder, /tmp or /.
func programBinds(c mcp.ServerConfig, env []string) []sandbox.Bind {
	never := map[string]bool{"/": true, "/tmp": true, os.TempDir(): true}
	if h, err := os.UserHomeDir(); err == nil {
		never[h] = true
	}
	under := func(p string) bool { // not shown by the sandbox anyway
		for _, d := range sandbox.SystemDirs() {
			if p == d || strings.HasPrefix(p, d+string(filepath.Separator)) {
				return false
			}
		}
		return true
	}
	paths := []string{}
	if prog := c.Command; filepath.IsAbs(prog) {
		paths = append(paths, prog)
	} else if !strings.Contains(prog, "/") {
		for _, kv := range env {
			if dirs, ok := strings.CutPrefix(kv, "PATH="); ok {
				for _, d := range filepath.SplitList(dirs) {
					if fi, err := os.Stat(filepath.Join(d, prog)); err == nil && !fi.IsDir() {
						paths = append(paths, filepath.Join(d, prog))
						break
					}
				}
			}
		}
	}
	for _, a := range c.Args {
		if filepath.IsAbs(a) {
			paths = append(paths, a)
		}
	}
	seen := map[string]bool{}
	var out []sandbox.Bind
	for _, p := range paths {
		real, err := filepath.EvalSymlinks(p)
		if err != nil || !under(real) {
			continue
		}
		fi, err := os.Stat(real)
		if err != nil {
			continue
		}
		show := real
		if i := strings.Index(real, string(filepath.Separator)+"node_modules"+string(filepath.Separator)); i >= 0 {
			show = real[:i+len("/node_modules")]
		} else if !fi.IsDir() {
			show = filepath.Dir(real)
		}
		if seen[show] || never[show] || !under(show) {
			continue
		}
		seen[show] = true
		out = append(out, sandbox.Bind{Path: show})
	}
	return out
}

// sandboxedServer is a server process running in the sandbox.
type sandboxedServer struct {
	stdin  io.WriteCloser
	stdout io.ReadCloser
	cancel context.CancelFunc
	done   chan struct{}
	err    error
	once   sync.Once
}

func (p *sandboxedServer) Stdin() io.WriteCloser { return p.stdin }
func (p *sandboxedServer) Stdout() io.ReadCloser { return p.stdout }
func (p *sandboxedServer) Wait() error           { <-p.done; return p.err }
func (p *sandboxedServer) Kill()                 { p.once.Do(func() { p.stdin.Close(); p.cancel() }) }
func (p *sandboxedServer) String() string        { return "sandboxed MCP server" }

// serverNetDecider decides a server's connections: only to a host its
// config lists, and then as the workspace's policy and standing grants say
// (an "ask" is a refusal: nobody waits on a server's connection).
func (k *Kernel) serverNetDecider(workspace string, c mcp.ServerConfig) netproxy.Decider {
	return func(ctx context.Context, host string, port int) netproxy.Decision {
		return k.decideServerNet(ctx, workspace, c, host, port)
	}
}

func (k *Kernel) decideServerNet(ctx context.Context, workspace string, c mcp.ServerConfig, host string, port int) netproxy.Decision {
	req, err := capability.Canonical(capability.Request{Kind: capability.NetHTTP, Host: host, Port: port})
	target := fmt.Sprintf("%s (MCP server %s)", net.JoinHostPort(host, strconv.Itoa(port)), c.Name)
	record := func(typ string, payload any) string {
		evs, err := k.cfg.Emitter.Emit(ctx, eventlog.Draft{Stream: CapStream(workspace), Type: typ, Origin: eventlog.OriginRuntime,
			Workspace: workspace, Payload: payload})
		if err != nil {
			k.log.Error("record an MCP server's connection", "server", c.Name, "err", err)
			return ""
		}
		return evs[0].ID
	}
	deny := func(reason string, d capability.Decision) netproxy.Decision {
		id := record(eventlog.CapabilityDenied, CapDeniedPayload{Kind: capability.NetHTTP, Target: target, Reason: reason, Rule: d.Rule, PolicySeq: d.Policy})
		return netproxy.Decision{Event: id, Reason: reason}
	}
	if err != nil {
		return deny(err.Error(), capability.Decision{})
	}
	listed := false
	for _, h := range c.Hosts {
		if capability.Matches(capability.NetHTTP, capability.Scope{Host: h}, req) {
			listed = true
		}
	}
	if !listed {
		return deny(fmt.Sprintf("the MCP server %s's configuration does not list %s among its hosts", c.Name, req.Target()), capability.Decision{})
	}
	d := k.cfg.Caps.Decide(workspace, "", capability.ProfileAgent, req, nowNS())
	switch d.Effect {
	case capability.Allow:
		id := record(eventlog.CapabilityUsed, CapUsedPayload{Kind: capability.NetHTTP, Target: target, Grant: d.Grant, Rule: d.Rule, PolicySeq: d.Policy, Reason: d.Reason})
		return netproxy.Decision{Allowed: true, Event: id, Reason: d.Reason}
	case capability.Ask:
		return deny(d.Reason+"; an MCP server's connection cannot wait for an answer: allow the host in the workspace policy or with a standing grant", d)
	}
	return deny(d.Reason, d)
}

// MCPHTTPClient is the client a workspace's Streamable HTTP server is
// reached with: every connection is a net.http decision like a stdio
// server's (recorded; its host must be the server's own URL host).
func (k *Kernel) MCPHTTPClient(workspace string, c mcp.ServerConfig) *http.Client {
	if u, err := parseHost(c.URL); err == nil {
		c.Hosts = []string{u}
	}
	d := &net.Dialer{Timeout: 30 * time.Second}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, ps, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			port, _ := strconv.Atoi(ps)
			dec := k.decideServerNet(ctx, workspace, c, host, port)
			if !dec.Allowed {
				return nil, &DeniedError{Kind: capability.NetHTTP, Target: addr, Reason: dec.Reason}
			}
			return d.DialContext(ctx, network, addr)
		},
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        4,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	}
	return &http.Client{Transport: tr}
}

// parseHost is the host[:port] of a URL as a net.http scope names it.
func parseHost(raw string) (string, error) {
	i := strings.Index(raw, "://")
	if i < 0 {
		return "", errors.New("not a URL")
	}
	rest := raw[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		rest = rest[at+1:]
	}
	host, port, err := net.SplitHostPort(rest)
	if err != nil {
		return strings.ToLower(rest), nil
	}
	if (strings.HasPrefix(raw, "https") && port == "443") || (strings.HasPrefix(raw, "http:") && port == "80") {
		return strings.ToLower(host), nil
	}
	return strings.ToLower(host) + ":" + port, nil
}
