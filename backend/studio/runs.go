package studio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// maxView bounds the text of one file sent to the UI (viewer and diffs).
const maxView = 2 << 20

// roots resolves a workspace id to its folder for the kernel.
func (s *Studio) roots(ctx context.Context, id string) (string, error) {
	s.mu.Lock()
	ws, ok := s.workspaces[id]
	s.mu.Unlock()
	if ok {
		return ws.Root, nil
	}
	k, ok, err := workspace.LookupID(ctx, s.events.ReadDB(), id)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("%w: %s", ErrUnknownWorkspace, id)
	}
	return k.Root, nil
}

func (s *Studio) kernelOrErr() (*kernel.Kernel, error) {
	if s.kernel == nil {
		return nil, fmt.Errorf("%w: runs need it (%v)", ErrNoEventLog, s.logErr)
	}
	return s.kernel, nil
}

// RunChanged is the payload of the run.changed notification.
type RunChanged struct {
	Run   string       `json:"run"`
	State kernel.State `json:"state"`
}

func (s *Studio) notifyRun(run string, state kernel.State) {
	s.cfg.Bus.Publish(bus.RunChanged, RunChanged{Run: run, State: state})
}

// ListRunsRequest selects the runs of one workspace ("" for all).
type ListRunsRequest struct {
	WorkspaceID string `json:"workspaceId"`
}

// ListRuns returns runs, newest first.
func (s *Studio) ListRuns(req ListRunsRequest) ([]kernel.RunInfo, error) {
	k, err := s.kernelOrErr()
	if err != nil {
		return nil, err
	}
	runs, err := kernel.ListRuns(context.Background(), s.events.ReadDB(), req.WorkspaceID, 500)
	if err != nil {
		return nil, err
	}
	waiting := map[string]bool{}
	for _, a := range k.Asks(req.WorkspaceID) {
		waiting[a.Run] = true
	}
	for i := range runs {
		runs[i].Waiting = waiting[runs[i].ID]
	}
	return runs, nil
}

// FileChange is one staged change with both sides as text, for the diff view.
type FileChange struct {
	Path         string `json:"path"`
	Op           string `json:"op"`
	Before       string `json:"before"`
	After        string `json:"after"`
	BeforeExists bool   `json:"beforeExists"`
	AfterExists  bool   `json:"afterExists"`
	Binary       bool   `json:"binary"`    // not shown as text
	Truncated    bool   `json:"truncated"` // a side was longer than the view limit
}

// RunDetail is a run with its staged changes.
type RunDetail struct {
	Run     kernel.RunInfo `json:"run"`
	Changes []FileChange   `json:"changes"`
	Asks    []kernel.Ask   `json:"asks"` // approvals the run waits for
}

// RunRequest names a run.
type RunRequest struct {
	ID string `json:"id"`
}

// GetRun returns a run and its staged changes, both sides of each diff read
// from the blob store (the log alone, not the disk).
func (s *Studio) GetRun(req RunRequest) (RunDetail, error) {
	k, err := s.kernelOrErr()
	if err != nil {
		return RunDetail{}, err
	}
	ctx := context.Background()
	info, err := k.Get(ctx, req.ID)
	if err != nil {
		return RunDetail{}, err
	}
	staged, err := kernel.StagedChanges(ctx, s.events.ReadDB(), req.ID)
	if err != nil {
		return RunDetail{}, err
	}
	d := RunDetail{Run: info, Changes: make([]FileChange, 0, len(staged)), Asks: []kernel.Ask{}}
	for _, a := range k.Asks(info.Workspace) {
		if a.Run == info.ID {
			d.Asks = append(d.Asks, a)
		}
	}
	for _, st := range staged {
		c := FileChange{Path: st.Path, Op: st.Op, BeforeExists: st.Base != "", AfterExists: st.After != ""}
		for _, side := range []struct {
			addr string
			dst  *string
		}{{st.Base, &c.Before}, {st.After, &c.After}} {
			if side.addr == "" {
				continue
			}
			b, err := s.events.GetBlob(ctx, side.addr)
			if err != nil {
				return RunDetail{}, fmt.Errorf("content of %s: %w", st.Path, err)
			}
			text, binary, truncated := asText(b)
			*side.dst = text
			c.Binary = c.Binary || binary
			c.Truncated = c.Truncated || truncated
		}
		d.Changes = append(d.Changes, c)
	}
	return d, nil
}

