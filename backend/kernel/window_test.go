package kernel_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
)

// fitInRun runs fn in an executing run and returns the run's id.
func fitInRun(t *testing.T, h *harness, fn func(ctx context.Context, env *kernel.Env) error) string {
	t.Helper()
	var err error
	info := h.start(kernel.StartRequest{Task: "window"}, steps(func(ctx context.Context, env *kernel.Env) error {
		err = fn(ctx, env)
		return nil
	}))
	h.wait(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	return info.ID
}

func conversationOf(tools int, outputs ...int) []api.Message {
	msgs := []api.Message{{Role: "system", Content: "SYSTEM"}, {Role: "user", Content: "TASK"}}
	for i, n := range outputs {
		msgs = append(msgs, api.Message{Role: "assistant", ToolCalls: []api.ToolCall{{Function: api.ToolCallFunction{Name: "read_file"}}}},
			api.Message{Role: "tool", ToolName: "read_file", Content: strings.Repeat(string(rune('a'+i%26)), n)})
	}
	_ = tools
	return msgs
}

// A known calibration: one token per byte, measured.
var exact = kernel.Calibration{TokensPerByte: 1, Samples: 1}

func TestFitLeavesARequestThatFits(t *testing.T) {
	h := newHarness(t, nil)
	defer h.close()
	msgs := conversationOf(0, 100, 100)
	run := fitInRun(t, h, func(ctx context.Context, env *kernel.Env) error {
		f, err := env.Fit(ctx, kernel.Window{Tokens: 4096, Start: exact, Model: "m"}, kernel.FitRequest{Messages: msgs, Task: 1})
		if err != nil {
			return err
		}
		if f.Changed || len(f.Messages) != len(msgs) || f.Estimate != kernel.RequestBytes(msgs, nil)+16 || f.Budget != 4096-1024 {
			t.Errorf("fitted %+v", f)
		}
		return nil
	})
	if evs := h.events(run, eventlog.ContextTrimmed, eventlog.ContextCompacted); len(evs) != 0 {
		t.Fatalf("events for a request that fits: %v", evs)
	}
}

// Old tool outputs are cut first (head and tail kept), the last step's
// last; system prompt and task are never touched; the event names each
// message before and after by its blob.
func TestFitTrimsOldToolOutputsFirst(t *testing.T) {
	h := newHarness(t, nil)
	defer h.close()
	msgs := conversationOf(0, 3000, 3000, 3000)
	run := fitInRun(t, h, func(ctx context.Context, env *kernel.Env) error {
		f, err := env.Fit(ctx, kernel.Window{Tokens: 10000, Reserve: 1000, Start: exact, Model: "m"}, kernel.FitRequest{Step: 4, Messages: msgs, Task: 1})
		if err != nil {
			return err
		}
		if f.Estimate > f.Budget || !f.Changed {
			t.Errorf("still over budget: %+v", f)
		}
		if f.Messages[0].Content != "SYSTEM" || f.Messages[1].Content != "TASK" {
			t.Errorf("pinned messages changed: %+v", f.Messages[:2])
		}
		first, last := f.Messages[3].Content, f.Messages[7].Content
		if !strings.Contains(first, "bytes cut here by ICE Studio") || !strings.HasPrefix(first, "aaa") || !strings.HasSuffix(first, "aaa") {
			t.Errorf("the oldest output: %.80q…", first)
		}
		if last != msgs[7].Content {
			t.Errorf("the last step's output was cut while older ones could be")
		}
		return nil
	})
	evs := h.events(run, eventlog.ContextTrimmed)
	if len(evs) != 1 || evs[0].Origin != eventlog.OriginRuntime {
		t.Fatalf("trim events: %v", evs)
	}
	var p kernel.TrimPayload
	must(t, json.Unmarshal(evs[0].Payload, &p))
	b, _ := json.Marshal(msgs[3])
	if p.Step != 4 || len(p.Items) == 0 || p.Items[0].Index != 3 || p.Items[0].From != eventlog.BlobAddress(b) || p.Items[0].Kind != "trimmed" ||
		p.EstimateAfter > p.Budget || p.EstimateBefore <= p.Budget {
		t.Fatalf("trim payload: %+v", p)
	}
}

// When cutting is not enough, old results are dropped; when that is not
// enough either, older messages are compacted by the worker's summary.
func TestFitDropsThenCompacts(t *testing.T) {
	h := newHarness(t, nil)
	defer h.close()
	outputs := make([]int, 40)
	for i := range outputs {
		outputs[i] = 400
	}
	msgs := conversationOf(0, outputs...)
	var summarized []api.Message
	run := fitInRun(t, h, func(ctx context.Context, env *kernel.Env) error {
		f, err := env.Fit(ctx, kernel.Window{Tokens: 4000, Reserve: 500, Start: exact, Model: "m"}, kernel.FitRequest{Step: 41, Messages: msgs, Task: 1,
			Summarize: func(_ context.Context, old []api.Message, maxTokens int) (string, int, error) {
				summarized = old
				return "SUMMARY", 42, nil
			}})
		if err != nil {
			return err
		}
		if f.Estimate > f.Budget {
			t.Errorf("over budget after compaction: %+v", f)
		}
		// system, task, summary, then the last two steps.
		if len(f.Messages) != 3+4 || f.Messages[1].Content != "TASK" || f.Task != 1 || !strings.HasSuffix(f.Messages[2].Content, "SUMMARY") ||
			!strings.HasPrefix(f.Messages[2].Content, kernel.SummaryPrefix) {
			t.Errorf("after compaction: %d messages %+v", len(f.Messages), f.Messages[:3])
		}
		return nil
	})
	if len(summarized) != 2*38 {
		t.Fatalf("summarised %d messages, want the 38 older steps' 76", len(summarized))
	}
	comp := h.events(run, eventlog.ContextCompacted)
	if len(comp) != 1 || len(h.events(run, eventlog.ContextTrimmed)) != 1 {
		t.Fatalf("compactions %d", len(comp))
	}
	var p kernel.CompactPayload
	must(t, json.Unmarshal(comp[0].Payload, &p))
	if p.SummaryStep != 42 || p.Step != 41 || len(p.Replaced) != 76 || p.At != 2 || p.Reason != "fit" {
		t.Fatalf("compaction payload: %+v", p)
	}
	if _, err := h.store.GetBlob(context.Background(), p.Summary); err != nil {
		t.Fatalf("the summary message is not stored: %v", err)
	}
}

// A window that cannot hold even the system prompt, tools and task is a
// clear error, not a request the server cuts.
func TestFitRefusesAWindowTooSmall(t *testing.T) {
	h := newHarness(t, nil)
	defer h.close()
	msgs := []api.Message{{Role: "system", Content: strings.Repeat("s", 3000)}, {Role: "user", Content: "TASK"}}
	fitInRun(t, h, func(ctx context.Context, env *kernel.Env) error {
		_, err := env.Fit(ctx, kernel.Window{Tokens: 2048, Start: exact, Model: "m"}, kernel.FitRequest{Messages: msgs, Task: 1})
		if !errors.Is(err, kernel.ErrContextTooSmall) || !strings.Contains(err.Error(), "choose a larger window") {
			t.Errorf("err = %v", err)
		}
		// Unmanaged, it is sent as it is.
		f, err := env.Fit(ctx, kernel.Window{Tokens: 2048, Start: exact, Model: "m", Unmanaged: true}, kernel.FitRequest{Messages: msgs, Task: 1})
		if err != nil || f.Changed || f.Estimate <= f.Budget {
			t.Errorf("unmanaged: %+v %v", f, err)
		}
		return nil
	})
}

// The server's count is compared with what was sent: a count at the
// window's end, or below the count of a request this one extends, is a
// cut (recorded); an honest count calibrates the estimate.
func TestObservedFindsCuts(t *testing.T) {
	h := newHarness(t, nil)
	defer h.close()
	run := fitInRun(t, h, func(ctx context.Context, env *kernel.Env) error {
		w := kernel.Window{Tokens: 1000, Model: "obs"}
		if env.Calibrated(w) {
			t.Error("calibrated before any count")
		}
		f := kernel.Fitted{Window: 1000, Bytes: 1000, Estimate: 500}
		cut, err := env.Observed(ctx, w, 1, f, []string{"a"}, "t", 250)
		if err != nil || cut {
			t.Errorf("an honest count: %v %v", cut, err)
		}
		if !env.Calibrated(w) || env.TokensPerByte(w) < 0.25 || env.TokensPerByte(w) > 0.3 {
			t.Errorf("calibrated to %v", env.TokensPerByte(w))
		}
		// A request that extends the last one, counted lower: dropped.
		cut, err = env.Observed(ctx, w, 2, kernel.Fitted{Window: 1000, Bytes: 1200, Estimate: 350}, []string{"a", "b"}, "t", 200)
		if err != nil || !cut {
			t.Errorf("a count lower than the request it extends: %v %v", cut, err)
		}
		before := env.TokensPerByte(w)
		// All of the window: the server cut the prompt to fit.
		cut, err = env.Observed(ctx, w, 3, kernel.Fitted{Window: 1000, Bytes: 2000, Estimate: 900}, []string{"x"}, "t", 1000)
		if err != nil || !cut || env.TokensPerByte(w) <= before {
			t.Errorf("a count of the whole window: %v %v, ratio %v → %v", cut, err, before, env.TokensPerByte(w))
		}
		return nil
	})
	evs := h.events(run, eventlog.InferenceTruncated)
	if len(evs) != 2 {
		t.Fatalf("%d truncations recorded", len(evs))
	}
	var p kernel.TruncatedPayload
	must(t, json.Unmarshal(evs[1].Payload, &p))
	if p.Step != 3 || p.PromptEval != 1000 || p.NewRatio <= p.Ratio || !strings.Contains(p.Reason, "all of the window") {
		t.Fatalf("truncated: %+v", p)
	}
}

func TestCalibrationObserve(t *testing.T) {
	c := kernel.Calibration{}.Observe(1000, 250)
	if c.Samples != 1 || c.TokensPerByte < 0.287 || c.TokensPerByte > 0.288 {
		t.Fatalf("first: %+v", c)
	}
	up := c.Observe(1000, 500) // more tokens a byte: taken at once
	if up.TokensPerByte < 0.57 {
		t.Fatalf("up: %+v", up)
	}
	down := up.Observe(1000, 100) // fewer: slowly
	if down.TokensPerByte < 0.4 || down.TokensPerByte >= up.TokensPerByte {
		t.Fatalf("down: %+v", down)
	}
	if capped := (kernel.Calibration{}).Observe(10, 1000); capped.TokensPerByte > 1.2 {
		t.Fatalf("no tokenizer makes more than a token a byte: %+v", capped)
	}
	if same := c.Observe(0, 10); same != c {
		t.Fatalf("no bytes: %+v", same)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
