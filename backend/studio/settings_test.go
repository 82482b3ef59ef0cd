package studio

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/agent"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/internal/fakeollama"
	"github.com/ice-studio/ice-studio/backend/ollama"
)

// settingsStudio opens a Studio on data (whose settings.json the test may
// have written) with a fake Ollama.
func settingsStudio(t *testing.T, data string) (*Studio, *fakeollama.Server) {
	t.Helper()
	fake := fakeollama.Start(
		fakeollama.Model{Name: "tiny:latest", Digest: "sha256:tinydigest", Capabilities: []string{"completion", "tools"}},
		fakeollama.Model{Name: "other:latest", Digest: "sha256:otherdigest", Capabilities: []string{"completion", "tools"}, ContextLength: 32768},
		fakeollama.Model{Name: "embed:latest", Digest: "sha256:embeddigest", Capabilities: []string{"embedding"}})
	t.Cleanup(fake.Close)
	u, _ := url.Parse(fake.URL)
	s := New(Config{DataDir: data, Ollama: ollama.New(u, nil), PollInterval: time.Hour})
	must(t, s.Open(context.Background()))
	t.Cleanup(func() { closeStudio(t, s) })
	return s, fake
}

func readSettingsFile(t *testing.T, data string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(data, "settings.json"))
	must(t, err)
	var m map[string]any
	must(t, json.Unmarshal(b, &m))
	return m
}

func settingsEvents(t *testing.T, s *Studio) []SettingsChangedPayload {
	t.Helper()
	var out []SettingsChangedPayload
	must(t, s.events.Read(context.Background(), eventlog.Query{Types: []string{eventlog.SettingsChanged}}, func(e eventlog.Event) error {
		var p SettingsChangedPayload
		if e.Origin != eventlog.OriginUser {
			t.Errorf("settings.changed origin %q", e.Origin)
		}
		out = append(out, p)
		return json.Unmarshal(e.Payload, &out[len(out)-1])
	}))
	return out
}

