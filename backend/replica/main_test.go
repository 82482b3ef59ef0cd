package replica_test

import (
	"os"
	"testing"

	"github.com/ice-studio/ice-studio/backend/replica"
)

// TestMain lets this test binary be the replicator process that Start
// re-executes.
func TestMain(m *testing.M) {
	replica.RunChildIfAsked()
	os.Exit(m.Run())
}
