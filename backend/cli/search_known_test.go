package cli_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/cli"
	"github.com/ice-studio/ice-studio/backend/internal/asuser"
	"github.com/ice-studio/ice-studio/backend/internal/studiotest"
	"github.com/ice-studio/ice-studio/backend/search"
	"github.com/ice-studio/ice-studio/backend/studio"
)

// writeTree writes files under root, each with a modification time an hour
// old, so the Studio records them well after their last write (a file
// recorded within the racy window is never trusted).
func writeTree(tb testing.TB, root string, files map[string]string) {
	tb.Helper()
	old := time.Now().Add(-time.Hour)
	for p, c := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			tb.Fatal(err)
		}
		if err := os.Chtimes(full, old, old); err != nil {
			tb.Fatal(err)
		}
	}
}

func indexedStudio(tb testing.TB, dataDir, root string) (*studio.Studio, string) {
	return studiotest.IndexedStudio(tb, dataDir, root, 60*time.Second)
}

// knownWorkspace is a folder the Studio opened and indexed, then closed.
func knownWorkspace(tb testing.TB, files map[string]string) (dataDir, root, id string) {
	tb.Helper()
	dataDir, root = tb.TempDir(), tb.TempDir()
	writeTree(tb, root, files)
	return dataDir, root, studiotest.KnownFolder(tb, dataDir, root, 60*time.Second)
}

func ageIndex(tb testing.TB, dataDir, id string) { studiotest.AgeIndex(tb, dataDir, id) }

// searchIn runs `ice-studio search --verbose ARGS` with dataDir as
// ICE_HOME and returns its exit code, stdout, and what --verbose said.
func searchIn(dataDir string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	env := map[string]string{"ICE_HOME": dataDir}
	code := cli.Search(append([]string{"--verbose"}, args...), cli.IO{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }})
	return code, out.String(), errb.String()
}

var ruledOut = regexp.MustCompile(`the index ruled out (\d+)`)

