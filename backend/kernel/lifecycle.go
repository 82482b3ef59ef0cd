// Package kernel runs Runs: isolated, finite, auditable units of work with a
// fixed lifecycle. Workers (a model-driven agent, or a scripted worker)
// propose effects; the kernel decides, stages, validates and commits. Every
// transition is an event and a run's state is a projection of its events.
package kernel

import (
	"errors"
	"fmt"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// State is a run's lifecycle state.
type State string

// The lifecycle: created → provisioned → (context loading: context_resolved
// → memory_mounted) → context_ready → executing → validating → validated |
// validation_failed → committing → committed | aborted → terminated. A
// validated run may also commit part of its changes (the user's review):
// validated → partially_committing → validated, the rest still staged.
const (
	StateNone             State = ""
	StateCreated          State = "created"
	StateProvisioned      State = "provisioned"
	StateContextResolved  State = "context_resolved"
	StateMemoryMounted    State = "memory_mounted"
	StateContextReady     State = "context_ready"
	StateExecuting        State = "executing"
	StateValidating       State = "validating"
	StateValidated        State = "validated"
	StateValidationFailed State = "validation_failed"
	StateCommitting       State = "committing"
	StateCommitted        State = "committed"
	StateAborted          State = "aborted"
	StateTerminated       State = "terminated"

	// StatePartiallyCommitting is a validated run writing the hunks the
	// user accepted; it returns to validated with the rest staged.
	StatePartiallyCommitting State = "partially_committing"
)

// States lists every state in lifecycle order.
var States = []State{StateCreated, StateProvisioned, StateContextResolved, StateMemoryMounted, StateContextReady,
	StateExecuting, StateValidating, StateValidated, StateValidationFailed, StatePartiallyCommitting, StateCommitting, StateCommitted,
	StateAborted, StateTerminated}

// transitions is the whole state machine: in a state, which lifecycle event
// leads where. Anything not listed is illegal.
var transitions = map[State]map[string]State{
	StateNone:             {eventlog.RunCreated: StateCreated},
	StateCreated:          {eventlog.RunProvisioned: StateProvisioned},
	StateProvisioned:      {eventlog.RunContextResolved: StateContextResolved},
	StateContextResolved:  {eventlog.RunMemoryMounted: StateMemoryMounted},
	StateMemoryMounted:    {eventlog.RunCapabilitiesBound: StateContextReady},
	StateContextReady:     {eventlog.RunExecutionStarted: StateExecuting},
	StateExecuting:        {eventlog.RunValidationStarted: StateValidating},
	StateValidating:       {eventlog.RunValidationPassed: StateValidated, eventlog.RunValidationFailed: StateValidationFailed},
	StateValidated:        {eventlog.RunCommitting: StateCommitting, eventlog.RunPartialCommitting: StatePartiallyCommitting},
	StateCommitting:       {eventlog.RunCommitted: StateCommitted, eventlog.RunAborted: StateAborted}, // aborted: recovery rolled back
	StateCommitted:        {eventlog.RunTerminated: StateTerminated},
	StateAborted:          {eventlog.RunTerminated: StateTerminated},
	StateValidationFailed: {},

	// aborted: recovery rolled an interrupted partial commit back.
	StatePartiallyCommitting: {eventlog.RunPartialCommitted: StateValidated, eventlog.RunAborted: StateAborted},
}

// abortable states: a user or the runtime may abort from these; the runtime
// may also terminate them directly (budget exceeded, shutdown).
var abortable = map[State]bool{
	StateCreated: true, StateProvisioned: true, StateContextResolved: true, StateMemoryMounted: true,
	StateContextReady: true, StateExecuting: true, StateValidating: true, StateValidated: true, StateValidationFailed: true,
}

// Lifecycle reports whether typ is a lifecycle (state-changing) event.
func Lifecycle(typ string) bool {
	switch typ {
	case eventlog.RunCreated, eventlog.RunProvisioned, eventlog.RunContextResolved, eventlog.RunMemoryMounted,
		eventlog.RunCapabilitiesBound, eventlog.RunExecutionStarted, eventlog.RunValidationStarted,
		eventlog.RunValidationPassed, eventlog.RunValidationFailed, eventlog.RunCommitting, eventlog.RunCommitted,
		eventlog.RunAborted, eventlog.RunTerminated, eventlog.RunPartialCommitting, eventlog.RunPartialCommitted:
		return true
	}
	return false
}

// ErrIllegalTransition is a lifecycle event that the state machine forbids.
var ErrIllegalTransition = errors.New("illegal run transition")

// TransitionError names the state and the refused event.
type TransitionError struct {
	From  State
	Event string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("%v: %s is not allowed in state %q", ErrIllegalTransition, e.Event, e.From)
}

func (e *TransitionError) Unwrap() error { return ErrIllegalTransition }

// Next returns the state after event typ in state from, or a
// *TransitionError. Non-lifecycle events leave the state unchanged but must
// still happen in a state that allows them (see allowedIn).
func Next(from State, typ string) (State, error) {
	if !Lifecycle(typ) {
		if ok := allowedIn(from, typ); !ok {
			return from, &TransitionError{From: from, Event: typ}
		}
		return from, nil
	}
	if to, ok := transitions[from][typ]; ok {
		return to, nil
	}
	switch {
	case typ == eventlog.RunAborted && abortable[from]:
		return StateAborted, nil
	case typ == eventlog.RunTerminated && abortable[from]:
		return StateTerminated, nil // runtime termination: budget exceeded, shutdown
	}
	return from, &TransitionError{From: from, Event: typ}
}

// allowedIn says which non-lifecycle run events may happen in which states.
func allowedIn(s State, typ string) bool {
	switch typ {
	case eventlog.RunRequested:
		return s == StateNone
	case eventlog.EffectFileRead:
		return s == StateProvisioned || s == StateExecuting
	case eventlog.EffectFileStaged, eventlog.InferenceRequest, eventlog.InferenceResponse, eventlog.InferenceToolCall,
		eventlog.InferenceTokenSummary, eventlog.InferencePlanStep, eventlog.InferenceTruncated,
		eventlog.ContextTrimmed, eventlog.ContextCompacted:
		return s == StateExecuting
	case eventlog.EffectCommandExecuted:
		// validated: the validation of a partial commit's content.
		return s == StateValidating || s == StateExecuting || s == StateValidated
	case eventlog.RunReviewDecided, eventlog.RunReviewValidated:
		return s == StateValidated
	case eventlog.RunCommitApproved:
		return s == StateValidated
	case eventlog.RunAbortRequested:
		return abortable[s]
	case eventlog.EffectFileWritten:
		return s == StateCommitting || s == StatePartiallyCommitting
	}
	return true // events of other families (capabilities, memory) are not the lifecycle's business
}

// Terminal reports whether no further lifecycle event can follow.
func (s State) Terminal() bool { return s == StateTerminated }

// Finished reports whether the run's outcome is decided.
func (s State) Finished() bool {
	return s == StateCommitted || s == StateAborted || s == StateTerminated
}
