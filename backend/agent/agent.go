// Package agent is the Studio's inferential worker: a chat loop with a
// local model (through Ollama) and native tool calling, run inside a
// kernel Run. The model proposes; every tool call goes through the run's
// kernel Env, which checks the capability, records the effect and stages
// writes (never applies them). Every inference step is recorded in full
// (inference.request / inference.response / inference.tool_call, large
// bodies in the blob store), so what the model was sent and answered can
// be read back from the log alone, without calling the model again.
package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/ollama"
)

// Name is the agent's worker name; its events have the origin agent:agent.
const Name = "agent"

// DefaultMaxTurns bounds the model steps of one run.
const DefaultMaxTurns = 30

// Chatter is the model: *ollama.Provider in the Studio.
type Chatter interface {
	Chat(ctx context.Context, req *api.ChatRequest, onChunk func(api.ChatResponse)) (ollama.ChatResult, error)
}

// Config chooses the model and how the agent runs.
type Config struct {
	Model    string
	Digest   string // the installed model's digest, recorded with every step
	Endpoint string // the Ollama base URL, recorded and part of the model.invoke scope
	// ChatOnly: the model has no native tool calling (Show does not list
	// "tools"); it gets the task and answers in words, with no tools.
	ChatOnly bool
	Options  map[string]any // Ollama options: temperature, seed, num_ctx, num_predict…
	MaxTurns int            // model steps (DefaultMaxTurns when ≤ 0)
	// Stream gets live progress for the UI (may be nil). It is called from
	// the run's goroutine and must not block.
	Stream func(Update)
}

// Update is live progress of a run's agent, for the transcript in the UI.
// The log has the full record; updates are only for watching it happen.
type Update struct {
	Run  string `json:"run"`
	Step int    `json:"step"`
	// Kind: "step" (a model step begins), "delta" (streamed text),
	// "response" (a step's answer is complete), "tool" (a tool call and
	// its result), "done" (the agent finished).
	Kind            string   `json:"kind"`
	Content         string   `json:"content,omitempty"`
	Thinking        string   `json:"thinking,omitempty"`
	Tool            string   `json:"tool,omitempty"`
	Index           int      `json:"index"`               // "tool": the call's place in the step's answer
	ToolCalls       []string `json:"toolCalls,omitempty"` // "response": the tools the answer calls, in order
	Arguments       string   `json:"arguments,omitempty"`
	Result          string   `json:"result,omitempty"`
	Error           string   `json:"error,omitempty"`
	PromptTokens    int      `json:"promptTokens,omitempty"`
	EvalTokens      int      `json:"evalTokens,omitempty"`
	TokensPerSecond float64  `json:"tokensPerSecond,omitempty"`
}

// Worker is the agent as a kernel worker.
type Worker struct {
	cfg  Config
	chat Chatter
}

var _ kernel.Worker = (*Worker)(nil)

// New returns an agent worker that talks to chat.
func New(chat Chatter, cfg Config) *Worker {
	if cfg.MaxTurns <= 0 {
		cfg.MaxTurns = DefaultMaxTurns
	}
	return &Worker{cfg: cfg, chat: chat}
}

// Name implements kernel.Worker.
func (*Worker) Name() string { return Name }

