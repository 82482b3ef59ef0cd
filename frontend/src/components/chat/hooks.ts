// Hooks of the conversations: the workspace's threads, one thread with its
// turns, the approvals a turn waits for, and the token meter. Each one
// reads the backend and follows it through thread.changed, run.changed and
// agent.update.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorMessage, Events, on, type AgentUpdate, type Ask, type ThreadSummary, type ThreadView } from '../../bridge';
import { useRunChanged } from '../runs/hooks';
import { lastConversational, meterFromTurns, normaliseThread, type Meter } from './chatFormat';

/** useThreadChanged calls handler after each thread.changed notification. */
function useThreadChanged(handler: (c: { thread: string; workspace: string }) => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => on(Events.ThreadChanged, (c) => latest.current(c)), []);
}

/** useThreads lists a workspace's conversations, the latest active first, kept current. */
export function useThreads(workspaceId: string) {
  const [threads, setThreads] = useState<ThreadSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const reload = useCallback(async () => {
    const gen = ++generation.current;
    try {
      const got = await api.ListThreads({ workspaceId, hidden: false });
      if (gen !== generation.current) return;
      setThreads(got ?? []);
      setError(null);
    } catch (err) {
      if (gen === generation.current) setError(errorMessage(err));
    }
  }, [workspaceId]);
  useEffect(() => {
    setThreads(null);
    void reload();
  }, [reload]);
  useThreadChanged((c) => {
    if (c.workspace === workspaceId) void reload();
  });
  // A turn's state is the list's "last state".
  useRunChanged(() => void reload());
  return { threads, error, reload };
}

export type Threads = ReturnType<typeof useThreads>;

/** useThread loads a conversation with its turns, again whenever it or one of its turns' runs changes. */
export function useThread(id: string | null) {
  const [data, setData] = useState<{ id: string; view: ThreadView } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const runs = useRef(new Set<string>());
  const reload = useCallback(async () => {
    if (!id) return;
    const gen = ++generation.current;
    try {
      const view = normaliseThread(await api.GetThread({ id }));
      if (gen !== generation.current) return;
      runs.current = new Set(view.turns.map((t) => t.run));
      setData({ id, view });
      setError(null);
    } catch (err) {
      if (gen === generation.current) setError(errorMessage(err));
    }
  }, [id]);
  useEffect(() => {
    setError(null);
    void reload();
  }, [reload]);
  useThreadChanged((c) => {
    if (c.thread === id) void reload();
  });
  useRunChanged((changes) => {
    if (changes.length === 0 || changes.some((c) => runs.current.has(c.run))) void reload();
  });
  return { view: data?.id === id ? data.view : null, error, reload };
}

/** useRunAsks lists the approvals a run waits for while it works (enabled), kept current. */
export function useRunAsks(run: string, enabled: boolean) {
  const [asks, setAsks] = useState<Ask[]>([]);
  const generation = useRef(0);
  const reload = useCallback(async () => {
    const gen = ++generation.current;
    try {
      const d = await api.GetRun({ id: run });
      if (gen === generation.current) setAsks(d.asks ?? []);
    } catch {
      // The turn's transcript and badge say what became of the run.
      if (gen === generation.current) setAsks([]);
    }
  }, [run]);
  useEffect(() => {
    if (enabled) void reload();
    else {
      generation.current++;
      setAsks([]);
    }
  }, [enabled, reload]);
  useRunChanged((changes) => {
    if (enabled && (changes.length === 0 || changes.some((c) => c.run === run))) void reload();
  }, 60);
  return { asks, reload };
}

/** LiveMeter is what a running turn's updates said: the meter, and a cut the server made. */
interface LiveMeter {
  meter: Meter | null;
  truncated: string | null;
}

/** applyMeter folds one agent.update into what its run's updates said. */
export function applyMeter(l: LiveMeter, u: AgentUpdate): LiveMeter {
  if (u.purpose) return l; // a summary or calibration step measures another request
  switch (u.kind) {
    case 'step':
      return u.window ? { ...l, meter: { used: u.estimate ?? 0, window: u.window } } : l;
    case 'response': {
      const window = u.window || l.meter?.window || 0;
      return u.promptTokens && window ? { ...l, meter: { used: u.promptTokens, window } } : l;
    }
    case 'truncated':
      return { ...l, truncated: u.error ?? 'The server cut a request of this turn.' };
    default:
      return l;
  }
}

/** keptRuns bounds how many runs' live readings are kept (the turns of a session). */
const keptRuns = 8;

/**
 * useTokenMeter is the composer's meter: while the thread's last turn runs,
 * each model step's estimate (then the server's count of the prompt) from
 * its agent.update notifications; otherwise the last turn's recorded
 * prompt tokens and window. truncated is the last cut the server made to
 * a request of that turn. Updates are kept by run from the start, since
 * a turn's first step may come before the thread is read again with it.
 */
export function useTokenMeter(view: ThreadView | null): { meter: Meter | null; live: boolean; truncated: string | null } {
  const run = (view && lastConversational(view.turns)?.run) ?? '';
  const [byRun, setByRun] = useState<ReadonlyMap<string, LiveMeter>>(() => new Map());
  useEffect(
    () =>
      on(Events.AgentUpdate, (u) => {
        setByRun((m) => {
          const cur = m.get(u.run) ?? { meter: null, truncated: null };
          const next = applyMeter(cur, u);
          if (next === cur) return m;
          const out = new Map(m);
          out.delete(u.run);
          out.set(u.run, next);
          while (out.size > keptRuns) out.delete(out.keys().next().value as string);
          return out;
        });
      }),
    [],
  );
  const live = run ? byRun.get(run) : undefined;
  const recorded = view ? meterFromTurns(view.turns) : null;
  return { meter: live?.meter ?? recorded, live: !!live?.meter && !!view?.busy, truncated: live?.truncated ?? null };
}
