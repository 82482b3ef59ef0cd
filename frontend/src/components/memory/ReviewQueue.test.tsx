// Accept is offered only where it can succeed: a proposal whose run is not
// committed says why, and offers to open the run.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Events, setTransport, type MemoryProposal, type RunInfo } from '../../bridge';
import { initialState, store } from '../../store';
import { fakeBackend, noBackend, run } from '../../test/fakeBackend';
import { MemoryPanel } from './MemoryPanel';

const proposal = (over: Partial<MemoryProposal> = {}): MemoryProposal => ({
  id: 'p1',
  workspace: 'w1',
  run: 'run-open',
  spec: { kind: 'decision', scope: 'workspace', content: 'Use tabs', confidence: 0.7, ttlSeconds: 0, decayDays: 0, onChange: 'invalidate' },
  events: [],
  state: 'pending',
  reason: '',
  proposedAt: 0,
  memory: '',
  ...over,
});

describe('<ReviewQueue> offers Accept only where it can succeed', () => {
  beforeEach(() => store.update(initialState));
  afterEach(() => setTransport(noBackend()));

  it('disables Accept on a proposal of an uncommitted run, says why, and opens the run', async () => {
    let runs: RunInfo[] = [
      run({ id: 'run-open', state: 'validated' }),
      run({ id: 'run-done', state: 'terminated', outcome: 'committed' }),
      run({ id: 'run-gone', state: 'terminated', outcome: 'committed', revertedBy: 'run-rev' }),
      run({ id: 'run-rev', state: 'terminated', outcome: 'committed', worker: 'revert', revertOf: 'run-gone' }),
    ];
    const b = fakeBackend({ ListRuns: async () => runs, MemoryList: async () => [], GetMemorySettings: async () => ({ embeddingModel: '', indexed: 0 }) });
    setTransport(b.transport);
    const opened: string[] = [];
    render(
      <MemoryPanel
        workspaceId="w1"
        proposals={[
          proposal(),
          proposal({ id: 'p2', run: 'run-done', spec: { ...proposal().spec, content: 'Prefer small PRs' } }),
          proposal({ id: 'p3', run: 'run-gone', spec: { ...proposal().spec, content: 'Undone' } }),
        ]}
        proposalsError={null}
        onOpenRun={(id) => opened.push(id)}
      />,
    );
    fireEvent.click(screen.getByRole('tab', { name: 'Review (3)' }));
    const card = (text: string) => screen.getByRole('listitem', { name: `Proposal ${text}` });
    const accept = (text: string) => within(card(text)).getByRole('button', { name: 'Accept' }) as HTMLButtonElement;

    await waitFor(() => expect(accept('Use tabs').disabled).toBe(true));
    expect(card('Use tabs').textContent).toContain('the run that proposed it is not committed yet');
    expect((within(card('Use tabs')).getByRole('button', { name: 'Edit & accept' }) as HTMLButtonElement).disabled).toBe(true);
    expect((within(card('Use tabs')).getByRole('button', { name: 'Reject' }) as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(within(card('Use tabs')).getByRole('button', { name: 'Open the run' }));
    expect(opened).toEqual(['run-open']);

    expect(accept('Prefer small PRs').disabled).toBe(false);
    expect(within(card('Prefer small PRs')).queryByRole('button', { name: 'Open the run' })).toBeNull();

    expect(accept('Undone').disabled).toBe(true);
    expect(card('Undone').textContent).toContain('reverted');

    // The run is committed: Accept comes back without a reload of the panel.
    runs = runs.map((r) => (r.id === 'run-open' ? { ...r, state: 'terminated', outcome: 'committed' } : r));
    b.emit(Events.RunChanged, { run: 'run-open', state: 'committed' });
    await waitFor(() => expect(accept('Use tabs').disabled).toBe(false));
    expect(card('Use tabs').textContent).not.toContain('not committed yet');
  });
});
