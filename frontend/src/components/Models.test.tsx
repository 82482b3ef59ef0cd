import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Events, setTransport, type ModelInfo, type ModelsState, type PullState } from '../bridge';
import { fakeBackend, noBackend } from '../test/fakeBackend';
import { ModelsView } from './Models';

const model = (over: Partial<ModelInfo>): ModelInfo => ({
  name: 'llama3.2:1b',
  digest: 'abc',
  size: 1.3 * 1024 ** 3,
  modifiedAt: 1,
  family: 'llama',
  parameters: '1.2B',
  quantization: 'Q8_0',
  format: 'gguf',
  capabilities: ['completion', 'tools'],
  ...over,
});

const chat = model({});
const embedder = model({ name: 'nomic-embed-text:latest', family: 'nomic-bert', parameters: '137M', quantization: 'F16', size: 274 * 1024 ** 2, capabilities: ['embedding'] });

const state = (over: Partial<ModelsState> = {}): ModelsState => ({ models: [chat, embedder], pulls: [], defaultChat: 'llama3.2:1b', defaultEmbed: '', ...over });

const pull = (over: Partial<PullState>): PullState => ({ name: 'qwen3:4b', status: 'pulling manifest', total: 0, completed: 0, bytesPerSec: 0, done: false, startedAt: 1, ...over });

