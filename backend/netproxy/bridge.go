package netproxy

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
)

// Bridge accepts TCP connections on ln and forwards each, byte for byte, to
// the Unix socket at socketPath (both directions, half-close aware). It runs
// inside the sandbox, where ln is typically 127.0.0.1:3128.
//
// Bridge returns when ctx ends (it then closes ln) or when ln is closed; in
// both cases it first closes the connections it is still forwarding and
// waits for them. It returns nil on such an ordinary end and the accept error
// otherwise.
func Bridge(ctx context.Context, ln net.Listener, socketPath string) error {
	var (
		mu    sync.Mutex
		conns = make(map[net.Conn]struct{})
		done  bool
		wg    sync.WaitGroup
	)
	track := func(c net.Conn) bool {
		mu.Lock()
		defer mu.Unlock()
		if done {
			c.Close()
			return false
		}
		conns[c] = struct{}{}
		return true
	}
	untrack := func(c net.Conn) {
		mu.Lock()
		delete(conns, c)
		mu.Unlock()
		c.Close()
	}
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()

	var dialer net.Dialer
	var err error
	for {
		var c net.Conn
		c, err = ln.Accept()
		if err != nil {
			break
		}
		if !track(c) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer untrack(c)
			up, err := dialer.DialContext(ctx, "unix", socketPath)
			if err != nil {
				return
			}
			if !track(up) {
				return
			}
			defer untrack(up)
			pipe(c, c, up, up)
		}()
	}
	mu.Lock()
	done = true
	for c := range conns {
		c.Close()
	}
	mu.Unlock()
	wg.Wait()
	if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// closeWriter is implemented by *net.TCPConn and *net.UnixConn.
type closeWriter interface{ CloseWrite() error }

// pipe copies ar→b and b→a until both directions end. When one direction
// reaches EOF, the write side of its destination is shut down (half-close),
// so the other direction can still finish. If a copy fails, both conns are
// closed, which ends the other direction too. a is the conn ar reads from
// (ar may buffer a's bytes). pipe does not close a or b on a clean end; the
// caller does.
func pipe(a net.Conn, ar io.Reader, b net.Conn, br io.Reader) {
	var wg sync.WaitGroup
	half := func(dst net.Conn, src io.Reader) {
		defer wg.Done()
		_, err := io.Copy(dst, src)
		if err != nil {
			a.Close()
			b.Close()
			return
		}
		if cw, ok := dst.(closeWriter); ok {
			if cw.CloseWrite() != nil {
				dst.Close()
			}
		} else {
			dst.Close()
		}
	}
	wg.Add(2)
	go half(b, ar)
	half(a, br)
	wg.Wait()
}
