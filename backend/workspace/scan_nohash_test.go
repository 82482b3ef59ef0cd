package workspace_test

import (
	"strings"
	"testing"

	"github.com/ice-studio/ice-studio/backend/workspace"
)

// TestScanNoHash: without hashing, a scan reports the same files with the
// same flags (binary, huge, language) as with it, only no hash, and reads
// no more than the first 8 KiB of each file.
func TestScanNoHash(t *testing.T) {
	files := map[string]string{
		"nul.dat":      "text\x00more",
		"utf16.txt":    string([]byte{0xff, 0xfe, 'h', 0, 'i', 0, '\n', 0}),
		"random.bin":   string(pseudoRandom(4096)),
		"plain.txt":    "hello\tworld\r\n",
		"unicode.md":   "héllo wörld — ☃ 𝄞\n",
		"empty.go":     "",
		"late-nul.txt": strings.Repeat("a", 9000) + "\x00",
		"cut.txt":      strings.Repeat("é", 4096) + "x",
		"big.txt":      strings.Repeat("line of text\n", 40000), // past MaxHashBytes below: Huge
		"sub/a.go":     "package a\n",
	}
	root := writeTree(t, files)
	opts := workspace.ScanOptions{MaxHashBytes: 256 << 10}
	hashed, hrep := mustScan(t, root, opts)
	opts.NoHash = true
	plain, prep := mustScan(t, root, opts)
	if len(plain) != len(hashed) {
		t.Fatalf("NoHash scan found %d files, the hashing scan %d", len(plain), len(hashed))
	}
	for i, fi := range plain {
		want := hashed[i]
		want.Hash = ""
		if fi != want {
			t.Errorf("NoHash scan: %+v, want %+v", fi, want)
		}
	}
	if prep.Binary != hrep.Binary || prep.Huge != hrep.Huge || prep.Huge != 1 || prep.Binary != 3 {
		t.Errorf("NoHash report: %d binary, %d huge; hashing: %d, %d", prep.Binary, prep.Huge, hrep.Binary, hrep.Huge)
	}
	if max := int64(len(files)) * 8 << 10; prep.BytesRead > max || prep.BytesRead >= hrep.BytesRead {
		t.Errorf("NoHash scan read %d bytes (hashing %d), want at most 8 KiB a file", prep.BytesRead, hrep.BytesRead)
	}

	// Reuse still supplies a hash.
	opts.Reuse = func(p string, size, mtime int64) (workspace.FileInfo, bool) {
		return workspace.FileInfo{Hash: "recorded"}, p == "plain.txt"
	}
	got, _ := mustScan(t, root, opts)
	for _, fi := range got {
		if (fi.Hash == "recorded") != (fi.Path == "plain.txt") || fi.Hash != "" && fi.Hash != "recorded" {
			t.Errorf("NoHash with Reuse: %s has hash %q", fi.Path, fi.Hash)
		}
	}
}
