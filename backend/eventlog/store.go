package eventlog

import (
	"context"
	"errors"
	"fmt"
)

// Sentinel errors of the event log.
var (
	ErrConflict     = errors.New("stream version conflict")
	ErrNotFound     = errors.New("event not found")
	ErrDamaged      = errors.New("the event log file is damaged or is not an ICE Studio database")
	ErrNewerSchema  = errors.New("the event log was written by a newer ICE Studio")
	ErrReadOnly     = errors.New("the event log cannot be written (read-only file or folder)")
	ErrNoWAL        = errors.New("the event log could not be put in WAL mode")
	ErrClosed       = errors.New("the event log is closed")
	ErrInvalidEvent = errors.New("invalid event")
)

// ConflictError is an append whose expected stream version was taken.
type ConflictError struct {
	Stream   string
	Expected int64 // the version the caller asked for
	Current  int64 // the stream's version when the append ran
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("stream %s: expected to append version %d, but the stream is at version %d", e.Stream, e.Expected, e.Current)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// AnyVersion as an event's Version appends at the end of its stream without
// an optimistic-concurrency check.
const AnyVersion = 0

// Query selects events. Zero fields do not filter.
type Query struct {
	AfterSeq  int64    // only events with seq > AfterSeq
	UntilSeq  int64    // only events with seq <= UntilSeq
	Stream    string   // exact stream
	Run       string   // run id
	Runs      []string // any of these runs
	Workspace string   // workspace id
	Types     []string // any of these types
	Origin    string   // exact origin
	Text      string   // the payload contains this text (ASCII case-insensitive; at most MaxText bytes)
	Offset    int64    // skip this many matches (for paging a filtered view)
	Limit     int64    // at most this many (0: all)
	Desc      bool     // newest first
	NoHashes  bool     // leave PrevHash and Hash empty (folding needs neither; reading is faster)
}

// MaxText bounds Query.Text: a search for more is refused (ErrTextTooLong).
const MaxText = 256

// ErrTextTooLong is a Query.Text longer than MaxText.
var ErrTextTooLong = fmt.Errorf("the search text is longer than %d bytes", MaxText)

// Store is an append-only, hash-chained event store. Every implementation
// must pass the conformance suite in eventlogtest.
type Store interface {
	// Append stores evs atomically, in order: assigns seq, prev_hash and
	// hash; a Version of AnyVersion takes the stream's next version, any
	// other Version must be exactly the next one (else a *ConflictError).
	// It returns the events as stored.
	Append(ctx context.Context, evs []Event) ([]Event, error)
	// Head returns the last seq and hash (0 and nil when empty).
	Head(ctx context.Context) (int64, []byte, error)
	// Get returns the event at seq.
	Get(ctx context.Context, seq int64) (Event, error)
	// GetByID returns the event with the given id.
	GetByID(ctx context.Context, id string) (Event, error)
	// Read calls fn for each event matching q, in seq order; an error from
	// fn stops the iteration and is returned.
	Read(ctx context.Context, q Query, fn func(Event) error) error
	// Count returns how many events match q (Offset and Limit ignored).
	Count(ctx context.Context, q Query) (int64, error)
	// StreamVersion returns the current version of a stream (0: empty).
	StreamVersion(ctx context.Context, stream string) (int64, error)
	// Distinct returns the distinct values of one filterable column
	// ("type", "origin", "workspace", "run"), sorted, at most limit.
	Distinct(ctx context.Context, column string, limit int) ([]string, error)
	// PutBlob stores content-addressed data and returns its SHA-256 (hex).
	PutBlob(ctx context.Context, data []byte) (string, error)
	// GetBlob returns the data stored under a SHA-256 (hex).
	GetBlob(ctx context.Context, hash string) ([]byte, error)
	// Changes returns a channel that is closed at the next append in this
	// process; call it again after each wake-up.
	Changes() <-chan struct{}
	// Close releases the store.
	Close() error
}
