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
	"github.com/ice-studio/ice-studio/backend/workspace"
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
	// Window is the context window the kernel fits every request to; its
	// Tokens are sent as num_ctx (0: Options' num_ctx, else 8192).
	Window kernel.Window
	// CompactPrompt: a compact system prompt and tool descriptions, for
	// small windows (set automatically for a window of 4,096 or less).
	CompactPrompt bool
	// CompactFirst compacts the conversation before the first step;
	// CompactOnly only compacts the thread's history (the user's
	// /compact): the summary is what the next turn carries.
	CompactFirst, CompactOnly bool
	// Note is said in the system prompt of a follow-up: what became of
	// the previous turn's changes.
	Note string
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
	// The context window: its size and the prompt's estimated tokens
	// ("step") or counted ones ("response"), for the composer's meter.
	Window   int    `json:"window,omitempty"`
	Estimate int    `json:"estimate,omitempty"`
	Purpose  string `json:"purpose,omitempty"` // "compact" for a summary step
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
	opts := make(map[string]any, len(cfg.Options)+1)
	for k, v := range cfg.Options {
		opts[k] = v
	}
	if cfg.Window.Tokens <= 0 {
		cfg.Window.Tokens = 8192
		if n, ok := numOpt(opts["num_ctx"]); ok && n > 0 {
			cfg.Window.Tokens = n
		}
	}
	opts["num_ctx"] = cfg.Window.Tokens
	if n, ok := numOpt(opts["num_predict"]); ok && n > 0 && cfg.Window.Reserve == 0 {
		cfg.Window.Reserve = n
	}
	cfg.Options = opts
	if cfg.Window.Model == "" {
		cfg.Window.Model = cfg.Digest
		if cfg.Window.Model == "" {
			cfg.Window.Model = cfg.Model
		}
	}
	if cfg.Window.Tokens <= 4096 {
		cfg.CompactPrompt = true
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
		// Purpose is "" for a step of the work, "compact" for a step that
		// summarises older messages (see context.compacted), "calibrate"
		// for one that measures the model's tokens per byte.
		Purpose string `json:"purpose,omitempty"`
		// The kernel's estimate of the request against its window.
		Window        int     `json:"window,omitempty"`
		Budget        int     `json:"budget,omitempty"`
		Estimate      int     `json:"estimate,omitempty"`
		Bytes         int     `json:"bytes,omitempty"`
		TokensPerByte float64 `json:"tokensPerByte,omitempty"`
		Samples       int     `json:"samples,omitempty"`
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
		Purpose      string   `json:"purpose,omitempty"`
		Window       int      `json:"window,omitempty"` // num_ctx of the request
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
	} else if len(tools) > 0 {
		tools = append(tools, mcpTools(env.MCPTools())...)
	}
	r := &session{w: w, env: env, sent: &recorded{stored: map[string]bool{}}}
	if len(tools) > 0 {
		for _, t := range tools {
			r.defs = append(r.defs, t.def(w.cfg.CompactPrompt))
			r.names = append(r.names, t.name)
		}
		r.toolsBlob, _ = json.Marshal(r.defs)
	}
	r.msgs = []api.Message{{Role: "system", Content: systemPrompt(env, w.cfg, r.names)}}
	for i, h := range env.History() {
		var m api.Message
		if err := json.Unmarshal(h.Message, &m); err != nil {
			return fmt.Errorf("earlier message %d of the thread: %w", i, err)
		}
		r.msgs = append(r.msgs, m)
		// Context loading stored them: the first request need not again.
		r.sent.stored[eventlog.BlobAddress(h.Message)] = true
	}
	if w.cfg.CompactOnly {
		// Only a compaction: the thread's history is summarised, and the
		// summary is what the next turn carries.
		_, err := r.fit(ctx, true)
		if err == nil {
			w.update(env, Update{Step: r.step, Kind: "done"})
		}
		return err
	}
	r.msgs = append(r.msgs, taskMessage(env))
	r.task = len(r.msgs) - 1
	compactFirst := w.cfg.CompactFirst
	for turns := 1; ; turns++ {
		if turns > w.cfg.MaxTurns {
			return fmt.Errorf("%w: more than %d model steps", kernel.ErrBudgetExceeded, w.cfg.MaxTurns)
		}
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		f, err := r.fit(ctx, compactFirst)
		if err != nil {
			return err
		}
		compactFirst = false
		r.step++
		step := r.step
		res, err := w.infer(ctx, env, step, "", f, r.sent, r.defs, r.toolsBlob, r.names)
		if errors.Is(err, ollama.ErrMalformed) && ctx.Err() == nil && !w.cfg.ChatOnly {
			// The answer broke off at something that does not decode (a
			// tool call with arguments that are not a JSON object): the
			// model is told, as for any malformed call, and goes on.
			r.msgs = append(r.msgs, assistantMessage(res), w.answer(env, step, 0, api.ToolCall{}, "native", nil, fmt.Errorf("%w: %w", ErrModelOutput, err)))
			continue
		}
		if err != nil {
			return err
		}
		if err := env.UseTokens(res.PromptTokens + res.EvalTokens); err != nil {
			return err
		}
		r.msgs = append(r.msgs, assistantMessage(res))
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
			r.msgs = append(r.msgs, w.answer(env, step, 0, api.ToolCall{}, source, nil, fmt.Errorf("%w: %w", ErrModelOutput, perr)))
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
			r.msgs = append(r.msgs, w.answer(env, step, i, c, source, out, terr))
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

// session is one run's conversation with the model.
type session struct {
	w         *Worker
	env       *kernel.Env
	msgs      []api.Message // the working conversation, as last fitted
	task      int           // index of the current task in msgs
	step      int           // model steps so far (work and summaries)
	sent      *recorded
	defs      []api.Tool
	toolsBlob []byte
	names     []string
	probed    bool // calibrate ran
}

// fit has the kernel make the next request fit the window (model.invoke
// is decided first: a compaction is a model call too).
func (r *session) fit(ctx context.Context, compact bool) (kernel.Fitted, error) {
	w := r.w
	if err := r.env.Authorize(capability.Request{Kind: capability.ModelInvoke, Model: w.cfg.Model, Endpoint: w.cfg.Endpoint}); err != nil {
		return kernel.Fitted{}, err
	}
	if err := r.calibrate(ctx); err != nil {
		return kernel.Fitted{}, err
	}
	f, err := r.env.Fit(ctx, w.cfg.Window, kernel.FitRequest{Step: r.step + 1, Messages: r.msgs, Task: r.task, Tools: r.toolsBlob,
		Compact: compact, Summarize: r.summarize})
	if err != nil {
		return f, err
	}
	r.msgs, r.task = f.Messages, f.Task
	return f, nil
}

// calibrate measures the model's tokens per byte before the first
// request, when nothing has measured it yet and the guess matters (the
// request would take more than half its window by the guess): a recorded
// step that sends a sample of the request, cut so that it fits whatever
// the tokenizer, and asks for one token back.
func (r *session) calibrate(ctx context.Context) error {
	w, win := r.w, r.w.cfg.Window
	if r.probed || win.Unmanaged || r.env.Calibrated(win) {
		return nil
	}
	r.probed = true
	bytes := kernel.RequestBytes(r.msgs, r.toolsBlob)
	if float64(bytes)*r.env.TokensPerByte(win) <= float64(win.Budget())/2 {
		return nil
	}
	var sample strings.Builder
	for _, m := range r.msgs {
		sample.WriteString(m.Content + "\n")
	}
	sample.Write(r.toolsBlob)
	// No tokenizer makes more tokens than bytes (byte fallback): half the
	// window in bytes always fits.
	text := strings.ToValidUTF8(truncateUTF8(sample.String(), min(win.Tokens/2, 4096)), "")
	msgs := []api.Message{{Role: "user", Content: text}}
	opts := make(map[string]any, len(w.cfg.Options))
	for k, v := range w.cfg.Options {
		opts[k] = v
	}
	opts["num_predict"] = 1
	b := kernel.RequestBytes(msgs, nil)
	f := kernel.Fitted{Messages: msgs, Bytes: b, Window: win.Tokens, Budget: win.Budget(), Ratio: r.env.TokensPerByte(win)}
	f.Estimate = int(float64(b)*f.Ratio) + 16
	r.step++
	res, err := w.inferWith(ctx, r.env, r.step, "calibrate", f, &recorded{stored: r.sent.stored}, nil, nil, nil, opts)
	if err != nil {
		return err
	}
	return r.env.UseTokens(res.PromptTokens + res.EvalTokens)
}

// summaryPrompt is the system prompt of a compaction step.
const summaryPrompt = "You summarise a conversation between a user and a coding agent so that the agent can go on without it. " +
	"Keep the user's requests and corrections, decisions, file paths, what was changed, what failed, and what is left to do. Be brief and factual."

// summarize writes a summary of msgs in a recorded inference step.
func (r *session) summarize(ctx context.Context, msgs []api.Message, maxTokens int) (string, int, error) {
	w := r.w
	if err := r.env.Authorize(capability.Request{Kind: capability.ModelInvoke, Model: w.cfg.Model, Endpoint: w.cfg.Endpoint}); err != nil {
		return "", 0, err
	}
	var b strings.Builder
	for _, m := range msgs {
		who := m.Role
		if m.ToolName != "" {
			who += " (" + m.ToolName + ")"
		}
		b.WriteString(who + ": " + m.Content)
		for _, c := range m.ToolCalls {
			fmt.Fprintf(&b, " → %s(%s)", c.Function.Name, c.Function.Arguments.String())
		}
		b.WriteString("\n")
	}
	// The summary's own request must fit: what it summarises is cut in
	// the middle when it is longer than the window allows.
	win := w.cfg.Window
	room := int(float64(win.Tokens-maxTokens-64-len(summaryPrompt)/2) / r.env.TokensPerByte(win))
	text := b.String()
	if room > 0 && len(text) > room {
		head := strings.ToValidUTF8(text[:room/2], "")
		tail := strings.ToValidUTF8(text[len(text)-room/2:], "")
		text = head + "\n…\n" + tail
	}
	sum := []api.Message{{Role: "system", Content: summaryPrompt}, {Role: "user", Content: "Summarise this conversation:\n\n" + text}}
	opts := make(map[string]any, len(w.cfg.Options))
	for k, v := range w.cfg.Options {
		opts[k] = v
	}
	opts["num_predict"] = maxTokens
	b2 := kernel.RequestBytes(sum, nil)
	f := kernel.Fitted{Messages: sum, Bytes: b2, Window: win.Tokens, Budget: win.Tokens - maxTokens}
	f.Ratio = r.env.TokensPerByte(win)
	f.Estimate = int(float64(b2)*f.Ratio) + 16
	r.step++
	step := r.step
	res, err := w.inferWith(ctx, r.env, step, "compact", f, &recorded{stored: r.sent.stored}, nil, nil, nil, opts)
	if err != nil {
		return "", step, err
	}
	if err := r.env.UseTokens(res.PromptTokens + res.EvalTokens); err != nil {
		return "", step, err
	}
	return res.Content, step, nil
}

// fatal reports whether a tool error ends the run rather than being told
// to the model: the run was stopped, or its budget is spent.
func fatal(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, kernel.ErrBudgetExceeded) || errors.Is(err, kernel.ErrRunFinished)
}

