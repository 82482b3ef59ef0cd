package workspace_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ice-studio/ice-studio/backend/workspace"
)

// mustScan runs Scan and returns every FileInfo it delivered, in order.
func mustScan(tb testing.TB, root string, opts workspace.ScanOptions) ([]workspace.FileInfo, workspace.ScanReport) {
	tb.Helper()
	var got []workspace.FileInfo
	rep, err := workspace.Scan(context.Background(), root, opts, func(fi workspace.FileInfo) error {
		got = append(got, fi)
		return nil
	})
	if err != nil {
		tb.Fatalf("Scan(%s): %v", root, err)
	}
	return got, rep
}

func paths(fis []workspace.FileInfo) []string {
	out := make([]string, len(fis))
	for i, fi := range fis {
		out[i] = fi.Path
	}
	return out
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestScan(t *testing.T) {
	files := map[string]string{
		".gitignore":            "*.log\nbuild/\n",
		"main.go":               "package main\n",
		"a.txt":                 "alpha",
		"a/b.md":                "# b",
		"a/c/d.py":              "print(1)\n",
		"a.b/e.rs":              "fn main() {}",
		"app.log":               "ignored",
		"build/out.bin":         "ignored",
		"node_modules/x/i.js":   "ignored",
		".git/HEAD":             "ref: refs/heads/main\n",
		"Makefile":              "all:\n",
		"empty/":                "",
		"sub/.gitignore":        "!keep.log\n",
		"sub/keep.log":          "kept",
		"sub/deep/Dockerfile":   "FROM scratch\n",
		"data/table.CSV":        "a,b\n",
		"data/unknown.xyz":      "?",
		"z-last/folder/file.ts": "export {}",
	}
	root := writeTree(t, files)
	got, rep := mustScan(t, root, workspace.ScanOptions{})

	want := []string{".gitignore", "Makefile", "a.b/e.rs", "a.txt", "a/b.md", "a/c/d.py", "data/table.CSV", "data/unknown.xyz",
		"main.go", "sub/.gitignore", "sub/deep/Dockerfile", "sub/keep.log", "z-last/folder/file.ts"}
	if !reflect.DeepEqual(paths(got), want) {
		t.Fatalf("Scan delivered\n  %q\nwant (sorted, ignores applied)\n  %q", paths(got), want)
	}
	langs := map[string]string{"main.go": "go", "Makefile": "makefile", "a.txt": "text", "a/c/d.py": "python", "a.b/e.rs": "rust",
		"sub/deep/Dockerfile": "dockerfile", "data/table.CSV": "csv", "data/unknown.xyz": "", ".gitignore": "gitignore"}
	var bytes int64
	for _, fi := range got {
		body := files[fi.Path]
		bytes += int64(len(body))
		if fi.Hash != sha(body) || fi.Size != int64(len(body)) || fi.Binary || fi.Huge || fi.Symlink {
			t.Errorf("%s: got %+v; want hash %s, size %d, text", fi.Path, fi, sha(body), len(body))
		}
		st, err := os.Stat(filepath.Join(root, fi.Path))
		if err != nil || st.ModTime().UnixNano() != fi.ModTime {
			t.Errorf("%s: ModTime %d, want %v (%v)", fi.Path, fi.ModTime, st.ModTime().UnixNano(), err)
		}
		if want, ok := langs[fi.Path]; ok && fi.Language != want {
			t.Errorf("%s: Language %q, want %q", fi.Path, fi.Language, want)
		}
	}
	if rep.Files != len(want) || rep.Bytes != bytes || rep.BytesRead != bytes || len(rep.Warnings) != 0 {
		t.Errorf("report = %+v; want %d files, %d bytes, all read once, no warnings", rep, len(want), bytes)
	}
	// Ignored: app.log, build/, node_modules/, .git/.
	if rep.Ignored != 4 {
		t.Errorf("report.Ignored = %d, want 4 (app.log, build/, node_modules/, .git/)", rep.Ignored)
	}
}

func TestScanOrderIsSortedAndIndependentOfWorkers(t *testing.T) {
	files := map[string]string{}
	for i := range 300 {
		files["d"+strconv.Itoa(i%7)+"/"+strconv.Itoa(i)+".txt"] = strings.Repeat("x", i)
		files["d"+strconv.Itoa(i%7)+".txt"] = "top"
		files["d"+strconv.Itoa(i%7)+"-x/f"] = "dash"
	}
	root := writeTree(t, files)
	one, _ := mustScan(t, root, workspace.ScanOptions{Workers: 1})
	many, _ := mustScan(t, root, workspace.ScanOptions{Workers: 8})
	if !sort.StringsAreSorted(paths(one)) {
		t.Errorf("Scan order is not sorted: %q", paths(one))
	}
	if !reflect.DeepEqual(one, many) {
		t.Error("Scan with 1 worker and with 8 workers delivered different results")
	}
	if len(one) != len(files) {
		t.Errorf("Scan delivered %d files, want %d", len(one), len(files))
	}
}

func TestScanSymlinksAreNotFollowed(t *testing.T) {
	root := writeTree(t, map[string]string{"real.txt": "real", "a/inner.txt": "inner"})
	for link, target := range map[string]string{
		"self":      ".",          // a loop through the root
		"a/up":      "..",         // a loop through a parent
		"ping":      "pong",       // two links pointing at each other
		"pong":      "ping",       //
		"out":       "/etc",       // outside the workspace
		"dangling":  "missing",    // nowhere
		"file-link": "real.txt",   // a file inside
		"a/deep":    "../a/../a/", // a folder inside, by a winding path
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	var got []workspace.FileInfo
	var rep workspace.ScanReport
	go func() {
		defer close(done)
		got, rep = mustScan(t, root, workspace.ScanOptions{})
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Scan did not finish: it followed a symlink loop")
	}
	want := []string{"a/deep", "a/inner.txt", "a/up", "dangling", "file-link", "out", "ping", "pong", "real.txt", "self"}
	if !reflect.DeepEqual(paths(got), want) {
		t.Fatalf("Scan delivered %q, want %q (links listed, never entered)", paths(got), want)
	}
	for _, fi := range got {
		target, err := os.Readlink(filepath.Join(root, fi.Path))
		isLink := err == nil
		if fi.Symlink != isLink || (isLink && (fi.LinkTarget != target || fi.Hash != "")) {
			t.Errorf("%s: got %+v; want Symlink=%v target %q, no hash", fi.Path, fi, isLink, target)
		}
	}
	if rep.Symlinks != 8 || len(rep.Warnings) != 0 {
		t.Errorf("report = %+v; want 8 symlinks and no warnings", rep)
	}
}

func TestScanHugeSparseFileIsFlaggedNotRead(t *testing.T) {
	root := writeTree(t, map[string]string{"small.txt": "hello"})
	const size = 200 << 20
	f, err := os.Create(filepath.Join(root, "huge.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("header text, then holes"); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	f.Close()
	got, rep := mustScan(t, root, workspace.ScanOptions{})
	if len(got) != 2 {
		t.Fatalf("Scan delivered %q, want huge.bin and small.txt", paths(got))
	}
	huge := got[0]
	if huge.Path != "huge.bin" || !huge.Huge || huge.Hash != "" || huge.Size != size {
		t.Errorf("huge.bin = %+v; want Huge, no hash, size %d", huge, size)
	}
	if rep.BytesRead > 1<<20 {
		t.Errorf("report.BytesRead = %d: a 200 MB file above the cap was read, not just sniffed", rep.BytesRead)
	}
	if rep.Huge != 1 || rep.Bytes != size+5 {
		t.Errorf("report = %+v; want 1 huge file and %d bytes", rep, size+5)
	}
}

func TestScanMaxHashBytes(t *testing.T) {
	root := writeTree(t, map[string]string{
		"at-cap.txt":    strings.Repeat("a", 1024),
		"over-cap.txt":  strings.Repeat("b", 1025),
		"big-under.txt": strings.Repeat("c", 600<<10), // spans several read buffers
	})
	got, _ := mustScan(t, root, workspace.ScanOptions{MaxHashBytes: 1024})
	byPath := map[string]workspace.FileInfo{}
	for _, fi := range got {
		byPath[fi.Path] = fi
	}
	if fi := byPath["at-cap.txt"]; fi.Huge || fi.Hash != sha(strings.Repeat("a", 1024)) {
		t.Errorf("a file of exactly MaxHashBytes = %+v; want hashed", fi)
	}
	if fi := byPath["over-cap.txt"]; !fi.Huge || fi.Hash != "" || fi.Language != "text" {
		t.Errorf("a file one byte over MaxHashBytes = %+v; want Huge, unhashed, still text", fi)
	}
	if fi := byPath["big-under.txt"]; !fi.Huge {
		t.Errorf("big-under.txt = %+v; want Huge under a 1 KiB cap", fi)
	}
	got, _ = mustScan(t, root, workspace.ScanOptions{})
	for _, fi := range got {
		body, _ := os.ReadFile(filepath.Join(root, fi.Path))
		if fi.Huge || fi.Hash != sha(string(body)) {
			t.Errorf("default cap: %s = %+v; want the hash of its %d bytes", fi.Path, fi, len(body))
		}
	}
}

func TestScanBinaryDetection(t *testing.T) {
	utf16 := string([]byte{0xff, 0xfe, 'h', 0, 'i', 0, '\n', 0})
	files := map[string]string{
		"nul.dat":      "text\x00more",
		"image.png":    "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
		"utf16.txt":    utf16,
		"random.bin":   string(pseudoRandom(4096)),
		"plain.txt":    "hello\tworld\r\n",
		"unicode.md":   "héllo wörld — ☃ 𝄞\n",
		"latin1.txt":   "caf\xe9 cr\xe8me br\xfbl\xe9e, un texte en fran\xe7ais assez long pour compter\n",
		"empty.go":     "",
		"late-nul.txt": strings.Repeat("a", 9000) + "\x00", // past the 8 KiB sniff window
		"cut.txt":      strings.Repeat("é", 4096) + "x",    // 8 KiB boundary falls inside a character
	}
	root := writeTree(t, files)
	got, rep := mustScan(t, root, workspace.ScanOptions{})
	want := map[string]bool{"nul.dat": true, "image.png": true, "utf16.txt": true, "random.bin": true}
	for _, fi := range got {
		if fi.Binary != want[fi.Path] {
			t.Errorf("%s: Binary = %v, want %v", fi.Path, fi.Binary, want[fi.Path])
		}
		if fi.Hash != sha(files[fi.Path]) {
			t.Errorf("%s: binary files are hashed too; got %q", fi.Path, fi.Hash)
		}
		if fi.Binary && fi.Language != "" {
			t.Errorf("%s: binary file has Language %q", fi.Path, fi.Language)
		}
	}
	if rep.Binary != len(want) {
		t.Errorf("report.Binary = %d, want %d", rep.Binary, len(want))
	}
}

func pseudoRandom(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x) | 1 // no NUL: the invalid-UTF-8 rule must catch it
	}
	return b
}

func TestScanInvalidUTF8Names(t *testing.T) {
	root := writeTree(t, map[string]string{"ok.txt": "ok"})
	bad := "bad\xffname.txt"
	badDir := "dir\xfe"
	mustWrite(t, filepath.Join(root, bad), "one")
	mustWrite(t, filepath.Join(root, badDir, "inner.txt"), "two")
	got, rep := mustScan(t, root, workspace.ScanOptions{})
	want := []string{bad, badDir + "/inner.txt", "ok.txt"}
	if !reflect.DeepEqual(paths(got), want) {
		t.Fatalf("Scan delivered %q, want %q (raw names kept)", paths(got), want)
	}
	if got[0].Hash != sha("one") || got[1].Hash != sha("two") {
		t.Errorf("files under invalid names were not read: %+v", got[:2])
	}
	warned := map[string]bool{}
	for _, w := range rep.Warnings {
		if errors.Is(w.Err, workspace.ErrBadName) {
			warned[w.Path] = true
		}
	}
	if !warned[bad] || !warned[badDir] || len(rep.Warnings) != 2 {
		t.Errorf("warnings = %v; want one ErrBadName for %q and one for %q", rep.Warnings, bad, badDir)
	}
}

func TestScanUnreadableEntriesAreWarnings(t *testing.T) {
	if dir := os.Getenv("ICE_TEST_UNREADABLE_ROOT"); dir != "" {
		checkUnreadable(t, dir) // the re-executed child, see below
		return
	}
	root := writeTree(t, map[string]string{"open.txt": "open", "locked/inner.txt": "x", "secret.txt": "s", "z/ok.txt": "ok", "z/.gitignore": "ok.txt\n"})
	for _, p := range []string{"locked", "secret.txt", "z/.gitignore"} {
		if err := os.Chmod(filepath.Join(root, p), 0); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(root, "locked"), 0o755) })
	if os.Geteuid() != 0 {
		checkUnreadable(t, root)
		return
	}
	// root reads everything regardless of permissions, so run the same
	// check again as an unprivileged user.
	runAsNobody(t, "TestScanUnreadableEntriesAreWarnings", "ICE_TEST_UNREADABLE_ROOT="+root, root)
}

