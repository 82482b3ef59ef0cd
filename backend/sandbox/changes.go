package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// Kinds of a path's state in a view.
const (
	kindAbsent = iota
	kindFile
	kindDir
	kindSymlink
	kindOther
)

// state is one path in a view: absent, a regular file (with content and
// permission bits), a folder, a symbolic link (with its target) or another
// kind of file.
type state struct {
	kind int
	mode os.FileMode
	data []byte
	link string
	what string // for kindOther: "device", "fifo", "socket"
}

// maxChangeFile bounds the size of a changed file read into a Change.
const maxChangeFile = 256 << 20

// lowerFile reads rel in the real workspace root without following any
// symbolic link and never leaving root (openat2 RESOLVE_BENEATH).
func lowerFile(root, rel string) (state, error) {
	dfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return state{}, err
	}
	defer unix.Close(dfd)
	return stateAt(dfd, rel)
}

// stateAt reads rel beneath the folder dfd without following symlinks.
func stateAt(dfd int, rel string) (state, error) {
	fd, err := unix.Openat2(dfd, rel, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_NOFOLLOW | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV,
	})
	if err == unix.ENOENT || err == unix.ENOTDIR || err == unix.ELOOP {
		return state{kind: kindAbsent}, nil
	}
	if err == unix.EXDEV {
		return state{kind: kindOther, what: "mount point"}, nil
	}
	if err != nil {
		return state{}, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return state{}, err
	}
	s := state{mode: os.FileMode(st.Mode & 0o777)}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		s.kind = kindDir
	case unix.S_IFLNK:
		s.kind = kindSymlink
		buf := make([]byte, 4096)
		n, err := unix.Readlinkat(fd, "", buf)
		if err != nil {
			return state{}, err
		}
		s.link = string(buf[:n])
	case unix.S_IFREG:
		s.kind = kindFile
		if st.Size > maxChangeFile {
			return state{}, fmt.Errorf("%s: larger than %d bytes", rel, maxChangeFile)
		}
		rfd, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", fd), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return state{}, err
		}
		f := os.NewFile(uintptr(rfd), rel)
		s.data, err = readAll(f, st.Size)
		f.Close()
		if err != nil {
			return state{}, err
		}
	default:
		s.kind = kindOther
		s.what = otherKind(st.Mode)
	}
	return s, nil
}

func readAll(f *os.File, size int64) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(int(size) + 1)
	_, err := b.ReadFrom(f)
	return b.Bytes(), err
}

func otherKind(m uint32) string {
	switch m & unix.S_IFMT {
	case unix.S_IFCHR, unix.S_IFBLK:
		return "device"
	case unix.S_IFIFO:
		return "fifo"
	case unix.S_IFSOCK:
		return "socket"
	}
	return "special file"
}

// baseline is the view the command started from: the lower layer with the
// staged edits on top.
type baseline struct {
	root   string
	dfd    int
	staged map[string]File
}

func newBaseline(root string, staged []File) (*baseline, error) {
	dfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	b := &baseline{root: root, dfd: dfd, staged: map[string]File{}}
	for _, f := range staged {
		b.staged[f.Path] = f
	}
	return b, nil
}

func (b *baseline) close() { unix.Close(b.dfd) }

// at is the baseline state of rel.
func (b *baseline) at(rel string) (state, error) {
	for p := rel; p != "."; p = path.Dir(p) {
		if f, ok := b.staged[p]; ok {
			if f.Delete {
				return state{kind: kindAbsent}, nil
			}
			if p != rel {
				return state{kind: kindAbsent}, nil // under a staged file
			}
			s, err := stateAt(b.dfd, rel)
			mode := os.FileMode(0o644)
			if err == nil && s.kind == kindFile {
				mode = s.mode
			}
			return state{kind: kindFile, data: f.Data, mode: mode}, nil
		}
	}
	return stateAt(b.dfd, rel)
}

