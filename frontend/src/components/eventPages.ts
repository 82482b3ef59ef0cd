// The event inspector's window onto the log: rows are fetched in fixed pages
// through ListEvents, only for the range on screen, and cached by page. The
// log is append-only, so a full page never changes; only the last, partial
// page grows. No React here, so it can be tested on its own.
import type { EventFilter, EventPage, EventRow } from '../bridge';

/** PageSize is how many rows one ListEvents call fetches. */
export const PageSize = 200;

export const noFilter: EventFilter = { type: '', origin: '', workspace: '', run: '', text: '' };

/** sameFilter tells whether two filters select the same events. */
export function sameFilter(a: EventFilter, b: EventFilter): boolean {
  return a.type === b.type && a.origin === b.origin && a.workspace === b.workspace && a.run === b.run && (a.text ?? '') === (b.text ?? '');
}

/** MaxSearch is the longest payload search the backend takes (eventlog.MaxText). */
export const MaxSearch = 256;

/** parseEventRef reads "#42" or "42" as a seq, anything else one word long as an event id; null for neither. */
export function parseEventRef(text: string): { seq: number } | { id: string } | null {
  const t = text.trim();
  const m = /^#?(\d+)$/.exec(t);
  if (m) {
    const seq = Number(m[1]);
    return seq > 0 && Number.isSafeInteger(seq) ? { seq } : null;
  }
  return t && !/\s/.test(t) ? { id: t } : null;
}

/** RunChoice is a run as the run picker offers it. */
export interface RunChoice {
  id: string;
  /** label is its task, or its id when the log does not say it. */
  label: string;
}

/**
 * runChoices lists the runs for the picker, newest first: those with a task
 * (runTasks, newest first), then the other runs of the log; query keeps the
 * ones whose task or id contains it (case-insensitive).
 */
export function runChoices(tasks: { id: string; task: string }[], runs: string[], query = ''): RunChoice[] {
  const seen = new Set<string>();
  const out: RunChoice[] = [];
  for (const t of tasks) {
    if (seen.has(t.id)) continue;
    seen.add(t.id);
    out.push({ id: t.id, label: t.task || t.id });
  }
  for (const r of [...runs].reverse()) if (!seen.has(r)) out.push({ id: r, label: r });
  const q = query.trim().toLowerCase();
  return q ? out.filter((c) => c.label.toLowerCase().includes(q) || c.id.toLowerCase().includes(q)) : out;
}

/** isFiltered tells whether f hides any event. */
export function isFiltered(f: EventFilter): boolean {
  return !sameFilter(f, noFilter);
}

/** pagesFor lists the pages holding rows start..end (inclusive) of total rows. */
export function pagesFor(start: number, end: number, total: number, pageSize = PageSize): number[] {
  const last = Math.min(end, total - 1);
  const first = Math.max(0, start);
  if (last < first) return [];
  const pages: number[] = [];
  for (let p = Math.floor(first / pageSize); p <= Math.floor(last / pageSize); p++) pages.push(p);
  return pages;
}

/** Loader fetches rows [offset, offset+limit) of the log narrowed by filter. */
export type Loader = (filter: EventFilter, offset: number, limit: number) => Promise<EventPage>;

export interface EventPagesOptions {
  pageSize?: number;
  /** maxPages bounds the cache; the pages furthest from the view go first. */
  maxPages?: number;
  /** describe turns a rejection into text (the bridge's errorMessage). */
  describe?: (err: unknown) => string;
}

/**
 * EventPages caches pages of the filtered log. Listeners are told after every
 * change; `version` grows with each, for useSyncExternalStore.
 */
export class EventPages {
  readonly pageSize: number;
  private readonly maxPages: number;
  private readonly describe: (err: unknown) => string;
  private readonly pages = new Map<number, EventRow[]>();
  private readonly inflight = new Set<number>();
  private readonly failed = new Set<number>();
  private readonly listeners = new Set<() => void>();
  /** gen changes on invalidation, so answers to older requests are dropped. */
  private gen = 0;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  private view = { start: 0, end: 0 };
  private started = false;

  filter: EventFilter = noFilter;
  /** total is the number of events the filter selects; null until known. */
  total: number | null = null;
  /** error is the last failure to load, until retry or invalidation. */
  error: string | null = null;
  version = 0;

  constructor(
    private readonly load: Loader,
    opts: EventPagesOptions = {},
  ) {
    this.pageSize = opts.pageSize ?? PageSize;
    this.maxPages = Math.max(2, opts.maxPages ?? 64);
    this.describe = opts.describe ?? ((err) => (err instanceof Error ? err.message : String(err)));
  }

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  getVersion = (): number => this.version;

  private emit(): void {
    this.version++;
    this.listeners.forEach((l) => l());
  }

  /** row is the event at index of the filtered log, if its page is loaded. */
  row(index: number): EventRow | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  /** cachedPages lists the loaded page numbers, in ascending order. */
  cachedPages(): number[] {
    return [...this.pages.keys()].sort((a, b) => a - b);
  }

  /** setFilter switches to another filter, dropping every cached page; the first call starts loading. */
  setFilter(f: EventFilter): void {
    if (sameFilter(f, this.filter) && this.started) return;
    this.filter = { ...f };
    this.invalidate();
  }