func checkUnreadable(t *testing.T, root string) {
	got, rep := mustScan(t, root, workspace.ScanOptions{})
	if want := []string{"open.txt", "z/ok.txt"}; !reflect.DeepEqual(paths(got), want) {
		t.Errorf("Scan delivered %q, want %q", paths(got), want)
	}
	var warned []string
	for _, w := range rep.Warnings {
		if !errors.Is(w.Err, workspace.ErrUnreadable) {
			t.Errorf("warning %v is not ErrUnreadable", w)
		}
		warned = append(warned, w.Path)
	}
	// z/.gitignore is both an unreadable file and unreadable rules: one
	// warning, and its rules (which would hide ok.txt) do not apply.
	if want := []string{"locked", "secret.txt", "z/.gitignore"}; !reflect.DeepEqual(warned, want) {
		t.Errorf("warnings for %q, want %q", warned, want)
	}
}

// runAsNobody re-runs the named test in a copy of the test binary as uid
// 65534 with env set, after making dirs traversable, and fails with the
// child's output if it fails.
func runAsNobody(t *testing.T, test, env, dir string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("running as another user is only arranged on Linux")
	}
	for d := dir; d != "/" && d != "."; d = filepath.Dir(d) {
		if strings.HasPrefix(d, os.TempDir()) && d != os.TempDir() {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	binDir := t.TempDir()
	os.Chmod(binDir, 0o755)
	for d := filepath.Dir(binDir); strings.HasPrefix(d, os.TempDir()) && d != os.TempDir(); d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
	bin := filepath.Join(binDir, "workspace.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, binDir} {
		for ; d != "/" && d != "."; d = filepath.Dir(d) {
			if fi, err := os.Stat(d); err != nil || fi.Mode().Perm()&0o001 == 0 {
				t.Skipf("%s cannot be entered by another user, so permissions cannot be tested here", d)
			}
		}
	}
	cmd := exec.Command(bin, "-test.run=^"+test+"$", "-test.v", "-test.count=1")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOCOVERDIR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env)
	cmd.Dir = "/"
	if !asNobody(cmd) {
		t.Skip("cannot run as another user on this platform")
	}
	out, err := cmd.CombinedOutput()
	if err != nil && strings.Contains(err.Error(), "operation not permitted") {
		t.Skipf("running as root without the right to switch users (%v): cannot test permissions here", err)
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: "+test) {
		t.Fatalf("as uid 65534: %v\n%s", err, out)
	}
	t.Logf("passed as uid 65534")
}

