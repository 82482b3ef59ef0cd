package studio

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/ice-studio/ice-studio/backend/git"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// ErrNotDesktop is an action only the desktop Studio can take (it opens
// a window of the user's desktop).
var ErrNotDesktop = errors.New("only the desktop Studio can do this")

// GitStatusRequest names a workspace.
type GitStatusRequest struct {
	WorkspaceID string `json:"workspaceId"`
}

// GitStatus is the git status of a workspace, for the explorer's
// decorations: the Studio reading the repository (git status with a clean
// environment and no optional locks), not an effect of a run. A folder in
// no repository has Repo false; Error says why the status is unknown
// (git missing, git failing) without failing the call.
type GitStatus struct {
	git.Status
	Error string `json:"error,omitempty"`
}

// GitStatus reads the git status of an open workspace.
func (s *Studio) GitStatus(req GitStatusRequest) (GitStatus, error) {
	ws, err := s.workspaceByID(req.WorkspaceID)
	if err != nil {
		return GitStatus{}, err
	}
	st, err := git.Runner{}.Status(context.Background(), ws.Root)
	if err != nil {
		return GitStatus{Status: git.Status{Entries: map[string]string{}}, Error: err.Error()}, nil
	}
	return GitStatus{Status: st}, nil
}

// GitCommitRequest asks for a git commit of a committed run's files.
type GitCommitRequest = kernel.GitCommitRequest

// GitCommit commits a committed run's files, and only them, to the
// workspace's git repository (an effect of the run: see kernel.GitCommit).
func (s *Studio) GitCommit(req GitCommitRequest) (kernel.GitCommitResult, error) {
	k, err := s.kernelOrErr()
	if err != nil {
		return kernel.GitCommitResult{}, err
	}
	return k.GitCommit(context.Background(), req)
}

// RevealRequest names a file or folder of a workspace to show in the
// desktop's file manager.
type RevealRequest struct {
	WorkspaceID string `json:"workspaceId"`
	Path        string `json:"path"`
}

// revealCommand is the program that opens the file manager (a test seam).
var revealCommand = func(target string, isDir bool) *exec.Cmd {
	switch runtime.GOOS {
	case "darwin":
		return exec.Command("open", "-R", target)
	case "windows":
		return exec.Command("explorer", "/select,", target)
	}
	if !isDir {
		target = filepath.Dir(target)
	}
	return exec.Command("xdg-open", target)
}

// RevealPath shows a workspace entry in the desktop's file manager: its
// folder (selected where the file manager can). The path must lead to
// something inside the workspace once links are resolved.
func (s *Studio) RevealPath(req RevealRequest) error {
	if s.cfg.Mode != ModeDesktop {
		return ErrNotDesktop
	}
	ws, err := s.workspaceByID(req.WorkspaceID)
	if err != nil {
		return err
	}
	target, err := workspace.Resolve(ws.Root, req.Path)
	if err != nil {
		return fmt.Errorf("reveal: %w", err)
	}
	fi, err := os.Stat(target)
	if err != nil {
		return fmt.Errorf("reveal %s: %w", req.Path, err)
	}
	cmd := revealCommand(target, fi.IsDir())
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open the file manager: %w", err)
	}
	go func() { _ = cmd.Wait() }() // the file manager outlives the request
	return nil
}

// workspaceByID returns an open workspace.
func (s *Studio) workspaceByID(id string) (Workspace, error) {
	s.mu.Lock()
	ws, ok := s.workspaces[id]
	s.mu.Unlock()
	if !ok {
		return Workspace{}, fmt.Errorf("%w: %s", ErrUnknownWorkspace, id)
	}
	return ws, nil
}

// markIgnored sets the Ignored flag of listed entries from the open
// workspace's ignore rules (the watcher's and index's own Ignorer).
func (s *Studio) markIgnored(workspaceID string, entries []workspace.Entry) {
	s.mu.Lock()
	rt := s.runtimes[workspaceID]
	s.mu.Unlock()
	if rt == nil || rt.ign == nil {
		return
	}
	for i := range entries {
		entries[i].Ignored = rt.ign.Ignored(entries[i].Path, entries[i].Kind == workspace.KindDir)
	}
}
