package eventlog

import (
	"context"
	"time"
)

// followBatch is how many events Follow reads per query.
const followBatch = 1000

// externalPoll is how often Follow looks for events appended by another
// process (in-process appends wake it at once through Changes).
const externalPoll = time.Second

// Follow delivers every event matching q with seq > q.AfterSeq to fn, in
// order, then keeps delivering new ones as they are appended, until ctx ends
// or fn returns an error. It waits on the store's change notification
// instead of polling the database in a loop.
func Follow(ctx context.Context, s Store, q Query, fn func(Event) error) error {
	poll := time.NewTicker(externalPoll)
	defer poll.Stop()
	q.Limit, q.Offset, q.Desc = followBatch, 0, false
	for {
		changed := s.Changes() // taken before reading, so no append is missed
		n := 0
		err := s.Read(ctx, q, func(e Event) error {
			q.AfterSeq = e.Seq
			n++
			return fn(e)
		})
		if err != nil {
			return err
		}
		if n == followBatch {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		case <-poll.C:
		}
	}
}