func skipped(tb testing.TB, verbose string) int {
	tb.Helper()
	m := ruledOut.FindStringSubmatch(verbose)
	if m == nil {
		tb.Fatalf("--verbose said nothing of the index: %q", verbose)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// sameAsFresh checks that searching root with the Studio's data gives
// exactly what a fresh scan (an empty data dir) gives, for each query.
func sameAsFresh(t *testing.T, dataDir, root string, queries [][]string) {
	t.Helper()
	fresh := t.TempDir()
	for _, q := range queries {
		args := append(append([]string{}, q...), root)
		kc, kout, kerr := searchIn(dataDir, args...)
		fc, fout, ferr := searchIn(fresh, args...)
		if !strings.Contains(kerr, "using the Studio's text index") {
			t.Errorf("search %q with the Studio's data: the index was not used: %q", q, kerr)
		}
		if !strings.Contains(ferr, "fresh scan") {
			t.Errorf("search %q with an empty data dir: not a fresh scan: %q", q, ferr)
		}
		if kc != fc || kout != fout {
			t.Errorf("search %q: with the Studio's index = %d %q, fresh scan = %d %q", q, kc, kout, fc, fout)
		}
	}
}

// stamps is the size, time and bytes of every file in a folder.
func stamps(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	out := map[string]string{}
	des, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	for _, de := range des {
		fi, err := de.Info()
		if err != nil {
			tb.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dir, de.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		out[de.Name()] = fmt.Sprintf("%d %d %x", fi.Size(), fi.ModTime().UnixNano(), data)
	}
	return out
}

func sameStamps(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for name, b := range before {
		if a, ok := after[name]; !ok || a != b {
			t.Errorf("%s: %s changed or vanished", what, name)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s: %s was created", what, name)
		}
	}
}

var searchTree = map[string]string{
	"a.go":            "package a\n\n// Needle here, and needle there.\nfunc Needle() {}\n",
	"b/b.txt":         "no match\nneedle twice needle\n",
	"b/same.txt":      "alpha needle omega\n",
	"b/grow.txt":      "short needle\n",
	"c/quiet.md":      "nothing to see\n",
	"c/blob.bin":      "needle\x00\x01\x02",
	".gitignore":      "ignored/\n",
	"ignored/c.txt":   "needle hidden\n",
	"d/unicode.txt":   "café NEEDLE naïve\n",
	"d/deep/e/f.txt":  "the thread of a needle\n",
	"d/deep/e/g.txt":  "spruce and pine\n",
	"d/deep/e/h.json": `{"needle": true}` + "\n",
}

var searchQueries = [][]string{
	{"needle"}, {"--case", "Needle"}, {"--word", "needle"}, {"--regex", `nee+dle\b`}, {"--regex", `^no\s`},
	{"spruce"}, {"--include", "*.txt", "needle"}, {"--exclude", "d/**", "needle"}, {"absent-text"}, {"--max", "50", "needle"},
}

// TestSearchKnownWorkspace: in a folder the Studio has indexed, the search
// narrows through the Studio's index and its results are the fresh scan's,
// also after files are edited (same size or not), added and removed since
// they were indexed; neither the index nor its folder is written.
func TestSearchKnownWorkspace(t *testing.T) {
	dataDir, root, id := knownWorkspace(t, searchTree)
	indexDir := filepath.Dir(studio.IndexPath(dataDir, id))
	before := stamps(t, indexDir)

	sameAsFresh(t, dataDir, root, searchQueries)
	if code, out, verbose := searchIn(dataDir, "spruce", root); code != 0 || out != "d/deep/e/g.txt:1:spruce and pine\n" || skipped(t, verbose) == 0 {
		t.Errorf("search spruce = %d %q (%s), want one match and files ruled out by the index", code, out, verbose)
	}

	// Edited since indexed: the same size, and a different size; plus a
	// file added and one removed. The new times are older than the
	// recording, so only the changed time (and size) tells.
	now := time.Now().Add(-30 * time.Minute)
	for p, c := range map[string]string{"b/same.txt": "alpha spruce omega\n", "b/grow.txt": "short and no longer matching\n", "new.txt": "a new needle, and spruce\n"} {
		if err := os.WriteFile(filepath.Join(root, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(root, p), now, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Join(root, "d/deep/e/f.txt")); err != nil {
		t.Fatal(err)
	}
	sameAsFresh(t, dataDir, root, searchQueries)
	code, out, verbose := searchIn(dataDir, "spruce", root)
	if want := "b/same.txt:1:alpha spruce omega\nd/deep/e/g.txt:1:spruce and pine\nnew.txt:1:a new needle, and spruce\n"; code != 0 || out != want {
		t.Errorf("search spruce after the edits = %d %q, want %q", code, out, want)
	}
	if skipped(t, verbose) == 0 {
		t.Errorf("after the edits the index ruled nothing out: %s", verbose)
	}
	if code, out, _ := searchIn(dataDir, "needle", root); strings.Contains(out, "b/same.txt") || strings.Contains(out, "b/grow.txt") || strings.Contains(out, "f.txt") || code != 0 {
		t.Errorf("search needle after the edits still finds the old text: %d %q", code, out)
	}

	sameStamps(t, "the index folder", before, stamps(t, indexDir))
}

// TestSearchKnownWorkspaceRacyEdit: a file rewritten at the same size with
// its old modification time restored is still read, when it was recorded
// within the racy window of its last write (as a write in the same
// timestamp tick would look).
func TestSearchKnownWorkspaceRacyEdit(t *testing.T) {
	dataDir, root := t.TempDir(), t.TempDir()
	writeTree(t, root, map[string]string{"old.txt": "needle in the hay\n"})
	full := filepath.Join(root, "fresh.txt")
	if err := os.WriteFile(full, []byte("needle of today\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(full)
	if err != nil {
		t.Fatal(err)
	}
	s, id := indexedStudio(t, dataDir, root) // records fresh.txt within 2s of its write
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	ageIndex(t, dataDir, id)
	if err := os.WriteFile(full, []byte("spruce of today\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(full, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if code, out, verbose := searchIn(dataDir, "spruce", root); code != 0 || out != "fresh.txt:1:spruce of today\n" {
		t.Errorf("search spruce after a same-size, same-time edit = %d %q (%s)", code, out, verbose)
	}
	if code, out, _ := searchIn(dataDir, "needle", root); code != 0 || out != "old.txt:1:needle in the hay\n" {
		t.Errorf("search needle after a same-size, same-time edit = %d %q", code, out)
	}
}

// TestSearchBesideARunningStudio: with the Studio running and the folder
// open, the search reads the index as a WAL reader beside it, finds what a
// fresh scan finds, and writes nothing to the index (its -wal does not
// grow).
func TestSearchBesideARunningStudio(t *testing.T) {
	dataDir, root := t.TempDir(), t.TempDir()
	writeTree(t, root, searchTree)
	s, id := indexedStudio(t, dataDir, root)
	defer s.Close(context.Background())
	ix := studio.IndexPath(dataDir, id)
	if _, err := os.Stat(ix + "-wal"); err != nil {
		t.Fatalf("the running Studio's index has no -wal: %v", err)
	}
	// The -shm is shared memory, where a reader marks what it reads.
	before := stamps(t, filepath.Dir(ix))
	delete(before, filepath.Base(ix)+"-shm")
	sameAsFresh(t, dataDir, root, searchQueries)
	after := stamps(t, filepath.Dir(ix))
	delete(after, filepath.Base(ix)+"-shm")
	sameStamps(t, "the index folder beside the Studio", before, after)
}

// TestSearchReadOnlyIndexNoticesAWrite: an index read as immutable (no one
// had it open) reports a write made meanwhile, so the search is redone
// without it.
func TestSearchReadOnlyIndexNoticesAWrite(t *testing.T) {
	dataDir, _, id := knownWorkspace(t, searchTree)
	path := studio.IndexPath(dataDir, id)
	ro, err := search.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.Verify(); err != nil {
		t.Fatalf("Verify of an untouched index = %v", err)
	}
	if err := os.Chtimes(path, time.Now(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := ro.Verify(); !errors.Is(err, search.ErrIndexChanged) {
		t.Errorf("Verify after the index was written = %v, want ErrIndexChanged", err)
	}
	if _, err := search.OpenReadOnly(filepath.Join(dataDir, "index", "absent.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenReadOnly of a missing index = %v, want not exist", err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "index", "absent.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenReadOnly created a missing index: %v", err)
	}
	// Written just now (a Studio that closed it a moment ago): not read
	// as immutable, and the search scans afresh.
	if _, err := search.OpenReadOnly(path); err == nil {
		t.Error("OpenReadOnly of an index written just now succeeded")
	}
}

// TestSearchFreshScan: in a folder the Studio never opened, the search
// scans afresh and finds what it always did.
func TestSearchFreshScan(t *testing.T) {
	dataDir, _, _ := knownWorkspace(t, map[string]string{"x.txt": "x\n"})
	root := t.TempDir()
	writeTree(t, root, searchTree)
	code, out, verbose := searchIn(dataDir, "needle", root)
	if !strings.Contains(verbose, "fresh scan: the Studio has not opened") {
		t.Errorf("search in a folder never opened: %q", verbose)
	}
	want := "a.go:3:// Needle here, and needle there.\na.go:4:func Needle() {}\nb/b.txt:2:needle twice needle\nb/grow.txt:1:short needle\n" +
		"b/same.txt:1:alpha needle omega\nd/deep/e/f.txt:1:the thread of a needle\nd/deep/e/h.json:1:{\"needle\": true}\nd/unicode.txt:1:café NEEDLE naïve\n"
	if code != 0 || out != want {
		t.Errorf("search needle in a fresh folder = %d %q, want %q", code, out, want)
	}
}

// TestSearchKnownWorkspaceAsUser runs the tests above as an unprivileged
// user when the suite runs as root.
func TestSearchKnownWorkspaceAsUser(t *testing.T) {
	asuser.Rerun(t, "^(TestSearchKnownWorkspace|TestSearchKnownWorkspaceRacyEdit|TestSearchBesideARunningStudio|TestSearchReadOnlyIndexNoticesAWrite|TestSearchFreshScan)$")
}
