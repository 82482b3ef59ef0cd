// Package search is the workspace's text index and its searches: an SQLite
// FTS5 trigram index of text chunks that narrows a search to the chunks
// that can match, literal and regular-expression search that reads only
// those files, and fuzzy file-name matching for quick-open.
//
// The index is an access structure, not a record: it is derived from the
// Files projection (what to index) and the files on disk (their text), it
// remembers the hash of what it indexed for each file, and any search
// verifies candidates against the file as it is now. Deleting it loses
// nothing; it is rebuilt in the background.
package search

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/mattn/go-sqlite3"

	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// schemaVersion changes when the index layout does; an index of another
// version is rebuilt.
const schemaVersion = "2"

// Marks indexed with a chunk that holds characters outside ASCII (after
// the chunk's text and a line break, so they join no trigram of the
// text): a query position that accepts a large Unicode class such as \d
// asks for its ASCII trigrams or the mark of the class's other members.
const (
	nonASCIIMark      = "\x01\x02\x03" // any character outside ASCII
	nonASCIIDigitMark = "\x01\x02\x04" // a decimal digit outside ASCII (Nd)
	nonASCIISpaceMark = "\x01\x02\x05" // white space outside ASCII
)

// chunkMarks is the marks text adds to its chunk.
func chunkMarks(text string) string {
	if isASCII(text) {
		return ""
	}
	marks := "\n" + nonASCIIMark
	digit, space := false, false
	for _, r := range text {
		if r < utf8.RuneSelf {
			continue
		}
		if !digit && unicode.Is(unicode.Nd, r) {
			digit = true
			marks += "\n" + nonASCIIDigitMark
		}
		if !space && unicode.IsSpace(r) {
			space = true
			marks += "\n" + nonASCIISpaceMark
		}
	}
	return marks
}

// ChunkBytes is the largest text chunk (split at a line end when one is
// near). Chunks keep FTS rows small enough that a match narrows the lines
// to look at, and few enough that indexing stays fast.
const ChunkBytes = 32 << 10

// MaxIndexBytes caps how much of one file is indexed; the rest of a larger
// text file is still searched, by reading it.
const MaxIndexBytes = 8 << 20

// ErrNoFTS5 means the program was built without SQLite's FTS5 module.
var ErrNoFTS5 = errors.New("this build of ICE Studio lacks SQLite FTS5 (build with -tags sqlite_fts5, as the Makefile does)")

// Doc is one file the index should hold.
type Doc struct {
	Path string
	Hash string // SHA-256 as the Files projection records it
	Size int64
}

// Progress is how far a Sync has got.
type Progress struct {
	Total   int   `json:"total"`   // text files to index
	Indexed int   `json:"indexed"` // of Total, up to date
	Bytes   int64 `json:"bytes"`   // text bytes in the index
}

// SyncResult summarises one Sync.
type SyncResult struct {
	Progress
	Done    int // files (re)indexed
	Removed int // files dropped
	Chunks  int // chunks in the index
	Failed  []string
}

// Index is a workspace's FTS5 text index in its own SQLite file.
type Index struct {
	path string
	db   *sql.DB
	mu   sync.Mutex // one Sync at a time

	hmu    sync.Mutex
	hashes map[string]string // cache of Hashes; nil after a write
}

// Open opens (creating it if needed) the index at path. A damaged index or
// one of another layout version is deleted and started afresh: it holds
// nothing that cannot be rebuilt.
func Open(path string) (*Index, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("text index: %w", err)
	}
	ix, err := open(path)
	if errors.Is(err, ErrNoFTS5) {
		return nil, err
	}
	if err != nil {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			_ = os.Remove(path + suffix)
		}
		ix, err = open(path)
	}
	return ix, err
}

