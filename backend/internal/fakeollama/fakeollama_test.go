package fakeollama_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"text/template"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/internal/fakeollama"
	"github.com/ice-studio/ice-studio/backend/internal/realollama"
)

// chat sends req through the official client and returns the done chunk.
func chat(t *testing.T, s *fakeollama.Server, req *api.ChatRequest) api.ChatResponse {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	if req.Model == "" {
		req.Model = "tiny"
	}
	var done api.ChatResponse
	var n int
	err = api.NewClient(u, http.DefaultClient).Chat(context.Background(), req, func(r api.ChatResponse) error {
		if r.Done {
			done = r
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d done chunks", n)
	}
	return done
}

func msg(role string, c byte, n int) api.Message {
	return api.Message{Role: role, Content: strings.Repeat(string(c), n)}
}

func ctxOpt(n int) map[string]any { return map[string]any{"num_ctx": n} }

func roles(ms []api.Message) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Role+":"+m.Content[:1])
	}
	return strings.Join(out, " ")
}

func mustTool(t *testing.T) api.Tool {
	var tool api.Tool
	if err := json.Unmarshal([]byte(`{"type":"function","function":{"name":"read_file","description":"Read a file.","parameters":{"type":"object","required":["path"],"properties":{"path":{"type":"string","description":"The path."}}}}}`), &tool); err != nil {
		t.Fatal(err)
	}
	return tool
}

