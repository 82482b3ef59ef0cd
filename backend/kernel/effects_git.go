package kernel

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/git"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// A git commit of a committed run's files. After a run's Commit has
// written its files, the user may record exactly those files, and nothing
// else, in a commit of the workspace's git repository. It is an effect of
// the run like any other, on the run's stream:
//
//	git.commit_requested (the user, with the message as edited)
//	→ resolve: every file still inside the workspace once links are
//	  resolved, outside .git, and still as the run wrote it
//	→ authorize: git.commit, decided by the workspace policy and grants
//	  (asked by default, through the run's approval cards)
//	→ perform: git add / rm --cached of those paths, git commit --only
//	→ record: effect.git_committed (hash, files, message) or
//	  effect.git_failed (with git's own words: a hook, no identity).

// ErrNotGitCommittable is a git commit the run cannot have.
var ErrNotGitCommittable = errors.New("cannot commit the run's files to git")

// GitCommitRequest asks for a git commit of a committed run's files.
type GitCommitRequest struct {
	Run     string `json:"run"`
	Message string `json:"message"`
}

// States of a git commit, as GitCommitResult.State.
const (
	GitCommitDone    = "committed"
	GitCommitFailed  = "failed"
	GitCommitWaiting = "waiting" // for the user's answer on the run's approval card
)

// GitCommitResult is how a git commit request ended, or that it waits.
type GitCommitResult struct {
	State   string   `json:"state"`
	Hash    string   `json:"hash,omitempty"`
	Branch  string   `json:"branch,omitempty"`
	Files   []string `json:"files"`
	Message string   `json:"message"`
	Error   string   `json:"error,omitempty"`
	Stderr  string   `json:"stderr,omitempty"`
	Ask     string   `json:"ask,omitempty"` // the approval it waits for
}

// maxGitStderr bounds what of git's error output is recorded.
const maxGitStderr = 64 << 10

// gitKey is the key of a git commit under way in Kernel.active (beside
// the run's own worker, which has long finished).
func gitKey(run string) string { return "git/" + run }

func (k *Kernel) git() git.Runner { return git.Runner{Environ: k.environ} }

// GitCommit commits the files a committed run wrote to the workspace's git
// repository with message. It returns when the commit is made or failed,
// or as soon as it waits for the user's approval (State GitCommitWaiting:
// the answer on the run's approval card lets it go on, and the outcome is
// recorded on the run). What is refused before anything happens (not a
// committed run, no repository, a merge in progress, a commit already
// made) is an error and records nothing.
func (k *Kernel) GitCommit(ctx context.Context, req GitCommitRequest) (GitCommitResult, error) {
	msg := strings.TrimSpace(req.Message)
	if msg == "" {
		return GitCommitResult{}, fmt.Errorf("%w: a commit message is needed", ErrNotGitCommittable)
	}
	key := gitKey(req.Run)
	k.mu.Lock()
	closed, busy := k.closed, k.active[key] != nil
	k.mu.Unlock()
	switch {
	case closed:
		return GitCommitResult{}, ErrShutdown
	case busy:
		return GitCommitResult{}, fmt.Errorf("%w: a git commit of this run is under way (it may be waiting for your approval)", ErrNotGitCommittable)
	}
	unlock := k.lock(req.Run)
	info, files, root, err := k.gitPrecheck(ctx, req.Run)
	if err != nil {
		unlock()
		return GitCommitResult{}, err
	}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = f.Path
	}
	if _, err := k.record(ctx, &info, eventlog.GitCommitRequested, eventlog.OriginUser, GitCommitRequestedPayload{Message: msg, Files: paths}, ""); err != nil {
		unlock()
		return GitCommitResult{}, err
	}
	unlock()

	gctx, cancel := context.WithCancelCause(context.Background())
	a := &active{cancel: cancel, stop: cancel, done: make(chan struct{})}
	k.mu.Lock()
	k.active[key] = a
	k.mu.Unlock()
	results := make(chan GitCommitResult, 1)
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		defer close(a.done)
		defer cancel(nil)
		e := &gitCommitEffect{files: files, message: msg, res: GitCommitResult{Files: paths, Message: msg}}
		rc := &runCtx{k: k, info: &info, root: root, userStep: true, reads: map[string]string{}, staged: map[string]string{}}
		_, err := rc.do(gctx, e)
		if err != nil {
			e.res.State, e.res.Error = GitCommitFailed, err.Error()
			var denied *DeniedError
			if !errors.As(err, &denied) && !e.recorded {
				// Stopped while waiting (shutdown): the request gets an outcome.
				if rerr := rc.emit(context.Background(), eventlog.EffectGitFailed,
					GitFailedPayload{Files: paths, Message: msg, Error: err.Error()}); rerr != nil {
					k.log.Error("record git failure", "run", info.ID, "err", rerr)
				}
			}
		}
		k.mu.Lock()
		delete(k.active, key)
		k.mu.Unlock()
		k.notifyAsk(info.ID) // the run's view shows the outcome
		results <- e.res
	}()

	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case r := <-results:
			return r, nil
		case <-tick.C:
			for _, ask := range k.Asks(info.Workspace) {
				if ask.Run == info.ID && ask.Kind == capability.GitCommit {
					return GitCommitResult{State: GitCommitWaiting, Files: paths, Message: msg, Ask: ask.ID}, nil
				}
			}
		case <-ctx.Done():
			return GitCommitResult{State: GitCommitWaiting, Files: paths, Message: msg}, nil
		}
	}
}

