package studio

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// TestEndpointsConfig: endpoints are added, replaced by name and removed;
// bad input is refused with the reason; the key stays in settings.json
// (0600) and never reaches the log or the view.
func TestEndpointsConfig(t *testing.T) {
	s, _, _, fake, _ := agentStudio(t, nil, false)
	_ = fake
	for _, bad := range []AddEndpointRequest{
		{Name: "", Kind: EndpointOllama, URL: "http://gpu:11434"},
		{Name: "local", Kind: EndpointOllama, URL: "http://gpu:11434"},
		{Name: "gpu", Kind: "llamafile", URL: "http://gpu:11434"},
		{Name: "gpu", Kind: EndpointOllama, URL: "ftp://gpu"},
		{Name: "gpu", Kind: EndpointOpenAI, URL: "http://user:sk-x@gpu/v1"},
	} {
		if _, err := s.AddEndpoint(bad); err == nil {
			t.Errorf("AddEndpoint(%+v) accepted", bad)
		}
	}
	views, err := s.AddEndpoint(AddEndpointRequest{Name: "GPU box", Kind: EndpointOpenAI, URL: "http://127.0.0.1:1/v1", APIKey: "sk-secret-value"})
	must(t, err)
	if len(views) != 2 || views[1].ID != "gpu-box" || !views[1].HasKey || views[1].Reachable || views[1].Error == "" {
		t.Fatalf("views: %+v", views)
	}
	b, _ := json.Marshal(views)
	if strings.Contains(string(b), "sk-secret-value") {
		t.Fatal("the key reached the view")
	}
	views, err = s.AddEndpoint(AddEndpointRequest{Name: "gpu box", Kind: EndpointOllama, URL: "http://127.0.0.1:2"})
	must(t, err)
	if len(views) != 2 || views[1].Kind != EndpointOllama {
		t.Fatalf("replaced by name: %+v", views)
	}
	fi, err := os.Stat(s.settingsPath())
	must(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("settings.json mode %v", fi.Mode().Perm())
	}
	if _, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: "x", Task: "t", Model: "tiny", Endpoint: "nope"}); err == nil {
		t.Error("a run on an unknown endpoint started")
	}
	views, err = s.RemoveEndpoint(EndpointRequest{ID: "gpu-box"})
	must(t, err)
	if len(views) != 1 {
		t.Fatalf("after remove: %+v", views)
	}
	if _, err := s.RemoveEndpoint(EndpointRequest{ID: LocalEndpoint}); err == nil {
		t.Error("the local endpoint was removed")
	}
	n := 0
	must(t, s.events.Read(context.Background(), eventlog.Query{Types: []string{eventlog.SettingsChanged}}, func(e eventlog.Event) error {
		n++
		if strings.Contains(string(e.Payload), "sk-secret") {
			t.Errorf("the key is in event %d", e.Seq)
		}
		return nil
	}))
	if n != 3 {
		t.Errorf("%d settings.changed events, want 3 (add, replace, remove)", n)
	}
}
