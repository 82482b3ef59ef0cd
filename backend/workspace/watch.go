package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Kinds of Change.
const (
	ChangeCreated  = "created"
	ChangeModified = "modified"
	ChangeDeleted  = "deleted"
)

// Change is one path whose state differs from what the Watcher last knew.
// A rename is a deletion of the old path and a creation of the new one.
type Change struct {
	Path string   `json:"path"`
	Kind string   `json:"kind"`
	File FileInfo `json:"file"` // the new state; for a deletion, the last known one
}

// FolderChange is a folder that appeared (Exists) or is gone.
type FolderChange struct {
	Path   string
	Exists bool
}

// Watch modes, as WatchStatus.Mode.
const (
	WatchStarting = "starting"
	WatchLive     = "watching" // fsnotify watches cover every folder
	WatchPolling  = "polling"  // watches could not be added: full rescans every PollInterval
	WatchMissing  = "missing"  // the root is gone; checked every PollInterval
	WatchStopped  = "stopped"
)

// WatchStatus is what the status bar shows about a Watcher.
type WatchStatus struct {
	Mode     string    `json:"mode"`
	Reason   string    `json:"reason,omitempty"` // why polling or missing, in words for the UI
	Watches  int       `json:"watches"`          // folders watched
	Files    int       `json:"files"`            // files known
	Rescans  int       `json:"rescans"`          // full rescans after the first (overflow, polling, root back)
	Warnings []Warning `json:"warnings,omitempty"`
}

// Defaults for WatchConfig.
const (
	DefaultDebounce     = 50 * time.Millisecond
	DefaultMaxDelay     = 500 * time.Millisecond
	DefaultPollInterval = 2 * time.Second
	DefaultRetryWatches = 30 * time.Second
)

// eventBuffer lets fsnotify's reader run ahead of the owner goroutine, so
// the kernel queue drains even while the owner adds watches for a burst of
// new folders.
const eventBuffer = 4096

// ErrWatchLimit is reported (in WatchStatus.Reason) when folders cannot all
// be watched: the inotify limit fs.inotify.max_user_watches, the instance
// limit, or WatchConfig.MaxWatches.
var ErrWatchLimit = errors.New("too many folders to watch")

// WatchConfig configures a Watcher. Root and OnChange are required.
type WatchConfig struct {
	Root string // symlinks in it are resolved once, at NewWatcher
	// OnChange receives each batch of changes, sorted by path, from one
	// goroutine. The first batch is the initial scan: every file created,
	// or with a Seed, every difference from it (possibly none: then Ready
	// closes without a call).
	// Returning an error stops the Watcher; Close returns that error.
	OnChange func([]Change) error
	// OnFolders, if set, is told after OnChange (from the same goroutine)
	// of folders created or removed by the batch, which changes of files
	// do not show when the folders are empty. A removed path is listed when
	// it is gone and was not a known file (it may never have been a folder).
	OnFolders func([]FolderChange)
	// OnStatus, if set, is told of every status change; calls never overlap.
	OnStatus func(WatchStatus)
	// Debounce is how long a path must be quiet before it is looked at; a
	// stream of events is still looked at after MaxDelay.
	Debounce, MaxDelay time.Duration
	// PollInterval is the rescan period when polling and the check period
	// while the root is missing.
	PollInterval time.Duration
	// RetryWatches is how often, while polling, watching is tried again
	// (the folder may have shrunk, or the limits been raised).
	RetryWatches time.Duration
	// MaxWatches caps the folders watched (0: only the OS limit), leaving
	// inotify watches for other programs; above it the Watcher polls.
	MaxWatches int
	// MaxHashBytes and Workers are as in ScanOptions.
	MaxHashBytes int64
	Workers      int
	// Ignore is shared with other users of the same workspace; nil makes one.
	Ignore *Ignorer
	// Seed is the state recorded when the workspace was last watched (the
	// index). The initial scan then reports only what differs from it, and
	// trusts the recorded hash of a file whose size and time are unchanged
	// and that was read well after it was last written (see Seeded).
	Seed []Seeded
}

// Seeded is one file of WatchConfig.Seed.
type Seeded struct {
	Info FileInfo
	// ReadAt is when Info's content was read, in unix nanoseconds (or any
	// later time, such as when it was recorded); 0 makes the scan read the
	// file again.
	ReadAt int64
}

