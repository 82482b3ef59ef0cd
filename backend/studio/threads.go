package studio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/buger/jsonparser"
	"github.com/ollama/ollama/api"

	"github.com/ice-studio/ice-studio/backend/agent"
	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/ollama"
)

// Conversations: a thread of agent runs, one per user message. Every turn
// is a run with its own lifecycle, staging, validation and commit (a
// checkpoint); a follow-up's context carries the earlier turns exactly as
// the log has them, so a thread resumes after a restart as if the Studio
// had never stopped.

// ThreadChangedPayload is the thread.changed notification.
type ThreadChangedPayload struct {
	Thread    string `json:"thread"`
	Workspace string `json:"workspace"`
}

// SelectionRequest is editor text sent with a message.
type SelectionRequest struct {
	Path      string `json:"path"`
	StartLine int    `json:"startLine"`
	EndLine   int    `json:"endLine"`
	Text      string `json:"text"`
}

// SendMessageRequest sends a message: the first of a new thread (no
// ThreadID) or a follow-up.
type SendMessageRequest struct {
	WorkspaceID string `json:"workspaceId"`
	ThreadID    string `json:"threadId"`
	Text        string `json:"text"`
	// Mentions are the files the message names with @, read through the
	// kernel into its context.
	Mentions  []string          `json:"mentions"`
	Selection *SelectionRequest `json:"selection"`
	// NoRules leaves the project rules files (AGENTS.md…) out.
	NoRules bool        `json:"noRules"`
	Agent   AgentParams `json:"agent"`
}

// SendResult is the turn a message started.
type SendResult struct {
	Thread kernel.ThreadInfo `json:"thread"`
	Turn   int               `json:"turn"`
	Run    kernel.RunInfo    `json:"run"`
}

// ThreadRequest names a thread (its id or a short id).
type ThreadRequest struct {
	ID string `json:"id"`
}

// ListThreadsRequest lists a workspace's threads.
type ListThreadsRequest struct {
	WorkspaceID string `json:"workspaceId"`
	Hidden      bool   `json:"hidden"` // include deleted (hidden) ones
}

// ThreadSummary is a thread in the list.
type ThreadSummary struct {
	kernel.ThreadInfo
	Last    kernel.State `json:"last"`    // the last turn's state
	Outcome string       `json:"outcome"` // and its outcome (committed, aborted, terminated, "" undecided)
	Failed  bool         `json:"failed"`  // it ended by a failure (not by the user): it can be retried
	Model   string       `json:"model"`   // the last turn's model
}

// ListThreads lists a workspace's conversations, the latest first.
func (s *Studio) ListThreads(req ListThreadsRequest) ([]ThreadSummary, error) {
	k, err := s.kernelOrErr()
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	if err := s.emitter.CatchUp(ctx); err != nil {
		return nil, err
	}
	db := s.events.ReadDB()
	ts, err := kernel.ListThreads(ctx, db, req.WorkspaceID, req.Hidden)
	if err != nil {
		return nil, err
	}
	out := make([]ThreadSummary, 0, len(ts))
	for _, t := range ts {
		sum := ThreadSummary{ThreadInfo: t}
		if turns, err := kernel.ThreadTurns(ctx, db, t.ID); err == nil && len(turns) > 0 {
			if r, err := k.Get(ctx, turns[len(turns)-1].Run); err == nil {
				sum.Last, sum.Outcome, sum.Model = r.State, r.Outcome, r.Model
				sum.Failed = s.failed(ctx, r)
			}
		}
		out = append(out, sum)
	}
	return out, nil
}

// TurnView is one turn as the conversation view shows it.
type TurnView struct {
	kernel.TurnInfo
	Info      kernel.RunInfo    `json:"info"`
	Message   string            `json:"message"` // what the user said
	Files     []kernel.FileRef  `json:"files"`   // @-files, with the hashes read
	Rules     []kernel.FileRef  `json:"rules"`
	Selection *kernel.Selection `json:"selection,omitempty"`
	Carried   *kernel.Carried   `json:"carried,omitempty"`
	History   int               `json:"history"`   // earlier messages carried
	Summaries int               `json:"summaries"` // of them, summaries
	Changes   []FileStat        `json:"changes"`
	// Context-window notices of the turn.
	Trimmed   int `json:"trimmed"`
	Compacted int `json:"compacted"`
	Truncated int `json:"truncated"`
	// The last model step's prompt tokens (counted by the server, else
	// estimated) and window: the composer's meter.
	PromptTokens int  `json:"promptTokens"`
	Window       int  `json:"window"`
	Retryable    bool `json:"retryable"`
	// Failed: the turn ended by a failure or the runtime (Ollama down, a
	// budget spent, its context refused), not by your Abort.
	Failed bool `json:"failed"`
	asked  bool // its abort was asked for (run.abort_requested)
}

// FileStat is one file a turn changed, with lines added and removed.
type FileStat struct {
	Path    string `json:"path"`
	Op      string `json:"op"`
	New     bool   `json:"new"` // the file did not exist before
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
}

// ThreadView is a conversation with its turns.
type ThreadView struct {
	Thread kernel.ThreadInfo `json:"thread"`
	Turns  []TurnView        `json:"turns"`
	// Busy: the last turn is still working (a follow-up must wait).
	Busy bool `json:"busy"`
	// Pending says what a follow-up does with the last turn's changes:
	// "staged" (it carries them), "committed", "aborted" (by you),
	// "failed" (it ended by a failure: nothing of it was applied) or "".
	Pending string `json:"pending"`
}

