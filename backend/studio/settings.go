package studio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/ollama"
)

// The keys of settings.json the Studio knows. Other keys in the file are
// kept as they are.
const (
	SetOllamaHost        = "ollamaHost"
	SetOllamaAutostart   = "ollamaAutostart"
	SetDefaultChat       = "defaultChat"
	SetDefaultEmbed      = "defaultEmbed"
	SetNumCtx            = "numCtx"
	SetValidationCommand = "validationCommand"
	SetMaxTokens         = "maxTokens"
	SetMaxTurns          = "maxTurns"
	SetTheme             = "theme"
	SetKeys              = "keys"
	// SetMCPServers holds the MCP servers of every workspace, in the
	// mcpServers shape (headers included: the file is the user's only).
	// It is changed through the MCP API (mcp.go), not SetSettings.
	SetMCPServers = "mcpServers"
)

// Where a setting's value comes from.
const (
	SourceDefault  = "default"
	SourceFile     = "settings.json"
	SourceEnv      = "env"
	settingsStream = "settings"
	maxNumCtx      = 1 << 20
	maxTurnsLimit  = 1000
)

// recordedSettings are the settings that change how runs work: their changes are
// settings.changed events.
var recordedSettings = map[string]bool{SetOllamaHost: true, SetDefaultChat: true, SetDefaultEmbed: true, SetNumCtx: true,
	SetValidationCommand: true, SetMaxTokens: true, SetMaxTurns: true}

// prefs is settings.json as read: every key, known or not.
type prefs struct {
	mu  sync.Mutex // one change at a time; guards raw
	raw map[string]json.RawMessage
}

// StringSetting is a text setting, where it comes from and what it is by default.
type StringSetting struct {
	Value   string `json:"value"`
	Default string `json:"default"`
	Source  string `json:"source"` // default, settings.json or env
	// Env names the environment variable that sets it, when one does (it wins over the file).
	Env string `json:"env,omitempty"`
	// Saved is the value in settings.json when something else is in force
	// (an environment variable, or a change used from the next start).
	Saved string `json:"saved,omitempty"`
}

// IntSetting is a number setting; 0 means "no limit" or "the model's" (see each).
type IntSetting struct {
	Value   int    `json:"value"`
	Default int    `json:"default"`
	Source  string `json:"source"`
}

// BoolSetting is an on/off setting.
type BoolSetting struct {
	Value   bool   `json:"value"`
	Default bool   `json:"default"`
	Source  string `json:"source"`
	Env     string `json:"env,omitempty"`
}

// Settings are the Studio's settings, each with its source.
type Settings struct {
	// Path is settings.json ("" when the data folder cannot be used: nothing is kept).
	Path string `json:"path"`
	// Notice says what went wrong reading the file (it was set aside and the defaults are used).
	Notice string `json:"notice,omitempty"`
	// OllamaHost is the endpoint in force; a saved change is used from the next start.
	OllamaHost StringSetting `json:"ollamaHost"`
	// OllamaAutostart starts `ollama serve` at start when Ollama is installed but not running.
	OllamaAutostart BoolSetting   `json:"ollamaAutostart"`
	DefaultChat     StringSetting `json:"defaultChat"`
	DefaultEmbed    StringSetting `json:"defaultEmbed"`
	// NumCtx is the context window of agent runs (0: the Studio chooses within what the model was trained for).
	NumCtx IntSetting `json:"numCtx"`
	// ValidationCommand is the command new runs are validated with, unless a workspace has its own.
	ValidationCommand StringSetting `json:"validationCommand"`
	// MaxTokens is an agent run's token budget (0: no limit).
	MaxTokens IntSetting `json:"maxTokens"`
	// MaxTurns is an agent run's model steps (0: 30).
	MaxTurns IntSetting `json:"maxTurns"`
	// Theme is dark, light or system.
	Theme StringSetting `json:"theme"`
	// Keys are the user's key bindings: command id → keys ("" unbinds).
	Keys       map[string]string `json:"keys"`
	KeysSource string            `json:"keysSource"`
}

// SettingsPatch changes settings: Set gives keys new values, Reset takes
// keys back to their defaults (out of settings.json).
type SettingsPatch struct {
	Set   map[string]any `json:"set"`
	Reset []string       `json:"reset"`
}

