import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { installKeys, Registry, type Command } from '../../commands';
import { CommandPalette, PaletteController } from './CommandPalette';

const setup = (extra: Command[] = []) => {
  const reg = new Registry();
  const controller = new PaletteController();
  const ran: string[] = [];
  const cmd = (id: string, title: string, over: Partial<Command> = {}): Command => ({ id, title, run: () => void ran.push(id), ...over });
  reg.add([
    cmd('workbench.openFolder', 'Open folder…', { category: 'File', keys: 'Ctrl+O' }),
    cmd('run.commit', 'Commit the open run', { category: 'Run', enabled: () => 'only a validated run can be committed' }),
    cmd('workbench.switchTheme', 'Switch theme (light / dark)', { category: 'View' }),
    cmd('log.verify', 'Verify the event log', { category: 'Log' }),
    ...extra,
  ]);
  const view = render(<CommandPalette controller={controller} registry={reg} />);
  const off = installKeys(window, reg);
  return { reg, controller, ran, view, off };
};

const options = () => screen.getAllByRole('option').map((o) => o.textContent ?? '');
const input = () => screen.getByRole('combobox', { name: 'Command' });

describe('<CommandPalette>', () => {
  beforeEach(() => localStorage.clear());

  it('opens with Ctrl+Shift+P and with F1, and Esc closes it', async () => {
    const { off } = setup();
    expect(screen.queryByRole('dialog')).toBeNull();
    fireEvent.keyDown(window, { key: 'P', code: 'KeyP', ctrlKey: true, shiftKey: true });
    expect(await screen.findByRole('dialog', { name: 'Command palette' })).toBeTruthy();
    fireEvent.keyDown(input(), { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    fireEvent.keyDown(window, { key: 'F1', code: 'F1' });
    expect(await screen.findByRole('dialog', { name: 'Command palette' })).toBeTruthy();
    off();
  });

  it('filters fuzzily with the matched letters highlighted and the keys shown', () => {
    const { controller, off } = setup();
    act(() => controller.open());
    fireEvent.change(input(), { target: { value: 'opfo' } });
    expect(options()).toEqual(['File: Open folder…Ctrl+O']);
    const marks = [...screen.getByRole('option').querySelectorAll('mark')].map((m) => m.textContent);
    expect(marks).toEqual(['Op', 'fo']);
    fireEvent.change(input(), { target: { value: 'nothing like it' } });
    expect(screen.queryAllByRole('option')).toEqual([]);
    expect(screen.getByText('No matching commands')).toBeTruthy();
    off();
  });

  it('runs the chosen command with the arrow keys and Enter, and lists it first next time', async () => {
    const { controller, ran, off } = setup();
    act(() => controller.open());
    expect(options()[0]).toMatch(/^File: Open folder/); // by label: File, Log, Run, View
    fireEvent.keyDown(input(), { key: 'ArrowDown' });
    expect(screen.getAllByRole('option')[1]?.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(input(), { key: 'Enter' });
    expect(screen.queryByRole('dialog')).toBeNull();
    await waitFor(() => expect(ran).toEqual(['log.verify']));
    act(() => controller.open());
    expect(options()[0]).toMatch(/^Log: Verify the event logrecently used/);
    fireEvent.keyDown(input(), { key: 'ArrowUp' }); // wraps to the last
    expect(screen.getAllByRole('option').at(-1)?.getAttribute('aria-selected')).toBe('true');
    off();
  });

  it('greys a disabled command and says why instead of running it', async () => {
    const { controller, ran, off } = setup();
    act(() => controller.open());
    fireEvent.change(input(), { target: { value: 'commit' } });
    const opt = screen.getByRole('option');
    expect(opt.getAttribute('aria-disabled')).toBe('true');
    expect(opt.textContent).toContain('only a validated run can be committed');
    fireEvent.keyDown(input(), { key: 'Enter' });
    expect(screen.getByRole('status').textContent).toBe('Run: Commit the open run: only a validated run can be committed');
    expect(screen.getByRole('dialog')).toBeTruthy();
    await new Promise((r) => setTimeout(r, 5));
    expect(ran).toEqual([]);
    off();
  });

  it('asks for a line of text for a command, and Esc cancels it', async () => {
    const { controller, off } = setup();
    let answer: Promise<string | null> = Promise.resolve(null);
    act(() => {
      answer = controller.askText({ prompt: 'Open folder — type its path', placeholder: '/home/you/project' });
    });
    const box = screen.getByRole('textbox', { name: 'Open folder — type its path' });
    fireEvent.change(box, { target: { value: ' /tmp/proj ' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(await answer).toBe('/tmp/proj');
    expect(screen.queryByRole('dialog')).toBeNull();
    act(() => {
      answer = controller.askText({ prompt: 'Task' });
    });
    fireEvent.keyDown(screen.getByRole('textbox', { name: 'Task' }), { key: 'Escape' });
    expect(await answer).toBeNull();
    off();
  });
});
