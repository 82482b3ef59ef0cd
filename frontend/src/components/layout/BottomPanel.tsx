// The bottom panel (Ctrl+J): the Output of the Studio (every notice and
// message it showed, kept after the toast is gone) and the validation of the
// run open for review (its verdict, the command and its output), live.
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage, type EventRow } from '../../bridge';
import type { PaneState } from '../../store';
import { shortId } from '../EventDetail';
import { FormError } from '../FormError';
import { useRunChanged } from '../runs/hooks';
import { RunValidation } from '../runs/RunValidation';
import { loadRunEvents } from '../runs/RunView';
import { useOutputLog, outputLog } from './outputLog';

export interface BottomPanelProps {
  tab: PaneState['bottomTab'];
  onTab: (tab: PaneState['bottomTab']) => void;
  /** run is the run open for review, whose validation the Validation tab shows. */
  run: string | null;
  onClose: () => void;
}

const time = (ms: number) => new Date(ms).toLocaleTimeString();

function OutputList() {
  const lines = useOutputLog();
  const end = useRef<HTMLLIElement>(null);
  useEffect(() => end.current?.scrollIntoView?.({ block: 'end' }), [lines.length]);
  if (lines.length === 0) return <p className="muted bottom-empty">Nothing yet: the Studio’s messages and errors are kept here after they leave the screen.</p>;
  return (
    <ol className="output-lines" aria-label="Studio output">
      {lines.map((l, i) => (
        <li key={l.id} className={`output-line ${l.kind}`} ref={i === lines.length - 1 ? end : undefined}>
          <time className="muted">{time(l.at)}</time>
          <span className="output-kind">{l.kind}</span>
          <span className="output-text">{l.text}</span>
        </li>
      ))}
    </ol>
  );
}

function RunOutput({ run }: { run: string }) {
  const [events, setEvents] = useState<{ run: string; rows: EventRow[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const ev = await loadRunEvents(run);
      setEvents({ run, rows: ev.rows });
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [run]);
  useEffect(() => void load(), [load]);
  useRunChanged((changes) => {
    if (changes.length === 0 || changes.some((c) => c.run === run)) void load();
  });
  if (error) return <FormError error={error} what="the run's events" />;
  if (events?.run !== run) return <p className="muted bottom-empty">Loading…</p>;
  return <RunValidation events={events.rows} />;
}

export function BottomPanel({ tab, onTab, run, onClose }: BottomPanelProps) {
  const tabBtn = (which: PaneState['bottomTab'], label: string, title: string) => (
    <button role="tab" aria-selected={tab === which} className={`side-tab${tab === which ? ' on' : ''}`} title={title} onClick={() => onTab(which)}>
      {label}
    </button>
  );
  return (
    <section className="bottom-panel" aria-label="Panel">
      <div className="pane-head bottom-head">
        <div role="tablist" aria-label="Panel" className="side-tabs">
          {tabBtn('output', 'Output', 'The Studio’s messages and errors, kept after they leave the screen')}
          {tabBtn('validation', run ? `Validation · run ${shortId(run)}` : 'Validation', 'The validation of the run open for review: verdict, command and output')}
        </div>
        <span className="spacer" />
        {tab === 'output' && (
          <button className="quiet small" onClick={outputLog.clear} title="Clear the output">
            Clear
          </button>
        )}
        <button className="icon-btn" aria-label="Close the panel" title="Close the panel (Ctrl+J)" onClick={onClose}>
          ×
        </button>
      </div>
      <div className="pane-body bottom-body">
        {tab === 'output' ? (
          <OutputList />
        ) : run ? (
          <RunOutput key={run} run={run} />
        ) : (
          <p className="muted bottom-empty">Open a run for review (Runs, on the right) to follow its validation here.</p>
        )}
      </div>
    </section>
  );
}
