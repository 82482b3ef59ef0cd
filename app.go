package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/ice-studio/ice-studio/backend/capability"
	"github.com/ice-studio/ice-studio/backend/eventlog"
	"github.com/ice-studio/ice-studio/backend/kernel"
	"github.com/ice-studio/ice-studio/backend/memory"
	"github.com/ice-studio/ice-studio/backend/ollama"
	"github.com/ice-studio/ice-studio/backend/search"
	"github.com/ice-studio/ice-studio/backend/studio"
	"github.com/ice-studio/ice-studio/backend/workspace"
)

// errNotDesktop is returned by calls that need the native window.
var errNotDesktop = errors.New("this needs the desktop app; in the browser, type the folder's path")

// App is the object bound to the frontend. Its exported methods are the
// whole backend API, in the desktop window (Wails bindings) and in `serve`
// (HTTP), so both modes call the very same code. It holds no domain logic.
type App struct {
	studio  *studio.Studio
	desktop bool
	ctx     context.Context
	stop    context.CancelFunc
}

// NewApp binds s; desktop says whether a Wails window is behind it.
func NewApp(s *studio.Studio, desktop bool) *App {
	return &App{studio: s, desktop: desktop, ctx: context.Background()}
}

// startup is the Wails OnStartup hook: open the backend and forward its
// notifications to the window as Wails events.
func (a *App) startup(ctx context.Context) {
	a.ctx = ctx
	if err := a.studio.Open(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "ice-studio:", err)
		_, _ = runtime.MessageDialog(ctx, runtime.MessageDialogOptions{
			Type: runtime.ErrorDialog, Title: "ICE Studio cannot start", Message: err.Error(),
		})
		runtime.Quit(ctx)
		return
	}
	printNotices(a.studio)
	runtime.OnFileDrop(ctx, func(_, _ int, paths []string) { a.dropped(paths) })
	fctx, stop := context.WithCancel(ctx)
	a.stop = stop
	msgs, unsubscribe := a.studio.Bus().Subscribe(256)
	go func() {
		defer unsubscribe()
		for {
			select {
			case <-fctx.Done():
				return
			case m := <-msgs:
				runtime.EventsEmit(ctx, m.Name, m.Data)
			}
		}
	}()
}

// shutdown is the Wails OnShutdown hook.
func (a *App) shutdown(ctx context.Context) {
	if a.stop != nil {
		a.stop()
	}
	if err := a.studio.Close(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "ice-studio:", err)
	}
}

// dropped opens folders dropped on the window; a dropped file opens the
// folder it is in.
func (a *App) dropped(paths []string) {
	for _, p := range paths {
		_, _ = a.studio.OpenDropped(p) // a failure is published as a notice

	}
}

func printNotices(s *studio.Studio) {
	for _, n := range s.Notices() {
		fmt.Fprintln(os.Stderr, "ice-studio:", n)
	}
}

// Startup returns everything the first screen shows.
func (a *App) Startup() (studio.StartupResponse, error) { return a.studio.Startup() }

// OllamaStatus checks the Ollama server now.
func (a *App) OllamaStatus() ollama.Status { return a.studio.OllamaStatus(a.ctx) }

// OpenFolder opens a folder as a workspace.
func (a *App) OpenFolder(req studio.OpenFolderRequest) (studio.Workspace, error) {
	return a.studio.OpenFolder(req)
}

// ChooseFolder shows the native folder dialog and returns the chosen path,
// or "" when the user cancelled.
func (a *App) ChooseFolder() (string, error) {
	if !a.desktop {
		return "", errNotDesktop
	}
	return runtime.OpenDirectoryDialog(a.ctx, runtime.OpenDialogOptions{Title: "Open folder", CanCreateDirectories: true})
}

// RecentFolders lists recently opened folders.
func (a *App) RecentFolders() ([]workspace.RecentFolder, error) { return a.studio.RecentFolders() }

// ForgetRecent removes a folder from the recent list.
func (a *App) ForgetRecent(req studio.ForgetRecentRequest) ([]workspace.RecentFolder, error) {
	return a.studio.ForgetRecent(req)
}

// ListDir lists one directory of an open workspace.
func (a *App) ListDir(req studio.ListDirRequest) (workspace.Listing, error) {
	return a.studio.ListDir(req)
}

// FrontendReady is called by the UI once it has loaded.
func (a *App) FrontendReady(req studio.FrontendReadyRequest) error {
	return a.studio.FrontendReady(req)
}

// ListEvents returns one window of the (filtered) event log.
func (a *App) ListEvents(req studio.ListEventsRequest) (studio.EventPage, error) {
	return a.studio.ListEvents(req)
}

// GetEvent returns one event in full.
func (a *App) GetEvent(req studio.GetEventRequest) (studio.EventDetail, error) {
	return a.studio.GetEvent(req)
}

