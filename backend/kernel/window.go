package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// The runtime owns a model's context window. Before each request the
// kernel estimates its size in tokens (calibrated per model from what the
// server counted at earlier steps) and makes it fit, in this order:
// trim old tool outputs (head and tail kept), drop old tool results, then
// compact older messages into a summary the worker produces in a recorded
// inference step. The system prompt (with the rules files) and the
// current task are never removed. Each change is an event naming what it
// removed or replaced (context.trimmed, context.compacted); the request
// itself is recorded message by message, so the request rebuilt from the
// log is exactly what was sent. After the answer, the server's
// prompt_eval_count is compared with what was sent: a request the server
// cut anyway is recorded as inference.truncated, and the next one is made
// smaller.

// DefaultTokensPerByte is the estimate for a model not yet calibrated: a
// conservative 1 token per 2 bytes (English text is nearer 1 per 4; code,
// JSON and small vocabularies nearer 1 per 2).
const DefaultTokensPerByte = 0.5

// maxTokensPerByte bounds the estimate: a tokenizer with byte fallback
// makes at most a token a byte (and the margin).
const maxTokensPerByte = 1.2

// calibrationMargin is added to a measured ratio: what was measured on
// earlier messages is a guess for the next ones.
const calibrationMargin = 1.15

// messageOverhead is what a chat template adds around each message
// (role markers, separators), in bytes of the estimate.
const messageOverhead = 12

// ErrContextTooSmall is a window that cannot hold even what is never
// removed: the system prompt, the rules and the current task.
var ErrContextTooSmall = errors.New("the context window is too small")

// Calibration is a model's measured tokens per byte of a request.
type Calibration struct {
	TokensPerByte float64 `json:"tokensPerByte"`
	Samples       int     `json:"samples"` // steps measured (0: the default guess)
}

// Observe updates a calibration with a step the server counted (bytes
// sent as the estimate measures them, tokens it reported): a larger ratio
// is taken at once, a smaller one slowly.
func (c Calibration) Observe(bytes, tokens int) Calibration {
	if bytes <= 0 || tokens <= 0 {
		return c
	}
	r := min(float64(tokens)/float64(bytes)*calibrationMargin, maxTokensPerByte)
	if c.Samples == 0 || r > c.TokensPerByte {
		return Calibration{TokensPerByte: r, Samples: c.Samples + 1}
	}
	return Calibration{TokensPerByte: 0.7*c.TokensPerByte + 0.3*r, Samples: c.Samples + 1}
}

func (c Calibration) ratio() float64 {
	if c.TokensPerByte <= 0 {
		return DefaultTokensPerByte
	}
	return c.TokensPerByte
}

// calibrations are the kernel's per-model measurements (by digest, else
// name), shared by its runs.
type calibrations struct {
	mu sync.Mutex
	m  map[string]Calibration
}

func (c *calibrations) get(model string) Calibration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[model]
}

func (c *calibrations) set(model string, v Calibration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]Calibration)
	}
	c.m[model] = v
}

// MessageBytes is a message's size as the estimate counts it.
func MessageBytes(m api.Message) int {
	n := len(m.Role) + len(m.Content) + len(m.Thinking) + len(m.ToolName) + messageOverhead
	for _, c := range m.ToolCalls {
		b, _ := json.Marshal(c.Function)
		n += len(b)
	}
	return n
}

// RequestBytes is a request's size as the estimate counts it: every
// message and the whole tool schema.
func RequestBytes(msgs []api.Message, tools []byte) int {
	n := len(tools)
	for _, m := range msgs {
		n += MessageBytes(m)
	}
	return n
}

// Window is a run's context window.
type Window struct {
	Tokens int // num_ctx, sent with every request
	// Reserve is the room kept for the answer (0: a quarter of the
	// window, at most 1,024 tokens).
	Reserve int
	// Unmanaged sends requests as they are (the server may cut them; the
	// cut is still detected and recorded). For comparisons only.
	Unmanaged bool
	// Model names the model's calibration (its digest, else its name).
	Model string
	// Start is the calibration to begin with (a thread's earlier turns
	// measured it); the kernel's own is used when it has more samples.
	Start Calibration
}

func (w Window) reserve() int {
	if w.Reserve > 0 {
		return min(w.Reserve, w.Tokens/2)
	}
	return min(w.Tokens/4, 1024)
}

