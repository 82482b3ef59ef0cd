// One store for the UI, fed by API answers and backend notifications.
// Components read it through useStudio(selector).
import { useSyncExternalStore } from 'react';
import type { Settings, DirEntry, EventFilter, Info, OllamaStatus, RecentFolder, ReplicaView, SandboxState, SelectionRequest, Workspace, WorkspaceStatus } from './bridge';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
  /** topic says what the toast is about ('open'): a later success dismisses it. */
  topic?: string;
}

/** toastLife is how long a toast stays, in milliseconds, unless held. */
export const toastLife: Record<Toast['kind'], number> = { info: 4000, error: 10_000 };

/** EventJump names an event to show in the event log: by seq, else by id. Each request is a new object. */
export interface EventJump {
  seq: number;
  id: string;
}

/** View is what the content area shows: the welcome screen or a workspace, the event log, the models, or the settings. */
export type View = 'workspaces' | 'events' | 'models' | 'settings';

/**
 * LineRequest asks the editor to show a line of the selected file. Each
 * request is a new object, so opening the same line again shows it again.
 */
export interface LineRequest {
  /** line is 1-based. */
  line: number;
}

/** SearchForm is what the search panel asks for, as typed. */
export interface SearchForm {
  pattern: string;
  caseSensitive: boolean;
  wholeWord: boolean;
  regex: boolean;
  /** include and exclude are comma-separated globs. */
  include: string;
  exclude: string;
}

export const emptySearchForm: SearchForm = { pattern: '', caseSensitive: false, wholeWord: false, regex: false, include: '', exclude: '' };

/** WorkspaceView is what a workspace's Studio shows; it survives visits to other tabs. */
export interface WorkspaceView {
  /** selected is the explorer's selection, shown in the centre pane as 'file'. */
  selected: DirEntry | null;
  /** selectedLine is the line of the selected file to show, if one was asked for. */
  selectedLine: LineRequest | null;
  /** run is the run open for review, shown in the centre pane as 'run'. */
  run: string | null;
  /**
   * chat: a conversation is open, shown in the centre pane as 'chat': the
   * thread with id thread, or a new one (thread null) until its first message.
   */
  chat: boolean;
  thread: string | null;
  centre: 'file' | 'run' | 'chat';
  /** side is what the left pane shows. */
  side: 'explorer' | 'search';
  /** right is what the right pane shows. */
  right: RightTab;
  search: SearchForm;
  /** files are the editor's open file tabs, in strip order; selected is the one shown when centre is 'file'. */
  files: FileTab[];
  /** panes is which panes are open and where the conversation is docked; null until read from localStorage. */
  panes: PaneState | null;
}

/**
 * FileTab is an open file in the editor's tab strip. A preview tab (opened
 * by a single click) is replaced by the next one; double-clicking or editing
 * it pins it. dirty: the file has edits not proposed yet (kept in drafts).
 */
export interface FileTab {
  entry: DirEntry;
  preview: boolean;
  dirty: boolean;
}

/** PaneState is a workspace's layout: which panes are collapsed, where the conversation is docked, the bottom panel's tab. */
export interface PaneState {
  left: boolean;
  right: boolean;
  bottom: boolean;
  chatDock: 'centre' | 'right';
  bottomTab: 'output' | 'validation';
}

/** RightTab is a tab of the right pane. */
export type RightTab = 'chat' | 'runs' | 'capabilities' | 'memory' | 'mcp';

/** Mention is an @-file or folder of a message being written (a workspace-relative path). */
export interface Mention {
  path: string;
  folder: boolean;
}

/** ComposerDraft is a message being written in a conversation's composer. */
export interface ComposerDraft {
  text: string;
  mentions: Mention[];
  selection: SelectionRequest | null;
}

export const emptyDraft: ComposerDraft = { text: '', mentions: [], selection: null };

export const emptyWorkspaceView: WorkspaceView = {
  selected: null,
  selectedLine: null,
  run: null,
  chat: false,
  thread: null,
  centre: 'file',
  side: 'explorer',
  right: 'chat',
  search: emptySearchForm,
  files: [],
  panes: null,
};

