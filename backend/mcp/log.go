package mcp

import (
	"bytes"
	"strings"
	"sync"
	"time"
)

// ringLog keeps the last max bytes of a server's stderr and the Studio's
// lines about it; older bytes are dropped a whole line at a time.
type ringLog struct {
	mu      sync.Mutex
	buf     []byte
	max     int
	dropped bool
}

func newRingLog(max int) *ringLog { return &ringLog{max: max} }

// Write appends stderr output.
func (l *ringLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.append(p)
	return len(p), nil
}

func (l *ringLog) append(p []byte) {
	if len(p) > l.max {
		p = p[len(p)-l.max:]
		l.buf = l.buf[:0]
		l.dropped = true
	}
	if over := len(l.buf) + len(p) - l.max; over > 0 {
		cut := over
		if i := bytes.IndexByte(l.buf[over:], '\n'); i >= 0 && over+i+1 <= len(l.buf) {
			cut = over + i + 1
		}
		l.buf = append(l.buf[:0], l.buf[cut:]...)
		l.dropped = true
	}
	l.buf = append(l.buf, p...)
}

// note adds one of the Studio's own lines, on a line of its own.
func (l *ringLog) note(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	if len(l.buf) > 0 && l.buf[len(l.buf)-1] != '\n' {
		b.WriteByte('\n')
	}
	b.WriteString("[ice-studio ")
	b.WriteString(time.Now().Format("15:04:05"))
	b.WriteString("] ")
	b.WriteString(strings.ReplaceAll(line, "\n", " "))
	b.WriteByte('\n')
	l.append([]byte(b.String()))
}

// String is the log so far.
func (l *ringLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dropped {
		return "[ice-studio] (older output dropped)\n" + string(l.buf)
	}
	return string(l.buf)
}

// lineTracker passes one run's stderr to the log and remembers its last
// non-empty line: the likeliest explanation of a crash.
type lineTracker struct {
	w *ringLog

	mu      sync.Mutex
	partial []byte
	lastSet string
}

const maxLastLine = 500

func (t *lineTracker) Write(p []byte) (int, error) {
	t.w.Write(p)
	t.mu.Lock()
	defer t.mu.Unlock()
	data := append(t.partial, p...)
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		if line := strings.TrimSpace(string(data[:i])); line != "" {
			t.lastSet = line
		}
		data = data[i+1:]
	}
	if len(data) > maxLastLine {
		data = data[len(data)-maxLastLine:]
	}
	t.partial = append([]byte(nil), data...)
	return len(p), nil
}

// last is the last non-empty line written (an unfinished one counts).
func (t *lineTracker) last() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	line := t.lastSet
	if p := strings.TrimSpace(string(t.partial)); p != "" {
		line = p
	}
	if len(line) > maxLastLine {
		line = line[:maxLastLine] + "…"
	}
	return line
}