// GetThread returns a conversation with its turns.
func (s *Studio) GetThread(req ThreadRequest) (ThreadView, error) {
	k, err := s.kernelOrErr()
	if err != nil {
		return ThreadView{}, err
	}
	ctx := context.Background()
	if err := s.emitter.CatchUp(ctx); err != nil {
		return ThreadView{}, err
	}
	db := s.events.ReadDB()
	id, err := kernel.ResolveThread(ctx, db, req.ID)
	if err != nil {
		return ThreadView{}, err
	}
	t, err := kernel.LoadThread(ctx, db, id)
	if err != nil {
		return ThreadView{}, err
	}
	turns, err := kernel.ThreadTurns(ctx, db, id)
	if err != nil {
		return ThreadView{}, err
	}
	v := ThreadView{Thread: t, Turns: make([]TurnView, 0, len(turns))}
	waiting := map[string]bool{}
	for _, a := range k.Asks(t.Workspace) {
		waiting[a.Run] = true
	}
	// A long thread is read in three queries, not three a turn.
	ids := make([]string, len(turns))
	for i, tu := range turns {
		ids[i] = tu.Run
	}
	infos, err := kernel.LoadRuns(ctx, db, ids)
	if err != nil {
		return ThreadView{}, err
	}
	staged, err := kernel.StagedChangesOf(ctx, db, ids)
	if err != nil {
		return ThreadView{}, err
	}
	byRun := make(map[string]*TurnView, len(turns))
	for _, tu := range turns {
		info, ok := infos[tu.Run]
		if !ok {
			return ThreadView{}, fmt.Errorf("%w: %s (turn %d)", kernel.ErrUnknownRun, tu.Run, tu.Turn)
		}
		info.Waiting = waiting[tu.Run]
		tv := TurnView{TurnInfo: tu, Info: info, Message: info.Task, Files: []kernel.FileRef{}, Rules: []kernel.FileRef{}, Changes: []FileStat{}}
		for _, st := range staged[tu.Run] {
			fs := FileStat{Path: st.Path, Op: st.Op, New: st.Base == "" && st.Op != kernel.OpDelete}
			before, _ := s.blobText(ctx, st.Base)
			after, _ := s.blobText(ctx, st.After)
			fs.Added, fs.Removed = lineStat(before, after)
			tv.Changes = append(tv.Changes, fs)
		}
		v.Turns = append(v.Turns, tv)
	}
	for i := range v.Turns {
		byRun[v.Turns[i].Run] = &v.Turns[i] // a fork's run is one turn only
	}
	if err := s.turnEvents(ctx, ids, byRun); err != nil {
		return ThreadView{}, err
	}
	for i := range v.Turns {
		tv := &v.Turns[i]
		tv.Failed = tv.Info.Outcome == kernel.OutcomeTerminated || (tv.Info.Outcome == kernel.OutcomeAborted && !tv.asked)
	}
	if last := lastConversational(turns); last != nil {
		var info kernel.RunInfo
		failed := false
		for _, tv := range v.Turns {
			if tv.Turn == last.Turn {
				info, failed = tv.Info, tv.Failed
			}
		}
		v.Busy = busy(info)
		switch {
		case info.State == kernel.StateValidated || info.State == kernel.StateValidationFailed:
			if st, _ := kernel.StagedChanges(ctx, db, info.ID); len(st) > 0 {
				v.Pending = "staged"
			}
		case info.Outcome == kernel.OutcomeCommitted:
			v.Pending = "committed"
		case info.Outcome != "" && failed:
			v.Pending = "failed"
		case info.Outcome != "":
			v.Pending = "aborted"
		}
	}
	for i := range v.Turns {
		tv := &v.Turns[i]
		tv.Retryable = i == len(v.Turns)-1 && !tv.Inherited && tv.Kind != kernel.TurnRestore &&
			(tv.Info.Outcome == kernel.OutcomeAborted || tv.Info.Outcome == kernel.OutcomeTerminated)
	}
	return v, nil
}

// failed reports whether a finished run ended by a failure or the
// runtime (Ollama down, a budget spent, its context refused) rather than
// by the user's Abort (or a restore, or a follow-up taking it over).
func (s *Studio) failed(ctx context.Context, r kernel.RunInfo) bool {
	switch r.Outcome {
	case kernel.OutcomeTerminated:
		return true
	case kernel.OutcomeAborted:
		asked := false
		_ = s.events.Read(ctx, eventlog.Query{Run: r.ID, Types: []string{eventlog.RunAbortRequested}, NoHashes: true, Limit: 1}, func(eventlog.Event) error {
			asked = true
			return nil
		})
		return !asked
	}
	return false
}

// busy reports whether a turn's run is still working (or waiting for an
// approval): not finished, and not waiting for the user's review.
func busy(r kernel.RunInfo) bool {
	return r.ID != "" && !r.State.Finished() && r.State != kernel.StateValidated && r.State != kernel.StateValidationFailed
}

// lastConversational is the thread's last turn that the conversation
// goes on from (not a restore's compensating run, not retried).
func lastConversational(turns []kernel.TurnInfo) *kernel.TurnInfo {
	for i := len(turns) - 1; i >= 0; i-- {
		if turns[i].Kind != kernel.TurnRestore && !turns[i].Retried {
			return &turns[i]
		}
	}
	return nil
}

