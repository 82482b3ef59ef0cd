package kernel

// Payloads of the run events the kernel emits. Field names are persisted.

import "github.com/ice-studio/ice-studio/backend/capability"

// Budget bounds a run; zero fields get defaults.
type Budget struct {
	MaxSteps    int   `json:"maxSteps"`    // worker operations (reads, stages, listings)
	MaxTokens   int   `json:"maxTokens"`   // model tokens (0: no limit)
	WallClockMs int64 `json:"wallClockMs"` // execution time
}

// RequestedPayload is run.requested: what the user asked for.
type RequestedPayload struct {
	Worker string `json:"worker"`
	Task   string `json:"task"`
}

// CreatedPayload is run.created.
type CreatedPayload struct {
	Worker            string   `json:"worker"`
	Task              string   `json:"task"`
	Budget            Budget   `json:"budget"`
	AutoCommit        bool     `json:"autoCommit"`
	ValidationCommand []string `json:"validationCommand"`
	RevertOf          string   `json:"revertOf"`
	Profile           string   `json:"profile,omitempty"` // capability profile ("" in runs from before profiles: edit)
	Model             string   `json:"model,omitempty"`   // the model an agent run works with
	// Thread and Turn place the run in a conversation ("" and 0: none).
	Thread string `json:"thread,omitempty"`
	Turn   int    `json:"turn,omitempty"`
}

// FileRef names a file and the content hash seen.
type FileRef struct {
	Path string `json:"path"`
	Hash string `json:"hash"` // SHA-256 hex of the content; "" when the file does not exist
	// Folder: a folder named for the context (its listing was given).
	Folder bool `json:"folder,omitempty"`
}

// ContextPayload is run.context_resolved: everything a run's context
// holds besides memory and the system prompt's fixed text.
type ContextPayload struct {
	// Files are the files asked for up front (a conversation's @-files),
	// read through fs.read, with the content seen.
	Files []FileRef `json:"files"`
	// Thread and Turn: the conversation this run is a turn of.
	Thread string `json:"thread,omitempty"`
	Turn   int    `json:"turn,omitempty"`
	// History is the earlier turns' messages carried into this one, in
	// order (blob addresses of api.Message JSON); Summaries are those of
	// them that are compactions of still earlier ones.
	History   []string `json:"history,omitempty"`
	Summaries []string `json:"summaries,omitempty"`
	// Rules are the project rules files read (AGENTS.md and fallbacks).
	Rules []FileRef `json:"rules,omitempty"`
	// Selection is editor text the user sent with the message.
	Selection *Selection `json:"selection,omitempty"`
	// Carried: the staged changes of an earlier turn this run took over.
	Carried *Carried `json:"carried,omitempty"`
}

// Selection is a piece of a file the user selected in the editor and
// sent with a message (the text as the editor had it, maybe unsaved).
type Selection struct {
	Path      string `json:"path"`
	StartLine int    `json:"startLine"`
	EndLine   int    `json:"endLine"`
	Text      string `json:"-"`
	Blob      string `json:"blob"` // blob address of the text
}

// Carried names the run whose staged changes a follow-up took over.
type Carried struct {
	Run   string   `json:"run"`
	Files []string `json:"files"`
}

// HistoryMessage is one earlier message of a thread carried into a run.
type HistoryMessage struct {
	Message []byte // JSON of an api.Message
	Summary bool   // a compaction of earlier messages
	// Stored: read from the blob store (not stored again).
	Stored bool
}

// MemoryPayload is run.memory_mounted: exactly the memory versions put in
// the run's context ("id@version"), and their text as given to the worker.
type MemoryPayload struct {
	Memories []string  `json:"memories"`
	Items    []Mounted `json:"items,omitempty"`
}

// Mounted is one memory version in a run's context.
type Mounted struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Kind    string `json:"kind"`
	Content string `json:"content"`
}

