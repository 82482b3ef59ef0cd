package netproxy_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestHalfClose: the client shuts its write side; the upstream reads to EOF
// and only then answers; the answer must still reach the client.
func TestHalfClose(t *testing.T) {
	base := runtime.NumGoroutine()
	up, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	upDone := make(chan struct{})
	go func() {
		defer close(upDone)
		c, err := up.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		n, _ := io.Copy(io.Discard, c) // until the client's half-close
		fmt.Fprintf(c, "got %d bytes", n)
	}()
	e := startProxy(t, allowOnly(up.Addr().String()))
	conn, br := dialConnect(t, e, up.Addr().String())
	defer conn.Close()
	resp, err := http.ReadResponse(br, &http.Request{Method: "CONNECT"})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT: %v %v", resp, err)
	}
	io.WriteString(conn, "hello")
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	reply, err := io.ReadAll(br)
	if err != nil {
		t.Fatal(err)
	}
	if string(reply) != "got 5 bytes" {
		t.Fatalf("reply %q", reply)
	}
	conn.Close()
	<-upDone
	up.Close()
	e.stopBridge()
	closeWithin(t, e.srv, 5*time.Second)
	waitGoroutines(t, base)
}

// TestCloseEndsLiveTunnel: an open tunnel that neither side ends is closed by
// Server.Close.
func TestCloseEndsLiveTunnel(t *testing.T) {
	base := runtime.NumGoroutine()
	up, _ := net.Listen("tcp", "127.0.0.1:0")
	defer up.Close()
	held := make(chan net.Conn, 1)
	go func() {
		if c, err := up.Accept(); err == nil {
			held <- c
		}
	}()
	e := startProxy(t, allowOnly(up.Addr().String()))
	conn, br := dialConnect(t, e, up.Addr().String())
	defer conn.Close()
	if resp, err := http.ReadResponse(br, &http.Request{Method: "CONNECT"}); err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT: %v %v", resp, err)
	}
	upConn := <-held
	defer upConn.Close()
	closeWithin(t, e.srv, 5*time.Second)
	upConn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := upConn.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("upstream side after Close: %v, want EOF", err)
	}
	if _, err := br.ReadByte(); err == nil {
		t.Error("client side still open after Close")
	}
	conn.Close()
	upConn.Close()
	e.stopBridge()
	waitGoroutines(t, base)
}

func TestManyConcurrentTunnels(t *testing.T) {
	echo := startEcho(t)
	e := startProxy(t, allowOnly(echo))
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := proxyRoundTrip(e.bridgeAddr, echo, byte(i)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(e.srv.Records()); n != 64 {
		t.Errorf("%d records, want 64", n)
	}
}
