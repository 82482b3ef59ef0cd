// What the UI does, in one place: each action calls the bridge and records
// the outcome in the store; failures become toasts, never silent.
import { api, errorMessage, Events, inWails, on, transportKind, type Api, type RunInfo, type SendResult, type ThreadInfo, type ThreadView } from './bridge';
import { store, type Store } from './store';
import { commands } from './commands';
import type { Settings, SettingsPatch } from './bridge';

export async function loadStartup(s: Store = store): Promise<void> {
  try {
    const st = await api.Startup();
    s.update({
      loading: false,
      loadError: null,
      info: st.info,
      recent: st.recent,
      workspaces: st.workspaces,
      notices: st.notices,
      // A folder given on the command line opens straight into the Studio.
      activeWorkspace: s.get().activeWorkspace ?? st.workspaces.at(-1)?.id ?? null,
    });
  } catch (err) {
    s.update({ loading: false, loadError: errorMessage(err) });
    return;
  }
  // Readiness is reported once the first screen has been painted; what it
  // does not need (Ollama's state, the sandbox's) is asked for after.
  await painted();
  void refreshOllama(s);
  void loadSandboxStatus(s);
  api
    .FrontendReady({ transport: transportKind(), userAgent: navigator.userAgent })
    .catch((err: unknown) => s.toast('error', `Could not report readiness: ${errorMessage(err)}`));
}

/** painted resolves after the next frame is drawn (or soon, where frames are not drawn: a hidden page, a test). */
function painted(): Promise<void> {
  return new Promise((resolve) => {
    const done = setTimeout(resolve, 100);
    if (typeof requestAnimationFrame !== 'function') return;
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(done);
        resolve();
      }, 0),
    );
  });
}

export async function refreshOllama(s: Store = store): Promise<void> {
  try {
    s.update({ ollama: await api.OllamaStatus() });
  } catch (err) {
    s.toast('error', `Could not check Ollama: ${errorMessage(err)}`);
  }
}

/**
 * loadSandboxStatus asks what the machine's command sandbox can do and which
 * workspaces run commands unsandboxed: at start and after a policy change.
 */
export async function loadSandboxStatus(s: Store = store): Promise<void> {
  try {
    s.update({ sandbox: await api.SandboxStatus() });
  } catch (err) {
    s.toast('error', `Could not check the command sandbox: ${errorMessage(err)}`);
  }
}

/** startOllama starts `ollama serve` (installed but not running) and shows the result. */
export async function startOllama(s: Store = store): Promise<void> {
  try {
    s.update({ ollama: await api.StartOllama() });
    s.toast('info', 'Ollama is running.');
  } catch (err) {
    s.toast('error', `Could not start Ollama: ${errorMessage(err)}`);
    await refreshOllama(s);
  }
}

/**
 * openFolder opens path as a workspace; it returns the error text, if any.
 * inline says the caller shows that error itself; otherwise it is a toast.
 * Opening takes away the toasts of earlier failed opens.
 */
export async function openFolder(path: string, s: Store = store, { inline = false } = {}): Promise<string | null> {
  try {
    const ws = await api.OpenFolder({ path });
    s.dismissTopic('open');
    s.openWorkspace(ws);
    return null;
  } catch (err) {
    const msg = errorMessage(err);
    if (!inline) s.toast('error', msg, 'open');
    return msg;
  }
}

/** chooseFolder shows the native dialog (desktop only) and opens the choice. */
export async function chooseFolder(s: Store = store): Promise<void> {
  try {
    const path = await api.ChooseFolder();
    if (path) await openFolder(path, s);
  } catch (err) {
    s.toast('error', errorMessage(err));
  }
}

export async function forgetRecent(path: string, s: Store = store): Promise<void> {
  try {
    s.update({ recent: await api.ForgetRecent({ path }) });
  } catch (err) {
    s.toast('error', errorMessage(err));
  }
}