// EventFacets lists the values the event inspector's filters offer.
func (a *App) EventFacets() (studio.EventFacets, error) { return a.studio.EventFacets() }

// VerifyLog checks the whole event log's hash chain, catalogue and authority.
func (a *App) VerifyLog() (eventlog.VerifyReport, error) { return a.studio.VerifyLog() }

// ListRuns lists runs, newest first.
func (a *App) ListRuns(req studio.ListRunsRequest) ([]kernel.RunInfo, error) {
	return a.studio.ListRuns(req)
}

// GetRun returns a run and its staged changes.
func (a *App) GetRun(req studio.RunRequest) (studio.RunDetail, error) { return a.studio.GetRun(req) }

// StartEditRun starts a run that stages the user's edit of one file.
func (a *App) StartEditRun(req studio.StartEditRunRequest) (kernel.RunInfo, error) {
	return a.studio.StartEditRun(req)
}

// StartReplaceRun starts a find-and-replace run.
func (a *App) StartReplaceRun(req studio.StartReplaceRunRequest) (kernel.RunInfo, error) {
	return a.studio.StartReplaceRun(req)
}

// StartAgentRun starts a run in which a local model works on a task with
// the tools its profile admits; its changes are staged for review.
func (a *App) StartAgentRun(req studio.StartAgentRunRequest) (kernel.RunInfo, error) {
	return a.studio.StartAgentRun(req)
}

// GetTranscript returns an agent run's steps as the log recorded them.
func (a *App) GetTranscript(req studio.RunRequest) (studio.Transcript, error) {
	return a.studio.GetTranscript(req)
}

// SendMessage sends a message to a conversation (a new thread without a
// thread id): a new turn, whose context carries the earlier ones.
func (a *App) SendMessage(req studio.SendMessageRequest) (studio.SendResult, error) {
	return a.studio.SendMessage(req)
}

// ListThreads lists a workspace's conversations.
func (a *App) ListThreads(req studio.ListThreadsRequest) ([]studio.ThreadSummary, error) {
	return a.studio.ListThreads(req)
}

// GetThread returns a conversation with its turns.
func (a *App) GetThread(req studio.ThreadRequest) (studio.ThreadView, error) {
	return a.studio.GetThread(req)
}

// RetryTurn tries a conversation's failed last turn again.
func (a *App) RetryTurn(req studio.RetryRequest) (studio.SendResult, error) {
	return a.studio.RetryTurn(req)
}

// CompactThread summarises a conversation so far (/compact).
func (a *App) CompactThread(req studio.CompactRequest) (studio.SendResult, error) {
	return a.studio.CompactThread(req)
}

// ForkThread starts a new conversation from a turn of another.
func (a *App) ForkThread(req studio.ForkRequest) (studio.ThreadView, error) {
	return a.studio.ForkThread(req)
}

// RestoreThread brings the files back to how they were after a turn.
func (a *App) RestoreThread(req studio.RestoreRequest) (studio.ThreadView, error) {
	return a.studio.RestoreThread(req)
}

// RenameThread renames a conversation.
func (a *App) RenameThread(req studio.RenameThreadRequest) (kernel.ThreadInfo, error) {
	return a.studio.RenameThread(req)
}

// DeleteThread hides a conversation (the log keeps it).
func (a *App) DeleteThread(req studio.ThreadRequest) (kernel.ThreadInfo, error) {
	return a.studio.DeleteThread(req)
}

// GetInferenceRequest returns exactly what the model was sent at one step.
func (a *App) GetInferenceRequest(req studio.InferenceStepRequest) (studio.InferenceRequestView, error) {
	return a.studio.GetInferenceRequest(req)
}

// ApproveRun approves and commits a validated run.
func (a *App) ApproveRun(req studio.RunRequest) (kernel.RunInfo, error) {
	return a.studio.ApproveRun(req)
}

// AbortRun aborts a run.
func (a *App) AbortRun(req studio.AbortRunRequest) (kernel.RunInfo, error) {
	return a.studio.AbortRun(req)
}

// RevertRun starts a run that undoes a committed run.
func (a *App) RevertRun(req studio.RunRequest) (kernel.RunInfo, error) {
	return a.studio.RevertRun(req)
}

// ReadFile returns a workspace file's text for the viewer.
func (a *App) ReadFile(req studio.ReadFileRequest) (studio.FileContent, error) {
	return a.studio.ReadFile(req)
}

// ReadBlob returns a blob of the log's content store as text.
func (a *App) ReadBlob(req studio.ReadBlobRequest) (studio.BlobText, error) {
	return a.studio.ReadBlob(req)
}

// CloseWorkspace stops watching a workspace and closes it.
func (a *App) CloseWorkspace(req studio.WorkspaceRequest) error { return a.studio.CloseWorkspace(req) }

