// The event inspector: the whole log, filtered, virtualised and live, with
// one event in full beside it and a check of the hash chain.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import { Group, Panel, Separator } from 'react-resizable-panels';
import { api, errorMessage, Events, on, type EventFacets, type EventFilter, type VerifyReport } from '../bridge';
import { store, useStudio } from '../store';
import { clock, EventDetailPane, shortId } from './EventDetail';
import { EventPages, isFiltered, MaxSearch, noFilter, sameFilter, throttle } from './eventPages';
import { summarize } from './eventSummary';
import { RunPicker } from './RunPicker';

/** RowHeight is the fixed height of a list row, in pixels (keep in step with .ev-row). */
export const RowHeight = 22;
/** facetsEvery bounds how often the filter choices are reloaded while events arrive. */
const facetsEvery = 2000;

const count = (n: number, one: string) => `${n.toLocaleString()} ${one}${n === 1 ? '' : 's'}`;

type Verify =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'done'; report: VerifyReport }
  | { state: 'failed'; error: string };

const emptyFacets: EventFacets = { types: [], origins: [], workspaces: [], runs: [], runTasks: [] };
/** searchDelay is how long typing must pause before the search runs. */
const searchDelay = 300;

/** useFacets loads the values the filters offer, again (throttled) as events arrive. */
function useFacets(): [EventFacets, string | null] {
  const [facets, setFacets] = useState<EventFacets>(emptyFacets);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const load = throttle(() => {
      api.EventFacets().then(
        (f) => {
          if (!live) return;
          // Go sends an empty list as null.
          setFacets({ types: f.types ?? [], origins: f.origins ?? [], workspaces: f.workspaces ?? [], runs: f.runs ?? [], runTasks: f.runTasks ?? [] });
          setError(null);
        },
        (err: unknown) => live && setError(errorMessage(err)),
      );
    }, facetsEvery);
    load();
    const offs = [on(Events.EventsAppended, load), on(Events.Reconnected, load)];
    return () => {
      live = false;
      load.cancel();
      offs.forEach((off) => off());
    };
  }, []);
  return [facets, error];
}

interface FilterSelectProps {
  label: string;
  all: string;
  value: string;
  values: string[];
  name?: (v: string) => string;
  onChange: (v: string) => void;
}

function FilterSelect({ label, all, value, values, name = (v) => v, onChange }: FilterSelectProps) {
  // The chosen value stays offered even when the facets do not (yet) list it.
  const options = value && !values.includes(value) ? [value, ...values] : values;
  return (
    <label className="ev-filter">
      <span>{label}</span>
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)} className={value ? 'set' : undefined}>
        <option value="">{all}</option>
        {options.map((v) => (
          <option key={v} value={v} title={v}>
            {name(v)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** SearchBox edits the payload search; the filter follows once typing pauses. */
function SearchBox({ value, onChange }: { value: string; onChange: (text: string) => void }) {
  const [text, setText] = useState(value);
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const t = setTimeout(() => latest.current(text), searchDelay);
    return () => clearTimeout(t);
  }, [text, value]);
  return (
    <label className="ev-filter ev-search">
      <span>Search</span>
      <input
        type="search"
        aria-label="Search payloads"
        placeholder="text in payloads"
        maxLength={MaxSearch}
        value={text}
        className={value ? 'set' : undefined}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') latest.current(text);
        }}
      />
    </label>
  );
}

