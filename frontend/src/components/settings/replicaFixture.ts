// Replica answers for the tests of the settings screen, the status bar and
// the palette commands.
import type { ReplicaView } from '../../bridge';

/** replicaOff is the answer without a replica. */
export const replicaOff = (over: Partial<ReplicaView> = {}): ReplicaView => ({
  configured: false,
  state: 'off',
  seq: 0,
  headSeq: 120,
  lastSyncAt: 0,
  lagMs: 0,
  anchoredSeq: 0,
  hasPassword: false,
  hasSecret: false,
  ...over,
});

/** replicating is a folder replica two events behind, last copied 3 s ago, anchored at seq 110. */
export const replicating = (over: Partial<ReplicaView> = {}): ReplicaView => ({
  configured: true,
  url: 'file:///mnt/backup/ice',
  state: 'replicating',
  seq: 118,
  headSeq: 120,
  hash: 'ab12',
  lastSyncAt: Date.UTC(2025, 0, 6, 9, 0, 0),
  lagMs: 3200,
  anchoredSeq: 110,
  hasPassword: false,
  hasSecret: false,
  ...over,
});
