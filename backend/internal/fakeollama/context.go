package fakeollama

// Context-window enforcement, as Ollama v0.6.5 does it (server/prompt.go's
// chatPrompt, then runner/llamarunner/runner.go's NewSequence), with a
// deterministic tokenizer, so tests can show what a model actually saw.

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ollama/ollama/api"
)

// DefaultNumCtx is Ollama's context length when a request sets no
// options.num_ctx (OLLAMA_CONTEXT_LENGTH's default).
const DefaultNumCtx = 2048

// DefaultNumKeep is Ollama's options.num_keep when a request sets none
// (api.DefaultOptions); the runner adds one for the BOS token.
const DefaultNumKeep = 4

// Seen is what the model saw for one chat request when the context window
// is enforced (see EnforceContext).
type Seen struct {
	Request int // index of the request in Requests()
	NumCtx  int // options.num_ctx, or DefaultNumCtx
	NumKeep int // leading tokens the runner keeps when it truncates, BOS included: min(num_keep+1, max(NumCtx,4)-1)

	// Messages are the messages rendered into the prompt: the system
	// messages before the cut, then the newest messages that fit (the last
	// message always). Dropped is how many of the request's messages are
	// not in Messages.
	Messages []api.Message
	Dropped  int
	Prompt   string // Render(Messages, request tools): the prompt text before token truncation

	TokensBefore int    // prompt tokens before the runner's truncation: Tokens(Prompt)+1 (BOS)
	Truncated    bool   // the runner discarded tokens ("truncating input prompt")
	TokensAfter  int    // prompt tokens the model evaluated, ≤ max(NumCtx,4); the reply's prompt_eval_count
	Text         string // the prompt text the model saw: Prompt without the bytes of the discarded tokens
}

type enforcement struct {
	bytesPerToken int
}

// EnforceContext makes the server apply options.num_ctx (default
// DefaultNumCtx) to every following chat request as Ollama v0.6.5 does,
// with a tokenizer that makes a token of every bytesPerToken bytes of the
// prompt (see Tokens) and adds a BOS token:
//
//  1. the server's chatPrompt walks the messages from the newest to the
//     oldest and keeps the longest tail whose prompt, with the system
//     messages before it, is at most num_ctx tokens (BOS not counted); the
//     last message is always kept. Like Ollama, a system message at the
//     index where the walk stops is lost with the older messages.
//  2. the runner, if the prompt with BOS is still longer than num_ctx
//     tokens, keeps the first NumKeep tokens and discards the ones right
//     after them, so that exactly num_ctx tokens remain.
//
// The reply's prompt_eval_count is then the count of tokens that remain,
// unless the Reply sets Prompt, which is reported as it is (Seen still has
// the computed count). Each request's result is kept (Seen) and the
// truncations are logged (Log). bytesPerToken ≤ 0 turns enforcement off:
// without it the fake answers prompt_eval_count 10 (or Reply.Prompt) and
// keeps no Seen.
func (s *Server) EnforceContext(bytesPerToken int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if bytesPerToken <= 0 {
		s.enforce = nil
		return
	}
	s.enforce = &enforcement{bytesPerToken: bytesPerToken}
}

// Seen returns what the model saw for each chat request received while
// enforcement was on, in order.
func (s *Server) Seen() []Seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Seen(nil), s.seen...)
}

// Log returns the lines Ollama would have logged about truncation, one per
// event, in order:
//
//	truncating input messages which exceed context length truncated=N
//	truncating input prompt limit=L prompt=P keep=K new=N
//
// As in Ollama, truncated is the count of messages from the first one that
// did not fit to the end (the dropped ones plus the tail that was kept,
// system messages included), not the count of dropped messages (see
// Seen.Dropped).
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// Tokens is the fake tokenizer's token count for text: one token per
// bytesPerToken bytes, rounded up, without BOS (as Ollama's server counts
// in chatPrompt; the runner's count is one more).
func Tokens(text string, bytesPerToken int) int {
	if bytesPerToken <= 0 {
		panic("fakeollama: bytesPerToken must be positive")
	}
	return (len(text) + bytesPerToken - 1) / bytesPerToken
}

