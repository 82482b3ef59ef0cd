// The editor's tab model: open file tabs (preview or pinned, clean or
// dirty), the conversation and the run under review, in one strip. Pure
// functions over WorkspaceView, so the rules are tested without a DOM.
import type { DirEntry } from '../../bridge';
import type { FileTab, WorkspaceView } from '../../store';

/** TabKey names a tab of the strip: "file:<path>", "chat" or "run". */
export type TabKey = `file:${string}` | 'chat' | 'run';

export const fileKey = (path: string): TabKey => `file:${path}`;

/** pathOf is the file path of a file tab's key, or null for the chat and run tabs. */
export function pathOf(key: TabKey): string | null {
  return key.startsWith('file:') ? key.slice(5) : null;
}

/**
 * openTab opens entry in the strip. A file already open is only shown (and
 * pinned when pin is set). Otherwise a preview opening replaces the clean
 * preview tab in place (a dirty one was pinned already), and a pinned one is
 * added after the tab shown.
 */
export function openTab(files: readonly FileTab[], entry: DirEntry, pin: boolean, after?: string | null): FileTab[] {
  const at = files.findIndex((f) => f.entry.path === entry.path);
  if (at >= 0) {
    const cur = files[at]!;
    if (!pin || !cur.preview) return files.map((f, i) => (i === at ? { ...f, entry: entry.size || entry.modTime ? entry : f.entry } : f));
    return files.map((f, i) => (i === at ? { ...f, preview: false } : f));
  }
  const tab: FileTab = { entry, preview: !pin, dirty: false };
  const preview = files.findIndex((f) => f.preview && !f.dirty);
  if (preview >= 0) return files.map((f, i) => (i === preview ? tab : f));
  const shown = after ? files.findIndex((f) => f.entry.path === after) : -1;
  const out = [...files];
  out.splice(shown >= 0 ? shown + 1 : out.length, 0, tab);
  return out;
}

/** pinTab makes the tab of path a pinned one. */
export function pinTab(files: readonly FileTab[], path: string): FileTab[] {
  return files.map((f) => (f.entry.path === path && f.preview ? { ...f, preview: false } : f));
}

/** markDirty records whether path has unproposed edits; an edited tab is pinned. */
export function markDirty(files: readonly FileTab[], path: string, dirty: boolean): FileTab[] {
  const at = files.findIndex((f) => f.entry.path === path);
  const cur = files[at];
  if (!cur || (cur.dirty === dirty && (!dirty || !cur.preview))) return files as FileTab[];
  return files.map((f, i) => (i === at ? { ...f, dirty, preview: dirty ? false : f.preview } : f));
}

/** tabKeys is the strip in order: the file tabs, then the conversation (when in the centre), then the run. */
export function tabKeys(wv: WorkspaceView): TabKey[] {
  const keys: TabKey[] = wv.files.map((f) => fileKey(f.entry.path));
  if (wv.chat && (wv.panes?.chatDock ?? 'centre') === 'centre') keys.push('chat');
  if (wv.run) keys.push('run');
  return keys;
}

/** activeKey is the tab shown in the centre, or null when none is (no file open). */
export function activeKey(wv: WorkspaceView): TabKey | null {
  const keys = tabKeys(wv);
  if (wv.centre === 'run' && keys.includes('run')) return 'run';
  if (wv.centre === 'chat' && keys.includes('chat')) return 'chat';
  if (wv.selected && keys.includes(fileKey(wv.selected.path))) return fileKey(wv.selected.path);
  return null;
}

/** showTab is the WorkspaceView patch that shows the tab key. */
export function showTab(wv: WorkspaceView, key: TabKey): Partial<WorkspaceView> {
  if (key === 'run') return { centre: 'run' };
  if (key === 'chat') return { centre: 'chat' };
  const f = wv.files.find((t) => fileKey(t.entry.path) === key);
  return f ? { centre: 'file', selected: f.entry, selectedLine: null } : {};
}

/** cycleTab is the tab step places from the active one, wrapping around (the first tab when none is active). */
export function cycleTab(wv: WorkspaceView, step: 1 | -1): TabKey | null {
  const keys = tabKeys(wv);
  if (keys.length === 0) return null;
  const cur = activeKey(wv);
  const i = cur ? keys.indexOf(cur) : -1;
  if (i < 0) return keys[0]!;
  return keys[(i + step + keys.length) % keys.length]!;
}

/**
 * closeTab is the WorkspaceView patch that closes key; when it was shown,
 * its neighbour (the one after it, else before) is shown instead. It does
 * not ask about unproposed edits: the caller does, before.
 */
export function closeTab(wv: WorkspaceView, key: TabKey): Partial<WorkspaceView> {
  const keys = tabKeys(wv);
  const i = keys.indexOf(key);
  if (i < 0) return {};
  const wasActive = activeKey(wv) === key;
  const patch: Partial<WorkspaceView> =
    key === 'run'
      ? { run: null }
      : key === 'chat'
        ? { chat: false, thread: null }
        : { files: wv.files.filter((f) => fileKey(f.entry.path) !== key) };
  const next = { ...wv, ...patch };
  if (!wasActive) {
    // The file shown in the centre stays; a closed selection is forgotten.
    if (pathOf(key) !== null && wv.selected?.path === pathOf(key)) patch.selected = null;
    return patch;
  }
  const rest = keys.filter((k) => k !== key);
  const neighbour = rest[Math.min(i, rest.length - 1)];
  if (!neighbour) return { ...patch, centre: 'file', selected: null, selectedLine: null };
  return { ...patch, ...showTab(next, neighbour) };
}

/** isDirty tells whether the tab key has unproposed edits. */
export function isDirty(wv: WorkspaceView, key: TabKey): boolean {
  const p = pathOf(key);
  return p !== null && wv.files.some((f) => f.entry.path === p && f.dirty);
}
