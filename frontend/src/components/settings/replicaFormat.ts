// How the event log's replication reads on screen: its state, how far the
// replica is behind, how long ago it last copied, and the request each kind
// of replica (a folder, an SFTP server, an S3-compatible store) sends.
import type { ReplicaView, SetReplicaRequest } from '../../bridge';

/** ReplicaKind is where a replica is kept: a folder (another disk, a mounted share), an SFTP server or an S3-compatible store. */
export type ReplicaKind = 'folder' | 'sftp' | 's3';

/** replicaKinds are the kinds in the order the form offers them. */
export const replicaKinds: readonly ReplicaKind[] = ['folder', 'sftp', 's3'];

/** kindLabel names a kind in the form's select. */
export function kindLabel(k: ReplicaKind): string {
  return { folder: 'Folder', sftp: 'SFTP', s3: 'S3-compatible' }[k];
}

/** kindOf tells the kind of a replica URL: sftp://, s3://, else a folder (a path or file://). */
export function kindOf(url: string | undefined): ReplicaKind {
  const u = (url ?? '').trim().toLowerCase();
  if (u.startsWith('sftp://')) return 'sftp';
  if (u.startsWith('s3://')) return 's3';
  return 'folder';
}

/** urlPlaceholder is an example of a kind's URL. */
export function urlPlaceholder(k: ReplicaKind): string {
  return { folder: '/mnt/backup/ice-studio', sftp: 'sftp://you@backup-host:22/ice-studio', s3: 's3://bucket/ice-studio' }[k];
}

/** ReplicaForm is what the form holds; the fields a kind does not use are ignored. */
export interface ReplicaForm {
  kind: ReplicaKind;
  url: string;
  keyFile: string;
  password: string;
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * ReplicaRequest is SetReplicaRequest with the S3 fields the backend takes
 * (endpoint, region, access key): the same fields as studio.SetReplicaRequest.
 */
export type ReplicaRequest = SetReplicaRequest;

/** emptyForm is the form for a replica, prefilled with what the view shows of the configured one (never its secrets). */
export function emptyForm(v: ReplicaView | null): ReplicaForm {
  const url = v?.configured ? (v.url ?? '') : '';
  const kind = kindOf(url);
  return {
    kind,
    url: kind === 'folder' ? url.replace(/^file:\/\//i, '') : url,
    keyFile: v?.configured ? (v.keyFile ?? '') : '',
    password: '',
    endpoint: v?.configured ? (v.endpoint ?? '') : '',
    region: v?.configured ? (v.region ?? '') : '',
    accessKeyId: v?.configured ? (v.accessKeyId ?? '') : '',
    secretAccessKey: '',
  };
}

/**
 * requestOf is the SetReplica request of a form: only the fields of its kind,
 * trimmed (a password or secret is sent as typed). An empty secret means none.
 */
export function requestOf(f: ReplicaForm): ReplicaRequest {
  const url = f.url.trim();
  switch (f.kind) {
    case 'sftp': {
      const r: ReplicaRequest = { url };
      if (f.keyFile.trim()) r.keyFile = f.keyFile.trim();
      if (f.password) r.password = f.password;
      return r;
    }
    case 's3': {
      const r: ReplicaRequest = { url, accessKeyId: f.accessKeyId.trim(), secretAccessKey: f.secretAccessKey };
      if (f.endpoint.trim()) r.endpoint = f.endpoint.trim();
      if (f.region.trim()) r.region = f.region.trim();
      return r;
    }
    default:
      return { url };
  }
}

/** missing says what the form lacks before it can be saved, or null. */
export function missing(f: ReplicaForm): string | null {
  if (!f.url.trim()) return f.kind === 'folder' ? 'the folder' : 'the URL';
  if (f.kind === 's3' && (!f.accessKeyId.trim() || !f.secretAccessKey)) return 'the access key id and its secret';
  return null;
}

/** stateText says what the replication is doing. */
export function stateText(v: ReplicaView): string {
  switch (v.state) {
    case 'checking':
      return 'Checking the log against the replica…';
    case 'replicating':
      return 'Replicating';
    case 'stopped':
      return 'Stopped';
    default:
      return 'Off: no replica';
  }
}

/** stateTone is the dot's colour class of a state. */
export function stateTone(state: string): 'ok' | 'busy' | 'bad' | 'off' {
  switch (state) {
    case 'replicating':
      return 'ok';
    case 'checking':
      return 'busy';
    case 'stopped':
      return 'bad';
    default:
      return 'off';
  }
}

/** waiting is how many of the log's events the replica does not hold yet. */
export function waiting(v: ReplicaView): number {
  return Math.max(0, v.headSeq - v.seq);
}

/** holdsText is "replica holds seq X of Y" and, when some are not copied yet, how many wait. */
export function holdsText(v: ReplicaView): string {
  const n = waiting(v);
  return `Replica holds seq ${v.seq} of ${v.headSeq}${n > 0 ? ` (${n} waiting)` : ''}`;
}

/** durationText is a short duration: "0 s", "42 s", "3 min", "5 h", "2 d". */
export function durationText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}

/** lastCopyText says when the replica last confirmed a copy. */
export function lastCopyText(v: ReplicaView): string {
  return v.lastSyncAt > 0 ? `Last copy ${durationText(v.lagMs)} ago` : 'No copy yet';
}

/** anchorText says which position the log last recorded as replicated (log.anchored). */
export function anchorText(v: ReplicaView): string {
  return v.anchoredSeq > 0 ? `Last anchor: seq ${v.anchoredSeq}` : 'No anchor yet';
}

/** badgeText is the status bar's word on a configured replica. */
export function badgeText(v: ReplicaView): string {
  switch (v.state) {
    case 'replicating':
      return v.lastSyncAt > 0 ? `Replica ✓ ${durationText(v.lagMs)}` : 'Replica: first copy…';
    case 'checking':
      return 'Replica: checking…';
    default:
      return 'Replica stopped';
  }
}

/** badgeTitle is the status bar item's tooltip: the error of a stopped replica, else where and how far. */
export function badgeTitle(v: ReplicaView): string {
  if (v.state === 'stopped') return v.error || 'Replication is stopped: see Settings → Replication';
  return [v.url, holdsText(v), lastCopyText(v)].filter(Boolean).join(' · ');
}
