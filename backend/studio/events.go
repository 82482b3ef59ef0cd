package studio

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// announceEvery bounds how often the UI is told that the log grew.
const announceEvery = 150 * time.Millisecond

// announceAppends tells the UI the new head of the log after appends,
// coalesced so a burst of thousands of events is one notification.
func (s *Studio) announceAppends(ctx context.Context) {
	defer s.wg.Done()
	for {
		changed := s.events.Changes()
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(announceEvery):
		}
		if seq, _, err := s.events.Head(ctx); err == nil {
			s.cfg.Bus.Publish(bus.EventsAppended, EventsAppended{HeadSeq: seq})
		}
	}
}

// EventsAppended is the payload of the events.appended notification.
type EventsAppended struct {
	HeadSeq int64 `json:"headSeq"`
}

// EventRow is one line of the event inspector.
type EventRow struct {
	Seq       int64  `json:"seq"`
	ID        string `json:"id"`
	At        int64  `json:"at"` // Unix nanoseconds, UTC
	Type      string `json:"type"`
	Origin    string `json:"origin"`
	Stream    string `json:"stream"`
	Version   int64  `json:"version"`
	Workspace string `json:"workspace"`
	Run       string `json:"run"`
	Causation string `json:"causation"`
	// Preview is the payload's JSON for the row's one-line summary: all of
	// it up to rowPayloadMax bytes, else a shortened copy (long strings cut,
	// long lists ending in "… N more").
	Preview string `json:"preview,omitempty"`
}

// rowPayloadMax bounds the payload a row carries whole.
const rowPayloadMax = 2048

func rowOf(e eventlog.Event) EventRow {
	return EventRow{Seq: e.Seq, ID: e.ID, At: e.At, Type: e.Type, Origin: e.Origin, Stream: e.Stream,
		Version: e.Version, Workspace: e.Workspace, Run: e.Run, Causation: e.Causation, Preview: rowPayload(e.Payload)}
}

// rowPayload is a payload as a row carries it (see EventRow.Payload).
func rowPayload(raw []byte) string {
	if len(raw) <= rowPayloadMax {
		return string(raw)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return "{}"
	}
	b, err := json.Marshal(shorten(v, 0))
	if err != nil {
		return "{}"
	}
	return string(b)
}

// shorten cuts strings to 160 characters and lists to 8 items (the rest
// counted in a last "… N more"), and drops what is nested deeper than 3.
func shorten(v any, depth int) any {
	switch x := v.(type) {
	case string:
		if r := []rune(x); len(r) > 160 {
			return string(r[:159]) + "…"
		}
		return x
	case []any:
		if depth >= 3 {
			return []any{fmt.Sprintf("… %d more", len(x))}
		}
		out := make([]any, 0, min(len(x), 9))
		for i, y := range x {
			if i == 8 {
				out = append(out, fmt.Sprintf("… %d more", len(x)-8))
				break
			}
			out = append(out, shorten(y, depth+1))
		}
		return out
	case map[string]any:
		if depth >= 3 {
			return map[string]any{}
		}
		out := make(map[string]any, len(x))
		for k, y := range x {
			out[k] = shorten(y, depth+1)
		}
		return out
	}
	return v
}

// EventFilter narrows the inspector; empty fields do not filter.
type EventFilter struct {
	Type      string `json:"type"`
	Origin    string `json:"origin"`
	Workspace string `json:"workspace"`
	Run       string `json:"run"`
	// Text: the payload contains it (ASCII case-insensitive; at most eventlog.MaxText bytes).
	Text string `json:"text,omitempty"`
}

// ListEventsRequest asks for one window of the (filtered) log, oldest first.
type ListEventsRequest struct {
	Filter EventFilter `json:"filter"`
	Offset int64       `json:"offset"`
	Limit  int64       `json:"limit"`
}

// EventPage is one window of the log and the total number of matches.
type EventPage struct {
	Total  int64      `json:"total"`
	Offset int64      `json:"offset"`
	Rows   []EventRow `json:"rows"`
}

// maxPage bounds one ListEvents answer.
const maxPage = 1000

func (s *Studio) logOrErr() (*eventlog.SQLiteStore, error) {
	if s.events == nil {
		return nil, fmt.Errorf("%w: %v", ErrNoEventLog, s.logErr)
	}
	return s.events, nil
}

func (f EventFilter) query() eventlog.Query {
	q := eventlog.Query{Origin: f.Origin, Workspace: f.Workspace, Run: f.Run, Text: f.Text}
	if f.Type != "" {
		q.Types = []string{f.Type}
	}
	return q
}

func (f EventFilter) empty() bool { return f == EventFilter{} }

