package kernel

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// Approvals that scale: an approval card offers the scopes that make sense
// for its request (this file, this folder, files like it, every file the
// run touches), each computed here from the real path the effect resolved
// to — never from text a model wrote — and shown as the exact glob that
// will be granted; and several pending approvals of one run and one kind
// can be answered in one user decision.

// Scope choices an approval can be answered with (ScopeChoice.ID).
const (
	ScopeExact   = "exact"   // the request itself: this file, this command, this host
	ScopeFolder  = "folder"  // fs: every file under the file's folder
	ScopeLike    = "like"    // fs: files with the same extension (or name) anywhere
	ScopeAll     = "all"     // fs: every file the run touches (run-bound only)
	ScopePrefix  = "prefix"  // shell.exec: the program and its first argument
	ScopeProgram = "program" // shell.exec: the program with any arguments
	ScopeServer  = "server"  // mcp.call: every tool of the server
)

// ScopeChoice is one scope an approval can be granted with.
type ScopeChoice struct {
	ID    string           `json:"id"`
	Label string           `json:"label"` // in words: "this folder"
	Scope capability.Scope `json:"scope"` // exactly what is granted
	// Describe is the scope as the grant will show it: the glob.
	Describe string `json:"describe"`
	// RunOnly: the scope can only be granted for the run (not standing).
	RunOnly bool `json:"runOnly,omitempty"`
}

// ScopeChoices lists the scopes that make sense for a canonical request,
// narrowest first, the exact one first (a choice whose glob the scope
// syntax cannot hold, such as a name with "..", is left out). File scopes are
// globs relative to the workspace root built from the request's (real,
// canonical) path with every glob metacharacter of its names escaped, so
// they cannot reach outside the workspace or match more than they say.
func ScopeChoices(r capability.Request) []ScopeChoice {
	out := []ScopeChoice{}
	add := func(c ScopeChoice) {
		if c.Scope.Check(r.Kind) != nil {
			return // a name the scope syntax cannot hold (such as "a..b"): not offered
		}
		for _, o := range out {
			if o.Describe == c.Describe {
				return
			}
		}
		out = append(out, c)
	}
	exact := scopeFor(r)
	switch r.Kind {
	case capability.FSRead, capability.FSWrite:
		if r.Path == "" || r.Path == "." {
			add(ScopeChoice{ID: ScopeExact, Label: "the workspace folder", Scope: capability.Scope{Glob: "**"}})
			break
		}
		add(fileChoice(ScopeExact, "this file", exact, r.Kind))
		if dir := path.Dir(r.Path); dir != "." {
			add(fileChoice(ScopeFolder, "this folder", capability.Scope{Glob: LiteralGlob(dir) + "/**"}, r.Kind))
		}
		base := path.Base(r.Path)
		if ext := path.Ext(base); ext != "" && ext != base {
			add(fileChoice(ScopeLike, "files like it", capability.Scope{Glob: "**/*" + LiteralGlob(ext)}, r.Kind))
		}
		all := fileChoice(ScopeAll, "every file this run touches", capability.Scope{Glob: "**"}, r.Kind)
		all.RunOnly = true
		add(all)
	case capability.ShellExec:
		add(ScopeChoice{ID: ScopeExact, Label: "this command", Scope: exact, Describe: exact.Describe(r.Kind)})
		if len(r.Argv) > 2 {
			s := capability.Scope{Argv: append([]string(nil), r.Argv[:2]...)}
			add(ScopeChoice{ID: ScopePrefix, Label: "commands starting like it", Scope: s, Describe: s.Describe(r.Kind)})
		}
		if len(r.Argv) > 1 {
			s := capability.Scope{Argv: []string{r.Argv[0]}}
			add(ScopeChoice{ID: ScopeProgram, Label: "this program, any arguments", Scope: s, Describe: s.Describe(r.Kind)})
		}
	case capability.MCPCall:
		add(ScopeChoice{ID: ScopeExact, Label: "this tool", Scope: exact, Describe: exact.Describe(r.Kind)})
		s := capability.Scope{Tool: matchLiteral(r.Server) + "/*"}
		add(ScopeChoice{ID: ScopeServer, Label: "every tool of this server", Scope: s, Describe: s.Describe(r.Kind)})
	default:
		add(ScopeChoice{ID: ScopeExact, Label: "exactly this", Scope: exact, Describe: exact.Describe(r.Kind)})
	}
	return out
}

func fileChoice(id, label string, s capability.Scope, kind string) ScopeChoice {
	return ScopeChoice{ID: id, Label: label, Scope: s, Describe: s.Describe(kind)}
}

