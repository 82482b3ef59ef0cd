package kernel_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
)

const (
	crashDBEnv   = "ICE_KERNEL_CRASH_DB"
	crashRootEnv = "ICE_KERNEL_CRASH_ROOT"
	crashFiles   = 120
)

// crashInitial is the tree every round starts from.
func crashInitial() map[string]string {
	files := map[string]string{}
	for i := 0; i < crashFiles; i++ {
		files[fmt.Sprintf("src/pkg%d/file%03d.txt", i%7, i)] = strings.Repeat(fmt.Sprintf("line %d of the original\n", i), 20)
	}
	return files
}

// crashWorker modifies two thirds of the files, deletes a sixth and creates new ones.
func crashWorker() kernel.Worker {
	var fs []func(context.Context, *kernel.Env) error
	for i := 0; i < crashFiles; i++ {
		p := fmt.Sprintf("src/pkg%d/file%03d.txt", i%7, i)
		switch {
		case i%6 == 0:
			fs = append(fs, deleteStep(p))
		case i%3 == 0:
			fs = append(fs, writeStep(fmt.Sprintf("new/n%03d.txt", i), "created by the run\n"))
		default:
			fs = append(fs, readStep(p), writeStep(p, strings.Repeat(fmt.Sprintf("line %d rewritten\n", i), 25)))
		}
	}
	return steps(fs...)
}

// TestCrashCommitChild is the child process of TestCrashRecovery: it
// prepares a validated run, announces the commit and commits.
func TestCrashCommitChild(t *testing.T) {
	db, root := os.Getenv(crashDBEnv), os.Getenv(crashRootEnv)
	if db == "" {
		t.Skip("child process of TestCrashRecovery")
	}
	h := openHarness(t, db, root, kernel.Config{})
	info := h.start(kernel.StartRequest{}, crashWorker())
	if got := h.wait(info.ID); got.State != kernel.StateValidated {
		fmt.Println("error: run is", got.State, got.Reason)
		os.Exit(3)
	}
	fmt.Println("committing", info.ID)
	start := time.Now()
	if _, err := h.k.Approve(context.Background(), info.ID); err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	fmt.Println("committed", time.Since(start).Microseconds())
}