func open(path string) (*Index, error) {
	db, err := sql.Open("sqlite3", eventlog.FileURI(path, url.Values{
		"_journal_mode": {"WAL"}, "_synchronous": {"OFF"}, "_busy_timeout": {"5000"}, "_txlock": {"immediate"}}))
	if err != nil {
		return nil, fmt.Errorf("text index: %w", err)
	}
	ix := &Index{path: path, db: db}
	if err := ix.setup(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return ix, nil
}

func (ix *Index) setup() error {
	var have string
	err := ix.db.QueryRow(`SELECT value FROM meta WHERE key = 'version'`).Scan(&have)
	if err == nil && have == schemaVersion {
		return nil
	}
	if err == nil || !strings.Contains(fmt.Sprint(err), "no such table") {
		if err == nil {
			err = fmt.Errorf("index version %s, want %s", have, schemaVersion)
		}
		return fmt.Errorf("text index: %w", err)
	}
	_, err = ix.db.Exec(`
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, hash TEXT NOT NULL, size INTEGER NOT NULL, chunks INTEGER NOT NULL);
CREATE TABLE chunks (id INTEGER PRIMARY KEY, file INTEGER NOT NULL, line INTEGER NOT NULL, off INTEGER NOT NULL, len INTEGER NOT NULL);
CREATE INDEX chunks_file ON chunks (file);
CREATE VIRTUAL TABLE chunk_text USING fts5(text, content='', contentless_delete=1, detail=none, tokenize='trigram');
INSERT INTO meta (key, value) VALUES ('version', '` + schemaVersion + `');`)
	if err != nil && strings.Contains(err.Error(), "no such module: fts5") {
		return ErrNoFTS5
	}
	if err != nil {
		return fmt.Errorf("text index: create: %w", err)
	}
	return nil
}

// Path returns the index file's path.
func (ix *Index) Path() string { return ix.path }

// Close closes the index.
func (ix *Index) Close() error { return ix.db.Close() }

type indexedFile struct {
	id     int64
	hash   string
	size   int64
	chunks int
}

func (ix *Index) indexed(ctx context.Context) (map[string]indexedFile, error) {
	rows, err := ix.db.QueryContext(ctx, `SELECT id, path, hash, size, chunks FROM files`)
	if err != nil {
		return nil, fmt.Errorf("text index: %w", err)
	}
	defer rows.Close()
	out := make(map[string]indexedFile)
	for rows.Next() {
		var p string
		var f indexedFile
		if err := rows.Scan(&f.id, &p, &f.hash, &f.size, &f.chunks); err != nil {
			return nil, fmt.Errorf("text index: %w", err)
		}
		out[p] = f
	}
	return out, rows.Err()
}

// Hashes returns the hash each indexed file had when it was indexed. The
// map is shared: callers must not modify it.
func (ix *Index) Hashes(ctx context.Context) (map[string]string, error) {
	ix.hmu.Lock()
	defer ix.hmu.Unlock()
	if ix.hashes != nil {
		return ix.hashes, nil
	}
	m, err := ix.indexed(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m))
	for p, f := range m {
		out[p] = f.hash
	}
	ix.hashes = out
	return out, nil
}

// syncBatchBytes bounds the text one Sync transaction writes, so progress
// is saved (and shown) often and a restart loses little.
const syncBatchBytes = 8 << 20

type readDoc struct {
	doc    Doc
	hash   string
	chunks []chunk
	err    error
}

type chunk struct {
	line, off int
	text      string
}