// lowerFilesUnder lists the non-folder paths under rel in the baseline.
func (b *baseline) lowerFilesUnder(rel string, add func(string)) {
	top := filepath.Join(b.root, filepath.FromSlash(rel))
	fi, err := os.Lstat(top)
	if err != nil {
		return
	}
	if !fi.IsDir() {
		add(rel)
		return
	}
	filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		r, _ := filepath.Rel(b.root, p)
		add(filepath.ToSlash(r))
		return nil
	})
	for p, f := range b.staged {
		if !f.Delete && (p == rel || strings.HasPrefix(p, rel+"/")) {
			add(p)
		}
	}
}

// compare turns the baseline and final state of candidate paths into
// Changes, sorted by path.
func compare(b *baseline, cands map[string]bool, final func(string) (state, error)) ([]Change, error) {
	paths := make([]string, 0, len(cands))
	for p := range cands {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var out []Change
	for _, p := range paths {
		was, err := b.at(p)
		if err != nil {
			return out, err
		}
		now, err := final(p)
		if err != nil {
			return out, err
		}
		if c, ok := change(p, was, now); ok {
			out = append(out, c)
		}
	}
	return out, nil
}

func change(p string, was, now state) (Change, bool) {
	switch now.kind {
	case kindAbsent, kindDir:
		if was.kind == kindAbsent || was.kind == kindDir {
			return Change{}, false
		}
		return Change{Path: p, Op: OpDelete}, true
	case kindFile:
		if was.kind == kindFile && bytes.Equal(was.data, now.data) && was.mode == now.mode {
			return Change{}, false
		}
		return Change{Path: p, Op: OpWrite, Data: now.data, Size: int64(len(now.data)), Mode: uint32(now.mode)}, true
	case kindSymlink:
		if was.kind == kindSymlink && was.link == now.link {
			return Change{}, false
		}
		return Change{Path: p, Op: OpUnsupported, Detail: "symbolic link to " + now.link}, true
	default:
		if was.kind == kindOther && was.what == now.what {
			return Change{}, false
		}
		return Change{Path: p, Op: OpUnsupported, Detail: now.what}, true
	}
}

// whiteout reports whether the upper entry at p (lstat fi) is an overlay
// whiteout: a 0/0 character device, or a file carrying the whiteout xattr.
func whiteout(p string, fi os.FileInfo, fuse bool) bool {
	if fuse && strings.HasPrefix(fi.Name(), ".wh.") {
		return true
	}
	if fi.Mode()&os.ModeCharDevice != 0 {
		if st, ok := fi.Sys().(*unixStat); ok && st.Rdev == 0 {
			return true
		}
	}
	if fi.Mode().IsRegular() && fi.Size() == 0 || fi.Mode()&os.ModeCharDevice != 0 {
		return hasXattr(p, "user.overlay.whiteout") || hasXattr(p, "trusted.overlay.whiteout")
	}
	return false
}

// opaque reports whether the upper folder p hides the lower one.
func opaque(p string, fuse bool) bool {
	if fuse {
		if _, err := os.Lstat(filepath.Join(p, ".wh..wh..opq")); err == nil {
			return true
		}
	}
	for _, a := range []string{"user.overlay.opaque", "trusted.overlay.opaque"} {
		buf := make([]byte, 8)
		n, err := unix.Lgetxattr(p, a, buf)
		if err == nil && n >= 1 && buf[0] == 'y' {
			return true
		}
	}
	return false
}

func hasXattr(p, name string) bool {
	_, err := unix.Lgetxattr(p, name, nil)
	return err == nil || errors.Is(err, unix.ERANGE)
}

// diffUpper reads the overlay's upper layer after the command.
func diffUpper(root, upper string, staged []File, fuse bool) ([]Change, error) {
	b, err := newBaseline(root, staged)
	if err != nil {
		return nil, err
	}
	defer b.close()
	cands := map[string]bool{}
	add := func(p string) { cands[p] = true }
	for _, f := range staged {
		add(f.Path)
	}
	err = filepath.WalkDir(upper, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == upper {
			return nil
		}
		r, _ := filepath.Rel(upper, p)
		r = filepath.ToSlash(r)
		if fuse && strings.HasPrefix(d.Name(), ".wh.") {
			if d.Name() == ".wh..wh..opq" {
				return nil
			}
			r = path.Join(path.Dir(r), strings.TrimPrefix(d.Name(), ".wh."))
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			if opaque(p, fuse) {
				b.lowerFilesUnder(r, add)
			}
			if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(r))); err != nil {
				return nil
			}
			if lf, _ := b.at(r); lf.kind != kindDir && lf.kind != kindAbsent {
				add(r) // a folder replaced a file
			}
			return nil
		}
		add(r)
		if whiteout(p, fi, fuse) {
			b.lowerFilesUnder(r, add)
		} else {
			b.lowerFilesUnder(r, add) // a file replacing a lower folder deletes what was under it
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return compare(b, cands, func(rel string) (state, error) { return upperState(b, upper, rel, fuse) })
}

// upperState is the final state of rel in the merged view, resolved from
// the upper layer over the baseline... over the lower layer.
func upperState(b *baseline, upper, rel string, fuse bool) (state, error) {
	parts := strings.Split(rel, "/")
	hidden := false
	for i := range parts {
		pre := strings.Join(parts[:i+1], "/")
		p := filepath.Join(upper, filepath.FromSlash(pre))
		if fuse {
			wh := filepath.Join(upper, filepath.FromSlash(path.Join(path.Dir(pre), ".wh."+parts[i])))
			if _, err := os.Lstat(wh); err == nil {
				return state{kind: kindAbsent}, nil
			}
		}
		fi, err := os.Lstat(p)
		if err != nil {
			if hidden {
				return state{kind: kindAbsent}, nil
			}
			dfd, err := unix.Open(b.root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
			if err != nil {
				return state{}, err
			}
			defer unix.Close(dfd)
			return stateAt(dfd, rel)
		}
		if whiteout(p, fi, fuse) {
			return state{kind: kindAbsent}, nil
		}
		if i == len(parts)-1 {
			return fileState(p, fi)
		}
		if !fi.IsDir() {
			return state{kind: kindAbsent}, nil
		}
		if opaque(p, fuse) {
			hidden = true
		}
	}
	return state{kind: kindAbsent}, nil
}

// fileState reads a file of a scratch tree (upper layer or copy).
func fileState(p string, fi os.FileInfo) (state, error) {
	s := state{mode: fi.Mode().Perm()}
	switch {
	case fi.IsDir():
		s.kind = kindDir
	case fi.Mode()&os.ModeSymlink != 0:
		s.kind = kindSymlink
		l, err := os.Readlink(p)
		if err != nil {
			return state{}, err
		}
		s.link = l
	case fi.Mode().IsRegular():
		s.kind = kindFile
		if fi.Size() > maxChangeFile {
			return state{}, fmt.Errorf("%s: larger than %d bytes", p, maxChangeFile)
		}
		f, err := os.OpenFile(p, os.O_RDONLY|unix.O_NOFOLLOW, 0)
		if err != nil {
			return state{}, err
		}
		s.data, err = readAll(f, fi.Size())
		f.Close()
		if err != nil {
			return state{}, err
		}
	default:
		s.kind = kindOther
		if st, ok := fi.Sys().(*unixStat); ok {
			s.what = otherKind(st.Mode)
		}
	}
	return s, nil
}

// diffCopy compares the copy the command ran on with the workspace and
// the staged edits.
func diffCopy(root, cp string, staged []File) ([]Change, error) {
	b, err := newBaseline(root, staged)
	if err != nil {
		return nil, err
	}
	defer b.close()
	cands := map[string]bool{}
	for _, f := range staged {
		cands[f.Path] = true
	}
	for _, top := range []string{root, cp} {
		top := top
		err := filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p != top && !d.IsDir() {
				r, _ := filepath.Rel(top, p)
				cands[filepath.ToSlash(r)] = true
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return compare(b, cands, func(rel string) (state, error) {
		dfd, err := unix.Open(cp, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return state{}, err
		}
		defer unix.Close(dfd)
		return stateAt(dfd, rel)
	})
}
