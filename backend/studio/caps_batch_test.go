package studio_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// waitRunAsks waits until a run has n approvals pending (its RunDetail).
func waitRunAsks(t *testing.T, s *studio.Studio, run string, n int) []kernel.Ask {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := s.GetRun(studio.RunRequest{ID: run})
		if err == nil && len(d.Asks) >= n {
			return d.Asks
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d approvals pending, want %d (%v)", len(d.Asks), n, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestABatchCardIsOneDecisionThroughTheStudioAPI(t *testing.T) {
	s := MustOpen(t, studio.Config{})
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	for i := range 200 {
		p := filepath.Join(dir, "src", fmt.Sprintf("d%d", i%5), fmt.Sprintf("f%03d.go", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("package old\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.StartReplaceRun(studio.StartReplaceRunRequest{WorkspaceID: ws.ID, Find: "package old", Replace: "package new"})
	if err != nil {
		t.Fatal(err)
	}
	asks := waitRunAsks(t, s, run.ID, 200)
	if st, _ := s.CapabilityState(studio.WorkspaceRequest{WorkspaceID: ws.ID}); len(st.Asks) != 200 || len(st.Asks[0].Scopes) != 4 {
		t.Fatalf("the Capabilities state lists %d asks", len(st.Asks))
	}
	// The card lists 200 writes; the user leaves one out and allows the
	// other 199 for the run, each as its own file.
	ids := make([]string, 0, len(asks))
	var left kernel.Ask
	for _, a := range asks {
		if a.Target == "src/d0/f000.go" {
			left = a
			continue
		}
		ids = append(ids, a.ID)
	}
	if len(ids) != 199 {
		t.Fatalf("%d ids", len(ids))
	}
	if err := s.AnswerCapability(studio.AnswerRequest{RequestIDs: ids, Choice: kernel.ChoiceRun, Scope: kernel.ScopeExact}); err != nil {
		t.Fatal(err)
	}
	if rest := waitRunAsks(t, s, run.ID, 1); len(rest) != 1 || rest[0].ID != left.ID {
		t.Fatalf("pending after the batch: %d", len(rest))
	}
	if err := s.AnswerCapability(studio.AnswerRequest{RequestIDs: ids[:1], Choice: kernel.ChoiceRun}); !errors.Is(err, kernel.ErrNoSuchAsk) {
		t.Errorf("answering the batch again: %v", err)
	}
	if err := s.AnswerCapability(studio.AnswerRequest{RequestID: left.ID, Choice: kernel.ChoiceDeny}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.WaitRun(studio.RunRequest{ID: run.ID}); got.State != kernel.StateValidated {
		t.Fatalf("run %s (%s)", got.State, got.Reason)
	}
	d, err := s.GetRun(studio.RunRequest{ID: run.ID})
	if err != nil || len(d.Changes) != 199 {
		t.Fatalf("%d changes staged, want 199 (%v)", len(d.Changes), err)
	}
	for _, c := range d.Changes {
		if c.Path == "src/d0/f000.go" || c.After != "package new\n" {
			t.Fatalf("change %+v", c)
		}
	}
	page, err := s.ListEvents(studio.ListEventsRequest{Filter: studio.EventFilter{Run: run.ID, Type: eventlog.CapabilityApproved}})
	if err != nil || page.Total != 1 {
		t.Errorf("%d capability.approved events, want 1 (one decision): %v", page.Total, err)
	}
	grants, _ := s.ListEvents(studio.ListEventsRequest{Filter: studio.EventFilter{Run: run.ID, Type: eventlog.CapabilityGranted}})
	if grants.Total != 199 {
		t.Errorf("%d grants, want one per file", grants.Total)
	}
}

func TestAllPendingWithEveryFileOfTheRun(t *testing.T) {
	s := MustOpen(t, studio.Config{})
	dir := project(t) // src/main.go
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.StartReplaceRun(studio.StartReplaceRunRequest{WorkspaceID: ws.ID, Find: "package main", Replace: "package app"})
	if err != nil {
		t.Fatal(err)
	}
	asks := waitRunAsks(t, s, run.ID, 2)
	if err := s.AnswerCapability(studio.AnswerRequest{RequestID: asks[0].ID, AllPending: true, Choice: kernel.ChoiceWorkspace, Scope: kernel.ScopeAll}); err == nil {
		t.Error("every file of the run was granted for the workspace")
	}
	if err := s.AnswerCapability(studio.AnswerRequest{RequestID: asks[0].ID, AllPending: true, Choice: kernel.ChoiceRun, Scope: kernel.ScopeAll}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.WaitRun(studio.RunRequest{ID: run.ID}); got.State != kernel.StateValidated {
		t.Fatalf("run %s (%s)", got.State, got.Reason)
	}
	st, _ := s.CapabilityState(studio.WorkspaceRequest{WorkspaceID: ws.ID})
	if len(st.Grants) != 1 || st.Grants[0].Scope.Glob != "**" || st.Grants[0].Run != run.ID {
		t.Errorf("grants %+v, want one run-bound ** grant", st.Grants)
	}
}
