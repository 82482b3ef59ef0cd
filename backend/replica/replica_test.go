package replica_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/replica"
)

// appendN appends n events to the log through the gate.
func appendN(tb testing.TB, s eventlog.Store, n int, tag string) []eventlog.Event {
	tb.Helper()
	g := eventlog.NewGate(s, eventlog.DefaultCatalogue())
	var out []eventlog.Event
	for i := 0; i < n; i++ {
		evs, err := g.Emit(context.Background(), eventlog.Draft{Stream: fmt.Sprintf("workspace/w%d", i%3),
			Type: eventlog.WorkspaceFileChanged, Origin: eventlog.OriginRuntime,
			Payload: map[string]any{"path": fmt.Sprintf("%s/f%d.go", tag, i), "pad": strings.Repeat("x", 300)}})
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, evs...)
	}
	return out
}

func openLog(tb testing.TB, path string, ro bool) *eventlog.SQLiteStore {
	tb.Helper()
	s, err := eventlog.Open(path, eventlog.Options{ReadOnly: ro})
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	return s
}

func fileURL(dir string) string { return "file://" + filepath.ToSlash(dir) }

// TestFileReplicaRoundTrip: a log replicated to a file replica, with
// appends before and during replication, restores to a log that verifies
// and ends exactly at the head the replicator confirmed.
func TestFileReplicaRoundTrip(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), eventlog.FileName)
	cfg := replica.Config{URL: fileURL(filepath.Join(t.TempDir(), "replica"))}
	s := openLog(t, path, false)
	defer s.Close()
	appendN(t, s, 30, "before")

	if err := replica.Restore(ctx, cfg, filepath.Join(t.TempDir(), "x.db")); !errors.Is(err, replica.ErrEmpty) {
		t.Fatalf("Restore of a replica never written = %v, want ErrEmpty", err)
	}
	r, err := replica.Start(ctx, path, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	evs := appendN(t, s, 70, "during")
	st, err := r.Sync(ctx)
	if err != nil {
		t.Fatalf("Sync: %v (status %+v)", err, st)
	}
	last := evs[len(evs)-1]
	if st.Seq != last.Seq || !bytes.Equal(st.Hash, last.Hash) || st.Error != "" || !st.Running || st.TXID == "" {
		t.Fatalf("status after Sync = %+v; want seq %d with its hash", st, last.Seq)
	}
	if st.URL != cfg.URL {
		t.Fatalf("status URL = %q, want %q", st.URL, cfg.URL)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if r.Status().Running {
		t.Fatal("still running after Close")
	}

	out := filepath.Join(t.TempDir(), "restored", eventlog.FileName)
	if err := replica.Restore(ctx, cfg, out); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	rs := openLog(t, out, false)
	rep, err := eventlog.Verify(ctx, rs, eventlog.DefaultCatalogue())
	if err != nil || !rep.OK || rep.HeadSeq != last.Seq {
		t.Fatalf("Verify of the restored log = %+v, %v; want OK up to seq %d", rep, err, last.Seq)
	}
	cmp, err := eventlog.CompareWith(ctx, s, rs)
	if err != nil || !cmp.OK {
		t.Fatalf("CompareWith(local, restored) = %+v, %v", cmp, err)
	}
	rs.Close()
	if err := replica.Restore(ctx, cfg, out); !errors.Is(err, replica.ErrExists) {
		t.Fatalf("Restore over an existing log = %v, want ErrExists", err)
	}
}

// TestConfig: URLs are checked before anything starts, and the password
// never shows.
func TestConfig(t *testing.T) {
	if got := (replica.Config{URL: "sftp://me:s3cret@host:2222/logs"}).Redacted(); strings.Contains(got, "s3cret") || !strings.Contains(got, "me@host:2222/logs") {
		t.Fatalf("Redacted = %q", got)
	}
	for _, good := range []replica.Config{
		{URL: "file:///var/backups/ice"},
		{URL: "sftp://me@host/logs", KeyFile: "/k"},
		{URL: "sftp://me@host:2222/logs", Password: "p"},
	} {
		if err := good.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", good, err)
		}
	}
	for _, bad := range []replica.Config{
		{URL: ""}, {URL: "file://relative/path"}, {URL: "file:rel"}, {URL: "ftp://host/x"},
		{URL: "sftp://host/logs", KeyFile: "/k"}, {URL: "sftp://me@host/logs"}, {URL: "sftp://me@/logs", Password: "p"},
	} {
		if err := bad.Validate(); !errors.Is(err, replica.ErrBadURL) {
			t.Errorf("Validate(%+v) = %v, want ErrBadURL", bad, err)
		}
	}
	if _, err := replica.Start(context.Background(), "/nonexistent/events.db", replica.Config{URL: "ftp://x"}, nil); !errors.Is(err, replica.ErrBadURL) {
		t.Fatalf("Start with a bad URL = %v", err)
	}
}