// turnEvents fills in what the turns' events say: their context (files,
// rules, selection, carried changes, the history carried), the last
// model step's prompt tokens and window, and the context notices.
func (s *Studio) turnEvents(ctx context.Context, runs []string, byRun map[string]*TurnView) error {
	if len(runs) == 0 {
		return nil
	}
	// Not the requests: in a long thread each lists hundreds of messages.
	return s.events.Read(ctx, eventlog.Query{Runs: runs, NoHashes: true, Types: []string{eventlog.RunContextResolved, eventlog.RunAbortRequested,
		eventlog.InferenceResponse, eventlog.ContextTrimmed, eventlog.ContextCompacted, eventlog.InferenceTruncated}},
		func(e eventlog.Event) error {
			tv := byRun[e.Run]
			if tv == nil {
				return nil
			}
			switch e.Type {
			case eventlog.RunContextResolved:
				// The history lists are long in a long thread: they are
				// counted, not decoded.
				var p struct {
					Files     []kernel.FileRef  `json:"files"`
					Rules     []kernel.FileRef  `json:"rules"`
					Selection *kernel.Selection `json:"selection"`
					Carried   *kernel.Carried   `json:"carried"`
				}
				for _, k := range []string{"files", "rules", "selection", "carried"} {
					if v, _, _, err := jsonparser.Get(e.Payload, k); err == nil {
						var err error
						switch k {
						case "files":
							err = json.Unmarshal(v, &p.Files)
						case "rules":
							err = json.Unmarshal(v, &p.Rules)
						case "selection":
							err = json.Unmarshal(v, &p.Selection)
						case "carried":
							err = json.Unmarshal(v, &p.Carried)
						}
						if err != nil {
							return fmt.Errorf("run.context_resolved %d: %s: %w", e.Seq, k, err)
						}
					}
				}
				if p.Files != nil {
					tv.Files = p.Files
				}
				if p.Rules != nil {
					tv.Rules = p.Rules
				}
				tv.Selection, tv.Carried = p.Selection, p.Carried
				tv.History, tv.Summaries = arrayLen(e.Payload, "history"), arrayLen(e.Payload, "summaries")
			case eventlog.InferenceResponse:
				if purpose, _ := jsonparser.GetString(e.Payload, "purpose"); purpose == "" {
					if n, _ := jsonparser.GetInt(e.Payload, "promptTokens"); n > 0 {
						tv.PromptTokens = int(n)
					}
					if w, _ := jsonparser.GetInt(e.Payload, "window"); w > 0 {
						tv.Window = int(w)
					}
				}
			case eventlog.RunAbortRequested:
				tv.asked = true
			case eventlog.ContextTrimmed:
				tv.Trimmed++
			case eventlog.ContextCompacted:
				tv.Compacted++
			case eventlog.InferenceTruncated:
				tv.Truncated++
			}
			return nil
		})
}

// arrayLen counts the elements of a payload's array field (0 if none).
func arrayLen(payload []byte, key string) int {
	n := 0
	_, _ = jsonparser.ArrayEach(payload, func([]byte, jsonparser.ValueType, int, error) { n++ }, key)
	return n
}

func (s *Studio) blobText(ctx context.Context, addr string) (string, error) {
	if addr == "" {
		return "", nil
	}
	b, err := s.events.GetBlob(ctx, addr)
	return string(b), err
}

// lineStat counts the lines after has that before has not, and the
// other way round (as a diffstat does, up to moved lines).
func lineStat(before, after string) (added, removed int) {
	count := map[string]int{}
	for _, l := range splitLines(before) {
		count[l]++
	}
	for _, l := range splitLines(after) {
		if count[l] > 0 {
			count[l]--
		} else {
			added++
		}
	}
	for _, n := range count {
		removed += n
	}
	return added, removed
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.SplitAfter(s, "\n")
}

// SendMessage sends a message: a new thread's first turn, or the next
// turn of a thread. The turn is a new run whose context carries the
// earlier turns; when the last turn's changes are still staged, the new
// turn takes them over (it sees them, and its Commit applies them too).
func (s *Studio) SendMessage(req SendMessageRequest) (SendResult, error) {
	text := strings.TrimSpace(req.Text)
	if text == "" {
		return SendResult{}, errors.New("write a message first")
	}
	return s.startTurn(turnRequest{thread: req.ThreadID, workspace: req.WorkspaceID, kind: kernel.TurnMessage, text: text,
		mentions: req.Mentions, selection: req.Selection, noRules: req.NoRules, params: req.Agent})
}

// RetryRequest tries a thread's failed last turn again.
type RetryRequest struct {
	ID    string      `json:"id"`
	Agent AgentParams `json:"agent"`
}

// RetryTurn tries the thread's last turn again, when it failed (Ollama
// was down, the budget ran out, you stopped it): a new run with the same
// message, files and context; the failed turn leaves the conversation.
func (s *Studio) RetryTurn(req RetryRequest) (SendResult, error) {
	v, err := s.GetThread(ThreadRequest{ID: req.ID})
	if err != nil {
		return SendResult{}, err
	}
	if len(v.Turns) == 0 {
		return SendResult{}, errors.New("the thread has no turn to retry")
	}
	last := v.Turns[len(v.Turns)-1]
	if !last.Retryable {
		return SendResult{}, fmt.Errorf("turn %d did not fail (it is %s): send a follow-up instead", last.Turn, last.Info.State)
	}
	tr := turnRequest{thread: v.Thread.ID, kind: kernel.TurnRetry, retries: last.Turn, text: last.Message, params: req.Agent}
	if last.Kind == kernel.TurnCompact {
		tr.kind = kernel.TurnCompact
	}
	for _, f := range last.Files {
		tr.mentions = append(tr.mentions, f.Path)
	}
	if sel := last.Selection; sel != nil {
		text, _ := s.blobText(context.Background(), sel.Blob)
		tr.selection = &SelectionRequest{Path: sel.Path, StartLine: sel.StartLine, EndLine: sel.EndLine, Text: text}
	}
	tr.noRules = len(last.Rules) == 0
	if tr.params.Model == "" {
		tr.params.Model = last.Info.Model
	}
	return s.startTurn(tr)
}

