package workspace_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ice-studio/ice-studio/backend/workspace"
)

// The randomised differential test: trees generated from a fixed seed,
// each with .gitignore files (some of them symbolic links) and sometimes a
// .git/info/exclude, whose lines come from a grammar that exercises every
// part of gitignore(5) and git's wildmatch. For each tree, the files
// workspace.Scan lists must be exactly those git lists with
// "ls-files --others --cached --exclude-standard". A difference prints the
// tree's index, its ignore files and the paths that differ, with an
// ignoreCase literal to add to ignoreCases once understood.
//
// Names never collide with what Studio alone ignores (DefaultIgnores, .git,
// .iceignore), so the comparison is exact rather than weakened; nor do two
// names differ only by case, so a case-insensitive file system cannot merge
// them.
//
// ICE_IGNORE_DIFF_TREES=n runs trees 0 to n-1 instead of the first 200, to
// search further by hand; tree i is the same whatever n is.
const (
	diffSeed  = 0x1ce5_7d10_0018 // fixed: a failure names its tree, and the tree is the same on every run
	diffTrees = 200
)

// diffNames are the names of files and folders: plain ones, dot files,
// extensions, names that only an escaped pattern can match exactly
// (spaces at either end, brackets, stars, question marks, backslashes,
// a leading ! or #), and names beyond ASCII, valid UTF-8 or not.
// Upper-case letters appear only where the lower-case one does not, so no
// two names differ only by case.
var diffNames = []string{
	"a", "b", "ab", "ba", "Q", "Z", "1", "42", "x", "foo", "bar", "-", "a-b",
	"a.txt", "b.txt", "a.log", "keep.log", "foo.txt", "x.d", "a.b.c",
	".a", ".txt", ".log",
	"a b", "b ", " a", "[a]", "a]", "!a", "#a", "a*", "*", "a?b", "?", `\a`, `a\`,
	"é", "aé", "\xe9", // git matches bytes: "?" is one byte, so "a?" does not match "aé"
}

// diffPieces are literal fragments for patterns built from nothing.
var diffPieces = []string{"a", "b", "ab", "Q", "1", ".txt", ".log", "a.", "foo", "x", "keep", ".", "-", " ", "é"}

// diffClasses are bracket expressions, valid and not: ranges, negations
// with ! and ^, a "]" first, the slash (never matched), POSIX classes,
// an empty range, an unclosed bracket, an unknown class.
var diffClasses = []string{
	"[ab]", "[a-c]", "[!a]", "[^a]", "[!ab]", "[/]", "[!/]", "[a/]", "[]a]", "[!]]", "[a-]", "[-a]",
	"[z-a]", "[A-Z]", "[.]", "[ .]", `[\]]`, `[\!]`, "[*?]", "[[]", "[!.]",
	"[[:alpha:]]", "[[:digit:]]", "[[:alnum:]]", "[[:space:]]", "[[:punct:]]", "[[:upper:]]",
	"[[:lower:]]", "[![:alpha:]]", "[[:alpha:].]", "[a[:digit:]]",
	"[a", "[[:nope:]]", "[[:alpha:]", "[[:a]", "[[:alpha]]", "[[:]]", "[[::]]",
	"[é]", "[!é]", "[a-é]", "[\xe9]",
}

// diffEscapes are backslash escapes: of the characters that start a
// comment or a negation, of a space, of glob characters, of a plain letter,
// of a slash (still a separator) and of a letter beyond ASCII.
var diffEscapes = []string{`\!`, `\#`, `\ `, `\*`, `\?`, `\[`, `\a`, `\\`, `\.`, `\/`, `\é`}

// diffStars are runs of stars; a run of two or more that is a whole path
// element is "**", any other run is "*".
var diffStars = []string{"*", "*", "**", "***", "****"}

type diffTree struct {
	files   map[string]string // path → content; a trailing "/" is an empty folder
	links   map[string]string // path → target
	exclude string            // .git/info/exclude, written after git init
	hasExcl bool
	outside string // the content of the file beyond the root that linked .gitignore files may name
	stats   diffStats
}

