// One run in full, for review: what it is and where it stands, the
// decisions (Commit, Abort, Revert), an agent run's transcript, its staged
// changes as diffs, its validation and its timeline. Everything is read
// from the log.
import { useCallback, useEffect, useRef, useState } from 'react';
import { abortRun, approveRun, revertRun, showRunEvents } from '../../actions';
import { api, errorMessage, RunEvents, type EventRow, type RunDetail, type RunInfo } from '../../bridge';
import { store } from '../../store';
import { useCommands } from '../../commands';
import { clock, shortId } from '../EventDetail';
import { AgentTranscript } from './AgentTranscript';
import { useNow, useRunChanged } from './hooks';
import { ApprovalCards } from './ApprovalCards';
import { PromoteButton } from './PromoteForm';
import { RunBadge } from './RunBadge';
import { RunChanges } from './RunChanges';
import { canAbort, canCommit, canPromote, canRevert, isLive, relativeTime, validationMark } from './runFormat';
import { RunTimeline } from './RunTimeline';
import { RunValidation, validationFacts } from './RunValidation';
import { DismissableError } from '../FormError';
import { ExportButton } from './ExportButton';
import { GitCommitOffer } from '../explorer/GitCommitOffer';

/** eventsPage and maxEvents bound how much of a run's log the view loads. */
const eventsPage = 1000;
const maxEvents = 20_000;

/** loadRunEvents reads a run's events, oldest first, page by page. */
export async function loadRunEvents(run: string): Promise<{ rows: EventRow[]; truncated: boolean }> {
  const rows: EventRow[] = [];
  for (;;) {
    const page = await api.ListEvents({ filter: { run, type: '', origin: '', workspace: '' }, offset: rows.length, limit: eventsPage });
    const got = page.rows ?? [];
    rows.push(...got);
    if (got.length === 0 || rows.length >= page.total) return { rows, truncated: false };
    if (rows.length >= maxEvents) return { rows, truncated: true };
  }
}

interface RunData {
  detail: RunDetail;
  events: EventRow[];
  truncated: boolean;
}

/** useRunData loads a run and its events, again whenever the run changes. */
function useRunData(id: string) {
  const [data, setData] = useState<{ id: string; value: RunData } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);

  const reload = useCallback(async () => {
    const gen = ++generation.current;
    try {
      const [detail, ev] = await Promise.all([api.GetRun({ id }), loadRunEvents(id)]);
      if (gen !== generation.current) return;
      setData({ id, value: { detail: { ...detail, changes: detail.changes ?? [], asks: detail.asks ?? [] }, events: ev.rows, truncated: ev.truncated } });
      setError(null);
    } catch (err) {
      if (gen === generation.current) setError(errorMessage(err));
    }
  }, [id]);

  useEffect(() => {
    setError(null);
    void reload();
  }, [reload]);
  useRunChanged((changes) => {
    if (changes.length === 0 || changes.some((c) => c.run === id)) void reload();
  });
  return { data: data?.id === id ? data.value : null, error, reload };
}

/** useRelatedRun loads another run (the one reverted, or reverting), kept current. */
function useRelatedRun(id: string): RunInfo | null {
  const [info, setInfo] = useState<RunInfo | null>(null);
  const load = useCallback(() => {
    if (!id) return;
    api.GetRun({ id }).then(
      (d) => setInfo(d.run),
      () => setInfo(null),
    );
  }, [id]);
  useEffect(() => {
    setInfo(null);
    load();
  }, [load]);
  useRunChanged((changes) => {
    if (id && (changes.length === 0 || changes.some((c) => c.run === id))) load();
  });
  return id && info?.id === id ? info : null;
}

type Tab = 'transcript' | 'changes' | 'validation' | 'timeline';
type Busy = 'commit' | 'abort' | 'revert' | null;

export interface RunViewProps {
  runId: string;
  /** onOpenRun shows another run (a revert and the run it reverts link to each other). */
  onOpenRun: (id: string) => void;
}

