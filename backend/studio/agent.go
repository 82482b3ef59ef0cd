package studio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/agent"
	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
)

// StartAgentRunRequest starts a run whose worker is a local model.
type StartAgentRunRequest struct {
	WorkspaceID string     `json:"workspaceId"`
	Task        string     `json:"task"`
	Model       string     `json:"model"` // "" for the default chat model
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
	model := strings.TrimSpace(req.Model)
	if model == "" {
		model, _ = s.defaults()
	}
	if model == "" {
		return kernel.RunInfo{}, errors.New("choose a chat model (or set a default one in Models)")
	}
	ctx := context.Background()
	m, err := s.cfg.Ollama.Show(ctx, model)
	if err != nil {
		return kernel.RunInfo{}, err
	}
	if !m.Has("completion") && m.Has("embedding") {
		return kernel.RunInfo{}, fmt.Errorf("%s is an embedding model: choose a chat model", model)
	}
	opts := map[string]any{}
	if req.Temperature != nil {
		opts["temperature"] = *req.Temperature
	}
	if req.Seed != nil {
		opts["seed"] = *req.Seed
	}
	numCtx := req.NumCtx
	if numCtx <= 0 {
		numCtx = 8192 // tool definitions and file contents need room; Ollama's default (2048) cuts them
		if m.ContextLength > 0 && m.ContextLength < int64(numCtx) {
			numCtx = int(m.ContextLength)
		}
	}
	opts["num_ctx"] = numCtx
	if req.NumPredict != 0 {
		opts["num_predict"] = req.NumPredict
	}
	sr, err := req.Options.request(req.WorkspaceID, task)
	if err != nil {
		return kernel.RunInfo{}, err
	}
	sr.Budget.MaxTokens, sr.Model = req.MaxTokens, model
	w := agent.New(s.cfg.Ollama, agent.Config{Model: model, Digest: m.Digest, Endpoint: s.cfg.Ollama.Host(),
		ChatOnly: !m.Has("tools"), Options: opts, MaxTurns: req.MaxTurns,
		Stream: func(u agent.Update) { s.cfg.Bus.Publish(bus.AgentUpdate, u) }})
	return k.Start(ctx, sr, w)
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
}

// TranscriptStep is one model step.
type TranscriptStep struct {
	Step      int                    `json:"step"`
	Seq       int64                  `json:"seq"` // of its inference.request
	Model     string                 `json:"model"`
	Digest    string                 `json:"digest"`
	Options   map[string]any         `json:"options"`
	ChatOnly  bool                   `json:"chatOnly"`
	Sent      int                    `json:"sent"` // messages the model was sent
	Done      bool                   `json:"done"` // the response is recorded
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
	t := Transcript{Run: info, Steps: []TranscriptStep{}}
	var evalNs int64
	byStep := map[int]*TranscriptStep{}
	err = s.events.Read(ctx, eventlog.Query{Run: req.ID, NoHashes: true,
		Types: []string{eventlog.InferenceRequest, eventlog.InferenceResponse, eventlog.InferenceToolCall}}, func(e eventlog.Event) error {
		switch e.Type {
		case eventlog.InferenceRequest:
			var p agent.RequestPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return err
			}
			t.Steps = append(t.Steps, TranscriptStep{Step: p.Step, Seq: e.Seq, Model: p.Model, Digest: p.Digest, Options: p.Options,
				ChatOnly: p.ChatOnly, Sent: len(p.Messages), ToolCalls: []TranscriptCall{}})
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
