// Package workspace validates project folders and lists their contents with
// safe path resolution: nothing outside the opened root is ever reached, not
// through "..", an absolute path, or a symlink.
package workspace

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Sentinel errors; the UI shows their messages as they are.
var (
	ErrEmptyPath  = errors.New("no folder given")
	ErrNotFound   = errors.New("does not exist")
	ErrNotDir     = errors.New("is not a folder")
	ErrUnreadable = errors.New("cannot be read")
	ErrOutside    = errors.New("is outside the workspace")
)

// PathError names the path a workspace operation failed on.
type PathError struct {
	Path string
	Err  error
}

func (e *PathError) Error() string { return fmt.Sprintf("%q %v", e.Path, e.Err) }
func (e *PathError) Unwrap() error { return e.Err }

// MaxEntries caps one directory listing so a folder with a million files
// cannot freeze the UI; Listing.Truncated says when it applied.
const MaxEntries = 5000

// Kind of a directory entry.
const (
	KindFile    = "file"
	KindDir     = "dir"
	KindSymlink = "symlink" // a link that points outside the workspace or nowhere
)

// Entry is one item of a directory listing.
type Entry struct {
	Name    string `json:"name"`
	Path    string `json:"path"` // slash-separated, relative to the root
	Kind    string `json:"kind"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"modTime"` // unix milliseconds
	// Ignored says the workspace's ignore rules (.gitignore, .iceignore,
	// the defaults) exclude it: it is not indexed or watched. Set by the
	// Studio's listing, which knows the workspace's rules.
	Ignored bool `json:"ignored,omitempty"`
}

// Listing is the content of one directory.
type Listing struct {
	Path      string  `json:"path"`
	Entries   []Entry `json:"entries"`
	Truncated bool    `json:"truncated"`
}

// hidden are names never shown in the tree: the VCS internals are protected
// and not something a user browses.
var hidden = map[string]bool{".git": true}

// CheckRoot validates a folder the user wants to open and returns its
// canonical absolute path (symlinks resolved).
func CheckRoot(path string) (string, error) {
	path = strings.TrimSpace(path)
	if path == "" {
		return "", ErrEmptyPath
	}
	if strings.HasPrefix(path, "~"+string(filepath.Separator)) || path == "~" {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, strings.TrimPrefix(path, "~"))
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", &PathError{path, err}
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", &PathError{abs, classify(err)}
	}
	fi, err := os.Stat(real)
	if err != nil {
		return "", &PathError{abs, classify(err)}
	}
	if !fi.IsDir() {
		return "", &PathError{abs, ErrNotDir}
	}
	f, err := os.Open(real)
	if err != nil {
		return "", &PathError{abs, classify(err)}
	}
	defer f.Close()
	if _, err := f.ReadDir(1); err != nil && !errors.Is(err, io.EOF) {
		return "", &PathError{abs, ErrUnreadable}
	}
	return real, nil
}

func classify(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ErrNotFound
	case errors.Is(err, fs.ErrPermission):
		return ErrUnreadable
	default:
		return err
	}
}

// Resolve maps rel (slash-separated, relative to root) to an absolute path
// inside root. root must be canonical (as returned by CheckRoot). Symlinks
// are followed and the result must still lie inside root.
func Resolve(root, rel string) (string, error) {
	clean, err := lexicalClean(rel)
	if err != nil {
		return "", err
	}
	joined := filepath.Join(root, clean)
	real, err := filepath.EvalSymlinks(joined)
	if err != nil {
		return "", &PathError{rel, classify(err)}
	}
	if !within(root, real) {
		return "", &PathError{rel, ErrOutside}
	}
	return real, nil
}

func within(root, p string) bool {
	if p == root {
		return true
	}
	r, err := filepath.Rel(root, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) && !filepath.IsAbs(r)
}

// List returns the entries of the directory rel inside root, folders first,
// then by name without regard to case.
func List(root, rel string) (Listing, error) {
	dir, err := Resolve(root, rel)
	if err != nil {
		return Listing{}, err
	}
	if fi, err := os.Stat(dir); err != nil {
		return Listing{}, &PathError{rel, classify(err)}
	} else if !fi.IsDir() {
		return Listing{}, &PathError{rel, ErrNotDir}
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return Listing{}, &PathError{rel, classify(err)}
	}
	base := filepath.ToSlash(filepath.Clean(filepath.FromSlash(rel)))
	if base == "." {
		base = ""
	}
	out := Listing{Path: base, Entries: make([]Entry, 0, min(len(des), MaxEntries))}
	for _, de := range des {
		if hidden[de.Name()] && base == "" {
			continue
		}
		if len(out.Entries) == MaxEntries {
			out.Truncated = true
			break
		}
		e := Entry{Name: de.Name(), Path: joinSlash(base, de.Name()), Kind: KindFile}
		info, err := de.Info()
		if err != nil {
			continue // vanished between ReadDir and Info
		}
		e.Size, e.ModTime = info.Size(), info.ModTime().UnixMilli()
		switch {
		case de.IsDir():
			e.Kind, e.Size = KindDir, 0
		case de.Type()&fs.ModeSymlink != 0:
			e.Kind = KindSymlink
			if target, err := Resolve(root, e.Path); err == nil {
				if ti, err := os.Stat(target); err == nil {
					e.Kind, e.Size = KindFile, ti.Size()
					if ti.IsDir() {
						e.Kind, e.Size = KindDir, 0
					}
				}
			}
		}
		out.Entries = append(out.Entries, e)
	}
	sort.SliceStable(out.Entries, func(i, j int) bool {
		a, b := out.Entries[i], out.Entries[j]
		if (a.Kind == KindDir) != (b.Kind == KindDir) {
			return a.Kind == KindDir
		}
		la, lb := strings.ToLower(a.Name), strings.ToLower(b.Name)
		if la != lb {
			return la < lb
		}
		return a.Name < b.Name
	})
	return out, nil
}

func joinSlash(base, name string) string {
	if base == "" {
		return name
	}
	return base + "/" + name
}
