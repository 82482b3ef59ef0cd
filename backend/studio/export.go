package studio

import (
	"context"

	"github.com/ice-studio/ice-studio/backend/buildinfo"
	"github.com/ice-studio/ice-studio/backend/report"
)

// ExportRequest names a run or a thread (its id or the short id the UI
// shows) and a report format: json, md or html ("" is html).
type ExportRequest struct {
	ID     string `json:"id"`
	Format string `json:"format"`
}

// ExportRun makes the report of a run or a thread from the log, with the
// verify result of the whole log now, as a file to save (name, MIME type,
// content). It reads the log only.
func (s *Studio) ExportRun(req ExportRequest) (report.Rendered, error) {
	store, err := s.logOrErr()
	if err != nil {
		return report.Rendered{}, err
	}
	rep, err := report.Build(context.Background(), store, req.ID, report.Options{Generator: "ice-studio " + buildinfo.Version, Catalogue: s.gate.Catalogue()})
	if err != nil {
		return report.Rendered{}, err
	}
	return report.Render(rep, req.Format)
}