export interface StudioState {
  loading: boolean;
  loadError: string | null;
  info: Info | null;
  ollama: OllamaStatus | null;
  /** sandbox is the machine's command sandbox and who runs unsandboxed (null until known). */
  sandbox: SandboxState | null;
  recent: RecentFolder[];
  workspaces: Workspace[];
  activeWorkspace: string | null;
  view: View;
  /** eventFilter narrows the event inspector; kept here so it survives switching tabs. */
  eventFilter: EventFilter;
  /** eventJump asks the event inspector to show and select one event (by seq, else id); it clears it once done. */
  eventJump: EventJump | null;
  /** workspaceViews holds each open workspace's WorkspaceView, by workspace id. */
  workspaceViews: Record<string, WorkspaceView>;
  /** statuses holds each open workspace's watch and index status, by workspace id. */
  statuses: Record<string, WorkspaceStatus>;
  notices: string[];
  toasts: Toast[];
  /** settings are the Studio's settings (settings.json), null until read. */
  settings: Settings | null;
  /** overlay is the modal shown over the screen: the keyboard shortcuts list. */
  overlay: 'shortcuts' | null;
  /** settingsSection asks the settings screen to show a section with its form focused; it clears it once done. */
  settingsSection: 'endpoints' | 'replication' | null;
  /** replica is the event log's replication as last read (null: not read yet, or the backend could not say). */
  replica: ReplicaView | null;
}

export const initialState: StudioState = {
  loading: true,
  loadError: null,
  info: null,
  ollama: null,
  sandbox: null,
  recent: [],
  workspaces: [],
  activeWorkspace: null,
  view: 'workspaces',
  eventFilter: { type: '', origin: '', workspace: '', run: '', text: '' },
  eventJump: null,
  workspaceViews: {},
  statuses: {},
  notices: [],
  toasts: [],
  settings: null,
  overlay: null,
  settingsSection: null,
  replica: null,
};

type Listener = () => void;

export class Store {
  private state: StudioState;
  private listeners = new Set<Listener>();
  private nextToast = 1;
  private readonly toastTimers = new Map<number, ReturnType<typeof setTimeout>>();
  private readonly draftsByWorkspace = new Map<string, Map<string, string>>();
  private readonly messagesByWorkspace = new Map<string, Map<string, ComposerDraft>>();
  private readonly statusPushes = new Map<string, number>();

  constructor(state: StudioState = initialState) {
    this.state = state;
  }

  get = (): StudioState => this.state;

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  update(patch: Partial<StudioState> | ((s: StudioState) => Partial<StudioState>)): void {
    const p = typeof patch === 'function' ? patch(this.state) : patch;
    this.state = { ...this.state, ...p };
    this.listeners.forEach((l) => l());
  }

  /** openWorkspace adds or replaces a workspace and shows it. */
  openWorkspace(ws: Workspace): void {
    this.update((s) => ({
      workspaces: [...s.workspaces.filter((w) => w.id !== ws.id), ws],
      activeWorkspace: ws.id,
      view: 'workspaces',
    }));
  }

  /** showWorkspace shows the workspace with id, or the welcome screen for null. */
  showWorkspace(id: string | null): void {
    this.update({ activeWorkspace: id, view: 'workspaces' });
  }

  /**
   * removeWorkspace forgets a closed workspace. If it was on screen, its
   * neighbour tab is shown, or the welcome screen when none is left. Its
   * drafts stay, for when it is opened again.
   */
  removeWorkspace(id: string): void {
    if (!this.state.workspaces.some((w) => w.id === id)) return;
    this.update((s) => {
      const i = s.workspaces.findIndex((w) => w.id === id);
      const workspaces = s.workspaces.filter((w) => w.id !== id);
      const active = s.activeWorkspace === id ? (workspaces[i] ?? workspaces[i - 1] ?? null)?.id ?? null : s.activeWorkspace;
      return { workspaces, activeWorkspace: active, workspaceViews: without(s.workspaceViews, id), statuses: without(s.statuses, id) };
    });
  }

