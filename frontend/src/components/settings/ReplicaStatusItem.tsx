// The status bar's word on the event log's replication, shown only while a
// replica is configured: replicating and how long since the last copy,
// checking the log against the replica, or stopped (with the error as its
// title). A click opens the settings' Replication section.
import { store } from '../../store';
import { badgeText, badgeTitle, stateTone } from './replicaFormat';
import { useReplica } from './useReplica';

/** ReplicaStatusItem is the status bar item of a configured replica; nothing when none is. */
export function ReplicaStatusItem() {
  const { view } = useReplica();
  if (!view?.configured) return null;
  const tone = stateTone(view.state);
  return (
    <button
      className={`badge status-btn replica-badge ${tone}${tone === 'bad' ? ' warn' : ''}`}
      data-testid="replica-indicator"
      title={badgeTitle(view)}
      onClick={() => store.update({ view: 'settings', settingsSection: 'replication' })}
    >
      <span className="dot" aria-hidden /> {badgeText(view)}
    </button>
  );
}
