package main

import (
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// GitStatus reads the git status of a workspace for the explorer.
func (a *App) GitStatus(req studio.GitStatusRequest) (studio.GitStatus, error) {
	return a.studio.GitStatus(req)
}

// GitCommit commits a committed run's files, and only them, to git.
func (a *App) GitCommit(req kernel.GitCommitRequest) (kernel.GitCommitResult, error) {
	return a.studio.GitCommit(req)
}

// RevealPath shows a workspace entry in the desktop's file manager.
func (a *App) RevealPath(req studio.RevealRequest) error {
	if !a.desktop {
		return studio.ErrNotDesktop
	}
	return a.studio.RevealPath(req)
}
