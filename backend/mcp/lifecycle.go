package mcp

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/ice-studio/ice-studio/backend/buildinfo"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// Start starts a server and returns once it is initialised and its tools,
// resources and prompts are listed. Starting a running server does
// nothing; starting one that is starting waits for it. A disabled server is
// refused. A start that fails leaves the server crashed, with the reason
// in its Status.
func (m *Manager) Start(ctx context.Context, name string) error {
	_, err := m.start(ctx, name)
	return err
}

func (m *Manager) start(ctx context.Context, name string) (*run, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, ErrClosed
	}
	s := m.servers[name]
	switch {
	case s == nil:
		m.mu.Unlock()
		return nil, fmt.Errorf("%w %q: add it to the MCP servers first", ErrUnknownServer, name)
	case s.cfg.Disabled:
		m.mu.Unlock()
		return nil, fmt.Errorf("%w: %q; enable it first", ErrDisabled, name)
	}
	if r := s.run; r != nil {
		m.mu.Unlock()
		select {
		case <-r.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		m.mu.Lock()
		err := r.startErr
		m.mu.Unlock()
		return r, err
	}
	if err := s.cfg.Validate(); err != nil {
		m.mu.Unlock()
		return nil, err
	}
	rctx, cancel := context.WithCancel(context.Background())
	r := &run{
		ctx: rctx, cancel: cancel,
		ready:      make(chan struct{}),
		exited:     make(chan struct{}),
		ended:      make(chan struct{}),
		connClosed: make(chan struct{}),
		stderr:     &lineTracker{w: s.logs},
	}
	s.run = r
	s.state, s.err = StateStarting, ""
	if s.starts > 0 {
		s.restarts++
	}
	s.starts++
	cfg := s.cfg
	m.wg.Add(1) // the run's watcher, started below
	m.mu.Unlock()
	m.changed(name)

	s.logs.note("starting: " + cfg.CommandLine())
	m.log.Info("mcp: starting server", "server", name, "type", cfg.Kind())
	go m.watch(s, r)
	startCtx, stop := context.WithTimeout(ctx, m.o.StartTimeout)
	stopWithRun := context.AfterFunc(r.ctx, stop) // Stop aborts a start
	err := m.connect(startCtx, s, r, cfg)
	if err != nil && ctx.Err() == nil && errors.Is(startCtx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("MCP server %q did not finish starting within %s: %w", name, m.o.StartTimeout, err)
	}
	stopWithRun()
	stop()

	if r.stopping.Load() {
		err = fmt.Errorf("%w while starting: %q", ErrStopped, name)
	}
	if err != nil {
		// Killed before ready is closed, so the watcher (which Close
		// waits for) is still running.
		m.kill(r)
		m.mu.Lock()
		r.startErr = err
		close(r.ready)
		m.mu.Unlock()
		<-r.ended // the watcher recorded why, for Status
		return nil, err
	}
	m.mu.Lock()
	r.startedAt = time.Now()
	if s.run == r {
		s.state = StateRunning
	}
	close(r.ready)
	info := r.info
	m.mu.Unlock()
	if info != nil {
		s.logs.note(fmt.Sprintf("started: %s %s", info.Name, info.Version))
	} else {
		s.logs.note("started")
	}
	m.changed(name)
	return r, nil
}

