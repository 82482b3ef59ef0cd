package kernel

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// What an inferential worker (the agent) needs beyond file effects: its own
// cognitive events, commands on a copy of the workspace, and text search.

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
}

// RunCommand runs argv (in dir, relative to the root) on a temporary copy
// of the workspace with the run's staged changes applied: the worker sees
// the effect of its own edits, and the user's tree is never touched. It
// needs shell.exec (asked for when the policy says so) and is recorded as
// effect.command_executed with its output in the blob store.
func (e *Env) RunCommand(argv []string, dir string, timeout time.Duration) (CommandResult, error) {
	if err := e.rc.step(); err != nil {
		return CommandResult{}, err
	}
	if len(argv) == 0 || argv[0] == "" {
		return CommandResult{}, errors.New("no command given")
	}
	if dir = strings.Trim(dir, "/"); dir == "" {
		dir = "."
	}
	req := capability.Request{Kind: capability.ShellExec, Argv: argv, Dir: dir}
	if _, err := e.rc.authorize(e.ctx, req, detailOf(req)); err != nil {
		return CommandResult{}, err
	}
	if timeout <= 0 {
		timeout = DefaultCommandTimeout
	}
	e.rc.mu.Lock()
	staged := make([]Staged, 0, len(e.rc.staged))
	for p, after := range e.rc.staged {
		op := OpWrite
		if after == "" {
			op = OpDelete
		}
		staged = append(staged, Staged{Path: p, Op: op, After: after})
	}
	e.rc.mu.Unlock()
	res, out, err := e.rc.k.runOnCopy(e.ctx, e.rc.root, staged, argv, dir, timeout)
	if err != nil {
		return CommandResult{}, err
	}
	if err := e.rc.emit(e.ctx, eventlog.EffectCommandExecuted, res, out); err != nil {
		return CommandResult{}, err
	}
	text, _, _ := strings.Cut(string(out), "\x00") // a binary tail is not for a model
	return CommandResult{ExitCode: res.ExitCode, TimedOut: res.TimedOut, Output: strings.ToValidUTF8(text, "\uFFFD"),
		Truncated: res.OutputSize >= maxOutput}, nil
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
	if _, err := e.rc.authorize(e.ctx, capability.Request{Kind: capability.FSRead, Path: listTarget(under)}, nil); err != nil {
		return nil, false, err
	}
	err = e.rc.walkText(e.ctx, under, 1<<20, func(rel string, data []byte) bool {
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
	})
	return hits, more, err
}

// walkText calls fn with every text file (at most maxSize bytes) under a
// folder, in path order, until fn returns false.
func (rc *runCtx) walkText(ctx context.Context, under string, maxSize int64, fn func(rel string, data []byte) bool) error {
	start := rc.root
	if under = strings.Trim(under, "/"); under != "" && under != "." {
		abs, err := workspace.Resolve(rc.root, under)
		if err != nil {
			return err
		}
		start = abs
	}
	stop := errors.New("stop")
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable entries are skipped
		}
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		if d.IsDir() {
			if skipDirs[d.Name()] && p != start {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if info, err := d.Info(); err != nil || info.Size() > maxSize {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil || bytes.IndexByte(data, 0) >= 0 {
			return nil
		}
		rel, err := filepath.Rel(rc.root, p)
		if err != nil {
			return nil
		}
		if !fn(filepath.ToSlash(rel), data) {
			return stop
		}
		return nil
	})
	if errors.Is(err, stop) {
		return nil
	}
	return err
}

// runOnCopy copies the workspace to a temporary folder, applies the staged
// changes there and runs argv in dir of the copy. It returns the output (at
// most maxOutput bytes) for the caller to store with its event; the
// payload names it by its blob address.
func (k *Kernel) runOnCopy(ctx context.Context, root string, staged []Staged, argv []string, dir string, timeout time.Duration) (CommandPayload, []byte, error) {
	tmp, err := os.MkdirTemp("", "ice-run-")
	if err != nil {
		return CommandPayload{}, nil, err
	}
	defer os.RemoveAll(tmp)
	copyRoot := filepath.Join(tmp, filepath.Base(root))
	if err := copyTree(root, copyRoot); err != nil {
		return CommandPayload{}, nil, fmt.Errorf("copy the workspace: %w", err)
	}
	for _, s := range staged {
		if err := k.applyTo(ctx, copyRoot, JournalEntry{Path: s.Path, Op: s.Op, Before: s.Base, After: s.After}, ""); err != nil {
			return CommandPayload{}, nil, fmt.Errorf("apply %s to the copy: %w", s.Path, err)
		}
	}
	workDir, err := workspace.Resolve(copyRoot, dir)
	if err != nil {
		return CommandPayload{}, nil, fmt.Errorf("folder %s: %w", dir, err)
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, argv[0], argv[1:]...)
	cmd.Dir = workDir
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout = &limitedWriter{w: &out, n: maxOutput}
	cmd.Stderr = cmd.Stdout
	start := time.Now()
	runErr := cmd.Run()
	shown := "(a temporary copy of the workspace)"
	if dir != "." {
		shown = dir + " " + shown
	}
	res := CommandPayload{Argv: argv, Dir: shown, DurationMs: time.Since(start).Milliseconds(), OutputSize: int64(out.Len())}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return CommandPayload{}, nil, context.Cause(ctx) // the run was stopped
	case cctx.Err() != nil:
		res.TimedOut, res.ExitCode = true, -1
	case errors.As(runErr, &exitErr):
		res.ExitCode = exitErr.ExitCode()
	case runErr != nil:
		var pathErr *exec.Error
		if errors.As(runErr, &pathErr) || errors.Is(runErr, fs.ErrNotExist) {
			res.ExitCode = 127 // as a shell says for a program it cannot find
			fmt.Fprintf(&out, "%v\n", runErr)
			res.OutputSize = int64(out.Len())
			break
		}
		return CommandPayload{}, nil, runErr
	}
	res.Output = eventlog.BlobAddress(out.Bytes())
	return res, out.Bytes(), nil
}