// Payloads of the agent's events. Field names are persisted.
type (
	// RequestPayload is inference.request: exactly what the model is sent.
	// Each message is its own blob (JSON of api.Message): a conversation
	// re-sent every step stores each message once.
	RequestPayload struct {
		Step      int            `json:"step"`
		Model     string         `json:"model"`
		Digest    string         `json:"digest,omitempty"`
		Endpoint  string         `json:"endpoint,omitempty"`
		Messages  []string       `json:"messages"`        // blob address of each message, in order
		Tools     string         `json:"tools,omitempty"` // blob address of the tool definitions (JSON)
		ToolNames []string       `json:"toolNames,omitempty"`
		Options   map[string]any `json:"options,omitempty"`
		ChatOnly  bool           `json:"chatOnly,omitempty"`
	}
	// ResponsePayload is inference.response: what the model answered, with
	// its counts and durations, or the error that ended the step.
	ResponsePayload struct {
		Step         int      `json:"step"`
		Model        string   `json:"model"`
		Digest       string   `json:"digest,omitempty"`
		Message      string   `json:"message,omitempty"` // blob address of the answer as an api.Message
		Content      string   `json:"content"`           // the answer's text (up to 2,000 characters; the blob has it all)
		ToolCalls    []string `json:"toolCalls,omitempty"`
		DoneReason   string   `json:"doneReason,omitempty"`
		PromptTokens int      `json:"promptTokens"`
		EvalTokens   int      `json:"evalTokens"`
		TotalNs      int64    `json:"totalNs"`
		LoadNs       int64    `json:"loadNs"`
		PromptEvalNs int64    `json:"promptEvalNs"`
		EvalNs       int64    `json:"evalNs"`
		FirstTokenMs int64    `json:"firstTokenMs"`
		WallMs       int64    `json:"wallMs"`
		Chunks       int      `json:"chunks"`
		Error        string   `json:"error,omitempty"`
	}
	// ToolCallPayload is inference.tool_call: one call the model made and
	// what it was answered (the result is also the next step's tool message).
	ToolCallPayload struct {
		Step      int             `json:"step"`
		Index     int             `json:"index"`
		ID        string          `json:"id,omitempty"`
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments,omitempty"` // as the model gave them (up to 4 KiB inline)
		ArgsBlob  string          `json:"argsBlob,omitempty"`  // larger arguments: their blob
		Source    string          `json:"source"`              // "native", or "text" (a call written in the answer)
		Error     string          `json:"error,omitempty"`     // what went wrong, as the model was told
		Result    string          `json:"result"`              // blob address of the tool message content
		Preview   string          `json:"preview"`             // its first 300 characters
	}
)

// ErrModelOutput is an answer the agent could not use.
var ErrModelOutput = errors.New("unusable model output")

// Run implements kernel.Worker: the chat loop.
func (w *Worker) Run(ctx context.Context, env *kernel.Env) error {
	tools := toolsFor(env.Profile())
	if w.cfg.ChatOnly {
		tools = nil
	}
	var defs []api.Tool
	var toolsBlob []byte
	var names []string
	if len(tools) > 0 {
		for _, t := range tools {
			defs = append(defs, t.def())
			names = append(names, t.name)
		}
		toolsBlob, _ = json.Marshal(defs)
	}
	msgs := []api.Message{
		{Role: "system", Content: systemPrompt(env, w.cfg.ChatOnly, names)},
		{Role: "user", Content: env.Task()},
	}
	var sent recorded
	for step := 1; ; step++ {
		if step > w.cfg.MaxTurns {
			return fmt.Errorf("%w: more than %d model steps", kernel.ErrBudgetExceeded, w.cfg.MaxTurns)
		}
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		if err := env.Authorize(capability.Request{Kind: capability.ModelInvoke, Model: w.cfg.Model, Endpoint: w.cfg.Endpoint}); err != nil {
			return err
		}
		res, err := w.infer(ctx, env, step, msgs, &sent, defs, toolsBlob, names)
		if errors.Is(err, ollama.ErrMalformed) && ctx.Err() == nil && !w.cfg.ChatOnly {
			// The answer broke off at something that does not decode (a
			// tool call with arguments that are not a JSON object): the
			// model is told, as for any malformed call, and goes on.
			msgs = append(msgs, assistantMessage(res), w.answer(env, step, 0, api.ToolCall{}, "native", nil, fmt.Errorf("%w: %w", ErrModelOutput, err)))
			continue
		}
		if err != nil {
			return err
		}
		if err := env.UseTokens(res.PromptTokens + res.EvalTokens); err != nil {
			return err
		}
		msgs = append(msgs, assistantMessage(res))
		if w.cfg.ChatOnly {
			w.update(env, Update{Step: step, Kind: "done", Content: res.Content})
			return nil
		}
		calls, source, perr := res.ToolCalls, "native", error(nil)
		if len(calls) == 0 {
			calls, perr = textCalls(res.Content)
			source = "text"
		}
		if perr != nil {
			// A call written in the answer that does not parse: the model is
			// told, and the loop goes on.
			msgs = append(msgs, w.answer(env, step, 0, api.ToolCall{}, source, nil, fmt.Errorf("%w: %w", ErrModelOutput, perr)))
			continue
		}
		if len(calls) == 0 {
			// An answer without a tool call is the agent's last word.
			w.update(env, Update{Step: step, Kind: "done", Content: res.Content})
			return nil
		}
		finished := false
		for i, c := range calls {
			if finished {
				break // nothing after finish is carried out
			}
			out, done, terr := w.call(ctx, env, tools, c)
			msgs = append(msgs, w.answer(env, step, i, c, source, out, terr))
			if terr != nil && fatal(ctx, terr) {
				return terr
			}
			finished = done && terr == nil
		}
		if finished {
			w.update(env, Update{Step: step, Kind: "done"})
			return nil
		}
	}
}

