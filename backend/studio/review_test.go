package studio_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/studio"
)

func TestReviewThroughTheStudioAPI(t *testing.T) {
	s := MustOpen(t, studio.Config{})
	dir := t.TempDir()
	lines := make([]string, 20)
	for i := range lines {
		lines[i] = "line " + string(rune('a'+i))
	}
	orig := strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(strings.Replace(orig, "line b\n", "line B\n", 1), "line s\n", "line S\n", 1)
	run, err := s.StartEditRun(studio.StartEditRunRequest{WorkspaceID: ws.ID, Path: "notes.txt", Content: edited})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.WaitRun(studio.RunRequest{ID: run.ID}); got.State != kernel.StateValidated {
		t.Fatalf("state %s (%s)", got.State, got.Reason)
	}
	files, err := s.RunHunks(studio.RunRequest{ID: run.ID})
	if err != nil || len(files) != 1 || len(files[0].Hunks) != 2 || files[0].Added != 2 || files[0].Removed != 2 {
		t.Fatalf("RunHunks = %+v, %v", files, err)
	}
	// The shape the UI reads.
	b, _ := json.Marshal(files[0])
	for _, key := range []string{`"path":"notes.txt"`, `"op":"modify"`, `"added":2`, `"removed":2`, `"oldStart":`, `"newLines":`, `"lines":[{"kind":" ","text":"line a"}`, `{"kind":"+","text":"line B"}`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("RunHunks JSON has no %s: %s", key, b)
		}
	}
	if _, err := s.CommitHunks(studio.CommitHunksRequest{ID: run.ID, Accept: []string{"feedfacefeedface"}}); !errors.Is(err, kernel.ErrStaleReview) {
		t.Errorf("stale hunk: %v", err)
	}
	res, err := s.CommitHunks(studio.CommitHunksRequest{ID: run.ID, Accept: []string{files[0].Hunks[1].ID}})
	if err != nil || res.Accepted != 1 || res.Rejected != 1 || res.Run.State != kernel.StateValidated {
		t.Fatalf("CommitHunks = %+v, %v", res, err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(got) != strings.Replace(orig, "line s\n", "line S\n", 1) {
		t.Errorf("notes.txt = %q", got)
	}
	d, err := s.GetRun(studio.RunRequest{ID: run.ID})
	if err != nil || len(d.Changes) != 1 || d.Changes[0].Before != strings.Replace(orig, "line s\n", "line S\n", 1) || d.Changes[0].After != edited {
		t.Errorf("GetRun after the partial commit = %+v, %v", d.Changes, err)
	}
}
