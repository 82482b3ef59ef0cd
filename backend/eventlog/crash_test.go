package eventlog_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

const crashEnv = "ICE_EVENTLOG_CRASH_DB"

// TestCrashChild is the child process of TestCrashSafety: it appends through
// the gate in a loop and acknowledges each committed batch on stdout, until
// it is killed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("child process of TestCrashSafety")
	}
	s, err := eventlog.Open(path, eventlog.Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	g := eventlog.NewGate(s, eventlog.DefaultCatalogue())
	for i := 0; ; i++ {
		n := 1 + i%7
		drafts := make([]eventlog.Draft, n)
		for j := range drafts {
			drafts[j] = eventlog.Draft{Stream: fmt.Sprintf("workspace/w%d", j%3), Type: eventlog.WorkspaceFileChanged,
				Origin: eventlog.OriginRuntime, Payload: map[string]any{"path": fmt.Sprintf("f%d-%d", i, j), "pad": strings.Repeat("x", 200)}}
		}
		evs, err := g.Emit(context.Background(), drafts...)
		if err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		last := evs[len(evs)-1]
		// Written straight to the pipe: an ack means the commit returned.
		fmt.Printf("ack %d %s\n", last.Seq, last.ID)
	}
}

// TestCrashSafety kills a process appending to the log with SIGKILL at
// random moments; after each kill the log must reopen, verify, and hold
// every acknowledged append.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), eventlog.FileName)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	var total int64
	for round := 0; round < 24; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acks := make(chan [2]string, 1<<16)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				f := strings.Fields(sc.Text())
				if len(f) == 3 && f[0] == "ack" {
					acks <- [2]string{f[1], f[2]}
				} else if len(f) > 0 && f[0] == "error" {
					acks <- [2]string{"error", sc.Text()}
				}
			}
			close(acks)
		}()
		// Let it run a little (the first ack proves it is appending), then kill.
		var first [2]string
		select {
		case a, ok := <-acks:
			if !ok || a[0] == "error" {
				t.Fatalf("round %d: child failed to start appending: %v", round, a)
			}
			first = a
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: child never acknowledged an append", round)
		}
		time.Sleep(time.Duration(rng.IntN(120)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		lastSeq, _ := strconv.ParseInt(first[0], 10, 64)
		lastID := first[1]
		for a := range acks {
			if a[0] == "error" {
				t.Fatalf("round %d: child error: %s", round, a[1])
			}
			seq, _ := strconv.ParseInt(a[0], 10, 64)
			lastSeq, lastID = seq, a[1]
		}
		s, err := eventlog.Open(path, eventlog.Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		rep, err := eventlog.Verify(context.Background(), s, eventlog.DefaultCatalogue())
		if err != nil || !rep.OK {
			t.Fatalf("round %d: verify after SIGKILL = %+v, %v", round, rep, err)
		}
		if rep.HeadSeq < lastSeq {
			t.Fatalf("round %d: log ends at seq %d but seq %d was acknowledged", round, rep.HeadSeq, lastSeq)
		}
		if e, err := s.GetByID(context.Background(), lastID); err != nil || e.Seq != lastSeq {
			t.Fatalf("round %d: acknowledged event %s (seq %d) is gone: %v", round, lastID, lastSeq, err)
		}
		if rep.HeadSeq < total {
			t.Fatalf("round %d: log shrank from %d to %d events", round, total, rep.HeadSeq)
		}
		total = rep.HeadSeq
		s.Close()
	}
	t.Logf("24 kills survived; %d events in the log", total)
}