  /**
   * setStatus records a workspace's status. pushed tells a notification from
   * an answer to a request: an answer started before the latest notification
   * is older than it, and is dropped (see statusVersion).
   */
  setStatus(st: WorkspaceStatus, pushed: boolean, since?: number): void {
    if (pushed) this.statusPushes.set(st.workspaceId, this.statusVersion(st.workspaceId) + 1);
    else if (since !== undefined && since !== this.statusVersion(st.workspaceId)) return;
    if (!this.state.workspaces.some((w) => w.id === st.workspaceId)) return;
    this.update((s) => ({ statuses: { ...s.statuses, [st.workspaceId]: st } }));
  }

  /** statusVersion counts the status notifications of a workspace. */
  statusVersion(id: string): number {
    return this.statusPushes.get(id) ?? 0;
  }

  /** setWorkspaceView changes what workspace id's Studio shows. */
  setWorkspaceView(id: string, patch: Partial<WorkspaceView>): void {
    this.update((s) => ({ workspaceViews: { ...s.workspaceViews, [id]: { ...(s.workspaceViews[id] ?? emptyWorkspaceView), ...patch } } }));
  }

  /**
   * drafts holds a workspace's edits not yet proposed, by path. Only the
   * editor reads it, when it opens a file, so it lives beside the state
   * rather than in it: keeping a draft notifies nobody.
   */
  drafts(workspaceId: string): Map<string, string> {
    let d = this.draftsByWorkspace.get(workspaceId);
    if (!d) this.draftsByWorkspace.set(workspaceId, (d = new Map()));
    return d;
  }

  /**
   * messageDrafts holds a workspace's messages being written, by thread id
   * ('' for a new conversation). Like drafts, only the composer reads it,
   * when it opens: keeping a draft notifies nobody.
   */
  messageDrafts(workspaceId: string): Map<string, ComposerDraft> {
    let d = this.messagesByWorkspace.get(workspaceId);
    if (!d) this.messagesByWorkspace.set(workspaceId, (d = new Map()));
    return d;
  }

  /**
   * toast shows a passing message: an info one for 4 seconds, an error for
   * 10 (hovering holds it: holdToast). topic names what it is about, so a
   * later success can take it away (dismissTopic).
   */
  toast(kind: Toast['kind'], text: string, topic?: string): void {
    const id = this.nextToast++;
    this.update((s) => ({ toasts: [...s.toasts, { id, kind, text, ...(topic && { topic }) }].slice(-5) }));
    this.armToast(id, kind);
  }

  private armToast(id: number, kind: Toast['kind']): void {
    clearTimeout(this.toastTimers.get(id));
    this.toastTimers.set(
      id,
      setTimeout(() => this.dismiss(id), toastLife[kind]),
    );
  }

  /** holdToast keeps a toast on screen while held (the pointer is on it); let go, it lives its full time again. */
  holdToast(id: number, hold: boolean): void {
    const t = this.state.toasts.find((x) => x.id === id);
    if (!t) return;
    if (hold) {
      clearTimeout(this.toastTimers.get(id));
      this.toastTimers.delete(id);
    } else this.armToast(id, t.kind);
  }

  dismiss(id: number): void {
    clearTimeout(this.toastTimers.get(id));
    this.toastTimers.delete(id);
    this.update((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  }

  /** dismissTopic takes away the toasts about topic (an earlier failure, once the thing succeeded). */
  dismissTopic(topic: string): void {
    for (const t of this.state.toasts) if (t.topic === topic) this.dismiss(t.id);
  }
}

function without<T>(r: Record<string, T>, key: string): Record<string, T> {
  if (!(key in r)) return r;
  const out = { ...r };
  delete out[key];
  return out;
}

export const store = new Store();

/** useStudio subscribes a component to a slice of the store. */
export function useStudio<T>(select: (s: StudioState) => T, s: Store = store): T {
  return useSyncExternalStore(s.subscribe, () => select(s.get()));
}