// Watcher keeps the state of every file of a workspace (path → size, time,
// hash) in step with the disk and reports differences as batches of
// changes. One goroutine owns the fsnotify watcher: it adds a watch for
// every folder that is not ignored (new ones as they appear, before
// listing them, so nothing created inside is missed), drops watches of
// folders removed or renamed, and collects changed paths behind a short
// debounce. A second goroutine looks at each batch of paths (a folder is
// rescanned whole) and compares with the last known state, so what is
// reported is always the disk's final state, however many events a burst
// produced. When the kernel's event queue overflows the whole tree is
// rescanned; when watches cannot be added it falls back to periodic
// rescans and says so in its status. Changes to .git/info/exclude are
// seen at the next full rescan only, since .git is never watched.
type Watcher struct {
	cfg   WatchConfig
	ign   *Ignorer
	ready chan struct{}

	cancel context.CancelFunc
	wg     sync.WaitGroup
	work   chan batch       // owner → processor
	done   chan batchResult // processor → owner

	// known is written by the processor goroutine only, under mu.
	known map[string]knownFile

	mu       sync.Mutex // guards known (for readers), status, err
	notifyMu sync.Mutex // serialises OnStatus calls
	status   WatchStatus
	err      error

	// Test seams, unset in production: inject feeds the owner errors as if
	// from fsnotify; dropEvents makes it lose events as an overflow would.
	inject     chan error
	dropEvents atomic.Bool
}

// batch is the work the owner hands the processor.
type batch struct {
	full  bool     // rescan everything
	paths []string // else: these paths (files or folders)
}

type batchResult struct {
	missing bool  // the root is gone
	err     error // OnChange failed
}

// NewWatcher checks cfg and sets defaults; Open starts watching.
func NewWatcher(cfg WatchConfig) (*Watcher, error) {
	if cfg.OnChange == nil {
		return nil, errors.New("watcher: OnChange is required")
	}
	root, err := canonical(cfg.Root)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(root); err != nil {
		return nil, &PathError{cfg.Root, classify(err)}
	} else if !fi.IsDir() {
		return nil, &PathError{cfg.Root, ErrNotDir}
	}
	cfg.Root = root // events name real paths
	if cfg.Debounce <= 0 {
		cfg.Debounce = DefaultDebounce
	}
	if cfg.MaxDelay < cfg.Debounce {
		cfg.MaxDelay = max(DefaultMaxDelay, cfg.Debounce)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.RetryWatches <= 0 {
		cfg.RetryWatches = DefaultRetryWatches
	}
	w := &Watcher{
		cfg:    cfg,
		ign:    cfg.Ignore,
		ready:  make(chan struct{}),
		work:   make(chan batch),
		done:   make(chan batchResult),
		known:  make(map[string]knownFile),
		status: WatchStatus{Mode: WatchStarting},
	}
	if w.ign == nil {
		w.ign = NewIgnorer(cfg.Root)
	}
	for _, sd := range cfg.Seed {
		w.known[sd.Info.Path] = knownFile{info: sd.Info, readAt: sd.ReadAt}
	}
	w.cfg.Seed = nil // not kept: known holds it
	return w, nil
}

// Open starts watching; it runs until Close or until ctx is cancelled. The
// initial scan runs in the background: Ready says when it has been
// delivered.
func (w *Watcher) Open(ctx context.Context) error {
	if w.cancel != nil {
		return errors.New("watcher: already open")
	}
	ctx, w.cancel = context.WithCancel(ctx)
	w.wg.Add(2)
	go w.own(ctx)
	go w.process(ctx)
	return nil
}

// Close stops the Watcher, waits for its goroutines (or ctx) and returns
// the error that stopped it, if OnChange returned one.
func (w *Watcher) Close(ctx context.Context) error {
	if w.cancel == nil {
		return nil
	}
	w.cancel()
	stopped := make(chan struct{})
	go func() { w.wg.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-ctx.Done():
		return fmt.Errorf("close watcher: %w", ctx.Err())
	}
	w.setStatus(func(s *WatchStatus) { s.Mode, s.Reason = WatchStopped, "" })
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Ready is closed once the initial scan has been delivered to OnChange.
func (w *Watcher) Ready() <-chan struct{} { return w.ready }

// Status returns the current status.
func (w *Watcher) Status() WatchStatus {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.status
	s.Warnings = append([]Warning(nil), s.Warnings...)
	return s
}

// Files returns the known state, sorted by path: what a fresh Scan would
// report once the Watcher has caught up with the disk.
func (w *Watcher) Files() []FileInfo {
	w.mu.Lock()
	out := make([]FileInfo, 0, len(w.known))
	for _, k := range w.known {
		out = append(out, k.info)
	}
	w.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func (w *Watcher) setStatus(update func(*WatchStatus)) {
	w.notifyMu.Lock()
	defer w.notifyMu.Unlock()
	w.mu.Lock()
	update(&w.status)
	s := w.status
	s.Warnings = append([]Warning(nil), s.Warnings...)
	w.mu.Unlock()
	if w.cfg.OnStatus != nil {
		w.cfg.OnStatus(s)
	}
}
