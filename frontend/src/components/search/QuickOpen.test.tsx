import { EditorView } from '@codemirror/view';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Events, setTransport, type FileMatch } from '../../bridge';
import { installKeys } from '../../commands';
import { initialState, store } from '../../store';
import { fakeBackend, noBackend } from '../../test/fakeBackend';
import { StudioView } from '../StudioView';
import { markPositions, markRanges, runsOf } from './highlight';

/** jsdom has no ResizeObserver, which the panel layout needs: one that never fires. */
class NoResize {
  observe() {}
  unobserve() {}
  disconnect() {}
}

const html = (nodes: ReturnType<typeof markRanges>) => {
  const { container } = render(<span>{nodes}</span>);
  return container.innerHTML;
};

describe('highlighting', () => {
  it('marks ranges, tolerating overlap, disorder and ends past the text', () => {
    expect(html(markRanges('hello world', [[6, 11], [0, 2], [1, 4], [20, 30]]))).toBe('<span><mark>hell</mark>o <mark>world</mark></span>');
    expect(html(markRanges('plain', []))).toBe('<span>plain</span>');
  });

  it('joins matched positions into runs, shifted by an offset', () => {
    expect(runsOf([4, 0, 1, 2, 7], 0)).toEqual([[0, 3], [4, 5], [7, 8]]);
    expect(runsOf([10, 11], 10)).toEqual([[0, 2]]);
    expect(html(markPositions('main.go', [4, 5, 6, 7], 0))).toBe('<span>main<mark>.go</mark></span>');
  });
});

const paths = ['README.md', 'cmd/main.go', 'src/app/main.ts', 'src/lib/util.ts'];

/** fuzzy is a stand-in ranking: paths containing the query's letters in order, positions of the first such letters. */
function fuzzy(query: string): FileMatch[] {
  const out: FileMatch[] = [];
  for (const path of paths) {
    const positions: number[] = [];
    let at = 0;
    for (const ch of query.toLowerCase()) {
      const i = path.toLowerCase().indexOf(ch, at);
      if (i < 0) break;
      positions.push(i);
      at = i + 1;
    }
    if (positions.length === query.length) out.push({ path, score: 100 - path.length, positions });
  }
  return out;
}

