// Proposals waiting for the user: accept as proposed, edit then accept, or
// reject with a reason. Accept is offered only where it can succeed: a
// proposal whose run is not committed (or was reverted) says why, and
// offers to open the run.
import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage, type MemoryProposal, type RunInfo } from '../../bridge';
import { useRunChanged } from '../runs/hooks';
import { canPromote, promoteRefusal } from '../runs/runFormat';
import { store } from '../../store';
import { shortId } from '../EventDetail';
import { FormError } from '../FormError';
import { fieldsOf, percent, when } from './memoryFormat';
import { SpecForm } from './SpecForm';

/** useProposalRuns keeps the runs of the proposals' workspaces, by id, current as runs change (empty while unknown). */
function useProposalRuns(proposals: MemoryProposal[]): Map<string, RunInfo> {
  const [runs, setRuns] = useState<Map<string, RunInfo>>(() => new Map());
  const workspaces = [...new Set(proposals.map((p) => p.workspace))].sort().join('\n');
  const load = useCallback(() => {
    if (!workspaces) return;
    Promise.all(workspaces.split('\n').map((workspaceId) => api.ListRuns({ workspaceId }))).then(
      (lists) => setRuns(new Map(lists.flat().map((r) => [r.id, r]))),
      () => setRuns(new Map()), // not known: Accept stays offered and the backend decides
    );
  }, [workspaces]);
  useEffect(load, [load]);
  useRunChanged(load);
  return runs;
}

/** acceptRefusal says why a proposal cannot be accepted ('' when it can, or when its run is not known). */
function acceptRefusal(run: RunInfo | undefined, runs: Map<string, RunInfo>): string {
  if (!run) return '';
  const revertedBy = run.revertedBy ? (runs.get(run.revertedBy)?.outcome ?? '') : undefined;
  return canPromote(run, revertedBy) ? '' : promoteRefusal(run, revertedBy);
}

function ProposalCard({ p, refusal, onOpenRun }: { p: MemoryProposal; refusal: string; onOpenRun?: (id: string) => void }) {
  const [mode, setMode] = useState<'idle' | 'edit' | 'reject'>('idle');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const decide = async (accept: boolean, why: string) => {
    setBusy(true);
    setError(null);
    try {
      await api.DecideProposal({ proposal: p.id, accept, reason: why });
      store.toast('info', accept ? 'Proposal accepted: the memory is active.' : 'Proposal rejected.');
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
  };
  return (
    <li className="mem-proposal" aria-label={`Proposal ${p.spec.content}`} data-proposal={p.id}>
      <div className="mem-chips">
        <span className="chip mem-kind">{p.spec.kind}</span>
        <span className="chip">{p.spec.scope}</span>
        <span className="muted small">{percent(p.spec.confidence || 1)} confident</span>
        <span className="muted small">
          from run {shortId(p.run)} · {when(p.proposedAt)}
        </span>
      </div>
      <p className="mem-content">{p.spec.content}</p>
      {mode === 'idle' && (
        <div className="cap-actions">
          {refusal && (
            <span className="muted small mem-refusal" role="note">
              Cannot be accepted yet: {refusal}.{' '}
              {onOpenRun && (
                <button className="link" onClick={() => onOpenRun(p.run)}>
                  Open the run
                </button>
              )}
            </span>
          )}
          <span className="spacer" />
          <button
            className="primary"
            disabled={busy || refusal !== ''}
            title={refusal ? `Cannot be accepted: ${refusal}` : undefined}
            onClick={() => void decide(true, 'accepted by the user in the Studio')}
          >
            Accept
          </button>
          <button disabled={busy || refusal !== ''} title={refusal ? `Cannot be accepted: ${refusal}` : undefined} onClick={() => setMode('edit')}>
            Edit & accept
          </button>
          <button className="danger" disabled={busy} onClick={() => setMode('reject')}>
            Reject
          </button>
        </div>
      )}
      {mode === 'edit' && (
        <SpecForm
          label="Edit proposal"
          initial={fieldsOf(p.spec)}
          submitLabel="Accept edited"
          onCancel={() => setMode('idle')}
          onSubmit={async (spec) => {
            await api.DecideProposal({ proposal: p.id, accept: true, edited: spec, reason: 'accepted with edits by the user in the Studio' });
            store.toast('info', 'Proposal accepted with your edits.');
            setMode('idle');
          }}
        />
      )}
      {mode === 'reject' && (
        <form
          className="mem-confirm"
          aria-label="Reject proposal"
          onSubmit={(ev) => {
            ev.preventDefault();
            void decide(false, reason.trim() || 'rejected by the user in the Studio');
          }}
        >
          <input aria-label="Reason for rejecting" value={reason} placeholder="why (kept in the log)" onChange={(e) => setReason(e.target.value)} />
          <div className="cap-actions">
            <span className="spacer" />
            <button type="button" onClick={() => setMode('idle')} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className="danger" disabled={busy}>
              Confirm reject
            </button>
          </div>
        </form>
      )}
      <FormError error={error} />
    </li>
  );
}

export function ReviewQueue({ proposals, error, onOpenRun }: { proposals: MemoryProposal[]; error: string | null; onOpenRun?: (id: string) => void }) {
  const runs = useProposalRuns(proposals);
  return (
    <section className="cap-section" aria-label="Review queue">
      <FormError error={error} what="proposals" />
      {proposals.length === 0 ? (
        <p className="muted small">Nothing waiting for review. Runs propose memories here; you decide what the workspace remembers.</p>
      ) : (
        <ul className="mem-list" aria-label="Pending proposals">
          {proposals.map((p) => (
            <ProposalCard key={p.id} p={p} refusal={acceptRefusal(runs.get(p.run), runs)} onOpenRun={onOpenRun} />
          ))}
        </ul>
      )}
    </section>
  );
}
