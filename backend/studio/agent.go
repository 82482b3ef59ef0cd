package studio

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/agent"
	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/oaicompat"
	"github.com/ice-studio/ice-studio/backend/ollama"
)

// AgentParams choose the model and how an agent run works.
type AgentParams struct {
	Model string `json:"model"` // "" for the default chat model
	// Endpoint is the model endpoint's id ("" or "local": the Studio's Ollama).
	Endpoint  string     `json:"endpoint,omitempty"`
	Options   RunOptions `json:"options"`
	MaxTokens int        `json:"maxTokens"` // prompt + generated tokens over all steps (0: no limit)
	MaxTurns  int        `json:"maxTurns"`  // model steps (0: 30)
	// Sampling; nil leaves the model's own setting.
	Temperature *float64 `json:"temperature"`
	Seed        *int     `json:"seed"`
	// NumCtx is the context window wanted (0: 8192); the Studio chooses
	// it within what the model was trained for and what memory holds.
	NumCtx     int `json:"numCtx"`
	NumPredict int `json:"numPredict"`
	// Unmanaged sends requests as they grow, letting the server cut
	// them (its cuts are still detected and recorded). For comparisons.
	Unmanaged bool `json:"unmanaged"`
}

// StartAgentRunRequest starts a run whose worker is a local model.
type StartAgentRunRequest struct {
	WorkspaceID string     `json:"workspaceId"`
	Task        string     `json:"task"`
	Model       string     `json:"model"`              // "" for the default chat model
	Endpoint    string     `json:"endpoint,omitempty"` // the model endpoint's id ("" the Studio's Ollama)
	Options     RunOptions `json:"options"`
	MaxTokens   int        `json:"maxTokens"` // prompt + generated tokens over all steps (0: no limit)
	MaxTurns    int        `json:"maxTurns"`  // model steps (0: 30)
	// Sampling; nil leaves the model's own setting.
	Temperature *float64 `json:"temperature"`
	Seed        *int     `json:"seed"`
	NumCtx      int      `json:"numCtx"` // context window (0: up to 8192, within what the model was trained for)
	NumPredict  int      `json:"numPredict"`
}

// StartAgentRun starts an agent run: the model works on the task with the
// tools its profile admits; its changes are staged for your review.
func (s *Studio) StartAgentRun(req StartAgentRunRequest) (kernel.RunInfo, error) {
	k, err := s.kernelOrErr()
	if err != nil {
		return kernel.RunInfo{}, err
	}
	task := strings.TrimSpace(req.Task)
	if task == "" {
		return kernel.RunInfo{}, errors.New("say what the agent should do")
	}
	sr, cfg, chat, err := s.prepareAgent(req.WorkspaceID, task, AgentParams{Model: req.Model, Endpoint: req.Endpoint, Options: req.Options, MaxTokens: req.MaxTokens,
		MaxTurns: req.MaxTurns, Temperature: req.Temperature, Seed: req.Seed, NumCtx: req.NumCtx, NumPredict: req.NumPredict})
	if err != nil {
		return kernel.RunInfo{}, err
	}
	return k.Start(context.Background(), sr, agent.New(chat, cfg))
}

// prepareAgent resolves the model and its window and builds a run's
// start request and the agent's configuration.
func (s *Studio) prepareAgent(ws, task string, p AgentParams) (kernel.StartRequest, agent.Config, agent.Chatter, error) {
	sr, cfg, chat, err := s.prepareAgentOn(ws, task, p)
	return sr, cfg, chat, err
}

// modelOn is what the Studio knows of a model on an endpoint: Ollama's
// Show; for an OpenAI-compatible server only that it is listed (tools are
// offered: a server that cannot call them answers in words).
func (s *Studio) modelOn(ctx context.Context, c EndpointConfig, chat agent.Chatter, model string) (ollama.Model, error) {
	switch p := chat.(type) {
	case *ollama.Provider:
		return p.Show(ctx, model)
	case *oaicompat.Provider:
		ms, err := p.Models(ctx)
		if err != nil {
			return ollama.Model{}, err
		}
		for _, m := range ms {
			if m.ID == model {
				return ollama.Model{Name: model, Capabilities: []string{"completion", "tools"}}, nil
			}
		}
		return ollama.Model{}, fmt.Errorf("%s does not serve a model %q (it lists %d)", c.Name, model, len(ms))
	}
	return ollama.Model{}, fmt.Errorf("endpoint %s: no client", c.Name)
}

