// Package oaicompat is the Studio's model provider for OpenAI-compatible
// servers (vLLM, llama.cpp's server, LM Studio, Ollama's own /v1), built on
// the official client github.com/openai/openai-go/v3: streamed chat with
// tools in the agent's Ollama-shaped types, the served models, and health,
// with errors that name the endpoint and say what to do.
//
// The client is built from its services alone, never openai.NewClient: that
// one reads OPENAI_API_KEY, OPENAI_BASE_URL and other variables of the
// environment, and an endpoint's key and address come from its settings.
package oaicompat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/ice-studio/ice-studio/backend/ollama"
)

// The errors of the provider. Each one also matches the ollama package's
// error of the same meaning (errors.Is), so code that tells "down" from
// "broken" for an Ollama endpoint does the same here; a dropped stream and
// an answer that does not decode are ollama.ErrDropped and
// ollama.ErrMalformed themselves.
var (
	// ErrUnreachable: nothing answered at the endpoint's address (also
	// ollama.ErrNotRunning).
	ErrUnreachable = errors.New("cannot reach the model server")
	// ErrKeyRefused: the server answered 401 or 403.
	ErrKeyRefused = errors.New("the model server refused the API key")
	// ErrModelMissing: the server does not serve the model (also
	// ollama.ErrModelMissing).
	ErrModelMissing = errors.New("the model is not served")
	// ErrServer: the server failed (an HTTP 5xx, or an error sent in the
	// middle of a stream; also ollama.ErrServer).
	ErrServer = errors.New("the model server failed")
)

// Config says where an endpoint is and how to reach it.
type Config struct {
	// BaseURL is the API's root, with the version: e.g.
	// http://127.0.0.1:11434/v1 for Ollama, http://gpu-box:8000/v1 for vLLM.
	BaseURL string
	// APIKey is sent as "Authorization: Bearer <key>"; "" sends none. It
	// is never logged nor put in an error.
	APIKey string
	// HTTPClient carries the requests; nil gets one with a dial timeout,
	// the environment's proxy (never for loopback) and no overall timeout,
	// since an answer streams for as long as the model writes.
	HTTPClient *http.Client
}

// Provider talks to one OpenAI-compatible endpoint.
type Provider struct {
	base   *url.URL // as configured, credentials included
	key    string
	chat   openai.ChatCompletionService
	models openai.ModelService
}

// New checks the configuration and returns a provider. It does not contact
// the server (Status does).
func New(c Config) (*Provider, error) {
	raw := strings.TrimSpace(c.BaseURL)
	if raw == "" {
		return nil, errors.New("the endpoint has no URL: give its base URL, e.g. http://127.0.0.1:11434/v1")
	}
	if !strings.Contains(raw, "://") {
		return nil, fmt.Errorf("the endpoint URL %q has no scheme: write it as http://%s", redactURL(raw), redactURL(raw))
	}
	u, err := url.Parse(raw)
	if err != nil {
		why := strings.ReplaceAll(err.Error(), raw, redactURL(raw))
		return nil, fmt.Errorf("the endpoint URL %q does not parse (%s): write it as http://host:port/v1", redactURL(raw), why)
	}
	switch u.Scheme {
	case "http", "https":
	default:
		return nil, fmt.Errorf("the endpoint URL %q has the scheme %q: use http or https", redactURL(raw), u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("the endpoint URL %q has no host: write it as %s://host:port/v1", redactURL(raw), u.Scheme)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("the endpoint URL %q has a query or fragment: give only scheme, host, port and path", redactURL(raw))
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	if strings.ContainsAny(c.APIKey, "\r\n") {
		return nil, errors.New("the API key holds a line break: paste it again, on one line")
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = defaultHTTPClient()
	}
	opts := []option.RequestOption{
		option.WithBaseURL(u.String() + "/"),
		option.WithHTTPClient(hc),
		// No retries: a failed request is reported at once, as the native
		// Ollama client does, and the run decides (it aborts with the
		// reason); a retried stream would repeat the answer's start.
		option.WithMaxRetries(0),
		option.WithMiddleware(normalizeErrorBody),
	}
	if c.APIKey != "" {
		opts = append(opts, option.WithAPIKey(c.APIKey))
	}
	return &Provider{
		base:   u,
		key:    c.APIKey,
		chat:   openai.NewChatCompletionService(opts...),
		models: openai.NewModelService(opts...),
	}, nil
}

// defaultHTTPClient is the client of a provider configured without one.
func defaultHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		// A remote endpoint may sit behind the user's proxy; Go never
		// proxies loopback addresses, so a local server is reached directly.
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout: 10 * time.Second,
		// Headers come with the first token, after the server has loaded
		// the model: minutes for a large one on a cold GPU box.
		ResponseHeaderTimeout: 10 * time.Minute,
		ForceAttemptHTTP2:     true,
		MaxIdleConnsPerHost:   4,
	}}
}

