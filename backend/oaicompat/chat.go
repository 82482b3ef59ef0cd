package oaicompat

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ollama/ollama/api"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/shared"

	"github.com/ice-studio/ice-studio/backend/ollama"
)

// Chat streams a chat completion for an Ollama-shaped request: onChunk (it
// may be nil) gets one response per piece of text as it arrives and a last
// one, Done, with the tool calls, the counts and the metrics; the result
// gathers them. A stream that ends before the server gives a finish reason
// is ollama.ErrDropped; a tool call whose arguments are not a JSON object
// is ollama.ErrMalformed (the result then holds the text, and no calls);
// cancelling ctx stops it and returns context.Cause(ctx).
func (p *Provider) Chat(ctx context.Context, req *api.ChatRequest, onChunk func(api.ChatResponse)) (ollama.ChatResult, error) {
	res := ollama.ChatResult{Model: req.Model}
	params, err := chatParams(req)
	if err != nil {
		return res, err
	}
	start := time.Now()
	stream := p.chat.NewStreaming(ctx, params)
	defer stream.Close()

	var content, thinking strings.Builder // a long answer comes in thousands of pieces
	var calls toolCalls
	var first, last time.Time
	finish, usage := "", false
	for stream.Next() {
		chunk := stream.Current()
		now := time.Now()
		if chunk.Model != "" {
			res.Model = chunk.Model
		}
		if chunk.JSON.Usage.Valid() && (chunk.Usage.PromptTokens > 0 || chunk.Usage.CompletionTokens > 0) {
			res.PromptTokens, res.EvalTokens, usage = int(chunk.Usage.PromptTokens), int(chunk.Usage.CompletionTokens), true
		}
		for _, c := range chunk.Choices {
			if c.Index != 0 {
				continue // one answer is asked for (n is 1)
			}
			d := c.Delta
			text := d.Content + d.Refusal
			think := reasoning(d)
			if text != "" || think != "" || len(d.ToolCalls) > 0 {
				if first.IsZero() {
					first = now
				}
				last = now
			}
			for _, tc := range d.ToolCalls {
				calls.add(tc.Index, tc.ID, tc.Function.Name, tc.Function.Arguments)
			}
			if text != "" || think != "" {
				content.WriteString(text)
				thinking.WriteString(think)
				if onChunk != nil {
					onChunk(api.ChatResponse{Model: res.Model, CreatedAt: now, Message: api.Message{Role: "assistant", Content: text, Thinking: think}})
				}
			}
			if c.FinishReason != "" {
				finish = c.FinishReason
			}
		}
	}
	end := time.Now()
	res.Content, res.Thinking = content.String(), thinking.String()
	if ctx.Err() != nil {
		return res, context.Cause(ctx) // cancelled: not a dropped connection
	}
	if err := stream.Err(); err != nil && finish == "" {
		// After the finish reason the answer is whole: an error then (the
		// connection closing before [DONE]) loses at most the usage.
		return res, p.classify(ctx, err, req.Model)
	}
	if finish == "" {
		return res, fmt.Errorf("%w: the answer of %s from %s ended before it was done", ollama.ErrDropped, req.Model, p.Host())
	}
	tcs, err := calls.result()
	if err != nil {
		return res, fmt.Errorf("%w (from %s): %w", ollama.ErrMalformed, p.Host(), err)
	}
	res.ToolCalls = tcs
	res.DoneReason = doneReason(finish)
	if !usage {
		// The server ignored stream_options: the counts are unknown.
		res.PromptTokens, res.EvalTokens = 0, 0
	}
	res.Metrics = metrics(start, first, last, end, res.PromptTokens, res.EvalTokens)
	if onChunk != nil {
		onChunk(api.ChatResponse{Model: res.Model, CreatedAt: end, Message: api.Message{Role: "assistant", ToolCalls: res.ToolCalls},
			Done: true, DoneReason: res.DoneReason, Metrics: res.Metrics})
	}
	return res, nil
}

