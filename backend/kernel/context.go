package kernel

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// Context loading beyond memory: the files the user named, the project
// rules, the editor selection and a thread's earlier turns. Every file is
// read through the pipeline (fs.read, recorded with its hash); everything
// the context holds is named in run.context_resolved.

// ContextFile is a file in a run's context, as read at context loading.
type ContextFile struct {
	Path string // as asked (workspace-relative)
	Hash string
	Data []byte
	// Folder: a folder, listed (through fs.read of the folder) in Listing.
	Folder  bool
	Listing workspace.Listing
}

// loaded is what context loading gave a run, for its worker.
type loaded struct {
	files     []ContextFile
	rules     []ContextFile
	history   []HistoryMessage
	selection *Selection
	thread    string
	turn      int
	carried   *Carried
}

// loadContext reads what a run's context holds and returns the
// run.context_resolved payload with the blobs it names.
func (k *Kernel) loadContext(ctx context.Context, rc *runCtx, req StartRequest) (ContextPayload, [][]byte, error) {
	// Context loading holds the run's lock: an "ask" cannot be answered
	// now, so it is a (recorded) refusal.
	rc.noAsk = true
	defer func() { rc.noAsk = false }()
	cp := ContextPayload{Files: []FileRef{}, Thread: req.Thread, Turn: req.Turn}
	lc := loaded{thread: req.Thread, turn: req.Turn}
	var blobs [][]byte
	for _, p := range req.ContextFiles {
		if clean, err := workspace.CleanRel(p); err == nil {
			if fi, err := workspace.LstatBeneath(rc.root, clean); err == nil && fi.IsDir() {
				// A folder: its listing, decided and recorded as a read of it.
				l := &listEffect{rel: clean}
				if _, err := rc.do(ctx, l); err != nil {
					return cp, nil, fmt.Errorf("context folder %s: %v", p, err)
				}
				cp.Files = append(cp.Files, FileRef{Path: clean, Folder: true})
				l.listing.Path = clean
				lc.files = append(lc.files, ContextFile{Path: clean, Folder: true, Listing: l.listing})
				continue
			}
		}
		data, h, err := rc.read(ctx, p)
		if err != nil {
			return cp, nil, fmt.Errorf("context file %s: %v", p, err)
		}
		cp.Files = append(cp.Files, FileRef{Path: p, Hash: h})
		lc.files = append(lc.files, ContextFile{Path: p, Hash: h, Data: data})
	}
	for _, group := range req.RuleFiles {
		for _, p := range group {
			clean, err := workspace.CleanRel(p)
			if err != nil {
				continue
			}
			if _, err := workspace.LstatBeneath(rc.root, clean); err != nil {
				continue // not there: the next candidate
			}
			data, h, err := rc.read(ctx, clean)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				// Refused (and recorded) or unreadable: the run goes on
				// without it, and the log says why.
				k.log.Info("rules file left out", "run", rc.info.ID, "path", clean, "err", err)
				break
			}
			cp.Rules = append(cp.Rules, FileRef{Path: clean, Hash: h})
			lc.rules = append(lc.rules, ContextFile{Path: clean, Hash: h, Data: data})
			break
		}
	}
	for _, m := range req.History {
		addr := eventlog.BlobAddress(m.Message)
		cp.History = append(cp.History, addr)
		if m.Summary {
			cp.Summaries = append(cp.Summaries, addr)
		}
		if !m.Stored {
			blobs = append(blobs, m.Message)
		}
	}
	lc.history = req.History
	if s := req.Selection; s != nil && s.Text != "" {
		sel := *s
		clean, err := workspace.CleanRel(sel.Path)
		if err != nil {
			return cp, nil, fmt.Errorf("selection: %v", err)
		}
		// The selection names a file: the run must be allowed to read it.
		if _, err := rc.do(ctx, authOnly{req: capability.Request{Kind: capability.FSRead, Path: clean}}); err != nil {
			return cp, nil, fmt.Errorf("selection in %s: %v", clean, err)
		}
		sel.Path, sel.Blob = clean, eventlog.BlobAddress([]byte(sel.Text))
		blobs = append(blobs, []byte(sel.Text))
		cp.Selection, lc.selection = &sel, &sel
	}
	if req.Carry != "" {
		staged, err := StagedChanges(ctx, k.cfg.ReadDB, req.Carry)
		if err != nil {
			return cp, nil, fmt.Errorf("carry the changes of run %s: %v", req.Carry, err)
		}
		c := &Carried{Run: req.Carry, Files: []string{}}
		for _, s := range staged {
			c.Files = append(c.Files, s.Path)
		}
		cp.Carried, lc.carried = c, c
	}
	rc.context = lc
	return cp, blobs, nil
}

// carry stages again, as the run's own, the staged changes of the earlier
// turn it takes over (each decided as fs.write: the user's follow-up
// grants exactly those files).
func (k *Kernel) carry(ctx context.Context, rc *runCtx, from string) error {
	if from == "" {
		return nil
	}
	rc.noAsk = true
	defer func() { rc.noAsk = false }()
	staged, err := StagedChanges(ctx, k.cfg.ReadDB, from)
	if err != nil {
		return fmt.Errorf("carry the changes of run %s: %v", from, err)
	}
	for _, s := range staged {
		var data []byte
		if s.Op != OpDelete {
			if data, err = k.cfg.Blobs.GetBlob(ctx, s.After); err != nil {
				return fmt.Errorf("carry %s: %v", s.Path, err)
			}
			if data == nil {
				data = []byte{}
			}
		}
		if _, err := rc.stage(ctx, s.Path, data, s.Op == OpDelete); err != nil {
			return fmt.Errorf("carry %s from run %s: %v", s.Path, short(from), err)
		}
	}
	return nil
}

// ContextFiles are the files the user named for the run, as read.
func (e *Env) ContextFiles() []ContextFile { return e.rc.context.files }

// Rules are the project rules files read for the run.
func (e *Env) Rules() []ContextFile { return e.rc.context.rules }

// History is the earlier turns' messages the run carries.
func (e *Env) History() []HistoryMessage { return e.rc.context.history }

// Selection is the editor text sent with the message (nil: none).
func (e *Env) Selection() *Selection { return e.rc.context.selection }

// Thread returns the run's thread and turn ("" and 0: not a conversation).
func (e *Env) Thread() (string, int) { return e.rc.context.thread, e.rc.context.turn }

// Carried names the earlier turn whose staged changes the run took over.
func (e *Env) Carried() *Carried { return e.rc.context.carried }
