package workspace_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/workspace"
)

// ignoreCase is one gitignore scenario: the files to create (ignore files
// with content; a trailing "/" makes a folder) and, for each probed path
// (a trailing "/" marks a folder, created too), whether it is ignored.
type ignoreCase struct {
	name  string
	files map[string]string
	want  map[string]bool
	// notGit marks cases that use what git does not know (.iceignore,
	// Studio's defaults), so git cannot serve as a second opinion.
	notGit bool
	// links are symbolic links to make (path → target, as written).
	links map[string]string
}

// ignoreCases come from gitignore(5)'s "PATTERN FORMAT" and "EXAMPLES"
// sections; each expectation is also checked against git itself below.
var ignoreCases = []ignoreCase{
	{
		name:  "a run of three or more stars is ** (git: any run of two or more)",
		files: map[string]string{".gitignore": "a/***/z\n***/deep.txt\nx/****\n"},
		want: map[string]bool{"a/z": true, "a/b/z": true, "a/b/c/z": true, "a/zz": false,
			"deep.txt": true, "p/q/deep.txt": true, "x/": false, "x/1": true, "x/d/2": true},
	},
	{
		name:  "a character class never matches a slash",
		files: map[string]string{".gitignore": "a[/]b\nc[!x]d\ne[+-9]f\ng[[:punct:]]h\n"},
		want: map[string]bool{"a/b": false, "c/d": false, "cyd": true, "e/f": false, "e5f": true,
			"g/h": false, "g.h": true},
	},
	{
		name:  "a .gitignore that is a symbolic link is not read (as git)",
		files: map[string]string{"real-rules": "*.log\n", "sub/.keep": ""},
		links: map[string]string{".gitignore": "real-rules", "sub/.gitignore": "../real-rules"},
		want:  map[string]bool{"a.log": false, "sub/b.log": false},
	},
	// Found by TestIgnoreMatchesGitOnRandomTrees: git compares the literal
	// part before the first wildcard on its own, so a star run that starts
	// the rest is "**" even after a letter.
	{
		name:  "a star run right after the literal part is ** (b****/** matches the file b)",
		files: map[string]string{".gitignore": "b****/**\nfoo**/bar\n"},
		want: map[string]bool{"b": true, "bar": true, "c": false, "bx/y": true, "xb": false,
			"foobar": true, "foo/bar": true, "foox/y/bar": true, "foo.bar": false, "xfoobar": false},
	},
	{
		name:  "a star run ending a pattern after its literal part takes in subfolders (a/b** re-includes a/bc/d)",
		files: map[string]string{".gitignore": "*\n!*/\n!a/b**\n"},
		want:  map[string]bool{"a/": false, "a/x": true, "a/bc/": false, "a/bc/d": false, "a/bc/e/f": false, "a/c/d": true},
	},
	{
		name:  "an escaped slash is a slash, but **\\/ needs a folder (git skips the no-folder case only for a plain slash)",
		files: map[string]string{".gitignore": "x/**\\/y\nc\\/**\nd**\\/z\n"},
		want: map[string]bool{"x/y": false, "x/a/y": true, "x/a/b/y": true, "x/ay": false, "c/": false, "c/d": true, "c/e/f": true,
			"dz": false, "d/z": true, "dd/z": true, "d/e/z": true},
	},
	{
		name:  "a pattern ending in a slash after the folders-only one never matches",
		files: map[string]string{".gitignore": "a//\n***\\//\nb\\/\n"},
		want:  map[string]bool{"a/": false, "a/x": false, "b/": false, "b/y": false, "c/": false, "c/z": false},
	},
	{
		name:  "[: without a closing :] is an ordinary [ in the class",
		files: map[string]string{".gitignore": "d[[:a]x\n[[:alpha]]\n"},
		want:  map[string]bool{"dax": true, "d:x": true, "d[x": true, "dbx": false, "a]": true, "l]": true, "a": false},
	},
	{
		name:  "? and a class take one byte, not one character (git matches bytes)",
		files: map[string]string{".gitignore": "x?\ny??\n[é]z\n"},
		want:  map[string]bool{"xé": false, "xa": true, "yé": true, "éz": false, "\xc3z": true, "\xe9": false},
	},
	{
		name:  "negation re-includes a file excluded by an earlier pattern",
		files: map[string]string{".gitignore": "*.log\n!keep.log\n"},
		want:  map[string]bool{"a.log": true, "keep.log": false, "sub/b.log": true, "sub/keep.log": false, "a.txt": false},
	},
	{
		name:  "a later exclusion overrides an earlier negation (last match wins)",
		files: map[string]string{".gitignore": "!keep.log\n*.log\n"},
		want:  map[string]bool{"keep.log": true},
	},
	{
		name:  "a negated file inside an ignored folder stays ignored",
		files: map[string]string{".gitignore": "build/\n!build/keep.txt\n"},
		want:  map[string]bool{"build/": true, "build/keep.txt": true, "build/x.o": true},
	},
	{
		name:  "ignoring the folder's contents instead lets a negation work",
		files: map[string]string{".gitignore": "build/*\n!build/keep.txt\n"},
		want:  map[string]bool{"build/": false, "build/keep.txt": false, "build/x.o": true},
	},
	{
		name:  "gitignore(5) example: exclude everything except foo/bar",
		files: map[string]string{".gitignore": "/*\n!/foo\n/foo/*\n!/foo/bar\n"},
		want: map[string]bool{
			"top.txt": true, "other/": true, "other/x": true, "foo/": false,
			"foo/baz.txt": true, "foo/bar/": false, "foo/bar/x.txt": false,
		},
	},
	{
		name:  "foo/* matches foo/bar, so foo/bar/hello.c cannot be re-included",
		files: map[string]string{".gitignore": "foo/*\n!foo/bar/hello.c\n"},
		want:  map[string]bool{"foo/test.json": true, "foo/bar/": true, "foo/bar/hello.c": true, "foo/": false},
	},
	{
		name:  "a negation matching only a parent folder does not re-include files in it",
		files: map[string]string{".gitignore": "*.log\n!logs/\n"},
		want:  map[string]bool{"logs/": false, "logs/x.log": true, "x.log": true},
	},
	{
		name:  "keep folders but ignore every file except .go",
		files: map[string]string{".gitignore": "*\n!*/\n!*.go\n!.gitignore\n"},
		want:  map[string]bool{"a/": false, "a/b.go": false, "a/b.txt": true, "c.go": false, "README": true},
	},
	{
		name:  "a leading slash anchors to the folder of the .gitignore",
		files: map[string]string{".gitignore": "/a.txt\n/doc/frotz/\n"},
		want:  map[string]bool{"a.txt": true, "sub/a.txt": false, "doc/frotz/": true, "x/doc/frotz/": false},
	},
	{
		name:  "a slash in the middle anchors too",
		files: map[string]string{".gitignore": "doc/frotz\n"},
		want:  map[string]bool{"doc/frotz": true, "a/doc/frotz": false},
	},
	{
		name:  "a pattern without a slash matches at any depth",
		files: map[string]string{".gitignore": "frotz\nhello.*\n"},
		want:  map[string]bool{"frotz": true, "a/b/frotz": true, "a/hello.c": true, "hello/": false, "hello.d/x": true},
	},
	{
		name:  "a trailing slash matches folders only",
		files: map[string]string{".gitignore": "frotz/\n"},
		want:  map[string]bool{"frotz/": true, "a/frotz/": true, "b/frotz": false, "frotz/x.txt": true},
	},
	{
		name:  "a negation with a trailing slash re-includes folders only",
		files: map[string]string{".gitignore": "tmp*\n!tmp*/\n"},
		want:  map[string]bool{"tmpdir/": false, "tmpdir/x": false, "tmpfile": true},
	},
	{
		name:  "leading **/ matches in all folders",
		files: map[string]string{".gitignore": "**/foo\n**/x/bar\n"},
		want:  map[string]bool{"foo": true, "a/b/foo": true, "x/bar": true, "a/x/bar": true, "a/bar": false},
	},
	{
		name:  "trailing /** matches everything inside, not the folder itself",
		files: map[string]string{".gitignore": "abc/**\n!abc/keep\n"},
		want:  map[string]bool{"abc/": false, "abc/keep": false, "abc/other": true, "abc/d/e": true},
	},
	{
		name:  "/**/ matches zero or more folders",
		files: map[string]string{".gitignore": "a/**/b\n"},
		want:  map[string]bool{"a/b": true, "a/x/b": true, "a/x/y/b": true, "c/a/b": false, "a/bb": false},
	},
	{
		name:  "other consecutive stars are ordinary stars",
		files: map[string]string{".gitignore": "foo/**.txt\n"},
		want:  map[string]bool{"foo/a.txt": true, "foo/x/a.txt": false},
	},
	{
		name:  "* and ? do not match a slash",
		files: map[string]string{".gitignore": "a/*/c\nx?y\n"},
		want:  map[string]bool{"a/b/c": true, "a/b/b/c": false, "xzy": true, "x/y": false},
	},
	{
		name:  "bracket expressions, negated with ! or ^, and POSIX classes",
		files: map[string]string{".gitignore": "[!a]x\n[^q]z\n[]]y\n[[:digit:]]d\n"},
		want:  map[string]bool{"bx": true, "ax": false, "qz": false, "rz": true, "]y": true, "7d": true, "ad": false},
	},
	{
		name:  "braces are literal",
		files: map[string]string{".gitignore": "{a,b}.txt\n"},
		want:  map[string]bool{"{a,b}.txt": true, "a.txt": false},
	},
	{
		name:  "escaped # and ! start literal patterns; # starts a comment",
		files: map[string]string{".gitignore": "#comment\n\\#hash\n\\!bang\n"},
		want:  map[string]bool{"#comment": false, "#hash": true, "!bang": true, "bang": false},
	},
	{
		name:  "unescaped trailing spaces are dropped, escaped ones kept",
		files: map[string]string{".gitignore": "trail   \nspace\\ \n"},
		want:  map[string]bool{"trail": true, "trail ": false, "space ": true, "space": false},
	},
	{
		name:  "CRLF line endings",
		files: map[string]string{".gitignore": "*.bak\r\n!keep.bak\r\n"},
		want:  map[string]bool{"a.bak": true, "keep.bak": false},
	},
	{
		name: "patterns in a nested .gitignore apply relative to its folder",
		files: map[string]string{
			".gitignore":     "*.tmp\n",
			"sub/.gitignore": "/only.txt\n*.gen\n!keep.tmp\n",
		},
		want: map[string]bool{
			"sub/only.txt": true, "sub/deep/only.txt": false, "only.txt": false,
			"sub/a.gen": true, "sub/deep/b.gen": true, "top.gen": false,
			"a.tmp": true, "sub/x.tmp": true, "sub/keep.tmp": false, "keep.tmp": true,
		},
	},
	{
		name: "a nested negation re-includes a folder a parent file excluded",
		files: map[string]string{
			".gitignore":   "**/vendor/\n",
			"a/.gitignore": "!vendor\n",
		},
		want: map[string]bool{"vendor/": true, "vendor/f.txt": true, "a/vendor/": false, "a/vendor/f.txt": false},
	},
	{
		name: "a .gitignore inside an ignored folder is never read",
		files: map[string]string{
			".gitignore":        "vendor/\n",
			"vendor/.gitignore": "!*\n",
		},
		want: map[string]bool{"vendor/x.txt": true},
	},
	{
		name: ".git/info/exclude applies below every .gitignore",
		files: map[string]string{
			".git/info/exclude": "secret.txt\nlocal/\n",
			".gitignore":        "!secret.txt\n",
		},
		want: map[string]bool{"secret.txt": false, "local/": true, "local/a": true},
	},
	{
		name:   "defaults: .git always, node_modules unless re-included",
		files:  map[string]string{"sub/.gitignore": "!node_modules/\n", ".gitignore": "!.git\n"},
		want:   map[string]bool{".git/": true, ".git/config": true, "node_modules/": true, "a/node_modules/x.js": true, "sub/node_modules/": false, "sub/node_modules/y.js": false, "x/.git/HEAD": true},
		notGit: true,
	},
	{
		name: ".iceignore adds patterns and overrides .gitignore",
		files: map[string]string{
			".gitignore": "dist/\n*.log\n",
			".iceignore": "*.gen\n!dist/\n# a comment\n",
		},
		want:   map[string]bool{"a.gen": true, "sub/b.gen": true, "dist/": false, "dist/app.js": false, "x.log": true},
		notGit: true,
	},
}

