package search

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func hashFile(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func docsOf(t testing.TB, root string) []Doc {
	t.Helper()
	var out []Doc
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fi, _ := d.Info()
		out = append(out, Doc{Path: filepath.ToSlash(rel), Hash: hashFile(t, p), Size: fi.Size()})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// dump is the index's logical content: files with hash, and chunk rows.
func dump(t testing.TB, ix *Index) []string {
	t.Helper()
	rows, err := ix.db.Query(`SELECT f.path, f.hash, f.size, f.chunks, c.line, c.off, c.len FROM files f JOIN chunks c ON c.file = f.id ORDER BY f.path, c.line`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p, h string
		var size, n, line, off, l int64
		if err := rows.Scan(&p, &h, &size, &n, &line, &off, &l); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(p, h[:8], size, n, line, off, l))
	}
	return out
}

func candidates(t testing.TB, ix *Index, lit string) []string {
	t.Helper()
	c, err := ix.Candidates(context.Background(), matchQuery([]string{lit}))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for p := range c {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func TestIndexSyncIsIncremental(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{"a.txt": "alpha beta\n", "b/c.txt": "gamma delta\n", "d.txt": "alpha omega\n"})
	ix, err := Open(filepath.Join(t.TempDir(), "ix.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	res, err := ix.Sync(ctx, root, docsOf(t, root), nil)
	if err != nil || res.Done != 3 || res.Indexed != 3 || res.Total != 3 {
		t.Fatalf("first Sync = %+v, %v", res, err)
	}
	if got := candidates(t, ix, "ALPHA"); !reflect.DeepEqual(got, []string{"a.txt", "d.txt"}) {
		t.Errorf("candidates(ALPHA) = %v", got)
	}
	res, err = ix.Sync(ctx, root, docsOf(t, root), nil)
	if err != nil || res.Done != 0 || res.Indexed != 3 {
		t.Errorf("unchanged Sync re-indexed: %+v, %v", res, err)
	}
	write(t, root, map[string]string{"a.txt": "zeta\n"})
	if err := os.Remove(filepath.Join(root, "d.txt")); err != nil {
		t.Fatal(err)
	}
	res, err = ix.Sync(ctx, root, docsOf(t, root), nil)
	if err != nil || res.Done != 1 || res.Removed != 1 || res.Indexed != 2 {
		t.Errorf("Sync after a change and a deletion = %+v, %v", res, err)
	}
	if got := candidates(t, ix, "alpha"); len(got) != 0 {
		t.Errorf("candidates(alpha) after the change = %v, want none", got)
	}
	if got := candidates(t, ix, "zeta"); !reflect.DeepEqual(got, []string{"a.txt"}) {
		t.Errorf("candidates(zeta) = %v", got)
	}
	// The FTS table holds no rows for the dropped chunks.
	var n int
	if err := ix.db.QueryRow(`SELECT count(*) FROM chunk_text WHERE chunk_text MATCH '"ome"'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("FTS rows of a deleted file: %d, %v", n, err)
	}
}

// TestIndexResumesAfterInterruption stops a Sync part way (as a quit or a
// crash would), syncs again and compares with a clean index.
func TestIndexResumesAfterInterruption(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{}
	for i := range 3000 {
		files[fmt.Sprintf("d%02d/f%04d.txt", i%30, i)] = strings.Repeat(fmt.Sprintf("line %d of file %d\n", i, i), 200+i%300)
	}
	write(t, root, files)
	docs := docsOf(t, root)
	ctx := context.Background()

	path := filepath.Join(t.TempDir(), "ix.db")
	ix, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	stopAt := 0
	cctx, cancel := context.WithCancel(ctx)
	_, err = ix.Sync(cctx, root, docs, func(p Progress) {
		if p.Indexed > 0 && stopAt == 0 {
			stopAt = p.Indexed
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted Sync = %v", err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	var first Progress
	res, err := ix.Sync(ctx, root, docs, func(p Progress) {
		if first.Total == 0 {
			first = p
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if first.Indexed < stopAt || first.Indexed == 0 || res.Done != len(docs)-first.Indexed {
		t.Errorf("resumed Sync started at %d indexed (stopped at %d) and did %d of %d: it did not resume", first.Indexed, stopAt, res.Done, len(docs))
	}
	clean, err := Open(filepath.Join(t.TempDir(), "clean.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer clean.Close()
	if _, err := clean.Sync(ctx, root, docs, nil); err != nil {
		t.Fatal(err)
	}
	a, b := dump(t, ix), dump(t, clean)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("resumed index differs from a clean one: %d vs %d chunk rows", len(a), len(b))
	}
	for _, lit := range []string{"line 2999 of", "of file 17\n", "line 5 "} {
		if x, y := candidates(t, ix, lit), candidates(t, clean, lit); !reflect.DeepEqual(x, y) {
			t.Errorf("candidates(%q): resumed %v, clean %v", lit, x, y)
		}
	}
}

func TestDamagedIndexIsRebuilt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ix.db")
	if err := os.WriteFile(path, []byte("this is not a database, just some bytes that are long enough to look like a header...."), 0o600); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(path)
	if err != nil {
		t.Fatalf("Open of a damaged index: %v", err)
	}
	defer ix.Close()
	if f, _, _, err := ix.Stats(context.Background()); err != nil || f != 0 {
		t.Errorf("rebuilt index: %d files, %v", f, err)
	}
	// An index of another layout version is rebuilt too.
	if _, err := ix.db.Exec(`UPDATE meta SET value = '0' WHERE key = 'version'`); err != nil {
		t.Fatal(err)
	}
	ix.Close()
	ix2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ix2.Close()
	var v string
	if err := ix2.db.QueryRow(`SELECT value FROM meta WHERE key = 'version'`).Scan(&v); err != nil || v != schemaVersion {
		t.Errorf("version after reopening: %q, %v", v, err)
	}
	var _ *sql.DB = ix2.db
}

func TestMatchQuery(t *testing.T) {
	if got := matchQuery([]string{`ab"cd`}); got != `"ab""" AND "b""c" AND """cd"` {
		t.Errorf("matchQuery quoting = %s", got)
	}
	if got := matchQuery([]string{"ab"}); got != "" {
		t.Errorf("matchQuery(short) = %q", got)
	}
	long := strings.Repeat("abcdefghij", 10)
	if n := strings.Count(matchQuery([]string{long}), " AND ") + 1; n > 18 {
		t.Errorf("matchQuery(100 chars) has %d terms", n)
	}
}
