package kernel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// Worker does a run's work by proposing effects through its Env. It never
// touches the user's files itself.
type Worker interface {
	Name() string
	Run(ctx context.Context, env *Env) error
}

// runCtx is the kernel's side of an executing run.
type runCtx struct {
	k      *Kernel
	info   *RunInfo
	root   string
	budget Budget
	locked bool // the caller holds the run's lock (context loading)
	noAsk  bool // an "ask" is a denial: the caller holds the lock and cannot wait
	// userStep: the effect is one the user set up (the validation command),
	// decided by policy and grants but not limited by the worker's profile.
	userStep bool

	memories []Mounted // mounted at context loading
	context  loaded    // the rest of the context, loaded with it
	win      *windowState

	emitMu sync.Mutex // serialises records while the caller holds the run's lock

	mu     sync.Mutex
	steps  int
	tokens int
	reads  map[string]string // real path → hash first read
	staged map[string]string // real path → staged content address ("" for a staged delete)
}

// step counts one worker operation against the budget.
func (rc *runCtx) step() error {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.steps++
	if rc.steps > rc.budget.MaxSteps {
		return fmt.Errorf("%w: more than %d steps", ErrBudgetExceeded, rc.budget.MaxSteps)
	}
	return nil
}

// emit records a non-lifecycle effect of the run under the run's lock
// (unless the caller holds it already: context loading in Start, and
// validation, whose command's connections are recorded from the proxy's
// goroutines, serialised by emitMu).
func (rc *runCtx) emit(ctx context.Context, typ string, payload any, blobs ...[]byte) error {
	_, err := rc.emitEvent(ctx, typ, payload, blobs...)
	return err
}

// emitEvent is emit returning the stored event.
func (rc *runCtx) emitEvent(ctx context.Context, typ string, payload any, blobs ...[]byte) (eventlog.Event, error) {
	if rc.locked {
		rc.emitMu.Lock()
		defer rc.emitMu.Unlock()
	} else {
		unlock := rc.k.lock(rc.info.ID)
		defer unlock()
	}
	return rc.k.recordBlobs(ctx, rc.info, typ, eventlog.OriginRuntime, payload, "", blobs)
}

// read reads a workspace file for the run through the pipeline (readEffect).
func (rc *runCtx) read(ctx context.Context, rel string) ([]byte, string, error) {
	e := &readEffect{rel: rel}
	if _, err := rc.do(ctx, e); err != nil {
		return nil, "", err
	}
	rc.remember(e.real, e.hash)
	return e.data, e.hash, nil
}

// stage records a staged write (data != nil) or delete (del) through the
// pipeline (stageEffect) and returns the real path it staged.
func (rc *runCtx) stage(ctx context.Context, rel string, data []byte, del bool) (string, error) {
	e := &stageEffect{rel: rel, data: data, del: del}
	if _, err := rc.do(ctx, e); err != nil {
		return "", err
	}
	rc.mu.Lock()
	rc.staged[e.p.Path] = e.p.After
	rc.mu.Unlock()
	return e.p.Path, nil
}

// Env is a worker's only way to reach the workspace. Every call is checked
// against the policy and the budget and recorded as an event; writes are
// staged, never applied.
type Env struct {
	rc  *runCtx
	ctx context.Context
}

// RunID returns the run's id.
func (e *Env) RunID() string { return e.rc.info.ID }

// Task returns what the run was asked to do.
func (e *Env) Task() string { return e.rc.info.Task }

// ReadFile returns a file's content as the run sees it: its own staged
// version when it staged one, else the disk.
func (e *Env) ReadFile(rel string) ([]byte, error) {
	if err := e.rc.step(); err != nil {
		return nil, err
	}
	if clean, err := workspace.CleanRel(rel); err == nil {
		if real, err := workspace.RealPath(e.rc.root, clean); err == nil {
			e.rc.mu.Lock()
			addr, ok := e.rc.staged[real]
			e.rc.mu.Unlock()
			if ok {
				if addr == "" {
					return nil, fmt.Errorf("read %s: %w (deleted by this run)", clean, fs.ErrNotExist)
				}
				return e.rc.k.cfg.Blobs.GetBlob(e.ctx, addr)
			}
		}
	}
	data, _, err := e.rc.read(e.ctx, rel)
	return data, err
}

