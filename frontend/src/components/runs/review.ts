// The review of a run's staged changes, hunk by hunk: which hunks the user
// accepts (all, until one is rejected), the partial-commit request that
// names them by their content hashes, moving between changes, and what a
// partial commit did, in words.
import type { FileHunks, PartialResult, ReviewHunk } from '../../bridge';

/** Rejected is the set of rejected hunk ids; every other hunk is accepted. */
export type Rejected = ReadonlySet<string>;

/** FileDecision is a file's state in the review. */
export type FileDecision = 'accepted' | 'rejected' | 'partial';

const hunksOf = (f: Pick<FileHunks, 'hunks'>): ReviewHunk[] => f.hunks ?? [];

/** toggleHunk accepts a rejected hunk, or rejects an accepted one. */
export function toggleHunk(rejected: Rejected, id: string): Set<string> {
  const next = new Set(rejected);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/** setFile accepts (or rejects) every hunk of a file. */
export function setFile(rejected: Rejected, file: Pick<FileHunks, 'hunks'>, accept: boolean): Set<string> {
  const next = new Set(rejected);
  for (const h of hunksOf(file)) {
    if (accept) next.delete(h.id);
    else next.add(h.id);
  }
  return next;
}

/** fileDecision says whether all, none or some of a file's hunks are accepted. */
export function fileDecision(rejected: Rejected, file: Pick<FileHunks, 'hunks'>): FileDecision {
  const hs = hunksOf(file);
  const out = hs.filter((h) => rejected.has(h.id)).length;
  if (out === 0) return 'accepted';
  return out === hs.length ? 'rejected' : 'partial';
}

/** reviewCounts counts the accepted hunks and all hunks. */
export function reviewCounts(files: Pick<FileHunks, 'hunks'>[], rejected: Rejected): { accepted: number; total: number } {
  let accepted = 0;
  let total = 0;
  for (const f of files)
    for (const h of hunksOf(f)) {
      total++;
      if (!rejected.has(h.id)) accepted++;
    }
  return { accepted, total };
}

/** pruneRejected keeps only the rejections of hunks that are still staged (after a reload). */
export function pruneRejected(rejected: Rejected, files: Pick<FileHunks, 'hunks'>[]): Rejected {
  const live = new Set(files.flatMap((f) => hunksOf(f).map((h) => h.id)));
  const kept = [...rejected].filter((id) => live.has(id));
  return kept.length === rejected.size ? rejected : new Set(kept);
}

/** commitRequest is the CommitHunks request of a review: the accepted hunks by their content hashes. */
export function commitRequest(runId: string, files: Pick<FileHunks, 'hunks'>[], rejected: Rejected): { id: string; accept: string[]; files: Record<string, string> } {
  return { id: runId, accept: files.flatMap((f) => hunksOf(f).filter((h) => !rejected.has(h.id)).map((h) => h.id)), files: {} };
}

/** Cursor is the change the diff shows: a file and one of its hunks. */
export interface Cursor {
  file: number;
  hunk: number;
}

/** stepChange moves to the next (dir 1) or previous (-1) hunk, on into the next or previous file, wrapping around. */
export function stepChange(files: Pick<FileHunks, 'hunks'>[], at: Cursor, dir: 1 | -1): Cursor {
  const flat: Cursor[] = files.flatMap((f, fi) => hunksOf(f).map((_, hi) => ({ file: fi, hunk: hi })));
  if (flat.length === 0) return at;
  const i = flat.findIndex((c) => c.file === at.file && c.hunk === at.hunk);
  if (i < 0) {
    // Not on a hunk (a file without any): the first one after, or before.
    const after = flat.findIndex((c) => c.file > at.file);
    if (dir === 1) return flat[after < 0 ? 0 : after] ?? at;
    const before = [...flat].reverse().find((c) => c.file < at.file);
    return before ?? flat[flat.length - 1] ?? at;
  }
  return flat[(i + dir + flat.length) % flat.length] ?? at;
}

/** revealLine is the line of the staged (new) side a hunk's first change is on, 1-based. */
export function revealLine(h: Pick<ReviewHunk, 'newStart' | 'lines'>): number {
  let line = Math.max(1, h.newStart);
  for (const l of h.lines ?? []) {
    if (l.kind !== ' ') return line;
    line++;
  }
  return line;
}

/** hunkLabel names a hunk in the list: where it is and its first changed line. */
export function hunkLabel(h: Pick<ReviewHunk, 'oldStart' | 'oldLines' | 'newStart' | 'newLines' | 'lines'>): { where: string; text: string } {
  const first = (h.lines ?? []).find((l) => l.kind !== ' ');
  return { where: `@@ −${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines}`, text: first ? `${first.kind} ${first.text}` : '(no text lines)' };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** partialSummary says what a partial commit did and what is left. */
export function partialSummary(res: Pick<PartialResult, 'written' | 'accepted' | 'rejected' | 'committed'>): string {
  const files = res.written ?? [];
  const where = files.length === 0 ? '' : ` to ${files.length > 3 ? plural(files.length, 'file') : files.join(', ')}`;
  if (res.committed) return `Committed all ${plural(res.accepted, 'hunk')}${where}. The run is done.`;
  return `Wrote ${res.accepted} of ${plural(res.accepted + res.rejected, 'hunk')}${where}. ${plural(res.rejected, 'hunk')} still staged: Commit or Abort them.`;
}
