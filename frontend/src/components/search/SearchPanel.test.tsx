import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Events, setTransport, type SearchStats, type SearchUpdate } from '../../bridge';
import { emptySearchForm, initialState, store, type SearchForm } from '../../store';
import { fakeBackend, noBackend } from '../../test/fakeBackend';
import { globs, SearchPanel } from './SearchPanel';

/** Holds the form like StudioView does, and records what was opened. */
function Harness({ opened, initial = emptySearchForm }: { opened: [string, number][]; initial?: SearchForm }) {
  const [form, setForm] = useState(initial);
  return <SearchPanel workspaceId="w1" form={form} onForm={setForm} onOpen={(p, l) => opened.push([p, l])} focusRequest={0} />;
}

const stats = (over: Partial<SearchStats> = {}): SearchStats => ({
  files: 40,
  skipped: 0,
  filesMatched: 2,
  matches: 3,
  truncated: false,
  usedIndex: false,
  tookMs: 12,
  ...over,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('globs', () => {
  it('splits a comma-separated list, trimming and dropping empty items', () => {
    expect(globs(' src/** ,*.go,, ')).toEqual(['src/**', '*.go']);
    expect(globs('')).toEqual([]);
  });
});

describe('<SearchPanel>', () => {
  let backend: ReturnType<typeof fakeBackend>;
  let opened: [string, number][];
  let started: number;
  beforeEach(() => {
    store.update(initialState);
    started = 0;
    opened = [];
    backend = fakeBackend({
      StartSearch: async () => ({ id: `search-${++started}` }),
      CancelSearch: async () => {},
    });
    setTransport(backend.transport);
  });
  afterEach(() => {
    setTransport(noBackend());
    store.update(initialState);
  });

  const box = () => screen.getByRole('textbox', { name: 'Search text' });
  const type = (text: string) => fireEvent.change(box(), { target: { value: text } });
  const send = (u: Partial<SearchUpdate> & { id: string }) => act(() => backend.emit(Events.SearchResults, { results: [], done: false, ...u }));
  const summary = () => screen.queryByRole('status')?.textContent ?? '';
  const fileHeads = () => within(screen.getByRole('list', { name: 'Search results' })).getAllByRole('button', { expanded: true }).map((b) => b.getAttribute('title'));

  it('searches once typing pauses, with the query the form describes', async () => {
    render(<Harness opened={opened} />);
    fireEvent.click(screen.getByRole('button', { name: 'Match case' }));
    expect(screen.getByRole('button', { name: 'Match case' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('button', { name: 'Use regular expression' }).getAttribute('aria-pressed')).toBe('false');
    // The tooltip says what the regex flavour is where it differs from rg.
    expect(screen.getByRole('button', { name: 'Use regular expression' }).getAttribute('title')).toMatch(/\\b is an ASCII boundary/);
    fireEvent.change(screen.getByRole('textbox', { name: 'Files to include' }), { target: { value: 'src/**, *.go' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Files to exclude' }), { target: { value: ' vendor/** ' } });
    type('n');
    type('ne');
    type('needle');
    await waitFor(() => expect(backend.argsOf('StartSearch')).toHaveLength(1));
    expect(backend.argsOf('StartSearch')[0]).toEqual({
      workspaceId: 'w1',
      query: { pattern: 'needle', regex: false, caseSensitive: true, wholeWord: false, include: ['src/**', '*.go'], exclude: ['vendor/**'], maxResults: 2000 },
    });
    await sleep(300);
    expect(backend.argsOf('StartSearch')).toHaveLength(1);
  });

  it('searches at once on Enter and when an option is flipped', async () => {
    render(<Harness opened={opened} />);
    type('needle');
    fireEvent.keyDown(box(), { key: 'Enter' });
    await waitFor(() => expect(backend.argsOf('StartSearch')).toHaveLength(1));
    fireEvent.click(screen.getByRole('button', { name: 'Match whole word' }));
    await waitFor(() => expect(backend.argsOf('StartSearch')).toHaveLength(2));
    expect(backend.argsOf('StartSearch')[1]?.query).toMatchObject({ pattern: 'needle', wholeWord: true });
    // The search the debounce would have started is not started again.
    await sleep(300);
    expect(backend.argsOf('StartSearch')).toHaveLength(2);
  });

  it('streams results in, grouped by file and sorted by path, with the matches marked, then sums up', async () => {
    render(<Harness opened={opened} />);
    type('needle');
    await waitFor(() => expect(backend.argsOf('StartSearch')).toHaveLength(1));
    await waitFor(() => expect(summary()).toBe('Searching…'));
    send({ id: 'search-1', results: [{ path: 'src/z.go', matches: [{ line: 7, text: '\tx := needle(needle)', ranges: [[6, 12], [13, 19]] }] }] });
    send({ id: 'search-1', results: [{ path: 'README.md', matches: [{ line: 2, text: 'A Needle here', ranges: [[2, 8]] }] }] });
    expect(fileHeads()).toEqual(['README.md', 'src/z.go']);
    expect(summary()).toBe('Searching… 3 matches in 2 files so far');
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();

    const line = screen.getByRole('button', { name: /x := needle/ });
    // Indentation is dropped; the marks move with the text.
    expect(within(line).getByText('7')).toBeTruthy();
    expect([...line.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['needle', 'needle']);
    expect(line.querySelector('.search-text')?.textContent).toBe('x := needle(needle)');

    send({ id: 'search-1', done: true, stats: stats({ usedIndex: true }) });
    expect(summary()).toBe('3 matches in 2 files · took 12 ms · used the index');
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
  });

  it('ignores the results of any other search, and takes those that came before its id', async () => {
    backend = fakeBackend({
      StartSearch: async () => {
        // The backend publishes before the answer reaches the page.
        backend.emit(Events.SearchResults, { id: 'search-7', results: [{ path: 'early.txt', matches: [{ line: 1, text: 'needle', ranges: [[0, 6]] }] }], done: false });
        return { id: 'search-7' };
      },
      CancelSearch: async () => {},
    });
    setTransport(backend.transport);
    render(<Harness opened={opened} />);
    type('needle');
    await waitFor(() => expect(fileHeads()).toEqual(['early.txt']));
    send({ id: 'search-6', results: [{ path: 'old.txt', matches: [{ line: 1, text: 'needle', ranges: [[0, 6]] }] }] });
    send({ id: 'search-6', done: true, error: 'boom', stats: stats() });
    expect(fileHeads()).toEqual(['early.txt']);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('cancels the running search when a new one starts, and ignores what it still sends', async () => {
    render(<Harness opened={opened} />);
    type('nee');
    await waitFor(() => expect(backend.argsOf('StartSearch')).toHaveLength(1));
    send({ id: 'search-1', results: [{ path: 'a.txt', matches: [{ line: 1, text: 'nee', ranges: [[0, 3]] }] }] });
    type('needle');
    await waitFor(() => expect(backend.argsOf('StartSearch')).toHaveLength(2));
    expect(backend.argsOf('CancelSearch')).toEqual([{ id: 'search-1' }]);
    send({ id: 'search-1', results: [{ path: 'late.txt', matches: [{ line: 1, text: 'nee', ranges: [[0, 3]] }] }] });
    expect(screen.queryByRole('list', { name: 'Search results' })).toBeNull();
    send({ id: 'search-2', done: true, stats: stats({ matches: 0, filesMatched: 0 }) });
    expect(summary()).toBe('No matches in 40 files searched · took 12 ms');
    // A finished search is not cancelled again.
    type('needles');
    await waitFor(() => expect(backend.argsOf('StartSearch')).toHaveLength(3));
    expect(backend.argsOf('CancelSearch')).toEqual([{ id: 'search-1' }]);
  });

  it('cancels a search whose id comes after a newer search started', async () => {
    let answerFirst: (v: { id: string }) => void = () => {};
    backend = fakeBackend({
      StartSearch: ({ query }) => (query.pattern === 'slow' ? new Promise((ok) => (answerFirst = ok)) : Promise.resolve({ id: 'search-2' })),
      CancelSearch: async () => {},
    });
    setTransport(backend.transport);
    render(<Harness opened={opened} />);
    type('slow');
    await waitFor(() => expect(backend.argsOf('StartSearch')).toHaveLength(1));
    type('fast');
    await waitFor(() => expect(backend.argsOf('StartSearch')).toHaveLength(2));
    await act(async () => answerFirst({ id: 'search-1' }));
    expect(backend.argsOf('CancelSearch')).toEqual([{ id: 'search-1' }]);
    send({ id: 'search-2', results: [{ path: 'f.txt', matches: [{ line: 3, text: 'fast', ranges: [[0, 4]] }] }], done: false });
    send({ id: 'search-1', results: [{ path: 's.txt', matches: [{ line: 3, text: 'slow', ranges: [[0, 4]] }] }], done: false });
    expect(fileHeads()).toEqual(['f.txt']);
  });

  it('Stop cancels the search and keeps what it found', async () => {
    render(<Harness opened={opened} />);
    type('needle');
    await waitFor(() => expect(backend.argsOf('StartSearch')).toHaveLength(1));
    send({ id: 'search-1', results: [{ path: 'a.txt', matches: [{ line: 1, text: 'needle', ranges: [[0, 6]] }] }] });
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    expect(backend.argsOf('CancelSearch')).toEqual([{ id: 'search-1' }]);
    send({ id: 'search-1', done: true, error: 'cancelled', stats: stats({ matches: 1, filesMatched: 1 }) });
    expect(summary()).toBe('Stopped: 1 match in 1 file so far');
    expect(fileHeads()).toEqual(['a.txt']);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says when the results were capped', async () => {
    render(<Harness opened={opened} />);
    type('e');
    await waitFor(() => expect(backend.argsOf('StartSearch')).toHaveLength(1));
    send({ id: 'search-1', done: true, stats: stats({ matches: 2000, filesMatched: 311, truncated: true, tookMs: 1234 }) });
    expect(summary()).toBe('2,000 matches in 311 files · took 1,234 ms (capped at 2,000 — refine the search)');
  });

  it('shows a refused query inline, and a search that failed on the way', async () => {
    backend = fakeBackend({
      StartSearch: async ({ query }) => {
        if (query.pattern === '(') throw new Error('invalid regular expression: missing closing )');
        return { id: 'search-9' };
      },
      CancelSearch: async () => {},
    });
    setTransport(backend.transport);
    render(<Harness opened={opened} />);
    fireEvent.click(screen.getByRole('button', { name: 'Use regular expression' }));
    type('(');
    expect((await screen.findByRole('alert')).textContent).toBe('invalid regular expression: missing closing )');
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();

    type('ok');
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    send({ id: 'search-9', done: true, error: 'the workspace is closed', stats: stats({ matches: 0 }) });
    expect(screen.getByRole('alert').textContent).toBe('the workspace is closed');
  });

  it('opens a result at its line, and folds a file away', async () => {
    render(<Harness opened={opened} />);
    type('needle');
    await waitFor(() => expect(backend.argsOf('StartSearch')).toHaveLength(1));
    send({
      id: 'search-1',
      results: [
        {
          path: 'src/a.go',
          matches: [
            { line: 3, text: 'needle one', ranges: [[0, 6]] },
            { line: 9, text: 'needle two', ranges: [[0, 6]] },
          ],
        },
      ],
      done: true,
      stats: stats({ matches: 2, filesMatched: 1 }),
    });
    fireEvent.click(screen.getByRole('button', { name: /needle two/ }));
    expect(opened).toEqual([['src/a.go', 9]]);

    const head = screen.getByRole('button', { name: /a\.go/, expanded: true });
    fireEvent.click(head);
    expect(head.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByRole('button', { name: /needle two/ })).toBeNull();
  });

  it('clearing the box stops the search and forgets its results', async () => {
    render(<Harness opened={opened} />);
    type('needle');
    await waitFor(() => expect(backend.argsOf('StartSearch')).toHaveLength(1));
    send({ id: 'search-1', results: [{ path: 'a.txt', matches: [{ line: 1, text: 'needle', ranges: [[0, 6]] }] }] });
    type('');
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Search results' })).toBeNull());
    expect(backend.argsOf('CancelSearch')).toEqual([{ id: 'search-1' }]);
    expect(summary()).toBe('');
  });

  it('runs the search it showed again when it comes back, and cancels it when it goes', async () => {
    const { unmount } = render(<Harness opened={opened} initial={{ ...emptySearchForm, pattern: 'kept' }} />);
    await waitFor(() => expect(backend.argsOf('StartSearch')).toHaveLength(1));
    expect(box()).toHaveProperty('value', 'kept');
    unmount();
    await waitFor(() => expect(backend.argsOf('CancelSearch')).toEqual([{ id: 'search-1' }]));
  });
});
