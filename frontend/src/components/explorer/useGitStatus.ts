// useGitStatus keeps a workspace's git status current: loaded at once,
// then again (debounced) after files change on disk, after a run changes
// (a git commit of its files is recorded on it), when the event stream
// reconnects and when the window gets the focus back (the user may have
// used git in a terminal).
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorMessage, Events, on, type GitStatus } from '../../bridge';

/** gitRefreshDelay coalesces a burst of changes into one status. */
export const gitRefreshDelay = 300;

export interface GitState {
  status: GitStatus | null;
  /** error is why the status could not be read ('' none). */
  error: string;
  refresh: () => void;
}

export function useGitStatus(workspaceId: string): GitState {
  const [status, setStatus] = useState<GitStatus | null>(null);
  const [error, setError] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const running = useRef(false);
  const again = useRef(false);

  const load = useCallback(async () => {
    if (running.current) {
      again.current = true; // one more once this one is done: it may have missed the change
      return;
    }
    running.current = true;
    try {
      const st = await api.GitStatus({ workspaceId });
      setStatus(st);
      setError(st.error ?? '');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      running.current = false;
    }
    if (again.current) {
      again.current = false;
      void load();
    }
  }, [workspaceId]);

  const refresh = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      void load();
    }, gitRefreshDelay);
  }, [load]);

  useEffect(() => {
    setStatus(null);
    setError('');
    void load();
    const offs = [
      on(Events.FilesChanged, (fc) => {
        if (fc.workspaceId === workspaceId) refresh();
      }),
      on(Events.RunChanged, refresh),
      on(Events.Reconnected, refresh),
    ];
    window.addEventListener('focus', refresh);
    return () => {
      offs.forEach((off) => off());
      window.removeEventListener('focus', refresh);
      if (timer.current) clearTimeout(timer.current);
    };
  }, [workspaceId, load, refresh]);

  return { status, error, refresh };
}
