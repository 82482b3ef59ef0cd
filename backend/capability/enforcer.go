package capability

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
)

// Rule effects.
const (
	Allow = "allow"
	Ask   = "ask"
	Deny  = "deny"
)

// Rule is one line of a workspace policy.
type Rule struct {
	Kind   string `json:"kind"`
	Scope  Scope  `json:"scope"`
	Effect string `json:"effect"` // Allow, Ask or Deny
}

// Policy is a workspace's rules. Deny rules win over everything; then
// grants; then the first matching allow or ask rule; with no match the
// request is denied.
type Policy struct {
	Rules []Rule `json:"rules"`
	// MemoryOnSourceChange is what happens to the workspace's memories when
	// a file they derive from changes: "invalidate" (the default) or
	// "review" (they stay active, flagged). A memory may override it.
	MemoryOnSourceChange string `json:"memoryOnSourceChange,omitempty"`
	// Sandbox is how the workspace's commands are run.
	Sandbox SandboxPolicy `json:"sandbox"`
}

// SandboxPolicy is a workspace's settings for the commands of its runs.
type SandboxPolicy struct {
	// Env names the variables of the Studio's environment passed to a
	// command besides the fixed allowlist (PATH, LANG, LC_*, TERM, TZ …).
	Env []string `json:"env,omitempty"`
	// Limits are the workspace's defaults (a shell.exec grant may
	// override them).
	Limits Limits `json:"limits"`
	// Unsandboxed runs commands as plain children of the Studio, with
	// the user's full rights: only for machines where the sandbox cannot
	// work, by an explicit and recorded decision the UI shows in red.
	Unsandboxed bool `json:"unsandboxed,omitempty"`
}

// DefaultPolicy: reading inside the workspace and calling local models are
// allowed; writes, commands and memory writes ask; the network is denied.
func DefaultPolicy() Policy {
	return Policy{Rules: []Rule{
		{Kind: FSRead, Scope: Scope{Glob: "**"}, Effect: Allow},
		{Kind: ModelInvoke, Scope: Scope{Model: "*"}, Effect: Allow},
		{Kind: FSWrite, Scope: Scope{Glob: "**"}, Effect: Ask},
		{Kind: ShellExec, Scope: Scope{Argv: []string{"*"}}, Effect: Ask},
		{Kind: MemoryWrite, Scope: Scope{Memory: "*"}, Effect: Ask},
		{Kind: GitCommit, Effect: Ask},
		{Kind: MCPCall, Scope: Scope{Tool: "*/*"}, Effect: Ask},
		{Kind: NetHTTP, Scope: Scope{Host: "*"}, Effect: Deny},
	}}
}

// Check validates every rule.
func (p Policy) Check() error {
	if m := p.MemoryOnSourceChange; m != "" && m != "invalidate" && m != "review" {
		return fmt.Errorf("memory on source change: %q (invalidate or review)", m)
	}
	if err := p.Sandbox.Limits.Check(); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	for _, n := range p.Sandbox.Env {
		if n == "" || strings.ContainsAny(n, "=\x00") {
			return fmt.Errorf("sandbox: environment variable name %q", n)
		}
	}
	for i, r := range p.Rules {
		if r.Effect != Allow && r.Effect != Ask && r.Effect != Deny {
			return fmt.Errorf("rule %d: effect %q (allow, ask or deny)", i+1, r.Effect)
		}
		if err := r.Scope.Check(r.Kind); err != nil {
			return fmt.Errorf("rule %d: %w", i+1, err)
		}
	}
	return nil
}

// Profiles are the capability sets a run is started with, enforced by the
// kernel whatever a model asks for.
const (
	ProfileAsk   = "ask"   // read-only
	ProfileEdit  = "edit"  // reads and staged writes
	ProfileAgent = "agent" // plus commands, network, memory
)

// ProfileKinds lists the kinds each profile admits.
var ProfileKinds = map[string][]string{
	ProfileAsk:   {FSRead, ModelInvoke},
	ProfileEdit:  {FSRead, FSWrite, ModelInvoke},
	ProfileAgent: {FSRead, FSWrite, ShellExec, NetHTTP, ModelInvoke, MemoryWrite, GitCommit, MCPCall},
}

