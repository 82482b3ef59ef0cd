// Package eventlogtest is the conformance suite every eventlog.Store
// implementation must pass.
package eventlogtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// Ev returns a minimal valid event for stream (AnyVersion).
func Ev(id, stream, typ string) eventlog.Event {
	return eventlog.Event{ID: id, Stream: stream, Type: typ, Schema: 1, Origin: eventlog.OriginRuntime,
		At: time.Now().UnixNano(), Payload: []byte(`{"n":1}`)}
}

// MustAppend appends evs or fails the test.
func MustAppend(tb testing.TB, s eventlog.Store, evs ...eventlog.Event) []eventlog.Event {
	tb.Helper()
	out, err := s.Append(context.Background(), evs)
	if err != nil {
		tb.Fatalf("Append(%d events): %v", len(evs), err)
	}
	return out
}

// All reads every event matching q.
func All(tb testing.TB, s eventlog.Store, q eventlog.Query) []eventlog.Event {
	tb.Helper()
	var out []eventlog.Event
	if err := s.Read(context.Background(), q, func(e eventlog.Event) error { out = append(out, e); return nil }); err != nil {
		tb.Fatalf("Read(%+v): %v", q, err)
	}
	return out
}

func seqs(evs []eventlog.Event) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.Seq
	}
	return out
}

