package mcp

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// ExecLauncher starts stdio servers as plain child processes (no sandbox),
// in dir, with env (nil: the Studio's own environment) plus the server's
// Env. It is for tests and for workspaces that run commands unsandboxed;
// the kernel's launcher runs them in the command sandbox.
func ExecLauncher(dir string, env []string) Launcher {
	return func(ctx context.Context, c ServerConfig, stderr io.Writer) (Process, error) {
		if c.Kind() != KindStdio {
			return nil, fmt.Errorf("start %q: not a stdio server", c.Name)
		}
		cmd := exec.Command(c.Command, c.Args...)
		cmd.Dir = dir
		base := env
		if base == nil {
			base = os.Environ()
		}
		cmd.Env = append([]string(nil), base...)
		for _, k := range sortedKeys(c.Env) {
			cmd.Env = append(cmd.Env, k+"="+c.Env[k])
		}
		if stderr == nil {
			stderr = io.Discard
		}
		cmd.Stderr = stderr
		// Grandchildren (npx → node) may keep stderr open after the
		// server exits: do not wait for them for ever.
		cmd.WaitDelay = 2 * time.Second
		setProcessGroup(cmd)

		// Our own pipes, not StdinPipe/StdoutPipe: Wait must not close
		// the protocol's ends while the client still reads the last
		// messages.
		inR, inW, err := os.Pipe()
		if err != nil {
			return nil, fmt.Errorf("start %q: %w", c.Name, err)
		}
		outR, outW, err := os.Pipe()
		if err != nil {
			inR.Close()
			inW.Close()
			return nil, fmt.Errorf("start %q: %w", c.Name, err)
		}
		cmd.Stdin, cmd.Stdout = inR, outW
		if err := cmd.Start(); err != nil {
			inR.Close()
			inW.Close()
			outR.Close()
			outW.Close()
			return nil, fmt.Errorf("start %q: %w", c.Name, err)
		}
		inR.Close()
		outW.Close()
		return &execProcess{cmd: cmd, stdin: inW, stdout: outR}, nil
	}
}

var _ Terminator = (*execProcess)(nil)

type execProcess struct {
	cmd    *exec.Cmd
	stdin  *os.File
	stdout *os.File

	once    sync.Once
	waitErr error
}

func (p *execProcess) Stdin() io.WriteCloser { return p.stdin }
func (p *execProcess) Stdout() io.ReadCloser { return p.stdout }

// Wait may be called any number of times, from any goroutine.
func (p *execProcess) Wait() error {
	p.once.Do(func() { p.waitErr = p.cmd.Wait() })
	return p.waitErr
}

// Terminate asks the server and whatever it started to end (SIGTERM).
func (p *execProcess) Terminate() { terminateProcessGroup(p.cmd) }

// Kill ends the server and whatever it started.
func (p *execProcess) Kill() { killProcessGroup(p.cmd) }
