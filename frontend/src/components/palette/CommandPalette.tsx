// The command palette (Ctrl+Shift+P, F1): every command of the Studio by
// name, matched fuzzily, the recently used first; disabled ones greyed
// with why. A command may ask for a line of text through it (askText):
// "Open folder…" asks for the path, "Start agent run…" for the task.
import { useEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import { commands, useCommandList, useCommands, type Registry } from '../../commands';
import { nextIndex, paletteItems, segments, type PaletteItem } from './paletteFormat';

/** Ask is a line of text a command asks for through the palette. */
export interface Ask {
  prompt: string;
  placeholder?: string;
  initial?: string;
}

type Mode = { kind: 'closed' } | { kind: 'commands' } | { kind: 'ask'; ask: Ask; resolve: (text: string | null) => void };

const recentKey = 'ice-studio.recentCommands';

/** PaletteController is whether the palette is open and what for; one per app. */
export class PaletteController {
  private mode: Mode = { kind: 'closed' };
  private listeners = new Set<() => void>();

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  get = (): Mode => this.mode;

  private set(m: Mode): void {
    if (this.mode.kind === 'ask' && this.mode !== m) this.mode.resolve(null);
    this.mode = m;
    this.listeners.forEach((l) => l());
  }

  /** open shows the commands. */
  open(): void {
    this.set({ kind: 'commands' });
  }

  close(): void {
    this.set({ kind: 'closed' });
  }

  /** askText asks for a line of text; it resolves with it, or null when the user pressed Esc. */
  askText(ask: Ask): Promise<string | null> {
    return new Promise((resolve) => this.set({ kind: 'ask', ask, resolve }));
  }

  /** answer ends an ask with text (null: cancelled). */
  answer(text: string | null): void {
    if (this.mode.kind !== 'ask') return;
    const { resolve } = this.mode;
    this.mode = { kind: 'closed' };
    this.listeners.forEach((l) => l());
    resolve(text);
  }
}

export const palette = new PaletteController();

/** askText asks for a line of text through the palette. */
export function askText(ask: Ask): Promise<string | null> {
  return palette.askText(ask);
}

function loadRecent(reg: Registry): void {
  try {
    const ids: unknown = JSON.parse(localStorage.getItem(recentKey) ?? '[]');
    if (Array.isArray(ids) && reg.recent().length === 0) reg.setRecent(ids.filter((x): x is string => typeof x === 'string'));
  } catch {
    // unreadable: start without recent commands
  }
}

function saveRecent(reg: Registry): void {
  try {
    localStorage.setItem(recentKey, JSON.stringify(reg.recent()));
  } catch {
    // storage disabled: recent commands last this session
  }
}

export interface CommandPaletteProps {
  controller?: PaletteController;
  registry?: Registry;
}

/** CommandPalette registers the palette's command and shows it while open. */
export function CommandPalette({ controller = palette, registry = commands }: CommandPaletteProps) {
  const mode = useSyncExternalStore(controller.subscribe, controller.get);
  useEffect(() => loadRecent(registry), [registry]);
  useCommands(
    [{ id: 'workbench.commandPalette', title: 'Show all commands', category: 'View', keys: 'Ctrl+Shift+P', alias: 'F1', run: () => controller.open() }],
    registry,
  );
  if (mode.kind === 'closed') return null;
  return mode.kind === 'ask' ? (
    <AskBox key="ask" ask={mode.ask} onAnswer={(t) => controller.answer(t)} />
  ) : (
    <CommandList key="commands" registry={registry} onClose={() => controller.close()} />
  );
}

/** useRestoreFocus gives the focus back to where it was when the palette closes. */
function useRestoreFocus(): void {
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    return () => {
      if (before && before.isConnected && typeof before.focus === 'function') before.focus();
    };
  }, []);
}

