package replica_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/internal/realseaweed"
	"github.com/ice-studio/ice-studio/backend/replica"
)

// lagRun appends 1,000 rows a second for d with write (each millisecond
// the rows due, in one transaction when it fell behind), while the replicator copies the database at path; it returns the
// replication lag of every append: from its commit to the first report of
// the replicator that holds it.
func lagRun(b *testing.B, path string, d time.Duration, write func(i, n int) (int64, error)) []time.Duration {
	ctx := context.Background()
	r, err := replica.Start(ctx, path, replica.Config{URL: fileURL(filepath.Join(b.TempDir(), "replica"))}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	var mu sync.Mutex
	committed := map[int64]time.Time{}
	var lags []time.Duration
	done, stop := make(chan struct{}), make(chan struct{})
	go func() { // watch the replicator's reports
		defer close(done)
		var seen int64
		for {
			st := r.Status()
			if st.Seq > seen {
				now := time.Now()
				mu.Lock()
				for s := seen + 1; s <= st.Seq; s++ {
					if t, ok := committed[s]; ok {
						lags = append(lags, now.Sub(t))
						delete(committed, s)
					}
				}
				mu.Unlock()
				seen = st.Seq
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	tick := time.NewTicker(time.Millisecond)
	start := time.Now()
	var last int64
	for i := 0; time.Since(start) < d; {
		<-tick.C
		n := min(int(time.Since(start)/time.Millisecond)-i, 100)
		if n <= 0 {
			continue
		}
		seq, err := write(i, n)
		if err != nil {
			b.Fatal(err)
		}
		now := time.Now()
		mu.Lock()
		for s := seq - int64(n) + 1; s <= seq; s++ {
			committed[s] = now
		}
		mu.Unlock()
		last, i = seq, i+n
	}
	tick.Stop()
	// Wait until the last append is replicated.
	deadline := time.Now().Add(30 * time.Second)
	for r.Status().Seq < last && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond)
	close(stop)
	<-done
	mu.Lock()
	defer mu.Unlock()
	return lags
}

func quantile(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return float64(s[int(q*float64(len(s)-1))].Microseconds()) / 1000
}

// BenchmarkReplicationLag: the replication lag (p50/p99, ms) of the event
// log under 1,000 appends/s through the Emit gate (synchronous FULL, as the
// Studio), beside Litestream replicating a plain SQLite database with the
// same writes (a plain INSERT of the same seq and hash per row). Both are
// copied by the same replicator process, which syncs every second
// (Litestream's default sync interval).
func BenchmarkReplicationLag(b *testing.B) {
	const d = 10 * time.Second
	b.Run("log", func(b *testing.B) {
		for range b.N {
			path := filepath.Join(b.TempDir(), eventlog.FileName)
			s := openLog(b, path, false)
			if err := s.SetAutoCheckpoint(context.Background(), 0); err != nil {
				b.Fatal(err)
			}
			g := eventlog.NewGate(s, eventlog.DefaultCatalogue())
			pad := strings.Repeat("x", 150)
			lags := lagRun(b, path, d, func(i, n int) (int64, error) {
				drafts := make([]eventlog.Draft, n)
				for j := range drafts {
					drafts[j] = eventlog.Draft{Stream: "workspace/w", Type: eventlog.WorkspaceFileChanged,
						Origin: eventlog.OriginRuntime, Payload: map[string]any{"path": fmt.Sprintf("f%d.go", i+j), "pad": pad}}
				}
				evs, err := g.Emit(context.Background(), drafts...)
				if err != nil {
					return 0, err
				}
				return evs[len(evs)-1].Seq, nil
			})
			s.Close()
			b.ReportMetric(quantile(lags, 0.5), "p50-ms")
			b.ReportMetric(quantile(lags, 0.99), "p99-ms")
			b.ReportMetric(float64(len(lags))/d.Seconds(), "appends/s")
		}
	})
	b.Run("plain", func(b *testing.B) {
		for range b.N {
			path := filepath.Join(b.TempDir(), "plain.db")
			db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000")
			if err != nil {
				b.Fatal(err)
			}
			db.SetMaxOpenConns(1)
			if _, err := db.Exec(`PRAGMA wal_autocheckpoint=0; CREATE TABLE events (seq INTEGER PRIMARY KEY, hash BLOB, payload BLOB)`); err != nil {
				b.Fatal(err)
			}
			payload := []byte(`{"pad":"` + strings.Repeat("x", 150) + `","path":"f.go"}`)
			lags := lagRun(b, path, d, func(i, n int) (int64, error) {
				tx, err := db.Begin()
				if err != nil {
					return 0, err
				}
				var seq int64
				for j := 0; j < n; j++ {
					res, err := tx.Exec(`INSERT INTO events (hash, payload) VALUES (?, ?)`, []byte(fmt.Sprintf("%032d", i+j)), payload)
					if err != nil {
						tx.Rollback()
						return 0, err
					}
					if seq, err = res.LastInsertId(); err != nil {
						tx.Rollback()
						return 0, err
					}
				}
				return seq, tx.Commit()
			})
			db.Close()
			b.ReportMetric(quantile(lags, 0.5), "p50-ms")
			b.ReportMetric(quantile(lags, 0.99), "p99-ms")
			b.ReportMetric(float64(len(lags))/d.Seconds(), "appends/s")
		}
	})
}

// benchLog1M is a 1M-event log, made once (kept in $ICE_BENCH_DIR when
// set) and replicated to a file replica beside it.
func benchLog1M(b *testing.B) (path string, cfg replica.Config) {
	dir := os.Getenv("ICE_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	dir = filepath.Join(dir, "replica-1m")
	path = filepath.Join(dir, eventlog.FileName)
	cfg = replica.Config{URL: fileURL(filepath.Join(dir, "replica"))}
	if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
		return path, cfg
	}
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	s, err := eventlog.Open(path, eventlog.Options{Synchronous: "OFF"})
	if err != nil {
		b.Fatal(err)
	}
	g := eventlog.NewGate(s, eventlog.DefaultCatalogue())
	pad := strings.Repeat("y", 150)
	for i := 0; i < 1000; i++ {
		drafts := make([]eventlog.Draft, 1000)
		for j := range drafts {
			drafts[j] = eventlog.Draft{Stream: fmt.Sprintf("workspace/w%d", j%7), Type: eventlog.WorkspaceFileChanged,
				Origin: eventlog.OriginRuntime, Payload: map[string]any{"path": fmt.Sprintf("src/f%d-%d.go", i, j), "pad": pad}}
		}
		if _, err := g.Emit(ctx, drafts...); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.SetAutoCheckpoint(ctx, 0); err != nil {
		b.Fatal(err)
	}
	r, err := replica.Start(ctx, path, cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	if err := r.Close(); err != nil {
		b.Fatal(err)
	}
	s.Close()
	if err := os.WriteFile(filepath.Join(dir, "ready"), nil, 0o600); err != nil {
		b.Fatal(err)
	}
	return path, cfg
}

// BenchmarkRestore1M: restoring a 1M-event log from a file replica (and,
// with $ICE_WEED_BIN, from a real S3-compatible server), beside copying
// the log's bytes (cp of events.db).
func BenchmarkRestore1M(b *testing.B) {
	// Litestream's restore logs through slog's default logger.
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.DiscardHandler))
	path, cfg := benchLog1M(b)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("restore-file", func(b *testing.B) {
		restoreEach(b, cfg)
		b.ReportMetric(float64(fi.Size())/(1<<20), "MiB")
	})
	if os.Getenv(realseaweed.BinaryEnv) != "" {
		// The same log replicated to a real S3-compatible server
		// (SeaweedFS), then restored from it.
		srv := realseaweed.StartSized(b, 40)
		srv.CreateBucket(b, "ice-bench")
		s3cfg := replica.Config{URL: "s3://ice-bench/log", Endpoint: srv.Endpoint, Region: srv.Region,
			AccessKeyID: srv.AccessKeyID, SecretAccessKey: srv.SecretAccessKey}
		ctx := context.Background()
		r, err := replica.Start(ctx, path, s3cfg, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Sync(ctx); err != nil {
			b.Fatal(err)
		}
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
		b.Run("restore-s3", func(b *testing.B) { restoreEach(b, s3cfg) })
	}
	b.Run("copy", func(b *testing.B) {
		for range b.N {
			out := filepath.Join(b.TempDir(), "copy.db")
			t0 := time.Now()
			if err := copyFile(path, out); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(time.Since(t0).Milliseconds()), "ms")
		}
	})
}

// restoreEach restores the replica b.N times, each into a new file.
func restoreEach(b *testing.B, cfg replica.Config) {
	for range b.N {
		out := filepath.Join(b.TempDir(), eventlog.FileName)
		t0 := time.Now()
		if err := replica.Restore(context.Background(), cfg, out); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(time.Since(t0).Milliseconds()), "ms")
	}
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
