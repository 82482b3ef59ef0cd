package workspace

import (
	"errors"
	"path"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Errors of the beneath-root file access (RealPath, OpenBeneath,
// ReadBeneath, WriteBeneath, RemoveBeneath), wrapped in *PathError.
var (
	// ErrLink is a symbolic link met where none may be followed: the path
	// given is expected to be a real path already, so a link in it now is
	// a change (or an attack) since it was judged.
	ErrLink = errors.New("goes through a symbolic link")
	// ErrLinkLoop is a chain of symbolic links too long to be resolved
	// (a loop, most likely).
	ErrLinkLoop = errors.New("is a loop of symbolic links")
	// ErrNotRegular is something other than a regular file or a folder
	// (a device, a named pipe, a socket).
	ErrNotRegular = errors.New("is not a regular file")
)

// maxLinks bounds the symbolic links one resolution follows, as the kernel
// does (40 on Linux).
const maxLinks = 40

// InGit reports whether the slash path rel has a .git component at any
// depth, compared as the capability enforcer does (Unicode NFC, without
// regard to case: on a case-insensitive disk .GIT is the same folder).
func InGit(rel string) bool {
	for _, c := range strings.Split(rel, "/") {
		if strings.EqualFold(norm.NFC.String(c), ".git") {
			return true
		}
	}
	return false
}

// splitRel cleans rel lexically and splits it into its components (none
// for the root itself).
func splitRel(rel string) (string, []string, error) {
	clean, err := lexicalClean(rel)
	if err != nil {
		return "", nil, err
	}
	slash := strings.ReplaceAll(clean, "\\", "/") // lexicalClean is native; the project is slash-only
	if slash == "." {
		return ".", nil, nil
	}
	return slash, strings.Split(slash, "/"), nil
}

// checkTempName refuses a temporary name that is not a plain name in the
// target's folder.
func checkTempName(rel, tmp string) error {
	if tmp == "" || tmp == "." || tmp == ".." || strings.ContainsAny(tmp, "/\\\x00") {
		return &PathError{rel, errors.New("has an invalid temporary name " + tmp)}
	}
	return nil
}

// entryKind is what a name in a folder is, not following a link.
type entryKind int

const (
	entryMissing entryKind = iota
	entryDir
	entryLink
	entryOther // a regular file, a device, …
)

// walker steps through folders for resolve: it stands in one folder at a
// time (the root at first) and never follows a link by itself.
type walker interface {
	// kind says what name is in the current folder.
	kind(name string) (entryKind, error)
	// readlink returns the target of the link name in the current folder.
	readlink(name string) (string, error)
	// enter makes the folder name (in the current folder) current.
	enter(name string) error
	// leave makes the parent of the current folder current again.
	leave()
}

// resolve is RealPath's algorithm over a walker: it follows links the
// way openat2 RESOLVE_BENEATH does (an absolute link, or a ".." above the
// root, is outside), appends what does not exist, and returns the clean
// slash path relative to the root ("." for the root itself).
func resolve(w walker, rel string, parts []string) (string, error) {
	var stack []string
	todo := append([]string(nil), parts...)
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(stack) == 0 {
				return "", &PathError{rel, ErrOutside}
			}
			stack = stack[:len(stack)-1]
			w.leave()
			continue
		}
		k, err := w.kind(c)
		if err != nil {
			return "", &PathError{rel, classifyErrno(err, false)}
		}
		rest := meaningful(todo)
		switch k {
		case entryMissing:
			// Nothing below exists: the rest is where a write would go.
			for _, r := range todo {
				if r == ".." {
					return "", &PathError{rel, ErrNotFound}
				}
			}
			stack = append(stack, c)
			stack = append(stack, rest...)
			todo = nil
		case entryLink:
			if links++; links > maxLinks {
				return "", &PathError{rel, ErrLinkLoop}
			}
			target, err := w.readlink(c)
			if err != nil {
				return "", &PathError{rel, classifyErrno(err, false)}
			}
			if target == "" || strings.HasPrefix(target, "/") || strings.ContainsRune(target, 0) {
				return "", &PathError{rel, ErrOutside}
			}
			todo = append(strings.Split(target, "/"), todo...)
		case entryDir:
			stack = append(stack, c)
			if len(rest) == 0 {
				todo = nil
				break
			}
			if err := w.enter(c); err != nil { // swapped for a link since kind: ErrLink
				return "", &PathError{rel, classifyErrno(err, true)}
			}
		default:
			if len(rest) > 0 {
				return "", &PathError{rel, ErrNotDir}
			}
			stack = append(stack, c)
			todo = nil
		}
	}
	if len(stack) == 0 {
		return ".", nil
	}
	return path.Join(stack...), nil
}

// meaningful drops the "" and "." components.
func meaningful(parts []string) []string {
	var out []string
	for _, p := range parts {
		if p != "" && p != "." {
			out = append(out, p)
		}
	}
	return out
}
