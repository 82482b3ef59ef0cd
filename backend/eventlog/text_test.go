package eventlog_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/eventlog/eventlogtest"
)

func TestQueryTextSearchesPayloads(t *testing.T) {
	s := MustOpen(t)
	ev := func(id, payload string) eventlog.Event {
		e := eventlogtest.Ev(id, "s", "t")
		e.Payload = []byte(payload)
		return e
	}
	eventlogtest.MustAppend(t, s,
		ev("a", `{"path":"src/a.go"}`),
		ev("b", `{"path":"src/b.go","note":"100% done"}`),
		ev("c", `{"path":"docs/read_me.md"}`),
		ev("d", `{"path":"docs/readXme.md","said":"say \"hi\"\nthen go"}`),
		ev("e", `{"path":"SRC/A.GO"}`),
	)
	ctx := context.Background()
	ids := func(text string) string {
		var got []string
		err := s.Read(ctx, eventlog.Query{Text: text}, func(e eventlog.Event) error { got = append(got, e.ID); return nil })
		if err != nil {
			t.Fatalf("Read(%q): %v", text, err)
		}
		n, err := s.Count(ctx, eventlog.Query{Text: text})
		if err != nil || n != int64(len(got)) {
			t.Fatalf("Count(%q) = %d, %v; Read found %d", text, n, err, len(got))
		}
		return strings.Join(got, ",")
	}
	for _, c := range []struct{ text, want string }{
		{"src/a.go", "a,e"},      // ASCII case-insensitive
		{"100%", "b"},            // % is the text, not a wildcard
		{"%", "b"},               // …
		{"read_me", "c"},         // _ is the text, not any character
		{`say "hi"`, "d"},        // quotes are stored escaped
		{"hi\"\nthen", "d"},      // so is a newline
		{`'); DROP TABLE x`, ""}, // parameters, not SQL
		{"nowhere", ""},
	} {
		if got := ids(c.text); got != c.want {
			t.Errorf("Text %q matched %q, want %q", c.text, got, c.want)
		}
	}
	// With the other filters and paging.
	var got []string
	_ = s.Read(ctx, eventlog.Query{Text: "src/", Offset: 1, Limit: 1}, func(e eventlog.Event) error { got = append(got, e.ID); return nil })
	if strings.Join(got, ",") != "b" {
		t.Errorf("second match of src/ = %v, want b", got)
	}
	long := strings.Repeat("x", eventlog.MaxText+1)
	if _, err := s.Count(ctx, eventlog.Query{Text: long}); !errors.Is(err, eventlog.ErrTextTooLong) {
		t.Errorf("Count with a long text: %v", err)
	}
	if err := s.Read(ctx, eventlog.Query{Text: long}, func(eventlog.Event) error { return nil }); !errors.Is(err, eventlog.ErrTextTooLong) {
		t.Errorf("Read with a long text: %v", err)
	}
}
