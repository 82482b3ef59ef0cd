// Approval cards: a run paused on an effect the policy says to ask about.
// Each card says what the run wants, why, and exactly what it would do (the
// diff of a write, the command and its folder, the host) and takes the
// user's decision.
import { Fragment, useEffect, useState } from 'react';
import { api, errorMessage, type Ask, type SandboxDetail } from '../../bridge';
import { store } from '../../store';
import { askChoices, askTitle, scopeChoiceText, type AskChoice } from '../capabilities/capFormat';
import { DiffView } from '../editor/DiffView';
import { McpAskFacts } from '../mcp/McpAsk';
import { limitsText, modeText } from '../sandbox/sandboxFormat';
import { batchScopes, batchTitle, durationBlocked, globsText, groupAsks, kindNoun, scopeOptions } from './scopeFormat';

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
    case 'mcp.call':
      return <McpAskFacts ask={ask} />;
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

/** ScopeOption is one radio of a scope picker: its words and the exact glob granted. */
interface ScopeOption {
  id: string;
  label: string;
  describe: string;
  runOnly?: boolean;
}

/** ScopePicker offers the scopes an allow for the run or the workspace grants, each with its glob. */
function ScopePicker({ name, options, value, onChange, disabled }: { name: string; options: ScopeOption[]; value: string; onChange: (id: string) => void; disabled: boolean }) {
  return (
    <fieldset className="ask-scopes" role="radiogroup" aria-label="Scope to allow">
      <legend className="small muted">Allow for the run or the workspace:</legend>
      {options.map((o) => (
        <label key={o.id} className="ask-scope" title={o.runOnly ? 'For this run only: it ends with the run' : undefined}>
          <input type="radio" name={name} value={o.id} checked={value === o.id} disabled={disabled} onChange={() => onChange(o.id)} />
          <span>{o.label}</span> <code className="ask-glob">{o.describe}</code>
          {o.runOnly && <span className="muted small"> (this run only)</span>}
        </label>
      ))}
    </fieldset>
  );
}

/**
 * scopeFor is the scope sent with a choice: only an allow for the run or
 * the workspace takes one, and the exact request is the default (none sent).
 */
function scopeFor(choice: AskChoice, scope: string | undefined): string | undefined {
  return (choice === 'run' || choice === 'workspace') && scope && scope !== 'exact' ? scope : undefined;
}

