// Package report builds the report of a run or a thread from the event
// log and its blobs alone (the disk and the model are never asked) and
// renders it as JSON, Markdown or one self-contained HTML file.
//
// A run's report holds its task, the model and digest, every model step
// (what was sent and what was answered, with the tool calls and their
// results), every capability decision with its reason and who made it,
// the effects, the diff of its changes, each validation with its output,
// the commit or abort, the revert links, the run's events with their
// hashes, and the outcome of verifying the whole log when the report was
// made. A thread's report is its turns' run reports in order.
//
// The JSON form is the Report struct below; its field names are stable
// (a change that is not an addition bumps Schema).
package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/agent"
	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
)

// Schema names the JSON form of Report; it changes only when a field is
// renamed, removed or changes meaning.
const Schema = "ice-studio.report/1"

// Limits on the text taken from blobs into a report.
const (
	maxText = 256 << 10 // one message, tool result or command output
	maxSide = 2 << 20   // one side of a file diff
)

// Report is a run's or a thread's report.
type Report struct {
	Schema      string  `json:"schema"`      // Schema
	Kind        string  `json:"kind"`        // "run" or "thread"
	GeneratedAt int64   `json:"generatedAt"` // Unix ns, when the report was made
	Generator   string  `json:"generator"`   // "ice-studio <version>"
	Thread      *Thread `json:"thread,omitempty"`
	Runs        []Run   `json:"runs"` // one, or a thread's turns in order
	// Verify is the check of the whole log (hash chain, catalogue,
	// authority) made when the report was.
	Verify Verify `json:"verify"`
}

// Thread is the conversation a thread report is of.
type Thread struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Workspace string `json:"workspace"`
	CreatedAt int64  `json:"createdAt"`
	ForkOf    string `json:"forkOf,omitempty"`
	ForkTurn  int    `json:"forkTurn,omitempty"`
}

// Verify is eventlog.Verify's report, with a sentence.
type Verify struct {
	OK       bool   `json:"ok"`
	Checked  int64  `json:"checked"`  // events examined
	HeadSeq  int64  `json:"headSeq"`  // the log's last seq
	FirstBad int64  `json:"firstBad"` // seq of the first bad event (0 when OK)
	Problem  string `json:"problem,omitempty"`
	Detail   string `json:"detail,omitempty"`
	At       int64  `json:"at"` // Unix ns
	Text     string `json:"text"`
}

// Run is one run's report.
type Run struct {
	ID            string `json:"id"`
	Workspace     string `json:"workspace"`
	WorkspaceRoot string `json:"workspaceRoot,omitempty"` // the folder, as last opened before the run
	Worker        string `json:"worker"`
	Task          string `json:"task"`
	Profile       string `json:"profile"` // capability profile: ask, edit or agent
	// Thread and Turn place the run in a conversation; TurnKind is the
	// turn's kind (message, retry, compact, restore).
	Thread    string `json:"thread,omitempty"`
	Turn      int    `json:"turn,omitempty"`
	TurnKind  string `json:"turnKind,omitempty"`
	Inherited bool   `json:"inherited,omitempty"` // a fork's turn, taken over from the thread it forks
	CreatedAt int64  `json:"createdAt"`           // Unix ns
	EndedAt   int64  `json:"endedAt,omitempty"`
	// State is the run's state folded from its lifecycle events; Outcome
	// is committed, aborted, terminated, or "" while undecided; Reason the
	// last reason given.
	State   string `json:"state"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`

	Models            []Model       `json:"models"` // every model and digest the steps used
	Budget            kernel.Budget `json:"budget"`
	AutoCommit        bool          `json:"autoCommit"`
	ValidationCommand []string      `json:"validationCommand"`
	Capabilities      *Capabilities `json:"capabilities,omitempty"`
	Context           *Context      `json:"context,omitempty"`
	Steps             []Step        `json:"steps"`
	Decisions         []Decision    `json:"decisions"`
	Effects           []Effect      `json:"effects"`
	Commands          []Command     `json:"commands"`
	Changes           Changes       `json:"changes"`
	Validations       []Validation  `json:"validations"`
	Commit            *Commit       `json:"commit,omitempty"`
	RevertOf          string        `json:"revertOf,omitempty"`   // the run this one reverts
	RevertedBy        []string      `json:"revertedBy,omitempty"` // runs that revert this one
	Notices           []Notice      `json:"notices"`
	Events            []EventRef    `json:"events"`
	Problems          []string      `json:"problems"`   // events of the run the report could not read
	VerifyNote        string        `json:"verifyNote"` // whether the log's check vouches for the run's events
}

// Model is a model a run's steps used, with its digest.
type Model struct {
	Name     string `json:"name"`
	Digest   string `json:"digest"`
	Endpoint string `json:"endpoint,omitempty"`
}

// Capabilities is run.capabilities_bound: the profile and policy the run
// was bound to.
type Capabilities struct {
	Profile string   `json:"profile"`
	Policy  string   `json:"policy"`
	Allows  []string `json:"allows"`
}

