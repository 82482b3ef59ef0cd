// "Why was this allowed?": a small link that asks the backend which grant or
// policy rule decided an effect event, and shows the answer inline.
import { useState } from 'react';
import { api, errorMessage, type Why as WhyAnswer } from '../../bridge';
import { whyLines } from './capFormat';
import { EventLink } from '../EventDetail';

/** effectTypes are the events WhyAllowed can explain. */
export const effectTypes: ReadonlySet<string> = new Set([
  'effect.file_read',
  'effect.file_staged',
  'effect.command_executed',
  'effect.mcp_called',
  'capability.used',
  'capability.denied',
]);

type State = { kind: 'idle' } | { kind: 'loading' } | { kind: 'done'; why: WhyAnswer } | { kind: 'error'; error: string };

/** WhyEvents links the events a decision rests on: its grant or policy, and the event explained. */
function WhyEvents({ why }: { why: WhyAnswer }) {
  const links: { seq: number; label: string }[] = [];
  if (why.grantSeq) links.push({ seq: why.grantSeq, label: `the grant (#${why.grantSeq})` });
  if (why.policySeq > 0) links.push({ seq: why.policySeq, label: `the policy (#${why.policySeq})` });
  if (links.length === 0) return null;
  return (
    <span className="why-line why-events">
      In the event log:{' '}
      {links.map((l, i) => (
        <span key={l.seq}>
          {i > 0 && ', '}
          <EventLink seq={l.seq}>{l.label}</EventLink>
        </span>
      ))}
    </span>
  );
}

/**
 * WhyLink explains the effect event seq; given only the event's id (a
 * command's network decision names its event so), it looks the seq up first.
 */
export function WhyLink({ seq = 0, id = '', label = 'Why?' }: { seq?: number; id?: string; label?: string }) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const ask = () => {
    if (state.kind === 'done' || state.kind === 'error') {
      setState({ kind: 'idle' });
      return;
    }
    setState({ kind: 'loading' });
    (seq > 0 ? Promise.resolve(seq) : api.GetEvent({ seq: 0, id }).then((d) => d.seq))
      .then((s) => api.WhyAllowed({ seq: s }))
      .then(
        (why) => setState({ kind: 'done', why }),
        (err: unknown) => setState({ kind: 'error', error: errorMessage(err) }),
      );
  };
  const name = seq > 0 ? `event ${seq}` : `event ${id}`;
  return (
    <span className="why">
      <button className="link why-link" onClick={ask} aria-expanded={state.kind === 'done' || state.kind === 'error'} title={`Why was ${seq > 0 ? `event #${seq}` : 'this'} allowed or refused?`}>
        {label}
      </button>
      {state.kind === 'loading' && <span className="muted small"> …</span>}
      {state.kind === 'done' && (
        <span className={`why-answer ${state.why.allowed ? 'tone-ok' : 'tone-bad'}`} role="note" aria-label={`Why ${name}`}>
          {whyLines(state.why).map((l, i) => (
            <span key={i} className="why-line">
              {l}
            </span>
          ))}
          <WhyEvents why={state.why} />
        </span>
      )}
      {state.kind === 'error' && (
        <span className="why-answer tone-bad" role="note" aria-label={`Why ${name}`}>
          Could not explain: {state.error}
        </span>
      )}
    </span>
  );
}
