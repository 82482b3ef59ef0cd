package kernel_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/kernel"
)

// outsideTree lists every entry under dir with its content ("->target" for
// a link), so a test can tell that nothing outside the workspace changed.
func outsideTree(t *testing.T, dir string) string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			out = append(out, rel+" ->"+l)
		case fi.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			out = append(out, rel+"="+string(b))
		case fi.IsDir():
			out = append(out, rel+"/")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// validatedRun runs a worker writing path=body and waits for it to be
// validated (nothing applied yet).
func validatedRun(t *testing.T, h *harness, path, body string) kernel.RunInfo {
	t.Helper()
	info := h.start(kernel.StartRequest{Task: "edit " + path}, steps(writeStep(path, body)))
	got := h.wait(info.ID)
	if got.State != kernel.StateValidated {
		t.Fatalf("state after the worker = %s (%s), want validated", got.State, got.Reason)
	}
	return got
}

// The commit writes each file to a predictable temporary name next to it.
// A symlink planted there, pointing outside the workspace, must be removed,
// not written through, and the file must end up a regular file.
func TestCommitDoesNotFollowAPlantedTempFile(t *testing.T) {
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{"victim.txt": "victim\n"})
	h := newHarness(t, map[string]string{"c.txt": "old c\n"})
	info := validatedRun(t, h, "c.txt", "staged\n")
	suffix := info.ID
	if len(suffix) > 12 {
		suffix = suffix[len(suffix)-12:]
	}
	for name, target := range map[string]string{
		".c.txt.ice-commit-" + suffix: filepath.Join(outside, "victim.txt"),
	} {
		if err := os.Symlink(target, filepath.Join(h.root, name)); err != nil {
			t.Fatal(err)
		}
	}
	before := outsideTree(t, outside)
	got, err := h.k.Approve(context.Background(), info.ID)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	if after := outsideTree(t, outside); after != before {
		t.Errorf("the commit changed files outside the workspace:\n%s\nwas\n%s", after, before)
	}
	fi, err := os.Lstat(filepath.Join(h.root, "c.txt"))
	if err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("c.txt after the commit: %v; want a regular file", describe(fi, err))
	}
	if b := read(t, h.root, "c.txt"); b != "staged\n" {
		t.Errorf("c.txt = %q, want the staged content", b)
	}
	if got.Outcome != kernel.OutcomeCommitted {
		t.Errorf("outcome %s (%s), want committed", got.Outcome, got.Reason)
	}
	if ents, _ := os.ReadDir(h.root); len(ents) != 1 {
		t.Errorf("workspace after the commit has %d entries, want only c.txt (the temporary file removed)", len(ents))
	}
}

// A folder checked at validation is swapped for a symlink to outside just
// before the commit writes into it: the commit must not follow it.
func TestCommitRefusesAParentSwappedForALink(t *testing.T) {
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{"a.txt": "old\n"})
	h := newHarness(t, map[string]string{"sub/a.txt": "old\n"})
	info := validatedRun(t, h, "sub/a.txt", "new\n")
	before := outsideTree(t, outside)
	swapped := false
	defer kernel.SetBeforeWriteHook(func(root, rel string) {
		if rel != "sub/a.txt" || swapped {
			return
		}
		swapped = true
		if err := os.Rename(filepath.Join(root, "sub"), filepath.Join(root, "sub.moved")); err != nil {
			t.Error(err)
		}
		if err := os.Symlink(outside, filepath.Join(root, "sub")); err != nil {
			t.Error(err)
		}
	})()
	got, _ := h.k.Approve(context.Background(), info.ID)
	if !swapped {
		t.Fatal("the hook never ran")
	}
	if after := outsideTree(t, outside); after != before {
		t.Errorf("the commit wrote outside the workspace through the swapped folder:\n%s\nwas\n%s", after, before)
	}
	got, _ = h.k.Get(context.Background(), info.ID)
	if got.Outcome == kernel.OutcomeCommitted {
		t.Errorf("outcome committed, want the run aborted")
	}
	if got.Reason == "" {
		t.Errorf("no reason given for the abort")
	}
	t.Logf("outcome %s: %s", got.Outcome, got.Reason)
	if b := read(t, h.root, "sub.moved/a.txt"); b != "old\n" {
		t.Errorf("the moved folder's file = %q", b)
	}
}

// A staged file replaced by a symlink (to an outside file with the very
// content the run saw) after validation: the commit check must not read
// through it, and must not silently replace the user's link.
func TestCommitRefusesAFileSwappedForALink(t *testing.T) {
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{"c.txt": "old\n"})
	h := newHarness(t, map[string]string{"c.txt": "old\n"})
	info := validatedRun(t, h, "c.txt", "new\n")
	if err := os.Remove(filepath.Join(h.root, "c.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "c.txt"), filepath.Join(h.root, "c.txt")); err != nil {
		t.Fatal(err)
	}
	before := outsideTree(t, outside)
	_, err := h.k.Approve(context.Background(), info.ID)
	got, _ := h.k.Get(context.Background(), info.ID)
	if got.Outcome == kernel.OutcomeCommitted {
		t.Errorf("committed over a symlink that replaced the file (Approve: %v)", err)
	}
	t.Logf("Approve: %v; outcome %s: %s", err, got.Outcome, got.Reason)
	if fi, err := os.Lstat(filepath.Join(h.root, "c.txt")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("c.txt is no longer the user's link: %v", describe(fi, err))
	}
	if after := outsideTree(t, outside); after != before {
		t.Errorf("outside changed:\n%s\nwas\n%s", after, before)
	}
}

func describe(fi os.FileInfo, err error) string {
	if err != nil {
		return err.Error()
	}
	return fi.Mode().String()
}