// Context is what the run was given besides the task (run.context_resolved
// and run.memory_mounted).
type Context struct {
	Files    []string `json:"files"`
	Rules    []string `json:"rules"`
	History  int      `json:"history"` // earlier messages of the thread carried in
	Memories []string `json:"memories"`
}

// Step is one model step: the request and its answer.
type Step struct {
	Step     int            `json:"step"`
	Seq      int64          `json:"seq"` // of its inference.request
	At       int64          `json:"at"`
	Purpose  string         `json:"purpose,omitempty"` // "" work, "compact" a summary, "calibrate"
	Model    string         `json:"model"`
	Digest   string         `json:"digest"`
	Endpoint string         `json:"endpoint,omitempty"`
	Options  map[string]any `json:"options,omitempty"`
	Tools    []string       `json:"tools"`
	Window   int            `json:"window,omitempty"`   // num_ctx
	Estimate int            `json:"estimate,omitempty"` // the kernel's estimate of the prompt, in tokens
	// SentTotal is how many messages the request had. The first Carried
	// of them are the previous step's request messages, unchanged (the
	// same blobs in the same places); Sent are the rest, in order (all of
	// them when Carried is 0).
	SentTotal int        `json:"sentTotal"`
	Carried   int        `json:"carried"`
	Sent      []Message  `json:"sent"`
	Answer    *Answer    `json:"answer,omitempty"` // nil: no response recorded
	ToolCalls []ToolCall `json:"toolCalls"`
}

// Message is one message of a request, as sent.
type Message struct {
	Role      string     `json:"role"`
	ToolName  string     `json:"toolName,omitempty"`
	Content   string     `json:"content"`
	Thinking  string     `json:"thinking,omitempty"`
	ToolCalls []CallText `json:"toolCalls,omitempty"`
	Images    int        `json:"images,omitempty"`
	Truncated bool       `json:"truncated,omitempty"` // cut at the report's limit (the blob has it all)
	Blob      string     `json:"blob"`
}

// CallText is a tool call inside a message.
type CallText struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// Answer is what the model answered at a step.
type Answer struct {
	Seq          int64  `json:"seq"`
	Content      string `json:"content"`
	Thinking     string `json:"thinking,omitempty"`
	DoneReason   string `json:"doneReason,omitempty"`
	PromptTokens int    `json:"promptTokens"`
	EvalTokens   int    `json:"evalTokens"`
	WallMs       int64  `json:"wallMs"`
	Error        string `json:"error,omitempty"`
}

// ToolCall is one tool call of a step and what it was answered.
type ToolCall struct {
	Seq       int64  `json:"seq"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"` // JSON, as the model gave them
	Source    string `json:"source"`    // native, or text (written in the answer)
	Result    string `json:"result"`
	Error     string `json:"error,omitempty"`
	Truncated bool   `json:"truncated,omitempty"`
}

// Decision is one capability event of the run: a request for approval, the
// user's answer, a grant, a denial, a use, a revocation or an expiry.
type Decision struct {
	Seq    int64  `json:"seq"`
	At     int64  `json:"at"`
	Type   string `json:"type"`   // the event type
	Action string `json:"action"` // requested, approved, refused, granted, denied, used, revoked, expired
	Origin string `json:"origin"` // who recorded it: runtime, user, agent:NAME
	// By is who decided, in words: "the user", "policy rule 2",
	// "grant 0190…", "the agent asked".
	By      string `json:"by"`
	Kind    string `json:"kind,omitempty"` // fs.read, fs.write, shell.exec, net.http, model.invoke, memory.write
	Target  string `json:"target,omitempty"`
	Reason  string `json:"reason"`
	Choice  string `json:"choice,omitempty"`  // once, run, workspace, deny
	Scope   string `json:"scope,omitempty"`   // a grant's scope
	Grant   string `json:"grant,omitempty"`   // the grant made, used or ended
	Request string `json:"request,omitempty"` // the approval it answers
}

// Effect is one effect of the run (a file read, staged, written; an HTTP request).
type Effect struct {
	Seq     int64  `json:"seq"`
	At      int64  `json:"at"`
	Type    string `json:"type"`
	Summary string `json:"summary"`
}

// Command is one command the run executed (a tool's or its validation).
type Command struct {
	Seq        int64    `json:"seq"`
	Purpose    string   `json:"purpose"` // tool or validation
	Argv       []string `json:"argv"`
	Dir        string   `json:"dir"`
	ExitCode   int      `json:"exitCode"`
	TimedOut   bool     `json:"timedOut"`
	DurationMs int64    `json:"durationMs"`
	Sandbox    string   `json:"sandbox"`
	Output     string   `json:"output"`
	Truncated  bool     `json:"truncated,omitempty"`
}

// Changes are the run's file changes: what its commit applied (from the
// commit journal) or, when it did not commit, what it staged.
type Changes struct {
	Applied bool       `json:"applied"`
	Files   []FileDiff `json:"files"`
}

