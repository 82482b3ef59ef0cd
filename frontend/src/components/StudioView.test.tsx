import { EditorView } from '@codemirror/view';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Events, setTransport, type MemoryProposal } from '../bridge';
import { initialState, store } from '../store';
import { events, fakeBackend, lifecycleTo, noBackend, run } from '../test/fakeBackend';
import { commands } from '../commands';
import { mcpState, server } from './mcp/mcpFixture';
import { StudioView } from './StudioView';

/** jsdom has no ResizeObserver, which the panel layout needs: one that never fires. */
class NoResize {
  observe() {}
  unobserve() {}
  disconnect() {}
}

describe('<StudioView>', () => {
  const g = globalThis as { ResizeObserver?: unknown };
  let saved: unknown;
  let proposals: MemoryProposal[] = [];
  let backend: ReturnType<typeof fakeBackend>;
  beforeEach(() => {
    saved = g.ResizeObserver;
    g.ResizeObserver = NoResize;
    store.update({ ...initialState, loading: false, workspaces: [{ id: 'w1', name: 'proj', root: '/home/u/proj', openedAt: 1 }], activeWorkspace: 'w1' });
    const r = run({ id: 'r1', task: 'Replace "a" with "b"', state: 'validated' });
    proposals = [];
    backend = (
      fakeBackend({
        ListDir: async () => ({ path: '', entries: [{ name: 'a.txt', path: 'a.txt', kind: 'file', size: 6, modTime: 0 }], truncated: false }),
        ReadFile: async ({ path }) => ({ path, content: 'hello\n', size: 6, binary: false, truncated: false }),
        ListRuns: async () => [r],
        GetRun: async () => ({ run: r, changes: [], asks: [] }),
        ListEvents: async () => {
          const rows = events('r1', lifecycleTo('validated'));
          return { total: rows.length, offset: 0, rows };
        },
        MemoryProposals: async () => proposals,
        ListModels: async () => ({ models: [], pulls: [], defaultChat: '', defaultEmbed: '' }),
        MemoryList: async () => [],
        GetMemorySettings: async () => ({ embeddingModel: '', indexed: 0 }),
        ListThreads: async () => [],
      })
    );
    setTransport(backend.transport);
  });
  afterEach(() => {
    g.ResizeObserver = saved;
    setTransport(noBackend());
    store.update(initialState);
    store.messageDrafts('w1').clear();
  });

  it('shows the selected file in the editor, a run picked in the runs panel in its place, and goes back to the file', async () => {
    const { unmount } = render(<StudioView workspaceId="w1" />);
    fireEvent.click(await screen.findByRole('treeitem', { name: /a\.txt/ }));
    const details = screen.getByLabelText('Selection details');
    await waitFor(() => expect(details.querySelector('.cm-content')?.textContent).toBe('hello'));
    expect(within(details).getByText('6 B')).toBeTruthy();

    // The Chat tab comes first and is shown; the runs are one tab along.
    const right = screen.getByRole('tablist', { name: 'Right pane' });
    expect(within(right).getAllByRole('tab').map((t) => t.textContent)).toEqual(['Chat', 'Runs', 'Capabilities', 'Memory', 'MCP']);
    expect(within(right).getByRole('tab', { name: 'Chat' }).getAttribute('aria-selected')).toBe('true');
    expect(await screen.findByRole('button', { name: 'New conversation' })).toBeTruthy();
    fireEvent.click(within(right).getByRole('tab', { name: 'Runs' }));
    const runs = await screen.findByRole('list', { name: 'Runs' });
    fireEvent.click(within(runs).getByRole('button', { name: /Replace "a" with "b"/ }));
    expect(await screen.findByRole('article', { name: 'Run' })).toBeTruthy();
    expect(screen.queryByLabelText('Selection details')).toBeNull();
    expect(screen.getByRole('tab', { name: 'Run r1' })).toBeTruthy();

    // Leaving the Studio (the event log tab) and coming back keeps the run open.
    unmount();
    render(<StudioView workspaceId="w1" />);
    expect(await screen.findByRole('article', { name: 'Run' })).toBeTruthy();

    fireEvent.click(screen.getByRole('tab', { name: 'a.txt' }));
    await waitFor(() => expect(document.querySelector('.cm-content')?.textContent).toBe('hello'));
    expect(screen.queryByRole('article', { name: 'Run' })).toBeNull();

    // Closing the run leaves only the file's tab.
    fireEvent.click(screen.getByRole('button', { name: 'Close the run' }));
    expect(within(screen.getByRole('tablist', { name: 'Open items' })).getAllByRole('tab').map((t) => t.textContent)).toEqual(['a.txt']);
  });

  it('shows the pending proposal count on the Memory tab, kept current', async () => {
    render(<StudioView workspaceId="w1" />);
    const tab = await screen.findByRole('tab', { name: /^Memory/ });
    await waitFor(() => expect(backend.argsOf('MemoryProposals')).toEqual([{ workspaceId: 'w1' }]));
    expect(within(tab).queryByLabelText(/to review/)).toBeNull();
    const spec = { kind: 'fact', scope: 'workspace', content: 'x', confidence: 1, ttlSeconds: 0, decayDays: 0, onChange: 'invalidate' };
    proposals = ['p1', 'p2'].map((id) => ({ id, workspace: 'w1', run: 'r1', spec, events: [], state: 'pending', reason: '', proposedAt: 0, memory: '' }));
    act(() => backend.emit(Events.MemoriesChanged, { workspaceId: 'w1' }));
    await waitFor(() => expect(within(tab).getByLabelText('2 to review').textContent).toBe('2'));
    fireEvent.click(tab);
    fireEvent.click(await screen.findByRole('tab', { name: 'Review (2)' }));
    expect(within(screen.getByRole('list', { name: 'Pending proposals' })).getAllByRole('listitem')).toHaveLength(2);
  });

  it('counts on the MCP tab what needs a look; the MCP commands open its panel and its import form', async () => {
    setTransport(
      fakeBackend({
        ListDir: async () => ({ path: '', entries: [], truncated: false }),
        ListRuns: async () => [],
        MemoryProposals: async () => [],
        ListThreads: async () => [],
        ListModels: async () => ({ models: [], pulls: [], defaultChat: '', defaultEmbed: '' }),
        MCPState: async () => mcpState([server({ name: 'helper', source: 'project', trusted: false, state: 'stopped', pins: [] })]),
      }).transport,
    );
    render(<StudioView workspaceId="w1" />);
    const tab = await screen.findByRole('tab', { name: /^MCP/ });
    await waitFor(() => expect(within(tab).getByLabelText('1 to look at').textContent).toBe('1'));
    expect(tab.getAttribute('aria-selected')).toBe('false');
    await waitFor(() => expect(commands.get('mcp.showServers')?.category).toBe('MCP'));
    act(() => void commands.run('mcp.showServers'));
    expect(await screen.findByRole('note', { name: 'Approve helper' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: /^MCP/ }).getAttribute('aria-selected')).toBe('true');
    expect(screen.queryByLabelText('MCP servers JSON')).toBeNull();
    act(() => void commands.run('mcp.importServers'));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('MCP servers JSON')));
  });

  it('Ask about selection opens the Chat with the selected lines attached to a new conversation', async () => {
    render(<StudioView workspaceId="w1" />);
    fireEvent.click(screen.getByRole('tab', { name: 'Memory' }));
    fireEvent.click(await screen.findByRole('treeitem', { name: /a\.txt/ }));
    const details = screen.getByLabelText('Selection details');
    await waitFor(() => expect(details.querySelector('.cm-content')?.textContent).toBe('hello'));
    const cm = EditorView.findFromDOM(details.querySelector('.cm-editor') as HTMLElement)!;
    act(() => cm.dispatch({ selection: { anchor: 0, head: 5 } }));
    fireEvent.click(screen.getByRole('button', { name: 'Ask about selection' }));

    const right = screen.getByRole('tablist', { name: 'Right pane' });
    expect(within(right).getByRole('tab', { name: 'Chat' }).getAttribute('aria-selected')).toBe('true');
    const chat = await screen.findByRole('article', { name: 'Conversation' });
    expect(within(chat).getByRole('heading', { name: 'New conversation' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Chat: New conversation' }).getAttribute('aria-selected')).toBe('true');
    const chips = within(chat).getByRole('list', { name: 'Attached to the message' });
    expect(chips.textContent).toBe('a.txt:1×');
    expect(store.messageDrafts('w1').get('')?.selection).toEqual({ path: 'a.txt', startLine: 1, endLine: 1, text: 'hello' });

    // The file is one tab away; closing the conversation leaves it.
    fireEvent.click(screen.getByRole('button', { name: 'Close the conversation' }));
    expect(screen.queryByRole('article', { name: 'Conversation' })).toBeNull();
    await waitFor(() => expect(document.querySelector('.cm-content')?.textContent).toBe('hello'));
  });
});