/** closeWorkspace stops watching a workspace and takes its tab away. */
export async function closeWorkspace(id: string, s: Store = store): Promise<void> {
  try {
    await api.CloseWorkspace({ workspaceId: id });
  } catch (err) {
    const msg = errorMessage(err);
    // The backend no longer has it open (it restarted, say): the tab is stale.
    if (!msg.includes('workspace is not open')) {
      s.toast('error', `Could not close the workspace: ${msg}`);
      return;
    }
  }
  s.removeWorkspace(id);
}

/** loadWorkspaceStatus asks for a workspace's status; notifications keep it current afterwards. */
export async function loadWorkspaceStatus(id: string, s: Store = store): Promise<void> {
  const since = s.statusVersion(id);
  try {
    s.setStatus(await api.WorkspaceStatus({ workspaceId: id }), false, since);
  } catch (err) {
    s.toast('error', `Could not get the workspace status: ${errorMessage(err)}`);
  }
}

export function canChooseNatively(): boolean {
  return inWails();
}

async function reload(s: Store): Promise<void> {
  await loadStartup(s);
  const { activeWorkspace: active, workspaces } = s.get();
  if (active && workspaces.some((w) => w.id === active)) await loadWorkspaceStatus(active, s);
}

/** subscribeBackend keeps the store current with backend notifications. */
export function subscribeBackend(s: Store = store): () => void {
  const offs = [
    on(Events.OllamaStatusChanged, (st) => s.update({ ollama: st })),
    on(Events.RecentChanged, (rec) => s.update({ recent: rec })),
    on(Events.WorkspaceOpened, (ws) => {
      s.update((cur) => ({ workspaces: [...cur.workspaces.filter((w) => w.id !== ws.id), ws] }));
      // Its policy may run commands unsandboxed.
      void loadSandboxStatus(s);
    }),
    on(Events.WorkspaceClosed, ({ workspaceId }) => s.removeWorkspace(workspaceId)),
    on(Events.WorkspaceStatus, (st) => s.setStatus(st, true)),
    on(Events.Notice, (text) => s.toast('error', text)),
    // Anything may have changed while the event stream was down.
    on(Events.Reconnected, () => void reload(s)),
  ];
  return () => offs.forEach((off) => off());
}

/** Result is the outcome of an action whose error the UI also shows inline. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string; action: string };

/**
 * attempt runs call; a failure is an error result, which the caller shows
 * where the action was taken (inline, once: not also as a toast).
 */
async function attempt<T>(what: string, call: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    return { ok: false, error: errorMessage(err), action: what };
  }
}

/** startEditRun proposes new content for one file: a run stages it, nothing is written yet. */
export function startEditRun(req: Parameters<Api['StartEditRun']>[0]): Promise<Result<RunInfo>> {
  return attempt('Could not start the edit run', () => api.StartEditRun(req));
}

/** startReplaceRun starts a find-and-replace run over the workspace (or a folder of it). */
export function startReplaceRun(req: Parameters<Api['StartReplaceRun']>[0]): Promise<Result<RunInfo>> {
  return attempt('Could not start the replace run', () => api.StartReplaceRun(req));
}

/** startAgentRun starts a run in which a local model works on a task; its edits are staged for review. */
export function startAgentRun(req: Parameters<Api['StartAgentRun']>[0]): Promise<Result<RunInfo>> {
  return attempt('Could not start the agent', () => api.StartAgentRun(req));
}

/** approveRun approves a validated run, which commits its staged changes. */
export function approveRun(id: string): Promise<Result<RunInfo>> {
  return attempt('Could not commit the run', () => api.ApproveRun({ id }));
}

/** abortRun aborts a run: nothing it staged is applied. */
export function abortRun(id: string, reason: string): Promise<Result<RunInfo>> {
  return attempt('Could not abort the run', () => api.AbortRun({ id, reason }));
}