// CompactRequest compacts a thread on demand.
type CompactRequest struct {
	ID    string      `json:"id"`
	Agent AgentParams `json:"agent"`
}

// CompactThread summarises the thread so far in a recorded model step (a
// turn of its own): the next message carries the summary instead.
func (s *Studio) CompactThread(req CompactRequest) (SendResult, error) {
	return s.startTurn(turnRequest{thread: req.ID, kind: kernel.TurnCompact, text: "/compact", params: req.Agent})
}

// turnRequest is a turn to start.
type turnRequest struct {
	thread, workspace string
	kind              string
	retries           int
	text              string
	mentions          []string
	selection         *SelectionRequest
	noRules           bool
	params            AgentParams
}

func (s *Studio) startTurn(tr turnRequest) (SendResult, error) {
	k, err := s.kernelOrErr()
	if err != nil {
		return SendResult{}, err
	}
	ctx := context.Background()
	if err := s.emitter.CatchUp(ctx); err != nil {
		return SendResult{}, err
	}
	db := s.events.ReadDB()
	var th kernel.ThreadInfo
	var turns []kernel.TurnInfo
	if tr.thread != "" {
		id, err := kernel.ResolveThread(ctx, db, tr.thread)
		if err != nil {
			return SendResult{}, err
		}
		defer s.lockThread(id)()
		if err := s.emitter.CatchUp(ctx); err != nil { // what the turn before the lock added
			return SendResult{}, err
		}
		if th, err = kernel.LoadThread(ctx, db, id); err != nil {
			return SendResult{}, err
		}
		if turns, err = kernel.ThreadTurns(ctx, db, id); err != nil {
			return SendResult{}, err
		}
		tr.workspace = th.Workspace
	} else if tr.kind != kernel.TurnMessage {
		return SendResult{}, errors.New("say which thread")
	}
	if _, err := s.roots(ctx, tr.workspace); err != nil {
		return SendResult{}, err
	}
	// What the conversation goes on from: the last turn (for a retry,
	// the one before the failed turn).
	upto := len(turns) + 1
	if tr.retries > 0 {
		upto = tr.retries
	}
	var prev *kernel.TurnInfo
	if p := lastConversational(turnsBefore(turns, upto)); p != nil {
		prev = p
	}
	var prevInfo kernel.RunInfo
	if prev != nil {
		if prevInfo, err = k.Get(ctx, prev.Run); err != nil {
			return SendResult{}, err
		}
		if tr.retries == 0 && busy(prevInfo) {
			return SendResult{}, fmt.Errorf("turn %d is still working (%s): wait for it, or stop it first", prev.Turn, prevInfo.State)
		}
	}
	history, calib, err := s.threadHistory(ctx, turns, upto)
	if err != nil {
		return SendResult{}, err
	}
	if tr.kind == kernel.TurnCompact && len(history) == 0 {
		return SendResult{}, errors.New("there is nothing to compact yet")
	}
	task := tr.text
	if tr.kind == kernel.TurnCompact {
		task = "/compact"
	}
	sr, cfg, chat, err := s.prepareAgent(tr.workspace, task, tr.params)
	var failure error // the model server could not be reached
	switch {
	case err == nil:
	case modelUnreachable(err):
		// Ollama is down (or failing): the message is not lost. The turn
		// is recorded, fails with the reason, and can be retried.
		failure = err
		if sr, err = tr.params.Options.request(tr.workspace, task); err != nil {
			return SendResult{}, err
		}
		sr.Model = strings.TrimSpace(tr.params.Model)
		if sr.Model == "" {
			sr.Model, _ = s.defaults()
		}
	default:
		return SendResult{}, err
	}
	turn := len(turns) + 1
	sr.History, sr.Turn = history, turn
	cfg.Window.Start = calib
	cfg.CompactOnly = tr.kind == kernel.TurnCompact
	sr.ContextFiles = cleanMentions(tr.mentions)
	if tr.selection != nil && strings.TrimSpace(tr.selection.Text) != "" {
		sr.Selection = &kernel.Selection{Path: tr.selection.Path, StartLine: tr.selection.StartLine, EndLine: tr.selection.EndLine, Text: tr.selection.Text}
	}
	if !tr.noRules && tr.kind != kernel.TurnCompact {
		sr.RuleFiles = ruleFiles(append(append([]string(nil), sr.ContextFiles...), selectionPath(sr.Selection)...))
	}
	// The changes the conversation goes on from: staged ones are carried.
	var carryFrom kernel.RunInfo
	if prev != nil {
		carryFrom = prevInfo
		if tr.retries > 0 {
			// A retry starts from where the failed turn started.
			carryFrom = kernel.RunInfo{}
			if c := s.carriedBy(ctx, turns[tr.retries-1].Run); c != "" {
				carryFrom, _ = k.Get(ctx, c)
			}
		}
	}
	cfg.Note = noteFor(prev, prevInfo, prev != nil && s.failed(ctx, prevInfo))
	if carryFrom.ID != "" && (tr.retries > 0 || carryFrom.State == kernel.StateValidated || carryFrom.State == kernel.StateValidationFailed) {
		staged, err := kernel.StagedChanges(ctx, db, carryFrom.ID)
		if err != nil {
			return SendResult{}, err
		}
		if len(staged) > 0 {
			sr.Carry = carryFrom.ID
			for _, st := range staged {
				sr.Grants = append(sr.Grants, kernel.CapGrantedPayload{Kind: capability.FSWrite, Scope: capability.Scope{Glob: kernel.LiteralGlob(st.Path)},
					IssuedBy: "user", Reason: fmt.Sprintf("you went on from turn %d: its staged changes carry over", prev.Turn)})
			}
			cfg.Note = fmt.Sprintf("The changes staged in the previous turn (%d files) are carried into this turn: you see them, and the user reviews them together with yours.", len(staged))
		}
	}
	if th.ID == "" {
		id, err := newID()
		if err != nil {
			return SendResult{}, err
		}
		evs, err := s.emit(ctx, eventlog.Draft{Stream: kernel.ThreadStream(id), Type: eventlog.ThreadCreated, Origin: eventlog.OriginUser,
			Workspace: tr.workspace, Payload: kernel.ThreadCreatedPayload{Title: titleOf(tr.text)}})
		if err != nil {
			return SendResult{}, err
		}
		if len(evs) == 0 {
			return SendResult{}, ErrNoEventLog
		}
		if th, err = kernel.LoadThread(ctx, db, id); err != nil {
			return SendResult{}, err
		}
	}
	sr.Thread = th.ID
	var worker kernel.Worker = unreachable{err: failure}
	if failure == nil {
		worker = agent.New(chat, cfg)
	}
	info, startErr := k.Start(ctx, sr, worker)
	if info.ID == "" {
		return SendResult{}, startErr
	}
	// The turn is in the thread even when its context could not be
	// loaded (an @-file refused): it shows why, and can be retried.
	if _, err := s.emit(ctx, eventlog.Draft{Stream: kernel.ThreadStream(th.ID), Type: eventlog.ThreadTurnAdded, Origin: eventlog.OriginRuntime,
		Workspace: tr.workspace, Payload: kernel.TurnAddedPayload{Turn: turn, Run: info.ID, Kind: tr.kind, Retries: tr.retries}}); err != nil {
		return SendResult{}, err
	}
	if startErr == nil && sr.Carry == "" && tr.retries == 0 && prev != nil && prevInfo.State == kernel.StateValidated {
		// A turn that changed nothing (a question answered) is finished
		// when the conversation goes on: there is nothing left to review.
		if st, err := kernel.StagedChanges(ctx, db, prevInfo.ID); err == nil && len(st) == 0 {
			if _, err := k.Approve(ctx, prevInfo.ID); err != nil && !errors.Is(err, kernel.ErrNotApprovable) {
				s.log.Warn("finish the previous turn", "run", prevInfo.ID, "err", err)
			}
		}
	}
	if startErr == nil && sr.Carry != "" && tr.retries == 0 {
		// Its changes live on in the new turn: the old one can no longer
		// be committed on its own.
		if _, err := k.Abort(ctx, sr.Carry, fmt.Sprintf("its staged changes were carried into turn %d", turn)); err != nil && !errors.Is(err, kernel.ErrRunFinished) {
			s.log.Warn("abort the carried turn", "run", sr.Carry, "err", err)
		}
	}
	s.cfg.Bus.Publish(bus.ThreadChanged, ThreadChangedPayload{Thread: th.ID, Workspace: tr.workspace})
	th, _ = kernel.LoadThread(ctx, db, th.ID)
	// A turn whose context could not be loaded (an @-file refused) is in
	// the thread, aborted with the reason: the result says so (the
	// conversation opens on it), not an error that would hide the turn.
	if startErr != nil {
		if got, err := k.Get(ctx, info.ID); err == nil {
			info = got
		}
	}
	return SendResult{Thread: th, Turn: turn, Run: info}, nil
}

