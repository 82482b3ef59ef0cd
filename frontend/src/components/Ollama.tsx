// Ollama status: a card on the welcome screen and a badge in the status bar.
import { useState } from 'react';
import { refreshOllama, startOllama } from '../actions';
import { useStudio } from '../store';

export function OllamaCard() {
  const st = useStudio((s) => s.ollama);
  const [starting, setStarting] = useState(false);
  return (
    <section className="card" aria-labelledby="ollama-h">
      <h2 id="ollama-h">Models (Ollama)</h2>
      <p data-testid="ollama-status" className={st?.reachable ? 'ok' : st ? 'warn' : 'muted'}>
        {!st ? 'Checking…' : st.reachable ? `Ollama ${st.version} is running.` : 'Ollama is not reachable.'}
      </p>
      <dl className="facts">
        <dt>Address</dt>
        <dd className="mono">{st?.host ?? '…'}</dd>
      </dl>
      {st && !st.reachable && <p className="muted small">{st.error} Everything that needs no model keeps working.</p>}
      {st?.reachable && st.started && <p className="muted small">Started by the Studio; it stops when the Studio exits.</p>}
      <div className="card-actions">
        {st?.canStart && (
          <button
            className="primary"
            disabled={starting}
            onClick={async () => {
              setStarting(true);
              await startOllama();
              setStarting(false);
            }}
          >
            {starting ? 'Starting Ollama…' : 'Start Ollama'}
          </button>
        )}{' '}
        <button onClick={() => void refreshOllama()}>Check again</button>
      </div>
    </section>
  );
}

export function OllamaBadge() {
  const st = useStudio((s) => s.ollama);
  const label = !st ? 'Ollama: checking' : st.reachable ? `Ollama ${st.version}` : 'Ollama: offline';
  return (
    <button
      className={`badge ${st?.reachable ? 'ok' : 'warn'}`}
      title={st ? (st.reachable ? st.host : st.error) : ''}
      onClick={() => void refreshOllama()}
    >
      <span className="dot" aria-hidden /> {label}
    </button>
  );
}
