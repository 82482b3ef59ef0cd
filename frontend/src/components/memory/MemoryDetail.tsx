// One memory in full: its content, where it came from, every version, and
// the actions on its latest version (a new version, deprecation).
import { useState } from 'react';
import { api, errorMessage, type Memory } from '../../bridge';
import { store } from '../../store';
import { EventLink, shortId } from '../EventDetail';
import { FormError } from '../FormError';
import { useHistory } from './hooks';
import { expiry, fieldsOf, percent, shortHash, when } from './memoryFormat';
import { SpecForm } from './SpecForm';

/** StateChip shows a memory's state, and whether it needs review. */
export function StateChip({ m }: { m: Memory }) {
  return (
    <>
      <span className={`chip mem-state state-${m.state}`} title={m.stateReason || undefined}>
        {m.state}
      </span>
      {m.needsReview && (
        <span className="chip mem-review" title={m.needsReview}>
          needs review
        </span>
      )}
    </>
  );
}

function Provenance({ m, workspaceId }: { m: Memory; workspaceId: string }) {
  const events = m.sources?.events ?? [];
  const files = m.sources?.files ?? [];
  const run = m.sources?.run ?? '';
  return (
    <section className="cap-section" aria-label="Provenance">
      <h3>Provenance</h3>
      <dl className="facts mem-facts">
        <dt>Promoted</dt>
        <dd>
          {when(m.createdAt)} (event #{m.promotedSeq})
        </dd>
        {run && (
          <>
            <dt>Run</dt>
            <dd>
              <button className="link mono" title={run} onClick={() => store.setWorkspaceView(workspaceId, { run, centre: 'run' })}>
                run {shortId(run)}
              </button>
            </dd>
          </>
        )}
        {m.sources?.note && !events.includes(m.sources.note) && (
          <>
            <dt>Note</dt>
            <dd className="mono small">{m.sources.note}</dd>
          </>
        )}
        <dt>Files</dt>
        <dd>
          {files.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            <ul className="mem-sources" aria-label="Source files">
              {files.map((f) => (
                <li key={f.path}>
                  <span className="mono">{f.path}</span>{' '}
                  <span className="muted mono small" title={f.hash}>
                    {shortHash(f.hash)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Events</dt>
        <dd>
          {events.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            <ul className="mem-sources" aria-label="Source events">
              {events.map((id) => (
                <li key={id}>
                  <EventLink id={id} className="mono">
                    #{shortId(id)}
                  </EventLink>{' '}
                  <span className="muted small">event id</span>
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
    </section>
  );
}

function Versions({ versions, error }: { versions: Memory[] | null; error: string | null }) {
  return (
    <section className="cap-section" aria-label="Versions">
      <h3>Versions</h3>
      <FormError error={error} what="versions" />
      {versions === null ? (
        !error && <p className="muted small">Loading…</p>
      ) : (
        <ol className="mem-versions" aria-label="Version history">
          {versions.map((v) => (
            <li key={v.version} data-version={v.version}>
              <span className="mono">v{v.version}</span> <StateChip m={v} /> <span className="muted small">{when(v.createdAt)}</span>
              {v.stateReason && <span className="muted small"> — {v.stateReason}</span>}
              <div className="mem-version-content">{v.content}</div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Deprecate({ m, onDone }: { m: Memory; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!open) return <button className="danger" onClick={() => setOpen(true)}>Deprecate</button>;
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.DeprecateMemory({ id: m.id, version: m.version, reason: reason.trim() || 'deprecated by the user in the Studio' });
      store.toast('info', 'Memory deprecated.');
      setOpen(false);
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
  };
  return (
    <div className="mem-confirm" role="group" aria-label="Confirm deprecation">
      <span className="small">Deprecate this memory? Runs will no longer see it.</span>
      <input aria-label="Reason for deprecating" value={reason} placeholder="why (kept in the log)" onChange={(e) => setReason(e.target.value)} />
      <div className="cap-actions">
        <span className="spacer" />
        <button onClick={() => setOpen(false)} disabled={busy}>
          Cancel
        </button>
        <button className="danger" onClick={() => void confirm()} disabled={busy}>
          {busy ? 'Deprecating…' : 'Confirm deprecate'}
        </button>
      </div>
      <FormError error={error} />
    </div>
  );
}

export interface MemoryDetailProps {
  workspaceId: string;
  memory: Memory;
  onClose: () => void;
  /** onChanged shows another version (after New version…) or refreshes the list. */
  onChanged: (m: Memory | null) => void;
}

export function MemoryDetail({ workspaceId, memory, onClose, onChanged }: MemoryDetailProps) {
  const history = useHistory(workspaceId, memory.id);
  const [editing, setEditing] = useState(false);
  // The newest view of this version, once the history has it.
  const m = history.versions?.find((v) => v.version === memory.version) ?? memory;
  const latest = history.versions?.[history.versions.length - 1];
  const canChange = m.state === 'active' && (!latest || latest.version === m.version);
  const exp = expiry(m);
  return (
    <article className="mem-detail" aria-label="Memory" data-memory={m.id}>
      <header className="mem-detail-head">
        <button className="link small" onClick={onClose}>
          ← All memories
        </button>
        <div className="mem-chips">
          <span className="chip mem-kind">{m.kind}</span>
          <span className="chip">{m.scope}</span>
          <StateChip m={m} />
          <span className="muted small" title={`confidence ${percent(m.confidence)}, after decay ${percent(m.effective)}`}>
            {percent(m.effective)} confident
          </span>
          <span className="muted small mono">v{m.version}</span>
        </div>
      </header>
      <p className="mem-content-full" data-testid="memory-content">
        {m.content}
      </p>
      <p className="muted small">
        {m.stateReason && `${m.stateReason}. `}
        {m.needsReview && `Needs review: ${m.needsReview}. `}
        {exp && `${exp[0]!.toUpperCase()}${exp.slice(1)}. `}
        {m.decayDays ? `Confidence halves every ${m.decayDays} d. ` : ''}
        When a source file changes: {m.onChange === 'review' ? 'flag for review' : m.onChange === 'invalidate' ? 'invalidate' : 'as the workspace policy says'}.
      </p>
      {canChange && !editing && (
        <div className="cap-actions">
          <button onClick={() => setEditing(true)}>New version…</button>
          <Deprecate
            m={m}
            onDone={() => {
              void history.reload();
              onChanged(null);
            }}
          />
        </div>
      )}
      {editing && (
        <SpecForm
          label="New version"
          initial={fieldsOf(m)}
          submitLabel="Save new version"
          onCancel={() => setEditing(false)}
          onSubmit={async (spec) => {
            const next = await api.SupersedeMemory({ id: m.id, version: m.version, spec });
            store.toast('info', `Saved version ${next.version}.`);
            setEditing(false);
            void history.reload();
            onChanged(next);
          }}
        />
      )}
      <Provenance m={m} workspaceId={workspaceId} />
      <Versions versions={history.versions} error={history.error} />
    </article>
  );
}
