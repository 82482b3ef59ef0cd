import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSandboxStatus, subscribeBackend } from '../actions';
import { Events, setTransport, type WorkspaceStatus } from '../bridge';
import { initialState, store } from '../store';
import { fakeBackend, noBackend, sandboxState } from '../test/fakeBackend';
import { StatusBar, TitleBar, Toasts } from './Chrome';

const tabs = () =>
  within(screen.getByRole('navigation', { name: 'Workspaces' }))
    .getAllByRole('button')
    .filter((b) => b.classList.contains('tab'));
const current = () => tabs().filter((b) => b.getAttribute('aria-current') === 'page').map((b) => b.textContent);

const twoWorkspaces = () =>
  store.update({
    ...initialState,
    loading: false,
    workspaces: [
      { id: 'w1', name: 'alpha', root: '/home/u/alpha', openedAt: 1 },
      { id: 'w2', name: 'beta', root: '/home/u/beta', openedAt: 2 },
    ],
  });

describe('<TitleBar>', () => {
  beforeEach(twoWorkspaces);
  afterEach(() => {
    setTransport(noBackend());
    store.update(initialState);
  });

  it('puts the Event log tab right after Welcome, before the workspaces', () => {
    render(<TitleBar />);
    expect(tabs().map((b) => b.textContent)).toEqual(['Welcome', 'Event log', 'Models', 'alpha', 'beta', 'Settings']);
    expect(current()).toEqual(['Welcome']);
  });

  it('opens the Models screen from its tab', () => {
    render(<TitleBar />);
    fireEvent.click(screen.getByRole('button', { name: 'Models' }));
    expect(store.get().view).toBe('models');
    expect(current()).toEqual(['Models']);
  });

  it('switches between the event log, the welcome screen and a workspace, one tab active at a time', () => {
    render(<TitleBar />);
    fireEvent.click(screen.getByRole('button', { name: 'Event log' }));
    expect(store.get().view).toBe('events');
    expect(current()).toEqual(['Event log']);
    expect(screen.getByRole('button', { name: 'Event log' }).classList.contains('active')).toBe(true);

    fireEvent.click(screen.getByRole('button', { name: 'beta' }));
    expect(store.get()).toMatchObject({ view: 'workspaces', activeWorkspace: 'w2' });
    expect(current()).toEqual(['beta']);

    fireEvent.click(screen.getByRole('button', { name: 'Event log' }));
    // The workspace stays open behind the event log.
    expect(store.get()).toMatchObject({ view: 'events', activeWorkspace: 'w2' });
    expect(current()).toEqual(['Event log']);

    fireEvent.click(screen.getByRole('button', { name: 'Welcome' }));
    expect(store.get()).toMatchObject({ view: 'workspaces', activeWorkspace: null });
    expect(current()).toEqual(['Welcome']);
  });

  it('closes a workspace with its × button: the backend is told, the tab goes and the next one shows', async () => {
    const backend = fakeBackend({ CloseWorkspace: async () => {} });
    setTransport(backend.transport);
    store.showWorkspace('w1');
    render(<TitleBar />);
    fireEvent.click(screen.getByRole('button', { name: 'Close alpha' }));
    await waitFor(() => expect(tabs().map((b) => b.textContent)).toEqual(['Welcome', 'Event log', 'Models', 'beta', 'Settings']));
    expect(backend.argsOf('CloseWorkspace')).toEqual([{ workspaceId: 'w1' }]);
    expect(current()).toEqual(['beta']);

    fireEvent.click(screen.getByRole('button', { name: 'Close beta' }));
    await waitFor(() => expect(current()).toEqual(['Welcome']));
    expect(tabs().map((b) => b.textContent)).toEqual(['Welcome', 'Event log', 'Models', 'Settings']);
  });

  it('keeps the tab and says why when closing fails', async () => {
    setTransport(fakeBackend({ CloseWorkspace: async () => Promise.reject(new Error('disk on fire')) }).transport);
    render(<TitleBar />);
    fireEvent.click(screen.getByRole('button', { name: 'Close beta' }));
    await waitFor(() => expect(store.get().toasts.map((t) => t.text)).toEqual(['Could not close the workspace: disk on fire']));
    expect(tabs().map((b) => b.textContent)).toContain('beta');
  });

  it('takes away a tab the backend no longer has open', async () => {
    setTransport(fakeBackend({ CloseWorkspace: async () => Promise.reject(new Error('workspace is not open: w2')) }).transport);
    render(<TitleBar />);
    fireEvent.click(screen.getByRole('button', { name: 'Close beta' }));
    await waitFor(() => expect(tabs().map((b) => b.textContent)).toEqual(['Welcome', 'Event log', 'Models', 'alpha', 'Settings']));
    expect(store.get().toasts).toEqual([]);
  });

  it('takes a tab away when the backend says the workspace closed (another window closed it)', () => {
    const backend = fakeBackend({});
    setTransport(backend.transport);
    const off = subscribeBackend();
    try {
      store.showWorkspace('w2');
      render(<TitleBar />);
      act(() => backend.emit(Events.WorkspaceClosed, { workspaceId: 'w2' }));
      expect(tabs().map((b) => b.textContent)).toEqual(['Welcome', 'Event log', 'Models', 'alpha', 'Settings']);
      expect(current()).toEqual(['alpha']);
    } finally {
      off();
    }
  });
});

