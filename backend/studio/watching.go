package studio

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/search"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// Index states, as IndexStatus.State.
const (
	IndexScanning = "scanning" // the first scan has not finished
	IndexIndexing = "indexing" // text is being added to the index
	IndexReady    = "ready"    // the index matches the files
	IndexOff      = "off"      // no text index (see Error): searches read every file
)

// IndexStatus is the text index's part of the status bar.
type IndexStatus struct {
	State   string `json:"state"`
	Total   int    `json:"total"`   // text files
	Indexed int    `json:"indexed"` // of Total, up to date in the index
	Bytes   int64  `json:"bytes"`
	Error   string `json:"error,omitempty"`
}

// WorkspaceStatus is what the status bar shows about an open workspace.
type WorkspaceStatus struct {
	WorkspaceID string                `json:"workspaceId"`
	Watch       workspace.WatchStatus `json:"watch"`
	Index       IndexStatus           `json:"index"`
	// RecordError is set when changes could not be written to the event
	// log; they are recorded at the next open, which compares with the disk.
	RecordError string `json:"recordError,omitempty"`
}

// FilesChanged is the bus notification of changes in a workspace's files.
type FilesChanged struct {
	WorkspaceID string        `json:"workspaceId"`
	Changes     []ChangedPath `json:"changes"`
	Rescan      bool          `json:"rescan"` // too many to list: reload everything shown
	At          int64         `json:"at"`     // unix ms
}

// ChangedPath is one entry of FilesChanged.
type ChangedPath struct {
	Path   string `json:"path"`
	Kind   string `json:"kind"`
	Folder bool   `json:"folder,omitempty"` // a folder created or removed (see WatchConfig.OnFolders)
}

// maxListedChanges caps FilesChanged.Changes; beyond it Rescan is set.
const maxListedChanges = 2000

// emitChunk is how many file_changed events go into one append: large
// enough to be fast, small enough that an interrupted first scan keeps
// most of what it recorded.
const emitChunk = 512

// wsRuntime is the live service behind one open workspace: its watcher,
// its text index and the indexer that keeps the two in step.
type wsRuntime struct {
	s       *Studio
	ws      Workspace
	ign     *workspace.Ignorer
	watcher *workspace.Watcher
	index   *search.Index // nil when it could not be opened
	kick    chan struct{}
	cancel  context.CancelFunc
	done    chan struct{}

	mu       sync.Mutex
	status   WorkspaceStatus
	paths    []string             // quick-open list; nil when stale
	cached   []workspace.FileInfo // files(); nil when stale
	gen      int                  // bumped by every change: a cache filled across one is not kept
	lastPub  time.Time
	recorded int // file_changed events recorded since open
}

// startWorkspace starts watching and indexing an open workspace.
func (s *Studio) startWorkspace(ws Workspace) (*wsRuntime, error) {
	ctx, cancel := context.WithCancel(s.bg)
	rt := &wsRuntime{s: s, ws: ws, kick: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{}),
		ign: workspace.NewIgnorer(ws.Root)}
	rt.status = WorkspaceStatus{WorkspaceID: ws.ID, Watch: workspace.WatchStatus{Mode: workspace.WatchStarting},
		Index: IndexStatus{State: IndexScanning}}
	var seed []workspace.Seeded
	if s.events != nil {
		files, err := workspace.FilesOf(ctx, s.events.ReadDB(), ws.ID)
		if err != nil {
			cancel()
			return nil, err
		}
		seed = workspace.SeedOf(files)
	}
	w, err := workspace.NewWatcher(workspace.WatchConfig{
		Root: ws.Root, Ignore: rt.ign, Seed: seed,
		OnChange:  func(cs []workspace.Change) error { rt.changed(ctx, cs); return nil },
		OnStatus:  rt.watchStatus,
		OnFolders: rt.folders,
	})
	if err != nil {
		cancel()
		return nil, err
	}
	rt.watcher = w
	if s.cfg.DataDir != "" && s.cfg.DataDirErr == nil {
		ix, err := search.Open(IndexPath(s.cfg.DataDir, ws.ID))
		if err != nil {
			s.log.Warn("text index unavailable", "workspace", ws.ID, "err", err)
			rt.status.Index.Error = err.Error()
		}
		rt.index = ix
	} else {
		rt.status.Index.Error = "no data folder to keep the index in"
	}
	if err := w.Open(ctx); err != nil {
		cancel()
		if rt.index != nil {
			_ = rt.index.Close()
		}
		return nil, err
	}
	go rt.run(ctx)
	return rt, nil
}

