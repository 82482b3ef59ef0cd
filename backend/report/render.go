package report

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Formats a report renders to.
const (
	FormatJSON     = "json"
	FormatMarkdown = "md"
	FormatHTML     = "html"
)

// Rendered is a report as a file.
type Rendered struct {
	FileName string `json:"fileName"`
	MIME     string `json:"mime"`
	Content  string `json:"content"`
}

// Render renders r in format (json, md or html; "" is html).
func Render(r Report, format string) (Rendered, error) {
	name := "ice-report-" + r.Kind + "-" + shortID(r.id())
	switch strings.ToLower(strings.TrimSpace(format)) {
	case FormatJSON:
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return Rendered{}, err
		}
		return Rendered{FileName: name + ".json", MIME: "application/json", Content: string(b) + "\n"}, nil
	case FormatMarkdown, "markdown":
		return Rendered{FileName: name + ".md", MIME: "text/markdown; charset=utf-8", Content: Markdown(r)}, nil
	case FormatHTML, "":
		s, err := HTML(r)
		if err != nil {
			return Rendered{}, err
		}
		return Rendered{FileName: name + ".html", MIME: "text/html; charset=utf-8", Content: s}, nil
	}
	return Rendered{}, fmt.Errorf("unknown report format %q (json, md or html)", format)
}

func (r Report) id() string {
	if r.Thread != nil {
		return r.Thread.ID
	}
	if len(r.Runs) > 0 {
		return r.Runs[0].ID
	}
	return ""
}

// Title is the report's title.
func (r Report) Title() string {
	if r.Thread != nil {
		return "Thread: " + r.Thread.Title
	}
	if len(r.Runs) > 0 {
		return "Run: " + firstLine(r.Runs[0].Task)
	}
	return "Report"
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[len(id)-8:]
	}
	return id
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	return abbreviate(s, 120)
}

func when(ns int64) string {
	if ns == 0 {
		return "—"
	}
	return time.Unix(0, ns).UTC().Format("2006-01-02 15:04:05 UTC")
}

// modelText is the models of a run in words.
func modelText(ms []Model) string {
	if len(ms) == 0 {
		return "none (no model step)"
	}
	var parts []string
	for _, m := range ms {
		d := m.Digest
		if d == "" {
			d = "digest not recorded"
		}
		parts = append(parts, m.Name+" ("+d+")")
	}
	return strings.Join(parts, ", ")
}

func outcomeText(r Run) string {
	s := r.State
	if r.Outcome != "" && r.Outcome != r.State {
		s = r.Outcome + " (" + r.State + ")"
	}
	if r.Reason != "" {
		s += ": " + r.Reason
	}
	return s
}

func validationText(v Validation) string {
	verdict := "failed"
	if v.Passed {
		verdict = "passed"
	}
	cmd := "no command configured: only that the changes apply"
	if len(v.Command) > 0 {
		cmd = "`" + strings.Join(v.Command, " ") + "`" + fmt.Sprintf(", exit code %d", v.ExitCode)
	}
	return verdict + " — " + cmd
}

var mdSpecial = regexp.MustCompile("([\\\\`*_{}\\[\\]()#+\\-.!|~>])")

// mdText escapes untrusted text for a Markdown line: Markdown punctuation
// is backslashed, and < and & become entities (no HTML gets through).
func mdText(s string) string {
	s = strings.NewReplacer("&", "&amp;", "<", "&lt;", "\r", "", "\n", " ").Replace(s)
	return mdSpecial.ReplaceAllString(s, `\$1`)
}

// mdFence puts untrusted text in a fenced block whose fence is longer
// than any run of backticks in it.
func mdFence(b *strings.Builder, lang, s string) {
	fence := "```"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	fmt.Fprintf(b, "%s%s\n%s%s\n\n", fence, lang, s, fence)
}

// Markdown renders r as Markdown; every text from the log is escaped or
// fenced, diffs are in ```diff fences.
func Markdown(r Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", mdText(r.Title()))
	fmt.Fprintf(&b, "Report of %s made %s by %s (format %s).\n\n", r.Kind, when(r.GeneratedAt), mdText(r.Generator), Schema)
	fmt.Fprintf(&b, "**Log verify:** %s\n\n", mdText(r.Verify.Text))
	if t := r.Thread; t != nil {
		fmt.Fprintf(&b, "- Thread: `%s`\n- Title: %s\n- Workspace: `%s`\n- Created: %s\n- Turns: %d\n", t.ID, mdText(t.Title), t.Workspace, when(t.CreatedAt), len(r.Runs))
		if t.ForkOf != "" {
			fmt.Fprintf(&b, "- Fork of thread `%s` at turn %d\n", t.ForkOf, t.ForkTurn)
		}
		b.WriteString("\n")
	}
	for _, run := range r.Runs {
		mdRun(&b, run, r.Thread != nil)
	}
	return b.String()
}

