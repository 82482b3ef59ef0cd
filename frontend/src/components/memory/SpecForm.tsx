// The form for a memory's spec, shared by writing a note, a new version, an
// edited proposal and a promoted run: it checks the numbers itself and shows
// the backend's refusal inline.
import { useState, type FormEvent, type ReactNode } from 'react';
import { errorMessage, type MemorySpec } from '../../bridge';
import { FormError } from '../FormError';
import { kinds, onChanges, scopes, specOf, type SpecFields } from './memoryFormat';

export interface SpecFormProps {
  /** label names the form for assistive technology and tests. */
  label: string;
  initial: SpecFields;
  submitLabel: string;
  /** onSubmit saves the spec (and extra fields); a rejection is shown inline. */
  onSubmit: (spec: MemorySpec, files: string[]) => Promise<void>;
  onCancel?: () => void;
  /** withFiles adds the field for files the memory depends on. */
  withFiles?: boolean;
  /** compact leaves out TTL, decay and on-change. */
  compact?: boolean;
  children?: ReactNode;
}

/** splitPaths reads comma-separated paths. */
export const splitPaths = (s: string): string[] =>
  s
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');

export function SpecForm({ label, initial, submitLabel, onSubmit, onCancel, withFiles, compact, children }: SpecFormProps) {
  const [f, setF] = useState<SpecFields>(initial);
  const [files, setFiles] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (patch: Partial<SpecFields>) => {
    setF((x) => ({ ...x, ...patch }));
    setError(null);
  };
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const res = specOf(f);
    if ('error' in res) {
      setError(res.error);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(res.spec, splitPaths(files));
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
  };
  return (
    <form className="mem-form" aria-label={label} noValidate onSubmit={(ev) => void submit(ev)}>
      {children}
      <label>
        <span>Kind</span>
        <select aria-label="Kind" value={f.kind} onChange={(e) => set({ kind: e.target.value })}>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Scope</span>
        <select aria-label="Scope" value={f.scope} onChange={(e) => set({ scope: e.target.value })}>
          {scopes.map((s) => (
            <option key={s} value={s}>
              {s === 'workspace' ? 'this workspace' : 'global (every workspace)'}
            </option>
          ))}
        </select>
      </label>
      <label className="mem-form-content">
        <span>Content</span>
        <textarea aria-label="Content" rows={4} value={f.content} onChange={(e) => set({ content: e.target.value })} />
      </label>
      <label>
        <span>Confidence (%)</span>
        <input aria-label="Confidence" type="number" min="0" max="100" value={f.confidence} placeholder="100" onChange={(e) => set({ confidence: e.target.value })} />
      </label>
      {!compact && (
        <>
          <label>
            <span>Time to live (days)</span>
            <input aria-label="Time to live (days)" type="number" min="0" step="any" value={f.ttlDays} placeholder="forever" onChange={(e) => set({ ttlDays: e.target.value })} />
          </label>
          <label>
            <span>Decay half-life (days)</span>
            <input aria-label="Decay half-life (days)" type="number" min="0" step="any" value={f.decayDays} placeholder="no decay" onChange={(e) => set({ decayDays: e.target.value })} />
          </label>
          <label>
            <span>When a source changes</span>
            <select aria-label="When a source changes" value={f.onChange} onChange={(e) => set({ onChange: e.target.value })}>
              {onChanges.map((o) => (
                <option key={o} value={o}>
                  {o === 'invalidate' ? 'invalidate it' : o === 'review' ? 'flag it for review' : 'as the workspace policy says'}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      {withFiles && (
        <label>
          <span>Depends on files</span>
          <input aria-label="Depends on files" className="mono" value={files} placeholder="README.md, docs/build.md" onChange={(e) => setFiles(e.target.value)} spellCheck={false} />
        </label>
      )}
      <FormError error={error} />
      <div className="cap-actions">
        <span className="spacer" />
        {onCancel && (
          <button type="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
      </div>
    </form>
  );
}
