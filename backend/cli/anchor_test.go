package cli_test

import (
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/cli"
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