// FileDiff is one file's change as a unified diff.
type FileDiff struct {
	Path    string `json:"path"`
	Op      string `json:"op"`     // write or delete
	Before  string `json:"before"` // blob address ("" absent)
	After   string `json:"after"`  // blob address ("" deleted)
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
	Binary  bool   `json:"binary,omitempty"`  // not shown as text
	TooLong bool   `json:"tooLong,omitempty"` // a side was larger than the report's limit
	Diff    string `json:"diff"`              // unified, with ---/+++ headers
	Missing string `json:"missing,omitempty"` // a blob that could not be read
}

// Validation is one validation of the run.
type Validation struct {
	Seq       int64    `json:"seq"`
	At        int64    `json:"at"`
	Passed    bool     `json:"passed"`
	Reason    string   `json:"reason"`
	Command   []string `json:"command"` // "" none: only that the changes apply
	ExitCode  int      `json:"exitCode"`
	Conflicts []string `json:"conflicts"`
	Output    string   `json:"output"`
	Truncated bool     `json:"truncated,omitempty"`
}

// Commit is how the run was decided: committed or aborted.
type Commit struct {
	Outcome     string   `json:"outcome"` // committed or aborted
	Seq         int64    `json:"seq"`
	At          int64    `json:"at"`
	Reason      string   `json:"reason"`
	RequestedBy string   `json:"requestedBy,omitempty"` // origin of run.commit_requested / run.abort_requested
	ApprovedSeq int64    `json:"approvedSeq,omitempty"` // the user's run.commit_approved
	Files       []string `json:"files"`                 // written (effect.file_written)
}

// Notice is something the runtime did to a step's context window.
type Notice struct {
	Seq  int64  `json:"seq"`
	Type string `json:"type"`
	Step int    `json:"step"`
	Text string `json:"text"`
}

// EventRef is one event of the run in the log.
type EventRef struct {
	Seq    int64  `json:"seq"`
	At     int64  `json:"at"`
	Type   string `json:"type"`
	Origin string `json:"origin"`
	Hash   string `json:"hash"`
}

// Target is what a report is of.
type Target struct {
	Kind string // "run" or "thread"
	ID   string
}

// ErrUnknown is an id that names no run or thread in the log.
var ErrUnknown = errors.New("no run or thread")

// Resolve finds a run or thread by its id, or its end or start as the
// Studio shows it ("…" and at least 6 characters), from the log itself.
func Resolve(ctx context.Context, store eventlog.Store, id string) (Target, error) {
	id = strings.TrimLeft(strings.TrimSpace(id), "…")
	if id == "" {
		return Target{}, fmt.Errorf("%w: no id given", ErrUnknown)
	}
	kinds := map[string]string{}
	err := store.Read(ctx, eventlog.Query{Types: []string{eventlog.RunCreated, eventlog.ThreadCreated}, NoHashes: true}, func(e eventlog.Event) error {
		if e.Type == eventlog.RunCreated {
			kinds[e.Run] = "run"
		} else {
			kinds[strings.TrimPrefix(e.Stream, "thread/")] = "thread"
		}
		return nil
	})
	if err != nil {
		return Target{}, err
	}
	if k, ok := kinds[id]; ok {
		return Target{Kind: k, ID: id}, nil
	}
	var found []string
	for full := range kinds {
		if len(id) >= 6 && (strings.HasSuffix(full, id) || strings.HasPrefix(full, id)) {
			found = append(found, full)
		}
	}
	sort.Strings(found)
	switch {
	case len(found) == 1:
		return Target{Kind: kinds[found[0]], ID: found[0]}, nil
	case len(found) > 1:
		return Target{}, fmt.Errorf("%s matches more than one id (%s): give more of it", id, strings.Join(found, ", "))
	case len(id) < 6:
		return Target{}, fmt.Errorf("%w %s in the log (give at least 6 characters of the id)", ErrUnknown, id)
	}
	return Target{}, fmt.Errorf("%w %s in the log", ErrUnknown, id)
}

// Options are what Build needs besides the log.
type Options struct {
	Generator string // "ice-studio <version>"
	// Catalogue checks the log; nil: eventlog.DefaultCatalogue.
	Catalogue *eventlog.Catalogue
	Now       func() time.Time
}

