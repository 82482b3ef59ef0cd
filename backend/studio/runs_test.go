package studio_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/studio"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

func TestRunsThroughTheStudioAPI(t *testing.T) {
	s := MustOpen(t, studio.Config{})
	dir := project(t) // src/main.go = "package main\n"
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.StartReplaceRun(studio.StartReplaceRunRequest{WorkspaceID: ws.ID, Find: "package main", Replace: "package app",
		Options: studio.RunOptions{ValidationCommand: `sh -c "grep -q 'package app' src/main.go || grep -q 'package main' src/main.go"`}})
	if err != nil {
		t.Fatal(err)
	}
	// The default policy asks before a write: the run waits with the exact
	// change on its approval card; "for this run" lets it go on.
	var ask kernel.Ask
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := s.GetRun(studio.RunRequest{ID: run.ID})
		if err == nil && len(d.Asks) > 0 {
			ask = d.Asks[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run did not ask to write: %+v, %v", d, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if ask.Kind != "fs.write" || ask.Target != "src/main.go" || ask.Detail == nil || ask.Detail.Base == "" || ask.Detail.After == "" {
		t.Fatalf("ask = %+v", ask)
	}
	if listed, _ := s.ListRuns(studio.ListRunsRequest{WorkspaceID: ws.ID}); len(listed) != 1 || !listed[0].Waiting {
		t.Errorf("the runs list does not show the run waiting: %+v", listed)
	}
	if err := s.AnswerCapability(studio.AnswerRequest{RequestID: ask.ID, Choice: "run"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AnswerCapability(studio.AnswerRequest{RequestID: ask.ID, Choice: "run"}); !errors.Is(err, kernel.ErrNoSuchAsk) {
		t.Errorf("answering twice: %v", err)
	}
	if got, _ := s.WaitRun(studio.RunRequest{ID: run.ID}); got.State != kernel.StateValidated {
		t.Fatalf("run state %s (%s), want validated", got.State, got.Reason)
	}
	d, err := s.GetRun(studio.RunRequest{ID: run.ID})
	if err != nil || len(d.Changes) != 1 {
		t.Fatalf("GetRun = %+v, %v", d, err)
	}
	c := d.Changes[0]
	if c.Path != "src/main.go" || c.Before != "package main\n" || c.After != "package app\n" || c.Binary || !c.BeforeExists {
		t.Errorf("change = %+v", c)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "src", "main.go")); string(b) != "package main\n" {
		t.Fatal("the file changed before approval")
	}
	if _, err := s.ApproveRun(studio.RunRequest{ID: run.ID}); err != nil {
		t.Fatal(err)
	}
	if f, err := s.ReadFile(studio.ReadFileRequest{WorkspaceID: ws.ID, Path: "src/main.go"}); err != nil || f.Content != "package app\n" {
		t.Fatalf("ReadFile after commit = %+v, %v", f, err)
	}
	runs, _ := s.ListRuns(studio.ListRunsRequest{WorkspaceID: ws.ID})
	if len(runs) != 1 || runs[0].Outcome != kernel.OutcomeCommitted {
		t.Fatalf("ListRuns = %+v", runs)
	}
	rev, err := s.RevertRun(studio.RunRequest{ID: run.ID})
	if err != nil {
		t.Fatal(err)
	}
	s.WaitRun(studio.RunRequest{ID: rev.ID})
	if _, err := s.ApproveRun(studio.RunRequest{ID: rev.ID}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "src", "main.go")); string(b) != "package main\n" {
		t.Fatalf("after revert: %q", b)
	}
	edit, err := s.StartEditRun(studio.StartEditRunRequest{WorkspaceID: ws.ID, Path: "../escape.txt", Content: "x"})
	if !errors.Is(err, workspace.ErrOutside) {
		t.Fatalf("StartEditRun(../escape.txt) = %+v, %v; want ErrOutside", edit, err)
	}
	if _, err := s.StartEditRun(studio.StartEditRunRequest{WorkspaceID: ws.ID, Path: "a.txt", Options: studio.RunOptions{ValidationCommand: `unterminated "quote`}}); err == nil || !strings.Contains(err.Error(), "validation command") {
		t.Fatalf("a malformed validation command = %v", err)
	}
	if _, err := s.ReadFile(studio.ReadFileRequest{WorkspaceID: ws.ID, Path: "../../etc/passwd"}); !errors.Is(err, workspace.ErrOutside) {
		t.Errorf("ReadFile(escape) = %v", err)
	}
}
