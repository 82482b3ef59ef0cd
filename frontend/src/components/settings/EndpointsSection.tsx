// The settings screen's model endpoints: the Studio's own Ollama and the
// servers added beside it (other Ollamas, OpenAI-compatible servers), each
// with its health, version and models; Remove with a confirm, Refresh, and
// the form that adds one. An API key is written here and never shown back.
import { useEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import { api, type EndpointView } from '../../bridge';
import { store, useStudio } from '../../store';
import { FormError } from '../FormError';
import { attempt } from '../mcp/hooks';
import { endpointKinds, healthText, kindLabel, modelCount, urlPlaceholder, type EndpointKind } from './endpointFormat';
import { useEndpoints } from './useEndpoints';

/** EndpointsSection is the "Model endpoints" section of the settings screen. */
export function EndpointsSection() {
  const eps = useEndpoints();
  const [refreshing, setRefreshing] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const section = useRef<HTMLElement>(null);
  // The palette's "Models: add an endpoint…" asks for the Add form.
  const asked = useStudio((s) => s.settingsSection);
  useEffect(() => {
    if (asked !== 'endpoints') return;
    section.current?.scrollIntoView?.({ block: 'start' });
    nameRef.current?.focus();
    store.update({ settingsSection: null });
  }, [asked]);
  const refresh = async () => {
    setRefreshing(true);
    await eps.reload();
    setRefreshing(false);
  };
  const list = eps.list ?? [];
  return (
    <section aria-label="Model endpoints" className="settings-section" ref={section}>
      <h2>Model endpoints</h2>
      <p className="setting-help muted small">
        Each endpoint is its own model.invoke scope: a policy rule can allow models on one and ask before another (Capabilities → rule model.invoke with an endpoint).
      </p>
      <FormError error={eps.error} what="model endpoints" />
      {eps.list === null && !eps.error && <p className="muted small">Checking the endpoints…</p>}
      {list.length > 0 && (
        <ul className="endpoint-list">
          {list.map((e) => (
            <EndpointItem key={e.id} e={e} onRemoved={eps.set} />
          ))}
        </ul>
      )}
      <div className="endpoint-actions">
        <button type="button" disabled={refreshing} onClick={() => void refresh()} title="Check every endpoint's health and models again">
          {refreshing ? 'Checking…' : 'Refresh'}
        </button>
      </div>
      <AddEndpointForm nameRef={nameRef} existing={list} onAdded={eps.set} />
    </section>
  );
}

/** EndpointItem is one endpoint: what it is, whether it answers, its models, and Remove (not the Studio's own). */
function EndpointItem({ e, onRemoved }: { e: EndpointView; onRemoved: (list: EndpointView[]) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = async () => {
    setBusy(true);
    setError(null);
    const r = await attempt(() => api.RemoveEndpoint({ id: e.id }));
    setBusy(false);
    if (r.ok) onRemoved(r.value);
    else {
      setConfirming(false);
      setError(r.error);
    }
  };
  const models = e.models ?? [];
  return (
    <li className={`endpoint${e.reachable ? '' : ' unreachable'}`} aria-label={`Endpoint ${e.name}`} data-endpoint={e.id}>
      <div className="endpoint-head">
        <strong className="endpoint-name">{e.name}</strong>
        <span className="chip" data-testid="endpoint-kind">
          {kindLabel(e.kind)}
        </span>
        {e.local && <span className="chip default">the Studio's own</span>}
        {e.hasKey && (
          <span className="chip" title="An API key is kept in settings.json (mode 0600); it is never shown or logged">
            key set
          </span>
        )}
        <span className="mono endpoint-url">{e.url}</span>
      </div>
      <div className="endpoint-facts small">
        <span className={`badge endpoint-health ${e.reachable ? 'ok' : 'bad'}`} data-testid="endpoint-health">
          <span className="dot" aria-hidden />
          {healthText(e)}
        </span>
        {models.length === 0 ? (
          <span className="muted">{modelCount(0)}</span>
        ) : (
          <details className="endpoint-models">
            <summary>{modelCount(models.length)}</summary>
            <span className="mono">{models.map((m) => m.name).join(', ')}</span>
          </details>
        )}
      </div>
      {e.error && (
        <p className="setting-note error small" data-testid="endpoint-error">
          {e.error}
        </p>
      )}
      {!e.local &&
        (confirming ? (
          <div className="turn-confirm danger" role="group" aria-label={`Remove ${e.name}?`}>
            <p className="small">Remove {e.name}? Runs can no longer use it; the models stay on the server, and the runs it served stay in the event log.</p>
            <div className="turn-confirm-actions">
              <button className="danger" disabled={busy} onClick={() => void remove()}>
                {busy ? 'Removing…' : 'Remove'}
              </button>
              <button onClick={() => setConfirming(false)}>Keep</button>
            </div>
          </div>
        ) : (
          <div className="endpoint-actions">
            <button
              type="button"
              aria-label={`Remove ${e.name}`}
              onClick={() => {
                setError(null);
                setConfirming(true);
              }}
            >
              Remove
            </button>
          </div>
        ))}
      <FormError error={error} />
    </li>
  );
}

interface AddProps {
  nameRef: RefObject<HTMLInputElement | null>;
  existing: EndpointView[];
  onAdded: (list: EndpointView[]) => void;
}

/** AddEndpointForm adds an endpoint, or replaces the one of the same name; the backend's refusal shows here, once. */
function AddEndpointForm({ nameRef, existing, onAdded }: AddProps) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<EndpointKind>('ollama');
  const [url, setUrl] = useState('');
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const replaces = existing.find((e) => !e.local && e.name.trim().toLowerCase() === name.trim().toLowerCase());
  const typed = (set: (v: string) => void) => (ev: { target: { value: string } }) => {
    set(ev.target.value);
    setError(null);
    setAdded(null);
  };
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    if (busy || !name.trim() || !url.trim()) return;
    setBusy(true);
    setError(null);
    const r = await attempt(() => api.AddEndpoint({ name: name.trim(), kind, url: url.trim(), apiKey: key }));
    setBusy(false);
    if (!r.ok) return setError(r.error);
    onAdded(r.value);
    setAdded(replaces ? `Replaced ${name.trim()}.` : `Added ${name.trim()}.`);
    setName('');
    setUrl('');
    setKey('');
  };
  return (
    <form className="endpoint-add" aria-label="Add a model endpoint" onSubmit={(ev) => void submit(ev)}>
      <h3>Add an endpoint</h3>
      <div className="endpoint-add-fields">
        <label>
          <span>Name</span>
          <input ref={nameRef} aria-label="Endpoint name" value={name} placeholder="gpu-box" spellCheck={false} autoComplete="off" disabled={busy} onChange={typed(setName)} />
        </label>
        <label>
          <span>Kind</span>
          <select
            aria-label="Endpoint kind"
            value={kind}
            disabled={busy}
            onChange={(e) => {
              setKind(e.target.value === 'openai' ? 'openai' : 'ollama');
              setError(null);
            }}
          >
            {endpointKinds.map((k) => (
              <option key={k} value={k}>
                {kindLabel(k)}
              </option>
            ))}
          </select>
        </label>
        <label className="endpoint-add-url">
          <span>URL</span>
          <input aria-label="Endpoint URL" className="mono" value={url} placeholder={urlPlaceholder(kind)} spellCheck={false} autoComplete="off" disabled={busy} onChange={typed(setUrl)} />
        </label>
        <label>
          <span>API key (optional)</span>
          <input aria-label="API key" type="password" value={key} placeholder="none" autoComplete="new-password" disabled={busy} onChange={typed(setKey)} />
        </label>
      </div>
      <p className="setting-help muted small">
        {replaces
          ? `${replaces.name} exists: Add replaces it${replaces.hasKey ? ', and its key with the one typed here (empty: no key)' : ''}.`
          : 'The key is kept in settings.json (mode 0600), never in the event log, and never shown again.'}
      </p>
      <div className="endpoint-actions">
        <button type="submit" className="primary" disabled={busy || !name.trim() || !url.trim()}>
          {busy ? 'Checking…' : replaces ? 'Replace' : 'Add'}
        </button>
        {added && (
          <span className="muted small" role="status">
            {added}
          </span>
        )}
      </div>
      <FormError error={error} />
    </form>
  );
}
