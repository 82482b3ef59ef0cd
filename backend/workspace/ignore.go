package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/bmatcuk/doublestar/v4"
)

// Names of the files that hold ignore rules.
const (
	GitignoreName   = ".gitignore"
	IceignoreName   = ".iceignore"        // at the root only; same syntax as .gitignore
	InfoExcludePath = ".git/info/exclude" // relative to the root
	maxIgnoreFile   = 4 << 20             // a larger ignore file is not a hand-written one; it is skipped
)

// DefaultIgnores are patterns applied below every other source, so a
// .gitignore or .iceignore can re-include them with "!node_modules/".
//
// The list is deliberately short. .git is not here because it is never
// indexed at all (see Ignorer.Ignored). node_modules is a dependency cache
// that can hold hundreds of thousands of files and is almost never what a
// user wants searched, even in projects that forget to ignore it. Common
// build-output names (build/, dist/, target/, out/) are NOT defaults: they
// are real source folders in enough projects (Go's own go/build package,
// Gradle's buildSrc conventions, docs "dist" folders) that hiding them
// silently would be worse than indexing a few generated files, and every
// project that produces them already lists them in its .gitignore. The
// other defaults are caches that tools create and no project keeps
// sources in.
var DefaultIgnores = []string{
	"node_modules/", "__pycache__/", "*.pyc", ".venv/", ".tox/", ".mypy_cache/", ".pytest_cache/",
	".ruff_cache/", ".gradle/", ".next/", ".nuxt/", ".svelte-kit/", ".parcel-cache/", ".turbo/", ".terraform/",
}

// Ignorer decides whether workspace paths are ignored, the way git does:
// .gitignore files at every level (a pattern applies relative to the folder
// of the file that holds it, deeper files override shallower ones, the last
// matching line of a file wins, "!" re-includes, and nothing below an
// excluded folder can be re-included), then .git/info/exclude, then
// DefaultIgnores. A root .iceignore, in the same syntax, overrides all of
// those, so a user can hide (or re-include) files for ICE Studio alone.
// .gitignore files are honoured whether or not the folder is a git
// repository; the user's global core.excludesFile is not read, because it
// differs between machines and the index should not.
//
// Glob matching is done by github.com/bmatcuk/doublestar/v4, a widely used,
// maintained matcher with git-compatible "**", "*", "?", classes and
// escapes; this file only translates gitignore lines into its syntax (the
// places the dialects differ are handled in translate, starsAfterPrefix
// and byteRunes, in ignore_glob.go) and applies git's precedence rules;
// the randomised comparison with git in ignore_diff_test.go keeps the two
// equal.
// go-git's plumbing/format/gitignore was evaluated first and rejected because its matcher diverges from git in cases the
// tests cover: a negation matching a parent folder re-includes files inside
// it ("*.log" then "!logs/" un-ignores logs/x.log; git keeps it ignored),
// "abc/**" also ignores abc itself (so "!abc/keep" cannot work), "[!a]" is
// not a negated class, and "foo/**.txt" never matches.
//
// An Ignorer caches parsed .gitignore files per folder; it is safe for
// concurrent use. Call Forget when an ignore file changes on disk.
type Ignorer struct {
	root string

	mu       sync.RWMutex
	loaded   bool // exclude and ice are read
	loadErrs []error
	exclude  []rule // .git/info/exclude
	ice      []rule // .iceignore
	defaults []rule // DefaultIgnores
	dirs     map[string]dirRules
}

type dirRules struct {
	rules []rule
	err   error
}

// rule is one parsed gitignore line.
type rule struct {
	globs    []string // doublestar patterns, any of which matches (see starsAfterPrefix)
	base     string   // folder of the ignore file, "" for the root
	negate   bool     // "!pattern"
	dirOnly  bool     // "pattern/"
	basename bool     // no slash: matches the last path element at any depth below base
	source   string   // "a/.gitignore:3", for explanations
}

// NewIgnorer returns an Ignorer for the canonical workspace root. Files are
// read lazily, on first use.
func NewIgnorer(root string) *Ignorer {
	m := &Ignorer{root: root, dirs: make(map[string]dirRules)}
	for i, p := range DefaultIgnores {
		if r, ok := parseRule(p, "", fmt.Sprintf("(default):%d", i+1)); ok {
			m.defaults = append(m.defaults, r)
		}
	}
	return m
}

// Root returns the workspace root the Ignorer reads from.
func (m *Ignorer) Root() string { return m.root }