// choiceOf finds the scope choice id ("" the exact one) of a request.
func choiceOf(r capability.Request, id string) (ScopeChoice, error) {
	if id == "" {
		id = ScopeExact
	}
	cs := ScopeChoices(r)
	for _, c := range cs {
		if c.ID == id {
			return c, nil
		}
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ScopeChoice{}, fmt.Errorf("scope %q is not offered for %s %s (offered: %s)", id, r.Kind, r.Target(), strings.Join(ids, ", "))
}

// Answer is a user's decision on one or more approvals.
type Answer struct {
	// Requests are the approvals answered: one, or a batch of the same
	// run and the same kind.
	Requests []string `json:"requests"`
	// AllPending also answers every other approval of the same run and
	// kind as Requests[0] pending at this moment.
	AllPending bool   `json:"allPending,omitempty"`
	Choice     string `json:"choice"` // once, run, workspace or deny
	// Scope is a ScopeChoice id ("" the exact request); each request is
	// granted its own scope of that id.
	Scope  string `json:"scope,omitempty"`
	Reason string `json:"reason,omitempty"` // with deny: told to the model
}

// AnswerMany records one user decision on one or more approvals of a run
// and lets the run go on: one capability.approved (or .refused) event
// names every request it answers (Request the first, Requests all of
// them when more than one), then one capability.granted per distinct
// scope (per request for "once", each a single use of its exact path).
// A run or workspace grant also answers the run's other pending approvals
// of the kind it covers; they are named in the same event. It returns the
// requests answered.
func (k *Kernel) AnswerMany(ctx context.Context, ans Answer) ([]string, error) {
	choice := ans.Choice
	if choice != ChoiceOnce && choice != ChoiceRun && choice != ChoiceWorkspace && choice != ChoiceDeny {
		return nil, fmt.Errorf("unknown choice %q (once, run, workspace or deny)", choice)
	}
	if len(ans.Requests) == 0 {
		return nil, errors.New("which approval? no request given")
	}
	if choice == ChoiceOnce && ans.Scope != "" && ans.Scope != ScopeExact {
		return nil, fmt.Errorf("allow once is for the request itself, not the scope %q (allow it for the run or the workspace)", ans.Scope)
	}
	k.asks.mu.Lock()
	var batch []*Ask
	seen := map[string]bool{}
	for _, id := range ans.Requests {
		a := k.asks.m[id]
		if a == nil || a.decided || a.Seq == 0 {
			k.asks.mu.Unlock()
			if len(ans.Requests) == 1 {
				return nil, ErrNoSuchAsk
			}
			return nil, fmt.Errorf("request %s: %w", id, ErrNoSuchAsk)
		}
		if len(batch) > 0 && (a.Run != batch[0].Run || a.Kind != batch[0].Kind) {
			k.asks.mu.Unlock()
			return nil, fmt.Errorf("a batch answers approvals of one run and one kind: %s is %s of run %s, not %s of run %s",
				id, a.Kind, a.Run, batch[0].Kind, batch[0].Run)
		}
		if !seen[id] {
			seen[id] = true
			batch = append(batch, a)
		}
	}
	first := batch[0]
	if ans.AllPending {
		for _, a := range k.pendingOf(first.Run, first.Kind) {
			if !seen[a.ID] {
				seen[a.ID] = true
				batch = append(batch, a)
			}
		}
	}
	// The grants, from each request's own scope choice.
	var grants []CapGrantedPayload
	if choice != ChoiceDeny {
		globs := map[string]bool{}
		for _, a := range batch {
			c, err := choiceOf(a.Req, ans.Scope)
			if err == nil && c.RunOnly && choice == ChoiceWorkspace {
				err = fmt.Errorf("%s (%s) can only be allowed for this run", c.Label, c.Describe)
			}
			if err != nil {
				k.asks.mu.Unlock()
				return nil, err
			}
			if choice != ChoiceOnce && globs[c.Describe] {
				continue
			}
			globs[c.Describe] = true
			g := CapGrantedPayload{Kind: a.Kind, Scope: c.Scope, IssuedBy: "user", Request: a.ID}
			switch choice {
			case ChoiceOnce:
				g.Run, g.MaxUses, g.Reason = first.Run, 1, "you allowed it once"
			case ChoiceRun:
				g.Run, g.Reason = first.Run, "you allowed "+c.Label+" for this run"
			case ChoiceWorkspace:
				g.Reason = "you allowed " + c.Label + " for this workspace"
			}
			grants = append(grants, g)
		}
		// The run's other approvals these grants cover are answered by them.
		if choice != ChoiceOnce {
			for _, a := range k.pendingOf(first.Run, first.Kind) {
				if seen[a.ID] {
					continue
				}
				for _, g := range grants {
					if capability.Matches(a.Kind, g.Scope, a.Req) {
						seen[a.ID] = true
						batch = append(batch, a)
						break
					}
				}
			}
		}
	}
	for _, a := range batch {
		a.decided = true
	}
	k.asks.mu.Unlock()
	undo := func() {
		k.asks.mu.Lock()
		for _, a := range batch {
			a.decided = false
		}
		k.asks.mu.Unlock()
	}
	ids := make([]string, len(batch))
	for i, a := range batch {
		ids[i] = a.ID
	}
	rc := first.rc
	unlock := k.lock(rc.info.ID)
	defer unlock()
	typ := eventlog.CapabilityApproved
	reason := strings.TrimSpace(ans.Reason)
	if choice == ChoiceDeny {
		typ = eventlog.CapabilityRefused
	} else {
		reason = ""
	}
	p := CapDecisionPayload{Request: ids[0], Choice: choice, Reason: reason}
	if len(ids) > 1 {
		p.Requests = ids
	}
	if choice != ChoiceDeny && ans.Scope != "" && ans.Scope != ScopeExact {
		p.Scope = ans.Scope
	}
	ev, err := k.record(ctx, rc.info, typ, eventlog.OriginUser, p, "")
	if err != nil {
		undo()
		return nil, err
	}
	for _, g := range grants {
		if _, err := k.grant(ctx, rc.info, g, ev.ID); err != nil {
			return nil, err
		}
	}
	k.asks.mu.Lock()
	for _, a := range batch {
		a.said = reason
	}
	k.asks.mu.Unlock()
	for _, a := range batch {
		a.answer <- choice
	}
	return ids, nil
}

// pendingOf lists a run's pending approvals of one kind, oldest first
// (the caller holds k.asks.mu).
func (k *Kernel) pendingOf(run, kind string) []*Ask {
	var out []*Ask
	for _, a := range k.asks.m {
		if a.Run == run && a.Kind == kind && !a.decided && a.Seq != 0 {
			out = append(out, a)
		}
	}
	sortAsks(out)
	return out
}

func sortAsks(as []*Ask) {
	for i := 1; i < len(as); i++ {
		for j := i; j > 0 && as[j].Seq < as[j-1].Seq; j-- {
			as[j], as[j-1] = as[j-1], as[j]
		}
	}
}

// FileWrite is one write of a batch (Env.WriteFiles).
type FileWrite struct {
	Path string
	Data []byte
}

// WriteFiles stages several writes as one batch: every write the policy
// asks about is put to the user at once (so a find & replace over 200
// files is 200 pending approvals the user can answer in one decision),
// then each is decided and staged in order, through the same pipeline as
// WriteFile. errs[i] is write i's refusal (a *DeniedError), nil when
// staged; err ends the whole batch (the budget, the run stopping, the log
// failing).
func (e *Env) WriteFiles(files []FileWrite) (errs []error, err error) {
	for range files {
		if err := e.rc.step(); err != nil {
			return nil, err
		}
	}
	return e.rc.stageAll(e.ctx, files)
}

// stageAll is WriteFiles: resolve every write, ask ahead about those that
// need an answer, then decide and record each in order (so each
// capability.used is followed by the effect it allows, as with one write).
func (rc *runCtx) stageAll(ctx context.Context, files []FileWrite) ([]error, error) {
	type item struct {
		e      *stageEffect
		req    capability.Request
		detail *EffectDetail
		ask    *Ask
	}
	errs := make([]error, len(files))
	items := make([]*item, len(files))
	defer func() {
		for _, it := range items {
			if it != nil && it.ask != nil {
				rc.k.dropAsk(it.ask)
			}
		}
	}()
	for i, f := range files {
		data := f.Data
		if data == nil {
			data = []byte{}
		}
		it := &item{e: &stageEffect{rel: f.Path, data: data}}
		req, detail, err := it.e.resolve(ctx, rc)
		var r *refusal
		switch {
		case errors.As(err, &r):
			_, errs[i] = rc.deny(ctx, r.kind, r.target, r.reason, capability.Decision{})
			if !errors.Is(errs[i], ErrDenied) {
				return nil, errs[i]
			}
			continue
		case err != nil:
			return nil, err
		}
		it.req, it.detail = req, detail
		items[i] = it
		canon, cerr := capability.Canonical(req)
		if cerr != nil || rc.noAsk {
			continue // authorize records the refusal
		}
		profile := rc.info.config.Profile
		if rc.userStep {
			profile = capability.ProfileAgent
		}
		if d := rc.k.cfg.Caps.Peek(rc.info.Workspace, rc.info.ID, profile, canon, nowNS()); d.Effect == capability.Ask {
			a, err := rc.raise(ctx, canon, d, detail)
			if err != nil {
				return nil, err
			}
			it.ask = a
		}
	}
	for i, it := range items {
		if it == nil {
			continue
		}
		if it.ask != nil {
			choice, said, err := rc.await(ctx, it.ask)
			if err != nil {
				return nil, err
			}
			if choice == ChoiceDeny {
				_, errs[i] = rc.refused(ctx, it.ask.Req, said)
				if !errors.Is(errs[i], ErrDenied) {
					return nil, errs[i]
				}
				continue
			}
		}
		dec, err := rc.authorize(ctx, it.req, it.detail, false)
		if errors.Is(err, ErrDenied) {
			errs[i] = err
			continue
		}
		if err != nil {
			return nil, err
		}
		out, err := it.e.perform(ctx, rc, dec)
		if err != nil {
			return nil, err
		}
		if err := rc.emit(ctx, out.typ, out.payload, out.blobs...); err != nil {
			return nil, err
		}
		rc.mu.Lock()
		rc.staged[it.e.p.Path] = it.e.p.After
		rc.mu.Unlock()
	}
	return errs, nil
}