// gitPrecheck loads a run that may be committed to git, its files and
// the workspace root. The caller holds the run's lock.
func (k *Kernel) gitPrecheck(ctx context.Context, run string) (RunInfo, []RunFile, string, error) {
	info, err := k.load(ctx, run)
	if err != nil {
		return RunInfo{}, nil, "", err
	}
	if info.Outcome != OutcomeCommitted {
		return RunInfo{}, nil, "", fmt.Errorf("%w: only a committed run's files can be (this run is %s)", ErrNotGitCommittable, info.State)
	}
	if hash, err := GitCommitOf(ctx, k.cfg.ReadDB, run); err != nil {
		return RunInfo{}, nil, "", err
	} else if hash != "" {
		return RunInfo{}, nil, "", fmt.Errorf("%w: they are in git commit %s already", ErrNotGitCommittable, short(hash))
	}
	files, err := RunFiles(ctx, k.cfg.ReadDB, run)
	if err != nil {
		return RunInfo{}, nil, "", err
	}
	if len(files) == 0 {
		return RunInfo{}, nil, "", fmt.Errorf("%w: the run wrote no files", ErrNotGitCommittable)
	}
	root, err := k.cfg.Roots(ctx, info.Workspace)
	if err != nil {
		return RunInfo{}, nil, "", err
	}
	repo, err := k.git().Find(ctx, root)
	if err != nil {
		return RunInfo{}, nil, "", fmt.Errorf("%w: %w", ErrNotGitCommittable, err)
	}
	if what := git.InProgress(repo.GitDir); what != "" {
		return RunInfo{}, nil, "", fmt.Errorf("%w: %s is in progress in the repository; finish or abort it first", ErrNotGitCommittable, what)
	}
	return info, files, root, nil
}

// RunFile is a file a run wrote, with the content it left ("" deleted).
type RunFile struct {
	Path  string `json:"path"`
	After string `json:"after"`
}

// RunFiles lists the files a run wrote (effect.file_written), in the
// order first written, each once with its last content.
func RunFiles(ctx context.Context, db *sql.DB, run string) ([]RunFile, error) {
	rows, err := db.QueryContext(ctx, `SELECT payload FROM events WHERE run = ? AND type = ? ORDER BY seq`, run, eventlog.EffectFileWritten)
	if err != nil {
		return nil, fmt.Errorf("files of run %s: %w", run, err)
	}
	defer rows.Close()
	var out []RunFile
	at := map[string]int{}
	for rows.Next() {
		var payload []byte
		if err := rows.Scan(&payload); err != nil {
			return nil, err
		}
		var p WrittenPayload
		if err := json.Unmarshal(payload, &p); err != nil {
			return nil, fmt.Errorf("files of run %s: %w", run, err)
		}
		after := p.After
		if p.Op == OpDelete {
			after = ""
		}
		if i, ok := at[p.Path]; ok {
			out[i].After = after
			continue
		}
		at[p.Path] = len(out)
		out = append(out, RunFile{Path: p.Path, After: after})
	}
	return out, rows.Err()
}