func (s *Studio) prepareAgentOn(ws, task string, p AgentParams) (kernel.StartRequest, agent.Config, agent.Chatter, error) {
	model := strings.TrimSpace(p.Model)
	if model == "" {
		model, _ = s.defaults()
	}
	// What the request leaves 0 comes from the settings.
	numCtx, maxTokens, maxTurns := s.runDefaults()
	p.NumCtx, p.MaxTokens, p.MaxTurns = cmp.Or(p.NumCtx, numCtx), cmp.Or(p.MaxTokens, maxTokens), cmp.Or(p.MaxTurns, maxTurns)
	if model == "" {
		return kernel.StartRequest{}, agent.Config{}, nil, errors.New("choose a chat model (or set a default one in Models)")
	}
	ctx := context.Background()
	ep, err := s.endpoint(p.Endpoint)
	if err != nil {
		return kernel.StartRequest{}, agent.Config{}, nil, err
	}
	chat, err := s.chatterFor(ep)
	if err != nil {
		return kernel.StartRequest{}, agent.Config{}, nil, err
	}
	m, err := s.modelOn(ctx, ep, chat, model)
	if err != nil {
		return kernel.StartRequest{}, agent.Config{}, chat, err
	}
	if !m.Has("completion") && m.Has("embedding") {
		return kernel.StartRequest{}, agent.Config{}, nil, fmt.Errorf("%s is an embedding model: choose a chat model", model)
	}
	opts := map[string]any{}
	if p.Temperature != nil {
		opts["temperature"] = *p.Temperature
	}
	if p.Seed != nil {
		opts["seed"] = *p.Seed
	}
	window, _ := ollama.WindowFor(m, p.NumCtx, memAvailable())
	if p.NumCtx > 0 && p.NumCtx < window {
		window = p.NumCtx
	}
	opts["num_ctx"] = window
	if p.NumPredict != 0 {
		opts["num_predict"] = p.NumPredict
	}
	sr, err := p.Options.request(ws, task)
	if err != nil {
		return kernel.StartRequest{}, agent.Config{}, nil, err
	}
	sr.Budget.MaxTokens, sr.Model = p.MaxTokens, model
	cfg := agent.Config{Model: model, Digest: m.Digest, Endpoint: endpointURL(ep),
		ChatOnly: !m.Has("tools"), Options: opts, MaxTurns: p.MaxTurns,
		Window: kernel.Window{Tokens: window, Unmanaged: p.Unmanaged},
		Stream: func(u agent.Update) { s.cfg.Bus.Publish(bus.AgentUpdate, u) }}
	return sr, cfg, chat, nil
}

// memAvailable is the machine's free memory (MemAvailable), 0 unknown.
func memAvailable() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb); err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// Transcript is an agent run as the log recorded it: every model step
// with its answer and tool calls, read from the events and blobs alone.
type Transcript struct {
	Run   kernel.RunInfo   `json:"run"`
	Steps []TranscriptStep `json:"steps"`
	// Totals over the steps.
	PromptTokens int `json:"promptTokens"`
	EvalTokens   int `json:"evalTokens"`
	// TokensPerSecond is generation speed over all steps (Ollama's timing).
	TokensPerSecond float64 `json:"tokensPerSecond"`
	// Notices are what the runtime did to the context window, in order.
	Notices []ContextNotice `json:"notices"`
}

// ContextNotice is a context-window event of the run, for the transcript.
type ContextNotice struct {
	Kind string `json:"kind"` // trimmed, compacted or truncated
	Step int    `json:"step"` // the step whose request it concerns
	Seq  int64  `json:"seq"`
	Text string `json:"text"`
}

// TranscriptStep is one model step.
type TranscriptStep struct {
	Step      int                    `json:"step"`
	Seq       int64                  `json:"seq"` // of its inference.request
	Model     string                 `json:"model"`
	Digest    string                 `json:"digest"`
	Options   map[string]any         `json:"options"`
	ChatOnly  bool                   `json:"chatOnly"`
	Purpose   string                 `json:"purpose"`  // "compact": a summary step
	Window    int                    `json:"window"`   // num_ctx
	Estimate  int                    `json:"estimate"` // the kernel's estimate of the prompt, in tokens
	Sent      int                    `json:"sent"`     // messages the model was sent
	Done      bool                   `json:"done"`     // the response is recorded
	Response  *agent.ResponsePayload `json:"response"`
	Thinking  string                 `json:"thinking"`
	Content   string                 `json:"content"` // the whole answer (from its blob)
	ToolCalls []TranscriptCall       `json:"toolCalls"`
}

