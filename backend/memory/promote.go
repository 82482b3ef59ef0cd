package memory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// runOutcome reads a run's workspace and outcome from the runs projection.
func (s *Service) runOutcome(ctx context.Context, run string) (workspace, outcome string, err error) {
	err = s.DB.QueryRowContext(ctx, `SELECT workspace, outcome FROM p_runs WHERE id = ?`, run).Scan(&workspace, &outcome)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("%w: there is no run %s", ErrNotPromotable, run)
	}
	return workspace, outcome, err
}

// runSources collects the provenance of a run's output: the chosen events
// (which must belong to the run) and every file the run read or wrote,
// with the hash it read or wrote.
func (s *Service) runSources(ctx context.Context, run string, events []string) (Sources, error) {
	src := Sources{Run: run, Events: []string{}, Files: []FileRef{}}
	want := map[string]bool{}
	for _, id := range events {
		want[id] = true
	}
	files := map[string]string{}
	err := s.Store.Read(ctx, eventlog.Query{Run: run}, func(e eventlog.Event) error {
		if want[e.ID] {
			src.Events = append(src.Events, e.ID)
			delete(want, e.ID)
		}
		var p struct {
			Path  string `json:"path"`
			Hash  string `json:"hash"`
			After string `json:"after"`
		}
		switch e.Type {
		case eventlog.EffectFileRead:
			if json.Unmarshal(e.Payload, &p) == nil {
				if _, seen := files[p.Path]; !seen {
					files[p.Path] = p.Hash
				}
			}
		case eventlog.EffectFileWritten:
			if json.Unmarshal(e.Payload, &p) == nil {
				files[p.Path] = p.After // what the file is after the commit
			}
		}
		return nil
	})
	if err != nil {
		return src, err
	}
	if len(want) > 0 {
		for id := range want {
			return src, fmt.Errorf("%w: event %s is not part of run %s", ErrNotPromotable, id, run)
		}
	}
	for p, h := range files {
		src.Files = append(src.Files, FileRef{Path: p, Hash: h})
	}
	sort.Slice(src.Files, func(i, j int) bool { return src.Files[i].Path < src.Files[j].Path })
	return src, nil
}

// PromoteRun promotes what the user selected of a committed run's output
// (the content, and the events it comes from) into a memory. A run that
// was aborted, terminated or is not yet committed is refused.
func (s *Service) PromoteRun(ctx context.Context, run string, events []string, spec Spec) (Memory, error) {
	if err := spec.Check(); err != nil {
		return Memory{}, err
	}
	return s.acceptFromRun(ctx, run, events, spec, "")
}

// acceptFromRun promotes output of a committed run: the user's
// memory.accepted (answering a proposal when proposal is set), then
// memory.promoted with the run's provenance.
func (s *Service) acceptFromRun(ctx context.Context, run string, events []string, spec Spec, proposal string) (Memory, error) {
	ws, outcome, err := s.runOutcome(ctx, run)
	if err != nil {
		return Memory{}, err
	}
	if outcome != "committed" {
		if outcome == "" {
			outcome = "not finished"
		}
		what := "run " + run
		if proposal != "" {
			what = "the proposing run " + run
		}
		return Memory{}, fmt.Errorf("%w: %s is %s; only a committed run's output can become a memory", ErrNotPromotable, what, outcome)
	}
	src, err := s.runSources(ctx, run, events)
	if err != nil {
		return Memory{}, err
	}
	mws, err := wsOf(spec, ws)
	if err != nil {
		return Memory{}, err
	}
	id, err := newID()
	if err != nil {
		return Memory{}, err
	}
	stream, accWS := Stream(id), mws
	if proposal != "" {
		stream, accWS = "proposal/"+proposal, ws
	}
	acc, err := s.Emitter.Emit(ctx, eventlog.Draft{Stream: stream, Type: eventlog.MemoryAccepted, Origin: eventlog.OriginUser,
		Workspace: accWS, Run: run, Payload: AcceptedPayload{Memory: id, Proposal: proposal, Run: run, Events: src.Events, Spec: spec}})
	if err != nil {
		return Memory{}, err
	}
	src.Note = acc[0].ID
	src.Events = append(src.Events, acc[0].ID)
	if _, err := s.Emitter.Emit(ctx, s.promoted(mws, id, 1, spec, src, 0)); err != nil {
		return Memory{}, err
	}
	return s.Get(ctx, id, 1)
}

