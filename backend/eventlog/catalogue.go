package eventlog

import "sort"

// Event types: the closed catalogue. These strings are persisted; never
// rename one — add a new type or bump its schema instead.
const (
	// run.* — the Run lifecycle (runtime facts) and the user's decisions about runs.
	RunRequested         = "run.requested"
	RunCreated           = "run.created"
	RunProvisioned       = "run.provisioned"
	RunContextResolved   = "run.context_resolved"
	RunMemoryMounted     = "run.memory_mounted"
	RunCapabilitiesBound = "run.capabilities_bound"
	RunExecutionStarted  = "run.execution_started"
	RunValidationStarted = "run.validation_started"
	RunValidationPassed  = "run.validation_passed"
	RunValidationFailed  = "run.validation_failed"
	RunCommitApproved    = "run.commit_approved"
	RunAbortRequested    = "run.abort_requested"
	RunCommitRequested   = "run.commit_requested"
	RunCommitting        = "run.committing"
	RunCommitted         = "run.committed"
	RunAborted           = "run.aborted"
	RunTerminated        = "run.terminated"
	// A partial commit (review): the user's decision of which hunks to
	// apply, its validation, and the journal and end of the write; the
	// rejected rest stays staged.
	RunReviewDecided     = "run.review_decided"
	RunReviewValidated   = "run.review_validated"
	RunPartialCommitting = "run.partial_committing"
	RunPartialCommitted  = "run.partial_committed"

	// inference.* — what a model was asked and answered (cognitive: agents propose).
	InferenceRequest      = "inference.request"
	InferenceTokenSummary = "inference.token_summary"
	InferenceResponse     = "inference.response"
	InferenceToolCall     = "inference.tool_call"
	InferencePlanStep     = "inference.plan_step"
	// InferenceTruncated is the runtime's finding that the server cut a
	// request anyway (its prompt_eval_count says it did not see it all).
	InferenceTruncated = "inference.truncated"

	// context.* — what the runtime removed from or replaced in a model's
	// context window to make a request fit (runtime facts).
	ContextTrimmed   = "context.trimmed"
	ContextCompacted = "context.compacted"

	// thread.* — conversations: threads of runs, one run per user message.
	ThreadCreated          = "thread.created"
	ThreadRenamed          = "thread.renamed"
	ThreadHidden           = "thread.hidden"
	ThreadRestoreRequested = "thread.restore_requested"
	ThreadTurnAdded        = "thread.turn_added"

	// effect.* — side effects, asserted by the runtime only.
	EffectFileRead        = "effect.file_read"
	EffectFileStaged      = "effect.file_staged"
	EffectFileWritten     = "effect.file_written"
	EffectCommandExecuted = "effect.command_executed"
	EffectHTTPRequested   = "effect.http_requested"
	// EffectGitCommitted is a git commit of a committed run's files (its
	// hash, files and message); EffectGitFailed is one git refused or
	// could not make (with git's own words).
	EffectGitCommitted = "effect.git_committed"
	EffectGitFailed    = "effect.git_failed"

	// git.* — the user's requests about the workspace's git repository.
	// GitCommitRequested is the user's request to commit a run's files
	// to git, with the message as the user edited it.
	GitCommitRequested = "git.commit_requested"

	// capability.* — requests (agents), decisions (user), grants and uses (runtime).
	CapabilityRequested = "capability.requested"
	CapabilityApproved  = "capability.approved"
	CapabilityRefused   = "capability.refused"
	CapabilityGranted   = "capability.granted"
	CapabilityDenied    = "capability.denied"
	CapabilityUsed      = "capability.used"
	CapabilityRevoked   = "capability.revoked"
	CapabilityExpired   = "capability.expired"
	PolicyChanged       = "capability.policy_changed"

	// memory.* — proposals (agents), decisions and notes (user), lifecycle (runtime).
	MemoryProposed    = "memory.proposed"
	MemoryAccepted    = "memory.accepted"
	MemoryRejected    = "memory.rejected"
	MemoryNoteWritten = "memory.note_written"
	MemoryPromoted    = "memory.promoted"
	MemorySuperseded  = "memory.superseded"
	MemoryDeprecated  = "memory.deprecated"
	MemoryExpired     = "memory.expired"
	MemoryInvalidated = "memory.invalidated"

	// workspace.* — project folders.
	WorkspaceOpened      = "workspace.opened"
	WorkspaceScanned     = "workspace.scanned"
	WorkspaceFileChanged = "workspace.file_changed"
	WorkspaceIndexed     = "workspace.indexed"
	WorkspaceClosed      = "workspace.closed"
	WorkspaceForgotten   = "workspace.forgotten"

	// model.* — local models.
	ModelPullRequested   = "model.pull_requested"
	ModelPullStarted     = "model.pull_started"
	ModelPullProgress    = "model.pull_progress"
	ModelPullCompleted   = "model.pull_completed"
	ModelPullFailed      = "model.pull_failed"
	ModelDeleteRequested = "model.delete_requested"
	ModelDeleted         = "model.deleted"

	// settings.* — the Studio's settings (settings.json).
	// SettingsChanged is the user's change of settings that affect runs
	// (default models, context window, validation default, budgets, endpoint).
	SettingsChanged = "settings.changed"

	// mcp.* — tools from Model Context Protocol servers.
	// EffectMCPCalled is one tool call of a run (server, tool, the
	// definition hash it was allowed under, arguments and result as blobs,
	// duration, isError).
	EffectMCPCalled = "effect.mcp_called"
	// MCPToolPinned records the definition (hash, and the definition as a
	// blob) a tool was first allowed with (by the runtime), or re-approved
	// with after a change (by the user).
	MCPToolPinned = "mcp.tool_pinned"
	// MCPServerApproved is the user's approval of a project's own server
	// (.mcp.json): its exact command line, by fingerprint.
	MCPServerApproved = "mcp.server_approved"
	// MCPConfigChanged is the user's change of the servers configured (the
	// configuration without its headers: no token reaches the log).
	MCPConfigChanged = "mcp.config_changed"
	// The Studio started a server, stopped it, or saw it end on its own.
	MCPServerStarted = "mcp.server_started"
	MCPServerStopped = "mcp.server_stopped"
	MCPServerCrashed = "mcp.server_crashed"

	// log.* — the log about itself.
	// LogAnchored records that the replica (an external witness, URL
	// without secrets) is known to hold the log up to {seq, hash}.
	LogAnchored = "log.anchored"
)

