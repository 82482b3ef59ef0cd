package studio

import (
	"os"
	"testing"

	"github.com/ice-studio/ice-studio/backend/replica"
	"github.com/ice-studio/ice-studio/backend/sandbox"
)

// TestMain lets this test binary be the sandbox's helper when a test's
// command re-executes it, and the replicator when a Studio replicates.
func TestMain(m *testing.M) {
	replica.RunChildIfAsked()
	sandbox.Init()
	os.Exit(m.Run())
}
