package studio

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// The last replication anchor is kept twice: as a log.anchored event (so
// a rewrite of the chain up to it shows) and in a file beside the log
// (so a cut tail that removed the event shows too: the file still names a
// position the log no longer holds). Neither is a witness against a
// process that changes both; the replica is.

// AnchorFileName is the file, in the data folder, of the last position a
// replica was known to hold.
const AnchorFileName = "log-anchor.json"

// AnchorRecord is the content of the anchor file.
type AnchorRecord struct {
	Seq     int64  `json:"seq"`
	Hash    string `json:"hash"`    // hex
	Replica string `json:"replica"` // without secrets
	At      int64  `json:"at"`      // unix ms
}

// Checkpoint is the anchored position.
func (a AnchorRecord) Checkpoint() (eventlog.Checkpoint, error) {
	h, err := hex.DecodeString(a.Hash)
	if err != nil || a.Seq < 1 || len(h) == 0 {
		return eventlog.Checkpoint{}, fmt.Errorf("%s names seq %d, hash %q: not a position", AnchorFileName, a.Seq, a.Hash)
	}
	return eventlog.Checkpoint{Seq: a.Seq, Hash: h}, nil
}

// ReadAnchorFile reads the last replication anchor kept in dataDir (false
// when there is none).
func ReadAnchorFile(dataDir string) (AnchorRecord, bool, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, AnchorFileName))
	if errors.Is(err, os.ErrNotExist) {
		return AnchorRecord{}, false, nil
	}
	if err != nil {
		return AnchorRecord{}, false, err
	}
	var a AnchorRecord
	if err := json.Unmarshal(b, &a); err != nil {
		return AnchorRecord{}, false, fmt.Errorf("%s cannot be read: %w", filepath.Join(dataDir, AnchorFileName), err)
	}
	if _, err := a.Checkpoint(); err != nil {
		return AnchorRecord{}, false, err
	}
	return a, true, nil
}

// writeAnchorFile replaces the anchor file (atomically, mode 0600).
func writeAnchorFile(dataDir string, a AnchorRecord) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	p := filepath.Join(dataDir, AnchorFileName)
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}
