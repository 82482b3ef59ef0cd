import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Events, setTransport, type Ask, type EventRow, type FileChange, type RunInfo } from '../../bridge';
import { initialState, store } from '../../store';
import { events, fakeBackend, lifecycleTo, noBackend, run } from '../../test/fakeBackend';
import { RunView } from './RunView';

const change = (over: Partial<FileChange> = {}): FileChange => ({
  path: 'a.txt',
  op: 'write',
  before: 'hello OLD\n',
  after: 'hello NEW\n',
  beforeExists: true,
  afterExists: true,
  binary: false,
  truncated: false,
  ...over,
});

interface World {
  runs: Map<string, RunInfo>;
  changes: Map<string, FileChange[]>;
  log: Map<string, EventRow[]>;
  payloads: Map<number, unknown>;
  blobs: Map<string, string>;
  asks?: Map<string, Ask[]>;
}

/** backendFor answers the run API from world, which tests change between calls. */
function backendFor(world: World, extra: Parameters<typeof fakeBackend>[0] = {}) {
  return fakeBackend({
    GetRun: async ({ id }) => {
      const r = world.runs.get(id);
      if (!r) throw new Error(`run ${id} not found`);
      return { run: r, changes: world.changes.get(id) ?? [], asks: world.asks?.get(id) ?? [] };
    },
    ListEvents: async ({ filter, offset, limit }) => {
      const all = world.log.get(filter.run) ?? [];
      return { total: all.length, offset, rows: all.slice(offset, offset + limit) };
    },
    GetEvent: async ({ seq }) => {
      const row = [...world.log.values()].flat().find((e) => e.seq === seq);
      if (!row) throw new Error(`event ${seq} not found`);
      return { ...row, schema: 1, correlation: row.run, payload: JSON.stringify(world.payloads.get(seq) ?? {}, null, 2), hash: 'h', prevHash: 'p', causationSeq: 0 };
    },
    ReadBlob: async ({ hash }) => {
      const text = world.blobs.get(hash);
      if (text === undefined) throw new Error(`blob ${hash} not found`);
      return { hash, text, size: text.length, binary: false, truncated: false };
    },
    ...extra,
  });
}

/** worldWith holds one run whose events went as far as its state. */
function worldWith(r: RunInfo, types: string[] = lifecycleTo(r.state === 'validation_failed' ? 'validation_failed' : r.outcome === 'committed' ? 'committed' : 'validated')): World {
  return {
    runs: new Map([[r.id, r]]),
    changes: new Map([[r.id, [change(), change({ path: 'docs/new.md', before: '', beforeExists: false, after: '# new\n' })]]]),
    log: new Map([[r.id, events(r.id, types)]]),
    payloads: new Map(),
    blobs: new Map(),
  };
}

const button = (name: string) => screen.getByRole('button', { name }) as HTMLButtonElement;
const enabled = () => ['Commit', 'Abort', 'Revert'].filter((n) => !button(n).disabled);