// connect launches (stdio) or dials (http) the server, initialises the
// session and lists what it offers.
func (m *Manager) connect(ctx context.Context, s *server, r *run, cfg ServerConfig) error {
	name := cfg.Name
	var transport sdk.Transport
	switch cfg.Kind() {
	case KindStdio:
		if m.o.Launch == nil {
			r.markExited(nil)
			return fmt.Errorf("%w: %q is a stdio server and this Studio has no way to launch commands", ErrNoTransport, name)
		}
		proc, err := m.o.Launch(r.ctx, cfg, r.stderr)
		if err != nil {
			r.markExited(err)
			return fmt.Errorf("start MCP server %q: %w", name, err)
		}
		m.mu.Lock()
		r.proc = proc
		m.mu.Unlock()
		m.goTracked(func() { r.markExited(proc.Wait()) })
		transport = &sdk.IOTransport{Reader: proc.Stdout(), Writer: proc.Stdin(), MaxLineLength: maxMessage}
	case KindHTTP:
		if m.o.HTTP == nil {
			r.markExited(nil)
			return fmt.Errorf("%w: %q is an HTTP server and HTTP MCP servers are not enabled here", ErrNoTransport, name)
		}
		base := m.o.HTTP(name)
		if base == nil {
			r.markExited(nil)
			return fmt.Errorf("%w: no HTTP client for %q", ErrNoTransport, name)
		}
		client, err := withHeaders(base, cfg)
		if err != nil {
			r.markExited(nil)
			return err
		}
		transport = &sdk.StreamableClientTransport{Endpoint: cfg.URL, HTTPClient: client}
	}

	relist := func(what string) func() {
		return func() { m.relist(s, r, what) }
	}
	client := sdk.NewClient(&sdk.Implementation{Name: "ice-studio", Version: version()}, &sdk.ClientOptions{
		Logger: m.log,
		// No roots, no sampling, no elicitation: the Studio offers the
		// server nothing to ask for (the SDK would advertise roots).
		Capabilities:               &sdk.ClientCapabilities{},
		ToolListChangedHandler:     func(context.Context, *sdk.ToolListChangedRequest) { m.goTracked(relist("tools")) },
		ResourceListChangedHandler: func(context.Context, *sdk.ResourceListChangedRequest) { m.goTracked(relist("resources")) },
		PromptListChangedHandler:   func(context.Context, *sdk.PromptListChangedRequest) { m.goTracked(relist("prompts")) },
	})
	sess, err := client.Connect(ctx, transport, nil)
	if err != nil {
		return m.startFailure(ctx, r, fmt.Errorf("initialise MCP server %q: %w", name, err))
	}
	m.mu.Lock()
	r.sess = sess
	if init := sess.InitializeResult(); init != nil {
		r.info = init.ServerInfo
	}
	m.mu.Unlock()
	m.goTracked(func() {
		_ = sess.Wait()
		close(r.connClosed)
		if cfg.Kind() == KindHTTP {
			r.markExited(nil)
		} else if !r.stopping.Load() {
			// The connection broke but the process may live on: end it.
			m.mu.Lock()
			proc := r.proc
			m.mu.Unlock()
			proc.Kill()
		}
	})
	tools, resources, prompts, err := m.list(ctx, s, sess, cfg, "all")
	if err != nil {
		return m.startFailure(ctx, r, fmt.Errorf("list tools of MCP server %q: %w", name, err))
	}
	m.mu.Lock()
	r.tools, r.resources, r.prompts = tools, resources, prompts
	m.mu.Unlock()
	return nil
}

// startFailure explains a failed start: if the server process ended, how.
func (m *Manager) startFailure(ctx context.Context, r *run, err error) error {
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ctx.Err()
	}
	m.mu.Lock()
	proc := r.proc
	m.mu.Unlock()
	if proc == nil {
		return err
	}
	select {
	case <-r.exited:
		return fmt.Errorf("%w: the server %s", err, describeExit(r.exitErr, r.stderr.last()))
	case <-time.After(500 * time.Millisecond):
		return err
	}
}

func version() string {
	if buildinfo.Version != "" {
		return buildinfo.Version
	}
	return "dev"
}

// list fetches what the server offers: "all" at start, else "tools",
// "resources" or "prompts" after a list_changed notification (the others
// come back nil).
func (m *Manager) list(ctx context.Context, s *server, sess *sdk.ClientSession, cfg ServerConfig, what string) (tools []Tool, resources []Resource, prompts []Prompt, err error) {
	caps := &sdk.ServerCapabilities{}
	if init := sess.InitializeResult(); init != nil && init.Capabilities != nil {
		caps = init.Capabilities
	}
	if (what == "all" || what == "tools") && caps.Tools != nil {
		tools = []Tool{}
		for t, err := range sess.Tools(ctx, nil) {
			if err != nil {
				return nil, nil, nil, err
			}
			tools = append(tools, toTool(cfg, t))
		}
		sort.Slice(tools, func(i, j int) bool { return tools[i].Name < tools[j].Name })
	}
	if (what == "all" || what == "resources") && caps.Resources != nil {
		resources = []Resource{}
		for res, err := range sess.Resources(ctx, nil) {
			if err != nil {
				// Resources are an extra: a server that fails to list
				// them still serves its tools.
				s.logs.note("listing resources failed: " + err.Error())
				break
			}
			resources = append(resources, Resource{URI: res.URI, Name: res.Name, Description: res.Description, MIMEType: res.MIMEType})
		}
	}
	if (what == "all" || what == "prompts") && caps.Prompts != nil {
		prompts = []Prompt{}
		for p, err := range sess.Prompts(ctx, nil) {
			if err != nil {
				s.logs.note("listing prompts failed: " + err.Error())
				break
			}
			pr := Prompt{Name: p.Name, Description: p.Description}
			for _, a := range p.Arguments {
				if a != nil {
					pr.Arguments = append(pr.Arguments, PromptArgument{Name: a.Name, Description: a.Description, Required: a.Required})
				}
			}
			prompts = append(prompts, pr)
		}
	}
	return tools, resources, prompts, nil
}