// diffStats counts what the generator produced, so the test fails if the
// grammar stops exercising what it is meant to.
type diffStats struct {
	lines, starRuns, starsEscapedSlash, slashClasses, posixClasses, negations, escapes, trailingSpaces int
	linkedIgnores, excludes, reincludes                                                                int
	listed, ignored                                                                                    int
}

func (s *diffStats) add(o diffStats) {
	s.lines += o.lines
	s.starRuns += o.starRuns
	s.starsEscapedSlash += o.starsEscapedSlash
	s.slashClasses += o.slashClasses
	s.posixClasses += o.posixClasses
	s.negations += o.negations
	s.escapes += o.escapes
	s.trailingSpaces += o.trailingSpaces
	s.linkedIgnores += o.linkedIgnores
	s.excludes += o.excludes
	s.reincludes += o.reincludes
	s.listed += o.listed
	s.ignored += o.ignored
}

// genDiffTree makes tree i of the run; it depends on i and the seed only.
// outside is a file beyond the root that a symbolic .gitignore may name.
func genDiffTree(i int, outside string) *diffTree {
	r := rand.New(rand.NewPCG(diffSeed, uint64(i)))
	t := &diffTree{files: map[string]string{}, links: map[string]string{}}
	kinds := map[string]byte{} // 'd' folder, 'f' file, 'l' link
	free := func(p string) bool {
		if _, ok := kinds[p]; ok {
			return false
		}
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			if kinds[d] != 0 && kinds[d] != 'd' {
				return false
			}
		}
		return true
	}
	dirs := []string{""}
	for range 3 + r.IntN(10) {
		parent := dirs[r.IntN(len(dirs))]
		if strings.Count(parent, "/") >= 2 {
			continue
		}
		p := joinRel(parent, pick(r, diffNames))
		if free(p) {
			kinds[p] = 'd'
			dirs = append(dirs, p)
		}
	}
	for range 15 + r.IntN(25) {
		p := joinRel(dirs[r.IntN(len(dirs))], pick(r, diffNames))
		if free(p) {
			kinds[p] = 'f'
			t.files[p] = ""
		}
	}
	for _, d := range dirs[1:] {
		if !hasChild(kinds, d) {
			t.files[d+"/"] = "" // an empty folder: listed by neither
		}
	}
	for range r.IntN(3) { // symbolic links, to folders, files or nothing: reported, never followed
		p := joinRel(dirs[r.IntN(len(dirs))], pick(r, diffNames))
		if !free(p) {
			continue
		}
		var target string
		switch r.IntN(3) {
		case 0:
			target = "/" + pick(r, dirs) // rooted at the tree: rewritten below
		case 1:
			target = "missing"
		default:
			target = "../" + pick(r, diffNames)
		}
		kinds[p] = 'l'
		t.links[p] = target
	}
	// All paths below each folder, relative to it, for patterns that name
	// what is really there.
	all := sortedKeys(kinds)
	below := func(base string) []string {
		var out []string
		for _, p := range all {
			if base == "" {
				out = append(out, p)
			} else if strings.HasPrefix(p, base+"/") {
				out = append(out, p[len(base)+1:])
			}
		}
		return out
	}
	isDirBelow := func(base, rel string) bool { return kinds[joinRel(base, rel)] == 'd' }
	for _, d := range dirs {
		if (d == "" && r.IntN(10) == 0) || (d != "" && r.IntN(5) >= 2) {
			continue
		}
		body := genIgnoreFile(r, below(d), func(rel string) bool { return isDirBelow(d, rel) }, &t.stats)
		gi := joinRel(d, workspace.GitignoreName)
		if !free(gi) {
			continue
		}
		if r.IntN(8) == 0 { // a symbolic link: git does not read it, so neither may Studio
			t.stats.linkedIgnores++
			if r.IntN(2) == 0 {
				t.links[gi] = outside
				t.outside = body
			} else {
				rules := joinRel(d, "rules")
				if free(rules) {
					kinds[rules] = 'f'
					t.files[rules] = body
					t.links[gi] = "rules"
				}
			}
			kinds[gi] = 'l'
			continue
		}
		kinds[gi] = 'f'
		t.files[gi] = body
	}
	if r.IntN(4) == 0 {
		t.hasExcl = true
		t.stats.excludes++
		t.exclude = genIgnoreFile(r, all, func(rel string) bool { return kinds[rel] == 'd' }, &t.stats)
	}
	// Link targets "/d" name a folder of the tree, relative to the link.
	for p, target := range t.links {
		if strings.HasPrefix(target, "/") && !strings.HasPrefix(target, outside) {
			up := strings.Repeat("../", strings.Count(p, "/"))
			t.links[p] = up + strings.TrimPrefix(target, "/")
			if t.links[p] == "" {
				t.links[p] = "."
			}
		}
	}
	return t
}

