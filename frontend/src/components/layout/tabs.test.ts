import { describe, expect, it } from 'vitest';
import type { DirEntry } from '../../bridge';
import { emptyWorkspaceView, type WorkspaceView } from '../../store';
import { activeKey, closeTab, cycleTab, fileKey, isDirty, markDirty, openTab, pinTab, showTab, tabKeys } from './tabs';

const entry = (path: string): DirEntry => ({ name: path.split('/').pop()!, path, kind: 'file', size: 1, modTime: 1 });
const paths = (wv: Pick<WorkspaceView, 'files'>) => wv.files.map((f) => `${f.entry.path}${f.preview ? '~' : ''}${f.dirty ? '●' : ''}`);
const view = (patch: Partial<WorkspaceView>): WorkspaceView => ({ ...emptyWorkspaceView, ...patch });

describe('openTab', () => {
  it('opens a preview tab that the next preview replaces in place', () => {
    let files = openTab([], entry('a.go'), false);
    expect(paths({ files })).toEqual(['a.go~']);
    files = openTab(files, entry('b.go'), false);
    expect(paths({ files })).toEqual(['b.go~']);
  });

  it('keeps pinned tabs and adds a new one after the tab shown', () => {
    let files = openTab([], entry('a.go'), true);
    files = openTab(files, entry('b.go'), true);
    files = openTab(files, entry('c.go'), true, 'a.go');
    expect(paths({ files })).toEqual(['a.go', 'c.go', 'b.go']);
    files = openTab(files, entry('d.go'), false, 'c.go');
    expect(paths({ files })).toEqual(['a.go', 'c.go', 'd.go~', 'b.go']);
  });

  it('shows a file already open without opening it twice, and pins it when asked', () => {
    let files = openTab([], entry('a.go'), false);
    files = openTab(files, entry('a.go'), false);
    expect(paths({ files })).toEqual(['a.go~']);
    files = openTab(files, entry('a.go'), true);
    expect(paths({ files })).toEqual(['a.go']);
  });

  it('does not replace a preview tab with edits: editing pinned it', () => {
    let files = openTab([], entry('a.go'), false);
    files = markDirty(files, 'a.go', true);
    expect(paths({ files })).toEqual(['a.go●']);
    files = openTab(files, entry('b.go'), false);
    expect(paths({ files })).toEqual(['a.go●', 'b.go~']);
  });
});

describe('pinTab and markDirty', () => {
  it('pins a preview tab; a clean state keeps the tab pinned', () => {
    let files = pinTab(openTab([], entry('a.go'), false), 'a.go');
    expect(paths({ files })).toEqual(['a.go']);
    files = markDirty(markDirty(files, 'a.go', true), 'a.go', false);
    expect(paths({ files })).toEqual(['a.go']);
  });

  it('returns the same list when nothing changes (no store update)', () => {
    const files = openTab([], entry('a.go'), true);
    expect(markDirty(files, 'a.go', false)).toBe(files);
    expect(markDirty(files, 'nope.go', true)).toBe(files);
  });
});

describe('the strip', () => {
  const files = [entry('a.go'), entry('b.go')].map((e) => ({ entry: e, preview: false, dirty: false }));

  it('lists files, then the conversation in the centre, then the run', () => {
    expect(tabKeys(view({ files, chat: true, run: 'r1' }))).toEqual(['file:a.go', 'file:b.go', 'chat', 'run']);
    const docked = view({ files, chat: true, run: 'r1', panes: { left: true, right: true, bottom: false, chatDock: 'right', bottomTab: 'output' } });
    expect(tabKeys(docked)).toEqual(['file:a.go', 'file:b.go', 'run']);
  });

  it('knows the active tab and cycles through them both ways', () => {
    const wv = view({ files, selected: files[1]!.entry, centre: 'file', run: 'r1' });
    expect(activeKey(wv)).toBe('file:b.go');
    expect(cycleTab(wv, 1)).toBe('run');
    expect(cycleTab(wv, -1)).toBe('file:a.go');
    expect(cycleTab(view({ ...wv, centre: 'run' }), 1)).toBe('file:a.go');
    expect(cycleTab(view({}), 1)).toBeNull();
    expect(showTab(wv, 'file:a.go')).toEqual({ centre: 'file', selected: files[0]!.entry, selectedLine: null });
  });

  it('closing the tab shown shows its neighbour; closing another leaves the view', () => {
    const wv = view({ files, selected: files[0]!.entry, centre: 'file', run: 'r1' });
    const closed = { ...wv, ...closeTab(wv, 'file:a.go') };
    expect(paths(closed)).toEqual(['b.go']);
    expect(activeKey(closed)).toBe('file:b.go');

    const lastClosed = { ...closed, ...closeTab({ ...closed, centre: 'run' }, 'run') };
    expect(lastClosed.run).toBeNull();
    expect(activeKey(lastClosed)).toBe('file:b.go');

    const runShown = view({ files, selected: files[1]!.entry, centre: 'run', run: 'r1' });
    const patch = closeTab(runShown, 'file:a.go');
    expect(patch.centre).toBeUndefined();
    expect(activeKey({ ...runShown, ...patch })).toBe('run');
  });

  it('closing the last tab leaves the placeholder', () => {
    const wv = view({ files: files.slice(0, 1), selected: files[0]!.entry });
    const after = { ...wv, ...closeTab(wv, fileKey('a.go')) };
    expect(tabKeys(after)).toEqual([]);
    expect(after.selected).toBeNull();
    expect(activeKey(after)).toBeNull();
  });

  it('isDirty reads the file tab', () => {
    const wv = view({ files: markDirty(files, 'b.go', true) });
    expect(isDirty(wv, 'file:b.go')).toBe(true);
    expect(isDirty(wv, 'file:a.go')).toBe(false);
    expect(isDirty(wv, 'run')).toBe(false);
  });
});
