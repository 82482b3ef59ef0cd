package eventlog_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// TestEverySummary checks that the event inspector has a one-line summary
// for every type of the catalogue, and none for a type it does not have:
// add a type here, and add its summary to eventSummary.ts.
func TestEverySummary(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "frontend", "src", "components", "eventSummary.ts"))
	if err != nil {
		t.Fatalf("read the summaries: %v", err)
	}
	// The keys of `summaries`: one quoted type a line, "  'run.created': (p) => …".
	keys := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s+'([a-z_]+\.[a-z_]+)':`).FindAllStringSubmatch(string(src), -1) {
		keys[m[1]] = true
	}
	types := eventlog.DefaultCatalogue().Types()
	for _, typ := range types {
		if !keys[typ] {
			t.Errorf("%s has no summary in frontend/src/components/eventSummary.ts", typ)
		}
	}
	for k := range keys {
		if !slices.Contains(types, k) {
			t.Errorf("eventSummary.ts summarises %s, which is not in the catalogue", k)
		}
	}
}
