package ollama

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// ErrNoBinary means there is no `ollama` program on the PATH.
var ErrNoBinary = errors.New("no ollama program on the PATH")

// Launcher starts `ollama serve` when Ollama is installed but not running,
// and stops it on exit only if it started it.
type Launcher struct {
	Host *url.URL  // where the server should listen
	Log  io.Writer // its output (nil: discarded)

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// Binary returns the path of the ollama program, if there is one.
func Binary() (string, bool) {
	p, err := exec.LookPath("ollama")
	return p, err == nil
}

// Started reports whether this Launcher started a server that still runs.
func (l *Launcher) Started() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cmd == nil {
		return false
	}
	select {
	case <-l.done:
		return false
	default:
		return true
	}
}

// Start runs `ollama serve` listening on Host. It returns once the process
// has started; the caller checks the status to know when it answers.
func (l *Launcher) Start() error {
	bin, ok := Binary()
	if !ok {
		return ErrNoBinary
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cmd != nil {
		select {
		case <-l.done:
		default:
			return nil // already running
		}
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "OLLAMA_HOST="+l.Host.Host)
	if l.Log != nil {
		cmd.Stdout, cmd.Stderr = l.Log, l.Log
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its own group: a Ctrl+C on the Studio's terminal is the Studio's
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s serve: %w", bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	l.cmd, l.done = cmd, done
	return nil
}

// Stop ends the server this Launcher started (SIGTERM, then SIGKILL after
// the context's deadline or 5 seconds); a server it did not start is left
// alone.
func (l *Launcher) Stop(ctx context.Context) error {
	l.mu.Lock()
	cmd, done := l.cmd, l.done
	l.cmd = nil
	l.mu.Unlock()
	if cmd == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	default:
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	case <-timer.C:
	}
	_ = cmd.Process.Kill()
	<-done
	return nil
}
