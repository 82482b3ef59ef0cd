package eventlog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Problem kinds found by Verify.
const (
	ProblemSeqGap    = "seq_gap"      // a seq is missing or out of order
	ProblemPrevHash  = "prev_hash"    // prev_hash is not the previous event's hash
	ProblemHash      = "hash"         // the stored hash does not match the content
	ProblemType      = "unknown_type" // the type is not in the catalogue
	ProblemAuthority = "authority"    // the origin may not emit the type
	ProblemCause     = "causation"    // the cause is missing or comes later
	ProblemPayload   = "payload"      // the payload is not canonical JSON
	// ProblemTruncated: the log ends before a position known to have
	// been in it (an anchor, a verified checkpoint): its tail was cut.
	ProblemTruncated = "truncated"
	// ProblemAnchor: the event at a known position no longer has the hash
	// it had there: the chain was rewritten (and maybe re-hashed) since.
	ProblemAnchor = "anchor"
)

// Checkpoint is a position of the log known to be good: the seq and the
// hash of its event. An anchor is one kept outside the log (printed by
// `ice-studio anchor`, or the replica's head).
type Checkpoint struct {
	Seq  int64  `json:"seq"`
	Hash []byte `json:"hash"`
}

// String is the checkpoint as `ice-studio anchor` prints it: SEQ:HEX.
func (c Checkpoint) String() string { return fmt.Sprintf("%d:%x", c.Seq, c.Hash) }

// ParseCheckpoint reads SEQ:HEX.
func ParseCheckpoint(s string) (Checkpoint, error) {
	seqText, hexText, ok := strings.Cut(strings.TrimSpace(s), ":")
	seq, err := strconv.ParseInt(seqText, 10, 64)
	if !ok || err != nil || seq < 1 {
		return Checkpoint{}, fmt.Errorf("anchor %q: want SEQ:HASH as `ice-studio anchor` prints it (e.g. 1234:9f86d0…)", s)
	}
	h, err := hex.DecodeString(hexText)
	if err != nil || len(h) != sha256.Size {
		return Checkpoint{}, fmt.Errorf("anchor %q: the hash is not 64 hex digits", s)
	}
	return Checkpoint{Seq: seq, Hash: h}, nil
}

// CheckAnchor checks that the log still holds an anchored position: its
// head is not below it (a cut tail) and its event there has the anchored
// hash (a rewritten chain: every hash after a change differs, even when
// recomputed). The report is OK, or names the problem.
func CheckAnchor(ctx context.Context, s Store, a Checkpoint) (VerifyReport, error) {
	rep := VerifyReport{OK: true}
	head, _, err := s.Head(ctx)
	if err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}
	rep.HeadSeq = head
	if head < a.Seq {
		rep.OK, rep.FirstBad, rep.Problem = false, head+1, ProblemTruncated
		rep.Detail = fmt.Sprintf("the log ends at seq %d, but seq %d was anchored: the events after %d were removed", head, a.Seq, head)
		return rep, nil
	}
	e, err := s.Get(ctx, a.Seq)
	if err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}
	if !bytes.Equal(e.Hash, a.Hash) {
		rep.OK, rep.FirstBad, rep.Problem = false, a.Seq, ProblemAnchor
		rep.Detail = fmt.Sprintf("the event at seq %d has hash %x, not the anchored %x: the chain up to it was rewritten", a.Seq, e.Hash, a.Hash)
	}
	return rep, nil
}

// VerifyReport is the outcome of Verify.
type VerifyReport struct {
	OK       bool   `json:"ok"`
	Checked  int64  `json:"checked"`  // events examined
	HeadSeq  int64  `json:"headSeq"`  // last seq seen
	FirstBad int64  `json:"firstBad"` // seq of the first bad event (0 when OK)
	Problem  string `json:"problem"`  // kind of the first problem
	Detail   string `json:"detail"`   // human-readable explanation
}

// causationChecker is implemented by stores that can find the first event
// whose cause is missing or later than itself without a full scan in Go.
type causationChecker interface {
	FirstBadCausation(ctx context.Context) (int64, error) // 0 when none
}

// errStop ends the scan at the first problem.
var errStop = errors.New("stop")

// Verify checks every event in seq order: contiguous seq, the hash chain,
// each hash against the content, the catalogue, origin authority, and that
// each cause exists earlier in the log. It stops at the first bad event.
func Verify(ctx context.Context, s Store, cat *Catalogue) (VerifyReport, error) {
	return VerifyFrom(ctx, s, cat, Checkpoint{})
}

// causationAfterChecker is a causationChecker that can start after a seq.
type causationAfterChecker interface {
	FirstBadCausationAfter(ctx context.Context, after int64) (int64, error)
}

// batchReader is a store that reads the events after a seq a batch at a
// time, faster than Read (SQLiteStore.readBatches).
type batchReader interface {
	readBatches(ctx context.Context, after int64, fn func([]Event) error) error
}

