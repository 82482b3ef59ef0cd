// "Why was this allowed?": a small link that asks the backend which grant or
// policy rule decided an effect event, and shows the answer inline.
import { useState } from 'react';
import { api, errorMessage, type Why as WhyAnswer } from '../../bridge';
import { whyLines } from './capFormat';

/** effectTypes are the events WhyAllowed can explain. */
export const effectTypes: ReadonlySet<string> = new Set([
  'effect.file_read',
  'effect.file_staged',
  'effect.command_executed',
  'capability.used',
  'capability.denied',
]);

type State = { kind: 'idle' } | { kind: 'loading' } | { kind: 'done'; why: WhyAnswer } | { kind: 'error'; error: string };

export function WhyLink({ seq }: { seq: number }) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const ask = () => {
    if (state.kind === 'done' || state.kind === 'error') {
      setState({ kind: 'idle' });
      return;
    }
    setState({ kind: 'loading' });
    api.WhyAllowed({ seq }).then(
      (why) => setState({ kind: 'done', why }),
      (err: unknown) => setState({ kind: 'error', error: errorMessage(err) }),
    );
  };
  return (
    <span className="why">
      <button className="link why-link" onClick={ask} aria-expanded={state.kind === 'done' || state.kind === 'error'} title={`Why was event #${seq} allowed?`}>
        Why?
      </button>
      {state.kind === 'loading' && <span className="muted small"> …</span>}
      {state.kind === 'done' && (
        <span className={`why-answer ${state.why.allowed ? 'tone-ok' : 'tone-bad'}`} role="note" aria-label={`Why event ${seq}`}>
          {whyLines(state.why).map((l, i) => (
            <span key={i} className="why-line">
              {l}
            </span>
          ))}
        </span>
      )}
      {state.kind === 'error' && (
        <span className="why-answer tone-bad" role="note" aria-label={`Why event ${seq}`}>
          Could not explain: {state.error}
        </span>
      )}
    </span>
  );
}
