package studio

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/search"
)

// SearchRequest is a text search in an open workspace.
type SearchRequest struct {
	WorkspaceID string       `json:"workspaceId"`
	Query       search.Query `json:"query"`
}

// SearchStarted names a search whose results arrive as search.results
// notifications.
type SearchStarted struct {
	ID string `json:"id"`
}

// SearchUpdate is one search.results notification: a batch of results,
// and with Done the search's end (Stats, or Error).
type SearchUpdate struct {
	ID      string              `json:"id"`
	Results []search.FileResult `json:"results"`
	Done    bool                `json:"done"`
	Stats   *search.Stats       `json:"stats,omitempty"`
	Error   string              `json:"error,omitempty"`
}

// SearchResult is a whole search's outcome.
type SearchResult struct {
	Results []search.FileResult `json:"results"`
	Stats   search.Stats        `json:"stats"`
}

var searchSeq atomic.Int64

func (s *Studio) searchSource(ctx context.Context, rt *wsRuntime) (search.Source, error) {
	files, err := rt.files(ctx)
	if err != nil {
		return search.Source{}, err
	}
	src := search.Source{Root: rt.ws.Root, Index: rt.index}
	for _, f := range files {
		if textFile(f) {
			src.Targets = append(src.Targets, search.Target{Path: f.Path, Hash: f.Hash, Size: f.Size})
		}
	}
	return src, nil
}

// StartSearch starts a text search; its results are published as they are
// found (search.results), and CancelSearch stops it. Bad queries are
// refused here, before anything is published.
func (s *Studio) StartSearch(req SearchRequest) (SearchStarted, error) {
	rt, err := s.runtimeOf(req.WorkspaceID)
	if err != nil {
		return SearchStarted{}, err
	}
	if err := search.Validate(req.Query); err != nil {
		return SearchStarted{}, err
	}
	id := fmt.Sprintf("search-%d", searchSeq.Add(1))
	ctx, cancel := context.WithCancel(s.bg)
	s.mu.Lock()
	s.searches[id] = cancel
	s.mu.Unlock()
	go func() {
		defer func() {
			s.mu.Lock()
			delete(s.searches, id)
			s.mu.Unlock()
			cancel()
		}()
		up := SearchUpdate{ID: id, Done: true}
		src, err := s.searchSource(ctx, rt)
		if err == nil {
			var st search.Stats
			st, err = search.Run(ctx, src, req.Query, func(rs []search.FileResult) {
				s.cfg.Bus.Publish(bus.SearchResults, SearchUpdate{ID: id, Results: rs})
			})
			up.Stats = &st
		}
		if errors.Is(err, context.Canceled) {
			err = errors.New("cancelled")
		}
		if err != nil {
			up.Error = err.Error()
		}
		up.Results = []search.FileResult{}
		s.cfg.Bus.Publish(bus.SearchResults, up)
	}()
	return SearchStarted{ID: id}, nil
}

// CancelSearchRequest names a running search.
type CancelSearchRequest struct {
	ID string `json:"id"`
}

// CancelSearch stops a running search (one already finished is not an error).
func (s *Studio) CancelSearch(req CancelSearchRequest) error {
	s.mu.Lock()
	cancel := s.searches[req.ID]
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	return nil
}

// Search runs a text search to its end and returns everything it found,
// sorted by path (the CLI and tests use it; the UI streams).
func (s *Studio) Search(ctx context.Context, req SearchRequest) (SearchResult, error) {
	rt, err := s.runtimeOf(req.WorkspaceID)
	if err != nil {
		return SearchResult{}, err
	}
	src, err := s.searchSource(ctx, rt)
	if err != nil {
		return SearchResult{}, err
	}
	out := SearchResult{Results: []search.FileResult{}}
	out.Stats, err = search.Run(ctx, src, req.Query, func(rs []search.FileResult) { out.Results = append(out.Results, rs...) })
	search.SortResults(out.Results)
	return out, err
}

// FindFilesRequest is a quick-open query.
type FindFilesRequest struct {
	WorkspaceID string `json:"workspaceId"`
	Query       string `json:"query"`
	Limit       int    `json:"limit"`
}

// FindFiles ranks the workspace's files by a fuzzy match of their path.
func (s *Studio) FindFiles(req FindFilesRequest) ([]search.FileMatch, error) {
	rt, err := s.runtimeOf(req.WorkspaceID)
	if err != nil {
		return nil, err
	}
	paths, err := rt.quickOpenPaths(context.Background())
	if err != nil {
		return nil, err
	}
	limit := req.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if m := search.Fuzzy(paths, req.Query, limit); m != nil {
		return m, nil
	}
	return []search.FileMatch{}, nil // no match is an empty list, not null
}