// stop ends watching and indexing and waits for both.
func (rt *wsRuntime) stop(ctx context.Context) {
	rt.cancel()
	if err := rt.watcher.Close(ctx); err != nil {
		rt.s.log.Warn("stop watcher", "workspace", rt.ws.ID, "err", err)
	}
	select {
	case <-rt.done:
	case <-ctx.Done():
	}
	if rt.index != nil {
		_ = rt.index.Close()
	}
}

// changed records a batch of changes as workspace.file_changed events and
// tells the UI and the indexer.
func (rt *wsRuntime) changed(ctx context.Context, cs []workspace.Change) {
	s := rt.s
	var recErr error
	if s.events != nil {
		for i := 0; i < len(cs) && ctx.Err() == nil; i += emitChunk {
			part := cs[i:min(len(cs), i+emitChunk)]
			drafts := make([]eventlog.Draft, len(part))
			for j, c := range part {
				drafts[j] = eventlog.Draft{Stream: workspace.Stream(rt.ws.ID), Type: eventlog.WorkspaceFileChanged,
					Origin: eventlog.OriginRuntime, Workspace: rt.ws.ID, Payload: workspace.ChangedPayload(c)}
			}
			if _, err := s.emitter.Emit(ctx, drafts...); err != nil {
				recErr = err
				break
			}
			rt.mu.Lock()
			rt.recorded += len(part)
			rt.mu.Unlock()
		}
	}
	rt.mu.Lock()
	rt.paths, rt.cached = nil, nil
	rt.gen++
	if recErr != nil && ctx.Err() == nil {
		s.log.Error("record file changes", "workspace", rt.ws.ID, "err", recErr)
		rt.status.RecordError = fmt.Sprintf("file changes could not be recorded (%v); they will be at the next open", recErr)
	}
	rt.mu.Unlock()
	msg := FilesChanged{WorkspaceID: rt.ws.ID, At: time.Now().UnixMilli(), Changes: []ChangedPath{}}
	if len(cs) > maxListedChanges {
		msg.Rescan = true
	} else {
		for _, c := range cs {
			msg.Changes = append(msg.Changes, ChangedPath{Path: c.Path, Kind: c.Kind})
		}
	}
	s.cfg.Bus.Publish(bus.FilesChanged, msg)
	if recErr == nil {
		s.sourcesChanged(ctx, rt.ws.ID, cs)
		s.mcpFilesChanged(rt.ws.ID, cs)
	}
	rt.poke()
}

// folders tells the UI of folders created or removed (empty ones included,
// which no file change shows).
func (rt *wsRuntime) folders(fs []workspace.FolderChange) {
	msg := FilesChanged{WorkspaceID: rt.ws.ID, At: time.Now().UnixMilli(), Changes: []ChangedPath{}}
	for _, f := range fs {
		kind := workspace.ChangeDeleted
		if f.Exists {
			kind = workspace.ChangeCreated
		}
		msg.Changes = append(msg.Changes, ChangedPath{Path: f.Path, Kind: kind, Folder: true})
	}
	if len(msg.Changes) > maxListedChanges {
		msg.Changes, msg.Rescan = []ChangedPath{}, true
	}
	rt.s.cfg.Bus.Publish(bus.FilesChanged, msg)
}

func (rt *wsRuntime) poke() {
	select {
	case rt.kick <- struct{}{}:
	default:
	}
}

func (rt *wsRuntime) watchStatus(ws workspace.WatchStatus) {
	rt.mu.Lock()
	rt.status.Watch = ws
	rt.mu.Unlock()
	rt.publish(true)
}