// TranscriptCall is one tool call and its result.
type TranscriptCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"` // JSON
	Source    string `json:"source"`
	Result    string `json:"result"`
	Error     string `json:"error"`
	Seq       int64  `json:"seq"`
}

// GetTranscript rebuilds an agent run's transcript from the log.
func (s *Studio) GetTranscript(req RunRequest) (Transcript, error) {
	k, err := s.kernelOrErr()
	if err != nil {
		return Transcript{}, err
	}
	ctx := context.Background()
	info, err := k.Get(ctx, req.ID)
	if err != nil {
		return Transcript{}, err
	}
	t := Transcript{Run: info, Steps: []TranscriptStep{}, Notices: []ContextNotice{}}
	var evalNs int64
	byStep := map[int]*TranscriptStep{}
	err = s.events.Read(ctx, eventlog.Query{Run: req.ID, NoHashes: true,
		Types: []string{eventlog.InferenceRequest, eventlog.InferenceResponse, eventlog.InferenceToolCall,
			eventlog.ContextTrimmed, eventlog.ContextCompacted, eventlog.InferenceTruncated}}, func(e eventlog.Event) error {
		switch e.Type {
		case eventlog.ContextTrimmed, eventlog.ContextCompacted, eventlog.InferenceTruncated:
			n, err := NoticeOf(e)
			if err != nil {
				return err
			}
			t.Notices = append(t.Notices, n)
		case eventlog.InferenceRequest:
			var p agent.RequestPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return err
			}
			t.Steps = append(t.Steps, TranscriptStep{Step: p.Step, Seq: e.Seq, Model: p.Model, Digest: p.Digest, Options: p.Options,
				ChatOnly: p.ChatOnly, Purpose: p.Purpose, Window: p.Window, Estimate: p.Estimate, Sent: len(p.Messages), ToolCalls: []TranscriptCall{}})
			byStep[p.Step] = &t.Steps[len(t.Steps)-1]
		case eventlog.InferenceResponse:
			var p agent.ResponsePayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return err
			}
			st := byStep[p.Step]
			if st == nil {
				return nil
			}
			st.Done, st.Response, st.Content = true, &p, p.Content
			if p.Message != "" {
				var m api.Message
				if b, err := s.events.GetBlob(ctx, p.Message); err == nil && json.Unmarshal(b, &m) == nil {
					st.Content, st.Thinking = m.Content, m.Thinking
				}
			}
			t.PromptTokens += p.PromptTokens
			t.EvalTokens += p.EvalTokens
			evalNs += p.EvalNs
		case eventlog.InferenceToolCall:
			var p agent.ToolCallPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return err
			}
			st := byStep[p.Step]
			if st == nil {
				return nil
			}
			c := TranscriptCall{Name: p.Name, Arguments: string(p.Arguments), Source: p.Source, Error: p.Error, Seq: e.Seq}
			if p.ArgsBlob != "" {
				if b, err := s.events.GetBlob(ctx, p.ArgsBlob); err == nil {
					c.Arguments, _, _ = asText(b)
				}
			}
			if b, err := s.events.GetBlob(ctx, p.Result); err == nil {
				c.Result, _, _ = asText(b)
			}
			st.ToolCalls = append(st.ToolCalls, c)
		}
		return nil
	})
	if err != nil {
		return Transcript{}, err
	}
	if evalNs > 0 {
		t.TokensPerSecond = float64(t.EvalTokens) / (float64(evalNs) / 1e9)
	}
	return t, nil
}