// Host returns the endpoint's base URL without credentials.
func (p *Provider) Host() string {
	u := *p.base
	u.User = nil
	return u.String()
}

// Model is a model the endpoint serves.
type Model struct {
	ID      string `json:"id"`
	OwnedBy string `json:"ownedBy,omitempty"`
	Created int64  `json:"created,omitempty"` // unix seconds
}

// Models lists the models the endpoint serves (GET /models), sorted by id.
func (p *Provider) Models(ctx context.Context) ([]Model, error) {
	page, err := p.models.List(ctx)
	if err != nil {
		return nil, p.classify(ctx, err, "")
	}
	out := make([]Model, 0, len(page.Data))
	for _, m := range page.Data {
		out = append(out, Model{ID: m.ID, OwnedBy: m.OwnedBy, Created: m.Created})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Status is what the UI shows about an endpoint.
type Status struct {
	// Reachable: GET /models answered with the list.
	Reachable bool `json:"reachable"`
	// Models is how many models it lists.
	Models int `json:"models"`
	// Error says, in words, why it is not reachable.
	Error string `json:"error,omitempty"`
}

// Status asks the endpoint for its models within timeout and never fails:
// an endpoint that does not answer, or refuses the key, is a status.
func (p *Provider) Status(ctx context.Context, timeout time.Duration) Status {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ms, err := p.Models(ctx)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return Status{Error: fmt.Sprintf("%s did not answer within %s: is the server up, and the URL right?", p.Host(), timeout)}
		}
		return Status{Error: err.Error()}
	}
	return Status{Reachable: true, Models: len(ms)}
}

// kinds is an error with its own words that matches several sentinels
// (this package's and the ollama package's) and its cause.
type kinds struct {
	msg      string
	sentinel []error
	cause    error
}

func (e *kinds) Error() string { return e.msg }

func (e *kinds) Unwrap() []error {
	if e.cause == nil {
		return e.sentinel
	}
	return append(append([]error(nil), e.sentinel...), e.cause)
}

// is makes e match the sentinels.
func (e *kinds) is(sentinels ...error) *kinds {
	e.sentinel = append(e.sentinel, sentinels...)
	return e
}

// classify turns an error of the client into one that says what happened
// at which endpoint, naming the model when one is concerned; the API key
// never appears in it.
func (p *Provider) classify(ctx context.Context, err error, model string) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return context.Cause(ctx) // cancelled or timed out: not the server's fault
	}
	host := p.Host()
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		said := strings.TrimSpace(apiErr.Message)
		status := fmt.Sprintf("%d %s", apiErr.StatusCode, http.StatusText(apiErr.StatusCode))
		suffix := ""
		if said != "" {
			suffix = ": " + said
		}
		switch code := apiErr.StatusCode; {
		case code == http.StatusUnauthorized || code == http.StatusForbidden:
			return p.fail(nil, "the API key was refused by %s (%s)%s: check the endpoint's key in settings", host, status, suffix).is(ErrKeyRefused)
		case code == http.StatusNotFound && model != "" && said == "":
			// A bare 404 (a router's "404 page not found") is as often a
			// path the server does not have as a model.
			return p.fail(nil, "model %s is not served by %s, or the URL is not the API's root (404): check that it ends in /v1 and that the model is loaded there",
				model, host).is(ErrModelMissing, ollama.ErrModelMissing)
		case code == http.StatusNotFound && model != "" && (strings.Contains(strings.ToLower(said), "model") || strings.Contains(said, model)):
			return p.fail(nil, "model %s is not served by %s%s: choose one it lists, or load it there", model, host, suffix).is(ErrModelMissing, ollama.ErrModelMissing)
		case code == http.StatusNotFound:
			return p.fail(nil, "%s has no such API (%s)%s: check that the URL is the API's root, usually ending in /v1", host, status, suffix)
		case code >= 500:
			return p.fail(nil, "%s failed (%s)%s", host, status, suffix).is(ErrServer, ollama.ErrServer)
		}
		return p.fail(nil, "%s refused the request (%s)%s", host, status, suffix)
	}
	var streamErr *ssestream.StreamError
	if errors.As(err, &streamErr) {
		return p.fail(nil, "%s failed in the middle of the answer: %s", host, streamMessage(streamErr)).is(ErrServer, ollama.ErrServer)
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) {
		return p.fail(err, "%s sent an answer that cannot be read: %v", host, err).is(ollama.ErrMalformed)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) {
		return p.fail(err, "the connection to %s dropped: %v", host, err).is(ollama.ErrDropped)
	}
	var opErr *net.OpError
	var dnsErr *net.DNSError
	var urlErr *url.Error
	if errors.As(err, &opErr) || errors.As(err, &dnsErr) || errors.As(err, &urlErr) || errors.Is(err, syscall.ECONNREFUSED) {
		return p.fail(err, "cannot reach %s (%v): is the server running, and the URL right?", host, err).is(ErrUnreachable, ollama.ErrNotRunning)
	}
	return p.fail(err, "%s: %v", host, err)
}