// Ignored reports whether the workspace-relative slash path rel is ignored.
// isDir says whether rel is a folder (directory-only patterns need it).
// Every path with a ".git" element is ignored: it is git's private state,
// and Studio never indexes or watches it.
func (m *Ignorer) Ignored(rel string, isDir bool) bool {
	ignored, _ := m.Explain(rel, isDir)
	return ignored
}

// Explain is Ignored with the reason, for a "why is this hidden?" answer:
// source names the deciding line ("sub/.gitignore:3", ".iceignore:1",
// "(default):1", or "(always)" for .git); it is empty when no rule matched.
// A path inside an ignored folder is explained by the folder's rule.
func (m *Ignorer) Explain(rel string, isDir bool) (ignored bool, source string) {
	rel = strings.Trim(rel, "/")
	if rel == "" || rel == "." {
		return false, ""
	}
	dir := ""
	for {
		i := strings.IndexByte(rel[len(dir):], '/')
		if i < 0 {
			break
		}
		next := rel[:len(dir)+i]
		if r := m.decideSelf(next, true); r != nil && !r.negate {
			return true, r.source
		}
		dir = next + "/"
	}
	if r := m.decideSelf(rel, isDir); r != nil {
		return !r.negate, r.source
	}
	return false, ""
}

// Forget drops what the Ignorer knows about the .gitignore files of the
// folder relDir and every folder below it ("" for all, which also rereads
// .iceignore and .git/info/exclude), so they are read again on next use.
// Call it when an ignore file changes, and when a folder appears or goes
// (one moved in brings its own .gitignore without an event for it).
func (m *Ignorer) Forget(relDir string) {
	relDir = strings.Trim(relDir, "/")
	m.mu.Lock()
	defer m.mu.Unlock()
	if relDir == "" {
		clear(m.dirs)
		m.loaded = false
		return
	}
	delete(m.dirs, relDir)
	prefix := relDir + "/"
	for d := range m.dirs {
		if strings.HasPrefix(d, prefix) {
			delete(m.dirs, d)
		}
	}
}

// IsIgnoreFile reports whether rel names a file whose change alters the
// ignore rules (a .gitignore anywhere, the root .iceignore, or the exclude
// file).
func IsIgnoreFile(rel string) bool {
	return path.Base(rel) == GitignoreName || rel == IceignoreName || rel == InfoExcludePath
}

// matchSelf decides rel by its own patterns only, assuming no parent
// folder is ignored (the scanner never descends into one).
func (m *Ignorer) matchSelf(rel string, isDir bool) bool {
	r := m.decideSelf(rel, isDir)
	return r != nil && !r.negate
}

var gitRule = &rule{source: "(always)"}

// decideSelf returns the rule that decides rel by its own patterns, or nil.
func (m *Ignorer) decideSelf(rel string, isDir bool) *rule {
	name := path.Base(rel)
	if name == ".git" {
		return gitRule
	}
	m.ensureLoaded()
	m.mu.RLock()
	ice, exclude, defaults := m.ice, m.exclude, m.defaults
	m.mu.RUnlock()
	dir := path.Dir(rel)
	rel, name = byteRunes(rel), byteRunes(name)
	if r := decide(ice, rel, name, isDir); r != nil {
		return r
	}
	// .gitignore files from the nearest folder up to the root.
	for {
		if dir == "." {
			dir = ""
		}
		rules, _ := m.dirRules(dir)
		if r := decide(rules, rel, name, isDir); r != nil {
			return r
		}
		if dir == "" {
			break
		}
		dir = path.Dir(dir)
	}
	if r := decide(exclude, rel, name, isDir); r != nil {
		return r
	}
	return decide(defaults, rel, name, isDir)
}

// decide returns the last rule of one source that matches, or nil.
func decide(rules []rule, rel, name string, isDir bool) *rule {
	for i := len(rules) - 1; i >= 0; i-- {
		if rules[i].match(rel, name, isDir) {
			return &rules[i]
		}
	}
	return nil
}

func (r *rule) match(rel, name string, isDir bool) bool {
	if r.dirOnly && !isDir {
		return false
	}
	if r.base != "" {
		if !strings.HasPrefix(rel, r.base+"/") {
			return false
		}
		rel = rel[len(r.base)+1:]
	}
	if r.basename {
		rel = name
	}
	for _, g := range r.globs {
		if doublestar.MatchUnvalidated(g, rel) {
			return true
		}
	}
	return false
}

