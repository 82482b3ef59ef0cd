import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTransport, type RecentFolder, type Workspace } from '../bridge';
import { apiMethods, type Api, type Transport } from '../bridge/api';
import { initialState, store } from '../store';
import { Welcome } from './Welcome';

const recentFolders: RecentFolder[] = [
  { path: '/home/u/alpha', name: 'alpha', openedAt: Date.UTC(2024, 0, 2), missing: false },
  { path: '/home/u/gone', name: 'gone', openedAt: Date.UTC(2023, 5, 1), missing: true },
];

/** A fake backend recording OpenFolder/ForgetRecent calls. */
function fakeBackend() {
  const opened: string[] = [];
  const forgotten: string[] = [];
  let openFails: Error | null = null;
  let recent = [...recentFolders];
  const notFaked = Object.fromEntries(
    apiMethods.map((m) => [m, () => Promise.reject(new Error(`${m} is not part of this fake`))]),
  ) as unknown as Api;
  const api: Api = {
    ...notFaked,
    OpenFolder: async ({ path }) => {
      opened.push(path);
      if (openFails) throw openFails;
      const ws: Workspace = { id: `ws:${path}`, root: path, name: path.split('/').pop() ?? path, openedAt: 1 };
      return ws;
    },
    ForgetRecent: async ({ path }) => {
      forgotten.push(path);
      recent = recent.filter((r) => r.path !== path);
      return recent;
    },
  };
  const transport: Transport = { kind: 'http', api, on: () => () => {} };
  return {
    transport,
    opened,
    forgotten,
    failOpenWith(err: Error) {
      openFails = err;
    },
  };
}

const recentList = () => screen.getByRole('list', { name: 'Recent folders' });
const recentItem = (name: string): HTMLElement => {
  const li = within(recentList())
    .getAllByRole('listitem')
    .find((el) => el.querySelector('.recent-name')?.textContent === name);
  if (!li) throw new Error(`no recent item ${name}`);
  return li;
};
const openButton = (li: HTMLElement): HTMLButtonElement => {
  const b = li.querySelector('button.link');
  if (!(b instanceof HTMLButtonElement)) throw new Error('no open button');
  return b;
};