func TestIgnorer(t *testing.T) {
	for _, tc := range ignoreCases {
		t.Run(tc.name, func(t *testing.T) {
			root := makeIgnoreTree(t, tc)
			ign := workspace.NewIgnorer(root)
			for _, p := range sortedKeys(tc.want) {
				rel, isDir := strings.TrimSuffix(p, "/"), strings.HasSuffix(p, "/")
				if got := ign.Ignored(rel, isDir); got != tc.want[p] {
					t.Errorf("Ignored(%q, %v) = %v, want %v", rel, isDir, got, tc.want[p])
				}
			}
		})
	}
}

// TestIgnoreCasesAgreeWithGit asks git itself about every expectation, so
// the table cannot drift from git's real behaviour.
func TestIgnoreCasesAgreeWithGit(t *testing.T) {
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed; the table is still checked by TestIgnorer")
	}
	for _, tc := range ignoreCases {
		if tc.notGit {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			root := makeIgnoreTree(t, tc)
			env := append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
			if out, err := runGit(gitBin, root, env, nil, "init", "-q"); err != nil {
				t.Fatalf("git init: %v\n%s", err, out)
			}
			paths := sortedKeys(tc.want)
			var in bytes.Buffer
			for _, p := range paths {
				in.WriteString(strings.TrimSuffix(p, "/"))
				in.WriteByte(0)
			}
			out, err := runGit(gitBin, root, env, &in, "check-ignore", "--no-index", "--stdin", "-z")
			if err != nil {
				if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 { // 1: nothing ignored
					t.Fatalf("git check-ignore: %v\n%s", err, out)
				}
			}
			ignored := map[string]bool{}
			for _, p := range strings.Split(string(out), "\x00") {
				if p != "" {
					ignored[p] = true
				}
			}
			for _, p := range paths {
				if got := ignored[strings.TrimSuffix(p, "/")]; got != tc.want[p] {
					t.Errorf("git check-ignore says %q ignored = %v; the table says %v", p, got, tc.want[p])
				}
			}
		})
	}
}

