// The composers' endpoint picker: shown only when there is more than the
// Studio's own Ollama; the model list follows the chosen endpoint, the
// run or message names it, and a conversation remembers it.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTransport, type Api, type EndpointView, type ModelInfo, type ModelsState } from '../../bridge';
import { initialState, store } from '../../store';
import { fakeBackend, noBackend, run, threadView, turn } from '../../test/fakeBackend';
import { ConversationView } from '../chat/ConversationView';
import { gpuBox, localEndpoint, vllm } from '../settings/endpointsFixture';
import { useRunOptions } from './hooks';
import { RunsPanel } from './RunsPanel';

const model = (name: string, capabilities: string[]): ModelInfo => ({
  name,
  digest: `sha256:${name.length}abc`,
  size: 1 << 20,
  modifiedAt: 0,
  family: 'llama',
  parameters: '1B',
  quantization: 'Q4_K_M',
  format: 'gguf',
  capabilities,
});

const installed: ModelsState = { models: [model('tiny:latest', ['completion', 'tools']), model('embed:latest', ['embedding'])], pulls: [], defaultChat: 'tiny:latest', defaultEmbed: '' };

function Runs() {
  const opts = useRunOptions('w1');
  return <RunsPanel workspaceId="w1" selected={null} onSelect={() => {}} runOptions={opts} />;
}

function Chat({ ws }: { ws: string }) {
  const opts = useRunOptions(ws);
  return <ConversationView workspaceId={ws} threadId="th-1" runOptions={opts} onOpenThread={() => {}} onOpenRun={() => {}} />;
}

const options = (select: HTMLElement) => within(select).getAllByRole('option').map((o) => [(o as HTMLOptionElement).value, o.textContent]);

