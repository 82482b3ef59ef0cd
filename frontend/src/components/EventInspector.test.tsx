import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Events, setTransport, type EventDetail, type EventFilter, type VerifyReport } from '../bridge';
import { apiMethods, type Api, type Transport } from '../bridge/api';
import { initialState, store } from '../store';
import { clock, shortId } from './EventDetail';
import { EventInspector, RowHeight } from './EventInspector';
import { noFilter } from './eventPages';

const runId = '0190f7a2-5b1c-7d2e-9f00-1234abcd5678';

/** ev makes event seq; run events carry a run id, and event 12 is caused by event 3. */
function ev(seq: number, over: Partial<EventDetail> = {}): EventDetail {
  const type = seq === 1 ? 'workspace.opened' : seq % 3 === 0 ? 'run.created' : 'inference.request';
  return {
    seq,
    id: `id-${seq}`,
    at: Date.UTC(2025, 0, 6, 9, 0, 0, 0) * 1e6 + seq * 1_500_000,
    type,
    origin: type === 'inference.request' ? 'agent:planner' : 'runtime',
    stream: type === 'workspace.opened' ? 'workspace/w1' : `run/${runId}`,
    version: seq,
    workspace: 'w1',
    run: type === 'workspace.opened' ? '' : runId,
    causation: seq === 12 ? 'id-3' : '',
    schema: 1,
    correlation: seq === 12 ? runId : '',
    payload: JSON.stringify({ seq, path: `/home/u/proj/file-${seq}.go` }, null, 2),
    hash: `hash-${seq}`.padEnd(64, '0'),
    prevHash: seq === 1 ? '' : `hash-${seq - 1}`.padEnd(64, '0'),
    causationSeq: 0,
    ...over,
  };
}

const matches = (f: EventFilter, e: EventDetail) =>
  (!f.type || f.type === e.type) &&
  (!f.origin || f.origin === e.origin) &&
  (!f.workspace || f.workspace === e.workspace) &&
  (!f.run || f.run === e.run) &&
  (!f.text || e.payload.toLowerCase().includes(f.text.toLowerCase()));

/** fakeBackend answers the event API from an in-memory log and lets the test send notifications. */
function fakeBackend(n: number) {
  const log: EventDetail[] = Array.from({ length: n }, (_, i) => ev(i + 1));
  const listCalls: { filter: EventFilter; offset: number; limit: number }[] = [];
  const getCalls: number[] = [];
  const handlers = new Map<string, Set<(d: unknown) => void>>();
  let verify: VerifyReport | Error = { ok: true, checked: n, headSeq: n, firstBad: 0, problem: '', detail: '' };
  let listFails: Error | null = null;
  const getFails = new Set<number>();
  let gate: Promise<void> | null = null;
  const distinct = (pick: (e: EventDetail) => string) => [...new Set(log.map(pick).filter(Boolean))].sort();

  const notFaked = Object.fromEntries(
    apiMethods.map((m) => [m, () => Promise.reject(new Error(`${m} is not part of this fake`))]),
  ) as unknown as Api;
  const api: Api = {
    ...notFaked,
    ListEvents: async ({ filter, offset, limit }) => {
      listCalls.push({ filter, offset, limit });
      if (gate) await gate;
      if (listFails) throw listFails;
      const all = log.filter((e) => matches(filter, e));
      const rows = all.slice(offset, offset + limit).map(({ seq, id, at, type, origin, stream, version, workspace, run, causation, payload }) => ({
        seq,
        id,
        at,
        type,
        origin,
        stream,
        version,
        workspace,
        run,
        causation,
        preview: JSON.stringify(JSON.parse(payload)),
      }));
      return { total: all.length, offset, rows };
    },
    GetEvent: async ({ seq, id }) => {
      getCalls.push(seq);
      const e = id ? log.find((x) => x.id === id) : log[seq - 1];
      if (!e || getFails.has(seq)) throw new Error(`event ${seq} not found`);
      return { ...e, causationSeq: e.causation ? (log.find((c) => c.id === e.causation)?.seq ?? 0) : 0 };
    },
    EventFacets: async () => ({
      types: distinct((e) => e.type),
      origins: distinct((e) => e.origin),
      workspaces: distinct((e) => e.workspace),
      runs: distinct((e) => e.run),
      runTasks: log.filter((e) => e.type === 'run.created').map((e) => ({ id: e.run, task: 'Rename the parser', workspace: e.workspace, at: e.at })).slice(0, 1),
    }),
    VerifyLog: async () => {
      if (verify instanceof Error) throw verify;
      return verify;
    },
  };
  const transport: Transport = {
    kind: 'http',
    api,
    on(name, h) {
      let set = handlers.get(name);
      if (!set) handlers.set(name, (set = new Set()));
      set.add(h);
      return () => set.delete(h);
    },
  };
  return {
    transport,
    log,
    listCalls,
    getCalls,
    append(k: number) {
      const from = log.length;
      for (let i = 1; i <= k; i++) log.push(ev(from + i));
    },
    notify(name: string, data: unknown) {
      handlers.get(name)?.forEach((h) => h(data));
    },
    verifyAnswers(r: VerifyReport | Error) {
      verify = r;
    },
    failList(err: Error | null) {
      listFails = err;
    },
    failGet(seq: number) {
      getFails.add(seq);
    },
    /** holdList keeps ListEvents answers back until the returned function is called. */
    holdList(): () => void {
      let open = () => {};
      gate = new Promise((r) => (open = r));
      return () => {
        gate = null;
        open();
      };
    },
  };
}

