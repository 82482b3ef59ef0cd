// A run's timeline: its lifecycle phases as a small Gantt chart, each with
// its duration and, on demand, its events and their payloads.
import { useEffect, useState } from 'react';
import { api, errorMessage, type EventRow } from '../../bridge';
import { effectTypes, WhyLink } from '../capabilities/Why';
import { clock, EventLink } from '../EventDetail';
import { formatDuration } from './runFormat';
import { groupPhases, upcoming, type Phase, type PhaseName } from './timeline';

/** phaseHelp says what happens in each phase. */
const phaseHelp: Record<PhaseName, string> = {
  requested: 'The user asked for the run',
  created: 'The run is recorded with its task, budget and options',
  provisioned: 'The worker and its budget are assigned',
  context_resolved: 'The workspace context is resolved',
  memory_mounted: 'Memories in scope are mounted',
  context_ready: 'Capabilities are bound from the workspace policy',
  executing: 'The worker runs; every write is staged, none applied',
  validating: 'Staged edits are checked and the validation command runs in the sandbox, on an overlay with them',
  validated: 'Validation passed: waiting for approval',
  validation_failed: 'Validation failed: the run can only be aborted',
  committing: 'The staged files are written, journaled for crash recovery',
  committed: 'The files are written',
  aborted: 'Nothing staged was applied',
  terminated: 'The run is torn down',
};

/** shownPerPhase bounds the events listed at once in one phase. */
const shownPerPhase = 200;

function EventLine({ e, t0 }: { e: EventRow; t0: number }) {
  const [open, setOpen] = useState(false);
  const [payload, setPayload] = useState<{ text: string | null; error: string | null } | null>(null);
  useEffect(() => {
    if (!open || payload) return;
    let live = true;
    api.GetEvent({ seq: e.seq, id: e.id }).then(
      (d) => live && setPayload({ text: d.payload, error: null }),
      (err: unknown) => live && setPayload({ text: null, error: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [open, payload, e.seq, e.id]);
  return (
    <li className="tl-event">
      <button className="tl-event-row" aria-expanded={open} onClick={() => setOpen(!open)} title={`#${e.seq} at ${clock(e.at)}`}>
        <span className="tl-offset">+{formatDuration(e.at - t0)}</span>
        <span className="tl-type">{e.type}</span>
        <span className={`tl-origin o-${e.origin.split(':')[0]}`}>{e.origin}</span>
        <span className="tl-seq">#{e.seq}</span>
      </button>
      {effectTypes.has(e.type) && <WhyLink seq={e.seq} />}
      {open && (
        <EventLink seq={e.seq} className="tl-jump">
          Show #{e.seq} in the event log
        </EventLink>
      )}
      {open && (
        <pre className="tl-payload" aria-label={`Payload of event ${e.seq}`}>
          {payload === null ? 'Loading…' : (payload.text ?? `Could not load the payload: ${payload.error}`)}
        </pre>
      )}
    </li>
  );
}

function PhaseRow({ phase, t0, span, nowNs }: { phase: Phase; t0: number; span: number; nowNs: number }) {
  const [open, setOpen] = useState(false);
  const [all, setAll] = useState(false);
  const rows = [phase.start, ...phase.events];
  const dur = phase.durationNs ?? Math.max(0, nowNs - phase.startAt);
  const left = span > 0 ? ((phase.startAt - t0) / span) * 100 : 0;
  const width = span > 0 ? Math.max(0.6, (dur / span) * 100) : 100;
  const shown = all ? rows : rows.slice(0, shownPerPhase);
  return (
    <li className={`tl-phase${phase.current ? ' current' : ''}`} data-phase={phase.name}>
      <button className="tl-phase-row" aria-expanded={open} onClick={() => setOpen(!open)} title={phaseHelp[phase.name]}>
        <span className="tl-dot" aria-hidden />
        <span className="tl-name">{phase.name}</span>
        <span className="tl-count muted">
          {rows.length} event{rows.length === 1 ? '' : 's'}
        </span>
        <span className="tl-track" aria-hidden>
          <span className="tl-bar" style={{ left: `${Math.min(left, 99.4)}%`, width: `${Math.min(width, 100 - Math.min(left, 99.4))}%` }} />
        </span>
        <span className="tl-dur" data-testid="phase-duration">
          {formatDuration(dur)}
          {phase.current ? ' so far' : ''}
        </span>
      </button>
      {open && (
        <ul className="tl-events" aria-label={`Events of ${phase.name}`}>
          {shown.map((e) => (
            <EventLine key={e.seq} e={e} t0={t0} />
          ))}
          {shown.length < rows.length && (
            <li>
              <button className="link tl-more" onClick={() => setAll(true)}>
                Show all {rows.length} events
              </button>
            </li>
          )}
        </ul>
      )}
    </li>
  );
}

export interface RunTimelineProps {
  events: readonly EventRow[];
  nowMs: number;
  /** truncated: the run has more events than were loaded. */
  truncated?: boolean;
}

export function RunTimeline({ events, nowMs, truncated }: RunTimelineProps) {
  const nowNs = nowMs * 1e6;
  const phases = groupPhases(events, nowNs);
  const last = phases.at(-1);
  const t0 = phases[0]?.startAt ?? 0;
  const end = last ? (last.endAt ?? Math.max(nowNs, last.startAt)) : t0;
  const span = end - t0;
  const ahead = upcoming(last?.name);
  if (phases.length === 0) return <p className="muted run-empty">No events recorded for this run yet.</p>;
  return (
    <div className="run-timeline">
      <div className="tl-head muted small">
        <span>
          {phases.length} phase{phases.length === 1 ? '' : 's'} · {events.length} events · {formatDuration(span)}
          {last?.current ? ' so far' : ' in all'}
        </span>
        <span>started {clock(t0)}</span>
      </div>
      <ol className="tl-phases" aria-label="Timeline">
        {phases.map((p) => (
          <PhaseRow key={p.start.seq} phase={p} t0={t0} span={span} nowNs={nowNs} />
        ))}
        {ahead.map((name) => (
          <li key={name} className="tl-phase upcoming" data-phase={name} title={phaseHelp[name]}>
            <div className="tl-phase-row">
              <span className="tl-dot" aria-hidden />
              <span className="tl-name">{name}</span>
              <span className="tl-count" />
              <span className="tl-track" aria-hidden />
              <span className="tl-dur">—</span>
            </div>
          </li>
        ))}
      </ol>
      {truncated && <p className="muted small">Only the first events of this run are shown; the event log has them all.</p>}
    </div>
  );
}
