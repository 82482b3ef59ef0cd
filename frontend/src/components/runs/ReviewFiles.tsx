// The review's list of staged files, each with its +/- counts and its
// hunks; with a decision to make, each file and hunk has an Accept toggle
// (checked: accepted).
import { useEffect, useRef } from 'react';
import type { FileHunks } from '../../bridge';
import { fileDecision, hunkLabel, type Cursor, type Rejected } from './review';

/** ReviewEntry is one staged file: its kind, and its hunks once loaded. */
export interface ReviewEntry {
  path: string;
  kind: 'added' | 'deleted' | 'modified';
  hunks: FileHunks | null;
}

interface Props {
  entries: ReviewEntry[];
  rejected: Rejected;
  /** deciding shows the Accept toggles (a validated run). */
  deciding: boolean;
  at: Cursor;
  onGo: (c: Cursor) => void;
  onToggleFile: (file: number, accept: boolean) => void;
  onToggleHunk: (id: string) => void;
}

function FileToggle({ checked, partial, label, onChange }: { checked: boolean; partial: boolean; label: string; onChange: (on: boolean) => void }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = partial;
  }, [partial]);
  return <input ref={ref} type="checkbox" className="review-toggle" aria-label={label} checked={checked} onChange={(e) => onChange(e.target.checked)} title={label} />;
}

export function ReviewFiles({ entries, rejected, deciding, at, onGo, onToggleFile, onToggleHunk }: Props) {
  return (
    <ul className="change-list review-files" id="review-files" aria-label="Staged files">
      {entries.map((e, fi) => {
        const hunks = e.hunks?.hunks ?? [];
        const decision = e.hunks ? fileDecision(rejected, e.hunks) : 'accepted';
        const on = fi === at.file;
        const showHunks = e.hunks !== null && !e.hunks.whole && hunks.length > 0;
        return (
          <li key={e.path} className={`review-file decision-${decision}`}>
            <div className="review-file-row">
              {deciding && e.hunks && (
                <FileToggle
                  checked={decision !== 'rejected'}
                  partial={decision === 'partial'}
                  label={`Accept ${e.path}`}
                  onChange={(accept) => onToggleFile(fi, accept)}
                />
              )}
              <button
                className={`change-row${on ? ' selected' : ''}`}
                aria-current={on ? 'true' : undefined}
                onClick={() => onGo({ file: fi, hunk: hunks.length > 0 ? 0 : -1 })}
                title={`${e.path} (${e.kind})`}
              >
                <span className={`change-op op-${e.kind}`} aria-label={e.kind}>
                  {e.kind === 'added' ? 'A' : e.kind === 'deleted' ? 'D' : 'M'}
                </span>
                <span className="change-path">{e.path}</span>
              </button>
              {e.hunks && !e.hunks.binary && (
                <span className="review-counts mono" aria-label={`${e.hunks.added} added, ${e.hunks.removed} removed`}>
                  <span className="added">+{e.hunks.added}</span> <span className="removed">−{e.hunks.removed}</span>
                </span>
              )}
            </div>
            {showHunks && (
              <ul className="review-hunks" aria-label={`Changes in ${e.path}`}>
                {hunks.map((h, hi) => {
                  const out = rejected.has(h.id);
                  const { where, text } = hunkLabel(h);
                  const here = on && at.hunk === hi;
                  return (
                    <li key={h.id} className={out ? 'rejected' : undefined}>
                      {deciding && (
                        <input
                          type="checkbox"
                          className="review-toggle"
                          aria-label={`Accept change ${hi + 1} of ${e.path}`}
                          title={out ? 'Rejected: stays staged, not written' : 'Accepted: written by Commit selected'}
                          checked={!out}
                          onChange={() => onToggleHunk(h.id)}
                        />
                      )}
                      <button className={`hunk-row${here ? ' selected' : ''}`} aria-current={here ? 'true' : undefined} onClick={() => onGo({ file: fi, hunk: hi })} title={`${where} (${h.id})`}>
                        <span className="hunk-where mono muted">{where}</span>
                        <span className="hunk-text mono">{text}</span>
                      </button>
                    </li>
                  );
                })}
              </ul>
            )}
          </li>
        );
      })}
    </ul>
  );
}
