// The viewer/editor: a workspace file in CodeMirror. Editing never writes
// the file: "Propose change…" starts an edit run that stages the new text,
// to be validated and committed like any other run.
import { Compartment, EditorSelection, EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { startEditRun } from '../../actions';
import { api, errorMessage, Events, on, type FileContent, type RunInfo, type RunOptions, type SelectionRequest } from '../../bridge';
import type { LineRequest } from '../../store';
import { useDocumentTheme } from '../../theme';
import { useRunChanged } from '../runs/hooks';
import { formatSize } from '../format';
import { indentation, languageFor, studioTheme, themed } from './cm';
import { DismissableError } from '../FormError';

type Load = { status: 'loading' } | { status: 'error'; error: string } | { status: 'ok'; file: FileContent };

export interface FileEditorProps {
  workspaceId: string;
  path: string;
  /** options are the run options an edit run is started with. */
  options: RunOptions;
  /** drafts keeps unproposed edits by path while the editor is closed. */
  drafts: Map<string, string>;
  /** onProposed is told about the edit run a proposal started. */
  onProposed: (run: RunInfo) => void;
  /** line, once the file is loaded, is scrolled to and selected; a new request shows it again. */
  line?: LineRequest | null;
  /** onAsk, when given, offers "Ask about selection": the selected lines go to a conversation's message. */
  onAsk?: (selection: SelectionRequest) => void;
  /** onDirty is told whether the text has edits not proposed, whenever that changes (the tab strip's ●). */
  onDirty?: (dirty: boolean) => void;
}

/** SelectedLines is the editor's main selection as whole lines (1-based) and its text. */
type SelectedLines = Omit<SelectionRequest, 'path'>;

/**
 * selectedLines reads the main selection; null when nothing is selected.
 * A selection that ends at the start of a line (whole lines selected) ends
 * on the line before.
 */
export function selectedLines(state: EditorState): SelectedLines | null {
  const r = state.selection.main;
  if (r.empty) return null;
  const first = state.doc.lineAt(r.from);
  let last = state.doc.lineAt(r.to);
  if (r.to === last.from && last.number > first.number) last = state.doc.line(last.number - 1);
  return { startLine: first.number, endLine: last.number, text: state.sliceDoc(r.from, r.to) };
}

/** Outcomes after which a file may differ on disk. */
const settled = new Set(['committed', 'aborted', 'terminated']);

/** describeOptions sums up the options a proposal uses, for its button's title. */
function describeOptions(o: RunOptions): string {
  const v = o.validationCommand ? `validated with “${o.validationCommand}” in the sandbox` : 'checked against the disk (no validation command)';
  return `Start an edit run with this text: ${v}, then ${o.autoCommit ? 'committed automatically' : 'waiting for your Commit'}. (Ctrl+S)`;
}

export function FileEditor({ workspaceId, path, options, drafts, onProposed, line, onAsk, onDirty }: FileEditorProps) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [size, setSize] = useState(0);
  const [dirty, setDirty] = useState(false);
  const [diskChanged, setDiskChanged] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selection, setSelection] = useState<SelectedLines | null>(null);
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  /** base is the file's content on disk, as last read. */
  const base = useRef('');
  const compartment = useRef(new Compartment()).current;
  const theme = useDocumentTheme();
  const themeNow = useRef(theme);
  themeNow.current = theme;
  const proposeNow = useRef<() => void>(() => {});
  const onDirtyNow = useRef(onDirty);
  onDirtyNow.current = onDirty;
  const loaded = load.status === 'ok';
  useEffect(() => {
    if (loaded) onDirtyNow.current?.(dirty);
  }, [dirty, loaded]);

  useEffect(() => {
    let live = true;
    setLoad({ status: 'loading' });
    setError(null);
    setDiskChanged(false);
    setDirty(false);
    api.ReadFile({ workspaceId, path }).then(
      (file) => {
        if (!live) return;
        setLoad({ status: 'ok', file });
        setSize(file.size);
      },
      (err: unknown) => live && setLoad({ status: 'error', error: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [workspaceId, path, attempt]);

  const file = load.status === 'ok' ? load.file : null;
  const editable = !!file && !file.binary && !file.truncated;

  // One CodeMirror view per loaded file. A layout effect: the view and the
  // dirty state it implies (a draft) appear in the same paint, so Propose is
  // never shown disabled over an edited draft.
  useLayoutEffect(() => {
    const parent = host.current;
    if (!file || file.binary || !parent) return;
    base.current = file.content;
    const draft = editable ? drafts.get(path) : undefined;
    const lang = languageFor(path);
    const v = new EditorView({
      parent,
      state: EditorState.create({
        doc: draft ?? file.content,
        extensions: [
          // Keep CRLF files CRLF: CodeMirror would otherwise join lines with \n.
          file.content.includes('\r\n') ? EditorState.lineSeparator.of('\r\n') : [],
          Prec.high(keymap.of([{ key: 'Mod-s', preventDefault: true, run: () => (proposeNow.current(), true) }])),
          basicSetup,
          studioTheme(compartment, themeNow.current),
          lang ? lang.support() : [],
          indentation(file.content, path),
          EditorState.readOnly.of(!editable),
          EditorView.contentAttributes.of({ 'aria-label': `Contents of ${path}` }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) setDirty(u.state.sliceDoc() !== base.current);
            if (u.selectionSet || u.docChanged) setSelection(selectedLines(u.state));
          }),
        ],
      }),
    });
    view.current = v;
    setDirty(draft !== undefined && draft !== file.content);
    setSelection(null);
    return () => {
      const doc = v.state.sliceDoc();
      if (editable && doc !== base.current) drafts.set(path, doc);
      else drafts.delete(path);
      v.destroy();
      view.current = null;
    };
  }, [file, editable, path, drafts, compartment]);

  useEffect(() => {
    view.current?.dispatch({ effects: compartment.reconfigure(themed(theme)) });
  }, [theme, compartment]);

  // After the view above exists: show the requested line.
  useEffect(() => {
    const v = view.current;
    if (!v || !line) return;
    const l = v.state.doc.line(Math.min(Math.max(1, line.line), v.state.doc.lines));
    v.dispatch({ selection: EditorSelection.range(l.from, l.to), effects: EditorView.scrollIntoView(l.from, { y: 'center' }) });
  }, [file, line]);

  /** fromDisk reads the file again after a run settled: unedited text follows the disk; edits are kept. */
  const fromDisk = useCallback(async () => {
    let fresh: FileContent;
    try {
      fresh = await api.ReadFile({ workspaceId, path });
    } catch (err) {
      setLoad({ status: 'error', error: errorMessage(err) });
      return;
    }
    const v = view.current;
    if (!v || !file || fresh.binary !== file.binary || fresh.truncated !== file.truncated) {
      setLoad({ status: 'ok', file: fresh });
      setSize(fresh.size);
      return;
    }
    setSize(fresh.size);
    if (fresh.content === base.current) return;
    const edited = v.state.sliceDoc() !== base.current;
    base.current = fresh.content;
    if (edited) {
      setDiskChanged(v.state.sliceDoc() !== fresh.content);
      setDirty(v.state.sliceDoc() !== fresh.content);
    } else {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: fresh.content } });
    }
  }, [workspaceId, path, file]);

  useRunChanged((changes) => {
    if (changes.length === 0 || changes.some((c) => settled.has(c.state))) void fromDisk();
  }, 250);

  // Another program changed the file: follow it like after a run.
  const fromDiskNow = useRef(fromDisk);
  fromDiskNow.current = fromDisk;
  useEffect(
    () =>
      on(Events.FilesChanged, (fc) => {
        if (fc.workspaceId === workspaceId && (fc.rescan || fc.changes.some((c) => c.path === path))) void fromDiskNow.current();
      }),
    [workspaceId, path],
  );

  const discard = () => {
    const v = view.current;
    if (!v) return;
    v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: base.current } });
    drafts.delete(path);
    setDiskChanged(false);
    setError(null);
  };

  const propose = async () => {
    const v = view.current;
    if (!v || !editable || busy) return;
    const content = v.state.sliceDoc();
    if (content === base.current) return;
    setBusy(true);
    setError(null);
    const res = await startEditRun({ workspaceId, path, content, options });
    setBusy(false);
    if (res.ok) onProposed(res.value);
    else setError(res.error);
  };
  proposeNow.current = () => void propose();

  const lang = languageFor(path);
  return (
    <div className="editor">
      <div className="editor-bar">
        <span className="editor-path" title={path}>
          {path.split('/').map((part, i, all) => (
            <span key={i} className={i === all.length - 1 ? 'crumb last' : 'crumb'}>
              {part}
            </span>
          ))}
          {dirty && (
            <span className="dirty-dot" title="Edited: not proposed yet" aria-label="edited">
              ●
            </span>
          )}
        </span>
        <span className="spacer" />
        <span className="muted small">{lang?.name ?? 'Plain text'}</span>
        <span className="muted small">{formatSize(size)}</span>
        {file && !editable && <span className="chip">read-only</span>}
        {onAsk && file && !file.binary && (
          <button
            className="quiet ask-btn"
            disabled={!selection}
            onClick={() => selection && onAsk({ path, ...selection })}
            title={
              selection
                ? `Ask the agent about ${path}:${selection.startLine === selection.endLine ? selection.startLine : `${selection.startLine}–${selection.endLine}`} in the Chat`
                : 'Select text to ask the agent about it'
            }
          >
            Ask about selection
          </button>
        )}
        {editable && (
          <>
            <button className="quiet" disabled={!dirty || busy} onClick={discard} title="Go back to the text on disk">
              Discard
            </button>
            <button className="primary" disabled={!dirty || busy} onClick={() => void propose()} title={describeOptions(options)}>
              {busy ? 'Proposing…' : 'Propose change…'}
            </button>
          </>
        )}
      </div>
      <DismissableError error={error} onDismiss={() => setError(null)} />
      {diskChanged && (
        <div className="editor-note warn" role="status">
          <span>The file changed on disk while you were editing it. Your edits are kept.</span>
          <button className="quiet" onClick={discard}>
            Use the disk version
          </button>
        </div>
      )}
      {load.status === 'loading' && <p className="muted editor-msg">Loading…</p>}
      {load.status === 'error' && (
        <div className="editor-msg error" role="alert">
          <span>Could not open {path}: {load.error}</span> <button onClick={() => setAttempt((n) => n + 1)}>Retry</button>
        </div>
      )}
      {file?.binary && (
        <div className="editor-msg">
          <strong>Binary file</strong>
          <p className="muted">{formatSize(file.size)} of binary data: it is not shown or edited here.</p>
        </div>
      )}
      {file?.truncated && !file.binary && (
        <div className="editor-note warn" role="note">
          <span>This file is larger than the viewer’s limit: only its beginning is shown, read-only, so it cannot be proposed from here.</span>
        </div>
      )}
      <div ref={host} className="editor-host" hidden={!file || file.binary} />
    </div>
  );
}