func TestScanDir(t *testing.T) {
	root := writeTree(t, map[string]string{".gitignore": "gen/\n", "a/x.txt": "x", "a/b/y.txt": "y", "c.txt": "c", "a/gen/z.txt": "z"})
	got, _ := mustScan(t, root, workspace.ScanOptions{Dir: "a"})
	if want := []string{"a/b/y.txt", "a/x.txt"}; !reflect.DeepEqual(paths(got), want) {
		t.Errorf("Scan(Dir: a) delivered %q, want %q", paths(got), want)
	}
	got, rep := mustScan(t, root, workspace.ScanOptions{Dir: "a/gen"})
	if len(got) != 0 || rep.Ignored != 1 {
		t.Errorf("Scan(Dir: ignored folder) delivered %q (report %+v), want nothing", paths(got), rep)
	}
	for dir, want := range map[string]error{"missing": workspace.ErrNotFound, "c.txt": workspace.ErrNotDir, "../x": workspace.ErrOutside} {
		_, err := workspace.Scan(context.Background(), root, workspace.ScanOptions{Dir: dir}, func(workspace.FileInfo) error { return nil })
		if !errors.Is(err, want) {
			t.Errorf("Scan(Dir: %q) error = %v, want %v", dir, err, want)
		}
	}
	if _, err := workspace.Scan(context.Background(), filepath.Join(root, "nope"), workspace.ScanOptions{}, func(workspace.FileInfo) error { return nil }); !errors.Is(err, workspace.ErrNotFound) {
		t.Errorf("Scan(missing root) error = %v, want ErrNotFound", err)
	}
}

