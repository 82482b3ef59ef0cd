package memory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/projection"
)

// Emitter appends events and folds the projections.
type Emitter interface {
	Emit(ctx context.Context, drafts ...eventlog.Draft) ([]eventlog.Event, error)
}

// Service is the memory API over the log and its projections.
type Service struct {
	Emitter Emitter
	DB      *sql.DB // the read models
	Store   eventlog.Store
	Now     func() time.Time // the clock (tests inject one)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Memory is one version of a memory, as the Memory panel shows it.
type Memory struct {
	ID          string  `json:"id"`
	Version     int     `json:"version"`
	Workspace   string  `json:"workspace"`
	Kind        string  `json:"kind"`
	Scope       string  `json:"scope"`
	Content     string  `json:"content"`
	Confidence  float64 `json:"confidence"` // as recorded
	Effective   float64 `json:"effective"`  // after decay, now
	TTLSeconds  int64   `json:"ttlSeconds"`
	DecayDays   float64 `json:"decayDays"`
	OnChange    string  `json:"onChange"`
	State       string  `json:"state"`
	StateReason string  `json:"stateReason"`
	NeedsReview string  `json:"needsReview"` // why it is flagged, "" if not
	CreatedAt   int64   `json:"createdAt"`   // unix ns
	ExpiresAt   int64   `json:"expiresAt"`
	EndedAt     int64   `json:"endedAt"`
	Sources     Sources `json:"sources"`
	PromotedSeq int64   `json:"promotedSeq"`
	EndedSeq    int64   `json:"endedSeq"`
	Score       float64 `json:"score,omitempty"` // search relevance
}

const memCols = `id, version, workspace, kind, scope, content, confidence, ttl, decay, on_change, state, state_reason, needs_review,
	created_at, expires_at, ended_at, sources, promoted_seq, ended_seq`

func scanMemory(row interface{ Scan(...any) error }, now time.Time) (Memory, error) {
	var m Memory
	var src string
	if err := row.Scan(&m.ID, &m.Version, &m.Workspace, &m.Kind, &m.Scope, &m.Content, &m.Confidence, &m.TTLSeconds, &m.DecayDays,
		&m.OnChange, &m.State, &m.StateReason, &m.NeedsReview, &m.CreatedAt, &m.ExpiresAt, &m.EndedAt, &src, &m.PromotedSeq, &m.EndedSeq); err != nil {
		return m, err
	}
	_ = json.Unmarshal([]byte(src), &m.Sources)
	m.Effective = m.Confidence
	if m.DecayDays > 0 {
		age := now.Sub(time.Unix(0, m.CreatedAt)).Hours() / 24
		m.Effective = m.Confidence * math.Pow(0.5, age/m.DecayDays)
	}
	return m, nil
}

func newID() (string, error) {
	u, err := uuid.NewV7()
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

func (s *Service) promoted(ws, id string, version int, spec Spec, src Sources, supersedes int) eventlog.Draft {
	p := PromotedPayload{Memory: id, Version: version, Spec: spec, Sources: src, Supersedes: supersedes}
	if spec.TTLSeconds > 0 {
		p.ExpiresAt = s.now().Add(time.Duration(spec.TTLSeconds) * time.Second).UnixNano()
	}
	if src.Files == nil {
		p.Sources.Files = []FileRef{}
	}
	if src.Events == nil {
		p.Sources.Events = []string{}
	}
	return eventlog.Draft{Stream: Stream(id), Type: eventlog.MemoryPromoted, Origin: eventlog.OriginRuntime, Workspace: ws, Payload: p}
}

// wsOf is the workspace a memory is recorded under ("" for global).
func wsOf(spec Spec, workspace string) (string, error) {
	if spec.Scope == ScopeGlobal {
		return "", nil
	}
	if workspace == "" {
		return "", fmt.Errorf("%w: a workspace memory needs a workspace", ErrBadMemory)
	}
	return workspace, nil
}

// WriteNote records a note the user writes as a new memory (note_written,
// then promoted). Files are source files it depends on, with their current
// hash.
func (s *Service) WriteNote(ctx context.Context, workspace string, spec Spec, files []FileRef) (Memory, error) {
	if err := spec.Check(); err != nil {
		return Memory{}, err
	}
	ws, err := wsOf(spec, workspace)
	if err != nil {
		return Memory{}, err
	}
	id, err := newID()
	if err != nil {
		return Memory{}, err
	}
	note := eventlog.Draft{Stream: Stream(id), Type: eventlog.MemoryNoteWritten, Origin: eventlog.OriginUser, Workspace: ws,
		Payload: NotePayload{Memory: id, Spec: spec, Files: files}}
	evs, err := s.Emitter.Emit(ctx, note)
	if err != nil {
		return Memory{}, err
	}
	if _, err := s.Emitter.Emit(ctx, s.promoted(ws, id, 1, spec, Sources{Events: []string{evs[0].ID}, Files: files, Note: evs[0].ID}, 0)); err != nil {
		return Memory{}, err
	}
	return s.Get(ctx, id, 1)
}

// Supersede records a new version of a memory (the user's edit); the
// previous version becomes superseded. Only the latest active version can
// be superseded.
func (s *Service) Supersede(ctx context.Context, id string, version int, spec Spec) (Memory, error) {
	if err := spec.Check(); err != nil {
		return Memory{}, err
	}
	old, err := s.Get(ctx, id, version)
	if err != nil {
		return Memory{}, err
	}
	latest, err := s.latestVersion(ctx, id)
	if err != nil {
		return Memory{}, err
	}
	if old.State != StateActive || latest != version {
		return Memory{}, fmt.Errorf("%w: version %d of %s is %s (latest is %d)", ErrNotLatest, version, id, old.State, latest)
	}
	if spec.Scope != old.Scope {
		return Memory{}, fmt.Errorf("%w: a new version keeps the scope (%s)", ErrBadMemory, old.Scope)
	}
	note, err := s.Emitter.Emit(ctx, eventlog.Draft{Stream: Stream(id), Type: eventlog.MemoryNoteWritten, Origin: eventlog.OriginUser,
		Workspace: old.Workspace, Payload: NotePayload{Memory: id, Supersedes: version, Spec: spec, Files: old.Sources.Files}})
	if err != nil {
		return Memory{}, err
	}
	src := old.Sources
	src.Events = append(append([]string{}, src.Events...), note[0].ID)
	src.Note = note[0].ID
	if _, err := s.Emitter.Emit(ctx,
		s.promoted(old.Workspace, id, version+1, spec, src, version),
		eventlog.Draft{Stream: Stream(id), Type: eventlog.MemorySuperseded, Origin: eventlog.OriginRuntime, Workspace: old.Workspace,
			Payload: EndedPayload{Memory: id, Version: version, By: version + 1, Reason: "a new version replaced it"}}); err != nil {
		return Memory{}, err
	}
	return s.Get(ctx, id, version+1)
}

// end records a lifecycle transition of an active version.
func (s *Service) end(ctx context.Context, typ, id string, version int, reason, path, hash string) error {
	m, err := s.Get(ctx, id, version)
	if err != nil {
		return err
	}
	if m.State != StateActive {
		return fmt.Errorf("%w: version %d of %s is already %s", ErrBadMemory, version, id, m.State)
	}
	_, err = s.Emitter.Emit(ctx, eventlog.Draft{Stream: Stream(id), Type: typ, Origin: eventlog.OriginRuntime, Workspace: m.Workspace,
		Payload: EndedPayload{Memory: id, Version: version, Reason: reason, Path: path, Hash: hash}})
	return err
}

// Deprecate retires a memory version at the user's request.
func (s *Service) Deprecate(ctx context.Context, id string, version int, reason string) error {
	if reason == "" {
		reason = "you deprecated it"
	}
	return s.end(ctx, eventlog.MemoryDeprecated, id, version, reason, "", "")
}

// Sweep records the expiry of every active memory whose time ran out
// (also those that expired while the Studio was closed).
func (s *Service) Sweep(ctx context.Context) (int, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id, version FROM p_memories WHERE state = 'active' AND expires_at > 0 AND expires_at <= ?`,
		s.now().UnixNano())
	if err != nil {
		return 0, err
	}
	type key struct {
		id string
		v  int
	}
	var due []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.id, &k.v); err != nil {
			rows.Close()
			return 0, err
		}
		due = append(due, k)
	}
	rows.Close()
	for _, k := range due {
		if err := s.end(ctx, eventlog.MemoryExpired, k.id, k.v, "its time to live ran out", "", ""); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// SourceChange is a file of a workspace whose content changed (hash "" if
// deleted).
type SourceChange struct {
	Path, Hash string
}

// SourcesChanged invalidates the active memories (set to be invalidated)
// that depend on a changed file; those set to be reviewed are flagged by
// the projection.
func (s *Service) SourcesChanged(ctx context.Context, workspace string, changes []SourceChange) (int, error) {
	n := 0
	for _, c := range changes {
		rows, err := s.DB.QueryContext(ctx, `SELECT id, version FROM p_memories WHERE (id, version) IN (
			SELECT id, version FROM p_memory_sources WHERE workspace = ? AND path = ? AND hash != ?)
			AND state = 'active' AND `+EffectiveOnChange+` = 'invalidate'`,
			workspace, c.Path, c.Hash)
		if err != nil {
			return n, err
		}
		type key struct {
			id string
			v  int
		}
		var hit []key
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.id, &k.v); err == nil {
				hit = append(hit, k)
			}
		}
		rows.Close()
		for _, k := range hit {
			reason := fmt.Sprintf("its source %s changed", c.Path)
			if c.Hash == "" {
				reason = fmt.Sprintf("its source %s was deleted", c.Path)
			}
			if err := s.end(ctx, eventlog.MemoryInvalidated, k.id, k.v, reason, c.Path, c.Hash); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// Get returns one version of a memory.
func (s *Service) Get(ctx context.Context, id string, version int) (Memory, error) {
	m, err := scanMemory(s.DB.QueryRowContext(ctx, `SELECT `+memCols+` FROM p_memories WHERE id = ? AND version = ?`, id, version), s.now())
	if errors.Is(err, sql.ErrNoRows) {
		return Memory{}, fmt.Errorf("%w: %s v%d", ErrNotFound, id, version)
	}
	return m, err
}

func (s *Service) latestVersion(ctx context.Context, id string) (int, error) {
	var v sql.NullInt64
	err := s.DB.QueryRowContext(ctx, `SELECT max(version) FROM p_memories WHERE id = ?`, id).Scan(&v)
	if err != nil || !v.Valid {
		return 0, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return int(v.Int64), nil
}

// History returns every version of a memory, oldest first.
func (s *Service) History(ctx context.Context, id string) ([]Memory, error) {
	return s.query(ctx, `SELECT `+memCols+` FROM p_memories WHERE id = ? ORDER BY version`, id)
}

func (s *Service) query(ctx context.Context, q string, args ...any) ([]Memory, error) {
	rows, err := s.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Memory{}
	now := s.now()
	for rows.Next() {
		m, err := scanMemory(rows, now)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Filter selects memories for the panel and for searches.
type Filter struct {
	Workspace string `json:"workspace"` // this workspace's memories and the global ones; "" for global only
	Kind      string `json:"kind"`
	Scope     string `json:"scope"`
	State     string `json:"state"` // "" for active
	Limit     int    `json:"limit"`
}

func (f Filter) where() (string, []any) {
	w := []string{"(m.workspace = '' OR m.workspace = ?)"}
	args := []any{f.Workspace}
	state := f.State
	if state == "" {
		state = StateActive
	}
	if state != "all" {
		w = append(w, "m.state = ?")
		args = append(args, state)
	}
	if f.Kind != "" {
		w = append(w, "m.kind = ?")
		args = append(args, f.Kind)
	}
	if f.Scope != "" {
		w = append(w, "m.scope = ?")
		args = append(args, f.Scope)
	}
	return strings.Join(w, " AND "), args
}

func (f Filter) limit() int {
	if f.Limit <= 0 || f.Limit > 1000 {
		return 200
	}
	return f.Limit
}

// List returns memories, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Memory, error) {
	where, args := f.where()
	return s.query(ctx, `SELECT `+prefixed("m.", memCols)+` FROM p_memories m WHERE `+where+` ORDER BY m.created_at DESC LIMIT ?`,
		append(args, f.limit())...)
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// Lexical is a full-text search (FTS5, bm25 ranking) of memory contents.
func (s *Service) Lexical(ctx context.Context, text string, f Filter) ([]Memory, error) {
	q := ftsQuery(text)
	if q == "" {
		return []Memory{}, nil
	}
	where, args := f.where()
	args = append([]any{q}, args...)
	out, err := s.query(ctx, `SELECT `+prefixed("m.", memCols)+` FROM p_memory_fts f JOIN p_memories m ON m.id = f.id AND m.version = f.version
		WHERE p_memory_fts MATCH ? AND `+where+` ORDER BY bm25(p_memory_fts) LIMIT ?`, append(args, f.limit())...)
	for i := range out {
		out[i].Score = float64(len(out) - i)
	}
	return out, err
}

// ftsQuery turns words into an FTS5 query that ORs them (quoted, so no
// character is FTS syntax).
func ftsQuery(text string) string {
	var terms []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127)
	}) {
		terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
	}
	return strings.Join(terms, " OR ")
}

var _ projection.Projection = Projection{}