// WorkspaceStatus returns a workspace's watch and index status.
func (a *App) WorkspaceStatus(req studio.WorkspaceRequest) (studio.WorkspaceStatus, error) {
	return a.studio.WorkspaceStatus(req)
}

// StartSearch starts a text search; results arrive as search.results events.
func (a *App) StartSearch(req studio.SearchRequest) (studio.SearchStarted, error) {
	return a.studio.StartSearch(req)
}

// CancelSearch stops a running search.
func (a *App) CancelSearch(req studio.CancelSearchRequest) error { return a.studio.CancelSearch(req) }

// FindFiles ranks the workspace's files for quick-open.
func (a *App) FindFiles(req studio.FindFilesRequest) ([]search.FileMatch, error) {
	return a.studio.FindFiles(req)
}

// CapabilityState returns a workspace's policy, grants and pending approvals.
func (a *App) CapabilityState(req studio.WorkspaceRequest) (studio.CapabilityState, error) {
	return a.studio.CapabilityState(req)
}

// SetPolicy records a workspace's new capability policy.
func (a *App) SetPolicy(req studio.SetPolicyRequest) (studio.CapabilityState, error) {
	return a.studio.SetPolicy(req)
}

// Grant issues a standing grant for a workspace.
func (a *App) Grant(req studio.GrantRequest) (capability.Grant, error) { return a.studio.Grant(req) }

// Revoke ends a grant.
func (a *App) Revoke(req studio.RevokeRequest) error { return a.studio.Revoke(req) }

// AnswerCapability records the user's decision on a run's request.
func (a *App) AnswerCapability(req studio.AnswerRequest) error { return a.studio.AnswerCapability(req) }

// WhyAllowed explains what allowed or refused an effect event.
func (a *App) WhyAllowed(req studio.WhyRequest) (studio.Why, error) { return a.studio.WhyAllowed(req) }

// MemoryList lists or searches memories.
func (a *App) MemoryList(req studio.MemoryListRequest) ([]memory.Memory, error) {
	return a.studio.MemoryList(req)
}

// MemoryHistory returns every version of a memory.
func (a *App) MemoryHistory(req studio.MemoryRef) ([]memory.Memory, error) {
	return a.studio.MemoryHistory(req)
}

// WriteNote records the user's note as a memory.
func (a *App) WriteNote(req studio.NoteRequest) (memory.Memory, error) {
	return a.studio.WriteNote(req)
}

// SupersedeMemory records a new version of a memory.
func (a *App) SupersedeMemory(req studio.SupersedeRequest) (memory.Memory, error) {
	return a.studio.SupersedeMemory(req)
}

// DeprecateMemory retires a memory version.
func (a *App) DeprecateMemory(req studio.MemoryRef) error { return a.studio.DeprecateMemory(req) }

// PromoteRun promotes a committed run's output into a memory.
func (a *App) PromoteRun(req studio.PromoteRunRequest) (memory.Memory, error) {
	return a.studio.PromoteRun(req)
}

// MemoryProposals lists a workspace's review queue.
func (a *App) MemoryProposals(req studio.WorkspaceRequest) ([]memory.Proposal, error) {
	return a.studio.MemoryProposals(req)
}

// DecideProposal accepts or rejects a memory proposal.
func (a *App) DecideProposal(req studio.ProposalDecision) (memory.Memory, error) {
	return a.studio.DecideProposal(req)
}

// GetMemorySettings returns the embedding model and index size.
func (a *App) GetMemorySettings() studio.MemorySettings { return a.studio.GetMemorySettings() }

// SetMemorySettings chooses the embedding model.
func (a *App) SetMemorySettings(req studio.MemorySettingsRequest) (studio.MemorySettings, error) {
	return a.studio.SetMemorySettings(req)
}

// StartOllama starts `ollama serve` when Ollama is installed but not running.
func (a *App) StartOllama() (ollama.Status, error) { return a.studio.StartOllama(a.ctx) }

// ListModels returns the installed models, pulls and default models.
func (a *App) ListModels() studio.ModelsState { return a.studio.ListModels(a.ctx) }

// PullModel starts downloading a model.
func (a *App) PullModel(req studio.ModelRequest) (studio.PullState, error) {
	return a.studio.PullModel(req)
}

// CancelPull stops a model download.
func (a *App) CancelPull(req studio.ModelRequest) error { return a.studio.CancelPull(req) }

// DeleteModel removes an installed model.
func (a *App) DeleteModel(req studio.ModelRequest) error { return a.studio.DeleteModel(req) }

// SetDefaultModels chooses the default chat and embedding models.
func (a *App) SetDefaultModels(req studio.DefaultModelsRequest) (studio.ModelsState, error) {
	return a.studio.SetDefaultModels(req)
}

// SandboxStatus reports what the command sandbox can do on this machine.
func (a *App) SandboxStatus() studio.SandboxState { return a.studio.SandboxStatus() }
