package workspace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"unicode/utf8"
)

// DefaultMaxHashBytes is the size above which a file is flagged Huge and
// not hashed: such a file is a data dump or a build artefact, not
// something a person reads or the agent edits, and hashing it on every
// change would stall the index for seconds.
const DefaultMaxHashBytes = 64 << 20

// sniffBytes is how much of a file decides whether it is binary, as git
// and most editors do (git reads 8000 bytes).
const sniffBytes = 8 << 10

// maxWarnings caps ScanReport.Warnings so a tree with a million unreadable
// entries cannot use unbounded memory; WarningsDropped counts the rest.
const maxWarnings = 1000

// hashBufSize is each worker's read buffer: large enough that syscalls are
// not what limits hashing.
const hashBufSize = 256 << 10

// FileInfo is what a scan knows about one file. It is comparable with ==.
type FileInfo struct {
	Path     string `json:"path"`               // slash-separated, relative to the root; may hold invalid UTF-8 (see ScanReport.Warnings)
	Size     int64  `json:"size"`               // bytes; for a symlink, the length of its target text
	ModTime  int64  `json:"modTime"`            // unix nanoseconds
	Hash     string `json:"hash,omitempty"`     // SHA-256 of the content, hex; empty for Huge files and symlinks
	Language string `json:"language,omitempty"` // see LanguageOf; empty for binary files and symlinks
	Binary   bool   `json:"binary,omitempty"`   // a NUL byte or mostly non-text in the first 8 KiB
	Huge     bool   `json:"huge,omitempty"`     // larger than ScanOptions.MaxHashBytes: not hashed
	// Symlink marks a symbolic link. Links are never followed, neither to
	// files nor to folders: whatever they point to inside the root is
	// scanned at its real path anyway, so following would only add
	// duplicates, loops and escapes from the workspace. LinkTarget is the
	// link's text, unresolved (Resolve maps it safely when needed).
	Symlink    bool   `json:"symlink,omitempty"`
	LinkTarget string `json:"linkTarget,omitempty"`
}

// Warning is an entry a scan skipped or could only partly read.
type Warning struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
	Err    error  `json:"-"` // for errors.Is; ErrUnreadable, ErrBadName, …
}

// ErrBadName is a file name that is not valid UTF-8. The file is still
// scanned under its raw name, but the UI cannot show that name faithfully.
var ErrBadName = errors.New("name is not valid UTF-8")

// ErrChanging is a file that kept changing while it was hashed.
var ErrChanging = errors.New("changed while being read")

// ScanReport summarises one scan.
type ScanReport struct {
	Files           int       `json:"files"`     // regular files, symlinks included
	Dirs            int       `json:"dirs"`      // folders entered
	Symlinks        int       `json:"symlinks"`  // of Files
	Binary          int       `json:"binary"`    // of Files
	Huge            int       `json:"huge"`      // of Files
	Ignored         int       `json:"ignored"`   // entries skipped by ignore rules; an ignored folder counts once
	Bytes           int64     `json:"bytes"`     // total size of the files
	BytesRead       int64     `json:"bytesRead"` // read to hash and sniff; at most MaxHashBytes plus 8 KiB per file
	Warnings        []Warning `json:"warnings"`  // sorted by path
	WarningsDropped int       `json:"warningsDropped"`
}

// ScanOptions tunes Scan; the zero value scans the whole workspace.
type ScanOptions struct {
	// Dir limits the scan to one workspace-relative folder ("" = all).
	Dir string
	// Ignore decides what is skipped; nil reads the rules afresh. Pass one
	// Ignorer to many scans to share its cache of .gitignore files.
	Ignore *Ignorer
	// MaxHashBytes: larger files are flagged Huge and not hashed
	// (0 = DefaultMaxHashBytes). Their first 8 KiB are still read to tell
	// binary from text, never more.
	MaxHashBytes int64
	// Workers hash files in parallel (0 = one per CPU).
	Workers int
	// Reuse, when set, is offered each regular file's path, size and
	// modification time before the file is read; returning a FileInfo makes
	// the scan take Hash and Binary from it instead of reading the file.
	// Whether equal size and time are proof enough is the caller's call
	// (the Watcher only trusts it for files that were stable when hashed).
	Reuse func(path string, size, modTime int64) (FileInfo, bool)
	// NoHash skips hashing, for a caller that only needs to tell text from
	// binary (a search): a file's first 8 KiB are read, never more, and Hash
	// is left empty unless Reuse supplies it. Huge is still set by size.
	NoHash bool
}