describe('the endpoint picker', () => {
  let endpoints: EndpointView[];
  let backend: ReturnType<typeof fakeBackend>;
  const start = (impl: Partial<Api> = {}) => {
    backend = fakeBackend({
      ListRuns: async () => [],
      ListModels: async () => installed,
      Endpoints: async () => endpoints,
      StartAgentRun: async (req) => run({ id: 'a1', worker: 'agent', task: req.task, state: 'created' }),
      GetThread: async () => threadView([turn(1)]),
      GetTranscript: async ({ id }) => ({ run: run({ id, worker: 'agent' }), steps: [], promptTokens: 0, evalTokens: 0, tokensPerSecond: 0, notices: [] }),
      GetRun: async ({ id }) => ({ run: run({ id, worker: 'agent' }), changes: [], asks: [] }),
      SendMessage: async (req) => ({ thread: { ...threadView([]).thread, id: req.threadId }, turn: 2, run: run({ id: 'tr-new', worker: 'agent', state: 'created' }) }),
      ...impl,
    });
    setTransport(backend.transport);
  };
  beforeEach(() => {
    localStorage.clear();
    store.update(initialState);
    endpoints = [localEndpoint(), gpuBox(), vllm()];
  });
  afterEach(() => {
    setTransport(noBackend());
    store.update(initialState);
  });

  describe('in the runs panel', () => {
    const form = () => screen.getByRole('form', { name: 'Agent' });
    const modelPicker = () => within(form()).getByRole('combobox', { name: 'Model' }) as HTMLSelectElement;
    const endpointPicker = () => within(form()).getByRole('combobox', { name: 'Endpoint' }) as HTMLSelectElement;

    it('lists the chosen endpoint’s chat models and starts the run on it', async () => {
      start();
      render(<Runs />);
      await waitFor(() => expect(endpointPicker().value).toBe('local'));
      expect(options(endpointPicker())).toEqual([
        ['local', 'This machine'],
        ['gpu-box', 'gpu-box'],
        ['vllm', 'vllm · unreachable'],
      ]);
      expect(modelPicker().value).toBe('tiny:latest');

      fireEvent.change(endpointPicker(), { target: { value: 'gpu-box' } });
      await waitFor(() => expect(modelPicker().value).toBe('qwen3:32b'));
      expect(options(modelPicker())).toEqual([
        ['qwen3:32b', 'qwen3:32b'],
        ['gemma3:27b', 'gemma3:27b · chat only'],
      ]);
      expect(screen.getByTestId('model-why').textContent).toBe('Uses qwen3:32b: the first model on gpu-box');
      fireEvent.change(modelPicker(), { target: { value: 'gemma3:27b' } });
      expect(screen.getByTestId('model-why').textContent).toBe('Uses gemma3:27b: your choice, on gpu-box');

      fireEvent.change(within(form()).getByRole('textbox', { name: 'Task' }), { target: { value: 'Fix the typo' } });
      fireEvent.click(within(form()).getByRole('button', { name: 'Start' }));
      await waitFor(() => expect(backend.argsOf('StartAgentRun')).toHaveLength(1));
      expect(backend.argsOf('StartAgentRun')[0]).toMatchObject({ task: 'Fix the typo', model: 'gemma3:27b', endpoint: 'gpu-box' });
    });

    it('says an unreachable endpoint is unreachable, and starts nothing on it', async () => {
      start();
      render(<Runs />);
      await waitFor(() => expect(endpointPicker().value).toBe('local'));
      fireEvent.change(endpointPicker(), { target: { value: 'vllm' } });
      expect((await within(form()).findByRole('alert')).textContent).toContain('vllm: dial tcp 10.0.0.7:8000: connect: connection refused');
      fireEvent.change(within(form()).getByRole('textbox', { name: 'Task' }), { target: { value: 'Fix the typo' } });
      expect((within(form()).getByRole('button', { name: 'Start' }) as HTMLButtonElement).disabled).toBe(true);
    });

    it('with only the Studio’s own Ollama: no picker, and the run names no endpoint', async () => {
      endpoints = [localEndpoint()];
      start();
      render(<Runs />);
      await waitFor(() => expect(modelPicker().value).toBe('tiny:latest'));
      await waitFor(() => expect(backend.argsOf('Endpoints')).toHaveLength(1));
      expect(within(form()).queryByRole('combobox', { name: 'Endpoint' })).toBeNull();
      fireEvent.change(within(form()).getByRole('textbox', { name: 'Task' }), { target: { value: 'Fix the typo' } });
      fireEvent.click(within(form()).getByRole('button', { name: 'Start' }));
      await waitFor(() => expect(backend.argsOf('StartAgentRun')).toHaveLength(1));
      expect(backend.argsOf('StartAgentRun')[0]).not.toHaveProperty('endpoint');
      expect(backend.argsOf('StartAgentRun')[0]).toMatchObject({ model: 'tiny:latest' });
    });

    it('without an endpoint list (it failed): the Studio’s Ollama, as before', async () => {
      start({ Endpoints: async () => Promise.reject(new Error('the endpoints in settings.json cannot be read')) });
      render(<Runs />);
      await waitFor(() => expect(modelPicker().value).toBe('tiny:latest'));
      expect(within(form()).queryByRole('combobox', { name: 'Endpoint' })).toBeNull();
      expect(within(form()).queryByRole('alert')).toBeNull();
    });
  });

  describe('in a conversation', () => {
    const composer = () => screen.getByRole('form', { name: 'Message composer' });
    const endpointPicker = () => within(composer()).getByRole('combobox', { name: 'Endpoint' }) as HTMLSelectElement;
    const modelPicker = () => within(composer()).getByRole('combobox', { name: 'Model' }) as HTMLSelectElement;

    it('sends the chosen endpoint with the message, and remembers it when the composer comes back', async () => {
      start();
      const { unmount } = render(<Chat ws="w-ep" />);
      await waitFor(() => expect(endpointPicker().value).toBe('local'));
      fireEvent.change(endpointPicker(), { target: { value: 'gpu-box' } });
      await waitFor(() => expect(modelPicker().value).toBe('qwen3:32b'));
      const box = within(composer()).getByRole('textbox', { name: 'Message' });
      fireEvent.change(box, { target: { value: 'Explain main.go', selectionStart: 15, selectionEnd: 15 } });
      fireEvent.keyDown(box, { key: 'Enter' });
      await waitFor(() => expect(backend.argsOf('SendMessage')).toHaveLength(1));
      expect(backend.argsOf('SendMessage')[0]?.agent).toMatchObject({ model: 'qwen3:32b', endpoint: 'gpu-box' });
      unmount();

      render(<Chat ws="w-ep" />);
      await waitFor(() => expect(endpointPicker().value).toBe('gpu-box'));
      await waitFor(() => expect(modelPicker().value).toBe('qwen3:32b'));
    });

    it('falls back to the Studio’s Ollama when the remembered endpoint was removed', async () => {
      start();
      const { unmount } = render(<Chat ws="w-gone" />);
      await waitFor(() => expect(endpointPicker().value).toBe('local'));
      fireEvent.change(endpointPicker(), { target: { value: 'gpu-box' } });
      await waitFor(() => expect(modelPicker().value).toBe('qwen3:32b'));
      unmount();
      endpoints = [localEndpoint(), vllm()];
      render(<Chat ws="w-gone" />);
      await waitFor(() => expect(endpointPicker().value).toBe('local'));
      await waitFor(() => expect(modelPicker().value).toBe('tiny:latest'));
    });
  });
});