/** revertRun starts the run that undoes a committed run; it needs its own commit. */
export function revertRun(id: string): Promise<Result<RunInfo>> {
  return attempt('Could not revert the run', () => api.RevertRun({ id }));
}

/** showEvent opens the event log at one event (by seq, else id), selected, on whatever page it is. */
export function showEvent(ref: { seq?: number; id?: string }, s: Store = store): void {
  s.update({ view: 'events', eventJump: { seq: ref.seq ?? 0, id: ref.id ?? '' } });
}

/** showRunEvents opens the event log narrowed to one run. */
export function showRunEvents(run: string, s: Store = store): void {
  s.update({ view: 'events', eventFilter: { type: '', origin: '', workspace: '', run, text: '' } });
}

/** sendMessage sends a message: the first of a new conversation (no threadId) or the next turn of one. */
export function sendMessage(req: Parameters<Api['SendMessage']>[0]): Promise<Result<SendResult>> {
  return attempt('Could not send the message', () => api.SendMessage(req));
}

/** retryTurn tries a conversation's failed last turn again. */
export function retryTurn(req: Parameters<Api['RetryTurn']>[0]): Promise<Result<SendResult>> {
  return attempt('Could not retry the turn', () => api.RetryTurn(req));
}

/** compactThread summarises a conversation so far in a turn of its own. */
export function compactThread(req: Parameters<Api['CompactThread']>[0]): Promise<Result<SendResult>> {
  return attempt('Could not compact the conversation', () => api.CompactThread(req));
}

/** forkThread starts a new conversation from a thread's turns up to one. */
export function forkThread(req: Parameters<Api['ForkThread']>[0]): Promise<Result<ThreadView>> {
  return attempt('Could not fork the conversation', () => api.ForkThread(req));
}

/** restoreThread brings the files back to how they were after a turn. */
export function restoreThread(req: Parameters<Api['RestoreThread']>[0]): Promise<Result<ThreadView>> {
  return attempt('Could not restore the files', () => api.RestoreThread(req));
}

/** renameThread gives a conversation a new title. */
export function renameThread(id: string, title: string): Promise<Result<ThreadInfo>> {
  return attempt('Could not rename the conversation', () => api.RenameThread({ id, title }));
}

/** deleteThread hides a conversation from the list; the log keeps all of it. */
export function deleteThread(id: string): Promise<Result<ThreadInfo>> {
  return attempt('Could not delete the conversation', () => api.DeleteThread({ id }));
}

// Settings (settings.json): read at start, saved one change at a time.

/** loadSettings reads the settings and puts the user's key bindings in force. */
export async function loadSettings(s: Store = store): Promise<void> {
  try {
    const st = await api.GetSettings();
    s.update({ settings: st });
    commands.setBindings(st.keys ?? {});
  } catch (err) {
    s.toast('error', `Could not read the settings: ${errorMessage(err)}`);
  }
}

/** saveSettings saves a change of settings; a refusal is an error result naming the setting, shown where it was made. */
export async function saveSettings(patch: SettingsPatch, s: Store = store): Promise<Result<Settings>> {
  try {
    const st = await api.SetSettings({ set: patch.set ?? {}, reset: patch.reset ?? [] });
    s.update({ settings: st });
    commands.setBindings(st.keys ?? {});
    return { ok: true, value: st };
  } catch (err) {
    return { ok: false, error: errorMessage(err), action: 'Could not save the settings' };
  }
}

/** switchTheme shows the other of light and dark at once and keeps it in the settings. */
export async function switchTheme(s: Store = store): Promise<void> {
  const next = document.documentElement.dataset.theme === 'light' ? 'dark' : 'light';
  document.documentElement.dataset.theme = next;
  const cur = s.get().settings;
  if (cur) s.update({ settings: { ...cur, theme: { ...cur.theme, value: next, source: 'settings.json' } } });
  const res = await saveSettings({ set: { theme: next }, reset: [] }, s);
  if (!res.ok) s.toast('error', `${res.action}: ${res.error}`);
}