// modelUnreachable reports errors of the model server that a retry may
// get past (it is not running, dropped the connection, failed).
func modelUnreachable(err error) bool {
	return errors.Is(err, ollama.ErrNotRunning) || errors.Is(err, ollama.ErrDropped) || errors.Is(err, ollama.ErrServer)
}

// unreachable is the worker of a turn sent while the model server could
// not be reached: it fails at once with the reason.
type unreachable struct{ err error }

func (unreachable) Name() string { return agent.Name }

func (u unreachable) Run(context.Context, *kernel.Env) error { return u.err }

// lockThread serialises what adds turns to a thread (two messages sent
// at once must not both become turn N).
func (s *Studio) lockThread(id string) func() {
	s.threadMu.Lock()
	if s.threadLock == nil {
		s.threadLock = map[string]*sync.Mutex{}
	}
	l, ok := s.threadLock[id]
	if !ok {
		l = &sync.Mutex{}
		s.threadLock[id] = l
	}
	s.threadMu.Unlock()
	l.Lock()
	return l.Unlock
}

func turnsBefore(turns []kernel.TurnInfo, upto int) []kernel.TurnInfo {
	var out []kernel.TurnInfo
	for _, t := range turns {
		if t.Turn < upto {
			out = append(out, t)
		}
	}
	return out
}

// carriedBy returns the run whose changes a run carried ("" none).
func (s *Studio) carriedBy(ctx context.Context, run string) string {
	var from string
	_ = s.events.Read(ctx, eventlog.Query{Run: run, Types: []string{eventlog.RunContextResolved}, NoHashes: true}, func(e eventlog.Event) error {
		var p kernel.ContextPayload
		if json.Unmarshal(e.Payload, &p) == nil && p.Carried != nil {
			from = p.Carried.Run
		}
		return nil
	})
	return from
}

// noteFor tells a follow-up what became of the previous turn's work.
func noteFor(prev *kernel.TurnInfo, info kernel.RunInfo, failed bool) string {
	if prev == nil {
		return ""
	}
	switch {
	case info.Outcome == kernel.OutcomeCommitted:
		return "The previous turn's changes were applied to the files (committed)."
	case info.Outcome == kernel.OutcomeAborted && failed:
		return "The previous turn failed (" + info.Reason + "): nothing it staged was applied."
	case info.Outcome == kernel.OutcomeAborted:
		return "The previous turn was stopped or its changes discarded: nothing it staged was applied."
	case info.Outcome == kernel.OutcomeTerminated:
		return "The previous turn ended early (" + info.Reason + "): nothing it staged was applied."
	}
	return ""
}

