import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Events, setTransport, type AgentUpdate, type Api, type ModelsState, type SendMessageRequest, type ThreadView } from '../../bridge';
import { initialState, store } from '../../store';
import { fakeBackend, noBackend, run, threadView, turn } from '../../test/fakeBackend';
import { useRunOptions } from '../runs/hooks';
import { ConversationView } from './ConversationView';

const models: ModelsState = {
  models: [{ name: 'tiny:latest', digest: 'sha256:abc', size: 1, modifiedAt: 0, family: 'llama', parameters: '1M', quantization: 'F32', format: 'gguf', capabilities: ['completion', 'tools'] }],
  pulls: [],
  defaultChat: 'tiny:latest',
  defaultEmbed: '',
};

function Harness({ threadId, opened = [], runs = [] }: { threadId: string | null; opened?: string[]; runs?: string[] }) {
  const opts = useRunOptions('w1');
  return <ConversationView workspaceId="w1" threadId={threadId} runOptions={opts} onOpenThread={(id) => opened.push(id)} onOpenRun={(id) => runs.push(id)} />;
}

const composer = () => screen.getByRole('form', { name: 'Message composer' });
const box = () => within(composer()).getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
const sendBtn = () => within(composer()).getByRole('button', { name: 'Send' }) as HTMLButtonElement;

/** typeText puts text in the message box with the caret at its end, as typing does. */
function typeText(text: string) {
  const el = box();
  fireEvent.change(el, { target: { value: text, selectionStart: text.length, selectionEnd: text.length } });
}

const agent = { model: 'tiny:latest', options: { profile: 'edit', validationCommand: '', autoCommit: false, maxSteps: 0, wallClockSeconds: 0 }, maxTokens: 0, maxTurns: 0, numCtx: 0, numPredict: 0, unmanaged: false };

