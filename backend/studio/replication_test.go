package studio_test

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/eventlog/eventlogtest"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// waitReplica waits for the replication to reach state.
func waitReplica(t *testing.T, s *studio.Studio, state string) studio.ReplicaView {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		v := s.Replica()
		if v.State == state {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("replication did not reach %q: %+v", state, v)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rewriteChain rewrites and re-hashes the chain from seq (anchors in the
// log included: eventlogtest.Rewrite), and drops the stored verified
// position and the anchor kept beside the log, so only a witness kept
// elsewhere tells.
func rewriteChain(t *testing.T, data string, seq int64, change func(map[string]any)) {
	t.Helper()
	eventlogtest.Rewrite(t, studio.LogPath(data), seq, change)
	db, err := sql.Open("sqlite3", studio.LogPath(data))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM log_verified`); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(data, studio.AnchorFileName)); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

// TestReplicationAnchorsAndWitnesses: a Studio replicating to a folder
// records log.anchored for what the replica holds; the key never reaches
// the log; a chain rewritten and re-hashed while the Studio was closed
// passes every local check but not the replica's: the Studio opens
// read-only, names the position, and does not copy the rewritten log over
// its witness.
func TestReplicationAnchorsAndWitnesses(t *testing.T) {
	data, rep := t.TempDir(), filepath.Join(t.TempDir(), "replica")
	s := studio.New(studio.Config{DataDir: data, AnchorEvery: time.Hour})
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v := s.Replica(); v.State != "off" || v.Configured {
		t.Fatalf("no replica configured: %+v", v)
	}
	if _, err := s.SetReplica(studio.SetReplicaRequest{URL: "relative/folder"}); err == nil {
		t.Fatal("a relative folder was taken as a replica")
	}
	if _, err := s.SetReplica(studio.SetReplicaRequest{URL: filepath.Join(data, "inside")}); err == nil || !strings.Contains(err.Error(), "no witness") {
		t.Fatalf("a replica inside the data folder: %v", err)
	}
	if _, err := s.SetReplica(studio.SetReplicaRequest{URL: "sftp://user@127.0.0.1:1/x", Password: "hunter2-not-logged"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetReplica(studio.SetReplicaRequest{URL: rep}); err != nil {
		t.Fatal(err)
	}
	waitReplica(t, s, "replicating")
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: project(t)})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.StartReplaceRun(studio.StartReplaceRunRequest{WorkspaceID: ws.ID, Find: "nothing-matches-this", Replace: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WaitRun(studio.RunRequest{ID: run.ID}); err != nil {
		t.Fatal(err)
	}
	v, err := s.SyncReplica()
	if err != nil {
		t.Fatal(err)
	}
	if v.Seq == 0 || v.AnchoredSeq != v.Seq || v.URL != "file://"+filepath.ToSlash(rep) || v.LastSyncAt == 0 {
		t.Fatalf("after a sync: %+v", v)
	}
	// A second sync with nothing new but the anchor anchors nothing.
	if v2, err := s.SyncReplica(); err != nil || v2.AnchoredSeq != v.AnchoredSeq {
		t.Fatalf("a sync with nothing new: %+v, %v", v2, err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	// The anchor is in the log with the hash of the event at its seq.
	var anchor eventlog.AnchoredPayload
	var anchors int
	var leaked bool
	store, err := eventlog.Open(studio.LogPath(data), eventlog.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.Read(context.Background(), eventlog.Query{}, func(e eventlog.Event) error {
		leaked = leaked || strings.Contains(string(e.Payload), "hunter2")
		if e.Type == eventlog.LogAnchored {
			anchors++
			return json.Unmarshal(e.Payload, &anchor)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if leaked {
		t.Fatal("the sftp password is in the log")
	}
	at, err := store.Get(context.Background(), anchor.Seq)
	if err != nil || anchors != 1 || hex.EncodeToString(at.Hash) != anchor.Hash || anchor.Replica != v.URL {
		t.Fatalf("anchors %d, %+v, event there %x, %v", anchors, anchor, at.Hash, err)
	}

	// The last anchor is kept beside the log too.
	if kept, ok, err := studio.ReadAnchorFile(data); err != nil || !ok || kept.Seq != anchor.Seq || kept.Hash != anchor.Hash {
		t.Fatalf("the kept anchor: %+v %v %v, want %+v", kept, ok, err, anchor)
	}

	// Reopened unchanged: the witness agrees, replication resumes.
	s2 := studio.New(studio.Config{DataDir: data, AnchorEvery: time.Hour})
	if err := s2.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitReplica(t, s2, "replicating")
	if n := readOnlyNotice(s2); n != "" {
		t.Fatalf("an unchanged log: %s", n)
	}
	if err := s2.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Rewritten and re-hashed while closed: the local checks pass, the
	// witness does not.
	rewriteChain(t, data, 3, func(p map[string]any) { p["rewritten"] = true })
	s3 := studio.New(studio.Config{DataDir: data, AnchorEvery: time.Hour})
	if err := s3.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s3.Close(context.Background()) })
	v3 := waitReplica(t, s3, "stopped")
	n := readOnlyNotice(s3)
	if !strings.Contains(n, "against the replica") || !strings.Contains(n, "seq 3") {
		t.Fatalf("notice %q, replication %+v", n, v3)
	}
	if _, err := s3.StartReplaceRun(studio.StartReplaceRunRequest{WorkspaceID: ws.ID, Find: "a", Replace: "b"}); err == nil {
		t.Fatal("a run started on a log that fails its witness")
	}
	// The replica still holds the original: restoring it gives the log
	// as it was.
	ents, _ := os.ReadDir(rep)
	if len(ents) == 0 {
		t.Fatal("the replica folder is empty")
	}
}

// TestUnreachableReplicaIsRetried: a replica that cannot be reached is
// not replicated to (its witness check cannot run), the status says why
// and that it will try again, and the Studio still closes at once.
func TestUnreachableReplicaIsRetried(t *testing.T) {
	data := t.TempDir()
	s := studio.New(studio.Config{DataDir: data})
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetReplica(studio.SetReplicaRequest{URL: "sftp://ice@127.0.0.1:1/log", Password: "not-a-real-password"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		v := s.Replica()
		if v.State == "stopped" && strings.Contains(v.Error, "trying again") {
			if strings.Contains(v.Error, "not-a-real-password") {
				t.Fatalf("the password is in the status: %q", v.Error)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("an unreachable replica: %+v", v)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := readOnlyNotice(s); n != "" {
		t.Fatalf("an unreachable replica made the log read-only: %s", n)
	}
	done := make(chan error, 1)
	go func() { done <- s.Close(context.Background()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for the retry")
	}
}
