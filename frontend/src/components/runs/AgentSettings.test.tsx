// A composer says which model it will use, and why: chosen, the default,
// the only one installed, or the first because no default is set.
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTransport, type ModelInfo, type ModelsState } from '../../bridge';
import { initialState, store } from '../../store';
import { fakeBackend, noBackend } from '../../test/fakeBackend';
import { modelChoice, ModelPicker, useAgentSettings } from './AgentSettings';

const model = (name: string, capabilities = ['completion', 'tools']): ModelInfo =>
  ({ name, digest: `sha256:${name}`, size: 1, modifiedAt: 0, family: 'llama', parameters: '1B', quantization: 'Q4', format: 'gguf', capabilities }) as ModelInfo;

describe('modelChoice', () => {
  const two = [model('a:latest'), model('b:latest')];
  it.each([
    [two, 'b:latest', 'a:latest', 'b:latest', 'chosen'],
    [two, '', 'b:latest', 'b:latest', 'default'],
    [two, 'a:latest', 'a:latest', 'a:latest', 'default'],
    [[model('a:latest')], '', '', 'a:latest', 'only'],
    [two, '', '', 'a:latest', 'first'],
    [two, '', 'gone:7b', 'a:latest', 'first'],
    [[], '', 'a:latest', '', 'none'],
  ] as const)('case %#', (list, chosen, def, want, why) => {
    expect(modelChoice([...list], chosen, def)).toMatchObject({ model: want, why });
  });
  it('says why in words', () => {
    expect(modelChoice([model('a:latest'), model('b:latest')], '', '').text).toBe('the first chat model installed: no default is set (set one in Models)');
    expect(modelChoice([model('a:latest'), model('b:latest')], '', 'gone:7b').text).toBe('the first chat model installed: the default, gone:7b, is not installed');
    expect(modelChoice([model('a:latest')], '', '').text).toBe('the only chat model installed');
    expect(modelChoice([model('a:latest'), model('b:latest')], '', 'b:latest').text).toBe('the default chat model (set in Models)');
    expect(modelChoice([model('a:latest'), model('b:latest')], 'a:latest', 'b:latest').text).toBe('your choice');
  });
});

function Picker() {
  const s = useAgentSettings();
  return <ModelPicker s={s} />;
}

describe('<ModelPicker> shows the model that will be used and why', () => {
  let state: ModelsState;
  beforeEach(() => {
    store.update(initialState);
    state = { models: [model('embed:latest', ['embedding']), model('qwen3:4b'), model('tiny:latest')], pulls: [], defaultChat: '', defaultEmbed: '' } as unknown as ModelsState;
    setTransport(fakeBackend({ ListModels: async () => state }).transport);
  });
  afterEach(() => setTransport(noBackend()));

  it('with no default set: the first installed, said so', async () => {
    render(<Picker />);
    const why = await screen.findByTestId('model-why');
    expect(why.textContent).toBe('Uses qwen3:4b: the first chat model installed: no default is set (set one in Models)');
    fireEvent.change(screen.getByRole('combobox', { name: 'Model' }), { target: { value: 'tiny:latest' } });
    await waitFor(() => expect(screen.getByTestId('model-why').textContent).toBe('Uses tiny:latest: your choice'));
  });

  it('with a default: the default, said so', async () => {
    state = { ...state, defaultChat: 'tiny:latest' };
    render(<Picker />);
    await waitFor(() => expect(screen.getByTestId('model-why').textContent).toBe('Uses tiny:latest: the default chat model (set in Models)'));
  });
});
