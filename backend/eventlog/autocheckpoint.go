package eventlog

import (
	"context"
	"fmt"
)

// DefaultAutoCheckpoint is SQLite's own threshold (WAL pages) for the
// checkpoint that follows a commit.
const DefaultAutoCheckpoint = 1000

// SetAutoCheckpoint sets the WAL size (pages) at which the log's writer
// checkpoints after a commit; 0 turns those checkpoints off. A replicator
// that checkpoints the WAL itself (Litestream) needs them off: a writer's
// checkpoint racing Litestream's while it switches its locks can leave the
// replica without pages it needs.
func (s *SQLiteStore) SetAutoCheckpoint(ctx context.Context, pages int) error {
	if pages < 0 {
		pages = 0
	}
	if _, err := s.w.ExecContext(ctx, fmt.Sprintf(`PRAGMA wal_autocheckpoint=%d`, pages)); err != nil {
		return fmt.Errorf("event log: set wal_autocheckpoint: %w", err)
	}
	return nil
}
