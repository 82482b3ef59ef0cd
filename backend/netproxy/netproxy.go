// Package netproxy is the kernel's network proxy for sandboxed commands.
//
// A command of a run executes in a sandbox whose network namespace has only
// loopback. Its one way out is this proxy: the kernel runs a [Server] on a
// Unix socket, and inside the sandbox a [Bridge] listens on 127.0.0.1:3128 and
// forwards every TCP connection to that socket. The usual proxy variables
// (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, …) point the command's tools at the
// bridge.
//
// The server speaks the two forms of HTTP proxying:
//
//   - CONNECT host:port opens a raw TCP tunnel (HTTPS, and any other TCP
//     protocol a client is willing to tunnel);
//   - a plain-HTTP request with an absolute URI (GET http://host/path) is
//     forwarded upstream, with hop-by-hop and Proxy-* headers removed.
//
// Every connection is first put to a [Decider] — the kernel's capability
// enforcer — with the host and port the client named. The decider may block
// for as long as it likes (it may be waiting for the user to answer an
// approval card); closing the server cancels it. Names are resolved by the
// proxy, since the sandbox has no DNS.
package netproxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxHeaderBytes bounds the size of a request's line and headers. A request
// whose head is larger is answered 431 and its connection closed.
const MaxHeaderBytes = 1 << 20

// DialTimeout bounds how long the proxy tries to reach an upstream host.
const DialTimeout = 10 * time.Second

// Decision is the kernel's answer for one connection.
type Decision struct {
	// Allowed reports whether the connection may go ahead.
	Allowed bool
	// Event is the id of the event that records the decision
	// (capability.used or capability.denied).
	Event string
	// Reason says why; it is shown to the client on refusal.
	Reason string
}

// Decider decides a connection to host:port. The host is lower-cased, as the
// client named it (an IP literal stays an IP literal, IPv6 without brackets).
// It may block, e.g. while the user is asked; ctx is cancelled when the
// server is closed, and a decider should then return promptly.
type Decider func(ctx context.Context, host string, port int) Decision

// Record is one connection's decision, kept for the command's record.
type Record struct {
	// Target is the host:port the client asked for.
	Target string `json:"target"`
	// Allowed reports whether the connection was allowed.
	Allowed bool `json:"allowed"`
	// Event is the id of the event recording the decision, if any.
	Event string `json:"event,omitempty"`
	// Reason is the decider's reason, if any.
	Reason string `json:"reason,omitempty"`
}

// Server is an HTTP proxy on a Unix socket. It tunnels CONNECT host:port
// requests and forwards plain-HTTP requests that carry an absolute URI
// (hop-by-hop headers removed, Proxy-* headers stripped). Names are resolved
// by the proxy.
//
// Each CONNECT is one decision. On a keep-alive connection carrying plain
// HTTP requests, each request's target host:port is decided once per client
// connection: later requests on the same connection to the same host:port
// reuse that decision (allowed or refused), and appear once in [Server.Records].
//
// A Server is safe for concurrent use; it serves each connection on its own
// goroutine.
type Server struct {
	ln     net.Listener
	path   string
	decide Decider
	log    *slog.Logger
	dialer net.Dialer
	tr     *http.Transport

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	conns   map[net.Conn]struct{}
	records []Record
}

// Listen creates the Unix socket at socketPath (mode 0600; a stale socket
// left at that path is replaced) and starts serving it. decide must not be
// nil; log may be nil.
func Listen(socketPath string, decide Decider, log *slog.Logger) (*Server, error) {
	if decide == nil {
		return nil, errors.New("netproxy: nil Decider")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if fi, err := os.Lstat(socketPath); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("netproxy: %s exists and is not a socket", socketPath)
		}
		if err := os.Remove(socketPath); err != nil {
			return nil, fmt.Errorf("netproxy: removing stale socket: %w", err)
		}
	}
	ln, err := net.Listen("unix", socketPath)
	if err != nil {
		return nil, fmt.Errorf("netproxy: %w", err)
	}
	if err := os.Chmod(socketPath, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("netproxy: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		ln:     ln,
		path:   socketPath,
		decide: decide,
		log:    log,
		dialer: net.Dialer{Timeout: DialTimeout},
		ctx:    ctx,
		cancel: cancel,
		conns:  make(map[net.Conn]struct{}),
	}
	s.tr = &http.Transport{
		Proxy:                 nil, // never chain to the environment's proxy
		DialContext:           s.dialer.DialContext,
		DisableCompression:    true, // pass bodies through untouched
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       30 * time.Second,
		TLSHandshakeTimeout:   DialTimeout,
		ExpectContinueTimeout: time.Second,
	}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Records returns the decisions taken so far, in the order they were taken.
func (s *Server) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Record(nil), s.records...)
}

