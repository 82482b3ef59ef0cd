// The status bar's replica item: how each state reads, nothing without a
// replica (or a backend that cannot say), reading again every 5 s and on
// focus only while a replica is configured, and a click that opens the
// settings' Replication section.
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setTransport, type ReplicaView } from '../../bridge';
import { initialState, store } from '../../store';
import { fakeBackend, noBackend } from '../../test/fakeBackend';
import { StatusBar } from '../Chrome';
import { replicaOff, replicating } from './replicaFixture';
import { ReplicaStatusItem } from './ReplicaStatusItem';
import { replicaPollMs } from './useReplica';

describe('<ReplicaStatusItem>', () => {
  let view: ReplicaView;
  let backend: ReturnType<typeof fakeBackend>;
  const start = () => {
    backend = fakeBackend({ Replica: async () => view });
    setTransport(backend.transport);
  };
  beforeEach(() => {
    store.update({ ...initialState, loading: false });
    view = replicaOff();
  });
  afterEach(() => {
    vi.useRealTimers();
    setTransport(noBackend());
    store.update(initialState);
  });
  const item = () => screen.getByTestId('replica-indicator');
  const reads = () => backend.argsOf('Replica').length;

  it('replicating: a tick and how long since the last copy, where and how far in its title', async () => {
    view = replicating({ lagMs: 2400 });
    start();
    render(<ReplicaStatusItem />);
    await waitFor(() => expect(item().textContent).toBe(' Replica ✓ 2 s'));
    expect(item().className).toContain('ok');
    expect(item().className).not.toContain('warn');
    expect(item().title).toBe('file:///mnt/backup/ice · Replica holds seq 118 of 120 (2 waiting) · Last copy 2 s ago');
  });

  it('reads as checking, first copy and stopped (warning colour, the error as its title)', async () => {
    view = replicating({ state: 'checking' });
    start();
    render(<ReplicaStatusItem />);
    await waitFor(() => expect(item().textContent).toBe(' Replica: checking…'));
    expect(item().className).not.toContain('warn');

    act(() => store.update({ replica: replicating({ lastSyncAt: 0, lagMs: 0 }) }));
    expect(item().textContent).toBe(' Replica: first copy…');

    act(() => store.update({ replica: replicating({ state: 'stopped', error: 'sftp: dial tcp 10.0.0.9:22: connect: connection refused' }) }));
    expect(item().textContent).toBe(' Replica stopped');
    expect(item().className).toContain('warn');
    expect(item().title).toBe('sftp: dial tcp 10.0.0.9:22: connect: connection refused');
  });

  it('shows nothing without a replica, or when the backend cannot say', async () => {
    start();
    const { container, unmount } = render(<StatusBar />);
    await waitFor(() => expect(reads()).toBe(1));
    await waitFor(() => expect(store.get().replica).not.toBeNull());
    expect(screen.queryByTestId('replica-indicator')).toBeNull();
    expect(container.textContent).not.toContain('Replica');
    unmount();

    setTransport(fakeBackend({}).transport);
    store.update({ replica: replicating() });
    render(<ReplicaStatusItem />);
    await waitFor(() => expect(store.get().replica).toBeNull());
    expect(screen.queryByTestId('replica-indicator')).toBeNull();
  });

  it('reads again every 5 s and on focus while configured, and stops once the replica is removed', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    view = replicating();
    start();
    render(<ReplicaStatusItem />);
    await waitFor(() => expect(item().textContent).toBe(' Replica ✓ 3 s'));
    expect(reads()).toBe(1);

    view = replicating({ lagMs: 1000, seq: 120 });
    await act(async () => vi.advanceTimersByTime(replicaPollMs));
    await waitFor(() => expect(item().textContent).toBe(' Replica ✓ 1 s'));
    expect(reads()).toBe(2);

    fireEvent.focus(window);
    await waitFor(() => expect(reads()).toBe(3));

    view = replicaOff();
    await act(async () => vi.advanceTimersByTime(replicaPollMs));
    await waitFor(() => expect(screen.queryByTestId('replica-indicator')).toBeNull());
    const after = reads();
    await act(async () => vi.advanceTimersByTime(3 * replicaPollMs));
    fireEvent.focus(window);
    expect(reads()).toBe(after);
  });

  it('without a replica, nothing is read again', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    start();
    render(<ReplicaStatusItem />);
    // Testing Library's waitFor polls with setInterval, faked here; nothing on screen changes to wake it.
    await vi.waitFor(() => expect(store.get().replica).not.toBeNull());
    await act(async () => vi.advanceTimersByTime(4 * replicaPollMs));
    fireEvent.focus(window);
    expect(reads()).toBe(1);
  });

  it('a click opens the settings at the Replication section', async () => {
    view = replicating();
    start();
    render(<ReplicaStatusItem />);
    fireEvent.click(await screen.findByTestId('replica-indicator'));
    expect(store.get()).toMatchObject({ view: 'settings', settingsSection: 'replication' });
  });
});