function VerifyResult({ verify, onJump, onClose }: { verify: Verify; onJump: (seq: number) => void; onClose: () => void }) {
  if (verify.state === 'idle' || verify.state === 'running') return null;
  const close = (
    <button className="icon-btn" aria-label="Dismiss" onClick={onClose}>
      ×
    </button>
  );
  if (verify.state === 'failed')
    return (
      <div className="ev-banner bad" role="alert">
        <span>Could not verify the log: {verify.error}</span>
        {close}
      </div>
    );
  const r = verify.report;
  if (r.ok)
    return (
      <div className="ev-banner good" role="status">
        <span>
          ✓ Log verified: {count(r.checked, 'event')}, hash chain intact.
        </span>
        {close}
      </div>
    );
  return (
    <div className="ev-banner bad" role="alert">
      <div className="ev-banner-text">
        <strong>
          ✗ Log verification failed{r.firstBad > 0 ? ` at event #${r.firstBad}` : ''}: {r.problem}
        </strong>
        {r.detail && <span className="mono">{r.detail}</span>}
        <span className="muted small">{count(r.checked, 'event')} checked before the problem; head is #{r.headSeq}.</span>
      </div>
      {r.firstBad > 0 && <button onClick={() => onJump(r.firstBad)}>Show event #{r.firstBad}</button>}
      {close}
    </div>
  );
}

export function EventInspector() {
  const filter = useStudio((s) => s.eventFilter);
  const eventJump = useStudio((s) => s.eventJump);
  const workspaces = useStudio((s) => s.workspaces);
  const [facets, facetsError] = useFacets();
  const cache = useMemo(() => new EventPages((f, offset, limit) => api.ListEvents({ filter: f, offset, limit }), { describe: errorMessage }), []);
  useSyncExternalStore(cache.subscribe, cache.getVersion);
  const total = cache.total ?? 0;

  /** sel is the selected row; seq is known at once for a click or a jump, else read from the row. */
  const [sel, setSel] = useState<{ index: number; seq: number | null } | null>(null);
  const [follow, setFollow] = useState(true);
  const [verify, setVerify] = useState<Verify>({ state: 'idle' });
  const [jumpError, setJumpError] = useState<string | null>(null);
  /** pending is a row to bring into view once the list under filter knows its size. */
  const [pending, setPending] = useState<{ index: number; filter: EventFilter } | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);

  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => RowHeight,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? -1;

  useEffect(() => cache.setFilter(filter), [cache, filter]);

  // Live: the backend coalesces notifications; refresh folds overlapping ones.
  useEffect(() => {
    const offs = [on(Events.EventsAppended, () => void cache.refresh()), on(Events.Reconnected, () => void cache.refresh())];
    return () => offs.forEach((off) => off());
  }, [cache]);

  // Load the rows on screen; while the user flings the scrollbar, wait until it settles a little.
  const scrolling = virtualizer.isScrolling;
  useEffect(() => {
    if (last < first) return;
    if (!scrolling) {
      cache.ensure(first, last);
      return;
    }
    const t = setTimeout(() => cache.ensure(first, last), 60);
    return () => clearTimeout(t);
  }, [cache, first, last, scrolling, cache.version]);

  // Bring a jumped-to row into view, or else follow the newest event.
  useEffect(() => {
    if (cache.total === null) return;
    if (pending) {
      if (!sameFilter(pending.filter, cache.filter)) return;
      if (pending.index < cache.total) {
        // Away from the bottom, Follow must not pull the view back before the scroll is reported.
        atBottom.current = false;
        virtualizer.scrollToIndex(pending.index, { align: 'center' });
      }
      setPending(null);
      return;
    }
    if (follow && atBottom.current && cache.total > 0) virtualizer.scrollToIndex(cache.total - 1, { align: 'end' });
  }, [cache, cache.total, cache.filter, pending, follow, virtualizer]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < RowHeight / 2;
  };

  const select = (index: number) => {
    setSel({ index, seq: null });
    virtualizer.scrollToIndex(index, { align: 'auto' });
  };

  const setFilter = (patch: Partial<EventFilter>) => {
    setSel(null);
    store.update((s) => ({ eventFilter: { ...s.eventFilter, ...patch } }));
  };

  /** jumpTo selects the event with seq, clearing the filters if they hide it. */
  const jumpTo = useCallback(
    async (seq: number) => {
      setJumpError(null);
      let index: number | null = null;
      let f = cache.filter;
      if (isFiltered(f)) {
        try {
          index = await cache.locate(seq);
        } catch (err) {
          setJumpError(`Could not find event #${seq}: ${errorMessage(err)}`);
          return;
        }
      }
      if (index === null) {
        index = seq - 1; // without a filter, seq counts from 1 with no gaps
        f = noFilter;
        store.update({ eventFilter: noFilter });
      }
      setSel({ index, seq });
      setPending({ index, filter: f });
      scrollRef.current?.focus();
    },
    [cache],
  );

  // A link elsewhere asked for an event: find its seq (given an id), then select it on its page.
  useEffect(() => {
    if (!eventJump) return;
    store.update({ eventJump: null });
    const { seq, id } = eventJump;
    if (seq > 0) {
      void jumpTo(seq);
      return;
    }
    api.GetEvent({ seq: 0, id }).then(
      (d) => void jumpTo(d.seq),
      (err: unknown) => setJumpError(`Could not find event ${id}: ${errorMessage(err)}`),
    );
  }, [eventJump, jumpTo]);

  const runVerify = async () => {
    setVerify({ state: 'running' });
    try {
      setVerify({ state: 'done', report: await api.VerifyLog() });
    } catch (err) {
      setVerify({ state: 'failed', error: errorMessage(err) });
    }
  };

  const onKey = (ev: KeyboardEvent<HTMLDivElement>) => {
    if (total === 0) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 0) / RowHeight) - 1);
    const cur = sel?.index ?? -1;
    const to = (i: number) => select(Math.max(0, Math.min(total - 1, i)));
    switch (ev.key) {
      case 'ArrowDown':
        to(sel === null ? (virtualizer.range?.startIndex ?? first) : cur + 1);
        break;
      case 'ArrowUp':
        to(sel === null ? (virtualizer.range?.endIndex ?? last) : cur - 1);
        break;
      case 'PageDown':
        to(cur + page);
        break;
      case 'PageUp':
        to(cur - page);
        break;
      case 'Home':
        to(0);
        break;
      case 'End':
        to(total - 1);
        break;
      default:
        return;
    }
    ev.preventDefault();
  };

  const wsName = (id: string) => workspaces.find((w) => w.id === id)?.name;
  const selIndex = sel?.index ?? null;
  const selSeq = sel ? (sel.seq ?? cache.row(sel.index)?.seq ?? null) : null;
  const filtered = isFiltered(filter);

  return (
    <main className="inspector" aria-label="Event log">
      <div className="ev-bar">
        <FilterSelect label="Type" all="All types" value={filter.type} values={facets.types} onChange={(type) => setFilter({ type })} />
        <FilterSelect label="Origin" all="All origins" value={filter.origin} values={facets.origins} onChange={(origin) => setFilter({ origin })} />
        <FilterSelect
          label="Workspace"
          all="All workspaces"
          value={filter.workspace}
          values={facets.workspaces}
          name={(id) => (wsName(id) ? `${wsName(id)} (${shortId(id)})` : id)}
          onChange={(workspace) => setFilter({ workspace })}
        />
        <RunPicker value={filter.run} tasks={facets.runTasks ?? []} runs={facets.runs} onChange={(run) => setFilter({ run })} />
        <SearchBox value={filter.text ?? ''} onChange={(text) => setFilter({ text })} />
        <button onClick={() => setFilter(noFilter)} disabled={!filtered}>
          Clear
        </button>
        <span className="ev-total" aria-live="polite" data-testid="event-total">
          {cache.total === null ? '…' : count(cache.total, 'event')}
          {filtered && cache.total !== null ? ' match' : ''}
        </span>
        <span className="spacer" />
        <button
          className={`toggle${follow ? ' on' : ''}`}
          aria-pressed={follow}
          title="Keep the newest event in view while the list is scrolled to the bottom"
          onClick={() => {
            setFollow(!follow);
            if (!follow && total > 0) {
              atBottom.current = true;
              virtualizer.scrollToIndex(total - 1, { align: 'end' });
            }
          }}
        >
          Follow
        </button>
        <button onClick={() => void runVerify()} disabled={verify.state === 'running'} title="Check the hash chain, the catalogue and authority of every event">
          {verify.state === 'running' ? 'Verifying…' : 'Verify log'}
        </button>
      </div>
      <VerifyResult verify={verify} onJump={(seq) => void jumpTo(seq)} onClose={() => setVerify({ state: 'idle' })} />
      {cache.error && (
        <div className="ev-banner bad" role="alert">
          <span>Could not load events: {cache.error}</span>
          <button onClick={() => cache.retry()}>Retry</button>
        </div>
      )}
      {/* When the log is unusable every call fails alike: say it once. */}
      {facetsError && facetsError !== cache.error && (
        <div className="ev-banner bad" role="alert">
          <span>Could not load the filter choices: {facetsError}</span>
        </div>
      )}
      {jumpError && (
        <div className="ev-banner bad" role="alert">
          <span>{jumpError}</span>
          <button className="icon-btn" aria-label="Dismiss" onClick={() => setJumpError(null)}>
            ×
          </button>
        </div>
      )}
      <Group orientation="horizontal" className="ev-split" id="event-inspector-layout">
        <Panel defaultSize="58%" minSize="30%" className="pane">
          <div className="ev-row ev-head" aria-hidden>
            <span className="c-seq">seq</span>
            <span>time</span>
            <span>type</span>
            <span>what happened</span>
            <span>origin</span>
            <span>run</span>
          </div>
          <div
            ref={scrollRef}
            className="ev-list"
            role="listbox"
            aria-label="Events"
            tabIndex={0}
            aria-activedescendant={selIndex !== null && selIndex >= first && selIndex <= last ? `ev-row-${selIndex}` : undefined}
            onKeyDown={onKey}
            onScroll={onScroll}
          >
            {cache.total === 0 && <p className="muted ev-empty">{filtered ? 'No events match these filters.' : 'The log is empty.'}</p>}
            {cache.total === null && !cache.error && <p className="muted ev-empty">Loading…</p>}
            <div className="ev-sizer" style={{ height: virtualizer.getTotalSize() }}>
              {items.map((it) => {
                const row = cache.row(it.index);
                const sum = row ? summarize(row) : '';
                const selected = it.index === selIndex;
                return (
                  <div
                    key={it.key}
                    id={`ev-row-${it.index}`}
                    role="option"
                    aria-selected={selected}
                    aria-posinset={it.index + 1}
                    aria-setsize={total}
                    data-seq={row?.seq}
                    className={`ev-row${selected ? ' selected' : ''}${row ? '' : ' pending'}`}
                    style={{ transform: `translateY(${it.start}px)` }}
                    onClick={() => {
                      setSel({ index: it.index, seq: row?.seq ?? null });
                      scrollRef.current?.focus();
                    }}
                  >
                    {row ? (
                      <>
                        <span className="c-seq">{row.seq}</span>
                        <span className="c-time" title={new Date(Math.floor(row.at / 1e6)).toISOString()}>
                          {clock(row.at)}
                        </span>
                        <span className="c-type" title={row.type}>
                          {row.type}
                        </span>
                        <span className="c-sum" title={`${sum}\nstream ${row.stream}`}>
                          {sum}
                        </span>
                        <span className={`c-origin o-${row.origin.split(':')[0]}`} title={row.origin}>
                          {row.origin}
                        </span>
                        <span className="c-run" title={row.run}>
                          {row.run ? shortId(row.run) : ''}
                        </span>
                      </>
                    ) : (
                      <>
                        <span className="c-seq">{filtered ? '' : it.index + 1}</span>
                        <span className="ev-placeholder">loading…</span>
                      </>
                    )}
                  </div>
                );
              })}
            </div>
          </div>
        </Panel>
        <Separator className="resizer" />
        <Panel minSize="25%" className="pane">
          <div className="pane-head">
            <span>Event</span>
          </div>
          <div className="pane-body ev-detail-pane" aria-label="Event details">
            {sel && selSeq === null ? (
              <p className="muted ev-empty">Loading…</p>
            ) : (
              <EventDetailPane seq={selSeq} onJump={(seq) => void jumpTo(seq)} workspaceName={wsName} />
            )}
          </div>
        </Panel>
      </Group>
    </main>
  );
}
