// Loading a workspace's memories and pending proposals, kept current by the
// backend's notifications.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorMessage, Events, on, type Memory, type MemoryProposal } from '../../bridge';
import { useLoaded } from '../useLoaded';

/** useOnMemoryChange calls fn (at most every 300 ms) when the workspace's memories may have changed. */
function useOnMemoryChange(workspaceId: string, fn: () => void): void {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const later = () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        latest.current();
      }, 300);
    };
    const offs = [
      on(Events.MemoriesChanged, (c) => {
        if (c.workspaceId === workspaceId || c.workspaceId === '') later();
      }),
      on(Events.EventsAppended, later),
      on(Events.Reconnected, later),
    ];
    return () => {
      offs.forEach((off) => off());
      if (timer) clearTimeout(timer);
    };
  }, [workspaceId]);
}

export interface MemoryQuery {
  kind: string;
  scope: string;
  state: string;
  text: string;
  mode: 'lexical' | 'semantic';
}

export const emptyQuery: MemoryQuery = { kind: '', scope: '', state: '', text: '', mode: 'lexical' };

/** listLimit bounds the memories one list shows. */
export const listLimit = 200;

/** useMemories lists the memories of a workspace that match q; only the latest answer counts. */
export function useMemories(workspaceId: string, q: MemoryQuery) {
  const [items, setItems] = useState<Memory[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  const { kind, scope, state, text, mode } = q;
  const reload = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const got = await api.MemoryList({
        filter: { workspace: workspaceId, kind, scope, state, limit: listLimit },
        text: text.trim(),
        mode: text.trim() ? mode : '',
      });
      if (mine !== seq.current) return;
      setItems(got ?? []);
      setError(null);
    } catch (err) {
      if (mine !== seq.current) return;
      setItems([]);
      setError(errorMessage(err));
    }
  }, [workspaceId, kind, scope, state, text, mode]);
  useEffect(() => {
    const t = setTimeout(() => void reload(), text ? 200 : 0);
    return () => clearTimeout(t);
  }, [reload, text]);
  useOnMemoryChange(workspaceId, () => void reload());
  return { items, error, reload };
}

/** useProposals lists the workspace's pending proposals. */
export function useProposals(workspaceId: string) {
  const load = useCallback(async () => (await api.MemoryProposals({ workspaceId })) ?? [], [workspaceId]);
  const { value: items, error, reload } = useLoaded<MemoryProposal[]>(load, []);
  useOnMemoryChange(workspaceId, () => void reload());
  return { items, error, reload };
}

/** useHistory loads every version of a memory, oldest first. */
export function useHistory(workspaceId: string, id: string) {
  const load = useCallback(async () => (await api.MemoryHistory({ id, version: 0, reason: '' })) ?? [], [id]);
  const { value: versions, error, reload } = useLoaded<Memory[] | null>(load, null);
  useOnMemoryChange(workspaceId, () => void reload());
  return { versions, error, reload };
}
