package kernel

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
)

// ErrDenied is a capability the enforcer refused; the worker gets it (as a
// *DeniedError) and can report it.
var ErrDenied = errors.New("not permitted")

// DeniedError names what was refused and why.
type DeniedError struct {
	Kind, Target, Reason string
}

func (e *DeniedError) Error() string {
	return fmt.Sprintf("%s %s is not permitted: %s", e.Kind, e.Target, e.Reason)
}

func (e *DeniedError) Unwrap() error { return ErrDenied }

// Choices a user can answer an approval card with.
const (
	ChoiceOnce      = "once"      // this one use
	ChoiceRun       = "run"       // this scope for the rest of the run
	ChoiceWorkspace = "workspace" // a standing grant for the workspace
	ChoiceDeny      = "deny"
)

// EffectDetail is what an approval card shows: the exact effect, never
// just a tool name.
type EffectDetail struct {
	Op    string   `json:"op,omitempty"`    // write or delete, for fs.write
	Base  string   `json:"base,omitempty"`  // blob of the content now ("" absent)
	After string   `json:"after,omitempty"` // blob of the proposed content
	Argv  []string `json:"argv,omitempty"`
	Dir   string   `json:"dir,omitempty"`
	Host  string   `json:"host,omitempty"`
	// Sandbox is what a command will be able to do (shell.exec).
	Sandbox *SandboxDetail `json:"sandbox,omitempty"`
	// MCP is the tool call (mcp.call): server, tool, its description and
	// the exact arguments.
	MCP *MCPDetail `json:"mcp,omitempty"`
}

// SandboxDetail tells an approval card what an allowed command can do.
type SandboxDetail struct {
	Mode string `json:"mode"` // overlayfs, fuse-overlayfs, copy, unsandboxed; "" cannot run (Reason says why)
	// Network: "none", or "proxy" (each connection decided by net.http).
	Network string `json:"network"`
	// Writable are the places its writes land, in words.
	Writable []string          `json:"writable"`
	Limits   capability.Limits `json:"limits"`
	Reason   string            `json:"reason,omitempty"`
}

// Payloads of the capability events.
type (
	// CapRequestedPayload is capability.requested: a run waits for the
	// user's decision.
	CapRequestedPayload struct {
		Request string             `json:"request"`
		Kind    string             `json:"kind"`
		Target  string             `json:"target"`
		Req     capability.Request `json:"req"`
		Reason  string             `json:"reason"`
		Detail  *EffectDetail      `json:"detail,omitempty"`
	}
	// CapDecisionPayload is capability.approved / capability.refused.
	CapDecisionPayload struct {
		// Request is the approval answered (the first, with a batch).
		Request string `json:"request"`
		// Requests, when one decision answered several approvals of the
		// run (a batch, or the approvals a granted scope covers), names
		// every one of them, Request first.
		Requests []string `json:"requests,omitempty"`
		Choice   string   `json:"choice"`
		// Scope is the scope choice granted (see ScopeChoices; "" the
		// exact request); the capability.granted events name the globs.
		Scope string `json:"scope,omitempty"`
		// Reason is what the user said with a refusal; the worker (the
		// model) is told it with the refusal.
		Reason string `json:"reason,omitempty"`
	}
	// CapUsedPayload is capability.used: an effect went ahead, authorised
	// by a grant or a policy rule.
	CapUsedPayload struct {
		Kind      string `json:"kind"`
		Target    string `json:"target"`
		Grant     string `json:"grant,omitempty"`
		Rule      int    `json:"rule,omitempty"`
		PolicySeq int64  `json:"policySeq,omitempty"`
		Reason    string `json:"reason"`
	}
	// CapDeniedPayload is capability.denied.
	CapDeniedPayload struct {
		Kind      string `json:"kind"`
		Target    string `json:"target"`
		Reason    string `json:"reason"`
		Rule      int    `json:"rule,omitempty"`
		PolicySeq int64  `json:"policySeq,omitempty"`
	}
	// CapGrantedPayload is capability.granted.
	CapGrantedPayload struct {
		Grant     string           `json:"grant"`
		Kind      string           `json:"kind"`
		Scope     capability.Scope `json:"scope"`
		Run       string           `json:"run,omitempty"`
		ExpiresAt int64            `json:"expiresAt,omitempty"`
		MaxUses   int              `json:"maxUses,omitempty"`
		IssuedBy  string           `json:"issuedBy"`
		Reason    string           `json:"reason"`
		Request   string           `json:"request,omitempty"` // the approval it answers
	}
	// CapEndedPayload is capability.revoked / capability.expired.
	CapEndedPayload struct {
		Grant  string `json:"grant"`
		Reason string `json:"reason"`
	}
	// PolicyPayload is capability.policy_changed.
	PolicyPayload struct {
		Policy capability.Policy `json:"policy"`
	}
)