// SettingChange is one changed setting of a settings.changed event.
type SettingChange struct {
	Key string `json:"key"`
	Old any    `json:"old"`
	New any    `json:"new"`
}

// SettingsChangedPayload is the payload of settings.changed.
type SettingsChangedPayload struct {
	Changes []SettingChange `json:"changes"`
}

// SettingError is a refused value of one setting.
type SettingError struct {
	Key string
	Err error
}

func (e *SettingError) Error() string { return settingLabels[e.Key] + ": " + e.Err.Error() }
func (e *SettingError) Unwrap() error { return e.Err }

var settingLabels = map[string]string{SetOllamaHost: "Ollama endpoint", SetOllamaAutostart: "Start Ollama automatically",
	SetDefaultChat: "Default chat model", SetDefaultEmbed: "Embedding model", SetNumCtx: "Context window",
	SetValidationCommand: "Validation command", SetMaxTokens: "Max tokens", SetMaxTurns: "Max model steps",
	SetTheme: "Theme", SetKeys: "Key bindings"}

const (
	envHost      = "OLLAMA_HOST"
	envAutostart = "ICE_OLLAMA_AUTOSTART"
	envEmbed     = "ICE_EMBED_MODEL"

	defaultOllamaHost = "http://127.0.0.1:11434"
)

func (s *Studio) settingsPath() string {
	if s.cfg.DataDir == "" || s.cfg.DataDirErr != nil {
		return ""
	}
	return filepath.Join(s.cfg.DataDir, "settings.json")
}

// loadSettings reads settings.json at start and puts its values in
// force. A file that cannot be read as settings is renamed aside (never
// lost) and the defaults are used; a notice says so.
func (s *Studio) loadSettings() {
	raw := map[string]json.RawMessage{}
	if p := s.settingsPath(); p != "" {
		if b, err := os.ReadFile(p); err == nil {
			if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
				raw = map[string]json.RawMessage{}
				aside := fmt.Sprintf("%s.corrupt-%s", p, time.Now().Format("20060102-150405"))
				why := "it is not a JSON object"
				if err != nil {
					why = err.Error()
				}
				if rerr := os.Rename(p, aside); rerr != nil {
					s.addNotice(fmt.Sprintf("Your settings file %s cannot be read (%s) and could not be set aside (%v): the defaults are used until it is fixed.", p, why, rerr))
				} else {
					s.addNotice(fmt.Sprintf("Your settings file could not be read (%s): it was kept as %s, and the defaults are used.", why, aside))
				}
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			s.addNotice(fmt.Sprintf("Your settings file %s cannot be read (%v): the defaults are used.", p, err))
		}
	}
	s.prefs.mu.Lock()
	s.prefs.raw = raw
	s.prefs.mu.Unlock()
	var chat, embed string
	_ = fileValue(raw, SetDefaultChat, &chat)
	_ = fileValue(raw, SetDefaultEmbed, &embed)
	if env := embedFromEnv(); env != "" {
		embed = env
	}
	s.mu.Lock()
	s.chatModel, s.embed = chat, embed
	s.mu.Unlock()
	// The endpoint and autostart are used at start: the file's, unless the
	// environment sets them or the Studio was given its own provider.
	var host string
	if s.defaultProvider && os.Getenv(envHost) == "" && fileValue(raw, SetOllamaHost, &host) == nil && host != "" {
		if u, err := parseEndpoint(host); err == nil {
			s.cfg.Ollama = ollama.New(u, nil)
			s.launcher.Host = s.cfg.Ollama.Base()
		}
	}
	if _, set := os.LookupEnv(envAutostart); !set {
		var on bool
		if fileValue(raw, SetOllamaAutostart, &on) == nil {
			s.cfg.AutoStartOllama = on
		}
	}
}

// fileValue decodes key of the file into v; ErrNotExist when absent.
func fileValue(raw map[string]json.RawMessage, key string, v any) error {
	b, ok := raw[key]
	if !ok {
		return os.ErrNotExist
	}
	return json.Unmarshal(b, v)
}

func (s *Studio) defaults() (chat, embed string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chatModel, s.embed
}

