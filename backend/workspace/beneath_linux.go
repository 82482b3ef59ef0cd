//go:build linux

package workspace

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// The resolve flags of every open beneath a root: nothing above the root
// (an absolute path or link, a ".." too many) and no /proc magic link.
const (
	resolveFollow = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS
	resolveExact  = resolveFollow | unix.RESOLVE_NO_SYMLINKS
)

// classifyErrno maps an error of a beneath operation to the package's
// sentinels. noLinks says whether links were refused (ELOOP is then a
// link met, not a loop).
func classifyErrno(err error, noLinks bool) error {
	var errno unix.Errno
	if !errors.As(err, &errno) {
		return classify(err)
	}
	switch errno {
	case unix.ENOENT:
		return ErrNotFound
	case unix.EXDEV:
		return ErrOutside
	case unix.ELOOP:
		if noLinks {
			return ErrLink
		}
		return ErrLinkLoop
	case unix.ENOTDIR:
		return ErrNotDir
	case unix.EISDIR:
		return ErrIsDir
	case unix.EACCES, unix.EPERM:
		return ErrUnreadable
	}
	return err
}

// openRoot opens the root folder itself (the caller trusts it: links in
// its own path are followed).
func openRoot(root string) (int, error) {
	for {
		fd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, &PathError{root, classifyErrno(err, false)}
		}
		return fd, nil
	}
}

// openat2 is unix.Openat2, retried when interrupted or when the kernel
// could not rule out a concurrent rename escaping the root (EAGAIN).
func openat2(dirfd int, name string, flags uint64, resolve uint64) (int, error) {
	how := &unix.OpenHow{Flags: flags | unix.O_CLOEXEC, Mode: 0, Resolve: resolve}
	var err error
	for range 64 {
		var fd int
		fd, err = unix.Openat2(dirfd, name, how)
		if err == nil {
			return fd, nil
		}
		if err != unix.EINTR && err != unix.EAGAIN {
			return -1, err
		}
	}
	return -1, err
}

// fdWalker is the walker of RealPath on Linux: one O_PATH descriptor per
// folder entered, each opened with no link followed.
type fdWalker struct{ fds []int }

func (w *fdWalker) cur() int { return w.fds[len(w.fds)-1] }

func (w *fdWalker) kind(name string) (entryKind, error) {
	var st unix.Stat_t
	if err := unix.Fstatat(w.cur(), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if err == unix.ENOENT {
			return entryMissing, nil
		}
		return 0, err
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return entryDir, nil
	case unix.S_IFLNK:
		return entryLink, nil
	}
	return entryOther, nil
}

func (w *fdWalker) readlink(name string) (string, error) {
	buf := make([]byte, 4096)
	for {
		n, err := unix.Readlinkat(w.cur(), name, buf)
		if err != nil {
			return "", err
		}
		if n < len(buf) {
			return string(buf[:n]), nil
		}
		buf = make([]byte, 2*len(buf))
	}
}

func (w *fdWalker) enter(name string) error {
	fd, err := openat2(w.cur(), name, unix.O_PATH|unix.O_DIRECTORY, resolveExact)
	if err != nil {
		return err
	}
	w.fds = append(w.fds, fd)
	return nil
}

func (w *fdWalker) leave() {
	unix.Close(w.cur())
	w.fds = w.fds[:len(w.fds)-1]
}

func (w *fdWalker) close() {
	for _, fd := range w.fds {
		unix.Close(fd)
	}
}

// RealPath returns where rel (relative to root, as a model or user wrote
// it) really leads once symbolic links are resolved, as a clean slash path
// relative to root ("." for root itself). Neither the final component nor
// its folders need exist: the deepest existing ancestor is resolved and the
// rest appended (a dangling link leads where it points). Links are followed
// beneath root only, with openat2 RESOLVE_BENEATH semantics: an absolute
// link, or one climbing above root, is ErrOutside (wrapped in *PathError);
// a chain of more than 40 links is ErrLinkLoop. Each folder is entered
// with no link followed, so the answer describes one consistent walk; a
// caller then opens the answer with no link followed (ReadBeneath,
// WriteBeneath), which fails rather than follows a link swapped in since.
func RealPath(root, rel string) (string, error) {
	_, parts, err := splitRel(rel)
	if err != nil {
		return "", err
	}
	rootfd, err := openRoot(root)
	if err != nil {
		return "", err
	}
	w := &fdWalker{fds: []int{rootfd}}
	defer w.close()
	return resolve(w, rel, parts)
}

