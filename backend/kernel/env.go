package kernel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
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

	mu     sync.Mutex
	steps  int
	tokens int
	reads  map[string]string // path → hash first read
	staged map[string]string // path → staged content address ("" for a staged delete)
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
// (unless the caller holds it already: context loading in Start).
func (rc *runCtx) emit(ctx context.Context, typ string, payload any, blobs ...[]byte) error {
	if !rc.locked {
		unlock := rc.k.lock(rc.info.ID)
		defer unlock()
	}
	_, err := rc.k.recordBlobs(ctx, rc.info, typ, eventlog.OriginRuntime, payload, "", blobs)
	return err
}

// read reads a workspace file for the run, keeps its body in the blob store
// (so what the run saw can be audited and diffed) and records effect.file_read.
func (rc *runCtx) read(ctx context.Context, rel string) ([]byte, string, error) {
	// Where the path really leads is checked at the moment of use (a link
	// made after a grant is caught), and a path leading out is a denial.
	clean, err := capability.CanonicalPath(rel)
	if err != nil {
		_, err = rc.authorize(ctx, capability.Request{Kind: capability.FSRead, Path: rel}, nil) // records the denial
		return nil, "", err
	}
	abs, rerr := workspace.Resolve(rc.root, clean)
	if errors.Is(rerr, workspace.ErrOutside) {
		return nil, "", rc.deny(ctx, capability.FSRead, clean, "it leads outside the workspace (through a symbolic link)", capability.Decision{})
	}
	if _, err := rc.authorize(ctx, capability.Request{Kind: capability.FSRead, Path: clean}, nil); err != nil {
		return nil, "", err
	}
	if rerr != nil {
		return nil, "", rerr
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", clean, err)
	}
	h := eventlog.BlobAddress(data)
	if err := rc.emit(ctx, eventlog.EffectFileRead, FileReadPayload{Path: clean, Hash: h, Size: int64(len(data))}, data); err != nil {
		return nil, "", err
	}
	rc.mu.Lock()
	if _, ok := rc.reads[clean]; !ok {
		rc.reads[clean] = h
	}
	rc.mu.Unlock()
	return data, h, nil
}

// stage records a staged write (data != nil) or delete (data == nil).
func (rc *runCtx) stage(ctx context.Context, rel string, data []byte, del bool) error {
	canon, err := capability.CanonicalPath(rel)
	if err != nil {
		_, err = rc.authorize(ctx, capability.Request{Kind: capability.FSWrite, Path: rel}, nil) // records the denial
		return err
	}
	clean := canon
	abs, err := workspace.ResolveWrite(rc.root, clean, true)
	if errors.Is(err, workspace.ErrOutside) {
		return rc.deny(ctx, capability.FSWrite, clean, "it leads outside the workspace (through a symbolic link)", capability.Decision{})
	}
	if err != nil {
		return err
	}
	// The base is what the run saw: its first read, else the disk now. It
	// goes to the blob store so the diff and any revert need nothing else.
	rc.mu.Lock()
	base, seen := rc.reads[clean]
	rc.mu.Unlock()
	var blobs [][]byte
	if !seen {
		cur, err := os.ReadFile(abs)
		switch {
		case err == nil:
			base = eventlog.BlobAddress(cur)
			blobs = append(blobs, cur)
		case errors.Is(err, fs.ErrNotExist):
			base = ""
		default:
			return fmt.Errorf("stage %s: %w", clean, err)
		}
		rc.mu.Lock()
		rc.reads[clean] = base
		rc.mu.Unlock()
	}
	p := StagedPayload{Path: clean, Op: OpWrite, Base: base}
	if del {
		p.Op = OpDelete
	} else {
		p.After, p.Size = eventlog.BlobAddress(data), int64(len(data))
		blobs = append(blobs, data)
	}
	// The approval card shows the diff: both sides go to the blob store
	// first (content-addressed, so storing them again with the effect is free).
	detail := &EffectDetail{Op: p.Op, Base: base, After: p.After}
	for _, b := range blobs {
		if _, err := rc.k.cfg.Blobs.PutBlob(ctx, b); err != nil {
			return err
		}
	}
	if _, err := rc.authorize(ctx, capability.Request{Kind: capability.FSWrite, Path: clean}, detail); err != nil {
		return err
	}
	if err := rc.emit(ctx, eventlog.EffectFileStaged, p, blobs...); err != nil {
		return err
	}
	rc.mu.Lock()
	rc.staged[clean] = p.After
	rc.mu.Unlock()
	return nil
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
		e.rc.mu.Lock()
		addr, ok := e.rc.staged[clean]
		e.rc.mu.Unlock()
		if ok {
			if addr == "" {
				return nil, fmt.Errorf("read %s: %w (deleted by this run)", clean, fs.ErrNotExist)
			}
			return e.rc.k.cfg.Blobs.GetBlob(e.ctx, addr)
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
	return e.rc.stage(e.ctx, rel, data, false)
}

// DeleteFile stages the deletion of a file.
func (e *Env) DeleteFile(rel string) error {
	if err := e.rc.step(); err != nil {
		return err
	}
	return e.rc.stage(e.ctx, rel, nil, true)
}

// ListDir lists a folder of the workspace (disk state).
func (e *Env) ListDir(rel string) (workspace.Listing, error) {
	if err := e.rc.step(); err != nil {
		return workspace.Listing{}, err
	}
	if _, err := e.rc.authorize(e.ctx, capability.Request{Kind: capability.FSRead, Path: listTarget(rel)}, nil); err != nil {
		return workspace.Listing{}, err
	}
	return workspace.List(e.rc.root, rel)
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

// listTarget is the path a listing or search of a folder is authorised as:
// the folder itself, or "." for the root.
func listTarget(rel string) string {
	if rel = strings.Trim(rel, "/"); rel == "" || rel == "." {
		return "."
	}
	return rel
}

// skipDirs are folders a search never enters.
var skipDirs = map[string]bool{".git": true, "node_modules": true}

// FindFiles returns the text files under a folder (at most maxSize bytes)
// that contain text, in path order. It is one step: a search, whose hits
// the worker then reads (and those reads are recorded).
func (e *Env) FindFiles(text, under string, maxSize int64) ([]string, error) {
	if err := e.rc.step(); err != nil {
		return nil, err
	}
	if _, err := e.rc.authorize(e.ctx, capability.Request{Kind: capability.FSRead, Path: listTarget(under)}, nil); err != nil {
		return nil, err
	}
	needle := []byte(text)
	var out []string
	err := e.rc.walkText(e.ctx, under, maxSize, func(rel string, data []byte) bool {
		if bytes.Contains(data, needle) {
			out = append(out, rel)
		}
		return true
	})
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
	_, err := e.rc.authorize(e.ctx, req, detailOf(req))
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
