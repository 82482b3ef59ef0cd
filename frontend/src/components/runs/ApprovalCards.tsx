// Approval cards: a run paused on an effect the policy says to ask about.
// Each card says what the run wants, why, and exactly what it would do (the
// diff of a write, the command and its folder, the host) and takes the
// user's decision.
import { useEffect, useState } from 'react';
import { api, errorMessage, type Ask, type SandboxDetail } from '../../bridge';
import { store } from '../../store';
import { askChoices, askTitle, type AskChoice } from '../capabilities/capFormat';
import { DiffView } from '../editor/DiffView';
import { limitsText, modeText } from '../sandbox/sandboxFormat';

type Sides = { before: string; after: string; note: string } | { error: string } | null;

/** readSide reads one side of a write; "" means the file does not exist on that side. */
async function readSide(hash: string | undefined): Promise<{ text: string; note: string }> {
  if (!hash) return { text: '', note: '' };
  const b = await api.ReadBlob({ hash });
  if (b.binary) return { text: '', note: 'binary content' };
  return { text: b.text, note: b.truncated ? 'shown in part' : '' };
}

function WriteDiff({ ask }: { ask: Ask }) {
  const [sides, setSides] = useState<Sides>(null);
  const d = ask.detail;
  const deleting = d?.op === 'delete';
  useEffect(() => {
    let live = true;
    Promise.all([readSide(d?.base), readSide(deleting ? '' : d?.after)]).then(
      ([b, a]) => live && setSides({ before: b.text, after: a.text, note: [b.note, a.note].filter(Boolean).join(', ') }),
      (err: unknown) => live && setSides({ error: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [d?.base, d?.after, deleting]);
  if (!sides) return <p className="muted small">Loading the change…</p>;
  if ('error' in sides) return <p className="form-error">Could not load the change: {sides.error}</p>;
  return (
    <div className="ask-diff" aria-label={`Change to ${ask.req.path || ask.target}`}>
      <p className="muted small">
        {deleting ? 'The file would be deleted.' : !d?.base ? 'A new file.' : 'Before → after.'}
        {sides.note && ` (${sides.note})`}
      </p>
      <DiffView path={ask.req.path || ask.target} before={sides.before} after={sides.after} mode="unified" />
    </div>
  );
}

/** SandboxFacts says what an allowed command will be able to do. */
function SandboxFacts({ sb }: { sb: SandboxDetail }) {
  if (sb.mode === '')
    return (
      <p className="ask-sandbox warn" role="note" aria-label="Sandbox">
        <strong>Commands cannot be sandboxed here</strong>
        {sb.reason ? `: ${sb.reason}` : '.'} Allowing it will not run it: the kernel refuses and records the refusal.
      </p>
    );
  const writable = sb.writable ?? [];
  return (
    <div className={`ask-sandbox${sb.mode === 'unsandboxed' ? ' danger' : ''}`} role="note" aria-label="Sandbox">
      {sb.mode === 'unsandboxed' ? (
        <p className="ask-unsandboxed">
          <strong>⚠ Runs UNSANDBOXED with your full rights (workspace setting)</strong>: it can read and write anything you can, use the network, and outlive the run.
        </p>
      ) : (
        <ul className="ask-sandbox-list">
          <li>
            Runs in the sandbox ({modeText(sb.mode)}): writes land in a scratch layer and come back as staged changes
            {writable.length > 0 && <span className="muted"> (writable: {writable.join(', ')})</span>}
          </li>
          <li data-testid="ask-network">
            {sb.network === 'proxy' ? "Network only through the kernel's proxy: every connection is asked for and decided" : 'No network'}
          </li>
          <li>Private /tmp and home</li>
        </ul>
      )}
      <p className="ask-limits small" data-testid="ask-limits">
        Limits: {limitsText(sb.limits).join(' · ')}
      </p>
    </div>
  );
}

/** hostPort shows a connection's host with its port (once). */
function hostPort(ask: Ask): string {
  const host = ask.detail?.host || ask.req.host || ask.target;
  return ask.req.port && !host.endsWith(`:${ask.req.port}`) ? `${host}:${ask.req.port}` : host;
}

function AskEffect({ ask }: { ask: Ask }) {
  const d = ask.detail;
  switch (ask.kind) {
    case 'fs.write':
      return <WriteDiff ask={ask} />;
    case 'shell.exec':
      return (
        <dl className="facts ask-facts">
          <dt>Command</dt>
          <dd className="mono">{(d?.argv ?? ask.req.argv ?? []).map((a) => (/[\s"'`$]/.test(a) || a === '' ? JSON.stringify(a) : a)).join(' ')}</dd>
          <dt>In</dt>
          <dd className="mono">{d?.dir || ask.req.dir || '.'}</dd>
          {d?.sandbox && (
            <>
              <dt>Can</dt>
              <dd>
                <SandboxFacts sb={d.sandbox} />
              </dd>
            </>
          )}
        </dl>
      );
    case 'net.http':
      return (
        <dl className="facts ask-facts">
          <dt>Host</dt>
          <dd className="mono">{hostPort(ask)}</dd>
          <dt>Waiting</dt>
          <dd>The command's connection waits for your answer; denied, it is refused.</dd>
        </dl>
      );
    default:
      return <p className="mono small">{ask.target}</p>;
  }
}

export interface ApprovalCardProps {
  ask: Ask;
  onAnswered?: () => void;
  /**
   * explain offers a reason with Deny, told to the model along with the
   * refusal (agent runs); other runs have no model to tell.
   */
  explain?: boolean;
}

export function ApprovalCard({ ask, onAnswered, explain = false }: ApprovalCardProps) {
  const [busy, setBusy] = useState<AskChoice | null>(null);
  const [reason, setReason] = useState('');
  const answer = async (choice: AskChoice) => {
    setBusy(choice);
    try {
      await api.AnswerCapability({ requestId: ask.id, choice, reason: choice === 'deny' ? reason.trim() : '' });
      onAnswered?.();
    } catch (err) {
      store.toast('error', `Could not answer the request: ${errorMessage(err)}`);
      setBusy(null);
    }
  };
  return (
    <section className="ask-card" role="region" aria-label="Approval needed" data-ask={ask.id}>
      <header className="ask-head">
        <span className="ask-badge">Approval needed</span>
        <strong className="ask-title">{askTitle(ask)}</strong>
        <span className="chip">{ask.kind}</span>
      </header>
      {ask.reason && <p className="ask-reason small">{ask.reason}</p>}
      <AskEffect ask={ask} />
      <div className="ask-actions">
        {askChoices.map(([choice, label]) => (
          <button key={choice} className={choice === 'deny' ? 'danger' : choice === 'once' ? 'primary' : ''} disabled={busy !== null} onClick={() => void answer(choice)}>
            {busy === choice ? `${label}…` : label}
          </button>
        ))}
        {explain && (
          <input
            className="ask-deny-reason"
            aria-label="Reason for denying"
            placeholder="Tell the model why (optional)"
            value={reason}
            disabled={busy !== null}
            onChange={(e) => setReason(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && reason.trim() !== '') {
                e.preventDefault();
                void answer('deny');
              }
            }}
            title="Sent with Deny: the model is told why it may not do this"
          />
        )}
      </div>
    </section>
  );
}

export function ApprovalCards({ asks, onAnswered, explain = false }: { asks: Ask[]; onAnswered?: () => void; explain?: boolean }) {
  if (asks.length === 0) return null;
  return (
    <div className="ask-cards">
      {asks.map((a) => (
        <ApprovalCard key={a.id} ask={a} onAnswered={onAnswered} explain={explain} />
      ))}
    </div>
  );
}