// Render renders messages and tools into a prompt with the template of the
// tiny test model (realollama.Template), as Ollama v0.6.5 executes it:
// consecutive messages of the same role are first merged into one, their
// contents joined with "\n\n" (the first one's tool calls kept); then
//
//	<|tools|>\n + each tool as compact JSON + \n      (if there are tools)
//	<|role|>\n + content + each tool call as {"name":…,"arguments":…} + \n
//	<|assistant|>\n
//
// Images are not rendered.
func Render(msgs []api.Message, tools []api.Tool) string {
	var b strings.Builder
	if len(tools) > 0 {
		b.WriteString("<|tools|>\n")
		for _, t := range tools {
			j, _ := json.Marshal(t)
			b.Write(j)
			b.WriteString("\n")
		}
	}
	for _, m := range collate(msgs) {
		b.WriteString("<|" + m.Role + "|>\n" + m.Content)
		for _, c := range m.ToolCalls {
			args, _ := json.Marshal(c.Function.Arguments)
			b.WriteString(`{"name":"` + c.Function.Name + `","arguments":` + string(args) + `}`)
		}
		b.WriteString("\n")
	}
	b.WriteString("<|assistant|>\n")
	return b.String()
}

// collate is Ollama v0.6.5's template collate: it merges consecutive
// messages of the same role.
func collate(msgs []api.Message) []api.Message {
	var out []api.Message
	for _, m := range msgs {
		if len(out) > 0 && out[len(out)-1].Role == m.Role {
			out[len(out)-1].Content += "\n\n" + m.Content
		} else {
			out = append(out, m)
		}
	}
	return out
}

// intOption reads an integer option as Ollama's Options.FromMap does
// (JSON numbers are float64).
func intOption(opts map[string]any, key string, def int) int {
	switch v := opts[key].(type) {
	case float64:
		return int(v)
	case int:
		return v
	case int64:
		return int(v)
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return int(n)
		}
	}
	return def
}

// fit applies the context window to a request and returns what the model
// saw and the log lines.
func fit(req api.ChatRequest, bytesPerToken int) (Seen, []string) {
	var logs []string
	numCtx := intOption(req.Options, "num_ctx", DefaultNumCtx)
	numKeep := intOption(req.Options, "num_keep", DefaultNumKeep)
	msgs := append([]api.Message(nil), req.Messages...)
	tools := []api.Tool(req.Tools)

	// server/prompt.go chatPrompt, step for step.
	var system []api.Message
	n := len(msgs) - 1
	for i := n; i >= 0; i-- {
		if i == n {
			continue // always include the last message
		}
		system = make([]api.Message, 0)
		for j := range i {
			if msgs[j].Role == "system" {
				system = append(system, msgs[j])
			}
		}
		window := append(append([]api.Message(nil), system...), msgs[i:]...)
		if Tokens(Render(window, tools), bytesPerToken) > numCtx {
			logs = append(logs, fmt.Sprintf("truncating input messages which exceed context length truncated=%d", len(msgs[i:])))
			break
		}
		n = i
	}
	var kept []api.Message
	if n >= 0 {
		kept = append(append([]api.Message(nil), system...), msgs[n:]...)
	}
	prompt := Render(kept, tools)

	// runner/llamarunner/runner.go NewSequence. The scheduler loads the
	// runner with at least 4 tokens of context.
	limit := max(numCtx, 4)
	inputs := Tokens(prompt, bytesPerToken) + 1 // BOS
	keep := numKeep
	if keep < 0 {
		keep = inputs
	}
	keep++ // BOS
	keep = min(keep, limit-1)
	seen := Seen{NumCtx: numCtx, NumKeep: keep, Messages: kept, Dropped: len(msgs) - len(kept), Prompt: prompt,
		TokensBefore: inputs, TokensAfter: inputs, Text: prompt}
	if inputs > limit {
		discard := inputs - limit
		seen.Truncated = true
		seen.TokensAfter = limit
		// Token 0 is BOS; token k ≥ 1 is prompt[(k-1)*bpt : k*bpt].
		head := min((keep-1)*bytesPerToken, len(prompt))
		tail := min((keep+discard-1)*bytesPerToken, len(prompt))
		seen.Text = prompt[:head] + prompt[tail:]
		logs = append(logs, fmt.Sprintf("truncating input prompt limit=%d prompt=%d keep=%d new=%d", limit, inputs, keep, limit))
	}
	return seen, logs
}
