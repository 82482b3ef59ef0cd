package sandbox

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

type unixStat = syscall.Stat_t

// copyTree copies the folder src to dst (which must not exist yet):
// folders, regular files with their permission bits, symbolic links as
// links; devices, fifos and sockets are skipped. Nothing is followed.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		r, _ := filepath.Rel(src, p)
		t := filepath.Join(dst, r)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(t, fi.Mode().Perm()|0o700)
		case fi.Mode()&os.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(l, t)
		case fi.Mode().IsRegular():
			return copyFile(p, t, fi.Mode().Perm())
		}
		return nil
	})
}

// copyFile copies one regular file, not following a symbolic link.
func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.OpenFile(src, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chmod(dst, mode)
}

// runUnsandboxed runs the command as a plain child in its own process
// group on a copy of the workspace (ModeUnsandboxed): no namespaces, no
// confinement, only the limits the parent can enforce (wall clock, output)
// and the kill of the whole group when it ends.
func runUnsandboxed(ctx context.Context, s Spec, t0 time.Time) (Result, error) {
	res := Result{ExitCode: -1, Mode: ModeUnsandboxed, Limits: s.Limits}
	cp := filepath.Join(s.Scratch, "copy")
	home := filepath.Join(s.Scratch, "home")
	tmp := filepath.Join(s.Scratch, "tmp")
	for _, d := range []string{home, tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return res, err
		}
	}
	if err := copyTree(s.Root, cp); err != nil {
		return res, fmt.Errorf("sandbox: copy the workspace: %w", err)
	}
	if err := applyStaged(cp, s.Staged); err != nil {
		return res, err
	}
	env := withEnv(s.Env, "HOME="+home, "TMPDIR="+tmp)
	dir := cp
	if s.Dir != "" && s.Dir != "." {
		dir = filepath.Join(cp, filepath.FromSlash(s.Dir))
	}
	prog, err := lookPath(s.Argv[0], env)
	if err != nil {
		msg := fmt.Sprintf("%s: %v\n", s.Argv[0], err)
		if s.Output != nil {
			s.Output.Write([]byte(msg))
		}
		res.OutputSize = int64(len(msg))
		res.ExitCode = 127
		res.DurationMs = time.Since(t0).Milliseconds()
		return res, nil
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return res, err
	}
	cmd := exec.Command(prog, s.Argv[1:]...)
	cmd.Args[0] = s.Argv[0]
	cmd.Env, cmd.Dir = env, dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s.Stdin, outW, outW
	if s.Stderr != nil {
		cmd.Stderr = s.Stderr
	}
	cmd.WaitDelay = time.Second
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		outW.Close()
		outR.Close()
		return res, err
	}
	res.StartUs = time.Since(t0).Microseconds()
	outW.Close()
	pgid := cmd.Process.Pid
	var mu sync.Mutex
	limit := ""
	kill := func(l string) {
		mu.Lock()
		if limit == "" {
			limit = l
		}
		mu.Unlock()
		syscall.Kill(-pgid, syscall.SIGKILL)
	}
	outDone := make(chan struct{})
	go func() {
		defer close(outDone)
		res.OutputSize = pumpOutput(outR, s.Output, s.Limits.OutputBytes, func() { kill("output") })
	}()
	waitCh := make(chan error, 1)
	go func() { waitCh <- cmd.Wait() }()
	wall := time.NewTimer(time.Duration(s.Limits.WallClockMs) * time.Millisecond)
	defer wall.Stop()
	var ctxErr error
	select {
	case <-waitCh:
	case <-wall.C:
		kill("wall clock")
		<-waitCh
	case <-ctx.Done():
		kill("")
		ctxErr = ctx.Err()
		<-waitCh
	}
	syscall.Kill(-pgid, syscall.SIGKILL)
	select {
	case <-outDone:
	case <-time.After(time.Second):
		outR.Close()
		<-outDone
	}
	outR.Close()
	ps := cmd.ProcessState
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok {
		if ws.Signaled() {
			res.Signal = ws.Signal().String()
			res.Signal = signalName(ws.Signal())
		} else {
			res.ExitCode = ws.ExitStatus()
		}
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		res.CPUTimeMs = (ru.Utime.Nano() + ru.Stime.Nano()) / 1e6
		res.PeakMemory = ru.Maxrss * 1024
	}
	mu.Lock()
	res.Limit = limit
	mu.Unlock()
	if res.Limit != "" {
		res.ExitCode = -1
	}
	res.Changes, err = diffCopy(s.Root, cp, s.Staged)
	res.DurationMs = time.Since(t0).Milliseconds()
	if ctxErr != nil {
		return res, ctxErr
	}
	return res, err
}