func profileAdmits(profile, kind string) bool {
	if profile == "" {
		profile = ProfileEdit
	}
	for _, k := range ProfileKinds[profile] {
		if k == kind {
			return true
		}
	}
	return false
}

// Grant is permission in force: issued on a user decision or by the
// runtime for a run the user started, bound to one run or standing for a
// workspace.
type Grant struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Scope     Scope  `json:"scope"`
	Workspace string `json:"workspace"`
	Run       string `json:"run,omitempty"`       // "" for a standing grant
	ExpiresAt int64  `json:"expiresAt,omitempty"` // unix ns; 0 never
	MaxUses   int    `json:"maxUses,omitempty"`   // 0 unlimited
	IssuedBy  string `json:"issuedBy"`            // "user" or "runtime"
	Reason    string `json:"reason"`
	// Filled from the events:
	GrantedAt  int64  `json:"grantedAt"`  // unix ns
	GrantedSeq int64  `json:"grantedSeq"` // the capability.granted event
	Uses       int    `json:"uses"`
	Revoked    bool   `json:"revoked"`
	Expired    bool   `json:"expired"`
	EndedSeq   int64  `json:"endedSeq,omitempty"` // revoked or expired
	Describe   string `json:"describe"`           // the scope in words
}

// Active reports whether a grant can authorise a use at time now.
func (g *Grant) Active(now int64) bool {
	return !g.Revoked && !g.Expired && (g.ExpiresAt == 0 || now < g.ExpiresAt) && (g.MaxUses == 0 || g.Uses < g.MaxUses)
}

// Decision is the Enforcer's answer to a request.
type Decision struct {
	Effect string `json:"effect"` // Allow, Ask or Deny
	Grant  string `json:"grant,omitempty"`
	Rule   int    `json:"rule,omitempty"`         // 1-based index in the policy, when a rule decided
	Policy int64  `json:"policySeq,omitempty"`    // the policy_changed event of that rule (0: the default policy)
	Reason string `json:"reason"`                 // in words
	Exp    string `json:"expiredGrant,omitempty"` // a grant found expired while deciding (record capability.expired)
	// DefChanged (mcp.call): the tool's definition differs from the one
	// it was allowed with; the call is refused until the user re-approves.
	DefChanged bool `json:"defChanged,omitempty"`
}

// ReasonDefChanged is why a call of a tool whose definition changed is refused.
const ReasonDefChanged = "tool definition changed since you allowed it (review the change and re-approve it in the MCP panel)"

// Pin is the definition an MCP tool was allowed with (from mcp.tool_pinned).
type Pin struct {
	Server string `json:"server"`
	Tool   string `json:"tool"`
	Hash   string `json:"hash"`
	Event  string `json:"event"` // the mcp.tool_pinned event (its blob holds the definition)
	Seq    int64  `json:"seq"`
}

var defaultPolicyAt = newPolicyAt(DefaultPolicy(), 0)

// Enforcer holds the policies and grants of every workspace and decides
// requests. It is safe for concurrent use; a revocation takes effect for
// the very next Decide.
type Enforcer struct {
	mu       sync.Mutex
	policies map[string]policyAt // by workspace
	grants   map[string]*Grant   // by id
	index    map[gkey][]*Grant   // active and ended grants by workspace and kind
	pins     map[pinKey]Pin      // mcp.call: the definition each tool was allowed with
}

type pinKey struct{ workspace, server, tool string }

// SetPin records the definition a workspace's MCP tool is pinned to (from
// mcp.tool_pinned): calls presenting another definition are refused.
func (e *Enforcer) SetPin(workspace string, p Pin) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.pins[pinKey{workspace, p.Server, p.Tool}] = p
}

// MCPPin returns the pin of a workspace's MCP tool.
func (e *Enforcer) MCPPin(workspace, server, tool string) (Pin, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.pins[pinKey{workspace, server, tool}]
	return p, ok
}

type policyAt struct {
	p   Policy
	seq int64
	idx map[string][]int // rule indexes by kind and folded bucket (see ruleBucket)
}

func newPolicyAt(p Policy, seq int64) policyAt {
	pa := policyAt{p: p, seq: seq, idx: map[string][]int{}}
	for i, r := range p.Rules {
		k := r.Kind + "\x00" + ruleBucket(r.Kind, r.Scope)
		pa.idx[k] = append(pa.idx[k], i)
	}
	return pa
}

