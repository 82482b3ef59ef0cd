// Package memory is ICE Studio's governed memory: records born only by
// promotion (from a committed run's events or a note the user writes),
// with provenance, versions that supersede one another, a lifecycle whose
// every transition is an event, invalidation when a source file changes,
// proposals that wait for review, and retrieval by full text (SQLite FTS5)
// or by embedding similarity (an access structure rebuilt at will).
package memory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/projection"
)

// Kinds of memory.
const (
	KindFact       = "fact"
	KindDecision   = "decision"
	KindPreference = "preference"
	KindSummary    = "summary"
	KindCodeNote   = "code_note"
	KindProcedure  = "procedure"
)

// Kinds lists every kind.
var Kinds = []string{KindFact, KindDecision, KindPreference, KindSummary, KindCodeNote, KindProcedure}

// Scopes.
const (
	ScopeGlobal    = "global"
	ScopeWorkspace = "workspace"
)

// States of a memory version.
const (
	StateActive      = "active"
	StateExpired     = "expired"
	StateDeprecated  = "deprecated"
	StateSuperseded  = "superseded"
	StateInvalidated = "invalidated"
)

// What happens to a memory when one of its source files changes.
const (
	OnChangeInvalidate = "invalidate" // the runtime records memory.invalidated
	OnChangeReview     = "review"     // it stays active, flagged for review
)

// Errors.
var (
	ErrBadMemory     = errors.New("invalid memory")
	ErrNotFound      = errors.New("no such memory")
	ErrNotLatest     = errors.New("only the latest active version can be superseded")
	ErrNotPromotable = errors.New("cannot promote")
)

// FileRef is a source file of a memory and its content hash then.
type FileRef struct {
	Path string `json:"path"`
	Hash string `json:"hash"`
}

// Sources is a memory's provenance.
type Sources struct {
	Events []string  `json:"events"`         // ids of the events it derives from
	Files  []FileRef `json:"files"`          // files it depends on, with their hash then
	Run    string    `json:"run,omitempty"`  // the committed run it comes from
	Note   string    `json:"note,omitempty"` // the memory.note_written / accepted event
}

// Spec is what a new memory (or version) says.
type Spec struct {
	Kind       string  `json:"kind"`
	Scope      string  `json:"scope"`
	Content    string  `json:"content"`
	Confidence float64 `json:"confidence"`         // 0..1
	TTLSeconds int64   `json:"ttlSeconds"`         // 0: no expiry
	DecayDays  float64 `json:"decayDays"`          // confidence half-life; 0: none
	OnChange   string  `json:"onChange,omitempty"` // invalidate or review; "" follows the workspace policy
}

// Check validates a spec.
func (s *Spec) Check() error {
	s.Content = strings.TrimSpace(s.Content)
	if s.Content == "" {
		return fmt.Errorf("%w: the content is empty", ErrBadMemory)
	}
	if len(s.Content) > 64<<10 {
		return fmt.Errorf("%w: the content is longer than 64 KiB", ErrBadMemory)
	}
	ok := false
	for _, k := range Kinds {
		ok = ok || k == s.Kind
	}
	if !ok {
		return fmt.Errorf("%w: unknown kind %q (%s)", ErrBadMemory, s.Kind, strings.Join(Kinds, ", "))
	}
	if s.Scope != ScopeGlobal && s.Scope != ScopeWorkspace {
		return fmt.Errorf("%w: unknown scope %q (global or workspace)", ErrBadMemory, s.Scope)
	}
	if s.Confidence == 0 {
		s.Confidence = 1
	}
	if s.Confidence < 0 || s.Confidence > 1 {
		return fmt.Errorf("%w: confidence %v is not between 0 and 1", ErrBadMemory, s.Confidence)
	}
	if s.TTLSeconds < 0 || s.DecayDays < 0 {
		return fmt.Errorf("%w: expiry and decay cannot be negative", ErrBadMemory)
	}
	if s.OnChange != "" && s.OnChange != OnChangeInvalidate && s.OnChange != OnChangeReview {
		return fmt.Errorf("%w: onChange %q (invalidate or review)", ErrBadMemory, s.OnChange)
	}
	return nil
}

