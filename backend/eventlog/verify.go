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

// VerifyFrom is Verify of the events after a checkpoint known to be good
// (from.Seq 0: the whole log): the checkpoint's event must still be there
// with its hash (else ProblemTruncated or ProblemAnchor at its seq), and
// every later event is checked as Verify checks it, the chain continuing
// from the checkpoint's hash. Checked counts the events after it.
// The positions LogAnchored events name must still be in the log with
// the hash they name (else ProblemTruncated or ProblemAnchor).
func VerifyFrom(ctx context.Context, s Store, cat *Catalogue, from Checkpoint) (VerifyReport, error) {
	rep := VerifyReport{OK: true, HeadSeq: from.Seq}
	var prev []byte
	var expect int64 = 1
	if from.Seq > 0 {
		a, err := CheckAnchor(ctx, s, from)
		if err != nil || !a.OK {
			return a, err
		}
		prev, expect = from.Hash, from.Seq+1
	}
	// Causes are checked by the store in one query where it can; otherwise
	// by remembering every id seen.
	var seen map[string]struct{}
	causeBad := int64(-1)
	if ca, ok := s.(causationAfterChecker); ok && from.Seq > 0 {
		seq, err := ca.FirstBadCausationAfter(ctx, from.Seq)
		if err != nil {
			return rep, fmt.Errorf("verify: %w", err)
		}
		causeBad = seq
	} else if cc, ok := s.(causationChecker); ok {
		seq, err := cc.FirstBadCausation(ctx)
		if err != nil {
			return rep, fmt.Errorf("verify: %w", err)
		}
		causeBad = seq
	} else {
		seen = make(map[string]struct{})
		if from.Seq > 0 {
			// The ids before the checkpoint are causes too.
			if err := s.Read(ctx, Query{Limit: from.Seq}, func(e Event) error {
				seen[e.ID] = struct{}{}
				return nil
			}); err != nil {
				return rep, fmt.Errorf("verify: %w", err)
			}
		}
	}
	bad := func(seq int64, problem, detail string, args ...any) error {
		rep.OK, rep.FirstBad, rep.Problem, rep.Detail = false, seq, problem, fmt.Sprintf(detail, args...)
		return errStop
	}
	var anchors []Checkpoint // the positions log.anchored events named
	err := s.Read(ctx, Query{AfterSeq: from.Seq}, func(e Event) error {
		if a, ok := anchoredIn(e); ok {
			anchors = append(anchors, a)
		}
		rep.Checked++
		rep.HeadSeq = e.Seq
		if e.Seq != expect {
			return bad(e.Seq, ProblemSeqGap, "expected seq %d, found %d: events are missing or reordered", expect, e.Seq)
		}
		expect++
		if !bytes.Equal(e.PrevHash, prev) && !(len(prev) == 0 && len(e.PrevHash) == 0) {
			return bad(e.Seq, ProblemPrevHash, "prev_hash does not match the hash of seq %d: the chain is broken here", e.Seq-1)
		}
		if !bytes.Equal(ComputeHash(&e), e.Hash) {
			return bad(e.Seq, ProblemHash, "the stored hash does not match the event's content: it was changed after it was written")
		}
		prev = e.Hash
		info, ok := cat.Lookup(e.Type)
		if !ok {
			return bad(e.Seq, ProblemType, "type %q is not in the catalogue", e.Type)
		}
		auth, err := OriginAuthority(e.Origin)
		if err != nil || info.Allowed&auth == 0 {
			return bad(e.Seq, ProblemAuthority, "origin %q may not emit %s (only %s)", e.Origin, e.Type, info.Allowed)
		}
		if seen != nil && e.Causation != "" {
			if _, ok := seen[e.Causation]; !ok {
				return bad(e.Seq, ProblemCause, "causation %s is not an earlier event", e.Causation)
			}
		}
		if e.Seq == causeBad {
			return bad(e.Seq, ProblemCause, "causation %s is not an earlier event", e.Causation)
		}
		if c, err := CanonicalJSON(e.Payload); err != nil || !bytes.Equal(c, e.Payload) {
			return bad(e.Seq, ProblemPayload, "payload is not canonical JSON")
		}
		if seen != nil {
			seen[e.ID] = struct{}{}
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return rep, fmt.Errorf("verify: %w", err)
	}
	if rep.OK {
		if err := checkInLogAnchors(ctx, s, rep.HeadSeq, anchors, &rep); err != nil {
			return rep, fmt.Errorf("verify: %w", err)
		}
	}
	return rep, nil
}
