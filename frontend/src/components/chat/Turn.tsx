// One turn of a conversation: the user's message with what it brought
// (@-files, rules files, the selection, changes carried over), the agent's
// transcript, the approvals it waits for, the files it changed, and the
// checkpoint actions (Commit, Abort, Revert, Retry, Fork here, Restore).
import { useEffect, useState } from 'react';
import { abortRun, approveRun, forkThread, restoreThread, retryTurn, revertRun } from '../../actions';
import { api, errorMessage, type AgentParams, type FileChange, type FileStat, type SendResult, type ThreadView, type TurnView } from '../../bridge';
import { store } from '../../store';
import { clock, shortId } from '../EventDetail';
import { DiffView } from '../editor/DiffView';
import { AgentTranscript } from '../runs/AgentTranscript';
import { ApprovalCards } from '../runs/ApprovalCards';
import { RunBadge } from '../runs/RunBadge';
import { canAbort, canCommit, isLive } from '../runs/runFormat';
import { carriedNote, fileChip, lineRange, TurnKinds, turnOfRun } from './chatFormat';
import { useRunAsks } from './hooks';
import { DismissableError } from '../FormError';

/** useChange loads one staged change of a run (for its diff), when wanted. */
function useChange(run: string, path: string, wanted: boolean) {
  const [state, setState] = useState<{ change: FileChange | null; error: string | null } | null>(null);
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    api.GetRun({ id: run }).then(
      (d) => live && setState({ change: (d.changes ?? []).find((c) => c.path === path) ?? null, error: null }),
      (err: unknown) => live && setState({ change: null, error: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [run, path, wanted]);
  return state;
}

function ChangeRow({ run, c }: { run: string; c: FileStat }) {
  const [open, setOpen] = useState(false);
  const loaded = useChange(run, c.path, open);
  const deleted = c.op === 'delete';
  const mark = deleted ? 'D' : c.new ? 'A' : 'M';
  return (
    <li className="turn-change">
      <button className="change-row" aria-expanded={open} onClick={() => setOpen(!open)} title={open ? 'Hide the diff' : 'Show the diff'}>
        <span className={`change-op op-${deleted ? 'deleted' : c.new ? 'added' : 'modified'}`} aria-hidden>
          {mark}
        </span>
        <span className="change-path">{c.path}</span>
        <span className="diffstat mono" aria-label={`${c.added} lines added, ${c.removed} removed`}>
          <span className="ok">+{c.added}</span> <span className="error">−{c.removed}</span>
        </span>
      </button>
      {open && (
        <div className="turn-diff">
          {!loaded ? (
            <p className="muted small">Loading the diff…</p>
          ) : loaded.error ? (
            <p className="form-error small">Could not load the diff: {loaded.error}</p>
          ) : !loaded.change ? (
            <p className="muted small">The run no longer has this change staged.</p>
          ) : loaded.change.binary ? (
            <p className="muted small">Binary file: its content is not shown.</p>
          ) : (
            <DiffView path={c.path} before={loaded.change.before} after={loaded.change.after} mode="unified" />
          )}
        </div>
      )}
    </li>
  );
}

type Busy = 'commit' | 'abort' | 'revert' | 'retry' | 'fork' | 'restore' | null;

export interface TurnProps {
  t: TurnView;
  view: ThreadView;
  /** params are what a retry starts with (the composer's model and settings). */
  params: AgentParams | null;
  onOpenRun: (id: string) => void;
  onOpenThread: (id: string) => void;
  /** onStarted is told about a turn a retry started. */
  onStarted: (res: SendResult) => void;
  /** onChanged asks the conversation to read the thread again. */
  onChanged: () => void;
}

export function Turn({ t, view, params, onOpenRun, onOpenThread, onStarted, onChanged }: TurnProps) {
  const info = t.info;
  const working = isLive(info);
  const { asks, reload: reloadAsks } = useRunAsks(t.run, working);
  const [busy, setBusy] = useState<Busy>(null);
  const [confirm, setConfirm] = useState<'fork' | 'restore' | null>(null);
  const [restoreFiles, setRestoreFiles] = useState(false);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const retriedBy = view.turns.find((x) => x.retries === t.turn && x.turn > t.turn);
  const lastTurn = view.turns.at(-1)?.turn ?? t.turn;
  const label = `Turn ${t.turn}`;

  const act = async (what: Exclude<Busy, null>) => {
    setBusy(what);
    setError(null);
    let failed: string | null = null;
    switch (what) {
      case 'commit': {
        const r = await approveRun(info.id);
        if (!r.ok) failed = r.error;
        break;
      }
      case 'abort': {
        const r = await abortRun(info.id, 'aborted by the user in the conversation');
        if (!r.ok) failed = r.error;
        break;
      }
      case 'revert': {
        const r = await revertRun(info.id);
        if (r.ok) {
          store.toast('info', 'Revert run started: review it, then Commit to restore the files.');
          onOpenRun(r.value.id);
        } else failed = r.error;
        break;
      }
      case 'retry': {
        if (!params) break;
        const r = await retryTurn({ id: view.thread.id, agent: params });
        if (r.ok) onStarted(r.value);
        else failed = r.error;
        break;
      }
      case 'fork': {
        const r = await forkThread({ id: view.thread.id, turn: t.turn, restoreFiles });
        if (r.ok) onOpenThread(r.value.thread.id);
        else failed = r.error;
        break;
      }
      case 'restore': {
        const r = await restoreThread({ id: view.thread.id, turn: t.turn });
        if (!r.ok) failed = r.error;
        break;
      }
    }
    setBusy(null);
    setConfirm(null);
    if (failed) setError(failed);
    onChanged();
  };

  if (t.kind === TurnKinds.restore) {
    const reverted = turnOfRun(view.turns, t.reverts);
    return (
      <section className="turn turn-restore" aria-label={label} data-turn={t.turn}>
        <div className="turn-line">
          <span className="turn-no">{label}</span>
          <span>↶ Reverted {reverted ? `turn ${reverted}` : `run ${shortId(t.reverts)}`}</span>
          <RunBadge run={info} />
          <span className="spacer" />
          <button className="quiet" onClick={() => onOpenRun(info.id)} title="Open the compensating run">
            Open run
          </button>
        </div>
        {info.reason && info.outcome !== 'committed' && <p className="turn-reason small">{info.reason}</p>}
      </section>
    );
  }

  if (t.retried && !open) {
    return (
      <section className="turn turn-retried" aria-label={label} data-turn={t.turn}>
        <div className="turn-line">
          <span className="turn-no">{label}</span>
          <span className="muted">failed — retried in {retriedBy ? `turn ${retriedBy.turn}` : 'a later turn'}</span>
          <RunBadge run={t.failed ? { state: info.state, outcome: 'failed' } : info} />
          <span className="spacer" />
          <button className="quiet" aria-expanded={false} onClick={() => setOpen(true)}>
            Show
          </button>
        </div>
      </section>
    );
  }

  const carried = carriedNote(t, view.turns);
  const committed = info.outcome === 'committed';
  const isCompact = t.kind === TurnKinds.compact;
  const hasChips = t.files.length > 0 || t.rules.length > 0 || !!t.selection || !!carried || t.inherited || t.kind === TurnKinds.retry;

  return (
    <section className={`turn${t.retried ? ' turn-retried open' : ''}`} aria-label={label} data-turn={t.turn} data-run={t.run}>
      <div className="turn-user">
        <div className="turn-line">
          <span className="turn-no">{label}</span>
          <span className="tr-role">{isCompact ? 'Compaction' : 'You'}</span>
          <span className="muted small" title={new Date(t.at / 1e6).toLocaleString()}>
            {clock(t.at)}
          </span>
          {t.retried && (
            <>
              <span className="muted small">failed — retried in {retriedBy ? `turn ${retriedBy.turn}` : 'a later turn'}</span>
              <span className="spacer" />
              <button className="quiet" aria-expanded onClick={() => setOpen(false)}>
                Hide
              </button>
            </>
          )}
        </div>
        <p className="turn-message">{isCompact ? '/compact — summarise the conversation so far; the next messages carry the summary' : t.message}</p>
        {hasChips && (
          <ul className="turn-chips" aria-label={`Context of turn ${t.turn}`}>
            {t.kind === TurnKinds.retry && t.retries > 0 && <li className="chip">retry of turn {t.retries}</li>}
            {t.inherited && <li className="chip" title="A turn of the conversation this one was forked from">from the original conversation</li>}
            {t.files.map((f) => (
              <li key={`f:${f.path}`} className="chip file-chip mono" title={f.folder ? `${f.path}: its listing was given` : f.hash ? `${f.path}, read with SHA-256 ${f.hash}` : `${f.path} did not exist`}>
                @{fileChip(f)}
              </li>
            ))}
            {t.rules.map((f) => (
              <li key={`r:${f.path}`} className="chip rules-chip" title={`Project rules read from ${f.path} (${f.hash.slice(0, 12)})`}>
                rules: {f.path}
              </li>
            ))}
            {t.selection && (
              <li className="chip mono" title="The editor selection sent with the message">
                {t.selection.path}:{lineRange(t.selection.startLine, t.selection.endLine)}
              </li>
            )}
            {carried && (
              <li className="chip carried-chip" title={t.carried?.files.join('\n')}>
                {carried}
              </li>
            )}
          </ul>
        )}
      </div>
      <div className="turn-agent">
        <AgentTranscript run={info} embedded />
      </div>
      <ApprovalCards
        asks={asks}
        explain
        onAnswered={() => {
          void reloadAsks();
          onChanged();
        }}
      />
      {t.changes.length > 0 && (
        <div className="turn-changes">
          <span className="turn-section">
            {t.changes.length} file{t.changes.length === 1 ? '' : 's'} changed{committed ? '' : info.outcome ? ', not applied' : ', staged'}
          </span>
          <ul aria-label={`Changes of turn ${t.turn}`}>
            {t.changes.map((c) => (
              <ChangeRow key={c.path} run={t.run} c={c} />
            ))}
          </ul>
        </div>
      )}
      <footer className="turn-foot">
        <div className="turn-state">
          <RunBadge run={t.failed ? { state: info.state, outcome: 'failed' } : info} waiting={asks.length > 0} />
          {info.reason && <span className="turn-reason small" title={info.reason}>{info.reason}</span>}
        </div>
        <div className="turn-actions" role="group" aria-label={`Actions of turn ${t.turn}`}>
          {canCommit(info) && (
            <button className="primary" disabled={busy !== null} onClick={() => void act('commit')} title={t.changes.length > 0 ? 'Write the staged changes to the files' : 'Nothing to write: records the turn as committed (its answer can then be promoted to memory)'}>
              {busy === 'commit' ? 'Committing…' : t.changes.length > 0 ? 'Commit' : 'Finish'}
            </button>
          )}
          {canAbort(info) && (
            <button className="danger" disabled={busy !== null} onClick={() => void act('abort')} title="Drop the turn: nothing it staged is applied">
              {busy === 'abort' ? 'Aborting…' : 'Abort'}
            </button>
          )}
          {committed && !info.revertedBy && (
            <button disabled={busy !== null} onClick={() => void act('revert')} title="Start a run that restores the files as they were before this turn's commit">
              {busy === 'revert' ? 'Reverting…' : 'Revert'}
            </button>
          )}
          {t.retryable && (
            <button
              className="primary"
              disabled={busy !== null || params === null}
              onClick={() => void act('retry')}
              title={params ? 'Try this turn again: the same message, files and context' : 'Fix the advanced settings of the composer first'}
            >
              {busy === 'retry' ? 'Retrying…' : 'Retry'}
            </button>
          )}
          <button className="quiet" disabled={busy !== null} aria-expanded={confirm === 'fork'} onClick={() => setConfirm(confirm === 'fork' ? null : 'fork')} title="Start a new conversation from the turns up to this one">
            Fork here
          </button>
          {t.turn < lastTurn && (
            <button
              className="quiet"
              disabled={busy !== null}
              aria-expanded={confirm === 'restore'}
              onClick={() => setConfirm(confirm === 'restore' ? null : 'restore')}
              title="Bring the files back to how they were after this turn"
            >
              Restore files to here
            </button>
          )}
          <span className="spacer" />
          <button className="quiet" onClick={() => onOpenRun(info.id)} title={`Open run ${shortId(info.id)}: its changes, validation and timeline`}>
            Open run
          </button>
        </div>
        {confirm === 'fork' && (
          <div className="turn-confirm" role="group" aria-label={`Fork at turn ${t.turn}`}>
            <p className="small">A new conversation starts with turns 1–{t.turn}; your next message there goes on from this turn.</p>
            <label className="check">
              <input type="checkbox" checked={restoreFiles} onChange={(e) => setRestoreFiles(e.target.checked)} />
              <span>Also restore the files to this turn (reverts the committed turns after it)</span>
            </label>
            <div className="turn-confirm-actions">
              <button className="primary" disabled={busy !== null} onClick={() => void act('fork')}>
                {busy === 'fork' ? 'Forking…' : 'Fork'}
              </button>
              <button onClick={() => setConfirm(null)}>Cancel</button>
            </div>
          </div>
        )}
        {confirm === 'restore' && (
          <div className="turn-confirm danger" role="group" aria-label={`Restore files to turn ${t.turn}`}>
            <p className="small">
              The files go back to how they were after turn {t.turn}: the committed turns after it are reverted by recorded runs, newest first, and open ones are
              aborted. A file changed since stops the restore there.
            </p>
            <div className="turn-confirm-actions">
              <button className="danger" disabled={busy !== null} onClick={() => void act('restore')}>
                {busy === 'restore' ? 'Restoring…' : 'Restore files'}
              </button>
              <button onClick={() => setConfirm(null)}>Cancel</button>
            </div>
          </div>
        )}
        <DismissableError error={error} onDismiss={() => setError(null)} />
      </footer>
    </section>
  );
}