func assistantMessage(res ollama.ChatResult) api.Message {
	return api.Message{Role: "assistant", Content: res.Content, Thinking: res.Thinking, ToolCalls: res.ToolCalls}
}

// recorded is what earlier steps of a run stored: a conversation re-sent
// every step stores each message once.
type recorded struct {
	stored map[string]bool // blob addresses stored (messages and tools)
	addrs  []string        // of the messages of the last request sent
}

// infer records the request, streams the model's answer and records the
// response (or the error that ended it), then has the kernel check that
// the server saw the whole request.
func (w *Worker) infer(ctx context.Context, env *kernel.Env, step int, purpose string, f kernel.Fitted, sent *recorded, defs []api.Tool, toolsBlob []byte, names []string) (ollama.ChatResult, error) {
	return w.inferWith(ctx, env, step, purpose, f, sent, defs, toolsBlob, names, w.cfg.Options)
}

func (w *Worker) inferWith(ctx context.Context, env *kernel.Env, step int, purpose string, f kernel.Fitted, sent *recorded, defs []api.Tool, toolsBlob []byte, names []string, opts map[string]any) (ollama.ChatResult, error) {
	msgs := f.Messages
	rp := RequestPayload{Step: step, Model: w.cfg.Model, Digest: w.cfg.Digest, Endpoint: w.cfg.Endpoint,
		ToolNames: names, Options: opts, ChatOnly: w.cfg.ChatOnly, Purpose: purpose,
		Window: f.Window, Budget: f.Budget, Estimate: f.Estimate, Bytes: f.Bytes, TokensPerByte: round3(f.Ratio), Samples: f.Samples}
	var blobs [][]byte
	addrs := make([]string, len(msgs))
	from := 0
	if !f.Compacted && len(sent.addrs) <= len(msgs) {
		// The conversation only grew since the last request (and some of
		// its messages were trimmed): each message is encoded once, not
		// at every step.
		from = copy(addrs, sent.addrs)
		for _, i := range f.Rewritten {
			if i < from {
				b, err := json.Marshal(msgs[i])
				if err != nil {
					return ollama.ChatResult{}, err
				}
				addrs[i] = eventlog.BlobAddress(b)
				if !sent.stored[addrs[i]] {
					blobs = append(blobs, b)
					sent.stored[addrs[i]] = true
				}
			}
		}
	}
	for i := from; i < len(msgs); i++ {
		m := msgs[i]
		b, err := json.Marshal(m)
		if err != nil {
			return ollama.ChatResult{}, err
		}
		addrs[i] = eventlog.BlobAddress(b)
		if !sent.stored[addrs[i]] {
			blobs = append(blobs, b)
		}
	}
	rp.Messages = addrs
	if toolsBlob != nil {
		rp.Tools = eventlog.BlobAddress(toolsBlob)
		if !sent.stored[rp.Tools] {
			blobs = append(blobs, toolsBlob)
		}
	}
	if _, err := env.Record(eventlog.InferenceRequest, rp, blobs...); err != nil {
		return ollama.ChatResult{}, err
	}
	for _, a := range addrs[from:] {
		sent.stored[a] = true
	}
	sent.addrs = addrs
	if rp.Tools != "" {
		sent.stored[rp.Tools] = true
	}
	w.update(env, Update{Step: step, Kind: "step", Window: f.Window, Estimate: f.Estimate, Purpose: purpose})
	req := &api.ChatRequest{Model: w.cfg.Model, Messages: msgs, Tools: defs, Options: opts}
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
	out := ResponsePayload{Step: step, Model: w.cfg.Model, Digest: w.cfg.Digest, Content: preview(res.Content, 2000), Purpose: purpose, Window: f.Window,
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
		PromptTokens: res.PromptTokens, EvalTokens: res.EvalTokens, TokensPerSecond: tokensPerSecond(res), Window: f.Window, Purpose: purpose})
	truncated, err := env.Observed(ctx, w.cfg.Window, step, f, addrs, rp.Tools, res.PromptTokens)
	if err != nil {
		return res, err
	}
	if truncated {
		w.update(env, Update{Step: step, Kind: "truncated", Window: f.Window, Estimate: f.Estimate, PromptTokens: res.PromptTokens,
			Error: fmt.Sprintf("the server cut this request: it counted %d prompt tokens of about %d sent (window %d); the next request is made smaller", res.PromptTokens, f.Estimate, f.Window)})
	}
	return res, nil
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

