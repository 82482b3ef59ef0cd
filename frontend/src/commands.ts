// The Studio's commands: every action a user can take by name. Components
// register the commands they can run while they are mounted (useCommands);
// the command palette lists them, and one key handler runs the command a
// key chord is bound to (its default keys, or the user's own binding).
import { useEffect, useRef, useSyncExternalStore } from 'react';

/** Command is one action of the Studio. */
export interface Command {
  /** id is stable ("workbench.toggleSidebar"): bindings and settings refer to it. */
  id: string;
  /** title is what the palette shows ("Toggle side bar"). */
  title: string;
  /** category groups it in the palette and the shortcuts list ("View", "Run"). */
  category?: string;
  /** keys is the default binding: one or two chords, "Ctrl+B" or "Ctrl+K Ctrl+S". */
  keys?: string;
  /** alias is a second default binding (F1 beside Ctrl+Shift+P); a user's binding replaces both. */
  alias?: string;
  /** enabled says whether it can run now; a disabled command is listed greyed with why. */
  enabled?: () => boolean | string;
  run: () => void | Promise<void>;
}

type Listener = () => void;

/**
 * Registry holds the commands of the mounted components and the user's key
 * bindings. A later registration of an id replaces an earlier one while it
 * is mounted (the innermost component wins).
 */
export class Registry {
  private stacks = new Map<string, Command[]>();
  private overrides: Record<string, string> = {};
  private listeners = new Set<Listener>();
  private version = 0;
  private snapshot: Command[] = [];
  private ran: string[] = [];

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  private changed(): void {
    this.version++;
    this.snapshot = [...this.stacks.values()].map((s) => s[s.length - 1]).filter((c): c is Command => !!c);
    for (const l of this.listeners) l();
  }

  /** add registers cmds and returns the function that takes them away again. */
  add(cmds: Command[]): () => void {
    for (const c of cmds) {
      const s = this.stacks.get(c.id) ?? [];
      s.push(c);
      this.stacks.set(c.id, s);
    }
    this.changed();
    return () => {
      for (const c of cmds) {
        const s = this.stacks.get(c.id);
        if (!s) continue;
        const i = s.lastIndexOf(c);
        if (i >= 0) s.splice(i, 1);
        if (s.length === 0) this.stacks.delete(c.id);
      }
      this.changed();
    };
  }

  /** all is every registered command, in registration order. */
  all = (): Command[] => this.snapshot;

  get(id: string): Command | undefined {
    const s = this.stacks.get(id);
    return s?.[s.length - 1];
  }

  /** setBindings replaces the user's bindings: command id → keys ("" unbinds). */
  setBindings(overrides: Record<string, string>): void {
    this.overrides = { ...overrides };
    this.changed();
  }

  bindings(): Record<string, string> {
    return { ...this.overrides };
  }

  /** keysOf is the binding in force for a command: the user's, else its default. */
  keysOf(c: Command): string {
    return Object.hasOwn(this.overrides, c.id) ? (this.overrides[c.id] ?? '') : (c.keys ?? '');
  }

  /** bindingsOf is every binding in force for a command: the user's one, else its default and alias. */
  bindingsOf(c: Command): string[] {
    if (Object.hasOwn(this.overrides, c.id)) return this.overrides[c.id] ? [this.overrides[c.id] ?? ''] : [];
    return [c.keys ?? '', c.alias ?? ''].filter((k) => k !== '');
  }

  /** recent is the ids of the commands run in this session, the latest first. */
  recent(): string[] {
    return [...this.ran];
  }

  /** setRecent replaces the recently run commands (read back from a previous session). */
  setRecent(ids: string[]): void {
    this.ran = ids.slice(0, 30);
  }

  /** enabled tells whether c can run: true, or why not. */
  static enabled(c: Command): true | string {
    if (!c.enabled) return true;
    const e = c.enabled();
    return e === true ? true : e === false ? 'not available now' : e;
  }

  /** run runs a command by id if it is registered and enabled; it says whether it ran. */
  run(id: string): boolean {
    const c = this.get(id);
    if (!c || Registry.enabled(c) !== true) return false;
    this.ran = [id, ...this.ran.filter((r) => r !== id)].slice(0, 30);
    void c.run();
    return true;
  }

  get revision(): number {
    return this.version;
  }
}

export const commands = new Registry();