// NoticeOf describes a context-window event in words.
func NoticeOf(e eventlog.Event) (ContextNotice, error) {
	n := ContextNotice{Seq: e.Seq}
	switch e.Type {
	case eventlog.ContextTrimmed:
		var p kernel.TrimPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return n, err
		}
		cut, dropped := 0, 0
		for _, it := range p.Items {
			cut += it.Cut
			if it.Kind == "dropped" {
				dropped++
			}
		}
		n.Kind, n.Step = "trimmed", p.Step
		n.Text = fmt.Sprintf("To fit the window of %d tokens, %d old tool outputs were cut (%d of them dropped), %d bytes in all: about %d → %d tokens.",
			p.Window, len(p.Items), dropped, cut, p.EstimateBefore, p.EstimateAfter)
	case eventlog.ContextCompacted:
		var p kernel.CompactPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return n, err
		}
		n.Kind, n.Step = "compacted", p.Step
		why := "to fit the window of " + fmt.Sprint(p.Window) + " tokens"
		if p.Reason == "requested" {
			why = "as you asked (/compact)"
		}
		n.Text = fmt.Sprintf("%d earlier messages were replaced by a summary (written in step %d) %s: about %d → %d tokens.",
			len(p.Replaced), p.SummaryStep, why, p.EstimateBefore, p.EstimateAfter)
	case eventlog.InferenceTruncated:
		var p kernel.TruncatedPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return n, err
		}
		n.Kind, n.Step = "truncated", p.Step
		n.Text = "The server did not see all of step " + fmt.Sprint(p.Step) + ": " + p.Reason + ". The next request is made smaller."
	}
	return n, nil
}

// InferenceStepRequest names one model step of a run.
type InferenceStepRequest struct {
	Run  string `json:"run"`
	Step int    `json:"step"`
}

// InferenceRequestView is exactly what the model was sent at one step,
// rebuilt from the log (the event and its blobs), never by asking again.
type InferenceRequestView struct {
	Step     int            `json:"step"`
	Seq      int64          `json:"seq"`
	Model    string         `json:"model"`
	Digest   string         `json:"digest"`
	Endpoint string         `json:"endpoint"`
	Options  map[string]any `json:"options"`
	Tools    []string       `json:"tools"`
	Messages []api.Message  `json:"messages"`
	// JSON is the request body as sent to Ollama's /api/chat (indented).
	JSON string `json:"json"`
}

// GetInferenceRequest rebuilds the request of one model step from the log.
func (s *Studio) GetInferenceRequest(req InferenceStepRequest) (InferenceRequestView, error) {
	store, err := s.logOrErr()
	if err != nil {
		return InferenceRequestView{}, err
	}
	ctx := context.Background()
	var found *InferenceRequestView
	var tools []api.Tool
	err = store.Read(ctx, eventlog.Query{Run: req.Run, Types: []string{eventlog.InferenceRequest}, NoHashes: true}, func(e eventlog.Event) error {
		if found != nil {
			return nil
		}
		var p agent.RequestPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		if p.Step != req.Step {
			return nil
		}
		v, ts, err := RebuildRequest(ctx, store, p)
		if err != nil {
			return err
		}
		v.Seq = e.Seq
		found, tools = &v, ts
		return nil
	})
	if err != nil {
		return InferenceRequestView{}, err
	}
	if found == nil {
		return InferenceRequestView{}, fmt.Errorf("run %s has no model step %d", req.Run, req.Step)
	}
	stream := true // as Provider.Chat sends it
	body, _ := json.MarshalIndent(api.ChatRequest{Model: found.Model, Messages: found.Messages, Tools: tools, Options: found.Options, Stream: &stream}, "", "  ")
	found.JSON = string(body)
	return *found, nil
}

// RebuildRequest reads an inference.request's messages and tools back
// from the blob store.
func RebuildRequest(ctx context.Context, blobs kernel.Blobs, p agent.RequestPayload) (InferenceRequestView, []api.Tool, error) {
	v := InferenceRequestView{Step: p.Step, Model: p.Model, Digest: p.Digest, Endpoint: p.Endpoint, Options: p.Options,
		Tools: p.ToolNames, Messages: make([]api.Message, len(p.Messages))}
	if v.Tools == nil {
		v.Tools = []string{}
	}
	for i, addr := range p.Messages {
		b, err := blobs.GetBlob(ctx, addr)
		if err != nil {
			return v, nil, fmt.Errorf("message %d of step %d: %w", i, p.Step, err)
		}
		if err := json.Unmarshal(b, &v.Messages[i]); err != nil {
			return v, nil, fmt.Errorf("message %d of step %d: %w", i, p.Step, err)
		}
	}
	var tools []api.Tool
	if p.Tools != "" {
		b, err := blobs.GetBlob(ctx, p.Tools)
		if err != nil {
			return v, nil, fmt.Errorf("tools of step %d: %w", p.Step, err)
		}
		if err := json.Unmarshal(b, &tools); err != nil {
			return v, nil, fmt.Errorf("tools of step %d: %w", p.Step, err)
		}
	}
	return v, tools, nil
}
