import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Events, setTransport, type ModelInfo, type ModelsState } from '../../bridge';
import { initialState, store } from '../../store';
import { fakeBackend, noBackend, run } from '../../test/fakeBackend';
import { useRunOptions } from './hooks';
import { RunsPanel } from './RunsPanel';

const model = (name: string, capabilities: string[], over: Partial<ModelInfo> = {}): ModelInfo => ({
  name,
  digest: `sha256:${name.length}abc`,
  size: 1 << 20,
  modifiedAt: 0,
  family: 'llama',
  parameters: '1B',
  quantization: 'Q4_K_M',
  format: 'gguf',
  capabilities,
  ...over,
});

const installed = [
  model('embed:latest', ['embedding']),
  model('plain:latest', ['completion']),
  model('qwen3:4b', ['completion', 'tools', 'thinking'], { parameters: '4.0B' }),
  model('tiny:latest', ['completion', 'tools']),
];

const modelsState = (over: Partial<ModelsState> = {}): ModelsState => ({ models: installed, pulls: [], defaultChat: 'qwen3:4b', defaultEmbed: 'embed:latest', ...over });

function Harness({ onSelect = () => {} }: { onSelect?: (id: string) => void }) {
  const opts = useRunOptions('w1');
  return <RunsPanel workspaceId="w1" selected={null} onSelect={onSelect} runOptions={opts} />;
}

const form = () => screen.getByRole('form', { name: 'Agent' });
const picker = () => within(form()).getByRole('combobox', { name: 'Model' }) as HTMLSelectElement;
const taskBox = () => within(form()).getByRole('textbox', { name: 'Task' }) as HTMLTextAreaElement;
const startBtn = () => within(form()).getByRole('button', { name: 'Start' }) as HTMLButtonElement;

