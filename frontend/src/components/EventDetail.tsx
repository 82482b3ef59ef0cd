// The event inspector's detail pane: one event in full, fetched by seq.
import { useEffect, useState, type ReactNode } from 'react';
import { showEvent } from '../actions';
import { api, errorMessage, type EventDetail } from '../bridge';

/** clock formats Unix nanoseconds as local HH:MM:SS.mmm. */
export function clock(atNs: number): string {
  const d = new Date(Math.floor(atNs / 1e6));
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** shortId keeps the last n characters of an id (the random end of a UUIDv7 or ULID). */
export function shortId(id: string, n = 8): string {
  return id.length <= n + 1 ? id : `…${id.slice(-n)}`;
}

/**
 * EventLink opens the event log at one event (by seq, else id), selected on
 * whatever page of the log it is.
 */
export function EventLink({ seq = 0, id = '', children, className }: { seq?: number; id?: string; children?: ReactNode; className?: string }) {
  const name = seq > 0 ? `#${seq}` : shortId(id);
  return (
    <button
      className={`link ev-link${className ? ` ${className}` : ''}`}
      title={`Show event ${seq > 0 ? `#${seq}` : id} in the event log`}
      onClick={(e) => {
        e.stopPropagation();
        showEvent({ seq, id });
      }}
    >
      {children ?? name}
    </button>
  );
}

function when(atNs: number): string {
  const d = new Date(Math.floor(atNs / 1e6));
  return `${d.toLocaleDateString()} ${clock(atNs)} · ${d.toISOString()}`;
}

type Loaded = { seq: number; detail: EventDetail | null; error: string | null };

export interface EventDetailPaneProps {
  seq: number | null;
  /** onJump shows the event with seq in the list (the causation link). */
  onJump: (seq: number) => void;
  /** workspaceName names a workspace id, if the Studio knows it. */
  workspaceName?: (id: string) => string | undefined;
}

export function EventDetailPane({ seq, onJump, workspaceName }: EventDetailPaneProps) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (seq === null) return;
    let live = true;
    api.GetEvent({ seq, id: '' }).then(
      (detail) => live && setLoaded({ seq, detail, error: null }),
      (err: unknown) => live && setLoaded({ seq, detail: null, error: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [seq, attempt]);

  if (seq === null) return <p className="muted ev-empty">Select an event to see everything it records.</p>;
  // Keep showing the previous event while the next one loads: no flicker on arrow keys.
  const current = loaded?.seq === seq ? loaded : null;
  if (current?.error)
    return (
      <div className="ev-detail-error" role="alert">
        <p>Could not load event #{seq}: {current.error}</p>
        <button onClick={() => setAttempt((n) => n + 1)}>Retry</button>
      </div>
    );
  const d = current?.detail ?? loaded?.detail;
  if (!d) return <p className="muted ev-empty">Loading event #{seq}…</p>;

  const field = (name: string, value: ReactNode) => (
    <>
      <dt>{name}</dt>
      <dd className="mono">{value === '' ? <span className="muted">—</span> : value}</dd>
    </>
  );
  const wsName = d.workspace ? workspaceName?.(d.workspace) : undefined;
  return (
    <article className={`ev-detail${current ? '' : ' stale'}`} aria-label={`Event ${d.seq}`} aria-busy={!current}>
      <header className="ev-detail-head">
        <span className="ev-type">{d.type}</span>
        <span className="muted">#{d.seq}</span>
      </header>
      <dl className="facts ev-facts">
        {field('seq', String(d.seq))}
        {field('id', d.id)}
        {field('at', when(d.at))}
        {field('type', d.type)}
        {field('schema', String(d.schema))}
        {field('origin', d.origin)}
        {field('stream', d.stream)}
        {field('version', String(d.version))}
        {field('workspace', d.workspace && (wsName ? `${d.workspace} (${wsName})` : d.workspace))}
        {field('run', d.run)}
        {field(
          'causation',
          d.causation &&
            (d.causationSeq > 0 ? (
              <button className="link ev-link" title={`Show the cause, ${d.causation}`} onClick={() => onJump(d.causationSeq)}>
                #{d.causationSeq} · {d.causation}
              </button>
            ) : (
              <span title="The cause is not in this log">{d.causation} (not in the log)</span>
            )),
        )}
        {field('correlation', d.correlation)}
        {field('hash', d.hash)}
        {field('prevHash', d.prevHash)}
      </dl>
      <h3 className="ev-section">Payload</h3>
      <pre className="ev-payload" aria-label="Payload">
        {d.payload}
      </pre>
    </article>
  );
}