// runDefaults are the settings an agent run takes when its request leaves them 0.
func (s *Studio) runDefaults() (numCtx, maxTokens, maxTurns int) {
	s.prefs.mu.Lock()
	defer s.prefs.mu.Unlock()
	_ = fileValue(s.prefs.raw, SetNumCtx, &numCtx)
	_ = fileValue(s.prefs.raw, SetMaxTokens, &maxTokens)
	_ = fileValue(s.prefs.raw, SetMaxTurns, &maxTurns)
	return numCtx, maxTokens, maxTurns
}

// GetSettings returns every setting with where its value comes from.
func (s *Studio) GetSettings() Settings {
	s.prefs.mu.Lock()
	defer s.prefs.mu.Unlock()
	return s.settingsLocked()
}

func (s *Studio) settingsLocked() Settings {
	raw := s.prefs.raw
	src := func(key string) string {
		if _, ok := raw[key]; ok {
			return SourceFile
		}
		return SourceDefault
	}
	str := func(key, def string) StringSetting {
		v := def
		if fileValue(raw, key, &v) != nil {
			v = def
		}
		return StringSetting{Value: v, Default: def, Source: src(key)}
	}
	num := func(key string) IntSetting {
		var v int
		_ = fileValue(raw, key, &v)
		return IntSetting{Value: v, Source: src(key)}
	}
	st := Settings{Path: s.settingsPath(), NumCtx: num(SetNumCtx), MaxTokens: num(SetMaxTokens), MaxTurns: num(SetMaxTurns),
		ValidationCommand: str(SetValidationCommand, ""), Theme: str(SetTheme, "system"), Keys: map[string]string{}, KeysSource: src(SetKeys)}
	_ = fileValue(raw, SetKeys, &st.Keys)
	if st.Keys == nil {
		st.Keys = map[string]string{}
	}
	chat, embed := s.defaults()
	st.DefaultChat = StringSetting{Value: chat, Source: src(SetDefaultChat)}
	st.DefaultEmbed = StringSetting{Value: embed, Source: src(SetDefaultEmbed), Env: envEmbed}
	if env := embedFromEnv(); env != "" && env == embed {
		st.DefaultEmbed.Source = SourceEnv
		_ = fileValue(raw, SetDefaultEmbed, &st.DefaultEmbed.Saved)
	}
	st.OllamaHost = StringSetting{Value: s.cfg.Ollama.Host(), Default: defaultOllamaHost, Source: src(SetOllamaHost), Env: envHost}
	var savedHost string
	_ = fileValue(raw, SetOllamaHost, &savedHost)
	if os.Getenv(envHost) != "" {
		st.OllamaHost.Source = SourceEnv
	}
	if savedHost != "" && savedHost != st.OllamaHost.Value {
		st.OllamaHost.Saved = savedHost
	}
	st.OllamaAutostart = BoolSetting{Value: s.cfg.AutoStartOllama, Source: src(SetOllamaAutostart), Env: envAutostart}
	if _, set := os.LookupEnv(envAutostart); set {
		st.OllamaAutostart.Source = SourceEnv
	} else {
		var on bool
		if fileValue(raw, SetOllamaAutostart, &on) == nil {
			st.OllamaAutostart.Value = on
		}
	}
	return st
}

// settingValue is a setting's value in force, for a settings.changed event.
func settingValue(st Settings, key string) any {
	switch key {
	case SetOllamaHost:
		if st.OllamaHost.Saved != "" {
			return st.OllamaHost.Saved
		}
		return st.OllamaHost.Value
	case SetDefaultChat:
		return st.DefaultChat.Value
	case SetDefaultEmbed:
		return st.DefaultEmbed.Value
	case SetNumCtx:
		return st.NumCtx.Value
	case SetValidationCommand:
		return st.ValidationCommand.Value
	case SetMaxTokens:
		return st.MaxTokens.Value
	case SetMaxTurns:
		return st.MaxTurns.Value
	}
	return nil
}

var chordRE = regexp.MustCompile(`(?i)^((ctrl|alt|shift|meta|cmd|option)\+)*[^+\s]+$`)

