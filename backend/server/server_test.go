package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/server"
)

// fakeAPI has the method shapes the desktop App binds.
type fakeAPI struct{ calls []string }

type greetRequest struct {
	Name string `json:"name"`
}

type greeting struct {
	Text string `json:"text"`
}

func (f *fakeAPI) Greet(req greetRequest) (greeting, error) {
	f.calls = append(f.calls, "Greet")
	if req.Name == "" {
		return greeting{}, errors.New("name is empty")
	}
	return greeting{Text: "hello " + req.Name}, nil
}
func (f *fakeAPI) Ping() string              { return "pong" }
func (f *fakeAPI) Fail() error               { return errors.New("it failed") }
func (f *fakeAPI) Nothing()                  {}
func (f *fakeAPI) Add(a, b int) (int, error) { return a + b, nil }
func (f *fakeAPI) Boom() (string, error)     { panic("kaboom") }
func (f *fakeAPI) unexported() string        { return "hidden" } //nolint:unused
func (f *fakeAPI) List() ([]string, error)   { return []string{"a"}, nil }

const token = "test-token-123"

// MustServer returns a test server in front of api, and the bus it streams.
func MustServer(tb testing.TB, api any) (*httptest.Server, *bus.Bus) {
	tb.Helper()
	b := bus.New()
	s, err := server.New(server.Config{
		API:    api,
		Token:  token,
		Bus:    b,
		Assets: fstest.MapFS{"index.html": {Data: []byte("<h1>ICE</h1>")}, "assets/app.js": {Data: []byte("1")}},
	})
	if err != nil {
		tb.Fatalf("server.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts := httptest.NewServer(s.Handler(ctx))
	tb.Cleanup(func() { cancel(); ts.Close() })
	return ts, b
}

func call(tb testing.TB, ts *httptest.Server, method, body string, authed bool) (int, map[string]any) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+server.CallPrefix+method, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if authed {
		req.Header.Set(server.TokenHeader, token)
	}
	res, err := ts.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(raw, &out)
	return res.StatusCode, out
}

func TestCallDispatch(t *testing.T) {
	api := &fakeAPI{}
	ts, _ := MustServer(t, api)
	for _, tc := range []struct {
		method, body string
		status       int
		result       any
		errPart      string
	}{
		{"Greet", `[{"name":"ada"}]`, 200, map[string]any{"text": "hello ada"}, ""},
		{"Greet", `[{}]`, 422, nil, "name is empty"},
		{"Greet", `[]`, 400, nil, "takes 1 argument"},
		{"Greet", `[1]`, 400, nil, "argument 1"},
		{"Greet", `{"name":"x"}`, 400, nil, "JSON array"},
		{"Ping", ``, 200, "pong", ""},
		{"Fail", `[]`, 422, nil, "it failed"},
		{"Nothing", `[]`, 200, nil, ""},
		{"Add", `[2, 40]`, 200, float64(42), ""},
		{"Boom", `[]`, 500, nil, "kaboom"},
		{"unexported", `[]`, 404, nil, "no such method"},
		{"Missing", `[]`, 404, nil, "no such method"},
		{"List", `[]`, 200, []any{"a"}, ""},
	} {
		status, out := call(t, ts, tc.method, tc.body, true)
		if status != tc.status {
			t.Errorf("POST %s %s: status %d, want %d (body %v)", tc.method, tc.body, status, tc.status, out)
			continue
		}
		if tc.errPart != "" {
			if msg, _ := out["error"].(string); !strings.Contains(msg, tc.errPart) {
				t.Errorf("POST %s %s: error %q, want it to contain %q", tc.method, tc.body, msg, tc.errPart)
			}
			continue
		}
		gotJSON, _ := json.Marshal(out["result"])
		wantJSON, _ := json.Marshal(tc.result)
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("POST %s %s: result %s, want %s", tc.method, tc.body, gotJSON, wantJSON)
		}
	}
}

func TestTokenIsRequired(t *testing.T) {
	api := &fakeAPI{}
	ts, _ := MustServer(t, api)
	if status, _ := call(t, ts, "Ping", `[]`, false); status != http.StatusUnauthorized {
		t.Errorf("call without token: status %d, want 401", status)
	}
	client := ts.Client()
	for _, path := range []string{"/", "/index.html", "/assets/app.js", "/?token=wrong", server.EventsPath} {
		res, err := client.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without a valid token: status %d, want 401", path, res.StatusCode)
		}
	}
	if len(api.calls) != 0 {
		t.Errorf("API was called %v without a token", api.calls)
	}
}

func TestTokenInURLBecomesCookie(t *testing.T) {
	ts, _ := MustServer(t, &fakeAPI{})
	client := ts.Client()
	client.Jar = newJar()
	res, err := client.Get(ts.URL + "/?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "<h1>ICE</h1>") {
		t.Fatalf("GET /?token=…: status %d body %q, want the index page", res.StatusCode, body)
	}
	if res.Request.URL.RawQuery != "" {
		t.Errorf("after the redirect the URL still has a query %q; the token should be gone", res.Request.URL.RawQuery)
	}
	res, err = client.Get(ts.URL + "/assets/app.js")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("GET asset with the cookie: status %d, want 200", res.StatusCode)
	}
	if res.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("Referrer-Policy = %q, want no-referrer", res.Header.Get("Referrer-Policy"))
	}
}

func TestForeignHostIsRefused(t *testing.T) {
	ts, _ := MustServer(t, &fakeAPI{})
	req, _ := http.NewRequest(http.MethodPost, ts.URL+server.CallPrefix+"Ping", strings.NewReader("[]"))
	req.Header.Set(server.TokenHeader, token)
	req.Host = "attacker.example"
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("call with Host attacker.example: status %d, want 403", res.StatusCode)
	}
}

func TestNewRejectsNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8080", "192.168.1.2:80", ":8080", "example.com:80", "nonsense"} {
		if _, err := server.New(server.Config{Addr: addr, API: &fakeAPI{}}); err == nil {
			t.Errorf("server.New(addr %q) succeeded, want a refusal", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0", "localhost:0"} {
		if _, err := server.New(server.Config{Addr: addr, API: &fakeAPI{}}); err != nil {
			t.Errorf("server.New(addr %q): %v", addr, err)
		}
	}
}

func TestEventsStream(t *testing.T) {
	ts, b := MustServer(t, &fakeAPI{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(ts.URL, "http") + server.EventsPath
	c, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{server.TokenHeader: {token}}})
	if err != nil {
		t.Fatalf("dial events: %v", err)
	}
	defer c.CloseNow()
	// The subscription starts when the handler runs; publish until one arrives.
	got := make(chan bus.Message, 1)
	go func() {
		var m bus.Message
		if err := wsjson.Read(ctx, c, &m); err == nil {
			got <- m
		}
	}()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case m := <-got:
			if m.Name != "test.event" || m.Data.(map[string]any)["n"] != float64(7) {
				t.Fatalf("event = %+v, want test.event {n:7}", m)
			}
			return
		case <-tick.C:
			b.Publish("test.event", map[string]int{"n": 7})
		case <-ctx.Done():
			t.Fatal("no event arrived on the WebSocket")
		}
	}
}

func newJar() *cookiejar.Jar {
	j, _ := cookiejar.New(nil)
	return j
}