// relist refreshes one list after the server said it changed.
func (m *Manager) relist(s *server, r *run, what string) {
	// Serialised, so an older answer never overwrites a newer one.
	r.relistMu.Lock()
	defer r.relistMu.Unlock()
	select {
	case <-r.ready:
	case <-r.ctx.Done():
		return
	}
	m.mu.Lock()
	sess, cfg := r.sess, s.cfg
	m.mu.Unlock()
	if sess == nil {
		return
	}
	ctx, cancel := context.WithTimeout(r.ctx, relistTimeout)
	defer cancel()
	tools, resources, prompts, err := m.list(ctx, s, sess, cfg, what)
	if err != nil {
		if r.ctx.Err() == nil {
			s.logs.note(fmt.Sprintf("re-listing %s failed: %v", what, err))
		}
		return
	}
	m.mu.Lock()
	switch what {
	case "tools":
		if tools != nil {
			r.tools = tools
		}
	case "resources":
		if resources != nil {
			r.resources = resources
		}
	case "prompts":
		if prompts != nil {
			r.prompts = prompts
		}
	}
	current := s.run == r
	m.mu.Unlock()
	if current {
		s.logs.note(what + " changed")
		m.changed(cfg.Name)
	}
}

// goTracked runs f in a goroutine Close waits for (unless closed already
// and nothing runs).
func (m *Manager) goTracked(f func()) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		f()
	}()
}

func (r *run) markExited(err error) {
	r.exitOnce.Do(func() {
		r.exitErr = err
		close(r.exited)
	})
}

// watch records how a run ended, once its process (or session) ended and
// its start finished.
func (m *Manager) watch(s *server, r *run) {
	defer m.wg.Done()
	<-r.exited
	<-r.ready
	m.kill(r)

	m.mu.Lock()
	reason := describeExit(r.exitErr, r.stderr.last())
	current := s.run == r
	if current {
		s.run = nil
		switch {
		case r.stopping.Load():
			s.state, s.err = StateStopped, ""
		case r.startErr != nil:
			s.state, s.err = StateCrashed, r.startErr.Error()
			if errors.Is(r.startErr, context.Canceled) {
				s.state, s.err = StateStopped, "start cancelled"
			}
		default:
			s.state, s.err = StateCrashed, reason
		}
	}
	stateErr := s.err
	r.endReason = reason
	close(r.ended)
	m.mu.Unlock()

	switch {
	case r.startErr != nil:
		s.logs.note("could not start: " + r.startErr.Error())
	case r.stopping.Load():
		s.logs.note("stopped")
	default:
		s.logs.note(reason)
		m.log.Warn("mcp: server ended", "server", s.cfg.Name, "error", stateErr)
	}
	if current {
		m.changed(s.cfg.Name)
	}
}

// kill ends a run at once: its session, its process, its context.
func (m *Manager) kill(r *run) {
	m.mu.Lock()
	sess, proc := r.sess, r.proc
	m.mu.Unlock()
	r.cancel()
	if proc != nil {
		proc.Kill()
	} else {
		r.markExited(nil) // http, or never launched
	}
	closeSession(sess)
}

// closeSession closes sess, waiting at most endWait: the SDK's Close
// waits for calls in flight, which end once the connection broke.
func closeSession(sess *sdk.ClientSession) {
	if sess == nil {
		return
	}
	done := make(chan struct{})
	go func() {
		_ = sess.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(endWait):
	}
}

// shutdown stops a run gracefully: in-flight calls are cancelled, stdin
// closed, and the process killed if it has not exited after stopGrace. It
// returns when the run has ended.
func (m *Manager) shutdown(r *run) {
	r.stopping.Store(true)
	r.cancel() // cancels in-flight calls and any start in progress
	m.mu.Lock()
	sess, proc := r.sess, r.proc
	m.mu.Unlock()
	closed := make(chan struct{})
	go func() {
		closeSession(sess)
		close(closed)
	}()
	if proc != nil {
		_ = proc.Stdin().Close()
		select {
		case <-r.exited:
		case <-time.After(stdinGrace):
			// Many servers (Node's StdioServerTransport) do not end on
			// EOF: ask, then insist.
			if t, ok := proc.(Terminator); ok {
				t.Terminate()
				select {
				case <-r.exited:
				case <-time.After(stopGrace):
				}
			}
			proc.Kill()
		}
	}
	<-closed
	<-r.ended
}

func (m *Manager) shutdownAll(runs []*run) {
	var wg sync.WaitGroup
	for _, r := range runs {
		wg.Go(func() { m.shutdown(r) })
	}
	wg.Wait()
}

// Stop stops a server (a crashed one is just marked stopped) and returns
// once it ended.
func (m *Manager) Stop(name string) error {
	m.mu.Lock()
	s := m.servers[name]
	if s == nil {
		m.mu.Unlock()
		return fmt.Errorf("%w %q", ErrUnknownServer, name)
	}
	r := s.run
	wasCrashed := s.state == StateCrashed
	s.run = nil
	s.state, s.err = StateStopped, ""
	if r != nil {
		r.stopping.Store(true)
	}
	m.mu.Unlock()
	if r == nil {
		if wasCrashed {
			m.changed(name)
		}
		return nil
	}
	s.logs.note("stopping")
	m.shutdown(r)
	m.changed(name)
	return nil
}

// Restart stops a server (if it runs) and starts it again.
func (m *Manager) Restart(ctx context.Context, name string) error {
	if err := m.Stop(name); err != nil {
		return err
	}
	return m.Start(ctx, name)
}