// Scan walks the workspace root (symlinks in root itself are resolved), skipping
// ignored entries, and calls fn once per file or symlink in sorted path
// order (byte-wise, so "a.txt" comes before "a/b"), with content hashed by
// a small worker pool. Symlinks are reported, never followed, so loops
// cannot occur (see FileInfo.Symlink); sockets, pipes and devices are
// skipped. Entries that cannot be read are skipped and listed
// in the report's warnings; only a root (or Dir) that cannot be read at all
// is an error. An error returned by fn stops the scan and is returned, as
// is ctx's error when it is cancelled; the report then covers what was
// done.
func Scan(ctx context.Context, root string, opts ScanOptions, fn func(FileInfo) error) (ScanReport, error) {
	root, err := canonical(root)
	if err != nil {
		return ScanReport{}, err
	}
	s := newScanner(root, opts)
	start := ""
	if opts.Dir != "" && opts.Dir != "." {
		clean, err := CleanRel(opts.Dir)
		if err != nil {
			return ScanReport{}, err
		}
		start = clean
	}
	full := filepath.Join(root, filepath.FromSlash(start))
	fi, err := os.Lstat(full)
	if err != nil {
		return ScanReport{}, &PathError{full, classify(err)}
	}
	if !fi.IsDir() || !realPath(full) {
		return ScanReport{}, &PathError{full, ErrNotDir}
	}
	for _, err := range s.ign.rootErrors() {
		s.warn("", err)
	}
	if start != "" && s.ign.Ignored(start, true) {
		s.report.Ignored++
		return s.finish(), nil
	}

	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	order := make(chan *scanJob, 4*s.workers+64)
	jobs := make(chan *scanJob, 4*s.workers+64)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(order)
		defer close(jobs)
		s.walk(ctx, start, order, jobs)
	}()
	for range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := bufPool.Get().(*[]byte)
			defer bufPool.Put(buf)
			for j := range jobs {
				if ctx.Err() == nil {
					if err := s.fill(j, *buf); err != nil {
						s.warn(j.info.Path, err)
					}
				}
				close(j.done)
			}
		}()
	}

	var stop error
	for j := range order {
		<-j.done
		if stop != nil || j.skip {
			continue
		}
		if ctx.Err() != nil {
			stop = ctx.Err()
			cancel()
			continue
		}
		s.count(j.info)
		if err := fn(j.info); err != nil {
			stop = err
			cancel()
		}
	}
	wg.Wait()
	if stop == nil {
		stop = parent.Err() // the walk may have ended early without a job left to notice
	}
	return s.finish(), stop
}

type scanJob struct {
	info FileInfo // Path set by the walker, the rest by a worker
	full string
	link bool
	skip bool // vanished, not a regular file, or unreadable (warned)
	done chan struct{}
}

type scanner struct {
	root    string
	ign     *Ignorer
	maxHash int64
	workers int
	reuse   func(string, int64, int64) (FileInfo, bool)
	noHash  bool

	mu     sync.Mutex // guards report.Warnings, report.WarningsDropped, report.BytesRead
	report ScanReport
}

func newScanner(root string, opts ScanOptions) *scanner {
	s := &scanner{root: root, ign: opts.Ignore, maxHash: opts.MaxHashBytes, workers: opts.Workers, reuse: opts.Reuse, noHash: opts.NoHash}
	if s.ign == nil {
		s.ign = NewIgnorer(root)
	}
	if s.maxHash <= 0 {
		s.maxHash = DefaultMaxHashBytes
	}
	if s.workers <= 0 {
		s.workers = runtime.GOMAXPROCS(0)
	}
	return s
}

func (s *scanner) warn(rel string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.report.Warnings) >= maxWarnings {
		s.report.WarningsDropped++
		return
	}
	s.report.Warnings = append(s.report.Warnings, Warning{Path: rel, Reason: err.Error(), Err: err})
}

func (s *scanner) count(fi FileInfo) {
	r := &s.report
	r.Files++
	r.Bytes += fi.Size
	if fi.Symlink {
		r.Symlinks++
	}
	if fi.Binary {
		r.Binary++
	}
	if fi.Huge {
		r.Huge++
	}
}

func (s *scanner) finish() ScanReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws := s.report.Warnings
	sort.SliceStable(ws, func(i, j int) bool {
		if ws[i].Path != ws[j].Path {
			return ws[i].Path < ws[j].Path
		}
		return ws[i].Reason < ws[j].Reason
	})
	// The same problem can be met twice (an unreadable .gitignore is both
	// rules and a file); report it once.
	out := ws[:0]
	for i, w := range ws {
		if i == 0 || w.Path != ws[i-1].Path || w.Reason != ws[i-1].Reason {
			out = append(out, w)
		}
	}
	s.report.Warnings = out
	return s.report
}

