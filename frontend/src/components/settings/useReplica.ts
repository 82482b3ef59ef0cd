// The event log's replication as the status bar and the settings screen read
// it: kept in the store, read when a reader mounts, again every few seconds
// while a replica is configured, when the window gets the focus and after a
// reconnect. Nothing is polled while no replica is configured.
import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage, Events, on, type ReplicaView } from '../../bridge';
import { store, useStudio, type Store } from '../../store';

/** replicaPollMs is how often a configured replica's status is read. */
export const replicaPollMs = 5000;

/**
 * loadReplica reads the replication's state into the store and answers the
 * error, or null. A backend that cannot say leaves null in the store: the
 * status bar then shows nothing, and the settings section the error.
 */
export async function loadReplica(s: Store = store): Promise<string | null> {
  try {
    s.update({ replica: await api.Replica() });
    return null;
  } catch (err) {
    s.update({ replica: null });
    return errorMessage(err);
  }
}

/** ReplicaHook is the replication's state (null until read), the last read's error, and the way to read it again. */
export interface ReplicaHook {
  view: ReplicaView | null;
  error: string | null;
  reload: () => Promise<void>;
}

/** useReplica reads the replication's state, and keeps reading it every everyMs while a replica is configured. */
export function useReplica(everyMs: number = replicaPollMs): ReplicaHook {
  const view = useStudio((s) => s.replica);
  const configured = view?.configured === true;
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => setError(await loadReplica()), []);
  useEffect(() => {
    void reload();
    return on(Events.Reconnected, () => void reload());
  }, [reload]);
  useEffect(() => {
    if (!configured) return;
    const t = setInterval(() => void reload(), everyMs);
    const focus = () => void reload();
    window.addEventListener('focus', focus);
    return () => {
      clearInterval(t);
      window.removeEventListener('focus', focus);
    };
  }, [configured, everyMs, reload]);
  return { view, error, reload };
}
