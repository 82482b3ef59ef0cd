// The staged changes of a run, reviewed like a code review: the files with
// their +/- counts and hunks (a compact column that collapses), the diff of
// the selected one filling the rest, before → after, and, while the run
// waits for a decision, an Accept toggle on every file and hunk with
// "Commit selected" to write only the accepted ones.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorMessage, type FileChange, type FileHunks, type RunInfo } from '../../bridge';
import { useCommands } from '../../commands';
import { DiffView, type DiffMode } from '../editor/DiffView';
import { DismissableError } from '../FormError';
import { commitRequest, partialSummary, pruneRejected, revealLine, reviewCounts, setFile, stepChange, toggleHunk, type Cursor, type Rejected } from './review';
import { ReviewFiles, type ReviewEntry } from './ReviewFiles';
import { canCommit } from './runFormat';

/** changeKind says what a staged change does to its file. */
export function changeKind(c: Pick<FileChange, 'op' | 'beforeExists' | 'afterExists'>): 'added' | 'deleted' | 'modified' {
  if (c.op === 'delete' || !c.afterExists) return 'deleted';
  if (!c.beforeExists) return 'added';
  return 'modified';
}

const modeKey = 'ice-studio.diff-mode';
const filesKey = 'ice-studio.review-files';

function useStored<T extends string>(key: string, parse: (v: string | null) => T): [T, (v: T) => void] {
  const [v, setV] = useState<T>(() => parse(localStorage.getItem(key)));
  return [
    v,
    (next) => {
      localStorage.setItem(key, next);
      setV(next);
    },
  ];
}

/** useHunks loads a run's hunks, again when the run changes (null until loaded or when unavailable). */
function useHunks(runId: string, version: number): { files: FileHunks[] | null; error: string | null } {
  const [state, setState] = useState<{ key: string; files: FileHunks[] | null; error: string | null }>({ key: '', files: null, error: null });
  const key = `${runId}@${version}`;
  useEffect(() => {
    let live = true;
    api.RunHunks({ id: runId }).then(
      (files) => live && setState({ key, files: files ?? [], error: null }),
      (err) => live && setState((s) => ({ key, files: s.key.startsWith(`${runId}@`) ? s.files : null, error: errorMessage(err) })),
    );
    return () => {
      live = false;
    };
  }, [runId, key]);
  return state.key.startsWith(`${runId}@`) ? state : { files: null, error: null };
}

export interface RunChangesProps {
  run: Pick<RunInfo, 'id' | 'state' | 'version'>;
  changes: FileChange[];
  /** onChanged reloads the run after a partial commit. */
  onChanged?: () => void;
}