func mustCall(t *testing.T) api.ToolCall {
	var c api.ToolCall
	if err := json.Unmarshal([]byte(`{"function":{"name":"read_file","arguments":{"path":"a.go","n":2}}}`), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRender pins the rendering, and checks it against the tiny model's
// real template executed the way Ollama v0.6.5 executes it (consecutive
// messages of one role merged first).
func TestRender(t *testing.T) {
	tool := mustTool(t)
	call := mustCall(t)
	msgs := []api.Message{
		{Role: "system", Content: "sys"},
		{Role: "user", Content: "a"},
		{Role: "user", Content: "b"},
		{Role: "assistant", Content: "", ToolCalls: []api.ToolCall{call}},
		{Role: "tool", Content: "package a"},
	}
	tj, _ := json.Marshal(tool)
	want := "<|tools|>\n" + string(tj) + "\n" +
		"<|system|>\nsys\n<|user|>\na\n\nb\n<|assistant|>\n" + `{"name":"read_file","arguments":{"path":"a.go","n":2}}` + "\n<|tool|>\npackage a\n<|assistant|>\n"
	if got := fakeollama.Render(msgs, []api.Tool{tool}); got != want {
		t.Fatalf("Render:\n%q\nwant\n%q", got, want)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, tj); err != nil || compact.String() != string(tj) || !strings.Contains(string(tj), `"name":"read_file"`) {
		t.Fatalf("tool JSON not compact: %s", tj)
	}
	if msgs[1].Content != "a" {
		t.Fatal("Render changed its argument")
	}
	if got, want := fakeollama.Render(nil, nil), "<|assistant|>\n"; got != want {
		t.Fatalf("Render(nil) = %q", got)
	}

	tmpl := template.Must(template.New("").Parse(realollama.Template))
	for _, tc := range []struct {
		msgs  []api.Message
		tools []api.Tool
	}{{msgs, []api.Tool{tool, tool}}, {msgs[1:], nil}, {msgs[:1], nil}} {
		var collated []*api.Message // template.collate of v0.6.5
		for _, m := range tc.msgs {
			if len(collated) > 0 && collated[len(collated)-1].Role == m.Role {
				collated[len(collated)-1].Content += "\n\n" + m.Content
			} else {
				collated = append(collated, &m)
			}
		}
		var b strings.Builder
		if err := tmpl.Execute(&b, map[string]any{"Messages": collated, "Tools": tc.tools, "Response": ""}); err != nil {
			t.Fatal(err)
		}
		if got := fakeollama.Render(tc.msgs, tc.tools); got != b.String() {
			t.Fatalf("Render:\n%q\nreal template:\n%q", got, b.String())
		}
	}
}

func TestTokens(t *testing.T) {
	for _, tc := range []struct {
		text   string
		bpt, n int
	}{{"", 4, 0}, {"a", 4, 1}, {"abcd", 4, 1}, {"abcde", 4, 2}, {"abcde", 1, 5}, {"abcdefgh", 3, 3}} {
		if got := fakeollama.Tokens(tc.text, tc.bpt); got != tc.n {
			t.Errorf("Tokens(%q, %d) = %d, want %d", tc.text, tc.bpt, got, tc.n)
		}
	}
}

// Without EnforceContext nothing is cut: prompt_eval_count is the whole
// prompt at 4 bytes a token (and BOS), no Seen.
func TestNoEnforcement(t *testing.T) {
	s := fakeollama.Start()
	defer s.Close()
	r := chat(t, s, &api.ChatRequest{Messages: []api.Message{msg("user", 'x', 50_000)}, Options: ctxOpt(16)})
	if want := fakeollama.Tokens(fakeollama.Render([]api.Message{msg("user", 'x', 50_000)}, nil), 4) + 1; r.PromptEvalCount != want || want < 12_500 {
		t.Fatalf("prompt_eval_count %d, want %d", r.PromptEvalCount, want)
	}
	if len(s.Seen()) != 0 || s.Log() != "" {
		t.Fatalf("seen %v, log %q", s.Seen(), s.Log())
	}
	s.Push(fakeollama.Reply{Chunks: []string{"x"}, Prompt: 33})
	if r := chat(t, s, &api.ChatRequest{Messages: []api.Message{msg("user", 'x', 5)}}); r.PromptEvalCount != 33 {
		t.Fatalf("prompt_eval_count %d, want 33", r.PromptEvalCount)
	}
}

// A request within the window is seen whole.
func TestWithinWindow(t *testing.T) {
	s := fakeollama.Start()
	defer s.Close()
	s.EnforceContext(4)
	tool := mustTool(t)
	msgs := []api.Message{
		{Role: "system", Content: "You are a coding agent."},
		{Role: "user", Content: "Fix the bug in a.go."},
		{Role: "assistant", ToolCalls: []api.ToolCall{mustCall(t)}},
		{Role: "tool", Content: "package a\n\nfunc A() {}\n"},
	}
	r := chat(t, s, &api.ChatRequest{Messages: msgs, Tools: api.Tools{tool}, Options: ctxOpt(1024)})
	prompt := fakeollama.Render(msgs, []api.Tool{tool})
	want := fakeollama.Tokens(prompt, 4) + 1
	if want < 50 || want > 1024 {
		t.Fatalf("bad fixture: %d tokens", want)
	}
	if r.PromptEvalCount != want {
		t.Fatalf("prompt_eval_count %d, want %d", r.PromptEvalCount, want)
	}
	seen := s.Seen()
	if len(seen) != 1 {
		t.Fatalf("%d seen", len(seen))
	}
	sn := seen[0]
	if sn.Dropped != 0 || sn.Truncated || sn.NumCtx != 1024 || sn.NumKeep != 5 || sn.Request != 0 ||
		sn.TokensBefore != want || sn.TokensAfter != want || sn.Prompt != prompt || sn.Text != prompt {
		t.Fatalf("seen %+v", sn)
	}
	if len(sn.Messages) != len(msgs) || fakeollama.Render(sn.Messages, []api.Tool{tool}) != prompt {
		t.Fatalf("messages %v", sn.Messages)
	}
	if s.Log() != "" {
		t.Fatalf("log %q", s.Log())
	}
}

// A conversation longer than the window loses its oldest non-system
// messages first (the task first); system messages and the last message
// are kept. With one byte per token the sizes are (content of 100 bytes):
// system 112, user 110, assistant 115, the closing "<|assistant|>\n" 14.
func TestDropOldest(t *testing.T) {
	conv := []api.Message{msg("system", 'S', 100), msg("user", 'T', 100), msg("assistant", 'A', 100),
		msg("user", 'U', 100), msg("assistant", 'B', 100), msg("user", 'L', 100)}
	for _, tc := range []struct {
		numCtx      int
		kept        string
		dropped     int
		before      int
		after       int
		log         string
		textPrefix  string
		textDropped int // bytes of the prompt the runner discarded
	}{
		// 686 bytes in all: the runner's BOS makes it 687 tokens.
		{numCtx: 2048, kept: "system:S user:T assistant:A user:U assistant:B user:L", before: 687, after: 687},
		{numCtx: 687, kept: "system:S user:T assistant:A user:U assistant:B user:L", before: 687, after: 687},
		// Fits in chatPrompt's count (no BOS), not in the runner's: one
		// token after the first numKeep (5) is discarded.
		{numCtx: 686, kept: "system:S user:T assistant:A user:U assistant:B user:L", before: 687, after: 686, textDropped: 1,
			log: "truncating input prompt limit=686 prompt=687 keep=5 new=686\n"},
		{numCtx: 685, kept: "system:S assistant:A user:U assistant:B user:L", dropped: 1, before: 577, after: 577,
			log: "truncating input messages which exceed context length truncated=5\n"},
		{numCtx: 576, kept: "system:S assistant:A user:U assistant:B user:L", dropped: 1, before: 577, after: 576, textDropped: 1,
			log: "truncating input messages which exceed context length truncated=5\ntruncating input prompt limit=576 prompt=577 keep=5 new=576\n"},
		{numCtx: 575, kept: "system:S user:U assistant:B user:L", dropped: 2, before: 462, after: 462,
			log: "truncating input messages which exceed context length truncated=4\n"},
		{numCtx: 400, kept: "system:S assistant:B user:L", dropped: 3, before: 352, after: 352,
			log: "truncating input messages which exceed context length truncated=3\n"},
		{numCtx: 300, kept: "system:S user:L", dropped: 4, before: 237, after: 237,
			log: "truncating input messages which exceed context length truncated=2\n"},
		// Even system + last message do not fit: the runner keeps BOS and
		// "<|sy", then the newest tokens.
		{numCtx: 200, kept: "system:S user:L", dropped: 4, before: 237, after: 200, textDropped: 37,
			log: "truncating input messages which exceed context length truncated=2\ntruncating input prompt limit=200 prompt=237 keep=5 new=200\n"},
	} {
		t.Run(fmt.Sprint(tc.numCtx), func(t *testing.T) {
			s := fakeollama.Start()
			defer s.Close()
			s.EnforceContext(1)
			r := chat(t, s, &api.ChatRequest{Messages: conv, Options: ctxOpt(tc.numCtx)})
			sn := s.Seen()[0]
			if got := roles(sn.Messages); got != tc.kept {
				t.Errorf("kept %s, want %s", got, tc.kept)
			}
			if sn.Dropped != tc.dropped || sn.TokensBefore != tc.before || sn.TokensAfter != tc.after || sn.Truncated != (tc.textDropped > 0) {
				t.Errorf("seen dropped %d before %d after %d truncated %v", sn.Dropped, sn.TokensBefore, sn.TokensAfter, sn.Truncated)
			}
			if r.PromptEvalCount != tc.after || r.PromptEvalCount > tc.numCtx {
				t.Errorf("prompt_eval_count %d, want %d", r.PromptEvalCount, tc.after)
			}
			if sn.Prompt != fakeollama.Render(sn.Messages, nil) || len(sn.Prompt) != tc.before-1 {
				t.Errorf("prompt %q", sn.Prompt)
			}
			if want := sn.Prompt[:4] + sn.Prompt[4+tc.textDropped:]; sn.Text != want {
				t.Errorf("text %q, want %q", sn.Text, want)
			}
			if got := s.Log(); got != tc.log {
				t.Errorf("log %q, want %q", got, tc.log)
			}
		})
	}
}

// System messages before the cut are kept, moved ahead of the tail; like
// Ollama v0.6.5, a system message at the index where the walk stops is
// lost with the older messages.
func TestSystemMessages(t *testing.T) {
	s := fakeollama.Start()
	defer s.Close()
	s.EnforceContext(1)
	// [S1 T S2 A L]: from S2 or A on, with S1 (S1 and S2 merged into one
	// system block), 453 bytes; L with S1 and S2, 338; all of it, 573.
	chat(t, s, &api.ChatRequest{Messages: []api.Message{msg("system", '1', 100), msg("user", 'T', 100), msg("system", '2', 100),
		msg("assistant", 'A', 100), msg("user", 'L', 100)}, Options: ctxOpt(500)})
	chat(t, s, &api.ChatRequest{Messages: []api.Message{msg("system", '1', 100), msg("user", 'T', 100), msg("system", '2', 100),
		msg("assistant", 'A', 100), msg("user", 'L', 100)}, Options: ctxOpt(400)})
	// [S1 T A S2 L]: the walk stops at S2 (S1+S2+L = 338 > 300), so S2 is lost.
	chat(t, s, &api.ChatRequest{Messages: []api.Message{msg("system", '1', 100), msg("user", 'T', 100), msg("assistant", 'A', 100),
		msg("system", '2', 100), msg("user", 'L', 100)}, Options: ctxOpt(300)})
	seen := s.Seen()
	for i, want := range []struct {
		kept    string
		dropped int
		tokens  int
	}{{"system:1 system:2 assistant:A user:L", 1, 454}, {"system:1 system:2 user:L", 2, 339}, {"system:1 user:L", 3, 237}} {
		if got := roles(seen[i].Messages); got != want.kept || seen[i].Dropped != want.dropped || seen[i].TokensAfter != want.tokens || seen[i].Request != i {
			t.Errorf("%d: kept %s dropped %d tokens %d, want %s %d %d", i, got, seen[i].Dropped, seen[i].TokensAfter, want.kept, want.dropped, want.tokens)
		}
	}
	want := "truncating input messages which exceed context length truncated=4\n" +
		"truncating input messages which exceed context length truncated=2\n" +
		"truncating input messages which exceed context length truncated=2\n"
	if s.Log() != want {
		t.Errorf("log %q", s.Log())
	}
}

// A last message longer than the window is cut to exactly num_ctx tokens:
// the first num_keep+1 tokens, then the newest.
func TestLastMessageTruncated(t *testing.T) {
	s := fakeollama.Start()
	defer s.Close()
	s.EnforceContext(1)
	task := "TASK:" + strings.Repeat("x", 995)
	last := api.Message{Role: "user", Content: task}
	r := chat(t, s, &api.ChatRequest{Messages: []api.Message{last}, Options: ctxOpt(256)})
	prompt := "<|user|>\n" + task + "\n<|assistant|>\n" // 1024 bytes
	if r.PromptEvalCount != 256 {
		t.Fatalf("prompt_eval_count %d, want 256", r.PromptEvalCount)
	}
	sn := s.Seen()[0]
	if !sn.Truncated || sn.Dropped != 0 || len(sn.Messages) != 1 || sn.TokensBefore != 1025 || sn.TokensAfter != 256 || sn.NumKeep != 5 {
		t.Fatalf("seen %+v", sn)
	}
	// BOS + "<|us" kept, 769 tokens discarded, the newest 251 kept.
	if want := prompt[:4] + prompt[773:]; sn.Text != want || len(sn.Text) != 255 || strings.Contains(sn.Text, "TASK") {
		t.Fatalf("text %q", sn.Text)
	}
	if want := "truncating input prompt limit=256 prompt=1025 keep=5 new=256\n"; s.Log() != want {
		t.Fatalf("log %q", s.Log())
	}

	// num_keep 0: only BOS kept at the start; 4 bytes per token, rounded up.
	s.EnforceContext(4)
	r = chat(t, s, &api.ChatRequest{Messages: []api.Message{last}, Options: map[string]any{"num_ctx": 100, "num_keep": 0}})
	sn = s.Seen()[1]
	if r.PromptEvalCount != 100 || sn.TokensBefore != 257 || sn.NumKeep != 1 || sn.Text != prompt[len(prompt)-99*4:] || sn.Request != 1 {
		t.Fatalf("prompt_eval_count %d, seen %+v", r.PromptEvalCount, sn)
	}
	if !strings.HasSuffix(s.Log(), "truncating input prompt limit=100 prompt=257 keep=1 new=100\n") {
		t.Fatalf("log %q", s.Log())
	}

	// No num_ctx: Ollama's 2048.
	s.EnforceContext(1)
	r = chat(t, s, &api.ChatRequest{Messages: []api.Message{msg("user", 'x', 3000)}})
	if sn := s.Seen()[2]; r.PromptEvalCount != 2048 || sn.NumCtx != 2048 || !sn.Truncated {
		t.Fatalf("prompt_eval_count %d, seen %+v", r.PromptEvalCount, sn)
	}

	// A scripted Prompt is reported as it is; Seen has the real count.
	s.Push(fakeollama.Reply{Chunks: []string{"ok"}, Prompt: 7})
	r = chat(t, s, &api.ChatRequest{Messages: []api.Message{last}, Options: ctxOpt(256)})
	if sn := s.Seen()[3]; r.PromptEvalCount != 7 || sn.TokensAfter != 256 {
		t.Fatalf("prompt_eval_count %d, seen %+v", r.PromptEvalCount, sn)
	}

	// Turned off: back to the old behaviour.
	s.EnforceContext(0)
	if r = chat(t, s, &api.ChatRequest{Messages: []api.Message{last}, Options: ctxOpt(256)}); r.PromptEvalCount <= 256 || len(s.Seen()) != 4 {
		t.Fatalf("prompt_eval_count %d, %d seen", r.PromptEvalCount, len(s.Seen()))
	}
}

// Over random conversations: prompt_eval_count ≤ num_ctx, the last
// message is kept, the kept messages are system messages then a tail of
// the conversation, and the cut is where the next older message would not
// have fit.
func TestWindowProperties(t *testing.T) {
	s := fakeollama.Start()
	defer s.Close()
	rnd := rand.New(rand.NewSource(1))
	roleNames := []string{"system", "user", "assistant", "tool", "user", "assistant"}
	for it := 0; it < 300; it++ {
		bpt := 1 + rnd.Intn(5)
		s.EnforceContext(bpt)
		var msgs []api.Message
		for range 1 + rnd.Intn(12) {
			m := api.Message{Role: roleNames[rnd.Intn(len(roleNames))], Content: fmt.Sprintf("%d:", len(msgs)) + strings.Repeat("c", rnd.Intn(400))}
			msgs = append(msgs, m)
		}
		numCtx := 4 + rnd.Intn(600)
		r := chat(t, s, &api.ChatRequest{Messages: msgs, Options: ctxOpt(numCtx)})
		seen := s.Seen()
		sn := seen[len(seen)-1]
		if r.PromptEvalCount > numCtx || r.PromptEvalCount != sn.TokensAfter {
			t.Fatalf("%d: prompt_eval_count %d, num_ctx %d, seen %d", it, r.PromptEvalCount, numCtx, sn.TokensAfter)
		}
		if sn.TokensBefore != fakeollama.Tokens(fakeollama.Render(sn.Messages, nil), bpt)+1 || sn.TokensAfter != min(sn.TokensBefore, numCtx) ||
			sn.Truncated != (sn.TokensBefore > numCtx) {
			t.Fatalf("%d: seen %+v", it, sn)
		}
		if !reflect.DeepEqual(sn.Messages[len(sn.Messages)-1], msgs[len(msgs)-1]) {
			t.Fatalf("%d: last message lost", it)
		}
		// Messages = some system messages of msgs[:cut], then msgs[cut:]
		// (contents are unique).
		k := 0
		for k < len(sn.Messages) && reflect.DeepEqual(sn.Messages[len(sn.Messages)-1-k], msgs[len(msgs)-1-k]) {
			k++
		}
		cut := len(msgs) - k
		var system []api.Message
		for _, m := range msgs[:cut] {
			if m.Role == "system" {
				system = append(system, m)
			}
		}
		head := sn.Messages[:len(sn.Messages)-k]
		if len(head) > len(system) || sn.Dropped != len(msgs)-len(sn.Messages) {
			t.Fatalf("%d: kept %v of %v", it, sn.Messages, msgs)
		}
		for _, m := range head {
			if m.Role != "system" {
				t.Fatalf("%d: non-system message before the tail: %v", it, sn.Messages)
			}
		}
		if cut > 0 {
			// The next older window did not fit.
			var older []api.Message
			for _, m := range msgs[:cut-1] {
				if m.Role == "system" {
					older = append(older, m)
				}
			}
			older = append(older, msgs[cut-1:]...)
			if n := fakeollama.Tokens(fakeollama.Render(older, nil), bpt); n <= numCtx {
				t.Fatalf("%d: dropped %v though %d tokens fit in %d", it, msgs[:cut], n, numCtx)
			}
		}
		if cut < len(msgs)-1 && fakeollama.Tokens(sn.Prompt, bpt) > numCtx {
			t.Fatalf("%d: kept more than fits", it)
		}
	}
}
