// Hooks shared by the runs panel, the run view and the editor.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Events, on, type RunOptions } from '../../bridge';
import { store } from '../../store';

/** RunChange is the payload of run.changed. */
export type RunChange = { run: string; state: string };

/**
 * useRunChanged calls handler after run.changed notifications, debounced by
 * ms (a run passes through several states within milliseconds), with every
 * change seen in the meantime; and after the event stream reconnects, with
 * none (anything may have changed).
 */
export function useRunChanged(handler: (changes: RunChange[]) => void, ms = 120): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let pending: RunChange[] = [];
    const flush = () => {
      timer = null;
      const seen = pending;
      pending = [];
      latest.current(seen);
    };
    const offs = [
      on(Events.RunChanged, (c) => {
        pending.push(c);
        if (!timer) timer = setTimeout(flush, ms);
      }),
      on(Events.Reconnected, () => latest.current([])),
    ];
    return () => {
      if (timer) clearTimeout(timer);
      offs.forEach((off) => off());
    };
  }, [ms]);
}

/** useNow is the time in Unix ms, renewed every intervalMs (for "3 min ago"). */
export function useNow(intervalMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

const commandKey = (workspaceId: string) => `ice-studio.validation-command.${workspaceId}`;

/** savedCommand is the workspace's validation command, else the settings' default. */
export function savedCommand(workspaceId: string): string {
  const fallback = store.get().settings?.validationCommand.value ?? '';
  try {
    return localStorage.getItem(commandKey(workspaceId)) ?? fallback;
  } catch {
    return fallback;
  }
}

export interface RunOptionsState {
  options: RunOptions;
  setValidationCommand: (cmd: string) => void;
  setAutoCommit: (on: boolean) => void;
  setProfile: (profile: RunProfile) => void;
}

/** RunProfiles are the capability profiles a run may start with (capability.Profile*). */
export const runProfiles = ['ask', 'edit', 'agent'] as const;
export type RunProfile = (typeof runProfiles)[number];

/**
 * useRunOptions holds the options every run the user starts in a workspace
 * shares. The validation command is remembered per workspace; auto-commit is
 * not, so that a new session never commits without a look.
 */
export function useRunOptions(workspaceId: string): RunOptionsState {
  const [state, setState] = useState(() => ({ workspaceId, validationCommand: savedCommand(workspaceId), autoCommit: false, profile: 'edit' as RunProfile }));
  // Another workspace: start from what it remembered.
  const current = state.workspaceId === workspaceId ? state : { workspaceId, validationCommand: savedCommand(workspaceId), autoCommit: false, profile: 'edit' as RunProfile };
  if (current !== state) setState(current);

  const setValidationCommand = useCallback(
    (cmd: string) => {
      setState((s) => ({ ...s, validationCommand: cmd }));
      try {
        if (cmd.trim()) localStorage.setItem(commandKey(workspaceId), cmd);
        else localStorage.removeItem(commandKey(workspaceId));
      } catch {
        // storage full or disabled: the option still applies to this session
      }
    },
    [workspaceId],
  );
  const setAutoCommit = useCallback((autoCommit: boolean) => setState((s) => ({ ...s, autoCommit })), []);
  const setProfile = useCallback((profile: RunProfile) => setState((s) => ({ ...s, profile })), []);
  return {
    options: { profile: current.profile, validationCommand: current.validationCommand.trim(), autoCommit: current.autoCommit, maxSteps: 0, wallClockSeconds: 0 },
    setValidationCommand,
    setAutoCommit,
    setProfile,
  };
}
