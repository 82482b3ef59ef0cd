package cli_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/cli"
	"github.com/ice-studio/ice-studio/backend/search"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// benchTree is a generated source tree: files folders of Go-like text,
// a few KiB each, with "needle" in one file in fifty.
func benchTree(files int) map[string]string {
	out := make(map[string]string, files)
	for i := range files {
		var b strings.Builder
		fmt.Fprintf(&b, "package p%d\n\nimport \"fmt\"\n\n", i%97)
		for f := range 20 + i%40 {
			fmt.Fprintf(&b, "// F%d_%d formats the value of item %d for the report.\nfunc F%d_%d(x int) string {\n\treturn fmt.Sprintf(\"%%d-%d\", x+%d)\n}\n\n", i, f, f, i, f, f, i*f)
		}
		if i%50 == 0 {
			b.WriteString("// the needle is here\n")
		}
		out[fmt.Sprintf("d%02d/s%02d/f%05d.go", i%37, i%11, i)] = b.String()
	}
	return out
}

// BenchmarkSearchCLI is `ice-studio search needle DIR` over a generated
// tree of 4,000 files (about 10 MB): in a folder the Studio has indexed
// (known), in one it never opened (fresh: a scan without hashing), and
// as the command did before it used the Studio's data (fresh-hashing:
// the scan hashes every file, then the search reads them all).
//
// ICE_BENCH_SEARCH_DIR=/path runs it over that folder instead (it is only
// read), and ICE_BENCH_SEARCH_PATTERN changes the pattern.
func BenchmarkSearchCLI(b *testing.B) {
	var dataDir, root string
	if dir := os.Getenv("ICE_BENCH_SEARCH_DIR"); dir != "" {
		dataDir, root = b.TempDir(), dir
		s, id := indexedStudio(b, dataDir, root)
		if err := s.Close(context.Background()); err != nil {
			b.Fatal(err)
		}
		ageIndex(b, dataDir, id)
	} else {
		dataDir, root, _ = knownWorkspace(b, benchTree(4000))
	}
	pattern := "needle"
	if p := os.Getenv("ICE_BENCH_SEARCH_PATTERN"); p != "" {
		pattern = p
	}
	fresh := b.TempDir()
	run := func(b *testing.B, home string) {
		env := map[string]string{"ICE_HOME": home}
		for b.Loop() {
			if code := cli.Search([]string{pattern, root}, cli.IO{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return env[k] }}); code != cli.ExitOK {
				b.Fatalf("search exited %d", code)
			}
		}
	}
	b.Run("known", func(b *testing.B) { run(b, dataDir) })
	b.Run("fresh", func(b *testing.B) { run(b, fresh) })
	b.Run("fresh-hashing", func(b *testing.B) {
		for b.Loop() {
			src := search.Source{Root: root}
			if _, err := workspace.Scan(context.Background(), root, workspace.ScanOptions{}, func(f workspace.FileInfo) error {
				if !f.Binary && !f.Huge && !f.Symlink {
					src.Targets = append(src.Targets, search.Target{Path: f.Path, Hash: f.Hash, Size: f.Size})
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			var n int
			if _, err := search.Run(context.Background(), src, search.Query{Pattern: pattern}, func(rs []search.FileResult) { n += len(rs) }); err != nil || n == 0 {
				b.Fatalf("search: %d files, %v", n, err)
			}
		}
	})
}