// GitCommitOf returns the hash of the git commit a run's files went into
// ("" none yet).
func GitCommitOf(ctx context.Context, db *sql.DB, run string) (string, error) {
	var payload []byte
	err := db.QueryRowContext(ctx, `SELECT payload FROM events WHERE run = ? AND type = ? ORDER BY seq DESC LIMIT 1`,
		run, eventlog.EffectGitCommitted).Scan(&payload)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("git commit of run %s: %w", run, err)
	}
	var p GitCommittedPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return "", err
	}
	return p.Hash, nil
}

// gitCommitEffect is the commit of a run's files to git.
type gitCommitEffect struct {
	files    []RunFile
	message  string
	res      GitCommitResult
	recorded bool // perform produced the outcome event
}

func (e *gitCommitEffect) resolve(_ context.Context, rc *runCtx) (capability.Request, *EffectDetail, error) {
	for _, f := range e.files {
		clean, err := workspace.CleanRel(f.Path)
		if err != nil {
			return capability.Request{}, nil, refuse(capability.GitCommit, f.Path, err.Error())
		}
		if workspace.InGit(clean) {
			return capability.Request{}, nil, refuse(capability.GitCommit, f.Path, "it is inside the .git folder")
		}
		real, err := workspace.RealPath(rc.root, clean)
		switch {
		case errors.Is(err, workspace.ErrOutside):
			return capability.Request{}, nil, refuse(capability.GitCommit, f.Path, leadsOutside)
		case err != nil:
			return capability.Request{}, nil, refuse(capability.GitCommit, f.Path, err.Error())
		case real != clean:
			return capability.Request{}, nil, refuse(capability.GitCommit, f.Path,
				fmt.Sprintf("it is now a symbolic link (to %s): git would commit the link, not the file the run wrote", real))
		}
		cur, err := diskHash(rc.root, clean)
		if err != nil {
			return capability.Request{}, nil, refuse(capability.GitCommit, f.Path, err.Error())
		}
		if cur != f.After {
			return capability.Request{}, nil, refuse(capability.GitCommit, f.Path,
				"it changed since the run committed it: the git commit would hold changes that are not the run's")
		}
	}
	paths := make([]string, len(e.files))
	for i, f := range e.files {
		paths[i] = f.Path
	}
	argv := append([]string{"git", "commit", "--only", "-m", e.message, "--"}, paths...)
	return capability.Request{Kind: capability.GitCommit}, &EffectDetail{Argv: argv, Dir: "."}, nil
}

func (e *gitCommitEffect) perform(ctx context.Context, rc *runCtx, _ decided) (outcome, error) {
	e.recorded = true
	c, err := rc.k.git().Commit(ctx, rc.root, e.res.Files, e.message)
	if err != nil {
		p := GitFailedPayload{Files: e.res.Files, Message: e.message, Error: err.Error()}
		var ge *git.Error
		if errors.As(err, &ge) {
			p.Stderr, p.Code = ge.Stderr, ge.Code
			if len(p.Stderr) > maxGitStderr {
				p.Stderr = p.Stderr[:maxGitStderr] + "\n…"
			}
		}
		e.res.State, e.res.Error, e.res.Stderr = GitCommitFailed, p.Error, p.Stderr
		return outcome{typ: eventlog.EffectGitFailed, payload: p}, nil
	}
	e.res.State, e.res.Hash, e.res.Branch, e.res.Files = GitCommitDone, c.Hash, c.Branch, c.Files
	return outcome{typ: eventlog.EffectGitCommitted, payload: GitCommittedPayload{Hash: c.Hash, Branch: c.Branch, Files: c.Files, Message: e.message}}, nil
}
