// Truthful states in a run's header: one badge per state, validation that
// says what was checked, and only the actions that can succeed.
import { render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setTransport, type Ask, type EventRow, type RunInfo } from '../../bridge';
import { events, fakeBackend, lifecycleTo, noBackend, run } from '../../test/fakeBackend';
import { RunBadge } from './RunBadge';
import { RunView } from './RunView';

/** withoutCommand is a validated run's lifecycle when no validation command is configured. */
const withoutCommand = lifecycleTo('validated').filter((t) => t !== 'effect.command_executed');

function serve(runs: RunInfo[], log: Record<string, EventRow[]>, asks: Record<string, Ask[]> = {}) {
  const b = fakeBackend({
    GetRun: async ({ id }) => {
      const r = runs.find((x) => x.id === id);
      if (!r) throw new Error(`run ${id} not found`);
      return { run: r, changes: [], asks: asks[id] ?? [] };
    },
    ListEvents: async ({ filter, offset, limit }) => {
      const all = log[filter.run] ?? [];
      return { total: all.length, offset, rows: all.slice(offset, offset + limit) };
    },
    GetEvent: async ({ seq }) => {
      const row = Object.values(log)
        .flat()
        .find((e) => e.seq === seq);
      if (!row) throw new Error(`event ${seq} not found`);
      return { ...row, schema: 1, correlation: row.run, payload: '{"reason":"1 staged change(s) apply cleanly; no validation command configured"}', hash: 'h', prevHash: 'p', causationSeq: 0 };
    },
  });
  setTransport(b.transport);
  return b;
}

describe('<RunBadge>', () => {
  it('shows one badge: a run waiting for an approval is waiting, not also executing', () => {
    const { container } = render(<RunBadge run={{ state: 'executing', outcome: '' }} waiting />);
    const badges = container.querySelectorAll('.run-badge');
    expect([...badges].map((b) => b.textContent)).toEqual(['waiting for your approval']);
    expect(badges[0]?.getAttribute('title')).toContain('executing');
  });

  it('does not say validated when nothing was tested', () => {
    const { container, rerender } = render(<RunBadge run={{ state: 'validated', outcome: '', validationCommand: [] }} />);
    expect(container.querySelector('.run-badge')?.textContent).toBe('ready to commit · not tested');
    rerender(<RunBadge run={{ state: 'validated', outcome: '', validationCommand: ['go', 'test', './...'] }} />);
    expect(container.querySelector('.run-badge')?.textContent).toBe('validated');
    expect(container.querySelector('.run-badge')?.getAttribute('title')).toContain('go test ./...');
  });
});

describe('<RunView> header', () => {
  afterEach(() => setTransport(noBackend()));

  it('shows a single state while the run waits for your approval', async () => {
    const r = run({ state: 'executing', waiting: true });
    const ask: Ask = { id: 'req-1', run: r.id, kind: 'fs.write', target: 'a.txt', req: { kind: 'fs.write', path: 'a.txt' }, reason: 'the policy asks', seq: 9 };
    serve([r], { [r.id]: events(r.id, lifecycleTo('executing')) }, { [r.id]: [ask] });
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByRole('region', { name: 'Approval needed' });
    const head = screen.getByRole('article', { name: 'Run' }).querySelector('.run-head') as HTMLElement;
    expect([...head.querySelectorAll('.run-badge')].map((b) => b.textContent)).toEqual(['waiting for your approval']);
    expect(head.textContent?.match(/waiting for your approval/g)).toHaveLength(1);
  });

  it('marks validation without a command as not tested, not ✓', async () => {
    const r = run({ state: 'validated', validationCommand: [] });
    serve([r], { [r.id]: events(r.id, withoutCommand) });
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    const tab = await screen.findByRole('tab', { name: /Validation/ });
    expect(tab.textContent).toBe('Validation○');
    expect(tab.getAttribute('title')).toBe('applies cleanly; no command configured');
    expect(screen.getByRole('article', { name: 'Run' }).querySelector('.run-title .run-badge')?.textContent).toBe('ready to commit · not tested');
  });

  it('offers Promote… on a committed run, not on one a committed revert undid', async () => {
    const orig = run({ id: 'orig', state: 'terminated', outcome: 'committed', revertedBy: 'rev' });
    const rev = run({ id: 'rev', worker: 'revert', task: 'Revert run orig', revertOf: 'orig', state: 'terminated', outcome: 'committed' });
    const kept = run({ id: 'kept', state: 'terminated', outcome: 'committed' });
    serve([orig, rev, kept], { orig: events('orig', lifecycleTo('committed')), rev: events('rev', lifecycleTo('committed')), kept: events('kept', lifecycleTo('committed')) });
    const { unmount } = render(<RunView runId="kept" onOpenRun={() => {}} />);
    await screen.findByRole('button', { name: 'Promote…' });
    unmount();
    render(<RunView runId="orig" onOpenRun={() => {}} />);
    const head = await screen.findByText('Reverted by');
    await waitFor(() => expect(within(head.closest('.run-head') as HTMLElement).getByText('Revert run orig')).toBeTruthy());
    await waitFor(() => expect(head.closest('.run-head')?.querySelector('.run-link .run-badge')?.textContent).toBe('committed'));
    expect(screen.queryByRole('button', { name: 'Promote…' })).toBeNull();
  });
});
