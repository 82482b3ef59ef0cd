import { describe, expect, it } from 'vitest';
import type { FileHunks, ReviewHunk } from '../../bridge';
import { commitRequest, fileDecision, hunkLabel, partialSummary, pruneRejected, revealLine, reviewCounts, setFile, stepChange, toggleHunk } from './review';

const hunk = (id: string, over: Partial<ReviewHunk> = {}): ReviewHunk => ({
  id,
  oldStart: 1,
  oldLines: 3,
  newStart: 1,
  newLines: 3,
  lines: [
    { kind: ' ', text: 'a' },
    { kind: '-', text: 'b' },
    { kind: '+', text: 'B' },
    { kind: ' ', text: 'c' },
  ],
  ...over,
});
const file = (path: string, ids: string[]): FileHunks => ({ path, op: 'modify', added: ids.length, removed: ids.length, binary: false, whole: false, hunks: ids.map((id) => hunk(id)) });
const files = [file('a.txt', ['a1', 'a2']), file('b.txt', ['b1', 'b2'])];

describe('hunk selection', () => {
  it('accepts every hunk until one is rejected', () => {
    const none = new Set<string>();
    expect(reviewCounts(files, none)).toEqual({ accepted: 4, total: 4 });
    expect(fileDecision(none, files[0]!)).toBe('accepted');
    const one = toggleHunk(none, 'a2');
    expect(none.size).toBe(0); // not changed in place
    expect(reviewCounts(files, one)).toEqual({ accepted: 3, total: 4 });
    expect(fileDecision(one, files[0]!)).toBe('partial');
    expect(toggleHunk(one, 'a2').size).toBe(0);
  });

  it('decides a whole file at once', () => {
    const r = setFile(new Set(['a1']), files[1]!, false);
    expect([...r].sort()).toEqual(['a1', 'b1', 'b2']);
    expect(fileDecision(r, files[1]!)).toBe('rejected');
    expect([...setFile(r, files[1]!, true)]).toEqual(['a1']);
  });

  it('names the accepted hunks by their hashes in the commit request', () => {
    const rejected = new Set(['a2', 'b1', 'b2']);
    expect(commitRequest('run-1', files, rejected)).toEqual({ id: 'run-1', accept: ['a1'], files: {} });
  });

  it('forgets rejections of hunks that are no longer staged', () => {
    const r = new Set(['a2', 'gone']);
    expect([...pruneRejected(r, files)]).toEqual(['a2']);
    const kept = new Set(['a2']);
    expect(pruneRejected(kept, files)).toBe(kept);
  });
});

describe('moving between changes', () => {
  it('goes hunk by hunk, on into the next file, and wraps', () => {
    expect(stepChange(files, { file: 0, hunk: 0 }, 1)).toEqual({ file: 0, hunk: 1 });
    expect(stepChange(files, { file: 0, hunk: 1 }, 1)).toEqual({ file: 1, hunk: 0 });
    expect(stepChange(files, { file: 1, hunk: 1 }, 1)).toEqual({ file: 0, hunk: 0 });
    expect(stepChange(files, { file: 0, hunk: 0 }, -1)).toEqual({ file: 1, hunk: 1 });
    const withEmpty = [files[0]!, { hunks: [] }, files[1]!];
    expect(stepChange(withEmpty, { file: 1, hunk: -1 }, 1)).toEqual({ file: 2, hunk: 0 });
    expect(stepChange(withEmpty, { file: 1, hunk: -1 }, -1)).toEqual({ file: 0, hunk: 1 });
  });

  it('reveals the first changed line of a hunk', () => {
    expect(revealLine(hunk('x', { newStart: 10 }))).toBe(11);
    expect(hunkLabel(hunk('x'))).toEqual({ where: '@@ −1,3 +1,3', text: '- b' });
  });
});

describe('partialSummary', () => {
  it('says what was written and what is left', () => {
    expect(partialSummary({ written: ['a.txt'], accepted: 1, rejected: 3, committed: false })).toBe('Wrote 1 of 4 hunks to a.txt. 3 hunks still staged: Commit or Abort them.');
    expect(partialSummary({ written: ['a.txt', 'b.txt'], accepted: 4, rejected: 0, committed: true })).toBe('Committed all 4 hunks to a.txt, b.txt. The run is done.');
  });
});