// Build makes the report of a run or thread (an id as Resolve takes it)
// from store, and verifies the whole log.
func Build(ctx context.Context, store eventlog.Store, id string, opt Options) (Report, error) {
	t, err := Resolve(ctx, store, id)
	if err != nil {
		return Report{}, err
	}
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	rep := Report{Schema: Schema, Kind: t.Kind, GeneratedAt: now().UnixNano(), Generator: opt.Generator, Runs: []Run{}}
	b := &builder{store: store, roots: map[string]string{}}
	if err := b.reverts(ctx); err != nil {
		return Report{}, err
	}
	if t.Kind == "run" {
		r, err := b.run(ctx, t.ID)
		if err != nil {
			return Report{}, err
		}
		rep.Runs = append(rep.Runs, r)
	} else {
		th, turns, err := b.thread(ctx, t.ID)
		if err != nil {
			return Report{}, err
		}
		rep.Thread = &th
		for _, tu := range turns {
			r, err := b.run(ctx, tu.Run)
			if err != nil {
				return Report{}, err
			}
			r.Turn, r.TurnKind, r.Inherited = tu.Turn, tu.Kind, tu.Inherited
			rep.Runs = append(rep.Runs, r)
		}
	}
	cat := opt.Catalogue
	if cat == nil {
		cat = eventlog.DefaultCatalogue()
	}
	v, err := eventlog.Verify(ctx, store, cat)
	if err != nil {
		return Report{}, err
	}
	rep.Verify = Verify{OK: v.OK, Checked: v.Checked, HeadSeq: v.HeadSeq, FirstBad: v.FirstBad, Problem: v.Problem,
		Detail: v.Detail, At: now().UnixNano()}
	if v.OK {
		rep.Verify.Text = fmt.Sprintf("%d events verified: hash chain intact, every type in the catalogue, every origin within its authority", v.Checked)
	} else {
		rep.Verify.Text = fmt.Sprintf("TAMPERED OR DAMAGED at seq %d (%s): %s", v.FirstBad, v.Problem, v.Detail)
	}
	for i := range rep.Runs {
		rep.Runs[i].VerifyNote = verifyNote(rep.Runs[i], v)
	}
	return rep, nil
}

// verifyNote says whether the log's check vouches for a run's events.
func verifyNote(r Run, v eventlog.VerifyReport) string {
	if len(r.Events) == 0 {
		return "the run has no events"
	}
	first, last := r.Events[0].Seq, r.Events[len(r.Events)-1].Seq
	switch {
	case v.OK:
		return fmt.Sprintf("its events (seq %d–%d) are in the verified chain", first, last)
	case v.FirstBad > last:
		return fmt.Sprintf("its events (seq %d–%d) come before the break at seq %d and are vouched for", first, last, v.FirstBad)
	}
	return fmt.Sprintf("NOT VOUCHED FOR: the log breaks at seq %d, and this run's events run from seq %d to %d", v.FirstBad, first, last)
}

type builder struct {
	store      eventlog.Store
	revertedBy map[string][]string
	roots      map[string]string
}

// reverts finds, for every run, the runs that revert it.
func (b *builder) reverts(ctx context.Context) error {
	b.revertedBy = map[string][]string{}
	return b.store.Read(ctx, eventlog.Query{Types: []string{eventlog.RunCreated}, NoHashes: true}, func(e eventlog.Event) error {
		var p kernel.CreatedPayload
		if json.Unmarshal(e.Payload, &p) == nil && p.RevertOf != "" {
			b.revertedBy[p.RevertOf] = append(b.revertedBy[p.RevertOf], e.Run)
		}
		return nil
	})
}

func (b *builder) thread(ctx context.Context, id string) (Thread, []kernel.TurnAddedPayload, error) {
	th := Thread{ID: id}
	var turns []kernel.TurnAddedPayload
	err := b.store.Read(ctx, eventlog.Query{Stream: kernel.ThreadStream(id), NoHashes: true}, func(e eventlog.Event) error {
		switch e.Type {
		case eventlog.ThreadCreated:
			var p kernel.ThreadCreatedPayload
			_ = json.Unmarshal(e.Payload, &p)
			th.Title, th.Workspace, th.CreatedAt, th.ForkOf, th.ForkTurn = p.Title, e.Workspace, e.At, p.ForkOf, p.ForkTurn
		case eventlog.ThreadRenamed:
			var p kernel.ThreadRenamedPayload
			if json.Unmarshal(e.Payload, &p) == nil {
				th.Title = p.Title
			}
		case eventlog.ThreadTurnAdded:
			var p kernel.TurnAddedPayload
			if json.Unmarshal(e.Payload, &p) == nil && p.Run != "" {
				turns = append(turns, p)
			}
		}
		return nil
	})
	if th.Title == "" {
		th.Title = "(untitled)"
	}
	return th, turns, err
}

// root is the folder of a workspace as last opened before seq.
func (b *builder) root(ctx context.Context, ws string, before int64) string {
	key := fmt.Sprint(ws, "@", before)
	if r, ok := b.roots[key]; ok {
		return r
	}
	root := ""
	_ = b.store.Read(ctx, eventlog.Query{Workspace: ws, Types: []string{eventlog.WorkspaceOpened}, UntilSeq: before, Desc: true, Limit: 1, NoHashes: true},
		func(e eventlog.Event) error {
			var p struct {
				Root string `json:"root"`
			}
			_ = json.Unmarshal(e.Payload, &p)
			root = p.Root
			return nil
		})
	b.roots[key] = root
	return root
}