describe('quick open and search in the Studio', () => {
  const g = globalThis as { ResizeObserver?: unknown };
  let saved: unknown;
  let backend: ReturnType<typeof fakeBackend>;
  // The App installs the key bindings; here the test does.
  let offKeys: () => void = () => {};
  beforeEach(() => {
    offKeys = installKeys(window);
    saved = g.ResizeObserver;
    g.ResizeObserver = NoResize;
    store.update({ ...initialState, loading: false, workspaces: [{ id: 'w1', name: 'proj', root: '/home/u/proj', openedAt: 1 }], activeWorkspace: 'w1' });
    backend = fakeBackend({
      ListDir: async () => ({ path: '', entries: [], truncated: false }),
      ReadFile: async ({ path }) => {
        const content = Array.from({ length: 40 }, (_, i) => `${path} line ${i + 1}`).join('\n');
        return { path, content, size: content.length, binary: false, truncated: false };
      },
      ListRuns: async () => [],
      FindFiles: async ({ query }) => fuzzy(query),
      StartSearch: async () => ({ id: 'search-1' }),
      CancelSearch: async () => {},
    });
    setTransport(backend.transport);
  });
  afterEach(() => {
    offKeys();
    g.ResizeObserver = saved;
    setTransport(noBackend());
    store.update(initialState);
  });

  const palette = () => screen.queryByRole('dialog', { name: 'Quick open' });
  const options = () => within(screen.getByRole('listbox', { name: 'Files' })).queryAllByRole('option');
  const ctrlP = () => fireEvent.keyDown(window, { key: 'p', code: 'KeyP', ctrlKey: true });
  const selected = () => store.get().workspaceViews.w1?.selected?.path;

  it('a query nothing matches (the backend answers null) says so and throws nothing', async () => {
    const errors: unknown[] = [];
    const onError = (e: ErrorEvent) => errors.push(e.error);
    window.addEventListener('error', onError);
    const unhandled = (e: PromiseRejectionEvent) => errors.push(e.reason);
    window.addEventListener('unhandledrejection', unhandled);
    backend = fakeBackend({ ListDir: async () => ({ path: '', entries: [], truncated: false }), ListRuns: async () => [],
      FindFiles: async () => null as unknown as [] });
    setTransport(backend.transport);
    render(<StudioView workspaceId="w1" />);
    ctrlP();
    const dialog = await screen.findByRole('dialog', { name: 'Quick open' });
    const input = within(dialog).getByRole('combobox', { name: 'File name' });
    fireEvent.change(input, { target: { value: 'zzzz' } });
    fireEvent.keyDown(input, { key: 'Enter' }); // before the answer: opens the best match when it comes — there is none
    await waitFor(() => expect(backend.argsOf('FindFiles').at(-1)).toMatchObject({ query: 'zzzz' }));
    await within(dialog).findByText('No matching files');
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', unhandled);
    expect(errors).toEqual([]);
  });

  it('Ctrl+P opens quick open, typing asks FindFiles and marks the matched letters, Enter opens the best match', async () => {
    render(<StudioView workspaceId="w1" />);
    expect(palette()).toBeNull();
    ctrlP();
    const dialog = await screen.findByRole('dialog', { name: 'Quick open' });
    const input = within(dialog).getByRole('combobox', { name: 'File name' });
    expect(document.activeElement).toBe(input);
    // Before typing: the first files.
    await waitFor(() => expect(options()).toHaveLength(4));
    expect(backend.argsOf('FindFiles')[0]).toEqual({ workspaceId: 'w1', query: '', limit: 50 });

    fireEvent.change(input, { target: { value: 'mgo' } });
    await waitFor(() => expect(options()).toHaveLength(1));
    expect(backend.argsOf('FindFiles').at(-1)).toEqual({ workspaceId: 'w1', query: 'mgo', limit: 50 });
    const [opt] = options();
    expect(opt?.getAttribute('aria-selected')).toBe('true');
    expect(opt?.querySelector('.qo-name')?.innerHTML).toBe('main.<mark>go</mark>');
    expect(opt?.querySelector('.qo-dir')?.innerHTML).toBe('c<mark>m</mark>d');

    fireEvent.keyDown(input, { key: 'Enter' });
    expect(palette()).toBeNull();
    expect(selected()).toBe('cmd/main.go');
    await waitFor(() => expect(document.querySelector('.cm-content')?.textContent).toContain('cmd/main.go line 1'));
  });

  it('moves through the list with the arrow keys, and opens a file clicked', async () => {
    render(<StudioView workspaceId="w1" />);
    fireEvent.click(screen.getByRole('button', { name: 'Go to file…' }));
    const input = await screen.findByRole('combobox', { name: 'File name' });
    fireEvent.change(input, { target: { value: 'main' } });
    await waitFor(() => expect(options().map((o) => o.getAttribute('title'))).toEqual(['cmd/main.go', 'src/app/main.ts']));
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(options().map((o) => o.getAttribute('aria-selected'))).toEqual(['false', 'true']);
    expect(input.getAttribute('aria-activedescendant')).toBe(options()[1]?.id);
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(options().map((o) => o.getAttribute('aria-selected'))).toEqual(['true', 'false']);
    fireEvent.keyDown(input, { key: 'ArrowUp' });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(selected()).toBe('src/app/main.ts');

    ctrlP();
    await screen.findByRole('dialog', { name: 'Quick open' });
    await waitFor(() => expect(options()).toHaveLength(4));
    fireEvent.click(options()[0] as HTMLElement);
    expect(palette()).toBeNull();
    expect(selected()).toBe('README.md');
  });

  it('Escape closes it without opening anything', async () => {
    render(<StudioView workspaceId="w1" />);
    ctrlP();
    const input = await screen.findByRole('combobox', { name: 'File name' });
    await waitFor(() => expect(options()).toHaveLength(4));
    fireEvent.keyDown(input, { key: 'Escape' });
    expect(palette()).toBeNull();
    expect(selected()).toBeUndefined();
  });

  it('ignores an answer to an older query, and Enter before the answer opens its best match', async () => {
    const answers: { query: string; ok: (m: FileMatch[]) => void }[] = [];
    backend = fakeBackend({
      ListDir: async () => ({ path: '', entries: [], truncated: false }),
      ReadFile: async ({ path }) => ({ path, content: 'x', size: 1, binary: false, truncated: false }),
      ListRuns: async () => [],
      FindFiles: ({ query }) => new Promise((ok) => answers.push({ query, ok })),
    });
    setTransport(backend.transport);
    render(<StudioView workspaceId="w1" />);
    ctrlP();
    const input = await screen.findByRole('combobox', { name: 'File name' });
    await waitFor(() => expect(answers.map((a) => a.query)).toEqual(['']));
    fireEvent.change(input, { target: { value: 'u' } });
    await waitFor(() => expect(answers.map((a) => a.query)).toEqual(['', 'u']));
    fireEvent.change(input, { target: { value: 'util' } });
    await waitFor(() => expect(answers.map((a) => a.query)).toEqual(['', 'u', 'util']));
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(palette()).not.toBeNull();

    await act(async () => answers[2]?.ok(fuzzy('util')));
    expect(selected()).toBe('src/lib/util.ts');
    // The older answers, late, change nothing.
    await act(async () => answers[1]?.ok(fuzzy('u')));
    await act(async () => answers[0]?.ok(fuzzy('')));
    expect(selected()).toBe('src/lib/util.ts');
  });

  it('shows a FindFiles failure in the palette', async () => {
    backend = fakeBackend({
      ListDir: async () => ({ path: '', entries: [], truncated: false }),
      ListRuns: async () => [],
      FindFiles: async () => Promise.reject(new Error('workspace is not open: w1')),
    });
    setTransport(backend.transport);
    render(<StudioView workspaceId="w1" />);
    ctrlP();
    const dialog = await screen.findByRole('dialog', { name: 'Quick open' });
    expect((await within(dialog).findByRole('alert')).textContent).toBe('workspace is not open: w1');
  });

  it('Ctrl+Shift+F shows the search panel with the focus in its box; a result opens its file at the line', async () => {
    render(<StudioView workspaceId="w1" />);
    const searchTab = screen.getByRole('tab', { name: 'Search' });
    expect(searchTab.getAttribute('aria-selected')).toBe('false');
    fireEvent.keyDown(window, { key: 'F', code: 'KeyF', ctrlKey: true, shiftKey: true });
    expect(searchTab.getAttribute('aria-selected')).toBe('true');
    const box = screen.getByRole('textbox', { name: 'Search text' });
    await waitFor(() => expect(document.activeElement).toBe(box));

    fireEvent.change(box, { target: { value: 'line 30' } });
    await waitFor(() => expect(backend.argsOf('StartSearch')).toHaveLength(1));
    act(() =>
      backend.emit(Events.SearchResults, {
        id: 'search-1',
        results: [{ path: 'src/app/main.ts', matches: [{ line: 30, text: 'src/app/main.ts line 30', ranges: [[16, 23]] }] }],
        done: true,
        stats: { files: 4, skipped: 0, filesMatched: 1, matches: 1, truncated: false, usedIndex: true, tookMs: 3 },
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: /main\.ts line 30/ }));
    expect(store.get().workspaceViews.w1).toMatchObject({ selected: { path: 'src/app/main.ts', kind: 'file' }, selectedLine: { line: 30 }, centre: 'file' });

    await waitFor(() => expect(document.querySelector('.cm-editor')).not.toBeNull());
    const view = EditorView.findFromDOM(document.querySelector('.cm-editor') as HTMLElement);
    expect(view?.state.doc.lines).toBe(40);
    const line = view?.state.doc.line(30);
    expect(line?.text).toBe('src/app/main.ts line 30');
    await waitFor(() => expect(view?.state.selection.main).toMatchObject({ from: line?.from, to: line?.to }));

    // The explorer's state is kept behind the search panel.
    fireEvent.click(screen.getByRole('tab', { name: 'Explorer' }));
    expect(screen.getByRole('textbox', { name: 'Search text', hidden: true })).toHaveProperty('value', 'line 30');
  });
});
