package kernel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/sandbox"
)

// Defaults for a run's budget and validation.
const (
	DefaultMaxSteps          = 500
	DefaultWallClock         = 10 * time.Minute
	DefaultValidationTimeout = 5 * time.Minute
)

// Sentinel errors of the kernel.
var (
	ErrBudgetExceeded = errors.New("budget exceeded")
	ErrNotApprovable  = errors.New("run cannot be committed")
	ErrNotRevertable  = errors.New("run cannot be reverted")
	ErrRunFinished    = errors.New("run has already finished")
	ErrShutdown       = errors.New("the kernel is shutting down")
)

// Emitter appends events through the Emit gate (projection.Emitter).
type Emitter interface {
	// Emit appends and folds the projections before returning.
	Emit(ctx context.Context, drafts ...eventlog.Draft) ([]eventlog.Event, error)
	// Append appends without folding (a run's effects: folded with the next
	// lifecycle event, saving a transaction per step).
	Append(ctx context.Context, drafts ...eventlog.Draft) ([]eventlog.Event, error)
	// CatchUp folds everything appended so far.
	CatchUp(ctx context.Context) error
}

// Blobs is the content-addressed store for file bodies and outputs.
type Blobs interface {
	PutBlob(ctx context.Context, data []byte) (string, error)
	GetBlob(ctx context.Context, hash string) ([]byte, error)
}

// Config wires a Kernel.
type Config struct {
	Emitter Emitter
	Blobs   Blobs
	ReadDB  *sql.DB // the read models (p_runs, p_run_staged)
	// Roots returns the root folder of a workspace.
	Roots func(ctx context.Context, workspace string) (string, error)
	// Caps decides every effect of every run (see authorize); nil gives an
	// enforcer with default policies and no grants.
	Caps *capability.Enforcer
	// Memories, when set, picks the memory versions mounted into a run's
	// context at context loading (recorded in run.memory_mounted).
	Memories func(ctx context.Context, workspace, task string) ([]Mounted, error)
	// Propose records a worker's memory proposal (memory.proposed, by the
	// agent) for the user's review queue; nil: workers cannot propose.
	Propose           func(ctx context.Context, p Proposal) (string, error)
	Log               *slog.Logger
	ValidationTimeout time.Duration
	// Notify, when set, is called after a run changes state (the UI refreshes).
	Notify func(run string, state State)
	// DataDir holds the sandbox's scratch folders and the per-workspace
	// build caches ("" a folder in the system's temporary folder).
	DataDir string
	// Sandbox runs a command (nil: sandbox.Run); SandboxStatus says what
	// the machine offers (nil: sandbox.Probe). Test seams.
	Sandbox       func(ctx context.Context, s sandbox.Spec) (sandbox.Result, error)
	SandboxStatus func(ctx context.Context) sandbox.Status
	// Environ is the Studio's environment, the source of the variables a
	// command is allowed (nil: os.Environ).
	Environ func() []string
	// MCP are the Studio's MCP servers (nil: none; see mcp.go).
	MCP MCPTools
}

// Kernel owns runs: it executes workers, records every transition and
// effect as events, and decides what is applied to the user's files.
type Kernel struct {
	cfg Config
	log *slog.Logger

	mu     sync.Mutex
	locks  map[string]*sync.Mutex // one per run: operations on a run are serialised
	active map[string]*active     // runs whose worker is executing
	asks   asks                   // approvals runs wait for
	// deferred holds each run's capability.used events (and the agent's
	// tool calls) until the run's next event, appended in the same
	// transaction just before it: a use and the effect it authorised are
	// committed together (one commit, not two), and "the use just before
	// the effect" stays true in the log.
	deferred map[string][]eventlog.Draft
	closed   bool
	wg       sync.WaitGroup
	calib    calibrations // tokens per byte, per model
}

// active is a run whose worker is running.
type active struct {
	cancel context.CancelCauseFunc
	// stop ends what runs after the worker (the validation command): an
	// Abort must not wait for it.
	stop context.CancelCauseFunc
	done chan struct{}
}

