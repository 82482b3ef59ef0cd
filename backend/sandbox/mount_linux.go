package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// systemDirs are the host folders shown read-only (or recreated as the
// same symbolic links).
var systemDirs = []string{"/usr", "/etc", "/opt", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}

// SystemDirs lists the host folders a sandboxed command sees (read-only).
func SystemDirs() []string { return append([]string(nil), systemDirs...) }

// buildRoot makes the sandbox's root in a tmpfs and pivots into it. It runs
// in stage 1, in the new mount namespace.
func buildRoot(c *helperConfig) error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	nr := filepath.Join(c.Scratch, "root")
	if err := unix.Mount("tmpfs", nr, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755"); err != nil {
		return fmt.Errorf("mount the root tmpfs: %w", err)
	}
	in := func(p string) string { return filepath.Join(nr, p) }
	for _, d := range systemDirs {
		fi, err := os.Lstat(d)
		if err != nil {
			continue
		}
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			t, err := os.Readlink(d)
			if err != nil {
				return err
			}
			if err := os.Symlink(t, in(d)); err != nil {
				return err
			}
		case fi.IsDir():
			if err := bind(d, in(d), false, true); err != nil {
				return err
			}
		}
	}
	if err := os.MkdirAll(in("/run"), 0o755); err != nil {
		return err
	}
	if err := unix.Mount("tmpfs", in("/run"), "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755"); err != nil {
		return fmt.Errorf("mount /run: %w", err)
	}
	// The generated /etc files over the host's.
	for _, n := range []string{"passwd", "group", "hosts", "resolv.conf", "hostname"} {
		if err := overEtc(nr, filepath.Join(c.Scratch, "etc", n), "/etc/"+n); err != nil {
			return err
		}
	}
	if err := readOnly(in("/etc"), true); err != nil {
		return err
	}
	if err := os.MkdirAll(in("/proc"), 0o555); err != nil {
		return err
	}
	if err := unix.Mount("proc", in("/proc"), "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("mount /proc: %w", err)
	}
	if err := buildDev(in("/dev")); err != nil {
		return err
	}
	if err := bind(filepath.Join(c.Scratch, "tmp"), in("/tmp"), true, false); err != nil {
		return err
	}
	os.Chmod(filepath.Join(c.Scratch, "tmp"), os.ModeSticky|0o777)
	if err := bind(filepath.Join(c.Scratch, "home"), in(c.Home), true, false); err != nil {
		return err
	}
	if c.ProxySocket != "" {
		if err := bindFile(c.ProxySocket, in(proxyPath), true); err != nil {
			return fmt.Errorf("proxy socket: %w", err)
		}
	}
	// The workspace and the binds, shallowest first.
	type mnt struct {
		path string
		fn   func() error
	}
	mnts := []mnt{{c.Root, func() error { return mountWorkspace(c, in(c.Root)) }}}
	for _, b := range c.Binds {
		b := b
		mnts = append(mnts, mnt{b.Path, func() error {
			fi, err := os.Stat(b.Path)
			if err != nil {
				return fmt.Errorf("bind %s: %w", b.Path, err)
			}
			if !fi.IsDir() {
				return bindFile(b.Path, in(b.Path), b.Writable)
			}
			return bind(b.Path, in(b.Path), b.Writable, true)
		}})
	}
	sort.SliceStable(mnts, func(i, j int) bool {
		return strings.Count(mnts[i].path, "/") < strings.Count(mnts[j].path, "/")
	})
	for _, m := range mnts {
		if err := m.fn(); err != nil {
			return err
		}
	}

	if err := os.Chdir(nr); err != nil {
		return err
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detach the old root: %w", err)
	}
	if err := os.Chdir("/"); err != nil {
		return err
	}
	for _, d := range c.Deletes {
		if err := os.RemoveAll(filepath.Join(c.Root, filepath.FromSlash(d))); err != nil {
			return fmt.Errorf("staged deletion of %s: %w", d, err)
		}
	}
	if err := readOnly("/", false); err != nil {
		return err
	}
	return nil
}