func runGit(bin, dir string, env []string, stdin *bytes.Buffer, args ...string) ([]byte, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, env
	if stdin != nil {
		cmd.Stdin = stdin
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		out = append(out, stderr.Bytes()...)
	}
	return out, err
}

func TestIgnorerForgetRereadsChangedFiles(t *testing.T) {
	root := writeTree(t, map[string]string{".gitignore": "*.a\n", "sub/.gitignore": "*.b\n", "x.c": ""})
	ign := workspace.NewIgnorer(root)
	if !ign.Ignored("x.a", false) || !ign.Ignored("sub/y.b", false) || ign.Ignored("x.c", false) {
		t.Fatal("initial rules not applied")
	}
	mustWrite(t, filepath.Join(root, "sub", ".gitignore"), "*.c\n")
	mustWrite(t, filepath.Join(root, ".iceignore"), "*.d\n")
	if !ign.Ignored("sub/y.b", false) {
		t.Error("rules changed before Forget; the cache should hold until told")
	}
	ign.Forget("sub")
	if ign.Ignored("sub/y.b", false) || !ign.Ignored("sub/y.c", false) {
		t.Error("Forget(sub) did not reread sub/.gitignore")
	}
	if ign.Ignored("z.d", false) {
		t.Error(".iceignore read again without Forget of the root")
	}
	ign.Forget("")
	if !ign.Ignored("z.d", false) {
		t.Error("Forget(\"\") did not reread .iceignore")
	}
}

