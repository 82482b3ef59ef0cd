//go:build !linux

package workspace

// Without openat2 these do the best they can with paths: every component
// is checked with Lstat before use, which narrows but does not close the
// window between a check and a use. The Studio ships on Linux.

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// classifyErrno maps an error of a beneath operation to the package's
// sentinels.
func classifyErrno(err error, noLinks bool) error {
	if isLinkErr(err) {
		if noLinks {
			return ErrLink
		}
		return ErrLinkLoop
	}
	return classify(err)
}

// pathWalker is the walker of RealPath without descriptors.
type pathWalker struct {
	root  string
	stack []string
}

func (w *pathWalker) full(name string) string {
	return filepath.Join(append(append([]string{w.root}, w.stack...), name)...)
}

func (w *pathWalker) kind(name string) (entryKind, error) {
	fi, err := os.Lstat(w.full(name))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return entryMissing, nil
	case err != nil:
		return 0, err
	case fi.IsDir():
		return entryDir, nil
	case fi.Mode()&fs.ModeSymlink != 0:
		return entryLink, nil
	}
	return entryOther, nil
}

func (w *pathWalker) readlink(name string) (string, error) {
	t, err := os.Readlink(w.full(name))
	return filepath.ToSlash(t), err
}

func (w *pathWalker) enter(name string) error { w.stack = append(w.stack, name); return nil }
func (w *pathWalker) leave()                  { w.stack = w.stack[:len(w.stack)-1] }

// RealPath returns where rel (relative to root, as a model or user wrote
// it) really leads once symbolic links are resolved, as a clean slash path
// relative to root ("." for root itself). Neither the final component nor
// its folders need exist: the deepest existing ancestor is resolved and the
// rest appended. Links are followed beneath root only: an absolute link, or
// one climbing above root, is ErrOutside (wrapped in *PathError); a chain
// of more than 40 links is ErrLinkLoop.
func RealPath(root, rel string) (string, error) {
	_, parts, err := splitRel(rel)
	if err != nil {
		return "", err
	}
	return resolve(&pathWalker{root: root}, rel, parts)
}

// noLinkBelow checks that no component of parts (all of them, or all but
// the last when lastMayLink) is a symbolic link.
func noLinkBelow(root, rel string, parts []string, lastMayLink bool) error {
	p := root
	for i, c := range parts {
		p = filepath.Join(p, c)
		fi, err := os.Lstat(p)
		if err != nil {
			return &PathError{rel, classify(err)}
		}
		if fi.Mode()&fs.ModeSymlink != 0 && !(lastMayLink && i == len(parts)-1) {
			return &PathError{rel, ErrLink}
		}
	}
	return nil
}

// OpenBeneath opens rel beneath root for reading without leaving root and
// refuses anything but a regular file or a folder (ErrNotRegular); with
// noLinks a symbolic link anywhere in rel is ErrLink. It returns the file
// and its real path relative to root. Without openat2 the checks precede
// the open.
func OpenBeneath(root, rel string, noLinks bool) (*os.File, string, error) {
	clean, parts, err := splitRel(rel)
	if err != nil {
		return nil, "", err
	}
	real := clean
	if noLinks {
		if err := noLinkBelow(root, rel, parts, false); err != nil {
			return nil, "", err
		}
	} else if real, err = RealPath(root, rel); err != nil {
		return nil, "", err
	}
	f, err := openRegular(filepath.Join(root, filepath.FromSlash(real)))
	if err != nil {
		return nil, "", &PathError{rel, classifyErrno(err, true)}
	}
	fi, err := f.Stat()
	if err != nil || !(fi.Mode().IsRegular() || fi.IsDir()) {
		f.Close()
		return nil, "", &PathError{rel, ErrNotRegular}
	}
	return f, real, nil
}

// ReadBeneath reads the whole regular file rel beneath root with no
// symbolic link followed. Errors are *PathError wrapping ErrNotFound when
// it is absent, ErrLink when a link is met, ErrIsDir for a folder.
func ReadBeneath(root, rel string) ([]byte, error) {
	f, _, err := OpenBeneath(root, rel, true)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, &PathError{rel, ErrIsDir}
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, &PathError{rel, err}
	}
	return data, nil
}

