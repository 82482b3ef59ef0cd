package workspace

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrProtected is a write under .git/, which is never written by a run.
var ErrProtected = errors.New("is protected (.git)")

// ErrIsDir is a file operation on a folder.
var ErrIsDir = errors.New("is a folder")

// CleanRel canonicalises a workspace-relative path to slash form ("a/b.txt")
// and rejects anything that leaves the workspace lexically.
func CleanRel(rel string) (string, error) {
	clean, err := lexicalClean(rel)
	if err != nil {
		return "", err
	}
	if rel == "" || clean == "." { // the root itself is not a file
		return "", &PathError{rel, ErrOutside}
	}
	return filepath.ToSlash(clean), nil
}

// lexicalClean cleans rel in native form ("" and "." become ".") and
// rejects NUL bytes, absolute paths and anything that climbs out with "..".
// Symlinks are the callers' business.
func lexicalClean(rel string) (string, error) {
	if strings.ContainsRune(rel, 0) {
		return "", &PathError{rel, ErrOutside}
	}
	native := filepath.FromSlash(rel)
	if filepath.IsAbs(native) || filepath.VolumeName(native) != "" {
		return "", &PathError{rel, ErrOutside}
	}
	clean := filepath.Clean(native)
	if clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", &PathError{rel, ErrOutside}
	}
	return clean, nil
}

// ResolveForWrite maps rel to the absolute path a write would replace. The
// file need not exist, nor its folders; the deepest existing folder must
// lie inside root once symlinks are resolved, nothing under .git/ may be
// written, and the target may not be a folder. A symlink at the target is
// replaced by the write, never followed.
func ResolveForWrite(root, rel string) (string, error) { return ResolveWrite(root, rel, false) }

// ResolveWrite is ResolveForWrite; with allowGit the .git/ refusal is left
// to the caller (the capability enforcer, which lets an explicit grant
// through).
func ResolveWrite(root, rel string, allowGit bool) (string, error) {
	clean, err := CleanRel(rel)
	if err != nil {
		return "", err
	}
	if first, _, _ := strings.Cut(clean, "/"); strings.EqualFold(first, ".git") && !allowGit {
		return "", &PathError{rel, ErrProtected}
	}
	parts := strings.Split(clean, "/")
	// Find the deepest existing ancestor folder and check where it really is.
	i := len(parts) - 1
	var base string
	for ; i >= 0; i-- {
		p := filepath.Join(append([]string{root}, parts[:i]...)...)
		fi, err := os.Stat(p)
		if err == nil {
			if !fi.IsDir() {
				return "", &PathError{rel, ErrNotDir}
			}
			if base, err = filepath.EvalSymlinks(p); err != nil {
				return "", &PathError{rel, classify(err)}
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", &PathError{rel, classify(err)}
		}
	}
	if i < 0 || !within(root, base) {
		return "", &PathError{rel, ErrOutside}
	}
	target := filepath.Join(append([]string{base}, parts[i:]...)...)
	if fi, err := os.Lstat(target); err == nil && fi.IsDir() {
		return "", &PathError{rel, ErrIsDir}
	}
	return target, nil
}
