// The Studio's layout: editor tabs (preview, pinned, dirty, closed with a
// question) and the panes toggled by their commands' keys.
import { EditorView } from '@codemirror/view';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../../bridge';
import { installKeys } from '../../commands';
import { initialState, store } from '../../store';
import { fakeBackend, noBackend } from '../../test/fakeBackend';
import { StudioView } from '../StudioView';

class NoResize {
  observe() {}
  unobserve() {}
  disconnect() {}
}

const files: Record<string, string> = { 'a.txt': 'alpha\n', 'b.txt': 'beta\n', 'c.txt': 'gamma\n' };
const key = (k: string, mods: { ctrl?: boolean; alt?: boolean; shift?: boolean } = {}) =>
  act(() => {
    fireEvent.keyDown(document.body, { key: k, code: /^[a-z]$/.test(k) ? `Key${k.toUpperCase()}` : k, ctrlKey: !!mods.ctrl, altKey: !!mods.alt, shiftKey: !!mods.shift });
  });
const strip = () => within(screen.getByRole('tablist', { name: 'Open items' }));
const tabNames = () => strip().getAllByRole('tab').map((t) => `${t.textContent}${t.closest('.centre-tab')?.classList.contains('preview') ? '~' : ''}${t.closest('.centre-tab')?.classList.contains('dirty') ? '●' : ''}`);
const editorText = () => document.querySelector('[aria-label="Selection details"] .cm-content')?.textContent;