  /** invalidate forgets everything and loads the total again. */
  invalidate(): void {
    this.started = true;
    this.gen++;
    this.pages.clear();
    this.inflight.clear();
    this.failed.clear();
    this.total = null;
    this.error = null;
    this.refreshing = null;
    this.refreshAgain = false;
    this.emit();
    void this.refresh();
  }

  /** missing lists the pages of rows start..end that still need loading. */
  missing(start: number, end: number): number[] {
    if (this.total === null) return [];
    return pagesFor(start, end, this.total, this.pageSize).filter(
      (p) => !this.pages.has(p) && !this.inflight.has(p) && !this.failed.has(p),
    );
  }

  /** ensure loads whatever rows start..end (inclusive) need and is cheap when nothing does. */
  ensure(start: number, end: number): void {
    this.view = { start, end };
    for (const p of this.missing(start, end)) void this.fetchPage(p);
  }

  /**
   * refresh reloads the first page that is not full: after appends it holds
   * the new events and its answer carries the new total. Calls made while one
   * is running are folded into one more.
   */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    const gen = this.gen;
    const run = async () => {
      do {
        this.refreshAgain = false;
        const tail = this.total === null ? 0 : Math.floor(this.total / this.pageSize);
        await this.fetchPage(tail, true);
      } while (this.refreshAgain && gen === this.gen);
    };
    const p = run().finally(() => {
      if (gen === this.gen) this.refreshing = null;
    });
    this.refreshing = p;
    return p;
  }

  /** retry forgets failures so that the pages on screen are asked for again. */
  retry(): void {
    this.failed.clear();
    this.error = null;
    if (this.total === null) void this.refresh();
    else this.ensure(this.view.start, this.view.end);
    this.emit();
  }

  /**
   * fetchPage loads page p and returns its rows, or null on failure; a cached
   * page is answered from the cache unless reload is set.
   */
  async fetchPage(p: number, reload = false): Promise<EventRow[] | null> {
    const cached = this.pages.get(p);
    if (cached && !reload) return cached;
    const gen = this.gen;
    this.inflight.add(p);
    let page: EventPage;
    try {
      page = await this.load(this.filter, p * this.pageSize, this.pageSize);
    } catch (err) {
      if (gen !== this.gen) return null;
      this.inflight.delete(p);
      this.failed.add(p);
      this.error = this.describe(err);
      this.emit();
      return null;
    }
    if (gen !== this.gen) return null;
    this.inflight.delete(p);
    const rows = page.rows ?? [];
    const problem = this.accept(p, page.total, rows);
    if (problem) this.failed.add(p);
    else this.failed.delete(p);
    this.error = problem;
    this.emit();
    return problem ? null : rows;
  }

  /** accept records one answer; it returns a problem if the answer makes no sense. */
  private accept(p: number, total: number, rows: EventRow[]): string | null {
    // The log only grows; an answer with a smaller total is older news.
    if (this.total === null || total > this.total) {
      this.total = total;
      for (const [q, r] of this.pages) if (r.length < this.pageSize) this.pages.delete(q);
    }
    // A full page never changes; a partial one is good only if it is current.
    const current = total >= this.total;
    if (rows.length === this.pageSize || (current && rows.length > 0)) {
      this.pages.set(p, rows);
      this.evict();
    } else if (current && p * this.pageSize < total) {
      // Asking again would get the same: say so instead of asking forever.
      return `The event log returned no rows from position ${p * this.pageSize + 1} of ${total}.`;
    }
    return null;
  }

  /** evict keeps at most maxPages pages, dropping those furthest from the view. */
  private evict(): void {
    if (this.pages.size <= this.maxPages) return;
    const centre = (this.view.start + this.view.end) / 2 / this.pageSize;
    const byDistance = [...this.pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const p of byDistance.slice(0, this.pages.size - this.maxPages)) this.pages.delete(p);
  }

  /**
   * locate finds the index of the event with seq in the filtered log by a
   * binary search over pages (rows are in seq order), or null if the filter
   * hides it.
   */
  async locate(seq: number): Promise<number | null> {
    if (this.total === null) await this.refresh();
    const total = this.total ?? 0;
    let lo = 0;
    let hi = Math.ceil(total / this.pageSize) - 1;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const rows = await this.fetchPage(mid);
      if (!rows) throw new Error(this.error ?? 'could not load the event log');
      const first = rows[0];
      const last = rows.at(-1);
      if (!first || !last) return null;
      if (seq < first.seq) hi = mid - 1;
      else if (seq > last.seq) lo = mid + 1;
      else {
        const i = rows.findIndex((r) => r.seq === seq);
        return i < 0 ? null : mid * this.pageSize + i;
      }
    }
    return null;
  }
}

/**
 * throttle calls fn at most once per ms: the first call runs at once, calls
 * within the interval are folded into one at its end.
 */
export function throttle(fn: () => void, ms: number): { (): void; cancel(): void } {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = () => {
    timer = null;
    last = Date.now();
    fn();
  };
  const t = () => {
    if (timer) return;
    const wait = last + ms - Date.now();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  };
  t.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return t;
}