// text reads a blob as text, cut at limit.
func (b *builder) text(ctx context.Context, addr string, limit int) (text string, truncated, binary bool, err error) {
	if addr == "" {
		return "", false, false, nil
	}
	data, err := b.store.GetBlob(ctx, addr)
	if err != nil {
		return "", false, false, err
	}
	if len(data) > limit {
		data, truncated = data[:limit], true
		for i := 0; i < utf8.UTFMax-1 && len(data) > 0 && !utf8.Valid(data); i++ {
			data = data[:len(data)-1]
		}
	}
	if !utf8.Valid(data) || strings.IndexByte(string(data), 0) >= 0 {
		return "", truncated, true, nil
	}
	return string(data), truncated, false, nil
}

// staged is a path's staged change as the run left it.
type staged struct {
	op, base, after string
}

func (b *builder) run(ctx context.Context, id string) (Run, error) {
	r := Run{ID: id, Steps: []Step{}, Decisions: []Decision{}, Effects: []Effect{}, Commands: []Command{},
		Changes: Changes{Files: []FileDiff{}}, Validations: []Validation{}, Notices: []Notice{}, Events: []EventRef{},
		Problems: []string{}, Models: []Model{}, ValidationCommand: []string{}}
	state := kernel.StateNone
	stagedAt := map[string]*staged{}
	var order []string
	var journal []kernel.JournalEntry
	var prevMsgs []string
	var lastValidation string // the argv of the last validation command seen
	requestedBy := ""
	bad := func(e eventlog.Event, err error) {
		r.Problems = append(r.Problems, fmt.Sprintf("event %d (%s): %v", e.Seq, e.Type, err))
	}
	var events []eventlog.Event
	if err := b.store.Read(ctx, eventlog.Query{Run: id}, func(e eventlog.Event) error {
		events = append(events, e)
		return nil
	}); err != nil {
		return r, err
	}
	if len(events) == 0 {
		return r, fmt.Errorf("%w %s in the log", ErrUnknown, id)
	}
	for _, e := range events {
		r.Events = append(r.Events, EventRef{Seq: e.Seq, At: e.At, Type: e.Type, Origin: e.Origin, Hash: e.HashHex()})
		if kernel.Lifecycle(e.Type) {
			if next, err := kernel.Next(state, e.Type); err == nil {
				state = next
			}
			var p kernel.ReasonPayload
			if e.Type != eventlog.RunCreated && json.Unmarshal(e.Payload, &p) == nil && p.Reason != "" &&
				!(e.Type == eventlog.RunTerminated && r.Commit != nil && r.Commit.Seq != 0) {
				r.Reason = p.Reason
			}
			if state.Terminal() && r.EndedAt == 0 {
				r.EndedAt = e.At
			}
		}
		switch e.Type {
		case eventlog.RunCreated:
			var p kernel.CreatedPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				bad(e, err)
				continue
			}
			r.Workspace, r.Worker, r.Task, r.Profile, r.CreatedAt = e.Workspace, p.Worker, p.Task, p.Profile, e.At
			r.Budget, r.AutoCommit, r.RevertOf, r.Thread, r.Turn = p.Budget, p.AutoCommit, p.RevertOf, p.Thread, p.Turn
			if p.ValidationCommand != nil {
				r.ValidationCommand = p.ValidationCommand
			}
			if r.Profile == "" {
				r.Profile = capability.ProfileEdit
			}
			r.WorkspaceRoot = b.root(ctx, e.Workspace, e.Seq)
		case eventlog.RunCapabilitiesBound:
			var p kernel.CapabilitiesPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				bad(e, err)
				continue
			}
			r.Capabilities = &Capabilities{Profile: p.Profile, Policy: p.Policy, Allows: p.Allows}
		case eventlog.RunContextResolved:
			var p kernel.ContextPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				bad(e, err)
				continue
			}
			c := r.context()
			for _, f := range p.Files {
				c.Files = append(c.Files, f.Path)
			}
			for _, f := range p.Rules {
				c.Rules = append(c.Rules, f.Path)
			}
			c.History = len(p.History)
		case eventlog.RunMemoryMounted:
			var p kernel.MemoryPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				bad(e, err)
				continue
			}
			c := r.context()
			c.Memories = append(c.Memories, p.Memories...)
		case eventlog.InferenceRequest:
			var p agent.RequestPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				bad(e, err)
				continue
			}
			st := Step{Step: p.Step, Seq: e.Seq, At: e.At, Purpose: p.Purpose, Model: p.Model, Digest: p.Digest, Endpoint: p.Endpoint,
				Options: p.Options, Tools: p.ToolNames, Window: p.Window, Estimate: p.Estimate, SentTotal: len(p.Messages),
				Sent: []Message{}, ToolCalls: []ToolCall{}}
			if st.Tools == nil {
				st.Tools = []string{}
			}
			for st.Carried < len(p.Messages) && st.Carried < len(prevMsgs) && p.Messages[st.Carried] == prevMsgs[st.Carried] {
				st.Carried++
			}
			for _, addr := range p.Messages[st.Carried:] {
				m, err := b.message(ctx, addr)
				if err != nil {
					bad(e, err)
				}
				st.Sent = append(st.Sent, m)
			}
			prevMsgs = p.Messages
			r.addModel(Model{Name: p.Model, Digest: p.Digest, Endpoint: p.Endpoint})
			r.Steps = append(r.Steps, st)
		case eventlog.InferenceResponse:
			var p agent.ResponsePayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				bad(e, err)
				continue
			}
			a := &Answer{Seq: e.Seq, Content: p.Content, DoneReason: p.DoneReason, PromptTokens: p.PromptTokens,
				EvalTokens: p.EvalTokens, WallMs: p.WallMs, Error: p.Error}
			if p.Message != "" {
				if m, err := b.message(ctx, p.Message); err == nil {
					a.Content, a.Thinking = m.Content, m.Thinking
				} else {
					bad(e, err)
				}
			}
			if st := r.step(p.Step); st != nil {
				st.Answer = a
			}
		case eventlog.InferenceToolCall:
			var p agent.ToolCallPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				bad(e, err)
				continue
			}
			c := ToolCall{Seq: e.Seq, Name: p.Name, Arguments: string(p.Arguments), Source: p.Source, Error: p.Error}
			if p.ArgsBlob != "" {
				if t, _, _, err := b.text(ctx, p.ArgsBlob, maxText); err == nil {
					c.Arguments = t
				}
			}
			if t, trunc, _, err := b.text(ctx, p.Result, maxText); err == nil {
				c.Result, c.Truncated = t, trunc
			} else {
				c.Result = p.Preview
			}
			if st := r.step(p.Step); st != nil {
				st.ToolCalls = append(st.ToolCalls, c)
			}
		case eventlog.ContextTrimmed, eventlog.ContextCompacted, eventlog.InferenceTruncated:
			r.Notices = append(r.Notices, notice(e))
		case eventlog.CapabilityRequested, eventlog.CapabilityApproved, eventlog.CapabilityRefused, eventlog.CapabilityGranted,
			eventlog.CapabilityDenied, eventlog.CapabilityUsed, eventlog.CapabilityRevoked, eventlog.CapabilityExpired:
			d, err := decision(e)
			if err != nil {
				bad(e, err)
				continue
			}
			r.Decisions = append(r.Decisions, d)
		case eventlog.EffectFileRead:
			var p kernel.FileReadPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				bad(e, err)
				continue
			}
			r.Effects = append(r.Effects, Effect{Seq: e.Seq, At: e.At, Type: e.Type, Summary: fmt.Sprintf("read %s (%d bytes)", p.Path, p.Size)})
		case eventlog.EffectFileStaged:
			var p kernel.StagedPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				bad(e, err)
				continue
			}
			if s, ok := stagedAt[p.Path]; ok {
				s.op, s.after = p.Op, p.After // the first base stays: the run still expects the disk as it first saw it
			} else {
				stagedAt[p.Path] = &staged{op: p.Op, base: p.Base, after: p.After}
				order = append(order, p.Path)
			}
			r.Effects = append(r.Effects, Effect{Seq: e.Seq, At: e.At, Type: e.Type, Summary: fmt.Sprintf("staged %s of %s (%d bytes)", p.Op, p.Path, p.Size)})
		case eventlog.EffectFileWritten:
			var p kernel.WrittenPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				bad(e, err)
				continue
			}
			r.Effects = append(r.Effects, Effect{Seq: e.Seq, At: e.At, Type: e.Type, Summary: fmt.Sprintf("wrote %s (%s)", p.Path, p.Op)})
			if r.Commit == nil {
				r.Commit = &Commit{Files: []string{}}
			}
			r.Commit.Files = append(r.Commit.Files, p.Path)
		case eventlog.EffectHTTPRequested:
			r.Effects = append(r.Effects, Effect{Seq: e.Seq, At: e.At, Type: e.Type, Summary: "HTTP request " + abbreviate(string(e.Payload), 300)})
		case eventlog.EffectCommandExecuted:
			var p kernel.CommandPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				bad(e, err)
				continue
			}
			c := Command{Seq: e.Seq, Purpose: p.Purpose, Argv: p.Argv, Dir: p.Dir, ExitCode: p.ExitCode, TimedOut: p.TimedOut,
				DurationMs: p.DurationMs, Sandbox: p.Sandbox}
			if c.Purpose == "" {
				c.Purpose = "tool"
			}
			if t, trunc, bin, err := b.text(ctx, p.Output, maxText); err == nil && !bin {
				c.Output, c.Truncated = t, trunc
			}
			if c.Purpose == "validation" {
				lastValidation = strings.Join(p.Argv, "\x00")
			}
			r.Commands = append(r.Commands, c)
			r.Effects = append(r.Effects, Effect{Seq: e.Seq, At: e.At, Type: e.Type,
				Summary: fmt.Sprintf("ran %s (%s): exit code %d, %d ms", strings.Join(p.Argv, " "), c.Purpose, p.ExitCode, p.DurationMs)})
		case eventlog.RunValidationPassed, eventlog.RunValidationFailed:
			var p kernel.ValidationPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				bad(e, err)
				continue
			}
			v := Validation{Seq: e.Seq, At: e.At, Passed: e.Type == eventlog.RunValidationPassed, Reason: p.Reason, ExitCode: p.ExitCode,
				Conflicts: []string{}, Command: []string{}}
			if lastValidation != "" {
				v.Command = strings.Split(lastValidation, "\x00")
			}
			lastValidation = ""
			for _, c := range p.Conflicts {
				v.Conflicts = append(v.Conflicts, c.Path)
			}
			if t, trunc, bin, err := b.text(ctx, p.Output, maxText); err == nil && !bin {
				v.Output, v.Truncated = t, trunc
			}
			r.Validations = append(r.Validations, v)
		case eventlog.RunCommitRequested, eventlog.RunAbortRequested:
			requestedBy = e.Origin
		case eventlog.RunCommitApproved:
			if r.Commit == nil {
				r.Commit = &Commit{Files: []string{}}
			}
			r.Commit.ApprovedSeq = e.Seq
		case eventlog.RunCommitting:
			var p kernel.CommittingPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				bad(e, err)
				continue
			}
			journal = p.Files
		}
		switch e.Type {
		case eventlog.RunCommitted, eventlog.RunAborted:
			if r.Commit == nil {
				r.Commit = &Commit{Files: []string{}}
			}
			var p kernel.ReasonPayload
			_ = json.Unmarshal(e.Payload, &p)
			r.Commit.Outcome, r.Commit.Seq, r.Commit.At, r.Commit.Reason, r.Commit.RequestedBy = strings.TrimPrefix(e.Type, "run."), e.Seq, e.At, p.Reason, requestedBy
		}
	}
	r.State = string(state)
	switch {
	case state == kernel.StateCommitted || r.Commit != nil && r.Commit.Outcome == "committed":
		r.Outcome = kernel.OutcomeCommitted
	case state == kernel.StateAborted || r.Commit != nil && r.Commit.Outcome == "aborted":
		r.Outcome = kernel.OutcomeAborted
	case state == kernel.StateTerminated:
		r.Outcome = kernel.OutcomeTerminated
	}
	if r.Commit != nil && r.Commit.Outcome == "" {
		r.Commit.Outcome = "approved" // approved, not (yet) committed
	}
	r.RevertedBy = b.revertedBy[id]
	// The changes: what the commit's journal applied, else what is staged.
	if journal != nil {
		r.Changes.Applied = true
		for _, j := range journal {
			r.Changes.Files = append(r.Changes.Files, b.fileDiff(ctx, j.Path, j.Op, j.Before, j.After))
		}
	} else {
		sort.Strings(order)
		for _, p := range order {
			s := stagedAt[p]
			r.Changes.Files = append(r.Changes.Files, b.fileDiff(ctx, p, s.op, s.base, s.after))
		}
	}
	return r, nil
}

