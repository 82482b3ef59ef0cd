// Package git runs the git command line for the Studio: the status the
// explorer decorates files with, and the commit of exactly a run's files.
// git runs as a plain child process (it is the user's own tool on the
// user's own repository, started by the user's action), never through a
// shell, with a clean environment: no GIT_DIR or other GIT_* variable of
// the Studio's environment can point it elsewhere, no pager, no prompt, no
// optional locks, literal pathspecs, and a timeout.
package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Errors of the package.
var (
	// ErrNoGit is git missing from PATH.
	ErrNoGit = errors.New("git is not installed (no git program on the PATH)")
	// ErrNotRepo is a folder that is not inside a git repository.
	ErrNotRepo = errors.New("the folder is not in a git repository")
	// ErrInProgress is a merge, rebase, cherry-pick or revert under way.
	ErrInProgress = errors.New("the repository is in the middle of an operation")
	// ErrNothing is a commit whose files do not differ from the last commit.
	ErrNothing = errors.New("nothing to commit")
)

// Timeouts of the git commands.
const (
	StatusTimeout = 15 * time.Second
	CommitTimeout = 2 * time.Minute // hooks may run the project's checks
)

// MaxEntries caps a status: a tree with more changed or untracked files
// than this shows the first ones and says it is truncated.
const MaxEntries = 50_000

// Status codes of an entry, as the explorer shows them.
const (
	Modified  = "M"
	Added     = "A"
	Deleted   = "D"
	Renamed   = "R"
	Untracked = "U"
	Ignored   = "!"
	Conflict  = "C"
)

// Error is a git command that failed: its arguments and what it said.
type Error struct {
	Args   []string
	Code   int // exit code, -1 when it did not run to the end
	Stderr string
	Err    error
}

func (e *Error) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("git %s failed: %s", strings.Join(e.Args, " "), msg)
}

func (e *Error) Unwrap() error { return e.Err }

// keptEnv are the variables of the Studio's environment git may see:
// where to find programs and the user's configuration (identity, signing
// keys), nothing that redirects git itself.
var keptEnv = []string{"PATH", "HOME", "USER", "LOGNAME", "XDG_CONFIG_HOME", "TMPDIR", "GNUPGHOME",
	"SYSTEMROOT", "USERPROFILE", "APPDATA", "LOCALAPPDATA", "HOMEDRIVE", "HOMEPATH", "PROGRAMDATA", "TEMP", "TMP"}

// Env is the environment git runs with, built from environ (os.Environ's
// form): the kept variables, plus the settings that make git predictable
// and non-interactive.
func Env(environ []string) []string {
	out := []string{}
	for _, kv := range environ {
		name, _, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		for _, k := range keptEnv {
			if name == k || (runtime.GOOS == "windows" && strings.EqualFold(name, k)) {
				out = append(out, kv)
				break
			}
		}
	}
	return append(out,
		"LC_ALL=C", "LANG=C",
		"GIT_OPTIONAL_LOCKS=0",  // a status must not take the index lock from the user's own git
		"GIT_TERMINAL_PROMPT=0", // never wait on a terminal nobody sees
		"GIT_PAGER=cat", "PAGER=cat",
		"GIT_EDITOR=true",         // a commit never opens an editor
		"GIT_LITERAL_PATHSPECS=1", // a file named "*" or ":(top)" is that file
	)
}

// safeConfig are settings given on the command line of every git run: a
// repository's own config cannot make a status start a program.
var safeConfig = []string{"-c", "core.fsmonitor=false", "-c", "core.pager=cat"}

// Runner runs git in folders.
type Runner struct {
	// Program is the git executable ("" looks up "git" on PATH).
	Program string
	// Environ is the environment the clean one is built from (nil: os.Environ).
	Environ func() []string
}

// run runs git with args in dir and returns its standard output.
func (r Runner) run(ctx context.Context, dir string, stdin []byte, args ...string) ([]byte, error) {
	prog := r.Program
	if prog == "" {
		p, err := exec.LookPath("git")
		if err != nil {
			return nil, ErrNoGit
		}
		prog = p
	}
	environ := os.Environ
	if r.Environ != nil {
		environ = r.Environ
	}
	full := append(append([]string(nil), safeConfig...), args...)
	cmd := exec.CommandContext(ctx, prog, full...)
	cmd.Dir = dir
	cmd.Env = Env(environ())
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Run(); err != nil {
		code := -1
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		if errors.Is(err, exec.ErrNotFound) || (ee == nil && errors.Is(err, os.ErrNotExist)) {
			return nil, ErrNoGit
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (git took too long)", ctx.Err())
		}
		return stdout.Bytes(), &Error{Args: args, Code: code, Stderr: stderr.String(), Err: err}
	}
	return stdout.Bytes(), nil
}