// Budget is the prompt tokens a request may take.
func (w Window) Budget() int { return w.Tokens - w.reserve() }

// FitRequest is one request to make fit.
type FitRequest struct {
	Step int
	// Messages is the working conversation: index 0 the system prompt,
	// Task the current task's message; both are never removed.
	Messages []api.Message
	Task     int
	Tools    []byte // the tool definitions (JSON), counted whole
	// Compact asks for a compaction whether or not the request fits
	// (the user's /compact).
	Compact bool
	// Summarize produces a summary of messages in a recorded inference
	// step of the worker, within maxTokens of answer; it returns the
	// summary and the step it was made in.
	Summarize func(ctx context.Context, msgs []api.Message, maxTokens int) (summary string, step int, err error)
}

// Fitted is a request made to fit, and what the estimate says of it.
type Fitted struct {
	Messages []api.Message
	Task     int     // the task's index in Messages
	Bytes    int     // RequestBytes of it
	Estimate int     // tokens
	Window   int     // num_ctx
	Budget   int     // prompt tokens allowed
	Ratio    float64 // tokens per byte used
	Samples  int
	// Changed: messages given were trimmed or replaced (else the request
	// is the conversation as given, and what was already sent of it is a
	// prefix of it). Without Compacted, the messages are the ones given,
	// those at Rewritten with a new content.
	Changed   bool
	Compacted bool
	Rewritten []int
}

// TrimPayload is context.trimmed: tool outputs cut or dropped so that a
// request fits its window.
type TrimPayload struct {
	Step           int        `json:"step"`
	Window         int        `json:"window"`
	Budget         int        `json:"budget"`
	EstimateBefore int        `json:"estimateBefore"`
	EstimateAfter  int        `json:"estimateAfter"`
	Items          []TrimItem `json:"items"`
}

// TrimItem is one message changed.
type TrimItem struct {
	Index int    `json:"index"` // in the request
	Kind  string `json:"kind"`  // "trimmed" (head and tail kept) or "dropped" (replaced by a note)
	Tool  string `json:"tool,omitempty"`
	From  string `json:"from"` // blob address of the message before
	To    string `json:"to"`   // and after
	Cut   int    `json:"cut"`  // bytes removed
}

// CompactPayload is context.compacted: messages replaced by a summary.
type CompactPayload struct {
	Step           int      `json:"step"`        // the request it was made for
	SummaryStep    int      `json:"summaryStep"` // the inference step that wrote it
	Reason         string   `json:"reason"`      // "fit" or "requested"
	Window         int      `json:"window"`
	EstimateBefore int      `json:"estimateBefore"`
	EstimateAfter  int      `json:"estimateAfter"`
	Replaced       []string `json:"replaced"` // blob addresses of the messages replaced, in order
	Summary        string   `json:"summary"`  // blob address of the summary message
	At             int      `json:"at"`       // its index in the request
}

// TruncatedPayload is inference.truncated: the server saw less than was
// sent although the estimate said it fit.
type TruncatedPayload struct {
	Step       int     `json:"step"`
	Window     int     `json:"window"`
	Estimate   int     `json:"estimate"`
	PromptEval int     `json:"promptEval"`
	Reason     string  `json:"reason"`
	Ratio      float64 `json:"ratio"`    // tokens per byte before
	NewRatio   float64 `json:"newRatio"` // and from now on
}

// SummaryPrefix starts a summary message.
const SummaryPrefix = "[Summary of the earlier conversation, written to fit the context window]\n"

// window is a run's window state.
type windowState struct {
	calib  Calibration
	shrink float64 // < 1 after a truncation: the budget is made smaller
	last   *observed
	sizes  []sized // MessageBytes of the messages last fitted
}

// sized is a message's size with what identifies it cheaply: a
// conversation only grows between steps, so the sizes of the messages
// already measured are kept (a message that no longer matches is
// measured again).
type sized struct {
	role                  string
	content, thinking, tc int
	bytes                 int
}

func sizeKey(m api.Message) sized {
	return sized{role: m.Role, content: len(m.Content), thinking: len(m.Thinking), tc: len(m.ToolCalls)}
}

