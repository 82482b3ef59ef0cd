// Package server is `ice-studio serve`: the Studio UI and the same backend
// API as the desktop bindings, over HTTP and a WebSocket on loopback only,
// protected by a random token.
package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/ice-studio/ice-studio/backend/bus"
)

// Paths and names of the HTTP API, mirrored in frontend/src/bridge/http.ts.
const (
	CallPrefix  = "/api/call/"
	EventsPath  = "/api/events"
	TokenParam  = "token"
	TokenHeader = "X-Ice-Token"
	TokenCookie = "ice_token"
)

// maxBody bounds a call's JSON arguments.
const maxBody = 8 << 20

// ErrNotLoopback is returned for an --addr that is not a loopback address.
var ErrNotLoopback = errors.New("serve listens on loopback only (127.0.0.1, ::1 or localhost)")

// Config wires a Server.
type Config struct {
	Addr   string // host:port on loopback; port 0 picks a free one
	API    any    // pointer to the struct whose exported methods are the API
	Assets fs.FS  // the built frontend (index.html at the root)
	Bus    *bus.Bus
	Logger *slog.Logger
	Token  string // random when empty
}

// Server serves the UI and the API.
type Server struct {
	cfg     Config
	methods map[string]method
	ln      net.Listener
	srv     *http.Server
	conns   sync.WaitGroup
	cancel  context.CancelFunc
}

// New validates cfg and prepares the server; it does not listen yet.
func New(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("serve: --addr %q: %w", cfg.Addr, err)
	}
	if !isLoopbackHost(host) {
		return nil, fmt.Errorf("%w: got %q", ErrNotLoopback, host)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Bus == nil {
		cfg.Bus = bus.New()
	}
	if cfg.Token == "" {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("serve: token: %w", err)
		}
		cfg.Token = hex.EncodeToString(b)
	}
	table, err := methodTable(cfg.API)
	if err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, methods: table}, nil
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Listen binds the address.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", s.cfg.Addr, err)
	}
	s.ln = ln
	return nil
}

// URL is the address to open in a browser, token included.
func (s *Server) URL() string {
	addr := s.cfg.Addr
	if s.ln != nil {
		addr = s.ln.Addr().String()
	}
	return fmt.Sprintf("http://%s/?%s=%s", addr, TokenParam, s.cfg.Token)
}

// Serve answers requests until ctx is cancelled, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context) error {
	if s.ln == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	s.cancel = cancel
	s.srv = &http.Server{
		Handler:           s.Handler(ctx),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		cancel()
		return err
	case <-ctx.Done():
	}
	shutdownCtx, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	err := s.srv.Shutdown(shutdownCtx)
	s.conns.Wait()
	return err
}

// Handler returns the HTTP handler; ctx ends the WebSocket streams.
func (s *Server) Handler(ctx context.Context) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+CallPrefix+"{method}", s.handleCall)
	mux.HandleFunc("GET "+EventsPath, func(w http.ResponseWriter, r *http.Request) { s.handleEvents(ctx, w, r) })
	mux.Handle("GET /", s.assets())
	return s.guard(mux)
}

