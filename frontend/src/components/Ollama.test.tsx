import { fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setTransport, type OllamaStatus } from '../bridge';
import { initialState, store } from '../store';
import { fakeBackend, noBackend } from '../test/fakeBackend';
import { OllamaCard } from './Ollama';

const down: OllamaStatus = { host: 'http://127.0.0.1:11434', reachable: false, version: '', error: 'Ollama is not running.', checkedAt: 1, canStart: true, started: false };

describe('<OllamaCard>', () => {
  afterEach(() => {
    setTransport(noBackend());
    store.update(initialState);
  });

  it('offers to start an installed Ollama and shows it running, started by the Studio', async () => {
    const b = fakeBackend({ StartOllama: async () => ({ ...down, reachable: true, version: '0.6.5', error: '', canStart: false, started: true }) });
    setTransport(b.transport);
    store.update({ ollama: down });
    render(<OllamaCard />);
    fireEvent.click(screen.getByRole('button', { name: 'Start Ollama' }));
    await screen.findByText('Ollama 0.6.5 is running.');
    expect(screen.getByText(/Started by the Studio/)).toBeTruthy();
    expect(b.argsOf('StartOllama')).toHaveLength(1);
    expect(screen.queryByRole('button', { name: 'Start Ollama' })).toBeNull();
  });

  it('has no start button when Ollama is not installed', () => {
    setTransport(fakeBackend({}).transport);
    store.update({ ollama: { ...down, canStart: false } });
    render(<OllamaCard />);
    expect(screen.queryByRole('button', { name: 'Start Ollama' })).toBeNull();
    expect(screen.getByText('Ollama is not reachable.')).toBeTruthy();
  });
});