describe('<Welcome>', () => {
  let backend: ReturnType<typeof fakeBackend>;

  beforeEach(() => {
    backend = fakeBackend();
    setTransport(backend.transport);
    store.update({
      ...initialState,
      loading: false,
      recent: recentFolders,
      info: { version: '1.2.3', mode: 'browser', dataDir: '/home/u/.ice', logFile: '', ollamaHost: 'http://127.0.0.1:11434' },
    });
  });

  afterEach(() => {
    store.update(initialState);
  });

  it('lists the recent folders with their names and paths', () => {
    render(<Welcome />);
    const items = within(recentList()).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(within(items[0] as HTMLElement).getByText('alpha')).toBeTruthy();
    expect(within(items[0] as HTMLElement).getByText('/home/u/alpha')).toBeTruthy();
    expect(within(items[1] as HTMLElement).getByText('gone')).toBeTruthy();
    expect(screen.queryByText('No folders opened yet.')).toBeNull();
  });

  it('says so when there are no recent folders', () => {
    store.update({ recent: [] });
    render(<Welcome />);
    expect(screen.getByText('No folders opened yet.')).toBeTruthy();
    expect(screen.queryByRole('list', { name: 'Recent folders' })).toBeNull();
  });

  it('shows a missing folder disabled and marked missing', () => {
    render(<Welcome />);
    const gone = recentItem('gone');
    expect(openButton(gone).disabled).toBe(true);
    expect(openButton(gone).title).toBe('/home/u/gone no longer exists');
    expect(within(gone).getByText('missing')).toBeTruthy();

    const alpha = recentItem('alpha');
    expect(openButton(alpha).disabled).toBe(false);
    expect(within(alpha).queryByText('missing')).toBeNull();
  });

  it('shows the studio facts from the store', () => {
    render(<Welcome />);
    expect(screen.getByTestId('version').textContent).toBe('1.2.3');
    expect(screen.getByTestId('data-dir').textContent).toBe('/home/u/.ice');
    expect(screen.getByText('Browser (ice-studio serve)')).toBeTruthy();
  });

  it('offers only the typed path outside the desktop window, with Open disabled until a path is typed', () => {
    render(<Welcome />);
    expect(screen.queryByRole('button', { name: 'Open folder…' })).toBeNull();
    const input = screen.getByLabelText('Open folder — type its path');
    const open = screen.getByRole('button', { name: 'Open' }) as HTMLButtonElement;
    expect(open.disabled).toBe(true);
    fireEvent.change(input, { target: { value: '   ' } });
    expect(open.disabled).toBe(true);
    fireEvent.change(input, { target: { value: '/home/u/new' } });
    expect(open.disabled).toBe(false);
  });

  it('opens the typed path and activates the new workspace', async () => {
    render(<Welcome />);
    fireEvent.change(screen.getByLabelText(/type its path/), { target: { value: '/home/u/new' } });
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));

    await waitFor(() => expect(store.get().activeWorkspace).toBe('ws:/home/u/new'));
    expect(backend.opened).toEqual(['/home/u/new']);
    expect(store.get().workspaces.map((w) => w.root)).toEqual(['/home/u/new']);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows why a typed path could not be opened', async () => {
    backend.failOpenWith(new Error('cannot open folder: "/x" does not exist'));
    render(<Welcome />);
    const input = screen.getByLabelText(/type its path/);
    fireEvent.change(input, { target: { value: '/x' } });
    fireEvent.submit(input.closest('form') as HTMLFormElement);

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('cannot open folder: "/x" does not exist');
    expect(backend.opened).toEqual(['/x']);
    expect(store.get().activeWorkspace).toBeNull();
    // The failure is shown once, by the form, not also as a toast.
    expect(store.get().toasts).toEqual([]);
    // The form is usable again.
    await waitFor(() => expect((screen.getByRole('button', { name: 'Open' }) as HTMLButtonElement).disabled).toBe(false));
  });

  it('opens a recent folder when it is clicked', async () => {
    render(<Welcome />);
    fireEvent.click(openButton(recentItem('alpha')));
    await waitFor(() => expect(store.get().activeWorkspace).toBe('ws:/home/u/alpha'));
    expect(backend.opened).toEqual(['/home/u/alpha']);
  });

  it('a recent folder that fails to open says so in a toast, which a later successful open takes away', async () => {
    render(<Welcome />);
    backend.failOpenWith(new Error('cannot open folder: permission denied'));
    fireEvent.click(openButton(recentItem('alpha')));
    await waitFor(() => expect(store.get().toasts.map((t) => t.text)).toEqual(['cannot open folder: permission denied']));
    backend.failOpenWith(null as unknown as Error);
    fireEvent.click(openButton(recentItem('alpha')));
    await waitFor(() => expect(store.get().activeWorkspace).toBe('ws:/home/u/alpha'));
    expect(store.get().toasts, 'the stale failure does not stay over the Studio').toEqual([]);
  });

  it('forgets a recent folder with its × button', async () => {
    render(<Welcome />);
    const forget = within(recentItem('gone')).getByRole('button', { name: 'Forget /home/u/gone' });
    expect(forget.textContent).toBe('×');
    fireEvent.click(forget);

    await waitFor(() => expect(within(recentList()).getAllByRole('listitem')).toHaveLength(1));
    expect(backend.forgotten).toEqual(['/home/u/gone']);
    expect(store.get().recent.map((r) => r.path)).toEqual(['/home/u/alpha']);
    expect(within(recentList()).queryByText('gone')).toBeNull();
  });

  it('in the browser, explains a drop instead of leaving the Studio for the dropped file', () => {
    const { unmount } = render(<Welcome />);
    const over = new Event('dragover', { cancelable: true });
    window.dispatchEvent(over);
    expect(over.defaultPrevented).toBe(true);
    const drop = new Event('drop', { cancelable: true });
    window.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(true);
    expect(store.get().toasts.map((t) => t.text)).toEqual(['A browser does not tell the Studio where a dropped folder is: type its path instead.']);

    // Off the welcome screen, a drop is none of its business.
    unmount();
    const later = new Event('drop', { cancelable: true });
    window.dispatchEvent(later);
    expect(later.defaultPrevented).toBe(false);
  });
});
