package replica

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/benbjohnson/litestream"
)

// Restore writes the newest copy of the log held by the replica to outPath
// (a new file: it refuses an existing one, or its -wal/-shm). It runs in
// this process: the restored file is new, so no other SQLite library has
// it open.
func Restore(ctx context.Context, c Config, outPath string) error {
	abs, err := filepath.Abs(outPath)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	for _, p := range []string{abs, abs + "-wal", abs + "-shm", abs + "-journal"} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%w: %s; restore into a new folder (ice-studio restore --to NEWDIR)", ErrExists, p)
		} else if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	log := slog.New(slog.DiscardHandler)
	client, err := c.client(log)
	if err != nil {
		return err
	}
	if err := client.Init(ctx); err != nil {
		return fmt.Errorf("restore from %s: connect: %w", c.Redacted(), err)
	}
	r := litestream.NewReplicaWithClient(nil, client)
	opt := litestream.NewRestoreOptions()
	opt.OutputPath = abs
	opt.IntegrityCheck = litestream.IntegrityCheckQuick
	if err := r.Restore(ctx, opt); err != nil {
		if errors.Is(err, litestream.ErrTxNotAvailable) || errors.Is(err, litestream.ErrNoSnapshots) {
			return fmt.Errorf("%w: %s (is replication running? it copies within seconds of a change)", ErrEmpty, c.Redacted())
		}
		return fmt.Errorf("restore from %s: %w", c.Redacted(), err)
	}
	// Litestream leaves a sidecar naming the restored transaction for its
	// follow mode; the log does not need it.
	_ = os.Remove(litestream.TXIDPath(abs))
	return nil
}