// Close stops accepting connections, cancels pending decisions, closes live
// tunnels and forwarded requests, waits for their goroutines to end and
// removes the socket. It is safe to call more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	err := s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	s.tr.CloseIdleConnections()
	if rerr := os.Remove(s.path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
		err = rerr
	}
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// track registers c so Close can close it; it reports false (and closes c)
// if the server is already closed.
func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		c.Close()
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.log.Warn("netproxy: accept", "err", err)
			}
			return
		}
		if !s.track(c) {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.untrack(c)
			s.handle(c)
		}()
	}
}

// headLimiter limits how many bytes may be read while a request head is
// parsed; between heads (bodies, tunnels) it is unlimited.
type headLimiter struct {
	r        io.Reader
	n        int64
	exceeded bool
}

var errHeadTooLarge = errors.New("request header too large")

func (l *headLimiter) Read(p []byte) (int, error) {
	if l.n <= 0 {
		l.exceeded = true
		return 0, errHeadTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// clientConn is the state of one client connection.
type clientConn struct {
	s         *Server
	c         net.Conn
	lim       *headLimiter
	br        *bufio.Reader
	decisions map[string]Decision // per-connection cache for plain HTTP
}

func (s *Server) handle(c net.Conn) {
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	lim := &headLimiter{r: c}
	cc := &clientConn{s: s, c: c, lim: lim, br: bufio.NewReader(lim)}
	for {
		lim.n, lim.exceeded = MaxHeaderBytes, false
		req, err := http.ReadRequest(cc.br)
		lim.n = math.MaxInt64
		if err != nil {
			switch {
			case lim.exceeded:
				writeError(c, http.StatusRequestHeaderFieldsTooLarge,
					fmt.Sprintf("request header too large (limit %d bytes)", MaxHeaderBytes), "")
			case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed), errors.Is(err, io.ErrUnexpectedEOF):
			default:
				var ne net.Error
				if !errors.As(err, &ne) {
					writeError(c, http.StatusBadRequest, "malformed request: "+err.Error(), "")
				}
			}
			return
		}
		if req.Method == http.MethodConnect {
			cc.connect(ctx, req)
			return
		}
		if !cc.forward(ctx, req) {
			return
		}
	}
}

// target validates a host and port string and returns the lower-cased host,
// the port and the canonical host:port.
func target(host, port string) (string, int, string, error) {
	host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	if host == "" {
		return "", 0, "", errors.New("missing host")
	}
	if strings.ContainsAny(host, " \t/@\\") {
		return "", 0, "", fmt.Errorf("invalid host %q", host)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return "", 0, "", fmt.Errorf("invalid port %q (want 1-65535)", port)
	}
	return host, p, net.JoinHostPort(host, strconv.Itoa(p)), nil
}

// decideTarget asks the decider and records its answer.
func (s *Server) decideTarget(ctx context.Context, host string, port int, tgt string) Decision {
	d := s.decide(ctx, host, port)
	s.mu.Lock()
	s.records = append(s.records, Record{Target: tgt, Allowed: d.Allowed, Event: d.Event, Reason: d.Reason})
	s.mu.Unlock()
	s.log.Info("netproxy: decision", "target", tgt, "allowed", d.Allowed, "event", d.Event, "reason", d.Reason)
	return d
}

func (cc *clientConn) connect(ctx context.Context, req *http.Request) {
	s, c := cc.s, cc.c
	authority := req.URL.Host
	if authority == "" {
		authority = req.Host
	}
	h, p, err := net.SplitHostPort(authority)
	if err != nil {
		writeError(c, http.StatusBadRequest, fmt.Sprintf("CONNECT target must be host:port, got %q", authority), "")
		return
	}
	host, port, tgt, err := target(h, p)
	if err != nil {
		writeError(c, http.StatusBadRequest, "CONNECT "+authority+": "+err.Error(), "")
		return
	}
	d := s.decideTarget(ctx, host, port, tgt)
	if !d.Allowed {
		writeError(c, http.StatusForbidden, refusal(tgt, d), d.Event)
		return
	}
	up, err := s.dialer.DialContext(ctx, "tcp", tgt)
	if err != nil {
		writeError(c, http.StatusBadGateway, "dialing "+tgt+": "+err.Error(), d.Event)
		return
	}
	if !s.track(up) {
		return
	}
	defer s.untrack(up)
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection Established\r\n\r\n"); err != nil {
		return
	}
	// Bytes the client sent after the CONNECT head are already buffered.
	pipe(c, cc.br, up, up)
}

func refusal(tgt string, d Decision) string {
	reason := d.Reason
	if reason == "" {
		reason = "not allowed"
	}
	return fmt.Sprintf("ice-studio: connection to %s refused: %s", tgt, reason)
}

// writeError writes a complete text/plain response and asks the client to
// close the connection.
func writeError(w io.Writer, code int, msg, event string) {
	body := msg + "\n"
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", code, http.StatusText(code))
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	if event != "" {
		fmt.Fprintf(&b, "X-Ice-Studio-Event: %s\r\n", event)
	}
	b.WriteString("Connection: close\r\n\r\n")
	b.WriteString(body)
	io.WriteString(w, b.String())
}
