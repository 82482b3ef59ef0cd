package git_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/git"
)

// MustRepo makes a git repository in a temporary folder with files
// committed, an identity configured locally and nothing else.
func MustRepo(tb testing.TB, files map[string]string) string {
	tb.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		tb.Skip("git is not installed")
	}
	dir, _ := filepath.EvalSymlinks(tb.TempDir())
	MustGit(tb, dir, "init", "-q", "-b", "main")
	MustGit(tb, dir, "config", "user.name", "Test")
	MustGit(tb, dir, "config", "user.email", "test@example.com")
	MustGit(tb, dir, "config", "commit.gpgsign", "false")
	write(tb, dir, files)
	MustGit(tb, dir, "add", "-A")
	MustGit(tb, dir, "commit", "-q", "-m", "initial")
	return dir
}

// MustGit runs git in dir (with the test's own environment) and returns its output.
func MustGit(tb testing.TB, dir string, args ...string) string {
	tb.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func write(tb testing.TB, dir string, files map[string]string) {
	tb.Helper()
	for p, body := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestParseStatus(t *testing.T) {
	out := strings.Join([]string{
		"# branch.oid 4c2da888e40e12c25b80d9b0c23d538ec3a8c735", "# branch.head main",
		"1 A. N... 000000 100644 100644 0000 bca7 added.txt",
		"1 .M N... 100644 100644 100644 6178 6178 b.txt",
		"1 .D N... 100644 100644 000000 6178 6178 gone.txt",
		"2 R. N... 100644 100644 100644 7898 7898 R100 sub/c d.txt", "sub/a.txt",
		"u UU N... 100644 100644 100644 100644 1 2 3 both.txt",
		"? sub/new.txt", "! node_modules/", "! x.log", "",
	}, "\x00")
	got := git.ParseStatus([]byte(out), "")
	want := map[string]string{"added.txt": "A", "b.txt": "M", "gone.txt": "D", "sub/c d.txt": "R", "both.txt": "C",
		"sub/new.txt": "U", "node_modules": "!", "x.log": "!"}
	if !reflect.DeepEqual(got.Entries, want) || got.Branch != "main" || !got.Repo || got.Head == "" {
		t.Errorf("ParseStatus = %+v\nwant entries %v on main", got, want)
	}
	sub := git.ParseStatus([]byte(out), "sub/")
	if want := map[string]string{"c d.txt": "R", "new.txt": "U"}; !reflect.DeepEqual(sub.Entries, want) {
		t.Errorf("ParseStatus(prefix sub/) = %v, want %v", sub.Entries, want)
	}
	if d := git.ParseStatus([]byte("# branch.oid (initial)\x00# branch.head (detached)\x00"), ""); d.Branch != "" || d.Head != "" {
		t.Errorf("detached, initial: %+v", d)
	}
}

func TestStatusOfRealRepo(t *testing.T) {
	dir := MustRepo(t, map[string]string{".gitignore": "node_modules/\n*.log\n", "a.txt": "a\n", "sub/b.txt": "b\n"})
	write(t, dir, map[string]string{"a.txt": "changed\n", "sub/new.txt": "n\n", "debug.log": "x", "node_modules/m/i.js": "x"})
	r := git.Runner{}
	st, err := r.Status(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a.txt": "M", "sub/new.txt": "U", "debug.log": "!", "node_modules": "!"}
	if !reflect.DeepEqual(st.Entries, want) || st.Branch != "main" {
		t.Errorf("Status = %+v, want %v on main", st, want)
	}
	// A workspace that is a folder of the repository sees its own part, relative to itself.
	st, err = r.Status(context.Background(), filepath.Join(dir, "sub"))
	if err != nil || !reflect.DeepEqual(st.Entries, map[string]string{"new.txt": "U"}) {
		t.Errorf("Status(sub) = %+v, %v", st, err)
	}
	// GIT_DIR in the Studio's environment does not redirect git.
	other := MustRepo(t, map[string]string{"z.txt": "z"})
	r.Environ = func() []string { return append(os.Environ(), "GIT_DIR="+filepath.Join(other, ".git")) }
	if st, err := r.Status(context.Background(), dir); err != nil || st.Entries["a.txt"] != "M" {
		t.Errorf("Status with GIT_DIR set elsewhere = %+v, %v", st, err)
	}
}

func TestStatusOutsideRepo(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	st, err := git.Runner{}.Status(context.Background(), dir)
	if err != nil || st.Repo {
		t.Errorf("Status(not a repo) = %+v, %v; want repo false, no error", st, err)
	}
	if _, err := (git.Runner{Program: filepath.Join(dir, "no-git")}).Status(context.Background(), dir); !errors.Is(err, git.ErrNoGit) {
		t.Errorf("Status without git = %v, want ErrNoGit", err)
	}
}

func TestEnvIsClean(t *testing.T) {
	env := git.Env([]string{"PATH=/bin", "HOME=/h", "GIT_DIR=/evil", "GIT_WORK_TREE=/evil", "SECRET_TOKEN=x", "GIT_CONFIG_PARAMETERS='a.b=c'"})
	joined := strings.Join(env, "\n")
	for _, bad := range []string{"GIT_DIR", "GIT_WORK_TREE", "SECRET_TOKEN", "GIT_CONFIG_PARAMETERS"} {
		if strings.Contains(joined, bad+"=") {
			t.Errorf("Env kept %s: %v", bad, env)
		}
	}
	for _, good := range []string{"PATH=/bin", "HOME=/h", "GIT_OPTIONAL_LOCKS=0", "GIT_PAGER=cat", "GIT_TERMINAL_PROMPT=0"} {
		if !strings.Contains(joined, good) {
			t.Errorf("Env lacks %s: %v", good, env)
		}
	}
}

func TestCommitOnlyThePaths(t *testing.T) {
	dir := MustRepo(t, map[string]string{"a.txt": "a\n", "b.txt": "b\n", "old.txt": "o\n"})
	write(t, dir, map[string]string{"a.txt": "run wrote this\n", "b.txt": "the user's own change\n", "c.txt": "staged by the user\n", "new/n.txt": "new\n"})
	MustGit(t, dir, "add", "c.txt") // staged, but not the run's
	if err := os.Remove(filepath.Join(dir, "old.txt")); err != nil {
		t.Fatal(err)
	}
	r := git.Runner{Environ: func() []string { return append(os.Environ(), "HOME="+dir) }}
	c, err := r.Commit(context.Background(), dir, []string{"a.txt", "new/n.txt", "old.txt"}, "Edit a.txt\n\nBy run 1234")
	if err != nil {
		t.Fatal(err)
	}
	files := strings.Fields(MustGit(t, dir, "show", "--name-only", "--format=", "HEAD"))
	sort.Strings(files)
	if want := []string{"a.txt", "new/n.txt", "old.txt"}; !reflect.DeepEqual(files, want) {
		t.Errorf("commit holds %v, want exactly %v", files, want)
	}
	if got := strings.TrimSpace(MustGit(t, dir, "rev-parse", "HEAD")); got != c.Hash || c.Branch != "main" {
		t.Errorf("Commit = %+v, HEAD is %s", c, got)
	}
	if msg := MustGit(t, dir, "log", "-1", "--format=%B"); !strings.HasPrefix(msg, "Edit a.txt\n\nBy run 1234") {
		t.Errorf("message = %q", msg)
	}
	// The user's staged and modified files are as they were.
	if st := MustGit(t, dir, "status", "--porcelain"); !strings.Contains(st, "A  c.txt") || !strings.Contains(st, " M b.txt") {
		t.Errorf("status after commit:\n%s", st)
	}
	if _, err := r.Commit(context.Background(), dir, []string{"a.txt"}, "again"); !errors.Is(err, git.ErrNothing) {
		t.Errorf("commit of unchanged files = %v, want ErrNothing", err)
	}
}

func TestCommitRefusesAMerge(t *testing.T) {
	dir := MustRepo(t, map[string]string{"a.txt": "a\n"})
	write(t, dir, map[string]string{"a.txt": "b\n"})
	head := strings.TrimSpace(MustGit(t, dir, "rev-parse", "HEAD"))
	if err := os.WriteFile(filepath.Join(dir, ".git", "MERGE_HEAD"), []byte(head+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := git.Runner{}.Commit(context.Background(), dir, []string{"a.txt"}, "m")
	if !errors.Is(err, git.ErrInProgress) {
		t.Errorf("Commit during a merge = %v, want ErrInProgress", err)
	}
	if n := strings.TrimSpace(MustGit(t, dir, "rev-list", "--count", "HEAD")); n != "1" {
		t.Errorf("%s commits, want 1", n)
	}
}

func TestCommitFailureSaysWhatGitSaid(t *testing.T) {
	dir := MustRepo(t, map[string]string{"a.txt": "a\n"})
	write(t, dir, map[string]string{"a.txt": "b\n", ".git/hooks/pre-commit": "#!/bin/sh\necho 'hook says no' >&2\nexit 1\n"})
	if err := os.Chmod(filepath.Join(dir, ".git/hooks/pre-commit"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := git.Runner{}.Commit(context.Background(), dir, []string{"a.txt"}, "m")
	var ge *git.Error
	if !errors.As(err, &ge) || !strings.Contains(ge.Stderr, "hook says no") {
		t.Errorf("Commit with a refusing hook = %v, want a *git.Error with the hook's words", err)
	}
}
