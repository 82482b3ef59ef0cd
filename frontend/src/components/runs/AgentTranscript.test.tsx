import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Events, setTransport, type AgentUpdate, type InferenceRequestView, type RunInfo, type Transcript, type TranscriptCall, type TranscriptStep } from '../../bridge';
import { initialState, store } from '../../store';
import { events, fakeBackend, lifecycleTo, noBackend, run } from '../../test/fakeBackend';
import { AgentTranscript } from './AgentTranscript';
import { RunView } from './RunView';

const call = (name: string, args: unknown, over: Partial<TranscriptCall> = {}): TranscriptCall => ({
  name,
  arguments: JSON.stringify(args),
  source: 'native',
  result: '',
  error: '',
  seq: 0,
  ...over,
});

/** step makes a recorded model step; done unless over says otherwise. */
function step(n: number, over: Partial<TranscriptStep> = {}, resp: Partial<NonNullable<TranscriptStep['response']>> = {}): TranscriptStep {
  return {
    step: n,
    seq: n * 10,
    model: 'tiny:latest',
    digest: 'sha256:0a1b2c3d4e5f6a7b8c9d',
    options: { num_ctx: 4096 },
    chatOnly: false,
    purpose: '',
    window: 4096,
    estimate: 90,
    sent: n + 1,
    done: true,
    response: {
      step: n,
      model: 'tiny:latest',
      content: '',
      promptTokens: 100,
      evalTokens: 20,
      totalNs: 2e9,
      loadNs: 0,
      promptEvalNs: 0,
      evalNs: 1e9,
      firstTokenMs: 120,
      wallMs: 1500,
      chunks: 20,
      doneReason: 'stop',
      ...resp,
    },
    thinking: '',
    content: '',
    toolCalls: [],
    ...over,
  };
}

const longResult = Array.from({ length: 40 }, (_, i) => `line ${i + 1} of the file`).join('\n');

function transcript(r: RunInfo, steps: TranscriptStep[]): Transcript {
  const done = steps.filter((s) => s.done && s.response);
  const evalTokens = done.reduce((n, s) => n + (s.response?.evalTokens ?? 0), 0);
  return {
    run: r,
    steps,
    promptTokens: done.reduce((n, s) => n + (s.response?.promptTokens ?? 0), 0),
    evalTokens,
    tokensPerSecond: evalTokens / done.length,
    notices: [],
  };
}

const fullSteps = (): TranscriptStep[] => [
  step(1, {
    content: 'Let me look at the files.',
    thinking: 'The user wants the greeting changed.',
    toolCalls: [call('list_dir', { path: '.' }, { result: 'notes.txt (24 bytes)\nsrc/', seq: 11 })],
  }),
  step(2, {
    toolCalls: [
      call('read_file', { path: 'notes.txt' }, { result: longResult, seq: 21 }),
      call('read_file', { path: 42 }, { error: 'invalid tool call: the argument "path" of read_file must be a string, not a number', seq: 22 }),
    ],
  }),
  step(3, {
    content: 'I will change the greeting.',
    toolCalls: [call('edit_file', { path: 'notes.txt', old_text: 'hello world', new_text: 'hello agent' }, { result: 'staged the edit of notes.txt', seq: 31 })],
  }),
  step(4, { toolCalls: [call('finish', { summary: 'Greeted the agent.' }, { result: 'Greeted the agent.', seq: 41 })] }, { doneReason: 'length', toolCalls: ['finish', 'list_dir'] }),
];

const agentRun = (over: Partial<RunInfo> = {}) => run({ id: 'ag1', worker: 'agent', task: 'Change the greeting in notes.txt', profile: 'edit', ...over });

const stepEl = (n: number) => screen.getByRole('region', { name: `Step ${n}` });

