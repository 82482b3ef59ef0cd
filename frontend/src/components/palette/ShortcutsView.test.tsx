import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Registry, type Command } from '../../commands';
import { ShortcutsView } from './ShortcutsView';

const setup = (failWith: string | null = null) => {
  const reg = new Registry();
  const cmd = (id: string, title: string, over: Partial<Command> = {}): Command => ({ id, title, run: () => {}, ...over });
  reg.add([
    cmd('workbench.toggleSidebar', 'Toggle side bar', { category: 'View', keys: 'Ctrl+B' }),
    cmd('workbench.togglePanel', 'Toggle panel', { category: 'View', keys: 'Ctrl+J' }),
    cmd('log.verify', 'Verify the event log', { category: 'Log' }),
  ]);
  const saved: Record<string, string>[] = [];
  const save = async (b: Record<string, string>) => {
    saved.push(b);
    return failWith;
  };
  render(<ShortcutsView registry={reg} save={save} onClose={() => {}} />);
  return { reg, saved };
};

const row = (id: string) => document.querySelector(`tr[data-command="${id}"]`) as HTMLElement;

describe('<ShortcutsView>', () => {
  it('lists every command with its keys and finds them by name or keys', () => {
    setup();
    expect(within(row('workbench.toggleSidebar')).getByText('Ctrl+B')).toBeTruthy();
    expect(within(row('log.verify')).getByText('—')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Search shortcuts'), { target: { value: 'ctrl+j' } });
    expect(document.querySelectorAll('tbody tr').length).toBe(1);
    fireEvent.change(screen.getByLabelText('Search shortcuts'), { target: { value: 'verify' } });
    expect(row('log.verify')).toBeTruthy();
    expect(document.querySelectorAll('tbody tr').length).toBe(1);
  });

  it('rebinds by pressing two chords and Enter, saves, and flags the clash it makes', async () => {
    const { reg, saved } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Change the keys of Verify the event log' }));
    const rec = screen.getByRole('textbox', { name: 'New keys for Verify the event log' });
    expect(rec.hasAttribute('data-record-keys')).toBe(true);
    fireEvent.keyDown(rec, { key: 'k', code: 'KeyK', ctrlKey: true });
    fireEvent.keyDown(rec, { key: 'v', code: 'KeyV', ctrlKey: true });
    expect(within(rec).getAllByText(/Ctrl\+/).map((k) => k.textContent)).toEqual(['Ctrl+K', 'Ctrl+V']);
    fireEvent.keyDown(rec, { key: 'Enter' });
    await waitFor(() => expect(saved).toEqual([{ 'log.verify': 'Ctrl+K Ctrl+V' }]));
    expect(reg.bindingsOf(reg.get('log.verify')!)).toEqual(['Ctrl+K Ctrl+V']);
    expect(within(row('log.verify')).getByText('yours')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Change the keys of Toggle panel' }));
    const rec2 = screen.getByRole('textbox', { name: 'New keys for Toggle panel' });
    fireEvent.keyDown(rec2, { key: 'b', code: 'KeyB', ctrlKey: true });
    fireEvent.keyDown(rec2, { key: 'Enter' });
    await waitFor(() => expect(within(row('workbench.togglePanel')).getByRole('note').textContent).toBe('Same keys as View: Toggle side bar'));
    expect(within(row('workbench.toggleSidebar')).getByRole('note').textContent).toBe('Same keys as View: Toggle panel');
  });

  it('Esc while recording changes nothing; Reset goes back to the default; Remove unbinds', async () => {
    const { reg, saved } = setup();
    fireEvent.click(screen.getByRole('button', { name: 'Change the keys of Toggle side bar' }));
    const rec = screen.getByRole('textbox', { name: 'New keys for Toggle side bar' });
    fireEvent.keyDown(rec, { key: 'F2', code: 'F2' });
    fireEvent.keyDown(rec, { key: 'Escape' });
    expect(saved).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Remove the keys of Toggle side bar' }));
    await waitFor(() => expect(saved.at(-1)).toEqual({ 'workbench.toggleSidebar': '' }));
    expect(within(row('workbench.toggleSidebar')).getByText('—')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Reset the keys of Toggle side bar' }));
    await waitFor(() => expect(saved.at(-1)).toEqual({}));
    expect(reg.bindingsOf(reg.get('workbench.toggleSidebar')!)).toEqual(['Ctrl+B']);
  });

  it('puts the bindings back and shows why when they cannot be kept', async () => {
    const { reg } = setup('Key bindings: "Ctrl+" for x is not a key chord');
    fireEvent.click(screen.getByRole('button', { name: 'Remove the keys of Toggle panel' }));
    expect((await screen.findByRole('alert')).textContent).toContain('is not a key chord');
    expect(reg.bindingsOf(reg.get('workbench.togglePanel')!)).toEqual(['Ctrl+J']);
  });
});