// TestSettingsKeepUnknownFieldsAndSources: a change is written at once
// (mode 0600), keys the Studio does not know are kept, and each value says
// where it comes from; a reset takes a key out of the file.
func TestSettingsKeepUnknownFieldsAndSources(t *testing.T) {
	data := t.TempDir()
	must(t, os.WriteFile(filepath.Join(data, "settings.json"), []byte(`{"defaultChat":"tiny:latest","future":{"x":[1,2]}}`), 0o644))
	s, _ := settingsStudio(t, data)
	st := s.GetSettings()
	if st.DefaultChat.Value != "tiny:latest" || st.DefaultChat.Source != SourceFile {
		t.Errorf("default chat %+v", st.DefaultChat)
	}
	if st.Theme.Value != "system" || st.Theme.Source != SourceDefault || st.NumCtx.Source != SourceDefault {
		t.Errorf("defaults: theme %+v numCtx %+v", st.Theme, st.NumCtx)
	}
	st, err := s.SetSettings(SettingsPatch{Set: map[string]any{SetNumCtx: float64(4096), SetTheme: "light",
		SetKeys: map[string]any{"workbench.palette": "ctrl+alt+p", "run.commit": ""}}})
	must(t, err)
	if st.NumCtx.Value != 4096 || st.NumCtx.Source != SourceFile || st.Theme.Value != "light" || st.Keys["run.commit"] != "" || st.KeysSource != SourceFile {
		t.Errorf("after the change: %+v", st)
	}
	m := readSettingsFile(t, data)
	if m["numCtx"] != float64(4096) || m["theme"] != "light" || m["defaultChat"] != "tiny:latest" {
		t.Errorf("file %v", m)
	}
	if f, ok := m["future"].(map[string]any); !ok || len(f["x"].([]any)) != 2 {
		t.Errorf("the unknown field was lost: %v", m)
	}
	if fi, err := os.Stat(filepath.Join(data, "settings.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("settings.json mode %v (%v)", fi.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(data, "*.tmp")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	st, err = s.SetSettings(SettingsPatch{Reset: []string{SetNumCtx}})
	must(t, err)
	if st.NumCtx.Value != 0 || st.NumCtx.Source != SourceDefault {
		t.Errorf("after reset: %+v", st.NumCtx)
	}
	if _, ok := readSettingsFile(t, data)["numCtx"]; ok {
		t.Error("a reset key is still in the file")
	}
	if _, err := s.SetSettings(SettingsPatch{Reset: []string{"nope"}}); err == nil {
		t.Error("reset of an unknown key accepted")
	}
}

// TestSettingsCorruptFileIsSetAside: a settings.json that is not JSON is
// kept beside (renamed), a notice says where, and the defaults are used;
// the next change writes a fresh file.
func TestSettingsCorruptFileIsSetAside(t *testing.T) {
	data := t.TempDir()
	bad := []byte(`{"defaultChat": "tiny:latest",`)
	must(t, os.WriteFile(filepath.Join(data, "settings.json"), bad, 0o600))
	s, _ := settingsStudio(t, data)
	notices := strings.Join(s.Notices(), "\n")
	if !strings.Contains(notices, "settings file could not be read") || !strings.Contains(notices, "settings.json.corrupt-") {
		t.Errorf("notices: %q", notices)
	}
	aside, _ := filepath.Glob(filepath.Join(data, "settings.json.corrupt-*"))
	if len(aside) != 1 {
		t.Fatalf("set aside: %v", aside)
	}
	if b, _ := os.ReadFile(aside[0]); string(b) != string(bad) {
		t.Errorf("the set-aside file holds %q", b)
	}
	if st := s.GetSettings(); st.DefaultChat.Value != "" || st.DefaultChat.Source != SourceDefault {
		t.Errorf("default chat from a corrupt file: %+v", st.DefaultChat)
	}
	_, err := s.SetSettings(SettingsPatch{Set: map[string]any{SetMaxTurns: float64(5)}})
	must(t, err)
	if m := readSettingsFile(t, data); m["maxTurns"] != float64(5) {
		t.Errorf("file after the change: %v", m)
	}
}

// TestSettingsRefuseBadValues: each bad value is refused with the setting
// named and why, and nothing is saved.
func TestSettingsRefuseBadValues(t *testing.T) {
	data := t.TempDir()
	s, _ := settingsStudio(t, data)
	bad := []struct {
		key  string
		val  any
		want string
	}{
		{SetNumCtx, float64(100), "Context window: 100 tokens is out of range"},
		{SetNumCtx, "big", "is not a number"},
		{SetMaxTokens, float64(-1), "Max tokens"},
		{SetMaxTurns, float64(2.5), "not a whole number"},
		{SetTheme, "blue", "choose dark, light or system"},
		{SetOllamaHost, "ftp://x:1", "must start with http"},
		{SetOllamaHost, "", "give an address"},
		{SetValidationCommand, `go test "./...`, "cannot be read as a command"},
		{SetDefaultChat, "nope", "nope"},
		{SetDefaultChat, "embed:latest", "is an embedding model"},
		{SetDefaultEmbed, "tiny:latest", "Embedding model: tiny:latest cannot make embeddings"},
		{SetKeys, map[string]any{"a": "Ctrl+K Ctrl+S Ctrl+X"}, "one chord or two"},
		{SetKeys, map[string]any{"a": "Ctrl+"}, "not a key chord"},
		{"colour", "x", "no such setting"},
	}
	for _, b := range bad {
		_, err := s.SetSettings(SettingsPatch{Set: map[string]any{SetMaxTurns: float64(3), b.key: b.val}})
		var se *SettingError
		if err == nil || !strings.Contains(err.Error(), b.want) || !errors.As(err, &se) || se.Key != b.key {
			t.Errorf("%s = %v: error %v, want %q", b.key, b.val, err, b.want)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "settings.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused change wrote the file (%v)", err)
	}
	if len(settingsEvents(t, s)) != 0 {
		t.Error("a refused change was recorded")
	}
	st, err := s.SetSettings(SettingsPatch{Set: map[string]any{SetOllamaHost: "localhost:11500/", SetValidationCommand: " go vet ./... "}})
	must(t, err)
	if st.OllamaHost.Saved != "http://localhost:11500" || st.ValidationCommand.Value != "go vet ./..." {
		t.Errorf("normalised: %+v %+v", st.OllamaHost, st.ValidationCommand)
	}
}

// TestSettingsChangesThatAffectRunsAreRecorded: a change of the default
// model and the context window is one settings.changed event naming both
// with their old and new values; the theme and keys are not recorded.
func TestSettingsChangesThatAffectRunsAreRecorded(t *testing.T) {
	s, _ := settingsStudio(t, t.TempDir())
	_, err := s.SetSettings(SettingsPatch{Set: map[string]any{SetDefaultChat: "tiny:latest", SetNumCtx: float64(2048), SetTheme: "dark"}})
	must(t, err)
	_, err = s.SetSettings(SettingsPatch{Set: map[string]any{SetTheme: "light", SetKeys: map[string]any{"x.y": "F2"}}})
	must(t, err)
	_, err = s.SetSettings(SettingsPatch{Set: map[string]any{SetDefaultChat: "other:latest", SetNumCtx: float64(2048)}})
	must(t, err)
	evs := settingsEvents(t, s)
	if len(evs) != 2 {
		t.Fatalf("settings.changed events: %+v", evs)
	}
	got, _ := json.Marshal(evs)
	want := `[{"changes":[{"key":"defaultChat","old":"","new":"tiny:latest"},{"key":"numCtx","old":0,"new":2048}]},` +
		`{"changes":[{"key":"defaultChat","old":"tiny:latest","new":"other:latest"}]}]`
	if string(got) != want {
		t.Errorf("events\n got %s\nwant %s", got, want)
	}
	// The Models screen's defaults go the same way.
	_, err = s.SetDefaultModels(DefaultModelsRequest{Chat: "tiny:latest", Embed: "embed:latest"})
	must(t, err)
	if evs := settingsEvents(t, s); len(evs) != 3 || len(evs[2].Changes) != 2 {
		t.Errorf("SetDefaultModels recorded %+v", evs)
	}
}

// TestSettingsDefaultsAreUsedByTheNextRun: after the default model, the
// context window and the step budget are changed, a run started without
// them uses the new ones; one that names its own keeps them.
func TestSettingsDefaultsAreUsedByTheNextRun(t *testing.T) {
	s, fake := settingsStudio(t, t.TempDir())
	root, _ := filepath.EvalSymlinks(t.TempDir())
	writeFiles(t, root, map[string]string{"a.txt": "a\n"})
	ws, err := s.OpenFolder(OpenFolderRequest{Path: root})
	must(t, err)
	_, err = s.SetSettings(SettingsPatch{Set: map[string]any{SetDefaultChat: "tiny:latest"}})
	must(t, err)
	_, err = s.SetSettings(SettingsPatch{Set: map[string]any{SetDefaultChat: "other:latest", SetNumCtx: float64(2048), SetMaxTurns: float64(1)}})
	must(t, err)
	for range 3 {
		fake.Push(fakeollama.Reply{Calls: []fakeollama.Call{{Name: "read_file", Args: `{"path":"a.txt"}`}}})
	}
	run, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "look"})
	must(t, err)
	info := waitRun(t, s, run.ID)
	if info.Model != "other:latest" {
		t.Errorf("run model %q", info.Model)
	}
	if !strings.Contains(info.Reason, "more than 1 model steps") && !strings.Contains(info.Reason, "more than 1 model step") {
		t.Errorf("the step budget of the settings was not used: %s %q", info.State, info.Reason)
	}
	reqs, _ := fake.Requests()
	if len(reqs) == 0 || reqs[0].Model != "other:latest" {
		t.Fatalf("requests %+v", reqs)
	}
	var p agent.RequestPayload
	must(t, json.Unmarshal(runEvents(t, s, run.ID, eventlog.InferenceRequest)[0].Payload, &p))
	if p.Window != 2048 {
		t.Errorf("window %d, want the settings' 2048", p.Window)
	}
	// A run naming its own model and window keeps them.
	run, err = s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "look", Model: "tiny", NumCtx: 1024, MaxTurns: 5})
	must(t, err)
	waitRun(t, s, run.ID)
	must(t, json.Unmarshal(runEvents(t, s, run.ID, eventlog.InferenceRequest)[0].Payload, &p))
	if p.Model != "tiny:latest" && p.Model != "tiny" || p.Window != 1024 {
		t.Errorf("explicit request: model %q window %d", p.Model, p.Window)
	}
}

