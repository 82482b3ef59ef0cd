package studio_test

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
	"github.com/ice-studio/ice-studio/backend/replica"
	"github.com/ice-studio/ice-studio/backend/studio"
)

const (
	crashDataEnv    = "ICE_STUDIO_CRASH_DATA"
	crashProjectEnv = "ICE_STUDIO_CRASH_PROJECT"
)

// TestStudioCrashChild is the Studio that TestStudioSIGKILLDuringBurst
// kills: it opens with the replica configured in its settings, waits for
// replication, and runs one run after another, printing the log's head
// after each ("ack SEQ") and what the replica holds ("rep SEQ").
func TestStudioCrashChild(t *testing.T) {
	data := os.Getenv(crashDataEnv)
	if data == "" {
		t.Skip("the child process of TestStudioSIGKILLDuringBurst")
	}
	s := studio.New(studio.Config{DataDir: data, AnchorEvery: 50 * time.Millisecond})
	if err := s.Open(context.Background()); err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	for deadline := time.Now().Add(60 * time.Second); s.Replica().State != "replicating"; time.Sleep(5 * time.Millisecond) {
		if v := s.Replica(); v.State == "stopped" || time.Now().After(deadline) {
			fmt.Println("error replication:", v.State, v.Error, s.Notices())
			os.Exit(3)
		}
	}
	ws, err := s.OpenFolder(studio.OpenFolderRequest{Path: os.Getenv(crashProjectEnv)})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	go func() {
		for {
			fmt.Printf("rep %d\n", s.Replica().Seq)
			time.Sleep(10 * time.Millisecond)
		}
	}()
	for i := 0; ; i++ {
		run, err := s.StartReplaceRun(studio.StartReplaceRunRequest{WorkspaceID: ws.ID, Find: fmt.Sprintf("absent-%d", i), Replace: "x"})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		if _, err := s.WaitRun(studio.RunRequest{ID: run.ID}); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Printf("ack %d\n", s.Replica().HeadSeq)
	}
}

// TestStudioSIGKILLDuringBurst kills the Studio with SIGKILL while it
// appends (runs one after another) and replicates, 20 times at random
// moments. Each time: the replica restores to a log that verifies and
// holds everything the replica had confirmed; the local log extends the
// restored one and holds every event acknowledged; and the next start
// finds the log and its witness in agreement (no read-only notice).
func TestStudioSIGKILLDuringBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("20 kills of a Studio take some 30 s")
	}
	data, rep := t.TempDir(), filepath.Join(t.TempDir(), "replica")
	cfg := replica.Config{URL: "file://" + filepath.ToSlash(rep)}
	{
		s := studio.New(studio.Config{DataDir: data})
		if err := s.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetReplica(studio.SetReplicaRequest{URL: rep}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 17))
	var lastAck int64
	for round := range 20 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestStudioCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDataEnv+"="+data, crashProjectEnv+"="+project(t))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = nil
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan []string, 1<<16)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- strings.Fields(sc.Text())
			}
			close(lines)
		}()
		var ack, confirmed int64
		read := func(f []string) {
			switch {
			case len(f) > 0 && f[0] == "error":
				t.Fatalf("round %d: child: %s", round, strings.Join(f, " "))
			case len(f) == 2 && f[0] == "ack":
				ack, _ = strconv.ParseInt(f[1], 10, 64)
			case len(f) == 2 && f[0] == "rep":
				if n, _ := strconv.ParseInt(f[1], 10, 64); n > confirmed {
					confirmed = n
				}
			}
		}
		deadline := time.After(90 * time.Second)
		for confirmed <= lastAck { // the replica holds something of this round
			select {
			case f, ok := <-lines:
				if !ok {
					t.Fatalf("round %d: the Studio exited before the replica confirmed a new position", round)
				}
				read(f)
			case <-deadline:
				t.Fatalf("round %d: nothing new replicated within 90 s (acked %d)", round, ack)
			}
		}
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		for f := range lines {
			read(f)
		}
		// The replicator died with it: nothing else holds the log.
		time.Sleep(50 * time.Millisecond)

		restored := filepath.Join(t.TempDir(), eventlog.FileName)
		if err := replica.Restore(context.Background(), cfg, restored); err != nil {
			t.Fatalf("round %d: restore: %v", round, err)
		}
		rs, err := eventlog.Open(restored, eventlog.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		vr, err := eventlog.Verify(context.Background(), rs, eventlog.DefaultCatalogue())
		if err != nil || !vr.OK || vr.HeadSeq < confirmed {
			t.Fatalf("round %d: the restored log: %+v, %v (the replica had confirmed seq %d)", round, vr, err, confirmed)
		}
		local, err := eventlog.Open(studio.LogPath(data), eventlog.Options{})
		if err != nil {
			t.Fatal(err)
		}
		cmp, err := eventlog.CompareWith(context.Background(), local, rs)
		local.Close()
		rs.Close()
		if err != nil || !cmp.OK || cmp.HeadSeq < ack {
			t.Fatalf("round %d: the local log against the restored replica: %+v, %v (acked %d)", round, cmp, err, ack)
		}
		lastAck = cmp.HeadSeq
		t.Logf("round %d: acked %d, replica confirmed %d, restored %d, local %d", round, ack, confirmed, vr.HeadSeq, cmp.HeadSeq)
	}
	// The next start finds the log and its witness in agreement.
	s := studio.New(studio.Config{DataDir: data})
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	waitReplica(t, s, "replicating")
	if n := readOnlyNotice(s); n != "" {
		t.Fatalf("after the crashes: %s", n)
	}
}
