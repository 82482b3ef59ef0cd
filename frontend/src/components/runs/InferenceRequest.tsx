// Exactly what the model was sent at one step of an agent run, rebuilt
// from the log (GetInferenceRequest): the messages in order, and the raw
// /api/chat request body.
import { useEffect, useState } from 'react';
import { api, errorMessage, type InferenceRequestView } from '../../bridge';
import { FormError } from '../FormError';
import { Collapsible } from './Collapsible';
import { shortDigest } from './agentFormat';

type RequestMessage = InferenceRequestView['messages'][number];

function MessageItem({ m, index }: { m: RequestMessage; index: number }) {
  const calls = m.tool_calls ?? [];
  return (
    <li className={`tr-msg role-${m.role}`} data-role={m.role}>
      <div className="tr-msg-head">
        <span className="tr-msg-no muted">{index + 1}</span>
        <span className="tr-role">{m.role}</span>
        {m.tool_name && <span className="chip mono">{m.tool_name}</span>}
        {m.content === '' && calls.length === 0 && <span className="muted small">(empty)</span>}
      </div>
      {m.thinking && <Collapsible text={m.thinking} label="thinking" className="tr-msg-thinking" />}
      {m.content !== '' && <Collapsible text={m.content} label="message" />}
      {calls.map((c, i) => (
        <pre key={i} className="tr-msg-call mono">
          {c.function.name}({JSON.stringify(c.function.arguments ?? {})})
        </pre>
      ))}
    </li>
  );
}

/** InferenceRequest loads and shows the request of one model step. */
export function InferenceRequest({ run, step }: { run: string; step: number }) {
  const [view, setView] = useState<InferenceRequestView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setView(null);
    setError(null);
    api.GetInferenceRequest({ run, step }).then(
      (v) => live && setView(v),
      (err: unknown) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [run, step]);

  if (error) return <FormError error={error} what="request" />;
  if (!view) return <p className="muted small tr-request">Loading the request…</p>;
  const messages = view.messages ?? [];
  const tools = view.tools ?? [];
  return (
    <div className="tr-request" role="region" aria-label={`Request of step ${step}`}>
      <dl className="facts tr-request-facts small">
        <dt>Endpoint</dt>
        <dd className="mono">{view.endpoint || '(default)'}/api/chat</dd>
        <dt>Model</dt>
        <dd className="mono" title={view.digest}>
          {view.model}
          {view.digest && <span className="muted"> · {shortDigest(view.digest)}</span>}
        </dd>
        <dt>Options</dt>
        <dd className="mono">{view.options && Object.keys(view.options).length > 0 ? JSON.stringify(view.options) : '(none)'}</dd>
        <dt>Tools</dt>
        <dd className="mono">{tools.length > 0 ? tools.join(', ') : '(none: chat only)'}</dd>
      </dl>
      <ol className="tr-messages" aria-label="Messages sent">
        {messages.map((m, i) => (
          <MessageItem key={i} m={m} index={i} />
        ))}
      </ol>
      <details className="tr-raw">
        <summary>Raw request JSON</summary>
        <pre className="tr-json mono" aria-label="Request JSON">
          {view.json}
        </pre>
      </details>
    </div>
  );
}