func mdRun(b *strings.Builder, r Run, inThread bool) {
	h := "##"
	if inThread {
		fmt.Fprintf(b, "## Turn %d (%s) — run `%s`\n\n", r.Turn, r.TurnKind, r.ID)
		h = "###"
	} else {
		fmt.Fprintf(b, "## Run `%s`\n\n", r.ID)
	}
	b.WriteString("**Task:**\n\n")
	mdFence(b, "text", r.Task)
	fmt.Fprintf(b, "- Worker: %s · profile %s\n", mdText(r.Worker), mdText(r.Profile))
	fmt.Fprintf(b, "- Model: %s\n", mdText(modelText(r.Models)))
	fmt.Fprintf(b, "- Workspace: `%s` %s\n", r.Workspace, mdText(r.WorkspaceRoot))
	fmt.Fprintf(b, "- Created: %s · ended: %s\n", when(r.CreatedAt), when(r.EndedAt))
	fmt.Fprintf(b, "- Outcome: %s\n", mdText(outcomeText(r)))
	if r.RevertOf != "" {
		fmt.Fprintf(b, "- Reverts run `%s`\n", r.RevertOf)
	}
	for _, by := range r.RevertedBy {
		fmt.Fprintf(b, "- Reverted by run `%s`\n", by)
	}
	if c := r.Capabilities; c != nil {
		fmt.Fprintf(b, "- Capabilities: profile %s, policy %s, allows %s\n", mdText(c.Profile), mdText(c.Policy), mdText(strings.Join(c.Allows, ", ")))
	}
	if c := r.Context; c != nil {
		fmt.Fprintf(b, "- Context: files %s; rules %s; %d earlier messages; memories %s\n", mdList(c.Files), mdList(c.Rules), c.History, mdList(c.Memories))
	}
	fmt.Fprintf(b, "- Log: %s\n\n", mdText(r.VerifyNote))

	fmt.Fprintf(b, "%s Steps (%d)\n\n", h, len(r.Steps))
	if len(r.Steps) == 0 {
		b.WriteString("No model steps.\n\n")
	}
	for _, s := range r.Steps {
		purpose := ""
		if s.Purpose != "" {
			purpose = " (" + s.Purpose + ")"
		}
		fmt.Fprintf(b, "%s# Step %d%s — event %d\n\n", h, s.Step, mdText(purpose), s.Seq)
		fmt.Fprintf(b, "%s %s · tools %s · %d messages sent", mdText(s.Model), mdText(s.Digest), mdText(strings.Join(s.Tools, ", ")), s.SentTotal)
		if s.Window > 0 {
			fmt.Fprintf(b, " · about %d of %d tokens", s.Estimate, s.Window)
		}
		b.WriteString("\n\n")
		if s.Carried > 0 {
			fmt.Fprintf(b, "*Sent:* messages 1–%d as in the step before, then:\n\n", s.Carried)
		} else {
			b.WriteString("*Sent:*\n\n")
		}
		for i, m := range s.Sent {
			who := m.Role
			if m.ToolName != "" {
				who += " (" + m.ToolName + ")"
			}
			fmt.Fprintf(b, "%d. **%s**\n\n", s.Carried+i+1, mdText(who))
			text := m.Content
			for _, c := range m.ToolCalls {
				text += "\n→ " + c.Name + "(" + c.Arguments + ")"
			}
			mdFence(b, "text", text)
		}
		if a := s.Answer; a != nil {
			if a.Error != "" {
				fmt.Fprintf(b, "*Failed:* %s\n\n", mdText(a.Error))
			} else {
				fmt.Fprintf(b, "*Answered* (%s; %d prompt + %d generated tokens, %d ms):\n\n", mdText(a.DoneReason), a.PromptTokens, a.EvalTokens, a.WallMs)
				mdFence(b, "text", a.Content)
			}
		} else {
			b.WriteString("*No answer recorded.*\n\n")
		}
		for _, c := range s.ToolCalls {
			fmt.Fprintf(b, "*Tool call* `%s` (event %d):\n\n", mdInline(c.Name), c.Seq)
			mdFence(b, "json", c.Arguments)
			if c.Error != "" {
				fmt.Fprintf(b, "→ error: %s\n\n", mdText(c.Error))
			} else {
				b.WriteString("→ result:\n\n")
				mdFence(b, "text", c.Result)
			}
		}
	}
	for _, n := range r.Notices {
		fmt.Fprintf(b, "- Context (event %d, step %d): %s\n", n.Seq, n.Step, mdText(n.Text))
	}

	fmt.Fprintf(b, "%s Capability decisions (%d)\n\n", h, len(r.Decisions))
	if len(r.Decisions) == 0 {
		b.WriteString("None.\n\n")
	} else {
		b.WriteString("| Event | Decision | By | Kind | Target / scope | Reason |\n|---|---|---|---|---|---|\n")
		for _, d := range r.Decisions {
			target := d.Target
			if d.Scope != "" {
				target = d.Scope
			}
			action := d.Action
			if d.Choice != "" {
				action += " (" + d.Choice + ")"
			}
			fmt.Fprintf(b, "| %d | %s | %s | %s | %s | %s |\n", d.Seq, mdText(action), mdText(d.By), mdText(d.Kind), mdText(target), mdText(d.Reason))
		}
		b.WriteString("\n")
	}

	fmt.Fprintf(b, "%s Effects (%d)\n\n", h, len(r.Effects))
	for _, e := range r.Effects {
		fmt.Fprintf(b, "- %d %s: %s\n", e.Seq, e.Type, mdText(e.Summary))
	}
	if len(r.Effects) == 0 {
		b.WriteString("None.\n")
	}
	b.WriteString("\n")
	for _, c := range r.Commands {
		fmt.Fprintf(b, "*Command* `%s` (%s, event %d): exit code %d, %d ms, %s\n\n", mdInline(strings.Join(c.Argv, " ")), c.Purpose, c.Seq, c.ExitCode, c.DurationMs, mdText(c.Sandbox))
		mdFence(b, "text", c.Output)
	}

	applied := "staged, not applied"
	if r.Changes.Applied {
		applied = "applied by the commit"
	}
	fmt.Fprintf(b, "%s Changes (%d files, %s)\n\n", h, len(r.Changes.Files), applied)
	if len(r.Changes.Files) == 0 {
		b.WriteString("No file changes.\n\n")
	}
	for _, f := range r.Changes.Files {
		fmt.Fprintf(b, "- `%s` %s +%d −%d\n\n", mdInline(f.Path), f.Op, f.Added, f.Removed)
		switch {
		case f.Missing != "":
			fmt.Fprintf(b, "  content %s is missing from the log's blobs\n\n", f.Missing)
		case f.Binary:
			b.WriteString("  binary content, not shown\n\n")
		case f.TooLong:
			b.WriteString("  too large to show\n\n")
		case f.Diff == "":
			b.WriteString("  no difference\n\n")
		default:
			mdFence(b, "diff", f.Diff)
		}
	}

	fmt.Fprintf(b, "%s Validation\n\n", h)
	if len(r.ValidationCommand) > 0 {
		fmt.Fprintf(b, "Validation command: `%s`\n\n", mdInline(strings.Join(r.ValidationCommand, " ")))
	} else {
		b.WriteString("No validation command configured.\n\n")
	}
	if len(r.Validations) == 0 {
		b.WriteString("Not validated.\n\n")
	}
	for _, v := range r.Validations {
		fmt.Fprintf(b, "- Event %d: %s — %s\n\n", v.Seq, mdText(validationText(v)), mdText(v.Reason))
		if len(v.Conflicts) > 0 {
			fmt.Fprintf(b, "  conflicts: %s\n\n", mdList(v.Conflicts))
		}
		if v.Output != "" {
			mdFence(b, "text", v.Output)
		}
	}

	fmt.Fprintf(b, "%s Commit\n\n", h)
	if c := r.Commit; c != nil {
		fmt.Fprintf(b, "%s at %s (event %d): %s", mdText(c.Outcome), when(c.At), c.Seq, mdText(c.Reason))
		if c.ApprovedSeq != 0 {
			fmt.Fprintf(b, "; approved by the user (event %d)", c.ApprovedSeq)
		}
		if c.RequestedBy != "" {
			fmt.Fprintf(b, "; requested by %s", mdText(c.RequestedBy))
		}
		if len(c.Files) > 0 {
			fmt.Fprintf(b, "; wrote %s", mdList(c.Files))
		}
		b.WriteString("\n\n")
	} else {
		b.WriteString("Not committed.\n\n")
	}
	if r.RevertOf != "" {
		fmt.Fprintf(b, "Reverts run `%s`.\n\n", r.RevertOf)
	}
	for _, by := range r.RevertedBy {
		fmt.Fprintf(b, "Reverted by run `%s`.\n\n", by)
	}
	if len(r.Problems) > 0 {
		fmt.Fprintf(b, "%s Unreadable events\n\n", h)
		for _, p := range r.Problems {
			fmt.Fprintf(b, "- %s\n", mdText(p))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "%s Events (%d)\n\n| Seq | Time | Type | Origin | Hash |\n|---|---|---|---|---|\n", h, len(r.Events))
	for _, e := range r.Events {
		fmt.Fprintf(b, "| %d | %s | %s | %s | `%s` |\n", e.Seq, when(e.At), e.Type, mdText(e.Origin), e.Hash)
	}
	b.WriteString("\n")
}

func mdList(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = "`" + mdInline(x) + "`"
	}
	return strings.Join(out, ", ")
}

// mdInline makes text safe inside single backticks (code spans show it literally).
func mdInline(s string) string {
	return strings.NewReplacer("`", "'", "\n", " ", "\r", "").Replace(s)
}
