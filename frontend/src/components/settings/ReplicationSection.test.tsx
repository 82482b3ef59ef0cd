// The settings screen's replication: each state as it reads, the request
// each kind of replica sends, the backend's refusal shown once beside the
// form, secrets never shown back, "Sync now" and its error, Remove behind a
// confirm, and the palette commands that reach it.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTransport, type Api, type ReplicaView } from '../../bridge';
import { initialState, store } from '../../store';
import { fakeBackend, noBackend } from '../../test/fakeBackend';
import { appCommands } from '../palette/appCommands';
import { replicaOff, replicating } from './replicaFixture';
import { ReplicationSection } from './ReplicationSection';

describe('<ReplicationSection>', () => {
  let view: ReplicaView;
  let backend: ReturnType<typeof fakeBackend>;
  const start = (impl: Partial<Api> = {}) => {
    backend = fakeBackend({ Replica: async () => view, ...impl });
    setTransport(backend.transport);
  };
  beforeEach(() => {
    store.update({ ...initialState, loading: false });
    view = replicaOff();
  });
  afterEach(() => {
    setTransport(noBackend());
    store.update(initialState);
  });

  const section = () => screen.getByRole('region', { name: 'Replication' });
  const form = () => screen.getByRole('form', { name: 'Replica settings' });
  const state = () => screen.getByTestId('replica-state');
  const input = (label: string) => within(form()).getByLabelText(label) as HTMLInputElement;
  const type = (label: string, value: string) => fireEvent.change(input(label), { target: { value } });

  it('without a replica: says it is off, offers no Sync now, and shows the help and the set-up form', async () => {
    start();
    render(<ReplicationSection />);
    await waitFor(() => expect(state().textContent).toBe('Off: no replica'));
    expect(state().className).toContain('off');
    expect(screen.queryByRole('button', { name: 'Sync now' })).toBeNull();
    expect(screen.queryByTestId('replica-holds')).toBeNull();
    expect(within(form()).getByRole('heading').textContent).toBe('Set up a replica');
    expect(within(form()).queryByRole('button', { name: 'Remove' })).toBeNull();
    expect(section().textContent).toContain(
      'The replica is the log\'s witness: at start the Studio compares its log with it and opens read-only if the log is shorter or differs; ice-studio verify --against URL checks it on the command line; ice-studio restore --from URL restores.',
    );
  });

  it('replicating: the dot, the URL, how far the replica is and how many wait, the last copy and the last anchor', async () => {
    view = replicating();
    start();
    render(<ReplicationSection />);
    await waitFor(() => expect(state().textContent).toBe('Replicating'));
    expect(state().className).toContain('ok');
    expect(within(section()).getByText('file:///mnt/backup/ice').className).toContain('mono');
    expect(screen.getByTestId('replica-holds').textContent).toBe('Replica holds seq 118 of 120 (2 waiting)');
    expect(screen.getByTestId('replica-last-copy').textContent).toBe('Last copy 3 s ago');
    expect(screen.getByTestId('replica-anchor').textContent).toBe('Last anchor: seq 110');
    expect(screen.queryByTestId('replica-error')).toBeNull();
    // The form starts from the configured replica: a folder, shown as its path.
    expect((within(form()).getByLabelText('Replica kind') as HTMLSelectElement).value).toBe('folder');
    expect(input('Replica folder').value).toBe('/mnt/backup/ice');
  });

  it('caught up, never copied, checking and stopped each read as they are', async () => {
    view = replicating({ seq: 120 });
    start();
    const { unmount } = render(<ReplicationSection />);
    await waitFor(() => expect(screen.getByTestId('replica-holds').textContent).toBe('Replica holds seq 120 of 120'));
    unmount();

    view = replicating({ state: 'checking', seq: 0, lastSyncAt: 0, lagMs: 0, anchoredSeq: 0 });
    store.update({ replica: null });
    const second = render(<ReplicationSection />);
    await waitFor(() => expect(state().textContent).toBe('Checking the log against the replica…'));
    expect(state().className).toContain('busy');
    expect(screen.getByTestId('replica-last-copy').textContent).toBe('No copy yet');
    expect(screen.getByTestId('replica-anchor').textContent).toBe('No anchor yet');
    second.unmount();

    view = replicating({ state: 'stopped', error: 'the log differs from the replica at seq 97: restore it (ice-studio restore --from URL)' });
    store.update({ replica: null });
    render(<ReplicationSection />);
    await waitFor(() => expect(state().textContent).toBe('Stopped'));
    expect(state().className).toContain('bad');
    expect(screen.getByTestId('replica-error').textContent).toBe('the log differs from the replica at seq 97: restore it (ice-studio restore --from URL)');
  });

  it('says when the replication cannot be read', async () => {
    start({ Replica: async () => Promise.reject(new Error('backend gone')) });
    render(<ReplicationSection />);
    expect((await screen.findByRole('alert')).textContent).toBe('Could not load the replication: backend gone');
    expect(screen.queryByTestId('replica-state')).toBeNull();
  });

  it('a folder: sends its path; the refusal shows once, inline, and goes once the field changes', async () => {
    let refuse = true;
    start({
      SetReplica: async (req) => {
        if (refuse) throw new Error('a replica inside the data folder is no witness: choose another disk or a mounted share');
        return replicating({ url: `file://${req.url}`, state: 'checking' });
      },
    });
    render(<ReplicationSection />);
    await waitFor(() => expect(state().textContent).toBe('Off: no replica'));
    const save = within(form()).getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    type('Replica folder', ' /home/u/.ice-studio/replica ');
    fireEvent.click(save);

    const alert = await within(form()).findByRole('alert');
    expect(alert.textContent).toBe('a replica inside the data folder is no witness: choose another disk or a mounted share');
    expect(screen.getAllByText('a replica inside the data folder is no witness: choose another disk or a mounted share')).toHaveLength(1);
    expect(store.get().toasts).toEqual([]);
    expect(backend.argsOf('SetReplica')).toEqual([{ url: '/home/u/.ice-studio/replica' }]);

    type('Replica folder', '/mnt/backup/ice');
    expect(within(form()).queryByRole('alert')).toBeNull();
    refuse = false;
    fireEvent.submit(form());
    await waitFor(() => expect(state().textContent).toBe('Checking the log against the replica…'));
    expect(backend.argsOf('SetReplica')[1]).toEqual({ url: '/mnt/backup/ice' });
    expect(store.get().replica?.url).toBe('file:///mnt/backup/ice');
    expect(within(form()).getByRole('heading').textContent).toBe('Change the replica');
  });

  it('SFTP: sends the URL with the key file and the password, only those', async () => {
    start({ SetReplica: async () => replicating({ url: 'sftp://me@backup:2222/ice', keyFile: '/home/u/.ssh/id_ed25519', hasPassword: true }) });
    render(<ReplicationSection />);
    await waitFor(() => expect(state().textContent).toBe('Off: no replica'));
    type('Replica folder', '/mnt/x');
    fireEvent.change(within(form()).getByLabelText('Replica kind'), { target: { value: 'sftp' } });
    // Another kind starts its URL afresh and asks for its own fields.
    expect(input('Replica URL').value).toBe('');
    expect(input('Replica URL').placeholder).toBe('sftp://you@backup-host:22/ice-studio');
    expect(within(form()).queryByLabelText('S3 access key id')).toBeNull();
    expect(input('SSH password').type).toBe('password');
    type('Replica URL', 'sftp://me@backup:2222/ice');
    type('SSH key file', '/home/u/.ssh/id_ed25519');
    type('SSH password', 'hunter2 ');
    fireEvent.click(within(form()).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(state().textContent).toBe('Replicating'));
    expect(backend.argsOf('SetReplica')).toEqual([{ url: 'sftp://me@backup:2222/ice', keyFile: '/home/u/.ssh/id_ed25519', password: 'hunter2 ' }]);
  });

  it('S3: sends the URL, endpoint, region and access key; Save waits for both halves of the key', async () => {
    start({ SetReplica: async () => replicating({ url: 's3://ice-log/studio' }) });
    render(<ReplicationSection />);
    await waitFor(() => expect(state().textContent).toBe('Off: no replica'));
    fireEvent.change(within(form()).getByLabelText('Replica kind'), { target: { value: 's3' } });
    expect(within(form()).queryByLabelText('SSH password')).toBeNull();
    type('Replica URL', 's3://ice-log/studio');
    type('S3 endpoint', 'http://127.0.0.1:8333');
    type('S3 region', 'us-east-1');
    type('S3 access key id', 'AKIDICE');
    const save = within(form()).getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    expect(save.title).toBe('Give the access key id and its secret first');
    expect(input('S3 secret access key').type).toBe('password');
    type('S3 secret access key', 's3cr3t');
    expect(save.disabled).toBe(false);
    fireEvent.click(save);
    await waitFor(() => expect(state().textContent).toBe('Replicating'));
    expect(backend.argsOf('SetReplica')).toEqual([
      { url: 's3://ice-log/studio', endpoint: 'http://127.0.0.1:8333', region: 'us-east-1', accessKeyId: 'AKIDICE', secretAccessKey: 's3cr3t' },
    ]);
    // The secret typed is gone from the form once kept.
    expect(input('S3 secret access key').value).toBe('');
    expect(screen.queryByDisplayValue('s3cr3t')).toBeNull();
  });

  it('never shows a password back: "password set", an empty field, and a Save that sends none unless typed', async () => {
    view = replicating({ url: 'sftp://me@backup/ice', keyFile: '/home/u/.ssh/id_ed25519', hasPassword: true });
    start({ SetReplica: async () => view });
    render(<ReplicationSection />);
    await waitFor(() => expect(state().textContent).toBe('Replicating'));
    expect((within(form()).getByLabelText('Replica kind') as HTMLSelectElement).value).toBe('sftp');
    expect(input('Replica URL').value).toBe('sftp://me@backup/ice');
    expect(input('SSH key file').value).toBe('/home/u/.ssh/id_ed25519');
    expect(within(form()).getByText('password set')).toBeTruthy();
    expect(input('SSH password').value).toBe('');
    expect(within(form()).getByText(/Save replaces the replica, so type them again \(empty: none\)/)).toBeTruthy();
    fireEvent.click(within(form()).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(backend.argsOf('SetReplica')).toHaveLength(1));
    expect(backend.argsOf('SetReplica')[0]).toEqual({ url: 'sftp://me@backup/ice', keyFile: '/home/u/.ssh/id_ed25519' });
  });

  it('Sync now copies and says how far; its error shows beside it, once', async () => {
    view = replicating();
    let fail = false;
    start({
      SyncReplica: async () => {
        if (fail) throw new Error('replication is not running (configure a replica in Settings → Replication)');
        return replicating({ seq: 120, anchoredSeq: 120, lagMs: 0 });
      },
    });
    render(<ReplicationSection />);
    fireEvent.click(await screen.findByRole('button', { name: 'Sync now' }));
    expect((await screen.findByRole('status')).textContent).toBe('Copied: the replica holds seq 120.');
    expect(screen.getByTestId('replica-holds').textContent).toBe('Replica holds seq 120 of 120');
    expect(screen.getByTestId('replica-anchor').textContent).toBe('Last anchor: seq 120');
    expect(backend.argsOf('SyncReplica')).toHaveLength(1);

    fail = true;
    fireEvent.click(screen.getByRole('button', { name: 'Sync now' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('replication is not running (configure a replica in Settings → Replication)');
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(screen.queryByRole('status')).toBeNull();
    expect(store.get().toasts).toEqual([]);
  });

  it('removes only after a confirm, with an empty URL', async () => {
    view = replicating();
    start({ SetReplica: async () => replicaOff() });
    render(<ReplicationSection />);
    await waitFor(() => expect(state().textContent).toBe('Replicating'));
    fireEvent.click(within(form()).getByRole('button', { name: 'Remove' }));
    const confirm = within(form()).getByRole('group', { name: 'Remove the replica?' });
    expect(confirm.textContent).toContain('Stop replicating to file:///mnt/backup/ice?');
    fireEvent.click(within(confirm).getByRole('button', { name: 'Keep' }));
    expect(within(form()).queryByRole('group', { name: 'Remove the replica?' })).toBeNull();
    expect(backend.argsOf('SetReplica')).toEqual([]);

    fireEvent.click(within(form()).getByRole('button', { name: 'Remove' }));
    fireEvent.click(within(within(form()).getByRole('group', { name: 'Remove the replica?' })).getByRole('button', { name: 'Remove the replica' }));
    await waitFor(() => expect(state().textContent).toBe('Off: no replica'));
    expect(backend.argsOf('SetReplica')).toEqual([{ url: '' }]);
    expect(screen.queryByRole('button', { name: 'Sync now' })).toBeNull();
  });

  it('"Log: Replication settings…" opens the settings with the section asked for, and the section takes the focus', async () => {
    start();
    const cmd = appCommands(store).find((c) => c.id === 'log.replicationSettings');
    expect(cmd?.category).toBe('Log');
    expect(cmd?.title).toBe('Replication settings…');
    void cmd?.run();
    expect(store.get()).toMatchObject({ view: 'settings', settingsSection: 'replication' });
    render(<ReplicationSection />);
    await waitFor(() => expect(document.activeElement).toBe(within(form()).getByLabelText('Replica kind')));
    expect(store.get().settingsSection).toBeNull();
  });

  it('"Log: Sync the replica now" syncs and says so, or says why not', async () => {
    let fail = false;
    start({
      SyncReplica: async () => {
        if (fail) throw new Error('replication is not running (configure a replica in Settings → Replication)');
        return replicating({ seq: 120, anchoredSeq: 120 });
      },
    });
    const cmd = appCommands(store).find((c) => c.id === 'log.syncReplica');
    expect(cmd?.title).toBe('Sync the replica now');
    await cmd?.run();
    expect(store.get().toasts.map((t) => [t.kind, t.text])).toEqual([['info', 'The replica holds the log up to seq 120, anchored at seq 120.']]);
    expect(store.get().replica?.seq).toBe(120);
    fail = true;
    await cmd?.run();
    expect(store.get().toasts.map((t) => [t.kind, t.text])[1]).toEqual([
      'error',
      'Could not sync the replica: replication is not running (configure a replica in Settings → Replication)',
    ]);
  });
});