// CapStream is the stream of a workspace's standing capability events.
func CapStream(workspace string) string { return "capability/" + workspace }

// Ask is an approval a run is waiting for.
type Ask struct {
	ID     string             `json:"id"`
	Run    string             `json:"run"`
	Kind   string             `json:"kind"`
	Target string             `json:"target"`
	Req    capability.Request `json:"req"`
	Reason string             `json:"reason"`
	Detail *EffectDetail      `json:"detail,omitempty"`
	Seq    int64              `json:"seq"` // the capability.requested event
	// Scopes are the scopes the request can be granted with, narrowest
	// first (computed from the real path, see ScopeChoices).
	Scopes  []ScopeChoice `json:"scopes,omitempty"`
	answer  chan string
	rc      *runCtx
	decided bool
	said    string // the user's reason for a refusal
}

// asks holds the approvals runs wait for.
type asks struct {
	mu sync.Mutex
	m  map[string]*Ask
}

// LiteralGlob escapes a path so it matches only itself as a glob.
func LiteralGlob(p string) string {
	var b strings.Builder
	for _, r := range p {
		if strings.ContainsRune(`*?[]{}\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// nowNS is the enforcer's clock (a test seam).
var nowNS = func() int64 { return time.Now().UnixNano() }

// authorize is the one place an effect of a run is decided (the
// pipeline's second step, see effect.go): the request is canonicalised,
// decided by the enforcer, and recorded as capability.used (naming the
// grant or rule) or capability.denied (with the reason). An "ask" records
// capability.requested and waits for the user; ctx ending (abort, budget,
// shutdown) ends the wait. A use is recorded with the run's next event
// (the effect it allows), or at once with now (a command's network
// connection, whose record names the event).
func (rc *runCtx) authorize(ctx context.Context, req capability.Request, detail *EffectDetail, now bool) (decided, error) {
	k := rc.k
	canon, err := capability.Canonical(req)
	if err != nil {
		target := req.Target()
		if len(target) > 200 {
			target = target[:200] + "…"
		}
		id, derr := rc.deny(ctx, req.Kind, strings.ToValidUTF8(target, "?"), err.Error(), capability.Decision{})
		return decided{req: req, event: id}, derr
	}
	for {
		profile := rc.info.config.Profile
		if rc.userStep {
			profile = capability.ProfileAgent // the profile bounds the worker, not what the user asked for
		}
		d := k.cfg.Caps.Decide(rc.info.Workspace, rc.info.ID, profile, canon, nowNS())
		if d.Exp != "" {
			if err := k.ExpireGrant(ctx, rc.info.Workspace, d.Exp); err != nil {
				k.log.Error("expire grant", "err", err)
			}
		}
		switch d.Effect {
		case capability.Allow:
			used := CapUsedPayload{Kind: canon.Kind, Target: canon.Target(), Grant: d.Grant, Rule: d.Rule, PolicySeq: d.Policy, Reason: d.Reason}
			if !now {
				// Recorded with the run's next event: the effect it allows.
				rc.k.recordLater(rc.info, eventlog.CapabilityUsed, eventlog.OriginRuntime, used)
				return decided{req: canon, d: d}, nil
			}
			ev, err := rc.emitEvent(ctx, eventlog.CapabilityUsed, used)
			if err != nil {
				return decided{req: canon, d: d}, err
			}
			return decided{req: canon, d: d, event: ev.ID}, nil
		case capability.Deny:
			id, err := rc.deny(ctx, canon.Kind, canon.Target(), d.Reason, d)
			return decided{req: canon, d: d, event: id}, err
		}
		if rc.noAsk {
			id, err := rc.deny(ctx, canon.Kind, canon.Target(),
				d.Reason+", and this step cannot wait for an answer (allow it in the workspace policy, or give it when starting the run)", d)
			return decided{req: canon, d: d, event: id}, err
		}
		choice, said, err := rc.ask(ctx, canon, d, detail)
		if err != nil {
			return decided{req: canon, d: d}, err
		}
		if choice == ChoiceDeny {
			id, err := rc.refused(ctx, canon, said)
			return decided{req: canon, d: d, event: id}, err
		}
		// A grant now exists (or was revoked again already): decide afresh.
	}
}

// deny records capability.denied and returns the event's id and the
// *DeniedError the worker gets.
func (rc *runCtx) deny(ctx context.Context, kind, target, reason string, d capability.Decision) (string, error) {
	ev, err := rc.emitEvent(ctx, eventlog.CapabilityDenied, CapDeniedPayload{Kind: kind, Target: target, Reason: reason,
		Rule: d.Rule, PolicySeq: d.Policy})
	if err != nil {
		return "", err
	}
	return ev.ID, &DeniedError{Kind: kind, Target: target, Reason: reason}
}

// refused records the user's refusal of a request (capability.denied,
// with what they said).
func (rc *runCtx) refused(ctx context.Context, req capability.Request, said string) (string, error) {
	why := "the user refused it"
	if said != "" {
		why += ", saying: " + said
	}
	return rc.deny(ctx, req.Kind, req.Target(), why, capability.Decision{})
}

// ask records the request and waits for the user's answer.
func (rc *runCtx) ask(ctx context.Context, req capability.Request, d capability.Decision, detail *EffectDetail) (choice, said string, err error) {
	a, err := rc.raise(ctx, req, d, detail)
	if err != nil {
		return "", "", err
	}
	return rc.await(ctx, a)
}

// raise records a request (capability.requested) and puts it before the
// user; await waits for the answer.
func (rc *runCtx) raise(ctx context.Context, req capability.Request, d capability.Decision, detail *EffectDetail) (*Ask, error) {
	k := rc.k
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	a := &Ask{ID: id.String(), Run: rc.info.ID, Kind: req.Kind, Target: req.Target(), Req: req, Reason: d.Reason,
		Detail: detail, answer: make(chan string, 1), rc: rc}
	k.asks.mu.Lock()
	k.asks.m[a.ID] = a
	k.asks.mu.Unlock()
	unlock := k.lock(rc.info.ID)
	ev, err := k.recordBlobs(ctx, rc.info, eventlog.CapabilityRequested, eventlog.AgentPrefix+rc.info.Worker,
		CapRequestedPayload{Request: a.ID, Kind: req.Kind, Target: a.Target, Req: req, Reason: d.Reason, Detail: detail}, "", nil)
	unlock()
	if err != nil {
		k.dropAsk(a)
		return nil, err
	}
	k.asks.mu.Lock()
	a.Seq = ev.Seq
	k.asks.mu.Unlock()
	k.notifyAsk(rc.info.ID)
	return a, nil
}

// await waits for the user's answer to a raised request (or ctx's end)
// and takes the request off the user's list.
func (rc *runCtx) await(ctx context.Context, a *Ask) (choice, said string, err error) {
	k := rc.k
	defer k.dropAsk(a)
	select {
	case c := <-a.answer:
		k.asks.mu.Lock()
		said := a.said
		k.asks.mu.Unlock()
		return c, said, nil
	case <-ctx.Done():
		return "", "", context.Cause(ctx)
	}
}

// dropAsk takes a request off the list of pending approvals (again: a no-op).
func (k *Kernel) dropAsk(a *Ask) {
	k.asks.mu.Lock()
	_, ok := k.asks.m[a.ID]
	delete(k.asks.m, a.ID)
	k.asks.mu.Unlock()
	if ok {
		k.notifyAsk(a.Run)
	}
}

func (k *Kernel) notifyAsk(run string) {
	if k.cfg.Notify != nil {
		k.cfg.Notify(run, "")
	}
}

// Asks lists the approvals runs of a workspace wait for ("" for all), oldest first.
func (k *Kernel) Asks(workspace string) []Ask {
	k.asks.mu.Lock()
	defer k.asks.mu.Unlock()
	out := []Ask{}
	for _, a := range k.asks.m {
		if a.Seq != 0 && !a.decided && (workspace == "" || a.rc.info.Workspace == workspace) {
			c := *a
			c.answer, c.rc = nil, nil
			c.Scopes = ScopeChoices(a.Req)
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// ErrNoSuchAsk is an answer to an approval no run waits for (any more).
var ErrNoSuchAsk = errors.New("no run is waiting for this approval (it was answered, or the run ended)")

// Answer records the user's decision on one approval and lets the run go
// on: "once" grants this one use, "run" the scope for the rest of the run,
// "workspace" a standing grant; "deny" refuses it. The scope granted is
// the exact request (AnswerMany answers with a wider scope or a batch).
func (k *Kernel) Answer(ctx context.Context, request, choice, reason string) error {
	_, err := k.AnswerMany(ctx, Answer{Requests: []string{request}, Choice: choice, Reason: reason})
	return err
}

// UserGrants are the run-bound grants a run the user starts gets for what
// the user named: its validation command (nil for none).
func UserGrants(validation []string, reason string) []CapGrantedPayload {
	if len(validation) == 0 {
		return nil
	}
	return []CapGrantedPayload{{Kind: capability.ShellExec, Scope: capability.Scope{Argv: append([]string(nil), validation...)},
		IssuedBy: "user", Reason: reason + " (its validation command)"}}
}

// scopeFor is the narrowest scope covering a request: the exact path, the
// whole argv, the host and port, the model.
func scopeFor(r capability.Request) capability.Scope {
	switch r.Kind {
	case capability.FSRead, capability.FSWrite:
		return capability.Scope{Glob: LiteralGlob(r.Path)}
	case capability.ShellExec:
		return capability.Scope{Argv: append([]string(nil), r.Argv...)}
	case capability.NetHTTP:
		h := r.Host
		if r.Port != 0 {
			h = fmt.Sprintf("%s:%d", r.Host, r.Port)
		}
		return capability.Scope{Host: h}
	case capability.ModelInvoke:
		return capability.Scope{Model: r.Model, Endpoint: r.Endpoint}
	case capability.MemoryWrite:
		return capability.Scope{Memory: r.Memory}
	case capability.MCPCall:
		return capability.Scope{Tool: matchLiteral(r.Server) + "/" + matchLiteral(r.Tool)}
	}
	return capability.Scope{}
}

// matchLiteral escapes a name so a path.Match pattern matches only it.
func matchLiteral(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// grant records capability.granted and puts the grant in force. With info
// set the event goes on the run's stream (the caller holds its lock),
// else on the workspace's capability stream.
func (k *Kernel) grant(ctx context.Context, info *RunInfo, g CapGrantedPayload, cause string) (capability.Grant, error) {
	if err := g.Scope.Check(g.Kind); err != nil {
		return capability.Grant{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return capability.Grant{}, err
	}
	g.Grant = id.String()
	var ev eventlog.Event
	ws := ""
	if info != nil {
		ws = info.Workspace
		ev, err = k.record(ctx, info, eventlog.CapabilityGranted, eventlog.OriginRuntime, g, cause)
	} else {
		return capability.Grant{}, errors.New("grant: no run")
	}
	if err != nil {
		return capability.Grant{}, err
	}
	cg := GrantOf(g, ws, ev)
	k.cfg.Caps.AddGrant(cg)
	return cg, nil
}

// GrantOf is the grant a capability.granted event puts in force.
func GrantOf(g CapGrantedPayload, workspace string, ev eventlog.Event) capability.Grant {
	return capability.Grant{ID: g.Grant, Kind: g.Kind, Scope: g.Scope, Workspace: workspace, Run: g.Run,
		ExpiresAt: g.ExpiresAt, MaxUses: g.MaxUses, IssuedBy: g.IssuedBy, Reason: g.Reason,
		GrantedAt: ev.At, GrantedSeq: ev.Seq}
}

// ExpireGrant records that a grant ran out of time (capability.expired)
// and ends it. The kernel calls it when a decision meets such a grant; the
// Studio's sweeper calls it for grants no decision met.
func (k *Kernel) ExpireGrant(ctx context.Context, workspace, id string) error {
	if g, ok := k.cfg.Caps.Grant(id); ok && (g.Expired || g.Revoked) {
		return nil // already ended
	}
	evs, err := k.cfg.Emitter.Emit(ctx, eventlog.Draft{Stream: CapStream(workspace), Type: eventlog.CapabilityExpired,
		Origin: eventlog.OriginRuntime, Workspace: workspace, Payload: CapEndedPayload{Grant: id, Reason: "its time ran out"}})
	if err != nil {
		return fmt.Errorf("record expired grant %s: %w", id, err)
	}
	k.cfg.Caps.End(id, false, evs[0].Seq)
	return nil
}