// Repo is where a folder sits in its repository.
type Repo struct {
	Top    string // the work tree's root
	GitDir string // the repository's git folder (absolute)
	Prefix string // the folder relative to Top, slash-separated, "" or ending in "/"
}

// Find locates the repository of dir; a folder outside any repository is
// ErrNotRepo.
func (r Runner) Find(ctx context.Context, dir string) (Repo, error) {
	out, err := r.run(ctx, dir, nil, "rev-parse", "--show-toplevel", "--absolute-git-dir", "--show-prefix")
	if err != nil {
		var ge *Error
		if errors.As(err, &ge) && strings.Contains(ge.Stderr, "not a git repository") {
			return Repo{}, ErrNotRepo
		}
		return Repo{}, err
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) < 2 {
		return Repo{}, fmt.Errorf("git rev-parse: unexpected answer %q", out)
	}
	repo := Repo{Top: lines[0], GitDir: lines[1]}
	if len(lines) > 2 {
		repo.Prefix = lines[2]
	}
	if repo.Top == "" {
		return Repo{}, fmt.Errorf("%w (a bare repository, or inside the git folder)", ErrNotRepo)
	}
	return repo, nil
}

// InProgress names the operation under way in a repository ("" none): a
// commit in the middle of one would record something else than the run.
func InProgress(gitDir string) string {
	for _, c := range []struct{ file, what string }{
		{"MERGE_HEAD", "a merge"}, {"CHERRY_PICK_HEAD", "a cherry-pick"}, {"REVERT_HEAD", "a revert"},
		{"rebase-merge", "a rebase"}, {"rebase-apply", "a rebase or am"},
	} {
		if _, err := os.Lstat(filepath.Join(gitDir, c.file)); err == nil {
			return c.what
		}
	}
	return ""
}

// Status is a folder's git status as the explorer shows it.
type Status struct {
	Repo   bool   `json:"repo"`
	Branch string `json:"branch"` // "" when HEAD is detached
	Head   string `json:"head"`   // the commit checked out ("" before the first)
	// Entries maps folder-relative slash paths to a status code
	// (Modified, Added, …); an ignored folder is listed as itself.
	Entries   map[string]string `json:"entries"`
	Truncated bool              `json:"truncated"`
}

// Status reads the status of dir's part of its repository; a folder in
// no repository is a Status with Repo false, not an error.
func (r Runner) Status(ctx context.Context, dir string) (Status, error) {
	ctx, cancel := context.WithTimeout(ctx, StatusTimeout)
	defer cancel()
	repo, err := r.Find(ctx, dir)
	if errors.Is(err, ErrNotRepo) {
		return Status{Entries: map[string]string{}}, nil
	}
	if err != nil {
		return Status{}, err
	}
	out, err := r.run(ctx, dir, nil, "status", "--porcelain=v2", "-z", "--branch", "--ignored=matching",
		"--untracked-files=all", "--", ".")
	if err != nil {
		return Status{}, err
	}
	st := ParseStatus(out, repo.Prefix)
	return st, nil
}