// mountWorkspace mounts the workspace view at target.
func mountWorkspace(c *helperConfig, target string) error {
	if err := os.MkdirAll(target, 0o755); err != nil {
		return err
	}
	upper, work := filepath.Join(c.Scratch, "upper"), filepath.Join(c.Scratch, "work")
	switch c.Mode {
	case ModeCopy:
		return bind(c.Lower, target, true, false)
	case ModeFuse:
		opts := "lowerdir=" + escapeOpt(c.Root) + ",upperdir=" + escapeOpt(upper) + ",workdir=" + escapeOpt(work)
		out, err := exec.Command("fuse-overlayfs", "-o", opts, target).CombinedOutput()
		if err != nil {
			return fmt.Errorf("fuse-overlayfs: %v: %s", err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	err := mountOverlay(c.Root, upper, work, target, true)
	if err != nil {
		err2 := mountOverlay(c.Root, upper, work, target, false)
		if err2 == nil {
			return nil
		}
		err = fmt.Errorf("%v; without userxattr: %v", err, err2)
	}
	return err
}

// mountOverlay mounts kernel overlayfs with the new mount API (no escaping
// of the paths), falling back to mount(2).
func mountOverlay(lower, upper, work, target string, userxattr bool) error {
	fd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return mountOverlayLegacy(lower, upper, work, target, userxattr)
	}
	defer unix.Close(fd)
	fail := func(what string, err error) error {
		msg := make([]byte, 512)
		if n, rerr := unix.Read(fd, msg); rerr == nil && n > 0 {
			return fmt.Errorf("overlay %s: %w (%s)", what, err, strings.TrimSpace(string(msg[:n])))
		}
		return fmt.Errorf("overlay %s: %w", what, err)
	}
	if err := unix.FsconfigSetString(fd, "lowerdir+", lower); err != nil {
		if err == unix.EINVAL {
			unix.Close(fd)
			return mountOverlayLegacy(lower, upper, work, target, userxattr)
		}
		return fail("lowerdir", err)
	}
	// With userxattr the kernel wants redirect_dir=nofollow (its default
	// then); "off" would conflict.
	redirect := "off"
	if userxattr {
		redirect = "nofollow"
	}
	for _, kv := range [][2]string{{"upperdir", upper}, {"workdir", work}, {"redirect_dir", redirect}, {"metacopy", "off"}, {"index", "off"}} {
		if err := unix.FsconfigSetString(fd, kv[0], kv[1]); err != nil {
			return fail(kv[0], err)
		}
	}
	if userxattr {
		if err := unix.FsconfigSetFlag(fd, "userxattr"); err != nil {
			return fail("userxattr", err)
		}
	}
	if err := unix.FsconfigCreate(fd); err != nil {
		return fail("create", err)
	}
	mfd, err := unix.Fsmount(fd, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV)
	if err != nil {
		return fail("fsmount", err)
	}
	defer unix.Close(mfd)
	if err := unix.MoveMount(mfd, "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("overlay move_mount: %w", err)
	}
	return nil
}

func mountOverlayLegacy(lower, upper, work, target string, userxattr bool) error {
	opts := "lowerdir=" + escapeOpt(lower) + ",upperdir=" + escapeOpt(upper) + ",workdir=" + escapeOpt(work) +
		",metacopy=off,index=off"
	if userxattr {
		opts += ",userxattr,redirect_dir=nofollow"
	} else {
		opts += ",redirect_dir=off"
	}
	if err := unix.Mount("overlay", target, "overlay", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		return fmt.Errorf("mount overlay: %w", err)
	}
	return nil
}

// escapeOpt escapes a path for overlay's mount options.
func escapeOpt(p string) string {
	return strings.NewReplacer(`\`, `\\`, `:`, `\:`, `,`, `\,`).Replace(p)
}

// bind bind-mounts the folder src at dst (created), read-only unless rw.
func bind(src, dst string, rw, rec bool) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	flags := uintptr(unix.MS_BIND)
	if rec {
		flags |= unix.MS_REC
	}
	if err := unix.Mount(src, dst, "", flags, ""); err != nil {
		return fmt.Errorf("bind %s: %w", src, err)
	}
	if !rw {
		return readOnly(dst, rec)
	}
	return nil
}

// bindFile bind-mounts the file src at dst (created empty).
func bindFile(src, dst string, rw bool) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if f, err := os.OpenFile(dst, os.O_CREATE|os.O_RDONLY, 0o644); err == nil {
		f.Close()
	} else if _, serr := os.Stat(dst); serr != nil {
		return err
	}
	if err := unix.Mount(src, dst, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s: %w", src, err)
	}
	if !rw {
		return readOnly(dst, false)
	}
	return nil
}

// readOnly makes the mount at p read-only (and those under it when rec),
// keeping its other flags.
func readOnly(p string, rec bool) error {
	flags := uint(0)
	if rec {
		flags = unix.AT_RECURSIVE
	}
	err := unix.MountSetattr(unix.AT_FDCWD, p, flags, &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY})
	if err == nil {
		return nil
	}
	if !errors.Is(err, unix.ENOSYS) {
		return fmt.Errorf("make %s read-only: %w", p, err)
	}
	var st unix.Statfs_t
	if err := unix.Statfs(p, &st); err != nil {
		return err
	}
	keep := uintptr(st.Flags) & (unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC | unix.MS_NOATIME | unix.MS_NODIRATIME | unix.MS_RELATIME)
	if err := unix.Mount("", p, "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY|keep, ""); err != nil {
		return fmt.Errorf("make %s read-only: %w", p, err)
	}
	return nil
}

// overEtc shows the generated file src at name (an /etc path) inside the
// new root nr, following a host symbolic link into /run when there is one.
func overEtc(nr, src, name string) error {
	fi, err := os.Lstat(name)
	if err != nil {
		return nil // absent on the host: nothing to hide (the ro /etc cannot gain it)
	}
	target := name
	if fi.Mode()&os.ModeSymlink != 0 {
		t, err := filepath.EvalSymlinks(name)
		if err != nil {
			l, _ := os.Readlink(name)
			t = l
			if !filepath.IsAbs(t) {
				t = filepath.Join(filepath.Dir(name), t)
			}
		}
		if !strings.HasPrefix(t, "/run/") {
			return nil // a link into a folder not shown: it dangles inside
		}
		target = t
	}
	return bindFile(src, filepath.Join(nr, target), false)
}

// buildDev makes a minimal /dev.
func buildDev(dev string) error {
	if err := os.MkdirAll(dev, 0o755); err != nil {
		return err
	}
	if err := unix.Mount("tmpfs", dev, "tmpfs", unix.MS_NOSUID|unix.MS_NOEXEC, "mode=0755"); err != nil {
		return fmt.Errorf("mount /dev: %w", err)
	}
	for _, n := range []string{"null", "zero", "full", "random", "urandom", "tty"} {
		if err := bindFile("/dev/"+n, filepath.Join(dev, n), true); err != nil && n != "tty" {
			return err
		}
	}
	for n, t := range map[string]string{"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0",
		"stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2", "ptmx": "pts/ptmx"} {
		os.Symlink(t, filepath.Join(dev, n))
	}
	os.MkdirAll(filepath.Join(dev, "pts"), 0o755)
	unix.Mount("devpts", filepath.Join(dev, "pts"), "devpts", unix.MS_NOSUID|unix.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620")
	os.MkdirAll(filepath.Join(dev, "shm"), 0o1777)
	if err := unix.Mount("tmpfs", filepath.Join(dev, "shm"), "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777"); err != nil {
		return fmt.Errorf("mount /dev/shm: %w", err)
	}
	return nil
}
