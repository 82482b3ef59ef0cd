// A workspace's MCP servers, kept current: loaded once, again on every
// mcp.changed notification of the workspace and after a reconnect.
import { useCallback, useEffect } from 'react';
import { api, errorMessage, Events, on, type MCPServerView, type MCPState } from '../../bridge';
import { useLoaded } from '../useLoaded';

/** normaliseState fills the lists Go sends as null, so the panel never has to ask. */
export function normaliseState(st: MCPState): MCPState {
  return {
    ...st,
    problems: st.problems ?? [],
    servers: (st.servers ?? []).map(
      (s): MCPServerView => ({
        ...s,
        tools: s.tools ?? [],
        resources: s.resources ?? [],
        prompts: s.prompts ?? [],
        disabledTools: s.disabledTools ?? [],
        hosts: s.hosts ?? [],
        writable: s.writable ?? [],
        pins: s.pins ?? [],
      }),
    ),
  };
}

/** MCPHook is what useMCPState gives: the state (null until loaded), the last load's error, and ways to change it. */
export interface MCPHook {
  state: MCPState | null;
  error: string | null;
  /** set takes a state an action answered. */
  set: (st: MCPState) => void;
  reload: () => Promise<void>;
}

/** useMCPState watches a workspace's MCP servers. */
export function useMCPState(workspaceId: string): MCPHook {
  const load = useCallback(async () => normaliseState(await api.MCPState({ workspaceId })), [workspaceId]);
  const { value, setValue, error, reload } = useLoaded<MCPState | null>(load, null);
  useEffect(() => {
    const offs = [
      on(Events.MCPChanged, (c) => {
        if (c.workspaceId === workspaceId) void reload();
      }),
      on(Events.Reconnected, () => void reload()),
    ];
    return () => offs.forEach((off) => off());
  }, [workspaceId, reload]);
  const set = useCallback((st: MCPState) => setValue(normaliseState(st)), [setValue]);
  return { state: value, error, set, reload };
}

/** Outcome is an action's result: its value, or the error to show where it was taken (once, not also as a toast). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** attempt runs an MCP action and turns its failure into an Outcome. */
export async function attempt<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
}