// guard enforces loopback Host headers (against DNS rebinding) and the token.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		if !isLoopbackHost(host) {
			http.Error(w, "ICE Studio: requests must address the loopback host", http.StatusForbidden)
			return
		}
		if s.tokenOK(r.Header.Get(TokenHeader)) {
			// Only a client that knows the token can set the header; a page
			// elsewhere cannot (not without a CORS preflight we never answer).
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), byHeaderKey{}, true)))
			return
		}
		if q := r.URL.Query().Get(TokenParam); q != "" && s.tokenOK(q) {
			http.SetCookie(w, &http.Cookie{Name: TokenCookie, Value: s.cfg.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			if r.Method == http.MethodGet && r.URL.Path == "/" {
				// Keep the token out of the address bar and history; the cookie carries it now.
				u := *r.URL
				qs := u.Query()
				qs.Del(TokenParam)
				u.RawQuery = qs.Encode()
				http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(TokenCookie); err == nil && s.tokenOK(c.Value) {
			next.ServeHTTP(w, r)
			return
		}
		s.cfg.Logger.Warn("request refused: no valid token", "method", r.Method, "path", r.URL.Path)
		http.Error(w, "ICE Studio: missing or wrong token. Open the URL printed by `ice-studio serve`.", http.StatusUnauthorized)
	})
}

// byHeaderKey marks, in a request's context, that it carried the token in
// the X-Ice-Token header rather than only in the cookie (or the URL).
type byHeaderKey struct{}

// callAllowed decides whether a POST to /api/call/ may invoke a method. The
// cookie is sent by the browser for every same-site page, including one on
// another local port, so it alone is not enough: the request must carry the
// token header, or an Origin exactly equal to this server's own. And the body
// must be declared JSON, which a cross-site HTML form or a no-cors fetch
// cannot do. It returns 0 when allowed, else the status to answer.
func callAllowed(r *http.Request) (int, string) {
	byHeader, _ := r.Context().Value(byHeaderKey{}).(bool)
	if !byHeader {
		// r.Host already passed the loopback check in guard. Browsers send
		// Origin on every POST fetch, same-origin ones included; "null" and
		// any other scheme, host or port are refused.
		if origin := r.Header.Get("Origin"); origin == "" || origin != "http://"+r.Host {
			return http.StatusForbidden, "API calls must come from the Studio page itself (Origin check) or carry the " + TokenHeader + " header"
		}
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return http.StatusUnsupportedMediaType, "API calls must have Content-Type: application/json"
	}
	return 0, ""
}

func (s *Server) tokenOK(got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.Token)) == 1
}

// callResponse is the JSON body of every API answer.
type callResponse struct {
	Result any    `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) handleCall(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("method")
	if status, msg := callAllowed(r); status != 0 {
		s.cfg.Logger.Warn("API call refused", "method", name, "origin", r.Header.Get("Origin"), "contentType", r.Header.Get("Content-Type"), "status", status)
		writeJSON(w, status, callResponse{Error: msg})
		return
	}
	m, ok := s.methods[name]
	if !ok {
		writeJSON(w, http.StatusNotFound, callResponse{Error: fmt.Sprintf("no such method %q", name)})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, callResponse{Error: "request too large"})
		return
	}
	result, callErr, err := s.invoke(m, body)
	switch {
	case err != nil && errors.Is(err, errBadArgs):
		writeJSON(w, http.StatusBadRequest, callResponse{Error: err.Error()})
	case err != nil:
		writeJSON(w, http.StatusInternalServerError, callResponse{Error: err.Error()})
	case callErr != nil:
		writeJSON(w, http.StatusUnprocessableEntity, callResponse{Error: callErr.Error()})
	default:
		writeJSON(w, http.StatusOK, callResponse{Result: result})
	}
}

// invoke calls m, turning a panic into an error so one bad call cannot take
// the server down.
func (s *Server) invoke(m method, body []byte) (result any, callErr, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.cfg.Logger.Error("API method panicked", "method", m.name, "panic", p)
			err = fmt.Errorf("internal error in %s: %v", m.name, p)
		}
	}()
	return m.call(body)
}

func (s *Server) handleEvents(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	// Same-origin only (the default): a page from elsewhere cannot listen in.
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	s.conns.Add(1)
	defer s.conns.Done()
	msgs, unsubscribe := s.cfg.Bus.Subscribe(256)
	defer unsubscribe()
	ctx = c.CloseRead(ctx) // we only send; this notices the client going away
	ping := time.NewTicker(25 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			_ = c.Close(websocket.StatusGoingAway, "server shutting down")
			return
		case m, ok := <-msgs:
			if !ok {
				return
			}
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := wsjson.Write(wctx, c, m)
			cancel()
			if err != nil {
				return
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := c.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
		}
	}
}

// assets serves the built UI; index.html is never cached so a rebuilt UI is
// picked up on reload.
func (s *Server) assets() http.Handler {
	files := http.FileServerFS(s.cfg.Assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" || r.URL.Path == "/index.html" {
			w.Header().Set("Cache-Control", "no-store")
		}
		if _, err := fs.Stat(s.cfg.Assets, strings.TrimPrefix(pathOrIndex(r.URL), "/")); err != nil {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		files.ServeHTTP(w, r)
	})
}

func pathOrIndex(u *url.URL) string {
	if u.Path == "/" {
		return "/index.html"
	}
	return u.Path
}