/**
 * jsdom has no layout: give the list a height, a ResizeObserver that never
 * fires, and a scrollTo that moves scrollTop and reports the scroll.
 */
function fakeLayout() {
  class NoResize {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  const g = globalThis as { ResizeObserver?: unknown };
  const saved = g.ResizeObserver;
  g.ResizeObserver = NoResize;
  const listOnly = (px: number) =>
    function (this: HTMLElement) {
      return this.classList.contains('ev-list') ? px : 0;
    };
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: listOnly(20 * RowHeight) });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: listOnly(700) });
  // The list scrolls as far as its sizer is tall.
  Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
    configurable: true,
    get(this: HTMLElement) {
      const sizer = this.classList.contains('ev-list') ? this.querySelector<HTMLElement>('.ev-sizer') : null;
      return sizer ? parseFloat(sizer.style.height) || 0 : 0;
    },
  });
  Object.defineProperty(HTMLElement.prototype, 'scrollTo', {
    configurable: true,
    value(this: HTMLElement, opts: ScrollToOptions) {
      this.scrollTop = Math.max(0, Math.min(opts.top ?? 0, this.scrollHeight - this.clientHeight));
      // Like a browser, report the scroll later, not inside the caller.
      setTimeout(() => this.dispatchEvent(new Event('scroll')), 0);
    },
  });
  return () => {
    g.ResizeObserver = saved;
    for (const p of ['clientHeight', 'clientWidth', 'scrollHeight', 'scrollTo']) delete (HTMLElement.prototype as unknown as Record<string, unknown>)[p];
  };
}

const list = () => screen.getByRole('listbox', { name: 'Events' });
const rowFor = (seq: number): HTMLElement => {
  const el = within(list())
    .queryAllByRole('option')
    .find((o) => o.getAttribute('data-seq') === String(seq));
  if (!el) throw new Error(`no row for seq ${seq}`);
  return el;
};
const shownSeqs = () =>
  within(list())
    .queryAllByRole('option')
    .map((o) => o.getAttribute('data-seq'))
    .filter((s): s is string => s !== null)
    .map(Number);
const details = () => screen.getByLabelText('Event details');
const payload = () => within(details()).getByLabelText('Payload');
const total = () => screen.getByTestId('event-total').textContent;
const choices = (label: string) => [...(screen.getByLabelText(label) as HTMLSelectElement).options].map((o) => o.value);

