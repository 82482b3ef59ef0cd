package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/mcp"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// maxResult bounds the text of one tool result sent back to the model.
const maxResult = 24 << 10

// param is one argument of a tool.
type param struct {
	name, typ, desc string // typ: string, integer, boolean
	required        bool
}

// tool is one function the model can call.
type tool struct {
	name, desc string
	params     []param
	kind       string // the capability kind it needs ("" for finish)
	run        func(ctx context.Context, env *kernel.Env, a args) (string, error)
	finish     bool
	// An MCP tool: its definition, and run with the arguments whole.
	mcp *mcp.Tool
	raw func(ctx context.Context, env *kernel.Env, args json.RawMessage) (string, error)
}

func (t tool) def(compact bool) api.Tool {
	if t.mcp != nil {
		return mcpDef(t, compact)
	}
	props := api.NewToolPropertiesMap()
	var required []string
	desc := t.desc
	if compact {
		// A small window: the first sentence only, no parameter prose.
		if i := strings.Index(desc, ". "); i > 0 {
			desc = desc[:i+1]
		}
	}
	for _, p := range t.params {
		pd := p.desc
		if compact {
			pd = ""
		}
		props.Set(p.name, api.ToolProperty{Type: api.PropertyType{p.typ}, Description: pd})
		if p.required {
			required = append(required, p.name)
		}
	}
	return api.Tool{Type: "function", Function: api.ToolFunction{Name: t.name, Description: desc,
		Parameters: api.ToolFunctionParameters{Type: "object", Required: required, Properties: props}}}
}

// allTools is every tool, in the order the model is shown them.
var allTools = []tool{
	{name: "list_dir", kind: capability.FSRead, desc: "List a folder of the workspace: sub-folders end with /, files show their size.",
		params: []param{{"path", "string", `folder relative to the workspace root ("." for the root)`, false}}, run: listDir},
	{name: "read_file", kind: capability.FSRead, desc: "Read a text file (your own staged version if you changed it), with line numbers. Optionally a range of lines.",
		params: []param{{"path", "string", "file relative to the workspace root", true}, {"start_line", "integer", "first line (1-based)", false}, {"end_line", "integer", "last line", false}},
		run:    readFile},
	{name: "search_text", kind: capability.FSRead, desc: "Find lines containing a text (or matching a regular expression) in the workspace's text files.",
		params: []param{{"query", "string", "text to find", true}, {"path", "string", "folder to search (default: everything)", false}, {"regex", "boolean", "treat query as an RE2 regular expression", false}},
		run:    searchText},
	{name: "write_file", kind: capability.FSWrite, desc: "Create or replace a whole file. The change is staged for the user's review, not applied.",
		params: []param{{"path", "string", "file relative to the workspace root", true}, {"content", "string", "the complete new content", true}},
		run:    writeFile},
	{name: "edit_file", kind: capability.FSWrite, desc: "Change part of a file: replace old_text (which must occur exactly once, unless replace_all) with new_text, or apply a unified diff. Staged for review.",
		params: []param{{"path", "string", "file relative to the workspace root", true}, {"old_text", "string", "the exact text to replace", false},
			{"new_text", "string", "the text to put instead", false}, {"replace_all", "boolean", "replace every occurrence", false},
			{"diff", "string", "a unified diff of this file (instead of old_text/new_text)", false}},
		run: editFile},
	{name: "run_command", kind: capability.ShellExec, desc: "Run a program (no shell: use sh -c '…' for pipes and $VARS) in a sandbox that sees the workspace with your staged changes, without network unless allowed. Files it changes become staged changes for the user's review. Returns the exit code, output and changes.",
		params: []param{{"command", "string", `the command line, e.g. "go test ./..."`, true}, {"path", "string", "folder to run it in (default: the root)", false}},
		run:    runCommand},
	{name: "propose_memory", kind: capability.MemoryWrite, desc: "Propose something worth remembering about this project for later runs; the user reviews it.",
		params: []param{{"content", "string", "the fact, decision or convention, in one or two sentences", true}, {"kind", "string", "fact, decision, preference, summary, code_note or procedure", false}},
		run:    proposeMemory},
	{name: "finish", desc: "End the run with a short summary of what you did (or found).",
		params: []param{{"summary", "string", "what was done, for the user", true}}, finish: true,
		run: func(_ context.Context, _ *kernel.Env, a args) (string, error) { return a.str("summary"), nil }},
}

// toolsFor returns the tools a profile admits: the model is only offered
// what the kernel would allow (and the kernel checks every call anyway).
func toolsFor(profile string) []tool {
	admitted := map[string]bool{"": true}
	for _, k := range capability.ProfileKinds[profile] {
		admitted[k] = true
	}
	var out []tool
	for _, t := range allTools {
		if admitted[t.kind] {
			out = append(out, t)
		}
	}
	return out
}

// errBadCall is a call the model got wrong (told to it as a tool error).
var errBadCall = errors.New("invalid tool call")

