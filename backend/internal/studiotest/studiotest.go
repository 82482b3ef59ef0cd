// Package studiotest sets up, for tests and benchmarks, a folder as the
// Studio knows it: opened, scanned and indexed in a data directory.
package studiotest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/studio"
)

// IndexedStudio opens root as a workspace of a Studio over dataDir and
// waits (up to timeout) until its text index holds every text file.
func IndexedStudio(tb testing.TB, dataDir, root string, timeout time.Duration) (*studio.Studio, string) {
	tb.Helper()
	s := studio.New(studio.Config{DataDir: dataDir, PollInterval: time.Hour})
	if err := s.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: root})
	if err != nil {
		tb.Fatal(err)
	}
	deadline := time.Now().Add(timeout)
	for {
		st, err := s.WorkspaceStatus(studio.WorkspaceRequest{WorkspaceID: ws.ID})
		if err != nil {
			tb.Fatal(err)
		}
		if st.Index.State == studio.IndexReady && st.Index.Indexed == st.Index.Total && st.Index.Total > 0 {
			return s, ws.ID
		}
		if time.Now().After(deadline) {
			tb.Fatalf("workspace not indexed after %v: %+v", timeout, st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// KnownFolder is root opened and indexed by a Studio over dataDir, which
// is then closed, its index aged (see AgeIndex); it returns the
// workspace's id.
func KnownFolder(tb testing.TB, dataDir, root string, timeout time.Duration) string {
	tb.Helper()
	s, id := IndexedStudio(tb, dataDir, root, timeout)
	if err := s.Close(context.Background()); err != nil {
		tb.Fatal(err)
	}
	AgeIndex(tb, dataDir, id)
	return id
}

// AgeIndex makes a closed index look written an hour ago: one written
// within the last moments is not read (see search.OpenReadOnly).
func AgeIndex(tb testing.TB, dataDir, id string) {
	tb.Helper()
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(studio.IndexPath(dataDir, id), old, old); err != nil {
		tb.Fatal(err)
	}
}