func selectionPath(s *kernel.Selection) []string {
	if s == nil {
		return nil
	}
	return []string{s.Path}
}

// cleanMentions drops empty and repeated @-paths (a leading @ too).
func cleanMentions(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range in {
		m = strings.TrimPrefix(strings.TrimSpace(m), "@")
		if m == "" || seen[m] {
			continue
		}
		seen[m] = true
		out = append(out, m)
	}
	return out
}

// RulesFileNames are the project rules files, in order of preference
// within a folder: AGENTS.md, then the other tools' files.
var RulesFileNames = []string{"AGENTS.md", "CLAUDE.md", ".cursorrules", ".clinerules"}

// ruleFiles lists, for the root and every folder above the files
// involved, the rules file candidates (root first, deeper after).
func ruleFiles(files []string) [][]string {
	dirs := []string{"."}
	seen := map[string]bool{".": true}
	for _, f := range files {
		f = strings.TrimPrefix(path.Clean("/"+strings.TrimPrefix(f, "./")), "/")
		var chain []string
		for d := path.Dir(f); d != "." && d != "/" && d != ""; d = path.Dir(d) {
			chain = append([]string{d}, chain...)
		}
		for _, d := range chain {
			if !seen[d] {
				seen[d] = true
				dirs = append(dirs, d)
			}
		}
	}
	out := make([][]string, 0, len(dirs))
	for _, d := range dirs {
		group := make([]string, len(RulesFileNames))
		for i, n := range RulesFileNames {
			group[i] = path.Join(d, n)
		}
		out = append(out, group)
	}
	return out
}

// titleOf is a thread's first title: the message's first line, cut.
func titleOf(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	line = strings.TrimSpace(line)
	if utf8.RuneCountInString(line) > 60 {
		r := []rune(line)
		line = strings.TrimSpace(string(r[:60])) + "…"
	}
	if line == "" {
		line = "Conversation"
	}
	return line
}

// threadHistory is what a turn before upto leaves the conversation: the
// last conversational turn's messages (which carry the ones before), and
// the model's calibration measured on it.
func (s *Studio) threadHistory(ctx context.Context, turns []kernel.TurnInfo, upto int) ([]kernel.HistoryMessage, kernel.Calibration, error) {
	prev := lastConversational(turnsBefore(turns, upto))
	if prev == nil {
		return nil, kernel.Calibration{}, nil
	}
	return s.conversationOf(ctx, prev.Run)
}

// conversationOf rebuilds the messages a run's conversation ended with,
// from its events and blobs: its last request (without the system
// prompt), the answer to it and the tool results that answer got. A run
// that never asked the model leaves what it was given and its message.
func (s *Studio) conversationOf(ctx context.Context, run string) ([]kernel.HistoryMessage, kernel.Calibration, error) {
	var (
		cp        kernel.ContextPayload
		task      string
		last      *agent.RequestPayload
		resp      *agent.ResponsePayload
		calls     []agent.ToolCallPayload
		compacted []kernel.CompactPayload
		calib     kernel.Calibration
		truncated = map[int]bool{}
		compact   bool
	)
	err := s.events.Read(ctx, eventlog.Query{Run: run, NoHashes: true, Types: []string{eventlog.RunCreated, eventlog.RunContextResolved,
		eventlog.InferenceRequest, eventlog.InferenceResponse, eventlog.InferenceToolCall, eventlog.ContextCompacted, eventlog.InferenceTruncated}},
		func(e eventlog.Event) error {
			switch e.Type {
			case eventlog.RunCreated:
				var p kernel.CreatedPayload
				if err := json.Unmarshal(e.Payload, &p); err != nil {
					return err
				}
				task = p.Task
			case eventlog.RunContextResolved:
				return json.Unmarshal(e.Payload, &cp)
			case eventlog.InferenceRequest:
				var p agent.RequestPayload
				if err := json.Unmarshal(e.Payload, &p); err != nil {
					return err
				}
				if p.TokensPerByte > 0 {
					calib = kernel.Calibration{TokensPerByte: p.TokensPerByte, Samples: p.Samples}
				}
				if p.Purpose == "" {
					last, resp, calls = &p, nil, nil
				} else if p.Purpose == "compact" {
					compact = true
				}
			case eventlog.InferenceResponse:
				var p agent.ResponsePayload
				if err := json.Unmarshal(e.Payload, &p); err != nil {
					return err
				}
				if last != nil && p.Step == last.Step {
					resp = &p
				}
			case eventlog.InferenceToolCall:
				var p agent.ToolCallPayload
				if err := json.Unmarshal(e.Payload, &p); err != nil {
					return err
				}
				if last != nil && p.Step == last.Step {
					calls = append(calls, p)
				}
			case eventlog.ContextCompacted:
				var p kernel.CompactPayload
				if err := json.Unmarshal(e.Payload, &p); err != nil {
					return err
				}
				compacted = append(compacted, p)
			case eventlog.InferenceTruncated:
				var p kernel.TruncatedPayload
				if err := json.Unmarshal(e.Payload, &p); err != nil {
					return err
				}
				truncated[p.Step] = true
				calib = kernel.Calibration{TokensPerByte: p.NewRatio, Samples: calib.Samples}
			}
			return nil
		})
	if err != nil {
		return nil, calib, err
	}
	summaries := map[string]bool{}
	for _, a := range cp.Summaries {
		summaries[a] = true
	}
	for _, c := range compacted {
		summaries[c.Summary] = true
	}
	var addrs []string
	var extra [][]byte // messages rebuilt here (tool results)
	if last != nil {
		addrs = append(addrs, last.Messages[1:]...)
		if resp != nil && resp.Message != "" {
			addrs = append(addrs, resp.Message)
			if !truncated[last.Step] && resp.PromptTokens > 0 && last.Bytes > 0 {
				calib = calib.Observe(last.Bytes, resp.PromptTokens)
			}
		}
		for _, c := range calls {
			content, err := s.events.GetBlob(ctx, c.Result)
			if err != nil {
				return nil, calib, fmt.Errorf("run %s, step %d: tool result: %w", short(run), c.Step, err)
			}
			b, _ := json.Marshal(api.Message{Role: "tool", Content: string(content), ToolName: c.Name, ToolCallID: c.ID})
			extra = append(extra, b)
			addrs = append(addrs, "")
		}
	} else {
		addrs = append(addrs, cp.History...)
		for _, c := range compacted {
			addrs = replaceRun(addrs, c.Replaced, c.Summary)
		}
		if !compact && task != "/compact" {
			b, _ := json.Marshal(api.Message{Role: "user", Content: task})
			extra = append(extra, b)
			addrs = append(addrs, "")
		}
	}
	out := make([]kernel.HistoryMessage, 0, len(addrs))
	for _, a := range addrs {
		var b []byte
		if a == "" {
			b, extra = extra[0], extra[1:]
		} else {
			var err error
			if b, err = s.events.GetBlob(ctx, a); err != nil {
				return nil, calib, fmt.Errorf("run %s: message %s: %w", short(run), a, err)
			}
		}
		out = append(out, kernel.HistoryMessage{Message: b, Summary: a != "" && summaries[a], Stored: a != ""})
	}
	return out, calib, nil
}

