package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/cli"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// TestAnchorAndVerifyAgainstIt: `anchor` prints the head; after the last
// events are deleted, `verify` alone still passes (nothing in the log can
// show a cut tail) but `verify --anchor` fails naming it; an anchor that
// is not SEQ:HASH is a usage error.
func TestAnchorAndVerifyAgainstIt(t *testing.T) {
	dir := dataDirWithLog(t, 3)
	n := eventCount(t, dir)
	code, out, _ := runVerb(cli.Anchor, dir)
	anchor := strings.TrimSpace(out)
	if code != cli.ExitOK || !strings.HasPrefix(anchor, strings.TrimSpace(strings.Split(anchor, ":")[0])+":") || len(anchor) < 66 {
		t.Fatalf("anchor = %d %q", code, out)
	}
	if code, out, _ := runVerb(cli.Verify, dir, "--anchor", anchor); code != cli.ExitOK || !strings.Contains(out, "still holds it") {
		t.Fatalf("verify --anchor on the intact log = %d %q", code, out)
	}
	edit(t, dir, "DELETE FROM events WHERE seq > 3")
	if code, _, _ := runVerb(cli.Verify, dir); code != cli.ExitOK {
		t.Fatalf("the premise: verify alone passes a cut tail (%d)", code)
	}
	code, out, _ = runVerb(cli.Verify, dir, "--anchor", anchor)
	if code != cli.ExitFailed || !strings.Contains(out, "truncated") || !strings.Contains(out, "ends at seq 3") {
		t.Fatalf("verify --anchor after deleting %d events = %d %q", n-3, code, out)
	}
	if code, _, errs := runVerb(cli.Verify, dir, "--anchor", "12:nothex"); code != cli.ExitUsage || !strings.Contains(errs, "64 hex digits") {
		t.Fatalf("verify --anchor 12:nothex = %d %q", code, errs)
	}
}

// TestVerifyChecksTheKeptReplicationAnchor: the Studio keeps the last
// position its replica held beside the log; `verify` checks it, so a tail
// cut below it fails even though the log.anchored event went with it.
func TestVerifyChecksTheKeptReplicationAnchor(t *testing.T) {
	dir := dataDirWithLog(t, 3)
	_, out, _ := runVerb(cli.Anchor, dir)
	seq, hash, _ := strings.Cut(strings.TrimSpace(out), ":")
	rec := `{"seq":` + seq + `,"hash":"` + hash + `","replica":"file:///mnt/backup/ice","at":1}`
	if err := os.WriteFile(filepath.Join(dir, studio.AnchorFileName), []byte(rec), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runVerb(cli.Verify, dir); code != cli.ExitOK || !strings.Contains(out, "last replication anchor (file:///mnt/backup/ice)") {
		t.Fatalf("verify with the kept anchor, intact log = %d %q", code, out)
	}
	edit(t, dir, "DELETE FROM events WHERE seq > 2")
	if code, out, _ := runVerb(cli.Verify, dir); code != cli.ExitFailed || !strings.Contains(out, "truncated") {
		t.Fatalf("verify after a cut below the kept anchor = %d %q", code, out)
	}
	if err := os.WriteFile(filepath.Join(dir, studio.AnchorFileName), []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runVerb(cli.Verify, dir); code != cli.ExitFailed || !strings.Contains(errs, studio.AnchorFileName) {
		t.Fatalf("verify with an unreadable anchor file = %d %q", code, errs)
	}
}
