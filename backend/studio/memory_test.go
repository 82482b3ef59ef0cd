package studio

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/memory"
	"github.com/ice-studio/ice-studio/backend/projection"
)

func hashOf(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	must(t, err)
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// memStudio opens a Studio with a workspace holding a few files, indexed.
func memStudio(t *testing.T, data string) (*Studio, Workspace, string) {
	t.Helper()
	return openWatched(t, data, nil, map[string]string{"README.md": "build with make\n", "a.txt": "alpha\n", "b.txt": "beta\n"})
}

func fact(content string) memory.Spec {
	return memory.Spec{Kind: memory.KindFact, Scope: memory.ScopeWorkspace, Content: content}
}

func waitMemoryState(t *testing.T, s *Studio, id string, version int, state, review string) memory.Memory {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, err := s.mem.Get(context.Background(), id, version)
		must(t, err)
		if m.State == state && (review == "" || strings.Contains(m.NeedsReview, review)) {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("memory %s v%d is %s (review %q), want %s", id, version, m.State, m.NeedsReview, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// committedEdit runs an edit of path and commits it.
func committedEdit(t *testing.T, s *Studio, ws, path, content string) kernel.RunInfo {
	t.Helper()
	run, err := s.StartEditRun(StartEditRunRequest{WorkspaceID: ws, Path: path, Content: content})
	must(t, err)
	if got, _ := s.WaitRun(RunRequest{ID: run.ID}); got.State != kernel.StateValidated {
		t.Fatalf("edit run %s: %s", got.State, got.Reason)
	}
	info, err := s.ApproveRun(RunRequest{ID: run.ID})
	must(t, err)
	return info
}

func TestNotesAndRunPromotionKeepTheirProvenance(t *testing.T) {
	s, ws, root := memStudio(t, t.TempDir())
	defer closeStudio(t, s)
	m, err := s.WriteNote(NoteRequest{WorkspaceID: ws.ID, Spec: fact("The build uses make"), Files: []string{"README.md"}})
	must(t, err)
	if m.Version != 1 || m.State != memory.StateActive || len(m.Sources.Files) != 1 ||
		m.Sources.Files[0] != (memory.FileRef{Path: "README.md", Hash: hashOf(t, filepath.Join(root, "README.md"))}) || m.Sources.Note == "" {
		t.Fatalf("note = %+v", m)
	}
	// The note traces back to a user event.
	d, err := s.GetEvent(GetEventRequest{ID: m.Sources.Note})
	must(t, err)
	if d.Type != eventlog.MemoryNoteWritten || d.Origin != eventlog.OriginUser {
		t.Errorf("note's source event: %s by %s", d.Type, d.Origin)
	}

	// A committed run's output.
	run := committedEdit(t, s, ws.ID, "a.txt", "alpha two\n")
	var written string
	_ = s.events.Read(context.Background(), eventlog.Query{Run: run.ID, Types: []string{eventlog.EffectFileWritten}}, func(e eventlog.Event) error {
		written = e.ID
		return nil
	})
	pm, err := s.PromoteRun(PromoteRunRequest{Run: run.ID, Events: []string{written}, Spec: fact("a.txt says alpha two")})
	must(t, err)
	if pm.Sources.Run != run.ID || pm.Sources.Events[0] != written {
		t.Errorf("promoted sources = %+v", pm.Sources)
	}
	files := map[string]string{}
	for _, f := range pm.Sources.Files {
		files[f.Path] = f.Hash
	}
	if files["a.txt"] != hashOf(t, filepath.Join(root, "a.txt")) {
		t.Errorf("source a.txt hash %q, want the committed content's", files["a.txt"])
	}
	// Every source event of every memory belongs to a committed run or is the user's.
	for _, mm := range []memory.Memory{m, pm} {
		for _, id := range mm.Sources.Events {
			e, err := s.GetEvent(GetEventRequest{ID: id})
			must(t, err)
			if e.Origin != eventlog.OriginUser && e.Run != run.ID {
				t.Errorf("source %s (%s by %s) is neither the user's nor the committed run's", id, e.Type, e.Origin)
			}
		}
	}

	// Refused: an event of another run, an aborted run, an uncommitted run.
	if _, err := s.PromoteRun(PromoteRunRequest{Run: run.ID, Events: []string{m.Sources.Note}, Spec: fact("x")}); !errors.Is(err, memory.ErrNotPromotable) {
		t.Errorf("promoting another run's event: %v", err)
	}
	pending, err := s.StartEditRun(StartEditRunRequest{WorkspaceID: ws.ID, Path: "b.txt", Content: "beta two\n"})
	must(t, err)
	s.WaitRun(RunRequest{ID: pending.ID})
	if _, err := s.PromoteRun(PromoteRunRequest{Run: pending.ID, Spec: fact("not yet")}); !errors.Is(err, memory.ErrNotPromotable) {
		t.Errorf("promoting an uncommitted run: %v", err)
	}
	if _, err := s.AbortRun(AbortRunRequest{ID: pending.ID, Reason: "no"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PromoteRun(PromoteRunRequest{Run: pending.ID, Spec: fact("aborted")}); !errors.Is(err, memory.ErrNotPromotable) ||
		!strings.Contains(err.Error(), "aborted") {
		t.Errorf("promoting an aborted run: %v", err)
	}
}

func TestSupersedeDeprecateAndBadInput(t *testing.T) {
	s, ws, _ := memStudio(t, t.TempDir())
	defer closeStudio(t, s)
	v1, err := s.WriteNote(NoteRequest{WorkspaceID: ws.ID, Spec: fact("tabs")})
	must(t, err)
	v2, err := s.SupersedeMemory(SupersedeRequest{ID: v1.ID, Version: 1, Spec: fact("spaces")})
	must(t, err)
	v3, err := s.SupersedeMemory(SupersedeRequest{ID: v1.ID, Version: 2, Spec: fact("two spaces")})
	must(t, err)
	if v2.Version != 2 || v3.Version != 3 {
		t.Fatalf("versions %d, %d", v2.Version, v3.Version)
	}
	if _, err := s.SupersedeMemory(SupersedeRequest{ID: v1.ID, Version: 1, Spec: fact("again")}); !errors.Is(err, memory.ErrNotLatest) {
		t.Errorf("superseding a superseded version: %v", err)
	}
	h, err := s.MemoryHistory(MemoryRef{ID: v1.ID})
	must(t, err)
	var states []string
	for _, m := range h {
		states = append(states, m.State)
	}
	if !reflect.DeepEqual(states, []string{"superseded", "superseded", "active"}) {
		t.Errorf("history states %v", states)
	}
	must(t, s.DeprecateMemory(MemoryRef{ID: v1.ID, Version: 3, Reason: "no longer true"}))
	if err := s.DeprecateMemory(MemoryRef{ID: v1.ID, Version: 3}); err == nil {
		t.Error("deprecating twice")
	}
	active, _ := s.MemoryList(MemoryListRequest{Filter: memory.Filter{Workspace: ws.ID}})
	if len(active) != 0 {
		t.Errorf("active after deprecation: %+v", active)
	}
	for _, bad := range []memory.Spec{
		{Kind: memory.KindFact, Scope: memory.ScopeWorkspace, Content: "   "},
		{Kind: "rumour", Scope: memory.ScopeWorkspace, Content: "x"},
		{Kind: memory.KindFact, Scope: "team", Content: "x"},
		{Kind: memory.KindFact, Scope: memory.ScopeWorkspace, Content: "x", Confidence: 2},
	} {
		if _, err := s.WriteNote(NoteRequest{WorkspaceID: ws.ID, Spec: bad}); !errors.Is(err, memory.ErrBadMemory) {
			t.Errorf("WriteNote(%+v) = %v", bad, err)
		}
	}
	if _, err := s.WriteNote(NoteRequest{WorkspaceID: ws.ID, Spec: fact("x"), Files: []string{"missing.txt"}}); err == nil {
		t.Error("a note on a file that is not in the workspace")
	}
	n, _ := s.events.Count(context.Background(), eventlog.Query{Types: []string{eventlog.MemoryPromoted}})
	if n != 3 {
		t.Errorf("%d promotions recorded, want 3 (bad input records nothing)", n)
	}
}

func TestExpiryWithAClockAndAfterARestart(t *testing.T) {
	data := t.TempDir()
	s, ws, _ := memStudio(t, data)
	clock := time.Now()
	s.mem.Now = func() time.Time { return clock }
	short := fact("short lived")
	short.TTLSeconds = 60
	m, err := s.WriteNote(NoteRequest{WorkspaceID: ws.ID, Spec: short})
	must(t, err)
	if n, _ := s.mem.Sweep(context.Background()); n != 0 {
		t.Errorf("swept %d before the time", n)
	}
	clock = clock.Add(61 * time.Second)
	if n, _ := s.mem.Sweep(context.Background()); n != 1 {
		t.Errorf("swept %d after the time", n)
	}
	if got, _ := s.mem.Get(context.Background(), m.ID, 1); got.State != memory.StateExpired {
		t.Errorf("state %s", got.State)
	}
	// Decay: the effective confidence halves every half-life.
	decaying := fact("decays")
	decaying.DecayDays = 1
	dm, err := s.WriteNote(NoteRequest{WorkspaceID: ws.ID, Spec: decaying})
	must(t, err)
	clock = clock.Add(48 * time.Hour)
	if got, _ := s.mem.Get(context.Background(), dm.ID, 1); got.Effective < 0.24 || got.Effective > 0.26 {
		t.Errorf("effective confidence after two half-lives: %v", got.Effective)
	}

	// One that expires while the Studio is closed is expired at the next start.
	s.mem.Now = nil
	brief := fact("expires while closed")
	brief.TTLSeconds = 1
	bm, err := s.WriteNote(NoteRequest{WorkspaceID: ws.ID, Spec: brief})
	must(t, err)
	closeStudio(t, s)
	time.Sleep(1100 * time.Millisecond)
	s = openStudio(t, data, nil)
	defer closeStudio(t, s)
	waitMemoryState(t, s, bm.ID, 1, memory.StateExpired, "")
}

func TestSourceChangeInvalidatesOrFlags(t *testing.T) {
	s, ws, root := memStudio(t, t.TempDir())
	defer closeStudio(t, s)
	inv, err := s.WriteNote(NoteRequest{WorkspaceID: ws.ID, Spec: fact("alpha is in a.txt"), Files: []string{"a.txt"}})
	must(t, err)
	rev := fact("beta is in b.txt")
	rev.OnChange = memory.OnChangeReview
	rm, err := s.WriteNote(NoteRequest{WorkspaceID: ws.ID, Spec: rev, Files: []string{"b.txt"}})
	must(t, err)
	other, err := s.WriteNote(NoteRequest{WorkspaceID: ws.ID, Spec: fact("readme"), Files: []string{"README.md"}})
	must(t, err)
	writeFiles(t, root, map[string]string{"a.txt": "changed\n", "b.txt": "changed\n"})
	got := waitMemoryState(t, s, inv.ID, 1, memory.StateInvalidated, "")
	if !strings.Contains(got.StateReason, "a.txt changed") {
		t.Errorf("reason %q", got.StateReason)
	}
	waitMemoryState(t, s, rm.ID, 1, memory.StateActive, "b.txt changed")
	if o, _ := s.mem.Get(context.Background(), other.ID, 1); o.State != memory.StateActive || o.NeedsReview != "" {
		t.Errorf("a memory of an unchanged file: %+v", o)
	}
	must(t, os.Remove(filepath.Join(root, "README.md")))
	waitMemoryState(t, s, other.ID, 1, memory.StateInvalidated, "")

	// The workspace policy decides for memories that do not choose: review.
	p, _ := s.caps.Policy(ws.ID)
	p.MemoryOnSourceChange = memory.OnChangeReview
	_, err = s.SetPolicy(SetPolicyRequest{WorkspaceID: ws.ID, Policy: p})
	must(t, err)
	writeFiles(t, root, map[string]string{"c.txt": "gamma\n"})
	waitIndexEqualsScan(t, s, ws.ID, root, "c.txt")
	follows, err := s.WriteNote(NoteRequest{WorkspaceID: ws.ID, Spec: fact("gamma is in c.txt"), Files: []string{"c.txt"}})
	must(t, err)
	writeFiles(t, root, map[string]string{"c.txt": "changed\n"})
	waitMemoryState(t, s, follows.ID, 1, memory.StateActive, "c.txt changed")
	if _, err := s.SetPolicy(SetPolicyRequest{WorkspaceID: ws.ID, Policy: capability.Policy{Rules: p.Rules, MemoryOnSourceChange: "ignore"}}); err == nil {
		t.Error("an unknown memory policy was accepted")
	}
}

func TestProposalsWaitForReview(t *testing.T) {
	s, ws, _ := memStudio(t, t.TempDir())
	defer closeStudio(t, s)
	run := committedEdit(t, s, ws.ID, "a.txt", "alpha two\n")
	ctx := context.Background()
	p1, err := s.mem.Propose(ctx, "agent", ws.ID, run.ID, nil, fact("proposed one"))
	must(t, err)
	p2, err := s.mem.Propose(ctx, "agent", ws.ID, run.ID, nil, fact("proposed two"))
	must(t, err)
	q, err := s.MemoryProposals(WorkspaceRequest{WorkspaceID: ws.ID})
	must(t, err)
	if len(q) != 2 {
		t.Fatalf("queue %+v", q)
	}
	if active, _ := s.MemoryList(MemoryListRequest{Filter: memory.Filter{Workspace: ws.ID}}); len(active) != 0 {
		t.Errorf("a proposal became a memory by itself: %+v", active)
	}
	edited := fact("proposed one, corrected")
	m, err := s.DecideProposal(ProposalDecision{Proposal: p1, Accept: true, Edited: &edited})
	must(t, err)
	if m.Content != "proposed one, corrected" || m.Sources.Run != run.ID {
		t.Errorf("accepted = %+v", m)
	}
	if _, err := s.DecideProposal(ProposalDecision{Proposal: p2, Reason: "wrong"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecideProposal(ProposalDecision{Proposal: p2, Accept: true}); err == nil {
		t.Error("accepting a rejected proposal")
	}
	if q, _ := s.MemoryProposals(WorkspaceRequest{WorkspaceID: ws.ID}); len(q) != 0 {
		t.Errorf("queue after decisions: %+v", q)
	}
	// A proposal from a run that is not committed cannot be accepted.
	open, err := s.StartEditRun(StartEditRunRequest{WorkspaceID: ws.ID, Path: "b.txt", Content: "x\n"})
	must(t, err)
	s.WaitRun(RunRequest{ID: open.ID})
	p3, err := s.mem.Propose(ctx, "agent", ws.ID, open.ID, nil, fact("too early"))
	must(t, err)
	if _, err := s.DecideProposal(ProposalDecision{Proposal: p3, Accept: true}); !errors.Is(err, memory.ErrNotPromotable) {
		t.Errorf("accepting a proposal of an uncommitted run: %v", err)
	}
}

// fakeEmbedder embeds deterministically by hashing words into 64 dims.
type fakeEmbedder struct{ fail bool }

func (f *fakeEmbedder) Embed(_ context.Context, model string, texts []string) ([][]float32, error) {
	if f.fail {
		return nil, fmt.Errorf("model %s is not installed", model)
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v := make([]float32, 64)
		for _, w := range strings.Fields(strings.ToLower(t)) {
			h := sha256.Sum256([]byte(w))
			v[h[0]%64] += 1
		}
		out[i] = v
	}
	return out, nil
}

func TestReplayAndRebuiltIndexGiveTheSameResults(t *testing.T) {
	s, ws, _ := memStudio(t, t.TempDir())
	defer closeStudio(t, s)
	for i := range 30 {
		spec := fact(fmt.Sprintf("note %d about %s and %s", i, []string{"make", "tests", "docs"}[i%3], []string{"go", "node", "rust"}[i%3]))
		if i%4 == 0 {
			spec.Scope = memory.ScopeGlobal
		}
		m, err := s.WriteNote(NoteRequest{WorkspaceID: ws.ID, Spec: spec})
		must(t, err)
		if i%5 == 0 {
			next := spec
			next.Content += " v2"
			_, err := s.SupersedeMemory(SupersedeRequest{ID: m.ID, Version: 1, Spec: next})
			must(t, err)
		}
	}
	ctx := context.Background()
	rep, err := projection.Check(ctx, s.events, s.events.DB(), Projections)
	must(t, err)
	if !rep.OK {
		t.Fatalf("replay differs: %+v", rep.Differences)
	}
	emb := &fakeEmbedder{}
	f := memory.Filter{Workspace: ws.ID, Limit: 10}
	a, err := s.mem.Semantic(ctx, memory.NewVectorIndex(), emb, "fake", "tests in node", f)
	must(t, err)
	b, err := s.mem.Semantic(ctx, memory.NewVectorIndex(), emb, "fake", "tests in node", f)
	must(t, err)
	if len(a) == 0 || !reflect.DeepEqual(keys(a), keys(b)) {
		t.Errorf("two index builds answer differently: %v vs %v", keys(a), keys(b))
	}
	for _, m := range a {
		if m.State != memory.StateActive {
			t.Errorf("a %s memory in the results", m.State)
		}
	}
	l1, _ := s.mem.Lexical(ctx, "tests", f)
	l2, _ := s.mem.Lexical(ctx, "tests", f)
	if len(l1) == 0 || !reflect.DeepEqual(keys(l1), keys(l2)) {
		t.Errorf("lexical results differ")
	}
	// The embedding model disappears: a clear error, lexical search still works, nothing lost.
	if _, err := s.mem.Semantic(ctx, memory.NewVectorIndex(), &fakeEmbedder{fail: true}, "gone", "tests", f); !errors.Is(err, memory.ErrNoEmbeddings) {
		t.Errorf("semantic search without the model: %v", err)
	}
	if l3, _ := s.mem.Lexical(ctx, "tests", f); !reflect.DeepEqual(keys(l1), keys(l3)) {
		t.Error("lexical search changed after the embedding failure")
	}
}

func keys(ms []memory.Memory) []string {
	var out []string
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s@%d", m.ID, m.Version))
	}
	return out
}

// memWorker records the memories its run was given.
type memWorker struct {
	got                []kernel.Mounted
	proposeErr, badErr error
}

func (*memWorker) Name() string { return "memtest" }
func (w *memWorker) Run(_ context.Context, env *kernel.Env) error {
	w.got = env.Memories()
	_, w.proposeErr = env.ProposeMemory(memory.KindProcedure, memory.ScopeWorkspace, "run make before committing", 0.8)
	_, w.badErr = env.ProposeMemory("rumour", memory.ScopeWorkspace, "x", 0)
	return nil
}

func TestMountedMemoriesAreWhatTheRunIsGiven(t *testing.T) {
	s, ws, _ := memStudio(t, t.TempDir())
	defer closeStudio(t, s)
	for _, c := range []string{"the build uses make", "tests run with go test", "the logo is blue"} {
		_, err := s.WriteNote(NoteRequest{WorkspaceID: ws.ID, Spec: fact(c)})
		must(t, err)
	}
	w := &memWorker{}
	info, err := s.kernel.Start(context.Background(), kernel.StartRequest{Workspace: ws.ID, Task: "fix the build"}, w)
	must(t, err)
	s.WaitRun(RunRequest{ID: info.ID})
	var mp kernel.MemoryPayload
	_ = s.events.Read(context.Background(), eventlog.Query{Run: info.ID, Types: []string{eventlog.RunMemoryMounted}}, func(e eventlog.Event) error {
		return json.Unmarshal(e.Payload, &mp)
	})
	if len(mp.Memories) == 0 || !reflect.DeepEqual(mp.Items, w.got) {
		t.Fatalf("memory_mounted %+v, the run was given %+v", mp, w.got)
	}
	for i, m := range w.got {
		if mp.Memories[i] != fmt.Sprintf("%s@%d", m.ID, m.Version) {
			t.Errorf("mounted id %s vs %s", mp.Memories[i], m.ID)
		}
	}
	if !strings.Contains(w.got[0].Content, "build") {
		t.Errorf("the best match for the task is not first: %+v", w.got)
	}
	// The worker's proposal waits for review, by the agent, not as a memory.
	q, err := s.MemoryProposals(WorkspaceRequest{WorkspaceID: ws.ID})
	must(t, err)
	if w.proposeErr != nil || len(q) != 1 || q[0].Spec.Content != "run make before committing" || q[0].Run != info.ID {
		t.Errorf("proposal: %v, queue %+v", w.proposeErr, q)
	}
	if !errors.Is(w.badErr, memory.ErrBadMemory) {
		t.Errorf("a malformed proposal: %v", w.badErr)
	}
	var origin string
	_ = s.events.Read(context.Background(), eventlog.Query{Types: []string{eventlog.MemoryProposed}}, func(e eventlog.Event) error {
		origin = e.Origin
		return nil
	})
	if origin != eventlog.AgentPrefix+"memtest" {
		t.Errorf("proposal origin %q", origin)
	}
}
