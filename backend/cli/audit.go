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

// Audit is `ice-studio audit [--step N] [--json] [--full] RUN|THREAD`:
// what an agent run's model was sent and answered at every step (after
// the runtime trimmed or compacted it), rebuilt from the log and its
// blobs alone (the model is never asked again). A thread prints each of
// its turns. Ids may be given short, as the UI shows them (their end).
func Audit(args []string, io IO) int {
	fl := newFlags("audit", io)
	step := fl.Int("step", 0, "only model step `N`")
	asJSON := fl.Bool("json", false, "print each step's request body exactly as sent to Ollama's /api/chat, and its response event, as JSON")
	full := fl.Bool("full", false, "print messages in full (default: cut at 300 characters)")
	if err := fl.Parse(args); err != nil {
		return ExitUsage
	}
	if fl.NArg() != 1 {
		fmt.Fprintln(io.Stderr, "ice-studio audit: say which run or thread (its id or the short id the Studio shows)")
		return ExitUsage
	}
	store, _, ok := openLog(io, "audit")
	if !ok {
		return ExitFailed
	}
	defer store.Close()
	ctx := context.Background()
	runs, title, threadID, err := auditTarget(ctx, store, fl.Arg(0))
	if err != nil {
		fmt.Fprintf(io.Stderr, "ice-studio audit: %v\n", err)
		return ExitFailed
	}
	if title != "" && !*asJSON {
		fmt.Fprintf(io.Stdout, "thread %s · %s · %d turns\n", threadID, title, len(runs))
	}
	steps := 0
	for _, r := range runs {
		if title != "" && !*asJSON {
			fmt.Fprintf(io.Stdout, "\n══ turn %d (%s) · run %s\n", r.turn, r.kind, r.id)
		}
		n, err := auditRun(ctx, store, r.id, *step, *asJSON, *full, io)
		if err != nil {
			fmt.Fprintf(io.Stderr, "ice-studio audit: %v\n", err)
			return ExitFailed
		}
		steps += n
	}
	if steps == 0 {
		fmt.Fprintf(io.Stderr, "ice-studio audit: %s has no model steps in the log (is it an agent run?)\n", fl.Arg(0))
		return ExitFailed
	}
	return ExitOK
}

// auditTurn is a run to print, with its place in a thread.
type auditTurn struct {
	id, kind string
	turn     int
}

// auditTarget resolves a run or thread id (whole, or its end or start)
// from the log itself (the projections of a read-only log may be behind).
func auditTarget(ctx context.Context, store eventlog.Store, id string) (turns []auditTurn, title, thread string, err error) {
	id = shortForm(id)
	runs, threads := map[string]bool{}, map[string]string{}
	err = store.Read(ctx, eventlog.Query{Types: []string{eventlog.RunCreated, eventlog.ThreadCreated, eventlog.ThreadRenamed}, NoHashes: true}, func(e eventlog.Event) error {
		switch e.Type {
		case eventlog.RunCreated:
			runs[e.Run] = true
		default:
			var p struct {
				Title string `json:"title"`
			}
			_ = json.Unmarshal(e.Payload, &p)
			threads[strings.TrimPrefix(e.Stream, "thread/")] = p.Title
		}
		return nil
	})
	if err != nil {
		return nil, "", "", err
	}
	var matches []string
	kind := map[string]string{}
	for r := range runs {
		if matchID(r, id) {
			matches, kind[r] = append(matches, r), "run"
		}
	}
	for t := range threads {
		if matchID(t, id) {
			matches, kind[t] = append(matches, t), "thread"
		}
	}
	switch {
	case len(matches) == 0:
		return nil, "", "", fmt.Errorf("no run or thread %s in the log", id)
	case len(matches) > 1:
		return nil, "", "", fmt.Errorf("%s matches more than one id (%s): give more of it", id, strings.Join(matches, ", "))
	case len(id) < 6 && matches[0] != id:
		return nil, "", "", fmt.Errorf("%s is too short: give at least 6 characters of the id", id)
	}
	if kind[matches[0]] == "run" {
		return []auditTurn{{id: matches[0]}}, "", "", nil
	}
	var out []auditTurn
	err = store.Read(ctx, eventlog.Query{Stream: "thread/" + matches[0], Types: []string{eventlog.ThreadTurnAdded}, NoHashes: true}, func(e eventlog.Event) error {
		var p struct {
			Turn int    `json:"turn"`
			Run  string `json:"run"`
			Kind string `json:"kind"`
		}
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		out = append(out, auditTurn{id: p.Run, kind: p.Kind, turn: p.Turn})
		return nil
	})
	title = threads[matches[0]]
	if title == "" {
		title = "(untitled)"
	}
	return out, title, matches[0], err
}

