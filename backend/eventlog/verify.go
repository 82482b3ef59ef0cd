package eventlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
)

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
	rep := VerifyReport{OK: true}
	var prev []byte
	var expect int64 = 1
	// Causes are checked by the store in one query where it can; otherwise
	// by remembering every id seen.
	var seen map[string]struct{}
	causeBad := int64(-1)
	if cc, ok := s.(causationChecker); ok {
		seq, err := cc.FirstBadCausation(ctx)
		if err != nil {
			return rep, fmt.Errorf("verify: %w", err)
		}
		causeBad = seq
	} else {
		seen = make(map[string]struct{})
	}
	bad := func(seq int64, problem, detail string, args ...any) error {
		rep.OK, rep.FirstBad, rep.Problem, rep.Detail = false, seq, problem, fmt.Sprintf(detail, args...)
		return errStop
	}
	err := s.Read(ctx, Query{}, func(e Event) error {
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
	return rep, nil
}
