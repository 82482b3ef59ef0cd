import { describe, expect, it } from 'vitest';
import { installKeys, Registry, type Command } from '../../commands';
import { conflicts, labelOf, nextIndex, paletteItems, rebind, recordChord, resetBinding, segments } from './paletteFormat';

const cmd = (id: string, title: string, over: Partial<Command> = {}): Command => ({ id, title, run: () => {}, ...over });

const cmds: Command[] = [
  cmd('workbench.openFolder', 'Open folder…', { category: 'File', keys: 'Ctrl+O' }),
  cmd('run.commit', 'Commit the open run', { category: 'Run', enabled: () => 'only a validated run can be committed' }),
  cmd('workbench.switchTheme', 'Switch theme (light / dark)', { category: 'View' }),
  cmd('workbench.openSettings', 'Open settings', { category: 'Preferences', keys: 'Ctrl+,' }),
];
const keysOf = (c: Command) => [c.keys ?? ''].filter(Boolean);

describe('paletteItems', () => {
  it('with nothing typed lists every command by label, the recently used first in the order they were used', () => {
    const items = paletteItems(cmds, '', ['workbench.switchTheme', 'run.commit'], keysOf);
    expect(items.map((i) => i.command.id)).toEqual(['workbench.switchTheme', 'run.commit', 'workbench.openFolder', 'workbench.openSettings']);
    expect(items.map((i) => i.recent)).toEqual([true, true, false, false]);
  });

  it('matches fuzzily, in letter order, best match first, and drops what does not match', () => {
    const items = paletteItems(cmds, 'opfo', [], keysOf);
    expect(items.map((i) => i.command.id)).toEqual(['workbench.openFolder']);
    expect(items[0]?.positions).toEqual([6, 7, 11, 12]); // "File: Open folder…": O p, f o
    expect(paletteItems(cmds, 'zzz', [], keysOf)).toEqual([]);
    const set = paletteItems(cmds, 'settings', [], keysOf);
    expect(set[0]?.command.id).toBe('workbench.openSettings');
  });

  it('puts a recently used match above a better one', () => {
    const items = paletteItems(cmds, 'open', ['workbench.openSettings'], keysOf);
    expect(items[0]?.command.id).toBe('workbench.openSettings');
  });

  it('says why a disabled command cannot run, and carries its keys', () => {
    const items = paletteItems(cmds, 'commit', [], keysOf);
    expect(items[0]?.enabled).toBe('only a validated run can be committed');
    expect(paletteItems(cmds, 'open folder', [], keysOf)[0]?.keys).toEqual(['Ctrl+O']);
  });

  it('labels by category', () => {
    expect(labelOf(cmds[0]!)).toBe('File: Open folder…');
    expect(labelOf(cmd('x', 'Plain'))).toBe('Plain');
  });
});

describe('segments and nextIndex', () => {
  it('cuts a label into matched and unmatched runs', () => {
    expect(segments('Open', [0, 1])).toEqual([
      { text: 'Op', hit: true },
      { text: 'en', hit: false },
    ]);
  });
  it('wraps the selection at both ends', () => {
    expect(nextIndex(2, 1, 3)).toBe(0);
    expect(nextIndex(0, -1, 3)).toBe(2);
    expect(nextIndex(0, 1, 0)).toBe(0);
  });
});

describe('bindings', () => {
  it('flags keys two commands share', () => {
    const c = conflicts([cmd('a', 'A', { keys: 'Ctrl+B' }), cmd('b', 'B', { keys: 'ctrl+b' }), cmd('c', 'C', { keys: 'Ctrl+J' })], keysOf);
    expect([...c.entries()]).toEqual([['Ctrl+B', ['a', 'b']]]);
  });

  it('rebinds, stores the default as no override, removes, resets', () => {
    const c = cmd('a', 'A', { keys: 'Ctrl+B' });
    expect(rebind({}, c, 'ctrl+k  ctrl+x')).toEqual({ a: 'Ctrl+K Ctrl+X' });
    expect(rebind({ a: 'F2' }, c, 'Ctrl+B')).toEqual({});
    expect(rebind({}, c, '')).toEqual({ a: '' });
    expect(resetBinding({ a: 'F2', b: 'F3' }, 'a')).toEqual({ b: 'F3' });
  });

  it('records one chord or two; a third starts again', () => {
    expect(recordChord([], 'Ctrl+K')).toEqual(['Ctrl+K']);
    expect(recordChord(['Ctrl+K'], 'Ctrl+S')).toEqual(['Ctrl+K', 'Ctrl+S']);
    expect(recordChord(['Ctrl+K', 'Ctrl+S'], 'F2')).toEqual(['F2']);
    expect(recordChord(['Ctrl+K'], '')).toEqual(['Ctrl+K']);
  });
});

describe('Registry aliases, recent and recording', () => {
  const key = (init: KeyboardEventInit & { code?: string }, target: EventTarget = window) => {
    const ev = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init });
    target.dispatchEvent(ev);
    return ev;
  };

  it('runs a command by its key or its alias; a user binding replaces both', () => {
    const reg = new Registry();
    let ran = 0;
    reg.add([cmd('p', 'Palette', { keys: 'Ctrl+Shift+P', alias: 'F1', run: () => void ran++ })]);
    const off = installKeys(window, reg);
    key({ key: 'F1', code: 'F1' });
    key({ key: 'P', code: 'KeyP', ctrlKey: true, shiftKey: true });
    expect(ran).toBe(2);
    expect(reg.recent()).toEqual(['p']);
    reg.setBindings({ p: 'Ctrl+Alt+P' });
    expect(reg.bindingsOf(reg.get('p')!)).toEqual(['Ctrl+Alt+P']);
    key({ key: 'F1', code: 'F1' });
    expect(ran).toBe(2);
    key({ key: 'p', code: 'KeyP', ctrlKey: true, altKey: true });
    expect(ran).toBe(3);
    off();
  });

  it('leaves keys pressed in a field recording a binding alone', () => {
    const reg = new Registry();
    let ran = 0;
    reg.add([cmd('p', 'Palette', { keys: 'F1', run: () => void ran++ })]);
    const off = installKeys(window, reg);
    const rec = document.createElement('div');
    rec.setAttribute('data-record-keys', '');
    document.body.append(rec);
    const ev = key({ key: 'F1', code: 'F1' }, rec);
    expect(ran).toBe(0);
    expect(ev.defaultPrevented).toBe(false);
    rec.remove();
    off();
  });
});