// A CodeMirror editor per step: slow on a loaded machine, so a wide timeout (no timing is asserted).
describe('Studio layout', { timeout: 30_000 }, () => {
  const g = globalThis as { ResizeObserver?: unknown };
  let saved: unknown;
  let offKeys: () => void;
  beforeEach(() => {
    saved = g.ResizeObserver;
    g.ResizeObserver = NoResize;
    localStorage.clear();
    offKeys = installKeys(window);
    store.update({ ...initialState, loading: false, workspaces: [{ id: 'w1', name: 'proj', root: '/home/u/proj', openedAt: 1 }], activeWorkspace: 'w1' });
    const backend = fakeBackend({
      ListDir: async () => ({ path: '', entries: Object.keys(files).map((p) => ({ name: p, path: p, kind: 'file', size: 6, modTime: 0 })), truncated: false }),
      ReadFile: async ({ path }) => ({ path, content: files[path] ?? '', size: 6, binary: false, truncated: false }),
      ListRuns: async () => [],
      MemoryProposals: async () => [],
      ListModels: async () => ({ models: [], pulls: [], defaultChat: '', defaultEmbed: '' }),
      ListThreads: async () => [],
    });
    setTransport(backend.transport);
  });
  afterEach(() => {
    offKeys();
    g.ResizeObserver = saved;
    setTransport(noBackend());
    store.update(initialState);
    store.drafts('w1').clear();
  });

  it('a single click opens a preview tab the next replaces; double click pins; an edit marks it ●; Ctrl+W asks before discarding', async () => {
    render(<StudioView workspaceId="w1" />);
    const tree = within(await screen.findByRole('tree', { name: 'Files' }));
    fireEvent.click(await tree.findByRole('treeitem', { name: /a\.txt/ }));
    await waitFor(() => expect(editorText()).toBe('alpha'));
    expect(tabNames()).toEqual(['a.txt~']);
    fireEvent.click(tree.getByRole('treeitem', { name: /b\.txt/ }));
    await waitFor(() => expect(editorText()).toBe('beta'));
    expect(tabNames()).toEqual(['b.txt~']);

    // Double click pins b; a then opens as a preview beside it.
    fireEvent.doubleClick(tree.getByRole('treeitem', { name: /b\.txt/ }));
    expect(tabNames()).toEqual(['b.txt']);
    fireEvent.click(tree.getByRole('treeitem', { name: /a\.txt/ }));
    await waitFor(() => expect(editorText()).toBe('alpha'));
    expect(tabNames()).toEqual(['b.txt', 'a.txt~']);

    // Editing the preview pins it and marks it dirty; c opens as a new preview.
    const cm = EditorView.findFromDOM(document.querySelector('.cm-editor') as HTMLElement)!;
    act(() => cm.dispatch({ changes: { from: 0, insert: 'edited ' } }));
    await waitFor(() => expect(tabNames()).toEqual(['b.txt', 'a.txt●']));
    fireEvent.click(tree.getByRole('treeitem', { name: /c\.txt/ }));
    await waitFor(() => expect(editorText()).toBe('gamma'));
    expect(tabNames()).toEqual(['b.txt', 'a.txt●', 'c.txt~']);
    expect(store.drafts('w1').get('a.txt')).toBe('edited alpha\n');

    // Ctrl+PageUp goes back to a: the draft is there.
    key('PageUp', { ctrl: true });
    await waitFor(() => expect(editorText()).toBe('edited alpha'));

    // Ctrl+W on the dirty tab asks; keeping it changes nothing.
    key('w', { ctrl: true });
    const ask = await screen.findByRole('alertdialog', { name: 'Discard edits?' });
    fireEvent.click(within(ask).getByRole('button', { name: 'Keep editing' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(tabNames()).toEqual(['b.txt', 'a.txt●', 'c.txt~']);

    // The × asks too; Discard closes it, shows its neighbour and forgets the draft.
    fireEvent.click(strip().getByRole('button', { name: 'Close a.txt' }));
    fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Discard edits' }));
    await waitFor(() => expect(editorText()).toBe('gamma'));
    expect(tabNames()).toEqual(['b.txt', 'c.txt~']);
    expect(store.drafts('w1').has('a.txt')).toBe(false);

    // A clean tab closes without a question: middle click on c, Ctrl+W on b.
    fireEvent(strip().getByRole('tab', { name: 'c.txt' }), new MouseEvent('auxclick', { bubbles: true, button: 1 }));
    await waitFor(() => expect(editorText()).toBe('beta'));
    key('w', { ctrl: true });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(strip().queryAllByRole('tab')).toEqual([]);
    expect(screen.getByLabelText('Selection details').textContent).toMatch(/Select a file in the explorer/);
  });

  it('Ctrl+B, Ctrl+Alt+B and Ctrl+J toggle the panes, remembered for the folder', async () => {
    const { unmount } = render(<StudioView workspaceId="w1" />);
    await screen.findByRole('tree', { name: 'Files' });
    const inert = (id: string) => document.getElementById(id)?.querySelector('.pane-inner')?.hasAttribute('inert');
    expect([inert('side'), inert('right'), inert('panel')]).toEqual([false, false, true]);

    key('b', { ctrl: true });
    expect(store.get().workspaceViews.w1?.panes?.left).toBe(false);
    expect(inert('side')).toBe(true);
    key('b', { ctrl: true, alt: true });
    expect(inert('right')).toBe(true);
    key('j', { ctrl: true });
    expect(inert('panel')).toBe(false);
    expect(screen.getByRole('button', { name: 'Toggle the panel' }).getAttribute('aria-pressed')).toBe('true');

    // The panel's Output keeps the Studio's messages after their toast is gone.
    act(() => store.toast('error', 'Could not read x.txt'));
    act(() => store.update({ toasts: [] }));
    expect(within(screen.getByRole('list', { name: 'Studio output' })).getByText('Could not read x.txt')).toBeTruthy();

    // The buttons in the tab strip toggle too.
    fireEvent.click(screen.getByRole('button', { name: 'Toggle the side bar' }));
    expect(inert('side')).toBe(false);

    // Saved by folder: a new visit (the store forgot the view) finds the same layout.
    expect(JSON.parse(localStorage.getItem('ice-studio.layout:/home/u/proj') ?? '{}')).toMatchObject({ left: true, right: false, bottom: true });
    unmount();
    act(() => store.update({ workspaceViews: {} }));
    render(<StudioView workspaceId="w1" />);
    await screen.findByRole('tree', { name: 'Files' });
    expect([inert('side'), inert('right'), inert('panel')]).toEqual([false, true, false]);
  });

  it('the conversation moves from the editor area to the right pane, beside the file, and back', async () => {
    render(<StudioView workspaceId="w1" />);
    fireEvent.click(await screen.findByRole('treeitem', { name: /a\.txt/ }));
    await waitFor(() => expect(editorText()).toBe('alpha'));
    fireEvent.click(await screen.findByRole('button', { name: 'New conversation' }));
    const chat = await screen.findByRole('article', { name: 'Conversation' });
    expect(strip().getByRole('tab', { name: 'Chat: New conversation' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.queryByLabelText('Selection details')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Move the conversation to the right pane' }));
    await waitFor(() => expect(editorText()).toBe('alpha'));
    const rightPane = document.getElementById('right')!;
    expect(within(rightPane).getByRole('article', { name: 'Conversation' })).toBeTruthy();
    expect(tabNames()).toEqual(['a.txt~']);
    expect(chat.isConnected).toBe(false);

    fireEvent.click(within(rightPane).getByRole('button', { name: 'Move to editor area' }));
    expect(strip().getByRole('tab', { name: 'Chat: New conversation' }).getAttribute('aria-selected')).toBe('true');
    expect(within(rightPane).queryByRole('article', { name: 'Conversation' })).toBeNull();
  });
});
