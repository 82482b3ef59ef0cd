//go:build linux

package sandbox

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// descendantsOf returns a selectPids that picks root and every process
// below it (on the host, /proc shows every process).
func descendantsOf(root int) func(all map[int]procStat) []int {
	return func(all map[int]procStat) []int {
		if _, ok := all[root]; !ok {
			return nil
		}
		children := make(map[int][]int, len(all))
		for pid, st := range all {
			children[st.ppid] = append(children[st.ppid], pid)
		}
		pids := []int{root}
		for i := 0; i < len(pids); i++ {
			pids = append(pids, children[pids[i]]...)
		}
		return pids
	}
}

// watched is the outcome of watchCommand.
type watched struct {
	limits  []string // what kill was called with
	usage   usage
	elapsed time.Duration
	err     error         // of the command
	reaped  time.Duration // the CPU of the whole tree, from this process's RUSAGE_CHILDREN
}

// watchOpt changes the watcher of watchCommand.
type watchOpt func(*watcher)

// watchCommand starts cmd in its own process group, watches its process
// tree with l (kill kills the group) until it ends, and reports.
func watchCommand(t *testing.T, cmd *exec.Cmd, l Limits, opts ...watchOpt) watched {
	t.Helper()
	reaped := reapedCPU()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() { syscall.Kill(-pid, syscall.SIGKILL) })
	var mu sync.Mutex
	var w watched
	kill := func(limit string) {
		mu.Lock()
		w.limits = append(w.limits, limit)
		mu.Unlock()
		syscall.Kill(-pid, syscall.SIGKILL)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wr := watcher{procRoot: "/proc", limits: l, kill: kill, interval: watchInterval, selectPids: descendantsOf(pid), ended: reapedCPU()}
	for _, o := range opts {
		o(&wr)
	}
	done := make(chan usage)
	go func() { done <- wr.run(ctx) }()
	timer := time.AfterFunc(10*time.Second, func() { syscall.Kill(-pid, syscall.SIGKILL) })
	err := cmd.Wait()
	timer.Stop()
	cancel()
	u := <-done
	mu.Lock()
	defer mu.Unlock()
	w.usage, w.elapsed, w.err, w.reaped = u, time.Since(t0), err, reaped()
	t.Logf("limits %q, peak RSS %d, CPU %v (reaped %v), in %v (%v)", w.limits, u.PeakRSS, u.CPU, w.reaped, w.elapsed, err)
	return w
}

// wantKilled fails t unless w was killed for limit only.
func wantKilled(t *testing.T, w watched, limit string) {
	t.Helper()
	if len(w.limits) != 1 || w.limits[0] != limit {
		t.Fatalf("kill called with %q, want [%q]", w.limits, limit)
	}
	if ws, ok := w.err.(*exec.ExitError); !ok || ws.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("command ended with %v, not killed", w.err)
	}
	if w.elapsed > 20*time.Second { // the processes never end by themselves: a hang guard, not a speed check
		t.Fatalf("killed after %v", w.elapsed)
	}
}

// TestWatchCPU: two busy processes pass a CPU limit of 300 ms together.
func TestWatchCPU(t *testing.T) {
	w := watchCommand(t, exec.Command("/bin/sh", "-c", "yes >/dev/null & yes >/dev/null & wait"), Limits{CPUTimeMs: 300, MemoryBytes: 1 << 30, Processes: 10})
	wantKilled(t, w, "cpu")
	if w.usage.CPU < 300*time.Millisecond {
		t.Fatalf("CPU %v", w.usage.CPU)
	}
}

// TestWatchMemory: a process touching 300 MB passes a limit of 150 MB.
func TestWatchMemory(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestSandboxChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=hog")
	w := watchCommand(t, cmd, Limits{MemoryBytes: 150 << 20, CPUTimeMs: 60000})
	wantKilled(t, w, "memory")
	if w.usage.PeakRSS <= 150<<20 {
		t.Fatalf("peak RSS %d", w.usage.PeakRSS)
	}
}

// TestWatchProcesses: a shell starting ten sleeps passes a limit of 5.
func TestWatchProcesses(t *testing.T) {
	w := watchCommand(t, exec.Command("/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do sleep 5 & done; wait"), Limits{Processes: 5})
	wantKilled(t, w, "processes")
}

