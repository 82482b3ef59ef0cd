import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTransport, type Api, type Ask, type ThreadView } from '../../bridge';
import { initialState, store } from '../../store';
import { fakeBackend, noBackend, run, threadView, turn } from '../../test/fakeBackend';
import { useRunOptions } from '../runs/hooks';
import { ConversationView } from './ConversationView';

function Harness({ opened, runs }: { opened: string[]; runs: string[] }) {
  const opts = useRunOptions('w1');
  return <ConversationView workspaceId="w1" threadId="th-1" runOptions={opts} onOpenThread={(id) => opened.push(id)} onOpenRun={(id) => runs.push(id)} />;
}

const turnEl = (n: number) => screen.getByRole('region', { name: `Turn ${n}` });
const actions = (n: number) => within(turnEl(n)).getByRole('group', { name: `Actions of turn ${n}` });
const buttons = (n: number) => within(actions(n)).getAllByRole('button').map((b) => b.textContent);

describe('a turn of a conversation', () => {
  let view: ThreadView;
  let backend: ReturnType<typeof fakeBackend>;
  let opened: string[];
  let runs: string[];
  let asks: Ask[];

  const start = (impl: Partial<Api> = {}) => {
    backend = fakeBackend({
      ListModels: async () => ({ models: [], pulls: [], defaultChat: '', defaultEmbed: '' }),
      GetThread: async () => view,
      GetTranscript: async ({ id }) => ({ run: run({ id, worker: 'agent' }), steps: [], promptTokens: 0, evalTokens: 0, tokensPerSecond: 0, notices: [] }),
      GetRun: async ({ id }) => ({ run: run({ id, worker: 'agent' }), changes: [], asks: asks.filter((a) => a.run === id) }),
      ApproveRun: async ({ id }) => run({ id, state: 'committing' }),
      AbortRun: async ({ id }) => run({ id, state: 'terminated', outcome: 'aborted' }),
      RevertRun: async () => run({ id: 'rev-1', state: 'created' }),
      RetryTurn: async () => ({ thread: view.thread, turn: 3, run: run({ id: 'tr-3' }) }),
      ForkThread: async ({ turn: n }) => threadView(view.turns.slice(0, n), { thread: { ...view.thread, id: 'th-fork', title: `Fork of ${view.thread.title}` } }),
      RestoreThread: async () => view,
      ...impl,
    });
    setTransport(backend.transport);
  };

  beforeEach(() => {
    localStorage.clear();
    store.update(initialState);
    store.messageDrafts('w1').clear();
    opened = [];
    runs = [];
    asks = [];
  });
  afterEach(() => {
    setTransport(noBackend());
    store.update(initialState);
    store.messageDrafts('w1').clear();
  });

  it("shows the user's message with its @-files, rules files, selection and the staged files it carried", async () => {
    view = threadView([
      turn(1, { run: 'r-a', changes: [{ path: 'notes.txt', op: 'write', new: false, added: 2, removed: 1 }, { path: 'new.txt', op: 'write', new: true, added: 1, removed: 0 }] }),
      turn(2, {
        message: 'Also explain this part',
        files: [{ path: 'notes.txt', hash: '9f86d081884c7d659a2feaa0c55ad015' }],
        rules: [{ path: 'AGENTS.md', hash: 'abcdef0123456789' }],
        selection: { path: 'src/a.go', startLine: 3, endLine: 7, blob: 'b' },
        carried: { run: 'r-a', files: ['notes.txt'] },
      }),
    ]);
    start();
    render(<Harness opened={opened} runs={runs} />);
    await screen.findByRole('region', { name: 'Turn 2' });
    expect(within(turnEl(2)).getByText('Also explain this part')).toBeTruthy();
    const chips = within(within(turnEl(2)).getByRole('list', { name: 'Context of turn 2' })).getAllByRole('listitem').map((c) => c.textContent);
    expect(chips).toEqual(['@notes.txt · 9f86d08', 'rules: AGENTS.md', 'src/a.go:3–7', 'carried 1 staged file from turn 1']);
    // The changes of turn 1, with lines added and removed.
    const changes = within(turnEl(1)).getByRole('list', { name: 'Changes of turn 1' });
    expect(within(changes).getAllByRole('button').map((b) => b.textContent)).toEqual(['Mnotes.txt+2 −1', 'Anew.txt+1 −0']);
    expect(within(turnEl(1)).getByText('2 files changed, staged')).toBeTruthy();
  });

  it('offers Commit and Abort on a validated turn, and they call ApproveRun and AbortRun for its run', async () => {
    view = threadView([turn(1), turn(2, { changes: [{ path: 'a.go', op: 'write', new: false, added: 1, removed: 0 }] })]);
    start();
    render(<Harness opened={opened} runs={runs} />);
    await screen.findByRole('region', { name: 'Turn 2' });
    expect(buttons(2)).toEqual(['Commit', 'Abort', 'Fork here', 'Open run']);
    expect(buttons(1)).toEqual(['Finish', 'Abort', 'Fork here', 'Restore files to here', 'Open run']);
    fireEvent.click(within(actions(2)).getByRole('button', { name: 'Commit' }));
    await waitFor(() => expect(backend.argsOf('ApproveRun')).toEqual([{ id: 'tr-2' }]));
    fireEvent.click(within(actions(1)).getByRole('button', { name: 'Abort' }));
    await waitFor(() => expect(backend.argsOf('AbortRun')).toEqual([{ id: 'tr-1', reason: 'aborted by the user in the conversation' }]));
    fireEvent.click(within(actions(2)).getByRole('button', { name: 'Open run' }));
    expect(runs).toEqual(['tr-2']);
  });

  it('offers Revert on a committed turn, which starts the revert run and opens it', async () => {
    view = threadView([turn(1, {}, { state: 'terminated', outcome: 'committed' })], { pending: 'committed' });
    start();
    render(<Harness opened={opened} runs={runs} />);
    await screen.findByRole('region', { name: 'Turn 1' });
    expect(buttons(1)).toEqual(['Revert', 'Fork here', 'Open run']);
    fireEvent.click(within(actions(1)).getByRole('button', { name: 'Revert' }));
    await waitFor(() => expect(runs).toEqual(['rev-1']));
    expect(backend.argsOf('RevertRun')).toEqual([{ id: 'tr-1' }]);
  });

  it('offers Retry on a failed last turn (retryable), which calls RetryTurn; a retried turn folds away', async () => {
    view = threadView([turn(1), turn(2, { retryable: true }, { state: 'terminated', outcome: 'aborted', reason: 'the connection to Ollama dropped' })], { pending: 'aborted' });
    start();
    const { unmount } = render(<Harness opened={opened} runs={runs} />);
    await screen.findByRole('region', { name: 'Turn 2' });
    expect(within(turnEl(2)).getByText('the connection to Ollama dropped')).toBeTruthy();
    fireEvent.click(within(actions(2)).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(backend.argsOf('RetryTurn')).toHaveLength(1));
    expect(backend.argsOf('RetryTurn')[0]).toMatchObject({ id: 'th-1', agent: { model: '', options: { profile: 'edit' } } });
    expect(within(actions(1)).queryByRole('button', { name: 'Retry' })).toBeNull();
    unmount();

    view = threadView([turn(1), turn(2, { retried: true }, { state: 'terminated', outcome: 'aborted' }), turn(3, { kind: 'retry', retries: 2, message: 'message 2' })]);
    start();
    render(<Harness opened={opened} runs={runs} />);
    await screen.findByRole('region', { name: 'Turn 3' });
    expect(turnEl(2).textContent).toContain('failed — retried in turn 3');
    expect(within(turnEl(2)).queryByRole('group', { name: 'Actions of turn 2' })).toBeNull();
    expect(within(turnEl(3)).getByText('retry of turn 2')).toBeTruthy();
    fireEvent.click(within(turnEl(2)).getByRole('button', { name: 'Show' }));
    expect(within(turnEl(2)).getByRole('group', { name: 'Actions of turn 2' })).toBeTruthy();
  });

  it('forks at a turn, with the files restored when asked, and opens the fork', async () => {
    view = threadView([turn(1), turn(2), turn(3)]);
    start();
    render(<Harness opened={opened} runs={runs} />);
    await screen.findByRole('region', { name: 'Turn 3' });
    fireEvent.click(within(actions(2)).getByRole('button', { name: 'Fork here' }));
    const dialog = within(turnEl(2)).getByRole('group', { name: 'Fork at turn 2' });
    fireEvent.click(within(dialog).getByRole('checkbox', { name: /Also restore the files to this turn/ }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Fork' }));
    await waitFor(() => expect(opened).toEqual(['th-fork']));
    expect(backend.argsOf('ForkThread')).toEqual([{ id: 'th-1', turn: 2, restoreFiles: true }]);
  });

  it('restores the files to a turn only after a confirmation', async () => {
    view = threadView([turn(1, {}, { state: 'terminated', outcome: 'committed' }), turn(2, {}, { state: 'terminated', outcome: 'committed' })]);
    start();
    render(<Harness opened={opened} runs={runs} />);
    await screen.findByRole('region', { name: 'Turn 2' });
    expect(within(actions(2)).queryByRole('button', { name: 'Restore files to here' })).toBeNull(); // the last turn: nothing after it
    fireEvent.click(within(actions(1)).getByRole('button', { name: 'Restore files to here' }));
    const confirm = within(turnEl(1)).getByRole('group', { name: 'Restore files to turn 1' });
    expect(confirm.textContent).toContain('the committed turns after it are reverted');
    expect(backend.argsOf('RestoreThread')).toEqual([]);
    fireEvent.click(within(confirm).getByRole('button', { name: 'Restore files' }));
    await waitFor(() => expect(backend.argsOf('RestoreThread')).toEqual([{ id: 'th-1', turn: 1 }]));
  });

  it('shows a restore turn as the revert of its turn', async () => {
    view = threadView([
      turn(1, {}, { state: 'terminated', outcome: 'committed' }),
      turn(2, { run: 'r-2' }, { state: 'terminated', outcome: 'committed', revertedBy: 'r-3' }),
      turn(3, { run: 'r-3', kind: 'restore', reverts: 'r-2' }, { state: 'terminated', outcome: 'committed', worker: 'revert' }),
    ]);
    start();
    render(<Harness opened={opened} runs={runs} />);
    await screen.findByRole('region', { name: 'Turn 3' });
    expect(turnEl(3).textContent).toContain('↶ Reverted turn 2');
    expect(within(turnEl(3)).queryByLabelText('Transcript')).toBeNull();
    expect(within(actions(2)).queryByRole('button', { name: 'Revert' })).toBeNull(); // already reverted
  });

  it('shows the approvals a working turn waits for, and a denial sends its reason', async () => {
    view = threadView([turn(1, {}, { state: 'executing' })], { busy: true });
    asks = [{ id: 'q1', run: 'tr-1', kind: 'fs.write', target: 'notes.txt', req: { kind: 'fs.write', path: 'notes.txt' }, reason: 'the policy asks', detail: { op: 'write', base: '', after: '' }, seq: 9 }];
    start({ AnswerCapability: async () => {}, ReadBlob: async ({ hash }) => ({ hash, text: '', binary: false, truncated: false, size: 0 }) });
    render(<Harness opened={opened} runs={runs} />);
    const card = await within(await screen.findByRole('region', { name: 'Turn 1' })).findByRole('region', { name: 'Approval needed' });
    fireEvent.change(within(card).getByRole('textbox', { name: 'Reason for denying' }), { target: { value: '  Not this file.  ' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Deny' }));
    await waitFor(() => expect(backend.argsOf('AnswerCapability')).toEqual([{ requestId: 'q1', choice: 'deny', reason: 'Not this file.' }]));
  });
});
