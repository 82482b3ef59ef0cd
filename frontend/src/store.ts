// One store for the UI, fed by API answers and backend notifications.
// Components read it through useStudio(selector).
import { useSyncExternalStore } from 'react';
import type { Info, OllamaStatus, RecentFolder, Workspace } from './bridge';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

export interface StudioState {
  loading: boolean;
  loadError: string | null;
  info: Info | null;
  ollama: OllamaStatus | null;
  recent: RecentFolder[];
  workspaces: Workspace[];
  activeWorkspace: string | null;
  notices: string[];
  toasts: Toast[];
}

export const initialState: StudioState = {
  loading: true,
  loadError: null,
  info: null,
  ollama: null,
  recent: [],
  workspaces: [],
  activeWorkspace: null,
  notices: [],
  toasts: [],
};

type Listener = () => void;

export class Store {
  private state: StudioState;
  private listeners = new Set<Listener>();
  private nextToast = 1;

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

  /** upsertWorkspace adds or replaces a workspace and makes it active. */
  openWorkspace(ws: Workspace): void {
    this.update((s) => ({
      workspaces: [...s.workspaces.filter((w) => w.id !== ws.id), ws],
      activeWorkspace: ws.id,
    }));
  }

  toast(kind: Toast['kind'], text: string): void {
    const id = this.nextToast++;
    this.update((s) => ({ toasts: [...s.toasts, { id, kind, text }].slice(-5) }));
    if (kind === 'info') setTimeout(() => this.dismiss(id), 4000);
  }

  dismiss(id: number): void {
    this.update((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  }
}

export const store = new Store();

/** useStudio subscribes a component to a slice of the store. */
export function useStudio<T>(select: (s: StudioState) => T, s: Store = store): T {
  return useSyncExternalStore(s.subscribe, () => select(s.get()));
}