// ruleBucket is like bucketOfScope but folded (lower case, NFC, base name
// of a program), so it serves deny rules' loose matching too.
func ruleBucket(kind string, s Scope) string {
	switch kind {
	case FSRead, FSWrite:
		g := strings.TrimPrefix(s.Glob, "./")
		first, _, ok := strings.Cut(g, "/")
		if !ok || strings.ContainsAny(first, "*?[{\\") {
			return "*"
		}
		return fold(first)
	case ShellExec:
		if len(s.Argv) > 0 && s.Argv[0] != "*" {
			return strings.ToLower(path.Base(s.Argv[0]))
		}
	}
	return "*"
}

// candidates lists, in policy order, the rules that may match r.
func (pa policyAt) candidates(r Request) []int {
	var keys []string
	switch r.Kind {
	case FSRead, FSWrite:
		if first, _, ok := strings.Cut(r.Path, "/"); ok {
			keys = append(keys, fold(first))
		}
	case ShellExec:
		keys = append(keys, strings.ToLower(path.Base(r.Argv[0])))
	}
	keys = append(keys, "*")
	var out []int
	for _, k := range keys {
		out = append(out, pa.idx[r.Kind+"\x00"+k]...)
	}
	if len(keys) > 1 {
		sort.Ints(out)
	}
	return out
}

type gkey struct{ workspace, kind, bucket string }

// NewEnforcer returns an Enforcer with no grants and default policies.
func NewEnforcer() *Enforcer {
	return &Enforcer{policies: map[string]policyAt{}, grants: map[string]*Grant{}, index: map[gkey][]*Grant{}, pins: map[pinKey]Pin{}}
}

// bucket narrows the grants a request must be compared with: for file
// globs the first path component when it is literal ("*" otherwise), for
// commands the program name, else one bucket per kind.
func bucketOfScope(kind string, s Scope) string {
	switch kind {
	case FSRead, FSWrite:
		first, _, _ := strings.Cut(strings.TrimPrefix(s.Glob, "./"), "/")
		if strings.ContainsAny(first, "*?[{\\") || !strings.Contains(strings.TrimPrefix(s.Glob, "./"), "/") {
			return "*"
		}
		return first
	case ShellExec:
		if len(s.Argv) > 0 && s.Argv[0] != "*" {
			return s.Argv[0]
		}
		return "*"
	}
	return "*"
}

func bucketsOfRequest(r Request) []string {
	switch r.Kind {
	case FSRead, FSWrite:
		if first, _, ok := strings.Cut(r.Path, "/"); ok {
			return []string{first, "*"}
		}
		return []string{"*"}
	case ShellExec:
		return []string{r.Argv[0], "*"}
	}
	return []string{"*"}
}

// SetPolicy installs a workspace's policy (from capability.policy_changed
// at seq).
func (e *Enforcer) SetPolicy(workspace string, p Policy, seq int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.policies[workspace] = newPolicyAt(p, seq)
}

// Policy returns a workspace's policy and the seq of the event that set it
// (0 for the default).
func (e *Enforcer) Policy(workspace string) (Policy, int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if pa, ok := e.policies[workspace]; ok {
		return pa.p, pa.seq
	}
	return DefaultPolicy(), 0
}

// AddGrant records a grant (from capability.granted).
func (e *Enforcer) AddGrant(g Grant) {
	e.mu.Lock()
	defer e.mu.Unlock()
	g.Describe = g.Scope.Describe(g.Kind)
	ng := &g
	e.grants[g.ID] = ng
	k := gkey{g.Workspace, g.Kind, bucketOfScope(g.Kind, g.Scope)}
	e.index[k] = append(e.index[k], ng)
}

// Used counts a use of a grant (from capability.used).
func (e *Enforcer) Used(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if g := e.grants[id]; g != nil {
		g.Uses++
	}
}

// End marks a grant revoked or expired (from capability.revoked / expired).
func (e *Enforcer) End(id string, revoked bool, seq int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if g := e.grants[id]; g != nil {
		if revoked {
			g.Revoked = true
		} else {
			g.Expired = true
		}
		g.EndedSeq = seq
	}
}