function CommandList({ registry, onClose }: { registry: Registry; onClose: () => void }) {
  useRestoreFocus();
  const cmds = useCommandList(registry);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [why, setWhy] = useState<string | null>(null);
  const items = useMemo(
    () => paletteItems(cmds.filter((c) => c.id !== 'workbench.commandPalette'), query, registry.recent(), (c) => registry.bindingsOf(c)),
    [cmds, query, registry],
  );
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => setActive(0), [query]);
  useEffect(() => {
    list.current?.querySelector(`#pal-opt-${active}`)?.scrollIntoView?.({ block: 'nearest' });
  }, [active]);

  const choose = (it: PaletteItem | undefined) => {
    if (!it) return;
    if (it.enabled !== true) {
      setWhy(`${it.label}: ${it.enabled}`);
      return;
    }
    onClose();
    // After the palette has closed (and the focus is back), so a command that opens something keeps it.
    setTimeout(() => {
      registry.run(it.command.id);
      saveRecent(registry);
    }, 0);
  };
  const onKey = (ev: KeyboardEvent<HTMLInputElement>) => {
    switch (ev.key) {
      case 'ArrowDown':
        setActive((a) => nextIndex(a, 1, items.length));
        break;
      case 'ArrowUp':
        setActive((a) => nextIndex(a, -1, items.length));
        break;
      case 'PageDown':
        setActive((a) => Math.min(items.length - 1, a + 10));
        break;
      case 'PageUp':
        setActive((a) => Math.max(0, a - 10));
        break;
      case 'Enter':
        choose(items[active]);
        break;
      case 'Escape':
        onClose();
        break;
      default:
        return;
    }
    ev.preventDefault();
    ev.stopPropagation();
  };
  return (
    <div className="qo-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="qo palette" role="dialog" aria-modal="true" aria-label="Command palette">
        <input
          autoFocus
          role="combobox"
          aria-label="Command"
          aria-expanded={items.length > 0}
          aria-controls="pal-list"
          aria-autocomplete="list"
          aria-activedescendant={items.length > 0 ? `pal-opt-${active}` : undefined}
          placeholder="Type a command — e.g. open folder, commit, theme"
          value={query}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => {
            setQuery(e.target.value);
            setWhy(null);
          }}
          onKeyDown={onKey}
        />
        {why && (
          <div className="qo-note warn" role="status">
            {why}
          </div>
        )}
        {items.length === 0 && <div className="qo-note muted">No matching commands</div>}
        <ul id="pal-list" ref={list} role="listbox" aria-label="Commands" className="qo-list">
          {items.map((it, i) => (
            <li
              key={it.command.id}
              id={`pal-opt-${i}`}
              role="option"
              aria-selected={i === active}
              aria-disabled={it.enabled !== true}
              data-command={it.command.id}
              className={`${i === active ? 'active' : ''}${it.enabled !== true ? ' disabled' : ''}`}
              title={it.enabled === true ? it.label : `${it.label} — ${it.enabled}`}
              onMouseDown={(e) => e.preventDefault()}
              onMouseMove={() => i !== active && setActive(i)}
              onClick={() => choose(it)}
            >
              <span className="pal-label">
                {segments(it.label, it.positions).map((s, j) => (s.hit ? <mark key={j}>{s.text}</mark> : <span key={j}>{s.text}</span>))}
              </span>
              {it.recent && <span className="pal-recent muted">recently used</span>}
              {it.enabled !== true && <span className="pal-why muted">{it.enabled}</span>}
              <span className="pal-keys">
                {it.keys.map((k) => (
                  <kbd key={k}>{k}</kbd>
                ))}
              </span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

function AskBox({ ask, onAnswer }: { ask: Ask; onAnswer: (text: string | null) => void }) {
  useRestoreFocus();
  const [text, setText] = useState(ask.initial ?? '');
  const onKey = (ev: KeyboardEvent<HTMLInputElement>) => {
    if (ev.key === 'Enter') {
      if (text.trim()) onAnswer(text.trim());
    } else if (ev.key === 'Escape') onAnswer(null);
    else return;
    ev.preventDefault();
    ev.stopPropagation();
  };
  return (
    <div className="qo-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onAnswer(null)}>
      <div className="qo palette" role="dialog" aria-modal="true" aria-label={ask.prompt}>
        <input
          autoFocus
          aria-label={ask.prompt}
          placeholder={ask.placeholder}
          value={text}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
        />
        <div className="qo-note muted">{ask.prompt} — Enter to go on, Esc to cancel</div>
      </div>
    </div>
  );
}
