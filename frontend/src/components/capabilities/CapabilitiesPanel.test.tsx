import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setTransport, type CapabilityState, type Grant } from '../../bridge';
import { initialState, store } from '../../store';
import { events, fakeBackend, noBackend, sandboxState } from '../../test/fakeBackend';
import { CapabilitiesPanel } from './CapabilitiesPanel';

const defaultPolicy = {
  rules: [
    { kind: 'fs.read', scope: { glob: '**' }, effect: 'allow' },
    { kind: 'fs.write', scope: { glob: '**' }, effect: 'ask' },
    { kind: 'shell.exec', scope: { argv: ['*'] }, effect: 'ask' },
  ],
  sandbox: { limits: {} },
};

const grant = (over: Partial<Grant> = {}): Grant => ({
  id: 'g1',
  kind: 'shell.exec',
  scope: { argv: ['go', 'test'] },
  workspace: 'w1',
  issuedBy: 'user',
  reason: 'tests are fine',
  grantedAt: 0,
  grantedSeq: 12,
  uses: 2,
  revoked: false,
  expired: false,
  describe: 'go test …',
  ...over,
});

const state = (over: Partial<CapabilityState> = {}): CapabilityState => ({
  policy: defaultPolicy,
  policySeq: 0,
  default: defaultPolicy,
  grants: [grant(), grant({ id: 'g2', describe: 'old one', revoked: true })],
  asks: [],
  kinds: ['fs.read', 'fs.write', 'shell.exec', 'net.http', 'model.invoke', 'memory.write'],
  profiles: {},
  ...over,
});

function backend(extra: Parameters<typeof fakeBackend>[0] = {}) {
  const used = events('r1', ['capability.used'], { first: 30 });
  const denied = events('r1', ['capability.denied'], { first: 31 });
  return fakeBackend({
    CapabilityState: async () => state(),
    ListEvents: async ({ filter }) => {
      const rows = filter.type === 'capability.used' ? used : denied;
      return { total: rows.length, offset: 0, rows };
    },
    GetEvent: async ({ seq }) => ({
      ...(seq === 30 ? used[0] : denied[0])!,
      schema: 1,
      correlation: '',
      hash: '',
      prevHash: '',
      causationSeq: 0,
      payload: JSON.stringify(seq === 30 ? { kind: 'fs.write', target: 'a.txt', reason: 'grant g9' } : { kind: 'fs.write', target: 'b.md', reason: 'you refused it' }),
    }),
    ...extra,
  });
}

