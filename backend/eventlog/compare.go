package eventlog

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// AnchoredPayload is the payload of a LogAnchored event.
type AnchoredPayload struct {
	Seq     int64  `json:"seq"`
	Hash    string `json:"hash"`    // hex
	Replica string `json:"replica"` // the replica's URL without secrets
}

// Checkpoint is the anchored position.
func (p AnchoredPayload) Checkpoint() (Checkpoint, error) {
	h, err := hex.DecodeString(p.Hash)
	if err != nil || p.Seq < 1 {
		return Checkpoint{}, fmt.Errorf("%s payload names seq %d, hash %q: not a position", LogAnchored, p.Seq, p.Hash)
	}
	return Checkpoint{Seq: p.Seq, Hash: h}, nil
}

// CompareWith checks the local log against a copy of it (a replica,
// restored): OK when the local log extends the copy (the same hash at the
// copy's head seq; the hash chain makes every earlier event the same too).
// Otherwise the report names the first seq where the two differ
// (ProblemAnchor), or says the local log is shorter than the copy
// (ProblemTruncated: its tail was cut). HeadSeq is the local head.
func CompareWith(ctx context.Context, local, replica Store) (VerifyReport, error) {
	rseq, _, err := replica.Head(ctx)
	if err != nil {
		return VerifyReport{}, fmt.Errorf("compare with the replica: read its head: %w", err)
	}
	lseq, _, err := local.Head(ctx)
	if err != nil {
		return VerifyReport{}, fmt.Errorf("compare with the replica: read the local head: %w", err)
	}
	rep := VerifyReport{OK: true, HeadSeq: lseq}
	if rseq == 0 {
		return rep, nil
	}
	// The last seq both should hold, and whether they agree there.
	upto := min(lseq, rseq)
	same := func(seq int64) (bool, error) {
		if seq == 0 {
			return true, nil
		}
		a, err := hashAt(ctx, local, seq)
		if err != nil {
			return false, err
		}
		b, err := hashAt(ctx, replica, seq)
		if err != nil {
			return false, err
		}
		rep.Checked++
		return a != nil && bytes.Equal(a, b), nil
	}
	ok, err := same(upto)
	if err != nil {
		return rep, fmt.Errorf("compare with the replica: %w", err)
	}
	if ok && upto == rseq {
		return rep, nil
	}
	if ok {
		rep.OK, rep.FirstBad, rep.Problem = false, lseq+1, ProblemTruncated
		rep.Detail = fmt.Sprintf("the local log ends at seq %d, but the replica holds it up to seq %d: the events after %d were removed here", lseq, rseq, lseq)
		return rep, nil
	}
	// Events agree up to some seq and differ after it (a changed event
	// changes every later hash): search for the first difference.
	var serr error
	first := sort.Search(int(upto), func(i int) bool {
		if serr != nil {
			return true
		}
		eq, err := same(int64(i) + 1)
		if err != nil {
			serr = err
		}
		return !eq
	}) + 1
	if serr != nil {
		return rep, fmt.Errorf("compare with the replica: %w", serr)
	}
	rep.OK, rep.FirstBad, rep.Problem = false, int64(first), ProblemAnchor
	rep.Detail = fmt.Sprintf("the local event at seq %d differs from the replica's (the replica holds the log up to seq %d): the local log was rewritten from seq %d on", first, rseq, first)
	return rep, nil
}

// hashAt is the hash of the event at seq (nil when there is none).
func hashAt(ctx context.Context, s Store, seq int64) ([]byte, error) {
	e, err := s.Get(ctx, seq)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return e.Hash, nil
}

// checkInLogAnchors checks the positions LogAnchored events named: the log
// must still reach each (else ProblemTruncated) with the same hash there
// (else ProblemAnchor). It catches a careless rewrite; against a careful
// one (which rewrites these payloads too) only the replica itself, with
// CompareWith, is a witness.
func checkInLogAnchors(ctx context.Context, s Store, head int64, anchors []Checkpoint, rep *VerifyReport) error {
	for _, a := range anchors {
		if a.Seq > head {
			rep.OK, rep.FirstBad, rep.Problem = false, head+1, ProblemTruncated
			rep.Detail = fmt.Sprintf("the log ends at seq %d, but a %s event says the replica held it up to seq %d", head, LogAnchored, a.Seq)
			return nil
		}
		h, err := hashAt(ctx, s, a.Seq)
		if err != nil {
			return err
		}
		if !bytes.Equal(h, a.Hash) {
			rep.OK, rep.FirstBad, rep.Problem = false, a.Seq, ProblemAnchor
			rep.Detail = fmt.Sprintf("the event at seq %d has hash %x, but a %s event recorded %x there: the chain was rewritten", a.Seq, h, LogAnchored, a.Hash)
			return nil
		}
	}
	return nil
}

// anchoredIn reads a LogAnchored event's position (false when e is another
// type or its payload is not one).
func anchoredIn(e Event) (Checkpoint, bool) {
	if e.Type != LogAnchored {
		return Checkpoint{}, false
	}
	var p AnchoredPayload
	if json.Unmarshal(e.Payload, &p) != nil {
		return Checkpoint{}, false
	}
	c, err := p.Checkpoint()
	return c, err == nil
}
