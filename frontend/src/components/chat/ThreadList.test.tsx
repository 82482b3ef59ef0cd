import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Events, setTransport, type ThreadSummary } from '../../bridge';
import { initialState, store } from '../../store';
import { fakeBackend, noBackend, threadSummary } from '../../test/fakeBackend';
import { useThreads } from './hooks';
import { ThreadList } from './ThreadList';

function Harness({ selected = null, opened, created, deleted }: { selected?: string | null; opened: string[]; created: number[]; deleted: string[] }) {
  const threads = useThreads('w1');
  return (
    <ThreadList
      threads={threads}
      selected={selected}
      onOpen={(id) => opened.push(id)}
      onNew={() => created.push(1)}
      onDeleted={(id) => deleted.push(id)}
    />
  );
}

const list = () => screen.getByRole('list', { name: 'Conversations' });
const rows = () => within(list()).getAllByRole('listitem');

describe('<ThreadList>', () => {
  let threads: ThreadSummary[];
  let backend: ReturnType<typeof fakeBackend>;
  let opened: string[];
  let created: number[];
  let deleted: string[];

  beforeEach(() => {
    store.update(initialState);
    store.messageDrafts('w1').clear();
    threads = [
      threadSummary({ id: 'th-2', title: 'Add a README', turns: 3, last: 'executing', model: 'qwen3:4b', updatedAt: Date.now() * 1e6 }),
      threadSummary({ id: 'th-1', title: 'Fix the greeting', turns: 1, last: 'validated', model: 'tiny:latest', forkOf: 'th-0', forkTurn: 2 }),

    ];
    backend = fakeBackend({
      ListThreads: async () => threads,
      RenameThread: async ({ id, title }) => {
        threads = threads.map((t) => (t.id === id ? { ...t, title } : t));
        return threads.find((t) => t.id === id)!;
      },
      DeleteThread: async ({ id }) => {
        const gone = threads.find((t) => t.id === id)!;
        threads = threads.filter((t) => t.id !== id);
        return { ...gone, hidden: true };
      },
    });
    setTransport(backend.transport);
    opened = [];
    created = [];
    deleted = [];
  });
  afterEach(() => {
    setTransport(noBackend());
    store.update(initialState);
    store.messageDrafts('w1').clear();
  });

  it("lists the workspace's conversations in the backend's order (newest activity first), each with its title, turns, last state and model", async () => {
    render(<Harness selected="th-1" opened={opened} created={created} deleted={deleted} />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(backend.argsOf('ListThreads')).toEqual([{ workspaceId: 'w1', hidden: false }]);
    const [first, second] = rows() as [HTMLElement, HTMLElement];
    expect(within(first).getByText('Add a README')).toBeTruthy();
    expect(within(first).getByText('3 turns')).toBeTruthy();
    expect(first.querySelector('.run-badge')?.textContent).toBe('executing');
    expect(within(first).getByText('qwen3:4b')).toBeTruthy();
    expect(within(first).getByText('just now')).toBeTruthy();
    expect(within(second).getByText('1 turn')).toBeTruthy();
    expect(within(second).getByText('fork')).toBeTruthy();
    expect(second.querySelector('.run-badge')?.textContent).toBe('validated');
    expect(within(second).getByRole('button', { name: /^Fix the greeting/ }).getAttribute('aria-current')).toBe('true');
    expect(screen.getByText('Conversations · 2')).toBeTruthy();

    fireEvent.click(within(first).getByRole('button', { name: /^Add a README/ }));
    expect(opened).toEqual(['th-2']);
    fireEvent.click(screen.getByRole('button', { name: 'New conversation' }));
    expect(created).toEqual([1]);
  });

  it('shows how a finished conversation ended (committed, failed), not its last state (terminated)', async () => {
    threads = [
      threadSummary({ id: 'th-3', title: 'Committed work', turns: 2, last: 'terminated', outcome: 'committed' }),
      threadSummary({ id: 'th-4', title: 'Ollama was down', turns: 1, last: 'terminated', outcome: 'aborted', failed: true }),
    ];
    render(<Harness selected="" opened={opened} created={created} deleted={deleted} />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    const [committed, failed] = rows() as [HTMLElement, HTMLElement];
    expect(committed.querySelector('.run-badge')?.textContent).toBe('committed');
    expect(failed.querySelector('.run-badge')?.textContent).toBe('failed');
  });

  it('lists again when a conversation of the workspace changes, not for another workspace', async () => {
    render(<Harness opened={opened} created={created} deleted={deleted} />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    threads = [threadSummary({ id: 'th-3', title: 'Brand new' }), ...threads];
    act(() => backend.emit(Events.ThreadChanged, { thread: 'th-3', workspace: 'w2' }));
    await new Promise((r) => setTimeout(r, 20));
    expect(rows()).toHaveLength(2);
    act(() => backend.emit(Events.ThreadChanged, { thread: 'th-3', workspace: 'w1' }));
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(within(rows()[0]!).getByText('Brand new')).toBeTruthy();
  });

  it('renames in place: Enter saves the trimmed title, Esc keeps the old one', async () => {
    render(<Harness opened={opened} created={created} deleted={deleted} />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    fireEvent.click(screen.getByRole('button', { name: 'Rename Fix the greeting' }));
    let field = screen.getByRole('textbox', { name: 'Title of the conversation' }) as HTMLInputElement;
    expect(field.value).toBe('Fix the greeting');
    fireEvent.change(field, { target: { value: 'Nothing' } });
    fireEvent.keyDown(field, { key: 'Escape' });
    expect(screen.queryByRole('textbox', { name: 'Title of the conversation' })).toBeNull();
    expect(backend.argsOf('RenameThread')).toEqual([]);

    fireEvent.click(screen.getByRole('button', { name: 'Rename Fix the greeting' }));
    field = screen.getByRole('textbox', { name: 'Title of the conversation' }) as HTMLInputElement;
    fireEvent.change(field, { target: { value: '  Greeting, politely  ' } });
    fireEvent.keyDown(field, { key: 'Enter' });
    await waitFor(() => expect(within(list()).getByText('Greeting, politely')).toBeTruthy());
    expect(backend.argsOf('RenameThread')).toEqual([{ id: 'th-1', title: 'Greeting, politely' }]);
  });

  it('deletes only after a confirmation, and says the log keeps it', async () => {
    render(<Harness opened={opened} created={created} deleted={deleted} />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    fireEvent.click(screen.getByRole('button', { name: 'Delete Add a README' }));
    const confirm = screen.getByRole('group', { name: 'Delete Add a README?' });
    expect(confirm.textContent).toContain('the event log keeps all of it');
    expect(backend.argsOf('DeleteThread')).toEqual([]);
    fireEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('group', { name: 'Delete Add a README?' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Delete Add a README' }));
    fireEvent.click(within(screen.getByRole('group', { name: 'Delete Add a README?' })).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(backend.argsOf('DeleteThread')).toEqual([{ id: 'th-2' }]);
    expect(deleted).toEqual(['th-2']);
  });
});