func (r *Run) context() *Context {
	if r.Context == nil {
		r.Context = &Context{Files: []string{}, Rules: []string{}, Memories: []string{}}
	}
	return r.Context
}

func (r *Run) addModel(m Model) {
	for _, have := range r.Models {
		if have == m {
			return
		}
	}
	r.Models = append(r.Models, m)
}

// step finds a step by number (the last one with it).
func (r *Run) step(n int) *Step {
	for i := len(r.Steps) - 1; i >= 0; i-- {
		if r.Steps[i].Step == n {
			return &r.Steps[i]
		}
	}
	return nil
}

// message reads one request message (JSON of an api.Message) from its blob.
func (b *builder) message(ctx context.Context, addr string) (Message, error) {
	m := Message{Blob: addr}
	data, err := b.store.GetBlob(ctx, addr)
	if err != nil {
		return m, fmt.Errorf("message %s: %w", addr, err)
	}
	var am api.Message
	if err := json.Unmarshal(data, &am); err != nil {
		return m, fmt.Errorf("message %s: %w", addr, err)
	}
	m.Role, m.ToolName, m.Images = am.Role, am.ToolName, len(am.Images)
	m.Content, m.Truncated = cut(am.Content, maxText)
	m.Thinking, _ = cut(am.Thinking, maxText)
	for _, c := range am.ToolCalls {
		m.ToolCalls = append(m.ToolCalls, CallText{Name: c.Function.Name, Arguments: c.Function.Arguments.String()})
	}
	return m, nil
}