const status = (over: { watch?: Partial<WorkspaceStatus['watch']>; index?: Partial<WorkspaceStatus['index']>; recordError?: string } = {}): WorkspaceStatus => ({
  workspaceId: 'w1',
  watch: { mode: 'watching', watches: 12, files: 11478, rescans: 0, ...over.watch },
  index: { state: 'ready', total: 11478, indexed: 11478, bytes: 3 << 20, ...over.index },
  recordError: over.recordError,
});

describe('<StatusBar>', () => {
  let backend: ReturnType<typeof fakeBackend>;
  let off: () => void;
  beforeEach(() => {
    twoWorkspaces();
    store.showWorkspace('w1');
    backend = fakeBackend({ WorkspaceStatus: async ({ workspaceId }) => ({ ...status({ index: { state: 'indexing', indexed: 1234 } }), workspaceId }) });
    setTransport(backend.transport);
    off = subscribeBackend();
  });
  afterEach(() => {
    off();
    setTransport(noBackend());
    store.update(initialState);
  });
  const health = () => screen.getByLabelText('Workspace status');
  const push = (st: WorkspaceStatus) => act(() => backend.emit(Events.WorkspaceStatus, st));

  it('asks for the active workspace status and shows index progress with a bar', async () => {
    render(<StatusBar />);
    await waitFor(() => expect(health().textContent).toContain('Indexing 1,234 / 11,478'));
    expect(backend.argsOf('WorkspaceStatus')).toEqual([{ workspaceId: 'w1' }]);
    expect(health().textContent).toContain('Watching 12 folders');
    expect(health().textContent).toContain('11,478 files');
    const bar = within(health()).getByRole('progressbar', { name: 'Index progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('1234');
    expect(bar.getAttribute('aria-valuemax')).toBe('11478');
  });

  it('follows status notifications: index ready, index off, polling in a warning style, folder missing', async () => {
    render(<StatusBar />);
    await waitFor(() => expect(health().textContent).toContain('Indexing'));

    push(status());
    expect(health().textContent).toContain('Index ready');
    expect(within(health()).queryByRole('progressbar')).toBeNull();

    push(status({ index: { state: 'off', error: 'database is locked' } }));
    expect(health().textContent).toContain('Index off: database is locked');

    push(status({ watch: { mode: 'polling', reason: 'the system limit of watches is reached' } }));
    const polling = within(health()).getByText('Polling every 2 s — the system limit of watches is reached');
    expect(polling.classList.contains('warn')).toBe(true);

    push(status({ watch: { mode: 'missing', reason: 'the folder was deleted or moved' } }));
    expect(within(health()).getByText('Folder missing').getAttribute('title')).toBe('the folder was deleted or moved');

    // Another workspace's status does not show here.
    push({ ...status({ watch: { mode: 'polling', reason: 'elsewhere' } }), workspaceId: 'w2' });
    expect(health().textContent).not.toContain('elsewhere');
  });

  it('counts warnings and lists them when clicked; Escape closes the list', async () => {
    render(<StatusBar />);
    await waitFor(() => expect(health().textContent).toContain('Indexing'));
    push(
      status({
        watch: {
          warnings: [
            { path: 'secret', reason: 'permission denied' },
            { path: 'big/dir', reason: 'too many files to watch' },
          ],
        },
      }),
    );
    const button = screen.getByRole('button', { name: /2 warnings/ });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(button);
    const list = screen.getByRole('dialog', { name: 'Watch warnings' });
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['secretpermission denied', 'big/dirtoo many files to watch']);
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(screen.queryByRole('dialog', { name: 'Watch warnings' })).toBeNull();
  });

  it('shows that changes could not be recorded', async () => {
    render(<StatusBar />);
    await waitFor(() => expect(health().textContent).toContain('Indexing'));
    push(status({ recordError: 'file changes could not be recorded (disk full); they will be at the next open' }));
    expect(within(health()).getByText(/could not be recorded \(disk full\)/).classList.contains('error')).toBe(true);
  });

  it('shows nothing about workspaces on the welcome screen', () => {
    store.showWorkspace(null);
    render(<StatusBar />);
    expect(screen.queryByLabelText('Workspace status')).toBeNull();
    expect(screen.getByText('No folder open')).toBeTruthy();
    expect(backend.argsOf('WorkspaceStatus')).toEqual([]);
  });
});

describe('<StatusBar> sandbox indicator', () => {
  beforeEach(() => {
    twoWorkspaces();
    store.showWorkspace('w1');
  });
  afterEach(() => {
    setTransport(noBackend());
    store.update(initialState);
  });
  const indicator = () => screen.getByTestId('sandbox-indicator');

  it('names the sandbox and its layers when available, fetched from the backend', async () => {
    const backend = fakeBackend({ SandboxStatus: async () => sandboxState(), WorkspaceStatus: async () => Promise.reject(new Error('not here')) });
    setTransport(backend.transport);
    render(<StatusBar />);
    expect(screen.queryByTestId('sandbox-indicator')).toBeNull();
    await act(() => loadSandboxStatus());
    expect(backend.argsOf('SandboxStatus')).toHaveLength(1);
    expect(indicator().textContent).toBe('Sandbox: overlayfs · Landlock 7 · seccomp');
    expect(indicator().classList.contains('warn')).toBe(false);
    expect(indicator().classList.contains('error')).toBe(false);
  });

  it('warns that the sandbox is unavailable, with the reason and hint as tooltip', () => {
    store.update({
      sandbox: sandboxState({ available: false, mode: '', userNs: false, landlockAbi: 0, seccomp: false, reason: 'user namespaces are disabled', hint: 'sudo sysctl kernel.unprivileged_userns_clone=1' }),
    });
    render(<StatusBar />);
    expect(indicator().textContent).toBe('Sandbox unavailable');
    expect(indicator().classList.contains('warn')).toBe(true);
    expect(indicator().getAttribute('title')).toBe('user namespaces are disabled — sudo sysctl kernel.unprivileged_userns_clone=1');
  });

  it('says UNSANDBOXED in red for a workspace whose policy runs commands unsandboxed, and only for it', () => {
    store.update({ sandbox: sandboxState({ unsandboxed: ['w2'] }) });
    render(<StatusBar />);
    expect(indicator().textContent).toBe('Sandbox: overlayfs · Landlock 7 · seccomp');
    act(() => store.showWorkspace('w2'));
    expect(indicator().textContent).toBe('UNSANDBOXED');
    expect(indicator().classList.contains('error')).toBe(true);
  });
});

describe('<Toasts>', () => {
  afterEach(() => {
    setTransport(noBackend());
    store.update(initialState);
  });

  it('shows a backend notice as an error toast', () => {
    const backend = fakeBackend({});
    setTransport(backend.transport);
    const off = subscribeBackend();
    try {
      render(<Toasts />);
      act(() => backend.emit(Events.Notice, 'Could not open /tmp/x.txt: not a folder'));
      expect(screen.getByRole('alert').textContent).toContain('Could not open /tmp/x.txt: not a folder');
    } finally {
      off();
    }
  });
});