// SetSettings checks and saves a change of settings; it returns the
// settings after it. Nothing is changed when a value is refused: the error
// names the setting and why. Changes of what runs use are recorded as a
// settings.changed event.
func (s *Studio) SetSettings(patch SettingsPatch) (Settings, error) {
	s.prefs.mu.Lock()
	defer s.prefs.mu.Unlock()
	before := s.settingsLocked()
	next := make(map[string]json.RawMessage, len(s.prefs.raw))
	for k, v := range s.prefs.raw {
		next[k] = v
	}
	for _, key := range patch.Reset {
		if _, known := settingLabels[key]; !known {
			return before, fmt.Errorf("there is no setting %q", key)
		}
		delete(next, key)
	}
	keys := make([]string, 0, len(patch.Set))
	for k := range patch.Set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	embedChanged, embedTo := false, ""
	for _, key := range keys {
		v, err := s.checkSetting(key, patch.Set[key])
		if err != nil {
			return before, &SettingError{Key: key, Err: err}
		}
		b, _ := json.Marshal(v)
		next[key] = b
	}
	// The embedding model is tried (it must make embeddings) before anything is saved.
	var newEmbed string
	_ = fileValue(next, SetDefaultEmbed, &newEmbed)
	if newEmbed != before.DefaultEmbed.Value && before.DefaultEmbed.Source != SourceEnv {
		embedChanged, embedTo = true, newEmbed
		if newEmbed != "" {
			if _, err := s.SetMemorySettings(MemorySettingsRequest{EmbeddingModel: newEmbed}); err != nil {
				return before, &SettingError{Key: SetDefaultEmbed, Err: err}
			}
		}
	}
	if err := s.writeSettings(next); err != nil {
		return before, err
	}
	s.prefs.raw = next
	var chat string
	_ = fileValue(next, SetDefaultChat, &chat)
	s.mu.Lock()
	s.chatModel = chat
	if embedChanged {
		s.embed = embedTo
	}
	s.mu.Unlock()
	after := s.settingsLocked()
	var changes []SettingChange
	for _, key := range sortedKeys(recordedSettings) {
		if o, n := settingValue(before, key), settingValue(after, key); o != n {
			changes = append(changes, SettingChange{Key: key, Old: o, New: n})
		}
	}
	if len(changes) > 0 {
		s.emit(context.Background(), eventlog.Draft{Stream: settingsStream, Type: eventlog.SettingsChanged, Origin: eventlog.OriginUser,
			Payload: SettingsChangedPayload{Changes: changes}})
	}
	return after, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkSetting validates one value and returns it as it is kept.
func (s *Studio) checkSetting(key string, v any) (any, error) {
	switch key {
	case SetOllamaHost:
		text, err := asString(v)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(text) == "" {
			return nil, errors.New("give an address such as http://127.0.0.1:11434 (or reset it to the default)")
		}
		u, err := parseEndpoint(text)
		if err != nil {
			return nil, err
		}
		return u.String(), nil
	case SetOllamaAutostart:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("%v is not on or off", v)
		}
		return b, nil
	case SetDefaultChat:
		name, err := modelName(v)
		if err != nil || name == "" {
			return name, err
		}
		return name, s.checkChatModel(name)
	case SetDefaultEmbed:
		return modelName(v)
	case SetNumCtx:
		n, err := asInt(v)
		if err != nil {
			return nil, err
		}
		if n != 0 && (n < 512 || n > maxNumCtx) {
			return nil, fmt.Errorf("%d tokens is out of range: give 0 (the model's) or 512 to %d", n, maxNumCtx)
		}
		return n, nil
	case SetMaxTokens:
		n, err := asInt(v)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, errors.New("give 0 (no limit) or a positive number of tokens")
		}
		return n, nil
	case SetMaxTurns:
		n, err := asInt(v)
		if err != nil {
			return nil, err
		}
		if n < 0 || n > maxTurnsLimit {
			return nil, fmt.Errorf("give 0 (30 steps) or 1 to %d steps", maxTurnsLimit)
		}
		return n, nil
	case SetValidationCommand:
		text, err := asString(v)
		if err != nil {
			return nil, err
		}
		text = strings.TrimSpace(text)
		if text != "" {
			if _, err := capability.SplitCommandLine(text); err != nil {
				return nil, fmt.Errorf("%q cannot be read as a command: %w", text, err)
			}
		}
		return text, nil
	case SetTheme:
		text, _ := v.(string)
		if text != "dark" && text != "light" && text != "system" {
			return nil, fmt.Errorf("%v is not a theme: choose dark, light or system", v)
		}
		return text, nil
	case SetKeys:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errors.New("give the bindings as command id → keys")
		}
		out := make(map[string]string, len(m))
		for id, k := range m {
			keys, ok := k.(string)
			if !ok || strings.TrimSpace(id) == "" {
				return nil, fmt.Errorf("the binding of %q is not keys", id)
			}
			chords := strings.Fields(keys)
			if len(chords) > 2 {
				return nil, fmt.Errorf("%q for %s has %d chords: a binding is one chord or two (Ctrl+K Ctrl+S)", keys, id, len(chords))
			}
			for _, c := range chords {
				if !chordRE.MatchString(c) {
					return nil, fmt.Errorf("%q for %s is not a key chord (such as Ctrl+Shift+P)", c, id)
				}
			}
			out[id] = strings.Join(chords, " ")
		}
		return out, nil
	}
	return nil, errors.New("there is no such setting")
}