// TestWatchEndedCPU: without limits nothing is killed, and the CPU of
// processes that ended is counted: through the cutime of a live parent
// that reaped them, and through RUSAGE_CHILDREN once this process reaped
// them.
func TestWatchEndedCPU(t *testing.T) {
	script := "yes >/dev/null & p=$!; sleep 0.4; kill $p; wait $p; sleep 0.2"
	// yes gets 0.4 s of wall time; on a loaded machine much less CPU, so
	// the floor is low: what matters is that ended processes count.
	check := func(t *testing.T, w watched) {
		t.Helper()
		if len(w.limits) != 0 || w.err != nil {
			t.Fatalf("limits %q, err %v", w.limits, w.err)
		}
		if w.reaped < 10*time.Millisecond || w.usage.CPU < w.reaped*8/10 {
			t.Fatalf("CPU %v, want about %v (the ended processes' CPU, at least 10ms)", w.usage.CPU, w.reaped)
		}
	}
	t.Run("cutime", func(t *testing.T) {
		w := watchCommand(t, exec.Command("/bin/sh", "-c", script), Limits{}, func(w *watcher) { w.ended = nil })
		check(t, w)
		if w.usage.PeakRSS <= 0 {
			t.Fatalf("peak RSS %d", w.usage.PeakRSS)
		}
	})
	t.Run("rusage", func(t *testing.T) {
		w := watchCommand(t, exec.Command("/bin/sh", "-c", script), Limits{}, func(w *watcher) {
			w.selectPids = func(map[int]procStat) []int { return nil }
		})
		check(t, w)
	})
}

// TestWatchProcRoot: watch itself counts every process under procRoot but
// the caller, and kills once.
func TestWatchProcRoot(t *testing.T) {
	root := t.TempDir()
	stat := func(pid, name string, state byte, ticks, rssPages int) {
		dir := filepath.Join(root, pid)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		// pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime prio nice threads itreal start vsize rss …
		line := fmt.Sprintf("%s (%s) %c 1 1 1 0 -1 0 0 0 0 0 %d %d %d %d 20 0 1 0 100 1000000 %d 184467 0 0 0\n", pid, name, state, ticks, ticks, ticks, ticks, rssPages)
		if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(line), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stat("4242", "a) (b", 'R', 25, 1000) // 1 s, 1000 pages
	stat("4243", "zombie", 'Z', 0, 0)
	stat(fmt.Sprint(os.Getpid()), "helper", 'S', 1000, 100000) // the caller: not counted
	os.Mkdir(filepath.Join(root, "self"), 0o755)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var kills []string
	u := watch(ctx, root, Limits{MemoryBytes: 1000*pageSize - 1, Processes: 1}, func(l string) { kills = append(kills, l) })
	if strings.Join(kills, ",") != "memory" {
		t.Fatalf("kills %q", kills)
	}
	if u.PeakRSS != 1000*pageSize || u.CPU < time.Second || u.CPU > 2*time.Second {
		t.Fatalf("usage %+v", u)
	}
	kills = nil
	ctx2, cancel2 := context.WithTimeout(context.Background(), 120*time.Millisecond)
	defer cancel2()
	watch(ctx2, root, Limits{CPUTimeMs: 999}, func(l string) { kills = append(kills, l) })
	if strings.Join(kills, ",") != "cpu" {
		t.Fatalf("kills %q", kills)
	}
	kills = nil
	ctx3, cancel3 := context.WithTimeout(context.Background(), 120*time.Millisecond)
	defer cancel3()
	watch(ctx3, root, Limits{CPUTimeMs: 1500, MemoryBytes: 1 << 30, Processes: 1}, func(l string) { kills = append(kills, l) })
	if len(kills) != 0 {
		t.Fatalf("kills %q within the limits (the zombie is not a live process)", kills)
	}
}

// TestParseStat: the fields after a command name with parentheses and
// spaces.
func TestParseStat(t *testing.T) {
	data, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Skip(err)
	}
	st, ok := parseStat(data)
	if !ok || st.ppid != os.Getppid() || st.rss <= 0 || st.zombie {
		t.Fatalf("own stat %+v %v from %q", st, ok, data)
	}
	if _, ok := parseStat([]byte("12 (x) R 1")); ok {
		t.Fatal("short stat parsed")
	}
}
