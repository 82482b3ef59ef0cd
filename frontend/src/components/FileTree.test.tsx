import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Events, setTransport, type DirEntry, type FilesChanged, type Listing } from '../bridge';
import { apiMethods, type Api, type Transport } from '../bridge/api';
import { fakeBackend as backendWith, noBackend } from '../test/fakeBackend';
import { dirsToReload, FileTree, hideIgnoredKey, hideRows, pruneDirs, visibleRows } from './FileTree';
import { store, type StudioState } from '../store';

type Dirs = Parameters<typeof visibleRows>[0];
type DirState = Dirs extends Map<string, infer V> ? V : never;

const file = (path: string, size = 10): DirEntry => ({ name: path.split('/').pop() ?? path, path, kind: 'file', size, modTime: 0 });
const dir = (path: string): DirEntry => ({ name: path.split('/').pop() ?? path, path, kind: 'dir', size: 0, modTime: 0 });
const listing = (path: string, entries: DirEntry[], truncated = false): Listing => ({ path, entries, truncated });

describe('visibleRows', () => {
  const dirs: Dirs = new Map<string, DirState>([
    ['', { status: 'ok', listing: listing('', [dir('src'), dir('docs'), file('README.md')]) }],
    ['src', { status: 'ok', listing: listing('src', [dir('src/lib'), file('src/main.ts')]) }],
    ['src/lib', { status: 'ok', listing: listing('src/lib', [file('src/lib/util.ts')]) }],
    ['docs', { status: 'ok', listing: listing('docs', [file('docs/guide.md')]) }],
  ]);
  const flat = (expanded: string[]) => visibleRows(dirs, new Set(expanded)).map((r) => `${r.depth}:${r.entry.path}`);

  it('lists only the root when nothing is expanded', () => {
    expect(flat([])).toEqual(['0:src', '0:docs', '0:README.md']);
  });

  it('inserts the children of an expanded dir right after it, one level deeper', () => {
    expect(flat(['src'])).toEqual(['0:src', '1:src/lib', '1:src/main.ts', '0:docs', '0:README.md']);
  });

  it('descends through nested expanded dirs in order', () => {
    expect(flat(['src', 'src/lib', 'docs'])).toEqual([
      '0:src',
      '1:src/lib',
      '2:src/lib/util.ts',
      '1:src/main.ts',
      '0:docs',
      '1:docs/guide.md',
      '0:README.md',
    ]);
  });

  it('hides the children of an expanded dir whose parent is collapsed', () => {
    expect(flat(['src/lib'])).toEqual(['0:src', '0:docs', '0:README.md']);
  });

  it('contributes nothing for an expanded dir that is loading, failed or unknown', () => {
    const partial: Dirs = new Map<string, DirState>([
      ['', { status: 'ok', listing: listing('', [dir('a'), dir('b'), dir('c')]) }],
      ['a', { status: 'loading' }],
      ['b', { status: 'error', error: 'denied' }],
    ]);
    const rows = visibleRows(partial, new Set(['a', 'b', 'c'])).map((r) => r.entry.path);
    expect(rows).toEqual(['a', 'b', 'c']);
  });

  it('is empty while the root is not loaded', () => {
    expect(visibleRows(new Map(), new Set())).toEqual([]);
    expect(visibleRows(new Map<string, DirState>([['', { status: 'loading' }]]), new Set())).toEqual([]);
  });
});

/** A fake backend whose ListDir answers from an in-memory tree. */
function fakeBackend(tree: Map<string, Listing | Error>) {
  const calls: { workspaceId: string; path: string }[] = [];
  const notFaked = Object.fromEntries(
    apiMethods.map((m) => [m, () => Promise.reject(new Error(`${m} is not part of this fake`))]),
  ) as unknown as Api;
  const api: Api = {
    ...notFaked,
    ListDir: async (req) => {
      calls.push({ workspaceId: req.workspaceId, path: req.path });
      const got = tree.get(req.path);
      if (got === undefined) throw new Error(`no such folder: ${req.path}`);
      if (got instanceof Error) throw got;
      return got;
    },
  };
  const transport: Transport = { kind: 'http', api, on: () => () => {} };
  return { transport, calls };
}

