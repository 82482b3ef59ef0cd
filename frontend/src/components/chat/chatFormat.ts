// How conversations read in the UI: which turn a follow-up goes on from,
// what it does with that turn's changes, the chips of a turn, @-mentions
// being typed, and the token meter. No React here.
import type { FileMatch, FileRef, ThreadView, TurnView } from '../../bridge';
import type { Mention } from '../../store';

/** Turn kinds (kernel.Turn*). */
export const TurnKinds = { message: 'message', retry: 'retry', compact: 'compact', restore: 'restore' } as const;

/** normaliseThread fills the lists Go may send as null. */
export function normaliseThread(v: ThreadView): ThreadView {
  return {
    ...v,
    turns: (v.turns ?? []).map((t) => ({
      ...t,
      files: t.files ?? [],
      rules: t.rules ?? [],
      changes: t.changes ?? [],
      ...(t.carried && { carried: { ...t.carried, files: t.carried.files ?? [] } }),
    })),
  };
}

/** lastConversational is the turn a follow-up goes on from: the last one that is not a restore's revert and was not retried. */
export function lastConversational(turns: readonly TurnView[]): TurnView | undefined {
  for (let i = turns.length - 1; i >= 0; i--) {
    const t = turns[i] as TurnView;
    if (t.kind !== TurnKinds.restore && !t.retried) return t;
  }
  return undefined;
}

/** turnOfRun is the number of the turn whose run is run (0 when none is). */
export function turnOfRun(turns: readonly TurnView[], run: string): number {
  return turns.find((t) => t.run === run)?.turn ?? 0;
}

/** pendingNote says what a follow-up does with the previous turn's changes (ThreadView.pending); null when there is nothing to say. */
export function pendingNote(v: Pick<ThreadView, 'pending' | 'turns'>): string | null {
  const n = lastConversational(v.turns)?.turn;
  if (!n) return null;
  switch (v.pending) {
    case 'staged':
      return `Your message continues with turn ${n}'s staged changes (they carry over; Commit applies them together).`;
    case 'committed':
      return `Your message continues from turn ${n} after Commit: its changes are in the files.`;
    case 'aborted':
      return `Your message continues from turn ${n} after Abort: nothing of it was applied.`;
    case 'failed':
      return `Turn ${n} failed: nothing of it was applied. Retry it, or your message goes on from it.`;
    default:
      return null;
  }
}

/** busyNote says why a message cannot be sent yet. */
export function busyNote(v: Pick<ThreadView, 'busy' | 'turns'>): string | null {
  if (!v.busy) return null;
  const n = lastConversational(v.turns)?.turn;
  return `${n ? `Turn ${n}` : 'The last turn'} is still working or waiting for your approval: wait for it, or press Esc to stop it.`;
}

/** shortHash is the start of a content hash, as a chip shows it. */
export function shortHash(hash: string): string {
  return hash ? hash.slice(0, 7) : 'absent';
}

/** fileChip is an @-file of a turn as its chip reads: the path and the hash of the content read. */
export function fileChip(f: FileRef): string {
  return f.folder ? `${f.path}/ · folder` : `${f.path} · ${shortHash(f.hash)}`;
}

/** lineRange is a selection's lines: 3 or 3–7. */
export function lineRange(startLine: number, endLine: number): string {
  return endLine > startLine ? `${startLine}–${endLine}` : `${startLine}`;
}

/** baseName is the last part of a path. */
export function baseName(path: string): string {
  const p = path.replace(/\/+$/, '');
  return p.slice(p.lastIndexOf('/') + 1);
}

/** carriedNote says which earlier turn's staged files a turn took over. */
export function carriedNote(t: TurnView, turns: readonly TurnView[]): string | null {
  if (!t.carried) return null;
  const n = t.carried.files.length;
  const from = turnOfRun(turns, t.carried.run);
  return `carried ${n} staged file${n === 1 ? '' : 's'} from ${from ? `turn ${from}` : 'an earlier turn'}`;
}

/** MentionQuery is an @-mention being typed: where its @ is and what follows it. */
export interface MentionQuery {
  start: number;
  query: string;
}

/** mentionAt finds the @-mention the caret is in: an @ at the start or after a space, then no space. */
export function mentionAt(text: string, caret: number): MentionQuery | null {
  const m = /(?:^|\s)@([^\s@]*)$/.exec(text.slice(0, caret));
  if (!m) return null;
  const query = m[1] ?? '';
  return { start: caret - query.length - 1, query };
}

/**
 * insertMention replaces the @-mention being typed with @path and a space;
 * it returns the new text and where the caret goes.
 */
export function insertMention(text: string, at: MentionQuery, caret: number, path: string): { text: string; caret: number } {
  const rest = text.slice(caret);
  const spaced = rest.startsWith(' ');
  const insert = `@${path}${spaced ? '' : ' '}`;
  return { text: text.slice(0, at.start) + insert + rest, caret: at.start + insert.length + (spaced ? 1 : 0) };
}

/** addMention adds a mention once. */
export function addMention(list: readonly Mention[], m: Mention): Mention[] {
  return list.some((x) => x.path === m.path) ? [...list] : [...list, m];
}

/**
 * folderMatches derives the folders a query names from the files that
 * matched it (quick open lists files only): each folder above a match
 * whose path contains the query, those whose name starts with it first;
 * with no query, the top-level folders.
 */
export function folderMatches(files: readonly FileMatch[], query: string, limit = 3): string[] {
  const q = query.replace(/\/+$/, '').toLowerCase();
  const seen = new Set<string>();
  for (const f of files) {
    const parts = f.path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (q === '' ? i === 1 : dir.toLowerCase().includes(q)) seen.add(dir);
    }
  }
  const rank = (d: string) => (baseName(d).toLowerCase().startsWith(q) ? 0 : 1);
  return [...seen].sort((a, b) => rank(a) - rank(b) || a.length - b.length || a.localeCompare(b)).slice(0, limit);
}

/** Meter is the token meter's reading: the prompt's tokens against the window. */
export interface Meter {
  used: number;
  window: number;
}

/** meterTone colours the meter: a warning over 80% of the window, full at 100%. */
export function meterTone(m: Meter): 'ok' | 'warn' | 'full' {
  if (m.window <= 0) return 'ok';
  const f = m.used / m.window;
  return f >= 1 ? 'full' : f > 0.8 ? 'warn' : 'ok';
}

/** meterFromTurns is the meter when no turn is running: the last turn whose prompt the server counted. */
export function meterFromTurns(turns: readonly TurnView[]): Meter | null {
  for (let i = turns.length - 1; i >= 0; i--) {
    const t = turns[i] as TurnView;
    if (t.kind !== TurnKinds.restore && !t.retried && t.window > 0 && t.promptTokens > 0) return { used: t.promptTokens, window: t.window };
  }
  return null;
}

/** tokens formats a token count: 12,345. */
export function tokens(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
