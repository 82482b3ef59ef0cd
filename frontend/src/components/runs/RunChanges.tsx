// The staged changes of a run: the files with what happens to each, and the
// diff of the selected one, before → after.
import { useState } from 'react';
import type { FileChange } from '../../bridge';
import { DiffView, type DiffMode } from '../editor/DiffView';

/** changeKind says what a staged change does to its file. */
export function changeKind(c: Pick<FileChange, 'op' | 'beforeExists' | 'afterExists'>): 'added' | 'deleted' | 'modified' {
  if (c.op === 'delete' || !c.afterExists) return 'deleted';
  if (!c.beforeExists) return 'added';
  return 'modified';
}

const modeKey = 'ice-studio.diff-mode';

function useDiffMode(): [DiffMode, (m: DiffMode) => void] {
  const [mode, setMode] = useState<DiffMode>(() => (localStorage.getItem(modeKey) === 'unified' ? 'unified' : 'split'));
  return [
    mode,
    (m) => {
      localStorage.setItem(modeKey, m);
      setMode(m);
    },
  ];
}

export function RunChanges({ changes }: { changes: FileChange[] }) {
  const [selPath, setSelPath] = useState<string | null>(null);
  const [mode, setMode] = useDiffMode();
  const sel = changes.find((c) => c.path === selPath) ?? changes[0];

  if (!sel) return <p className="muted run-empty">This run staged no changes.</p>;
  const kind = changeKind(sel);
  return (
    <div className="run-changes">
      <ul className="change-list" aria-label="Staged files">
        {changes.map((c) => {
          const k = changeKind(c);
          const on = c.path === sel.path;
          return (
            <li key={c.path}>
              <button className={`change-row${on ? ' selected' : ''}`} aria-current={on ? 'true' : undefined} onClick={() => setSelPath(c.path)} title={`${c.path} (${k})`}>
                <span className={`change-op op-${k}`} aria-label={k}>
                  {k === 'added' ? 'A' : k === 'deleted' ? 'D' : 'M'}
                </span>
                <span className="change-path">{c.path}</span>
                <span className="muted small">{c.op}</span>
              </button>
            </li>
          );
        })}
      </ul>
      <div className="diff-bar">
        <span className="mono diff-path" title={sel.path}>
          {sel.path}
        </span>
        <span className="muted small">
          {kind === 'added' ? 'new file' : kind === 'deleted' ? 'file deleted' : 'before → after'}
        </span>
        <span className="spacer" />
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
      {sel.binary ? (
        <p className="run-note">Binary file: its content is not shown. The commit replaces it byte for byte.</p>
      ) : (
        <>
          {sel.truncated && <p className="run-note warn">This file is large: only the first 2 MiB of each side are shown.</p>}
          {mode === 'split' && (
            <div className="diff-sides muted small" aria-hidden>
              <span>{sel.beforeExists ? 'Before (on disk when staged)' : 'Before: the file does not exist'}</span>
              <span>{sel.afterExists ? 'After (staged)' : 'After: the file is deleted'}</span>
            </div>
          )}
          <DiffView key={sel.path} path={sel.path} before={sel.before} after={sel.after} mode={mode} />
        </>
      )}
    </div>
  );
}