// parentBeneath returns rel's folder (made when create), checked to hold
// no link.
func parentBeneath(root, rel string, parts []string, create bool) (string, error) {
	dir := root
	for _, c := range parts[:len(parts)-1] {
		dir = filepath.Join(dir, c)
		fi, err := os.Lstat(dir)
		if errors.Is(err, fs.ErrNotExist) && create {
			if err = os.Mkdir(dir, 0o755); err == nil || errors.Is(err, fs.ErrExist) {
				fi, err = os.Lstat(dir)
			}
		}
		switch {
		case err != nil:
			return "", &PathError{rel, classify(err)}
		case fi.Mode()&fs.ModeSymlink != 0:
			return "", &PathError{rel, ErrLink}
		case !fi.IsDir():
			return "", &PathError{rel, ErrNotDir}
		}
	}
	return dir, nil
}

// WriteBeneath atomically replaces the file rel beneath root with data:
// missing folders are made one at a time, a leftover at tmpName (a plain
// name in the target's folder) is removed, the temporary file is created
// exclusively, written, synced and renamed over the target (a link there is
// replaced, never followed). The mode of an existing regular target is
// kept (0644 otherwise). A link above the last component is ErrLink, a
// folder at the target ErrIsDir, a .git component (InGit) ErrProtected
// unless allowGit.
func WriteBeneath(root, rel string, data []byte, tmpName string, allowGit bool) error {
	clean, parts, err := splitRel(rel)
	if err != nil {
		return err
	}
	if len(parts) == 0 {
		return &PathError{rel, ErrIsDir}
	}
	if !allowGit && InGit(clean) {
		return &PathError{rel, ErrProtected}
	}
	if err := checkTempName(rel, tmpName); err != nil {
		return err
	}
	dir, err := parentBeneath(root, rel, parts, true)
	if err != nil {
		return err
	}
	target := filepath.Join(dir, parts[len(parts)-1])
	mode := fs.FileMode(0o644)
	if fi, err := os.Lstat(target); err == nil {
		if fi.IsDir() {
			return &PathError{rel, ErrIsDir}
		}
		if fi.Mode().IsRegular() {
			mode = fi.Mode().Perm()
		}
	}
	tmp := filepath.Join(dir, tmpName)
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &PathError{rel, err}
	}
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return &PathError{rel, err}
	}
	fail := func(err error) error { f.Close(); os.Remove(tmp); return &PathError{rel, err} }
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return &PathError{rel, err}
	}
	if err := os.Rename(tmp, target); err != nil {
		os.Remove(tmp)
		return &PathError{rel, err}
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// RemoveBeneath removes the file (or link) rel beneath root and syncs its
// folder; a link above the last component is ErrLink, a folder ErrIsDir;
// absent is not an error. The caller judges .git (InGit).
func RemoveBeneath(root, rel string) error {
	_, parts, err := splitRel(rel)
	if err != nil {
		return err
	}
	if len(parts) == 0 {
		return &PathError{rel, ErrIsDir}
	}
	dir, err := parentBeneath(root, rel, parts, false)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	target := filepath.Join(dir, parts[len(parts)-1])
	if fi, err := os.Lstat(target); err == nil && fi.IsDir() {
		return &PathError{rel, ErrIsDir}
	}
	if err := os.Remove(target); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &PathError{rel, err}
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// LstatBeneath describes rel beneath root without following a link: a
// link at the last component is described as a link, one above it is
// ErrLink. Errors are *PathError (ErrNotFound when absent).
func LstatBeneath(root, rel string) (fs.FileInfo, error) {
	clean, parts, err := splitRel(rel)
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return os.Lstat(root)
	}
	if _, err := parentBeneath(root, rel, parts, false); err != nil {
		return nil, err
	}
	fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(clean)))
	if err != nil {
		return nil, &PathError{rel, classify(err)}
	}
	return fi, nil
}

// RemoveDirBeneath removes the empty folder rel beneath root (a link above
// the last component is ErrLink, and a link at it is not removed); an
// absent folder is not an error. Errors are *PathError.
func RemoveDirBeneath(root, rel string) error {
	_, parts, err := splitRel(rel)
	if err != nil {
		return err
	}
	if len(parts) == 0 {
		return &PathError{rel, ErrOutside}
	}
	dir, err := parentBeneath(root, rel, parts, false)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	target := filepath.Join(dir, parts[len(parts)-1])
	fi, err := os.Lstat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &PathError{rel, classify(err)}
	}
	if !fi.IsDir() {
		return &PathError{rel, ErrNotDir}
	}
	if err := os.Remove(target); err != nil {
		return &PathError{rel, err}
	}
	return nil
}
