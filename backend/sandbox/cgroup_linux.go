package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The process limit needs a second mechanism when the Studio runs as root:
// the kernel never applies RLIMIT_NPROC to uid 0, so a fork bomb would
// grow until the watchdog's next look. Where the Studio may create a pids
// cgroup (root, cgroup v1's pids hierarchy or a cgroup v2 root with the
// pids controller), each command's helper is put in its own, with
// pids.max a little above the limit (its own threads count too); a fork
// past it fails with EAGAIN and the watchdog then kills the command for
// its process limit.

// pidsHeadroom are the tasks allowed beyond the process limit: the
// helper's and stage 2's threads.
const pidsHeadroom = 64

// pidsCgroupBase is where a pids cgroup can be made ("" none).
func pidsCgroupBase() string {
	if os.Geteuid() != 0 {
		return ""
	}
	for _, d := range []string{"/sys/fs/cgroup/pids", "/sys/fs/cgroup"} {
		if _, err := os.Stat(filepath.Join(d, "cgroup.procs")); err != nil {
			continue
		}
		if d == "/sys/fs/cgroup" {
			b, err := os.ReadFile(filepath.Join(d, "cgroup.subtree_control"))
			if err != nil || !strings.Contains(string(b), "pids") {
				continue
			}
		}
		return d
	}
	return ""
}

// joinPidsCgroup puts pid (the helper, before it starts anything) into a
// new pids cgroup capped at max tasks. The returned function kills what is
// left in it and removes it. Without a usable cgroup it does nothing.
func joinPidsCgroup(pid, max int) (func(), error) {
	base := pidsCgroupBase()
	if base == "" || max <= 0 {
		return func() {}, nil
	}
	dir := filepath.Join(base, fmt.Sprintf("ice-sandbox-%d", pid))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return func() {}, fmt.Errorf("pids cgroup: %w", err)
	}
	cleanup := func() {
		for i := 0; i < 50; i++ {
			b, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
			left := strings.Fields(string(b))
			if len(left) == 0 {
				break
			}
			for _, p := range left {
				if n, err := strconv.Atoi(p); err == nil {
					_ = syscallKill(n)
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		_ = os.Remove(dir)
	}
	if err := os.WriteFile(filepath.Join(dir, "pids.max"), []byte(strconv.Itoa(max+pidsHeadroom)), 0o644); err != nil {
		cleanup()
		return func() {}, fmt.Errorf("pids cgroup: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
		cleanup()
		if errors.Is(err, os.ErrPermission) {
			return func() {}, nil
		}
		return func() {}, fmt.Errorf("pids cgroup: %w", err)
	}
	return cleanup, nil
}

func syscallKill(pid int) error { return unix.Kill(pid, unix.SIGKILL) }