describe('<EventInspector>', () => {
  let backend: ReturnType<typeof fakeBackend>;
  let restoreLayout: () => void;

  beforeEach(() => {
    restoreLayout = fakeLayout();
    store.update({ ...initialState, loading: false, view: 'events', workspaces: [{ id: 'w1', name: 'proj', root: '/home/u/proj', openedAt: 1 }] });
    backend = fakeBackend(30);
    setTransport(backend.transport);
  });

  afterEach(() => {
    restoreLayout();
    store.update(initialState);
  });

  it('renders the rows of the log from ListEvents, with the total', async () => {
    render(<EventInspector />);
    await waitFor(() => expect(shownSeqs()).toContain(1));
    expect(backend.listCalls[0]).toEqual({ filter: noFilter, offset: 0, limit: 200 });
    expect(total()).toBe('30 events');
    expect(shownSeqs()).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));

    const first = rowFor(1);
    expect(within(first).getByText('workspace.opened')).toBeTruthy();
    expect(within(first).getByText('opened a folder')).toBeTruthy();
    expect(within(first).getByText('opened a folder').getAttribute('title')).toContain('stream workspace/w1');
    expect(within(first).getByText(clock(ev(1).at))).toBeTruthy();
    const third = rowFor(3);
    expect(within(third).getByText('run.created')).toBeTruthy();
    expect(within(third).getByText(shortId(runId))).toBeTruthy();
    expect(third.getAttribute('aria-posinset')).toBe('3');
    expect(third.getAttribute('aria-setsize')).toBe('30');
  });

  it('loads only the pages on screen, with placeholders until they arrive', async () => {
    backend = fakeBackend(5000);
    setTransport(backend.transport);
    render(<EventInspector />);
    // Follow is on: the list goes to the newest event and loads only its page.
    await waitFor(() => expect(shownSeqs()).toContain(5000));
    expect(total()).toBe('5,000 events');
    expect(backend.listCalls.map((c) => c.offset)).toEqual([0, 4800]);
    expect(within(list()).getAllByRole('option').length).toBeLessThan(60);

    // Scrolling elsewhere shows placeholders, then the rows of that page only.
    const release = backend.holdList();
    await act(async () => {
      list().scrollTo({ top: 2000 * RowHeight });
      await new Promise((r) => setTimeout(r, 100));
    });
    expect(within(list()).getAllByText('loading…').length).toBeGreaterThan(10);
    expect(shownSeqs()).toEqual([]);
    // Row 2000 is the first on screen; the overscan above it reaches into the page before.
    await waitFor(() => expect(backend.listCalls).toHaveLength(4));
    await act(async () => release());
    await waitFor(() => expect(shownSeqs()).toContain(2001));
    expect(screen.queryByText('loading…')).toBeNull();
    expect(backend.listCalls.map((c) => c.offset)).toEqual([0, 4800, 1800, 2000]);
  });

  it('shows the detail of a clicked row from GetEvent: envelope, payload, hash and prevHash', async () => {
    render(<EventInspector />);
    await waitFor(() => expect(shownSeqs()).toContain(5));
    expect(within(details()).getByText(/Select an event/)).toBeTruthy();

    fireEvent.click(rowFor(5));
    expect(rowFor(5).getAttribute('aria-selected')).toBe('true');
    await waitFor(() => expect(payload().textContent).toBe(ev(5).payload));
    expect(backend.getCalls).toEqual([5]);
    const pane = within(details());
    expect(pane.getByText('id-5')).toBeTruthy();
    expect(pane.getByText('agent:planner')).toBeTruthy();
    expect(pane.getByText(`run/${runId}`)).toBeTruthy();
    expect(pane.getByText(ev(5).hash)).toBeTruthy();
    expect(pane.getByText(ev(5).prevHash)).toBeTruthy();
    expect(pane.getByText('w1 (proj)')).toBeTruthy();
  });

  it('moves the selection with ArrowDown and ArrowUp', async () => {
    render(<EventInspector />);
    await waitFor(() => expect(shownSeqs()).toContain(5));
    fireEvent.click(rowFor(5));
    await waitFor(() => expect(payload().textContent).toBe(ev(5).payload));

    fireEvent.keyDown(list(), { key: 'ArrowDown' });
    fireEvent.keyDown(list(), { key: 'ArrowDown' });
    expect(rowFor(7).getAttribute('aria-selected')).toBe('true');
    expect(rowFor(5).getAttribute('aria-selected')).toBe('false');
    await waitFor(() => expect(payload().textContent).toBe(ev(7).payload));

    fireEvent.keyDown(list(), { key: 'ArrowUp' });
    await waitFor(() => expect(payload().textContent).toBe(ev(6).payload));
    expect(list().getAttribute('aria-activedescendant')).toBe(rowFor(6).id);

    // The ends stop the selection.
    fireEvent.keyDown(list(), { key: 'End' });
    fireEvent.keyDown(list(), { key: 'ArrowDown' });
    await waitFor(() => expect(payload().textContent).toBe(ev(30).payload));
  });

  it('the causation link selects the cause', async () => {
    render(<EventInspector />);
    await waitFor(() => expect(shownSeqs()).toContain(12));
    fireEvent.click(rowFor(12));
    const link = await within(details()).findByRole('button', { name: '#3 · id-3' });
    fireEvent.click(link);
    await waitFor(() => expect(rowFor(3).getAttribute('aria-selected')).toBe('true'));
    expect(rowFor(12).getAttribute('aria-selected')).toBe('false');
    await waitFor(() => expect(payload().textContent).toBe(ev(3).payload));
    expect(within(details()).queryByRole('button', { name: /^#\d+ ·/ })).toBeNull();
  });

  it('the causation link keeps a filter that shows the cause, and clears one that hides it', async () => {
    backend.log[10] = ev(11, { causation: 'id-3' });
    render(<EventInspector />);
    // Filtered by run, the cause (in the same run) is found within the filtered list.
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    fireEvent.click(await screen.findByRole('option', { name: /Rename the parser/ }));
    await waitFor(() => expect(total()).toBe('29 events match'));
    fireEvent.click(rowFor(12));
    fireEvent.click(await within(details()).findByRole('button', { name: '#3 · id-3' }));
    await waitFor(() => expect(rowFor(3).getAttribute('aria-selected')).toBe('true'));
    expect(store.get().eventFilter.run).toBe(runId);
    // Row 3 is the second row of this filtered list.
    expect(rowFor(3).getAttribute('aria-posinset')).toBe('2');

    // Filtered by type, the cause (a run.created) is hidden: the filter is cleared.
    fireEvent.click(screen.getByRole('button', { name: 'All runs' }));
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'inference.request' } });
    await waitFor(() => expect(total()).toBe('19 events match'));
    expect(shownSeqs()).not.toContain(3);
    fireEvent.click(rowFor(11));
    fireEvent.click(await within(details()).findByRole('button', { name: '#3 · id-3' }));
    await waitFor(() => expect(store.get().eventFilter).toEqual(noFilter));
    await waitFor(() => expect(total()).toBe('30 events'));
    await waitFor(() => expect(rowFor(3).getAttribute('aria-selected')).toBe('true'));
    await waitFor(() => expect(payload().textContent).toBe(ev(3).payload));
  });

  it('filters by the facets and Clear shows everything again', async () => {
    render(<EventInspector />);
    const type = screen.getByLabelText('Type') as HTMLSelectElement;
    await waitFor(() => expect(choices('Type')).toEqual(['', 'inference.request', 'run.created', 'workspace.opened']));
    expect([...(screen.getByLabelText('Origin') as HTMLSelectElement).options].map((o) => o.textContent)).toEqual([
      'All origins',
      'agent:planner',
      'runtime',
    ]);

    fireEvent.change(type, { target: { value: 'run.created' } });
    await waitFor(() => expect(total()).toBe('10 events match'));
    expect(backend.listCalls.at(-1)?.filter).toEqual({ ...noFilter, type: 'run.created' });
    await waitFor(() => expect(shownSeqs()).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 27, 30]));

    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(total()).toBe('30 events'));
    expect(type.value).toBe('');
    expect(shownSeqs()).toHaveLength(30);
    expect((screen.getByRole('button', { name: 'Clear' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('follows appended events: the total grows and the newest row shows', async () => {
    render(<EventInspector />);
    await waitFor(() => expect(shownSeqs()).toContain(30));
    expect(screen.getByRole('button', { name: 'Follow' }).getAttribute('aria-pressed')).toBe('true');

    backend.append(3);
    await act(async () => {
      backend.notify(Events.EventsAppended, { headSeq: 33 });
    });
    await waitFor(() => expect(total()).toBe('33 events'));
    await waitFor(() => expect(shownSeqs()).toContain(33));
    // Only the last page was asked for again.
    expect(backend.listCalls.map((c) => c.offset)).toEqual([0, 0]);
  });

  it('Follow keeps the newest event in view only while the list is at the bottom, and can be switched off', async () => {
    backend = fakeBackend(5000);
    setTransport(backend.transport);
    render(<EventInspector />);
    const bottom = (n: number) => n * RowHeight - 20 * RowHeight;
    const follow = screen.getByRole('button', { name: 'Follow' });
    const append = async (k: number) => {
      backend.append(k);
      await act(async () => backend.notify(Events.EventsAppended, { headSeq: backend.log.length }));
      await waitFor(() => expect(total()).toBe(`${backend.log.length.toLocaleString()} events`));
    };
    const scrollTo = async (top: number) =>
      act(async () => {
        list().scrollTo({ top });
        await new Promise((r) => setTimeout(r, 20));
      });

    await waitFor(() => expect(list().scrollTop).toBe(bottom(5000)));
    await append(3);
    await waitFor(() => expect(list().scrollTop).toBe(bottom(5003)));

    // Scrolled up, the view stays where the user put it.
    await scrollTo(1000 * RowHeight);
    await append(2);
    await new Promise((r) => setTimeout(r, 50));
    expect(list().scrollTop).toBe(1000 * RowHeight);

    // Switched off, even the bottom does not move.
    fireEvent.click(follow);
    expect(follow.getAttribute('aria-pressed')).toBe('false');
    await scrollTo(bottom(5005));
    await append(2);
    await new Promise((r) => setTimeout(r, 50));
    expect(list().scrollTop).toBe(bottom(5005));

    // Switched on again, it goes to the newest event.
    fireEvent.click(follow);
    expect(follow.getAttribute('aria-pressed')).toBe('true');
    await waitFor(() => expect(list().scrollTop).toBe(bottom(5007)));
    await waitFor(() => expect(shownSeqs()).toContain(5007));
  });

  it('says the log verified', async () => {
    render(<EventInspector />);
    fireEvent.click(screen.getByRole('button', { name: 'Verify log' }));
    const ok = await screen.findByRole('status');
    expect(ok.textContent).toContain('Log verified: 30 events, hash chain intact.');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('names the first bad event of a failed verification and jumps to it', async () => {
    backend.verifyAnswers({ ok: false, checked: 6, headSeq: 30, firstBad: 7, problem: 'hash mismatch', detail: 'stored abc…, computed def…' });
    render(<EventInspector />);
    await waitFor(() => expect(shownSeqs()).toContain(7));
    fireEvent.click(screen.getByRole('button', { name: 'Verify log' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Log verification failed at event #7: hash mismatch');
    expect(alert.textContent).toContain('stored abc…, computed def…');
    expect(screen.queryByText(/Log verified/)).toBeNull();

    fireEvent.click(within(alert).getByRole('button', { name: 'Show event #7' }));
    await waitFor(() => expect(rowFor(7).getAttribute('aria-selected')).toBe('true'));
    await waitFor(() => expect(payload().textContent).toBe(ev(7).payload));
  });

  it('a jump far from the newest event is not undone by Follow', async () => {
    backend = fakeBackend(5000);
    setTransport(backend.transport);
    backend.verifyAnswers({ ok: false, checked: 99, headSeq: 5000, firstBad: 100, problem: 'broken chain', detail: '' });
    render(<EventInspector />);
    await waitFor(() => expect(shownSeqs()).toContain(5000));
    fireEvent.click(screen.getByRole('button', { name: 'Verify log' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Show event #100' }));
    await waitFor(() => expect(rowFor(100).getAttribute('aria-selected')).toBe('true'));
    await waitFor(() => expect(payload().textContent).toBe(ev(100).payload));
    await new Promise((r) => setTimeout(r, 50));
    expect(shownSeqs()).toContain(100);
    expect(shownSeqs()).not.toContain(5000);

    // New events do not pull the view away from it either.
    backend.append(1);
    await act(async () => backend.notify(Events.EventsAppended, { headSeq: 5001 }));
    await waitFor(() => expect(total()).toBe('5,001 events'));
    await new Promise((r) => setTimeout(r, 50));
    expect(shownSeqs()).toContain(100);
  });

  it('shows why verification could not run', async () => {
    backend.verifyAnswers(new Error('event log unavailable'));
    render(<EventInspector />);
    fireEvent.click(screen.getByRole('button', { name: 'Verify log' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Could not verify the log: event log unavailable');
  });

  it('shows a ListEvents failure inline, once, and Retry loads again', async () => {
    backend.failList(new Error('event log unavailable: file is not a database'));
    render(<EventInspector />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load events: event log unavailable: file is not a database');
    await waitFor(() => expect(screen.getAllByRole('alert')).toHaveLength(1));

    backend.failList(null);
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(shownSeqs()).toContain(1));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows a GetEvent failure in the detail pane', async () => {
    render(<EventInspector />);
    await waitFor(() => expect(shownSeqs()).toContain(2));
    backend.failGet(2);
    fireEvent.click(rowFor(2));
    expect((await within(details()).findByRole('alert')).textContent).toContain('Could not load event #2: event 2 not found');
  });

  it('searches the payloads as typed, and says how many match', async () => {
    render(<EventInspector />);
    await waitFor(() => expect(total()).toBe('30 events'));
    fireEvent.change(screen.getByLabelText('Search payloads'), { target: { value: 'FILE-7.go' } });
    await waitFor(() => expect(total()).toBe('1 event match'));
    expect(backend.listCalls.at(-1)?.filter).toEqual({ ...noFilter, text: 'FILE-7.go' });
    expect(store.get().eventFilter.text).toBe('FILE-7.go');
    await waitFor(() => expect(shownSeqs()).toEqual([7]));
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(total()).toBe('30 events'));
    expect((screen.getByLabelText('Search payloads') as HTMLInputElement).value).toBe('');
  });

  it('picks a run by its task, with a search over the tasks', async () => {
    render(<EventInspector />);
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    const find = screen.getByLabelText('Find a run');
    fireEvent.change(find, { target: { value: 'nothing like it' } });
    expect(await screen.findByText('No run matches.')).toBeTruthy();
    fireEvent.change(find, { target: { value: 'parser' } });
    const opt = await screen.findByRole('option', { name: /Rename the parser/ });
    expect(opt.getAttribute('title')).toBe(runId);
    fireEvent.keyDown(find, { key: 'Enter' });
    await waitFor(() => expect(store.get().eventFilter.run).toBe(runId));
    await waitFor(() => expect(total()).toBe('29 events match'));
    expect(screen.getByRole('button', { name: 'Run' }).textContent).toBe('Rename the parser');
  });

  it('opens at an event a link asked for by id, on its page of a filtered log', async () => {
    backend = fakeBackend(5000);
    setTransport(backend.transport);
    store.update({ eventFilter: { ...noFilter, type: 'run.created' } });
    render(<EventInspector />);
    await waitFor(() => expect(total()).toBe('1,666 events match'));
    // Event 1500 (a run.created) is row 500 of the filtered list: the third page, far from the newest.
    act(() => store.update({ eventJump: { seq: 0, id: 'id-1500' } }));
    await waitFor(() => expect(rowFor(1500).getAttribute('aria-selected')).toBe('true'));
    expect(rowFor(1500).getAttribute('aria-posinset')).toBe('500');
    expect(store.get().eventJump).toBeNull();
    expect(store.get().eventFilter.type).toBe('run.created');
    await waitFor(() => expect(payload().textContent).toBe(ev(1500).payload));

    // An event the filter hides: the filter is cleared and the event shown.
    act(() => store.update({ eventJump: { seq: 1501, id: '' } }));
    await waitFor(() => expect(store.get().eventFilter).toEqual(noFilter));
    await waitFor(() => expect(rowFor(1501).getAttribute('aria-selected')).toBe('true'));
  });

  it('says so when a linked event is not in the log', async () => {
    render(<EventInspector />);
    await waitFor(() => expect(total()).toBe('30 events'));
    act(() => store.update({ eventJump: { seq: 0, id: 'ghost' } }));
    expect((await screen.findByRole('alert')).textContent).toContain('Could not find event ghost');
  });
});
