package server_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ice-studio/ice-studio/backend/server"
)

// recordingAPI records every method invoked, safely across the handler's
// goroutines.
type recordingAPI struct {
	mu    sync.Mutex
	calls []string
}

func (a *recordingAPI) record(name string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, name)
}

// Calls returns a copy of the recorded method names.
func (a *recordingAPI) Calls() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.calls...)
}

// Reset forgets the recorded calls.
func (a *recordingAPI) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = nil
}

// OpenFolder stands in for the real App method a cross-site page abused.
func (a *recordingAPI) OpenFolder(path string) error { a.record("OpenFolder"); return nil }

// DeleteModel stands in for the real App method a cross-site page abused.
func (a *recordingAPI) DeleteModel(name string) error { a.record("DeleteModel"); return nil }

// callReq describes one raw API call for the origin tests.
type callReq struct {
	name        string
	cookie      bool
	tokenHeader bool
	origin      string // "" = no Origin header
	contentType string // "" = none
}

// doCall posts ["x"] to /api/call/DeleteModel as described and returns the status.
func doCall(t *testing.T, ts string, c callReq) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, ts+server.CallPrefix+"DeleteModel", strings.NewReader(`["x"]`))
	if c.cookie {
		req.AddCookie(&http.Cookie{Name: server.TokenCookie, Value: token})
	}
	if c.tokenHeader {
		req.Header.Set(server.TokenHeader, token)
	}
	if c.origin != "" {
		req.Header.Set("Origin", c.origin)
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestCrossSiteCallsAreRefused reproduces the cross-site request hole: a page
// on another local port shares the SameSite cookie, so the cookie alone must
// never be enough to invoke a method.
func TestCrossSiteCallsAreRefused(t *testing.T) {
	api := &recordingAPI{}
	ts, _ := MustServer(t, api)
	u, _ := url.Parse(ts.URL) // http://127.0.0.1:PORT
	_, port, _ := net.SplitHostPort(u.Host)
	self := "http://" + u.Host
	const json = "application/json"

	refused := []callReq{
		{name: "cookie, other local port", cookie: true, origin: "http://127.0.0.1:1", contentType: json},
		{name: "cookie, localhost same port (different origin)", cookie: true, origin: "http://localhost:" + port, contentType: json},
		{name: "cookie, https same host", cookie: true, origin: "https://" + u.Host, contentType: json},
		{name: "cookie, Origin null", cookie: true, origin: "null", contentType: json},
		{name: "cookie, origin with a path suffix", cookie: true, origin: self + "/", contentType: json},
		{name: "cookie, no Origin", cookie: true, contentType: json},
		{name: "cookie, foreign origin, text/plain", cookie: true, origin: "http://127.0.0.1:1", contentType: "text/plain"},
		{name: "cookie, same origin, text/plain (form / no-cors fetch)", cookie: true, origin: self, contentType: "text/plain;charset=UTF-8"},
		{name: "cookie, same origin, form encoding", cookie: true, origin: self, contentType: "application/x-www-form-urlencoded"},
		{name: "cookie, same origin, no content type", cookie: true, origin: self},
		{name: "token header, text/plain", tokenHeader: true, contentType: "text/plain"},
		{name: "nothing", origin: self, contentType: json},
	}
	for _, c := range refused {
		api.Reset()
		status := doCall(t, ts.URL, c)
		if status != http.StatusForbidden && status != http.StatusUnsupportedMediaType && status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401, 403 or 415", c.name, status)
		}
		if got := api.Calls(); len(got) != 0 {
			t.Errorf("%s: the API was invoked %v", c.name, got)
		}
	}

	allowed := []callReq{
		{name: "cookie, exact same origin, JSON", cookie: true, origin: self, contentType: json},
		{name: "cookie, exact same origin, JSON with charset", cookie: true, origin: self, contentType: "application/json; charset=utf-8"},
		{name: "token header, no Origin (CLI)", tokenHeader: true, contentType: json},
		{name: "token header and cookie, no Origin", tokenHeader: true, cookie: true, contentType: json},
	}
	for _, c := range allowed {
		api.Reset()
		if status := doCall(t, ts.URL, c); status != http.StatusOK {
			t.Errorf("%s: status %d, want 200", c.name, status)
		}
		if got := api.Calls(); len(got) != 1 || got[0] != "DeleteModel" {
			t.Errorf("%s: calls %v, want [DeleteModel]", c.name, got)
		}
	}
}

// TestForeignOriginStatusCodes pins the answers: 403 for a foreign origin,
// 415 for a non-JSON body from the right origin.
func TestForeignOriginStatusCodes(t *testing.T) {
	ts, _ := MustServer(t, &recordingAPI{})
	u, _ := url.Parse(ts.URL)
	if s := doCall(t, ts.URL, callReq{cookie: true, origin: "http://127.0.0.1:1", contentType: "application/json"}); s != http.StatusForbidden {
		t.Errorf("foreign origin: status %d, want 403", s)
	}
	if s := doCall(t, ts.URL, callReq{cookie: true, origin: "http://" + u.Host, contentType: "text/plain"}); s != http.StatusUnsupportedMediaType {
		t.Errorf("same origin, text/plain: status %d, want 415", s)
	}
}

// TestAssetsStillWorkWithCookie: page loads carry no Origin and must keep working.
func TestAssetsStillWorkWithCookie(t *testing.T) {
	ts, _ := MustServer(t, &recordingAPI{})
	for _, p := range []string{"/", "/assets/app.js"} {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+p, nil)
		req.AddCookie(&http.Cookie{Name: server.TokenCookie, Value: token})
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s with the cookie: status %d, want 200", p, res.StatusCode)
		}
	}
}

// TestEventsRefuseForeignOrigin: the WebSocket keeps its same-origin check,
// so a page elsewhere cannot listen in with the user's cookie.
func TestEventsRefuseForeignOrigin(t *testing.T) {
	ts, _ := MustServer(t, &recordingAPI{})
	u, _ := url.Parse(ts.URL)
	_, port, _ := net.SplitHostPort(u.Host)
	wsURL := "ws" + strings.TrimPrefix(ts.URL, "http") + server.EventsPath
	cookie := (&http.Cookie{Name: server.TokenCookie, Value: token}).String()
	for _, origin := range []string{"http://127.0.0.1:1", "http://localhost:" + port, "null"} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, res, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {cookie}, "Origin": {origin}}})
		cancel()
		if err == nil {
			c.CloseNow()
			t.Errorf("events with Origin %s: connected, want a refusal", origin)
			continue
		}
		if res == nil || res.StatusCode != http.StatusForbidden {
			t.Errorf("events with Origin %s: response %v, want 403", origin, res)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {cookie}, "Origin": {"http://" + u.Host}}})
	if err != nil {
		t.Fatalf("events with the same origin: %v", err)
	}
	c.CloseNow()
}
