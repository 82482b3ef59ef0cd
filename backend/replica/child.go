package replica

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"
	_ "modernc.org/sqlite" // Litestream's own SQLite, used only in the child process
)

// ChildEnv, set to "1", makes RunChildIfAsked run the replicator instead of
// the program. Start sets it when it re-executes this program.
const ChildEnv = "ICE_STUDIO_REPLICATOR"

// headQuery reads the event log's head (the events table of
// backend/eventlog).
const headQuery = `SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1`

// syncInterval is how often the child copies new WAL frames out.
const syncInterval = time.Second

// childConfig is the first line the parent writes to the child's stdin (not
// argv or the environment, which other users' `ps` can read).
type childConfig struct {
	DBPath string `json:"dbPath"`
	Config Config `json:"config"`
}

// childRequest is a later line on stdin: sync now and acknowledge Sync,
// or (Close) make a last sync and exit.
type childRequest struct {
	Sync  int64 `json:"sync,omitempty"`
	Close bool  `json:"close,omitempty"`
}

// report is one line on the child's stdout, after each sync.
type report struct {
	Ack   int64  `json:"ack,omitempty"`   // the request this answers (0: a periodic sync)
	Seq   int64  `json:"seq"`             // the log head read before the sync: the replica now holds it
	Hash  string `json:"hash,omitempty"`  // its hash (hex)
	TXID  string `json:"txid,omitempty"`  // Litestream's replicated position
	At    int64  `json:"at"`              // unix ms
	Error string `json:"error,omitempty"` // why the sync failed
	Final bool   `json:"final,omitempty"` // the last report before the child exits
}

// RunChildIfAsked runs the replicator and exits when this process was
// started by Start (ChildEnv is set); otherwise it returns at once. Call it
// first in main, and in TestMain of tests that start a Replicator.
func RunChildIfAsked() {
	if os.Getenv(ChildEnv) != "1" {
		return
	}
	os.Exit(runChild(os.Stdin, os.Stdout, os.Stderr))
}

func runChild(in io.Reader, out io.Writer, errw io.Writer) int {
	log := slog.New(slog.NewTextHandler(errw, &slog.HandlerOptions{Level: slog.LevelWarn}))
	sc := bufio.NewScanner(in)
	if !sc.Scan() {
		log.Error("replicator: no configuration on stdin")
		return 2
	}
	var cc childConfig
	if err := json.Unmarshal(sc.Bytes(), &cc); err != nil {
		log.Error("replicator: bad configuration", "err", err)
		return 2
	}
	enc := json.NewEncoder(out)
	fail := func(err error) int {
		_ = enc.Encode(report{Error: err.Error(), At: time.Now().UnixMilli(), Final: true})
		return 1
	}
	client, err := cc.Config.client(log)
	if err != nil {
		return fail(err)
	}
	db := litestream.NewDB(cc.DBPath)
	db.SetLogger(log)
	// The log's writer holds its lock for each commit (synchronous FULL);
	// Litestream's own writes (its _litestream_seq table, checkpoints) wait
	// as long as the log's connections do.
	db.BusyTimeout = 10 * time.Second
	r := litestream.NewReplicaWithClient(db, client)
	r.MonitorEnabled = false // the loop below syncs, so each report names a head the replica holds
	db.Replica = r
	if fc, ok := client.(*file.ReplicaClient); ok {
		fc.Replica = r
	}
	store := litestream.NewStore([]*litestream.DB{db}, litestream.CompactionLevels{
		{Level: 0},
		{Level: 1, Interval: 30 * time.Second},
		{Level: 2, Interval: 5 * time.Minute},
		{Level: 3, Interval: time.Hour},
	})
	store.Logger = log
	ctx := context.Background()
	if err := store.Open(ctx); err != nil {
		return fail(fmt.Errorf("start replication of %s: %w", cc.DBPath, err))
	}
	heads, err := sql.Open("sqlite", "file:"+(&url.URL{Path: cc.DBPath}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		_ = store.Close(ctx)
		return fail(err)
	}
	heads.SetMaxOpenConns(1)

	syncOnce := func(ack int64, final bool) {
		rep := report{Ack: ack, Final: final}
		var hash []byte
		err := heads.QueryRowContext(ctx, headQuery).Scan(&rep.Seq, &hash)
		if err == sql.ErrNoRows {
			err = nil
		}
		if err == nil {
			_, err = store.SyncDB(ctx, cc.DBPath, true)
		}
		rep.At = time.Now().UnixMilli()
		if err != nil {
			rep.Seq, rep.Error = 0, err.Error()
		} else {
			rep.Hash = hex.EncodeToString(hash)
			rep.TXID = r.Pos().TXID.String()
		}
		_ = enc.Encode(rep)
	}

	reqs := make(chan childRequest)
	go func() {
		defer close(reqs)
		for sc.Scan() {
			var req childRequest
			if json.Unmarshal(sc.Bytes(), &req) == nil {
				reqs <- req
			}
		}
	}()
	tick := time.NewTicker(syncInterval)
	defer tick.Stop()
	for {
		select {
		case req, ok := <-reqs:
			if !ok {
				// The parent died (stdin ended without a close request),
				// perhaps inside a commit: its last frames may be in the WAL
				// but not in SQLite's shared index, and a sync or checkpoint
				// now would ship them and then overwrite them (see
				// dieWithParent, which normally kills this process first).
				// Stop at once; the next start, after the log's WAL
				// recovery, catches up.
				os.Exit(0)
			}
			if req.Close { // Close: the log is quiet; flush and stop
				syncOnce(0, true)
				_ = heads.Close()
				closeCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
				defer cancel()
				if err := store.Close(closeCtx); err != nil {
					log.Error("replicator: close", "err", err)
					return 1
				}
				return 0
			}
			syncOnce(req.Sync, false)
		case <-tick.C:
			syncOnce(0, false)
		}
	}
}
