package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/ice-studio/ice-studio/backend/report"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// ExportRun returns the report of a run or a thread as a file (name, MIME
// type, content); the browser saves it as a download.
func (a *App) ExportRun(req studio.ExportRequest) (report.Rendered, error) {
	return a.studio.ExportRun(req)
}

// SavedExport is where SaveRunExport wrote a report ("" when the user
// cancelled the dialog).
type SavedExport struct {
	Path string `json:"path"`
}

// SaveRunExport makes the report of a run or a thread and saves it where
// the user picks in the native Save dialog (the desktop window has no
// browser downloads).
func (a *App) SaveRunExport(req studio.ExportRequest) (SavedExport, error) {
	if !a.desktop {
		return SavedExport{}, errNotDesktop
	}
	r, err := a.studio.ExportRun(req)
	if err != nil {
		return SavedExport{}, err
	}
	home, _ := os.UserHomeDir()
	path, err := runtime.SaveFileDialog(a.ctx, runtime.SaveDialogOptions{Title: "Save the report", DefaultFilename: r.FileName,
		DefaultDirectory: home, CanCreateDirectories: true,
		Filters: []runtime.FileFilter{{DisplayName: "Report (*" + filepath.Ext(r.FileName) + ")", Pattern: "*" + filepath.Ext(r.FileName)}}})
	if err != nil || path == "" {
		return SavedExport{}, err
	}
	if err := os.WriteFile(path, []byte(r.Content), 0o644); err != nil {
		return SavedExport{}, fmt.Errorf("saving the report: %w", err)
	}
	return SavedExport{Path: path}, nil
}
