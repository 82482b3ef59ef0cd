import { describe, expect, it } from 'vitest';
import { RunStates } from '../../bridge';
import { canAbort, canCommit, canPromote, canRevert, formatDuration, relativeTime, runStatus, runTone, validationMark } from './runFormat';

describe('what a run allows', () => {
  it('commits only a validated run', () => {
    expect(RunStates.filter((state) => canCommit({ state }))).toEqual(['validated']);
  });

  it('aborts from creation up to a validation result, never while committing or after', () => {
    expect(RunStates.filter((state) => canAbort({ state }))).toEqual([
      'created',
      'provisioned',
      'context_resolved',
      'memory_mounted',
      'context_ready',
      'executing',
      'validating',
      'validated',
      'validation_failed',
    ]);
  });

  it('reverts a committed run once, again only if the revert was aborted', () => {
    expect(canRevert({ outcome: 'committed', revertedBy: '' })).toBe(true);
    expect(canRevert({ outcome: 'aborted', revertedBy: '' })).toBe(false);
    expect(canRevert({ outcome: '', revertedBy: '' })).toBe(false);
    expect(canRevert({ outcome: 'committed', revertedBy: 'r2' })).toBe(false);
    expect(canRevert({ outcome: 'committed', revertedBy: 'r2' }, '')).toBe(false);
    expect(canRevert({ outcome: 'committed', revertedBy: 'r2' }, 'committed')).toBe(false);
    expect(canRevert({ outcome: 'committed', revertedBy: 'r2' }, 'aborted')).toBe(true);
    expect(canRevert({ outcome: 'committed', revertedBy: 'r2' }, 'terminated')).toBe(true);
  });
});

describe('runStatus and runTone', () => {
  it('shows the outcome once decided, else the state', () => {
    expect(runStatus({ state: 'terminated', outcome: 'committed' })).toBe('committed');
    expect(runStatus({ state: 'validation_failed', outcome: '' })).toBe('validation_failed');
  });
  it('colours by what the user has to do', () => {
    expect(runTone({ state: 'executing', outcome: '' })).toBe('progress');
    expect(runTone({ state: 'validated', outcome: '' })).toBe('review');
    expect(runTone({ state: 'validation_failed', outcome: '' })).toBe('bad');
    expect(runTone({ state: 'terminated', outcome: 'committed' })).toBe('ok');
    expect(runTone({ state: 'terminated', outcome: 'aborted' })).toBe('muted');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ns'],
    [840_000, '840 µs'],
    [2_500_000, '2.5 ms'],
    [12_400_000, '12 ms'],
    [1_254_000_000, '1.25 s'],
    [42_000_000_000, '42.0 s'],
    [184_000_000_000, '3 min 4 s'],
    [7_500_000_000_000, '2 h 5 min'],
  ])('%d ns is %s', (ns, want) => {
    expect(formatDuration(ns)).toBe(want);
  });
});

describe('relativeTime', () => {
  const now = Date.UTC(2025, 0, 6, 12, 0, 0);
  const ago = (ms: number) => (now - ms) * 1e6;
  it.each([
    [1_000, 'just now'],
    [42_000, '42 s ago'],
    [5 * 60_000, '5 min ago'],
    [3 * 3_600_000, '3 h ago'],
    [2 * 86_400_000, '2 d ago'],
  ])('%d ms ago is %s', (ms, want) => {
    expect(relativeTime(ago(ms), now)).toBe(want);
  });
  it('is empty for an unknown time', () => {
    expect(relativeTime(0, now)).toBe('');
  });
});

describe('truthful states', () => {
  it('does not call a run validated when no command tested it', () => {
    expect(runStatus({ state: 'validated', outcome: '', validationCommand: [] })).toBe('ready to commit · not tested');
    expect(runStatus({ state: 'validated', outcome: '', validationCommand: null as unknown as string[] })).toBe('ready to commit · not tested');
    expect(runStatus({ state: 'validated', outcome: '', validationCommand: ['go', 'test', './...'] })).toBe('validated');
    expect(runTone({ state: 'validated', outcome: '', validationCommand: [] })).toBe('review');
  });

  it('has one state at a time: a run waiting for an approval is waiting', () => {
    expect(runStatus({ state: 'executing', outcome: '' }, true)).toBe('waiting for your approval');
    expect(runTone({ state: 'executing', outcome: '' }, true)).toBe('review');
    expect(runStatus({ state: 'terminated', outcome: 'aborted' }, true)).toBe('aborted');
  });

  it('marks the validation tab by what was checked', () => {
    expect(validationMark(undefined, false)).toBeNull();
    expect(validationMark('run.validation_passed', true)).toMatchObject({ mark: '✓', tone: 'good' });
    expect(validationMark('run.validation_passed', false)).toMatchObject({ mark: '○', tone: 'neutral', text: 'applies cleanly; no command configured' });
    expect(validationMark('run.validation_failed', false)).toMatchObject({ mark: '✗', tone: 'bad' });
    expect(validationMark('run.validation_failed', true)).toMatchObject({ mark: '✗', tone: 'bad' });
  });

  it('promotes a committed run unless a committed revert undid it', () => {
    expect(canPromote({ outcome: 'committed', revertedBy: '' })).toBe(true);
    expect(canPromote({ outcome: 'aborted', revertedBy: '' })).toBe(false);
    expect(canPromote({ outcome: '', revertedBy: '' })).toBe(false);
    expect(canPromote({ outcome: 'committed', revertedBy: 'r2' }, 'committed')).toBe(false);
    expect(canPromote({ outcome: 'committed', revertedBy: 'r2' })).toBe(false); // not known yet: not offered
    expect(canPromote({ outcome: 'committed', revertedBy: 'r2' }, '')).toBe(true); // the revert is under way: nothing undone yet
    expect(canPromote({ outcome: 'committed', revertedBy: 'r2' }, 'aborted')).toBe(true);
  });
});
