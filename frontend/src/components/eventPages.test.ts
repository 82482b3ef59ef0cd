import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventFilter, EventPage, EventRow } from '../bridge';
import { EventPages, PageSize, isFiltered, noFilter, pagesFor, parseEventRef, runChoices, sameFilter, throttle, type Loader } from './eventPages';

const types = ['run.created', 'inference.request', 'effect.file_read', 'workspace.opened'];

/** row makes the event with seq: its type and origin cycle so filters select a known subset. */
function row(seq: number): EventRow {
  return {
    seq,
    id: `id-${seq}`,
    at: 1_700_000_000_000_000_000 + seq * 1_000_000,
    type: types[seq % types.length] ?? 'run.created',
    origin: seq % 2 === 0 ? 'runtime' : 'user',
    stream: `run/r${seq % 3}`,
    version: seq,
    workspace: 'w1',
    run: `r${seq % 3}`,
    causation: '',
  };
}

const matches = (f: EventFilter, r: EventRow) =>
  (!f.type || f.type === r.type) && (!f.origin || f.origin === r.origin) && (!f.workspace || f.workspace === r.workspace) && (!f.run || f.run === r.run);

interface Call {
  filter: EventFilter;
  offset: number;
  limit: number;
}

/**
 * fakeLog answers ListEvents from n generated events, like the backend does.
 * Rows are generated on demand, so it can hold a million events. With hold
 * set, answers wait until release() is called.
 */
function fakeLog(n: number) {
  const calls: Call[] = [];
  let head = n;
  let failure: Error | null = null;
  let held: (() => void)[] = [];
  let hold = false;
  const answer = (filter: EventFilter, offset: number, limit: number): EventPage => {
    if (!isFiltered(filter)) {
      const rows: EventRow[] = [];
      for (let s = offset + 1; s <= Math.min(head, offset + limit); s++) rows.push(row(s));
      return { total: head, offset, rows };
    }
    const all: EventRow[] = [];
    for (let s = 1; s <= head; s++) if (matches(filter, row(s))) all.push(row(s));
    return { total: all.length, offset, rows: all.slice(offset, offset + limit) };
  };
  const load: Loader = (filter, offset, limit) => {
    calls.push({ filter, offset, limit });
    const compute = () => {
      if (failure) throw failure;
      return answer(filter, offset, limit);
    };
    if (!hold) return Promise.resolve().then(compute);
    return new Promise((ok, fail) => {
      held.push(() => {
        try {
          ok(compute());
        } catch (err) {
          fail(err);
        }
      });
    });
  };
  return {
    load,
    calls,
    offsets: () => calls.map((c) => c.offset),
    append(k: number) {
      head += k;
    },
    failWith(err: Error | null) {
      failure = err;
    },
    hold(on: boolean) {
      hold = on;
    },
    /** release answers every held request, in the order given (default: as asked). */
    release(order?: number[]) {
      const h = held;
      held = [];
      for (const i of order ?? h.map((_, j) => j)) h[i]?.();
    },
  };
}