// requestBytes is RequestBytes, with the sizes of unchanged messages
// taken from the last fit.
func (ws *windowState) requestBytes(msgs []api.Message, tools []byte) int {
	n := len(tools)
	next := make([]sized, len(msgs))
	for i, m := range msgs {
		k := sizeKey(m)
		if i < len(ws.sizes) && ws.sizes[i].role == k.role && ws.sizes[i].content == k.content &&
			ws.sizes[i].thinking == k.thinking && ws.sizes[i].tc == k.tc {
			k.bytes = ws.sizes[i].bytes
		} else {
			k.bytes = MessageBytes(m)
		}
		next[i] = k
		n += k.bytes
	}
	ws.sizes = next
	return n
}

// observed is the last request the server counted.
type observed struct {
	addrs  []string
	tools  string
	tokens int
}

func (rc *runCtx) windowState(w Window) *windowState {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.win == nil {
		// A thread's own measurement first (so a resumed thread sends
		// what it would have sent without the restart), else the kernel's.
		c := w.Start
		if c.Samples == 0 {
			c = rc.k.calib.get(w.Model)
		}
		rc.win = &windowState{calib: c, shrink: 1}
	}
	return rc.win
}

func estimate(bytes int, c Calibration) int {
	return int(math.Ceil(float64(bytes)*c.ratio())) + 16
}

// Calibrated reports whether the run's estimate for its model is measured.
func (e *Env) Calibrated(w Window) bool { return e.rc.windowState(w).calib.Samples > 0 }

// TokensPerByte is the run's current estimate for its model.
func (e *Env) TokensPerByte(w Window) float64 { return e.rc.windowState(w).calib.ratio() }

// Fit makes a request fit the run's window and records what it changed.
func (e *Env) Fit(ctx context.Context, w Window, req FitRequest) (Fitted, error) {
	ws := e.rc.windowState(w)
	msgs := append([]api.Message(nil), req.Messages...)
	budget := int(float64(w.Budget()) * ws.shrink)
	out := func() Fitted {
		b := ws.requestBytes(msgs, req.Tools)
		return Fitted{Messages: msgs, Task: req.Task, Bytes: b, Estimate: estimate(b, ws.calib), Window: w.Tokens, Budget: budget,
			Ratio: ws.calib.ratio(), Samples: ws.calib.Samples}
	}
	f := out()
	if w.Unmanaged || (f.Estimate <= budget && !req.Compact) {
		return f, nil
	}
	pinned := func(i int) bool { return i == 0 || i == req.Task }
	pinnedBytes := len(req.Tools) + MessageBytes(msgs[0])
	if req.Task > 0 {
		pinnedBytes += MessageBytes(msgs[req.Task])
	}
	if estimate(pinnedBytes, ws.calib) > budget {
		return f, fmt.Errorf("%w: %d tokens leave %d for the prompt, and the system prompt, rules, tools and task alone take about %d: choose a larger window, fewer @-files or a shorter message",
			ErrContextTooSmall, w.Tokens, budget, estimate(pinnedBytes, ws.calib))
	}
	before := f.Estimate
	var rewritten []int
	compacted := false
	if f.Estimate > budget {
		if err := e.trim(ctx, w, ws, &msgs, req, budget, pinned, before, &rewritten); err != nil {
			return f, err
		}
		f = out()
	}
	if f.Estimate > budget || req.Compact {
		reason := "fit"
		if req.Compact && f.Estimate <= budget {
			reason = "requested"
		}
		var err error
		if compacted, err = e.compact(ctx, w, ws, &msgs, &req, budget, reason); err != nil {
			return f, err
		}
		f = out()
		if f.Estimate > budget {
			// What is left after the summary is the latest work: cut its
			// tool outputs too.
			if err := e.trim(ctx, w, ws, &msgs, req, budget, pinned, f.Estimate, &rewritten); err != nil {
				return f, err
			}
			f = out()
		}
	}
	f.Changed, f.Compacted, f.Rewritten = true, compacted, rewritten // trimmed, compacted or both
	if f.Estimate > budget {
		return f, fmt.Errorf("%w: after trimming and compacting, the request still takes about %d tokens of %d", ErrContextTooSmall, f.Estimate, budget)
	}
	return f, nil
}

// trimNote is what replaces the middle of a trimmed tool output.
func trimNote(cut int) string {
	return fmt.Sprintf("\n… [%d bytes cut here by ICE Studio to fit the context window] …\n", cut)
}

