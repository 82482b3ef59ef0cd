// The settings screen's model endpoints: what each one is and whether it
// answers, the Add form's request and its refusal shown once, beside it,
// Remove behind a confirm, and the palette command that opens the form.
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTransport, type AddEndpointRequest, type Api, type EndpointView } from '../../bridge';
import { commands } from '../../commands';
import { initialState, store } from '../../store';
import { fakeBackend, noBackend } from '../../test/fakeBackend';
import { appCommands } from '../palette/appCommands';
import { EndpointsSection } from './EndpointsSection';
import { gpuBox, localEndpoint, vllm } from './endpointsFixture';

describe('<EndpointsSection>', () => {
  let list: EndpointView[];
  let backend: ReturnType<typeof fakeBackend>;
  const start = (impl: Partial<Api> = {}) => {
    backend = fakeBackend({ Endpoints: async () => list, ...impl });
    setTransport(backend.transport);
  };
  beforeEach(() => {
    store.update({ ...initialState, loading: false });
    list = [localEndpoint(), gpuBox(), vllm()];
  });
  afterEach(() => {
    setTransport(noBackend());
    store.update(initialState);
  });

  const item = (name: string) => screen.getByRole('listitem', { name: `Endpoint ${name}` });
  const addForm = () => screen.getByRole('form', { name: 'Add a model endpoint' });

  it('lists each endpoint with its kind, URL, health, error, models folded and "key set", never the key', async () => {
    start();
    render(<EndpointsSection />);
    await screen.findByRole('listitem', { name: 'Endpoint vllm' });

    const local = item('This machine');
    expect(within(local).getByTestId('endpoint-kind').textContent).toBe('Ollama');
    expect(within(local).getByTestId('endpoint-health').textContent).toBe('reachable · Ollama 0.6.5');
    expect(within(local).getByTestId('endpoint-health').className).toContain('ok');
    expect(within(local).queryByText('key set')).toBeNull();

    const gpu = item('gpu-box');
    expect(within(gpu).getByText('http://gpu-box:11434').className).toContain('mono');
    const models = gpu.querySelector('details') as HTMLDetailsElement;
    expect(models.open).toBe(false);
    expect(within(gpu).getByText('3 models').tagName).toBe('SUMMARY');
    expect(within(gpu).getByText('qwen3:32b, gemma3:27b, nomic-embed-text:latest')).toBeTruthy();

    const v = item('vllm');
    expect(within(v).getByTestId('endpoint-kind').textContent).toBe('OpenAI-compatible');
    expect(within(v).getByTestId('endpoint-health').textContent).toBe('unreachable');
    expect(within(v).getByTestId('endpoint-health').className).toContain('bad');
    expect(within(v).getByTestId('endpoint-error').textContent).toBe('dial tcp 10.0.0.7:8000: connect: connection refused');
    expect(within(v).getByText('key set')).toBeTruthy();
    expect(within(v).getByText('no models')).toBeTruthy();
  });

  it('adds with the request typed; the refusal shows once, inline, and is gone once the field changes', async () => {
    const added = gpuBox({ id: 'lab', name: 'lab', kind: 'openai', url: 'http://lab:8000/v1', hasKey: true });
    let refuse = true;
    start({
      AddEndpoint: async (req) => {
        if (refuse) throw new Error('put the API key in its own field, not in the URL');
        return [...list, { ...added, name: req.name }];
      },
    });
    render(<EndpointsSection />);
    await screen.findByRole('listitem', { name: 'Endpoint gpu-box' });
    const f = addForm();
    const url = within(f).getByLabelText('Endpoint URL') as HTMLInputElement;
    expect(url.placeholder).toBe('http://gpu-box:11434');
    fireEvent.change(within(f).getByLabelText('Endpoint kind'), { target: { value: 'openai' } });
    expect(url.placeholder).toBe('http://host:8000/v1');
    fireEvent.change(within(f).getByLabelText('Endpoint name'), { target: { value: ' lab ' } });
    fireEvent.change(url, { target: { value: 'http://me:secret@lab:8000/v1' } });
    const key = within(f).getByLabelText('API key') as HTMLInputElement;
    expect(key.type).toBe('password');
    fireEvent.change(key, { target: { value: 'sk-123' } });
    fireEvent.click(within(f).getByRole('button', { name: 'Add' }));

    const alert = await within(f).findByRole('alert');
    expect(alert.textContent).toBe('put the API key in its own field, not in the URL');
    expect(screen.getAllByText('put the API key in its own field, not in the URL')).toHaveLength(1);
    expect(store.get().toasts).toEqual([]);
    expect(backend.argsOf('AddEndpoint')).toEqual<AddEndpointRequest[]>([{ name: 'lab', kind: 'openai', url: 'http://me:secret@lab:8000/v1', apiKey: 'sk-123' }]);

    fireEvent.change(url, { target: { value: 'http://lab:8000/v1' } });
    expect(within(f).queryByRole('alert')).toBeNull();
    refuse = false;
    fireEvent.submit(f);
    await screen.findByRole('listitem', { name: 'Endpoint lab' });
    expect(backend.argsOf('AddEndpoint')[1]).toEqual({ name: 'lab', kind: 'openai', url: 'http://lab:8000/v1', apiKey: 'sk-123' });
    expect(within(f).getByRole('status').textContent).toBe('Added lab.');
    expect((within(f).getByLabelText('API key') as HTMLInputElement).value).toBe('');
    expect(screen.queryByText('sk-123')).toBeNull();
  });

  it('says an Add with an existing name replaces it, key included', async () => {
    start({ AddEndpoint: async () => list });
    render(<EndpointsSection />);
    await screen.findByRole('listitem', { name: 'Endpoint vllm' });
    const f = addForm();
    fireEvent.change(within(f).getByLabelText('Endpoint name'), { target: { value: 'VLLM' } });
    fireEvent.change(within(f).getByLabelText('Endpoint URL'), { target: { value: 'http://10.0.0.8:8000/v1' } });
    expect(within(f).getByText('vllm exists: Add replaces it, and its key with the one typed here (empty: no key).')).toBeTruthy();
    fireEvent.click(within(f).getByRole('button', { name: 'Replace' }));
    await waitFor(() => expect(within(f).getByRole('status').textContent).toBe('Replaced VLLM.'));
    expect(backend.argsOf('AddEndpoint')).toEqual([{ name: 'VLLM', kind: 'ollama', url: 'http://10.0.0.8:8000/v1', apiKey: '' }]);
  });

  it('removes only after a confirm, and never offers to remove the Studio’s own Ollama', async () => {
    start({ RemoveEndpoint: async ({ id }) => list.filter((e) => e.id !== id) });
    render(<EndpointsSection />);
    await screen.findByRole('listitem', { name: 'Endpoint gpu-box' });
    expect(within(item('This machine')).queryByRole('button', { name: /Remove/ })).toBeNull();

    fireEvent.click(within(item('gpu-box')).getByRole('button', { name: 'Remove gpu-box' }));
    const confirm = within(item('gpu-box')).getByRole('group', { name: 'Remove gpu-box?' });
    fireEvent.click(within(confirm).getByRole('button', { name: 'Keep' }));
    expect(within(item('gpu-box')).queryByRole('group', { name: 'Remove gpu-box?' })).toBeNull();
    expect(backend.argsOf('RemoveEndpoint')).toEqual([]);

    fireEvent.click(within(item('gpu-box')).getByRole('button', { name: 'Remove gpu-box' }));
    fireEvent.click(within(within(item('gpu-box')).getByRole('group', { name: 'Remove gpu-box?' })).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(screen.queryByRole('listitem', { name: 'Endpoint gpu-box' })).toBeNull());
    expect(backend.argsOf('RemoveEndpoint')).toEqual([{ id: 'gpu-box' }]);
  });

  it('shows a failed removal in the endpoint, once', async () => {
    start({ RemoveEndpoint: async () => Promise.reject(new Error('settings.json cannot be written: read-only file system')) });
    render(<EndpointsSection />);
    await screen.findByRole('listitem', { name: 'Endpoint gpu-box' });
    fireEvent.click(within(item('gpu-box')).getByRole('button', { name: 'Remove gpu-box' }));
    fireEvent.click(within(within(item('gpu-box')).getByRole('group', { name: 'Remove gpu-box?' })).getByRole('button', { name: 'Remove' }));
    expect((await within(item('gpu-box')).findByRole('alert')).textContent).toBe('settings.json cannot be written: read-only file system');
    expect(screen.getAllByRole('alert')).toHaveLength(1);
  });

  it('refreshes: the endpoints are asked again', async () => {
    start();
    render(<EndpointsSection />);
    await screen.findByRole('listitem', { name: 'Endpoint gpu-box' });
    list = [localEndpoint(), gpuBox({ reachable: false, version: '', models: [], error: 'context deadline exceeded' })];
    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(within(item('gpu-box')).getByTestId('endpoint-health').textContent).toBe('unreachable'));
    expect(screen.queryByRole('listitem', { name: 'Endpoint vllm' })).toBeNull();
    expect(backend.argsOf('Endpoints')).toHaveLength(2);
  });

  it('says when the endpoints cannot be listed', async () => {
    start({ Endpoints: async () => Promise.reject(new Error('the endpoints in settings.json cannot be read (fix them in the file)')) });
    render(<EndpointsSection />);
    expect((await screen.findByRole('alert')).textContent).toBe('Could not load the model endpoints: the endpoints in settings.json cannot be read (fix them in the file)');
  });

  it('"Models: Add an endpoint…" opens the settings with the Add form focused', async () => {
    start();
    const cmd = appCommands(store).find((c) => c.title === 'Add an endpoint…');
    expect(cmd?.category).toBe('Models');
    const off = commands.add(appCommands(store));
    try {
      act(() => {
        commands.run('models.addEndpoint');
      });
    } finally {
      off();
    }
    expect(store.get().view).toBe('settings');
    render(<EndpointsSection />);
    await waitFor(() => expect(document.activeElement).toBe(within(addForm()).getByLabelText('Endpoint name')));
    expect(store.get().settingsSection).toBeNull();
  });
});