export function ApprovalCard({ ask, onAnswered, explain = false }: ApprovalCardProps) {
  const [busy, setBusy] = useState<AskChoice | null>(null);
  const [reason, setReason] = useState('');
  const options = scopeOptions(ask);
  const [scope, setScope] = useState(options[0].id);
  const chosen = options.find((o) => o.id === scope) ?? options[0];
  const answer = async (choice: AskChoice) => {
    setBusy(choice);
    try {
      await api.AnswerCapability({ requestId: ask.id, choice, scope: scopeFor(choice, chosen.id), reason: choice === 'deny' ? reason.trim() : '' });
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
      {options.length > 1 && (
        <ScopePicker name={`scope-${ask.id}`} options={options} value={chosen.id} onChange={setScope} disabled={busy !== null} />
      )}
      <div className="ask-actions">
        {askChoices.map(([choice, label]) => {
          const blocked = durationBlocked(chosen.runOnly, choice);
          return (
            <button
              key={choice}
              className={choice === 'deny' ? 'danger' : choice === 'once' ? 'primary' : ''}
              disabled={busy !== null || blocked !== ''}
              title={blocked || (choice === 'run' || choice === 'workspace' ? `Grants ${scopeChoiceText(chosen)}` : undefined)}
              onClick={() => void answer(choice)}
            >
              {busy === choice ? `${label}…` : label}
            </button>
          );
        })}
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

/** BatchItem is one request of a batch card: its title, an include box and, opened, its exact effect. */
function BatchItem({ ask, included, onToggle, disabled }: { ask: Ask; included: boolean; onToggle: () => void; disabled: boolean }) {
  const [open, setOpen] = useState(false);
  const title = askTitle(ask);
  return (
    <li className={`ask-batch-item${included ? '' : ' excluded'}`}>
      <label className="ask-batch-pick">
        <input type="checkbox" checked={included} disabled={disabled} onChange={onToggle} aria-label={`Include ${title}`} />
        <span className="mono small">{title}</span>
      </label>
      <button className="link small" aria-expanded={open} aria-label={`${open ? 'Hide' : 'Show'} the change of ${title}`} onClick={() => setOpen(!open)}>
        {open ? 'hide' : 'show'}
      </button>
      {open && <AskEffect ask={ask} />}
    </li>
  );
}

/**
 * BatchCard answers a run's pending requests of one kind in one decision:
 * the user picks the scope (each request gets its own of that kind: its
 * file, its folder …), may leave requests out, and allows or denies the rest.
 */
export function BatchCard({ asks, onAnswered, explain = false }: { asks: [Ask, ...Ask[]]; onAnswered?: () => void; explain?: boolean }) {
  const [busy, setBusy] = useState<AskChoice | null>(null);
  const [reason, setReason] = useState('');
  const [excluded, setExcluded] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState(false);
  const first = asks[0];
  const kind = first.kind;
  const scopes = batchScopes(asks);
  const [scope, setScope] = useState(scopes[0]?.id ?? 'exact');
  const chosen = scopes.find((s) => s.id === scope) ?? scopes[0];
  const included = asks.filter((a) => !excluded.has(a.id));
  const toggle = (id: string) =>
    setExcluded((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const answer = async (choice: AskChoice) => {
    setBusy(choice);
    try {
      await api.AnswerCapability({
        requestId: '',
        requestIds: included.map((a) => a.id),
        choice,
        scope: scopeFor(choice, chosen?.id),
        reason: choice === 'deny' ? reason.trim() : '',
      });
      onAnswered?.();
    } catch (err) {
      store.toast('error', `Could not answer the requests: ${errorMessage(err)}`);
    } finally {
      setBusy(null);
    }
  };
  const labels: Record<AskChoice, string> = {
    once: 'Allow each once',
    run: 'Allow for this run',
    workspace: 'Allow for this workspace',
    deny: excluded.size > 0 ? `Deny these ${included.length}` : 'Deny all',
  };
  return (
    <section className="ask-card ask-batch" role="region" aria-label="Approvals batch" data-batch={first.run}>
      <header className="ask-head">
        <span className="ask-badge">Approval needed ×{asks.length}</span>
        <strong className="ask-title">{batchTitle(kind, asks.length, included.length)}</strong>
        <span className="chip">{kind}</span>
      </header>
      {first.reason && <p className="ask-reason small">{first.reason}</p>}
      <button className="link small ask-batch-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? `Hide the ${kindNoun(kind, asks.length)}` : `Show the ${kindNoun(kind, asks.length)}`}
        {excluded.size > 0 && ` (${excluded.size} left out)`}
      </button>
      {open && (
        <ul className="ask-batch-list" aria-label="Requests in this batch">
          {asks.map((a) => (
            <BatchItem key={a.id} ask={a} included={!excluded.has(a.id)} onToggle={() => toggle(a.id)} disabled={busy !== null} />
          ))}
        </ul>
      )}
      {scopes.length > 1 && (
        <ScopePicker
          name={`scope-batch-${first.run}-${kind}`}
          options={scopes.map((s) => ({ id: s.id, label: s.label, describe: globsText(s.globs), runOnly: s.runOnly }))}
          value={chosen?.id ?? ''}
          onChange={setScope}
          disabled={busy !== null}
        />
      )}
      <div className="ask-actions">
        {askChoices.map(([choice]) => {
          const blocked = durationBlocked(chosen?.runOnly, choice) || (included.length === 0 ? 'Nothing is chosen' : '');
          return (
            <button
              key={choice}
              className={choice === 'deny' ? 'danger' : choice === 'run' ? 'primary' : ''}
              disabled={busy !== null || blocked !== ''}
              title={blocked || (chosen && (choice === 'run' || choice === 'workspace') ? `Grants ${globsText(chosen.globs)}` : undefined)}
              onClick={() => void answer(choice)}
            >
              {busy === choice ? `${labels[choice]}…` : labels[choice]}
            </button>
          );
        })}
        {explain && (
          <input
            className="ask-deny-reason"
            aria-label="Reason for denying"
            placeholder="Tell the model why (optional)"
            value={reason}
            disabled={busy !== null}
            onChange={(e) => setReason(e.target.value)}
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
      {groupAsks(asks).map((g) => {
        const [first, ...rest] = g.asks;
        if (!first) return null;
        // A batch card answers them all at once; the oldest also has its own
        // card, so each can still be looked at and answered one by one.
        return (
          <Fragment key={g.key}>
            {rest.length > 0 && <BatchCard key={g.asks.map((a) => a.id).join(',')} asks={[first, ...rest]} onAnswered={onAnswered} explain={explain} />}
            <ApprovalCard key={first.id} ask={first} onAnswered={onAnswered} explain={explain} />
          </Fragment>
        );
      })}
    </div>
  );
}