// OpenBeneath opens rel beneath root for reading without ever leaving root
// (openat2 RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS, plus RESOLVE_NO_SYMLINKS
// when noLinks), O_NONBLOCK|O_CLOEXEC so a named pipe cannot block it, and
// refuses anything but a regular file or a folder (ErrNotRegular). It
// returns the file and its real path relative to root (slash form, "." for
// root), read back from the opened descriptor, so the caller authorises
// exactly what it reads. Errors are *PathError wrapping ErrNotFound,
// ErrOutside, ErrLink (a link with noLinks), ErrLinkLoop, ErrNotDir or
// ErrUnreadable.
func OpenBeneath(root, rel string, noLinks bool) (*os.File, string, error) {
	clean, parts, err := splitRel(rel)
	if err != nil {
		return nil, "", err
	}
	rootfd, err := openRoot(root)
	if err != nil {
		return nil, "", err
	}
	defer unix.Close(rootfd)
	resolve := uint64(resolveFollow)
	if noLinks {
		resolve = resolveExact
	}
	fd, err := openat2(rootfd, clean, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY, resolve)
	if err != nil {
		return nil, "", &PathError{rel, classifyErrno(err, noLinks)}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, "", &PathError{rel, classifyErrno(err, noLinks)}
	}
	if m := st.Mode & unix.S_IFMT; m != unix.S_IFREG && m != unix.S_IFDIR {
		unix.Close(fd)
		return nil, "", &PathError{rel, ErrNotRegular}
	}
	real := clean // with no link followed, the clean path is the real one
	if !noLinks {
		if real, err = fdRealPath(rel, parts, rootfd, fd, &st); err != nil {
			unix.Close(fd)
			var pe *PathError
			if errors.As(err, &pe) {
				return nil, "", err
			}
			return nil, "", &PathError{rel, err}
		}
	}
	return os.NewFile(uintptr(fd), path.Join(root, real)), real, nil
}

// fdRealPath finds the path, relative to the root, of the file open at fd:
// from /proc/self/fd, else by resolving rel again; either way it is
// confirmed by the file that path names now being the very one open (same
// device and inode, reached with no link followed).
func fdRealPath(rel string, parts []string, rootfd, fd int, st *unix.Stat_t) (string, error) {
	same := func(real string) bool {
		ofd, err := openat2(rootfd, real, unix.O_PATH, resolveExact)
		if err != nil {
			return false
		}
		defer unix.Close(ofd)
		var other unix.Stat_t
		return unix.Fstat(ofd, &other) == nil && other.Dev == st.Dev && other.Ino == st.Ino
	}
	if base, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(rootfd)); err == nil {
		if p, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd)); err == nil {
			var real string
			switch {
			case p == base:
				real = "."
			case base == "/" && strings.HasPrefix(p, "/"):
				real = p[1:]
			case strings.HasPrefix(p, base+"/"):
				real = p[len(base)+1:]
			}
			if real != "" && same(real) {
				return real, nil
			}
		}
	}
	dup, err := unix.Dup(rootfd)
	if err != nil {
		return "", err
	}
	w := &fdWalker{fds: []int{dup}}
	defer w.close()
	real, err := resolve(w, rel, parts)
	if err != nil {
		return "", err
	}
	if !same(real) {
		return "", errors.New("changed while it was being opened")
	}
	return real, nil
}

