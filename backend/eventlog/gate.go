package eventlog

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Reasons an event is rejected by the Emit gate.
var (
	ErrUnknownType  = errors.New("event type is not in the catalogue")
	ErrAuthority    = errors.New("origin may not emit this event type")
	ErrMissingCause = errors.New("causation names an event that does not exist")
)

// RejectedError says which event of an Emit call was refused and why.
// Nothing of that call was stored.
type RejectedError struct {
	Index  int    // position in the call
	Type   string // the event's type
	Origin string
	Err    error // one of the Err* reasons, wrapped with detail
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("event %d (%s from %s) rejected: %v", e.Index, e.Type, e.Origin, e.Err)
}

func (e *RejectedError) Unwrap() error { return e.Err }

// Draft is an event as a producer proposes it; the gate fills in the rest.
type Draft struct {
	Stream        string
	ExpectVersion int64 // AnyVersion, or the exact next version of Stream
	Type          string
	Origin        string
	Workspace     string
	Run           string
	Causation     string // id of the causing event
	Correlation   string
	Payload       any      // a struct or map, encoded as canonical JSON
	Blobs         [][]byte // contents the payload refers to by SHA-256, stored atomically with the event
	Lazy          bool     // see Event.Lazy
}

// Gate is the single way events enter the log: it validates type, origin
// authority, causation and ordering before anything is appended.
type Gate struct {
	store     Store
	catalogue *Catalogue
	now       func() time.Time

	mu     sync.Mutex
	lastAt int64
	sealed string // why nothing may be appended any more ("" open)
}

// ErrSealed is an append to a log that was found broken: the Studio
// keeps it read-only rather than write after a bad chain.
var ErrSealed = errors.New("the event log is read-only")

// Seal makes every later Emit fail with ErrSealed and the reason.
func (g *Gate) Seal(reason string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.sealed = reason
}

// Sealed is why the gate was sealed ("" when it is open).
func (g *Gate) Sealed() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.sealed
}

// NewGate returns a gate in front of store with the given catalogue.
func NewGate(store Store, catalogue *Catalogue) *Gate {
	return &Gate{store: store, catalogue: catalogue, now: time.Now}
}

// SetClock replaces the clock (tests).
func (g *Gate) SetClock(now func() time.Time) { g.now = now }

// Store returns the store behind the gate.
func (g *Gate) Store() Store { return g.store }

// Catalogue returns the gate's catalogue.
func (g *Gate) Catalogue() *Catalogue { return g.catalogue }

// Emit validates every draft and appends them atomically, in order. A draft
// may name an earlier draft of the same call as its cause.
func (g *Gate) Emit(ctx context.Context, drafts ...Draft) ([]Event, error) {
	if why := g.Sealed(); why != "" {
		return nil, fmt.Errorf("%w: %s", ErrSealed, why)
	}
	evs := make([]Event, len(drafts))
	ids := make(map[string]bool, len(drafts))
	for i, d := range drafts {
		reject := func(err error) error {
			return &RejectedError{Index: i, Type: d.Type, Origin: d.Origin, Err: err}
		}
		info, ok := g.catalogue.Lookup(d.Type)
		if !ok {
			return nil, reject(fmt.Errorf("%w: %q", ErrUnknownType, d.Type))
		}
		auth, err := OriginAuthority(d.Origin)
		if err != nil {
			return nil, reject(err)
		}
		if info.Allowed&auth == 0 {
			return nil, reject(fmt.Errorf("%w: %s is emitted by %s only", ErrAuthority, d.Type, info.Allowed))
		}
		if d.Stream == "" {
			return nil, reject(fmt.Errorf("%w: no stream", ErrInvalidEvent))
		}
		if d.Causation != "" && !ids[d.Causation] {
			if _, err := g.store.GetByID(ctx, d.Causation); err != nil {
				if errors.Is(err, ErrNotFound) {
					return nil, reject(fmt.Errorf("%w: %s", ErrMissingCause, d.Causation))
				}
				return nil, err
			}
		}
		payload, err := MarshalPayload(d.Payload)
		if err != nil {
			return nil, reject(err)
		}
		id, err := uuid.NewV7()
		if err != nil {
			return nil, fmt.Errorf("emit: new id: %w", err)
		}
		ids[id.String()] = true
		evs[i] = Event{
			ID: id.String(), Stream: d.Stream, Version: d.ExpectVersion, Type: d.Type, Schema: info.Schema,
			Origin: d.Origin, At: g.stamp(), Workspace: d.Workspace, Run: d.Run,
			Causation: d.Causation, Correlation: d.Correlation, Payload: payload, Blobs: d.Blobs, Lazy: d.Lazy,
		}
	}
	out, err := g.store.Append(ctx, evs)
	if err != nil {
		var ce *ConflictError
		if errors.As(err, &ce) {
			for i := range drafts {
				if drafts[i].Stream == ce.Stream {
					return nil, &RejectedError{Index: i, Type: drafts[i].Type, Origin: drafts[i].Origin, Err: err}
				}
			}
		}
		return nil, err
	}
	return out, nil
}

// stamp returns a UTC nanosecond time that never goes backwards within this
// gate, so `at` follows `seq` even if the wall clock steps back.
func (g *Gate) stamp() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	t := g.now().UTC().UnixNano()
	if t <= g.lastAt {
		t = g.lastAt + 1
	}
	g.lastAt = t
	return t
}
