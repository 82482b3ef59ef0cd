package studio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ice-studio/ice-studio/backend/agent"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/oaicompat"
	"github.com/ice-studio/ice-studio/backend/ollama"
)

// Model endpoints. Besides the Ollama the Studio reaches at $OLLAMA_HOST
// (the endpoint "local"), any number of servers can be configured in
// settings.json (key "endpoints"): other Ollama servers (a GPU box) through
// Ollama's own client, and OpenAI-compatible servers (vLLM, llama.cpp's
// server, LM Studio, Ollama's /v1) through openai-go. A run names its
// endpoint; every model call is a model.invoke decision on the model and
// the endpoint's URL (so a policy can allow one and ask for another), and
// every inference.request records the URL. An API key stays in
// settings.json (mode 0600): never in the log, the UI or an error.

// Endpoint kinds.
const (
	EndpointOllama = "ollama"
	EndpointOpenAI = "openai"
)

// LocalEndpoint is the id of the Ollama at $OLLAMA_HOST (or the endpoint
// in the settings).
const LocalEndpoint = "local"

// SetEndpoints is the settings.json key of the configured endpoints.
const SetEndpoints = "endpoints"

// EndpointConfig is one configured endpoint, as kept in settings.json.
type EndpointConfig struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	URL    string `json:"url"`
	APIKey string `json:"apiKey,omitempty"`
}

// EndpointModel is a model an endpoint serves.
type EndpointModel struct {
	Name          string   `json:"name"`
	Capabilities  []string `json:"capabilities,omitempty"`
	ContextLength int      `json:"contextLength,omitempty"`
}

// EndpointView is an endpoint as the UI shows it: its health, version and
// models (the key only as "set").
type EndpointView struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Kind      string          `json:"kind"`
	URL       string          `json:"url"`
	HasKey    bool            `json:"hasKey"`
	Local     bool            `json:"local"` // the Studio's own Ollama ($OLLAMA_HOST)
	Reachable bool            `json:"reachable"`
	Version   string          `json:"version,omitempty"`
	Models    []EndpointModel `json:"models"`
	Error     string          `json:"error,omitempty"`
}

// AddEndpointRequest adds (or, with the same name, replaces) an endpoint.
type AddEndpointRequest struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	URL    string `json:"url"`
	APIKey string `json:"apiKey"`
}

// EndpointRequest names an endpoint.
type EndpointRequest struct {
	ID string `json:"id"`
}

var endpointID = regexp.MustCompile(`[^a-z0-9]+`)

// endpoints reads the configured endpoints from the settings.
func (s *Studio) endpointConfigs() ([]EndpointConfig, error) {
	s.prefs.mu.Lock()
	raw := s.prefs.raw[SetEndpoints]
	s.prefs.mu.Unlock()
	var out []EndpointConfig
	if len(raw) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("the endpoints in settings.json cannot be read (fix them in the file): %w", err)
	}
	return out, nil
}

// endpoint finds an endpoint by id ("" and "local": the Studio's Ollama).
func (s *Studio) endpoint(id string) (EndpointConfig, error) {
	if id == "" || id == LocalEndpoint {
		return EndpointConfig{ID: LocalEndpoint, Name: "This machine", Kind: EndpointOllama, URL: s.cfg.Ollama.Host()}, nil
	}
	cs, err := s.endpointConfigs()
	if err != nil {
		return EndpointConfig{}, err
	}
	for _, c := range cs {
		if c.ID == id {
			return c, nil
		}
	}
	return EndpointConfig{}, fmt.Errorf("there is no model endpoint %q (add it in Settings → Model endpoints)", id)
}

// chatProviders caches one client per endpoint (by its config).
type chatProviders struct {
	mu sync.Mutex
	m  map[string]agent.Chatter
}

// chatterFor is the client of an endpoint: the Studio's Ollama, another
// Ollama, or an OpenAI-compatible server.
func (s *Studio) chatterFor(c EndpointConfig) (agent.Chatter, error) {
	if c.ID == LocalEndpoint {
		return s.cfg.Ollama, nil
	}
	key := c.Kind + "\x00" + c.URL + "\x00" + c.APIKey
	s.chats.mu.Lock()
	defer s.chats.mu.Unlock()
	if ch, ok := s.chats.m[key]; ok {
		return ch, nil
	}
	var ch agent.Chatter
	switch c.Kind {
	case EndpointOllama:
		u, err := parseEndpoint(c.URL)
		if err != nil {
			return nil, err
		}
		ch = ollama.New(u, nil)
	case EndpointOpenAI:
		p, err := oaicompat.New(oaicompat.Config{BaseURL: c.URL, APIKey: c.APIKey})
		if err != nil {
			return nil, err
		}
		ch = p
	default:
		return nil, fmt.Errorf("endpoint %s: unknown kind %q (ollama or openai)", c.Name, c.Kind)
	}
	if s.chats.m == nil {
		s.chats.m = map[string]agent.Chatter{}
	}
	s.chats.m[key] = ch
	return ch, nil
}

// Endpoints lists the model endpoints with their health, version and
// models (checked at once, each within 3 s).
func (s *Studio) Endpoints() ([]EndpointView, error) {
	cs, err := s.endpointConfigs()
	local, _ := s.endpoint(LocalEndpoint)
	all := append([]EndpointConfig{local}, cs...)
	out := make([]EndpointView, len(all))
	var wg sync.WaitGroup
	for i, c := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = s.viewEndpoint(c)
		}()
	}
	wg.Wait()
	return out, err
}

