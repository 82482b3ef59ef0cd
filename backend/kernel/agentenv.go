package kernel

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// What an inferential worker (the agent) needs beyond file effects: its own
// cognitive events, commands in the sandbox, and text search.

// DefaultCommandTimeout bounds one command a worker runs.
const DefaultCommandTimeout = 2 * time.Minute

// Profile returns the run's capability profile (ask, edit or agent).
func (e *Env) Profile() string { return e.rc.info.config.Profile }

// Record records a cognitive event of the worker (inference.request,
// inference.response, inference.tool_call…) with the origin
// agent:<worker>, and its large bodies in the blob store atomically with
// it. The Emit gate allows only the agent's own event families this way.
func (e *Env) Record(typ string, payload any, blobs ...[]byte) (eventlog.Event, error) {
	unlock := e.rc.k.lock(e.rc.info.ID)
	defer unlock()
	if e.rc.info.State != StateExecuting {
		return eventlog.Event{}, fmt.Errorf("record %s: %w (%s)", typ, ErrRunFinished, e.rc.info.State)
	}
	return e.rc.k.recordBlobs(e.ctx, e.rc.info, typ, eventlog.AgentPrefix+e.rc.info.Worker, payload, "", blobs)
}

// RecordLater records a cognitive event like Record, but with the run's
// next event, in the same transaction (one commit instead of two): for an
// event that is final when made and need not be in the log before the run
// goes on (a tool call with its result, recorded just before the next
// model step). Every transition of the run takes it along, so it is never
// left out.
func (e *Env) RecordLater(typ string, payload any, blobs ...[]byte) {
	e.rc.k.recordLater(e.rc.info, typ, eventlog.AgentPrefix+e.rc.info.Worker, payload, blobs...)
}

// CommandResult is what a command a worker ran printed and how it ended.
type CommandResult struct {
	ExitCode  int    `json:"exitCode"`
	TimedOut  bool   `json:"timedOut"`
	Output    string `json:"output"`    // stdout and stderr, up to maxOutput
	Truncated bool   `json:"truncated"` // the output was longer
	// Limit is the compute limit the command was killed for ("" none).
	Limit string `json:"limit,omitempty"`
	// Changes are the files it changed in its view of the workspace, and
	// what became of each (staged for the user's review, or refused).
	Changes []CommandChange `json:"changes,omitempty"`
}

// RunCommand runs argv (in dir, relative to the root) in the kernel's
// sandbox, on an overlay of the workspace with the run's staged changes:
// the worker sees the effect of its own edits, the user's tree is never
// touched, and what the command changes becomes staged writes of the run
// (each decided as fs.write). It needs shell.exec (asked for when the
// policy says so) and is recorded as effect.command_executed with its
// output in the blob store.
func (e *Env) RunCommand(argv []string, dir string, timeout time.Duration) (CommandResult, error) {
	if err := e.rc.step(); err != nil {
		return CommandResult{}, err
	}
	if len(argv) == 0 || argv[0] == "" {
		return CommandResult{}, errors.New("no command given")
	}
	if dir = strings.TrimSuffix(dir, "/"); dir == "" || dir == "./" {
		dir = "."
	}
	if timeout <= 0 {
		timeout = DefaultCommandTimeout
	}
	ce, err := e.rc.runCommand(e.ctx, argv, dir, PurposeTool, timeout, e.rc.stagedNow())
	if err != nil {
		return CommandResult{}, err
	}
	text, _, _ := strings.Cut(string(ce.output), "\x00") // a binary tail is not for a model
	return CommandResult{ExitCode: ce.payload.ExitCode, TimedOut: ce.payload.TimedOut, Output: strings.ToValidUTF8(text, "\uFFFD"),
		Truncated: ce.payload.OutputSize > maxOutput, Limit: ce.payload.Limit, Changes: ce.payload.Changes}, nil
}

// stagedNow is the run's staged changes so far.
func (rc *runCtx) stagedNow() []Staged {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	staged := make([]Staged, 0, len(rc.staged))
	for p, after := range rc.staged {
		op := OpWrite
		if after == "" {
			op = OpDelete
		}
		staged = append(staged, Staged{Path: p, Op: op, After: after})
	}
	sort.Slice(staged, func(i, j int) bool { return staged[i].Path < staged[j].Path })
	return staged
}

// SearchHit is one line that matched a text search.
type SearchHit struct {
	Path string `json:"path"`
	Line int    `json:"line"` // 1-based
	Text string `json:"text"`
}

// SearchText finds lines matching a literal text (or an RE2 regex) in the
// text files under a folder, at most max hits (100 if max ≤ 0). It is one
// step, authorised as a read of the folder; more reports that hits were
// left out.
func (e *Env) SearchText(pattern, under string, isRegex bool, max int) (hits []SearchHit, more bool, err error) {
	if err := e.rc.step(); err != nil {
		return nil, false, err
	}
	if pattern == "" {
		return nil, false, errors.New("nothing to search for")
	}
	match := func(line []byte) bool { return bytes.Contains(line, []byte(pattern)) }
	if isRegex {
		re, err := regexp.Compile(pattern)
		if err != nil {
			return nil, false, fmt.Errorf("invalid regular expression: %w", err)
		}
		match = re.Match
	}
	if max <= 0 {
		max = 100
	}
	w := &walkEffect{under: under, maxSize: 1 << 20, fn: func(rel string, data []byte) bool {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 64<<10), len(data)+1)
		for n := 1; sc.Scan(); n++ {
			if !match(sc.Bytes()) {
				continue
			}
			if len(hits) == max {
				more = true
				return false
			}
			text := sc.Text()
			if len(text) > 300 {
				text = strings.ToValidUTF8(text[:300], "") + "…"
			}
			hits = append(hits, SearchHit{Path: rel, Line: n, Text: text})
		}
		return true
	}}
	_, err = e.rc.do(e.ctx, w)
	return hits, more, err
}