func (m *Ignorer) ensureLoaded() {
	m.mu.RLock()
	loaded := m.loaded
	m.mu.RUnlock()
	if loaded {
		return
	}
	exclude, err1 := readRules(m.root, InfoExcludePath, "")
	ice, err2 := readRules(m.root, IceignoreName, "")
	m.mu.Lock()
	m.exclude, m.ice, m.loaded = exclude, ice, true
	m.loadErrs = nil
	for _, err := range []error{err1, err2} {
		if err != nil {
			m.loadErrs = append(m.loadErrs, err)
		}
	}
	m.mu.Unlock()
}

// rootErrors returns why .git/info/exclude or .iceignore could not be read.
func (m *Ignorer) rootErrors() []error {
	m.ensureLoaded()
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.loadErrs
}

// dirRules returns the rules of relDir's .gitignore, reading it on first
// use. A missing file is no rules and no error; an unreadable one is no
// rules and an error the scanner reports as a warning.
func (m *Ignorer) dirRules(relDir string) ([]rule, error) {
	m.mu.RLock()
	d, ok := m.dirs[relDir]
	m.mu.RUnlock()
	if ok {
		return d.rules, d.err
	}
	rules, err := readRules(m.root, joinSlash(relDir, GitignoreName), relDir)
	m.mu.Lock()
	m.dirs[relDir] = dirRules{rules, err}
	m.mu.Unlock()
	return rules, err
}

// readRules parses one ignore file; rel is its path, base the folder its
// patterns are relative to.
// An ignore file inside the folder that is a symbolic link is not read,
// as git does not (it could name a file anywhere); .git/info/exclude is
// followed, as git follows it.
func readRules(root, rel, base string) ([]rule, error) {
	full := filepath.Join(root, filepath.FromSlash(rel))
	stat := os.Lstat
	if rel == InfoExcludePath {
		stat = os.Stat
	}
	fi, err := stat(full)
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return nil, nil
	case err != nil:
		return nil, &PathError{rel, classify(err)}
	case !fi.Mode().IsRegular():
		return nil, nil
	case fi.Size() > maxIgnoreFile:
		return nil, &PathError{rel, fmt.Errorf("%w: larger than %d bytes, not used", ErrUnreadable, maxIgnoreFile)}
	}
	data, err := os.ReadFile(full)
	if err != nil {
		return nil, &PathError{rel, classify(err)}
	}
	return parseIgnore(data, base, rel), nil
}

// parseIgnore parses the content of an ignore file whose patterns are
// relative to the folder base. source names the file in explanations.
func parseIgnore(data []byte, base, source string) []rule {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // git skips a UTF-8 BOM
	var out []rule
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r") // as git does for CRLF files
		if r, ok := parseRule(line, base, fmt.Sprintf("%s:%d", source, n+1)); ok {
			out = append(out, r)
		}
	}
	return out
}

// parseRule turns one gitignore line into a rule, following git's
// dir.c: comments, unescaped trailing spaces, "!", a trailing "/" for
// folders only, and a slash at the start or in the middle anchoring the
// pattern to base.
func parseRule(line, base, source string) (rule, bool) {
	if line == "" || line[0] == '#' {
		return rule{}, false
	}
	line = trimTrailingSpaces(line)
	r := rule{base: byteRunes(base), source: source}
	if strings.HasPrefix(line, "!") {
		r.negate = true
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		r.dirOnly = true
		line = line[:len(line)-1]
	}
	if line == "" {
		return rule{}, false
	}
	r.basename = !strings.Contains(line, "/")
	line = strings.TrimPrefix(line, "/")
	alts := []string{line}
	if !r.basename {
		alts = starsAfterPrefix(line)
	}
	for _, alt := range alts {
		glob := translate(byteRunes(alt), r.basename)
		if glob != "" && doublestar.ValidatePattern(glob) { // git's wildmatch never matches a malformed pattern
			r.globs = append(r.globs, glob)
		}
	}
	return r, len(r.globs) > 0
}

// trimTrailingSpaces is git's trim_trailing_spaces: trailing spaces go
// unless escaped with a backslash; tabs stay.
func trimTrailingSpaces(s string) string {
	lastSpace := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			if lastSpace < 0 {
				lastSpace = i
			}
		case '\\':
			i++
			if i >= len(s) {
				return s
			}
			lastSpace = -1
		default:
			lastSpace = -1
		}
	}
	if lastSpace >= 0 {
		return s[:lastSpace]
	}
	return s
}
