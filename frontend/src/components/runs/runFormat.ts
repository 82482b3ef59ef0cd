// How runs read in the UI and what the user may do with them: labels,
// badge tones, times and durations, and the rules behind each button.
// No React here.
import { abortableStates, type RunInfo } from '../../bridge';

/** Tone colours a run's badge. */
export type Tone = 'progress' | 'review' | 'ok' | 'bad' | 'muted';

/** runStatus is the word a run's badge shows: its outcome once decided, else its state. */
export function runStatus(run: Pick<RunInfo, 'state' | 'outcome'>): string {
  return run.outcome || run.state;
}

/** runTone picks the badge colour of a run. */
export function runTone(run: Pick<RunInfo, 'state' | 'outcome'>): Tone {
  switch (run.outcome) {
    case 'committed':
      return 'ok';
    case 'failed':
      return 'bad';
    case 'aborted':
    case 'terminated':
      return 'muted';
  }
  switch (run.state) {
    case 'validated':
      return 'review';
    case 'validation_failed':
      return 'bad';
    case 'terminated':
      return 'muted';
    default:
      return 'progress';
  }
}

/** isLive tells whether a run is still moving on its own (no decision awaited). */
export function isLive(run: Pick<RunInfo, 'state' | 'outcome'>): boolean {
  return runTone(run) === 'progress';
}

/** canCommit: only a validated run can be approved and committed. */
export function canCommit(run: Pick<RunInfo, 'state'>): boolean {
  return run.state === 'validated';
}

/** canAbort: from creation up to a validation result, a run can be aborted. */
export function canAbort(run: Pick<RunInfo, 'state'>): boolean {
  return abortableStates.has(run.state);
}

/**
 * canRevert: a committed run can be reverted unless a revert of it is under
 * way or done; a revert that was aborted (or ended by the runtime) leaves it
 * revertable again. revertedByOutcome is the outcome of run.revertedBy, if known.
 */
export function canRevert(run: Pick<RunInfo, 'outcome' | 'revertedBy'>, revertedByOutcome?: string): boolean {
  if (run.outcome !== 'committed') return false;
  if (!run.revertedBy) return true;
  return revertedByOutcome === 'aborted' || revertedByOutcome === 'terminated';
}

/** formatDuration renders nanoseconds for a human: 840 µs, 12 ms, 1.25 s, 3 min 4 s, 2 h 5 min. */
export function formatDuration(ns: number): string {
  if (ns < 1_000) return `${Math.round(ns)} ns`;
  if (ns < 1_000_000) return `${Math.round(ns / 1_000)} µs`;
  const ms = ns / 1_000_000;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const s = ms / 1_000;
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.floor(s);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
}

/** relativeTime says how long ago atNs (Unix ns) was, seen at nowMs (Unix ms). */
export function relativeTime(atNs: number, nowMs: number): string {
  if (!atNs) return '';
  const s = Math.round((nowMs - atNs / 1e6) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.floor(h / 24);
  if (d < 7) return `${d} d ago`;
  return new Date(atNs / 1e6).toLocaleDateString();
}

/** shortHash keeps the start of a content hash, or says the file is absent. */
export function shortHash(h: string, n = 10): string {
  return h ? h.slice(0, n) : '(absent)';
}
