package ollama

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

	"github.com/buger/jsonparser"
	"github.com/ollama/ollama/api"
)

// ErrServer is an error the Ollama server reported (an HTTP 5xx).
var ErrServer = errors.New("the Ollama server failed")

// ErrDropped is a stream that ended before the server said it was done.
var ErrDropped = errors.New("the connection to Ollama dropped")

// ErrMalformed is an answer from the server that does not decode (e.g. a
// tool call whose arguments are not a JSON object).
var ErrMalformed = errors.New("Ollama sent an answer that cannot be read")

// classify maps errors of the api client to the provider's typed errors,
// naming the model when one is concerned.
func (p *Provider) classify(err error, model string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var se api.StatusError
	if errors.As(err, &se) {
		switch {
		case se.StatusCode == http.StatusNotFound && model != "":
			return fmt.Errorf("%w: %s at %s — pull it?", ErrModelMissing, model, p.Host())
		case se.StatusCode >= 500:
			return fmt.Errorf("%w (%d): %s", ErrServer, se.StatusCode, strings.TrimSpace(se.ErrorMessage))
		}
		return fmt.Errorf("ollama at %s: %s", p.Host(), strings.TrimSpace(se.ErrorMessage+" "+se.Status))
	}
	if malformed(err) {
		return fmt.Errorf("%w (from %s): %w", ErrMalformed, p.Host(), err)
	}
	var opErr *net.OpError
	var urlErr *url.Error
	transport := errors.As(err, &opErr) || errors.As(err, &urlErr)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || transport && strings.Contains(err.Error(), "unexpected EOF") {
		return fmt.Errorf("%w at %s: %v", ErrDropped, p.Host(), err)
	}
	if errors.Is(err, io.EOF) {
		// The request was sent and the server closed the connection without
		// an answer: it stopped or crashed while working on it.
		return fmt.Errorf("%w at %s before it answered (did Ollama stop or crash?): %v", ErrDropped, p.Host(), err)
	}
	if transport {
		return fmt.Errorf("%w at %s: %v", ErrNotRunning, p.Host(), err)
	}
	// What is left is what the server wrote into a stream as {"error": …}
	// (the api client returns it as a plain error): it failed mid-answer,
	// e.g. its model runner crashed.
	return fmt.Errorf("%w at %s: %s", ErrServer, p.Host(), strings.TrimSpace(err.Error()))
}

// malformed reports whether err comes from decoding a line of the answer
// (encoding/json, or the ordered map the api package decodes tool call
// arguments into).
func malformed(err error) bool {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) {
		return true
	}
	for _, e := range []error{jsonparser.KeyPathNotFoundError, jsonparser.UnknownValueTypeError, jsonparser.MalformedJsonError,
		jsonparser.MalformedStringError, jsonparser.MalformedArrayError, jsonparser.MalformedObjectError, jsonparser.MalformedValueError,
		jsonparser.OverflowIntegerError, jsonparser.MalformedStringEscapeError} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Model is an installed model with what the model manager shows.
type Model struct {
	Name          string   `json:"name"`
	Digest        string   `json:"digest"`
	Size          int64    `json:"size"`
	ModifiedAt    int64    `json:"modifiedAt"` // unix ms
	Family        string   `json:"family"`
	Parameters    string   `json:"parameters"`   // e.g. "8.0B"
	Quantization  string   `json:"quantization"` // e.g. "Q4_K_M"
	Format        string   `json:"format"`
	Capabilities  []string `json:"capabilities"` // completion, tools, embedding, vision, …
	ContextLength int64    `json:"contextLength,omitempty"`
	// KVBytesPerToken is what one token of context costs in the KV cache
	// (f16), from model_info's layers, heads and embedding size (0 unknown).
	KVBytesPerToken int64 `json:"kvBytesPerToken,omitempty"`
	// Display is the name as the Studio shows it (DisplayName).
	Display string `json:"display,omitempty"`
	// Loaded is set when the server holds the model in memory now; Fit is
	// the estimate of whether it fits in RAM (both filled by the Studio).
	Loaded *Running `json:"loaded,omitempty"`
	Fit    *Fit     `json:"fit,omitempty"`
}

// Has reports whether a model has a capability ("tools", "embedding", …).
func (m Model) Has(c string) bool {
	for _, x := range m.Capabilities {
		if x == c {
			return true
		}
	}
	return false
}

