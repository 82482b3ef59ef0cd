package studio

import (
	"context"

	"github.com/ice-studio/ice-studio/backend/kernel"
)

// RunHunks returns a run's staged changes split into hunks, for review:
// each file with its +/- counts, each hunk with its content hash.
func (s *Studio) RunHunks(req RunRequest) ([]kernel.FileHunks, error) {
	k, err := s.kernelOrErr()
	if err != nil {
		return nil, err
	}
	return k.Hunks(context.Background(), req.ID)
}

// CommitHunksRequest is the user's review of a validated run: the hunks
// accepted (their ids from RunHunks) and whole-file decisions by path
// ("accept" or "reject"). Every other hunk is rejected and stays staged.
type CommitHunksRequest struct {
	ID     string            `json:"id"`
	Accept []string          `json:"accept"`
	Files  map[string]string `json:"files"`
}

// CommitHunks commits the accepted part of a run (a recorded user
// decision); the rest stays staged until Commit or Abort.
func (s *Studio) CommitHunks(req CommitHunksRequest) (kernel.PartialResult, error) {
	k, err := s.kernelOrErr()
	if err != nil {
		return kernel.PartialResult{}, err
	}
	return k.CommitPartial(context.Background(), req.ID, kernel.ReviewDecision{Accept: req.Accept, Files: req.Files})
}
