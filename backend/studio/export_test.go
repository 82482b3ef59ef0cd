package studio

import (
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/internal/fakeollama"
)

// TestExportRun: the Studio's export gives a named file of the run's
// report in the format asked for, with the log's verify line; unknown ids
// and formats are refused clearly.
func TestExportRun(t *testing.T) {
	s, ws, _, fake, _ := agentStudio(t, map[string]string{"a.txt": "a\n"}, true)
	fake.Push(fakeollama.Reply{Calls: []fakeollama.Call{{Name: "write_file", Args: `{"path":"a.txt","content":"b\n"}`}}},
		fakeollama.Reply{Chunks: []string{"Done."}})
	run, err := s.StartAgentRun(StartAgentRunRequest{WorkspaceID: ws.ID, Task: "Change a.txt", Model: "tiny"})
	must(t, err)
	waitRun(t, s, run.ID)
	for format, want := range map[string]struct{ ext, mime, text string }{
		"html": {".html", "text/html; charset=utf-8", `<span class="add">&#43;b</span>`},
		"md":   {".md", "text/markdown; charset=utf-8", "```diff\n--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+b\n```"},
		"json": {".json", "application/json", `"task": "Change a.txt"`},
	} {
		got, err := s.ExportRun(ExportRequest{ID: run.ID[len(run.ID)-8:], Format: format})
		must(t, err)
		if !strings.HasSuffix(got.FileName, want.ext) || !strings.HasPrefix(got.FileName, "ice-report-run-") || got.MIME != want.mime ||
			!strings.Contains(got.Content, want.text) || !strings.Contains(got.Content, "hash chain intact") {
			t.Errorf("%s export: %s %s\n%.3000s", format, got.FileName, got.MIME, got.Content)
		}
	}
	if _, err := s.ExportRun(ExportRequest{ID: "no-such-run"}); err == nil || !strings.Contains(err.Error(), "no run or thread") {
		t.Errorf("unknown id: %v", err)
	}
	if _, err := s.ExportRun(ExportRequest{ID: run.ID, Format: "pdf"}); err == nil || !strings.Contains(err.Error(), "json, md or html") {
		t.Errorf("unknown format: %v", err)
	}
}