/** Holds the selection like StudioView does. */
function Harness({ workspaceId = 'w1', onSelect }: { workspaceId?: string; onSelect?: (e: DirEntry) => void }) {
  const [sel, setSel] = useState<DirEntry | null>(null);
  return (
    <>
      <FileTree
        workspaceId={workspaceId}
        selected={sel?.path ?? null}
        onSelect={(e) => {
          setSel(e);
          onSelect?.(e);
        }}
      />
      <output data-testid="selected">{sel?.path ?? ''}</output>
    </>
  );
}

const rowNames = () => screen.queryAllByRole('treeitem').map((el) => el.getAttribute('data-path'));
const item = (path: string): HTMLElement => {
  const el = screen.getAllByRole('treeitem').find((e) => e.getAttribute('data-path') === path);
  if (!el) throw new Error(`no tree item ${path}; have ${rowNames().join(', ')}`);
  return el;
};

describe('<FileTree>', () => {
  let tree: Map<string, Listing | Error>;
  let backend: ReturnType<typeof fakeBackend>;

  beforeEach(() => {
    tree = new Map<string, Listing | Error>([
      ['', listing('', [dir('src'), dir('empty'), file('README.md', 120)])],
      ['src', listing('src', [file('src/main.ts'), file('src/util.ts')])],
      ['empty', listing('empty', [])],
    ]);
    backend = fakeBackend(tree);
    setTransport(backend.transport);
  });

  afterEach(() => {
    // Leave nothing usable behind for other files.
    setTransport(fakeBackend(new Map()).transport);
  });

  it('renders the root entries as tree items, asking for the right workspace', async () => {
    render(<Harness workspaceId="ws-42" />);
    expect(screen.getByText('Loading…')).toBeTruthy();

    await screen.findByRole('tree', { name: 'Files' });
    expect(rowNames()).toEqual(['src', 'empty', 'README.md']);
    expect(backend.calls).toEqual([{ workspaceId: 'ws-42', path: '' }]);

    const src = item('src');
    expect(src.getAttribute('aria-level')).toBe('1');
    expect(src.getAttribute('aria-expanded')).toBe('false');
    expect(within(src).getByText('src')).toBeTruthy();
    // Files are not expandable.
    expect(item('README.md').hasAttribute('aria-expanded')).toBe(false);
  });

  it('loads and shows the children of a dir when it is clicked, and hides them again', async () => {
    const picked: string[] = [];
    render(<Harness onSelect={(e) => picked.push(e.path)} />);
    await screen.findByRole('tree');

    fireEvent.click(item('src'));
    await waitFor(() => expect(rowNames()).toEqual(['src', 'src/main.ts', 'src/util.ts', 'empty', 'README.md']));
    expect(backend.calls.map((c) => c.path)).toEqual(['', 'src']);
    expect(item('src').getAttribute('aria-expanded')).toBe('true');
    expect(item('src').getAttribute('aria-selected')).toBe('true');
    expect(item('src/main.ts').getAttribute('aria-level')).toBe('2');
    expect(picked).toEqual(['src']);

    // Collapse, then expand again: the listing is reused, not fetched twice.
    fireEvent.click(item('src'));
    expect(rowNames()).toEqual(['src', 'empty', 'README.md']);
    fireEvent.click(item('src'));
    expect(rowNames()).toEqual(['src', 'src/main.ts', 'src/util.ts', 'empty', 'README.md']);
    expect(backend.calls.map((c) => c.path)).toEqual(['', 'src']);
  });

  it('selects a file on click without loading anything', async () => {
    render(<Harness />);
    await screen.findByRole('tree');
    fireEvent.click(item('README.md'));
    expect(screen.getByTestId('selected').textContent).toBe('README.md');
    expect(item('README.md').getAttribute('aria-selected')).toBe('true');
    expect(backend.calls).toHaveLength(1);
  });

  it('shows the error of a sub-folder under it, keeping the rest of the tree', async () => {
    tree.set('src', new Error('permission denied: src'));
    render(<Harness />);
    await screen.findByRole('tree');
    fireEvent.click(item('src'));
    expect(await screen.findByText('permission denied: src')).toBeTruthy();
    expect(rowNames()).toEqual(['src', 'empty', 'README.md']);
  });

  it('shows a root ListDir error with role alert, and Retry loads again', async () => {
    tree.set('', new Error('workspace "w1" is not open'));
    render(<Harness />);

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('workspace "w1" is not open');
    expect(screen.queryByRole('tree')).toBeNull();

    tree.set('', listing('', [file('a.txt')]));
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await screen.findByRole('tree');
    expect(rowNames()).toEqual(['a.txt']);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says so when the workspace is empty', async () => {
    tree.set('', listing('', []));
    render(<Harness />);
    expect(await screen.findByText('This folder is empty.')).toBeTruthy();
  });

  it('notes a truncated listing', async () => {
    tree.set('src', listing('src', [file('src/main.ts')], true));
    render(<Harness />);
    await screen.findByRole('tree');
    fireEvent.click(item('src'));
    expect(await screen.findByText('Only the first 1 entries are shown.')).toBeTruthy();
  });

  it('moves the selection with ArrowDown/ArrowUp and opens/closes dirs with ArrowRight/ArrowLeft', async () => {
    render(<Harness />);
    const t = await screen.findByRole('tree');
    const selected = () => screen.getByTestId('selected').textContent;
    const key = (k: string) => fireEvent.keyDown(t, { key: k });

    key('ArrowDown');
    expect(selected()).toBe('src');
    key('ArrowDown');
    expect(selected()).toBe('empty');
    key('ArrowUp');
    expect(selected()).toBe('src');

    key('ArrowRight');
    await waitFor(() => expect(rowNames()).toEqual(['src', 'src/main.ts', 'src/util.ts', 'empty', 'README.md']));
    expect(item('src').getAttribute('aria-expanded')).toBe('true');

    key('ArrowDown');
    expect(selected()).toBe('src/main.ts');
    key('ArrowDown');
    expect(selected()).toBe('src/util.ts');

    // ArrowLeft on a child goes to its parent; on an open dir it closes it.
    key('ArrowLeft');
    expect(selected()).toBe('src');
    key('ArrowLeft');
    expect(rowNames()).toEqual(['src', 'empty', 'README.md']);
    expect(item('src').getAttribute('aria-expanded')).toBe('false');

    // ArrowDown stops at the last row; ArrowUp stops at the first.
    for (let i = 0; i < 5; i++) key('ArrowDown');
    expect(selected()).toBe('README.md');
    for (let i = 0; i < 5; i++) key('ArrowUp');
    expect(selected()).toBe('src');
  });

  it('toggles the selected dir with Enter', async () => {
    render(<Harness />);
    const t = await screen.findByRole('tree');
    fireEvent.keyDown(t, { key: 'ArrowDown' });
    fireEvent.keyDown(t, { key: 'Enter' });
    await waitFor(() => expect(item('src').getAttribute('aria-expanded')).toBe('true'));
    expect(rowNames()).toContain('src/main.ts');
    fireEvent.keyDown(t, { key: 'Enter' });
    expect(item('src').getAttribute('aria-expanded')).toBe('false');
  });

  it('reloads from scratch for another workspace', async () => {
    const { rerender } = render(<Harness workspaceId="w1" />);
    await screen.findByRole('tree');
    fireEvent.click(item('src'));
    await waitFor(() => expect(rowNames()).toContain('src/main.ts'));

    tree.set('', listing('', [file('other.txt')]));
    await act(async () => {
      rerender(<Harness workspaceId="w2" />);
    });
    await waitFor(() => expect(rowNames()).toEqual(['other.txt']));
    expect(backend.calls.at(-1)).toEqual({ workspaceId: 'w2', path: '' });
  });
});

