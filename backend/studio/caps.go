package studio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ice-studio/ice-studio/backend/bus"
	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
)

// loadCapabilities folds the log's capability events into the enforcer:
// policies, grants, their uses, revocations and expiries, and the
// definitions MCP tools are pinned to.
func loadCapabilities(ctx context.Context, store eventlog.Store, caps *capability.Enforcer) error {
	types := []string{eventlog.PolicyChanged, eventlog.CapabilityGranted, eventlog.CapabilityUsed,
		eventlog.CapabilityRevoked, eventlog.CapabilityExpired, eventlog.MCPToolPinned}
	var after int64
	for {
		evs, err := readEvents(ctx, store, eventlog.Query{AfterSeq: after, Types: types, Limit: 5000})
		if err != nil {
			return fmt.Errorf("load capabilities: %w", err)
		}
		if len(evs) == 0 {
			return nil
		}
		for _, e := range evs {
			after = e.Seq
			switch e.Type {
			case eventlog.PolicyChanged:
				var p kernel.PolicyPayload
				if json.Unmarshal(e.Payload, &p) == nil {
					caps.SetPolicy(e.Workspace, p.Policy, e.Seq)
				}
			case eventlog.CapabilityGranted:
				var g kernel.CapGrantedPayload
				if json.Unmarshal(e.Payload, &g) == nil {
					caps.AddGrant(kernel.GrantOf(g, e.Workspace, e))
				}
			case eventlog.CapabilityUsed:
				var u kernel.CapUsedPayload
				if json.Unmarshal(e.Payload, &u) == nil && u.Grant != "" {
					caps.Used(u.Grant)
				}
			case eventlog.CapabilityRevoked, eventlog.CapabilityExpired:
				var p kernel.CapEndedPayload
				if json.Unmarshal(e.Payload, &p) == nil {
					caps.End(p.Grant, e.Type == eventlog.CapabilityRevoked, e.Seq)
				}
			case eventlog.MCPToolPinned:
				if err := kernel.PinOf(caps, e); err != nil {
					return fmt.Errorf("load capabilities: pin %s: %w", e.ID, err)
				}
			}
		}
	}
}

// sweepGrants records the expiry of grants whose time ran out.
func (s *Studio) sweepGrants(ctx context.Context) {
	defer s.wg.Done()
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, id := range s.caps.Expired(time.Now().UnixNano()) {
			g, _ := s.caps.Grant(id)
			if err := s.kernel.ExpireGrant(ctx, g.Workspace, id); err != nil {
				s.log.Error("expire grant", "err", err)
				continue
			}
			s.cfg.Bus.Publish(bus.CapabilitiesChanged, WorkspaceRequest{WorkspaceID: g.Workspace})
		}
	}
}

// CapabilityState is what the Capabilities panel shows.
type CapabilityState struct {
	Policy    capability.Policy   `json:"policy"`
	PolicySeq int64               `json:"policySeq"` // 0: the default policy
	Default   capability.Policy   `json:"default"`
	Grants    []capability.Grant  `json:"grants"` // newest first, ended ones included
	Asks      []kernel.Ask        `json:"asks"`   // approvals runs wait for
	Kinds     []string            `json:"kinds"`
	Profiles  map[string][]string `json:"profiles"`
	// RunOutcomes has the outcome of each run a grant is bound to ("" while
	// the run is undecided): a finished run's grants can no longer be used.
	RunOutcomes map[string]string `json:"runOutcomes,omitempty"`
}