func (b *builder) fileDiff(ctx context.Context, path, op, before, after string) FileDiff {
	f := FileDiff{Path: path, Op: op, Before: before, After: after}
	var sides [2]string
	for i, addr := range []string{before, after} {
		t, trunc, bin, err := b.text(ctx, addr, maxSide)
		if err != nil {
			f.Missing = addr
			return f
		}
		sides[i] = t
		f.Binary = f.Binary || bin
		f.TooLong = f.TooLong || trunc
	}
	if f.Binary || f.TooLong {
		return f
	}
	f.Diff, f.Added, f.Removed = unifiedDiff(path, sides[0], sides[1], before != "", after != "")
	return f
}

// decision reads one capability event.
func decision(e eventlog.Event) (Decision, error) {
	d := Decision{Seq: e.Seq, At: e.At, Type: e.Type, Action: strings.TrimPrefix(e.Type, "capability."), Origin: e.Origin}
	var err error
	switch e.Type {
	case eventlog.CapabilityRequested:
		var p kernel.CapRequestedPayload
		err = json.Unmarshal(e.Payload, &p)
		d.Kind, d.Target, d.Reason, d.Request = p.Kind, p.Target, p.Reason, p.Request
		d.By = "the agent asked; the policy says ask the user"
	case eventlog.CapabilityApproved, eventlog.CapabilityRefused:
		var p kernel.CapDecisionPayload
		err = json.Unmarshal(e.Payload, &p)
		d.Choice, d.Reason, d.Request = p.Choice, p.Reason, p.Request
		d.By = "the user"
		if d.Reason == "" {
			d.Reason = choiceText(p.Choice)
		}
	case eventlog.CapabilityGranted:
		var p kernel.CapGrantedPayload
		err = json.Unmarshal(e.Payload, &p)
		d.Kind, d.Grant, d.Reason, d.Request = p.Kind, p.Grant, p.Reason, p.Request
		d.Scope = p.Scope.Describe(p.Kind)
		d.By = p.IssuedBy
		if d.By == "user" {
			d.By = "the user"
		}
		if p.Run != "" {
			d.Scope += " (this run"
			if p.MaxUses > 0 {
				d.Scope += fmt.Sprintf(", %d use(s)", p.MaxUses)
			}
			d.Scope += ")"
		} else {
			d.Scope += " (the workspace)"
		}
	case eventlog.CapabilityDenied:
		var p kernel.CapDeniedPayload
		err = json.Unmarshal(e.Payload, &p)
		d.Kind, d.Target, d.Reason = p.Kind, p.Target, p.Reason
		d.By = ruleOrWho(p.Rule, "", p.Reason)
	case eventlog.CapabilityUsed:
		var p kernel.CapUsedPayload
		err = json.Unmarshal(e.Payload, &p)
		d.Kind, d.Target, d.Reason, d.Grant = p.Kind, p.Target, p.Reason, p.Grant
		d.By = ruleOrWho(p.Rule, p.Grant, p.Reason)
	case eventlog.CapabilityRevoked, eventlog.CapabilityExpired:
		var p kernel.CapEndedPayload
		err = json.Unmarshal(e.Payload, &p)
		d.Grant, d.Reason = p.Grant, p.Reason
		d.By = "the runtime"
		if e.Origin == eventlog.OriginUser {
			d.By = "the user"
		}
	}
	return d, err
}

