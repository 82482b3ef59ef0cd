package cli_test

import (
	"os"
	"testing"

	"github.com/ice-studio/ice-studio/backend/replica"
	"github.com/ice-studio/ice-studio/backend/sandbox"
)

// TestMain lets this test binary be the sandbox's helper when a test's
// command re-executes it.
func TestMain(m *testing.M) {
	sandbox.Init()
	replica.RunChildIfAsked()
	os.Exit(m.Run())
}