// CapabilityState returns a workspace's policy, grants and pending approvals.
func (s *Studio) CapabilityState(req WorkspaceRequest) (CapabilityState, error) {
	k, err := s.kernelOrErr()
	if err != nil {
		return CapabilityState{}, err
	}
	p, seq := s.caps.Policy(req.WorkspaceID)
	grants := s.caps.Grants(req.WorkspaceID, time.Now().UnixNano(), true)
	outcomes := map[string]string{}
	for _, g := range grants {
		if _, seen := outcomes[g.Run]; g.Run == "" || seen {
			continue
		}
		info, err := k.Get(context.Background(), g.Run)
		if err != nil {
			continue // not known (yet): the panel shows the grant as it is
		}
		outcomes[g.Run] = info.Outcome
	}
	return CapabilityState{Policy: p, PolicySeq: seq, Default: capability.DefaultPolicy(),
		Grants: grants, Asks: k.Asks(req.WorkspaceID),
		Kinds: capability.Kinds, Profiles: capability.ProfileKinds, RunOutcomes: outcomes}, nil
}

// SetPolicyRequest replaces a workspace's policy.
type SetPolicyRequest struct {
	WorkspaceID string            `json:"workspaceId"`
	Policy      capability.Policy `json:"policy"`
}

// SetPolicy records a new policy for a workspace (a user decision).
func (s *Studio) SetPolicy(req SetPolicyRequest) (CapabilityState, error) {
	if _, err := s.kernelOrErr(); err != nil {
		return CapabilityState{}, err
	}
	if req.WorkspaceID == "" {
		return CapabilityState{}, errors.New("which workspace?")
	}
	if req.Policy.Rules == nil {
		req.Policy.Rules = []capability.Rule{}
	}
	if err := req.Policy.Check(); err != nil {
		return CapabilityState{}, err
	}
	evs, err := s.emit(context.Background(), eventlog.Draft{Stream: kernel.CapStream(req.WorkspaceID), Type: eventlog.PolicyChanged,
		Origin: eventlog.OriginUser, Workspace: req.WorkspaceID, Payload: kernel.PolicyPayload{Policy: req.Policy}})
	if err != nil {
		return CapabilityState{}, err
	}
	s.caps.SetPolicy(req.WorkspaceID, req.Policy, evs[0].Seq)
	s.cfg.Bus.Publish(bus.CapabilitiesChanged, WorkspaceRequest{WorkspaceID: req.WorkspaceID})
	return s.CapabilityState(WorkspaceRequest{WorkspaceID: req.WorkspaceID})
}

// GrantRequest issues a standing grant from the Capabilities panel.
type GrantRequest struct {
	WorkspaceID string           `json:"workspaceId"`
	Kind        string           `json:"kind"`
	Scope       capability.Scope `json:"scope"`
	ExpiresInS  int64            `json:"expiresInS"` // 0: no expiry
	MaxUses     int              `json:"maxUses"`    // 0: unlimited
	Reason      string           `json:"reason"`
}

// Grant issues a standing grant for a workspace on the user's decision.
func (s *Studio) Grant(req GrantRequest) (capability.Grant, error) {
	if _, err := s.kernelOrErr(); err != nil {
		return capability.Grant{}, err
	}
	if err := req.Scope.Check(req.Kind); err != nil {
		return capability.Grant{}, err
	}
	if req.MaxUses < 0 || req.ExpiresInS < 0 {
		return capability.Grant{}, errors.New("expiry and use limit cannot be negative")
	}
	reason := req.Reason
	if reason == "" {
		reason = "you granted it in the Capabilities panel"
	}
	g := kernel.CapGrantedPayload{Kind: req.Kind, Scope: req.Scope, MaxUses: req.MaxUses, IssuedBy: "user", Reason: reason}
	if req.ExpiresInS > 0 {
		g.ExpiresAt = time.Now().Add(time.Duration(req.ExpiresInS) * time.Second).UnixNano()
	}
	id, err := newID()
	if err != nil {
		return capability.Grant{}, err
	}
	g.Grant = id
	evs, err := s.emit(context.Background(), eventlog.Draft{Stream: kernel.CapStream(req.WorkspaceID), Type: eventlog.CapabilityGranted,
		Origin: eventlog.OriginRuntime, Workspace: req.WorkspaceID, Payload: g})
	if err != nil {
		return capability.Grant{}, err
	}
	cg := kernel.GrantOf(g, req.WorkspaceID, evs[0])
	s.caps.AddGrant(cg)
	s.cfg.Bus.Publish(bus.CapabilitiesChanged, WorkspaceRequest{WorkspaceID: req.WorkspaceID})
	got, _ := s.caps.Grant(id)
	return got, nil
}