// fatal reports whether a tool error ends the run rather than being told
// to the model: the run was stopped, or its budget is spent.
func fatal(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, kernel.ErrBudgetExceeded) || errors.Is(err, kernel.ErrRunFinished)
}

func assistantMessage(res ollama.ChatResult) api.Message {
	return api.Message{Role: "assistant", Content: res.Content, Thinking: res.Thinking, ToolCalls: res.ToolCalls}
}

// recorded is what earlier steps of a run stored: the conversation only
// grows, so each message is encoded and stored once, not at every step.
type recorded struct {
	addrs []string // blob address of each message stored so far
	tools bool     // the tool definitions are stored
}

// infer records the request, streams the model's answer and records the
// response (or the error that ended it).
func (w *Worker) infer(ctx context.Context, env *kernel.Env, step int, msgs []api.Message, sent *recorded, defs []api.Tool, toolsBlob []byte, names []string) (ollama.ChatResult, error) {
	rp := RequestPayload{Step: step, Model: w.cfg.Model, Digest: w.cfg.Digest, Endpoint: w.cfg.Endpoint,
		ToolNames: names, Options: w.cfg.Options, ChatOnly: w.cfg.ChatOnly}
	var blobs [][]byte
	addrs := sent.addrs
	for _, m := range msgs[len(addrs):] {
		b, err := json.Marshal(m)
		if err != nil {
			return ollama.ChatResult{}, err
		}
		addrs = append(addrs, eventlog.BlobAddress(b))
		blobs = append(blobs, b)
	}
	rp.Messages = addrs
	if toolsBlob != nil {
		rp.Tools = eventlog.BlobAddress(toolsBlob)
		if !sent.tools {
			blobs = append(blobs, toolsBlob)
		}
	}
	if _, err := env.Record(eventlog.InferenceRequest, rp, blobs...); err != nil {
		return ollama.ChatResult{}, err
	}
	sent.addrs, sent.tools = addrs, true
	w.update(env, Update{Step: step, Kind: "step"})
	req := &api.ChatRequest{Model: w.cfg.Model, Messages: msgs, Tools: defs, Options: w.cfg.Options}
	start := time.Now()
	var first time.Duration
	chunks := 0
	var pending strings.Builder
	var pendingThinking strings.Builder
	lastFlush := start
	flush := func() {
		if pending.Len() > 0 || pendingThinking.Len() > 0 {
			w.update(env, Update{Step: step, Kind: "delta", Content: pending.String(), Thinking: pendingThinking.String(), EvalTokens: chunks})
			pending.Reset()
			pendingThinking.Reset()
		}
		lastFlush = time.Now()
	}
	res, err := w.chat.Chat(ctx, req, func(r api.ChatResponse) {
		if chunks == 0 {
			first = time.Since(start)
		}
		chunks++
		if w.cfg.Stream == nil {
			return
		}
		pending.WriteString(r.Message.Content)
		pendingThinking.WriteString(r.Message.Thinking)
		if time.Since(lastFlush) > 50*time.Millisecond { // coalesced: a fast model streams thousands of tokens a second
			flush()
		}
	})
	if w.cfg.Stream != nil {
		flush()
	}
	out := ResponsePayload{Step: step, Model: w.cfg.Model, Digest: w.cfg.Digest, Content: preview(res.Content, 2000),
		DoneReason: res.DoneReason, PromptTokens: res.PromptTokens, EvalTokens: res.EvalTokens,
		TotalNs: int64(res.Metrics.TotalDuration), LoadNs: int64(res.Metrics.LoadDuration),
		PromptEvalNs: int64(res.Metrics.PromptEvalDuration), EvalNs: int64(res.Metrics.EvalDuration),
		FirstTokenMs: first.Milliseconds(), WallMs: time.Since(start).Milliseconds(), Chunks: chunks}
	for _, c := range res.ToolCalls {
		out.ToolCalls = append(out.ToolCalls, c.Function.Name)
	}
	var msgBlob []byte
	if err != nil {
		out.Error = err.Error()
	} else {
		msgBlob, _ = json.Marshal(assistantMessage(res))
		out.Message = eventlog.BlobAddress(msgBlob)
	}
	// Committed with the run's next event (a tool's effect, the next
	// request, or the run's end): one commit per step fewer.
	if msgBlob != nil {
		env.RecordLater(eventlog.InferenceResponse, out, msgBlob)
	} else {
		env.RecordLater(eventlog.InferenceResponse, out)
	}
	if err != nil {
		return res, err
	}
	w.update(env, Update{Step: step, Kind: "response", Content: res.Content, Thinking: res.Thinking, ToolCalls: out.ToolCalls,
		PromptTokens: res.PromptTokens, EvalTokens: res.EvalTokens, TokensPerSecond: tokensPerSecond(res)})
	return res, nil
}

