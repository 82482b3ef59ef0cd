package report_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/internal/fakeollama"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/ollama"
	"github.com/ice-studio/ice-studio/backend/report"
	"github.com/ice-studio/ice-studio/backend/sandbox"
	"github.com/ice-studio/ice-studio/backend/studio"
)

const hostile = `<script>alert("pwned")</script><img src=x onerror=alert(1)>`

// scenario is a data dir whose log holds one committed agent run that
// edited a.txt (allowed once by the user), was refused a command (with
// the user's reason) and was validated by `cat a.txt`; its answer
// carries markup.
type scenario struct {
	dir, run string
}

func makeRun(t *testing.T) scenario {
	t.Helper()
	fake := fakeollama.Start()
	defer fake.Close()
	u, _ := url.Parse(fake.URL)
	dir := t.TempDir()
	s := studio.New(studio.Config{DataDir: dir, PollInterval: time.Hour, Ollama: ollama.New(u, nil)})
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.EvalSymlinks(t.TempDir())
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("alpha\nbeta\ngamma\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: root})
	if err != nil {
		t.Fatal(err)
	}
	if st := sandbox.Probe(context.Background()); !st.Available {
		// No sandbox on this machine: the workspace runs commands
		// unsandboxed (the validation is `cat a.txt`; the one the model
		// asks for is refused).
		p := capability.DefaultPolicy()
		p.Sandbox.Unsandboxed = true
		if _, err := s.SetPolicy(studio.SetPolicyRequest{WorkspaceID: ws.ID, Policy: p}); err != nil {
			t.Fatal(err)
		}
	}
	fake.Push(
		fakeollama.Reply{Chunks: []string{"Editing " + hostile}, Calls: []fakeollama.Call{{Name: "edit_file", Args: `{"path":"a.txt","old_text":"beta","new_text":"BETA"}`}}},
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: "run_command", Args: `{"command":"rm -rf build"}`}}},
		fakeollama.Reply{Calls: []fakeollama.Call{{Name: "finish", Args: `{"summary":"Shouted beta."}`}}},
	)
	run, err := s.StartAgentRun(studio.StartAgentRunRequest{WorkspaceID: ws.ID, Task: "Make beta loud", Model: "tiny",
		Options: studio.RunOptions{Profile: capability.ProfileAgent, ValidationCommand: "cat a.txt"}})
	if err != nil {
		t.Fatal(err)
	}
	answered := 0
	for deadline := time.Now().Add(20 * time.Second); answered < 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			tr, _ := s.GetTranscript(studio.RunRequest{ID: run.ID})
			t.Fatalf("%d approval cards answered, want 2: %+v", answered, tr)
		}
		d, err := s.GetRun(studio.RunRequest{ID: run.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range d.Asks {
			req := studio.AnswerRequest{RequestID: a.ID, Choice: kernel.ChoiceOnce}
			if a.Kind == capability.ShellExec {
				req = studio.AnswerRequest{RequestID: a.ID, Choice: kernel.ChoiceDeny, Reason: "no deleting builds"}
			}
			if err := s.AnswerCapability(req); err == nil {
				answered++
			}
		}
	}
	if info, err := s.WaitRun(studio.RunRequest{ID: run.ID}); err != nil || info.State != kernel.StateValidated {
		t.Fatalf("run: %+v %v", info, err)
	}
	if _, err := s.ApproveRun(studio.RunRequest{ID: run.ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	return scenario{dir: dir, run: run.ID}
}

// TestMain lets this test binary be the sandbox's helper when a test's
// command re-executes it.
func TestMain(m *testing.M) {
	sandbox.Init()
	os.Exit(m.Run())
}

func build(t *testing.T, dir, id string) report.Report {
	t.Helper()
	store, err := eventlog.Open(studio.LogPath(dir), eventlog.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r, err := report.Build(context.Background(), store, id, report.Options{Generator: "ice-studio test"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func render(t *testing.T, r report.Report, format string) string {
	t.Helper()
	out, err := report.Render(r, format)
	if err != nil {
		t.Fatal(err)
	}
	return out.Content
}

// TestRunReport: the report of a run holds the task, the model and its
// digest, the steps, the tool call, the user's grant and refusal with
// its reason, the diff, the validation and its output, the commit and
// the log's verify line, in all three formats.
func TestRunReport(t *testing.T) {
	sc := makeRun(t)
	r := build(t, sc.dir, sc.run[len(sc.run)-8:]) // by the short id the Studio shows
	if r.Kind != "run" || len(r.Runs) != 1 || r.Runs[0].ID != sc.run {
		t.Fatalf("report of %s: kind %s, runs %d", sc.run, r.Kind, len(r.Runs))
	}
	run := r.Runs[0]
	if run.Task != "Make beta loud" || run.Outcome != kernel.OutcomeCommitted || len(run.Models) != 1 || run.Models[0].Digest != "sha256:0a1b2c" {
		t.Errorf("run: task %q outcome %q models %+v", run.Task, run.Outcome, run.Models)
	}
	if len(run.Steps) != 3 || run.Steps[0].ToolCalls[0].Name != "edit_file" || !strings.Contains(run.Steps[0].Answer.Content, hostile) {
		t.Fatalf("steps: %+v", run.Steps)
	}
	// Step 2 was sent step 1's messages and then the answer and the tool result.
	if s2 := run.Steps[1]; s2.Carried == 0 || s2.Carried+len(s2.Sent) != s2.SentTotal || s2.Sent[len(s2.Sent)-1].Role != "tool" {
		t.Errorf("step 2 sent: carried %d, %d new of %d", s2.Carried, len(s2.Sent), s2.SentTotal)
	}
	var granted, refused, denied bool
	for _, d := range run.Decisions {
		granted = granted || d.Action == "granted" && d.Kind == capability.FSWrite && d.By == "the user"
		refused = refused || d.Action == "refused" && d.Reason == "no deleting builds" && d.By == "the user"
		denied = denied || d.Action == "denied" && d.Kind == capability.ShellExec && strings.Contains(d.Reason, "no deleting builds")
	}
	if !granted || !refused || !denied {
		t.Errorf("decisions (granted %v refused %v denied %v): %+v", granted, refused, denied, run.Decisions)
	}
	if len(run.Changes.Files) != 1 || !run.Changes.Applied || !strings.Contains(run.Changes.Files[0].Diff, "-beta\n+BETA\n") ||
		run.Changes.Files[0].Added != 1 || run.Changes.Files[0].Removed != 1 {
		t.Errorf("changes: %+v", run.Changes)
	}
	if len(run.Validations) != 1 || !run.Validations[0].Passed || strings.Join(run.Validations[0].Command, " ") != "cat a.txt" ||
		!strings.Contains(run.Validations[0].Output, "BETA") {
		t.Errorf("validations: %+v", run.Validations)
	}
	if run.Commit == nil || run.Commit.Outcome != "committed" || run.Commit.ApprovedSeq == 0 || len(run.Commit.Files) != 1 {
		t.Errorf("commit: %+v", run.Commit)
	}
	if !r.Verify.OK || r.Verify.Checked == 0 || !strings.Contains(r.Verify.Text, "hash chain intact") {
		t.Errorf("verify: %+v", r.Verify)
	}

	facts := []string{"Make beta loud", "sha256:0a1b2c", "edit_file", "run_command", "no deleting builds", "granted", "refused",
		"denied", "a/a.txt", "cat a.txt", "committed", "events verified: hash chain intact"}
	md := render(t, r, "md")
	for _, want := range append(facts, "```diff\n--- a/a.txt\n+++ b/a.txt\n", "-beta\n+BETA\n") {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if strings.Contains(md, "<script>") || strings.Contains(md, "<img") {
		// Inside a fence the model's text is shown as is; outside, never.
		outside := strings.Join(strings.Split(md, "```")[0:1], "")
		if strings.Contains(outside, "<script>") {
			t.Errorf("markdown has raw markup outside a fence")
		}
	}
	html := render(t, r, "html")
	for _, want := range append(facts, `<span class="del">-beta</span><span class="add">&#43;BETA</span>`, "Content-Security-Policy") {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	js := render(t, r, "json")
	var back report.Report
	if err := json.Unmarshal([]byte(js), &back); err != nil || back.Schema != report.Schema || back.Runs[0].Changes.Files[0].Path != "a.txt" {
		t.Errorf("json: %v %+v", err, back.Schema)
	}
	for _, want := range facts[:6] {
		if !strings.Contains(js, want) {
			t.Errorf("json lacks %q", want)
		}
	}
}

// TestHTMLEscapesTheModel: the model's text (untrusted) never becomes
// markup in the HTML report; the page loads nothing and runs nothing.
func TestHTMLEscapesTheModel(t *testing.T) {
	sc := makeRun(t)
	html := render(t, build(t, sc.dir, sc.run), "html")
	if strings.Contains(html, "<script") || strings.Contains(html, "<img") {
		i := strings.Index(html, "alert")
		t.Fatalf("the model's markup is in the page unescaped: …%s…", html[max(0, i-80):min(len(html), i+80)])
	}
	if !strings.Contains(html, "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;") {
		t.Errorf("the model's text is not shown escaped")
	}
	for _, banned := range []string{"src=\"http", "href=\"http", "@import", "url("} {
		if strings.Contains(html, banned) {
			t.Errorf("the page refers to something outside itself: %q", banned)
		}
	}
}

// TestReportOfATamperedLog: the verify line of a report made after the
// log was edited says where the chain breaks and that the run's events
// are not vouched for.
func TestReportOfATamperedLog(t *testing.T) {
	sc := makeRun(t)
	db, err := sql.Open("sqlite3", studio.LogPath(sc.dir))
	if err != nil {
		t.Fatal(err)
	}
	var seq int64
	if err := db.QueryRow(`SELECT seq FROM events WHERE type = 'run.created' AND run = ?`, sc.run).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	forged := `{"autoCommit":false,"budget":{"maxSteps":0,"maxTokens":0,"wallClockMs":0},"model":"tiny","profile":"agent","revertOf":"","task":"Something harmless","validationCommand":["cat","a.txt"],"worker":"agent"}`
	if _, err := db.Exec(`UPDATE events SET payload = CAST(? AS BLOB) WHERE seq = ?`, forged, seq); err != nil {
		t.Fatal(err)
	}
	db.Close()
	r := build(t, sc.dir, sc.run)
	if r.Verify.OK || r.Verify.FirstBad != seq || r.Verify.Problem != eventlog.ProblemHash {
		t.Fatalf("verify of the tampered log: %+v (forged seq %d)", r.Verify, seq)
	}
	if !strings.Contains(r.Runs[0].VerifyNote, "NOT VOUCHED FOR") {
		t.Errorf("run note: %q", r.Runs[0].VerifyNote)
	}
	for _, format := range []string{"md", "html"} {
		if out := render(t, r, format); !strings.Contains(out, "TAMPERED OR DAMAGED at seq") {
			t.Errorf("%s report does not say the log is tampered", format)
		}
	}
}

// TestThreadReport: a thread's report is its turns' run reports in order,
// under the thread's title.
func TestThreadReport(t *testing.T) {
	fake := fakeollama.Start()
	defer fake.Close()
	u, _ := url.Parse(fake.URL)
	dir := t.TempDir()
	s := studio.New(studio.Config{DataDir: dir, PollInterval: time.Hour, Ollama: ollama.New(u, nil)})
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	fake.Push(fakeollama.Reply{Chunks: []string{"First answer."}}, fakeollama.Reply{Chunks: []string{"Second answer."}})
	var thread string
	var runs []string
	for _, text := range []string{"First question", "Second question"} {
		res, err := s.SendMessage(studio.SendMessageRequest{WorkspaceID: ws.ID, ThreadID: thread, Text: text, Agent: studio.AgentParams{Model: "tiny"}})
		if err != nil {
			t.Fatal(err)
		}
		thread = res.Thread.ID
		runs = append(runs, res.Run.ID)
		if _, err := s.WaitRun(studio.RunRequest{ID: res.Run.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := build(t, dir, "…"+thread[len(thread)-8:])
	if r.Kind != "thread" || r.Thread == nil || r.Thread.Title != "First question" || len(r.Runs) != 2 ||
		r.Runs[0].ID != runs[0] || r.Runs[1].ID != runs[1] || r.Runs[1].Turn != 2 {
		t.Fatalf("thread report: %+v", r)
	}
	md := render(t, r, "md")
	first, second := strings.Index(md, "First answer."), strings.Index(md, "Second answer.")
	if !strings.HasPrefix(md, "# Thread: First question") || first < 0 || second < first || !strings.Contains(md, "## Turn 2 (message)") {
		t.Errorf("markdown of the thread:\n%s", md)
	}
	html := render(t, r, "html")
	if !strings.Contains(html, "Turn 1 (message)") || !strings.Contains(html, "Turn 2 (message)") {
		t.Errorf("html lacks the turns")
	}
}

// TestUnknownID: an id that names nothing gets a clear error.
func TestUnknownID(t *testing.T) {
	sc := makeRun(t)
	store, err := eventlog.Open(studio.LogPath(sc.dir), eventlog.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for id, want := range map[string]string{"no-such-run": "no run or thread no-such-run in the log", "abc": "at least 6 characters", "": "no id given"} {
		if _, err := report.Build(context.Background(), store, id, report.Options{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Build(%q) = %v, want %q", id, err, want)
		}
	}
	if _, err := report.Render(report.Report{}, "pdf"); err == nil || !strings.Contains(err.Error(), "json, md or html") {
		t.Errorf("Render(pdf) = %v", err)
	}
}
