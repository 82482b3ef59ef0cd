// Export…: the report of a run or a thread (task, model, steps, decisions,
// diff, validation, commit, and the log's verify result) as one file. In
// the browser it is downloaded; the desktop window has no downloads, so
// there the backend shows the native Save dialog and writes it.
import { useEffect, useRef, useState } from 'react';
import { api, errorMessage, transportKind } from '../../bridge';
import { useCommands } from '../../commands';
import { store } from '../../store';

/** exportFormats are the report formats, in menu order. */
export const exportFormats = [
  { format: 'html', label: 'HTML report', hint: 'one self-contained page that opens offline' },
  { format: 'md', label: 'Markdown', hint: 'readable text, diffs in ```diff fences' },
  { format: 'json', label: 'JSON', hint: 'the whole report as data (schema ice-studio.report/1)' },
] as const;

export type ExportFormat = (typeof exportFormats)[number]['format'];

/** Rendered is a report file as ExportRun returns it. */
export interface Rendered {
  fileName: string;
  mime: string;
  content: string;
}

/** download saves a file through the browser: a Blob and an <a download>. */
export function download(file: Rendered, doc: Document = document): void {
  const url = URL.createObjectURL(new Blob([file.content], { type: file.mime }));
  const a = doc.createElement('a');
  a.href = url;
  a.download = file.fileName;
  a.hidden = true;
  doc.body.appendChild(a);
  a.click();
  a.remove();
  // The download has started from the URL; let it go a little later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * exportReport makes the report and saves it: a download in the browser, the
 * native Save dialog in the desktop window. It returns what to tell the user
 * ("" when the dialog was cancelled).
 */
export async function exportReport(id: string, format: ExportFormat): Promise<string> {
  if (transportKind() === 'wails') {
    const saved = await api.SaveRunExport({ id, format });
    return saved.path ? `Report saved to ${saved.path}` : '';
  }
  const file = await api.ExportRun({ id, format });
  download(file);
  return `Report downloaded as ${file.fileName}`;
}

export interface ExportButtonProps {
  /** id is the run's or the thread's. */
  id: string;
  /** what names it in titles: "run" or "thread". */
  what: 'run' | 'thread';
  /** commandId registers the menu as a command of the palette (e.g. "run.export"). */
  commandId?: string;
}

export function ExportButton({ id, what, commandId }: ExportButtonProps) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const box = useRef<HTMLDivElement>(null);

  useCommands(
    commandId
      ? [{ id: commandId, title: `Export ${what} report…`, category: what === 'run' ? 'Run' : 'Chat', run: () => setOpen(true) }]
      : [],
  );

  useEffect(() => {
    if (!open) return;
    box.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
    const away = (ev: MouseEvent) => {
      if (box.current && !box.current.contains(ev.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [open]);

  const run = async (format: ExportFormat) => {
    setBusy(format);
    try {
      const said = await exportReport(id, format);
      if (said) store.toast('info', said);
      setOpen(false);
    } catch (err) {
      store.toast('error', `Could not export the report: ${errorMessage(err)}`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="export-box" ref={box} onKeyDown={(ev) => ev.key === 'Escape' && setOpen(false)}>
      <button
        className="quiet"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        title={`Export a report of this ${what}: task, model, steps, decisions, diff, validation, commit and the log's verify result`}
      >
        Export…
      </button>
      {open && (
        <div className="export-menu" role="menu" aria-label={`Export the ${what} report as`}>
          {exportFormats.map((f) => (
            <button key={f.format} role="menuitem" disabled={busy !== null} onClick={() => void run(f.format)} title={f.hint}>
              <span>{busy === f.format ? 'Exporting…' : f.label}</span>
              <span className="muted small">{f.hint}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
