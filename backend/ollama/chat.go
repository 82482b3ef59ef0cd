package ollama

import (
	"context"
	"fmt"
	"strings"

	"github.com/ollama/ollama/api"
)

// ChatResult is a whole streamed chat answer, as the audit records it.
type ChatResult struct {
	Content      string         `json:"content"`
	Thinking     string         `json:"thinking,omitempty"`
	ToolCalls    []api.ToolCall `json:"toolCalls,omitempty"`
	DoneReason   string         `json:"doneReason"`
	Model        string         `json:"model"`
	PromptTokens int            `json:"promptTokens"`
	EvalTokens   int            `json:"evalTokens"`
	Metrics      api.Metrics    `json:"metrics"`
}

// Chat streams a chat: onChunk gets each piece as it arrives (it may be
// nil); the result gathers them. A stream that stops before the server
// says it is done is ErrDropped; ctx cancels it.
func (p *Provider) Chat(ctx context.Context, req *api.ChatRequest, onChunk func(api.ChatResponse)) (ChatResult, error) {
	stream := true
	req.Stream = &stream
	var res ChatResult
	var content, thinking strings.Builder // a long answer comes in thousands of pieces
	done := false
	err := p.client.Chat(ctx, req, func(r api.ChatResponse) error {
		res.Model = r.Model
		content.WriteString(r.Message.Content)
		thinking.WriteString(r.Message.Thinking)
		res.ToolCalls = append(res.ToolCalls, r.Message.ToolCalls...)
		if r.Done {
			done = true
			res.DoneReason = r.DoneReason
			res.PromptTokens, res.EvalTokens = r.PromptEvalCount, r.EvalCount
			res.Metrics = r.Metrics
		}
		if onChunk != nil {
			onChunk(r)
		}
		return nil
	})
	res.Content, res.Thinking = content.String(), thinking.String()
	if ctx.Err() != nil {
		return res, context.Cause(ctx) // cancelled: not a dropped connection
	}
	if err != nil {
		return res, p.classify(err, req.Model)
	}
	if !done {
		return res, fmt.Errorf("%w: the answer of %s ended before it was done", ErrDropped, req.Model)
	}
	return res, nil
}
