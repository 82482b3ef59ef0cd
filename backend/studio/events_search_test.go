package studio

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/eventlog"
)

func TestListEventsTextAndRunTasks(t *testing.T) {
	s := openStudio(t, t.TempDir(), bus.New())
	defer closeStudio(t, s)
	ctx := context.Background()
	ev := func(id, run, typ, payload string) eventlog.Event {
		return eventlog.Event{ID: id, Stream: "run/" + run, Type: typ, Schema: 1, Origin: eventlog.OriginRuntime,
			At: time.Now().UnixNano(), Run: run, Workspace: "ws1", Payload: []byte(payload)}
	}
	_, err := s.events.Append(ctx, []eventlog.Event{
		ev("e1", "r1", eventlog.RunCreated, `{"task":"Rename the parser\nand its tests"}`),
		ev("e2", "r1", eventlog.EffectFileStaged, `{"path":"src/parser.go"}`),
		ev("e3", "r2", eventlog.RunCreated, `{"task":"`+strings.Repeat("long ", 40)+`"}`),
		ev("e4", "r2", eventlog.EffectFileStaged, `{"path":"src/PARSER_test.go"}`),
	})
	must(t, err)

	page, err := s.ListEvents(ListEventsRequest{Filter: EventFilter{Text: "parser"}})
	if err != nil || page.Total != 3 || len(page.Rows) != 3 {
		t.Fatalf("text parser = %+v, %v; want the task and both files", page, err)
	}
	page, err = s.ListEvents(ListEventsRequest{Filter: EventFilter{Text: "parser", Run: "r2"}})
	if err != nil || page.Total != 1 || page.Rows[0].ID != "e4" {
		t.Fatalf("text parser in r2 = %+v, %v", page, err)
	}
	if _, err := s.ListEvents(ListEventsRequest{Filter: EventFilter{Text: strings.Repeat("x", eventlog.MaxText+1)}}); !errors.Is(err, eventlog.ErrTextTooLong) {
		t.Fatalf("a long search: %v", err)
	}

	f, err := s.EventFacets()
	if err != nil {
		t.Fatal(err)
	}
	var tasks []RunTask
	for _, r := range f.RunTasks {
		if r.ID == "r1" || r.ID == "r2" {
			tasks = append(tasks, r)
		}
	}
	if len(tasks) != 2 || tasks[0].ID != "r2" || tasks[1].ID != "r1" {
		t.Fatalf("run tasks = %+v; want r2 then r1, newest first", tasks)
	}
	if tasks[1].Task != "Rename the parser" || tasks[1].Workspace != "ws1" {
		t.Errorf("r1 = %+v; want its first line", tasks[1])
	}
	if n := len([]rune(tasks[0].Task)); n != maxTaskTitle || !strings.HasSuffix(tasks[0].Task, "…") {
		t.Errorf("r2's long task is %d runes: %q", n, tasks[0].Task)
	}
}

func TestRowPayloadIsShortened(t *testing.T) {
	small := `{"path":"a.go"}`
	if got := rowPayload([]byte(small)); got != small {
		t.Errorf("a small payload is carried whole: %s", got)
	}
	files := make([]string, 20)
	for i := range files {
		files[i] = `{"path":"f` + strings.Repeat("x", 100) + `"}`
	}
	big := `{"content":"` + strings.Repeat("y", 3000) + `","files":[` + strings.Join(files, ",") + `],"evalTokens":120}`
	got := rowPayload([]byte(big))
	if len(got) > rowPayloadMax || !strings.Contains(got, `"evalTokens":120`) || !strings.Contains(got, `"… 12 more"`) || !strings.Contains(got, "yyy…") {
		t.Errorf("shortened payload (%d bytes): %s", len(got), got)
	}
}