// metrics estimates Ollama's durations from the wall clock: the prompt
// until the first piece arrived, the answer from the first piece to the
// last (so tokens/s is what the stream delivered), the whole request.
func metrics(start, first, last, end time.Time, prompt, eval int) api.Metrics {
	m := api.Metrics{TotalDuration: end.Sub(start), PromptEvalCount: prompt, EvalCount: eval}
	if first.IsZero() {
		return m
	}
	m.PromptEvalDuration = first.Sub(start)
	// The first piece arrives when its token is done: the stream from it
	// to the last covers eval-1 tokens; scaled, eval of them.
	span := last.Sub(first)
	if eval > 1 {
		span = span * time.Duration(eval) / time.Duration(eval-1)
	}
	m.EvalDuration = span
	// The scaled answer time may reach back into the prompt's: keep the
	// parts within the whole, as Ollama's are.
	if extra := m.PromptEvalDuration + m.EvalDuration - m.TotalDuration; extra > 0 {
		m.PromptEvalDuration -= min(extra, m.PromptEvalDuration)
		m.EvalDuration = min(m.EvalDuration, m.TotalDuration)
	}
	return m
}

// doneReason maps an OpenAI finish reason to Ollama's done reason: a turn
// that ends in tool calls has stopped, as Ollama says of one.
func doneReason(finish string) string {
	switch finish {
	case "tool_calls", "function_call":
		return "stop"
	}
	return finish // "stop", "length", or the server's own (content_filter)
}

// reasoning is the thinking text some servers stream beside the content
// (vLLM and llama.cpp as reasoning_content, Ollama as reasoning), outside
// the OpenAI schema.
func reasoning(d openai.ChatCompletionChunkChoiceDelta) string {
	for _, k := range []string{"reasoning_content", "reasoning"} {
		// Fields outside the schema are never Valid (the client has no
		// type for them): their raw JSON is what there is.
		if f, ok := d.JSON.ExtraFields[k]; ok && f.Raw() != "" {
			var s string
			if json.Unmarshal([]byte(f.Raw()), &s) == nil && s != "" {
				return s
			}
		}
	}
	return ""
}

// toolCalls gathers streamed tool call fragments by their index, in the
// order they start.
type toolCalls struct {
	calls []*toolCall
	at    map[int64]*toolCall // the call now streaming at each index
}

type toolCall struct {
	index     int64
	id, name  string
	arguments strings.Builder
}

func (t *toolCalls) add(index int64, id, name, args string) {
	c := t.at[index]
	// A new id at an index already holding a call starts another one: some
	// servers (Ollama's /v1) send each whole call at the same index.
	if c == nil || (id != "" && c.id != "" && id != c.id) {
		c = &toolCall{index: index}
		t.calls = append(t.calls, c)
		if t.at == nil {
			t.at = map[int64]*toolCall{}
		}
		t.at[index] = c
	}
	if id != "" {
		c.id = id
	}
	if name != "" {
		c.name = name // the first fragment has it; servers that repeat it repeat the whole name
	}
	c.arguments.WriteString(args)
}

// result turns the gathered calls into Ollama's tool calls, with their
// arguments decoded.
func (t *toolCalls) result() ([]api.ToolCall, error) {
	var out []api.ToolCall
	for i, c := range t.calls {
		raw := strings.TrimSpace(c.arguments.String())
		if raw == "" {
			raw = "{}" // a call without arguments
		}
		var args api.ToolCallFunctionArguments
		if !strings.HasPrefix(raw, "{") {
			return nil, fmt.Errorf("the arguments of the call of %q are not a JSON object: %.200s", c.name, raw)
		}
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			return nil, fmt.Errorf("the arguments of the call of %q are not a JSON object (%v): %.200s", c.name, err, raw)
		}
		if c.name == "" {
			return nil, fmt.Errorf("tool call %d has no function name", i)
		}
		id := c.id
		if id == "" {
			id = callID(i)
		}
		out = append(out, api.ToolCall{ID: id, Function: api.ToolCallFunction{Index: i, Name: c.name, Arguments: args}})
	}
	return out, nil
}

// callID is the id given to the n-th tool call when none came with it.
func callID(n int) string { return "call_" + strconv.Itoa(n) }