describe('dirsToReload', () => {
  const loaded = new Set(['', 'src', 'src/lib', 'docs']);
  const reload = (...paths: string[]) => [...dirsToReload(loaded, paths)].sort();

  it('takes every loaded ancestor of a changed path, and the root', () => {
    expect(reload('src/lib/util.ts')).toEqual(['', 'src', 'src/lib']);
    expect(reload('README.md')).toEqual(['']);
  });

  it('takes the changed path itself when it is a loaded folder', () => {
    expect(reload('docs')).toEqual(['', 'docs']);
  });

  it('skips folders never loaded: a new folder shows through its loaded parent', () => {
    expect(reload('notes/todo.txt')).toEqual(['']);
    expect(reload('src/new/deep/x.go')).toEqual(['', 'src']);
  });
});

describe('pruneDirs', () => {
  it('drops folders their parent no longer lists, with everything under them', () => {
    const dirs: Dirs = new Map<string, DirState>([
      ['', { status: 'ok', listing: listing('', [dir('docs'), file('README.md')]) }],
      ['src', { status: 'error', error: 'no such folder' }],
      ['src/lib', { status: 'ok', listing: listing('src/lib', []) }],
      ['docs', { status: 'ok', listing: listing('docs', [dir('docs/img')]) }],
      ['docs/img', { status: 'loading' }],
    ]);
    expect([...pruneDirs(dirs).keys()]).toEqual(['', 'docs', 'docs/img']);
  });

  it('keeps the children of a parent that failed or is loading: nothing is known about them', () => {
    const dirs: Dirs = new Map<string, DirState>([
      ['', { status: 'ok', listing: listing('', [dir('a'), dir('b')]) }],
      ['a', { status: 'error', error: 'denied' }],
      ['a/x', { status: 'ok', listing: listing('a/x', []) }],
      ['b', { status: 'loading' }],
      ['b/y', { status: 'ok', listing: listing('b/y', []) }],
    ]);
    expect([...pruneDirs(dirs).keys()]).toEqual(['', 'a', 'a/x', 'b', 'b/y']);
  });

  it('drops a folder that became a file of the same name', () => {
    const dirs: Dirs = new Map<string, DirState>([
      ['', { status: 'ok', listing: listing('', [file('notes')]) }],
      ['notes', { status: 'ok', listing: listing('notes', []) }],
    ]);
    expect([...pruneDirs(dirs).keys()]).toEqual(['']);
  });
});