// TestSettingsEndpoint: the file's endpoint is used at start unless
// OLLAMA_HOST is set, which wins and is named as the source.
func TestSettingsEndpoint(t *testing.T) {
	data := t.TempDir()
	must(t, os.WriteFile(filepath.Join(data, "settings.json"), []byte(`{"ollamaHost":"http://127.0.0.1:1","ollamaAutostart":false}`), 0o600))
	t.Setenv("OLLAMA_HOST", "")
	os.Unsetenv("OLLAMA_HOST")
	t.Setenv("ICE_OLLAMA_AUTOSTART", "")
	os.Unsetenv("ICE_OLLAMA_AUTOSTART")
	s := New(Config{DataDir: data, PollInterval: time.Hour})
	must(t, s.Open(context.Background()))
	st := s.GetSettings()
	closeStudio(t, s)
	if st.OllamaHost.Value != "http://127.0.0.1:1" || st.OllamaHost.Source != SourceFile || st.OllamaHost.Saved != "" {
		t.Errorf("endpoint from the file: %+v", st.OllamaHost)
	}
	if st.OllamaAutostart.Source != SourceFile || st.OllamaAutostart.Value {
		t.Errorf("autostart %+v", st.OllamaAutostart)
	}

	t.Setenv("OLLAMA_HOST", "http://127.0.0.1:2")
	s = New(Config{DataDir: data, PollInterval: time.Hour})
	must(t, s.Open(context.Background()))
	st = s.GetSettings()
	closeStudio(t, s)
	if st.OllamaHost.Value != "http://127.0.0.1:2" || st.OllamaHost.Source != SourceEnv || st.OllamaHost.Saved != "http://127.0.0.1:1" || st.OllamaHost.Env != "OLLAMA_HOST" {
		t.Errorf("endpoint with OLLAMA_HOST set: %+v", st.OllamaHost)
	}
}
