package sandbox

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
)

// Foreign-owned files (the EOVERFLOW case).
//
// When the Studio runs as an unprivileged user, only its own uid and gid
// are mapped in the sandbox's user namespace. Overlayfs cannot copy up a
// lower file whose owner is not mapped (open for writing, rename, chmod
// fail with EOVERFLOW). The parent therefore pre-copies such entries into
// the upper layer before the command, owned by the caller: folders (as
// folders: their content stays in the lower layer), symbolic links, and
// regular files up to foreignFileMax bytes each and foreignTotalMax in all
// (beyond that the command sees EOVERFLOW on those files). Identical
// copies are not reported as changes.
//
// Finding them needs a walk of the workspace. The walk is cached per root:
// the cache keeps every folder's change time; a later Run lstats the known
// folders only and re-reads the entries of the folders that changed (an
// entry added, removed or renamed changes its folder). A file chowned in
// place without any change to its folder is missed until its folder
// changes; then the command gets EOVERFLOW for it, as it would without the
// cache.
const (
	foreignFileMax  = 4 << 20
	foreignTotalMax = 64 << 20
	foreignCountMax = 20000
)

type dirStamp struct{ ctime, mtime syscall.Timespec }

type foreignScan struct {
	dirs    map[string]dirStamp    // rel ("." for the root) → stamp
	foreign map[string]os.FileMode // rel → type and permission bits of each foreign-owned entry
}

var (
	foreignMu    sync.Mutex
	foreignCache = map[string]*foreignScan{}
)

// foreignEntries returns the foreign-owned entries of root, sorted.
func foreignEntries(root string) map[string]os.FileMode {
	foreignMu.Lock()
	defer foreignMu.Unlock()
	sc := foreignCache[root]
	if sc == nil {
		sc = &foreignScan{dirs: map[string]dirStamp{}, foreign: map[string]os.FileMode{}}
		foreignCache[root] = sc
		sc.scanDir(root, ".", true)
		return sc.foreign
	}
	for rel, old := range sc.dirs {
		var st syscall.Stat_t
		if err := syscall.Lstat(filepath.Join(root, rel), &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFDIR {
			sc.drop(rel)
			continue
		}
		if (dirStamp{st.Ctim, st.Mtim}) != old {
			sc.scanDir(root, rel, false)
		}
	}
	return sc.foreign
}

// drop forgets rel and everything under it.
func (sc *foreignScan) drop(rel string) {
	for d := range sc.dirs {
		if d == rel || strings.HasPrefix(d, rel+"/") {
			delete(sc.dirs, d)
		}
	}
	for f := range sc.foreign {
		if f == rel || strings.HasPrefix(f, rel+"/") {
			delete(sc.foreign, f)
		}
	}
}

// scanDir (re)reads the entries of the folder rel; new sub-folders (all of
// them when deep) are scanned in turn.
func (sc *foreignScan) scanDir(root, rel string, deep bool) {
	uid, gid := uint32(os.Getuid()), uint32(os.Getgid())
	full := filepath.Join(root, rel)
	var st syscall.Stat_t
	if syscall.Lstat(full, &st) != nil {
		return
	}
	sc.dirs[rel] = dirStamp{st.Ctim, st.Mtim}
	ents, err := os.ReadDir(full)
	if err != nil {
		return
	}
	// Forget the direct entries of rel; they are read again.
	for f := range sc.foreign {
		if path.Dir(f) == rel {
			delete(sc.foreign, f)
		}
	}
	seen := map[string]bool{}
	for _, e := range ents {
		child := path.Join(rel, e.Name())
		seen[child] = true
		var cst syscall.Stat_t
		if syscall.Lstat(filepath.Join(full, e.Name()), &cst) != nil {
			continue
		}
		isDir := cst.Mode&syscall.S_IFMT == syscall.S_IFDIR
		if cst.Uid != uid || cst.Gid != gid {
			m := os.FileMode(cst.Mode & 0o777)
			switch cst.Mode & syscall.S_IFMT {
			case syscall.S_IFDIR:
				m |= fs.ModeDir
			case syscall.S_IFLNK:
				m |= fs.ModeSymlink
			case syscall.S_IFREG:
			default:
				m = 0
			}
			if m != 0 || cst.Mode&syscall.S_IFMT == syscall.S_IFREG {
				sc.foreign[child] = m
			}
		}
		if isDir {
			if _, known := sc.dirs[child]; deep || !known {
				sc.scanDir(root, child, true)
			}
		}
	}
	// Sub-folders that went away.
	for d := range sc.dirs {
		if d != rel && path.Dir(d) == rel && !seen[d] {
			sc.drop(d)
		}
	}
}

// precopyForeign copies the foreign-owned entries of root into upper.
func precopyForeign(root, upper string) error {
	ents := foreignEntries(root)
	if len(ents) == 0 {
		return nil
	}
	rels := make([]string, 0, len(ents))
	for r := range ents {
		rels = append(rels, r)
	}
	sort.Strings(rels)
	var total int64
	for i, rel := range rels {
		if i >= foreignCountMax {
			break
		}
		m := ents[rel]
		src := filepath.Join(root, filepath.FromSlash(rel))
		dst := filepath.Join(upper, filepath.FromSlash(rel))
		if err := upperDirs(root, upper, path.Dir(rel)); err != nil {
			return err
		}
		if _, err := os.Lstat(dst); err == nil {
			continue
		}
		switch {
		case m.IsDir():
			if err := os.Mkdir(dst, m.Perm()|0o700); err != nil {
				return err
			}
			os.Chmod(dst, m.Perm()|0o700)
		case m&fs.ModeSymlink != 0:
			l, err := os.Readlink(src)
			if err != nil {
				continue
			}
			if err := os.Symlink(l, dst); err != nil {
				return err
			}
		default:
			fi, err := os.Lstat(src)
			if err != nil || !fi.Mode().IsRegular() || fi.Size() > foreignFileMax || total+fi.Size() > foreignTotalMax {
				continue
			}
			if copyFile(src, dst, fi.Mode().Perm()) != nil {
				os.Remove(dst) // unreadable: left to the command's EOVERFLOW/EACCES
				continue
			}
			total += fi.Size()
		}
	}
	return nil
}

// upperDirs creates the folder rel (and its parents) in upper with the
// permission bits of the lower folders, so that the merged view keeps them.
func upperDirs(root, upper, rel string) error {
	if rel == "." || rel == "" {
		return nil
	}
	if err := upperDirs(root, upper, path.Dir(rel)); err != nil {
		return err
	}
	dst := filepath.Join(upper, filepath.FromSlash(rel))
	if _, err := os.Lstat(dst); err == nil {
		return nil
	}
	mode := os.FileMode(0o755)
	if lf, err := lowerFile(root, rel); err == nil && lf.kind == kindDir {
		mode = lf.mode | 0o700
	}
	if err := os.Mkdir(dst, mode); err != nil && !os.IsExist(err) {
		return err
	}
	return os.Chmod(dst, mode)
}