// fail is an error with the provider's words (the key redacted) and its
// cause.
func (p *Provider) fail(cause error, format string, args ...any) *kinds {
	return &kinds{msg: p.redact(fmt.Sprintf(format, args...)), cause: cause}
}

// streamMessage is what a server wrote as {"error": …} into a stream.
func streamMessage(e *ssestream.StreamError) string {
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(e.Event.Data, &body) == nil && len(body.Error) > 0 {
		var s string
		if json.Unmarshal(body.Error, &s) == nil {
			return s
		}
		var obj struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(body.Error, &obj) == nil && obj.Message != "" {
			return obj.Message
		}
		return string(body.Error)
	}
	return e.Message
}

// redact removes the API key and the URL's password from a message.
func (p *Provider) redact(s string) string {
	if p.key != "" {
		s = strings.ReplaceAll(s, p.key, "[api key]")
	}
	if pw, ok := p.base.User.Password(); ok && pw != "" {
		s = strings.ReplaceAll(s, pw, "[password]")
	}
	return s
}

// redactURL hides the credentials of a URL that is being rejected, even
// one that does not parse.
func redactURL(raw string) string {
	at := strings.LastIndex(raw, "@")
	if at < 0 {
		return raw
	}
	from := 0
	if i := strings.Index(raw, "://"); i >= 0 && i < at {
		from = i + len("://")
	}
	if slash := strings.Index(raw[from:], "/"); slash >= 0 && from+slash < at {
		return raw // the @ is in the path, not credentials
	}
	return raw[:from] + "[credentials]" + raw[at:]
}

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// normalizeErrorBody gives every error answer the shape the client reads,
// {"error": {"message": …}}: servers differ (vLLM's older
// {"object":"error","message":…}, a router's plain "404 page not found",
// an "error" that is a string), and the client turns any other shape into
// a decoding error that loses the HTTP status.
func normalizeErrorBody(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	res, err := next(req)
	if err != nil || res == nil || res.StatusCode < 400 || res.Body == nil {
		return res, err
	}
	body, rerr := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
	_ = res.Body.Close()
	if rerr != nil {
		return nil, rerr
	}
	msg := errorMessage(body)
	fixed, _ := json.Marshal(map[string]any{"error": map[string]string{"message": msg}})
	var shaped struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &shaped) == nil && len(shaped.Error) > 0 && shaped.Error[0] == '{' {
		fixed = body // already {"error": {…}}
	}
	res.Body = io.NopCloser(strings.NewReader(string(fixed)))
	res.ContentLength = int64(len(fixed))
	res.Header.Set("Content-Type", "application/json")
	return res, nil
}

// errorMessage finds the message in an error answer of any shape.
func errorMessage(body []byte) string {
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Detail  any             `json:"detail"`
	}
	if json.Unmarshal(body, &v) == nil {
		var s string
		if len(v.Error) > 0 && json.Unmarshal(v.Error, &s) == nil && s != "" {
			return s
		}
		var obj struct {
			Message string `json:"message"`
		}
		if len(v.Error) > 0 && json.Unmarshal(v.Error, &obj) == nil && obj.Message != "" {
			return obj.Message
		}
		if v.Message != "" {
			return v.Message
		}
		if d, ok := v.Detail.(string); ok && d != "" {
			return d // FastAPI's (vLLM's) {"detail": "Not Found"}
		}
		if v.Detail != nil {
			b, _ := json.Marshal(v.Detail)
			return string(b)
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	if strings.HasPrefix(strings.ToLower(s), "404 page not found") {
		return "" // a router's answer, not the server's word
	}
	return s
}
