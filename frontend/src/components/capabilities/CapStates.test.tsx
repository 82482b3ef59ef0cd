// The Capabilities panel tells the truth about its rules and grants: a rule
// that can never match is flagged (on the rule and by Add rule), and the
// grants of finished runs are listed as ended, not in force.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setTransport, type CapabilityState, type Grant } from '../../bridge';
import { fakeBackend, noBackend } from '../../test/fakeBackend';
import { CapabilitiesPanel } from './CapabilitiesPanel';

const policy = {
  rules: [
    { kind: 'fs.read', scope: { glob: '**' }, effect: 'allow' },
    { kind: 'fs.write', scope: { glob: '**' }, effect: 'ask' },
  ],
  sandbox: { limits: {} },
};

const grant = (over: Partial<Grant> = {}): Grant => ({
  id: 'g1',
  kind: 'fs.write',
  scope: { glob: 'a.txt' },
  workspace: 'w1',
  issuedBy: 'user',
  reason: 'you allowed it for this run',
  grantedAt: 0,
  grantedSeq: 12,
  uses: 1,
  revoked: false,
  expired: false,
  describe: 'a.txt',
  ...over,
});

function serve(st: Partial<CapabilityState>) {
  const b = fakeBackend({
    CapabilityState: async () => ({ policy, policySeq: 0, default: policy, grants: [], asks: [], kinds: ['fs.read', 'fs.write', 'net.http'], profiles: {}, ...st }),
    ListEvents: async () => ({ total: 0, offset: 0, rows: [] }),
    SandboxStatus: async () => ({ available: true, mode: 'overlayfs', userNs: true, overlay: true, fuse: false, landlockAbi: 7, seccomp: true, unsandboxed: [] }),
  });
  setTransport(b.transport);
  return b;
}

describe('<CapabilitiesPanel> truthful states', () => {
  afterEach(() => setTransport(noBackend()));

  it('flags a rule added after a catch-all of its kind, on the rule and by Add rule', async () => {
    serve({});
    render(<CapabilitiesPanel workspaceId="w1" />);
    await screen.findByText('Default policy');
    expect(screen.queryByText(/Never matches/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Add rule' }));
    const rows = screen.getAllByTestId('policy-rule');
    const added = rows[2] as HTMLElement;
    expect(within(added).getByText('Never matches: rule 1 (allow fs.read on **) comes first and covers everything it does.')).toBeTruthy();
    expect(added.className).toContain('shadowed');
    const note = screen.getByTestId('add-rule-note');
    expect(note.textContent).toContain('Rule 3 can never match');
    expect(note.textContent).toContain('move it above rule 1');
    // Narrowed, it is still covered by the catch-all before it…
    fireEvent.change(screen.getByLabelText('Scope of rule 3'), { target: { value: 'secret/**' } });
    expect(screen.getByTestId('add-rule-note').textContent).toContain('Rule 3 can never match');
    // …moved above it, it decides first: no warning.
    fireEvent.click(screen.getByRole('button', { name: 'Move rule 3 up' }));
    fireEvent.click(screen.getByRole('button', { name: 'Move rule 2 up' }));
    expect(screen.queryByText(/Never matches/)).toBeNull();
    expect(screen.queryByTestId('add-rule-note')).toBeNull();
  });

  it('moves the grants of finished runs to Ended', async () => {
    serve({
      grants: [
        grant({ id: 'g-live', run: 'run-live', describe: 'live.txt' }),
        grant({ id: 'g-done', run: 'run-done', describe: 'done.txt' }),
        grant({ id: 'g-stand', describe: 'docs/**', reason: 'standing' }),
        grant({ id: 'g-rev', describe: 'old.txt', revoked: true }),
      ],
      runOutcomes: { 'run-live': '', 'run-done': 'committed' },
    });
    render(<CapabilitiesPanel workspaceId="w1" />);
    const inForce = await screen.findByRole('list', { name: 'Grant list' });
    expect(within(inForce).getAllByRole('listitem').map((li) => li.getAttribute('data-grant'))).toEqual(['g-live', 'g-stand']);
    fireEvent.click(screen.getByLabelText(/Show ended grants/));
    const ended = await screen.findByRole('list', { name: 'Ended grants' });
    const items = within(ended).getAllByRole('listitem');
    expect(items.map((li) => li.getAttribute('data-grant'))).toEqual(['g-done', 'g-rev']);
    expect(items[0]?.textContent).toContain('run committed');
    expect(within(items[0] as HTMLElement).queryByRole('button', { name: 'Revoke' })).toBeNull();
    await waitFor(() => expect(items[1]?.textContent).toContain('revoked'));
  });
});