// droppedNote replaces a dropped tool result.
func droppedNote(size int) string {
	return fmt.Sprintf("[tool result dropped by ICE Studio to fit the context window: %d bytes; call the tool again if you need it]", size)
}

// trim cuts tool outputs, oldest first, then drops old tool results,
// until the request fits; it records one context.trimmed.
func (e *Env) trim(ctx context.Context, w Window, ws *windowState, msgs *[]api.Message, req FitRequest, budget int, pinned func(int) bool, before int, rewritten *[]int) error {
	m := *msgs
	bytesNow := ws.requestBytes(m, req.Tools)
	fits := func() bool { return estimate(bytesNow, ws.calib) <= budget }
	p := TrimPayload{Step: req.Step, Window: w.Tokens, Budget: budget, EstimateBefore: before}
	// The last step's results are what the model is working on: they are
	// cut only when nothing older is left to cut.
	lastAssistant := len(m)
	for i := len(m) - 1; i > req.Task; i-- {
		if m[i].Role == "assistant" {
			lastAssistant = i
			break
		}
	}
	// keep is how much of a tool output survives a trim (head and tail).
	keep := max(256, int(float64(budget)/ws.calib.ratio())/8)
	change := func(i int, kind, content string) {
		from, _ := json.Marshal(m[i])
		old := len(m[i].Content)
		m[i].Content = content
		to, _ := json.Marshal(m[i])
		bytesNow += len(content) - old
		*rewritten = append(*rewritten, i)
		p.Items = append(p.Items, TrimItem{Index: i, Kind: kind, Tool: m[i].ToolName, From: eventlog.BlobAddress(from),
			To: eventlog.BlobAddress(to), Cut: old - len(content)})
	}
	isOutput := func(i int) bool { return !pinned(i) && m[i].Role == "tool" && !isNote(m[i].Content) }
	passes := []struct {
		kind   string
		recent bool
	}{{"trimmed", false}, {"dropped", false}, {"trimmed", true}, {"dropped", true}}
	for _, pass := range passes {
		for i := 1; i < len(m) && !fits(); i++ {
			if !isOutput(i) || (i > lastAssistant) != pass.recent {
				continue
			}
			c := m[i].Content
			switch pass.kind {
			case "trimmed":
				if len(c) <= 2*keep+200 {
					continue
				}
				head, tail := cutUTF8(c[:keep]), c[len(c)-keep:]
				tail = strings.ToValidUTF8(tail, "")
				change(i, "trimmed", head+trimNote(len(c)-len(head)-len(tail))+tail)
			case "dropped":
				change(i, "dropped", droppedNote(len(c)))
			}
		}
	}
	if len(p.Items) == 0 {
		return nil
	}
	p.EstimateAfter = estimate(bytesNow, ws.calib)
	*msgs = m
	return e.recordContext(ctx, eventlog.ContextTrimmed, p)
}

func isNote(s string) bool {
	return strings.HasPrefix(s, "[tool result dropped by ICE Studio")
}

// cutUTF8 drops a partial rune at the end of s.
func cutUTF8(s string) string {
	return strings.ToValidUTF8(s, "")
}

