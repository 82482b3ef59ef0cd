//go:build linux

package sandbox

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// usage is what watch saw.
type usage struct {
	PeakRSS int64         // the largest total resident set of the command's processes
	CPU     time.Duration // user and system time of all the command's processes, ended ones included
}

// watchInterval is how often watch samples the processes.
const watchInterval = 50 * time.Millisecond

// watch polls the processes under procRoot every 50 ms until ctx ends,
// and once more then. procRoot is the /proc of the sandbox's PID
// namespace as its PID 1 (the helper, which calls watch) sees it: every
// process there but the caller itself is the command's.
//
// It calls kill at most once, with the limit exceeded: "memory" when the
// total resident memory exceeds l.MemoryBytes, "processes" when more than
// l.Processes processes are alive (zombies not counted), "cpu" when the
// total CPU time exceeds l.CPUTimeMs. Zero limits are not enforced.
//
// The CPU total is, for the live processes, their own utime+stime plus
// the cutime+cstime of the children they reaped, plus the CPU of the
// processes the caller reaped, from getrusage(RUSAGE_CHILDREN) since
// watch started. This counts every process that ended provided that the
// caller (PID 1, the reaper of every orphan) waits for its children, and
// only for them, while watch runs. A process's time is lost only when its
// parent ignores SIGCHLD (the kernel then reaps it without accounting).
//
// It returns the peak total RSS and the CPU seen.
func watch(ctx context.Context, procRoot string, l Limits, kill func(limit string)) usage {
	self := os.Getpid()
	w := watcher{
		procRoot: procRoot,
		limits:   l,
		kill:     kill,
		interval: watchInterval,
		selectPids: func(all map[int]procStat) []int {
			pids := make([]int, 0, len(all))
			for pid := range all {
				if pid != self {
					pids = append(pids, pid)
				}
			}
			return pids
		},
		ended: reapedCPU(),
	}
	return w.run(ctx)
}

// watcher is the machinery of watch, with the choices tests replace.
type watcher struct {
	procRoot string
	limits   Limits
	kill     func(limit string)
	interval time.Duration
	// selectPids picks the command's processes among all those under
	// procRoot.
	selectPids func(all map[int]procStat) []int
	// ended is the CPU of the command's processes that ended and were
	// reaped by the caller (nil: none counted).
	ended func() time.Duration
}

// procStat is what watch reads of one process in /proc/PID/stat.
type procStat struct {
	ppid   int
	zombie bool          // state Z or X: ended, not yet reaped
	cpu    time.Duration // utime+stime+cutime+cstime
	rss    int64         // bytes
}

// run samples until ctx ends, then once more, and returns what it saw.
func (w *watcher) run(ctx context.Context) usage {
	var u usage
	killed := false
	sample := func(enforce bool) {
		// The reaped CPU is read before the live processes: a process
		// reaped in between is then missed once (never counted twice).
		var ended time.Duration
		if w.ended != nil {
			ended = w.ended()
		}
		all := readProcs(w.procRoot)
		var rss int64
		cpu := ended
		live := 0
		for _, pid := range w.selectPids(all) {
			st := all[pid]
			cpu += st.cpu
			rss += st.rss
			if !st.zombie {
				live++
			}
		}
		u.PeakRSS = max(u.PeakRSS, rss)
		u.CPU = max(u.CPU, cpu)
		if !enforce || killed || w.kill == nil {
			return
		}
		limit := ""
		switch l := w.limits; {
		case l.MemoryBytes > 0 && rss > l.MemoryBytes:
			limit = "memory"
		case l.Processes > 0 && live > l.Processes:
			limit = "processes"
		case l.CPUTimeMs > 0 && u.CPU > time.Duration(l.CPUTimeMs)*time.Millisecond:
			limit = "cpu"
		}
		if limit != "" {
			killed = true
			w.kill(limit)
		}
	}
	t := time.NewTicker(w.interval)
	defer t.Stop()
	sample(true)
	for {
		select {
		case <-ctx.Done():
			sample(false)
			return u
		case <-t.C:
			sample(true)
		}
	}
}

// reapedCPU returns a func reporting the user and system time of the
// children the calling process reaped (and of what they had reaped)
// since reapedCPU was called.
func reapedCPU() func() time.Duration {
	children := func() time.Duration {
		var ru unix.Rusage
		if unix.Getrusage(unix.RUSAGE_CHILDREN, &ru) != nil {
			return 0
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := children()
	return func() time.Duration { return max(children()-start, 0) }
}

// readProcs reads the stat of every process under procRoot (the numeric
// entries; a process that ends while being read is left out).
func readProcs(procRoot string) map[int]procStat {
	d, err := os.Open(procRoot)
	if err != nil {
		return nil
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	all := make(map[int]procStat, len(names))
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || pid <= 0 {
			continue
		}
		data, err := os.ReadFile(procRoot + "/" + name + "/stat")
		if err != nil {
			continue
		}
		if st, ok := parseStat(data); ok {
			all[pid] = st
		}
	}
	return all
}

// pageSize is the size of the pages /proc/PID/stat counts the RSS in.
var pageSize = int64(os.Getpagesize())

// clockTicks is USER_HZ, the unit of the times in /proc/PID/stat (100 on
// every Linux architecture).
const clockTicks = 100

// parseStat parses one /proc/PID/stat (see proc_pid_stat(5)): after the
// command name in parentheses (which may contain anything, so the last
// ")" ends it) come state, ppid, … utime (14), stime, cutime, cstime (17)
// … rss (24), numbered as in the manual page.
func parseStat(data []byte) (procStat, bool) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := bytes.Fields(data[i+1:]) // f[0] is field 3
	if len(f) < 22 {
		return procStat{}, false
	}
	num := func(field int) int64 {
		v, _ := strconv.ParseInt(string(f[field-3]), 10, 64)
		return v
	}
	ticks := num(14) + num(15) + num(16) + num(17)
	state := f[0]
	return procStat{
		ppid:   int(num(4)),
		zombie: len(state) == 1 && (state[0] == 'Z' || state[0] == 'X'),
		cpu:    time.Duration(ticks) * (time.Second / clockTicks),
		rss:    num(24) * pageSize,
	}, true
}
