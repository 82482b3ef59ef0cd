package eventlog_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/eventlog/eventlogtest"
)

// MustOpen opens a fresh SQLite log in a temporary directory.
func MustOpen(tb testing.TB) *eventlog.SQLiteStore {
	tb.Helper()
	s, err := eventlog.Open(filepath.Join(tb.TempDir(), eventlog.FileName), eventlog.Options{})
	if err != nil {
		tb.Fatalf("eventlog.Open: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func TestSQLiteConformance(t *testing.T) {
	eventlogtest.Run(t, func(t *testing.T) eventlog.Store { return MustOpen(t) })
}

func TestSQLiteIsInWALMode(t *testing.T) {
	s := MustOpen(t)
	mode, err := s.JournalMode(context.Background())
	if err != nil || mode != "wal" {
		t.Fatalf("JournalMode() = %q, %v; want wal", mode, err)
	}
}

func TestSQLiteReopenKeepsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), eventlog.FileName)
	s, err := eventlog.Open(path, eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := eventlogtest.MustAppend(t, s, eventlogtest.Ev("a", "s", "t"), eventlogtest.Ev("b", "s", "t"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := eventlog.Open(path, eventlog.Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	got := eventlogtest.MustAppend(t, s2, eventlogtest.Ev("c", "s", "t"))
	if got[0].Seq != 3 || got[0].Version != 3 || string(got[0].PrevHash) != string(want[1].Hash) {
		t.Fatalf("after reopen the next event is seq %d v%d; want seq 3 v3 chained to the last", got[0].Seq, got[0].Version)
	}
	ro, err := eventlog.Open(path, eventlog.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open read-only: %v", err)
	}
	defer ro.Close()
	if n, _ := ro.Count(context.Background(), eventlog.Query{}); n != 3 {
		t.Errorf("read-only store sees %d events, want 3", n)
	}
	if _, err := ro.Append(context.Background(), []eventlog.Event{eventlogtest.Ev("d", "s", "t")}); err == nil {
		t.Error("Append on a read-only store succeeded")
	}
}

// TestSQLiteLazyAppend: a lazy batch is committed and chained like any
// other, and the writer waits for the disk again afterwards (the pragma is
// put back, so the next ordinary append is durable).
func TestSQLiteLazyAppend(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	sync := func() int {
		var n int
		if err := s.DB().QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := sync(); got != 2 {
		t.Fatalf("synchronous = %d at open, want 2 (FULL)", got)
	}
	a := eventlogtest.Ev("a", "s", "t")
	a.Lazy = true
	b := eventlogtest.Ev("b", "s", "t")
	b.Lazy = true
	got := eventlogtest.MustAppend(t, s, a, b)
	if got[1].Seq != 2 || string(got[1].PrevHash) != string(got[0].Hash) {
		t.Fatalf("lazy events: %+v", got)
	}
	if n := sync(); n != 2 {
		t.Fatalf("synchronous = %d after a lazy append, want 2 (FULL) again", n)
	}
	c := eventlogtest.MustAppend(t, s, eventlogtest.Ev("c", "s", "t"))
	if c[0].Seq != 3 || string(c[0].PrevHash) != string(got[1].Hash) {
		t.Fatalf("the append after the lazy ones: %+v", c[0])
	}
}