/** settle lets every pending promise callback run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('pagesFor', () => {
  it.each([
    ['one row', 0, 0, 1000, [0]],
    ['exactly the first page', 0, 199, 1000, [0]],
    ['a range across a page boundary', 190, 210, 1000, [0, 1]],
    ['several pages', 150, 650, 10_000, [0, 1, 2, 3]],
    ['a range beyond the end, clamped to the last row', 900, 1500, 1000, [4]],
    ['a negative start, clamped to 0', -30, 10, 1000, [0]],
    ['an empty log', 0, 20, 0, []],
    ['an inverted range', 50, 10, 1000, []],
    ['far into a million rows', 500_000, 500_030, 1_000_000, [2500]],
  ])('%s', (_, start, end, total, want) => {
    expect(pagesFor(start, end, total)).toEqual(want);
  });

  it('honours another page size', () => {
    expect(pagesFor(5, 25, 100, 10)).toEqual([0, 1, 2]);
  });
});

describe('filters', () => {
  it('compare by value, and only a non-empty field filters', () => {
    expect(sameFilter(noFilter, { type: '', origin: '', workspace: '', run: '' })).toBe(true);
    expect(sameFilter(noFilter, { ...noFilter, run: 'r1' })).toBe(false);
    expect(isFiltered(noFilter)).toBe(false);
    expect(isFiltered({ ...noFilter, origin: 'user' })).toBe(true);
  });
});

describe('EventPages', () => {
  it('loads nothing until the first setFilter, which fetches page 0 and learns the total', async () => {
    const log = fakeLog(1000);
    const c = new EventPages(log.load);
    c.ensure(0, 30);
    await settle();
    expect(log.calls).toEqual([]);
    expect(c.total).toBeNull();

    c.setFilter(noFilter);
    await settle();
    expect(log.calls).toEqual([{ filter: noFilter, offset: 0, limit: PageSize }]);
    expect(c.total).toBe(1000);
    expect(c.row(0)?.seq).toBe(1);
    expect(c.row(199)?.seq).toBe(200);
    expect(c.row(200)).toBeUndefined();
  });

  it('loads only the pages of the visible range, once each, and never the whole log', async () => {
    const log = fakeLog(1_000_000);
    const c = new EventPages(log.load);
    c.setFilter(noFilter);
    await settle();
    expect(c.total).toBe(1_000_000);

    c.ensure(999_980, 999_999);
    c.ensure(999_980, 999_999); // asked again while in flight: no second request
    await settle();
    expect(log.offsets()).toEqual([0, 999_800]);
    expect(c.row(999_999)?.seq).toBe(1_000_000);

    c.ensure(500_190, 500_230);
    await settle();
    expect(log.offsets()).toEqual([0, 999_800, 500_000, 500_200]);
    expect(c.row(500_210)?.seq).toBe(500_211);

    // Cached pages are not asked for again.
    c.ensure(500_000, 500_399);
    await settle();
    expect(log.calls).toHaveLength(4);
    expect(log.calls.every((call) => call.limit === PageSize)).toBe(true);
    expect(c.missing(0, 999_999).length).toBe(5000 - 4);
  });

  it('passes the filter and indexes rows within the filtered log', async () => {
    const log = fakeLog(1000);
    const c = new EventPages(log.load);
    const f = { ...noFilter, type: 'workspace.opened' };
    c.setFilter(f);
    await settle();
    expect(log.calls[0]?.filter).toEqual(f);
    expect(c.total).toBe(250);
    expect(c.row(0)?.seq).toBe(3);
    expect(c.row(1)?.seq).toBe(7);
  });

  it('clears the cache on a filter change and drops answers to the old filter', async () => {
    const log = fakeLog(1000);
    const c = new EventPages(log.load);
    c.setFilter(noFilter);
    await settle();
    c.ensure(400, 450);
    await settle();
    expect(c.cachedPages()).toEqual([0, 2]);

    log.hold(true);
    c.ensure(600, 650); // in flight when the filter changes
    c.setFilter({ ...noFilter, origin: 'user' });
    expect(c.cachedPages()).toEqual([]);
    expect(c.total).toBeNull();
    log.release();
    await settle();
    // Only page 0 of the new filter was kept; the old answer for page 3 was dropped.
    expect(c.cachedPages()).toEqual([0]);
    expect(c.total).toBe(500);
    expect(c.row(0)?.origin).toBe('user');

    // Setting the same filter again changes nothing.
    const calls = log.calls.length;
    c.setFilter({ ...noFilter, origin: 'user' });
    expect(log.calls).toHaveLength(calls);
  });

  it('refresh reloads the partial last page after appends and keeps full pages', async () => {
    const log = fakeLog(450);
    const c = new EventPages(log.load);
    c.setFilter(noFilter);
    await settle();
    c.ensure(200, 449);
    await settle();
    expect(c.cachedPages()).toEqual([0, 1, 2]);
    expect(c.row(449)?.seq).toBe(450);
    expect(c.row(450)).toBeUndefined();

    log.append(30);
    const before = log.calls.length;
    await c.refresh();
    expect(log.offsets().slice(before)).toEqual([400]);
    expect(c.total).toBe(480);
    expect(c.row(479)?.seq).toBe(480);
    expect(c.cachedPages()).toEqual([0, 1, 2]);

    // Crossing into a new page: the old last page fills up, the new one is loaded on demand.
    log.append(150);
    await c.refresh();
    expect(log.offsets().slice(before)).toEqual([400, 400]);
    expect(c.total).toBe(630);
    expect(c.row(599)?.seq).toBe(600);
    expect(c.row(600)).toBeUndefined();
    expect(c.missing(0, 629)).toEqual([3]);
    c.ensure(610, 629);
    await settle();
    expect(c.row(629)?.seq).toBe(630);
  });

  it('folds refreshes asked for while one is running into one more', async () => {
    const log = fakeLog(10);
    const c = new EventPages(log.load);
    c.setFilter(noFilter);
    await settle();
    log.hold(true);
    const a = c.refresh();
    void c.refresh();
    void c.refresh();
    log.append(5);
    log.release();
    await settle();
    log.release();
    await a;
    expect(log.offsets()).toEqual([0, 0, 0]);
    expect(c.total).toBe(15);
  });

  it('keeps the larger total when answers arrive out of order', async () => {
    const log = fakeLog(300);
    const c = new EventPages(log.load);
    c.setFilter(noFilter);
    await settle();
    log.hold(true);
    c.ensure(250, 260); // page 1, asked when 300 events exist
    log.append(50);
    void c.refresh(); // page 1 again, answered with 350
    log.release([1, 0]); // the newer answer first
    await settle();
    expect(c.total).toBe(350);
    expect(c.row(349)?.seq).toBe(350);
  });

  it('records a failure, does not retry it by itself, and retries on request', async () => {
    const log = fakeLog(1000);
    const c = new EventPages(log.load);
    c.setFilter(noFilter);
    await settle();
    log.failWith(new Error('database is locked'));
    c.ensure(300, 320);
    await settle();
    expect(c.error).toBe('database is locked');
    expect(c.row(300)).toBeUndefined();
    c.ensure(300, 320);
    await settle();
    expect(log.offsets()).toEqual([0, 200]);

    log.failWith(null);
    c.retry();
    await settle();
    expect(log.offsets()).toEqual([0, 200, 200]);
    expect(c.error).toBeNull();
    expect(c.row(300)?.seq).toBe(301);
  });

  it('reports an unusable log from the first call, and retry asks again', async () => {
    const log = fakeLog(5);
    log.failWith(new Error('event log unavailable: file is not a database'));
    const seen: number[] = [];
    const c = new EventPages(log.load);
    c.subscribe(() => seen.push(c.version));
    c.setFilter(noFilter);
    await settle();
    expect(c.total).toBeNull();
    expect(c.error).toBe('event log unavailable: file is not a database');
    expect(seen.length).toBeGreaterThan(0);

    log.failWith(null);
    c.retry();
    await settle();
    expect(c.total).toBe(5);
    expect(c.error).toBeNull();
  });

  it('says so instead of asking forever when the log answers no rows where it claims some', async () => {
    const c = new EventPages(async (_f, offset) => ({ total: 500, offset, rows: offset === 0 ? Array.from({ length: PageSize }, (_, i) => row(i + 1)) : [] }));
    c.setFilter(noFilter);
    await settle();
    c.ensure(250, 260);
    await settle();
    expect(c.error).toMatch(/no rows from position 201 of 500/);
    expect(c.missing(250, 260)).toEqual([]);
  });

  it('keeps at most maxPages pages, dropping those furthest from the view', async () => {
    const log = fakeLog(100_000);
    const c = new EventPages(log.load, { maxPages: 4 });
    c.setFilter(noFilter);
    await settle();
    for (const start of [1000, 2000, 3000, 4000, 5000]) {
      c.ensure(start, start + 10);
      await settle();
    }
    expect(c.cachedPages()).toEqual([10, 15, 20, 25]);
    expect(c.row(5005)?.seq).toBe(5006);
  });

  describe('locate', () => {
    it('finds the index of a seq in the filtered log with a few page loads', async () => {
      const log = fakeLog(100_000);
      const c = new EventPages(log.load);
      c.setFilter({ ...noFilter, origin: 'user' }); // odd seqs: seq s is at (s-1)/2
      await settle();
      const before = log.calls.length;
      await expect(c.locate(77_777)).resolves.toBe(38_888);
      expect(log.calls.length - before).toBeLessThanOrEqual(Math.ceil(Math.log2(50_000 / PageSize)) + 1);
      await expect(c.locate(1)).resolves.toBe(0);
      await expect(c.locate(99_999)).resolves.toBe(49_999);
    });

    it('returns null for an event the filter hides or that does not exist', async () => {
      const log = fakeLog(1000);
      const c = new EventPages(log.load);
      c.setFilter({ ...noFilter, origin: 'user' });
      await settle();
      await expect(c.locate(500)).resolves.toBeNull();
      await expect(c.locate(5000)).resolves.toBeNull();
    });

    it('throws when the log cannot be read', async () => {
      const log = fakeLog(1000);
      const c = new EventPages(log.load);
      c.setFilter({ ...noFilter, origin: 'user' });
      await settle();
      log.failWith(new Error('disk I/O error'));
      await expect(c.locate(999)).rejects.toThrow('disk I/O error');
    });
  });
});

describe('throttle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the first call at once and folds later calls into one at the end of the interval', () => {
    const fn = vi.fn();
    const t = throttle(fn, 1000);
    t();
    expect(fn).toHaveBeenCalledTimes(1);
    t();
    t();
    t();
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(999);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(5000);
    expect(fn).toHaveBeenCalledTimes(2);
    t();
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('cancel drops a pending call', () => {
    const fn = vi.fn();
    const t = throttle(fn, 1000);
    t();
    t();
    t.cancel();
    vi.advanceTimersByTime(5000);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});

describe('parseEventRef and runChoices', () => {
  it('reads a #seq, a bare seq or an id', () => {
    expect(parseEventRef(' #42 ')).toEqual({ seq: 42 });
    expect(parseEventRef('7')).toEqual({ seq: 7 });
    expect(parseEventRef('0192f7a2-5b1c')).toEqual({ id: '0192f7a2-5b1c' });
    expect(parseEventRef('#0')).toBeNull();
    expect(parseEventRef('two words')).toBeNull();
    expect(parseEventRef('   ')).toBeNull();
  });

  it('lists runs with a task first, newest first, then the others, and searches both', () => {
    const tasks = [
      { id: 'r3', task: 'Fix the parser' },
      { id: 'r1', task: 'Rename README' },
    ];
    expect(runChoices(tasks, ['r1', 'r2', 'r3'])).toEqual([
      { id: 'r3', label: 'Fix the parser' },
      { id: 'r1', label: 'Rename README' },
      { id: 'r2', label: 'r2' },
    ]);
    expect(runChoices(tasks, ['r1', 'r2', 'r3'], 'PARSER').map((c) => c.id)).toEqual(['r3']);
    expect(runChoices(tasks, ['r1', 'r2', 'r3'], 'r2').map((c) => c.id)).toEqual(['r2']);
  });

  it('tells filters with another search apart', () => {
    expect(sameFilter(noFilter, { ...noFilter, text: 'x' })).toBe(false);
    expect(isFiltered({ ...noFilter, text: 'x' })).toBe(true);
  });
});