// asText returns b as text for display, or reports it binary.
func asText(b []byte) (string, bool, bool) {
	truncated := false
	if len(b) > maxView {
		b, truncated = b[:maxView], true
		// Do not count a character cut in half by the limit as binary.
		for i := 0; i < utf8.UTFMax-1 && len(b) > 0 && !utf8.Valid(b); i++ {
			b = b[:len(b)-1]
		}
	}
	if bytes.IndexByte(b, 0) >= 0 || !utf8.Valid(b) {
		return "", true, truncated
	}
	return string(b), false, truncated
}

// RunOptions are the choices common to every run the user starts.
type RunOptions struct {
	Profile           string `json:"profile"` // capability profile: ask, edit (default) or agent
	AutoCommit        bool   `json:"autoCommit"`
	ValidationCommand string `json:"validationCommand"` // e.g. "go test ./...", run on a copy
	MaxSteps          int    `json:"maxSteps"`
	WallClockSeconds  int    `json:"wallClockSeconds"`
}

func (o RunOptions) request(ws, task string) (kernel.StartRequest, error) {
	req := kernel.StartRequest{Workspace: ws, Task: task, AutoCommit: o.AutoCommit, Profile: o.Profile,
		Budget: kernel.Budget{MaxSteps: o.MaxSteps, WallClockMs: int64(o.WallClockSeconds) * 1000}}
	if cmd := strings.TrimSpace(o.ValidationCommand); cmd != "" {
		// Taken literally, like a model's: expansion, if any, happens
		// inside the sandbox (sh -c '…').
		argv, err := capability.SplitCommandLine(cmd)
		if err != nil {
			return req, fmt.Errorf("validation command %q: %w", cmd, err)
		}
		req.ValidationCommand = argv
		req.Grants = kernel.UserGrants(argv, "you set it when starting the run")
	}
	return req, nil
}

// StartEditRunRequest proposes new content for one file.
type StartEditRunRequest struct {
	WorkspaceID string     `json:"workspaceId"`
	Path        string     `json:"path"`
	Content     string     `json:"content"`
	Options     RunOptions `json:"options"`
}

// StartEditRun starts a run that stages the user's edit of one file.
func (s *Studio) StartEditRun(req StartEditRunRequest) (kernel.RunInfo, error) {
	k, err := s.kernelOrErr()
	if err != nil {
		return kernel.RunInfo{}, err
	}
	path, err := workspace.CleanRel(req.Path)
	if err != nil {
		return kernel.RunInfo{}, err
	}
	sr, err := req.Options.request(req.WorkspaceID, "Edit "+path)
	if err != nil {
		return kernel.RunInfo{}, err
	}
	// Proposing the edit is your decision to write this one file.
	sr.Grants = append(sr.Grants, kernel.CapGrantedPayload{Kind: capability.FSWrite, Scope: capability.Scope{Glob: kernel.LiteralGlob(path)},
		IssuedBy: "user", Reason: "you proposed this edit"})
	return k.Start(context.Background(), sr, &kernel.EditWorker{Path: path, Content: []byte(req.Content)})
}

// StartReplaceRunRequest replaces a text in every file under a folder.
type StartReplaceRunRequest struct {
	WorkspaceID string     `json:"workspaceId"`
	Find        string     `json:"find"`
	Replace     string     `json:"replace"`
	Under       string     `json:"under"`
	Options     RunOptions `json:"options"`
}

// StartReplaceRun starts a find-and-replace run.
func (s *Studio) StartReplaceRun(req StartReplaceRunRequest) (kernel.RunInfo, error) {
	k, err := s.kernelOrErr()
	if err != nil {
		return kernel.RunInfo{}, err
	}
	if req.Find == "" {
		return kernel.RunInfo{}, errors.New("say what text to find")
	}
	task := fmt.Sprintf("Replace %q with %q", req.Find, req.Replace)
	if req.Under != "" {
		task += " under " + req.Under
	}
	sr, err := req.Options.request(req.WorkspaceID, task)
	if err != nil {
		return kernel.RunInfo{}, err
	}
	if sr.Budget.MaxSteps == 0 {
		sr.Budget.MaxSteps = 20000
	}
	return k.Start(context.Background(), sr, &kernel.ReplaceWorker{Find: req.Find, Replace: req.Replace, Under: req.Under})
}