// ListEvents returns rows [offset, offset+limit) of the filtered log.
func (s *Studio) ListEvents(req ListEventsRequest) (EventPage, error) {
	store, err := s.logOrErr()
	if err != nil {
		return EventPage{}, err
	}
	ctx := context.Background()
	if len(req.Filter.Text) > eventlog.MaxText {
		return EventPage{}, fmt.Errorf("search for at most %d characters of a payload: %w", eventlog.MaxText, eventlog.ErrTextTooLong)
	}
	if req.Limit <= 0 || req.Limit > maxPage {
		req.Limit = maxPage
	}
	req.Offset = max(req.Offset, 0)
	q := req.Filter.query()
	var total int64
	if req.Filter.empty() {
		// seq is contiguous from 1 (verify checks it): the head is the count,
		// and a window is a seq range — no scan, however long the log.
		total, _, err = store.Head(ctx)
		q.AfterSeq = req.Offset
		q.Limit = req.Limit
	} else {
		total, err = store.Count(ctx, q)
		q.Offset, q.Limit = req.Offset, req.Limit
	}
	if err != nil {
		return EventPage{}, err
	}
	page := EventPage{Total: total, Offset: req.Offset, Rows: make([]EventRow, 0, req.Limit)}
	err = store.Read(ctx, q, func(e eventlog.Event) error {
		page.Rows = append(page.Rows, rowOf(e))
		return nil
	})
	return page, err
}

// GetEventRequest names an event by seq or by id.
type GetEventRequest struct {
	Seq int64  `json:"seq"`
	ID  string `json:"id"`
}

// EventDetail is everything about one event, for the inspector's detail pane.
type EventDetail struct {
	EventRow
	Schema       int    `json:"schema"`
	Correlation  string `json:"correlation"`
	Payload      string `json:"payload"` // indented JSON
	Hash         string `json:"hash"`
	PrevHash     string `json:"prevHash"`
	CausationSeq int64  `json:"causationSeq"` // 0 when there is no cause
}

// GetEvent returns one event in full.
func (s *Studio) GetEvent(req GetEventRequest) (EventDetail, error) {
	store, err := s.logOrErr()
	if err != nil {
		return EventDetail{}, err
	}
	ctx := context.Background()
	var e eventlog.Event
	if req.ID != "" {
		e, err = store.GetByID(ctx, req.ID)
	} else {
		e, err = store.Get(ctx, req.Seq)
	}
	if err != nil {
		return EventDetail{}, err
	}
	d := EventDetail{EventRow: rowOf(e), Schema: e.Schema, Correlation: e.Correlation,
		Hash: e.HashHex(), PrevHash: e.PrevHashHex(), Payload: string(e.Payload)}
	var pretty bytes.Buffer
	if json.Indent(&pretty, e.Payload, "", "  ") == nil {
		d.Payload = pretty.String()
	}
	if e.Causation != "" {
		if c, err := store.GetByID(ctx, e.Causation); err == nil {
			d.CausationSeq = c.Seq
		} else if !errors.Is(err, eventlog.ErrNotFound) {
			return EventDetail{}, err
		}
	}
	return d, nil
}

// EventFacets are the values the inspector's filters offer.
type EventFacets struct {
	Types      []string `json:"types"`
	Origins    []string `json:"origins"`
	Workspaces []string `json:"workspaces"`
	Runs       []string `json:"runs"`
	// RunTasks names the newest runs by their task, newest first, for
	// the run picker.
	RunTasks []RunTask `json:"runTasks,omitempty"`
}

// RunTask is a run as the run picker lists it.
type RunTask struct {
	ID        string `json:"id"`
	Task      string `json:"task"` // its first line, at most maxTaskTitle characters
	Workspace string `json:"workspace"`
	At        int64  `json:"at"` // Unix nanoseconds of run.created
}

// maxRunTasks and maxTaskTitle bound the run picker's list.
const (
	maxRunTasks  = 500
	maxTaskTitle = 120
)

// taskTitle is a task's first line, shortened to maxTaskTitle characters.
func taskTitle(task string) string {
	task, _, _ = strings.Cut(strings.TrimSpace(task), "\n")
	task = strings.TrimSpace(task)
	if r := []rune(task); len(r) > maxTaskTitle {
		task = string(r[:maxTaskTitle-1]) + "…"
	}
	return task
}

// EventFacets lists the distinct types, origins, workspaces and runs in the log.
func (s *Studio) EventFacets() (EventFacets, error) {
	store, err := s.logOrErr()
	if err != nil {
		return EventFacets{}, err
	}
	ctx := context.Background()
	var f EventFacets
	for _, c := range []struct {
		col string
		dst *[]string
	}{{"type", &f.Types}, {"origin", &f.Origins}, {"workspace", &f.Workspaces}, {"run", &f.Runs}} {
		if *c.dst, err = store.Distinct(ctx, c.col, 500); err != nil {
			return EventFacets{}, err
		}
	}
	f.RunTasks = []RunTask{}
	err = store.Read(ctx, eventlog.Query{Types: []string{eventlog.RunCreated}, Desc: true, Limit: maxRunTasks, NoHashes: true}, func(e eventlog.Event) error {
		var p struct {
			Task string `json:"task"`
		}
		_ = json.Unmarshal(e.Payload, &p)
		f.RunTasks = append(f.RunTasks, RunTask{ID: e.Run, Task: taskTitle(p.Task), Workspace: e.Workspace, At: e.At})
		return nil
	})
	return f, err
}

// VerifyLog checks the hash chain, the catalogue and authority of every event.
func (s *Studio) VerifyLog() (eventlog.VerifyReport, error) {
	store, err := s.logOrErr()
	if err != nil {
		return eventlog.VerifyReport{}, err
	}
	rep, err := eventlog.Verify(context.Background(), store, s.gate.Catalogue())
	if err == nil {
		s.log.Info("log verified", "ok", rep.OK, "checked", rep.Checked, "firstBad", rep.FirstBad)
	}
	return rep, err
}
