// A run's timeline: its events grouped into lifecycle phases. A phase starts
// at its lifecycle event and ends at the next one; the events in between
// (reads, staged files, commands, decisions) belong to it. No React here.
import { lifecycleState, type EventRow, type RunState } from '../../bridge';

/** PhaseName is a run state, or 'requested' for what comes before run.created. */
export type PhaseName = RunState | 'requested';

export interface Phase {
  name: PhaseName;
  /** start is the event that opens the phase: its lifecycle event, or the first event of 'requested'. */
  start: EventRow;
  /** events are the phase's other events, oldest first. */
  events: EventRow[];
  /** startAt and endAt are Unix nanoseconds; endAt is null while the phase goes on. */
  startAt: number;
  endAt: number | null;
  /** durationNs is endAt - startAt, or the time so far for a current phase when `now` is known. */
  durationNs: number | null;
  /** current is the run's present phase (the last one, unless the run has ended). */
  current: boolean;
}

/**
 * groupPhases groups a run's events into phases. nowNs (Unix nanoseconds),
 * when given, lets the current phase report how long it has lasted so far.
 * The final 'terminated' phase ends with its last event.
 */
export function groupPhases(rows: readonly EventRow[], nowNs?: number): Phase[] {
  const sorted = [...rows].sort((a, b) => a.seq - b.seq);
  const phases: Phase[] = [];
  for (const e of sorted) {
    const state = lifecycleState[e.type];
    const cur = phases.at(-1);
    if (state !== undefined || !cur) {
      if (cur) close(cur, e.at);
      phases.push({ name: state ?? 'requested', start: e, events: [], startAt: e.at, endAt: null, durationNs: null, current: false });
    } else {
      cur.events.push(e);
    }
  }
  const last = phases.at(-1);
  if (last) {
    if (last.name === 'terminated') {
      close(last, last.events.reduce((m, e) => Math.max(m, e.at), last.startAt));
    } else {
      last.current = true;
      if (nowNs !== undefined) last.durationNs = Math.max(0, nowNs - last.startAt);
    }
  }
  return phases;
}

function close(p: Phase, at: number): void {
  p.endAt = at;
  p.durationNs = Math.max(0, at - p.startAt);
}

/** mainPath is the lifecycle of a run that goes all the way to a commit. */
const mainPath: readonly PhaseName[] = [
  'created',
  'provisioned',
  'context_resolved',
  'memory_mounted',
  'context_ready',
  'executing',
  'validating',
  'validated',
  'committing',
  'committed',
  'terminated',
];

/** upcoming lists the phases still ahead of a run whose last phase is `last` (none once it ended). */
export function upcoming(last: PhaseName | undefined): PhaseName[] {
  switch (last) {
    case undefined:
    case 'requested':
      return [...mainPath];
    case 'terminated':
      return [];
    case 'validation_failed':
      return ['aborted', 'terminated'];
    case 'aborted':
      return ['terminated'];
    default:
      return mainPath.slice(mainPath.indexOf(last) + 1);
  }
}