// TypeInfo describes one catalogue entry.
type TypeInfo struct {
	Type    string    `json:"type"`
	Family  string    `json:"family"`
	Schema  int       `json:"schema"` // current payload schema version
	Allowed Authority `json:"-"`
}

// Catalogue is the closed set of event types with their authority.
type Catalogue struct {
	types map[string]TypeInfo
}

// Lookup returns the entry for typ.
func (c *Catalogue) Lookup(typ string) (TypeInfo, bool) {
	t, ok := c.types[typ]
	return t, ok
}

// Types returns every type name, sorted.
func (c *Catalogue) Types() []string {
	out := make([]string, 0, len(c.types))
	for t := range c.types {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// NewCatalogue builds a catalogue from entries (tests build small ones).
func NewCatalogue(entries ...TypeInfo) *Catalogue {
	c := &Catalogue{types: make(map[string]TypeInfo, len(entries))}
	for _, e := range entries {
		if e.Schema == 0 {
			e.Schema = 1
		}
		c.types[e.Type] = e
	}
	return c
}

func family(f string, a Authority, types ...string) []TypeInfo {
	out := make([]TypeInfo, len(types))
	for i, t := range types {
		out[i] = TypeInfo{Type: t, Family: f, Schema: 1, Allowed: a}
	}
	return out
}

// DefaultCatalogue is ICE Studio's catalogue: agents propose (cognitive
// events), the user decides (requests, approvals, denials), and only the
// runtime asserts facts (lifecycle, effects, grants, promotion).
func DefaultCatalogue() *Catalogue {
	var all []TypeInfo
	all = append(all, family("run", User, RunRequested, RunCommitApproved, RunAbortRequested)...)
	all = append(all, family("run", User, RunReviewDecided)...)
	all = append(all, family("run", Runtime, RunReviewValidated, RunPartialCommitting, RunPartialCommitted)...)
	all = append(all, family("run", Runtime, RunCreated, RunProvisioned, RunContextResolved, RunMemoryMounted,
		RunCapabilitiesBound, RunExecutionStarted, RunValidationStarted, RunValidationPassed, RunValidationFailed,
		RunCommitRequested, RunCommitting, RunCommitted, RunAborted, RunTerminated)...)
	all = append(all, family("inference", Agent, InferenceRequest, InferenceTokenSummary, InferenceResponse,
		InferenceToolCall, InferencePlanStep)...)
	all = append(all, family("inference", Runtime, InferenceTruncated)...)
	all = append(all, family("context", Runtime, ContextTrimmed, ContextCompacted)...)
	all = append(all, family("thread", User, ThreadCreated, ThreadRenamed, ThreadHidden, ThreadRestoreRequested)...)
	all = append(all, family("thread", Runtime, ThreadTurnAdded)...)
	all = append(all, family("effect", Runtime, EffectFileRead, EffectFileStaged, EffectFileWritten,
		EffectCommandExecuted, EffectHTTPRequested)...)
	all = append(all, family("capability", Agent, CapabilityRequested)...)
	all = append(all, family("capability", User, CapabilityApproved, CapabilityRefused, PolicyChanged)...)
	all = append(all, family("capability", Runtime, CapabilityGranted, CapabilityDenied, CapabilityUsed,
		CapabilityRevoked, CapabilityExpired)...)
	all = append(all, family("memory", Agent, MemoryProposed)...)
	all = append(all, family("memory", User, MemoryAccepted, MemoryRejected, MemoryNoteWritten)...)
	all = append(all, family("memory", Runtime, MemoryPromoted, MemorySuperseded, MemoryDeprecated,
		MemoryExpired, MemoryInvalidated)...)
	all = append(all, family("workspace", Runtime, WorkspaceOpened, WorkspaceScanned, WorkspaceFileChanged,
		WorkspaceIndexed, WorkspaceClosed)...)
	all = append(all, family("workspace", User, WorkspaceForgotten)...)
	all = append(all, family("model", User, ModelPullRequested, ModelDeleteRequested)...)
	all = append(all, family("model", Runtime, ModelPullStarted, ModelPullProgress, ModelPullCompleted,
		ModelPullFailed, ModelDeleted)...)
	all = append(all, family("settings", User, SettingsChanged)...)
	all = append(all, family("effect", Runtime, EffectGitCommitted, EffectGitFailed)...)
	all = append(all, family("git", User, GitCommitRequested)...)
	all = append(all, family("effect", Runtime, EffectMCPCalled)...)
	all = append(all, family("mcp", User|Runtime, MCPToolPinned)...)
	all = append(all, family("mcp", User, MCPServerApproved, MCPConfigChanged)...)
	all = append(all, family("mcp", Runtime, MCPServerStarted, MCPServerStopped, MCPServerCrashed)...)
	all = append(all, family("log", Runtime, LogAnchored)...)
	return NewCatalogue(all...)
}