/** useCommands registers cmds while the calling component is mounted; they always call its latest closures. */
export function useCommands(cmds: Command[], reg: Registry = commands): void {
  const latest = useRef(cmds);
  latest.current = cmds;
  const ids = cmds.map((c) => `${c.id}\u0000${c.title}\u0000${c.keys ?? ''}\u0000${c.alias ?? ''}\u0000${c.category ?? ''}`).join('\u0001');
  useEffect(() => {
    const wrapped: Command[] = latest.current.map((c, i) => ({
      id: c.id,
      title: c.title,
      category: c.category,
      keys: c.keys,
      alias: c.alias,
      enabled: () => {
        const now = latest.current[i];
        return now?.enabled ? now.enabled() : true;
      },
      run: () => latest.current[i]?.run(),
    }));
    return reg.add(wrapped);
    // ids stands for the commands' identity: re-register only when it changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ids, reg]);
}

/** useCommandList is the registered commands, kept current. */
export function useCommandList(reg: Registry = commands): Command[] {
  return useSyncExternalStore(reg.subscribe, reg.all);
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** chordOf names the chord a key event makes, as bindings write it: "Ctrl+Shift+P", "F1", "Alt+ArrowDown". */
export function chordOf(ev: KeyboardEvent): string {
  const parts: string[] = [];
  if (ev.ctrlKey || (isMac && ev.metaKey)) parts.push('Ctrl');
  if (ev.altKey) parts.push('Alt');
  if (ev.shiftKey) parts.push('Shift');
  if (!isMac && ev.metaKey) parts.push('Meta');
  let key = ev.key;
  if (ev.code.startsWith('Key')) key = ev.code.slice(3);
  else if (ev.code.startsWith('Digit')) key = ev.code.slice(5);
  else if (key.length === 1) key = key.toUpperCase();
  if (key === ' ') key = 'Space';
  if (['Control', 'Shift', 'Alt', 'Meta'].includes(key)) return '';
  parts.push(key);
  return parts.join('+');
}

/** normalizeKeys writes a binding the one way chordOf does ("ctrl+shift+p" → "Ctrl+Shift+P"). */
export function normalizeKeys(keys: string): string {
  return keys
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((chord) => {
      const bits = chord.split('+').map((b) => b.trim());
      const key = bits.pop() ?? '';
      const mods = new Set(bits.map((m) => m.toLowerCase()));
      const out: string[] = [];
      if (mods.has('ctrl') || mods.has('cmd') || mods.has('control')) out.push('Ctrl');
      if (mods.has('alt') || mods.has('option')) out.push('Alt');
      if (mods.has('shift')) out.push('Shift');
      if (mods.has('meta')) out.push('Meta');
      out.push(key.length === 1 ? key.toUpperCase() : key[0] ? key[0].toUpperCase() + key.slice(1) : key);
      return out.join('+');
    })
    .join(' ');
}

/** inText tells whether a key event comes from a place where typing is text. */
function recording(ev: KeyboardEvent): boolean {
  const t = ev.target as HTMLElement | null;
  return !!t && typeof t.closest === 'function' && !!t.closest('[data-record-keys]');
}

function inText(ev: KeyboardEvent): boolean {
  const t = ev.target as HTMLElement | null;
  if (!t || typeof t.closest !== 'function') return false;
  return !!t.closest('input, textarea, select, [contenteditable="true"], .cm-editor');
}

/**
 * installKeys handles the Studio's key bindings on win: a chord (or the
 * second chord of a two-chord binding) runs its command. Plain keys
 * (without Ctrl, Alt or a function key) are left to text fields.
 * It returns the function that removes the handler.
 */
export function installKeys(win: Window = window, reg: Registry = commands): () => void {
  let pending: { first: string; at: number } | null = null;
  const onKey = (ev: KeyboardEvent) => {
    // A field recording a new binding gets every key itself.
    if (recording(ev)) return;
    const chord = chordOf(ev);
    if (!chord) return;
    const modified = /^(Ctrl|Alt|Meta)\+/.test(chord) || /^(Shift\+)?F\d+$/.test(chord);
    const cmds = reg.all();
    const bound = cmds.flatMap((c) => reg.bindingsOf(c).map((k) => ({ c, keys: normalizeKeys(k) })));
    if (pending) {
      const seq = `${pending.first} ${chord}`;
      pending = null;
      const hit = bound.find((b) => b.keys === seq);
      if (hit) {
        ev.preventDefault();
        ev.stopPropagation();
        reg.run(hit.c.id);
        return;
      }
    }
    if (!modified && inText(ev)) return;
    if (!modified && !/^(Escape)$/.test(chord)) return;
    if (bound.some((b) => b.keys.startsWith(`${chord} `))) {
      pending = { first: chord, at: Date.now() };
      ev.preventDefault();
      ev.stopPropagation();
      return;
    }
    const hit = bound.find((b) => b.keys === chord && Registry.enabled(b.c) === true);
    if (!hit) return;
    ev.preventDefault();
    ev.stopPropagation();
    reg.run(hit.c.id);
  };
  win.addEventListener('keydown', onKey, true);
  return () => win.removeEventListener('keydown', onKey, true);
}

/** fuzzyScore matches query against text as VS Code's palette does: every query character in order; higher is better, null is no match. */
export function fuzzyScore(query: string, text: string): number | null {
  return fuzzyMatch(query, text)?.score ?? null;
}

/** FuzzyMatch is a match's score and the positions in the text of the matched characters (to highlight them). */
export interface FuzzyMatch {
  score: number;
  positions: number[];
}

/** fuzzyMatch is fuzzyScore with the matched positions. */
export function fuzzyMatch(query: string, text: string): FuzzyMatch | null {
  const q = query.toLowerCase().replace(/\s+/g, '');
  if (!q) return { score: 0, positions: [] };
  const t = text.toLowerCase();
  let score = 0;
  let ti = 0;
  let prev = -2;
  const positions: number[] = [];
  for (const ch of q) {
    const at = t.indexOf(ch, ti);
    if (at < 0) return null;
    const wordStart = at === 0 || /[\s:/._-]/.test(t[at - 1] ?? '');
    score += at === prev + 1 ? 5 : 1;
    if (wordStart) score += 3;
    positions.push(at);
    prev = at;
    ti = at + 1;
  }
  return { score: score - t.length / 100, positions };
}
