package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// owner is the state of the goroutine that owns the fsnotify watcher.
type owner struct {
	w       *Watcher
	fsw     *fsnotify.Watcher // nil while polling or missing
	watched map[string]bool   // workspace-relative folders with a watch
	mode    string
	ticker  *time.Ticker // while polling or missing
	since   time.Time    // when polling began or watching was last retried

	pending     map[string]struct{}
	full        bool      // a full rescan is wanted
	urgent      bool      // dispatch without waiting for the debounce
	first, last time.Time // of the pending events
	busy        bool      // the processor has a batch
}

func (w *Watcher) own(ctx context.Context) {
	defer w.wg.Done()
	o := &owner{w: w, watched: make(map[string]bool), pending: make(map[string]struct{})}
	defer o.stopWatching()
	defer func() {
		if o.ticker != nil {
			o.ticker.Stop()
		}
	}()
	o.startWatching()
	o.full, o.urgent = true, true
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	o.kick(ctx, timer)
	for {
		var events <-chan fsnotify.Event
		var errs <-chan error
		if o.fsw != nil {
			events, errs = o.fsw.Events, o.fsw.Errors
		}
		var tick <-chan time.Time
		if o.ticker != nil {
			tick = o.ticker.C
		}
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			switch {
			case !ok:
				o.fallBack(errors.New("fsnotify stopped"))
			case !w.dropEvents.Load():
				o.event(ev)
			}
		case err, ok := <-errs:
			if !ok {
				o.fallBack(errors.New("fsnotify stopped"))
			} else {
				o.fsError(err)
			}
		case err := <-w.inject:
			o.fsError(err)
		case <-timer.C:
		case res := <-w.done:
			o.busy = false
			if res.err != nil {
				w.mu.Lock()
				w.err = res.err
				w.mu.Unlock()
				w.cancel()
				return
			}
			if res.missing {
				o.rootLost()
			}
		case <-tick:
			o.poll()
		}
		o.kick(ctx, timer)
	}
}

// kick hands the pending paths to the processor when it is idle and the
// debounce has run out, or arms the timer for when it will.
func (o *owner) kick(ctx context.Context, timer *time.Timer) {
	if o.busy || (!o.full && len(o.pending) == 0) {
		return
	}
	if !o.urgent {
		wait := min(time.Until(o.last.Add(o.w.cfg.Debounce)), time.Until(o.first.Add(o.w.cfg.MaxDelay)))
		if wait > 0 {
			timer.Reset(wait)
			return
		}
	}
	b := batch{full: o.full}
	if !o.full {
		b.paths = make([]string, 0, len(o.pending))
		for p := range o.pending {
			b.paths = append(b.paths, p)
		}
	}
	clear(o.pending)
	o.full, o.urgent = false, false
	select {
	case o.w.work <- b:
		o.busy = true
	case <-ctx.Done():
	}
}

func (o *owner) mark(rel string) {
	now := time.Now()
	if len(o.pending) == 0 && !o.full {
		o.first = now
	}
	o.last = now
	if rel == "" {
		o.full = true
		return
	}
	o.pending[rel] = struct{}{}
}

func (o *owner) rescanAll() {
	o.full, o.urgent = true, true
}

func (o *owner) abs(rel string) string {
	return filepath.Join(o.w.cfg.Root, filepath.FromSlash(rel))
}

func (o *owner) event(ev fsnotify.Event) {
	root := o.w.cfg.Root
	if ev.Name != root && !strings.HasPrefix(ev.Name, root+string(filepath.Separator)) {
		return
	}
	rel := filepath.ToSlash(strings.TrimPrefix(strings.TrimPrefix(ev.Name, root), string(filepath.Separator)))
	if rel == "" {
		if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
			o.rootLost()
		}
		return
	}
	if IsIgnoreFile(rel) {
		o.ignoreFileChanged(rel)
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		o.unwatch(rel)
		o.mark(rel)
		return
	}
	fi, err := os.Lstat(o.abs(rel))
	if err != nil {
		o.mark(rel) // already gone: the processor settles it
		return
	}
	if o.w.ign.Ignored(rel, fi.IsDir()) {
		return
	}
	if fi.IsDir() && !o.watched[rel] {
		o.w.ign.Forget(rel)
		o.watchTree(rel) // before the processor lists it, so nothing is missed
	}
	o.mark(rel)
}

// ignoreFileChanged rereads changed rules and rescans what they govern.
func (o *owner) ignoreFileChanged(rel string) {
	dir := path.Dir(rel)
	if rel == IceignoreName || rel == InfoExcludePath {
		dir = "."
	}
	if dir == "." {
		dir = ""
	}
	o.w.ign.Forget(dir)
	o.resync(dir)
	o.mark(dir)
}

func (o *owner) fsError(err error) {
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		// Events were lost: watch any folder created meanwhile, look at
		// everything again.
		o.resync("")
		o.rescanAll()
		o.w.setStatus(func(s *WatchStatus) { s.Rescans++ })
		return
	}
	o.w.setStatus(func(s *WatchStatus) {
		if len(s.Warnings) < maxWarnings {
			s.Warnings = append(s.Warnings, Warning{Reason: err.Error(), Err: err})
		}
	})
}

// startWatching creates the fsnotify watcher and watches the tree, or
// falls back to polling.
func (o *owner) startWatching() {
	fsw, err := fsnotify.NewBufferedWatcher(eventBuffer)
	if err != nil {
		o.fallBack(watchErr(err))
		return
	}
	o.fsw = fsw
	o.setMode(WatchLive, "")
	o.watchTree("")
	if o.fsw != nil {
		o.stopTicker()
	}
}