// chatParams maps an Ollama chat request to a streamed chat completion's.
func chatParams(req *api.ChatRequest) (openai.ChatCompletionNewParams, error) {
	if strings.TrimSpace(req.Model) == "" {
		return openai.ChatCompletionNewParams{}, errors.New("say which model to chat with")
	}
	if len(req.Messages) == 0 {
		return openai.ChatCompletionNewParams{}, errors.New("the chat has no messages: give at least the user's")
	}
	msgs, err := messages(req.Messages)
	if err != nil {
		return openai.ChatCompletionNewParams{}, err
	}
	params := openai.ChatCompletionNewParams{
		Model:    shared.ChatModel(req.Model),
		Messages: msgs,
		// The last chunk then carries the usage: prompt and answer tokens.
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: param.NewOpt(true)},
	}
	for _, t := range req.Tools {
		ft, err := tool(t)
		if err != nil {
			return openai.ChatCompletionNewParams{}, err
		}
		params.Tools = append(params.Tools, ft)
	}
	if err := options(&params, req.Options); err != nil {
		return openai.ChatCompletionNewParams{}, err
	}
	return params, nil
}

// options maps Ollama's options onto the request. num_ctx has no OpenAI
// field (the server's own setting sizes the context), nor have top_k,
// repeat_penalty, min_p, num_thread and the like: they are ignored, not
// sent as unknown fields that OpenAI's own API rejects.
func options(p *openai.ChatCompletionNewParams, opts map[string]any) error {
	for k, v := range opts {
		switch k {
		case "temperature", "top_p", "frequency_penalty", "presence_penalty":
			f, ok := number(v)
			if !ok {
				return fmt.Errorf("option %s is %v: give a number", k, v)
			}
			switch k {
			case "temperature":
				p.Temperature = param.NewOpt(f)
			case "top_p":
				p.TopP = param.NewOpt(f)
			case "frequency_penalty":
				p.FrequencyPenalty = param.NewOpt(f)
			case "presence_penalty":
				p.PresencePenalty = param.NewOpt(f)
			}
		case "seed":
			f, ok := number(v)
			if !ok || f != math.Trunc(f) {
				return fmt.Errorf("option seed is %v: give a whole number", v)
			}
			if f >= 0 { // Ollama's -1 is "random": no seed
				p.Seed = param.NewOpt(int64(f))
			}
		case "num_predict":
			f, ok := number(v)
			if !ok || f != math.Trunc(f) {
				return fmt.Errorf("option num_predict is %v: give a whole number", v)
			}
			// max_tokens, not max_completion_tokens: it is what the
			// compatible servers read (Ollama v0.6.5 reads only it).
			// Ollama's -1 (no limit) and -2 (fill the context) send none.
			if f > 0 {
				p.MaxTokens = param.NewOpt(int64(f))
			}
		case "stop":
			stops, ok := stringList(v)
			if !ok {
				return fmt.Errorf("option stop is %v: give a list of strings", v)
			}
			if len(stops) > 0 {
				p.Stop = openai.ChatCompletionNewParamsStopUnion{OfStringArray: stops}
			}
		}
	}
	return nil
}

// number reads an option's number, whatever type the settings decoded.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		return f, err == nil
	}
	return 0, false
}

// stringList reads an option that is a string or a list of them.
func stringList(v any) ([]string, bool) {
	switch s := v.(type) {
	case string:
		return []string{s}, true
	case []string:
		return s, true
	case []any:
		out := make([]string, 0, len(s))
		for _, x := range s {
			str, ok := x.(string)
			if !ok {
				return nil, false
			}
			out = append(out, str)
		}
		return out, true
	}
	return nil, false
}

