// Marking matched text: search ranges and quick-open positions.
import type { ReactNode } from 'react';

/**
 * markRanges renders text with the [start, end) ranges (UTF-16 offsets, as
 * JavaScript strings count) in <mark>. Ranges out of order, overlapping or
 * past the end are tolerated.
 */
export function markRanges(text: string, ranges: readonly (readonly [number, number])[]): ReactNode[] {
  const sorted = ranges
    .map(([a, b]) => [Math.max(0, a), Math.min(text.length, b)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  // Overlapping or touching ranges make one mark.
  const merged: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = merged.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  const out: ReactNode[] = [];
  let at = 0;
  for (const [a, b] of merged) {
    if (a > at) out.push(text.slice(at, a));
    out.push(<mark key={a}>{text.slice(a, b)}</mark>);
    at = b;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

/** runsOf joins positions (offsets of single matched characters) into [start, end) ranges, shifted by -offset. */
export function runsOf(positions: readonly number[], offset = 0): [number, number][] {
  const runs: [number, number][] = [];
  for (const p of [...positions].sort((a, b) => a - b)) {
    const q = p - offset;
    const last = runs.at(-1);
    if (last && last[1] === q) last[1] = q + 1;
    else if (!last || q >= last[1]) runs.push([q, q + 1]);
  }
  return runs;
}

/** markPositions renders text with the characters at positions (minus offset) in <mark>. */
export function markPositions(text: string, positions: readonly number[], offset = 0): ReactNode[] {
  return markRanges(text, runsOf(positions, offset));
}
