package studio

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/memory"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// mountLimit is how many memories a run's context gets.
const mountLimit = 5

func (s *Studio) memoryOrErr() (*memory.Service, error) {
	if s.mem == nil {
		return nil, fmt.Errorf("%w: %v", ErrNoEventLog, s.logErr)
	}
	return s.mem, nil
}

// mountMemories picks the memories for a run's task: by meaning when an
// embedding model is chosen and answers, else by full text; the global
// ones and the workspace's, active only.
func (s *Studio) mountMemories(ctx context.Context, ws, task string) ([]kernel.Mounted, error) {
	f := memory.Filter{Workspace: ws, Limit: mountLimit}
	var found []memory.Memory
	var err error
	if model := s.embedModel(); model != "" {
		found, err = s.mem.Semantic(ctx, s.vectors, s.cfg.Ollama, model, task, f)
	}
	if model := s.embedModel(); model == "" || err != nil {
		found, err = s.mem.Lexical(ctx, task, f)
	}
	out := []kernel.Mounted{}
	for i, m := range found {
		if i == mountLimit {
			break
		}
		out = append(out, kernel.Mounted{ID: m.ID, Version: m.Version, Kind: m.Kind, Content: m.Content})
	}
	return out, err
}

// proposeMemory records a worker's proposal for the review queue.
func (s *Studio) proposeMemory(ctx context.Context, p kernel.Proposal) (string, error) {
	id, err := s.mem.Propose(ctx, p.Worker, p.Workspace, p.Run, nil,
		memory.Spec{Kind: p.Kind, Scope: p.Scope, Content: p.Content, Confidence: p.Confidence})
	if err == nil {
		s.cfg.Bus.Publish(bus.MemoriesChanged, WorkspaceRequest{WorkspaceID: p.Workspace})
	}
	return id, err
}

func (s *Studio) embedModel() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.embed
}