func (s *Studio) viewEndpoint(c EndpointConfig) EndpointView {
	v := EndpointView{ID: c.ID, Name: c.Name, Kind: c.Kind, URL: c.URL, HasKey: c.APIKey != "", Local: c.ID == LocalEndpoint, Models: []EndpointModel{}}
	ch, err := s.chatterFor(c)
	if err != nil {
		v.Error = err.Error()
		return v
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	switch p := ch.(type) {
	case *ollama.Provider:
		st := p.Status(ctx, 3*time.Second)
		v.Reachable, v.Version, v.Error = st.Reachable, st.Version, st.Error
		if st.Reachable {
			ms, err := p.Models(ctx)
			if err != nil {
				v.Error = err.Error()
			}
			for _, m := range ms {
				v.Models = append(v.Models, EndpointModel{Name: ollama.DisplayName(m.Name), Capabilities: m.Capabilities, ContextLength: int(m.ContextLength)})
			}
		}
	case *oaicompat.Provider:
		st := p.Status(ctx, 3*time.Second)
		v.Reachable, v.Error = st.Reachable, st.Error
		if st.Reachable {
			ms, err := p.Models(ctx)
			if err != nil {
				v.Error = err.Error()
			}
			for _, m := range ms {
				v.Models = append(v.Models, EndpointModel{Name: m.ID})
			}
		}
	}
	return v
}

// AddEndpoint adds a model endpoint (the same name replaces it), checked
// for a usable URL; the change is recorded (settings.changed: names, kinds
// and URLs, never a key).
func (s *Studio) AddEndpoint(req AddEndpointRequest) ([]EndpointView, error) {
	name := strings.TrimSpace(req.Name)
	id := strings.Trim(endpointID.ReplaceAllString(strings.ToLower(name), "-"), "-")
	switch {
	case id == "":
		return nil, errors.New("name the endpoint (such as gpu-box)")
	case id == LocalEndpoint:
		return nil, errors.New(`"local" is the Studio's own Ollama; choose another name`)
	case req.Kind != EndpointOllama && req.Kind != EndpointOpenAI:
		return nil, fmt.Errorf("kind %q: ollama (an Ollama server) or openai (an OpenAI-compatible server: vLLM, llama.cpp, LM Studio, Ollama's /v1)", req.Kind)
	}
	u, err := parseEndpoint(strings.TrimSpace(req.URL))
	if err != nil {
		return nil, err
	}
	if u.User != nil {
		return nil, errors.New("put the API key in its own field, not in the URL")
	}
	c := EndpointConfig{ID: id, Name: name, Kind: req.Kind, URL: strings.TrimSuffix(u.String(), "/"), APIKey: strings.TrimSpace(req.APIKey)}
	if _, err := s.chatterFor(c); err != nil {
		return nil, err
	}
	if err := s.changeEndpoints(func(cs []EndpointConfig) []EndpointConfig {
		out := cs[:0:0]
		for _, o := range cs {
			if o.ID != id {
				out = append(out, o)
			}
		}
		return append(out, c)
	}); err != nil {
		return nil, err
	}
	return s.Endpoints()
}

// RemoveEndpoint removes a configured endpoint.
func (s *Studio) RemoveEndpoint(req EndpointRequest) ([]EndpointView, error) {
	if req.ID == LocalEndpoint {
		return nil, errors.New("the Studio's own Ollama cannot be removed (set its address in Settings)")
	}
	if _, err := s.endpoint(req.ID); err != nil {
		return nil, err
	}
	if err := s.changeEndpoints(func(cs []EndpointConfig) []EndpointConfig {
		out := cs[:0:0]
		for _, o := range cs {
			if o.ID != req.ID {
				out = append(out, o)
			}
		}
		return out
	}); err != nil {
		return nil, err
	}
	return s.Endpoints()
}

// publicEndpoints is what settings.changed records of endpoints.
func publicEndpoints(cs []EndpointConfig) []map[string]string {
	out := []map[string]string{}
	for _, c := range cs {
		out = append(out, map[string]string{"id": c.ID, "kind": c.Kind, "url": c.URL})
	}
	return out
}

func (s *Studio) changeEndpoints(change func([]EndpointConfig) []EndpointConfig) error {
	s.prefs.mu.Lock()
	var have []EndpointConfig
	if raw := s.prefs.raw[SetEndpoints]; len(raw) > 0 {
		if err := json.Unmarshal(raw, &have); err != nil {
			s.prefs.mu.Unlock()
			return fmt.Errorf("the endpoints in settings.json cannot be read (fix them in the file): %w", err)
		}
	}
	next := change(have)
	sort.Slice(next, func(i, j int) bool { return next[i].ID < next[j].ID })
	b, err := json.Marshal(next)
	if err != nil {
		s.prefs.mu.Unlock()
		return err
	}
	raw := make(map[string]json.RawMessage, len(s.prefs.raw)+1)
	for k, v := range s.prefs.raw {
		raw[k] = v
	}
	raw[SetEndpoints] = b
	if err := s.writeSettings(raw); err != nil {
		s.prefs.mu.Unlock()
		return err
	}
	s.prefs.raw = raw
	s.prefs.mu.Unlock()
	s.emit(context.Background(), eventlog.Draft{Stream: settingsStream, Type: eventlog.SettingsChanged, Origin: eventlog.OriginUser,
		Payload: SettingsChangedPayload{Changes: []SettingChange{{Key: SetEndpoints, Old: publicEndpoints(have), New: publicEndpoints(next)}}}})
	return nil
}

// endpointURL is an endpoint's URL as recorded and decided (no key).
func endpointURL(c EndpointConfig) string {
	u, err := url.Parse(c.URL)
	if err != nil {
		return c.URL
	}
	u.User = nil
	return u.String()
}
