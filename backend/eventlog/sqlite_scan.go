package eventlog

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"
)

// Reading the whole log fast, for Verify. Reading, not checking, was most
// of a verification's time: SQLite's step and database/sql's conversions
// and copies of every column. Here rows are read at the driver's level,
// and a long log is read in ranges of seq by two connections at once,
// handed over in seq order.

// errUnusualRow stops readBatches at a row whose columns do not hold the
// types the store writes (a row changed by hand): the caller reads on from
// there with Read, whose conversions decide what such a row is.
var errUnusualRow = errors.New("a row with unusual column types")

const (
	// verifyBatch is how many events readBatches hands over at a time.
	verifyBatch = 512
	// maxScanWorkers bounds the connections reading at once (the reader
	// pool has 4; the causation query and the Studio's own reads need
	// some).
	maxScanWorkers = 2
)

// scanChunk is the range of seq one connection reads at a time when
// several read a long log (a variable only so that tests can read a
// short log in many ranges).
var scanChunk int64 = 16 * 1024

// rangeQuery reads the events of a range of seq, (lo, hi].
const rangeQuery = `SELECT ` + eventColumns + ` FROM events WHERE seq > ? AND seq <= ? ORDER BY seq`

// readBatches calls fn with the events after a seq, in seq order, a batch
// at a time. Each batch and its events are fn's to keep. It returns
// errUnusualRow, having handed over every event before it, at a row whose
// columns do not hold the types this store writes.
func (s *SQLiteStore) readBatches(ctx context.Context, after int64, fn func([]Event) error) error {
	head, _, err := s.Head(ctx)
	if err != nil {
		return err
	}
	workers := min(runtime.GOMAXPROCS(0), maxScanWorkers)
	if workers < 2 || head-after < 4*scanChunk {
		return s.withRangeQuery(ctx, func(st driver.StmtQueryContext) error {
			return s.readRange(ctx, st, after, math.MaxInt64, fn)
		})
	}
	return s.readChunks(ctx, after, head, workers, fn)
}

// scanChunkState is one range of readChunks: its batches, buffered to hold
// all of it, and the error that ended its reading (set before batches is
// closed).
type scanChunkState struct {
	lo, hi  int64
	batches chan []Event
	err     error
}

// readChunks reads (after, head] in ranges of scanChunk seqs, workers
// connections at once, and the events after head (appended meanwhile) as
// the last range; fn gets every range's batches in order. At most
// workers+1 ranges are read and not yet handed over, which bounds the
// memory held.
func (s *SQLiteStore) readChunks(ctx context.Context, after, head int64, workers int, fn func([]Event) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := int((head - after + scanChunk - 1) / scanChunk)
	chunks := make([]*scanChunkState, n)
	for i := range chunks {
		lo := after + int64(i)*scanChunk
		hi := lo + scanChunk
		if i == n-1 {
			hi = math.MaxInt64
		}
		chunks[i] = &scanChunkState{lo: lo, hi: hi, batches: make(chan []Event, int(scanChunk)/verifyBatch+1)}
	}
	tokens := make(chan struct{}, workers+1) // ranges read and not yet handed over
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.withRangeQuery(ctx, func(st driver.StmtQueryContext) error {
				for {
					select {
					case tokens <- struct{}{}:
					case <-ctx.Done():
						return ctx.Err()
					}
					i := int(next.Add(1) - 1)
					if i >= n {
						return nil
					}
					c := chunks[i]
					c.err = s.readRange(ctx, st, c.lo, c.hi, func(evs []Event) error {
						select {
						case c.batches <- evs:
							return nil
						case <-ctx.Done():
							return ctx.Err()
						}
					})
					close(c.batches)
					if c.err != nil {
						return c.err
					}
				}
			})
			if err != nil {
				// The ranges this worker will not read end with its error.
				// The others are read on: fn gets every event before the
				// error (an unusual row ends its range alone), and the
				// error when it comes to it, not a cancellation.
				for {
					i := int(next.Add(1) - 1)
					if i >= n {
						break
					}
					chunks[i].err = err
					close(chunks[i].batches)
				}
			}
		}()
	}
	err := func() error {
		for _, c := range chunks {
			for evs := range c.batches {
				if err := fn(evs); err != nil {
					return err
				}
			}
			if c.err != nil {
				return c.err
			}
			<-tokens
		}
		return nil
	}()
	cancel()
	wg.Wait()
	return err
}

// withRangeQuery runs fn with rangeQuery prepared on a reader connection
// of its own.
func (s *SQLiteStore) withRangeQuery(ctx context.Context, fn func(driver.StmtQueryContext) error) error {
	conn, err := s.r.Conn(ctx)
	if err != nil {
		return classify(s.path, fmt.Errorf("read events: %w", err))
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("read events: the reader is a %T, not an SQLite connection", dc)
		}
		// Pages mapped rather than copied through read(2): a scan of the
		// whole log reads every page once.
		if _, err := c.ExecContext(ctx, "PRAGMA mmap_size=1073741824", nil); err != nil {
			return classify(s.path, fmt.Errorf("read events: %w", err))
		}
		st, err := c.PrepareContext(ctx, rangeQuery)
		if err != nil {
			return classify(s.path, fmt.Errorf("read events: %w", err))
		}
		defer st.Close()
		return fn(st.(driver.StmtQueryContext))
	})
}

// readRange reads the events of (lo, hi] with st (rangeQuery) and hands
// them to fn a batch at a time.
func (s *SQLiteStore) readRange(ctx context.Context, st driver.StmtQueryContext, lo, hi int64, fn func([]Event) error) error {
	rows, err := st.QueryContext(ctx, []driver.NamedValue{{Ordinal: 1, Value: lo}, {Ordinal: 2, Value: hi}})
	if err != nil {
		return classify(s.path, fmt.Errorf("read events: %w", err))
	}
	defer rows.Close()
	dest := make([]driver.Value, 15)
	batch := make([]Event, 0, verifyBatch)
	for {
		err := rows.Next(dest)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return classify(s.path, fmt.Errorf("read events: %w", err))
		}
		batch = append(batch, Event{})
		if !eventFromValues(dest, &batch[len(batch)-1]) {
			if len(batch) > 1 {
				if err := fn(batch[:len(batch)-1]); err != nil {
					return err
				}
			}
			return errUnusualRow
		}
		if len(batch) == verifyBatch {
			if err := fn(batch); err != nil {
				return err
			}
			batch = make([]Event, 0, verifyBatch)
		}
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}

// eventFromValues fills e from a row of eventColumns as the driver returns
// it; false when a column holds another type than the store writes.
func eventFromValues(v []driver.Value, e *Event) bool {
	var ok [15]bool
	e.Seq, ok[0] = v[0].(int64)
	e.ID, ok[1] = v[1].(string)
	e.Stream, ok[2] = v[2].(string)
	e.Version, ok[3] = v[3].(int64)
	e.Type, ok[4] = v[4].(string)
	var schema int64
	schema, ok[5] = v[5].(int64)
	e.Schema = int(schema)
	e.Origin, ok[6] = v[6].(string)
	e.At, ok[7] = v[7].(int64)
	e.Workspace, ok[8] = v[8].(string)
	e.Run, ok[9] = v[9].(string)
	e.Causation, ok[10] = v[10].(string)
	e.Correlation, ok[11] = v[11].(string)
	var payload []byte
	payload, ok[12] = v[12].([]byte)
	e.Payload = payload
	e.PrevHash, ok[13] = v[13].([]byte)
	e.Hash, ok[14] = v[14].([]byte)
	for _, b := range ok {
		if !b {
			return false
		}
	}
	return true
}