func ruleOrWho(rule int, grant, reason string) string {
	switch {
	case grant != "":
		return "grant " + grant
	case rule > 0:
		return fmt.Sprintf("policy rule %d", rule)
	case strings.Contains(reason, "user refused"):
		return "the user"
	}
	return "the runtime (profile and policy)"
}

func choiceText(c string) string {
	switch c {
	case kernel.ChoiceOnce:
		return "allowed once"
	case kernel.ChoiceRun:
		return "allowed for this run"
	case kernel.ChoiceWorkspace:
		return "allowed for this workspace"
	case kernel.ChoiceDeny:
		return "refused"
	}
	return c
}

// notice describes a context-window event.
func notice(e eventlog.Event) Notice {
	n := Notice{Seq: e.Seq, Type: e.Type}
	var head struct {
		Step           int    `json:"step"`
		Window         int    `json:"window"`
		EstimateBefore int    `json:"estimateBefore"`
		EstimateAfter  int    `json:"estimateAfter"`
		Reason         string `json:"reason"`
	}
	_ = json.Unmarshal(e.Payload, &head)
	n.Step = head.Step
	switch e.Type {
	case eventlog.ContextTrimmed:
		n.Text = fmt.Sprintf("old tool outputs were cut to fit the window of %d tokens: about %d → %d tokens", head.Window, head.EstimateBefore, head.EstimateAfter)
	case eventlog.ContextCompacted:
		n.Text = fmt.Sprintf("earlier messages were replaced by a summary (%s): about %d → %d tokens", head.Reason, head.EstimateBefore, head.EstimateAfter)
	default:
		n.Text = "the server did not see all of the request: " + head.Reason
	}
	return n
}

func cut(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s, true
}

func abbreviate(s string, n int) string {
	if t, cutOff := cut(s, n); cutOff {
		return t + "…"
	}
	return s
}
