// The keyboard shortcuts list (Ctrl+K Ctrl+S): every command with its
// binding; search, rebind by pressing the keys (one chord or two), remove,
// reset to the default. Clashes are flagged. Bindings are kept in settings.json.
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { saveSettings } from '../../actions';
import { chordOf, commands, fuzzyMatch, normalizeKeys, useCommandList, type Command, type Registry } from '../../commands';
import { store } from '../../store';
import { FormError } from '../FormError';
import { conflicts, labelOf, rebind, recordChord, resetBinding } from './paletteFormat';

export interface ShortcutsViewProps {
  registry?: Registry;
  /** save keeps the new bindings (settings.json); it returns the error text, if any. */
  save?: (bindings: Record<string, string>) => Promise<string | null>;
  onClose: () => void;
}

async function saveToSettings(bindings: Record<string, string>): Promise<string | null> {
  const res = await saveSettings({ set: { keys: bindings }, reset: [] });
  return res.ok ? null : res.error;
}

export function ShortcutsView({ registry = commands, save = saveToSettings, onClose }: ShortcutsViewProps) {
  const cmds = useCommandList(registry);
  const [query, setQuery] = useState('');
  const [recording, setRecording] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const overrides = registry.bindings();
  const clashes = useMemo(() => conflicts(cmds, (c) => registry.bindingsOf(c)), [cmds, registry, registry.revision]);
  const titleOf = (id: string) => {
    const c = registry.get(id);
    return c ? labelOf(c) : id;
  };
  const rows = useMemo(() => {
    const q = query.trim();
    const keyQuery = normalizeKeys(q).toLowerCase();
    return cmds
      .filter((c) => !q || fuzzyMatch(q, labelOf(c)) !== null || registry.bindingsOf(c).some((k) => normalizeKeys(k).toLowerCase().includes(keyQuery)))
      .sort((a, b) => labelOf(a).localeCompare(labelOf(b)));
  }, [cmds, query, registry, registry.revision]);

  const apply = async (next: Record<string, string>) => {
    const before = registry.bindings();
    registry.setBindings(next); // at once; put back if it cannot be kept
    const err = await save(next);
    if (err) {
      registry.setBindings(before);
      setError(err);
    } else setError(null);
  };
  const onListKey = (ev: KeyboardEvent) => {
    if (ev.key === 'Escape' && !recording) {
      ev.preventDefault();
      onClose();
    }
  };

  return (
    <div className="qo-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()} onKeyDown={onListKey}>
      <div className="qo shortcuts" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts">
        <div className="shortcuts-head">
          <h2>Keyboard shortcuts</h2>
          <span className="muted small">Kept in settings.json · Change, then press the keys (one chord or two) and Enter</span>
          <button className="icon-btn" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        <input autoFocus aria-label="Search shortcuts" placeholder="Search by command or keys" value={query} onChange={(e) => setQuery(e.target.value)} />
        {error && <FormError error={error} />}
        <div className="shortcuts-list">
          <table>
            <thead>
              <tr>
                <th>Command</th>
                <th>Keys</th>
                <th>Source</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => {
                const keys = registry.bindingsOf(c);
                const custom = Object.hasOwn(overrides, c.id);
                const clash = keys.flatMap((k) => (clashes.get(normalizeKeys(k)) ?? []).filter((id) => id !== c.id));
                return (
                  <tr key={c.id} data-command={c.id} className={clash.length > 0 ? 'clash' : ''}>
                    <td>
                      <span>{labelOf(c)}</span>
                      <span className="muted small mono"> {c.id}</span>
                    </td>
                    <td>
                      {recording === c.id ? (
                        <KeyRecorder
                          command={c}
                          onDone={(k) => {
                            setRecording(null);
                            if (k !== null) void apply(rebind(registry.bindings(), c, k));
                          }}
                        />
                      ) : keys.length > 0 ? (
                        keys.map((k) => <kbd key={k}>{k}</kbd>)
                      ) : (
                        <span className="muted">—</span>
                      )}
                      {clash.length > 0 && (
                        <div className="warn small" role="note">
                          Same keys as {[...new Set(clash)].map(titleOf).join(', ')}
                        </div>
                      )}
                    </td>
                    <td className="muted small">{custom ? 'yours' : 'default'}</td>
                    <td className="shortcut-actions">
                      <button className="quiet" aria-label={`Change the keys of ${c.title}`} onClick={() => setRecording(c.id)}>
                        Change
                      </button>
                      {keys.length > 0 && (
                        <button className="quiet" aria-label={`Remove the keys of ${c.title}`} onClick={() => void apply({ ...registry.bindings(), [c.id]: '' })}>
                          Remove
                        </button>
                      )}
                      {custom && (
                        <button className="quiet" aria-label={`Reset the keys of ${c.title}`} onClick={() => void apply(resetBinding(registry.bindings(), c.id))}>
                          Reset
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {rows.length === 0 && <p className="muted">No command matches.</p>}
        </div>
      </div>
    </div>
  );
}

/**
 * KeyRecorder takes the keys pressed: one chord or two; Enter keeps them,
 * Esc cancels. The global key handler leaves it alone (data-record-keys).
 */
function KeyRecorder({ command, onDone }: { command: Command; onDone: (keys: string | null) => void }) {
  const [chords, setChords] = useState<string[]>([]);
  const ended = useRef(false);
  const finish = (keys: string | null) => {
    if (ended.current) return;
    ended.current = true;
    onDone(keys);
  };
  const onKey = (ev: KeyboardEvent<HTMLDivElement>) => {
    ev.preventDefault();
    ev.stopPropagation();
    const plain = !ev.ctrlKey && !ev.altKey && !ev.metaKey && !ev.shiftKey;
    if (plain && ev.key === 'Escape') return finish(null);
    if (plain && ev.key === 'Enter') return chords.length > 0 ? finish(chords.join(' ')) : undefined;
    if (plain && ev.key === 'Backspace') return setChords([]);
    setChords((c) => recordChord(c, chordOf(ev.nativeEvent)));
  };
  return (
    <div
      className="key-recorder"
      tabIndex={0}
      role="textbox"
      aria-label={`New keys for ${command.title}`}
      data-record-keys
      ref={(el) => el?.focus()}
      onKeyDown={onKey}
      onBlur={() => finish(null)}
    >
      {chords.length > 0 ? chords.map((c, i) => <kbd key={i}>{c}</kbd>) : <span className="muted">press the keys…</span>}
      <span className="muted small"> Enter to keep · Esc to cancel</span>
    </div>
  );
}

/** openShortcuts shows the shortcuts list over the screen. */
export function openShortcuts(): void {
  store.update({ overlay: 'shortcuts' });
}
