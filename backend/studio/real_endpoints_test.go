package studio

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/agent"
	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/internal/realollama"
	"github.com/ice-studio/ice-studio/backend/kernel"
)

// TestRealTwoEndpoints: two real Ollama servers on two loopback ports and
// the second one's /v1 as an OpenAI-compatible endpoint. The policy
// allows models on the first and asks for any other; a run on each
// records its endpoint in every inference.request, the remote ones wait
// for the approval; a server stopped mid-stream aborts its run with the
// reason.
func TestRealTwoEndpoints(t *testing.T) {
	s, ws, local, _ := realStudio(t)
	remote := realollama.Start(t)
	_, err := s.AddEndpoint(AddEndpointRequest{Name: "GPU box", Kind: EndpointOllama, URL: remote.Host})
	must(t, err)
	views, err := s.AddEndpoint(AddEndpointRequest{Name: "gpu-v1", Kind: EndpointOpenAI, URL: remote.Host + "/v1", APIKey: "sk-test-not-a-secret-0000"})
	must(t, err)
	if len(views) != 3 || views[0].ID != LocalEndpoint || !views[1].Reachable || !views[2].Reachable || !views[2].HasKey {
		t.Fatalf("endpoints: %+v", views)
	}
	for _, v := range views {
		if len(v.Models) == 0 {
			t.Errorf("endpoint %s lists no models: %+v", v.ID, v)
		}
	}
	p := capability.DefaultPolicy()
	rules := []capability.Rule{
		{Kind: capability.ModelInvoke, Scope: capability.Scope{Model: "*", Endpoint: local.Host}, Effect: capability.Allow},
		{Kind: capability.ModelInvoke, Scope: capability.Scope{Model: "*"}, Effect: capability.Ask},
	}
	for _, r := range p.Rules {
		if r.Kind != capability.ModelInvoke {
			rules = append(rules, r)
		}
	}
	p.Rules = rules
	_, err = s.SetPolicy(SetPolicyRequest{WorkspaceID: ws.ID, Policy: p})
	must(t, err)

	run := func(endpoint string, wantAsk bool) kernel.RunInfo {
		r, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "Say hello.", Model: local.Model, Endpoint: endpoint,
			Options: RunOptions{Profile: capability.ProfileAsk}, Seed: ptr(42), Temperature: ptr(0.0), NumCtx: 2048})
		must(t, err)
		asked := false
		deadline := time.Now().Add(60 * time.Second)
		for {
			info, err := s.GetRun(RunRequest{ID: r.ID})
			must(t, err)
			if len(info.Asks) > 0 {
				if info.Asks[0].Kind != capability.ModelInvoke {
					t.Fatalf("asked for %+v", info.Asks[0])
				}
				asked = true
				must(t, s.AnswerCapability(AnswerRequest{RequestID: info.Asks[0].ID, Choice: kernel.ChoiceRun}))
			}
			if info.Run.Outcome != "" || info.Run.State == kernel.StateValidated {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("run on %s did not end: %+v", endpoint, info.Run)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if asked != wantAsk {
			t.Errorf("run on %q: asked %v, want %v", endpoint, asked, wantAsk)
		}
		info := waitRun(t, s, r.ID)
		reqs := runEvents(t, s, r.ID, eventlog.InferenceRequest)
		if len(reqs) == 0 {
			t.Fatalf("run on %q: no inference.request (%s: %s)", endpoint, info.State, info.Reason)
		}
		for _, e := range reqs {
			var rp agent.RequestPayload
			must(t, json.Unmarshal(e.Payload, &rp))
			want := local.Host
			if endpoint == "gpu-box" {
				want = remote.Host
			} else if endpoint == "gpu-v1" {
				want = remote.Host + "/v1"
			}
			if rp.Endpoint != want {
				t.Errorf("run on %q: inference.request names endpoint %q, want %q", endpoint, rp.Endpoint, want)
			}
		}
		return info
	}
	for _, c := range []struct {
		endpoint string
		ask      bool
	}{{"", false}, {"gpu-box", true}, {"gpu-v1", true}} {
		if info := run(c.endpoint, c.ask); info.State != kernel.StateValidated {
			t.Fatalf("run on %q: %s (%s)", c.endpoint, info.State, info.Reason)
		}
	}
	// No key in the log.
	var leaked []int64
	must(t, s.events.Read(context.Background(), eventlog.Query{}, func(e eventlog.Event) error {
		if strings.Contains(string(e.Payload), "sk-test-not-a-secret") {
			leaked = append(leaked, e.Seq)
		}
		return nil
	}))
	if len(leaked) > 0 {
		t.Fatalf("the API key is in events %v", leaked)
	}

	// The remote server stopped mid-answer. With tools, Ollama v0.6.5
	// sends the answer in one chunk at its end (it looks for tool calls in
	// the whole text), so the stream is open, and the model writing, once
	// the request is recorded and the model loaded.
	r, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "Write a long story.", Model: local.Model, Endpoint: "gpu-box",
		Options: RunOptions{Profile: capability.ProfileAsk}, NumCtx: 2048, NumPredict: 100000})
	must(t, err)
	deadline := time.Now().Add(60 * time.Second)
	for len(runEvents(t, s, r.ID, eventlog.InferenceRequest)) < 1 {
		if d, err := s.GetRun(RunRequest{ID: r.ID}); err == nil && len(d.Asks) > 0 {
			must(t, s.AnswerCapability(AnswerRequest{RequestID: d.Asks[0].ID, Choice: kernel.ChoiceRun}))
		}
		if time.Now().After(deadline) {
			t.Fatal("no model step started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(time.Second) // loaded (0.25 s) and writing (40 s at 2,500 tokens/s)
	remote.Stop()
	info := waitRun(t, s, r.ID)
	if info.Outcome != kernel.OutcomeAborted || !strings.Contains(info.Reason, remote.Host) {
		t.Fatalf("remote stopped mid-stream: %s/%s %q", info.State, info.Outcome, info.Reason)
	}
}