// CapabilitiesPayload is run.capabilities_bound: the run's profile and the
// kinds of effect it admits.
type CapabilitiesPayload struct {
	Profile string   `json:"profile,omitempty"`
	Policy  string   `json:"policy"`
	Allows  []string `json:"allows"`
}

// FileReadPayload is effect.file_read.
type FileReadPayload struct {
	Path string `json:"path"` // the real path (links resolved)
	Hash string `json:"hash"`
	Size int64  `json:"size"`
	Via  string `json:"via,omitempty"` // the path as asked, when links led elsewhere
}

// The capability.used event that authorised an effect is the run's event
// just before it (see Studio.WhyAllowed).

// Staged operations.
const (
	OpWrite  = "write"
	OpDelete = "delete"
)

// StagedPayload is effect.file_staged. Base is the content the run expects
// on disk ("" for absent), After the content it proposes ("" for a delete);
// both are blob addresses.
type StagedPayload struct {
	Path  string `json:"path"` // the real path (links resolved)
	Op    string `json:"op"`
	Base  string `json:"base"`
	After string `json:"after"`
	Size  int64  `json:"size"`
	Via   string `json:"via,omitempty"` // the path as asked, when links led elsewhere
}

// Conflict is a staged file whose disk content is no longer the base.
type Conflict struct {
	Path     string `json:"path"`
	Expected string `json:"expected"`
	Found    string `json:"found"`
}

// ValidationPayload is run.validation_passed / run.validation_failed.
type ValidationPayload struct {
	Reason    string     `json:"reason"`
	Conflicts []Conflict `json:"conflicts"`
	ExitCode  int        `json:"exitCode"`
	Output    string     `json:"output"` // blob address of the command's output
}

// CommandPayload is effect.command_executed: one command of a run, run
// in the kernel's sandbox, and everything it did that the kernel saw.
type CommandPayload struct {
	Argv       []string `json:"argv"`
	Dir        string   `json:"dir"`
	ExitCode   int      `json:"exitCode"`
	TimedOut   bool     `json:"timedOut"`
	DurationMs int64    `json:"durationMs"`
	Output     string   `json:"output"` // blob address
	OutputSize int64    `json:"outputSize"`
	// Purpose is "validation" (the run's validation command) or "tool"
	// (a worker's command).
	Purpose string `json:"purpose,omitempty"`
	// Sandbox is the workspace view the command had: overlayfs,
	// fuse-overlayfs, copy, or unsandboxed (by the workspace's setting).
	Sandbox string `json:"sandbox,omitempty"`
	// Layers are the second layers in force (Landlock, seccomp).
	Layers []string `json:"layers,omitempty"`
	// Limits in force, and the one it was killed for ("" none).
	Limits     capability.Limits `json:"limits"`
	Limit      string            `json:"limit,omitempty"`
	Signal     string            `json:"signal,omitempty"`
	CPUTimeMs  int64             `json:"cpuTimeMs"`
	PeakMemory int64             `json:"peakMemoryBytes"`
	StartUs    int64             `json:"startUs"` // from "allowed" to the command's exec
	// Network lists every connection the command asked the kernel's
	// proxy for, with the decision and the event that records it.
	Network []NetDecision `json:"network,omitempty"`
	// Changes are the files it changed in its view of the workspace and
	// what became of each (staged, refused, discarded).
	Changes []CommandChange `json:"changes,omitempty"`
}

// NetDecision is one connection a command asked for.
type NetDecision struct {
	Target  string `json:"target"` // host:port
	Allowed bool   `json:"allowed"`
	Event   string `json:"event,omitempty"` // the capability.used / capability.denied event
	Reason  string `json:"reason,omitempty"`
}

// What became of a command's file change.
const (
	ChangeStaged      = "staged"      // a staged write of the run, waiting for Commit
	ChangeRefused     = "refused"     // fs.write refused it (recorded as capability.denied)
	ChangeDiscarded   = "discarded"   // a validation command's change: shown, never applied
	ChangeUnsupported = "unsupported" // a symbolic link, a device: not staged
)

