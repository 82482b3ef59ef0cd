// After a run's Commit: the offer to record exactly the run's files in a
// git commit, with a message drafted from the run that the user edits.
// The commit is an effect of the run (authorised as git.commit, asked on
// the run's approval card unless the workspace allows it, recorded with
// its hash); this view reads where it stands from the run's events.
import { useEffect, useState } from 'react';
import { api, errorMessage, type EventRow, type GitCommitResult, type RunInfo } from '../../bridge';
import { draftCommitMessage, gitOutcome, shortHash } from './gitFormat';

export interface GitCommitOfferProps {
  run: RunInfo;
  /** files are the paths the run wrote. */
  files: string[];
  events: EventRow[];
  /** asked: the run waits for an approval of the commit. */
  asked: boolean;
  /** onChanged reloads the run (its events show the outcome). */
  onChanged: () => void;
}

export function GitCommitOffer({ run, files, events, asked, onChanged }: GitCommitOfferProps) {
  const [repo, setRepo] = useState<boolean | null>(null);
  const [message, setMessage] = useState(() => draftCommitMessage(run.task, files, run.id));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [result, setResult] = useState<GitCommitResult | null>(null);
  const [dismissed, setDismissed] = useState(false);

  useEffect(() => {
    let live = true;
    api.GitStatus({ workspaceId: run.workspace }).then(
      (st) => live && setRepo(st.repo),
      () => live && setRepo(false),
    );
    return () => {
      live = false;
    };
  }, [run.workspace]);

  const outcome = gitOutcome(events);
  if (files.length === 0 || repo === null || (!repo && outcome.state === 'none')) return null;

  if (outcome.state === 'committed')
    return (
      <section className="git-offer" aria-label="Git commit" data-testid="git-committed">
        <span className="ok small">
          ✓ Committed to git as <span className="mono">{shortHash(outcome.hash)}</span>
          {outcome.branch && ` on ${outcome.branch}`}: {outcome.files.length} file{outcome.files.length === 1 ? '' : 's'}
        </span>
      </section>
    );
  if (dismissed) return null;

  const submit = async () => {
    setBusy(true);
    setError('');
    try {
      const r = await api.GitCommit({ run: run.id, message });
      setResult(r);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
      onChanged();
    }
  };
  const failed = outcome.state === 'failed' ? outcome : null;
  if (outcome.state === 'requested' && !error)
    return (
      <section className="git-offer" aria-label="Git commit" data-testid="git-waiting">
        <span className="muted small">
          {result?.state === 'waiting' || asked
            ? "The git commit of the run's files waits for your approval (above)."
            : 'A git commit of the run\'s files was asked for and has no outcome yet.'}
        </span>
      </section>
    );

  return (
    <section className="git-offer" aria-label="Git commit">
      <strong className="small">Commit the run's files to git</strong>
      <span className="muted small">
        Exactly these {files.length === 1 ? 'file goes' : `${files.length} files go`} into the commit; nothing else you changed or staged does.
      </span>
      <ul className="git-offer-files">
        {files.map((f) => (
          <li key={f}>{f}</li>
        ))}
      </ul>
      <label className="small muted" htmlFor={`git-msg-${run.id}`}>
        Commit message
      </label>
      <textarea id={`git-msg-${run.id}`} value={message} onChange={(e) => setMessage(e.target.value)} spellCheck />
      {failed && (
        <div role="alert" className="small">
          <span className="error">The git commit failed: {failed.error}</span>
          {failed.stderr && <pre>{failed.stderr}</pre>}
        </div>
      )}
      {error && (
        <div role="alert" className="small error">
          {error}
        </div>
      )}
      <div className="row">
        <button className="primary" disabled={busy || message.trim() === ''} onClick={() => void submit()}>
          {busy ? 'Committing…' : failed ? 'Try the git commit again' : 'Git commit'}
        </button>
        <button className="quiet" disabled={busy} onClick={() => setDismissed(true)}>
          Not now
        </button>
      </div>
    </section>
  );
}