// tokensPerSecond is the model's generation speed as Ollama measured it.
func tokensPerSecond(res ollama.ChatResult) float64 {
	if res.Metrics.EvalDuration <= 0 {
		return 0
	}
	return float64(res.EvalTokens) / res.Metrics.EvalDuration.Seconds()
}

// answer records a tool call with its result (or error) and returns the
// tool message that tells the model.
func (w *Worker) answer(env *kernel.Env, step, index int, c api.ToolCall, source string, out *string, terr error) api.Message {
	content := ""
	p := ToolCallPayload{Step: step, Index: index, ID: c.ID, Name: c.Function.Name, Source: source}
	if terr != nil {
		content = "error: " + terr.Error()
		p.Error = terr.Error()
	} else if out != nil {
		content = *out
	}
	var blobs [][]byte
	if c.Function.Name != "" {
		args, _ := json.Marshal(c.Function.Arguments)
		if len(args) <= 4096 {
			p.Arguments = args
		} else {
			p.ArgsBlob = eventlog.BlobAddress(args)
			blobs = append(blobs, args)
		}
	}
	p.Result, p.Preview = eventlog.BlobAddress([]byte(content)), preview(content, 300)
	blobs = append(blobs, []byte(content))
	// Committed with the next model step's request (or the run's next
	// transition): one commit per step fewer.
	env.RecordLater(eventlog.InferenceToolCall, p, blobs...)
	u := Update{Step: step, Kind: "tool", Tool: c.Function.Name, Index: index, Result: preview(content, 4000)}
	if len(p.Arguments) > 0 {
		u.Arguments = preview(string(p.Arguments), 4000)
	} else if p.ArgsBlob != "" {
		u.Arguments = preview(string(blobs[0]), 4000)
	}
	if terr != nil {
		u.Error = terr.Error()
	}
	w.update(env, u)
	return api.Message{Role: "tool", Content: content, ToolName: c.Function.Name, ToolCallID: c.ID}
}

func (w *Worker) update(env *kernel.Env, u Update) {
	if w.cfg.Stream != nil {
		u.Run = env.RunID()
		w.cfg.Stream(u)
	}
}

// preview cuts s to at most n characters.
func preview(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// systemPrompt tells the model where it is, what it may do and what the
// user has taught the Studio (the memories mounted into the run).
func systemPrompt(env *kernel.Env, chatOnly bool, tools []string) string {
	var b strings.Builder
	b.WriteString("You are the coding agent of ICE Studio, working on the user's project folder (the workspace).\n")
	if chatOnly {
		b.WriteString("You have no tools in this run: answer the user's request in words. You cannot read or change files.\n")
	} else {
		b.WriteString("Use the tools to look at the workspace and to propose changes. Paths are relative to the workspace root.\n")
		b.WriteString("Changes you write are staged: the user reviews the diff and decides whether to apply them. Commands run on a copy of the workspace that includes your staged changes.\n")
		b.WriteString("Read a file before you edit it. Keep changes minimal. When the work is done, call finish with a short summary.\n")
		b.WriteString("Tools: " + strings.Join(tools, ", ") + ".\n")
		switch env.Profile() {
		case capability.ProfileAsk:
			b.WriteString("This run is read-only: you may look, not change.\n")
		case capability.ProfileEdit:
			b.WriteString("This run may read and stage edits; it cannot run commands.\n")
		}
	}
	if mems := env.Memories(); len(mems) > 0 {
		b.WriteString("\nWhat the user has taught the Studio about this project (memories):\n")
		for _, m := range mems {
			fmt.Fprintf(&b, "- [%s] %s\n", m.Kind, m.Content)
		}
	}
	return b.String()
}
