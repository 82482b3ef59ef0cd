package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/agent"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// Audit is `ice-studio audit [--step N] [--json] RUN`: what an agent run's
// model was sent and answered at every step, rebuilt from the log and its
// blobs alone (the model is never asked again).
func Audit(args []string, io IO) int {
	fl := newFlags("audit", io)
	step := fl.Int("step", 0, "only model step `N`")
	asJSON := fl.Bool("json", false, "print each step's request body exactly as sent to Ollama's /api/chat, and its response event, as JSON")
	full := fl.Bool("full", false, "print messages in full (default: cut at 300 characters)")
	if err := fl.Parse(args); err != nil {
		return ExitUsage
	}
	if fl.NArg() != 1 {
		fmt.Fprintln(io.Stderr, "ice-studio audit: say which run (its id, as `ice-studio events --type run.created` lists)")
		return ExitUsage
	}
	run := fl.Arg(0)
	store, _, ok := openLog(io, "audit")
	if !ok {
		return ExitFailed
	}
	defer store.Close()
	ctx := context.Background()
	steps := 0
	cut := func(s string) string {
		if *full {
			return s
		}
		return abbreviate(strings.ReplaceAll(s, "\n", "⏎"), 300)
	}
	enc := json.NewEncoder(io.Stdout)
	stream := true // as the Studio sends it
	err := store.Read(ctx, eventlog.Query{Run: run, NoHashes: true,
		Types: []string{eventlog.InferenceRequest, eventlog.InferenceResponse, eventlog.InferenceToolCall}}, func(e eventlog.Event) error {
		switch e.Type {
		case eventlog.InferenceRequest:
			var p agent.RequestPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return err
			}
			if *step != 0 && p.Step != *step {
				return nil
			}
			steps++
			v, tools, err := studio.RebuildRequest(ctx, store, p)
			if err != nil {
				return err
			}
			if *asJSON {
				return enc.Encode(map[string]any{"seq": e.Seq, "step": p.Step, "digest": p.Digest, "endpoint": p.Endpoint,
					"request": api.ChatRequest{Model: v.Model, Messages: v.Messages, Tools: tools, Options: v.Options, Stream: &stream}})
			}
			fmt.Fprintf(io.Stdout, "── step %d (event %d) · %s %s · options %s · tools %s\n", p.Step, e.Seq, p.Model, p.Digest,
				compact(p.Options), strings.Join(p.ToolNames, ","))
			for i, m := range v.Messages {
				who := m.Role
				if m.ToolName != "" {
					who += " " + m.ToolName
				}
				text := m.Content
				for _, c := range m.ToolCalls {
					text += fmt.Sprintf(" → %s(%s)", c.Function.Name, c.Function.Arguments.String())
				}
				fmt.Fprintf(io.Stdout, "  sent %2d  %-18s %s\n", i, who, cut(text))
			}
		case eventlog.InferenceResponse, eventlog.InferenceToolCall:
			var head struct {
				Step int `json:"step"`
			}
			_ = json.Unmarshal(e.Payload, &head)
			if *step != 0 && head.Step != *step {
				return nil
			}
			if *asJSON {
				return enc.Encode(map[string]any{"seq": e.Seq, "type": e.Type, "payload": e.Payload})
			}
			if e.Type == eventlog.InferenceResponse {
				var p agent.ResponsePayload
				_ = json.Unmarshal(e.Payload, &p)
				if p.Error != "" {
					fmt.Fprintf(io.Stdout, "  failed   %s\n", p.Error)
					return nil
				}
				fmt.Fprintf(io.Stdout, "  answer   %s (%s; %d prompt + %d generated tokens, %d ms)\n", cut(p.Content), p.DoneReason, p.PromptTokens, p.EvalTokens, p.WallMs)
				return nil
			}
			var p agent.ToolCallPayload
			_ = json.Unmarshal(e.Payload, &p)
			result := p.Preview
			if p.Error != "" {
				result = "error: " + p.Error
			}
			fmt.Fprintf(io.Stdout, "  tool     %s(%s) → %s\n", p.Name, string(p.Arguments), cut(result))
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio audit: %v\n", err)
		return ExitFailed
	}
	if steps == 0 {
		fmt.Fprintf(io.Stderr, "ice-studio audit: run %s has no model steps in the log (is it an agent run?)\n", run)
		return ExitFailed
	}
	return ExitOK
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
