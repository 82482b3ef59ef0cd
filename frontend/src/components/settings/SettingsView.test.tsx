import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../../bridge';
import { initialState, store } from '../../store';
import { fakeBackend, noBackend } from '../../test/fakeBackend';
import { SettingsView } from './SettingsView';
import { settings } from './settingsFixture';
import type { FieldKey } from './settingsFormat';

describe('<SettingsView>', () => {
  beforeEach(() => {
    setTransport(fakeBackend({ ListModels: async () => ({ models: [], pulls: [], defaultChat: '', defaultEmbed: '' }) }).transport);
    store.update({ ...initialState, loading: false, settings: settings() });
  });
  afterEach(() => setTransport(noBackend()));

  const form = (name: string) => screen.getByRole('form', { name });

  it('shows each setting with its source', () => {
    render(<SettingsView save={async () => null} />);
    expect(within(form('Default chat model')).getByTestId('defaultChat-source').textContent).toBe('settings.json');
    expect(within(form('Context window')).getByTestId('numCtx-source').textContent).toBe('default');
    expect(within(form('Default chat model')).getByRole('button', { name: 'Reset' })).toBeTruthy();
    expect(within(form('Context window')).queryByRole('button', { name: 'Reset' })).toBeNull();
  });

  it('refuses a bad value beside the field without saving, and saves a good one', async () => {
    const saved: [FieldKey, unknown][] = [];
    render(<SettingsView save={async (k, v) => (saved.push([k, v]), null)} />);
    const f = form('Context window');
    const input = within(f).getByLabelText('Context window');
    fireEvent.change(input, { target: { value: '100' } });
    fireEvent.click(within(f).getByRole('button', { name: 'Save' }));
    expect(within(f).getByRole('alert').textContent).toBe("give 0 (the model's) or 512 to 1048576 tokens");
    expect(saved).toEqual([]);
    fireEvent.change(input, { target: { value: '4096' } });
    expect(within(f).queryByRole('alert')).toBeNull();
    fireEvent.submit(f);
    await waitFor(() => expect(saved).toEqual([['numCtx', 4096]]));
  });

  it('shows the backend refusal inline, without the field name', async () => {
    render(<SettingsView save={async () => 'Default chat model: model "nope" not found, try pulling it first'} />);
    const f = form('Default chat model');
    fireEvent.change(within(f).getByLabelText('Default chat model'), { target: { value: 'nope' } });
    fireEvent.submit(f);
    expect((await within(f).findByRole('alert')).textContent).toBe('model "nope" not found, try pulling it first');
  });

  it('saves the theme as soon as it is chosen, and Reset takes a setting out of the file', async () => {
    const saved: [FieldKey, unknown][] = [];
    render(<SettingsView save={async (k, v) => (saved.push([k, v]), null)} />);
    fireEvent.change(within(form('Theme')).getByLabelText('Theme'), { target: { value: 'light' } });
    fireEvent.click(within(form('Default chat model')).getByRole('button', { name: 'Reset' }));
    await waitFor(() =>
      expect(saved).toEqual([
        ['theme', 'light'],
        ['defaultChat', null],
      ]),
    );
  });

  it('says when an environment variable wins', () => {
    store.update({ settings: settings({ ollamaHost: { value: 'http://127.0.0.1:9', default: 'http://127.0.0.1:11434', source: 'env', env: 'OLLAMA_HOST' } }) });
    render(<SettingsView save={async () => null} />);
    expect(within(form('Ollama endpoint')).getByText('$OLLAMA_HOST is set, so it wins over this setting.')).toBeTruthy();
  });
});