describe('<FileTree> live', () => {
  let tree: Map<string, Listing>;
  let backend: ReturnType<typeof backendWith>;
  const changed = (changes: { path: string; kind: 'created' | 'modified' | 'deleted' }[], over: Partial<FilesChanged> = {}) =>
    act(() => backend.emit(Events.FilesChanged, { workspaceId: 'w1', changes, rescan: false, at: 0, ...over } satisfies FilesChanged));
  const listed = () => backend.argsOf('ListDir').map((a) => a.path);

  beforeEach(() => {
    tree = new Map<string, Listing>([
      ['', listing('', [dir('src'), dir('empty'), file('README.md')])],
      ['src', listing('src', [file('src/main.ts'), file('src/util.ts')])],
      ['empty', listing('empty', [])],
    ]);
    backend = backendWith({
      ListDir: async ({ path }) => {
        const got = tree.get(path);
        if (!got) throw new Error(`open ${path}: no such file or directory`);
        return got;
      },
    });
    setTransport(backend.transport);
  });

  afterEach(() => {
    setTransport(noBackend());
  });

  /** openSrc shows the tree with src expanded. */
  async function openSrc() {
    render(<Harness />);
    await screen.findByRole('tree');
    fireEvent.click(item('src'));
    await waitFor(() => expect(rowNames()).toEqual(['src', 'src/main.ts', 'src/util.ts', 'empty', 'README.md']));
  }

  it('shows a file created on disk, reloading only the loaded folders above it, and keeps src open', async () => {
    await openSrc();
    tree.set('src', listing('src', [file('src/main.ts'), file('src/new.ts'), file('src/util.ts')]));
    changed([{ path: 'src/new.ts', kind: 'created' }]);
    await waitFor(() => expect(rowNames()).toEqual(['src', 'src/main.ts', 'src/new.ts', 'src/util.ts', 'empty', 'README.md']));
    expect(listed().slice(2).sort()).toEqual(['', 'src']);
    expect(item('src').getAttribute('aria-expanded')).toBe('true');
  });

  it('shows a new folder made by a file created in it', async () => {
    render(<Harness />);
    await screen.findByRole('tree');
    tree.set('', listing('', [dir('notes'), dir('src'), dir('empty'), file('README.md')]));
    tree.set('notes', listing('notes', [file('notes/todo.txt')]));
    changed([{ path: 'notes/todo.txt', kind: 'created' }]);
    await waitFor(() => expect(rowNames()).toEqual(['notes', 'src', 'empty', 'README.md']));
    fireEvent.click(item('notes'));
    await waitFor(() => expect(rowNames()).toContain('notes/todo.txt'));
  });

  it('takes a deleted file away', async () => {
    await openSrc();
    tree.set('src', listing('src', [file('src/util.ts')]));
    changed([{ path: 'src/main.ts', kind: 'deleted' }]);
    await waitFor(() => expect(rowNames()).toEqual(['src', 'src/util.ts', 'empty', 'README.md']));
  });

  it('drops a deleted folder with its expansion: recreated, it comes back closed', async () => {
    await openSrc();
    tree.delete('src');
    tree.set('', listing('', [dir('empty'), file('README.md')]));
    changed([
      { path: 'src/main.ts', kind: 'deleted' },
      { path: 'src/util.ts', kind: 'deleted' },
    ]);
    await waitFor(() => expect(rowNames()).toEqual(['empty', 'README.md']));
    // The folder's failed reload is not shown as an error: it is gone.
    expect(screen.queryByText(/no such file/)).toBeNull();

    tree.set('', listing('', [dir('src'), dir('empty'), file('README.md')]));
    tree.set('src', listing('src', [file('src/main.ts')]));
    changed([{ path: 'src/main.ts', kind: 'created' }]);
    await waitFor(() => expect(rowNames()).toEqual(['src', 'empty', 'README.md']));
    expect(item('src').getAttribute('aria-expanded')).toBe('false');
  });

  it('reloads every loaded folder on a rescan', async () => {
    await openSrc();
    fireEvent.click(item('empty'));
    await waitFor(() => expect(item('empty').getAttribute('aria-expanded')).toBe('true'));
    const before = listed().length;
    tree.set('empty', listing('empty', [file('empty/full.txt')]));
    changed([], { rescan: true });
    await waitFor(() => expect(rowNames()).toContain('empty/full.txt'));
    expect(listed().slice(before).sort()).toEqual(['', 'empty', 'src']);
  });

  it('reloads once for a burst of changes, and not at all for another workspace', async () => {
    await openSrc();
    changed([{ path: 'src/a', kind: 'created' }], { workspaceId: 'w2' });
    changed([{ path: 'src/main.ts', kind: 'modified' }]);
    changed([{ path: 'src/util.ts', kind: 'modified' }]);
    changed([{ path: 'README.md', kind: 'modified' }]);
    await waitFor(() => expect(listed().length).toBe(4));
    await new Promise((r) => setTimeout(r, 150));
    expect(listed().slice(2).sort()).toEqual(['', 'src']);
  });
});