// shortForm takes an id as the Studio shows it (shortId in
// EventDetail.tsx: "…" and the id's last 8 characters), also copied with
// the word before it ("run …1a2b3c4d") or with the "…" typed as three dots.
func shortForm(id string) string {
	id = strings.TrimSpace(id)
	for _, word := range []string{"run ", "thread ", "Run ", "Thread "} {
		id = strings.TrimPrefix(id, word)
	}
	return strings.TrimLeft(strings.TrimSpace(id), "….")
}

func matchID(full, id string) bool {
	return full == id || (len(id) >= 4 && (strings.HasSuffix(full, id) || strings.HasPrefix(full, id)))
}

// auditRun prints one run's steps and returns how many it has.
func auditRun(ctx context.Context, store *eventlog.SQLiteStore, run string, step int, asJSON, full bool, io IO) (int, error) {
	steps := 0
	cut := func(s string) string {
		if full {
			return s
		}
		return abbreviate(strings.ReplaceAll(s, "\n", "⏎"), 300)
	}
	enc := json.NewEncoder(io.Stdout)
	stream := true // as the Studio sends it
	err := store.Read(ctx, eventlog.Query{Run: run, NoHashes: true,
		Types: []string{eventlog.InferenceRequest, eventlog.InferenceResponse, eventlog.InferenceToolCall,
			eventlog.ContextTrimmed, eventlog.ContextCompacted, eventlog.InferenceTruncated}}, func(e eventlog.Event) error {
		switch e.Type {
		case eventlog.ContextTrimmed, eventlog.ContextCompacted, eventlog.InferenceTruncated:
			n, err := studio.NoticeOf(e)
			if err != nil {
				return err
			}
			if step != 0 && n.Step != step {
				return nil
			}
			if asJSON {
				return enc.Encode(map[string]any{"seq": e.Seq, "type": e.Type, "payload": e.Payload})
			}
			fmt.Fprintf(io.Stdout, "  %-8s %s (event %d)\n", n.Kind, n.Text, e.Seq)
		case eventlog.InferenceRequest:
			var p agent.RequestPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return err
			}
			if step != 0 && p.Step != step {
				return nil
			}
			steps++
			v, tools, err := studio.RebuildRequest(ctx, store, p)
			if err != nil {
				return err
			}
			if asJSON {
				return enc.Encode(map[string]any{"seq": e.Seq, "run": run, "step": p.Step, "purpose": p.Purpose, "digest": p.Digest, "endpoint": p.Endpoint,
					"window": p.Window, "estimate": p.Estimate,
					"request": api.ChatRequest{Model: v.Model, Messages: v.Messages, Tools: tools, Options: v.Options, Stream: &stream}})
			}
			purpose := ""
			if p.Purpose != "" {
				purpose = " (" + p.Purpose + ")"
			}
			fmt.Fprintf(io.Stdout, "── step %d%s (event %d) · %s %s · options %s · tools %s · about %d of %d tokens\n", p.Step, purpose, e.Seq, p.Model, p.Digest,
				compact(p.Options), strings.Join(p.ToolNames, ","), p.Estimate, p.Window)
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
			if step != 0 && head.Step != step {
				return nil
			}
			if asJSON {
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
	return steps, err
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