// CommandChange is one file a command changed.
type CommandChange struct {
	Path    string `json:"path"`
	Op      string `json:"op"` // write or delete
	Size    int64  `json:"size,omitempty"`
	After   string `json:"after,omitempty"` // blob address of the new content
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
}

// JournalEntry is one file of a commit.
type JournalEntry struct {
	Path   string `json:"path"`
	Op     string `json:"op"`
	Before string `json:"before"` // blob address of the content before ("" absent)
	After  string `json:"after"`  // blob address after ("" deleted)
	// NewDirs are the folders the write creates (deepest last), removed
	// again by a roll-back.
	NewDirs []string `json:"newDirs,omitempty"`
}

// CommittingPayload is run.committing: the journal that makes recovery possible.
type CommittingPayload struct {
	Files []JournalEntry `json:"files"`
}

// WrittenPayload is effect.file_written.
type WrittenPayload struct {
	Path   string `json:"path"`
	Op     string `json:"op"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// ReasonPayload is run.aborted, run.abort_requested, run.committed and run.terminated.
type ReasonPayload struct {
	Reason string `json:"reason"`
}

// Proposal is a memory a worker proposes; it waits for the user's review.
type Proposal struct {
	Worker     string  `json:"worker"`
	Workspace  string  `json:"workspace"`
	Run        string  `json:"run"`
	Kind       string  `json:"kind"`
	Scope      string  `json:"scope"`
	Content    string  `json:"content"`
	Confidence float64 `json:"confidence"`
}

// ReviewFile is one file of the user's review of a run's staged changes:
// which of its hunks (by their content hashes, Hunk.ID) were accepted and
// which rejected.
type ReviewFile struct {
	Path     string   `json:"path"`
	Op       string   `json:"op"`       // create, modify or delete
	Decision string   `json:"decision"` // accepted, rejected or partial
	Accepted []string `json:"accepted"`
	Rejected []string `json:"rejected"`
}

// ReviewDecidedPayload is run.review_decided: the user's decision to
// commit part of a validated run, recorded before anything is applied.
type ReviewDecidedPayload struct {
	Files    []ReviewFile `json:"files"`
	Accepted int          `json:"accepted"` // hunks
	Rejected int          `json:"rejected"`
}

// ReviewValidatedPayload is run.review_validated: the validation command's
// verdict on the accepted part (the files as the partial commit would
// leave them).
type ReviewValidatedPayload struct {
	Passed bool `json:"passed"`
	ValidationPayload
}

// PartialFile is one file a partial commit wrote.
type PartialFile struct {
	Path string `json:"path"`
	// Base is the content now on disk: the new base of what stays staged.
	Base string `json:"base"`
	// Remaining says rejected hunks of the file stay staged.
	Remaining bool `json:"remaining"`
}

// PartialCommittedPayload is run.partial_committed: the accepted part is
// written; the run is validated again with the rest staged.
type PartialCommittedPayload struct {
	Reason string        `json:"reason"`
	Files  []PartialFile `json:"files"`
}

// GitCommitRequestedPayload is git.commit_requested: the user asked to
// commit a committed run's files to git with this message.
type GitCommitRequestedPayload struct {
	Message string   `json:"message"`
	Files   []string `json:"files"`
}

// GitCommittedPayload is effect.git_committed: the commit git made.
type GitCommittedPayload struct {
	Hash    string   `json:"hash"`
	Branch  string   `json:"branch,omitempty"` // "" on a detached HEAD
	Files   []string `json:"files"`            // in the commit (files the run left as they were committed are not)
	Message string   `json:"message"`
}

// GitFailedPayload is effect.git_failed: the commit was not made, and why.
type GitFailedPayload struct {
	Files   []string `json:"files"`
	Message string   `json:"message"`
	Error   string   `json:"error"`
	Stderr  string   `json:"stderr,omitempty"` // what git said (hooks, identity)
	Code    int      `json:"code,omitempty"`   // git's exit code
}