// call checks a tool call's name and arguments and carries it out.
func (w *Worker) call(ctx context.Context, env *kernel.Env, tools []tool, c api.ToolCall) (*string, bool, error) {
	var t *tool
	for i := range tools {
		if tools[i].name == c.Function.Name {
			t = &tools[i]
		}
	}
	if t == nil {
		if mt, ok := unofferedMCP(tools, c.Function.Name); ok {
			// An MCP tool not offered (its definition changed, or its server
			// went away): the kernel decides and records the call anyway,
			// and says why it is refused.
			t = &mt
		}
	}
	if t == nil {
		names := make([]string, len(tools))
		for i, x := range tools {
			names[i] = x.name
		}
		return nil, false, fmt.Errorf("%w: there is no tool %q in this run (the tools are %s)", errBadCall, c.Function.Name, strings.Join(names, ", "))
	}
	var out string
	if t.raw != nil {
		o, err := callRaw(ctx, env, *t, c)
		if err != nil {
			return nil, false, err
		}
		out = o
	} else {
		a, err := checkArgs(*t, c.Function.Arguments.ToMap())
		if err != nil {
			return nil, false, err
		}
		if out, err = t.run(ctx, env, a); err != nil {
			return nil, false, err
		}
	}
	if len(out) > maxResult {
		note := ""
		if t.mcp != nil {
			note = "; the whole result is in the run's log"
		}
		out = truncateUTF8(out, maxResult) + fmt.Sprintf("\n… (cut at %d bytes of %d%s)", maxResult, len(out), note)
	}
	return &out, t.finish, nil
}

// args are a call's checked arguments.
type args map[string]any

func (a args) str(k string) string { s, _ := a[k].(string); return s }
func (a args) num(k string) int    { n, _ := a[k].(int); return n }
func (a args) flag(k string) bool  { b, _ := a[k].(bool); return b }
func (a args) has(k string) bool   { _, ok := a[k]; return ok }