// walk visits the folder rel depth-first. Entries are sorted by name, a
// folder's name taken with its trailing "/", which makes the depth-first
// order exactly the sorted order of the full paths.
func (s *scanner) walk(ctx context.Context, rel string, order, jobs chan<- *scanJob) bool {
	s.report.Dirs++
	des, err := os.ReadDir(filepath.Join(s.root, filepath.FromSlash(rel)))
	if err != nil {
		// Partial listings are still walked; the reason is reported.
		s.warn(rel, &PathError{rel, classify(err)})
		if len(des) == 0 {
			return true
		}
	}
	if _, err := s.ign.dirRules(rel); err != nil {
		s.warn(joinSlash(rel, GitignoreName), err)
	}
	sort.Slice(des, func(i, j int) bool { return sortKey(des[i]) < sortKey(des[j]) })
	for _, de := range des {
		if ctx.Err() != nil {
			return false
		}
		name := de.Name()
		child := joinSlash(rel, name)
		if !utf8.ValidString(name) {
			s.warn(child, &PathError{child, ErrBadName})
		}
		typ := de.Type()
		isDir := typ.IsDir()
		if s.ign.matchSelf(child, isDir) {
			s.report.Ignored++
			continue
		}
		switch {
		case isDir:
			if !s.walk(ctx, child, order, jobs) {
				return false
			}
			continue
		case typ&fs.ModeSymlink == 0 && !typ.IsRegular():
			continue // sockets, pipes, devices: nothing to index, and opening a pipe blocks
		}
		j := &scanJob{info: FileInfo{Path: child}, full: filepath.Join(s.root, filepath.FromSlash(child)), link: typ&fs.ModeSymlink != 0, done: make(chan struct{})}
		select {
		case order <- j:
		case <-ctx.Done():
			return false
		}
		select {
		case jobs <- j:
		case <-ctx.Done():
			close(j.done)
			return false
		}
	}
	return true
}

func sortKey(de fs.DirEntry) string {
	if de.IsDir() {
		return de.Name() + "/"
	}
	return de.Name()
}

// fill reads what a scan reports about j's file into j.info; it runs on a
// worker. It sets j.skip when there is nothing to report, and returns a
// problem worth a warning (a file that vanished meanwhile is not one).
func (s *scanner) fill(j *scanJob, buf []byte) error {
	if j.link {
		return s.readLink(j)
	}
	if s.reuse != nil {
		if fi, err := os.Lstat(j.full); err == nil && fi.Mode().IsRegular() {
			if prev, ok := s.reuse(j.info.Path, fi.Size(), fi.ModTime().UnixNano()); ok {
				j.info.Size, j.info.ModTime = fi.Size(), fi.ModTime().UnixNano()
				j.info.Hash, j.info.Binary = prev.Hash, prev.Binary
				j.info.Huge = fi.Size() > s.maxHash
				if j.info.Huge {
					j.info.Hash = ""
				}
				s.setLanguage(&j.info)
				return nil
			}
		}
	}
	var err error
	for range 3 { // a file rewritten while it is read is read again
		var stable bool
		if stable, err = s.readFile(j, buf); err != nil || stable {
			break
		}
		err = &PathError{j.info.Path, ErrChanging}
	}
	switch {
	case err == nil, errors.Is(err, ErrChanging): // keep the last reading
	case errors.Is(err, errIsLink): // replaced by a link since it was listed
		return s.readLink(j)
	default:
		j.skip = true
		if errors.Is(err, errNotRegular) || errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	s.setLanguage(&j.info)
	return err
}

// canonical resolves symlinks in root, so that paths below it can be
// checked for symlinks of their own.
func canonical(root string) (string, error) {
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", &PathError{root, classify(err)}
	}
	return real, nil
}

// realPath reports whether the folder full is reached without passing a
// symlink, so nothing is scanned twice or outside the root.
func realPath(full string) bool {
	real, err := filepath.EvalSymlinks(full)
	return err == nil && real == full
}

// ErrSpecial is a path that is neither a regular file, a folder nor a
// symlink (a socket, pipe or device): there is nothing to index.
var ErrSpecial = errors.New("is not a regular file")

var (
	errNotRegular = ErrSpecial
	errIsLink     = errors.New("is a symlink")
	bufPool       = sync.Pool{New: func() any { b := make([]byte, hashBufSize); return &b }}
)

