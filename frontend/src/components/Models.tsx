// The Models screen: installed Ollama models, downloads in progress and the
// default chat and embedding models.
import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage, Events, on, type ModelInfo, type ModelsState, type PullState } from '../bridge';
import { FormError } from './FormError';
import { formatSize } from './format';

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
            <InstalledTable models={state.models ?? []} onChanged={reload} />
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

function InstalledTable({ models, onChanged }: { models: ModelInfo[]; onChanged: () => Promise<void> }) {
  const [confirm, setConfirm] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (models.length === 0) return <p className="muted">No models installed.</p>;
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
            <th>Size</th>
            <th>Capabilities</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {models.map((m) => (
            <tr key={m.name}>
              <td className="mono">{m.name}</td>
              <td>{m.family}</td>
              <td>{m.parameters}</td>
              <td>{m.quantization}</td>
              <td>{formatSize(m.size)}</td>
              <td>
                {(m.capabilities ?? []).map((c) => (
                  <span key={c} className="chip">
                    {c}
                  </span>
                ))}
              </td>
              <td>
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
          ))}
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
  const options = (list: ModelInfo[], current: string) => {
    const names = list.map((m) => m.name);
    if (current && !names.includes(current)) names.unshift(current);
    return [
      <option key="" value="">
        (none)
      </option>,
      ...names.map((n) => (
        <option key={n} value={n}>
          {n}
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
          {options(models.filter(canChat), state.defaultChat)}
        </select>
      </label>{' '}
      <label>
        Embedding model{' '}
        <select value={embed} onChange={(e) => setEmbed(e.target.value)}>
          {options(models.filter(canEmbed), state.defaultEmbed)}
        </select>
      </label>{' '}
      <button type="submit">Save</button>
      {saved && <span className="muted"> Saved.</span>}
      <FormError error={error} />
    </form>
  );
}
