package netproxy_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/netproxy"
)

// startEcho runs a loopback TCP echo server and returns its address.
func startEcho(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// proxyRoundTrip opens a CONNECT tunnel to target through the bridge at
// bridge and round-trips one byte.
func proxyRoundTrip(bridge, target string, b byte) error {
	c, err := net.Dial("tcp", bridge)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target); err != nil {
		return err
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: "CONNECT"})
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("CONNECT: %s", resp.Status)
	}
	return echoByte(c, br, b)
}

func echoByte(w io.Writer, r io.Reader, b byte) error {
	if _, err := w.Write([]byte{b}); err != nil {
		return err
	}
	var got [1]byte
	if _, err := io.ReadFull(r, got[:]); err != nil {
		return err
	}
	if got[0] != b {
		return fmt.Errorf("echo: got %d want %d", got[0], b)
	}
	return nil
}

// BenchmarkProxyConnection: one connection per iteration, CONNECT through
// Bridge → Server to a loopback echo server, one byte round-trip.
func BenchmarkProxyConnection(b *testing.B) {
	echo := startEcho(b)
	e := startProxy(b, func(context.Context, string, int) netproxy.Decision {
		return netproxy.Decision{Allowed: true}
	})
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := proxyRoundTrip(e.bridgeAddr, echo, byte(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDirectConnection is the baseline: the same connection and byte
// round-trip straight to the echo server.
func BenchmarkDirectConnection(b *testing.B) {
	echo := startEcho(b)
	for i := 0; b.Loop(); i++ {
		c, err := net.Dial("tcp", echo)
		if err != nil {
			b.Fatal(err)
		}
		err = echoByte(c, c, byte(i))
		c.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
}