// Payloads of the memory events.
type (
	// NotePayload is memory.note_written: the user writes a memory (or a
	// new version of one).
	NotePayload struct {
		Memory     string    `json:"memory"`
		Supersedes int       `json:"supersedes,omitempty"` // version replaced
		Spec       Spec      `json:"spec"`
		Files      []FileRef `json:"files,omitempty"`
	}
	// AcceptedPayload is memory.accepted: the user promotes a committed
	// run's output, or accepts (maybe edited) an agent's proposal.
	AcceptedPayload struct {
		Memory   string   `json:"memory"`
		Proposal string   `json:"proposal,omitempty"`
		Run      string   `json:"run,omitempty"`
		Events   []string `json:"events,omitempty"`
		Spec     Spec     `json:"spec"`
	}
	// ProposedPayload is memory.proposed (an agent's proposal).
	ProposedPayload struct {
		Proposal string   `json:"proposal"`
		Run      string   `json:"run"`
		Events   []string `json:"events"`
		Spec     Spec     `json:"spec"`
	}
	// RejectedPayload is memory.rejected.
	RejectedPayload struct {
		Proposal string `json:"proposal"`
		Reason   string `json:"reason"`
	}
	// PromotedPayload is memory.promoted: a memory version is born.
	PromotedPayload struct {
		Memory     string  `json:"memory"`
		Version    int     `json:"version"`
		Spec       Spec    `json:"spec"`
		ExpiresAt  int64   `json:"expiresAt,omitempty"` // unix ns
		Sources    Sources `json:"sources"`
		Supersedes int     `json:"supersedes,omitempty"`
	}
	// EndedPayload is memory.superseded / deprecated / expired / invalidated.
	EndedPayload struct {
		Memory  string `json:"memory"`
		Version int    `json:"version"`
		Reason  string `json:"reason"`
		By      int    `json:"by,omitempty"`   // superseded: the new version
		Path    string `json:"path,omitempty"` // invalidated: the changed source
		Hash    string `json:"hash,omitempty"` // its new hash
	}
)

// EffectiveOnChange is the SQL for what a source change does to a row of
// p_memories: its own setting, else its workspace's policy, else invalidate.
const EffectiveOnChange = `coalesce(nullif(on_change, ''), nullif((SELECT pp.on_change FROM p_memory_policy pp WHERE pp.workspace = p_memories.workspace), ''), 'invalidate')`

// Stream is a memory's event stream.
func Stream(id string) string { return "memory/" + id }

// Projection folds the memory events into p_memories (every version),
// p_memory_sources (for invalidation), p_memory_proposals and an FTS5
// table of the contents.
type Projection struct{}

var _ projection.Projection = Projection{}

// Name implements projection.Projection.
func (Projection) Name() string { return "memory" }

// Version implements projection.Projection.
func (Projection) Version() int { return 2 }

// Tables implements projection.Projection.
func (Projection) Tables() []string {
	return []string{"p_memories", "p_memory_sources", "p_memory_proposals", "p_memory_fts", "p_memory_policy"}
}

// Setup implements projection.Projection.
func (Projection) Setup(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `
CREATE TABLE IF NOT EXISTS p_memories (
	id TEXT NOT NULL, version INTEGER NOT NULL, workspace TEXT NOT NULL, kind TEXT NOT NULL, scope TEXT NOT NULL,
	content TEXT NOT NULL, confidence REAL NOT NULL, ttl INTEGER NOT NULL, decay REAL NOT NULL, on_change TEXT NOT NULL,
	state TEXT NOT NULL, state_reason TEXT NOT NULL, needs_review TEXT NOT NULL, created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL, ended_at INTEGER NOT NULL, sources TEXT NOT NULL, run TEXT NOT NULL,
	promoted_seq INTEGER NOT NULL, ended_seq INTEGER NOT NULL,
	PRIMARY KEY (id, version)
);
CREATE INDEX IF NOT EXISTS p_memories_state ON p_memories (state, workspace);
CREATE TABLE IF NOT EXISTS p_memory_sources (
	id TEXT NOT NULL, version INTEGER NOT NULL, workspace TEXT NOT NULL, path TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS p_memory_sources_path ON p_memory_sources (workspace, path);
CREATE TABLE IF NOT EXISTS p_memory_proposals (
	proposal TEXT PRIMARY KEY, workspace TEXT NOT NULL, run TEXT NOT NULL, spec TEXT NOT NULL, events TEXT NOT NULL,
	state TEXT NOT NULL, reason TEXT NOT NULL, proposed_at INTEGER NOT NULL, decided_at INTEGER NOT NULL, memory TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS p_memory_fts USING fts5(content, id UNINDEXED, version UNINDEXED);
CREATE TABLE IF NOT EXISTS p_memory_policy (workspace TEXT PRIMARY KEY, on_change TEXT NOT NULL);`)
	if err != nil && strings.Contains(err.Error(), "no such module: fts5") {
		return errors.New("this build lacks SQLite FTS5 (build with -tags sqlite_fts5)")
	}
	return err
}