describe('<CapabilitiesPanel>', () => {
  afterEach(() => setTransport(noBackend()));

  it('saves the edited policy and shows a rejection inline', async () => {
    let reject = true;
    const b = backend({
      SetPolicy: async ({ policy }) => {
        if (reject) throw new Error('rule 4: host "" (host, *.domain or *, with an optional :port)');
        return state({ policy, policySeq: 77 });
      },
    });
    setTransport(b.transport);
    render(<CapabilitiesPanel workspaceId="w1" />);
    await screen.findByText('Default policy');
    expect(screen.getAllByTestId('policy-rule')).toHaveLength(3);
    fireEvent.change(screen.getByLabelText('Effect of rule 2'), { target: { value: 'allow' } });
    fireEvent.click(screen.getByRole('button', { name: 'Move rule 3 up' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add rule' }));
    fireEvent.change(screen.getByLabelText('Kind of rule 4'), { target: { value: 'net.http' } });
    fireEvent.change(screen.getByLabelText('Effect of rule 4'), { target: { value: 'deny' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('rule 4: host');
    expect(b.argsOf('SetPolicy')).toEqual([
      {
        workspaceId: 'w1',
        policy: {
          rules: [
            { kind: 'fs.read', scope: { glob: '**' }, effect: 'allow' },
            { kind: 'shell.exec', scope: { argv: ['*'] }, effect: 'ask' },
            { kind: 'fs.write', scope: { glob: '**' }, effect: 'allow' },
            { kind: 'net.http', scope: {}, effect: 'deny' },
          ],
          memoryOnSourceChange: '',
          sandbox: { limits: {} },
        },
      },
    ]);
    reject = false;
    fireEvent.change(screen.getByLabelText('Scope of rule 4'), { target: { value: 'example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    await screen.findByText(/Changed by you.*event #77/);
    expect(b.argsOf('SetPolicy')[1]?.policy.rules[3]).toEqual({ kind: 'net.http', scope: { host: 'example.com' }, effect: 'deny' });
    // The workspace's memory policy is part of the same policy.
    fireEvent.change(screen.getByLabelText("When a memory's source file changes"), { target: { value: 'review' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    await waitFor(() => expect(b.argsOf('SetPolicy')[2]?.policy.memoryOnSourceChange).toBe('review'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('lists grants in force, revokes one, and shows ended ones on demand', async () => {
    const b = backend({ Revoke: async () => {} });
    setTransport(b.transport);
    render(<CapabilitiesPanel workspaceId="w1" />);
    const list = await screen.findByRole('list', { name: 'Grant list' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(1);
    expect(list.textContent).toContain('go test …');
    expect(list.textContent).toContain('standing · 2 uses');
    expect(list.textContent).toContain('tests are fine');
    fireEvent.click(within(list).getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(b.argsOf('Revoke')).toEqual([{ grantId: 'g1' }]));
    fireEvent.click(screen.getByLabelText(/Show ended grants/));
    expect(within(screen.getByRole('list', { name: 'Grant list' })).getAllByRole('listitem')).toHaveLength(1);
    expect(within(screen.getByRole('list', { name: 'Ended grants' })).getAllByRole('listitem')).toHaveLength(1);
  });

  it('issues a standing grant', async () => {
    const b = backend({ Grant: async (req) => grant({ kind: req.kind, scope: req.scope }) });
    setTransport(b.transport);
    render(<CapabilitiesPanel workspaceId="w1" />);
    const form = await screen.findByRole('form', { name: 'Standing grant' });
    fireEvent.change(within(form).getByLabelText('Grant kind'), { target: { value: 'fs.write' } });
    fireEvent.change(within(form).getByLabelText('Grant scope'), { target: { value: 'docs/**' } });
    fireEvent.change(within(form).getByLabelText('Expires in minutes'), { target: { value: '30' } });
    fireEvent.change(within(form).getByLabelText('Max uses'), { target: { value: '5' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Grant' }));
    await waitFor(() =>
      expect(b.argsOf('Grant')).toEqual([
        { workspaceId: 'w1', kind: 'fs.write', scope: { glob: 'docs/**' }, expiresInS: 1800, maxUses: 5, reason: 'granted by the user in the Studio' },
      ]),
    );
  });

  it('shows the history newest first and explains a decision', async () => {
    const b = backend({
      WhyAllowed: async ({ seq }) => ({
        allowed: true,
        decision: 'fs.write a.txt',
        usedSeq: seq,
        grant: grant({ kind: 'fs.write', scope: { glob: 'a.txt' }, run: 'r1', maxUses: 1, uses: 1, reason: 'you allowed it once', describe: 'a.txt' }),
        grantSeq: 12,
        issuedBy: 'user',
        policySeq: 0,
        reason: 'grant g9',
      }),
    });
    setTransport(b.transport);
    render(<CapabilitiesPanel workspaceId="w1" />);
    const list = await screen.findByRole('list', { name: 'Capability decisions' });
    const rows = within(list).getAllByRole('listitem');
    expect(rows.map((r) => r.getAttribute('data-type'))).toEqual(['capability.denied', 'capability.used']);
    expect(rows[0]?.textContent).toContain('b.md');
    expect(rows[0]?.textContent).toContain('you refused it');
    fireEvent.click(within(rows[1] as HTMLElement).getByRole('button', { name: 'Why?' }));
    const note = await within(rows[1] as HTMLElement).findByRole('note');
    expect(b.argsOf('WhyAllowed')).toEqual([{ seq: 30 }]);
    expect(note.textContent).toContain('you allowed it once');
    expect(note.textContent).toContain('this run only');
    expect(note.textContent).toContain('1/1 uses');
  });

  describe('Commands', () => {
    afterEach(() => store.update(initialState));

    it("shows the machine's sandbox and saves limits, env and unsandboxed through SetPolicy, after a confirmation", async () => {
      let unsandboxedNow: string[] = [];
      const b = backend({
        SandboxStatus: async () => sandboxState({ hint: 'fuse-overlayfs is the fallback', unsandboxed: unsandboxedNow }),
        SetPolicy: async ({ policy }) => {
          unsandboxedNow = policy.sandbox.unsandboxed ? ['w1'] : [];
          return state({ policy, policySeq: 80 });
        },
      });
      setTransport(b.transport);
      render(<CapabilitiesPanel workspaceId="w1" />);
      const cmds = await screen.findByRole('group', { name: 'Commands' });
      // The machine's state, fetched because the store had none yet.
      expect((await within(cmds).findByTestId('machine-sandbox')).textContent).toContain('Sandbox: overlayfs');
      expect(within(cmds).getByTestId('machine-sandbox').textContent).toContain('Landlock 7');
      expect(within(cmds).getByTestId('machine-sandbox').textContent).toContain('fuse-overlayfs is the fallback');
      // Empty limits show the Studio defaults.
      expect(within(cmds).getByLabelText('CPU time limit').getAttribute('placeholder')).toBe('10 (default)');
      expect(within(cmds).getByLabelText('Memory limit').getAttribute('placeholder')).toBe('4 (default)');
      expect(within(cmds).getByLabelText('Processes limit').getAttribute('placeholder')).toBe('512 (default)');
      expect(within(cmds).getByLabelText('Output limit').getAttribute('placeholder')).toBe('16 (default)');
      expect(cmds.textContent).toContain('PATH, LANG, LC_*, TERM, TZ, HOME, TMPDIR, USER and the build-cache variables');

      fireEvent.change(within(cmds).getByLabelText('CPU time limit'), { target: { value: '90' } });
      fireEvent.change(within(cmds).getByLabelText('CPU time unit'), { target: { value: 's' } });
      fireEvent.change(within(cmds).getByLabelText('Memory limit'), { target: { value: '512' } });
      fireEvent.change(within(cmds).getByLabelText('Memory unit'), { target: { value: 'MiB' } });
      fireEvent.change(within(cmds).getByLabelText('Processes limit'), { target: { value: '64' } });
      fireEvent.change(within(cmds).getByLabelText('Extra environment variables'), { target: { value: 'GOFLAGS,\nNODE_OPTIONS' } });

      // Unsandboxed needs a confirmation; cancelling keeps the sandbox.
      const box = within(cmds).getByLabelText('Run commands unsandboxed') as HTMLInputElement;
      fireEvent.click(box);
      const confirm = within(cmds).getByRole('alertdialog', { name: 'Run commands unsandboxed?' });
      expect(confirm.textContent).toContain('Commands run as plain children with your full rights: they can read and write anything you can, use the network, and outlive the run');
      expect(box.checked).toBe(false);
      fireEvent.click(within(confirm).getByRole('button', { name: 'Keep the sandbox' }));
      expect(within(cmds).queryByRole('alertdialog')).toBeNull();
      expect(box.checked).toBe(false);
      fireEvent.click(box);
      fireEvent.click(within(within(cmds).getByRole('alertdialog')).getByRole('button', { name: 'Run unsandboxed' }));
      expect((within(cmds).getByLabelText('Run commands unsandboxed') as HTMLInputElement).checked).toBe(true);

      fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
      await screen.findByText(/Changed by you.*event #80/);
      expect(b.argsOf('SetPolicy')).toHaveLength(1);
      expect(b.argsOf('SetPolicy')[0]?.policy.sandbox).toEqual({
        limits: { cpuTimeMs: 90_000, memoryBytes: 512 << 20, processes: 64 },
        env: ['GOFLAGS', 'NODE_OPTIONS'],
        unsandboxed: true,
      });
      expect(b.argsOf('SetPolicy')[0]?.policy.rules).toEqual(defaultPolicy.rules);
      // The status is fetched again after the policy changed: the status bar now knows.
      await waitFor(() => expect(store.get().sandbox?.unsandboxed).toEqual(['w1']));
      expect(b.argsOf('SandboxStatus')).toHaveLength(2);
      // The saved values come back into the editor in their units.
      expect((within(cmds).getByLabelText('CPU time limit') as HTMLInputElement).value).toBe('90');
      expect((within(cmds).getByLabelText('Memory limit') as HTMLInputElement).value).toBe('512');
      expect((within(cmds).getByLabelText('Extra environment variables') as HTMLTextAreaElement).value).toBe('GOFLAGS, NODE_OPTIONS');

      // Turning it off needs no confirmation.
      fireEvent.click(within(cmds).getByLabelText('Run commands unsandboxed'));
      expect(within(cmds).queryByRole('alertdialog')).toBeNull();
      fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
      await waitFor(() => expect(b.argsOf('SetPolicy')).toHaveLength(2));
      expect(b.argsOf('SetPolicy')[1]?.policy.sandbox.unsandboxed).toBeUndefined();
    });

    it('shows a bad limit and a backend rejection inline', async () => {
      store.update({ sandbox: sandboxState({ available: false, mode: '', reason: 'no user namespaces', hint: 'enable them' }) });
      const b = backend({ SetPolicy: async () => Promise.reject(new Error('sandbox.env: "PATH" is always passed')) });
      setTransport(b.transport);
      render(<CapabilitiesPanel workspaceId="w1" />);
      const cmds = await screen.findByRole('group', { name: 'Commands' });
      expect(within(cmds).getByTestId('machine-sandbox').textContent).toContain('Sandbox unavailable: no user namespaces');
      fireEvent.change(within(cmds).getByLabelText('Processes limit'), { target: { value: '1.5' } });
      fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
      expect((await screen.findByRole('alert')).textContent).toContain('The processes limit must be a whole number');
      expect(b.argsOf('SetPolicy')).toEqual([]);
      fireEvent.change(within(cmds).getByLabelText('Processes limit'), { target: { value: '' } });
      fireEvent.change(within(cmds).getByLabelText('Extra environment variables'), { target: { value: 'PATH' } });
      fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
      expect((await screen.findByRole('alert')).textContent).toContain('sandbox.env: "PATH" is always passed');
      expect(b.argsOf('SetPolicy')[0]?.policy.sandbox).toEqual({ limits: {}, env: ['PATH'] });
      expect(b.argsOf('SandboxStatus')).toEqual([]);
    });
  });
});
