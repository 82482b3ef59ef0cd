package eventlog_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

func TestCanonicalJSON(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"b":1,"a":2}`, `{"a":2,"b":1}`},
		{` { "a" : { "z":1, "y":[3, 2] } } `, `{"a":{"y":[3,2],"z":1}}`},
		{`{"html":"<b>&</b>"}`, `{"html":"<b>&</b>"}`},
		{`{"n":1.50,"big":12345678901234567890}`, `{"big":12345678901234567890,"n":1.50}`},
		{`{"u":"\u00e9"}`, `{"u":"é"}`},
		{`{}`, `{}`},
	} {
		got, err := eventlog.CanonicalJSON([]byte(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("CanonicalJSON(%s) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
		again, _ := eventlog.CanonicalJSON(got)
		if !bytes.Equal(again, got) {
			t.Errorf("CanonicalJSON is not idempotent on %s: %s", got, again)
		}
	}
	for _, bad := range []string{`[1]`, `"s"`, `1`, `{"a":1} {"b":2}`, `{"a":`, ``, `null`} {
		if _, err := eventlog.CanonicalJSON([]byte(bad)); !errors.Is(err, eventlog.ErrBadPayload) {
			t.Errorf("CanonicalJSON(%q) error = %v, want ErrBadPayload", bad, err)
		}
	}
}

// Every envelope field is covered by the hash: changing any one changes it.
func TestComputeHashCoversEveryField(t *testing.T) {
	base := eventlog.Event{Seq: 7, ID: "id", Stream: "run/1", Version: 2, Type: "run.created", Schema: 1, Origin: "runtime",
		At: 123, Workspace: "w", Run: "r", Causation: "c", Correlation: "k", Payload: []byte(`{"a":1}`), PrevHash: bytes.Repeat([]byte{1}, 32)}
	h := eventlog.ComputeHash(&base)
	for name, mutate := range map[string]func(e *eventlog.Event){
		"seq":         func(e *eventlog.Event) { e.Seq++ },
		"id":          func(e *eventlog.Event) { e.ID += "x" },
		"stream":      func(e *eventlog.Event) { e.Stream += "x" },
		"version":     func(e *eventlog.Event) { e.Version++ },
		"type":        func(e *eventlog.Event) { e.Type += "x" },
		"schema":      func(e *eventlog.Event) { e.Schema++ },
		"origin":      func(e *eventlog.Event) { e.Origin = "user" },
		"at":          func(e *eventlog.Event) { e.At++ },
		"workspace":   func(e *eventlog.Event) { e.Workspace += "x" },
		"run":         func(e *eventlog.Event) { e.Run += "x" },
		"causation":   func(e *eventlog.Event) { e.Causation += "x" },
		"correlation": func(e *eventlog.Event) { e.Correlation += "x" },
		"payload":     func(e *eventlog.Event) { e.Payload = []byte(`{"a":2}`) },
		"prev_hash":   func(e *eventlog.Event) { e.PrevHash = bytes.Repeat([]byte{2}, 32) },
		// Moving bytes between adjacent fields must not collide either.
		"shifted boundary": func(e *eventlog.Event) { e.Workspace, e.Run = "wr", "" },
	} {
		e := base
		mutate(&e)
		if bytes.Equal(eventlog.ComputeHash(&e), h) {
			t.Errorf("changing %s did not change the hash", name)
		}
	}
	again := base
	if !bytes.Equal(eventlog.ComputeHash(&again), h) {
		t.Error("ComputeHash is not deterministic")
	}
}

func TestOriginAuthority(t *testing.T) {
	for origin, want := range map[string]eventlog.Authority{"runtime": eventlog.Runtime, "user": eventlog.User, "agent:coder": eventlog.Agent, "agent:a-b_c.9": eventlog.Agent} {
		if got, err := eventlog.OriginAuthority(origin); err != nil || got != want {
			t.Errorf("OriginAuthority(%q) = %v, %v; want %v", origin, got, err, want)
		}
	}
	for _, bad := range []string{"", "Runtime", "agent:", "agent:UP", "agent:a b", "system", "agent:x/y"} {
		if _, err := eventlog.OriginAuthority(bad); !errors.Is(err, eventlog.ErrBadOrigin) {
			t.Errorf("OriginAuthority(%q) error = %v, want ErrBadOrigin", bad, err)
		}
	}
}
