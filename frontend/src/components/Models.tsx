// The Models screen: installed Ollama models, downloads in progress and the
// default chat and embedding models.
import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage, Events, on, type ModelInfo, type ModelsState, type PullState } from '../bridge';
import { FormError } from './FormError';
import { formatSize } from './format';
import { displayName, fitText, formatTokens, loadedText, memoryText } from './modelsFormat';

/** canChat tells whether a model can serve as the chat model (no capability info counts). */
const canChat = (m: ModelInfo) => !m.capabilities?.length || m.capabilities.includes('completion');
const canEmbed = (m: ModelInfo) => m.capabilities?.includes('embedding') ?? false;

/** mergePull replaces the pull of the same name, or adds it first. */
function mergePull(pulls: PullState[], p: PullState): PullState[] {
  return pulls.some((x) => x.name === p.name) ? pulls.map((x) => (x.name === p.name ? p : x)) : [p, ...pulls];
}

export function ModelsView() {
  const [state, setState] = useState<ModelsState | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  // accept takes a fresh state, keeping pulls that arrived by notification but are not listed in it.
  const accept = useCallback((st: ModelsState) => {
    setState((old) => ({ ...st, pulls: (old?.pulls ?? []).reduce((acc, p) => (acc.some((x) => x.name === p.name) ? acc : [...acc, p]), st.pulls ?? []) }));
  }, []);

  const reload = useCallback(async () => {
    try {
      accept(await api.ListModels());
      setLoadError(null);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  }, [accept]);

  useEffect(() => {
    void reload();
    return on(Events.ModelPull, (p) => {
      setState((s) => (s ? { ...s, pulls: mergePull(s.pulls ?? [], p) } : s));
      if (p.done && p.status === 'pulled') void reload();
    });
  }, [reload]);

  const onPull = (p: PullState) => setState((s) => (s ? { ...s, pulls: mergePull(s.pulls ?? [], p) } : s));

  return (
    <main className="welcome models" aria-label="Models">
      <div className="welcome-head">
        <h1>Models</h1>
      </div>
      <FormError error={loadError} what="models" />
      {state?.error && (
        <p className="form-error" role="alert">
          {state.error}
        </p>
      )}
      {state && (
        <>
          <section className="card" aria-labelledby="models-installed-h">
            <h2 id="models-installed-h">Installed</h2>
            <p className="muted small models-memory" data-testid="models-memory">
              {memoryText(state.memory)}
              {state.runningError ? ` Which models are loaded is not known: ${state.runningError}` : ''}
            </p>
            <InstalledTable state={state} onChanged={reload} onSaved={accept} />
          </section>
          <section className="card" aria-labelledby="models-pull-h">
            <h2 id="models-pull-h">Download</h2>
            <PullForm onPull={onPull} />
            <PullList pulls={state.pulls ?? []} />
          </section>
          <section className="card" aria-labelledby="models-defaults-h">
            <h2 id="models-defaults-h">Defaults</h2>
            <Defaults state={state} onSaved={accept} />
          </section>
        </>
      )}
      {!state && !loadError && <p className="muted">Loading…</p>}
    </main>
  );
}

interface InstalledProps {
  state: ModelsState;
  onChanged: () => Promise<void>;
  onSaved: (s: ModelsState) => void;
}

function InstalledTable({ state, onChanged, onSaved }: InstalledProps) {
  const models = state.models ?? [];
  const [confirm, setConfirm] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (models.length === 0) return <p className="muted">No models installed.</p>;
  /** use makes a model the default chat model or the model of meaning search, keeping the other default. */
  const use = async (req: { chat: string; embed: string }) => {
    setError(null);
    setBusy(true);
    try {
      onSaved(await api.SetDefaultModels(req));
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
  };
  const remove = async (name: string) => {
    setError(null);
    try {
      await api.DeleteModel({ name });
      setConfirm(null);
      await onChanged();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <>
      <FormError error={error} />
      <table className="models-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Family</th>
            <th>Parameters</th>
            <th>Quantisation</th>
            <th>Context</th>
            <th>Size on disk</th>
            <th>Fits in RAM</th>
            <th>Capabilities</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {models.map((m) => {
            const isChat = m.name === state.defaultChat;
            const isEmbed = m.name === state.defaultEmbed;
            const fit = fitText(m.fit);
            return (
              <tr key={m.name} aria-label={`Model ${displayName(m)}`}>
                <td className="model-name">
                  <span className="mono" title={m.name}>
                    {displayName(m)}
                  </span>
                  {isChat && <span className="chip default">default chat</span>}
                  {isEmbed && <span className="chip default">meaning search</span>}
                  {m.loaded && (
                    <span className="chip loaded" title={loadedText(m.loaded)}>
                      loaded
                    </span>
                  )}
                  {m.loaded && <div className="muted small">{loadedText(m.loaded)}</div>}
                </td>
                <td>{m.family}</td>
                <td>{m.parameters}</td>
                <td>{m.quantization}</td>
                <td className="num" title={m.contextLength ? `${m.contextLength.toLocaleString('en-US')} tokens` : 'not known'}>
                  {formatTokens(m.contextLength ?? 0) || '—'}
                </td>
                <td className="num">{formatSize(m.size)}</td>
                <td>
                  <span className={`fit ${m.fit?.verdict ?? 'unknown'}`} title={fit.detail} data-testid="fit">
                    {fit.label}
                  </span>
                  <div className="muted small">{fit.detail}</div>
                </td>
                <td>
                  {(m.capabilities ?? []).map((c) => (
                    <span key={c} className="chip">
                      {c}
                    </span>
                  ))}
                </td>
                <td className="model-actions">
                  {canChat(m) && !canEmbed(m) && !isChat && (
                    <button disabled={busy} onClick={() => void use({ chat: m.name, embed: state.defaultEmbed })}>
                      Use as default chat model
                    </button>
                  )}
                  {canEmbed(m) && !isEmbed && (
                    <button disabled={busy} onClick={() => void use({ chat: state.defaultChat, embed: m.name })}>
                      Use for meaning search
                    </button>
                  )}
                  {confirm === m.name ? (
                    <>
                      <button className="danger" aria-label={`Confirm delete ${m.name}`} onClick={() => void remove(m.name)}>
                        Delete {m.name}?
                      </button>{' '}
                      <button onClick={() => setConfirm(null)}>Keep</button>
                    </>
                  ) : (
                    <button aria-label={`Delete ${m.name}`} onClick={() => setConfirm(m.name)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

function PullForm({ onPull }: { onPull: (p: PullState) => void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        const n = name.trim();
        if (!n) return;
        setBusy(true);
        setError(null);
        try {
          onPull(await api.PullModel({ name: n }));
          setName('');
        } catch (err) {
          setError(errorMessage(err));
        }
        setBusy(false);
      }}
    >
      <input aria-label="Model name" placeholder="Model name (e.g. llama3.2:1b)" value={name} onChange={(e) => setName(e.target.value)} />{' '}
      <button type="submit" className="primary" disabled={busy || !name.trim()}>
        Pull
      </button>
      <FormError error={error} />
    </form>
  );
}

function PullList({ pulls }: { pulls: PullState[] }) {
  if (pulls.length === 0) return null;
  return (
    <ul className="pulls" aria-label="Downloads">
      {pulls.map((p) => (
        <PullRow key={p.name} p={p} />
      ))}
    </ul>
  );
}

function PullRow({ p }: { p: PullState }) {
  const [error, setError] = useState<string | null>(null);
  const failed = p.status === 'failed' || p.status === 'cancelled' || p.status === 'interrupted';
  return (
    <li aria-label={`Pull ${p.name}`}>
      <span className="mono">{p.name}</span> <span data-testid="pull-status">{p.status}</span>
      <div>
        <progress aria-label={`${p.name} progress`} max={p.total > 0 ? p.total : 1} value={p.total > 0 ? p.completed : 0} />{' '}
        {p.total > 0 && (
          <span>
            {formatSize(p.completed)} of {formatSize(p.total)}
          </span>
        )}{' '}
        {!p.done && p.bytesPerSec > 0 && <span>{(p.bytesPerSec / 1e6).toFixed(1)} MB/s</span>}{' '}
        {!p.done && (
          <button
            onClick={async () => {
              try {
                await api.CancelPull({ name: p.name });
              } catch (err) {
                setError(errorMessage(err));
              }
            }}
          >
            Cancel
          </button>
        )}
      </div>
      {failed && (
        <p className="form-error" role="alert">
          {p.error || `Pull ${p.status}.`}
        </p>
      )}
      <FormError error={error} />
    </li>
  );
}

function Defaults({ state, onSaved }: { state: ModelsState; onSaved: (s: ModelsState) => void }) {
  const models = state.models ?? [];
  const [chat, setChat] = useState(state.defaultChat);
  const [embed, setEmbed] = useState(state.defaultEmbed);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  // A one-click change in the table (or another screen's) shows here too.
  useEffect(() => {
    setChat(state.defaultChat);
    setEmbed(state.defaultEmbed);
  }, [state.defaultChat, state.defaultEmbed]);
  // Runs without a default use the first chat model (AgentSettings' pickModel): say so.
  const fallback = models.find((m) => canChat(m) && !canEmbed(m));
  const options = (list: ModelInfo[], current: string, none: string) => {
    const shown = list.map((m) => ({ name: m.name, label: displayName(m) }));
    if (current && !shown.some((m) => m.name === current)) shown.unshift({ name: current, label: `${current} (not installed)` });
    return [
      <option key="" value="">
        {none}
      </option>,
      ...shown.map((m) => (
        <option key={m.name} value={m.name}>
          {m.label}
        </option>
      )),
    ];
  };
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        setSaved(false);
        try {
          const st = await api.SetDefaultModels({ chat, embed });
          setSaved(true);
          onSaved(st);
        } catch (err) {
          setError(errorMessage(err));
        }
      }}
    >
      <label>
        Default chat model{' '}
        <select value={chat} onChange={(e) => setChat(e.target.value)}>
          {options(models.filter(canChat), state.defaultChat, fallback ? `(none: runs use ${displayName(fallback)})` : '(none)')}
        </select>
      </label>{' '}
      <label>
        Embedding model{' '}
        <select value={embed} onChange={(e) => setEmbed(e.target.value)}>
          {options(models.filter(canEmbed), state.defaultEmbed, '(none: search by text only)')}
        </select>
      </label>{' '}
      <button type="submit">Save</button>
      {saved && <span className="muted"> Saved.</span>}
      <FormError error={error} />
    </form>
  );
}
