package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/cli"
	"github.com/ice-studio/ice-studio/backend/eventlog/eventlogtest"
	"github.com/ice-studio/ice-studio/backend/replica"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// replicate copies the data folder's log to a new folder replica.
func replicate(t *testing.T, dataDir string) string {
	t.Helper()
	rep := filepath.Join(t.TempDir(), "replica")
	ctx := context.Background()
	r, err := replica.Start(ctx, studio.LogPath(dataDir), replica.Config{URL: "file://" + filepath.ToSlash(rep)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestVerifyAgainstAReplicaAndRestore: the two tamper cases that passed
// `verify` before (a chain rewritten and re-hashed, a cut tail) both
// fail `verify --against` the replica, naming the seq; `restore --from`
// brings back a log that verifies and replays; a restore never overwrites
// a log, and a bad replica URL is a usage error.
func TestVerifyAgainstAReplicaAndRestore(t *testing.T) {
	dir := dataDirWithLog(t, 3)
	n := int64(eventCount(t, dir))
	rep := replicate(t, dir)
	if code, out, errs := runVerb(cli.Verify, dir, "--against", rep); code != cli.ExitOK || !strings.Contains(out, "the log extends it") {
		t.Fatalf("verify --against an intact replica = %d %q %q", code, out, errs)
	}

	// Restore into a new folder: it verifies and replays.
	to := filepath.Join(t.TempDir(), "restored")
	if code, out, errs := runVerb(cli.Restore, dir, "--from", rep, "--to", to); code != cli.ExitOK || !strings.Contains(out, "hash chain intact") {
		t.Fatalf("restore = %d %q %q", code, out, errs)
	}
	if code, out, _ := runVerb(cli.Verify, to); code != cli.ExitOK {
		t.Fatalf("verify of the restored log = %d %q", code, out)
	}
	if code, out, _ := runVerb(cli.Replay, to, "--check"); code != cli.ExitOK {
		t.Fatalf("replay --check of the restored log = %d %q", code, out)
	}
	if int64(eventCount(t, to)) != n {
		t.Fatalf("restored %d events, want %d", eventCount(t, to), n)
	}
	before, _ := os.ReadFile(studio.LogPath(to))
	if code, _, errs := runVerb(cli.Restore, dir, "--from", rep, "--to", to); code != cli.ExitFailed || !strings.Contains(errs, "never overwrites") {
		t.Fatalf("restore over an existing log = %d %q", code, errs)
	}
	if after, _ := os.ReadFile(studio.LogPath(to)); string(after) != string(before) {
		t.Fatal("a refused restore changed the log")
	}
	if code, _, errs := runVerb(cli.Restore, dir, "--from", "ftp://host/x"); code != cli.ExitUsage || !strings.Contains(errs, "not supported") {
		t.Fatalf("restore from ftp:// = %d %q", code, errs)
	}

	// A chain rewritten and re-hashed from seq 2: verify alone passes.
	eventlogtest.Rewrite(t, studio.LogPath(dir), 2, func(p map[string]any) { p["forged"] = true })
	if code, out, _ := runVerb(cli.Verify, dir); code != cli.ExitOK {
		t.Fatalf("the premise: verify alone passes a re-hashed chain (%d %q)", code, out)
	}
	code, out, _ := runVerb(cli.Verify, dir, "--against", rep)
	if code != cli.ExitFailed || !strings.Contains(out, "(anchor)") {
		t.Fatalf("verify --against after a rewrite = %d %q", code, out)
	}

	// A cut tail (on the restored, intact copy): verify alone passes,
	// --against reports the log shorter than the replica.
	edit(t, to, "DELETE FROM events WHERE seq > 3")
	if code, _, _ := runVerb(cli.Verify, to); code != cli.ExitOK {
		t.Fatalf("the premise: verify alone passes a cut tail (%d)", code)
	}
	code, out, _ = runVerb(cli.Verify, to, "--against", rep)
	if code != cli.ExitFailed || !strings.Contains(out, "truncated") || !strings.Contains(out, "seq 3") {
		t.Fatalf("verify --against after a cut tail = %d %q", code, out)
	}
}