// ReadBeneath reads the whole regular file rel beneath root with no
// symbolic link followed (RESOLVE_NO_SYMLINKS: rel must be a real path).
// Errors are *PathError wrapping ErrNotFound when it is absent, ErrLink
// when a link is met anywhere in it, ErrIsDir for a folder, ErrNotRegular,
// ErrOutside or ErrNotDir.
func ReadBeneath(root, rel string) ([]byte, error) {
	f, _, err := OpenBeneath(root, rel, true)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, &PathError{rel, err}
	}
	if fi.IsDir() {
		return nil, &PathError{rel, ErrIsDir}
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, &PathError{rel, err}
	}
	return data, nil
}

// openParent opens the folder holding the last of parts beneath rootfd
// for reading and fsync, with no link followed; with create, missing
// folders are made one component at a time (mkdirat relative to the
// folder above, never following a link). It returns the descriptor.
func openParent(rel string, rootfd int, parts []string, create bool) (int, error) {
	dir := "."
	if len(parts) > 1 {
		dir = strings.Join(parts[:len(parts)-1], "/")
	}
	fd, err := openat2(rootfd, dir, unix.O_RDONLY|unix.O_DIRECTORY, resolveExact)
	if err == nil || err != unix.ENOENT || !create {
		if err != nil {
			return -1, &PathError{rel, classifyErrno(err, true)}
		}
		return fd, nil
	}
	cur, err := openat2(rootfd, ".", unix.O_RDONLY|unix.O_DIRECTORY, resolveExact)
	if err != nil {
		return -1, &PathError{rel, classifyErrno(err, true)}
	}
	for _, c := range parts[:len(parts)-1] {
		next, err := openat2(cur, c, unix.O_RDONLY|unix.O_DIRECTORY, resolveExact)
		if err == unix.ENOENT {
			if err = unix.Mkdirat(cur, c, 0o755); err == nil || err == unix.EEXIST {
				if err == nil {
					_ = unix.Fsync(cur) // the new folder's entry is durable
				}
				next, err = openat2(cur, c, unix.O_RDONLY|unix.O_DIRECTORY, resolveExact)
			}
		}
		unix.Close(cur)
		if err != nil {
			return -1, &PathError{rel, classifyErrno(err, true)}
		}
		cur = next
	}
	return cur, nil
}

// WriteBeneath atomically replaces the file rel beneath root with data. It
// opens rel's folder with openat2 (RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|
// RESOLVE_NO_MAGICLINKS), creating missing folders one component at a time
// with mkdirat relative to the folder above (never following a link);
// removes a leftover at tmpName in that folder (unlinkat: a planted link is
// removed, not followed); creates tmpName with O_CREAT|O_EXCL|O_NOFOLLOW;
// keeps the permission bits of an existing regular target (fstatat
// AT_SYMLINK_NOFOLLOW; a new file is 0644 less the umask); writes, fsyncs,
// renames it over rel's last component (a link there is replaced, never
// followed) and fsyncs the folder. rel must be a real path (RealPath): a
// link anywhere above the last component is ErrLink. A folder at the
// target is ErrIsDir; a .git component (InGit) is ErrProtected unless
// allowGit. tmpName is a plain name in the target's folder. Errors are
// *PathError.
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
	rootfd, err := openRoot(root)
	if err != nil {
		return err
	}
	defer unix.Close(rootfd)
	dirfd, err := openParent(rel, rootfd, parts, true)
	if err != nil {
		return err
	}
	defer unix.Close(dirfd)
	name := parts[len(parts)-1]
	keep, mode := false, uint32(0o644)
	var st unix.Stat_t
	switch err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); {
	case err == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR:
		return &PathError{rel, ErrIsDir}
	case err == nil && st.Mode&unix.S_IFMT == unix.S_IFREG:
		keep, mode = true, st.Mode&0o7777
	case err != nil && err != unix.ENOENT:
		return &PathError{rel, classifyErrno(err, true)}
	}
	var fd int
	for attempt := 0; ; attempt++ {
		if err := unix.Unlinkat(dirfd, tmpName, 0); err != nil && err != unix.ENOENT {
			return &PathError{rel, err}
		}
		fd, err = unix.Openat(dirfd, tmpName, unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_WRONLY|unix.O_CLOEXEC, mode)
		if err == nil {
			break
		}
		if err != unix.EEXIST || attempt == 3 { // EEXIST: planted again meanwhile
			return &PathError{rel, err}
		}
	}
	f := os.NewFile(uintptr(fd), path.Join(root, path.Dir(clean), tmpName))
	fail := func(err error) error {
		f.Close()
		_ = unix.Unlinkat(dirfd, tmpName, 0)
		return &PathError{rel, err}
	}
	if keep {
		if err := f.Chmod(fs.FileMode(mode & 0o777)); err != nil {
			return fail(err)
		}
		if mode&^0o777 != 0 { // setuid and friends: fchmod with the raw bits
			if err := unix.Fchmod(fd, mode); err != nil {
				return fail(err)
			}
		}
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		_ = unix.Unlinkat(dirfd, tmpName, 0)
		return &PathError{rel, err}
	}
	if err := unix.Renameat(dirfd, tmpName, dirfd, name); err != nil {
		_ = unix.Unlinkat(dirfd, tmpName, 0)
		return &PathError{rel, classifyErrno(err, true)}
	}
	if err := unix.Fsync(dirfd); err != nil {
		return &PathError{rel, err}
	}
	return nil
}