// ApproveRun records the user's approval and commits the run.
func (s *Studio) ApproveRun(req RunRequest) (kernel.RunInfo, error) {
	k, err := s.kernelOrErr()
	if err != nil {
		return kernel.RunInfo{}, err
	}
	return k.Approve(context.Background(), req.ID)
}

// AbortRunRequest names a run to abort and why.
type AbortRunRequest struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// AbortRun aborts a run; nothing it staged is applied.
func (s *Studio) AbortRun(req AbortRunRequest) (kernel.RunInfo, error) {
	k, err := s.kernelOrErr()
	if err != nil {
		return kernel.RunInfo{}, err
	}
	return k.Abort(context.Background(), req.ID, req.Reason)
}

// RevertRun starts a run that restores what a committed run changed.
func (s *Studio) RevertRun(req RunRequest) (kernel.RunInfo, error) {
	k, err := s.kernelOrErr()
	if err != nil {
		return kernel.RunInfo{}, err
	}
	return k.Revert(context.Background(), req.ID)
}

// WaitRun waits (up to 30 s) until a run's worker, validation and any
// auto-commit are done; the CLI and tests use it.
func (s *Studio) WaitRun(req RunRequest) (kernel.RunInfo, error) {
	k, err := s.kernelOrErr()
	if err != nil {
		return kernel.RunInfo{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return k.Wait(ctx, req.ID)
}

// ReadFileRequest names a file in a workspace.
type ReadFileRequest struct {
	WorkspaceID string `json:"workspaceId"`
	Path        string `json:"path"`
}

// FileContent is a file's content for the viewer.
type FileContent struct {
	Path      string `json:"path"`
	Content   string `json:"content"`
	Size      int64  `json:"size"`
	Binary    bool   `json:"binary"`
	Truncated bool   `json:"truncated"`
}

// ReadFile returns a workspace file's text (not recorded: viewing is not a run).
func (s *Studio) ReadFile(req ReadFileRequest) (FileContent, error) {
	root, err := s.roots(context.Background(), req.WorkspaceID)
	if err != nil {
		return FileContent{}, err
	}
	abs, err := workspace.Resolve(root, req.Path)
	if err != nil {
		return FileContent{}, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return FileContent{}, err
	}
	if fi.IsDir() {
		return FileContent{}, fmt.Errorf("%q %w", req.Path, workspace.ErrIsDir)
	}
	f, err := os.Open(abs)
	if err != nil {
		return FileContent{}, err
	}
	defer f.Close()
	buf := make([]byte, min(fi.Size(), maxView+1))
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return FileContent{}, fmt.Errorf("read %s: %w", req.Path, err)
	}
	text, binary, truncated := asText(buf[:n])
	return FileContent{Path: req.Path, Content: text, Size: fi.Size(), Binary: binary, Truncated: truncated || fi.Size() > maxView}, nil
}

// ReadBlobRequest names a blob by its SHA-256.
type ReadBlobRequest struct {
	Hash string `json:"hash"`
}

// BlobText is a blob's content for display (command output, file bodies).
type BlobText struct {
	Hash      string `json:"hash"`
	Text      string `json:"text"`
	Size      int64  `json:"size"`
	Binary    bool   `json:"binary"`
	Truncated bool   `json:"truncated"`
}

// ReadBlob returns a blob from the log's content store as text.
func (s *Studio) ReadBlob(req ReadBlobRequest) (BlobText, error) {
	store, err := s.logOrErr()
	if err != nil {
		return BlobText{}, err
	}
	b, err := store.GetBlob(context.Background(), req.Hash)
	if err != nil {
		return BlobText{}, err
	}
	text, binary, truncated := asText(b)
	return BlobText{Hash: req.Hash, Text: text, Size: int64(len(b)), Binary: binary, Truncated: truncated}, nil
}
