import { describe, expect, it } from 'vitest';
import type { EventRow } from '../../bridge';
import { events, lifecycleTo } from '../../test/fakeBackend';
import { groupPhases, upcoming } from './timeline';

const ms = 1e6;

/** at builds rows with explicit times (ms after 0) and types. */
function rows(spec: [number, string][]): EventRow[] {
  return spec.map(([t, type], i) => ({ seq: i + 1, id: `e${i + 1}`, at: t * ms, type, origin: 'runtime', stream: 'run/r', version: i + 1, workspace: 'w', run: 'r', causation: '' }));
}

const summary = (ps: ReturnType<typeof groupPhases>) => ps.map((p) => `${p.name}:${[p.start, ...p.events].map((e) => e.seq).join(',')}`);

describe('groupPhases', () => {
  it('opens a phase at each lifecycle event and puts the other events in the phase they happen in', () => {
    const ps = groupPhases(events('r', lifecycleTo('validated')));
    expect(summary(ps)).toEqual([
      'requested:1',
      'created:2',
      'provisioned:3',
      'context_resolved:4',
      'memory_mounted:5',
      'context_ready:6',
      'executing:7,8,9',
      'validating:10,11',
      'validated:12',
    ]);
    // capabilities_bound leads to context_ready, as in the kernel.
    expect(ps[5]?.start.type).toBe('run.capabilities_bound');
    expect(ps[6]?.events.map((e) => e.type)).toEqual(['effect.file_read', 'effect.file_staged']);
  });

  it('makes a phase last from its lifecycle event to the next one', () => {
    const ps = groupPhases(
      rows([
        [0, 'run.requested'],
        [2, 'run.created'],
        [5, 'run.execution_started'],
        [6, 'effect.file_staged'],
        [9, 'effect.file_staged'],
        [30, 'run.validation_started'],
        [75, 'run.validation_passed'],
      ]),
    );
    expect(ps.map((p) => [p.name, p.startAt / ms, p.endAt === null ? null : p.endAt / ms, p.durationNs === null ? null : p.durationNs / ms])).toEqual([
      ['requested', 0, 2, 2],
      ['created', 2, 5, 3],
      // The staged files do not end the phase: only the next lifecycle event does.
      ['executing', 5, 30, 25],
      ['validating', 30, 75, 45],
      ['validated', 75, null, null],
    ]);
    expect(ps.map((p) => p.current)).toEqual([false, false, false, false, true]);
  });

  it('reports how long the current phase has lasted when the time is known', () => {
    const ps = groupPhases(
      rows([
        [0, 'run.created'],
        [10, 'run.validation_passed'],
      ]),
      1010 * ms,
    );
    expect(ps[1]).toMatchObject({ name: 'validated', current: true, endAt: null, durationNs: 1000 * ms });
  });

  it('ends a terminated run: nothing is current and the last phase ends with its last event', () => {
    const ps = groupPhases(events('r', lifecycleTo('committed'), { stepMs: 10 }), 1e18);
    expect(ps.map((p) => p.name).slice(-4)).toEqual(['validated', 'committing', 'committed', 'terminated']);
    expect(ps.some((p) => p.current)).toBe(false);
    const last = ps.at(-1);
    expect(last?.durationNs).toBe(0);
    expect(last?.endAt).toBe(last?.startAt);
    // The approval is part of the validated phase, the written file of committing.
    expect(ps.find((p) => p.name === 'validated')?.events.map((e) => e.type)).toEqual(['run.commit_approved']);
    expect(ps.find((p) => p.name === 'committing')?.events.map((e) => e.type)).toEqual(['effect.file_written']);
  });

  it('sorts by seq, whatever order the rows come in', () => {
    const r = events('r', ['run.created', 'run.provisioned', 'effect.file_read', 'run.context_resolved']);
    expect(summary(groupPhases([...r].reverse()))).toEqual(['created:1', 'provisioned:2,3', 'context_resolved:4']);
  });

  it('puts events before the first lifecycle event in a requested phase', () => {
    const ps = groupPhases(events('r', ['run.requested', 'run.abort_requested', 'run.created']));
    expect(summary(ps)).toEqual(['requested:1,2', 'created:3']);
  });

  it('shows aborted and validation_failed as phases of their own', () => {
    const ps = groupPhases(events('r', [...lifecycleTo('validation_failed'), 'run.abort_requested', 'run.aborted', 'run.terminated']));
    expect(ps.slice(-3).map((p) => p.name)).toEqual(['validation_failed', 'aborted', 'terminated']);
    expect(ps.at(-3)?.events.map((e) => e.type)).toEqual(['run.abort_requested']);
  });

  it('is empty without events', () => {
    expect(groupPhases([])).toEqual([]);
  });
});

describe('upcoming', () => {
  it('lists the rest of the main path after a phase', () => {
    expect(upcoming('validating')).toEqual(['validated', 'committing', 'committed', 'terminated']);
    expect(upcoming('validated')).toEqual(['committing', 'committed', 'terminated']);
  });
  it('offers only the way out after a failure or an abort, and nothing after the end', () => {
    expect(upcoming('validation_failed')).toEqual(['aborted', 'terminated']);
    expect(upcoming('aborted')).toEqual(['terminated']);
    expect(upcoming('terminated')).toEqual([]);
  });
  it('lists the whole path before the run is created', () => {
    expect(upcoming(undefined)[0]).toBe('created');
    expect(upcoming('requested')).toHaveLength(11);
  });
});