// RemoveBeneath removes the file (or link) rel beneath root: unlinkat in
// its folder, opened with RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS (a link above
// the last component is ErrLink), then fsyncs the folder. An absent file
// (or folder above it) is not an error; a folder at rel is ErrIsDir. The
// caller judges .git (InGit). Errors are *PathError.
func RemoveBeneath(root, rel string) error { return unlinkBeneath(root, rel, 0, ErrIsDir) }

// unlinkBeneath is unlinkat(flags) of rel's last component in its parent
// opened beneath root with RESOLVE_NO_SYMLINKS, then an fsync of the
// parent; an absent target is not an error, and the root itself is
// rootErr.
func unlinkBeneath(root, rel string, flags int, rootErr error) error {
	_, parts, err := splitRel(rel)
	if err != nil {
		return err
	}
	if len(parts) == 0 {
		return &PathError{rel, rootErr}
	}
	rootfd, err := openRoot(root)
	if err != nil {
		return err
	}
	defer unix.Close(rootfd)
	dirfd, err := openParent(rel, rootfd, parts, false)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	defer unix.Close(dirfd)
	if err := unix.Unlinkat(dirfd, parts[len(parts)-1], flags); err != nil && err != unix.ENOENT {
		return &PathError{rel, classifyErrno(err, true)}
	}
	if err := unix.Fsync(dirfd); err != nil {
		return &PathError{rel, err}
	}
	return nil
}

// LstatBeneath describes rel beneath root without following a link at
// any component (openat2 O_PATH|O_NOFOLLOW with RESOLVE_BENEATH|
// RESOLVE_NO_SYMLINKS): a link at the last component is described as a
// link, one above it is ErrLink. Errors are *PathError (ErrNotFound when
// absent).
func LstatBeneath(root, rel string) (fs.FileInfo, error) {
	clean, _, err := splitRel(rel)
	if err != nil {
		return nil, err
	}
	rootfd, err := openRoot(root)
	if err != nil {
		return nil, err
	}
	defer unix.Close(rootfd)
	fd, err := openat2(rootfd, clean, unix.O_PATH|unix.O_NOFOLLOW, resolveExact)
	if err != nil {
		return nil, &PathError{rel, classifyErrno(err, true)}
	}
	f := os.NewFile(uintptr(fd), path.Join(root, clean))
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, &PathError{rel, err}
	}
	return fi, nil
}

// RemoveDirBeneath removes the empty folder rel beneath root (unlinkat
// AT_REMOVEDIR in its parent, opened with RESOLVE_NO_SYMLINKS: a link above
// the last component is ErrLink, and a link at it is not removed) and
// fsyncs the parent. An absent folder is not an error; a folder that is not
// empty is left and reported (ENOTEMPTY). Errors are *PathError.
func RemoveDirBeneath(root, rel string) error {
	return unlinkBeneath(root, rel, unix.AT_REMOVEDIR, ErrOutside) // never the root itself
}
