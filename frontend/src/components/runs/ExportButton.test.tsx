import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setTransport } from '../../bridge';
import { commands } from '../../commands';
import { initialState, store } from '../../store';
import { fakeBackend, noBackend } from '../../test/fakeBackend';
import { ExportButton } from './ExportButton';

const file = { fileName: 'ice-report-run-00000001.html', mime: 'text/html; charset=utf-8', content: '<!DOCTYPE html><p>report</p>' };

describe('ExportButton', () => {
  let blobs: Blob[];
  let clicked: { href: string; download: string }[];

  beforeEach(() => {
    store.update(initialState);
    blobs = [];
    clicked = [];
    URL.createObjectURL = vi.fn((b: Blob) => {
      blobs.push(b);
      return `blob:report-${blobs.length}`;
    });
    URL.revokeObjectURL = vi.fn();
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.href, download: this.download });
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    setTransport(noBackend());
  });

  it('offers the three formats and downloads the chosen one in the browser', async () => {
    const b = fakeBackend({ ExportRun: async () => file });
    setTransport(b.transport);
    render(<ExportButton id="run-0001" what="run" />);
    fireEvent.click(screen.getByRole('button', { name: 'Export…' }));
    const items = screen.getAllByRole('menuitem');
    expect(items.map((i) => i.textContent)).toEqual([
      expect.stringContaining('HTML report'),
      expect.stringContaining('Markdown'),
      expect.stringContaining('JSON'),
    ]);
    fireEvent.click(items[0]!);
    await waitFor(() => expect(clicked).toHaveLength(1));
    expect(b.argsOf('ExportRun')).toEqual([{ id: 'run-0001', format: 'html' }]);
    expect(clicked[0]).toEqual({ href: 'blob:report-1', download: file.fileName });
    const text = await new Promise<string>((resolve) => {
      const r = new FileReader();
      r.onload = () => resolve(String(r.result));
      r.readAsText(blobs[0]!);
    });
    expect(text).toBe(file.content);
    expect(blobs[0]!.type).toMatch(/^text\/html; ?charset=utf-8$/);
    expect(b.argsOf('SaveRunExport')).toEqual([]);
    await waitFor(() => expect(screen.queryByRole('menu')).toBeNull());
    expect(store.get().toasts.at(-1)?.text).toBe(`Report downloaded as ${file.fileName}`);
  });

  it('saves through the native dialog in the desktop window', async () => {
    const b = fakeBackend({ SaveRunExport: async () => ({ path: '/home/u/report.md' }) });
    setTransport({ ...b.transport, kind: 'wails' });
    render(<ExportButton id="thread-1" what="thread" />);
    fireEvent.click(screen.getByRole('button', { name: 'Export…' }));
    fireEvent.click(screen.getByRole('menuitem', { name: /Markdown/ }));
    await waitFor(() => expect(store.get().toasts.at(-1)?.text).toBe('Report saved to /home/u/report.md'));
    expect(b.argsOf('SaveRunExport')).toEqual([{ id: 'thread-1', format: 'md' }]);
    expect(b.argsOf('ExportRun')).toEqual([]);
    expect(clicked).toEqual([]);
  });

  it('says nothing when the Save dialog is cancelled, and the error when the export fails', async () => {
    let fail = false;
    const b = fakeBackend({
      SaveRunExport: async () => {
        if (fail) throw new Error('no run or thread run-0001 in the log');
        return { path: '' };
      },
    });
    setTransport({ ...b.transport, kind: 'wails' });
    render(<ExportButton id="run-0001" what="run" />);
    fireEvent.click(screen.getByRole('button', { name: 'Export…' }));
    fireEvent.click(screen.getByRole('menuitem', { name: /JSON/ }));
    await waitFor(() => expect(screen.queryByRole('menu')).toBeNull());
    expect(store.get().toasts).toEqual([]);
    fail = true;
    fireEvent.click(screen.getByRole('button', { name: 'Export…' }));
    fireEvent.click(screen.getByRole('menuitem', { name: /HTML/ }));
    await waitFor(() => expect(store.get().toasts.at(-1)?.kind).toBe('error'));
    expect(store.get().toasts.at(-1)?.text).toBe('Could not export the report: no run or thread run-0001 in the log');
    expect(screen.getByRole('menu')).toBeTruthy(); // still open: try another format
  });

  it('registers its command, which opens the menu; Escape closes it', async () => {
    setTransport(fakeBackend({}).transport);
    const { unmount } = render(<ExportButton id="run-0001" what="run" commandId="run.export" />);
    await waitFor(() => expect(commands.get('run.export')?.title).toBe('Export run report…'));
    act(() => void commands.run('run.export'));
    expect(screen.getByRole('menu', { name: 'Export the run report as' })).toBeTruthy();
    expect(document.activeElement?.textContent).toContain('HTML report');
    fireEvent.keyDown(screen.getByRole('menu'), { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    unmount();
    expect(commands.get('run.export')).toBeUndefined();
  });
});