// publish sends the status to the UI; progress updates are throttled.
func (rt *wsRuntime) publish(force bool) {
	rt.mu.Lock()
	if !force && time.Since(rt.lastPub) < 100*time.Millisecond {
		rt.mu.Unlock()
		return
	}
	rt.lastPub = time.Now()
	st := rt.snapshot()
	rt.mu.Unlock()
	rt.s.cfg.Bus.Publish(bus.WorkspaceStatus, st)
}

// snapshot copies the status; rt.mu must be held.
func (rt *wsRuntime) snapshot() WorkspaceStatus {
	st := rt.status
	st.Watch.Warnings = append([]workspace.Warning{}, st.Watch.Warnings...)
	return st
}

// Status returns the workspace's status.
func (rt *wsRuntime) Status() WorkspaceStatus {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.snapshot()
}

// run records the first scan's summary, then keeps the text index in step
// with the files until the workspace closes.
func (rt *wsRuntime) run(ctx context.Context) {
	defer close(rt.done)
	select {
	case <-rt.watcher.Ready():
	case <-ctx.Done():
		return
	}
	ws := rt.watcher.Status()
	rt.mu.Lock()
	changed := rt.recorded
	rt.mu.Unlock()
	warns := ws.Warnings
	if len(warns) > 20 {
		warns = warns[:20]
	}
	rt.s.emit(ctx, eventlog.Draft{Stream: workspace.Stream(rt.ws.ID), Type: eventlog.WorkspaceScanned,
		Origin: eventlog.OriginRuntime, Workspace: rt.ws.ID,
		Payload: workspace.ScannedPayload{Files: ws.Files, Changed: changed, Mode: ws.Mode, Reason: ws.Reason, Warnings: warns}})
	rt.s.log.Info("workspace scanned", "workspace", rt.ws.ID, "files", ws.Files, "changed", changed, "mode", ws.Mode)
	rt.poke()
	first := true
	for {
		select {
		case <-ctx.Done():
			return
		case <-rt.kick:
		}
		rt.sync(ctx, first)
		first = false
	}
}

// targets lists the text files to index and search: recorded in the Files
// projection (or, without an event log, the watcher's state).
// The slice is shared: callers must not modify it.
func (rt *wsRuntime) files(ctx context.Context) ([]workspace.FileInfo, error) {
	rt.mu.Lock()
	c, gen := rt.cached, rt.gen
	rt.mu.Unlock()
	if c != nil {
		return c, nil
	}
	var out []workspace.FileInfo
	if rt.s.events == nil {
		out = rt.watcher.Files()
	} else {
		recorded, err := workspace.FilesOf(ctx, rt.s.events.ReadDB(), rt.ws.ID)
		if err != nil {
			return nil, err
		}
		out = make([]workspace.FileInfo, len(recorded))
		for i, f := range recorded {
			out[i] = f.FileInfo
		}
	}
	rt.mu.Lock()
	if rt.gen == gen {
		rt.cached = out
	}
	rt.mu.Unlock()
	return out, nil
}

func textFile(f workspace.FileInfo) bool { return !f.Binary && !f.Huge && !f.Symlink && f.Hash != "" }