// RevokeRequest names a grant to revoke.
type RevokeRequest struct {
	GrantID string `json:"grantId"`
}

// Revoke ends a grant; its very next use is refused, even mid-run.
func (s *Studio) Revoke(req RevokeRequest) error {
	if _, err := s.kernelOrErr(); err != nil {
		return err
	}
	g, ok := s.caps.Grant(req.GrantID)
	if !ok {
		return fmt.Errorf("no grant %s", req.GrantID)
	}
	if g.Revoked || g.Expired {
		return nil
	}
	s.caps.End(req.GrantID, true, 0) // at once: a use racing the event below is already refused
	evs, err := s.emit(context.Background(), eventlog.Draft{Stream: kernel.CapStream(g.Workspace), Type: eventlog.CapabilityRevoked,
		Origin: eventlog.OriginRuntime, Workspace: g.Workspace, Payload: kernel.CapEndedPayload{Grant: req.GrantID, Reason: "you revoked it"}})
	if err != nil {
		return err
	}
	s.caps.End(req.GrantID, true, evs[0].Seq)
	s.cfg.Bus.Publish(bus.CapabilitiesChanged, WorkspaceRequest{WorkspaceID: g.Workspace})
	return nil
}

// AnswerRequest is the user's decision on an approval card (one request)
// or a batch card (several requests of one run and one kind).
type AnswerRequest struct {
	RequestID string `json:"requestId"`
	// RequestIDs answers a batch in the same decision (with RequestID, if
	// given, first).
	RequestIDs []string `json:"requestIds,omitempty"`
	// AllPending also answers every approval of the same run and kind as
	// the first request that is pending when the answer arrives.
	AllPending bool   `json:"allPending,omitempty"`
	Choice     string `json:"choice"` // once, run, workspace or deny
	// Scope is one of the request's scope choices (kernel.ScopeChoices:
	// exact, folder, like, all, prefix, program; "" exact): each request
	// answered is granted its own scope of that id, computed by the kernel.
	Scope string `json:"scope,omitempty"`
	// Reason, with deny: what the model is told along with the refusal.
	Reason string `json:"reason"`
}

// AnswerCapability records the user's decision on a run's request, or on
// a batch of them: one user decision, one capability.approved (or
// .refused) event naming every request it answers.
func (s *Studio) AnswerCapability(req AnswerRequest) error {
	k, err := s.kernelOrErr()
	if err != nil {
		return err
	}
	ids := req.RequestIDs
	if req.RequestID != "" {
		ids = append([]string{req.RequestID}, ids...)
	}
	_, err = k.AnswerMany(context.Background(), kernel.Answer{Requests: ids, AllPending: req.AllPending,
		Choice: req.Choice, Scope: req.Scope, Reason: req.Reason})
	return err
}

// WhyRequest names an event of a run.
type WhyRequest struct {
	Seq int64 `json:"seq"`
}

// Why explains what allowed (or refused) an effect.
type Why struct {
	Allowed   bool              `json:"allowed"`
	Decision  string            `json:"decision"` // capability.used or capability.denied payload in words
	UsedSeq   int64             `json:"usedSeq"`  // the capability.used / denied event
	Grant     *capability.Grant `json:"grant,omitempty"`
	GrantSeq  int64             `json:"grantSeq,omitempty"`
	IssuedBy  string            `json:"issuedBy,omitempty"`
	IssuedAt  int64             `json:"issuedAt,omitempty"` // unix ns
	Rule      *capability.Rule  `json:"rule,omitempty"`
	RuleIndex int               `json:"ruleIndex,omitempty"`
	PolicySeq int64             `json:"policySeq"` // 0 with a rule: the default policy
	Reason    string            `json:"reason"`
}