describe('<ConversationView>', () => {
  let view: ThreadView;
  let backend: ReturnType<typeof fakeBackend>;
  let extra: Partial<Api>;

  const start = (impl: Partial<Api> = {}) => {
    backend = fakeBackend({
      ListModels: async () => models,
      GetThread: async () => view,
      GetTranscript: async ({ id }) => ({ run: run({ id, worker: 'agent' }), steps: [], promptTokens: 0, evalTokens: 0, tokensPerSecond: 0, notices: [] }),
      GetRun: async ({ id }) => ({ run: run({ id, worker: 'agent' }), changes: [], asks: [] }),
      SendMessage: async (req) => ({ thread: { ...view.thread, id: req.threadId || 'th-new' }, turn: view.turns.length + 1, run: run({ id: 'tr-new', worker: 'agent', state: 'created' }) }),
      AbortRun: async ({ id }) => run({ id, worker: 'agent', state: 'terminated', outcome: 'aborted' }),
      FindFiles: async ({ query }) =>
        ['notes.txt', 'src/app/main.go', 'src/app/notes_test.go'].filter((p) => p.includes(query)).map((path) => ({ path, score: 1, positions: [] })),
      StartSearch: async () => ({ id: 's1' }),
      CancelSearch: async () => {},
      ...extra,
      ...impl,
    });
    setTransport(backend.transport);
  };

  beforeEach(() => {
    localStorage.clear();
    store.update(initialState);
    store.messageDrafts('w1').clear();
    view = threadView([turn(1, { promptTokens: 1200, window: 4096 })]);
    extra = {};
  });
  afterEach(() => {
    setTransport(noBackend());
    store.update(initialState);
    store.messageDrafts('w1').clear();
  });

  describe('the composer', () => {
    it('sends on Enter, with the thread, the message and the agent settings; Shift+Enter is a new line', async () => {
      start();
      render(<Harness threadId="th-1" />);
      await waitFor(() => expect(sendBtn().disabled).toBe(true)); // nothing written yet
      typeText('Now fix the README too');
      fireEvent.keyDown(box(), { key: 'Enter', shiftKey: true });
      expect(backend.argsOf('SendMessage')).toEqual([]);
      fireEvent.keyDown(box(), { key: 'Enter' });
      await waitFor(() => expect(backend.argsOf('SendMessage')).toHaveLength(1));
      expect(backend.argsOf('SendMessage')[0]).toEqual<SendMessageRequest>({
        workspaceId: 'w1',
        threadId: 'th-1',
        text: 'Now fix the README too',
        mentions: [],
        noRules: false,
        agent,
      });
      await waitFor(() => expect(box().value).toBe(''));
    });

    it('starts a new conversation without a thread, then opens the thread it made', async () => {
      start();
      const opened: string[] = [];
      render(<Harness threadId={null} opened={opened} />);
      expect(screen.getByRole('heading', { name: 'New conversation' })).toBeTruthy();
      await waitFor(() => expect((within(composer()).getByRole('combobox', { name: 'Model' }) as HTMLSelectElement).value).toBe('tiny:latest'));
      typeText('What does this project do?');
      fireEvent.keyDown(box(), { key: 'Enter' });
      await waitFor(() => expect(opened).toEqual(['th-new']));
      expect(backend.argsOf('SendMessage')[0]).toMatchObject({ threadId: '', text: 'What does this project do?' });
      expect(backend.argsOf('GetThread')).toEqual([]);
    });

    it('waits while the last turn works: sending is off with a hint, and Esc stops the turn', async () => {
      view = threadView([turn(1), turn(2, {}, { state: 'executing' })], { busy: true });
      start();
      render(<Harness threadId="th-1" />);
      await screen.findByText('Turn 2 is still working or waiting for your approval: wait for it, or press Esc to stop it.');
      typeText('And then?');
      expect(sendBtn().disabled).toBe(true);
      fireEvent.keyDown(box(), { key: 'Enter' });
      fireEvent.keyDown(box(), { key: 'Escape' });
      await waitFor(() => expect(backend.argsOf('AbortRun')).toEqual([{ id: 'tr-2', reason: 'stopped by the user' }]));
      expect(backend.argsOf('SendMessage')).toEqual([]);
    });

    it('does not stop anything on Esc when no turn works', async () => {
      start();
      render(<Harness threadId="th-1" />);
      await screen.findByRole('region', { name: 'Turn 1' });
      fireEvent.keyDown(box(), { key: 'Escape' });
      await new Promise((r) => setTimeout(r, 20));
      expect(backend.argsOf('AbortRun')).toEqual([]);
    });

    it('says what a follow-up does with the previous turn: staged changes carry over, or it goes on after Commit or Abort', async () => {
      for (const [pending, text] of [
        ['staged', "Your message continues with turn 1's staged changes (they carry over; Commit applies them together)."],
        ['committed', 'Your message continues from turn 1 after Commit: its changes are in the files.'],
        ['aborted', 'Your message continues from turn 1 after Abort: nothing of it was applied.'],
        ['failed', 'Turn 1 failed: nothing of it was applied. Retry it, or your message goes on from it.'],
      ] as const) {
        view = threadView([turn(1)], { pending });
        start();
        const { unmount } = render(<Harness threadId="th-1" />);
        expect((await screen.findByRole('note', { name: 'What your message goes on from' })).textContent).toBe(text);
        unmount();
      }
      view = threadView([turn(1)], { pending: '' });
      start();
      render(<Harness threadId="th-1" />);
      await screen.findByRole('region', { name: 'Turn 1' });
      expect(screen.queryByRole('note', { name: 'What your message goes on from' })).toBeNull();
    });

    it('sends /compact typed alone as CompactThread, and the /compact button too', async () => {
      start({ CompactThread: async ({ id }) => ({ thread: view.thread, turn: 2, run: run({ id: 'tr-c', worker: 'agent', state: 'created', task: id }) }) });
      render(<Harness threadId="th-1" />);
      await screen.findByRole('region', { name: 'Turn 1' });
      typeText('/compact');
      fireEvent.keyDown(box(), { key: 'Enter' });
      await waitFor(() => expect(backend.argsOf('CompactThread')).toEqual([{ id: 'th-1', agent }]));
      expect(backend.argsOf('SendMessage')).toEqual([]);
      await waitFor(() => expect(box().value).toBe(''));
      fireEvent.click(within(composer()).getByRole('button', { name: '/compact' }));
      await waitFor(() => expect(backend.argsOf('CompactThread')).toHaveLength(2));
    });

    it('leaves the project rules out when "Use project rules" is off, and remembers it', async () => {
      start();
      const { unmount } = render(<Harness threadId="th-1" />);
      await screen.findByRole('region', { name: 'Turn 1' });
      fireEvent.click(within(composer()).getByRole('button', { name: 'Settings' }));
      const rules = within(composer()).getByRole('checkbox', { name: 'Use project rules (AGENTS.md, CLAUDE.md…)' }) as HTMLInputElement;
      expect(rules.checked).toBe(true);
      fireEvent.click(rules);
      unmount();

      render(<Harness threadId="th-1" />);
      await screen.findByRole('region', { name: 'Turn 1' });
      fireEvent.click(within(composer()).getByRole('button', { name: 'Settings' }));
      expect((within(composer()).getByRole('checkbox', { name: /Use project rules/ }) as HTMLInputElement).checked).toBe(false);
      typeText('Go');
      fireEvent.keyDown(box(), { key: 'Enter' });
      await waitFor(() => expect(backend.argsOf('SendMessage')[0]).toMatchObject({ noRules: true }));
    });

    it('keeps the message being written while the conversation is closed', async () => {
      start();
      const { unmount } = render(<Harness threadId="th-1" />);
      await screen.findByRole('region', { name: 'Turn 1' });
      typeText('half a thought');
      unmount();
      render(<Harness threadId="th-1" />);
      await screen.findByRole('region', { name: 'Turn 1' });
      expect(box().value).toBe('half a thought');
    });
  });

  describe('@-mentions', () => {
    it('typing @ offers matching files and folders; arrows and Enter choose one, which becomes a chip and a mention', async () => {
      start();
      render(<Harness threadId="th-1" />);
      await screen.findByRole('region', { name: 'Turn 1' });
      typeText('Compare @note');
      const listbox = await screen.findByRole('listbox', { name: 'Mention suggestions' });
      await waitFor(() => expect(within(listbox).getAllByRole('option').map((o) => o.textContent)).toEqual(['·notes.txt', '·notes_test.gosrc/app']));
      await waitFor(() => expect(backend.argsOf('FindFiles').at(-1)).toEqual({ workspaceId: 'w1', query: 'note', limit: 50 }));
      expect(within(listbox).getAllByRole('option')[0]!.getAttribute('aria-selected')).toBe('true');
      fireEvent.keyDown(box(), { key: 'ArrowDown' });
      expect(within(listbox).getAllByRole('option')[1]!.getAttribute('aria-selected')).toBe('true');
      fireEvent.keyDown(box(), { key: 'ArrowUp' });
      fireEvent.keyDown(box(), { key: 'Enter' });
      expect(backend.argsOf('SendMessage')).toEqual([]); // Enter chose, it did not send
      expect(box().value).toBe('Compare @notes.txt ');
      expect(screen.queryByRole('listbox', { name: 'Mention suggestions' })).toBeNull();
      const chips = within(composer()).getByRole('list', { name: 'Attached to the message' });
      expect(within(chips).getAllByRole('listitem').map((c) => c.textContent)).toEqual(['@notes.txt×']);

      // A folder is offered by its path, and Tab chooses too.
      fireEvent.change(box(), { target: { value: 'Compare @notes.txt and @app', selectionStart: 27, selectionEnd: 27 } });
      const again = await screen.findByRole('listbox', { name: 'Mention suggestions' });
      await waitFor(() => expect(within(again).getAllByRole('option')[0]!.textContent).toBe('▸app/src/app'));
      fireEvent.keyDown(box(), { key: 'Tab' });
      expect(box().value).toBe('Compare @notes.txt and @src/app/ ');
      typeText(`${box().value}please`);
      fireEvent.keyDown(box(), { key: 'Enter' });
      await waitFor(() => expect(backend.argsOf('SendMessage')).toHaveLength(1));
      expect(backend.argsOf('SendMessage')[0]).toMatchObject({ text: 'Compare @notes.txt and @src/app/ please', mentions: ['notes.txt', 'src/app'] });
    });

    it('Esc closes the list without stopping anything; a chip can be removed', async () => {
      view = threadView([turn(1, {}, { state: 'executing' })], { busy: true });
      start();
      render(<Harness threadId="th-1" />);
      await screen.findByRole('region', { name: 'Turn 1' });
      typeText('see @notes');
      await screen.findByRole('option', { name: /notes\.txt/ });
      fireEvent.keyDown(box(), { key: 'Escape' });
      expect(screen.queryByRole('listbox', { name: 'Mention suggestions' })).toBeNull();
      expect(backend.argsOf('AbortRun')).toEqual([]);

      typeText('see @no');
      fireEvent.click(await screen.findByRole('option', { name: /notes\.txt/ }));
      fireEvent.click(within(composer()).getByRole('button', { name: 'Remove notes.txt' }));
      expect(within(composer()).queryByRole('list', { name: 'Attached to the message' })).toBeNull();
    });

    it('offers lines that contain the text, path:line, and mentions their file', async () => {
      start();
      render(<Harness threadId="th-1" />);
      await screen.findByRole('region', { name: 'Turn 1' });
      typeText('where is @parseArgs');
      await waitFor(() => expect(backend.argsOf('StartSearch')).toHaveLength(1));
      expect(backend.argsOf('StartSearch')[0]).toMatchObject({ workspaceId: 'w1', query: { pattern: 'parseArgs', regex: false } });
      act(() =>
        backend.emit(Events.SearchResults, {
          id: 's1',
          done: true,
          results: [{ path: 'src/agentFormat.ts', matches: [{ line: 57, text: '  export function parseArgs(json: string) {', ranges: [[18, 27]] }] }],
        }),
      );
      const hit = await screen.findByRole('option', { name: /src\/agentFormat\.ts:57/ });
      expect(hit.textContent).toContain('export function parseArgs(json: string) {');
      fireEvent.click(hit);
      expect(within(composer()).getByRole('list', { name: 'Attached to the message' }).textContent).toBe('@src/agentFormat.ts×');
    });
  });

  describe('the token meter', () => {
    const meter = () => within(composer()).getByTestId('token-meter');
    const update = (u: Partial<AgentUpdate>) => act(() => backend.emit(Events.AgentUpdate, { run: 'tr-2', step: 1, kind: 'step', ...u }));

    it("shows the last turn's prompt against its window, then the running turn's estimates and counts, with a warning over 80%", async () => {
      view = threadView([turn(1, { promptTokens: 1200, window: 4096 }), turn(2, {}, { state: 'executing' })], { busy: true });
      start();
      render(<Harness threadId="th-1" />);
      await screen.findByRole('region', { name: 'Turn 2' });
      expect(meter().textContent).toBe('1,200 / 4,096 tokens');
      expect(meter().className).toContain('tone-ok');

      update({ kind: 'step', step: 1, estimate: 2500, window: 4096 });
      expect(meter().textContent).toBe('2,500 / 4,096 tokens');
      update({ kind: 'response', step: 1, promptTokens: 2610, window: 4096 });
      expect(meter().textContent).toBe('2,610 / 4,096 tokens');
      // Another run's updates and the runtime's own steps do not move it.
      act(() => backend.emit(Events.AgentUpdate, { run: 'tr-9', step: 1, kind: 'step', estimate: 9, window: 100 }));
      update({ kind: 'step', step: 2, estimate: 60, window: 4096, purpose: 'compact' });
      expect(meter().textContent).toBe('2,610 / 4,096 tokens');

      update({ kind: 'step', step: 2, estimate: 3500, window: 4096 });
      expect(meter().textContent).toBe('3,500 / 4,096 tokens');
      expect(meter().className).toContain('tone-warn');
      expect(within(meter()).getByRole('meter', { name: 'Context window used' }).getAttribute('aria-valuetext')).toBe('85%');
    });

    it('warns live when the server cut a request of the running turn', async () => {
      view = threadView([turn(1), turn(2, {}, { state: 'executing' })], { busy: true });
      start();
      render(<Harness threadId="th-1" />);
      await screen.findByRole('region', { name: 'Turn 2' });
      update({ kind: 'truncated', step: 3, error: 'the server cut this request: it counted 900 prompt tokens of about 3000 sent (window 2048)' });
      expect(within(composer()).getByRole('alert').textContent).toContain('it counted 900 prompt tokens of about 3000 sent');
    });
  });
});