// sweepMemories expires memories whose time ran out: at start (those that
// expired while the Studio was closed) and every 30 seconds.
func (s *Studio) sweepMemories(ctx context.Context) {
	defer s.wg.Done()
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		if n, err := s.mem.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("expire memories", "err", err)
		} else if n > 0 {
			s.cfg.Bus.Publish(bus.MemoriesChanged, WorkspaceRequest{})
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sourcesChanged invalidates memories whose source files changed.
func (s *Studio) sourcesChanged(ctx context.Context, ws string, cs []workspace.Change) {
	if s.mem == nil {
		return
	}
	var changes []memory.SourceChange
	for _, c := range cs {
		if c.Kind == workspace.ChangeCreated {
			continue
		}
		h := c.File.Hash
		if c.Kind == workspace.ChangeDeleted {
			h = ""
		}
		changes = append(changes, memory.SourceChange{Path: c.Path, Hash: h})
	}
	if n, err := s.mem.SourcesChanged(ctx, ws, changes); err != nil {
		s.log.Error("invalidate memories", "err", err)
	} else if n > 0 {
		s.cfg.Bus.Publish(bus.MemoriesChanged, WorkspaceRequest{WorkspaceID: ws})
	}
}

// MemoryListRequest filters the Memory panel.
type MemoryListRequest struct {
	Filter memory.Filter `json:"filter"`
	Text   string        `json:"text"` // full-text or semantic query; "" lists
	Mode   string        `json:"mode"` // "lexical" (default) or "semantic"
}

// MemoryList lists or searches memories.
func (s *Studio) MemoryList(req MemoryListRequest) ([]memory.Memory, error) {
	m, err := s.memoryOrErr()
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	switch {
	case strings.TrimSpace(req.Text) == "":
		return m.List(ctx, req.Filter)
	case req.Mode == "semantic":
		model := s.embedModel()
		if model == "" {
			return nil, fmt.Errorf("%w: choose an embedding model first (under Meaning search at the foot of the Memory panel, or in Models → Defaults), or search by text", memory.ErrNoEmbeddings)
		}
		return m.Semantic(ctx, s.vectors, s.cfg.Ollama, model, req.Text, req.Filter)
	default:
		return m.Lexical(ctx, req.Text, req.Filter)
	}
}

// MemoryRef names a memory version.
type MemoryRef struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

// MemoryHistory returns every version of a memory.
func (s *Studio) MemoryHistory(req MemoryRef) ([]memory.Memory, error) {
	m, err := s.memoryOrErr()
	if err != nil {
		return nil, err
	}
	return m.History(context.Background(), req.ID)
}

// NoteRequest is a note the user writes as a memory.
type NoteRequest struct {
	WorkspaceID string      `json:"workspaceId"`
	Spec        memory.Spec `json:"spec"`
	Files       []string    `json:"files"` // workspace files it depends on
}

// WriteNote records the user's note as a memory, with the current hash of
// every file it names.
func (s *Studio) WriteNote(req NoteRequest) (memory.Memory, error) {
	m, err := s.memoryOrErr()
	if err != nil {
		return memory.Memory{}, err
	}
	ctx := context.Background()
	var refs []memory.FileRef
	if len(req.Files) > 0 {
		files, err := workspace.FilesOf(ctx, s.events.ReadDB(), req.WorkspaceID)
		if err != nil {
			return memory.Memory{}, err
		}
		hash := map[string]string{}
		for _, f := range files {
			hash[f.Path] = f.Hash
		}
		for _, p := range req.Files {
			clean, err := workspace.CleanRel(p)
			if err != nil {
				return memory.Memory{}, err
			}
			h, ok := hash[clean]
			if !ok {
				return memory.Memory{}, fmt.Errorf("%s is not a file of the workspace", clean)
			}
			refs = append(refs, memory.FileRef{Path: clean, Hash: h})
		}
	}
	out, err := m.WriteNote(ctx, req.WorkspaceID, req.Spec, refs)
	if err == nil {
		s.cfg.Bus.Publish(bus.MemoriesChanged, WorkspaceRequest{WorkspaceID: req.WorkspaceID})
	}
	return out, err
}

// SupersedeRequest is a new version of a memory.
type SupersedeRequest struct {
	ID      string      `json:"id"`
	Version int         `json:"version"`
	Spec    memory.Spec `json:"spec"`
}

// SupersedeMemory records a new version of a memory.
func (s *Studio) SupersedeMemory(req SupersedeRequest) (memory.Memory, error) {
	m, err := s.memoryOrErr()
	if err != nil {
		return memory.Memory{}, err
	}
	out, err := m.Supersede(context.Background(), req.ID, req.Version, req.Spec)
	if err == nil {
		s.cfg.Bus.Publish(bus.MemoriesChanged, WorkspaceRequest{WorkspaceID: out.Workspace})
	}
	return out, err
}

// DeprecateMemory retires a memory version.
func (s *Studio) DeprecateMemory(req MemoryRef) error {
	m, err := s.memoryOrErr()
	if err != nil {
		return err
	}
	err = m.Deprecate(context.Background(), req.ID, req.Version, req.Reason)
	if err == nil {
		s.cfg.Bus.Publish(bus.MemoriesChanged, WorkspaceRequest{})
	}
	return err
}

// PromoteRunRequest promotes a committed run's output.
type PromoteRunRequest struct {
	Run    string      `json:"run"`
	Events []string    `json:"events"` // ids of the run's events it comes from
	Spec   memory.Spec `json:"spec"`
}

// PromoteRun promotes what the user selected of a committed run's output.
func (s *Studio) PromoteRun(req PromoteRunRequest) (memory.Memory, error) {
	m, err := s.memoryOrErr()
	if err != nil {
		return memory.Memory{}, err
	}
	if err := s.notReverted(req.Run); err != nil {
		return memory.Memory{}, err
	}
	out, err := m.PromoteRun(context.Background(), req.Run, req.Events, req.Spec)
	if err == nil {
		s.cfg.Bus.Publish(bus.MemoriesChanged, WorkspaceRequest{WorkspaceID: out.Workspace})
	}
	return out, err
}

// MemoryProposals lists the review queue of a workspace.
func (s *Studio) MemoryProposals(req WorkspaceRequest) ([]memory.Proposal, error) {
	m, err := s.memoryOrErr()
	if err != nil {
		return nil, err
	}
	return m.Proposals(context.Background(), req.WorkspaceID, "pending")
}

// ProposalDecision accepts (maybe edited) or rejects a proposal.
type ProposalDecision struct {
	Proposal string       `json:"proposal"`
	Accept   bool         `json:"accept"`
	Edited   *memory.Spec `json:"edited,omitempty"`
	Reason   string       `json:"reason"`
}

// DecideProposal records the user's decision on a proposal.
func (s *Studio) DecideProposal(req ProposalDecision) (memory.Memory, error) {
	m, err := s.memoryOrErr()
	if err != nil {
		return memory.Memory{}, err
	}
	ctx := context.Background()
	defer s.cfg.Bus.Publish(bus.MemoriesChanged, WorkspaceRequest{})
	if !req.Accept {
		return memory.Memory{}, m.Reject(ctx, req.Proposal, req.Reason)
	}
	pending, err := m.Proposals(ctx, "", "pending")
	if err != nil {
		return memory.Memory{}, err
	}
	for _, p := range pending {
		if p.ID != req.Proposal {
			continue
		}
		if err := s.notReverted(p.Run); err != nil {
			return memory.Memory{}, err
		}
	}
	return m.Accept(ctx, req.Proposal, req.Edited)
}

// notReverted refuses a run whose changes a committed revert undid: what
// it taught no longer holds for the files, so it cannot become a memory
// (the UI offers neither Promote nor Accept for it). A revert that is
// under way, aborted or ended changed nothing yet.
func (s *Studio) notReverted(run string) error {
	k, err := s.kernelOrErr()
	if err != nil {
		return err
	}
	ctx := context.Background()
	info, err := k.Get(ctx, run)
	if err != nil || info.RevertedBy == "" {
		return nil // an unknown run is refused by the memory service, with its reason
	}
	rev, err := k.Get(ctx, info.RevertedBy)
	if err != nil {
		return err
	}
	if rev.Outcome == kernel.OutcomeCommitted {
		return fmt.Errorf("%w: run %s was reverted by run %s, so its changes are no longer in the files", memory.ErrNotPromotable, run, rev.ID)
	}
	return nil
}

// MemorySettings is the embedding model and the state of the vector index.
type MemorySettings struct {
	EmbeddingModel string `json:"embeddingModel"`
	Indexed        int    `json:"indexed"`
	Error          string `json:"error,omitempty"`
}

// MemorySettingsRequest sets the embedding model ("" for none).
type MemorySettingsRequest struct {
	EmbeddingModel string `json:"embeddingModel"`
}

// SetMemorySettings chooses the embedding model and builds the index with
// it; a model that cannot embed is reported and not kept.
func (s *Studio) SetMemorySettings(req MemorySettingsRequest) (MemorySettings, error) {
	m, err := s.memoryOrErr()
	if err != nil {
		return MemorySettings{}, err
	}
	model := strings.TrimSpace(req.EmbeddingModel)
	if model != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if info, err := s.cfg.Ollama.Show(ctx, model); err != nil {
			return MemorySettings{}, err
		} else if len(info.Capabilities) > 0 && !info.Has("embedding") {
			return MemorySettings{}, fmt.Errorf("%s cannot make embeddings (it can: %s); choose an embedding model such as nomic-embed-text",
				model, strings.Join(info.Capabilities, ", "))
		}
		if _, err := s.cfg.Ollama.Embed(ctx, model, []string{"ICE Studio"}); err != nil {
			return MemorySettings{}, err
		}
		if _, err := m.SyncIndex(ctx, s.vectors, s.cfg.Ollama, model); err != nil {
			return MemorySettings{}, err
		}
	}
	s.mu.Lock()
	s.embed = model
	s.mu.Unlock()
	return s.GetMemorySettings(), nil
}

// GetMemorySettings returns the embedding model and index size.
func (s *Studio) GetMemorySettings() MemorySettings {
	return MemorySettings{EmbeddingModel: s.embedModel(), Indexed: s.vectors.Len()}
}

func embedFromEnv() string { return strings.TrimSpace(os.Getenv("ICE_EMBED_MODEL")) }