// compact replaces the older messages (all but the system prompt, the
// task and the last two steps) by a summary written in a recorded step.
func (e *Env) compact(ctx context.Context, w Window, ws *windowState, msgs *[]api.Message, req *FitRequest, budget int, reason string) (bool, error) {
	m := *msgs
	if req.Summarize == nil {
		return false, nil
	}
	// Steps start at an assistant message; the last two are kept.
	var starts []int
	for i := req.Task + 1; i < len(m); i++ {
		if m[i].Role == "assistant" || m[i].Role == "user" {
			starts = append(starts, i)
		}
	}
	keepFrom := len(m)
	if len(starts) >= 2 {
		keepFrom = starts[len(starts)-2]
	} else if len(starts) == 1 {
		keepFrom = starts[0]
	}
	var old []int
	for i := 1; i < keepFrom; i++ {
		if i != req.Task || req.Task == 0 {
			old = append(old, i)
		}
	}
	if len(old) == 0 {
		return false, nil
	}
	before := estimate(RequestBytes(m, req.Tools), ws.calib)
	var replaced []api.Message
	var addrs []string
	afterTask := false
	for _, i := range old {
		replaced = append(replaced, m[i])
		b, _ := json.Marshal(m[i])
		addrs = append(addrs, eventlog.BlobAddress(b))
		afterTask = afterTask || i > req.Task
	}
	maxTokens := min(512, max(64, w.Tokens/8))
	text, step, err := req.Summarize(ctx, replaced, maxTokens)
	if err != nil {
		return false, fmt.Errorf("compact the conversation: %w", err)
	}
	summary := api.Message{Role: "user", Content: SummaryPrefix + strings.TrimSpace(text)}
	sb, _ := json.Marshal(summary)
	var out []api.Message
	at, task := 0, 0
	out = append(out, m[0])
	if req.Task == 0 { // no task: only the conversation so far (a /compact of the thread)
		at = len(out)
		out = append(out, summary)
	} else if afterTask {
		out = append(out, m[req.Task])
		task = 1
		at = len(out)
		out = append(out, summary)
	} else {
		at = len(out)
		out = append(out, summary)
		task = len(out)
		out = append(out, m[req.Task])
	}
	out = append(out, m[keepFrom:]...)
	req.Task = task
	*msgs = out
	p := CompactPayload{Step: req.Step, SummaryStep: step, Reason: reason, Window: w.Tokens, EstimateBefore: before,
		EstimateAfter: estimate(RequestBytes(out, req.Tools), ws.calib), Replaced: addrs, Summary: eventlog.BlobAddress(sb), At: at}
	return true, e.recordContext(ctx, eventlog.ContextCompacted, p, sb)
}

// recordContext records a context.* event (a runtime fact).
func (e *Env) recordContext(ctx context.Context, typ string, payload any, blobs ...[]byte) error {
	if err := e.rc.emit(ctx, typ, payload, blobs...); err != nil {
		return fmt.Errorf("record %s: %w", typ, err)
	}
	return nil
}

// Observed compares what the server counted for a request with what was
// sent. A request it cut is recorded as inference.truncated (and true is
// returned); otherwise the model's calibration learns from the count.
// addrs are the request's message blob addresses, tools its tools blob.
func (e *Env) Observed(ctx context.Context, w Window, step int, f Fitted, addrs []string, tools string, promptEval int) (bool, error) {
	ws := e.rc.windowState(w)
	if promptEval <= 0 {
		return false, nil // not counted (a whole prompt from the cache)
	}
	reason := ""
	switch {
	case promptEval >= f.Window && f.Window > 0:
		reason = fmt.Sprintf("the server counted %d prompt tokens, all of the window of %d: it cut the prompt to fit", promptEval, f.Window)
	case ws.last != nil && ws.last.tools == tools && extends(addrs, ws.last.addrs) && promptEval < ws.last.tokens:
		reason = fmt.Sprintf("the server counted %d prompt tokens for a request that extends one it counted %d for: it dropped messages", promptEval, ws.last.tokens)
	case ws.calib.Samples > 0 && float64(promptEval) < 0.5*float64(f.Estimate)/calibrationMargin:
		reason = fmt.Sprintf("the server counted %d prompt tokens where about %d were sent: it dropped messages", promptEval, f.Estimate)
	}
	if reason == "" {
		ws.calib = ws.calib.Observe(f.Bytes, promptEval)
		ws.last = &observed{addrs: append([]string(nil), addrs...), tools: tools, tokens: promptEval}
		e.rc.k.calib.set(w.Model, ws.calib)
		return false, nil
	}
	p := TruncatedPayload{Step: step, Window: f.Window, Estimate: f.Estimate, PromptEval: promptEval, Reason: reason, Ratio: ws.calib.ratio()}
	ws.last = nil
	if !w.Unmanaged {
		// The estimate was wrong: from now on it counts more per byte
		// (never more than a token a byte: tokenizers fall back to
		// bytes), and the budget is smaller.
		ws.calib = Calibration{TokensPerByte: min(ws.calib.ratio()*1.5, maxTokensPerByte), Samples: ws.calib.Samples}
		ws.shrink = max(ws.shrink*0.85, 0.5)
	}
	p.NewRatio = ws.calib.ratio()
	if err := e.recordContext(ctx, eventlog.InferenceTruncated, p); err != nil {
		return true, err
	}
	return true, nil
}

// extends reports whether a starts with all of b.
func extends(a, b []string) bool {
	if len(a) < len(b) {
		return false
	}
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