func hasChild(kinds map[string]byte, d string) bool {
	for p := range kinds {
		if strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// genIgnoreFile makes the content of one ignore file; names are paths
// below its folder, isDir says which are folders.
func genIgnoreFile(r *rand.Rand, names []string, isDir func(string) bool, st *diffStats) string {
	var lines []string
	for range 1 + r.IntN(6) {
		switch n := r.IntN(100); {
		case n < 5:
			lines = append(lines, "# "+pick(r, diffNames))
		case n < 8:
			lines = append(lines, pick(r, []string{"", "   ", "#", "!", "/", "\\", "**", "!**", "*", "!*/", "/*", "**/", "/**"}))
		case n < 24 && len(names) > 0: // a star run right after the literal part: "ab" as "a**/b"
			name := path.Base(pick(r, names))
			if len(name) < 2 {
				continue
			}
			k := 1 + r.IntN(len(name)-1)
			lines = append(lines, pick(r, []string{"", "!", "/"})+escapeGlob(name[:k])+pick(r, []string{"**/", "***/", `**\/`, "**", "**/*"})+escapeGlob(name[k:]))
		case n < 34 && len(names) > 0: // exclude a folder, then try to re-include something below it
			st.reincludes++
			var dir string
			for range 5 {
				if c := pick(r, names); isDir(c) {
					dir = c
					break
				}
			}
			if dir == "" {
				continue
			}
			var kids []string
			for _, c := range names {
				if strings.HasPrefix(c, dir+"/") {
					kids = append(kids, c)
				}
			}
			lines = append(lines, escapeGlob(dir)+pick(r, []string{"/", "", "/*", "/**", "/***", "//", `\/`, `/**\/`, `/**\//`}))
			if len(kids) > 0 {
				kid := pick(r, kids)
				lines = append(lines, "!"+pick(r, []string{escapeGlob(kid), escapeGlob(path.Base(kid)), escapeGlob(path.Dir(kid)) + "/", "*/", escapeGlob(dir) + "/**/" + escapeGlob(path.Base(kid))}))
			} else {
				lines = append(lines, "!"+escapeGlob(dir)+"/*")
			}
		default:
			lines = append(lines, genLine(r, names, st))
		}
	}
	for _, l := range lines {
		st.lines++
		if strings.Contains(l, "***") {
			st.starRuns++
		}
		if strings.Contains(l, `**\/`) {
			st.starsEscapedSlash++
		}
		if strings.Contains(l, "[/]") || strings.Contains(l, "[a/]") {
			st.slashClasses++
		}
		if strings.Contains(l, "[:") {
			st.posixClasses++
		}
		if strings.HasPrefix(l, "!") {
			st.negations++
		}
		if strings.Contains(l, `\`) {
			st.escapes++
		}
		if strings.HasSuffix(l, " ") {
			st.trailingSpaces++
		}
	}
	sep := "\n"
	if r.IntN(12) == 0 {
		sep = "\r\n"
	}
	body := strings.Join(lines, sep)
	if r.IntN(5) != 0 {
		body += sep
	}
	if r.IntN(20) == 0 {
		body = "\xef\xbb\xbf" + body
	}
	return body
}

// genLine makes one pattern line: either a real path below the folder
// with parts turned into wildcards, or elements built from pieces,
// classes, escapes and stars; then a leading "!", "/" or "**/", a
// trailing "/", "/**" and trailing spaces, each now and then.
func genLine(r *rand.Rand, names []string, st *diffStats) string {
	var segs []string
	if len(names) > 0 && r.IntN(2) == 0 {
		for _, s := range strings.Split(pick(r, names), "/") {
			segs = append(segs, mutateSegment(r, s))
		}
		if len(segs) > 1 && r.IntN(3) == 0 { // keep only a tail or a head
			if r.IntN(2) == 0 {
				segs = segs[r.IntN(len(segs)):]
			} else {
				segs = segs[:1+r.IntN(len(segs)-1)]
			}
		}
	} else {
		for range 1 + r.IntN(3) {
			segs = append(segs, genSegment(r))
		}
	}
	line := strings.Join(segs, "/")
	if r.IntN(6) == 0 {
		line = pick(r, []string{"**/", "***/", "/**/", "*/", `**\/`, `/**\/`}) + line
	} else if r.IntN(5) == 0 {
		line = "/" + line
	}
	switch r.IntN(10) {
	case 0, 1:
		line += "/"
	case 2:
		line += pick(r, []string{"/**", "/***", "/*", "**", `\/**`, "//", `\/`, `\//`, `/**\/`, `**\//`})
	case 3:
		if k := strings.IndexByte(line, '/'); k > 0 { // ** around a slash, escaped or not
			line = line[:k] + pick(r, []string{"/**/", `/**\/`, `**\/`, `\/**/`, "**/"}) + line[k+1:]
		}
	}
	if r.IntN(4) == 0 {
		line = "!" + line
	}
	if r.IntN(10) == 0 {
		line += pick(r, []string{" ", "  ", `\ `, `\  `, "\t"})
	}
	return line
}

// mutateSegment keeps a real name or turns part of it into a wildcard.
func mutateSegment(r *rand.Rand, s string) string {
	switch r.IntN(12) {
	case 0:
		return pick(r, diffStars)
	case 1:
		return "*" + escapeGlob(s[len(s)/2:])
	case 2:
		return escapeGlob(s[:len(s)/2]) + pick(r, diffStars)
	case 3, 4: // one character as ? or a class that holds it (or not)
		k := r.IntN(len(s))
		var mid string
		switch r.IntN(4) {
		case 0:
			mid = "?"
		case 1:
			mid = "[" + classMember(s[k]) + "]"
		case 2:
			mid = "[!" + classMember(s[k]) + "]"
		default:
			mid = pick(r, diffClasses)
		}
		return escapeGlob(s[:k]) + mid + escapeGlob(s[k+1:])
	case 5:
		return s // unescaped: its own brackets, stars and backslashes are glob syntax
	default:
		return escapeGlob(s)
	}
}

// genSegment builds one path element from up to three atoms.
func genSegment(r *rand.Rand) string {
	var b strings.Builder
	for range 1 + r.IntN(3) {
		switch n := r.IntN(20); {
		case n < 8:
			b.WriteString(pick(r, diffPieces))
		case n < 12:
			b.WriteString(pick(r, diffStars))
		case n < 13:
			b.WriteString("?")
		case n < 17:
			b.WriteString(pick(r, diffClasses))
		default:
			b.WriteString(pick(r, diffEscapes))
		}
	}
	return b.String()
}

// escapeGlob escapes the glob characters of a name, and a leading ! or #
// and a trailing space, so the pattern matches the name alone.
func escapeGlob(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if strings.IndexByte(`\*?[`, c) >= 0 || (i == 0 && (c == '!' || c == '#')) || (c == ' ' && i == len(s)-1) {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// classMember writes c as a member of a bracket expression.
func classMember(c byte) string {
	if c == ']' || c == '\\' || c == '!' || c == '^' || c == '[' {
		return `\` + string(c)
	}
	return string(c)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// cleanGitEnv runs git without the machine's configuration: no system or
// global file, no global excludes file (core.excludesFile defaults to
// $XDG_CONFIG_HOME/git/ignore, here an empty folder).
func cleanGitEnv(home string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "LC_ALL=C",
	}
}

func TestIgnoreMatchesGitOnRandomTrees(t *testing.T) {
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	if runtime.GOOS == "windows" {
		t.Skip("the trees hold symbolic links and names Windows does not allow")
	}
	// The comparison is exact only while no generated name is one that
	// Studio alone treats specially.
	defaults := workspace.NewIgnorer(t.TempDir())
	for _, name := range append([]string{"rules"}, diffNames...) {
		if name == workspace.IceignoreName || defaults.Ignored(name, false) || defaults.Ignored(name, true) {
			t.Fatalf("the generator's name %q is ignored by Studio's defaults or is .iceignore; git cannot judge it", name)
		}
	}
	trees := diffTrees
	if n, err := strconv.Atoi(os.Getenv("ICE_IGNORE_DIFF_TREES")); err == nil && n > 0 {
		trees = n
	}
	home := t.TempDir()
	env := cleanGitEnv(home)
	var (
		mu     sync.Mutex
		total  diffStats
		failed int
	)
	t.Run("trees", func(t *testing.T) {
		for i := range trees {
			t.Run(fmt.Sprintf("%03d", i), func(t *testing.T) {
				t.Parallel()
				st, ok := checkDiffTree(t, gitBin, env, i)
				mu.Lock()
				defer mu.Unlock()
				total.add(st)
				if !ok {
					failed++
				}
			})
		}
	})
	t.Logf("%d trees, %d differ from git; generated %+v", trees, failed, total)
	if trees < diffTrees {
		return
	}
	// The generator must keep exercising what it is for: each of these
	// is checked by at least some trees (the minimums are well below what
	// the fixed seed makes).
	for _, c := range []struct {
		what     string
		got, min int
	}{
		{"lines with a run of three or more stars", total.starRuns, 50},
		{`lines with **\/`, total.starsEscapedSlash, 20},
		{"lines with a class holding a slash", total.slashClasses, 20},
		{"lines with POSIX classes", total.posixClasses, 20},
		{"negations", total.negations, 100},
		{"lines with escapes", total.escapes, 100},
		{"lines with trailing spaces", total.trailingSpaces, 20},
		{"symbolically linked .gitignore files", total.linkedIgnores, 20},
		{".git/info/exclude files", total.excludes, 20},
		{"re-inclusions below excluded folders", total.reincludes, 50},
		{"files git lists", total.listed, trees * 5},
		{"files git ignores", total.ignored, trees * 5},
	} {
		if c.got < c.min {
			t.Errorf("the generator made %d %s, fewer than %d: it no longer tests them", c.got, c.what, c.min)
		}
	}
}

// checkDiffTree builds tree i, asks git and Scan for its files, and
// reports any difference; it returns what the tree held.
func checkDiffTree(t *testing.T, gitBin string, env []string, i int) (diffStats, bool) {
	dir := t.TempDir()
	outside := filepath.Join(dir, "outside-rules")
	tree := genDiffTree(i, outside)
	mustWrite(t, outside, tree.outside)
	root := filepath.Join(dir, "repo")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := filepath.EvalSymlinks(root)
	if err != nil {
		t.Fatal(err)
	}
	for p, body := range tree.files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if strings.HasSuffix(p, "/") {
			if err := os.MkdirAll(full, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		mustWrite(t, full, body)
	}
	for p, target := range tree.links {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := runGit(gitBin, root, env, nil, "init", "-q"); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	if tree.hasExcl {
		mustWrite(t, filepath.Join(root, filepath.FromSlash(workspace.InfoExcludePath)), tree.exclude)
	}
	out, err := runGit(gitBin, root, env, nil, "-c", "core.ignoreCase=false",
		"ls-files", "-z", "--others", "--cached", "--exclude-standard")
	if err != nil {
		t.Fatalf("git ls-files: %v\n%s", err, out)
	}
	byGit := map[string]bool{}
	for _, p := range strings.Split(string(out), "\x00") {
		if p != "" {
			byGit[p] = true
		}
	}
	byScan := map[string]bool{}
	if _, err := workspace.Scan(context.Background(), root, workspace.ScanOptions{Workers: 2}, func(fi workspace.FileInfo) error {
		byScan[fi.Path] = true
		return nil
	}); err != nil {
		t.Fatalf("Scan: %v", err)
	}

	st := tree.stats
	st.listed = len(byGit)
	for p := range tree.files {
		if !strings.HasSuffix(p, "/") && !byGit[p] {
			st.ignored++
		}
	}
	var onlyGit, onlyScan []string
	for p := range byGit {
		if !byScan[p] {
			onlyGit = append(onlyGit, p)
		}
	}
	for p := range byScan {
		if !byGit[p] {
			onlyScan = append(onlyScan, p)
		}
	}
	if len(onlyGit) == 0 && len(onlyScan) == 0 {
		return st, true
	}
	sort.Strings(onlyGit)
	sort.Strings(onlyScan)
	t.Errorf("tree %d (seed %#x, PCG stream %d) differs from git ls-files:\n  listed by git, not by Scan (Studio ignores them): %q\n  listed by Scan, not by git (git ignores them): %q\n%s",
		i, diffSeed, i, onlyGit, onlyScan, describeDiffTree(tree, onlyGit, onlyScan))
	return st, false
}

// describeDiffTree prints a tree's ignore files and an ignoreCase literal
// for the differing paths, ready for the fixed table.
func describeDiffTree(tree *diffTree, onlyGit, onlyScan []string) string {
	var b bytes.Buffer
	files := map[string]string{}
	for p, body := range tree.files {
		if path.Base(p) == workspace.GitignoreName || tree.isLinkTarget(p) {
			files[p] = body
		}
	}
	if tree.hasExcl {
		files[workspace.InfoExcludePath] = tree.exclude
	}
	b.WriteString("ignore files:\n")
	for _, p := range sortedKeys(files) {
		fmt.Fprintf(&b, "  %s:\n", p)
		for _, l := range strings.Split(files[p], "\n") {
			fmt.Fprintf(&b, "    | %q\n", l)
		}
	}
	links := map[string]string{}
	for p, target := range tree.links {
		if path.Base(p) == workspace.GitignoreName {
			links[p] = target
		}
		fmt.Fprintf(&b, "  symlink %s -> %s\n", p, target)
	}
	want := map[string]bool{}
	for _, p := range onlyGit {
		want[p] = false
	}
	for _, p := range onlyScan {
		want[p] = true
	}
	fmt.Fprintf(&b, "as an ignoreCase (check it with TestIgnoreCasesAgreeWithGit):\n\t{\n\t\tname:  %q,\n\t\tfiles: %s,\n", "found by TestIgnoreMatchesGitOnRandomTrees", goMap(files))
	if len(links) > 0 {
		fmt.Fprintf(&b, "\t\tlinks: %s,\n", goMap(links))
	}
	fmt.Fprintf(&b, "\t\twant:  %s,\n\t},\n", goMap(want))
	return b.String()
}

func (t *diffTree) isLinkTarget(p string) bool {
	for l, target := range t.links {
		if path.Base(l) == workspace.GitignoreName && joinRel(strings.TrimSuffix(path.Dir(l), "."), target) == p {
			return true
		}
	}
	return false
}

func goMap[V any](m map[string]V) string {
	keys := sortedKeys(m)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%q: %#v", k, m[k]))
	}
	return fmt.Sprintf("map[string]%T{%s}", *new(V), strings.Join(parts, ", "))
}