// New returns a kernel; call Recover before starting runs.
func New(cfg Config) *Kernel {
	if cfg.Caps == nil {
		cfg.Caps = capability.NewEnforcer()
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.ValidationTimeout <= 0 {
		cfg.ValidationTimeout = DefaultValidationTimeout
	}
	return &Kernel{cfg: cfg, log: cfg.Log, locks: make(map[string]*sync.Mutex), active: make(map[string]*active),
		asks: asks{m: make(map[string]*Ask)}, deferred: make(map[string][]eventlog.Draft)}
}

// Stream returns the event stream of a run.
func Stream(run string) string { return "run/" + run }

func (k *Kernel) lock(run string) func() {
	k.mu.Lock()
	l, ok := k.locks[run]
	if !ok {
		l = &sync.Mutex{}
		k.locks[run] = l
	}
	k.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// record emits one run event after checking the state machine, with the
// run stream's exact next version so nothing can interleave. It returns
// the stored event and updates info.
func (k *Kernel) record(ctx context.Context, info *RunInfo, typ, origin string, payload any, cause string) (eventlog.Event, error) {
	return k.recordBlobs(ctx, info, typ, origin, payload, cause, nil)
}

// recordBlobs is record with contents stored atomically with the event.
// Lifecycle events and decisions fold the projections at once; a run's
// effects (reads, stages) are folded with the next of those.
func (k *Kernel) recordBlobs(ctx context.Context, info *RunInfo, typ, origin string, payload any, cause string, blobs [][]byte) (eventlog.Event, error) {
	next, err := Next(info.State, typ)
	if err != nil {
		return eventlog.Event{}, err
	}
	// An agent's cognitive events need not wait for the disk (see
	// eventlog.Event.Lazy): the effects and transitions after them do.
	lazy := strings.HasPrefix(typ, "inference.") || strings.HasPrefix(typ, "context.")
	emit := k.cfg.Emitter.Emit
	// Effects no read model folds (reads, staged writes, MCP calls) skip
	// the projections' catch-up: the next Emit folds them.
	if typ == eventlog.EffectFileRead || typ == eventlog.EffectFileStaged || typ == eventlog.EffectMCPCalled || lazy {
		emit = k.cfg.Emitter.Append
	}
	k.mu.Lock()
	drafts := append(k.deferred[info.ID], eventlog.Draft{})
	delete(k.deferred, info.ID)
	k.mu.Unlock()
	for i := range drafts[:len(drafts)-1] {
		drafts[i].ExpectVersion, drafts[i].Lazy = info.Version+int64(i)+1, lazy
	}
	drafts[len(drafts)-1] = eventlog.Draft{
		Stream: Stream(info.ID), ExpectVersion: info.Version + int64(len(drafts)), Type: typ, Origin: origin,
		Workspace: info.Workspace, Run: info.ID, Causation: cause, Correlation: info.ID, Payload: payload, Blobs: blobs, Lazy: lazy,
	}
	all, err := emit(ctx, drafts...)
	if err != nil {
		if len(drafts) > 1 {
			k.mu.Lock()
			k.deferred[info.ID] = append(drafts[:len(drafts)-1:len(drafts)-1], k.deferred[info.ID]...)
			k.mu.Unlock()
		}
		return eventlog.Event{}, fmt.Errorf("record %s: %w", typ, err)
	}
	evs := all[len(all)-1:]
	prev := info.State
	info.State, info.Version, info.UpdatedAt = next, evs[0].Version, evs[0].At
	if next != prev && k.cfg.Notify != nil {
		k.cfg.Notify(info.ID, next)
	}
	return evs[0], nil
}

// recordLater keeps a run's event for its next record (see
// Kernel.deferred); the next record of the run, under its lock, takes it.
func (k *Kernel) recordLater(info *RunInfo, typ, origin string, payload any, blobs ...[]byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.deferred[info.ID] = append(k.deferred[info.ID], eventlog.Draft{Stream: Stream(info.ID), Type: typ, Origin: origin,
		Workspace: info.Workspace, Run: info.ID, Correlation: info.ID, Payload: payload, Blobs: blobs})
}

// StartRequest describes a run to start.
type StartRequest struct {
	Workspace         string
	Task              string
	Budget            Budget
	AutoCommit        bool
	ValidationCommand []string
	ContextFiles      []string // read while loading context
	RevertOf          string
	// Profile is the capability set of the run (capability.ProfileAsk,
	// ProfileEdit, ProfileAgent; "" is Edit).
	Profile string
	// Grants are issued for the run as it starts, on the user's own
	// request (the file an edit run writes, its validation command).
	Grants []CapGrantedPayload
	// Model is the model an agent run works with (recorded in run.created).
	Model string
	// Thread and Turn place the run in a conversation.
	Thread string
	Turn   int
	// History is the earlier turns' messages the run's context carries.
	History []HistoryMessage
	// RuleFiles are the project rules files to read at context loading:
	// per folder, the candidates in order of preference (AGENTS.md, then
	// its fallbacks); the first that exists is read. A missing or refused
	// one is left out (a refusal is recorded).
	RuleFiles [][]string
	// Selection is editor text sent with the message.
	Selection *Selection
	// Carry is an earlier, uncommitted turn whose staged changes this run
	// takes over (staged again as its own; Grants must allow them).
	Carry string
}

func (b Budget) withDefaults() Budget {
	if b.MaxSteps <= 0 {
		b.MaxSteps = DefaultMaxSteps
	}
	if b.WallClockMs <= 0 {
		b.WallClockMs = DefaultWallClock.Milliseconds()
	}
	return b
}

// Start records the user's request, provisions the run, loads its context
// and starts the worker in the background. It returns once the run is
// executing (or has failed to get there); Wait follows it further.
func (k *Kernel) Start(ctx context.Context, req StartRequest, w Worker) (RunInfo, error) {
	k.mu.Lock()
	if k.closed {
		k.mu.Unlock()
		return RunInfo{}, ErrShutdown
	}
	k.mu.Unlock()
	root, err := k.cfg.Roots(ctx, req.Workspace)
	if err != nil {
		return RunInfo{}, fmt.Errorf("start run: %w", err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return RunInfo{}, fmt.Errorf("start run: %w", err)
	}
	info := RunInfo{ID: id.String(), Workspace: req.Workspace, Worker: w.Name(), Task: req.Task}
	unlock := k.lock(info.ID)
	defer unlock()
	budget := req.Budget.withDefaults()
	requested, err := k.record(ctx, &info, eventlog.RunRequested, eventlog.OriginUser, RequestedPayload{Worker: w.Name(), Task: req.Task}, "")
	if err != nil {
		return RunInfo{}, err
	}
	profile := req.Profile
	if profile == "" {
		profile = capability.ProfileEdit
	}
	if _, ok := capability.ProfileKinds[profile]; !ok {
		return RunInfo{}, fmt.Errorf("start run: unknown profile %q (ask, edit or agent)", req.Profile)
	}
	info.config = CreatedPayload{Worker: w.Name(), Task: req.Task, Budget: budget, AutoCommit: req.AutoCommit,
		ValidationCommand: req.ValidationCommand, RevertOf: req.RevertOf, Profile: profile, Model: req.Model,
		Thread: req.Thread, Turn: req.Turn}
	created, err := k.record(ctx, &info, eventlog.RunCreated, eventlog.OriginRuntime, info.config, requested.ID)
	if err != nil {
		return RunInfo{}, err
	}
	info.CreatedAt, info.AutoCommit, info.RevertOf = created.At, req.AutoCommit, req.RevertOf
	info.Profile, info.Model = profile, req.Model
	if _, err := k.record(ctx, &info, eventlog.RunProvisioned, eventlog.OriginRuntime, map[string]any{"budget": budget, "root": root}, ""); err != nil {
		return info, err
	}
	rc := &runCtx{k: k, info: &info, root: root, budget: budget, locked: true, reads: make(map[string]string), staged: make(map[string]string)}
	// Context loading: files asked for up front, memory, capabilities.
	cp, blobs, err := k.loadContext(ctx, rc, req)
	if err != nil {
		return info, k.fail(ctx, &info, err.Error())
	}
	if _, err := k.recordBlobs(ctx, &info, eventlog.RunContextResolved, eventlog.OriginRuntime, cp, "", blobs); err != nil {
		return info, err
	}
	mp := MemoryPayload{Memories: []string{}}
	if k.cfg.Memories != nil {
		mounted, err := k.cfg.Memories(ctx, req.Workspace, req.Task)
		if err != nil {
			k.log.Warn("mount memories", "run", info.ID, "err", err) // the run goes on without them
		}
		for _, m := range mounted {
			mp.Memories = append(mp.Memories, fmt.Sprintf("%s@%d", m.ID, m.Version))
		}
		mp.Items = mounted
	}
	if _, err := k.record(ctx, &info, eventlog.RunMemoryMounted, eventlog.OriginRuntime, mp, ""); err != nil {
		return info, err
	}
	rc.memories = mp.Items
	if _, err := k.record(ctx, &info, eventlog.RunCapabilitiesBound, eventlog.OriginRuntime,
		CapabilitiesPayload{Profile: profile, Allows: capability.ProfileKinds[profile], Policy: "the workspace policy and the grants in force decide each effect"}, ""); err != nil {
		return info, err
	}
	for _, g := range req.Grants {
		g.Run = info.ID
		if g.IssuedBy == "" {
			g.IssuedBy = "user"
		}
		if _, err := k.grant(ctx, &info, g, requested.ID); err != nil {
			return info, k.fail(ctx, &info, fmt.Sprintf("grant %s %s: %v", g.Kind, g.Scope.Describe(g.Kind), err))
		}
	}
	if _, err := k.record(ctx, &info, eventlog.RunExecutionStarted, eventlog.OriginRuntime, map[string]any{"worker": w.Name()}, ""); err != nil {
		return info, err
	}
	if err := k.carry(ctx, rc, req.Carry); err != nil {
		return info, k.fail(ctx, &info, err.Error())
	}
	rc.locked = false // from here the worker's effects take the lock themselves
	// The worker runs detached from the caller's context: a run outlives the
	// request that started it, and ends by its budget, an abort or shutdown.
	wctx, cancel := context.WithCancelCause(context.Background())
	wctx, cancelTimeout := context.WithTimeoutCause(wctx, time.Duration(budget.WallClockMs)*time.Millisecond,
		fmt.Errorf("%w: wall clock of %s", ErrBudgetExceeded, time.Duration(budget.WallClockMs)*time.Millisecond))
	vctx, stop := context.WithCancelCause(context.Background())
	a := &active{cancel: cancel, stop: stop, done: make(chan struct{})}
	k.mu.Lock()
	k.active[info.ID] = a
	k.mu.Unlock()
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		defer close(a.done)
		defer cancelTimeout()
		defer stop(nil)
		k.execute(wctx, vctx, rc, w)
		k.mu.Lock()
		delete(k.active, info.ID)
		k.mu.Unlock()
	}()
	return info, nil
}

// fail aborts a run that could not proceed and tears it down.
func (k *Kernel) fail(ctx context.Context, info *RunInfo, reason string) error {
	k.log.Warn("run aborted", "run", info.ID, "reason", reason)
	if _, err := k.record(ctx, info, eventlog.RunAborted, eventlog.OriginRuntime, ReasonPayload{Reason: reason}, ""); err != nil {
		return err
	}
	_, err := k.record(ctx, info, eventlog.RunTerminated, eventlog.OriginRuntime, ReasonPayload{Reason: "teardown after abort"}, "")
	if err != nil {
		return err
	}
	return errors.New(reason)
}

// execute runs the worker, then validation (its command under vctx), then
// (with auto-commit) the commit.
func (k *Kernel) execute(ctx, vctx context.Context, rc *runCtx, w Worker) {
	err := w.Run(ctx, &Env{rc: rc, ctx: ctx})
	bg := context.Background() // recording outcomes must not be cut short by the run's own deadline
	unlock := k.lock(rc.info.ID)
	defer unlock()
	// An abort records on its own copy of the run: the log says whether
	// the run is still executing.
	if cur, err := k.load(bg, rc.info.ID); err == nil && cur.State != StateExecuting {
		rc.info.State = cur.State
	}
	if rc.info.State != StateExecuting {
		// Aborted meanwhile: what the worker left to record after the end
		// has no place in the log.
		k.mu.Lock()
		delete(k.deferred, rc.info.ID)
		k.mu.Unlock()
		return
	}
	if cause := context.Cause(ctx); err != nil || ctx.Err() != nil {
		switch {
		case errors.Is(cause, ErrBudgetExceeded) || errors.Is(err, ErrBudgetExceeded):
			reason := fmt.Sprint(errors.Join(err, cause))
			if errors.Is(err, ErrBudgetExceeded) {
				reason = err.Error()
			} else if cause != nil {
				reason = cause.Error()
			}
			k.terminate(bg, rc.info, reason)
		case errors.Is(cause, ErrShutdown):
			k.terminate(bg, rc.info, "shutdown: the Studio stopped while the run was executing")
		default:
			_ = k.fail(bg, rc.info, fmt.Sprintf("worker %s failed: %v", w.Name(), err))
		}
		return
	}
	if k.validate(bg, vctx, rc.info, rc.root) && rc.info.config.AutoCommit {
		if err := k.commitLocked(bg, rc.info, ""); err != nil {
			k.log.Error("auto-commit failed", "run", rc.info.ID, "err", err)
		}
	}
}

// terminate ends a run by the runtime's decision (budget, shutdown).
func (k *Kernel) terminate(ctx context.Context, info *RunInfo, reason string) {
	k.log.Warn("run terminated", "run", info.ID, "reason", reason)
	if _, err := k.record(ctx, info, eventlog.RunTerminated, eventlog.OriginRuntime, ReasonPayload{Reason: reason}, ""); err != nil {
		k.log.Error("record termination", "run", info.ID, "err", err)
	}
}

// Wait blocks until the run's worker has finished (and validation and any
// auto-commit with it), then returns the run.
func (k *Kernel) Wait(ctx context.Context, run string) (RunInfo, error) {
	k.mu.Lock()
	a := k.active[run]
	k.mu.Unlock()
	if a != nil {
		select {
		case <-a.done:
		case <-ctx.Done():
			return RunInfo{}, ctx.Err()
		}
	}
	return k.load(ctx, run)
}

// Get returns a run from the projection.
func (k *Kernel) Get(ctx context.Context, run string) (RunInfo, error) {
	return k.load(ctx, run)
}

// load folds pending effects, then reads the run from the projection.
func (k *Kernel) load(ctx context.Context, run string) (RunInfo, error) {
	if err := k.cfg.Emitter.CatchUp(ctx); err != nil {
		return RunInfo{}, err
	}
	return LoadRun(ctx, k.cfg.ReadDB, run)
}

// Approve records the user's approval and commits the run.
func (k *Kernel) Approve(ctx context.Context, run string) (RunInfo, error) {
	unlock := k.lock(run)
	defer unlock()
	info, err := k.load(ctx, run)
	if err != nil {
		return RunInfo{}, err
	}
	if info.State != StateValidated {
		return info, fmt.Errorf("%w: it is %s, and only a validated run can be committed", ErrNotApprovable, info.State)
	}
	approval, err := k.record(ctx, &info, eventlog.RunCommitApproved, eventlog.OriginUser, map[string]any{}, "")
	if err != nil {
		return info, err
	}
	if err := k.commitLocked(ctx, &info, approval.ID); err != nil {
		return info, err
	}
	return k.load(ctx, run) // with the outcome and the approval folded in
}

// Abort records the user's request and aborts the run: nothing staged is
// applied. A running worker is stopped.
func (k *Kernel) Abort(ctx context.Context, run, reason string) (RunInfo, error) {
	k.mu.Lock()
	a := k.active[run]
	k.mu.Unlock()
	if a != nil {
		// A command running under the run's lock (validation) is killed
		// first, so the abort need not wait for it. Only a validation
		// command runs under stop's context, and only while the run is
		// validating, which an abort may always end.
		a.stop(errors.New("run aborted"))
	}
	unlock := k.lock(run)
	info, err := k.load(ctx, run)
	if err != nil {
		unlock()
		return RunInfo{}, err
	}
	if !abortable[info.State] {
		unlock()
		return info, fmt.Errorf("%w: it is %s", ErrRunFinished, info.State)
	}
	if reason == "" {
		reason = "aborted by the user"
	}
	req, err := k.record(ctx, &info, eventlog.RunAbortRequested, eventlog.OriginUser, ReasonPayload{Reason: reason}, "")
	if err == nil {
		if _, err = k.record(ctx, &info, eventlog.RunAborted, eventlog.OriginRuntime, ReasonPayload{Reason: reason}, req.ID); err == nil {
			_, err = k.record(ctx, &info, eventlog.RunTerminated, eventlog.OriginRuntime, ReasonPayload{Reason: "teardown after abort"}, "")
		}
	}
	unlock()
	if a != nil {
		a.cancel(errors.New("run aborted"))
		<-a.done
	}
	if err != nil {
		return info, err
	}
	return k.load(ctx, run)
}

// Close stops executing workers (their runs end terminated with reason
// shutdown) and waits for them.
func (k *Kernel) Close(ctx context.Context) error {
	k.mu.Lock()
	k.closed = true
	for _, a := range k.active {
		a.cancel(ErrShutdown)
		a.stop(ErrShutdown)
	}
	k.mu.Unlock()
	done := make(chan struct{})
	go func() { k.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("close kernel: %w", ctx.Err())
	}
}

// Caps returns the enforcer that decides the runs' effects.
func (k *Kernel) Caps() *capability.Enforcer { return k.cfg.Caps }
