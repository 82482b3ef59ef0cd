package netproxy_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/netproxy"
)

// proxyEnv is a Server on a Unix socket with a Bridge in front of it on a
// loopback TCP port, as a sandboxed command would see it.
type proxyEnv struct {
	srv        *netproxy.Server
	bridgeAddr string
	proxyURL   *url.URL
	calls      atomic.Int32
	stopBridge func()
}

func startProxy(t testing.TB, decide netproxy.Decider) *proxyEnv {
	t.Helper()
	dir, err := os.MkdirTemp("", "np") // short: Unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "proxy.sock")
	e := &proxyEnv{}
	srv, err := netproxy.Listen(sock, func(ctx context.Context, host string, port int) netproxy.Decision {
		e.calls.Add(1)
		return decide(ctx, host, port)
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(sock); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode: %v %v", fi, err)
	}
	e.srv = srv
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.bridgeAddr = ln.Addr().String()
	e.proxyURL = &url.URL{Scheme: "http", Host: e.bridgeAddr}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- netproxy.Bridge(ctx, ln, sock) }()
	var once sync.Once
	e.stopBridge = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Bridge: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Error("Bridge did not return after cancel")
			}
		})
	}
	t.Cleanup(func() {
		e.stopBridge()
		closeWithin(t, srv, 5*time.Second)
		if _, err := os.Stat(sock); !os.IsNotExist(err) {
			t.Errorf("socket not removed after Close: %v", err)
		}
	})
	return e
}

func closeWithin(t testing.TB, srv *netproxy.Server, d time.Duration) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- srv.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(d):
		t.Fatal("Server.Close did not return")
	}
}

// allowOnly allows exactly the given host:port targets.
func allowOnly(targets ...string) netproxy.Decider {
	return func(_ context.Context, host string, port int) netproxy.Decision {
		t := net.JoinHostPort(host, strconv.Itoa(port))
		for _, a := range targets {
			if a == t {
				return netproxy.Decision{Allowed: true, Event: "ev-used-" + t}
			}
		}
		return netproxy.Decision{Event: "ev-denied-" + t, Reason: "net.http " + t + " is not granted to this run"}
	}
}

// countingServer is an upstream that counts the requests it sees.
type countingServer struct {
	*httptest.Server
	n       atomic.Int32
	mu      sync.Mutex
	lastHdr http.Header
}

func newUpstream(t *testing.T, tlsOn bool, body string) *countingServer {
	cs := &countingServer{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.n.Add(1)
		cs.mu.Lock()
		cs.lastHdr = r.Header.Clone()
		cs.mu.Unlock()
		io.WriteString(w, body+" "+r.URL.Path)
	})
	if tlsOn {
		cs.Server = httptest.NewTLSServer(h)
	} else {
		cs.Server = httptest.NewServer(h)
	}
	t.Cleanup(cs.Close)
	return cs
}

func hostPort(s *httptest.Server) string { return s.Listener.Addr().String() }

func proxiedClient(e *proxyEnv, tlsUp *httptest.Server) *http.Client {
	tr := &http.Transport{Proxy: http.ProxyURL(e.proxyURL)}
	if tlsUp != nil {
		tr.TLSClientConfig = tlsUp.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func TestAllowedHTTPAndHTTPS(t *testing.T) {
	plain := newUpstream(t, false, "plain")
	secure := newUpstream(t, true, "secure")
	e := startProxy(t, allowOnly(hostPort(plain.Server), hostPort(secure.Server)))
	c := proxiedClient(e, secure.Server)
	defer c.CloseIdleConnections()

	req, _ := http.NewRequest("GET", plain.URL+"/a", nil)
	req.Header.Set("Proxy-Secret", "must not leak")
	req.Header.Set("Connection", "X-Hop")
	req.Header.Set("X-Hop", "hop-by-hop")
	req.Header.Set("X-Kept", "end-to-end")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "plain /a" {
		t.Fatalf("plain GET: %d %q", resp.StatusCode, b)
	}
	plain.mu.Lock()
	h := plain.lastHdr
	plain.mu.Unlock()
	if h.Get("Proxy-Secret") != "" || h.Get("X-Hop") != "" || h.Get("X-Kept") != "end-to-end" {
		t.Errorf("upstream headers not cleaned: %v", h)
	}
	// Second request on the same keep-alive connection reuses the decision.
	resp, err = c.Get(plain.URL + "/b")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "plain /b" {
		t.Fatalf("second plain GET: %q", b)
	}

	resp, err = c.Get(secure.URL + "/s")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "secure /s" {
		t.Fatalf("HTTPS GET: %d %q", resp.StatusCode, b)
	}
	if plain.n.Load() != 2 || secure.n.Load() != 1 {
		t.Errorf("upstream counts: plain %d secure %d", plain.n.Load(), secure.n.Load())
	}
	want := []netproxy.Record{
		{Target: hostPort(plain.Server), Allowed: true, Event: "ev-used-" + hostPort(plain.Server)},
		{Target: hostPort(secure.Server), Allowed: true, Event: "ev-used-" + hostPort(secure.Server)},
	}
	if got := e.srv.Records(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Records = %+v, want %+v", got, want)
	}
}

func TestDenied(t *testing.T) {
	allowed := newUpstream(t, false, "ok")
	denied := newUpstream(t, false, "secret")
	deniedTLS := newUpstream(t, true, "secret")
	e := startProxy(t, allowOnly(hostPort(allowed.Server)))
	c := proxiedClient(e, deniedTLS.Server)
	defer c.CloseIdleConnections()

	resp, err := c.Get(denied.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "is not granted to this run") {
		t.Fatalf("plain denied: %d %q", resp.StatusCode, b)
	}
	if ev := resp.Header.Get("X-Ice-Studio-Event"); ev != "ev-denied-"+hostPort(denied.Server) {
		t.Errorf("event header %q", ev)
	}

	// CONNECT refusal, read raw so the body can be checked.
	conn, br := dialConnect(t, e, hostPort(deniedTLS.Server))
	defer conn.Close()
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "is not granted to this run") {
		t.Fatalf("CONNECT denied: %d %q", resp.StatusCode, b)
	}
	// And a Go client sees the refusal as an error.
	if _, err := c.Get(deniedTLS.URL); err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Errorf("HTTPS through refused CONNECT: %v", err)
	}

	if denied.n.Load() != 0 || deniedTLS.n.Load() != 0 {
		t.Errorf("denied upstreams saw requests: %d %d", denied.n.Load(), deniedTLS.n.Load())
	}
	recs := e.srv.Records()
	if len(recs) != 3 {
		t.Fatalf("Records = %+v", recs)
	}
	for i, tgt := range []string{hostPort(denied.Server), hostPort(deniedTLS.Server), hostPort(deniedTLS.Server)} {
		r := recs[i]
		if r.Target != tgt || r.Allowed || r.Event != "ev-denied-"+tgt || !strings.Contains(r.Reason, "not granted") {
			t.Errorf("record %d = %+v", i, r)
		}
	}
}

