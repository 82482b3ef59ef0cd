package studio

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/projection"
)

// The Studio checks its own log before it writes to it. At start it
// verifies the chain from the last position it verified (kept in the log's
// database: a cost saving, not a witness) to the head, and the
// projections' checkpoints against the head. A broken chain, a head below
// a checkpoint (the tail was cut) or an event outside its authority opens
// the log read-only: the runs it holds are shown, nothing is appended, and
// a notice names the first bad position and what to do. The witness
// against a process that rewrites the whole file is an anchor kept
// elsewhere (`ice-studio anchor`, `verify --anchor`).

// checkLog verifies what the log gained since the last verified position
// and moves that position to the head; it returns why the log must be
// kept read-only ("" when it passed).
func (s *Studio) checkLog(ctx context.Context, store *eventlog.SQLiteStore) (string, error) {
	t0 := time.Now()
	from, err := store.Verified(ctx)
	if err != nil {
		return "", err
	}
	rep, err := eventlog.VerifyFrom(ctx, store, eventlog.DefaultCatalogue(), from)
	if err != nil {
		return "", err
	}
	if !rep.OK { // also when the verified position itself is gone or changed
		return fmt.Sprintf("at seq %d (%s): %s", rep.FirstBad, rep.Problem, rep.Detail), nil
	}
	// The last position a replica was known to hold must still be there.
	if a, ok, err := ReadAnchorFile(s.cfg.DataDir); err != nil {
		s.log.Warn("read the replication anchor", "err", err)
	} else if ok {
		cp, _ := a.Checkpoint()
		ar, err := eventlog.CheckAnchor(ctx, store, cp)
		if err != nil {
			return "", err
		}
		if !ar.OK {
			return fmt.Sprintf("at seq %d (%s): %s (the replica %s held it)", ar.FirstBad, ar.Problem, ar.Detail, a.Replica), nil
		}
	}
	seq, hash, err := store.Head(ctx)
	if err != nil {
		return "", err
	}
	if seq > from.Seq {
		if err := store.SetVerified(ctx, eventlog.Checkpoint{Seq: seq, Hash: hash}); err != nil {
			return "", err
		}
	}
	s.log.Info("event log checked", "from", from.Seq, "head", seq, "events", rep.Checked, "took", time.Since(t0).Round(time.Microsecond))
	return "", nil
}

// keepReadOnly seals the log: every later append fails with the reason,
// and a notice says what happened.
func (s *Studio) keepReadOnly(why string) {
	s.readOnlyMu.Lock()
	defer s.readOnlyMu.Unlock()
	if s.readOnly.Load() != nil {
		return
	}
	s.gate.Seal("it failed its check " + why)
	s.addNotice(readOnlyNotice(why))
	s.log.Error("event log kept read-only", "why", why)
	s.readOnly.Store(&why) // last: whoever sees it sees the notice too
}

// readOnlyWhy is why the log is kept read-only ("" when it is written).
func (s *Studio) readOnlyWhy() string {
	if p := s.readOnly.Load(); p != nil {
		return *p
	}
	return ""
}

// verifyAll verifies the whole log once after start, in the background:
// the start-up check covers only what came after the last verified
// position; this finds a change made earlier (short of a rewrite of the
// whole chain, which only an anchor kept elsewhere shows) and keeps the
// log read-only from then on.
func (s *Studio) verifyAll(ctx context.Context) {
	defer s.wg.Done()
	t0 := time.Now()
	rep, err := eventlog.Verify(ctx, s.events, eventlog.DefaultCatalogue())
	switch {
	case ctx.Err() != nil:
	case err != nil:
		s.log.Warn("verify the event log", "err", err)
	case !rep.OK:
		s.keepReadOnly(fmt.Sprintf("at seq %d (%s): %s", rep.FirstBad, rep.Problem, rep.Detail))
		s.cfg.Bus.Publish(bus.Notice, readOnlyNotice(s.readOnlyWhy()))
	default:
		s.log.Info("event log verified", "events", rep.Checked, "took", time.Since(t0).Round(time.Millisecond))
	}
}

// readOnlyNotice is the notice of a log kept read-only.
func readOnlyNotice(why string) string {
	return "The event log failed its check " + why + ". The Studio opened it read-only: what it holds is shown, " +
		"but nothing new is recorded and runs cannot start. Run `ice-studio verify` for the details, " +
		"and restore the log from a copy or replica if you have one; the file was not changed."
}

// openProjections opens the projections over a log that passed its check,
// or loads them as they are over one kept read-only (why != ""). A log
// whose projections are ahead of it (its tail was cut) is kept read-only.
func openProjections(ctx context.Context, runner *projection.Runner, why string) (string, error) {
	if why == "" {
		err := runner.Open(ctx)
		var ahead *projection.AheadError
		if !errors.As(err, &ahead) {
			return "", err
		}
		why = fmt.Sprintf("at seq %d (%s): %s", ahead.Head+1, eventlog.ProblemTruncated, ahead.Error())
	}
	return why, runner.Load(ctx)
}
