package replica

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// closeTimeout bounds Close's wait for the child's final sync.
const closeTimeout = 60 * time.Second

// Status is what the Studio shows about replication.
type Status struct {
	URL     string `json:"url"`     // the replica, without secrets
	Running bool   `json:"running"` // the replicator process is alive
	// Seq and Hash are the newest log position the replica is known to
	// hold (0: none confirmed yet).
	Seq  int64  `json:"seq"`
	Hash []byte `json:"hash"`
	// TXID is Litestream's replicated transaction id (hex).
	TXID string `json:"txid"`
	// LastSyncAt is when the replica last confirmed a sync (zero: never).
	LastSyncAt time.Time `json:"lastSyncAt"`
	// LagMs is how long ago that was: a change older than this is on the
	// replica.
	LagMs int64 `json:"lagMs"`
	// Error is the last sync's failure ("" when it succeeded).
	Error string `json:"error"`
}

// Checkpoint is the replica's confirmed head as a log checkpoint.
func (s Status) Checkpoint() eventlog.Checkpoint {
	return eventlog.Checkpoint{Seq: s.Seq, Hash: s.Hash}
}

// Replicator is a running replication of one log file.
type Replicator struct {
	url   string // redacted
	log   *slog.Logger
	cmd   *exec.Cmd
	stdin io.WriteCloser

	mu      sync.Mutex
	st      Status
	acked   int64 // the newest request the child answered
	ackErr  map[int64]string
	nextReq int64
	changed chan struct{} // closed and replaced at each report
	exited  chan struct{} // closed when the child is gone
	exitErr error

	closeOnce sync.Once
	closeErr  error
}

// Start replicates the SQLite file at dbPath to c's replica until Close
// (or ctx ends, which closes it too). It re-executes this program with
// ChildEnv set: main (or TestMain) must call RunChildIfAsked first.
func Start(ctx context.Context, dbPath string, c Config, log *slog.Logger) (*Replicator, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dbPath)
	if err != nil {
		return nil, fmt.Errorf("start replication: %w", err)
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("start replication: %w", err)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("start replication: find this program: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), ChildEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("start replication: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start replication: %w", err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("start replication: %w", err)
	}
	dieWithParent(cmd)
	// The death signal is tied to the thread that starts the child: that
	// thread stays locked, and so alive, until the child is gone.
	started, gone := make(chan error), make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err := cmd.Start()
		started <- err
		if err == nil {
			<-gone
		}
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start replication: start %s: %w", exe, err)
	}
	r := &Replicator{
		url: c.Redacted(), log: log.With("replica", c.Redacted()), cmd: cmd, stdin: stdin,
		st:      Status{URL: c.Redacted(), Running: true},
		ackErr:  map[int64]string{},
		changed: make(chan struct{}), exited: make(chan struct{}),
	}
	line, _ := json.Marshal(childConfig{DBPath: abs, Config: c})
	if _, err := stdin.Write(append(line, '\n')); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		close(gone)
		return nil, fmt.Errorf("start replication: %w", err)
	}
	var pipes sync.WaitGroup
	pipes.Add(2)
	go func() { defer pipes.Done(); r.readReports(stdout) }()
	go func() {
		defer pipes.Done()
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			r.log.Warn("replicator: " + sc.Text())
		}
	}()
	go func() {
		pipes.Wait()
		err := cmd.Wait()
		r.mu.Lock()
		r.st.Running = false
		if err != nil {
			r.exitErr = fmt.Errorf("%w: %v", ErrChildFailed, err)
			if r.st.Error == "" {
				r.st.Error = r.exitErr.Error()
			}
		}
		close(r.exited)
		r.mu.Unlock()
		close(gone)
	}()
	go func() {
		select {
		case <-ctx.Done():
			_ = r.Close()
		case <-r.exited:
		}
	}()
	return r, nil
}

func (r *Replicator) readReports(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		var rep report
		if err := json.Unmarshal(sc.Bytes(), &rep); err != nil {
			r.log.Warn("replicator: unreadable report", "line", sc.Text())
			continue
		}
		r.mu.Lock()
		if rep.Error != "" {
			r.st.Error = rep.Error
			if rep.Ack > 0 {
				r.ackErr[rep.Ack] = rep.Error
			}
		} else {
			h, _ := hex.DecodeString(rep.Hash)
			if rep.Seq >= r.st.Seq {
				r.st.Seq, r.st.Hash = rep.Seq, h
			}
			r.st.TXID, r.st.Error = rep.TXID, ""
			r.st.LastSyncAt = time.UnixMilli(rep.At)
		}
		if rep.Ack > r.acked {
			r.acked = rep.Ack
		}
		close(r.changed)
		r.changed = make(chan struct{})
		r.mu.Unlock()
	}
}

// Status is the replication's current state.
func (r *Replicator) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.st
	st.Hash = append([]byte(nil), r.st.Hash...)
	if !st.LastSyncAt.IsZero() {
		st.LagMs = time.Since(st.LastSyncAt).Milliseconds()
	}
	return st
}

// Sync copies everything committed so far to the replica now and returns
// the status after it: Status().Seq is then at least the head at the call.
func (r *Replicator) Sync(ctx context.Context) (Status, error) {
	r.mu.Lock()
	select {
	case <-r.exited:
		r.mu.Unlock()
		return r.Status(), ErrNotRunning
	default:
	}
	r.nextReq++
	id := r.nextReq
	line, _ := json.Marshal(childRequest{Sync: id})
	_, err := r.stdin.Write(append(line, '\n'))
	r.mu.Unlock()
	if err != nil {
		return r.Status(), fmt.Errorf("%w: %v", ErrNotRunning, err)
	}
	for {
		r.mu.Lock()
		acked, msg, wait, exited := r.acked, r.ackErr[id], r.changed, r.exited
		delete(r.ackErr, id)
		r.mu.Unlock()
		if msg != "" {
			return r.Status(), fmt.Errorf("sync to %s: %s", r.url, msg)
		}
		if acked >= id {
			return r.Status(), nil
		}
		select {
		case <-wait:
		case <-exited:
			return r.Status(), ErrNotRunning
		case <-ctx.Done():
			return r.Status(), ctx.Err()
		}
	}
}

// Close makes a last sync and stops the replicator; it returns the
// replicator's failure, if it had one.
func (r *Replicator) Close() error {
	r.closeOnce.Do(func() {
		r.mu.Lock()
		line, _ := json.Marshal(childRequest{Close: true})
		_, _ = r.stdin.Write(append(line, '\n')) // the child flushes and exits
		r.mu.Unlock()
		_ = r.stdin.Close()
		select {
		case <-r.exited:
		case <-time.After(closeTimeout):
			_ = r.cmd.Process.Kill()
			<-r.exited
		}
		r.mu.Lock()
		r.closeErr = r.exitErr
		r.mu.Unlock()
		if errors.Is(r.closeErr, ErrChildFailed) {
			r.log.Warn("replicator stopped with an error", "err", r.closeErr)
		}
	})
	return r.closeErr
}

// PID is the replicator process's id (for tests that kill its parent).
func (r *Replicator) PID() int { return r.cmd.Process.Pid }
