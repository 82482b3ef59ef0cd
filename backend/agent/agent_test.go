package agent

import (
	"errors"
	"strings"
	"testing"
)

func TestApplyDiff(t *testing.T) {
	orig := "one\ntwo\nthree\nfour\nfive\n"
	for _, tc := range []struct {
		name, diff, want, err string
	}{
		{name: "replace a line", diff: "--- a/f\n+++ b/f\n@@ -2,3 +2,3 @@\n two\n-three\n+THREE\n four\n", want: "one\ntwo\nTHREE\nfour\nfive\n"},
		{name: "line numbers off", diff: "@@ -40,2 +40,3 @@\n four\n+four and a half\n five\n", want: "one\ntwo\nthree\nfour\nfour and a half\nfive\n"},
		{name: "two hunks", diff: "@@ -1,2 +1,2 @@\n-one\n+ONE\n two\n@@ -4,2 +4,1 @@\n four\n-five\n", want: "ONE\ntwo\nthree\nfour\n"},
		{name: "insert at top", diff: "@@ -1,1 +1,2 @@\n+zero\n one\n", want: "zero\none\ntwo\nthree\nfour\nfive\n"},
		{name: "context missing", diff: "@@ -1,2 +1,2 @@\n-uno\n+ONE\n", err: "does not apply"},
		{name: "no hunk", diff: "just words", err: "no @@ hunk"},
		{name: "bad line", diff: "@@ -1 +1 @@\n*one\n", err: "starts with none of"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := applyDiff(orig, tc.diff)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("applyDiff = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	// A file without a final newline keeps it that way.
	got, err := applyDiff("a\nb", "@@ -2 +2 @@\n-b\n+c\n")
	if err != nil || got != "a\nc" {
		t.Fatalf("no final newline: %q, %v", got, err)
	}
}

func TestTextCalls(t *testing.T) {
	for _, tc := range []struct {
		name, content, tool, args, err string
	}{
		{name: "words", content: "The answer is 42."},
		{name: "bare JSON", content: `{"name": "read_file", "arguments": {"path": "a.go"}}`, tool: "read_file", args: `{"path":"a.go"}`},
		{name: "fenced", content: "```json\n{\"name\": \"list_dir\", \"arguments\": {}}\n```", tool: "list_dir", args: `{}`},
		{name: "tagged", content: "<tool_call>\n{\"name\": \"finish\", \"parameters\": {\"summary\": \"ok\"}}\n</tool_call>", tool: "finish", args: `{"summary":"ok"}`},
		{name: "arguments as a string", content: `{"name": "read_file", "arguments": "{\"path\": \"b\"}"}`, tool: "read_file", args: `{"path":"b"}`},
		{name: "cut off", content: `{"name": "read_file", "arguments": {"path": `, err: "not valid JSON"},
		{name: "arguments not an object", content: `{"name": "read_file", "arguments": [1]}`, err: "not a valid JSON object"},
		{name: "no name", content: `<tool_call>{"arguments": {}}</tool_call>`, err: "names no tool"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls, err := textCalls(tc.content)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.tool == "" {
				if len(calls) != 0 {
					t.Fatalf("words read as calls: %+v", calls)
				}
				return
			}
			if len(calls) != 1 || calls[0].Function.Name != tc.tool || calls[0].Function.Arguments.String() != tc.args {
				t.Fatalf("calls = %+v", calls)
			}
		})
	}
}

func TestCheckArgs(t *testing.T) {
	read := allTools[1]
	for _, tc := range []struct {
		name string
		raw  map[string]any
		err  string
	}{
		{name: "ok", raw: map[string]any{"path": "a", "start_line": 2.0}},
		{name: "missing", raw: map[string]any{}, err: `needs the argument "path"`},
		{name: "wrong type", raw: map[string]any{"path": true}, err: "must be a string, not a boolean"},
		{name: "fraction", raw: map[string]any{"path": "a", "start_line": 1.5}, err: "must be an integer, not a number"},
		{name: "unknown", raw: map[string]any{"path": "a", "mode": "x"}, err: "has no argument mode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := checkArgs(read, tc.raw)
			if tc.err == "" {
				if err != nil || a.str("path") != "a" || a.num("start_line") != 2 {
					t.Fatalf("checkArgs = %v, %v", a, err)
				}
				return
			}
			if !errors.Is(err, errBadCall) || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
		})
	}
}

func TestToolsForProfiles(t *testing.T) {
	names := func(p string) string {
		var out []string
		for _, t := range toolsFor(p) {
			out = append(out, t.name)
		}
		return strings.Join(out, ",")
	}
	for p, want := range map[string]string{
		"ask":   "list_dir,read_file,search_text,finish",
		"edit":  "list_dir,read_file,search_text,write_file,edit_file,finish",
		"agent": "list_dir,read_file,search_text,write_file,edit_file,run_command,propose_memory,finish",
	} {
		if got := names(p); got != want {
			t.Errorf("%s: %s, want %s", p, got, want)
		}
	}
}