func TestScanFile(t *testing.T) {
	root := writeTree(t, map[string]string{"a/b.go": "package a", "big.txt": strings.Repeat("z", 2048)})
	if err := os.Symlink("a", filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	all, _ := mustScan(t, root, workspace.ScanOptions{})
	for _, want := range all {
		got, err := workspace.ScanFile(root, want.Path, workspace.ScanOptions{})
		if err != nil || got != want {
			t.Errorf("ScanFile(%q) = %+v, %v; want %+v as from Scan", want.Path, got, err, want)
		}
	}
	if fi, _ := workspace.ScanFile(root, "big.txt", workspace.ScanOptions{MaxHashBytes: 1024}); !fi.Huge || fi.Hash != "" {
		t.Errorf("ScanFile with a 1 KiB cap = %+v; want Huge", fi)
	}
	for rel, want := range map[string]error{
		"a": workspace.ErrIsDir, "missing": workspace.ErrNotFound, "link/b.go": workspace.ErrNotFound, "../x": workspace.ErrOutside,
	} {
		if _, err := workspace.ScanFile(root, rel, workspace.ScanOptions{}); !errors.Is(err, want) {
			t.Errorf("ScanFile(%q) error = %v, want %v", rel, err, want)
		}
	}
	// A folder reached through a symlink is not scanned twice.
	if _, err := workspace.Scan(context.Background(), root, workspace.ScanOptions{Dir: "link"}, func(workspace.FileInfo) error { return nil }); !errors.Is(err, workspace.ErrNotDir) {
		t.Errorf("Scan(Dir: a symlink) error = %v, want ErrNotDir", err)
	}
}

func TestScanStopsOnCallbackErrorAndCancel(t *testing.T) {
	files := map[string]string{}
	for i := range 500 {
		files[strconv.Itoa(i)+".txt"] = "x"
	}
	root := writeTree(t, files)
	stop := errors.New("enough")
	n := 0
	_, err := workspace.Scan(context.Background(), root, workspace.ScanOptions{}, func(workspace.FileInfo) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 10 {
		t.Errorf("Scan with a callback failing at 10 = %v after %d calls, want %v after 10", err, n, stop)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	_, err = workspace.Scan(ctx, root, workspace.ScanOptions{}, func(workspace.FileInfo) error {
		n++
		if n == 5 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n != 5 {
		t.Errorf("Scan cancelled at 5 = %v after %d calls, want context.Canceled after 5", err, n)
	}
	n = 0
	_, err = workspace.Scan(ctx, root, workspace.ScanOptions{}, func(workspace.FileInfo) error { n++; return nil })
	if !errors.Is(err, context.Canceled) || n != 0 {
		t.Errorf("Scan with a cancelled context = %v after %d calls, want context.Canceled and no calls", err, n)
	}
}

func TestScanReuse(t *testing.T) {
	root := writeTree(t, map[string]string{"a.txt": "aaa", "b.txt": "bbb"})
	got, rep := mustScan(t, root, workspace.ScanOptions{Reuse: func(path string, size, mtime int64) (workspace.FileInfo, bool) {
		if path != "a.txt" {
			return workspace.FileInfo{}, false
		}
		return workspace.FileInfo{Hash: "reused", Binary: true}, true
	}})
	if got[0].Hash != "reused" || !got[0].Binary || got[1].Hash != sha("bbb") {
		t.Errorf("Scan with Reuse = %+v; want a.txt taken from Reuse, b.txt hashed", got)
	}
	if rep.BytesRead != 3 {
		t.Errorf("report.BytesRead = %d, want 3 (only b.txt read)", rep.BytesRead)
	}
}

func TestLanguageOf(t *testing.T) {
	for p, want := range map[string]string{
		"main.go": "go", "a/b/App.TSX": "typescript", "Makefile": "makefile", "x/go.mod": "go.mod",
		"Dockerfile.dev": "dockerfile", "README": "text", "notes.MD": "markdown", "x.unknown": "", "noext": "",
		"style.scss": "scss", "q.sql": "sql", ".gitignore": "gitignore",
	} {
		if got := workspace.LanguageOf(p); got != want {
			t.Errorf("LanguageOf(%q) = %q, want %q", p, got, want)
		}
	}
}

// BenchmarkScanGoroot is a cold-ish scan and hash of the Go source tree
// (the page cache is warm after the first iteration; nothing else is
// reused). Compare with: find $(go env GOROOT)/src -type f | xargs sha256sum.
func BenchmarkScanGoroot(b *testing.B) {
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		b.Skipf("go env GOROOT: %v", err)
	}
	src := filepath.Join(strings.TrimSpace(string(goroot)), "src")
	if _, err := os.Stat(src); err != nil {
		b.Skipf("no Go source tree at %s", src)
	}
	var rep workspace.ScanReport
	b.ReportAllocs()
	for b.Loop() {
		var err error
		rep, err = workspace.Scan(context.Background(), src, workspace.ScanOptions{}, func(workspace.FileInfo) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rep.Files), "files")
	b.ReportMetric(float64(rep.Bytes)/(1<<20), "MiB")
	b.ReportMetric(float64(rep.Bytes)/(1<<20)/(b.Elapsed().Seconds()/float64(b.N)), "MiB/s")
}
