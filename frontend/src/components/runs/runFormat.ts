// How runs read in the UI and what the user may do with them: labels,
// badge tones, times and durations, and the rules behind each button.
// No React here.
import { abortableStates, RunEvents, type RunInfo } from '../../bridge';

/** Tone colours a run's badge. */
export type Tone = 'progress' | 'review' | 'ok' | 'bad' | 'muted';

/**
 * BadgeRun is what a badge needs of a run. validationCommand, when known,
 * tells whether validation ran a command (null or empty: none configured);
 * callers that do not know it leave it out.
 */
export type BadgeRun = Pick<RunInfo, 'state' | 'outcome'> & { validationCommand?: string[] | null };

/** notTested is the badge of a run whose edits apply cleanly but that no command tested. */
export const notTested = 'ready to commit · not tested';

/** waitingStatus is the badge of a run paused on an approval card: while it waits, that is its state. */
export const waitingStatus = 'waiting for your approval';

/**
 * runStatus is the one word (or phrase) a run's badge shows: its outcome
 * once decided; else "waiting for your approval" while it waits for one;
 * else its state, where "validated" is said only of a run a validation
 * command passed.
 */
export function runStatus(run: BadgeRun, waiting = false): string {
  if (run.outcome) return run.outcome;
  if (waiting) return waitingStatus;
  if (run.state === 'validated' && run.validationCommand !== undefined && (run.validationCommand ?? []).length === 0) return notTested;
  return run.state;
}

/** runStatusTitle explains a badge: the state behind it, and what validation checked. */
export function runStatusTitle(run: BadgeRun, waiting = false): string {
  if (run.outcome) return run.outcome !== run.state ? `outcome: ${run.outcome} (state: ${run.state})` : `state: ${run.state}`;
  if (waiting) return `The run is paused until you answer its approval card (state: ${run.state})`;
  if (run.state === 'validated' && run.validationCommand !== undefined) {
    const argv = run.validationCommand ?? [];
    return argv.length > 0
      ? `validated: its edits apply cleanly and ${argv.join(' ')} passed`
      : 'Its edits apply cleanly; no validation command is configured, so nothing tested them';
  }
  return `state: ${run.state}`;
}

/** runTone picks the badge colour of a run. */
export function runTone(run: BadgeRun, waiting = false): Tone {
  if (waiting && !run.outcome) return 'review';
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

/** canPromote: a committed run's output can become a memory unless a committed revert undid it. revertedByOutcome is the outcome of run.revertedBy (undefined: not known yet, so not offered). */
export function canPromote(run: Pick<RunInfo, 'outcome' | 'revertedBy'>, revertedByOutcome?: string): boolean {
  if (run.outcome !== 'committed') return false;
  if (!run.revertedBy) return true;
  return revertedByOutcome !== undefined && revertedByOutcome !== 'committed';
}

/** promoteRefusal says why a run cannot be promoted ('' when it can). */
export function promoteRefusal(run: Pick<RunInfo, 'outcome' | 'revertedBy'>, revertedByOutcome?: string): string {
  if (canPromote(run, revertedByOutcome)) return '';
  if (run.outcome === 'committed') return run.revertedBy && revertedByOutcome === 'committed' ? 'the run was reverted: its changes are no longer in the files' : 'checking whether the run was reverted…';
  return run.outcome ? `the run is ${run.outcome}, not committed` : 'the run that proposed it is not committed yet';
}

/** ValidationMark is the Validation tab's mark: what validation checked, at a glance. */
export interface ValidationMark {
  mark: '✓' | '✗' | '○';
  tone: 'good' | 'bad' | 'neutral';
  /** text explains the mark (the tab's title). */
  text: string;
}

/**
 * validationMark marks a validation verdict (the run.validation_* event
 * type, undefined while none): ✓ only when a command ran and passed; edits
 * that apply cleanly with no command configured are neutral, not a ✓ for tests.
 */
export function validationMark(verdictType: string | undefined, commandRan: boolean): ValidationMark | null {
  if (verdictType === RunEvents.ValidationFailed) return { mark: '✗', tone: 'bad', text: commandRan ? 'the validation command failed' : 'the edits no longer apply' };
  if (verdictType !== RunEvents.ValidationPassed) return null;
  return commandRan ? { mark: '✓', tone: 'good', text: 'applies cleanly and the validation command passed' } : { mark: '○', tone: 'neutral', text: 'applies cleanly; no command configured' };
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