// checkChatModel refuses a model Ollama does not have or that cannot chat;
// with Ollama not running it is taken as given.
func (s *Studio) checkChatModel(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := s.cfg.Ollama.Show(ctx, name)
	if errors.Is(err, ollama.ErrNotRunning) {
		return nil
	}
	if err != nil {
		return err
	}
	if !m.Has("completion") && m.Has("embedding") {
		return fmt.Errorf("%s is an embedding model: choose a chat model", name)
	}
	return nil
}

func asString(v any) (string, error) {
	text, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%v is not text", v)
	}
	return text, nil
}

func asInt(v any) (int, error) {
	switch n := v.(type) {
	case float64:
		if n != float64(int(n)) {
			return 0, fmt.Errorf("%v is not a whole number", n)
		}
		return int(n), nil
	case int:
		return n, nil
	case json.Number:
		i, err := n.Int64()
		return int(i), err
	}
	return 0, fmt.Errorf("%v is not a number", v)
}

func modelName(v any) (string, error) {
	text, err := asString(v)
	if err != nil {
		return "", err
	}
	name := strings.TrimSpace(text)
	if strings.ContainsAny(name, " \t\n") {
		return "", fmt.Errorf("%q is not a model name (e.g. llama3.2:1b)", text)
	}
	return name, nil
}

// parseEndpoint reads an Ollama address: http(s)://host:port, or host:port.
func parseEndpoint(text string) (*url.URL, error) {
	text = strings.TrimRight(strings.TrimSpace(text), "/")
	if !strings.Contains(text, "://") {
		text = "http://" + text
	}
	u, err := url.Parse(text)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not an address such as http://127.0.0.1:11434", text)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q: the address must start with http:// or https://", text)
	}
	return u, nil
}

// writeSettings replaces settings.json at once (a temporary file renamed
// over it), readable by the user only.
func (s *Studio) writeSettings(raw map[string]json.RawMessage) error {
	p := s.settingsPath()
	if p == "" {
		return errors.New("settings cannot be kept: the data folder cannot be used")
	}
	return writeSettingsFile(p, raw)
}

// writeSettingsFile replaces the settings file at p with raw.
func writeSettingsFile(p string, raw map[string]json.RawMessage) error {
	b, err := json.MarshalIndent(raw, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(p, append(b, '\n')); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}

// DefaultModelsRequest chooses the default chat and embedding models.
type DefaultModelsRequest struct {
	Chat  string `json:"chat"`
	Embed string `json:"embed"`
}

// SetDefaultModels records the default chat model and the embedding model
// (which memory search by meaning uses); they are kept in settings.json.
func (s *Studio) SetDefaultModels(req DefaultModelsRequest) (ModelsState, error) {
	if _, err := s.SetSettings(SettingsPatch{Set: map[string]any{SetDefaultChat: req.Chat, SetDefaultEmbed: req.Embed}}); err != nil {
		return ModelsState{}, err
	}
	return s.ListModels(context.Background()), nil
}
