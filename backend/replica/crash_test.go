package replica_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
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
)

const (
	crashDBEnv  = "ICE_REPLICA_CRASH_DB"
	crashURLEnv = "ICE_REPLICA_CRASH_URL"
)

// TestReplicaCrashChild is the child process of TestReplicaSurvivesSIGKILL:
// it replicates the log and appends in a burst, printing each acknowledged
// seq ("ack SEQ") and each position the replica confirmed ("rep SEQ HASH"),
// until it is killed.
func TestReplicaCrashChild(t *testing.T) {
	path := os.Getenv(crashDBEnv)
	if path == "" {
		t.Skip("child process of TestReplicaSurvivesSIGKILL")
	}
	ctx := context.Background()
	s, err := eventlog.Open(path, eventlog.Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	if err := s.SetAutoCheckpoint(ctx, 0); err != nil { // as the Studio does while it replicates
		fmt.Println("error", err)
		os.Exit(3)
	}
	r, err := replica.Start(ctx, path, replica.Config{URL: os.Getenv(crashURLEnv)}, nil)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	fmt.Printf("pid %d\n", r.PID())
	go func() {
		for {
			st, err := r.Sync(ctx)
			if err != nil { // a failed sync is retried; it confirms nothing
				fmt.Println("syncerr", err)
				continue
			}
			fmt.Printf("rep %d %x\n", st.Seq, st.Hash)
		}
	}()
	g := eventlog.NewGate(s, eventlog.DefaultCatalogue())
	for i := 0; ; i++ {
		drafts := make([]eventlog.Draft, 1+i%5)
		for j := range drafts {
			drafts[j] = eventlog.Draft{Stream: fmt.Sprintf("workspace/w%d", j%3), Type: eventlog.WorkspaceFileChanged,
				Origin: eventlog.OriginRuntime, Payload: map[string]any{"path": fmt.Sprintf("f%d-%d", i, j), "pad": strings.Repeat("y", 200)}}
		}
		evs, err := g.Emit(ctx, drafts...)
		if err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Printf("ack %d\n", evs[len(evs)-1].Seq)
	}
}

func integrity(tb testing.TB, path string) string {
	tb.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var msg string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&msg); err != nil {
		return err.Error()
	}
	return msg
}

// gone waits until process pid has exited (or is a zombie).
func gone(pid int, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return true
		}
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && len(stat) > i+2 && (stat[i+2] == 'Z' || stat[i+2] == 'X') {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// TestReplicaSurvivesSIGKILL kills a process that appends and replicates,
// at random moments, 20 times: each time the replica restores to a log that
// verifies, holds every event acknowledged before the last position the
// replica confirmed (with that position's hash), and is a prefix of the
// local log.
func TestReplicaSurvivesSIGKILL(t *testing.T) {
	// It failed in about one run of three before the replicator died with
	// its parent (it shipped a commit the log's WAL recovery then lost)
	// and before the writer left checkpoints to Litestream (a checkpoint
	// racing Litestream's left the replica without pages: "wrong # of
	// entries in index").
	if testing.Short() {
		t.Skip("20 kills take some 15 s")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), eventlog.FileName)
	cfg := replica.Config{URL: fileURL(filepath.Join(t.TempDir(), "replica"))}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	const rounds = 20
	var lastHead int64
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestReplicaCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDBEnv+"="+path, crashURLEnv+"="+cfg.URL)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
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
		var pid int
		var repSeq, ackSeq int64
		var repHash []byte
		// Wait for the replicator to confirm a position above the last round's
		// head, then kill at a random moment.
		deadline := time.After(60 * time.Second)
		for repSeq <= lastHead {
			select {
			case f, ok := <-lines:
				if !ok {
					t.Fatalf("round %d: child exited before the replica confirmed a new head", round)
				}
				switch {
				case len(f) > 0 && f[0] == "error":
					t.Fatalf("round %d: child: %s", round, strings.Join(f, " "))
				case len(f) == 2 && f[0] == "pid":
					pid, _ = strconv.Atoi(f[1])
				case len(f) == 2 && f[0] == "ack":
					ackSeq, _ = strconv.ParseInt(f[1], 10, 64)
				case len(f) == 3 && f[0] == "rep":
					repSeq, _ = strconv.ParseInt(f[1], 10, 64)
					repHash, _ = hex.DecodeString(f[2])
				}
			case <-deadline:
				t.Fatalf("round %d: no new replicated position within 60 s (acked %d)", round, ackSeq)
			}
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		for f := range lines {
			switch {
			case len(f) == 2 && f[0] == "ack":
				ackSeq, _ = strconv.ParseInt(f[1], 10, 64)
			case len(f) == 3 && f[0] == "rep":
				repSeq, _ = strconv.ParseInt(f[1], 10, 64)
				repHash, _ = hex.DecodeString(f[2])
			}
		}
		if pid == 0 || !gone(pid, 90*time.Second) {
			t.Fatalf("round %d: the replicator (pid %d) outlived its killed parent", round, pid)
		}

		if msg := integrity(t, path); msg != "ok" {
			t.Fatalf("round %d: the LOCAL log is damaged after SIGKILL: %s", round, msg)
		}
		out2 := filepath.Join(t.TempDir(), eventlog.FileName)
		if err := replica.Restore(ctx, cfg, out2); err != nil {
			t.Fatalf("round %d: restore after SIGKILL: %v", round, err)
		}
		rs := openLog(t, out2, true)
		rep, err := eventlog.Verify(ctx, rs, eventlog.DefaultCatalogue())
		if err != nil || !rep.OK {
			t.Fatalf("round %d: Verify of the restored log = %+v, %v", round, rep, err)
		}
		if rep.HeadSeq < repSeq {
			t.Fatalf("round %d: the restored log ends at seq %d, but the replica confirmed seq %d (acked up to %d)", round, rep.HeadSeq, repSeq, ackSeq)
		}
		if e, err := rs.Get(ctx, repSeq); err != nil || !bytes.Equal(e.Hash, repHash) {
			t.Fatalf("round %d: the restored event at the confirmed seq %d: %v (hash %x, confirmed %x)", round, repSeq, err, e.Hash, repHash)
		}
		local := openLog(t, path, true)
		cmp, err := eventlog.CompareWith(ctx, local, rs)
		local.Close()
		rs.Close()
		if err != nil || !cmp.OK {
			rw := openLog(t, path, false)
			h, _, _ := rw.Head(ctx)
			rw.Close()
			ls, _ := os.ReadDir(filepath.Dir(path))
			for _, e := range ls {
				fi, _ := e.Info()
				t.Logf("%s %d", e.Name(), fi.Size())
			}
			t.Logf("DIAG: read-write open sees head %d", h)
			t.Fatalf("round %d: the local log does not extend the restored replica (acked %d, confirmed %d): %+v, %v", round, ackSeq, repSeq, cmp, err)
		}
		if cmp.HeadSeq < ackSeq {
			t.Fatalf("round %d: the local log ends at %d, but %d was acknowledged", round, cmp.HeadSeq, ackSeq)
		}
		lastHead = cmp.HeadSeq
		t.Logf("round %d: acked %d, confirmed %d, restored %d", round, ackSeq, repSeq, rep.HeadSeq)
	}
}
