// A text search of a workspace as React state: one search at a time, its
// results streamed in by search.results notifications.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorMessage, Events, on, type FileResult, type SearchQuery, type SearchStats, type SearchUpdate } from '../../bridge';
import { store } from '../../store';

export interface SearchState {
  /** query is the search whose results are shown; null before the first. */
  query: SearchQuery | null;
  running: boolean;
  /** results holds each file's matches, by path, in the order they came. */
  results: Map<string, FileResult>;
  /** stats is the finished search's summary. */
  stats: SearchStats | null;
  error: string | null;
  /** stopped is set when the user stopped the search. */
  stopped: boolean;
}

export const idleSearch: SearchState = { query: null, running: false, results: new Map(), stats: null, error: null, stopped: false };

/** merge adds a batch of results to the state, and with done the search's end. */
export function merge(s: SearchState, u: SearchUpdate): SearchState {
  let results = s.results;
  if (u.results.length > 0) {
    results = new Map(results);
    for (const r of u.results) {
      const prev = results.get(r.path);
      results.set(r.path, prev ? { path: r.path, matches: [...prev.matches, ...r.matches] } : r);
    }
  }
  if (!u.done) return { ...s, results };
  const stopped = u.error === 'cancelled';
  return { ...s, results, running: false, stats: u.stats ?? null, error: stopped ? null : (u.error ?? null), stopped };
}

function cancel(id: string): void {
  api.CancelSearch({ id }).catch((err: unknown) => store.toast('error', `Could not stop the search: ${errorMessage(err)}`));
}

export interface Search {
  state: SearchState;
  /** start runs query, stopping the search before it. */
  start: (query: SearchQuery) => Promise<void>;
  /** stop stops the running search; what it found stays. */
  stop: () => void;
  /** reset stops the running search and forgets its results. */
  reset: () => void;
}

export function useSearch(workspaceId: string): Search {
  const [state, setState] = useState<SearchState>(idleSearch);
  /** shown is the id of the search whose updates are applied. */
  const shown = useRef<string | null>(null);
  /** running is the id of the search that has not sent its last update. */
  const running = useRef<string | null>(null);
  /** latest numbers the start calls: an answer to an older one is stale. */
  const latest = useRef(0);
  /**
   * early holds the updates that came while StartSearch was being answered:
   * a search may publish before its id reaches us.
   */
  const early = useRef<SearchUpdate[] | null>(null);

  const apply = useCallback((u: SearchUpdate) => {
    if (u.done && running.current === u.id) running.current = null;
    setState((s) => merge(s, u));
  }, []);

  useEffect(
    () =>
      on(Events.SearchResults, (u) => {
        if (u.id === shown.current) apply(u);
        else early.current?.push(u);
      }),
    [apply],
  );

  const halt = useCallback(() => {
    latest.current++;
    early.current = null;
    if (running.current) cancel(running.current);
    running.current = null;
  }, []);

  // Leaving: nobody will look at the results.
  useEffect(() => halt, [halt, workspaceId]);

  const start = useCallback(
    async (query: SearchQuery) => {
      halt();
      const n = latest.current;
      shown.current = null;
      early.current = [];
      setState({ ...idleSearch, query, running: true });
      try {
        const { id } = await api.StartSearch({ workspaceId, query });
        if (n !== latest.current) {
          cancel(id);
          return;
        }
        shown.current = id;
        running.current = id;
        const before = early.current ?? [];
        early.current = null;
        before.filter((u) => u.id === id).forEach(apply);
      } catch (err) {
        if (n !== latest.current) return;
        early.current = null;
        setState({ ...idleSearch, query, error: errorMessage(err) });
      }
    },
    [workspaceId, halt, apply],
  );

  const stop = useCallback(() => {
    if (running.current) {
      // Its last update (error "cancelled") ends it.
      cancel(running.current);
      return;
    }
    // Not started yet: its id is cancelled when it comes.
    halt();
    setState((s) => (s.running ? { ...s, running: false, stopped: true } : s));
  }, [halt]);

  const reset = useCallback(() => {
    halt();
    shown.current = null;
    setState(idleSearch);
  }, [halt]);

  return { state, start, stop, reset };
}