// Sync makes the index hold exactly want (text files of root): files gone
// or changed are dropped, new and changed ones are read, chunked and
// indexed in batches, each its own transaction, so a Sync that is
// interrupted (cancelled, or the process killed) resumes where it stopped
// the next time. progress is called after each batch.
func (ix *Index) Sync(ctx context.Context, root string, want []Doc, progress func(Progress)) (SyncResult, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	have, err := ix.indexed(ctx)
	if err != nil {
		return SyncResult{}, err
	}
	wanted := make(map[string]bool, len(want))
	var todo []Doc
	var res SyncResult
	res.Total = len(want)
	for _, d := range want {
		wanted[d.Path] = true
		if f, ok := have[d.Path]; ok && f.hash == d.Hash {
			res.Indexed++
			res.Bytes += f.size
			continue
		}
		todo = append(todo, d)
	}
	var drop []int64
	for p, f := range have {
		if !wanted[p] {
			drop = append(drop, f.id)
			res.Removed++
		}
	}
	if len(drop) > 0 {
		if err := ix.write(ctx, func(tx *sql.Tx) error { return dropFiles(ctx, tx, drop) }); err != nil {
			return res, err
		}
	}
	if progress != nil {
		progress(res.Progress)
	}

	workers := max(1, runtime.GOMAXPROCS(0))
	jobs := make(chan Doc)
	out := make(chan readDoc, 2*workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range jobs {
				r := readAndChunk(root, d)
				select {
				case out <- r:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, d := range todo {
			select {
			case jobs <- d:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(out) }()

	var batch []readDoc
	var batchBytes int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := ix.write(ctx, func(tx *sql.Tx) error { return writeDocs(ctx, tx, have, batch) })
		if err != nil {
			return err
		}
		for _, r := range batch {
			res.Indexed++
			res.Done++
			res.Bytes += r.doc.Size
		}
		batch, batchBytes = batch[:0], 0
		if progress != nil {
			progress(res.Progress)
		}
		return nil
	}
	for r := range out {
		if r.err != nil {
			// Gone or unreadable since the scan: the watcher reports it; it
			// is left out of the index (and of the count) until then.
			res.Failed = append(res.Failed, r.doc.Path)
			res.Total--
			continue
		}
		batch = append(batch, r)
		for _, c := range r.chunks {
			batchBytes += len(c.text)
		}
		if batchBytes >= syncBatchBytes || len(batch) >= 2000 {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if err := flush(); err != nil {
		return res, err
	}
	err = ix.db.QueryRowContext(ctx, `SELECT count(*) FROM chunks`).Scan(&res.Chunks)
	return res, err
}

// write runs fn in one transaction.
func (ix *Index) write(ctx context.Context, fn func(*sql.Tx) error) error {
	ix.hmu.Lock()
	ix.hashes = nil
	ix.hmu.Unlock()
	defer func() {
		ix.hmu.Lock()
		ix.hashes = nil
		ix.hmu.Unlock()
	}()
	tx, err := ix.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("text index: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		var se sqlite3.Error
		if errors.As(err, &se) && se.Code == sqlite3.ErrFull {
			return fmt.Errorf("text index: the disk is full: %w", err)
		}
		return fmt.Errorf("text index: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("text index: %w", err)
	}
	return nil
}

func dropFiles(ctx context.Context, tx *sql.Tx, ids []int64) error {
	delText, err := tx.PrepareContext(ctx, `DELETE FROM chunk_text WHERE rowid IN (SELECT id FROM chunks WHERE file = ?)`)
	if err != nil {
		return err
	}
	defer delText.Close()
	for _, id := range ids {
		if _, err := delText.ExecContext(ctx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM chunks WHERE file = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM files WHERE id = ?`, id); err != nil {
			return err
		}
	}
	return nil
}

func writeDocs(ctx context.Context, tx *sql.Tx, have map[string]indexedFile, docs []readDoc) error {
	var old []int64
	for _, r := range docs {
		if f, ok := have[r.doc.Path]; ok {
			old = append(old, f.id)
		}
	}
	if err := dropFiles(ctx, tx, old); err != nil {
		return err
	}
	insFile, err := tx.PrepareContext(ctx, `INSERT INTO files (path, hash, size, chunks) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insFile.Close()
	insChunk, err := tx.PrepareContext(ctx, `INSERT INTO chunks (file, line, off, len) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insChunk.Close()
	insText, err := tx.PrepareContext(ctx, `INSERT INTO chunk_text (rowid, text) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer insText.Close()
	for _, r := range docs {
		res, err := insFile.ExecContext(ctx, r.doc.Path, r.hash, r.doc.Size, len(r.chunks))
		if err != nil {
			return err
		}
		fid, _ := res.LastInsertId()
		for _, c := range r.chunks {
			res, err := insChunk.ExecContext(ctx, fid, c.line, c.off, len(c.text))
			if err != nil {
				return err
			}
			cid, _ := res.LastInsertId()
			if _, err := insText.ExecContext(ctx, cid, c.text+chunkMarks(c.text)); err != nil {
				return err
			}
		}
		delete(have, r.doc.Path)
	}
	return nil
}

// readAndChunk reads a file and cuts its text into chunks. The hash
// recorded is that of what was read, so a file that changed since the
// scan is indexed as it is and re-indexed when its change arrives.
func readAndChunk(root string, d Doc) readDoc {
	data, err := readCapped(filepath.Join(root, filepath.FromSlash(d.Path)), MaxIndexBytes)
	if err != nil {
		return readDoc{doc: d, err: err}
	}
	sum := sha256.Sum256(data)
	r := readDoc{doc: d, hash: hex.EncodeToString(sum[:])}
	if int64(len(data)) < d.Size || len(data) == MaxIndexBytes {
		r.hash = d.Hash // capped: trust the recorded hash of the whole file
	}
	r.doc.Size = int64(len(data))
	line, off := 1, 0
	for off < len(data) {
		end := min(len(data), off+ChunkBytes)
		if end < len(data) {
			if nl := bytes.LastIndexByte(data[off:end], '\n'); nl > 0 {
				end = off + nl + 1
			}
		}
		text := strings.ToValidUTF8(string(data[off:end]), " ")
		r.chunks = append(r.chunks, chunk{line: line, off: off, text: text})
		line += bytes.Count(data[off:end], []byte{'\n'})
		off = end
	}
	return r
}

// readCapped reads at most limit bytes of a file.
func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	n := min(fi.Size(), limit)
	buf := make([]byte, n)
	got, err := readFull(f, buf)
	return buf[:got], err
}

func readFull(f *os.File, buf []byte) (int, error) {
	n, err := io.ReadFull(f, buf)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		err = nil // shorter than when it was statted: what is there is the file now
	}
	return n, err
}

// Candidates returns, for each indexed file with chunks that match the
// FTS5 trigram query q (see matchQuery and groupsQuery; trigrams match
// case-insensitively), the line ranges of those chunks. Files not in the
// result cannot match, provided the index holds them at their current hash
// (the caller checks that with Hashes).
func (ix *Index) Candidates(ctx context.Context, q string) (map[string][]LineRange, error) {
	if q == "" {
		return nil, errors.New("no trigram to look for")
	}
	rows, err := ix.db.QueryContext(ctx, `SELECT f.path, c.line, c.off, c.len FROM chunk_text t
		JOIN chunks c ON c.id = t.rowid JOIN files f ON f.id = c.file
		WHERE chunk_text MATCH ? ORDER BY f.path, c.line`, q)
	if err != nil {
		return nil, fmt.Errorf("text index: %w", err)
	}
	defer rows.Close()
	out := make(map[string][]LineRange)
	for rows.Next() {
		var p string
		var r LineRange
		if err := rows.Scan(&p, &r.Line, &r.Off, &r.Len); err != nil {
			return nil, fmt.Errorf("text index: %w", err)
		}
		out[p] = append(out[p], r)
	}
	return out, rows.Err()
}

// LineRange is a chunk: the byte range starting at line Line.
type LineRange struct {
	Line int
	Off  int64
	Len  int64
}

// LiteralQuery is the Candidates query for text containing every literal.
func LiteralQuery(literals ...string) string { return matchQuery(literals) }

// matchQuery builds an FTS5 query requiring every trigram of every literal
// (detail=none indexes have no positions, so a phrase is an AND of its
// trigrams). At most 16 trigrams per literal, spread along it, keep the
// query cheap; the search verifies candidates anyway.
func matchQuery(literals []string) string {
	var terms []string
	for _, lit := range literals {
		runes := []rune(strings.ToValidUTF8(lit, ""))
		n := len(runes) - 2
		if n <= 0 {
			continue
		}
		step := 1
		if n > 16 {
			step = (n + 15) / 16
		}
		for i := 0; i < n; i += step {
			t := string(runes[i : i+3])
			terms = append(terms, `"`+strings.ReplaceAll(t, `"`, `""`)+`"`)
		}
		if (n-1)%step != 0 {
			t := string(runes[n-1 : n+2])
			terms = append(terms, `"`+strings.ReplaceAll(t, `"`, `""`)+`"`)
		}
	}
	return strings.Join(terms, " AND ")
}

// Stats returns the index's size on disk and counts.
func (ix *Index) Stats(ctx context.Context) (files, chunks int, diskBytes int64, err error) {
	if err = ix.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM files), (SELECT count(*) FROM chunks)`).Scan(&files, &chunks); err != nil {
		return
	}
	for _, suffix := range []string{"", "-wal"} {
		if fi, e := os.Stat(ix.path + suffix); e == nil {
			diskBytes += fi.Size()
		}
	}
	return
}