func (o *owner) stopWatching() {
	if o.fsw != nil {
		o.fsw.Close()
		o.fsw = nil
	}
	clear(o.watched)
}

func (o *owner) setMode(mode, reason string) {
	o.mode = mode
	n := len(o.watched)
	o.w.setStatus(func(s *WatchStatus) { s.Mode, s.Reason, s.Watches = mode, reason, n })
}

func (o *owner) startTicker() {
	if o.ticker == nil {
		o.ticker = time.NewTicker(o.w.cfg.PollInterval)
	}
}

func (o *owner) stopTicker() {
	if o.ticker != nil {
		o.ticker.Stop()
		o.ticker = nil
	}
}

// fallBack gives up on fsnotify and polls.
func (o *owner) fallBack(err error) {
	o.stopWatching()
	reason := fmt.Sprintf("%v: rescanning every %v instead of watching", err, o.w.cfg.PollInterval)
	if errors.Is(err, ErrWatchLimit) {
		reason += " (raising fs.inotify.max_user_watches and max_user_instances helps)"
	}
	o.setMode(WatchPolling, reason)
	o.since = time.Now()
	o.startTicker()
	o.rescanAll()
}

// watchErr names the inotify limits, which the kernel reports as ENOSPC
// (max_user_watches, not a full disk) and EMFILE (max_user_instances).
func watchErr(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EMFILE) {
		return fmt.Errorf("%w (%v)", ErrWatchLimit, err)
	}
	return fmt.Errorf("cannot watch folders: %w", err)
}

// rootLost is the root itself deleted, moved or replaced: every watch is
// stale. Look until it is back.
func (o *owner) rootLost() {
	if o.mode == WatchMissing {
		return
	}
	o.stopWatching()
	o.setMode(WatchMissing, fmt.Sprintf("the folder %s is gone; checking every %v whether it is back", o.w.cfg.Root, o.w.cfg.PollInterval))
	o.startTicker()
	o.rescanAll()
}

func (o *owner) poll() {
	switch o.mode {
	case WatchPolling:
		if time.Since(o.since) >= o.w.cfg.RetryWatches {
			o.startWatching() // falls back again if it still cannot
		}
		o.rescanAll()
	case WatchMissing:
		if fi, err := os.Stat(o.w.cfg.Root); err == nil && fi.IsDir() {
			o.startWatching()
			o.rescanAll()
		}
	default:
		return
	}
	o.w.setStatus(func(s *WatchStatus) { s.Rescans++ })
}

// watchTree watches rel and every folder below it that is not ignored.
// Each folder is watched before it is listed, so an entry created in
// between produces an event or shows up in the listing.
func (o *owner) watchTree(rel string) {
	stack := []string{rel}
	for len(stack) > 0 && o.fsw != nil {
		dir := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !o.watched[dir] && !o.add(dir) {
			return
		}
		des, err := os.ReadDir(o.abs(dir))
		if err != nil {
			continue // unreadable or gone: the scan reports it
		}
		for _, de := range des {
			if !de.IsDir() { // symlinks to folders are not followed
				continue
			}
			child := joinSlash(dir, de.Name())
			if !o.w.ign.matchSelf(child, true) {
				stack = append(stack, child)
			}
		}
	}
	if o.fsw != nil {
		o.reportWatches()
	}
}

// add watches one folder; false means watching was given up.
func (o *owner) add(dir string) bool {
	if limit := o.w.cfg.MaxWatches; limit > 0 && len(o.watched) >= limit {
		o.fallBack(fmt.Errorf("%w (more than %d)", ErrWatchLimit, limit))
		return false
	}
	err := o.fsw.Add(o.abs(dir))
	switch {
	case err == nil:
		o.watched[dir] = true
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EMFILE):
		o.fallBack(watchErr(err))
		return false
	}
	// Other failures (the folder vanished, cannot be read) leave it
	// unwatched; the scan warns about it.
	return true
}

// unwatch drops the watches of rel and everything below it: the folder
// was removed or renamed, and a renamed folder's watches would otherwise
// keep reporting its old paths.
func (o *owner) unwatch(rel string) {
	if !o.watched[rel] || o.fsw == nil {
		return
	}
	prefix := rel + "/"
	for p := range o.watched {
		if p == rel || strings.HasPrefix(p, prefix) {
			_ = o.fsw.Remove(o.abs(p)) // the kernel may have dropped it already
			delete(o.watched, p)
		}
	}
	o.w.ign.Forget(rel)
	o.reportWatches()
}

func (o *owner) reportWatches() {
	n := len(o.watched)
	o.w.setStatus(func(s *WatchStatus) { s.Watches = n })
}

// resync makes the watches under rel match the tree and the current
// ignore rules.
func (o *owner) resync(rel string) {
	if o.fsw == nil {
		return
	}
	for p := range o.watched {
		if p != rel && !strings.HasPrefix(p, rel+"/") && rel != "" {
			continue
		}
		if fi, err := os.Lstat(o.abs(p)); err != nil || !fi.IsDir() || o.w.ign.Ignored(p, true) {
			_ = o.fsw.Remove(o.abs(p))
			delete(o.watched, p)
		}
	}
	if fi, err := os.Lstat(o.abs(rel)); err == nil && fi.IsDir() && !o.w.ign.Ignored(rel, true) {
		o.watchTree(rel)
	}
	o.reportWatches()
}