// checkArgs checks a call's arguments against the tool's parameters: every
// required one present, none unknown, each of its type.
func checkArgs(t tool, raw map[string]any) (args, error) {
	out := args{}
	known := map[string]param{}
	for _, p := range t.params {
		known[p.name] = p
	}
	var unknown []string
	for k := range raw {
		if _, ok := known[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("%w: %s has no argument %s", errBadCall, t.name, strings.Join(unknown, ", "))
	}
	for _, p := range t.params {
		v, ok := raw[p.name]
		if !ok || v == nil {
			if p.required {
				return nil, fmt.Errorf("%w: %s needs the argument %q (%s)", errBadCall, t.name, p.name, p.typ)
			}
			continue
		}
		switch p.typ {
		case "string":
			s, ok := v.(string)
			if !ok {
				return nil, typeErr(t, p, v)
			}
			out[p.name] = s
		case "integer":
			f, ok := v.(float64)
			if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<31 {
				return nil, typeErr(t, p, v)
			}
			out[p.name] = int(f)
		case "boolean":
			b, ok := v.(bool)
			if !ok {
				return nil, typeErr(t, p, v)
			}
			out[p.name] = b
		}
	}
	return out, nil
}

func typeErr(t tool, p param, v any) error {
	got := "null"
	switch v.(type) {
	case string:
		got = "a string"
	case float64:
		got = "a number"
	case bool:
		got = "a boolean"
	case []any:
		got = "an array"
	case map[string]any:
		got = "an object"
	}
	return fmt.Errorf("%w: the argument %q of %s must be %s, not %s", errBadCall, p.name, t.name, article(p.typ), got)
}

func article(typ string) string {
	if typ == "integer" {
		return "an integer"
	}
	return "a " + typ
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") // a character cut in half is dropped
}

func listDir(_ context.Context, env *kernel.Env, a args) (string, error) {
	path := a.str("path")
	if path == "" {
		path = "."
	}
	l, err := env.ListDir(path)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, e := range l.Entries {
		if e.Kind == workspace.KindDir {
			fmt.Fprintf(&b, "%s/\n", e.Name)
		} else {
			fmt.Fprintf(&b, "%s (%d bytes)\n", e.Name, e.Size)
		}
	}
	if len(l.Entries) == 0 {
		b.WriteString("(empty folder)\n")
	}
	if l.Truncated {
		b.WriteString("… (more entries not shown)\n")
	}
	return b.String(), nil
}

func readFile(_ context.Context, env *kernel.Env, a args) (string, error) {
	data, err := env.ReadFile(a.str("path"))
	if err != nil {
		return "", err
	}
	if !utf8.Valid(data) || strings.IndexByte(string(data), 0) >= 0 {
		return "", fmt.Errorf("%s is a binary file (%d bytes)", a.str("path"), len(data))
	}
	lines := strings.SplitAfter(string(data), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	from, to := 1, len(lines)
	if a.has("start_line") {
		from = max(1, a.num("start_line"))
	}
	if a.has("end_line") {
		to = min(len(lines), a.num("end_line"))
	}
	if len(lines) == 0 {
		return "(empty file)", nil
	}
	if from > len(lines) || from > to {
		return "", fmt.Errorf("%w: the file has %d lines; lines %d–%d do not exist", errBadCall, len(lines), from, to)
	}
	var b strings.Builder
	for i := from; i <= to; i++ {
		fmt.Fprintf(&b, "%d\t%s", i, lines[i-1])
		if !strings.HasSuffix(lines[i-1], "\n") {
			b.WriteString("\n")
		}
		if b.Len() > maxResult {
			fmt.Fprintf(&b, "… (stopped at line %d of %d; read on with start_line)\n", i, len(lines))
			break
		}
	}
	return b.String(), nil
}

func searchText(_ context.Context, env *kernel.Env, a args) (string, error) {
	hits, more, err := env.SearchText(a.str("query"), a.str("path"), a.flag("regex"), 100)
	if err != nil {
		return "", err
	}
	if len(hits) == 0 {
		return "no matches", nil
	}
	var b strings.Builder
	for _, h := range hits {
		fmt.Fprintf(&b, "%s:%d: %s\n", h.Path, h.Line, h.Text)
	}
	if more {
		b.WriteString("… (more matches not shown: narrow the search)\n")
	}
	return b.String(), nil
}

func writeFile(_ context.Context, env *kernel.Env, a args) (string, error) {
	content := a.str("content")
	if err := env.WriteFile(a.str("path"), []byte(content)); err != nil {
		return "", err
	}
	return fmt.Sprintf("staged %s (%d bytes) for the user's review", a.str("path"), len(content)), nil
}

func editFile(_ context.Context, env *kernel.Env, a args) (string, error) {
	path := a.str("path")
	hasDiff, hasOld := a.has("diff"), a.has("old_text")
	if hasDiff == hasOld {
		return "", fmt.Errorf("%w: give either old_text and new_text, or diff", errBadCall)
	}
	data, err := env.ReadFile(path)
	if err != nil {
		return "", err
	}
	text := string(data)
	var next string
	if hasDiff {
		next, err = applyDiff(text, a.str("diff"))
		if err != nil {
			return "", err
		}
	} else {
		old, repl := a.str("old_text"), a.str("new_text")
		if old == "" {
			return "", fmt.Errorf("%w: old_text is empty", errBadCall)
		}
		n := strings.Count(text, old)
		switch {
		case n == 0:
			return "", fmt.Errorf("old_text does not occur in %s (read the file again and copy the text exactly)", path)
		case n > 1 && !a.flag("replace_all"):
			return "", fmt.Errorf("old_text occurs %d times in %s: include more surrounding text, or set replace_all", n, path)
		}
		next = strings.ReplaceAll(text, old, repl)
	}
	if next == text {
		return "", fmt.Errorf("the edit leaves %s unchanged", path)
	}
	if err := env.WriteFile(path, []byte(next)); err != nil {
		return "", err
	}
	return fmt.Sprintf("staged the edit of %s for the user's review", path), nil
}

func runCommand(_ context.Context, env *kernel.Env, a args) (string, error) {
	// Split literally: never expand $VAR, ~ or globs from the Studio's own
	// environment, which would put its secrets on the approval card and in
	// the log. Expansion, if the model wants it, happens inside the sandbox.
	argv, err := capability.SplitCommandLine(strings.TrimSpace(a.str("command")))
	if err != nil {
		return "", fmt.Errorf("%w: %v", errBadCall, err)
	}
	if len(argv) == 0 {
		return "", fmt.Errorf("%w: the command is empty", errBadCall)
	}
	res, err := env.RunCommand(argv, a.str("path"), 0)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	switch {
	case res.Limit != "":
		fmt.Fprintf(&b, "the command was killed: over its %s limit\n", res.Limit)
	case res.TimedOut:
		b.WriteString("the command timed out\n")
	default:
		fmt.Fprintf(&b, "exit code %d\n", res.ExitCode)
	}
	for _, c := range res.Changes {
		switch c.Outcome {
		case kernel.ChangeStaged:
			fmt.Fprintf(&b, "changed %s (%s): staged for the user's review\n", c.Path, c.Op)
		case kernel.ChangeRefused:
			fmt.Fprintf(&b, "changed %s (%s): refused, not staged: %s\n", c.Path, c.Op, c.Reason)
		default:
			fmt.Fprintf(&b, "changed %s (%s): not staged: %s\n", c.Path, c.Op, c.Reason)
		}
	}
	out := res.Output
	if len(out) > maxResult-200 {
		// The end of a command's output (the failure, the summary) matters most.
		out = "… (output cut; its last part follows)\n" + out[len(out)-(maxResult-200):]
		out = strings.ToValidUTF8(out, "")
	}
	b.WriteString(out)
	if res.Truncated {
		b.WriteString("\n… (the output was longer than 1 MiB)")
	}
	return b.String(), nil
}

func proposeMemory(_ context.Context, env *kernel.Env, a args) (string, error) {
	kind := a.str("kind")
	if kind == "" {
		kind = "fact"
	}
	id, err := env.ProposeMemory(kind, "workspace", a.str("content"), 0.7)
	if err != nil {
		return "", err
	}
	return "proposed for the user's review (" + id + ")", nil
}