func TestIgnorerExplain(t *testing.T) {
	root := writeTree(t, map[string]string{
		".gitignore":     "# header\n*.log\n!keep.log\nbuild/\n",
		"sub/.gitignore": "\n*.tmp\n",
		".iceignore":     "*.gen\n",
	})
	ign := workspace.NewIgnorer(root)
	for _, tc := range []struct {
		rel     string
		isDir   bool
		ignored bool
		source  string
	}{
		{"a.log", false, true, ".gitignore:2"},
		{"keep.log", false, false, ".gitignore:3"},
		{"build/x/y.c", false, true, ".gitignore:4"},
		{"sub/z.tmp", false, true, "sub/.gitignore:2"},
		{"q.gen", false, true, ".iceignore:1"},
		{"node_modules/m.js", false, true, "(default):1"},
		{".git/HEAD", false, true, "(always)"},
		{"main.go", false, false, ""},
	} {
		ignored, source := ign.Explain(tc.rel, tc.isDir)
		if ignored != tc.ignored || source != tc.source {
			t.Errorf("Explain(%q) = %v, %q; want %v, %q", tc.rel, ignored, source, tc.ignored, tc.source)
		}
	}
}

func TestIsIgnoreFile(t *testing.T) {
	for p, want := range map[string]bool{
		".gitignore": true, "a/b/.gitignore": true, ".iceignore": true, "a/.iceignore": false,
		".git/info/exclude": true, "gitignore": false, "a.gitignore": false,
	} {
		if got := workspace.IsIgnoreFile(p); got != want {
			t.Errorf("IsIgnoreFile(%q) = %v, want %v", p, got, want)
		}
	}
}

func makeIgnoreTree(tb testing.TB, tc ignoreCase) string {
	tb.Helper()
	files := map[string]string{}
	for p := range tc.want {
		files[p] = ""
	}
	for p, body := range tc.files {
		files[p] = body
	}
	dir := writeTree(tb, files)
	for p, target := range tc.links {
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(p))); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// writeTree creates files (path → content; a trailing slash makes a
// folder) under a fresh temporary folder and returns its canonical path.
func writeTree(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir, err := filepath.EvalSymlinks(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	for p, body := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if strings.HasSuffix(p, "/") {
			if err := os.MkdirAll(full, 0o755); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		mustWrite(tb, full, body)
	}
	return dir
}

func mustWrite(tb testing.TB, full, body string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