// Propose records an agent's proposal (memory.proposed), which waits in
// the review queue. The kernel calls it for a run's propose_memory.
func (s *Service) Propose(ctx context.Context, agent, workspace, run string, events []string, spec Spec) (string, error) {
	if err := spec.Check(); err != nil {
		return "", err
	}
	id, err := newID()
	if err != nil {
		return "", err
	}
	if events == nil {
		events = []string{}
	}
	_, err = s.Emitter.Emit(ctx, eventlog.Draft{Stream: "proposal/" + id, Type: eventlog.MemoryProposed, Origin: eventlog.AgentPrefix + agent,
		Workspace: workspace, Run: run, Payload: ProposedPayload{Proposal: id, Run: run, Events: events, Spec: spec}})
	return id, err
}

// Proposal is one entry of the review queue.
type Proposal struct {
	ID         string   `json:"id"`
	Workspace  string   `json:"workspace"`
	Run        string   `json:"run"`
	Spec       Spec     `json:"spec"`
	Events     []string `json:"events"`
	State      string   `json:"state"` // pending, accepted, rejected
	Reason     string   `json:"reason"`
	ProposedAt int64    `json:"proposedAt"`
	Memory     string   `json:"memory"`
}

// Proposals lists a workspace's proposals in a state ("" for pending), oldest first.
func (s *Service) Proposals(ctx context.Context, workspace, state string) ([]Proposal, error) {
	if state == "" {
		state = "pending"
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT proposal, workspace, run, spec, events, state, reason, proposed_at, memory
		FROM p_memory_proposals WHERE (workspace = ? OR ? = '') AND state = ? ORDER BY proposed_at`, workspace, workspace, state)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Proposal{}
	for rows.Next() {
		var p Proposal
		var spec, evs string
		if err := rows.Scan(&p.ID, &p.Workspace, &p.Run, &spec, &evs, &p.State, &p.Reason, &p.ProposedAt, &p.Memory); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(spec), &p.Spec)
		_ = json.Unmarshal([]byte(evs), &p.Events)
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *Service) proposal(ctx context.Context, id string) (Proposal, error) {
	var p Proposal
	var spec, evs string
	err := s.DB.QueryRowContext(ctx, `SELECT proposal, workspace, run, spec, events, state, reason, proposed_at, memory
		FROM p_memory_proposals WHERE proposal = ?`, id).Scan(&p.ID, &p.Workspace, &p.Run, &spec, &evs, &p.State, &p.Reason, &p.ProposedAt, &p.Memory)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("%w: no proposal %s", ErrNotFound, id)
	}
	_ = json.Unmarshal([]byte(spec), &p.Spec)
	_ = json.Unmarshal([]byte(evs), &p.Events)
	return p, err
}

// Accept promotes a pending proposal, as proposed or as edited (edited
// non-nil). The run it came from must be committed.
func (s *Service) Accept(ctx context.Context, proposal string, edited *Spec) (Memory, error) {
	p, err := s.proposal(ctx, proposal)
	if err != nil {
		return Memory{}, err
	}
	if p.State != "pending" {
		return Memory{}, fmt.Errorf("%w: the proposal is already %s", ErrBadMemory, p.State)
	}
	spec := p.Spec
	if edited != nil {
		spec = *edited
	}
	if err := spec.Check(); err != nil {
		return Memory{}, err
	}
	return s.acceptFromRun(ctx, p.Run, p.Events, spec, proposal)
}

// Reject declines a pending proposal.
func (s *Service) Reject(ctx context.Context, proposal, reason string) error {
	p, err := s.proposal(ctx, proposal)
	if err != nil {
		return err
	}
	if p.State != "pending" {
		return fmt.Errorf("%w: the proposal is already %s", ErrBadMemory, p.State)
	}
	_, err = s.Emitter.Emit(ctx, eventlog.Draft{Stream: "proposal/" + proposal, Type: eventlog.MemoryRejected, Origin: eventlog.OriginUser,
		Workspace: p.Workspace, Run: p.Run, Payload: RejectedPayload{Proposal: proposal, Reason: reason}})
	return err
}