describe('<FileTree> git decorations, ignored files and the entry menu', () => {
  const gitStatus = {
    repo: true,
    branch: 'main',
    head: 'abc1234def',
    truncated: false,
    entries: { 'src/main.ts': 'M', 'src/new.ts': 'U', 'added.txt': 'A', 'debug.log': '!', node_modules: '!' } as Record<string, string>,
  };

  beforeEach(() => {
    localStorage.removeItem(hideIgnoredKey);
    const tree = new Map<string, Listing | Error>([
      ['', listing('', [{ ...dir('node_modules'), ignored: true }, dir('src'), file('added.txt'), file('debug.log'), file('README.md')])],
      ['src', listing('src', [file('src/main.ts'), file('src/new.ts'), file('src/same.ts')])],
    ]);
    const b = fakeBackend(tree);
    b.transport.api.GitStatus = async () => gitStatus;
    setTransport(b.transport);
    store.update({
      info: { mode: 'browser' } as StudioState['info'],
      workspaces: [{ id: 'w1', root: '/home/me/proj', name: 'proj' } as StudioState['workspaces'][number]],
      workspaceViews: {},
    });
  });

  afterEach(() => {
    setTransport(fakeBackend(new Map()).transport);
    store.messageDrafts('w1').clear();
  });

  it('shows the branch, status letters in their tones, a dot on a folder with changes, and dims ignored entries', async () => {
    render(<Harness />);
    await screen.findByRole('tree');
    await waitFor(() => expect(screen.getByText('⎇ main')).toBeTruthy());
    expect(item('added.txt').className).toContain('git-added');
    expect(item('added.txt').getAttribute('data-git')).toBe('A');
    expect(item('src').className).toContain('git-modified'); // the strongest change below it
    expect(item('src').querySelector('.git-dot')).toBeTruthy();
    expect(item('README.md').getAttribute('data-git')).toBeNull();
    // Ignored by the listing's rules and by git alike: dimmed, no letter.
    expect(item('node_modules').className).toContain('ignored');
    expect(item('debug.log').className).toContain('ignored');
    expect(item('debug.log').getAttribute('data-git')).toBeNull();

    fireEvent.click(item('src'));
    await waitFor(() => expect(rowNames()).toContain('src/main.ts'));
    expect(item('src/main.ts').className).toContain('git-modified');
    expect(within(item('src/main.ts')).getByText('M')).toBeTruthy();
    expect(item('src/new.ts').className).toContain('git-untracked');
    expect(item('src/same.ts').className).not.toContain('git-');
  });

  it('hides ignored entries with the toggle, and remembers it', async () => {
    const { unmount } = render(<Harness />);
    await screen.findByRole('tree');
    await waitFor(() => expect(screen.getByText('⎇ main')).toBeTruthy());
    fireEvent.click(screen.getByRole('button', { name: 'Hide ignored' }));
    expect(rowNames()).toEqual(['src', 'added.txt', 'README.md']);
    expect(localStorage.getItem(hideIgnoredKey)).toBe('1');
    unmount();

    render(<Harness />);
    await screen.findByRole('tree');
    await waitFor(() => expect(rowNames()).toEqual(['src', 'added.txt', 'README.md']));
    fireEvent.click(screen.getByRole('button', { name: 'Show ignored' }));
    expect(rowNames()).toContain('node_modules');
  });

  it('opens the entry menu with a right click and from the keyboard; Esc closes it', async () => {
    render(<Harness />);
    const tree = await screen.findByRole('tree');
    fireEvent.contextMenu(item('src'), { clientX: 20, clientY: 30 });
    const menu = screen.getByRole('menu', { name: 'Actions on src' });
    const labels = within(menu).getAllByRole('menuitem').map((b) => b.textContent);
    // Serve mode: no file manager to reveal in.
    expect(labels).toEqual(['Open folder', 'Copy relative path', 'Copy absolute path', 'Find in folder…', 'Start agent run about this folder']);
    expect(document.activeElement?.textContent).toBe('Open folder');
    fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement?.textContent).toBe('Copy relative path');
    fireEvent.keyDown(menu, { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(tree);

    fireEvent.click(item('README.md'));
    fireEvent.keyDown(tree, { key: 'F10', shiftKey: true });
    expect(screen.getByRole('menu', { name: 'Actions on README.md' })).toBeTruthy();
    fireEvent.keyDown(screen.getByRole('menu'), { key: 'Escape' });
    fireEvent.keyDown(tree, { key: 'ContextMenu' });
    expect(screen.getByRole('menu', { name: 'Actions on README.md' })).toBeTruthy();
  });

  it('offers Reveal on the desktop only', async () => {
    store.update({ info: { mode: 'desktop' } as StudioState['info'] });
    render(<Harness />);
    await screen.findByRole('tree');
    fireEvent.contextMenu(item('README.md'));
    expect(within(screen.getByRole('menu')).getByRole('menuitem', { name: 'Reveal in file manager' })).toBeTruthy();
  });

  it('finds in a folder through the search panel and starts a conversation about a file', async () => {
    render(<Harness />);
    await screen.findByRole('tree');
    fireEvent.contextMenu(item('src'));
    fireEvent.click(screen.getByRole('menuitem', { name: 'Find in folder…' }));
    expect(store.get().workspaceViews.w1).toMatchObject({ side: 'search', search: { include: 'src/**' } });

    fireEvent.contextMenu(item('README.md'));
    fireEvent.click(screen.getByRole('menuitem', { name: 'Start agent run about this file' }));
    expect(store.get().workspaceViews.w1).toMatchObject({ right: 'chat', chat: true, thread: null, centre: 'chat' });
    expect(store.messageDrafts('w1').get('')).toMatchObject({ text: '@README.md ', mentions: [{ path: 'README.md', folder: false }] });
  });

  it('copies relative and absolute paths', async () => {
    const copied: string[] = [];
    Object.defineProperty(navigator, 'clipboard', { value: { writeText: async (t: string) => void copied.push(t) }, configurable: true });
    render(<Harness />);
    await screen.findByRole('tree');
    fireEvent.contextMenu(item('README.md'));
    fireEvent.click(screen.getByRole('menuitem', { name: 'Copy relative path' }));
    fireEvent.contextMenu(item('README.md'));
    fireEvent.click(screen.getByRole('menuitem', { name: 'Copy absolute path' }));
    await waitFor(() => expect(copied).toEqual(['README.md', '/home/me/proj/README.md']));
  });
});

describe('hideRows', () => {
  it('drops a hidden folder with the rows below it, keeping its siblings', () => {
    const rows = [
      { entry: dir('a'), depth: 0 },
      { entry: file('a/x'), depth: 1 },
      { entry: dir('b'), depth: 0 },
      { entry: file('b/y'), depth: 1 },
    ];
    expect(hideRows(rows, (e) => e.path === 'a').map((r) => r.entry.path)).toEqual(['b', 'b/y']);
    expect(hideRows(rows, (e) => e.path === 'b/y').map((r) => r.entry.path)).toEqual(['a', 'a/x', 'b']);
  });
});
