// Package ollama is the Studio's model provider, built on Ollama's official
// Go client (github.com/ollama/ollama/api): health and version, installed
// models with their capabilities, pull with progress, delete, streamed chat
// with tools, and embeddings, with typed errors (not running, model not
// installed, server failure, dropped stream) and cancellation through ctx.
package ollama

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/ollama/ollama/api"
	"github.com/ollama/ollama/envconfig"
)

// ErrNotRunning means nothing answered at the configured Ollama address.
var ErrNotRunning = errors.New("ollama is not running")

// Status is what the UI shows about the Ollama server.
type Status struct {
	Host      string `json:"host"`
	Reachable bool   `json:"reachable"`
	Version   string `json:"version"`
	Error     string `json:"error"`
	CheckedAt int64  `json:"checkedAt"`
	// CanStart: Ollama is not reachable, and an ollama program is installed
	// that the Studio can start. Started: the Studio started the server
	// (and stops it when it exits).
	CanStart bool `json:"canStart"`
	Started  bool `json:"started"`
}

// Provider talks to one Ollama endpoint.
type Provider struct {
	base   *url.URL
	client *api.Client
}

// HostFromEnv returns the Ollama base URL from OLLAMA_HOST, with Ollama's
// own defaults (http://127.0.0.1:11434).
func HostFromEnv() *url.URL { return envconfig.Host() }

// New returns a provider for base. A nil httpClient gets one with sane
// timeouts for a local server.
func New(base *url.URL, httpClient *http.Client) *Provider {
	if httpClient == nil {
		httpClient = &http.Client{Transport: &http.Transport{
			Proxy:               nil, // a local model server is never reached through a proxy
			DialContext:         (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 4,
		}}
	}
	return &Provider{base: base, client: api.NewClient(base, httpClient)}
}

// Base returns the endpoint's base URL.
func (p *Provider) Base() *url.URL { u := *p.base; return &u }

// Host returns the endpoint's base URL as text.
func (p *Provider) Host() string { return p.base.String() }

// Version asks the server for its version. Connection failures are wrapped
// in ErrNotRunning so callers can tell "down" from "broken".
func (p *Provider) Version(ctx context.Context) (string, error) {
	v, err := p.client.Version(ctx)
	if err != nil {
		var opErr *net.OpError
		var urlErr *url.Error
		if errors.As(err, &opErr) || errors.As(err, &urlErr) || errors.Is(err, context.DeadlineExceeded) {
			return "", fmt.Errorf("%w at %s: %v", ErrNotRunning, p.Host(), err)
		}
		return "", fmt.Errorf("ollama at %s: %w", p.Host(), err)
	}
	return v, nil
}

// Status checks the server within timeout and never fails: an unreachable
// server is a status, not an error.
func (p *Provider) Status(ctx context.Context, timeout time.Duration) Status {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	st := Status{Host: p.Host(), CheckedAt: time.Now().UnixMilli()}
	v, err := p.Version(ctx)
	if err != nil {
		if errors.Is(err, ErrNotRunning) {
			st.Error = fmt.Sprintf("Ollama is not running at %s. Start it with `ollama serve`, or set OLLAMA_HOST.", p.Host())
		} else {
			st.Error = err.Error()
		}
		return st
	}
	st.Reachable, st.Version = true, v
	return st
}

// ErrModelMissing is a model the server does not have.
var ErrModelMissing = errors.New("model is not installed")

// Embed returns embeddings of texts with an embedding model, in batches
// of 64 per request to /api/embed.
func (p *Provider) Embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	var out [][]float32
	for i := 0; i < len(texts); i += 64 {
		end := min(len(texts), i+64)
		resp, err := p.client.Embed(ctx, &api.EmbedRequest{Model: model, Input: texts[i:end]})
		if err != nil {
			var se api.StatusError
			if errors.As(err, &se) && se.StatusCode == http.StatusNotFound {
				return nil, fmt.Errorf("%w: %s at %s — pull it, or choose another", ErrModelMissing, model, p.Host())
			}
			var opErr *net.OpError
			var urlErr *url.Error
			if errors.As(err, &opErr) || errors.As(err, &urlErr) {
				return nil, fmt.Errorf("%w at %s: %v", ErrNotRunning, p.Host(), err)
			}
			return nil, fmt.Errorf("ollama embed with %s: %w", model, err)
		}
		if len(resp.Embeddings) != end-i {
			return nil, fmt.Errorf("ollama embed with %s: %d embeddings for %d texts", model, len(resp.Embeddings), end-i)
		}
		out = append(out, resp.Embeddings...)
	}
	return out, nil
}
