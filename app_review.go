package main

import (
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// RunHunks returns a run's staged changes split into hunks, for review.
func (a *App) RunHunks(req studio.RunRequest) ([]kernel.FileHunks, error) {
	return a.studio.RunHunks(req)
}

// CommitHunks commits the hunks of a run the user accepted; the rest stays staged.
func (a *App) CommitHunks(req studio.CommitHunksRequest) (kernel.PartialResult, error) {
	return a.studio.CommitHunks(req)
}