// Run runs the suite; open must return a new, empty store.
func Run(t *testing.T, open func(t *testing.T) eventlog.Store) {
	ctx := context.Background()

	t.Run("AppendAssignsSeqAndChainsHashes", func(t *testing.T) {
		s := open(t)
		if seq, h, err := s.Head(ctx); err != nil || seq != 0 || len(h) != 0 {
			t.Fatalf("Head() of an empty store = %d, %x, %v", seq, h, err)
		}
		got := MustAppend(t, s, Ev("a", "s/1", "t"), Ev("b", "s/2", "t"), Ev("c", "s/1", "t"))
		var prev []byte
		for i, e := range got {
			if e.Seq != int64(i+1) {
				t.Errorf("event %d: seq %d, want %d", i, e.Seq, i+1)
			}
			if !bytes.Equal(e.PrevHash, prev) {
				t.Errorf("event %d: prev_hash %x, want %x", i, e.PrevHash, prev)
			}
			if !bytes.Equal(e.Hash, eventlog.ComputeHash(&e)) || len(e.Hash) != 32 {
				t.Errorf("event %d: hash %x is not the SHA-256 of its content", i, e.Hash)
			}
			prev = e.Hash
		}
		if got[0].Version != 1 || got[1].Version != 1 || got[2].Version != 2 {
			t.Errorf("versions = %d %d %d, want 1 1 2", got[0].Version, got[1].Version, got[2].Version)
		}
		seq, h, err := s.Head(ctx)
		if err != nil || seq != 3 || !bytes.Equal(h, got[2].Hash) {
			t.Errorf("Head() = %d, %x, %v; want 3, %x", seq, h, err, got[2].Hash)
		}
		more := MustAppend(t, s, Ev("d", "s/3", "t"))
		if more[0].Seq != 4 || !bytes.Equal(more[0].PrevHash, got[2].Hash) {
			t.Errorf("a second append continues at seq %d with prev %x; want 4 chained to %x", more[0].Seq, more[0].PrevHash, got[2].Hash)
		}
		stored := All(t, s, eventlog.Query{})
		for i := range stored {
			want := append(got, more...)[i]
			if !bytes.Equal(stored[i].Hash, want.Hash) || string(stored[i].Payload) != string(want.Payload) || stored[i].ID != want.ID {
				t.Errorf("stored event %d differs from what Append returned", i+1)
			}
		}
	})

	t.Run("OptimisticConcurrency", func(t *testing.T) {
		s := open(t)
		e := Ev("a", "run/x", "t")
		e.Version = 1
		MustAppend(t, s, e)
		again := Ev("b", "run/x", "t")
		again.Version = 1
		_, err := s.Append(ctx, []eventlog.Event{again})
		var ce *eventlog.ConflictError
		if !errors.As(err, &ce) || !errors.Is(err, eventlog.ErrConflict) || ce.Current != 1 || ce.Expected != 1 || ce.Stream != "run/x" {
			t.Fatalf("Append(version 1 again) error = %v, want a ConflictError at current 1", err)
		}
		gap := Ev("c", "run/x", "t")
		gap.Version = 3
		if _, err := s.Append(ctx, []eventlog.Event{gap}); !errors.Is(err, eventlog.ErrConflict) {
			t.Fatalf("Append(version 3 after 1) error = %v, want ErrConflict", err)
		}
		next := Ev("d", "run/x", "t")
		next.Version = 2
		MustAppend(t, s, next)
		if v, err := s.StreamVersion(ctx, "run/x"); err != nil || v != 2 {
			t.Errorf("StreamVersion = %d, %v; want 2", v, err)
		}
		if v, _ := s.StreamVersion(ctx, "run/none"); v != 0 {
			t.Errorf("StreamVersion(empty stream) = %d, want 0", v)
		}
	})

	t.Run("BatchIsAtomic", func(t *testing.T) {
		s := open(t)
		MustAppend(t, s, Ev("a", "s", "t"))
		bad := Ev("c", "s", "t")
		bad.Version = 1 // taken
		if _, err := s.Append(ctx, []eventlog.Event{Ev("b", "other", "t"), bad}); !errors.Is(err, eventlog.ErrConflict) {
			t.Fatalf("Append(batch with a conflict) error = %v, want ErrConflict", err)
		}
		if n, _ := s.Count(ctx, eventlog.Query{}); n != 1 {
			t.Fatalf("after a failed batch the store has %d events, want 1 (nothing of the batch)", n)
		}
		if _, err := s.Append(ctx, []eventlog.Event{Ev("x", "s", "t"), Ev("x", "s", "t")}); !errors.Is(err, eventlog.ErrInvalidEvent) {
			t.Fatalf("Append(duplicate ids) error = %v, want ErrInvalidEvent", err)
		}
		if _, err := s.Append(ctx, []eventlog.Event{{ID: "y", Type: "t", Origin: "runtime"}}); !errors.Is(err, eventlog.ErrInvalidEvent) {
			t.Fatalf("Append(no stream) error = %v, want ErrInvalidEvent", err)
		}
		if n, _ := s.Count(ctx, eventlog.Query{}); n != 1 {
			t.Fatalf("after rejected batches the store has %d events, want 1", n)
		}
	})

	t.Run("ReadFilters", func(t *testing.T) {
		s := open(t)
		mk := func(id, stream, typ, origin, ws, run string) eventlog.Event {
			e := Ev(id, stream, typ)
			e.Origin, e.Workspace, e.Run = origin, ws, run
			return e
		}
		MustAppend(t, s,
			mk("1", "workspace/w1", "workspace.opened", "runtime", "w1", ""),
			mk("2", "run/r1", "run.created", "runtime", "w1", "r1"),
			mk("3", "run/r1", "inference.request", "agent:coder", "w1", "r1"),
			mk("4", "run/r2", "run.created", "runtime", "w2", "r2"),
			mk("5", "workspace/w1", "workspace.forgotten", "user", "w1", ""),
		)
		for _, tc := range []struct {
			name string
			q    eventlog.Query
			want []int64
		}{
			{"all", eventlog.Query{}, []int64{1, 2, 3, 4, 5}},
			{"stream", eventlog.Query{Stream: "run/r1"}, []int64{2, 3}},
			{"run", eventlog.Query{Run: "r2"}, []int64{4}},
			{"workspace", eventlog.Query{Workspace: "w1"}, []int64{1, 2, 3, 5}},
			{"type", eventlog.Query{Types: []string{"run.created"}}, []int64{2, 4}},
			{"types", eventlog.Query{Types: []string{"run.created", "workspace.opened"}}, []int64{1, 2, 4}},
			{"origin", eventlog.Query{Origin: "agent:coder"}, []int64{3}},
			{"range", eventlog.Query{AfterSeq: 1, UntilSeq: 3}, []int64{2, 3}},
			{"limit", eventlog.Query{Limit: 2}, []int64{1, 2}},
			{"offset", eventlog.Query{Offset: 3}, []int64{4, 5}},
			{"desc", eventlog.Query{Desc: true, Limit: 2}, []int64{5, 4}},
			{"combined", eventlog.Query{Workspace: "w1", Types: []string{"run.created", "inference.request"}, Offset: 1}, []int64{3}},
			{"none", eventlog.Query{Run: "nope"}, nil},
		} {
			got := seqs(All(t, s, tc.q))
			if fmt.Sprint(got) != fmt.Sprint(tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("%s: Read(%+v) = %v, want %v", tc.name, tc.q, got, tc.want)
			}
			q := tc.q
			q.Offset, q.Limit = 0, 0
			n, err := s.Count(ctx, q)
			if all := All(t, s, q); err != nil || n != int64(len(all)) {
				t.Errorf("%s: Count = %d, %v; want %d", tc.name, n, err, len(all))
			}
		}
		wantErr := errors.New("stop here")
		calls := 0
		if err := s.Read(ctx, eventlog.Query{}, func(eventlog.Event) error { calls++; return wantErr }); !errors.Is(err, wantErr) || calls != 1 {
			t.Errorf("Read with a failing callback = %v after %d calls, want the callback's error after 1", err, calls)
		}
		if got, err := s.Distinct(ctx, "type", 0); err != nil || fmt.Sprint(got) != "[inference.request run.created workspace.forgotten workspace.opened]" {
			t.Errorf("Distinct(type) = %v, %v", got, err)
		}
		if got, _ := s.Distinct(ctx, "run", 0); fmt.Sprint(got) != "[r1 r2]" {
			t.Errorf("Distinct(run) = %v, want [r1 r2] (empty values left out)", got)
		}
		if _, err := s.Distinct(ctx, "payload; DROP TABLE events", 0); err == nil {
			t.Error("Distinct(arbitrary column) succeeded, want an error")
		}
	})

	t.Run("GetByPositionAndID", func(t *testing.T) {
		s := open(t)
		got := MustAppend(t, s, Ev("first", "s", "t"), Ev("second", "s", "t"))
		if e, err := s.Get(ctx, 2); err != nil || e.ID != "second" || !bytes.Equal(e.Hash, got[1].Hash) {
			t.Errorf("Get(2) = %+v, %v", e, err)
		}
		if e, err := s.GetByID(ctx, "first"); err != nil || e.Seq != 1 {
			t.Errorf("GetByID(first) = %+v, %v", e, err)
		}
		if _, err := s.Get(ctx, 99); !errors.Is(err, eventlog.ErrNotFound) {
			t.Errorf("Get(99) error = %v, want ErrNotFound", err)
		}
		if _, err := s.GetByID(ctx, "nope"); !errors.Is(err, eventlog.ErrNotFound) {
			t.Errorf("GetByID(nope) error = %v, want ErrNotFound", err)
		}
	})

	t.Run("Blobs", func(t *testing.T) {
		s := open(t)
		data := bytes.Repeat([]byte("file body "), 10000)
		h, err := s.PutBlob(ctx, data)
		sum := sha256.Sum256(data)
		if want := hex.EncodeToString(sum[:]); err != nil || h != want {
			t.Fatalf("PutBlob = %q, %v; want its SHA-256 %q", h, err, want)
		}
		h2, err := s.PutBlob(ctx, data)
		if err != nil || h2 != h {
			t.Errorf("PutBlob(same data) = %q, %v; want the same address %q", h2, err, h)
		}
		got, err := s.GetBlob(ctx, h)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("GetBlob = %d bytes, %v; want the %d bytes stored", len(got), err, len(data))
		}
		for _, empty := range [][]byte{nil, {}} {
			h, err := s.PutBlob(ctx, empty)
			if err != nil {
				t.Fatalf("PutBlob(empty) error = %v", err)
			}
			if got, err := s.GetBlob(ctx, h); err != nil || len(got) != 0 {
				t.Errorf("GetBlob(empty blob) = %q, %v; want an empty body", got, err)
			}
		}
		if _, err := s.GetBlob(ctx, "00"); !errors.Is(err, eventlog.ErrNotFound) {
			t.Errorf("GetBlob(unknown) error = %v, want ErrNotFound", err)
		}
	})

	t.Run("ChangesWakeOnAppend", func(t *testing.T) {
		s := open(t)
		ch := s.Changes()
		select {
		case <-ch:
			t.Fatal("Changes() fired before any append")
		default:
		}
		MustAppend(t, s, Ev("a", "s", "t"))
		select {
		case <-ch:
		case <-time.After(2 * time.Second):
			t.Fatal("Changes() did not fire after an append")
		}
	})

	t.Run("FollowDeliversOldThenNew", func(t *testing.T) {
		s := open(t)
		MustAppend(t, s, Ev("a", "s", "t"), Ev("b", "s", "t"))
		fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		var got []int64
		done := make(chan error, 1)
		go func() {
			done <- eventlog.Follow(fctx, s, eventlog.Query{AfterSeq: 1}, func(e eventlog.Event) error {
				got = append(got, e.Seq)
				if len(got) == 3 {
					return errors.New("enough")
				}
				return nil
			})
		}()
		time.Sleep(50 * time.Millisecond)
		MustAppend(t, s, Ev("c", "s", "t"), Ev("d", "s", "t"))
		if err := <-done; err == nil || err.Error() != "enough" {
			t.Fatalf("Follow ended with %v", err)
		}
		if fmt.Sprint(got) != "[2 3 4]" {
			t.Errorf("Follow delivered %v, want [2 3 4]", got)
		}
	})

	t.Run("ConcurrentAppendsHaveNoGaps", func(t *testing.T) {
		s := open(t)
		const writers, each = 8, 40
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < each; i++ {
					id := fmt.Sprintf("w%d-%d", w, i)
					if _, err := s.Append(ctx, []eventlog.Event{Ev(id, fmt.Sprintf("stream/%d", i%3), "t")}); err != nil {
						errs <- err
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent Append: %v", err)
		}
		all := All(t, s, eventlog.Query{})
		if len(all) != writers*each {
			t.Fatalf("%d events stored, want %d", len(all), writers*each)
		}
		rep, err := eventlog.Verify(ctx, s, eventlog.NewCatalogue(eventlog.TypeInfo{Type: "t", Allowed: eventlog.Runtime}))
		if err != nil || !rep.OK || rep.Checked != writers*each {
			t.Fatalf("Verify after concurrent appends = %+v, %v; want an intact chain", rep, err)
		}
		versions := map[string][]int64{}
		for _, e := range all {
			versions[e.Stream] = append(versions[e.Stream], e.Version)
		}
		for stream, vs := range versions {
			for i, v := range vs {
				if v != int64(i+1) {
					t.Fatalf("stream %s versions %v are not 1..n in seq order", stream, vs)
				}
			}
		}
	})

	t.Run("TwoWritersOneVersionOneWins", func(t *testing.T) {
		for round := 0; round < 20; round++ {
			s := open(t)
			var wg sync.WaitGroup
			results := make([]error, 2)
			start := make(chan struct{})
			for i := range results {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					<-start
					e := Ev(fmt.Sprintf("writer-%d", i), "run/contended", "t")
					e.Version = 1
					_, results[i] = s.Append(ctx, []eventlog.Event{e})
				}(i)
			}
			close(start)
			wg.Wait()
			wins, conflicts := 0, 0
			for _, err := range results {
				switch {
				case err == nil:
					wins++
				case errors.Is(err, eventlog.ErrConflict):
					conflicts++
				default:
					t.Fatalf("unexpected error: %v", err)
				}
			}
			if wins != 1 || conflicts != 1 {
				t.Fatalf("round %d: %d wins and %d conflicts, want exactly one of each", round, wins, conflicts)
			}
			if n, _ := s.Count(ctx, eventlog.Query{}); n != 1 {
				t.Fatalf("round %d: %d events stored, want 1", round, n)
			}
		}
	})
}