// WriteFile stages new content for a file (created if missing).
func (e *Env) WriteFile(rel string, data []byte) error {
	if err := e.rc.step(); err != nil {
		return err
	}
	if data == nil {
		data = []byte{}
	}
	_, err := e.rc.stage(e.ctx, rel, data, false)
	return err
}

// DeleteFile stages the deletion of a file.
func (e *Env) DeleteFile(rel string) error {
	if err := e.rc.step(); err != nil {
		return err
	}
	_, err := e.rc.stage(e.ctx, rel, nil, true)
	return err
}

// ListDir lists a folder of the workspace (disk state).
func (e *Env) ListDir(rel string) (workspace.Listing, error) {
	if err := e.rc.step(); err != nil {
		return workspace.Listing{}, err
	}
	l := &listEffect{rel: rel}
	if _, err := e.rc.do(e.ctx, l); err != nil {
		return workspace.Listing{}, err
	}
	return l.listing, nil
}

// Memories returns the memory versions mounted into the run's context:
// exactly those run.memory_mounted lists, and what a model is given.
func (e *Env) Memories() []Mounted { return append([]Mounted(nil), e.rc.memories...) }

// ProposeMemory proposes a memory for the user's review queue (agents may
// only propose; a memory is born when the user accepts it, and only from
// a committed run). It returns the proposal id.
func (e *Env) ProposeMemory(kind, scope, content string, confidence float64) (string, error) {
	if err := e.rc.step(); err != nil {
		return "", err
	}
	if e.rc.k.cfg.Propose == nil {
		return "", errors.New("memory proposals are not available")
	}
	return e.rc.k.cfg.Propose(e.ctx, Proposal{Worker: e.rc.info.Worker, Workspace: e.rc.info.Workspace, Run: e.rc.info.ID,
		Kind: kind, Scope: scope, Content: content, Confidence: confidence})
}

// UseTokens counts model tokens against the budget.
func (e *Env) UseTokens(n int) error {
	e.rc.mu.Lock()
	defer e.rc.mu.Unlock()
	e.rc.tokens += n
	if b := e.rc.budget.MaxTokens; b > 0 && e.rc.tokens > b {
		return fmt.Errorf("%w: more than %d tokens", ErrBudgetExceeded, b)
	}
	return nil
}

// FindFiles returns the text files under a folder (at most maxSize bytes)
// that contain text, in path order. It is one step: a search, whose hits
// the worker then reads (and those reads are recorded).
func (e *Env) FindFiles(text, under string, maxSize int64) ([]string, error) {
	if err := e.rc.step(); err != nil {
		return nil, err
	}
	needle := []byte(text)
	var out []string
	w := &walkEffect{under: under, maxSize: maxSize, fn: func(rel string, data []byte) bool {
		if bytes.Contains(data, needle) {
			out = append(out, rel)
		}
		return true
	}}
	_, err := e.rc.do(e.ctx, w)
	return out, err
}

// Authorize decides an effect that a kernel service performs for the
// worker (a command, a network request, a model call, a memory write):
// every such service calls it before acting, so the decision, its
// capability.used or capability.denied event and any approval happen in
// the same one place as for file effects.
func (e *Env) Authorize(req capability.Request) error {
	if err := e.rc.step(); err != nil {
		return err
	}
	_, err := e.rc.do(e.ctx, authOnly{req: req})
	return err
}

// detailOf is what an approval card shows for a request without content.
func detailOf(r capability.Request) *EffectDetail {
	switch r.Kind {
	case capability.ShellExec:
		return &EffectDetail{Argv: r.Argv, Dir: r.Dir}
	case capability.NetHTTP:
		return &EffectDetail{Host: r.Target()}
	}
	return nil
}
