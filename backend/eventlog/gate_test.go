package eventlog_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

func TestGateAuthority(t *testing.T) {
	ctx := context.Background()
	g := eventlog.NewGate(MustOpen(t), eventlog.DefaultCatalogue())
	for _, tc := range []struct {
		typ, origin string
		want        error // nil: accepted
	}{
		{eventlog.RunCreated, "runtime", nil},
		{eventlog.RunCommitted, "agent:coder", eventlog.ErrAuthority},
		{eventlog.RunCreated, "user", eventlog.ErrAuthority},
		{eventlog.RunTerminated, "user", eventlog.ErrAuthority},
		{eventlog.RunRequested, "user", nil},
		{eventlog.RunRequested, "agent:coder", eventlog.ErrAuthority},
		{eventlog.RunCommitApproved, "user", nil},
		{eventlog.RunCommitApproved, "agent:coder", eventlog.ErrAuthority},
		{eventlog.EffectFileWritten, "agent:coder", eventlog.ErrAuthority},
		{eventlog.EffectFileWritten, "user", eventlog.ErrAuthority},
		{eventlog.InferenceToolCall, "agent:coder", nil},
		{eventlog.InferenceToolCall, "user", eventlog.ErrAuthority},
		{eventlog.CapabilityGranted, "agent:coder", eventlog.ErrAuthority},
		{eventlog.CapabilityGranted, "user", eventlog.ErrAuthority},
		{eventlog.CapabilityApproved, "user", nil},
		{eventlog.CapabilityRequested, "agent:planner.v2", nil},
		{eventlog.MemoryProposed, "agent:coder", nil},
		{eventlog.MemoryProposed, "runtime", eventlog.ErrAuthority},
		{eventlog.MemoryPromoted, "agent:coder", eventlog.ErrAuthority},
		{eventlog.MemoryPromoted, "user", eventlog.ErrAuthority},
		{eventlog.WorkspaceForgotten, "user", nil},
		{eventlog.WorkspaceOpened, "user", eventlog.ErrAuthority},
		{"no.such.type", "runtime", eventlog.ErrUnknownType},
		{eventlog.RunCreated, "admin", eventlog.ErrBadOrigin},
		{eventlog.InferenceRequest, "agent:", eventlog.ErrBadOrigin},
		{eventlog.InferenceRequest, "agent:Bad Name", eventlog.ErrBadOrigin},
		{eventlog.RunCreated, "", eventlog.ErrBadOrigin},
	} {
		before, _ := g.Store().Count(ctx, eventlog.Query{})
		_, err := g.Emit(ctx, eventlog.Draft{Stream: "run/r1", Type: tc.typ, Origin: tc.origin, Payload: map[string]int{"n": 1}})
		after, _ := g.Store().Count(ctx, eventlog.Query{})
		if tc.want == nil {
			if err != nil || after != before+1 {
				t.Errorf("Emit(%s from %q) = %v; want it stored", tc.typ, tc.origin, err)
			}
			continue
		}
		var rej *eventlog.RejectedError
		if !errors.Is(err, tc.want) || !errors.As(err, &rej) || rej.Type != tc.typ {
			t.Errorf("Emit(%s from %q) error = %v; want a RejectedError for %v", tc.typ, tc.origin, err, tc.want)
		}
		if after != before {
			t.Errorf("Emit(%s from %q) was rejected but stored something", tc.typ, tc.origin)
		}
	}
}

