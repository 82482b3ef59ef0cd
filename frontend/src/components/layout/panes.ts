// A workspace's pane layout: which of the left, right and bottom panes are
// open, where the conversation is docked and what the bottom panel shows.
// Kept in the store (per workspace) and in localStorage by the workspace's
// folder, so a reload or a later visit finds the layout as it was left.
import type { PaneState } from '../../store';

export const defaultPanes: PaneState = { left: true, right: true, bottom: false, chatDock: 'centre', bottomTab: 'output' };

const keyOf = (root: string) => `ice-studio.layout:${root}`;

/** Pane names a collapsible pane. */
export type Pane = 'left' | 'right' | 'bottom';

/** parsePanes reads a saved layout; anything missing or of the wrong type is the default. */
export function parsePanes(raw: string | null): PaneState {
  if (!raw) return { ...defaultPanes };
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return { ...defaultPanes };
  }
  if (!v || typeof v !== 'object') return { ...defaultPanes };
  const o = v as Record<string, unknown>;
  const bool = (k: Pane) => (typeof o[k] === 'boolean' ? (o[k] as boolean) : defaultPanes[k]);
  return {
    left: bool('left'),
    right: bool('right'),
    bottom: bool('bottom'),
    chatDock: o.chatDock === 'right' ? 'right' : 'centre',
    bottomTab: o.bottomTab === 'validation' ? 'validation' : 'output',
  };
}

/** loadPanes is the layout saved for the workspace at root (the default when none is). */
export function loadPanes(root: string, storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): PaneState {
  try {
    return parsePanes(storage?.getItem(keyOf(root)) ?? null);
  } catch {
    return { ...defaultPanes };
  }
}

/** savePanes keeps the layout of the workspace at root; a full or refused storage loses only the memory of it. */
export function savePanes(root: string, p: PaneState, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(keyOf(root), JSON.stringify(p));
  } catch {
    // Private mode or a full storage: the layout still holds for this session.
  }
}

/** togglePane opens a closed pane and closes an open one. */
export function togglePane(p: PaneState, which: Pane): PaneState {
  return { ...p, [which]: !p[which] };
}