// VerifyFrom is Verify of the events after a checkpoint known to be good
// (from.Seq 0: the whole log): the checkpoint's event must still be there
// with its hash (else ProblemTruncated or ProblemAnchor at its seq), and
// every later event is checked as Verify checks it, the chain continuing
// from the checkpoint's hash. Checked counts the events after it.
// The positions LogAnchored events name must still be in the log with
// the hash they name (else ProblemTruncated or ProblemAnchor).
//
// On a store that can, the events are read by one goroutine while another
// checks them, and the store looks for bad causes in a third; the report
// is the one a check of each event in turn would give.
func VerifyFrom(ctx context.Context, s Store, cat *Catalogue, from Checkpoint) (VerifyReport, error) {
	v := &verifier{cat: cat, rep: VerifyReport{OK: true, HeadSeq: from.Seq}, expect: 1}
	if from.Seq > 0 {
		a, err := CheckAnchor(ctx, s, from)
		if err != nil || !a.OK {
			return a, err
		}
		v.prev, v.expect = from.Hash, from.Seq+1
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Causes are checked by the store in one query where it can, beside
	// the scan; otherwise by remembering every id seen.
	var causes <-chan causeResult
	if ca, ok := s.(causationAfterChecker); ok && from.Seq > 0 {
		causes = findBadCause(func() (int64, error) { return ca.FirstBadCausationAfter(ctx, from.Seq) })
	} else if cc, ok := s.(causationChecker); ok {
		causes = findBadCause(func() (int64, error) { return cc.FirstBadCausation(ctx) })
	} else {
		v.seen = make(map[string]struct{})
		if from.Seq > 0 {
			// The ids before the checkpoint are causes too.
			if err := s.Read(ctx, Query{Limit: from.Seq}, func(e Event) error {
				v.seen[e.ID] = struct{}{}
				return nil
			}); err != nil {
				return v.rep, fmt.Errorf("verify: %w", err)
			}
		}
	}
	v.causes = causes
	err := v.scan(ctx, s, from.Seq)
	if v.causes != nil {
		if err != nil {
			cancel()
		}
		r := <-v.causes // the query ends before Verify does
		if err == nil {
			v.causeBad, err = r.seq, r.err
		}
	}
	if err != nil {
		return v.rep, fmt.Errorf("verify: %w", err)
	}
	if causes != nil {
		if err := v.settleCause(ctx, s, from.Seq); err != nil {
			return v.rep, fmt.Errorf("verify: %w", err)
		}
	}
	rep := v.rep
	if rep.OK {
		if err := checkInLogAnchors(ctx, s, rep.HeadSeq, v.anchors, &rep); err != nil {
			return rep, fmt.Errorf("verify: %w", err)
		}
	}
	return rep, nil
}

// causeResult is the store's answer to "which is the first bad cause".
type causeResult struct {
	seq int64 // 0: none
	err error
}

// findBadCause runs the store's causation query in its own goroutine.
func findBadCause(query func() (int64, error)) <-chan causeResult {
	ch := make(chan causeResult, 1)
	go func() {
		seq, err := query()
		ch <- causeResult{seq, err}
	}()
	return ch
}

// verifier checks events in seq order and keeps the report of the first
// bad one.
type verifier struct {
	cat     *Catalogue
	rep     VerifyReport
	prev    []byte // the previous event's hash
	expect  int64  // the next seq
	anchors []Checkpoint
	seen    map[string]struct{} // ids seen, when the store does not check causes
	buf     []byte              // the hash input, reused

	// The store's causation check runs beside the scan: causes until it
	// has answered, causeBad its answer (-1 before), and badRank the rank of the first
	// problem found (its position among an event's checks), so that a bad
	// cause can be put first where an event-by-event check finds it first.
	causes   <-chan causeResult
	causeBad int64
	badRank  int
}

// The order of an event's checks; a bad cause found by the store comes
// after the authority check and before the payload's.
const (
	rankCause   = 5
	rankPayload = 6
)

var problemRanks = map[string]int{ProblemSeqGap: 0, ProblemPrevHash: 1, ProblemHash: 2, ProblemType: 3,
	ProblemAuthority: 4, ProblemCause: rankCause, ProblemPayload: rankPayload}

// scan reads the events after a seq and checks each in turn, reading on
// one goroutine and checking on this one where the store reads batches.
func (v *verifier) scan(ctx context.Context, s Store, after int64) error {
	v.causeBad = -1
	br, ok := s.(batchReader)
	if !ok {
		return v.readEach(ctx, s, after)
	}
	batches := make(chan []Event, 8)
	readErr := make(chan error, 1)
	rctx, stop := context.WithCancel(ctx)
	go func() {
		defer close(batches)
		readErr <- br.readBatches(rctx, after, func(evs []Event) error {
			select {
			case batches <- evs:
				return nil
			case <-rctx.Done():
				return rctx.Err()
			}
		})
	}()
	var checkErr error
	for evs := range batches {
		if checkErr != nil {
			continue // drain: the reader stops at its next batch
		}
		checkErr = v.checkBatch(evs)
		if checkErr != nil {
			stop()
		}
	}
	stop()
	err := <-readErr
	switch {
	case errors.Is(checkErr, errStop):
		return nil
	case checkErr != nil:
		return checkErr
	case errors.Is(err, errUnusualRow):
		// A row changed by hand: Read converts it as it always did.
		return v.readEach(ctx, s, v.rep.HeadSeq)
	}
	return err
}

// readEach checks the events after a seq as Read returns them.
func (v *verifier) readEach(ctx context.Context, s Store, after int64) error {
	err := s.Read(ctx, Query{AfterSeq: after}, func(e Event) error { return v.check(&e) })
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// checkBatch checks a batch of events, and stops early once the store's
// causation check has answered with a seq already passed.
func (v *verifier) checkBatch(evs []Event) error {
	if v.causes != nil {
		select {
		case r := <-v.causes:
			v.causes = nil
			if r.err != nil {
				return r.err
			}
			v.causeBad = r.seq
		default:
		}
	}
	for i := range evs {
		if v.causeBad > 0 && evs[i].Seq > v.causeBad {
			return errStop
		}
		if err := v.check(&evs[i]); err != nil {
			return err
		}
	}
	return nil
}

// bad records the first problem and stops the scan.
func (v *verifier) bad(seq int64, problem, detail string, args ...any) error {
	v.rep.OK, v.rep.FirstBad, v.rep.Problem, v.rep.Detail = false, seq, problem, fmt.Sprintf(detail, args...)
	v.badRank = problemRanks[problem]
	return errStop
}

// check checks one event, the next in seq order.
func (v *verifier) check(e *Event) error {
	if a, ok := anchoredIn(*e); ok {
		v.anchors = append(v.anchors, a)
	}
	v.rep.Checked++
	v.rep.HeadSeq = e.Seq
	if e.Seq != v.expect {
		return v.bad(e.Seq, ProblemSeqGap, "expected seq %d, found %d: events are missing or reordered", v.expect, e.Seq)
	}
	v.expect++
	if !bytes.Equal(e.PrevHash, v.prev) && !(len(v.prev) == 0 && len(e.PrevHash) == 0) {
		return v.bad(e.Seq, ProblemPrevHash, "prev_hash does not match the hash of seq %d: the chain is broken here", e.Seq-1)
	}
	v.buf = appendHashInput(v.buf[:0], e)
	if sum := sha256.Sum256(v.buf); !bytes.Equal(sum[:], e.Hash) {
		return v.bad(e.Seq, ProblemHash, "the stored hash does not match the event's content: it was changed after it was written")
	}
	v.prev = e.Hash
	info, ok := v.cat.Lookup(e.Type)
	if !ok {
		return v.bad(e.Seq, ProblemType, "type %q is not in the catalogue", e.Type)
	}
	auth, err := OriginAuthority(e.Origin)
	if err != nil || info.Allowed&auth == 0 {
		return v.bad(e.Seq, ProblemAuthority, "origin %q may not emit %s (only %s)", e.Origin, e.Type, info.Allowed)
	}
	if v.seen != nil && e.Causation != "" {
		if _, ok := v.seen[e.Causation]; !ok {
			return v.bad(e.Seq, ProblemCause, "causation %s is not an earlier event", e.Causation)
		}
	}
	if e.Seq == v.causeBad {
		return v.bad(e.Seq, ProblemCause, "causation %s is not an earlier event", e.Causation)
	}
	if !isCanonicalPayload(e.Payload) {
		return v.bad(e.Seq, ProblemPayload, "payload is not canonical JSON")
	}
	if v.seen != nil {
		v.seen[e.ID] = struct{}{}
	}
	return nil
}

// settleCause puts the store's bad cause in the report where a check of
// each event in turn would have found it: before a later problem, or one
// of the same event whose check comes after the cause's. Every event up
// to it was then checked and followed the previous one, so the report
// reads as if the scan had stopped there.
func (v *verifier) settleCause(ctx context.Context, s Store, after int64) error {
	seq := v.causeBad
	if seq <= 0 || !v.rep.OK && (seq > v.rep.FirstBad || seq == v.rep.FirstBad && v.badRank <= rankCause) {
		return nil
	}
	e, err := s.Get(ctx, seq)
	if err != nil {
		return err
	}
	v.rep.Checked, v.rep.HeadSeq = seq-after, seq
	_ = v.bad(seq, ProblemCause, "causation %s is not an earlier event", e.Causation)
	return nil
}