// numOpt reads an integer option however it was given.
func numOpt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		return int(n), true
	}
	return 0, false
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

// systemPrompt tells the model where it is, what it may do, the
// project's rules and what the user has taught the Studio (the memories
// mounted into the run). A small window gets the compact version.
func systemPrompt(env *kernel.Env, cfg Config, tools []string) string {
	var b strings.Builder
	if cfg.CompactPrompt {
		b.WriteString("You are ICE Studio's coding agent on the user's project folder. ")
		if cfg.ChatOnly {
			b.WriteString("No tools: answer in words.\n")
		} else {
			b.WriteString("Paths are relative to the root. Writes are staged for the user's review. Read before editing. Call finish when done.\n")
			switch env.Profile() {
			case capability.ProfileAsk:
				b.WriteString("Read-only run.\n")
			case capability.ProfileEdit:
				b.WriteString("No commands in this run.\n")
			}
		}
	} else {
		b.WriteString("You are the coding agent of ICE Studio, working on the user's project folder (the workspace).\n")
		if cfg.ChatOnly {
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
	}
	if len(env.History()) > 0 {
		b.WriteString("\nThis conversation goes on: the earlier messages are its previous turns.")
		if cfg.Note != "" {
			b.WriteString(" " + cfg.Note)
		}
		b.WriteString("\n")
	} else if cfg.Note != "" {
		b.WriteString("\n" + cfg.Note + "\n")
	}
	for _, r := range env.Rules() {
		fmt.Fprintf(&b, "\nProject rules from %s (follow them):\n%s\n", r.Path, strings.TrimSpace(string(r.Data)))
	}
	if mems := env.Memories(); len(mems) > 0 {
		b.WriteString("\nWhat the user has taught the Studio about this project (memories):\n")
		for _, m := range mems {
			fmt.Fprintf(&b, "- [%s] %s\n", m.Kind, m.Content)
		}
	}
	return b.String()
}

// taskMessage is the user's message: the task, the files attached with
// @ and the editor selection sent with it.
func taskMessage(env *kernel.Env) api.Message {
	var b strings.Builder
	b.WriteString(env.Task())
	for _, f := range env.ContextFiles() {
		if f.Folder {
			fmt.Fprintf(&b, "\n\n@%s/ (a folder):\n```\n", f.Path)
			for _, e := range f.Listing.Entries {
				if e.Kind == workspace.KindDir {
					fmt.Fprintf(&b, "%s/\n", e.Name)
				} else {
					fmt.Fprintf(&b, "%s (%d bytes)\n", e.Name, e.Size)
				}
			}
			if f.Listing.Truncated {
				b.WriteString("… (more entries not shown)\n")
			}
			b.WriteString("```")
			continue
		}
		text, ok := textOf(f.Data)
		if !ok {
			fmt.Fprintf(&b, "\n\n@%s is a binary file (%d bytes): not included.", f.Path, len(f.Data))
			continue
		}
		fmt.Fprintf(&b, "\n\n@%s:\n```\n%s\n```", f.Path, strings.TrimRight(text, "\n"))
	}
	if s := env.Selection(); s != nil {
		fmt.Fprintf(&b, "\n\nSelected in %s, lines %d–%d:\n```\n%s\n```", s.Path, s.StartLine, s.EndLine, strings.TrimRight(s.Text, "\n"))
	}
	return api.Message{Role: "user", Content: b.String()}
}

// textOf returns data as text when it is text (no NUL, valid UTF-8 after
// replacement), cut at maxResult bytes.
func textOf(data []byte) (string, bool) {
	if strings.IndexByte(string(data), 0) >= 0 {
		return "", false
	}
	s := strings.ToValidUTF8(string(data), "\uFFFD")
	if len(s) > maxResult {
		s = truncateUTF8(s, maxResult) + fmt.Sprintf("\n… (cut at %d bytes)", maxResult)
	}
	return s, true
}