export function RunChanges({ run, changes, onChanged }: RunChangesProps) {
  const { files, error: hunksError } = useHunks(run.id, run.version);
  const [selPath, setSelPath] = useState<string | null>(null);
  const [hunk, setHunk] = useState(0);
  const [reveal, setReveal] = useState<{ line: number; key: number } | undefined>(undefined);
  const [mode, setMode] = useStored<DiffMode>(modeKey, (v) => (v === 'unified' ? 'unified' : 'split'));
  const [list, setList] = useStored<'open' | 'closed'>(filesKey, (v) => (v === 'closed' ? 'closed' : 'open'));
  const [rejectedRaw, setRejected] = useState<Rejected>(new Set());
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const revealSeq = useRef(0);

  useEffect(() => {
    setRejected(new Set());
    setResult(null);
    setError(null);
  }, [run.id]);

  const byPath = new Map((files ?? []).map((f) => [f.path, f]));
  const entries: ReviewEntry[] = changes.map((c) => ({ path: c.path, kind: changeKind(c), hunks: files ? (byPath.get(c.path) ?? null) : null }));
  const reviewed = entries.map((e) => e.hunks).filter((f): f is FileHunks => f !== null);
  const rejected = pruneRejected(rejectedRaw, reviewed);
  const fileIdx = Math.max(0, entries.findIndex((e) => e.path === selPath));
  const sel = changes[fileIdx];
  const selHunks = entries[fileIdx]?.hunks?.hunks ?? [];
  const at: Cursor = { file: fileIdx, hunk: Math.min(hunk, selHunks.length - 1) };
  const deciding = canCommit(run) && files !== null && reviewed.length === changes.length;
  const { accepted, total } = reviewCounts(reviewed, rejected);
  const partial = deciding && accepted < total;

  const go = useCallback(
    (c: Cursor) => {
      const e = entries[c.file];
      if (!e) return;
      setSelPath(e.path);
      setHunk(Math.max(0, c.hunk));
      const h = e.hunks?.hunks?.[c.hunk];
      if (h) setReveal({ line: revealLine(h), key: ++revealSeq.current });
    },
    [entries],
  );
  const step = (dir: 1 | -1) => go(stepChange(entries.map((e) => ({ hunks: e.hunks?.hunks ?? [] })), at, dir));

  const commitSelected = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await api.CommitHunks(commitRequest(run.id, reviewed, rejected));
      setResult(partialSummary(res));
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
    onChanged?.();
  };
  const commitWhy = (): true | string => (!partial ? 'Every change is accepted: use Commit' : accepted === 0 ? 'Accept at least one change' : busy ? 'Committing…' : true);

  useCommands([
    { id: 'diff.nextChange', title: 'Go to next change', category: 'Diff', keys: 'F7', enabled: () => changes.length > 0, run: () => step(1) },
    { id: 'diff.prevChange', title: 'Go to previous change', category: 'Diff', keys: 'Shift+F7', enabled: () => changes.length > 0, run: () => step(-1) },
    { id: 'diff.toggleLayout', title: 'Toggle side-by-side / inline diff', category: 'Diff', run: () => setMode(mode === 'split' ? 'unified' : 'split') },
    { id: 'diff.toggleFiles', title: 'Show or hide the staged files', category: 'Diff', run: () => setList(list === 'open' ? 'closed' : 'open') },
    { id: 'run.commitSelected', title: 'Commit the selected changes of the run', category: 'Run', enabled: commitWhy, run: () => void commitSelected() },
  ]);

  if (!sel) return <p className="muted run-empty">This run staged no changes.</p>;
  const kind = changeKind(sel);
  const why = commitWhy();
  return (
    <div className="run-changes">
      <div className="diff-bar review-bar">
        <button className="quiet review-files-toggle" aria-expanded={list === 'open'} aria-controls="review-files" onClick={() => setList(list === 'open' ? 'closed' : 'open')} title="Show or hide the staged files">
          Files {changes.length}
        </button>
        <span className="mono diff-path" title={sel.path}>
          {sel.path}
        </span>
        <span className="muted small">{kind === 'added' ? 'new file' : kind === 'deleted' ? 'file deleted' : 'before → after'}</span>
        {selHunks.length > 0 && (
          <span className="review-nav" role="group" aria-label="Changes">
            <button className="icon-btn" aria-label="Previous change" title="Previous change (Shift+F7)" onClick={() => step(-1)}>
              ↑
            </button>
            <span className="muted small">
              change {at.hunk + 1} of {selHunks.length}
            </span>
            <button className="icon-btn" aria-label="Next change" title="Next change (F7)" onClick={() => step(1)}>
              ↓
            </button>
          </span>
        )}
        <span className="spacer" />
        {partial && (
          <button className="primary" disabled={why !== true} onClick={() => void commitSelected()} title={why === true ? 'Write only the accepted changes; the rejected ones stay staged in the run' : why}>
            {busy ? 'Committing…' : `Commit selected (${accepted} of ${total} hunks)`}
          </button>
        )}
        {!sel.binary && (
          <div className="segmented" role="group" aria-label="Diff layout">
            <button className={mode === 'split' ? 'on' : ''} aria-pressed={mode === 'split'} onClick={() => setMode('split')}>
              Side by side
            </button>
            <button className={mode === 'unified' ? 'on' : ''} aria-pressed={mode === 'unified'} onClick={() => setMode('unified')}>
              Unified
            </button>
          </div>
        )}
      </div>
      {result && (
        <p className="run-note review-result" role="status">
          {result}
        </p>
      )}
      <DismissableError error={error} onDismiss={() => setError(null)} />
      {hunksError && files === null && <p className="run-note muted small">The changes could not be split into hunks ({hunksError}): commit or abort the run as a whole.</p>}
      <div className="review-main">
        {list === 'open' && (
          <ReviewFiles
            entries={entries}
            rejected={rejected}
            deciding={deciding}
            at={at}
            onGo={go}
            onToggleFile={(fi, accept) => {
              const f = entries[fi]?.hunks;
              if (f) setRejected(setFile(rejected, f, accept));
            }}
            onToggleHunk={(id) => setRejected(toggleHunk(rejected, id))}
          />
        )}
        <div className="review-diff">
          {sel.binary ? (
            <p className="run-note">Binary file: its content is not shown. The commit replaces it byte for byte.</p>
          ) : (
            <>
              {sel.truncated && <p className="run-note warn">This file is large: only the first 2 MiB of each side are shown.</p>}
              <DiffView
                key={sel.path}
                path={sel.path}
                before={sel.before}
                after={sel.after}
                mode={mode}
                reveal={reveal}
                labels={[sel.beforeExists ? 'Before (on disk when staged)' : 'Before: the file does not exist', sel.afterExists ? 'After (staged)' : 'After: the file is deleted']}
              />
            </>
          )}
        </div>
      </div>
    </div>
  );
}
