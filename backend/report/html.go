package report

import (
	"html/template"
	"strings"
)

// HTML renders r as one self-contained HTML file: inline CSS, no script,
// nothing fetched (its Content-Security-Policy forbids both), every text
// from the log escaped by html/template.
func HTML(r Report) (string, error) {
	var b strings.Builder
	if err := page.Execute(&b, r); err != nil {
		return "", err
	}
	return b.String(), nil
}

// diffLine is one line of a diff with its class.
type diffLine struct {
	Class, Text string
}

func diffLines(d string) []diffLine {
	lines := strings.Split(strings.TrimSuffix(d, "\n"), "\n")
	out := make([]diffLine, len(lines))
	for i, l := range lines {
		c := "ctx"
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
			c = "file"
		case strings.HasPrefix(l, "@@"):
			c = "hunk"
		case strings.HasPrefix(l, "+"):
			c = "add"
		case strings.HasPrefix(l, "-"):
			c = "del"
		case strings.HasPrefix(l, `\`):
			c = "note"
		}
		out[i] = diffLine{Class: c, Text: l}
	}
	return out
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"when":       when,
	"models":     modelText,
	"outcome":    outcomeText,
	"join":       strings.Join,
	"diffLines":  diffLines,
	"add":        func(a, b int) int { return a + b },
	"short":      shortID,
	"validation": func(v Validation) string { return strings.ReplaceAll(validationText(v), "`", "") },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="{{.Generator}}">
<title>{{.Title}} — ICE Studio report</title>
<style>
:root { --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa;
  --add: #dafbe1; --add-fg: #116329; --del: #ffebe9; --del-fg: #82071e; --hunk: #ddf4ff; --ok: #1a7f37; --bad: #cf222e; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --panel: #151b23;
    --add: #12361f; --add-fg: #7ee787; --del: #3c1618; --del-fg: #ffa198; --hunk: #121d2f; --ok: #3fb950; --bad: #f85149; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; background: var(--bg); color: var(--fg);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 6px; }
.muted { color: var(--muted); }
code, pre { font: 12.5px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin: 4px 0 10px;
  white-space: pre-wrap; word-break: break-word; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 12px; }
th, td { border: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
.verify { border: 1px solid var(--line); border-left: 4px solid var(--ok); padding: 8px 12px; border-radius: 6px; background: var(--panel); }
.verify.bad { border-left-color: var(--bad); }
.verify.bad strong, .bad-text { color: var(--bad); }
details { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 0 10px; }
details[open] { padding-bottom: 6px; }
summary { cursor: pointer; padding: 6px 0; font-weight: 600; }
.msg-role { font-weight: 600; margin-top: 6px; }
.diff { padding: 0; overflow-x: auto; white-space: pre; word-break: normal; }
.diff span { display: block; padding: 0 10px; }
.diff .add { background: var(--add); color: var(--add-fg); }
.diff .del { background: var(--del); color: var(--del-fg); }
.diff .hunk { background: var(--hunk); color: var(--muted); }
.diff .file { color: var(--muted); font-weight: 600; }
.diff .note { color: var(--muted); font-style: italic; }
.stat-add { color: var(--add-fg); } .stat-del { color: var(--del-fg); }
.run { margin-top: 28px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<div class="muted">ICE Studio report of a {{.Kind}} · made {{when .GeneratedAt}} by {{.Generator}} · {{.Schema}}</div>
</header>
<p class="verify{{if not .Verify.OK}} bad{{end}}" id="verify"><strong>Log verify:</strong> {{.Verify.Text}} <span class="muted">(checked {{when .Verify.At}}, log head seq {{.Verify.HeadSeq}})</span></p>
{{with .Thread}}
<dl class="facts">
<dt>Thread</dt><dd><code>{{.ID}}</code></dd>
<dt>Title</dt><dd>{{.Title}}</dd>
<dt>Workspace</dt><dd><code>{{.Workspace}}</code></dd>
<dt>Created</dt><dd>{{when .CreatedAt}}</dd>
{{if .ForkOf}}<dt>Fork of</dt><dd><code>{{.ForkOf}}</code> at turn {{.ForkTurn}}</dd>{{end}}
<dt>Turns</dt><dd>{{len $.Runs}}</dd>
</dl>
{{end}}
{{range .Runs}}{{template "run" .}}{{end}}
<footer>Built from the event log and its blobs alone. Ids and hashes can be checked with <code>ice-studio events --run ID --json</code> and <code>ice-studio verify</code>.</footer>
</body>
</html>
{{define "run"}}
<section class="run" id="run-{{.ID}}">
<h2>{{if .Turn}}Turn {{.Turn}} ({{.TurnKind}}) — {{end}}Run <code>{{.ID}}</code></h2>
<h3>Task</h3>
<pre>{{.Task}}</pre>
<dl class="facts">
<dt>Worker</dt><dd>{{.Worker}} · profile {{.Profile}}</dd>
<dt>Model</dt><dd>{{models .Models}}</dd>
<dt>Workspace</dt><dd><code>{{.Workspace}}</code> {{.WorkspaceRoot}}</dd>
<dt>Created</dt><dd>{{when .CreatedAt}} · ended {{when .EndedAt}}</dd>
<dt>Outcome</dt><dd>{{outcome .}}</dd>
{{if .RevertOf}}<dt>Reverts</dt><dd>run <a href="#run-{{.RevertOf}}"><code>{{.RevertOf}}</code></a></dd>{{end}}
{{range .RevertedBy}}<dt>Reverted by</dt><dd>run <a href="#run-{{.}}"><code>{{.}}</code></a></dd>{{end}}
{{with .Capabilities}}<dt>Capabilities</dt><dd>profile {{.Profile}}, policy {{.Policy}}, allows {{join .Allows ", "}}</dd>{{end}}
{{with .Context}}<dt>Context</dt><dd>files {{join .Files ", "}}{{if not .Files}}none{{end}}; rules {{join .Rules ", "}}{{if not .Rules}}none{{end}}; {{.History}} earlier messages; memories {{join .Memories ", "}}{{if not .Memories}}none{{end}}</dd>{{end}}
<dt>Log</dt><dd>{{.VerifyNote}}</dd>
</dl>

<h3>Steps ({{len .Steps}})</h3>
{{if not .Steps}}<p class="muted">No model steps.</p>{{end}}
{{range .Steps}}
<details>
<summary>Step {{.Step}}{{if .Purpose}} ({{.Purpose}}){{end}} · {{.Model}} · {{.SentTotal}} messages sent{{with .Answer}}{{if .Error}} · failed{{else}} · {{.EvalTokens}} tokens answered{{end}}{{end}}{{if .ToolCalls}} · {{len .ToolCalls}} tool call(s){{end}}</summary>
<div class="muted">event {{.Seq}} · {{when .At}} · digest {{.Digest}} · tools {{join .Tools ", "}}{{if .Window}} · about {{.Estimate}} of {{.Window}} tokens{{end}}</div>
<p><strong>Sent</strong>{{if .Carried}} <span class="muted">— messages 1–{{.Carried}} as in the step before, then:</span>{{end}}</p>
{{$c := .Carried}}
{{range $i, $m := .Sent}}
<div class="msg-role">{{add $c (add $i 1)}}. {{$m.Role}}{{if $m.ToolName}} ({{$m.ToolName}}){{end}}</div>
<pre>{{$m.Content}}{{range $m.ToolCalls}}
→ {{.Name}}({{.Arguments}}){{end}}</pre>
{{end}}
{{with .Answer}}
{{if .Error}}<p><strong class="bad-text">Failed:</strong> {{.Error}}</p>
{{else}}<p><strong>Answered</strong> <span class="muted">({{.DoneReason}}; {{.PromptTokens}} prompt + {{.EvalTokens}} generated tokens, {{.WallMs}} ms)</span></p>
{{if .Thinking}}<div class="muted">Thinking:</div><pre>{{.Thinking}}</pre>{{end}}
<pre class="answer">{{.Content}}</pre>{{end}}
{{else}}<p class="muted">No answer recorded.</p>{{end}}
{{range .ToolCalls}}
<p><strong>Tool call</strong> <code>{{.Name}}</code> <span class="muted">(event {{.Seq}}, {{.Source}})</span></p>
<pre>{{.Arguments}}</pre>
{{if .Error}}<p>→ <span class="bad-text">error:</span> {{.Error}}</p>{{else}}<div class="muted">→ result{{if .Truncated}} (cut){{end}}:</div><pre>{{.Result}}</pre>{{end}}
{{end}}
</details>
{{end}}
{{range .Notices}}<p class="muted">Context (event {{.Seq}}, step {{.Step}}): {{.Text}}</p>{{end}}

<h3>Capability decisions ({{len .Decisions}})</h3>
{{if .Decisions}}
<table>
<tr><th>Event</th><th>Decision</th><th>By</th><th>Kind</th><th>Target / scope</th><th>Reason</th></tr>
{{range .Decisions}}<tr class="decision-{{.Action}}"><td>{{.Seq}}</td><td>{{.Action}}{{if .Choice}} ({{.Choice}}){{end}}</td><td>{{.By}}</td><td>{{.Kind}}</td><td>{{if .Scope}}{{.Scope}}{{else}}{{.Target}}{{end}}</td><td>{{.Reason}}</td></tr>
{{end}}
</table>
{{else}}<p class="muted">None.</p>{{end}}

<h3>Effects ({{len .Effects}})</h3>
{{if .Effects}}<table><tr><th>Event</th><th>Type</th><th>What</th></tr>
{{range .Effects}}<tr><td>{{.Seq}}</td><td>{{.Type}}</td><td>{{.Summary}}</td></tr>
{{end}}</table>{{else}}<p class="muted">None.</p>{{end}}
{{range .Commands}}
<details><summary>Command <code>{{join .Argv " "}}</code> ({{.Purpose}}) · exit code {{.ExitCode}}{{if .TimedOut}} · timed out{{end}}</summary>
<div class="muted">event {{.Seq}} · {{.DurationMs}} ms · {{.Sandbox}} · in {{.Dir}}</div>
<pre>{{.Output}}</pre></details>
{{end}}

<h3>Changes ({{len .Changes.Files}} files, {{if .Changes.Applied}}applied by the commit{{else}}staged, not applied{{end}})</h3>
{{if not .Changes.Files}}<p class="muted">No file changes.</p>{{end}}
{{range .Changes.Files}}
<p><code>{{.Path}}</code> {{.Op}} <span class="stat-add">+{{.Added}}</span> <span class="stat-del">−{{.Removed}}</span></p>
{{if .Missing}}<p class="bad-text">content {{.Missing}} is missing from the log's blobs</p>
{{else if .Binary}}<p class="muted">binary content, not shown</p>
{{else if .TooLong}}<p class="muted">too large to show</p>
{{else if not .Diff}}<p class="muted">no difference</p>
{{else}}<pre class="diff">{{range diffLines .Diff}}<span class="{{.Class}}">{{.Text}}</span>{{end}}</pre>{{end}}
{{end}}

<h3>Validation</h3>
<p>{{if .ValidationCommand}}Validation command: <code>{{join .ValidationCommand " "}}</code>{{else}}No validation command configured.{{end}}</p>
{{if not .Validations}}<p class="muted">Not validated.</p>{{end}}
{{range .Validations}}
<p>Event {{.Seq}}: <strong>{{validation .}}</strong> — {{.Reason}}{{if .Conflicts}}; conflicts: {{join .Conflicts ", "}}{{end}}</p>
{{if .Output}}<pre>{{.Output}}</pre>{{end}}
{{end}}

<h3>Commit</h3>
{{with .Commit}}<p>{{.Outcome}} at {{when .At}} (event {{.Seq}}): {{.Reason}}{{if .ApprovedSeq}}; approved by the user (event {{.ApprovedSeq}}){{end}}{{if .RequestedBy}}; requested by {{.RequestedBy}}{{end}}{{if .Files}}; wrote {{join .Files ", "}}{{end}}</p>
{{else}}<p class="muted">Not committed.</p>{{end}}
{{if .RevertOf}}<p>Reverts run <code>{{.RevertOf}}</code>.</p>{{end}}
{{range .RevertedBy}}<p>Reverted by run <code>{{.}}</code>.</p>{{end}}
{{if .Problems}}<h3>Unreadable events</h3><ul>{{range .Problems}}<li>{{.}}</li>{{end}}</ul>{{end}}

<details><summary>Events ({{len .Events}})</summary>
<table><tr><th>Seq</th><th>Time</th><th>Type</th><th>Origin</th><th>Hash</th></tr>
{{range .Events}}<tr><td>{{.Seq}}</td><td>{{when .At}}</td><td>{{.Type}}</td><td>{{.Origin}}</td><td><code>{{short .Hash}}</code></td></tr>
{{end}}</table></details>
</section>
{{end}}`))