describe('<AgentTranscript>', () => {
  beforeEach(() => store.update(initialState));
  afterEach(() => {
    setTransport(noBackend());
    store.update(initialState);
    vi.restoreAllMocks();
  });

  it('shows the task and every recorded step: text, thinking, tool calls with arguments, results and errors, and the numbers', async () => {
    const r = agentRun({ state: 'validated' });
    const b = fakeBackend({ GetTranscript: async () => transcript(r, fullSteps()) });
    setTransport(b.transport);
    render(<AgentTranscript run={r} />);

    await screen.findByRole('region', { name: 'Step 4' });
    expect(b.argsOf('GetTranscript')).toEqual([{ id: 'ag1' }]);
    expect(screen.getByText('Change the greeting in notes.txt').closest('.tr-task')).toBeTruthy();

    // Header: model, short digest, totals; no Stop once validated.
    const bar = document.querySelector('.tr-bar') as HTMLElement;
    expect(within(bar).getByText('tiny:latest')).toBeTruthy();
    expect(within(bar).getByText('0a1b2c3d4e5f').getAttribute('title')).toBe('sha256:0a1b2c3d4e5f6a7b8c9d');
    expect(screen.getByTestId('transcript-totals').textContent).toBe('4 steps · 480 tokens · 20.0 tok/s');
    expect(within(bar).queryByRole('button', { name: 'Stop' })).toBeNull();

    // Step 1: text, thinking (collapsed), a call with pretty arguments and its result, the footer.
    const s1 = stepEl(1);
    expect(within(s1).getByTestId('step-text').textContent).toBe('Let me look at the files.');
    const thinking = s1.querySelector('details.tr-thinking') as HTMLDetailsElement;
    expect(thinking.open).toBe(false);
    expect(thinking.textContent).toContain('The user wants the greeting changed.');
    const list = within(s1).getByRole('group', { name: 'Tool call list_dir' });
    expect(list.querySelector('.tr-args')?.textContent).toBe('{"path": "."}');
    expect(within(list).getByLabelText('Result of list_dir').textContent).toBe('notes.txt (24 bytes)\nsrc/');
    expect(within(s1).getByTestId('step-stats').textContent).toBe('100 prompt · 20 eval tokens · 20.0 tok/s · 1.50 s');

    // Step 2: a long result starts collapsed; a failed call is a tool error.
    const s2 = stepEl(2);
    const [read, bad] = within(s2).getAllByRole('group', { name: /^Tool call/ });
    const result = within(read as HTMLElement).getByLabelText('Result of read_file');
    expect(result.textContent).toContain('line 8 of the file');
    expect(result.textContent).not.toContain('line 40 of the file');
    fireEvent.click(within(result).getByRole('button', { name: 'Show all of the result' }));
    expect(result.textContent).toContain('line 40 of the file');
    expect(bad?.classList.contains('failed')).toBe(true);
    expect(within(bad as HTMLElement).getByRole('note').textContent).toBe('Tool error: invalid tool call: the argument "path" of read_file must be a string, not a number');
    expect(within(bad as HTMLElement).queryByLabelText('Result of read_file')).toBeNull();

    // Step 3: an edit shows its path and a compact preview, not raw JSON.
    const edit = within(stepEl(3)).getByRole('group', { name: 'Tool call edit_file' });
    expect(edit.querySelector('.tr-call-target')?.textContent).toBe('notes.txt');
    expect(within(edit).getByLabelText('Preview of the change').textContent).toBe('- hello world\n+ hello agent\n');
    expect(edit.querySelector('.tr-args')).toBeNull();
    expect(within(edit).getByLabelText('Result of edit_file').textContent).toBe('staged the edit of notes.txt');

    // Step 4: finish shows its summary; a reason other than stop is flagged.
    const fin = within(stepEl(4)).getByRole('group', { name: 'Tool call finish' });
    expect(fin.classList.contains('finish')).toBe(true);
    expect(within(fin).getByText('Greeted the agent.')).toBeTruthy();
    expect(within(stepEl(4)).getByText('length').className).toContain('chip');
    // A call after finish is never carried out.
    const skipped = within(stepEl(4)).getByRole('group', { name: 'Tool call list_dir' });
    expect(skipped.classList.contains('pending')).toBe(true);
    expect(within(skipped).getByText('not carried out')).toBeTruthy();
  });

  it('shows a model error recorded for a step', async () => {
    const r = agentRun({ state: 'terminated', outcome: 'aborted', reason: 'the connection to Ollama dropped' });
    setTransport(fakeBackend({ GetTranscript: async () => transcript(r, [step(1, {}, { error: 'the connection to Ollama dropped at http://127.0.0.1:11434: unexpected EOF' })]) }).transport);
    render(<AgentTranscript run={r} />);
    const s1 = await screen.findByRole('region', { name: 'Step 1' });
    expect(within(s1).getByRole('note').textContent).toBe('Model error: the connection to Ollama dropped at http://127.0.0.1:11434: unexpected EOF');
  });

  it('streams the live updates of its own run into the current step and ignores other runs', async () => {
    const r = agentRun({ state: 'executing' });
    let steps = [fullSteps()[0]!];
    const b = fakeBackend({ GetTranscript: async () => transcript(r, steps) });
    setTransport(b.transport);
    render(<AgentTranscript run={r} />);
    await screen.findByRole('region', { name: 'Step 1' });
    const step1 = stepEl(1);
    const emit = (u: Partial<AgentUpdate> & Pick<AgentUpdate, 'kind'>) => act(() => b.emit(Events.AgentUpdate, { run: 'ag1', step: 2, ...u }));

    const clock = vi.spyOn(Date, 'now');
    clock.mockReturnValueOnce(10_000);
    emit({ kind: 'step' });
    expect(within(stepEl(2)).getByText('waiting for the model…')).toBeTruthy();
    clock.mockReturnValueOnce(11_000);
    emit({ kind: 'delta', content: 'Hel', evalTokens: 2 });
    clock.mockReturnValueOnce(12_000);
    emit({ kind: 'delta', content: 'lo there', thinking: 'hmm', evalTokens: 8 });
    act(() => b.emit(Events.AgentUpdate, { run: 'other-run', step: 2, kind: 'delta', content: ' NOT MINE', evalTokens: 99 }));
    act(() => b.emit(Events.AgentUpdate, { run: 'other-run', step: 7, kind: 'step' }));

    const s2 = stepEl(2);
    expect(within(s2).getByTestId('step-text').textContent).toBe('Hello there');
    expect(s2.classList.contains('streaming')).toBe(true);
    expect(within(s2).getByText('streaming…')).toBeTruthy();
    expect(within(s2).getByTestId('step-stats').textContent).toBe('8 tokens so far · 4.0 tok/s');
    expect(screen.getByTestId('transcript-totals').textContent).toBe('2 steps · 120 tokens · 4.0 tok/s live');
    expect(screen.queryByRole('region', { name: 'Step 7' })).toBeNull();
    expect(stepEl(1)).toBe(step1);

    // The answer is complete; the log, read again, names the call it made, still running.
    steps = [fullSteps()[0]!, step(2, { content: 'Hello there.', thinking: 'hmm' }, { promptTokens: 150, evalTokens: 9, evalNs: 3e8, toolCalls: ['read_file'] })];
    emit({ kind: 'response', content: 'Hello there.', thinking: 'hmm', promptTokens: 150, evalTokens: 9, tokensPerSecond: 30 });
    expect(within(s2).getByTestId('step-text').textContent).toBe('Hello there.');
    expect(s2.classList.contains('streaming')).toBe(false);
    expect(within(s2).getByTestId('step-stats').textContent).toBe('150 prompt · 9 eval tokens · 30.0 tok/s');
    const running = await within(stepEl(2)).findByRole('group', { name: 'Tool call read_file' });
    expect(within(running).getByText('in progress…')).toBeTruthy();

    // A tool call shows at once, and the log is read again shortly after.
    const before = b.argsOf('GetTranscript').length;
    emit({ kind: 'tool', tool: 'read_file', arguments: '{"path":"notes.txt"}', result: '1\thello world\n2\tsecond line' });
    expect(within(s2).getByLabelText('Result of read_file').textContent).toBe('1\thello world\n2\tsecond line');
    expect(within(s2).queryByText('in progress…')).toBeNull();
    // The backend commits a call with the run's next event: that read may not have it yet, and the call stays.
    await waitFor(() => expect(b.argsOf('GetTranscript').length).toBe(before + 1));
    await act(async () => {});
    expect(within(stepEl(2)).getAllByRole('group', { name: /^Tool call/ })).toHaveLength(1);
    expect(within(stepEl(2)).getByLabelText('Result of read_file').textContent).toBe('1\thello world\n2\tsecond line');
    expect(within(stepEl(2)).queryByText('in progress…')).toBeNull();

    // Once committed, the recorded call (which says how the model made it) takes the live one's place.
    steps = [
      fullSteps()[0]!,
      step(2, { content: 'Hello there.', thinking: 'hmm', toolCalls: [call('read_file', { path: 'notes.txt' }, { result: '1\thello world\n2\tsecond line', seq: 25, source: 'text' })] }, { promptTokens: 150, evalTokens: 9, evalNs: 3e8, toolCalls: ['read_file'] }),
    ];
    emit({ kind: 'done' });
    await within(stepEl(2)).findByText('from text');
    expect(within(stepEl(2)).getAllByRole('group', { name: /^Tool call/ })).toHaveLength(1);
  });

  it("shows the runtime's context notices inline at their step, and names a summary step Compaction", async () => {
    const r = agentRun({ state: 'validated' });
    const t = {
      ...transcript(r, [step(1, { content: 'First.' }), step(2, { purpose: 'compact', content: 'The user asked for a greeting change.' }), step(3, { content: 'Third.' })]),
      notices: [
        { kind: 'truncated', step: 1, seq: 12, text: 'The server did not see all of step 1: it dropped messages. The next request is made smaller.' },
        { kind: 'trimmed', step: 3, seq: 25, text: 'To fit the window of 4096 tokens, 2 old tool outputs were cut.' },
        { kind: 'compacted', step: 3, seq: 26, text: '6 earlier messages were replaced by a summary (written in step 2).' },
      ],
    };
    setTransport(fakeBackend({ GetTranscript: async () => t }).transport);
    render(<AgentTranscript run={r} />);
    await screen.findByRole('region', { name: 'Step 3' });
    const flow = [...(document.querySelector('.tr-scroll') as HTMLElement).children].map((el) => el.getAttribute('aria-label') ?? el.className);
    expect(flow).toEqual(['tr-task', 'Step 1', 'Request cut by the server', 'Compaction, step 2', 'Context trimmed', 'Context compacted', 'Step 3']);
    expect(within(screen.getByRole('region', { name: 'Compaction, step 2' })).getByText('Compaction · step 2')).toBeTruthy();
    expect(screen.getByRole('note', { name: 'Context compacted' }).textContent).toBe('Context compacted 6 earlier messages were replaced by a summary (written in step 2).');
  });

  it('warns live when the server cut a request, until the log has it', async () => {
    const r = agentRun({ state: 'executing' });
    const b = fakeBackend({ GetTranscript: async () => transcript(r, [step(1)]) });
    setTransport(b.transport);
    render(<AgentTranscript run={r} embedded />);
    await screen.findByRole('region', { name: 'Step 1' });
    // Embedded in a conversation's turn: no task, no Stop of its own.
    expect(document.querySelector('.tr-task')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
    act(() => b.emit(Events.AgentUpdate, { run: 'ag1', step: 1, kind: 'truncated', error: 'the server cut this request: it counted 900 prompt tokens of about 3000 sent (window 2048)' }));
    expect(screen.getByRole('note', { name: 'Request cut by the server' }).textContent).toContain('it counted 900 prompt tokens of about 3000 sent');
  });

  it('Stop aborts the run with "stopped by the user" while it executes', async () => {
    const r = agentRun({ state: 'executing' });
    const b = fakeBackend({ GetTranscript: async () => transcript(r, []), AbortRun: async ({ id }) => agentRun({ id, state: 'terminated', outcome: 'aborted' }) });
    setTransport(b.transport);
    render(<AgentTranscript run={r} />);
    await screen.findByText('Waiting for the first model step…');
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(b.argsOf('AbortRun')).toEqual([{ id: 'ag1', reason: 'stopped by the user' }]));
  });

  it('reads the log again when the run ends, and then shows exactly the log', async () => {
    const r = agentRun({ state: 'executing' });
    const steps = [fullSteps()[0]!, step(2, { done: false, response: undefined })];
    const b = fakeBackend({ GetTranscript: async () => transcript(r, steps) });
    setTransport(b.transport);
    const { rerender } = render(<AgentTranscript run={r} />);
    await screen.findByRole('region', { name: 'Step 2' });
    act(() => b.emit(Events.AgentUpdate, { run: 'ag1', step: 2, kind: 'delta', content: 'partial answ', evalTokens: 3 }));
    expect(within(stepEl(2)).getByTestId('step-text').textContent).toBe('partial answ');

    rerender(<AgentTranscript run={{ ...r, state: 'terminated', outcome: 'aborted' }} />);
    await waitFor(() => expect(b.argsOf('GetTranscript')).toHaveLength(2));
    await waitFor(() => expect(within(stepEl(2)).queryByTestId('step-text')).toBeNull());
    expect(within(stepEl(2)).getByText('no answer was recorded')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
  });

  it('Request shows exactly what the model was sent at that step: the messages and the raw JSON', async () => {
    const r = agentRun({ state: 'validated' });
    const req: InferenceRequestView = {
      step: 2,
      seq: 20,
      model: 'tiny:latest',
      digest: 'sha256:0a1b2c3d4e5f6a7b8c9d',
      endpoint: 'http://127.0.0.1:11434',
      options: { num_ctx: 4096, seed: 7 },
      tools: ['list_dir', 'read_file', 'finish'],
      messages: [
        { role: 'system', content: 'You are the coding agent of ICE Studio.' },
        { role: 'user', content: 'Change the greeting in notes.txt' },
        { role: 'assistant', content: 'Let me look at the files.', tool_calls: [{ function: { index: 0, name: 'list_dir', arguments: { path: '.' } } }] },
        { role: 'tool', content: 'notes.txt (24 bytes)', tool_name: 'list_dir' },
      ],
      json: '{\n  "model": "tiny:latest"\n}',
    };
    const b = fakeBackend({ GetTranscript: async () => transcript(r, fullSteps()), GetInferenceRequest: async () => req });
    setTransport(b.transport);
    render(<AgentTranscript run={r} />);
    const s2 = await screen.findByRole('region', { name: 'Step 2' });
    const toggle = within(s2).getByRole('button', { name: 'Request' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    const view = await within(s2).findByRole('region', { name: 'Request of step 2' });
    expect(b.argsOf('GetInferenceRequest')).toEqual([{ run: 'ag1', step: 2 }]);
    const msgs = within(view).getAllByRole('listitem');
    expect(msgs.map((m) => m.getAttribute('data-role'))).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(msgs[1]?.textContent).toContain('Change the greeting in notes.txt');
    expect(msgs[2]?.textContent).toContain('list_dir({"path":"."})');
    expect(msgs[3]?.textContent).toContain('notes.txt (24 bytes)');
    expect(within(msgs[3] as HTMLElement).getByText('list_dir')).toBeTruthy();
    expect(view.textContent).toContain('http://127.0.0.1:11434/api/chat');
    expect(view.textContent).toContain('list_dir, read_file, finish');
    expect(within(view).getByLabelText('Request JSON').textContent).toBe('{\n  "model": "tiny:latest"\n}');

    fireEvent.click(toggle);
    expect(within(s2).queryByRole('region', { name: 'Request of step 2' })).toBeNull();
  });

  it('says why a request could not be loaded', async () => {
    const r = agentRun({ state: 'validated' });
    setTransport(fakeBackend({ GetTranscript: async () => transcript(r, fullSteps()), GetInferenceRequest: async () => Promise.reject(new Error('run ag1 has no model step 2')) }).transport);
    render(<AgentTranscript run={r} />);
    const s2 = await screen.findByRole('region', { name: 'Step 2' });
    fireEvent.click(within(s2).getByRole('button', { name: 'Request' }));
    expect((await within(s2).findByRole('alert')).textContent).toBe('Could not load the request: run ag1 has no model step 2');
  });
});

describe('<RunView> of an agent run', () => {
  afterEach(() => setTransport(noBackend()));

  it('opens on the transcript; the changes, validation and timeline are one click away', async () => {
    const r = agentRun({ state: 'validated' });
    const rows = events(r.id, lifecycleTo('validated'));
    setTransport(
      fakeBackend({
        GetRun: async () => ({ run: r, changes: [], asks: [] }),
        ListEvents: async () => ({ total: rows.length, offset: 0, rows }),
        GetTranscript: async () => transcript(r, fullSteps()),
      }).transport,
    );
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByRole('region', { name: 'Step 4' });
    const tabs = screen.getAllByRole('tab');
    expect(tabs.map((t) => t.textContent)).toEqual(['Transcript', 'Changes0', 'Validation✓', `Timeline${rows.length}`]);
    expect(tabs[0]?.getAttribute('aria-selected')).toBe('true');
    fireEvent.click(screen.getByRole('tab', { name: /Changes/ }));
    expect(await screen.findByText('This run staged no changes.')).toBeTruthy();
    // The transcript is only hidden, still following the run.
    expect(screen.getByLabelText('Transcript', { selector: '.transcript' }).closest('[role="tabpanel"]')?.hasAttribute('hidden')).toBe(true);
    fireEvent.click(screen.getByRole('tab', { name: 'Transcript' }));
    expect(screen.getByRole('region', { name: 'Step 4' })).toBeTruthy();
  });

  it('has no transcript tab for other runs', async () => {
    const r = run({ state: 'validated' });
    const rows = events(r.id, lifecycleTo('validated'));
    setTransport(
      fakeBackend({ GetRun: async () => ({ run: r, changes: [], asks: [] }), ListEvents: async () => ({ total: rows.length, offset: 0, rows }) }).transport,
    );
    render(<RunView runId={r.id} onOpenRun={() => {}} />);
    await screen.findByRole('heading', { name: r.task });
    expect(screen.queryByRole('tab', { name: 'Transcript' })).toBeNull();
  });

  it("shows the sandbox record of each run_command call, and none for a call that ran no command", async () => {
    const r = agentRun({ state: 'validated' });
    const steps = [
      step(1, {
        toolCalls: [
          call('run_command', { command: 'go test ./...' }, { result: 'exit 0', seq: 12 }),
          call('run_command', { command: 'go build' }, { result: 'exit 137', seq: 14 }),
          call('run_command', { command: 'curl evil.example' }, { error: 'shell.exec denied', seq: 15 }),
        ],
      }),
    ];
    const rows = events(r.id, ['effect.command_executed', 'effect.command_executed'], { first: 11, stepMs: 20 });
    rows[1] = { ...rows[1]!, seq: 13, id: 'ev-13' };
    const payloads = new Map<number, unknown>([
      [11, { argv: ['go', 'test', './...'], dir: '.', exitCode: 0, timedOut: false, durationMs: 800, output: '', outputSize: 0, purpose: 'tool', sandbox: 'overlayfs', layers: ['seccomp'], limits: {}, cpuTimeMs: 700, peakMemoryBytes: 50 << 20, startUs: 900,
        changes: [{ path: 'go.sum', op: 'write', size: 120, outcome: 'staged' }] }],
      [13, { argv: ['go', 'build'], dir: '.', exitCode: 137, timedOut: false, durationMs: 3000, output: '', outputSize: 0, purpose: 'tool', sandbox: 'copy', limits: { memoryBytes: 256 << 20 }, limit: 'memory', cpuTimeMs: 2500, peakMemoryBytes: 256 << 20, startUs: 900 }],
    ]);
    const b = fakeBackend({
      GetTranscript: async () => transcript(r, steps),
      ListEvents: async ({ filter }) => {
        const got = filter.type === 'effect.command_executed' && filter.run === r.id ? rows : [];
        return { total: got.length, offset: 0, rows: got };
      },
      GetEvent: async ({ seq }) => ({ ...rows.find((e) => e.seq === seq)!, schema: 1, correlation: '', hash: '', prevHash: '', causationSeq: 0, payload: JSON.stringify(payloads.get(seq)) }),
    });
    setTransport(b.transport);
    render(<AgentTranscript run={r} />);
    await screen.findByRole('region', { name: 'Step 1' });
    const [first, second, third] = within(stepEl(1)).getAllByRole('group', { name: 'Tool call run_command' });
    const summary = async (el: HTMLElement | undefined) => (await within(el as HTMLElement).findByTestId('sandbox-summary')).textContent;
    expect(await summary(first)).toBe('overlayfs · seccomp · CPU 700 ms · peak 50 MiB · 1 change');
    expect(await summary(second)).toBe('a copy of the workspace · killed: memory limit 256 MiB · CPU 2.5 s · peak 256 MiB');
    fireEvent.click(within(first as HTMLElement).getByRole('button', { name: /Sandbox/ }));
    expect(within(first as HTMLElement).getByRole('list', { name: 'File changes' }).textContent).toBe('write go.sum 120 B staged');
    // The denied call ran nothing: it shows no other call's record.
    await waitFor(() => expect(b.argsOf('GetEvent').map((a) => a.seq).sort()).toEqual([11, 13]));
    expect(within(third as HTMLElement).queryByRole('group', { name: 'Sandbox' })).toBeNull();
  });
});