describe('<RunView>', () => {
  beforeEach(() => {
    store.update(initialState);
  });
  afterEach(() => {
    setTransport(noBackend());
    store.update(initialState);
  });

  it.each([
    ['validated', ['Commit', 'Abort'], run({ state: 'validated' })],
    ['validation_failed', ['Abort'], run({ state: 'validation_failed', reason: 'validation command "false" failed with exit code 1' })],
    ['executing', ['Abort'], run({ state: 'executing' })],
    ['committing', [], run({ state: 'committing' })],
    ['committed', ['Revert'], run({ state: 'terminated', outcome: 'committed' })],
    ['aborted', [], run({ state: 'terminated', outcome: 'aborted' })],
  ])('a %s run enables %j', async (_, want, r) => {
    setTransport(backendFor(worldWith(r)).transport);
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByRole('heading', { name: r.task });
    expect(enabled()).toEqual(want);
  });

  it('a validated run that staged nothing offers Finish instead of Commit, and finishing approves it', async () => {
    const r = run({ state: 'validated', worker: 'agent', task: 'What does the README say?' });
    const world = worldWith(r);
    world.changes.set(r.id, []);
    const b = backendFor(world, { ApproveRun: async () => ({ ...r, state: 'terminated', outcome: 'committed' }) });
    setTransport(b.transport);
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByRole('heading', { name: r.task });
    expect(screen.queryByRole('button', { name: 'Commit' })).toBeNull();
    expect(button('Finish').title).toMatch(/Nothing to write/);
    fireEvent.click(button('Finish'));
    await waitFor(() => expect(b.argsOf('ApproveRun')).toEqual([{ id: r.id }]));
  });

  it('Promote… on a committed run sends PromoteRun with the task and changed files, and shows a refusal inline', async () => {
    const r = run({ state: 'terminated', outcome: 'committed' });
    let refuse = true;
    const b = backendFor(worldWith(r), {
      PromoteRun: async ({ spec }) => {
        if (refuse) throw new Error('run run-0001 is not committed');
        return {
          id: 'm1', version: 1, workspace: 'w1', kind: spec.kind, scope: spec.scope, content: spec.content, confidence: spec.confidence, effective: spec.confidence,
          ttlSeconds: 0, decayDays: 0, onChange: 'invalidate', state: 'active', stateReason: '', needsReview: '', createdAt: 0, expiresAt: 0, endedAt: 0,
          sources: { events: [], files: [], run: r.id }, promotedSeq: 50, endedSeq: 0,
        };
      },
    });
    setTransport(b.transport);
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Promote…' }));
    const form = screen.getByRole('form', { name: 'Promote to memory' });
    expect((within(form).getByLabelText('Content') as HTMLTextAreaElement).value).toBe('Replace "old" with "new" (changed a.txt, docs/new.md)');
    fireEvent.change(within(form).getByLabelText('Kind'), { target: { value: 'fact' } });
    fireEvent.change(within(form).getByLabelText('Confidence'), { target: { value: '75' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Promote' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('is not committed');
    refuse = false;
    fireEvent.click(within(form).getByRole('button', { name: 'Promote' }));
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Promote to memory' })).toBeNull());
    expect(b.argsOf('PromoteRun')).toEqual([
      expect.anything(),
      { run: 'run-0001', events: [], spec: { kind: 'fact', scope: 'workspace', content: 'Replace "old" with "new" (changed a.txt, docs/new.md)', confidence: 0.75, ttlSeconds: 0, decayDays: 0, onChange: '' } },
    ]);
    expect(store.get().toasts.at(-1)?.text).toMatch(/promoted to memory/);
  });

  it.each([
    ['validated', run({ state: 'validated' })],
    ['aborted', run({ state: 'terminated', outcome: 'aborted' })],
    ['executing', run({ state: 'executing' })],
  ])('offers no Promote… on a %s run', async (_, r) => {
    setTransport(backendFor(worldWith(r)).transport);
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByRole('heading', { name: r.task });
    expect(screen.queryByRole('button', { name: 'Promote…' })).toBeNull();
  });

  it('does not offer Revert while a revert of the run is under way, and offers it again once that revert was aborted', async () => {
    const orig = run({ id: 'orig', state: 'terminated', outcome: 'committed', revertedBy: 'rev' });
    const rev = run({ id: 'rev', task: 'Revert run orig', worker: 'revert', state: 'validated', revertOf: 'orig' });
    const world = worldWith(orig);
    world.runs.set('rev', rev);
    const backend = backendFor(world);
    setTransport(backend.transport);
    const opened: string[] = [];
    render(<RunView runId="orig" onOpenRun={(id) => opened.push(id)} />);
    await screen.findByRole('heading', { name: orig.task });
    await screen.findByRole('button', { name: 'Revert run orig' });
    expect(button('Revert').disabled).toBe(true);

    world.runs.set('rev', { ...rev, state: 'terminated', outcome: 'aborted' });
    act(() => backend.emit(Events.RunChanged, { run: 'rev', state: 'terminated' }));
    await waitFor(() => expect(button('Revert').disabled).toBe(false));

    fireEvent.click(screen.getByRole('button', { name: 'Revert run orig' }));
    expect(opened).toEqual(['rev']);
  });

  it('Commit approves the run, disables every button while the call is in flight, and shows the committed run', async () => {
    const r = run({ state: 'validated', reason: '1 staged change(s) apply cleanly' });
    const world = worldWith(r);
    let release!: () => void;
    const backend = backendFor(world, {
      ApproveRun: async ({ id }) => {
        await new Promise<void>((ok) => (release = ok));
        const done = { ...r, state: 'terminated', outcome: 'committed', approved: true, reason: '2 file(s) written' };
        world.runs.set(id, done);
        world.log.set(id, events(id, lifecycleTo('committed')));
        return done;
      },
    });
    setTransport(backend.transport);
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByRole('heading', { name: r.task });
    expect(backend.argsOf('GetRun')).toHaveLength(1);

    fireEvent.click(button('Commit'));
    await screen.findByRole('button', { name: 'Committing…' });
    expect(['Committing…', 'Abort', 'Revert'].map((n) => button(n).disabled)).toEqual([true, true, true]);
    expect(backend.argsOf('ApproveRun')).toEqual([{ id: r.id }]);

    await act(async () => release());
    await waitFor(() => expect(screen.getByRole('heading', { name: r.task }).parentElement?.textContent).toContain('committed'));
    expect(screen.getByTestId('run-reason').textContent).toBe('2 file(s) written');
    expect(enabled()).toEqual(['Revert']);
    expect(backend.argsOf('GetRun').length).toBeGreaterThanOrEqual(2);
  });

  it('shows a failed action inline (once: not also as a toast), and keeps the buttons usable', async () => {
    const r = run({ state: 'validated' });
    setTransport(backendFor(worldWith(r), { ApproveRun: () => Promise.reject(new Error('run is "validating", not validated')) }).transport);
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByRole('heading', { name: r.task });
    fireEvent.click(button('Commit'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('run is "validating", not validated');
    expect(store.get().toasts).toEqual([]);
    expect(button('Commit').disabled).toBe(false);
  });

  it('Abort aborts the run with a reason', async () => {
    const r = run({ state: 'validation_failed' });
    const world = worldWith(r);
    const backend = backendFor(world, {
      AbortRun: async ({ id, reason }) => {
        const done = { ...r, state: 'terminated', outcome: 'aborted', reason };
        world.runs.set(id, done);
        return done;
      },
    });
    setTransport(backend.transport);
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByRole('heading', { name: r.task });
    fireEvent.click(button('Abort'));
    await waitFor(() => expect(screen.getByTestId('run-reason').textContent).toBe('aborted by the user in the Studio'));
    expect(backend.argsOf('AbortRun')).toEqual([{ id: r.id, reason: 'aborted by the user in the Studio' }]);
    expect(enabled()).toEqual([]);
  });

  it('Revert starts the revert run and opens it', async () => {
    const r = run({ state: 'terminated', outcome: 'committed' });
    const backend = backendFor(worldWith(r), { RevertRun: async () => run({ id: 'rev-1', worker: 'revert', revertOf: r.id, state: 'executing' }) });
    setTransport(backend.transport);
    const opened: string[] = [];
    render(<RunView runId={r.id} onOpenRun={(id) => opened.push(id)} />);
    await screen.findByRole('heading', { name: r.task });
    fireEvent.click(button('Revert'));
    await waitFor(() => expect(opened).toEqual(['rev-1']));
    expect(backend.argsOf('RevertRun')).toEqual([{ id: r.id }]);
    expect(store.get().toasts[0]?.text).toMatch(/Revert run started/);
  });

  it('links a revert run to the run it reverts', async () => {
    const orig = run({ id: 'orig', task: 'Replace "a" with "b"', state: 'terminated', outcome: 'committed', revertedBy: 'rev' });
    const rev = run({ id: 'rev', task: 'Revert run orig', worker: 'revert', revertOf: 'orig', state: 'validated' });
    const world = worldWith(rev);
    world.runs.set('orig', orig);
    setTransport(backendFor(world).transport);
    const opened: string[] = [];
    render(<RunView runId="rev" onOpenRun={(id) => opened.push(id)} />);
    await screen.findByRole('heading', { name: 'Revert run orig' });
    fireEvent.click(await screen.findByRole('button', { name: 'Replace "a" with "b"' }));
    expect(opened).toEqual(['orig']);
  });

  it('shows a validation failure with its reason, conflicts, command and output', async () => {
    const r = run({ state: 'validation_failed', reason: '1 conflict(s): a.txt changed on disk' });
    const world = worldWith(r);
    const log = world.log.get(r.id) ?? [];
    const cmd = log.find((e) => e.type === 'effect.command_executed');
    const verdict = log.find((e) => e.type === 'run.validation_failed');
    world.payloads.set(cmd?.seq ?? 0, { argv: ['go', 'test', './...'], dir: '(a temporary copy of the workspace)', exitCode: 1, timedOut: false, durationMs: 1234, output: 'out-hash', outputSize: 20 });
    world.payloads.set(verdict?.seq ?? 0, {
      reason: '1 conflict(s): a.txt changed on disk',
      conflicts: [{ path: 'a.txt', expected: 'aaaaaaaaaaaaaaaaaaaa', found: 'bbbbbbbbbbbbbbbbbbbb' }],
      exitCode: 1,
      output: 'out-hash',
    });
    world.blobs.set('out-hash', '--- FAIL: TestX\nFAIL\n');
    setTransport(backendFor(world).transport);
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByRole('heading', { name: r.task });
    const tab = screen.getByRole('tab', { name: /Validation/ });
    expect(tab.textContent).toContain('✗');

    fireEvent.click(tab);
    const panel = screen.getByRole('tabpanel');
    await within(panel).findByText('Validation failed');
    // The verdict's details come from the event payloads, loaded after the heading.
    expect(await within(panel).findByText('1 conflict(s): a.txt changed on disk')).toBeTruthy();
    const conflicts = await within(panel).findByRole('table', { name: 'Conflicts' });
    const cells = within(conflicts).getAllByRole('cell').map((c) => c.textContent);
    expect(cells).toEqual(['a.txt', 'aaaaaaaaaa', 'bbbbbbbbbb']);
    expect(await within(panel).findByText('go test ./...')).toBeTruthy();
    expect(await within(panel).findByText('1.23 s')).toBeTruthy();
    expect((await within(panel).findByLabelText('Command output')).textContent).toBe('--- FAIL: TestX\nFAIL\n');
  });

  it("shows what the sandbox did with the validation command: a memory-limit kill, its connections and its discarded changes", async () => {
    const r = run({ state: 'validation_failed', reason: 'the validation command was killed: memory limit' });
    const types = lifecycleTo('validation_failed');
    const at = types.indexOf('effect.command_executed');
    const world = worldWith(r, [...types.slice(0, at), 'capability.used', 'capability.denied', ...types.slice(at)]);
    const log = world.log.get(r.id) ?? [];
    const used = log.find((e) => e.type === 'capability.used');
    const denied = log.find((e) => e.type === 'capability.denied');
    const cmd = log.find((e) => e.type === 'effect.command_executed');
    world.payloads.set(cmd?.seq ?? 0, {
      argv: ['go', 'test', './...'],
      dir: '.',
      exitCode: 137,
      timedOut: false,
      durationMs: 4200,
      output: '',
      outputSize: 0,
      purpose: 'validation',
      sandbox: 'overlayfs',
      layers: ['landlock ABI 7', 'seccomp'],
      limits: { memoryBytes: 1 << 30 },
      limit: 'memory',
      signal: 'killed',
      cpuTimeMs: 2100,
      peakMemoryBytes: 1 << 30,
      startUs: 1800,
      network: [
        { target: 'proxy.golang.org:443', allowed: true, event: used?.id, reason: 'grant g3' },
        { target: 'evil.example:80', allowed: false, event: denied?.id, reason: 'you refused it' },
      ],
      changes: [
        { path: 'coverage.out', op: 'write', size: 2048, after: 'blob-1', outcome: 'discarded' },
        { path: '.git/config', op: 'write', size: 10, outcome: 'refused', reason: 'fs.write denied by rule #2' },
        { path: 'tmp.sock', op: 'write', outcome: 'unsupported', reason: 'a socket' },
      ],
    });
    const backend = backendFor(world, {
      WhyAllowed: async ({ seq }) => ({ allowed: false, decision: 'net.http evil.example:80', usedSeq: seq, policySeq: 0, issuedBy: 'user', reason: 'you refused it' }),
    });
    setTransport(backend.transport);
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByRole('heading', { name: r.task });
    fireEvent.click(screen.getByRole('tab', { name: /Validation/ }));
    const panel = screen.getByRole('tabpanel');
    // The exit code says which limit killed it.
    expect(await within(panel).findByText('137 (killed: memory limit 1 GiB)')).toBeTruthy();
    const box = within(panel).getByRole('group', { name: 'Sandbox' });
    const summary = within(box).getByTestId('sandbox-summary').textContent;
    expect(summary).toBe('overlayfs · landlock ABI 7 · seccomp · killed: memory limit 1 GiB · CPU 2.1 s · peak 1 GiB · 2 connections (1 denied) · 3 changes (1 refused)');
    // Collapsed until asked.
    expect(within(box).queryByRole('list', { name: 'Network decisions' })).toBeNull();
    fireEvent.click(within(box).getByRole('button', { name: /Sandbox/ }));
    expect(within(box).getByTestId('sandbox-result').textContent).toBe('exit 137 · killed: memory limit 1 GiB · signal killed');
    expect(box.textContent).toContain('CPU 10 min · memory 1 GiB · 512 processes');
    expect(box.textContent).toContain('Peak memory1 GiB');
    expect(box.textContent).toContain('Duration4.20 s');
    const net = within(box).getByRole('list', { name: 'Network decisions' });
    const hosts = within(net).getAllByRole('listitem');
    expect(hosts.map((li) => li.textContent?.replace('Why?', '').trim())).toEqual([
      'proxy.golang.org:443 allowed — grant g3',
      'evil.example:80 denied — you refused it',
    ]);
    // The decision's event is explained by the existing Why? link.
    fireEvent.click(within(hosts[1] as HTMLElement).getByRole('button', { name: 'Why?' }));
    expect((await within(hosts[1] as HTMLElement).findByRole('note')).textContent).toContain('Refused: net.http evil.example:80');
    expect(backend.argsOf('WhyAllowed')).toEqual([{ seq: denied?.seq }]);
    const files = within(box).getByRole('list', { name: 'File changes' });
    expect(within(files).getAllByRole('listitem').map((li) => [li.getAttribute('data-outcome'), li.textContent])).toEqual([
      ['discarded', 'write coverage.out 2 KiB shown, not applied'],
      ['refused', 'write .git/config 10 B refused — fs.write denied by rule #2'],
      ['unsupported', 'write tmp.sock not staged — a socket'],
    ]);
    expect(box.textContent).toContain("A validation command's changes are shown, never applied.");
  });

  it('shows an unsandboxed command in red', async () => {
    const r = run({ state: 'validated' });
    const world = worldWith(r);
    const cmd = (world.log.get(r.id) ?? []).find((e) => e.type === 'effect.command_executed');
    world.payloads.set(cmd?.seq ?? 0, { argv: ['make'], dir: '.', exitCode: 0, timedOut: false, durationMs: 10, output: '', outputSize: 0, sandbox: 'unsandboxed', limits: {}, cpuTimeMs: 5, peakMemoryBytes: 1 << 20, startUs: 0 });
    setTransport(backendFor(world).transport);
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByRole('heading', { name: r.task });
    fireEvent.click(screen.getByRole('tab', { name: /Validation/ }));
    const box = await within(screen.getByRole('tabpanel')).findByRole('group', { name: 'Sandbox' });
    expect(box.classList.contains('sbx-danger')).toBe(true);
    expect(within(box).getByText('UNSANDBOXED').classList.contains('error')).toBe(true);
    fireEvent.click(within(box).getByRole('button', { name: /Sandbox/ }));
    expect(box.textContent).toContain('UNSANDBOXED: ran as a plain child with your full rights (workspace setting)');
  });

  it('shows the staged files and a merge view of the selected one', async () => {
    const r = run({ state: 'validated' });
    setTransport(backendFor(worldWith(r)).transport);
    const { container } = render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByRole('heading', { name: r.task });
    const files = screen.getByRole('list', { name: 'Staged files' });
    expect(within(files).getAllByRole('button').map((b) => b.textContent)).toEqual(['Ma.txt', 'Adocs/new.md']);

    const merge = () => container.querySelector('.cm-mergeView');
    await waitFor(() => expect(merge()).not.toBeNull());
    expect(merge()?.querySelector('.cm-merge-a .cm-content')?.textContent).toContain('hello OLD');
    expect(merge()?.querySelector('.cm-merge-b .cm-content')?.textContent).toContain('hello NEW');

    // A new file is all added: nothing on the left.
    fireEvent.click(within(files).getByRole('button', { name: /docs\/new\.md/ }));
    await waitFor(() => expect(merge()?.querySelector('.cm-merge-b .cm-content')?.textContent).toContain('# new'));
    expect(merge()?.querySelector('.cm-merge-a .cm-content')?.textContent).toBe('');
    expect(screen.getByText('Before: the file does not exist')).toBeTruthy();

    // The unified layout shows one editor with the new text.
    fireEvent.click(screen.getByRole('button', { name: 'Unified' }));
    await waitFor(() => expect(merge()).toBeNull());
    expect(container.querySelector('.diff-unified .cm-content')?.textContent).toContain('# new');
    localStorage.clear();
  });

  it('notes a binary change instead of a diff', async () => {
    const r = run({ state: 'validated' });
    const world = worldWith(r);
    world.changes.set(r.id, [change({ path: 'logo.png', binary: true, before: '', after: '' })]);
    setTransport(backendFor(world).transport);
    const { container } = render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByText(/Binary file/);
    expect(container.querySelector('.cm-editor')).toBeNull();
  });

  it('shows the timeline of lifecycle phases with their events', async () => {
    const r = run({ state: 'validated' });
    setTransport(backendFor(worldWith(r)).transport);
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByRole('heading', { name: r.task });
    fireEvent.click(screen.getByRole('tab', { name: /Timeline/ }));
    const tl = screen.getByRole('list', { name: 'Timeline' });
    const phases = [...tl.querySelectorAll(':scope > li')].map((li) => `${li.getAttribute('data-phase')}${li.classList.contains('upcoming') ? '?' : ''}`);
    expect(phases).toEqual([
      'requested',
      'created',
      'provisioned',
      'context_resolved',
      'memory_mounted',
      'context_ready',
      'executing',
      'validating',
      'validated',
      'committing?',
      'committed?',
      'terminated?',
    ]);
    // Events are 10 ms apart: executing holds three of them, so it lasts 30 ms.
    const executing = tl.querySelector('[data-phase="executing"]') as HTMLElement;
    expect(within(executing).getByTestId('phase-duration').textContent).toBe('30 ms');
    fireEvent.click(within(executing).getByRole('button', { name: /executing/ }));
    const evs = within(executing).getByRole('list', { name: 'Events of executing' });
    expect([...evs.querySelectorAll('.tl-event-row')].map((b) => b.querySelector('.tl-type')?.textContent)).toEqual([
      'run.execution_started',
      'effect.file_read',
      'effect.file_staged',
    ]);
    // Effects say why they were allowed; lifecycle events do not.
    expect(within(evs).getAllByRole('button', { name: 'Why?' })).toHaveLength(2);
  });

  it('explains why an effect of the timeline was allowed', async () => {
    const r = run({ state: 'validated' });
    const world = worldWith(r);
    const staged = world.log.get(r.id)?.find((e) => e.type === 'effect.file_staged');
    const backend = backendFor(world, {
      WhyAllowed: async ({ seq }) => ({
        allowed: true,
        decision: 'fs.write a.txt',
        usedSeq: seq - 1,
        grant: { id: 'g1', kind: 'fs.write', scope: { glob: 'a.txt' }, workspace: 'w1', run: r.id, maxUses: 1, issuedBy: 'user', reason: 'you allowed it once', grantedAt: 0, grantedSeq: 7, uses: 1, revoked: false, expired: false, describe: 'a.txt' },
        grantSeq: 7,
        issuedBy: 'user',
        policySeq: 0,
        reason: 'grant g1',
      }),
    });
    setTransport(backend.transport);
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByRole('heading', { name: r.task });
    fireEvent.click(screen.getByRole('tab', { name: /Timeline/ }));
    const executing = document.querySelector('[data-phase="executing"]') as HTMLElement;
    fireEvent.click(within(executing).getByRole('button', { name: /executing/ }));
    const line = within(executing).getByText('effect.file_staged').closest('li') as HTMLElement;
    fireEvent.click(within(line).getByRole('button', { name: 'Why?' }));
    const note = await within(line).findByRole('note');
    expect(backend.argsOf('WhyAllowed')).toEqual([{ seq: staged?.seq }]);
    expect(note.textContent).toContain('Allowed: fs.write a.txt');
    expect(note.textContent).toContain('issued by user');
    expect(note.textContent).toContain('you allowed it once');
    expect(note.textContent).toContain('1/1 uses');
  });

  it('shows an approval card with the exact diff and answers it with each choice', async () => {
    const r = run({ state: 'executing' });
    const world = worldWith(r, lifecycleTo('executing'));
    world.changes.set(r.id, []);
    world.blobs.set('b-base', 'package main // OLD\n');
    world.blobs.set('b-after', 'package main // NEW\n');
    const ask: Ask = {
      id: 'req-1',
      run: r.id,
      kind: 'fs.write',
      target: 'src/main.go',
      req: { kind: 'fs.write', path: 'src/main.go' },
      reason: 'the default policy asks before writing files (rule #3)',
      detail: { op: 'write', base: 'b-base', after: 'b-after' },
      seq: 40,
    };
    world.asks = new Map([[r.id, [ask]]]);
    let fail = false;
    const backend = backendFor(world, {
      AnswerCapability: async () => {
        if (fail) throw new Error('request req-1 was already answered');
      },
    });
    setTransport(backend.transport);
    const view = render(<RunView runId={r.id} onOpenRun={() => {}} />);
    let card = await screen.findByRole('region', { name: 'Approval needed' });
    expect(within(card).getByText('Write src/main.go')).toBeTruthy();
    expect(card.textContent).toContain('the default policy asks before writing files');
    expect(screen.getByText('waiting for your approval', { selector: '.run-badge' })).toBeTruthy();
    await waitFor(() => expect(card.textContent).toContain('package main // NEW'));
    expect(card.textContent).toContain('package main // OLD');
    expect(backend.argsOf('ReadBlob')).toEqual([{ hash: 'b-base' }, { hash: 'b-after' }]);

    for (const [label, choice] of [
      ['Allow once', 'once'],
      ['Allow for this run', 'run'],
      ['Allow for this workspace', 'workspace'],
      ['Deny', 'deny'],
    ] as const) {
      view.rerender(<RunView key={choice} runId={r.id} onOpenRun={() => {}} />);
      card = await screen.findByRole('region', { name: 'Approval needed' });
      fireEvent.click(within(card).getByRole('button', { name: label }));
      // Answered: every button waits for the run to move on.
      expect(within(card).getAllByRole('button').every((b) => (b as HTMLButtonElement).disabled)).toBe(true);
      await waitFor(() => expect(backend.argsOf('AnswerCapability').at(-1)).toEqual({ requestId: 'req-1', choice, reason: '' }));
    }
    expect(backend.argsOf('AnswerCapability')).toHaveLength(4);

    // A failed answer becomes a toast and the buttons come back.
    fail = true;
    view.rerender(<RunView key="fail" runId={r.id} onOpenRun={() => {}} />);
    card = await screen.findByRole('region', { name: 'Approval needed' });
    fireEvent.click(within(card).getByRole('button', { name: 'Deny' }));
    await waitFor(() => expect(store.get().toasts.at(-1)?.text).toContain('already answered'));
    await waitFor(() => expect((within(card).getByRole('button', { name: 'Deny' }) as HTMLButtonElement).disabled).toBe(false));

    // Answered: the card goes once the run no longer asks.
    world.asks.set(r.id, []);
    act(() => backend.emit(Events.RunChanged, { run: r.id, state: '' }));
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Approval needed' })).toBeNull());
  });

  it('shows a command and a host for what a run asks to run or reach', async () => {
    const r = run({ state: 'validating' });
    const world = worldWith(r, lifecycleTo('executing'));
    world.asks = new Map([
      [
        r.id,
        [
          { id: 'q1', run: r.id, kind: 'shell.exec', target: 'go test ./...', req: { kind: 'shell.exec', argv: ['go', 'test', './...'], dir: '.' }, reason: 'asks', detail: { argv: ['go', 'test', './...'], dir: '.' }, seq: 41 },
          { id: 'q2', run: r.id, kind: 'net.http', target: 'example.com', req: { kind: 'net.http', host: 'example.com' }, reason: 'asks', detail: { host: 'example.com' }, seq: 42 },
        ],
      ],
    ]);
    setTransport(backendFor(world).transport);
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByText('Run `go test ./...` in .');
    const cards = screen.getAllByRole('region', { name: 'Approval needed' });
    expect(cards).toHaveLength(2);
    expect(cards[0]?.textContent).toContain('go test ./...');
    expect(within(cards[1] as HTMLElement).getByText('Connect to example.com')).toBeTruthy();
  });

  it('loads the run again on run.changed for this run, and not for another', async () => {
    const r = run({ state: 'validating' });
    const world = worldWith(r, lifecycleTo('executing'));
    const backend = backendFor(world);
    setTransport(backend.transport);
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByRole('heading', { name: r.task });
    expect(backend.argsOf('GetRun')).toHaveLength(1);

    act(() => backend.emit(Events.RunChanged, { run: 'someone-else', state: 'validated' }));
    await new Promise((ok) => setTimeout(ok, 250));
    expect(backend.argsOf('GetRun')).toHaveLength(1);

    world.runs.set(r.id, { ...r, state: 'validated' });
    act(() => backend.emit(Events.RunChanged, { run: r.id, state: 'validated' }));
    await waitFor(() => expect(enabled()).toEqual(['Commit', 'Abort']));
    expect(backend.argsOf('GetRun')).toHaveLength(2);
  });

  it('explains a run that cannot be loaded, with Retry', async () => {
    const world = worldWith(run());
    world.runs.clear();
    setTransport(backendFor(world).transport);
    render(<RunView runId="ghost" onOpenRun={() => {}} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('run ghost not found');
    world.runs.set('ghost', run({ id: 'ghost', task: 'Edit x' }));
    world.log.set('ghost', []);
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await screen.findByRole('heading', { name: 'Edit x' });
  });
});