// tool maps an Ollama tool to a function tool.
func tool(t api.Tool) (openai.ChatCompletionToolUnionParam, error) {
	if t.Type != "" && t.Type != "function" {
		return openai.ChatCompletionToolUnionParam{}, fmt.Errorf("tool %q is of type %q: only function tools can be sent", t.Function.Name, t.Type)
	}
	raw, err := json.Marshal(t.Function.Parameters)
	if err != nil {
		return openai.ChatCompletionToolUnionParam{}, fmt.Errorf("the parameters of tool %q: %w", t.Function.Name, err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		return openai.ChatCompletionToolUnionParam{}, fmt.Errorf("the parameters of tool %q: %w", t.Function.Name, err)
	}
	if schema["type"] == "" || schema["type"] == nil {
		schema["type"] = "object"
	}
	if schema["properties"] == nil {
		schema["properties"] = map[string]any{} // JSON Schema wants an object, not null
	}
	def := shared.FunctionDefinitionParam{Name: t.Function.Name, Parameters: shared.FunctionParameters(schema)}
	if t.Function.Description != "" {
		def.Description = param.NewOpt(t.Function.Description)
	}
	return openai.ChatCompletionFunctionTool(def), nil
}

// messages maps the conversation. OpenAI ties each tool result to its call
// by id: calls that have none get "call_<n>" (n counting the calls of the
// conversation, so the same history gets the same ids), and a tool result
// without an id answers the next unanswered call of the assistant's last
// message (the one of its tool name, when it has one). A tool result that
// answers no call (the agent's notice of a call it could not read) goes as
// a user message, since servers refuse a tool message without its call.
// Ollama's thinking has no field in the request: it is not sent back.
func messages(in []api.Message) ([]openai.ChatCompletionMessageParamUnion, error) {
	out := make([]openai.ChatCompletionMessageParamUnion, 0, len(in))
	type pendingCall struct{ id, name string }
	var pending []pendingCall
	n := 0
	for i, m := range in {
		switch m.Role {
		case "system":
			out = append(out, openai.SystemMessage(m.Content))
		case "user":
			out = append(out, userMessage(m))
		case "assistant":
			var a openai.ChatCompletionAssistantMessageParam
			if m.Content != "" || len(m.ToolCalls) == 0 {
				// Without text the content is left out, not "": Ollama's /v1
				// drops the tool calls of a message that has content.
				a.Content.OfString = param.NewOpt(m.Content)
			}
			pending = pending[:0]
			for _, c := range m.ToolCalls {
				id := c.ID
				if id == "" {
					id = callID(n)
				}
				n++
				args, err := json.Marshal(c.Function.Arguments)
				if err != nil {
					return nil, fmt.Errorf("message %d: the arguments of the call of %q: %w", i, c.Function.Name, err)
				}
				a.ToolCalls = append(a.ToolCalls, openai.ChatCompletionMessageToolCallUnionParam{OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{
					ID:       id,
					Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: c.Function.Name, Arguments: string(args)},
				}})
				pending = append(pending, pendingCall{id, c.Function.Name})
			}
			out = append(out, openai.ChatCompletionMessageParamUnion{OfAssistant: &a})
		case "tool":
			id, at := m.ToolCallID, -1
			for j, c := range pending {
				if id != "" && c.id == id || id == "" && (m.ToolName == "" || c.name == m.ToolName) {
					at = j
					break
				}
			}
			if at < 0 && id == "" && len(pending) > 0 {
				at = 0 // a result named for no pending call answers the next one
			}
			if at >= 0 {
				id = pending[at].id
				pending = append(pending[:at], pending[at+1:]...)
			}
			if id == "" {
				out = append(out, openai.UserMessage(m.Content))
				continue
			}
			out = append(out, openai.ToolMessage(m.Content, id))
		default:
			return nil, fmt.Errorf("message %d has the role %q: an OpenAI-compatible server takes system, user, assistant and tool", i, m.Role)
		}
	}
	return out, nil
}

// userMessage maps a user message, with its images as data URLs.
func userMessage(m api.Message) openai.ChatCompletionMessageParamUnion {
	if len(m.Images) == 0 {
		return openai.UserMessage(m.Content)
	}
	parts := []openai.ChatCompletionContentPartUnionParam{}
	if m.Content != "" {
		parts = append(parts, openai.TextContentPart(m.Content))
	}
	for _, img := range m.Images {
		b := []byte(img)
		mime := http.DetectContentType(b)
		if !strings.HasPrefix(mime, "image/") {
			mime = "image/png"
		}
		var url bytes.Buffer
		url.WriteString("data:" + mime + ";base64,")
		url.WriteString(base64.StdEncoding.EncodeToString(b))
		parts = append(parts, openai.ImageContentPart(openai.ChatCompletionContentPartImageImageURLParam{URL: url.String()}))
	}
	return openai.UserMessage(parts)
}