describe('<AgentComposer> in the runs panel', () => {
  let state: ModelsState;
  let backend: ReturnType<typeof fakeBackend>;

  beforeEach(() => {
    localStorage.clear();
    store.update(initialState);
    state = modelsState();
    backend = fakeBackend({
      ListRuns: async () => [],
      ListModels: async () => state,
      StartAgentRun: async (req) => run({ id: 'a1', worker: 'agent', task: req.task, state: 'created' }),
    });
    setTransport(backend.transport);
  });
  afterEach(() => {
    setTransport(noBackend());
    store.update(initialState);
  });

  it('is the first form of the panel, above find & replace', async () => {
    render(<Harness />);
    await waitFor(() => expect(picker().value).toBe('qwen3:4b'));
    const tools = document.querySelector('.runs-tools') as HTMLElement;
    expect(tools.firstElementChild).toBe(form());
    expect(form().compareDocumentPosition(screen.getByRole('button', { name: /Find & replace/ })) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('offers the installed chat models, not embedding-only ones, marks those without tools "chat only", and starts with the default chat model', async () => {
    render(<Harness />);
    await waitFor(() => expect(picker().value).toBe('qwen3:4b'));
    const options = within(picker()).getAllByRole('option');
    expect(options.map((o) => (o as HTMLOptionElement).value)).toEqual(['plain:latest', 'qwen3:4b', 'tiny:latest']);
    expect(options.map((o) => o.textContent)).toEqual(['plain:latest · 1B · chat only', 'qwen3:4b · 4.0B', 'tiny:latest · 1B']);
    expect(screen.queryByText(/has no tool calling/)).toBeNull();
    fireEvent.change(picker(), { target: { value: 'plain:latest' } });
    expect(screen.getByText('plain:latest has no tool calling: it answers in words and cannot read or change files.')).toBeTruthy();
  });

  it('falls back to the first chat model when the default is not installed', async () => {
    state = modelsState({ defaultChat: 'gone:7b' });
    render(<Harness />);
    await waitFor(() => expect(picker().value).toBe('plain:latest'));
  });

  it('sends StartAgentRun with the task, model, profile, run options and advanced settings, then opens the run', async () => {
    const picked: string[] = [];
    render(<Harness onSelect={(id) => picked.push(id)} />);
    await waitFor(() => expect(picker().value).toBe('qwen3:4b'));
    expect(startBtn().disabled).toBe(true); // no task yet

    fireEvent.change(taskBox(), { target: { value: '  Fix the typo in README.md \n' } });
    fireEvent.change(picker(), { target: { value: 'tiny:latest' } });
    expect((screen.getByLabelText('Profile') as HTMLSelectElement).value).toBe('edit');
    fireEvent.change(screen.getByLabelText('Profile'), { target: { value: 'agent' } });
    fireEvent.change(screen.getByLabelText('Validation command'), { target: { value: 'go test ./...' } });

    const adv = within(form()).getByRole('button', { name: 'Advanced' });
    expect(adv.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByLabelText('Temperature')).toBeNull();
    fireEvent.click(adv);
    fireEvent.change(screen.getByLabelText('Temperature'), { target: { value: '0.2' } });
    fireEvent.change(screen.getByLabelText('Seed'), { target: { value: '42' } });
    fireEvent.change(screen.getByLabelText('Max tokens'), { target: { value: '50000' } });
    fireEvent.change(screen.getByLabelText('Max model steps'), { target: { value: '12' } });
    fireEvent.click(startBtn());

    await waitFor(() => expect(picked).toEqual(['a1']));
    expect(backend.argsOf('StartAgentRun')).toEqual([
      {
        workspaceId: 'w1',
        task: 'Fix the typo in README.md',
        model: 'tiny:latest',
        options: { profile: 'agent', autoCommit: false, validationCommand: 'go test ./...', maxSteps: 0, wallClockSeconds: 0 },
        maxTokens: 50000,
        maxTurns: 12,
        temperature: 0.2,
        seed: 42,
        numCtx: 0,
        numPredict: 0,
      },
    ]);
    expect(taskBox().value).toBe('');
  });

  it('starts on Ctrl+Enter (and Cmd+Enter) with the defaults: edit profile, no sampling settings', async () => {
    render(<Harness />);
    await waitFor(() => expect(picker().value).toBe('qwen3:4b'));
    fireEvent.keyDown(taskBox(), { key: 'Enter', ctrlKey: true });
    expect(backend.argsOf('StartAgentRun')).toEqual([]); // nothing to do yet

    fireEvent.change(taskBox(), { target: { value: 'List the TODOs' } });
    fireEvent.keyDown(taskBox(), { key: 'Enter' }); // a plain Enter is a new line
    expect(backend.argsOf('StartAgentRun')).toEqual([]);
    fireEvent.keyDown(taskBox(), { key: 'Enter', ctrlKey: true });
    await waitFor(() => expect(backend.argsOf('StartAgentRun')).toHaveLength(1));
    const req = backend.argsOf('StartAgentRun')[0]!;
    expect(req).toEqual({
      workspaceId: 'w1',
      task: 'List the TODOs',
      model: 'qwen3:4b',
      options: { profile: 'edit', autoCommit: false, validationCommand: '', maxSteps: 0, wallClockSeconds: 0 },
      maxTokens: 0,
      maxTurns: 0,
      numCtx: 0,
      numPredict: 0,
    });
    expect('temperature' in req || 'seed' in req).toBe(false);

    await waitFor(() => expect(taskBox().value).toBe(''));
    fireEvent.change(taskBox(), { target: { value: 'Again' } });
    fireEvent.keyDown(taskBox(), { key: 'Enter', metaKey: true });
    await waitFor(() => expect(backend.argsOf('StartAgentRun')).toHaveLength(2));
  });

  it('refuses advanced values that are not numbers, and says why', async () => {
    render(<Harness />);
    await waitFor(() => expect(picker().value).toBe('qwen3:4b'));
    fireEvent.change(taskBox(), { target: { value: 'Do it' } });
    fireEvent.click(within(form()).getByRole('button', { name: 'Advanced' }));
    fireEvent.change(screen.getByLabelText('Seed'), { target: { value: '4.5' } });
    expect(within(form()).getByRole('alert').textContent).toBe('Seed must be a whole number.');
    expect(startBtn().disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Seed'), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Temperature'), { target: { value: '-1' } });
    expect(within(form()).getByRole('alert').textContent).toMatch(/^Temperature must be a number/);
    fireEvent.change(screen.getByLabelText('Temperature'), { target: { value: '0' } });
    expect(within(form()).queryByRole('alert')).toBeNull();
    fireEvent.click(startBtn());
    await waitFor(() => expect(backend.argsOf('StartAgentRun')).toHaveLength(1));
    expect(backend.argsOf('StartAgentRun')[0]).toMatchObject({ temperature: 0 });
  });

  it("shows the backend's refusal inline, with a way to the Models screen", async () => {
    backend = fakeBackend({
      ListRuns: async () => [],
      ListModels: async () => state,
      StartAgentRun: async () => Promise.reject(new Error('model is not installed: qwen3:4b at http://127.0.0.1:11434 — pull it, or choose another')),
    });
    setTransport(backend.transport);
    render(<Harness />);
    await waitFor(() => expect(picker().value).toBe('qwen3:4b'));
    fireEvent.change(taskBox(), { target: { value: 'Fix it' } });
    fireEvent.click(startBtn());
    const alert = await within(form()).findByRole('alert');
    expect(alert.textContent).toContain('model is not installed: qwen3:4b at http://127.0.0.1:11434 — pull it, or choose another');
    expect(taskBox().value).toBe('Fix it'); // kept, to try again
    fireEvent.click(within(alert).getByRole('button', { name: 'Open Models' }));
    expect(store.get().view).toBe('models');
  });

  it('says so when Ollama is not running, and lists again once it is', async () => {
    state = modelsState({ models: [], error: 'ollama is not running at http://127.0.0.1:11434' });
    render(<Harness />);
    const alert = await within(form()).findByRole('alert');
    expect(alert.textContent).toContain('Could not list the models: ollama is not running at http://127.0.0.1:11434');
    expect(within(alert).getByRole('button', { name: 'Open Models' })).toBeTruthy();
    fireEvent.change(taskBox(), { target: { value: 'Fix it' } });
    expect(startBtn().disabled).toBe(true);
    expect(picker().disabled).toBe(true);

    state = modelsState();
    store.update({ ollama: { host: 'http://127.0.0.1:11434', reachable: true, version: '0.9.0', error: '', checkedAt: 1, canStart: false, started: false } });
    await waitFor(() => expect(picker().value).toBe('qwen3:4b'));
    expect(within(form()).queryByRole('alert')).toBeNull();
    expect(startBtn().disabled).toBe(false);
  });

  it('says no chat model is installed when there are only embedding models, and lists again after a pull', async () => {
    state = modelsState({ models: [model('embed:latest', ['embedding'])], defaultChat: '' });
    render(<Harness />);
    const alert = await within(form()).findByRole('alert');
    expect(alert.textContent).toContain('No chat model is installed');
    expect(within(alert).getByRole('button', { name: 'Open Models' })).toBeTruthy();

    state = modelsState({ models: [model('embed:latest', ['embedding']), model('tiny:latest', ['completion', 'tools'])], defaultChat: '' });
    backend.emit(Events.ModelPull, { name: 'tiny:latest', status: 'pulled', total: 1, completed: 1, bytesPerSec: 0, done: true, startedAt: 1 });
    await waitFor(() => expect(picker().value).toBe('tiny:latest'));
    expect(within(form()).queryByRole('alert')).toBeNull();
  });
});