// startCommitChild lays out a fresh workspace and log and starts
// TestCrashCommitChild on them; out is the child's stdout.
func startCommitChild(t *testing.T) (root, db string, cmd *exec.Cmd, out io.ReadCloser) {
	t.Helper()
	root, _ = filepath.EvalSymlinks(t.TempDir())
	writeTree(t, root, crashInitial())
	db = filepath.Join(t.TempDir(), eventlog.FileName)
	cmd = exec.Command(os.Args[0], "-test.run=^TestCrashCommitChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDBEnv+"="+db, crashRootEnv+"="+root)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return root, db, cmd, out
}

// TestCrashRecovery kills a process in the middle of committing many files,
// at random points, and restarts the kernel: the run must end committed or
// aborted, and the tree must be exactly the all-before or the all-after state.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	// Reference trees: before, and after an uninterrupted commit.
	ref := newHarness(t, crashInitial())
	beforeHash := treeHash(t, ref.root)
	info := ref.start(kernel.StartRequest{}, crashWorker())
	ref.wait(info.ID)
	if _, err := ref.k.Approve(context.Background(), info.ID); err != nil {
		t.Fatal(err)
	}
	afterHash := treeHash(t, ref.root)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	var window time.Duration // how long an uninterrupted commit takes in a child
	outcomes := map[string]int{}
	const rounds = 24
	for round := 0; round < rounds; round++ {
		root, db, cmd, out := startCommitChild(t)
		lines := make(chan string, 16)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		var runID string
		select {
		case l := <-lines:
			if !strings.HasPrefix(l, "committing ") {
				t.Fatalf("round %d: child said %q", round, l)
			}
			runID = strings.TrimPrefix(l, "committing ")
		case <-time.After(60 * time.Second):
			t.Fatalf("round %d: child never reached the commit", round)
		}
		if round == 0 {
			// Measure the commit window once, without killing.
			for l := range lines {
				var us int64
				if _, err := fmt.Sscanf(l, "committed %d", &us); err == nil {
					window = time.Duration(us) * time.Microsecond
				}
			}
			_ = cmd.Wait()
			if window == 0 {
				t.Fatal("round 0: the child did not report its commit time")
			}
			t.Logf("an uninterrupted commit of %d files takes %s", crashFiles, window)
		} else {
			time.Sleep(time.Duration(rng.Int64N(int64(window) + 1)))
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
			for range lines {
			}
		}

		// Restart: recover, then check the run and the tree.
		h := openHarness(t, db, root, kernel.Config{})
		if err := h.k.Recover(context.Background()); err != nil {
			t.Fatalf("round %d: Recover: %v", round, err)
		}
		got, err := h.k.Get(context.Background(), runID)
		if err != nil {
			t.Fatal(err)
		}
		tree := treeHash(t, root)
		switch {
		case got.Outcome == kernel.OutcomeCommitted && tree == afterHash:
		case got.Outcome == kernel.OutcomeAborted && tree == beforeHash:
		case got.State == kernel.StateValidated && tree == beforeHash: // killed before the journal was written
		default:
			t.Fatalf("round %d: run %s outcome %q (%s), tree before=%v after=%v: a half-applied tree",
				round, got.State, got.Outcome, got.Reason, tree == beforeHash, tree == afterHash)
		}
		key := got.Outcome
		if strings.HasPrefix(got.Reason, "recovered:") {
			key += " (recovered)"
		}
		if key == "" {
			key = string(got.State)
		}
		outcomes[key]++
		if rep, err := eventlog.Verify(context.Background(), h.store, eventlog.DefaultCatalogue()); err != nil || !rep.OK {
			t.Fatalf("round %d: verify after recovery = %+v, %v", round, rep, err)
		}
		h.close()
	}
	t.Logf("outcomes over %d rounds: %v", rounds, outcomes)
	if outcomes["committed (recovered)"]+outcomes["aborted (recovered)"] == 0 {
		t.Errorf("no kill landed inside a commit (%v): the test did not exercise recovery", outcomes)
	}
}

// TestCrashRecoveryRollsBackWhenAFileChangedElsewhere interrupts a commit,
// changes one of its files behind the Studio's back, and restarts: the
// kernel cannot finish safely, so it restores every before-image and aborts.
func TestCrashRecoveryRollsBackWhenAFileChangedElsewhere(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	const foreign = "src/pkg1/file001.txt" // modified by the run
	for attempt := 0; attempt < 15; attempt++ {
		root, db, cmd, out := startCommitChild(t)
		sc := bufio.NewScanner(out)
		if !sc.Scan() || !strings.HasPrefix(sc.Text(), "committing ") {
			t.Fatalf("child said %q", sc.Text())
		}
		runID := strings.TrimPrefix(sc.Text(), "committing ")
		time.Sleep(time.Duration(40+attempt*10) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()

		h := openHarness(t, db, root, kernel.Config{})
		if got, _ := h.k.Get(context.Background(), runID); got.State != kernel.StateCommitting {
			h.close()
			continue // the kill missed the commit window; try again
		}
		writeTree(t, root, map[string]string{foreign: "the user's own edit\n"})
		if err := h.k.Recover(context.Background()); err != nil {
			t.Fatal(err)
		}
		got, _ := h.k.Get(context.Background(), runID)
		if got.Outcome != kernel.OutcomeAborted || !strings.Contains(got.Reason, foreign) {
			t.Fatalf("outcome %q reason %q; want aborted naming %s", got.Outcome, got.Reason, foreign)
		}
		want := crashInitial()
		want[foreign] = "the user's own edit\n"
		ref, _ := filepath.EvalSymlinks(t.TempDir())
		writeTree(t, ref, want)
		if treeHash(t, root) != treeHash(t, ref) {
			t.Fatal("after the roll-back the tree is not the before-state (with the user's edit kept)")
		}
		return
	}
	t.Fatal("no kill landed inside the commit in 15 attempts")
}