// Grant returns a copy of a grant.
func (e *Enforcer) Grant(id string) (Grant, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	g, ok := e.grants[id]
	if !ok {
		return Grant{}, false
	}
	return *g, true
}

// Grants lists a workspace's grants, newest first; ended ones only when
// all is set.
func (e *Enforcer) Grants(workspace string, now int64, all bool) []Grant {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []Grant{}
	for _, g := range e.grants {
		if g.Workspace == workspace && (all || g.Active(now)) {
			out = append(out, *g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GrantedSeq > out[j].GrantedSeq })
	return out
}

// Expired lists grants past their expiry time that are not yet recorded
// as expired.
func (e *Enforcer) Expired(now int64) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for id, g := range e.grants {
		if !g.Revoked && !g.Expired && g.ExpiresAt != 0 && now >= g.ExpiresAt {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// Decide answers a canonical request of a run (profile as the run was
// started with) at time now. An Allow through a grant counts the use at
// once, so two concurrent requests cannot both take a last use; the caller
// records capability.used (Used is for replaying those events at start).
func (e *Enforcer) Decide(workspace, run, profile string, r Request, now int64) Decision {
	return e.decide(workspace, run, profile, r, now, true)
}

// Peek is Decide without taking a use of the grant it finds: what Decide
// would answer now (the kernel asks ahead with it, for a batch of
// effects, before deciding each in turn).
func (e *Enforcer) Peek(workspace, run, profile string, r Request, now int64) Decision {
	return e.decide(workspace, run, profile, r, now, false)
}

func (e *Enforcer) decide(workspace, run, profile string, r Request, now int64, take bool) Decision {
	if !profileAdmits(profile, r.Kind) {
		if profile == "" {
			profile = ProfileEdit
		}
		return Decision{Effect: Deny, Reason: fmt.Sprintf("the run's profile %q does not include %s", profile, r.Kind)}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	pa, ok := e.policies[workspace]
	if !ok {
		pa = defaultPolicyAt
	}
	cands := pa.candidates(r)
	for _, i := range cands {
		rule := pa.p.Rules[i]
		if rule.Effect == Deny && MatchesLoosely(r.Kind, rule.Scope, r) {
			return Decision{Effect: Deny, Rule: i + 1, Policy: pa.seq,
				Reason: fmt.Sprintf("the workspace policy denies %s %s", r.Kind, rule.Scope.Describe(r.Kind))}
		}
	}
	if r.Kind == MCPCall {
		if p, ok := e.pins[pinKey{workspace, r.Server, r.Tool}]; ok && p.Hash != r.Def {
			return Decision{Effect: Deny, Reason: ReasonDefChanged, DefChanged: true}
		}
	}
	var expired string
	for _, b := range bucketsOfRequest(r) {
		for _, g := range e.index[gkey{workspace, r.Kind, b}] {
			if g.Revoked || g.Expired || (g.Run != "" && g.Run != run) || !Matches(r.Kind, g.Scope, r) {
				continue
			}
			if g.ExpiresAt != 0 && now >= g.ExpiresAt {
				expired = g.ID
				continue
			}
			if g.MaxUses != 0 && g.Uses >= g.MaxUses {
				continue
			}
			if take {
				g.Uses++ // counted now, so two requests cannot both take a last use
			}
			return Decision{Effect: Allow, Grant: g.ID, Reason: "granted: " + g.Reason, Exp: expired}
		}
	}
	for _, i := range cands {
		rule := pa.p.Rules[i]
		if rule.Effect != Deny && Matches(r.Kind, rule.Scope, r) {
			d := Decision{Effect: rule.Effect, Rule: i + 1, Policy: pa.seq, Exp: expired}
			if rule.Effect == Allow {
				d.Reason = fmt.Sprintf("the workspace policy allows %s %s", r.Kind, rule.Scope.Describe(r.Kind))
			} else {
				d.Reason = fmt.Sprintf("the workspace policy asks before %s %s", r.Kind, rule.Scope.Describe(r.Kind))
			}
			return d
		}
	}
	reason := fmt.Sprintf("no grant or policy rule allows %s %s", r.Kind, r.Target())
	if r.Kind == FSWrite && underGit(r.Path) {
		reason = "writes inside .git are refused unless a grant names .git explicitly"
	}
	return Decision{Effect: Deny, Reason: reason, Exp: expired}
}