export function RunView({ runId, onOpenRun }: RunViewProps) {
  const { data, error, reload } = useRunData(runId);
  const run = data?.detail.run;
  // A run in progress or awaiting a decision shows its current phase growing.
  const now = useNow(run && (isLive(run) || !run.outcome) ? 1000 : 15_000);
  const [busy, setBusy] = useState<Busy>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab | null>(null);
  const revertOf = useRelatedRun(run?.revertOf ?? '');
  const revertedBy = useRelatedRun(run?.revertedBy ?? '');

  useEffect(() => {
    setActionError(null);
    setTab(null);
  }, [runId]);

  // Commit and Abort by name (the command palette, key bindings): they act as the buttons do.
  const actRef = useRef<((what: 'commit' | 'abort') => void) | null>(null);
  useCommands([
    {
      id: 'run.commit',
      title: 'Commit the open run',
      category: 'Run',
      enabled: () => (!run || !canCommit(run) ? 'only a validated run can be committed' : busy !== null ? 'the run is busy' : true),
      run: () => actRef.current?.('commit'),
    },
    {
      id: 'run.abort',
      title: 'Abort the open run',
      category: 'Run',
      enabled: () => (!run || !canAbort(run) ? 'this run can no longer be aborted' : busy !== null ? 'the run is busy' : true),
      run: () => actRef.current?.('abort'),
    },
  ]);

  if (!data || !run) {
    if (error)
      return (
        <div className="run-view">
          <div className="run-error" role="alert">
            <span>Could not load the run: {error}</span>
            <button onClick={() => void reload()}>Retry</button>
          </div>
        </div>
      );
    return <p className="muted run-empty">Loading the run…</p>;
  }

  const { changes, asks } = data.detail;
  const verdict = [...data.events].reverse().find((e) => e.type === RunEvents.ValidationPassed || e.type === RunEvents.ValidationFailed);
  const isAgent = run.worker === 'agent';
  const shownTab: Tab = tab ?? (isAgent ? 'transcript' : changes.length > 0 ? 'changes' : verdict ? 'validation' : 'timeline');
  // ✓ only when a validation command passed: edits that merely apply cleanly get a neutral mark.
  const vmark = validationMark(verdict?.type, validationFacts(data.events).command !== null);
  const tabs: (readonly [Tab, string, string])[] = [
    ...(isAgent ? [['transcript', 'Transcript', ''] as const] : []),
    ['changes', `Changes`, String(changes.length)],
    ['validation', 'Validation', vmark?.mark ?? ''],
    ['timeline', 'Timeline', String(data.events.length)],
  ];

  const act = async (what: Exclude<Busy, null>) => {
    setBusy(what);
    setActionError(null);
    const res =
      what === 'commit' ? await approveRun(run.id) : what === 'abort' ? await abortRun(run.id, 'aborted by the user in the Studio') : await revertRun(run.id);
    setBusy(null);
    if (!res.ok) {
      setActionError(res.error);
      void reload();
      return;
    }
    if (what === 'revert') {
      store.toast('info', 'Revert run started: review it, then Commit to restore the files.');
      onOpenRun(res.value.id);
      return;
    }
    void reload();
  };

  actRef.current = (what) => void act(what);
  const commitOk = canCommit(run);
  const abortOk = canAbort(run);
  const revertOk = canRevert(run, revertedBy?.outcome);

  return (
    <article className="run-view" aria-label="Run" data-run={run.id}>
      <header className="run-head">
        <div className="run-title">
          <h2 title={run.task}>{run.task}</h2>
          <RunBadge run={run} waiting={asks.length > 0} />
        </div>
        <div className="run-meta muted small">
          <span className="chip">{run.worker}</span>
          {run.profile && <span className="chip" title="The capability profile the run was started with">{run.profile} profile</span>}
          {run.autoCommit && <span className="chip">auto-commit</span>}
          <span title={run.id} className="mono">
            run {shortId(run.id)}
          </span>
          <span title={new Date(run.createdAt / 1e6).toLocaleString()}>started {relativeTime(run.createdAt, now)}</span>
          <span>updated {clock(run.updatedAt)}</span>
          {run.approved && <span>approved by the user</span>}
        </div>
        {run.reason && (
          <p className={`run-reason tone-${run.state === 'validation_failed' ? 'bad' : run.outcome === 'committed' ? 'ok' : 'plain'}`} data-testid="run-reason">
            {run.reason}
          </p>
        )}
        {run.revertOf && (
          <p className="run-link small">
            ↶ Reverts{' '}
            <button className="link" onClick={() => onOpenRun(run.revertOf)}>
              {revertOf ? revertOf.task : `run ${shortId(run.revertOf)}`}
            </button>
          </p>
        )}
        {run.revertedBy && (
          <p className="run-link small">
            Reverted by{' '}
            <button className="link" onClick={() => onOpenRun(run.revertedBy)}>
              {revertedBy ? revertedBy.task : `run ${shortId(run.revertedBy)}`}
            </button>{' '}
            {revertedBy && <RunBadge run={revertedBy} />}
          </p>
        )}
        <div className="run-actions">
          <button
            className="primary"
            disabled={!commitOk || busy !== null}
            onClick={() => void act('commit')}
            title={
              !commitOk
                ? 'Only a validated run can be committed'
                : changes.length === 0
                  ? 'Nothing to write: finishing records the run as committed (its answer can then be promoted to memory)'
                  : 'Approve the run and write its staged changes to the files'
            }
          >
            {busy === 'commit' ? 'Committing…' : commitOk && changes.length === 0 ? 'Finish' : 'Commit'}
          </button>
          <button
            className="danger"
            disabled={!abortOk || busy !== null}
            onClick={() => void act('abort')}
            title={abortOk ? 'Drop the run: nothing it staged is applied' : 'This run can no longer be aborted'}
          >
            {busy === 'abort' ? 'Aborting…' : 'Abort'}
          </button>
          <button
            disabled={!revertOk || busy !== null}
            onClick={() => void act('revert')}
            title={
              revertOk
                ? 'Start a run that restores the files as they were before this commit'
                : run.outcome === 'committed'
                  ? 'A revert of this run is under way or done'
                  : 'Only a committed run can be reverted'
            }
          >
            {busy === 'revert' ? 'Reverting…' : 'Revert'}
          </button>
          {canPromote(run, revertedBy?.outcome) && <PromoteButton key={run.id} run={run} changes={changes} />}
          <span className="spacer" />
          {isLive(run) && asks.length === 0 && <span className="muted small live-note">working…</span>}
          <button className="quiet" onClick={() => showRunEvents(run.id)} title="Show this run's events in the event log">
            Event log
          </button>
          <ExportButton id={run.id} what="run" commandId="run.export" />
        </div>
        <DismissableError error={actionError} onDismiss={() => setActionError(null)} />
        {error && (
          <div className="run-error" role="alert">
            <span>Could not refresh the run: {error}</span>
            <button onClick={() => void reload()}>Retry</button>
          </div>
        )}
      </header>
      <ApprovalCards asks={asks} onAnswered={() => void reload()} explain={isAgent} />
      {run.outcome === 'committed' && (
        <GitCommitOffer
          key={run.id}
          run={run}
          files={changes.map((c) => c.path)}
          events={data.events}
          asked={asks.some((a) => a.kind === 'git.commit')}
          onChanged={() => void reload()}
        />
      )}
      <div className="run-tabs" role="tablist" aria-label="Run details">
        {tabs.map(([t, label, extra]) => (
          <button
            key={t}
            role="tab"
            id={`run-tab-${t}`}
            aria-selected={shownTab === t}
            aria-controls={`run-panel-${t}`}
            className={`run-tab${shownTab === t ? ' on' : ''}`}
            onClick={() => setTab(t)}
            title={t === 'validation' ? vmark?.text : undefined}
          >
            {label}
            {extra && <span className={`tab-extra${extra === '✗' ? ' bad' : extra === '✓' ? ' good' : extra === '○' ? ' neutral' : ''}`}>{extra}</span>}
          </button>
        ))}
      </div>
      {/* The transcript stays mounted behind the other tabs: it keeps following the run live. */}
      {isAgent && (
        <div className="run-body body-transcript" role="tabpanel" id="run-panel-transcript" aria-labelledby="run-tab-transcript" hidden={shownTab !== 'transcript'}>
          <AgentTranscript run={run} />
        </div>
      )}
      {shownTab !== 'transcript' && (
        <div className={`run-body body-${shownTab}`} role="tabpanel" id={`run-panel-${shownTab}`} aria-labelledby={`run-tab-${shownTab}`}>
          {shownTab === 'changes' && <RunChanges run={run} changes={changes} onChanged={() => void reload()} />}
          {shownTab === 'validation' && <RunValidation events={data.events} />}
          {shownTab === 'timeline' && <RunTimeline events={data.events} nowMs={now} truncated={data.truncated} />}
        </div>
      )}
    </article>
  );
}