// dialConnect opens a connection to the bridge and sends CONNECT target.
func dialConnect(t testing.TB, e *proxyEnv, target string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", e.bridgeAddr)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target)
	return conn, bufio.NewReader(conn)
}

func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines: %d > %d at start\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCloseCancelsPendingDecision(t *testing.T) {
	base := runtime.NumGoroutine()
	started := make(chan struct{})
	cancelled := make(chan struct{})
	e := startProxy(t, func(ctx context.Context, host string, port int) netproxy.Decision {
		close(started)
		<-ctx.Done() // the user never answers the approval card
		close(cancelled)
		return netproxy.Decision{Reason: "approval cancelled: " + ctx.Err().Error()}
	})
	conn, br := dialConnect(t, e, "example.invalid:443")
	defer conn.Close()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("decider not called")
	}
	// Still blocked: no answer yet.
	conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := br.ReadByte(); err == nil {
		t.Fatal("got a response before the decision")
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))

	e.stopBridge()
	closeWithin(t, e.srv, 5*time.Second)
	select {
	case <-cancelled:
	default:
		t.Fatal("Close returned but decider ctx was not cancelled")
	}
	// The client's connection ends (the bridge closed it).
	if _, err := io.ReadAll(br); err != nil && !isClosedErr(err) {
		t.Errorf("client read: %v", err)
	}
	conn.Close()
	if r := e.srv.Records(); len(r) != 1 || r[0].Allowed || r[0].Target != "example.invalid:443" {
		t.Errorf("Records = %+v", r)
	}
	waitGoroutines(t, base)
}

func isClosedErr(err error) bool {
	return err == io.EOF || strings.Contains(err.Error(), "reset") || strings.Contains(err.Error(), "closed")
}

func TestMalformedRequests(t *testing.T) {
	e := startProxy(t, func(context.Context, string, int) netproxy.Decision {
		return netproxy.Decision{Allowed: true}
	})
	cases := []struct{ name, raw, want string }{
		{"relative URI", "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", "not a proxy request"},
		{"CONNECT without port", "CONNECT example.com HTTP/1.1\r\nHost: example.com\r\n\r\n", "host:port"},
		{"CONNECT port out of range", "CONNECT example.com:70000 HTTP/1.1\r\nHost: x\r\n\r\n", "invalid port"},
		{"CONNECT port zero", "CONNECT example.com:0 HTTP/1.1\r\nHost: x\r\n\r\n", "invalid port"},
		{"CONNECT no host", "CONNECT :443 HTTP/1.1\r\nHost: x\r\n\r\n", "missing host"},
		{"absolute URI port out of range", "GET http://example.com:99999/ HTTP/1.1\r\nHost: x\r\n\r\n", "invalid port"},
		{"unsupported scheme", "GET ftp://example.com/ HTTP/1.1\r\nHost: x\r\n\r\n", "unsupported scheme"},
		{"garbage", "HELLO\r\n\r\n", "malformed request"},
		{"header too large", "GET http://example.com/ HTTP/1.1\r\nX-Big: " + strings.Repeat("a", netproxy.MaxHeaderBytes) + "\r\n\r\n", "too large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", e.bridgeAddr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			go io.WriteString(conn, tc.raw) // may be cut short by the proxy
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			wantCode := http.StatusBadRequest
			if tc.name == "header too large" {
				wantCode = http.StatusRequestHeaderFieldsTooLarge
			}
			if resp.StatusCode != wantCode || !strings.Contains(string(b), tc.want) {
				t.Errorf("got %d %q, want %d containing %q", resp.StatusCode, b, wantCode, tc.want)
			}
		})
	}
	if n := e.calls.Load(); n != 0 {
		t.Errorf("decider called %d times for malformed requests", n)
	}
	if r := e.srv.Records(); len(r) != 0 {
		t.Errorf("Records = %+v", r)
	}
}

func TestUpstreamDialError(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close() // nothing listens there now
	e := startProxy(t, allowOnly(dead))
	for _, raw := range []string{
		"CONNECT " + dead + " HTTP/1.1\r\nHost: " + dead + "\r\n\r\n",
		"GET http://" + dead + "/ HTTP/1.1\r\nHost: " + dead + "\r\n\r\n",
	} {
		conn, err := net.Dial("tcp", e.bridgeAddr)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(15 * time.Second))
		io.WriteString(conn, raw)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		conn.Close()
		if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(b), "refused") {
			t.Errorf("%q: %d %q", raw, resp.StatusCode, b)
		}
	}
}