func (rt *wsRuntime) sync(ctx context.Context, first bool) {
	files, err := rt.files(ctx)
	if err != nil {
		rt.s.log.Error("list files to index", "workspace", rt.ws.ID, "err", err)
		return
	}
	if rt.index == nil {
		n := 0
		for _, f := range files {
			if textFile(f) {
				n++
			}
		}
		rt.mu.Lock()
		rt.status.Index = IndexStatus{State: IndexOff, Total: n, Error: rt.status.Index.Error}
		rt.mu.Unlock()
		rt.publish(true)
		return
	}
	var want []search.Doc
	for _, f := range files {
		if textFile(f) {
			want = append(want, search.Doc{Path: f.Path, Hash: f.Hash, Size: f.Size})
		}
	}
	start := time.Now()
	res, err := rt.index.Sync(ctx, rt.ws.Root, want, func(p search.Progress) {
		rt.mu.Lock()
		state := IndexIndexing
		if p.Indexed >= p.Total {
			state = IndexReady
		}
		rt.status.Index = IndexStatus{State: state, Total: p.Total, Indexed: p.Indexed, Bytes: p.Bytes}
		rt.mu.Unlock()
		rt.publish(false)
	})
	if ctx.Err() != nil {
		return
	}
	rt.mu.Lock()
	if err != nil {
		rt.s.log.Error("index text", "workspace", rt.ws.ID, "err", err)
		rt.status.Index.Error = err.Error()
	} else {
		rt.status.Index = IndexStatus{State: IndexReady, Total: res.Total, Indexed: res.Indexed, Bytes: res.Bytes}
	}
	rt.mu.Unlock()
	rt.publish(true)
	if err == nil && first {
		rt.s.emit(ctx, eventlog.Draft{Stream: workspace.Stream(rt.ws.ID), Type: eventlog.WorkspaceIndexed,
			Origin: eventlog.OriginRuntime, Workspace: rt.ws.ID,
			Payload: workspace.IndexedPayload{Files: res.Indexed, Chunks: res.Chunks, Bytes: res.Bytes, Done: res.Done,
				TookMS: time.Since(start).Milliseconds()}})
		rt.s.log.Info("workspace indexed", "workspace", rt.ws.ID, "files", res.Indexed, "reindexed", res.Done, "took", time.Since(start))
	}
}

// quickOpenPaths returns the files' paths for quick-open, sorted.
func (rt *wsRuntime) quickOpenPaths(ctx context.Context) ([]string, error) {
	rt.mu.Lock()
	p, gen := rt.paths, rt.gen
	rt.mu.Unlock()
	if p != nil {
		return p, nil
	}
	files, err := rt.files(ctx)
	if err != nil {
		return nil, err
	}
	p = make([]string, len(files))
	for i, f := range files {
		p[i] = f.Path
	}
	sort.Strings(p)
	rt.mu.Lock()
	if rt.gen == gen {
		rt.paths = p
	}
	rt.mu.Unlock()
	return p, nil
}

// runtimeOf returns the runtime of an open workspace.
func (s *Studio) runtimeOf(id string) (*wsRuntime, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.runtimes[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownWorkspace, id)
	}
	return rt, nil
}

// WorkspaceRequest names an open workspace.
type WorkspaceRequest struct {
	WorkspaceID string `json:"workspaceId"`
}

// WorkspaceStatus returns the watch and index status of an open workspace.
func (s *Studio) WorkspaceStatus(req WorkspaceRequest) (WorkspaceStatus, error) {
	rt, err := s.runtimeOf(req.WorkspaceID)
	if err != nil {
		return WorkspaceStatus{}, err
	}
	return rt.Status(), nil
}

// CloseWorkspace stops watching a workspace and records that it closed.
func (s *Studio) CloseWorkspace(req WorkspaceRequest) error {
	ctx := context.Background()
	s.mu.Lock()
	ws, ok := s.workspaces[req.WorkspaceID]
	rt := s.runtimes[req.WorkspaceID]
	delete(s.workspaces, req.WorkspaceID)
	delete(s.runtimes, req.WorkspaceID)
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownWorkspace, req.WorkspaceID)
	}
	if rt != nil {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		rt.stop(sctx)
		cancel()
	}
	s.stopMCP(ws.ID, "the workspace closed")
	if _, err := s.emit(ctx, eventlog.Draft{Stream: workspace.Stream(ws.ID), Type: eventlog.WorkspaceClosed, Origin: eventlog.OriginRuntime,
		Workspace: ws.ID, Payload: workspace.ClosedPayload{Reason: "closed by the user"}}); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("close workspace: %w", err)
	}
	s.log.Info("workspace closed", "id", ws.ID)
	s.cfg.Bus.Publish(bus.WorkspaceClosed, WorkspaceRequest{WorkspaceID: ws.ID})
	s.publishRecent()
	return nil
}
