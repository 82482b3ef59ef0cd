// Package eventlog is ICE Studio's single source of truth: an append-only,
// hash-chained log of events in SQLite. Nothing changes state without an
// event; every piece of state is a projection of this log.
package eventlog

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Event is one entry of the log (the envelope of DESIGN §2).
type Event struct {
	Seq         int64           `json:"seq"`         // global position, strictly increasing from 1
	ID          string          `json:"id"`          // UUIDv7: time-ordered, unique
	Stream      string          `json:"stream"`      // e.g. "workspace/<id>", "run/<id>"
	Version     int64           `json:"version"`     // position within the stream, from 1
	Type        string          `json:"type"`        // from the closed catalogue
	Schema      int             `json:"schema"`      // payload schema version
	Origin      string          `json:"origin"`      // "runtime", "user" or "agent:<name>"
	At          int64           `json:"at"`          // UTC, Unix nanoseconds
	Workspace   string          `json:"workspace"`   // workspace id, where it applies
	Run         string          `json:"run"`         // run id, where it applies
	Causation   string          `json:"causation"`   // id of the event that caused this one
	Correlation string          `json:"correlation"` // the run or request it belongs to
	Payload     json.RawMessage `json:"payload"`     // canonical JSON object
	PrevHash    []byte          `json:"-"`
	Hash        []byte          `json:"-"`
	// Blobs are large contents the event refers to by SHA-256 (file bodies,
	// outputs). Append stores them in the blobs table in the same
	// transaction; they are not part of the event or its hash.
	Blobs [][]byte `json:"-"`
	// Lazy: the append need not wait for the disk. It is committed with
	// SQLite's synchronous=NORMAL and reaches the disk with the next append
	// that waits (which syncs the whole write-ahead log, in order) or the
	// next checkpoint: a power cut may lose a lazy tail of the log, never a
	// hole in it. Not stored; only for events whose loss loses no fact (an
	// agent's cognitive events: the effects they lead to are durable).
	Lazy bool `json:"-"`
}

// Origins. An agent origin is AgentPrefix followed by the agent's name.
const (
	OriginRuntime = "runtime"
	OriginUser    = "user"
	AgentPrefix   = "agent:"
)

// Authority is who may emit a type of event: the kind of an origin.
type Authority uint8

// Authorities: the runtime asserts facts, the user decides, agents propose.
const (
	Runtime Authority = 1 << iota
	User
	Agent
)

func (a Authority) String() string {
	var parts []string
	if a&Runtime != 0 {
		parts = append(parts, "runtime")
	}
	if a&User != 0 {
		parts = append(parts, "user")
	}
	if a&Agent != 0 {
		parts = append(parts, "agent")
	}
	return strings.Join(parts, "|")
}

// ErrBadOrigin is an origin that is none of runtime, user or agent:<name>.
var ErrBadOrigin = errors.New("origin must be runtime, user or agent:<name>")

// OriginAuthority returns the authority kind of an origin string.
func OriginAuthority(origin string) (Authority, error) {
	switch {
	case origin == OriginRuntime:
		return Runtime, nil
	case origin == OriginUser:
		return User, nil
	case strings.HasPrefix(origin, AgentPrefix):
		name := origin[len(AgentPrefix):]
		if name == "" || len(name) > 64 {
			return 0, fmt.Errorf("%w: %q", ErrBadOrigin, origin)
		}
		for _, r := range name {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
				return 0, fmt.Errorf("%w: %q", ErrBadOrigin, origin)
			}
		}
		return Agent, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrBadOrigin, origin)
}

// HashHex returns the event's hash as lowercase hex.
func (e *Event) HashHex() string { return hex.EncodeToString(e.Hash) }

// PrevHashHex returns the previous event's hash as lowercase hex.
func (e *Event) PrevHashHex() string { return hex.EncodeToString(e.PrevHash) }

// hashDomain separates this encoding from any other use of SHA-256.
const hashDomain = "ice-studio/event/v1"

// ComputeHash returns SHA-256 over the canonical encoding of the event: every
// envelope field except the hash itself, each length-prefixed so that no two
// different events encode alike, chained to the previous hash.
func ComputeHash(e *Event) []byte {
	var scratch [512]byte
	sum := sha256.Sum256(appendHashInput(scratch[:0], e))
	return sum[:]
}

// appendHashInput appends what ComputeHash hashes to dst: Verify reuses
// one buffer for every event.
func appendHashInput(dst []byte, e *Event) []byte {
	put := func(b []byte) {
		dst = binary.AppendUvarint(dst, uint64(len(b)))
		dst = append(dst, b...)
	}
	putString := func(s string) {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	var num [20]byte
	putInt := func(v int64) { put(strconv.AppendInt(num[:0], v, 10)) }
	putString(hashDomain)
	putInt(e.Seq)
	putString(e.ID)
	putString(e.Stream)
	putInt(e.Version)
	putString(e.Type)
	putInt(int64(e.Schema))
	putString(e.Origin)
	putInt(e.At)
	putString(e.Workspace)
	putString(e.Run)
	putString(e.Causation)
	putString(e.Correlation)
	put(e.Payload)
	put(e.PrevHash)
	return dst
}

// ErrBadPayload is a payload that is not a JSON object.
var ErrBadPayload = errors.New("payload must be a JSON object")

// CanonicalJSON re-encodes a JSON object canonically: object keys sorted,
// no insignificant white space, no HTML escaping, numbers as written. Two
// payloads that mean the same encode to the same bytes, so the hash is
// stable whatever produced them.
func CanonicalJSON(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadPayload, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data", ErrBadPayload)
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, ErrBadPayload
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // maps encode with sorted keys
		return nil, fmt.Errorf("%w: %v", ErrBadPayload, err)
	}
	return bytes.TrimRight(out.Bytes(), "\n"), nil
}

// MarshalPayload encodes v (a struct or map) as a canonical JSON object.
func MarshalPayload(v any) ([]byte, error) {
	if v == nil {
		return []byte("{}"), nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		return CanonicalJSON(raw)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadPayload, err)
	}
	return CanonicalJSON(b)
}