// WhyAllowed explains an effect event (a file read, a staged write, a
// command): the capability.used event recorded just before it in the run,
// the grant it names (who issued it, when, why) or the policy rule.
func (s *Studio) WhyAllowed(req WhyRequest) (Why, error) {
	if _, err := s.kernelOrErr(); err != nil {
		return Why{}, err
	}
	ctx := context.Background()
	evs, err := readEvents(ctx, s.events, eventlog.Query{AfterSeq: req.Seq - 1, Limit: 1})
	if err != nil || len(evs) == 0 || evs[0].Seq != req.Seq {
		return Why{}, fmt.Errorf("no event %d", req.Seq)
	}
	ev := evs[0]
	if ev.Run == "" {
		return Why{}, fmt.Errorf("event %d is not an effect of a run", req.Seq)
	}
	if ev.Type == eventlog.CapabilityUsed || ev.Type == eventlog.CapabilityDenied {
		return s.explain(ev)
	}
	// The authorising event is the run's capability.used or .denied just before.
	prev, err := readEvents(ctx, s.events, eventlog.Query{Stream: ev.Stream, UntilSeq: ev.Seq - 1, Desc: true, Limit: 1,
		Types: []string{eventlog.CapabilityUsed, eventlog.CapabilityDenied}})
	if err != nil {
		return Why{}, err
	}
	if len(prev) == 0 {
		return Why{}, fmt.Errorf("no capability decision recorded before event %d (it predates capabilities)", req.Seq)
	}
	return s.explain(prev[0])
}

func (s *Studio) explain(ev eventlog.Event) (Why, error) {
	w := Why{UsedSeq: ev.Seq, Allowed: ev.Type == eventlog.CapabilityUsed}
	var u kernel.CapUsedPayload
	if err := json.Unmarshal(ev.Payload, &u); err != nil {
		return w, err
	}
	w.Reason, w.PolicySeq = u.Reason, u.PolicySeq
	w.Decision = fmt.Sprintf("%s %s", u.Kind, u.Target)
	if !w.Allowed {
		var d kernel.CapDeniedPayload
		_ = json.Unmarshal(ev.Payload, &d)
		w.Reason, w.Rule, w.RuleIndex, w.PolicySeq = d.Reason, nil, d.Rule, d.PolicySeq
	}
	if u.Grant != "" {
		if g, ok := s.caps.Grant(u.Grant); ok {
			w.Grant, w.GrantSeq, w.IssuedBy, w.IssuedAt = &g, g.GrantedSeq, g.IssuedBy, g.GrantedAt
		}
	}
	ruleIdx := u.Rule
	if !w.Allowed {
		ruleIdx = w.RuleIndex
	}
	if ruleIdx > 0 && w.Grant == nil {
		p := capability.DefaultPolicy()
		if w.PolicySeq > 0 {
			pe, err := readEvents(context.Background(), s.events, eventlog.Query{AfterSeq: w.PolicySeq - 1, Limit: 1})
			if err == nil && len(pe) == 1 {
				var pp kernel.PolicyPayload
				if json.Unmarshal(pe[0].Payload, &pp) == nil {
					p = pp.Policy
				}
				w.IssuedBy, w.IssuedAt = "user", pe[0].At
			}
		} else {
			w.IssuedBy = "the default policy"
		}
		if ruleIdx <= len(p.Rules) {
			r := p.Rules[ruleIdx-1]
			w.Rule, w.RuleIndex = &r, ruleIdx
		}
	}
	return w, nil
}

func newID() (string, error) {
	u, err := uuid.NewV7()
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// readEvents collects the events of a query.
func readEvents(ctx context.Context, store eventlog.Store, q eventlog.Query) ([]eventlog.Event, error) {
	var out []eventlog.Event
	err := store.Read(ctx, q, func(e eventlog.Event) error {
		out = append(out, e)
		return nil
	})
	return out, err
}