// ParseStatus parses `git status --porcelain=v2 -z --branch` output.
// prefix is the folder's path in the repository (Repo.Prefix): paths are
// given relative to it, and entries outside it are left out.
func ParseStatus(out []byte, prefix string) Status {
	st := Status{Repo: true, Entries: map[string]string{}}
	recs := strings.Split(string(out), "\x00")
	for i := 0; i < len(recs); i++ {
		rec := recs[i]
		if rec == "" {
			continue
		}
		var path, code string
		switch rec[0] {
		case '#':
			if h, ok := strings.CutPrefix(rec, "# branch.head "); ok && h != "(detached)" {
				st.Branch = h
			} else if o, ok := strings.CutPrefix(rec, "# branch.oid "); ok && o != "(initial)" {
				st.Head = o
			}
			continue
		case '1':
			f := strings.SplitN(rec, " ", 9)
			if len(f) < 9 {
				continue
			}
			path, code = f[8], codeOf(f[1])
		case '2':
			f := strings.SplitN(rec, " ", 10)
			if len(f) < 10 {
				continue
			}
			path, code = f[9], codeOf(f[1])
			i++ // the original path follows
		case 'u':
			f := strings.SplitN(rec, " ", 11)
			if len(f) < 11 {
				continue
			}
			path, code = f[10], Conflict
		case '?':
			path, code = rec[2:], Untracked
		case '!':
			path, code = rec[2:], Ignored
		default:
			continue
		}
		rel, ok := strings.CutPrefix(path, prefix)
		if !ok || rel == "" {
			continue
		}
		rel = strings.TrimSuffix(rel, "/")
		if len(st.Entries) >= MaxEntries {
			st.Truncated = true
			break
		}
		st.Entries[rel] = code
	}
	return st
}

// codeOf turns a porcelain XY pair (index, work tree) into one code.
func codeOf(xy string) string {
	if len(xy) != 2 {
		return Modified
	}
	x, y := xy[0], xy[1]
	switch {
	case x == 'D' || y == 'D':
		return Deleted
	case x == 'R':
		return Renamed
	case x == 'A' || x == 'C':
		return Added
	}
	return Modified
}

// Committed is a commit made by Commit.
type Committed struct {
	Hash   string   `json:"hash"`
	Branch string   `json:"branch"`
	Files  []string `json:"files"` // the paths in the commit (unchanged ones are left out)
	Stderr string   `json:"stderr,omitempty"`
}

// Commit records exactly paths (slash paths relative to dir, as they are
// on disk now: present files are added, missing ones removed) in a new
// commit with message, leaving whatever else is staged or modified out of
// it (`git commit --only`). It never adds anything but paths. It refuses a
// repository in the middle of a merge, rebase, cherry-pick or revert.
func (r Runner) Commit(ctx context.Context, dir string, paths []string, message string) (Committed, error) {
	ctx, cancel := context.WithTimeout(ctx, CommitTimeout)
	defer cancel()
	if strings.TrimSpace(message) == "" {
		return Committed{}, errors.New("a commit message is needed")
	}
	if len(paths) == 0 {
		return Committed{}, errors.New("no files to commit")
	}
	repo, err := r.Find(ctx, dir)
	if err != nil {
		return Committed{}, err
	}
	if what := InProgress(repo.GitDir); what != "" {
		return Committed{}, fmt.Errorf("%w: %s is in progress; finish or abort it first", ErrInProgress, what)
	}
	var present, missing []string
	for _, p := range paths {
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(p))); err == nil {
			present = append(present, p)
		} else {
			missing = append(missing, p)
		}
	}
	if len(present) > 0 {
		if _, err := r.run(ctx, dir, nil, append([]string{"add", "--"}, present...)...); err != nil {
			return Committed{}, err
		}
	}
	if len(missing) > 0 {
		if _, err := r.run(ctx, dir, nil, append([]string{"rm", "--cached", "--quiet", "--ignore-unmatch", "--"}, missing...)...); err != nil {
			return Committed{}, err
		}
	}
	// Only the paths that differ from the last commit go in: git refuses
	// a pathspec that matches nothing it knows.
	out, err := r.run(ctx, dir, nil, append([]string{"diff", "--cached", "--name-only", "-z", "--relative", "--"}, paths...)...)
	if err != nil {
		return Committed{}, err
	}
	var changed []string
	for _, p := range strings.Split(string(out), "\x00") {
		if p != "" {
			changed = append(changed, p)
		}
	}
	if len(changed) == 0 {
		return Committed{}, fmt.Errorf("%w: the files are the same as in the last commit", ErrNothing)
	}
	args := append([]string{"commit", "--only", "--no-edit", "-F", "-", "--"}, changed...)
	if _, err := r.run(ctx, dir, []byte(message), args...); err != nil {
		return Committed{}, err
	}
	head, err := r.run(ctx, dir, nil, "rev-parse", "HEAD")
	if err != nil {
		return Committed{}, err
	}
	branch, _ := r.run(ctx, dir, nil, "symbolic-ref", "--short", "-q", "HEAD")
	return Committed{Hash: strings.TrimSpace(string(head)), Branch: strings.TrimSpace(string(branch)), Files: changed}, nil
}