describe('<ModelsView>', () => {
  afterEach(() => setTransport(noBackend()));

  it('lists installed models with their capability chips', async () => {
    setTransport(fakeBackend({ ListModels: async () => state() }).transport);
    render(<ModelsView />);
    const row = await screen.findByRole('row', { name: 'Model llama3.2:1b' });
    expect(within(row).getByText('llama')).toBeTruthy();
    expect(within(row).getByText('1.2B')).toBeTruthy();
    expect(within(row).getByText('Q8_0')).toBeTruthy();
    expect(within(row).getByText('1.3 GiB')).toBeTruthy();
    expect(within(row).getByText('completion').className).toBe('chip');
    expect(within(row).getByText('tools')).toBeTruthy();
    const erow = screen.getByRole('row', { name: 'Model nomic-embed-text:latest' });
    expect(within(erow).getByText('embedding').className).toBe('chip');
    expect(within(erow).getByText('274.0 MiB')).toBeTruthy();
  });

  it('shows the error when Ollama is unreachable', async () => {
    setTransport(fakeBackend({ ListModels: async () => state({ models: [], error: 'Ollama is not running at http://127.0.0.1:11434.' }) }).transport);
    render(<ModelsView />);
    expect((await screen.findByRole('alert')).textContent).toContain('Ollama is not running');
  });

  it('pulls a model and follows its progress; cancel calls CancelPull', async () => {
    const b = fakeBackend({ ListModels: async () => state(), PullModel: async ({ name }) => pull({ name }), CancelPull: async () => undefined });
    setTransport(b.transport);
    render(<ModelsView />);
    const input = await screen.findByPlaceholderText('Model name (e.g. llama3.2:1b)');
    fireEvent.change(input, { target: { value: 'qwen3:4b' } });
    fireEvent.click(screen.getByRole('button', { name: 'Pull' }));
    await screen.findByText('pulling manifest');
    expect(b.argsOf('PullModel')).toEqual([{ name: 'qwen3:4b' }]);

    b.emit(Events.ModelPull, pull({ status: 'downloading', total: 2 * 1024 ** 3, completed: 1.2 * 1024 ** 3, bytesPerSec: 25e6 }));
    await screen.findByText('downloading');
    const bar = screen.getByLabelText('qwen3:4b progress') as HTMLProgressElement;
    expect(bar.tagName).toBe('PROGRESS');
    expect(bar.value).toBe(1.2 * 1024 ** 3);
    expect(bar.max).toBe(2 * 1024 ** 3);
    expect(screen.getByText('1.2 GiB of 2.0 GiB')).toBeTruthy();
    expect(screen.getByText('25.0 MB/s')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(b.argsOf('CancelPull')).toEqual([{ name: 'qwen3:4b' }]));

    b.emit(Events.ModelPull, pull({ status: 'cancelled', total: 2 * 1024 ** 3, completed: 1.2 * 1024 ** 3, done: true, error: 'Download cancelled.' }));
    expect((await screen.findByText('Download cancelled.')).getAttribute('role')).toBe('alert');
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
  });

  it('reloads the models when a pull finishes', async () => {
    let n = 0;
    const b = fakeBackend({ ListModels: async () => (n++ === 0 ? state({ pulls: [pull({ status: 'downloading' })] }) : state({ models: [chat, embedder, model({ name: 'qwen3:4b' })] })) });
    setTransport(b.transport);
    render(<ModelsView />);
    await screen.findByText('downloading');
    b.emit(Events.ModelPull, pull({ status: 'pulled', done: true }));
    await screen.findByRole('row', { name: 'Model qwen3:4b' });
    expect(b.argsOf('ListModels')).toHaveLength(2);
  });

  it('shows interrupted pulls from a previous session with their error', async () => {
    setTransport(fakeBackend({ ListModels: async () => state({ pulls: [pull({ status: 'interrupted', done: true, error: 'The Studio stopped during this download.' })] }) }).transport);
    render(<ModelsView />);
    expect(await screen.findByText('The Studio stopped during this download.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
  });

  it('asks before deleting a model', async () => {
    let deleted = false;
    const b = fakeBackend({
      ListModels: async () => state(deleted ? { models: [embedder] } : {}),
      DeleteModel: async () => {
        deleted = true;
      },
    });
    setTransport(b.transport);
    render(<ModelsView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete llama3.2:1b' }));
    expect(b.argsOf('DeleteModel')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Keep' }));
    expect(screen.queryByRole('button', { name: 'Confirm delete llama3.2:1b' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Delete llama3.2:1b' }));
    fireEvent.click(screen.getByRole('button', { name: 'Confirm delete llama3.2:1b' }));
    await waitFor(() => expect(screen.queryByRole('row', { name: 'Model llama3.2:1b' })).toBeNull());
    expect(b.argsOf('DeleteModel')).toEqual([{ name: 'llama3.2:1b' }]);
  });

  it('saves defaults, offering only fitting models, and shows a refusal', async () => {
    let refuse = true;
    const b = fakeBackend({
      ListModels: async () => state(),
      SetDefaultModels: async ({ chat: c, embed }) => {
        if (refuse) throw new Error(`${embed} cannot embed`);
        return state({ defaultChat: c, defaultEmbed: embed });
      },
    });
    setTransport(b.transport);
    render(<ModelsView />);
    const chatSel = (await screen.findByLabelText('Default chat model')) as HTMLSelectElement;
    const embedSel = screen.getByLabelText('Embedding model') as HTMLSelectElement;
    expect([...chatSel.options].map((o) => o.value)).toEqual(['', 'llama3.2:1b']);
    expect(chatSel.options[0]?.textContent).toBe('(none: runs use llama3.2:1b)');
    expect([...embedSel.options].map((o) => o.value)).toEqual(['', 'nomic-embed-text:latest']);
    expect(chatSel.value).toBe('llama3.2:1b');

    fireEvent.change(embedSel, { target: { value: 'nomic-embed-text:latest' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toBe('nomic-embed-text:latest cannot embed');
    expect(b.argsOf('SetDefaultModels')).toEqual([{ chat: 'llama3.2:1b', embed: 'nomic-embed-text:latest' }]);

    refuse = false;
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved.');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows context, RAM fit, loaded and default markers, with names normalised', async () => {
    const gib = 1024 ** 3;
    const fit = { verdict: 'tight', window: 8192, weights: 4 * gib, kvCache: gib, need: 5 * gib, total: 16 * gib, available: 6 * gib };
    const big = model({
      name: 'qwen3:latest',
      display: 'qwen3',
      contextLength: 40960,
      fit,
      loaded: { name: 'qwen3:latest', size: 5 * gib, vram: 0, expiresAt: 0, contextLength: 8192 },
    });
    const emb = { ...embedder, display: 'nomic-embed-text', fit: { ...fit, verdict: 'fits', weights: 274 * 1024 ** 2, kvCache: 0, need: 274 * 1024 ** 2 } };
    setTransport(
      fakeBackend({
        ListModels: async () =>
          state({ models: [big, emb], defaultChat: 'qwen3:latest', defaultEmbed: 'nomic-embed-text:latest', memory: { total: 16 * gib, available: 6 * gib } }),
      }).transport,
    );
    render(<ModelsView />);
    const row = await screen.findByRole('row', { name: 'Model qwen3' });
    expect(within(row).getByText('40k').getAttribute('title')).toBe('40,960 tokens');
    expect(within(row).getByText('default chat')).toBeTruthy();
    expect(within(row).getByText('loaded')).toBeTruthy();
    expect(within(row).getByText('5.0 GiB in RAM, 8k context')).toBeTruthy();
    expect(within(row).getByTestId('fit').textContent).toBe('tight');
    expect(within(row).getByText('needs 5.0 GiB (4.0 GiB + 1.0 GiB of cache for 8k tokens); 6.0 GiB free of 16.0 GiB')).toBeTruthy();
    expect(within(row).queryByRole('button', { name: 'Use as default chat model' })).toBeNull();
    const erow = screen.getByRole('row', { name: 'Model nomic-embed-text' });
    expect(within(erow).getByText('meaning search')).toBeTruthy();
    expect(within(erow).queryByText('loaded')).toBeNull();
    expect(screen.getByTestId('models-memory').textContent).toBe('This machine: 16.0 GiB of RAM, 6.0 GiB free now.');
    // One embedding model, once, under its short name.
    const embedSel = screen.getByLabelText('Embedding model') as HTMLSelectElement;
    expect([...embedSel.options].map((o) => o.textContent)).toEqual(['(none: search by text only)', 'nomic-embed-text']);
  });

  it('makes a model the default chat model, or the meaning search model, in one click', async () => {
    const b = fakeBackend({
      ListModels: async () => state({ defaultChat: '', defaultEmbed: '' }),
      SetDefaultModels: async ({ chat: c, embed }) => state({ defaultChat: c, defaultEmbed: embed }),
    });
    setTransport(b.transport);
    render(<ModelsView />);
    const row = await screen.findByRole('row', { name: 'Model llama3.2:1b' });
    expect(within(row).queryByText('default chat')).toBeNull();
    expect(within(row).queryByRole('button', { name: 'Use for meaning search' })).toBeNull();
    fireEvent.click(within(row).getByRole('button', { name: 'Use as default chat model' }));
    await waitFor(() => expect(within(screen.getByRole('row', { name: 'Model llama3.2:1b' })).getByText('default chat')).toBeTruthy());
    const erow = screen.getByRole('row', { name: 'Model nomic-embed-text:latest' });
    expect(within(erow).queryByRole('button', { name: 'Use as default chat model' })).toBeNull();
    fireEvent.click(within(erow).getByRole('button', { name: 'Use for meaning search' }));
    await waitFor(() => expect(within(screen.getByRole('row', { name: 'Model nomic-embed-text:latest' })).getByText('meaning search')).toBeTruthy());
    // The Defaults form follows.
    await waitFor(() => expect((screen.getByLabelText('Embedding model') as HTMLSelectElement).value).toBe('nomic-embed-text:latest'));
    expect((screen.getByLabelText('Default chat model') as HTMLSelectElement).value).toBe('llama3.2:1b');
    expect(b.argsOf('SetDefaultModels')).toEqual([
      { chat: 'llama3.2:1b', embed: '' },
      { chat: 'llama3.2:1b', embed: 'nomic-embed-text:latest' },
    ]);
  });

  it('says when the machine memory is not known', async () => {
    setTransport(fakeBackend({ ListModels: async () => state({ runningError: 'ps failed' }) }).transport);
    render(<ModelsView />);
    expect((await screen.findByTestId('models-memory')).textContent).toMatch(/memory is unknown.*not estimated. Which models are loaded is not known: ps failed/);
  });
});