// ScanFile reports one file or symlink as Scan would, ignore rules aside:
// the caller has decided the path matters. A folder is ErrIsDir; a path
// that does not exist (or vanished while read) is ErrNotFound.
func ScanFile(root, rel string, opts ScanOptions) (FileInfo, error) {
	clean, err := CleanRel(rel)
	if err != nil {
		return FileInfo{}, err
	}
	if root, err = canonical(root); err != nil {
		return FileInfo{}, err
	}
	s := newScanner(root, opts)
	full := filepath.Join(root, filepath.FromSlash(clean))
	fi, err := os.Lstat(full)
	switch {
	case err != nil:
		return FileInfo{}, &PathError{clean, classify(err)}
	case !realPath(filepath.Dir(full)):
		return FileInfo{}, &PathError{clean, ErrNotFound} // reached through a symlinked folder
	case fi.IsDir():
		return FileInfo{}, &PathError{clean, ErrIsDir}
	case fi.Mode()&fs.ModeSymlink == 0 && !fi.Mode().IsRegular():
		return FileInfo{}, &PathError{clean, ErrSpecial}
	}
	j := &scanJob{info: FileInfo{Path: clean}, full: full, link: fi.Mode()&fs.ModeSymlink != 0}
	buf := bufPool.Get().(*[]byte)
	defer bufPool.Put(buf)
	err = s.fill(j, *buf)
	if j.skip {
		if err == nil {
			err = &PathError{clean, ErrNotFound}
		}
		return FileInfo{}, err
	}
	return j.info, nil
}

// readFile sniffs and (unless NoHash) hashes one file, streaming, never
// past maxHash+1 bytes; stable is false when the file's size or time
// changed meanwhile.
func (s *scanner) readFile(j *scanJob, buf []byte) (stable bool, err error) {
	f, err := openRegular(j.full)
	if err != nil {
		if isLinkErr(err) {
			return false, errIsLink
		}
		return false, &PathError{j.info.Path, classify(err)}
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return false, &PathError{j.info.Path, classify(err)}
	}
	if !before.Mode().IsRegular() {
		return false, errNotRegular
	}
	info := FileInfo{Path: j.info.Path, Size: before.Size(), ModTime: before.ModTime().UnixNano()}
	var read int64
	if info.Size > s.maxHash || s.noHash {
		n, err := io.ReadFull(f, buf[:sniffBytes])
		read = int64(n)
		s.addRead(read)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return false, &PathError{j.info.Path, classify(err)}
		}
		info.Binary, info.Huge = looksBinary(buf[:n]), info.Size > s.maxHash
	} else {
		h := sha256.New()
		n, err := io.ReadFull(f, buf)
		read = int64(n)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			s.addRead(read)
			return false, &PathError{j.info.Path, classify(err)}
		}
		info.Binary = looksBinary(buf[:min(n, sniffBytes)])
		h.Write(buf[:n])
		if n == len(buf) && read <= s.maxHash {
			m, err := io.CopyBuffer(h, io.LimitReader(f, s.maxHash+1-read), buf)
			read += m
			if err != nil {
				s.addRead(read)
				return false, &PathError{j.info.Path, classify(err)}
			}
		}
		s.addRead(read)
		if read > s.maxHash { // grew past the cap while being read
			info.Huge = true
		} else {
			info.Hash = hex.EncodeToString(h.Sum(nil))
		}
	}
	after, err := f.Stat()
	if err != nil {
		return false, &PathError{j.info.Path, classify(err)}
	}
	j.info = info
	stable = after.Size() == before.Size() && after.ModTime().Equal(before.ModTime()) &&
		(info.Huge || s.noHash || read == info.Size)
	return stable, nil
}

func (s *scanner) addRead(n int64) {
	s.mu.Lock()
	s.report.BytesRead += n
	s.mu.Unlock()
}

func (s *scanner) readLink(j *scanJob) error {
	fi, err := os.Lstat(j.full)
	if err != nil {
		j.skip = true
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return &PathError{j.info.Path, classify(err)}
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		// Replaced by a file or folder since it was listed: a watcher sees
		// that change and scans it again.
		j.skip = true
		return nil
	}
	target, err := os.Readlink(j.full)
	if err != nil {
		j.skip = true
		return &PathError{j.info.Path, classify(err)}
	}
	j.info = FileInfo{Path: j.info.Path, Size: fi.Size(), ModTime: fi.ModTime().UnixNano(), Symlink: true, LinkTarget: target}
	return nil
}

func (s *scanner) setLanguage(fi *FileInfo) {
	if !fi.Binary {
		fi.Language = LanguageOf(fi.Path)
	}
}

// looksBinary is the binary-file heuristic: a NUL byte (as git uses, which
// also classes UTF-16 text as binary), or more than 10% of the sample being
// invalid UTF-8 or control characters other than the usual whitespace.
// Latin-1 text, with its scattered invalid bytes, stays text.
func looksBinary(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	bad := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c == 0 {
			return true
		}
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != '\b' && c != 0x1b {
				bad++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			if len(b)-i < utf8.UTFMax && !utf8.FullRune(b[i:]) {
				break // a character cut by the end of the sample
			}
			bad++
		}
		i += size
	}
	return bad*10 > len(b)
}

// String formats a warning for logs.
func (w Warning) String() string { return fmt.Sprintf("%s: %s", w.Path, w.Reason) }
