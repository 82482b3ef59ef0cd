package realollama_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/internal/realollama"
)

// recorder is a testing.TB whose Skip and Fatal end only the goroutine
// that called them, recording why, so Start's refusals can be checked.
type recorder struct {
	*testing.T
	skipped, fatal string
}

func (r *recorder) Skip(args ...any)  { r.skipped = fmt.Sprint(args...); runtime.Goexit() }
func (r *recorder) Fatal(args ...any) { r.fatal = fmt.Sprint(args...); runtime.Goexit() }
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// start runs Start with a recorder, in its own goroutine.
func start(t *testing.T) *recorder {
	r := &recorder{T: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		realollama.Start(r)
	}()
	<-done
	return r
}

func TestStartSkipsWithoutBinary(t *testing.T) {
	t.Setenv(realollama.BinaryEnv, "")
	r := start(t)
	if !strings.Contains(r.skipped, realollama.BinaryEnv+" is not set") || r.fatal != "" {
		t.Errorf("Start without %s: skipped %q, fatal %q; want a skip naming the variable", realollama.BinaryEnv, r.skipped, r.fatal)
	}
}

func TestStartFailsOnABadBinary(t *testing.T) {
	notExec := filepath.Join(t.TempDir(), "ollama")
	if err := os.WriteFile(notExec, []byte("not a program"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, bin := range []string{filepath.Join(t.TempDir(), "missing"), notExec, t.TempDir()} {
		t.Setenv(realollama.BinaryEnv, bin)
		r := start(t)
		if !strings.Contains(r.fatal, bin) || r.skipped != "" {
			t.Errorf("Start with %s=%s: fatal %q, skipped %q; want a failure naming it", realollama.BinaryEnv, bin, r.fatal, r.skipped)
		}
	}
}

// TestRealStartAndStop starts a server, finds the tiny model installed with
// its options, and stops it.
func TestRealStartAndStop(t *testing.T) {
	srv := realollama.Start(t)
	ctx := context.Background()
	c := srv.Client()
	sr, err := c.Show(ctx, &api.ShowRequest{Model: srv.Model})
	if err != nil {
		t.Fatalf("Show(%s): %v\n%s", srv.Model, err, srv.Log())
	}
	for _, want := range []string{"num_ctx", "num_predict", "seed", "temperature", "num_thread"} {
		if !strings.Contains(sr.Parameters, want) {
			t.Errorf("Show(%s).Parameters = %q, want %s set", srv.Model, sr.Parameters, want)
		}
	}
	if sr.Template != realollama.Template {
		t.Errorf("Show(%s).Template = %q, want realollama.Template", srv.Model, sr.Template)
	}
	srv.Stop()
	if _, err := c.Version(ctx); err == nil {
		t.Error("Version() answered after Stop()")
	}
	srv.Stop() // a second Stop, and the cleanup's, are no-ops
	if log := srv.Log(); !strings.Contains(log, "Listening on") {
		t.Errorf("the server log does not say where it listened:\n%s", log)
	}
}

// TestRealToolCaller: the tool caller answers every prompt with
// realollama.ToolCall and </s>, in two tokens; with tools in the request
// Ollama returns it as a native tool call (and no text), without tools as
// text; the same every time.
func TestRealToolCaller(t *testing.T) {
	srv := realollama.Start(t)
	model := srv.InstallToolCaller(t)
	ctx := context.Background()
	c := srv.Client()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- ollama serve log ---\n%s", srv.Log())
		}
	})
	sr, err := c.Show(ctx, &api.ShowRequest{Model: model})
	if err != nil {
		t.Fatalf("Show(%s): %v", model, err)
	}
	if sr.Template != realollama.Template || !strings.Contains(sr.Parameters, "num_predict") {
		t.Errorf("Show(%s): template %q, parameters %q; want realollama.Template and num_predict", model, sr.Template, sr.Parameters)
	}
	readFile := api.Tool{Type: "function", Function: api.ToolFunction{Name: "read_file", Description: "Read a file."}}
	chat := func(prompt string, tools []api.Tool) (api.ChatResponse, []api.ToolCall, string) {
		t.Helper()
		var last api.ChatResponse
		var calls []api.ToolCall
		var content strings.Builder
		err := c.Chat(ctx, &api.ChatRequest{Model: model, Messages: []api.Message{{Role: "user", Content: prompt}}, Tools: tools},
			func(r api.ChatResponse) error {
				last = r
				calls = append(calls, r.Message.ToolCalls...)
				content.WriteString(r.Message.Content)
				return nil
			})
		if err != nil {
			t.Fatalf("Chat(%s, %q): %v", model, prompt, err)
		}
		return last, calls, content.String()
	}
	promptTokens := map[string]int{}
	for _, prompt := range []string{"Read the README.", "hi", realollama.ToolCall} {
		for range 2 {
			done, calls, content := chat(prompt, []api.Tool{readFile})
			if len(calls) != 1 || calls[0].Function.Name != "read_file" || calls[0].Function.Arguments.String() != `{"path":"README.md"}` || content != "" {
				t.Errorf("Chat(%q) with tools: calls %+v, content %q; want one native read_file call of README.md and no text", prompt, calls, content)
			}
			if done.DoneReason != "stop" || done.EvalCount != 2 {
				t.Errorf("Chat(%q) with tools: done reason %q after %d tokens, want stop after 2 (the call, </s>)", prompt, done.DoneReason, done.EvalCount)
			}
		}
		done, calls, content := chat(prompt, nil)
		if len(calls) != 0 || content != realollama.ToolCall || done.DoneReason != "stop" {
			t.Errorf("Chat(%q) without tools: calls %+v, content %q, done reason %q; want the call as text", prompt, calls, content, done.DoneReason)
		}
		promptTokens[prompt] = done.PromptEvalCount
	}
	// The call's text in a prompt is many tokens, not the call token.
	if n := promptTokens[realollama.ToolCall] - promptTokens["hi"]; n < 10 {
		t.Errorf("a prompt of the call's text is %d tokens longer than \"hi\": the tokenizer made the call token from it", n)
	}
}