// Apply implements projection.Projection.
func (Projection) Apply(ctx context.Context, tx *projection.Tx, e eventlog.Event) error {
	switch e.Type {
	case eventlog.MemoryPromoted:
		var p PromotedPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return fmt.Errorf("decode %s: %w", e.Type, err)
		}
		src, _ := json.Marshal(p.Sources)
		s := p.Spec
		if _, err := tx.ExecContext(ctx, `INSERT INTO p_memories (id, version, workspace, kind, scope, content, confidence, ttl, decay,
			on_change, state, state_reason, needs_review, created_at, expires_at, ended_at, sources, run, promoted_seq, ended_seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', '', '', ?, ?, 0, ?, ?, ?, 0)`,
			p.Memory, p.Version, e.Workspace, s.Kind, s.Scope, s.Content, s.Confidence, s.TTLSeconds, s.DecayDays, s.OnChange,
			e.At, p.ExpiresAt, string(src), p.Sources.Run, e.Seq); err != nil {
			return err
		}
		for _, f := range p.Sources.Files {
			if _, err := tx.ExecContext(ctx, `INSERT INTO p_memory_sources (id, version, workspace, path, hash) VALUES (?, ?, ?, ?, ?)`,
				p.Memory, p.Version, e.Workspace, f.Path, f.Hash); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO p_memory_fts (content, id, version) VALUES (?, ?, ?)`, s.Content, p.Memory, p.Version)
		return err
	case eventlog.MemorySuperseded, eventlog.MemoryDeprecated, eventlog.MemoryExpired, eventlog.MemoryInvalidated:
		var p EndedPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return fmt.Errorf("decode %s: %w", e.Type, err)
		}
		state := map[string]string{eventlog.MemorySuperseded: StateSuperseded, eventlog.MemoryDeprecated: StateDeprecated,
			eventlog.MemoryExpired: StateExpired, eventlog.MemoryInvalidated: StateInvalidated}[e.Type]
		_, err := tx.ExecContext(ctx, `UPDATE p_memories SET state = ?, state_reason = ?, ended_at = ?, ended_seq = ? WHERE id = ? AND version = ?`,
			state, p.Reason, e.At, e.Seq, p.Memory, p.Version)
		return err
	case eventlog.MemoryProposed:
		var p ProposedPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return fmt.Errorf("decode %s: %w", e.Type, err)
		}
		spec, _ := json.Marshal(p.Spec)
		evs, _ := json.Marshal(p.Events)
		_, err := tx.ExecContext(ctx, `INSERT INTO p_memory_proposals (proposal, workspace, run, spec, events, state, reason, proposed_at, decided_at, memory)
			VALUES (?, ?, ?, ?, ?, 'pending', '', ?, 0, '')`, p.Proposal, e.Workspace, p.Run, string(spec), string(evs), e.At)
		return err
	case eventlog.MemoryAccepted:
		var p AcceptedPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return fmt.Errorf("decode %s: %w", e.Type, err)
		}
		if p.Proposal == "" {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE p_memory_proposals SET state = 'accepted', decided_at = ?, memory = ? WHERE proposal = ?`, e.At, p.Memory, p.Proposal)
		return err
	case eventlog.MemoryRejected:
		var p RejectedPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return fmt.Errorf("decode %s: %w", e.Type, err)
		}
		_, err := tx.ExecContext(ctx, `UPDATE p_memory_proposals SET state = 'rejected', reason = ?, decided_at = ? WHERE proposal = ?`, p.Reason, e.At, p.Proposal)
		return err
	case eventlog.PolicyChanged:
		// The workspace policy says what a source change does to the
		// memories that do not choose for themselves.
		var p struct {
			Policy struct {
				MemoryOnSourceChange string `json:"memoryOnSourceChange"`
			} `json:"policy"`
		}
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return fmt.Errorf("decode %s: %w", e.Type, err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO p_memory_policy (workspace, on_change) VALUES (?, ?)
			ON CONFLICT(workspace) DO UPDATE SET on_change = excluded.on_change`, e.Workspace, p.Policy.MemoryOnSourceChange)
		return err
	case eventlog.WorkspaceFileChanged:
		// A memory set to be reviewed when a source changes is flagged here;
		// one set to be invalidated gets its memory.invalidated from the
		// runtime (see Service.SourcesChanged).
		var c struct {
			Path    string `json:"path"`
			RawPath []byte `json:"rawPath"`
			Hash    string `json:"hash"`
			Kind    string `json:"kind"`
		}
		if err := json.Unmarshal(e.Payload, &c); err != nil {
			return nil
		}
		if c.RawPath != nil {
			c.Path = string(c.RawPath)
		}
		if c.Kind == "deleted" {
			c.Hash = ""
		}
		_, err := tx.ExecContext(ctx, `UPDATE p_memories SET needs_review = ? WHERE (id, version) IN (
			SELECT id, version FROM p_memory_sources WHERE workspace = ? AND path = ? AND hash != ?)
			AND state = 'active' AND `+EffectiveOnChange+` = 'review'`, c.Path+" changed", e.Workspace, c.Path, c.Hash)
		return err
	}
	return nil
}