// Models lists the installed models with their details and capabilities
// (one Show per model), sorted by name.
func (p *Provider) Models(ctx context.Context) ([]Model, error) {
	lr, err := p.client.List(ctx)
	if err != nil {
		return nil, p.classify(err, "")
	}
	out := make([]Model, 0, len(lr.Models))
	for _, m := range lr.Models {
		mm := Model{Name: m.Name, Digest: m.Digest, Size: m.Size, ModifiedAt: m.ModifiedAt.UnixMilli(), Family: m.Details.Family,
			Parameters: m.Details.ParameterSize, Quantization: m.Details.QuantizationLevel, Format: m.Details.Format, Capabilities: []string{},
			Display: DisplayName(m.Name)}
		if sr, err := p.client.Show(ctx, &api.ShowRequest{Model: m.Name}); err == nil {
			for _, c := range sr.Capabilities {
				mm.Capabilities = append(mm.Capabilities, string(c))
			}
			mm.ContextLength = contextLength(sr.ModelInfo)
			mm.KVBytesPerToken = kvBytesPerToken(sr.ModelInfo)
		} else if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		out = append(out, mm)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Show returns one model's details (with its digest and context length),
// or ErrModelMissing.
func (p *Provider) Show(ctx context.Context, name string) (Model, error) {
	sr, err := p.client.Show(ctx, &api.ShowRequest{Model: name})
	if err != nil {
		return Model{}, p.classify(err, name)
	}
	m := Model{Name: name, Family: sr.Details.Family, Parameters: sr.Details.ParameterSize, Quantization: sr.Details.QuantizationLevel,
		Format: sr.Details.Format, Capabilities: []string{}, Display: DisplayName(name)}
	for _, c := range sr.Capabilities {
		m.Capabilities = append(m.Capabilities, string(c))
	}
	m.ContextLength = contextLength(sr.ModelInfo)
	m.KVBytesPerToken = kvBytesPerToken(sr.ModelInfo)
	// The digest (what a run records as the exact model) is only listed.
	if lr, err := p.client.List(ctx); err == nil {
		for _, x := range lr.Models {
			if SameModel(x.Name, name) || SameModel(x.Model, name) {
				m.Digest, m.Size, m.ModifiedAt = x.Digest, x.Size, x.ModifiedAt.UnixMilli()
			}
		}
	}
	return m, nil
}

// contextLength reads the model's trained context length from Show's
// model_info ("<arch>.context_length"); 0 when it is not there.
func contextLength(info map[string]any) int64 {
	for k, v := range info {
		if strings.HasSuffix(k, ".context_length") {
			if f, ok := v.(float64); ok {
				return int64(f)
			}
		}
	}
	return 0
}

// infoInt reads "<arch>.<key>" from model_info.
func infoInt(info map[string]any, key string) int64 {
	for k, v := range info {
		if strings.HasSuffix(k, "."+key) && strings.Count(k, ".") == strings.Count(key, ".")+1 {
			if f, ok := v.(float64); ok {
				return int64(f)
			}
		}
	}
	return 0
}

// kvBytesPerToken is the f16 KV cache's size per token of context: keys
// and values, for every layer and KV head.
func kvBytesPerToken(info map[string]any) int64 {
	layers, embed := infoInt(info, "block_count"), infoInt(info, "embedding_length")
	heads, kv := infoInt(info, "attention.head_count"), infoInt(info, "attention.head_count_kv")
	if layers <= 0 || embed <= 0 || heads <= 0 {
		return 0
	}
	if kv <= 0 {
		kv = heads
	}
	return 2 * layers * kv * (embed / heads) * 2
}

// DefaultWindow is the context window a run asks for when the user does
// not choose one: room for the tools, files and a conversation (Ollama's
// own default, 2048, cuts them).
const DefaultWindow = 8192

// MinWindow is the smallest window the Studio chooses by itself.
const MinWindow = 512

// WindowFor chooses a run's context window: the user's setting (want; 0
// for DefaultWindow), within the model's trained length and within what
// the machine's free memory can hold for the KV cache besides the model
// (memAvailable bytes; 0 unknown). It says why when it chose less.
func WindowFor(m Model, want int, memAvailable int64) (int, string) {
	n, why := want, ""
	if n <= 0 {
		n = DefaultWindow
	}
	if m.ContextLength > 0 && int64(n) > m.ContextLength {
		n, why = int(m.ContextLength), fmt.Sprintf("%s was trained for %d tokens", m.Name, m.ContextLength)
	}
	if memAvailable > 0 && m.KVBytesPerToken > 0 {
		// Half of what is free, after the model's weights, for the cache.
		room := memAvailable/2 - m.Size
		if byMem := room / m.KVBytesPerToken; byMem < int64(n) {
			fit := int(byMem) / 256 * 256
			if fit < MinWindow {
				fit = min(n, MinWindow)
			}
			if fit < n {
				n, why = fit, fmt.Sprintf("free memory holds about %d tokens of %s's context", byMem, m.Name)
			}
		}
	}
	return n, why
}

// PullProgress is one step of a pull.
type PullProgress struct {
	Status    string `json:"status"`
	Digest    string `json:"digest,omitempty"`
	Total     int64  `json:"total"`
	Completed int64  `json:"completed"`
}

// Pull downloads a model, reporting progress; cancelling ctx stops it.
func (p *Provider) Pull(ctx context.Context, name string, progress func(PullProgress)) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("say which model to pull")
	}
	done := false
	err := p.client.Pull(ctx, &api.PullRequest{Model: name}, func(r api.ProgressResponse) error {
		if r.Status == "success" {
			done = true
		}
		if progress != nil {
			progress(PullProgress{Status: r.Status, Digest: r.Digest, Total: r.Total, Completed: r.Completed})
		}
		return nil
	})
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if err != nil {
		return p.classify(err, name)
	}
	if !done {
		return fmt.Errorf("%w: the pull of %s ended without success", ErrDropped, name)
	}
	return nil
}

// Delete removes an installed model.
func (p *Provider) Delete(ctx context.Context, name string) error {
	return p.classify(p.client.Delete(ctx, &api.DeleteRequest{Model: name}), name)
}