// replaceRun replaces the messages of old, where they appear in order in
// addrs, by the one summary.
func replaceRun(addrs, old []string, summary string) []string {
	gone := map[string]bool{}
	for _, a := range old {
		gone[a] = true
	}
	out := make([]string, 0, len(addrs))
	placed := false
	for _, a := range addrs {
		if gone[a] {
			if !placed {
				out = append(out, summary)
				placed = true
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

func short(id string) string {
	if len(id) > 8 {
		return id[len(id)-8:]
	}
	return id
}

// RenameThreadRequest renames a thread.
type RenameThreadRequest struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// RenameThread gives a thread a new title.
func (s *Studio) RenameThread(req RenameThreadRequest) (kernel.ThreadInfo, error) {
	title := strings.TrimSpace(req.Title)
	if title == "" {
		return kernel.ThreadInfo{}, errors.New("give the thread a title")
	}
	if utf8.RuneCountInString(title) > 200 {
		return kernel.ThreadInfo{}, errors.New("a title has at most 200 characters")
	}
	return s.threadEvent(req.ID, eventlog.ThreadRenamed, kernel.ThreadRenamedPayload{Title: title})
}

// DeleteThread hides a thread from the list; the log keeps all of it.
func (s *Studio) DeleteThread(req ThreadRequest) (kernel.ThreadInfo, error) {
	return s.threadEvent(req.ID, eventlog.ThreadHidden, map[string]any{})
}

func (s *Studio) threadEvent(id, typ string, payload any) (kernel.ThreadInfo, error) {
	if _, err := s.kernelOrErr(); err != nil {
		return kernel.ThreadInfo{}, err
	}
	ctx := context.Background()
	if err := s.emitter.CatchUp(ctx); err != nil {
		return kernel.ThreadInfo{}, err
	}
	db := s.events.ReadDB()
	id, err := kernel.ResolveThread(ctx, db, id)
	if err != nil {
		return kernel.ThreadInfo{}, err
	}
	t, err := kernel.LoadThread(ctx, db, id)
	if err != nil {
		return kernel.ThreadInfo{}, err
	}
	if _, err := s.emit(ctx, eventlog.Draft{Stream: kernel.ThreadStream(id), Type: typ, Origin: eventlog.OriginUser,
		Workspace: t.Workspace, Payload: payload}); err != nil {
		return kernel.ThreadInfo{}, err
	}
	s.cfg.Bus.Publish(bus.ThreadChanged, ThreadChangedPayload{Thread: id, Workspace: t.Workspace})
	return kernel.LoadThread(ctx, db, id)
}

// ForkRequest forks a thread at a turn.
type ForkRequest struct {
	ID   string `json:"id"`
	Turn int    `json:"turn"`
	// RestoreFiles also brings the files back to how they were after the
	// turn (see RestoreThread).
	RestoreFiles bool `json:"restoreFiles"`
}

// ForkThread starts a new thread whose first turns are the thread's up
// to Turn: the next message there goes on from that turn.
func (s *Studio) ForkThread(req ForkRequest) (ThreadView, error) {
	src, err := s.GetThread(ThreadRequest{ID: req.ID})
	if err != nil {
		return ThreadView{}, err
	}
	if req.Turn < 1 || req.Turn > len(src.Turns) {
		return ThreadView{}, fmt.Errorf("the thread has turns 1 to %d: there is no turn %d", len(src.Turns), req.Turn)
	}
	if src.Turns[req.Turn-1].Kind == kernel.TurnRestore {
		return ThreadView{}, fmt.Errorf("turn %d is a restore: fork at a message", req.Turn)
	}
	if req.RestoreFiles {
		if err := s.restore(src, req.Turn); err != nil {
			return ThreadView{}, err
		}
	}
	ctx := context.Background()
	id, err := newID()
	if err != nil {
		return ThreadView{}, err
	}
	title := src.Thread.Title
	if !strings.HasPrefix(title, "Fork of ") {
		title = "Fork of " + title
	}
	drafts := []eventlog.Draft{{Stream: kernel.ThreadStream(id), Type: eventlog.ThreadCreated, Origin: eventlog.OriginUser,
		Workspace: src.Thread.Workspace, Payload: kernel.ThreadCreatedPayload{Title: titleOf(title), ForkOf: src.Thread.ID, ForkTurn: req.Turn}}}
	for _, t := range src.Turns[:req.Turn] {
		drafts = append(drafts, eventlog.Draft{Stream: kernel.ThreadStream(id), Type: eventlog.ThreadTurnAdded, Origin: eventlog.OriginRuntime,
			Workspace: src.Thread.Workspace, Payload: kernel.TurnAddedPayload{Turn: t.Turn, Run: t.Run, Kind: t.Kind, Retries: t.Retries,
				Inherited: true, Reverts: t.Reverts}})
	}
	if _, err := s.emit(ctx, drafts...); err != nil {
		return ThreadView{}, err
	}
	s.cfg.Bus.Publish(bus.ThreadChanged, ThreadChangedPayload{Thread: id, Workspace: src.Thread.Workspace})
	return s.GetThread(ThreadRequest{ID: id})
}

// RestoreRequest restores the files to how they were after a turn.
type RestoreRequest struct {
	ID   string `json:"id"`
	Turn int    `json:"turn"`
}

// RestoreThread brings the workspace back to how it was after a turn:
// the turns after it that were committed are reverted, newest first, by
// recorded compensating runs (turns of the thread, committed as they
// validate); turns after it still open are aborted. A file changed since
// makes its revert fail validation, and the restore stops there.
func (s *Studio) RestoreThread(req RestoreRequest) (ThreadView, error) {
	v, err := s.GetThread(ThreadRequest{ID: req.ID})
	if err != nil {
		return ThreadView{}, err
	}
	if req.Turn < 0 || req.Turn > len(v.Turns) {
		return ThreadView{}, fmt.Errorf("the thread has turns 1 to %d: there is no turn %d", len(v.Turns), req.Turn)
	}
	if err := s.restore(v, req.Turn); err != nil {
		return ThreadView{}, err
	}
	return s.GetThread(ThreadRequest{ID: v.Thread.ID})
}

func (s *Studio) restore(v ThreadView, upto int) error {
	k, err := s.kernelOrErr()
	if err != nil {
		return err
	}
	defer s.lockThread(v.Thread.ID)()
	ctx := context.Background()
	ws := v.Thread.Workspace
	if _, err := s.emit(ctx, eventlog.Draft{Stream: kernel.ThreadStream(v.Thread.ID), Type: eventlog.ThreadRestoreRequested, Origin: eventlog.OriginUser,
		Workspace: ws, Payload: kernel.ThreadRestorePayload{Turn: upto}}); err != nil {
		return err
	}
	// Which run each turn is, to tell a restore turn's target's place.
	turnOf := map[string]int{}
	for _, t := range v.Turns {
		turnOf[t.Run] = t.Turn
	}
	next := len(v.Turns) + 1
	for i := len(v.Turns) - 1; i >= 0 && v.Turns[i].Turn > upto; i-- {
		t := v.Turns[i]
		info, err := k.Get(ctx, t.Run)
		if err != nil {
			return err
		}
		if busy(info) || info.State == kernel.StateValidated || info.State == kernel.StateValidationFailed {
			if _, err := k.Abort(ctx, t.Run, fmt.Sprintf("you restored the thread to turn %d", upto)); err != nil && !errors.Is(err, kernel.ErrRunFinished) {
				return fmt.Errorf("stop turn %d: %w", t.Turn, err)
			}
			continue
		}
		if info.Outcome != kernel.OutcomeCommitted {
			continue
		}
		if t.Kind == kernel.TurnRestore {
			// A restore's revert after this turn undid a turn: keep it
			// when that turn is after this one too.
			if n, ok := turnOf[info.RevertOf]; ok && n > upto {
				continue
			}
		}
		if info.RevertedBy != "" {
			if by, err := k.Get(ctx, info.RevertedBy); err == nil && by.Outcome == kernel.OutcomeCommitted {
				continue // already undone
			}
		}
		rev, err := k.RevertWith(ctx, t.Run, true)
		if err != nil {
			return fmt.Errorf("revert turn %d: %w", t.Turn, err)
		}
		if _, err := s.emit(ctx, eventlog.Draft{Stream: kernel.ThreadStream(v.Thread.ID), Type: eventlog.ThreadTurnAdded, Origin: eventlog.OriginRuntime,
			Workspace: ws, Payload: kernel.TurnAddedPayload{Turn: next, Run: rev.ID, Kind: kernel.TurnRestore, Reverts: t.Run}}); err != nil {
			return err
		}
		next++
		done, err := k.Wait(ctx, rev.ID)
		if err != nil {
			return err
		}
		if done.Outcome != kernel.OutcomeCommitted {
			s.cfg.Bus.Publish(bus.ThreadChanged, ThreadChangedPayload{Thread: v.Thread.ID, Workspace: ws})
			return fmt.Errorf("the revert of turn %d did not go through (%s: %s): the files after turn %d were changed since; the restore stopped there",
				t.Turn, done.State, done.Reason, t.Turn)
		}
	}
	s.cfg.Bus.Publish(bus.ThreadChanged, ThreadChangedPayload{Thread: v.Thread.ID, Workspace: ws})
	return nil
}