func TestGateCausation(t *testing.T) {
	ctx := context.Background()
	g := eventlog.NewGate(MustOpen(t), eventlog.DefaultCatalogue())
	req, err := g.Emit(ctx, eventlog.Draft{Stream: "run/r", Type: eventlog.RunRequested, Origin: "user"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Emit(ctx, eventlog.Draft{Stream: "run/r", Type: eventlog.RunCreated, Origin: "runtime", Causation: "01900000-0000-7000-8000-000000000000"}); !errors.Is(err, eventlog.ErrMissingCause) {
		t.Fatalf("Emit(cause missing) error = %v, want ErrMissingCause", err)
	}
	got, err := g.Emit(ctx, eventlog.Draft{Stream: "run/r", Type: eventlog.RunCreated, Origin: "runtime", Causation: req[0].ID, Correlation: "r"})
	if err != nil || got[0].Causation != req[0].ID || got[0].Correlation != "r" {
		t.Fatalf("Emit(existing cause) = %+v, %v", got, err)
	}
	// A rejected event anywhere in a batch stores nothing of it.
	_, err = g.Emit(ctx,
		eventlog.Draft{Stream: "run/r", Type: eventlog.RunProvisioned, Origin: "runtime"},
		eventlog.Draft{Stream: "run/r", Type: eventlog.RunExecutionStarted, Origin: "agent:x"})
	var rej *eventlog.RejectedError
	if !errors.As(err, &rej) || rej.Index != 1 {
		t.Fatalf("Emit(batch, second bad) error = %v, want event 1 rejected", err)
	}
	if n, _ := g.Store().Count(ctx, eventlog.Query{}); n != 2 {
		t.Fatalf("after a rejected batch the log has %d events, want 2", n)
	}
}

func TestGateOrderingAndPayload(t *testing.T) {
	ctx := context.Background()
	g := eventlog.NewGate(MustOpen(t), eventlog.DefaultCatalogue())
	// The wall clock steps back: at still increases with seq.
	clock := []time.Time{time.Unix(100, 0), time.Unix(50, 0), time.Unix(50, 0)}
	i := 0
	g.SetClock(func() time.Time { t := clock[min(i, len(clock)-1)]; i++; return t })
	evs, err := g.Emit(ctx,
		eventlog.Draft{Stream: "s", Type: eventlog.WorkspaceScanned, Origin: "runtime", Payload: map[string]any{"b": 1, "a": []int{2, 1}}},
		eventlog.Draft{Stream: "s", Type: eventlog.WorkspaceScanned, Origin: "runtime"},
		eventlog.Draft{Stream: "s", Type: eventlog.WorkspaceScanned, Origin: "runtime"})
	if err != nil {
		t.Fatal(err)
	}
	if !(evs[0].At < evs[1].At && evs[1].At < evs[2].At) {
		t.Errorf("at = %d, %d, %d; want strictly increasing", evs[0].At, evs[1].At, evs[2].At)
	}
	if string(evs[0].Payload) != `{"a":[2,1],"b":1}` || string(evs[1].Payload) != `{}` {
		t.Errorf("payloads = %s, %s; want canonical JSON objects", evs[0].Payload, evs[1].Payload)
	}
	if evs[0].Schema != 1 || evs[0].ID == "" || evs[0].ID >= evs[1].ID {
		t.Errorf("schema/ids = %d %q %q; want schema 1 and time-ordered ids", evs[0].Schema, evs[0].ID, evs[1].ID)
	}
	for _, bad := range []any{[]int{1}, "text", 3} {
		if _, err := g.Emit(ctx, eventlog.Draft{Stream: "s", Type: eventlog.WorkspaceScanned, Origin: "runtime", Payload: bad}); !errors.Is(err, eventlog.ErrBadPayload) {
			t.Errorf("Emit(payload %v) error = %v, want ErrBadPayload", bad, err)
		}
	}
	// Optimistic concurrency through the gate.
	if _, err := g.Emit(ctx, eventlog.Draft{Stream: "s", ExpectVersion: 3, Type: eventlog.WorkspaceScanned, Origin: "runtime"}); !errors.Is(err, eventlog.ErrConflict) {
		t.Errorf("Emit(stale version) error = %v, want ErrConflict", err)
	}
	if _, err := g.Emit(ctx, eventlog.Draft{Stream: "s", ExpectVersion: 4, Type: eventlog.WorkspaceScanned, Origin: "runtime"}); err != nil {
		t.Errorf("Emit(next version) error = %v", err)
	}
}

func TestEmitStoresBlobsWithTheEvent(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	g := eventlog.NewGate(s, eventlog.DefaultCatalogue())
	body := []byte("package main\n")
	if _, err := g.Emit(ctx, eventlog.Draft{Stream: "run/r", Type: eventlog.EffectFileRead, Origin: "runtime", Blobs: [][]byte{body}}); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if got, err := s.GetBlob(ctx, hex.EncodeToString(sum[:])); err != nil || string(got) != string(body) {
		t.Fatalf("GetBlob = %q, %v; want the blob stored with the event", got, err)
	}
	// A rejected event stores none of its blobs.
	other := []byte("never stored")
	if _, err := g.Emit(ctx, eventlog.Draft{Stream: "run/r", Type: eventlog.RunCommitted, Origin: "agent:x", Blobs: [][]byte{other}}); err == nil {
		t.Fatal("Emit(agent asserting a commit) succeeded")
	}
	sum = sha256.Sum256(other)
	if _, err := s.GetBlob(ctx, hex.EncodeToString(sum[:])); !errors.Is(err, eventlog.ErrNotFound) {
		t.Fatalf("blob of a rejected event: %v, want ErrNotFound", err)
	}
}
