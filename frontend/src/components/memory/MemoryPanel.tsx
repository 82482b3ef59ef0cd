// A workspace's governed memory: what runs may remember, searchable by text
// or meaning, each memory with its provenance and versions; the proposals
// waiting for review; and the embedding model used for meaning search.
import { useEffect, useState } from 'react';
import { api, errorMessage, type Memory, type MemoryProposal, type MemorySettings } from '../../bridge';
import { store } from '../../store';
import { emptyQuery, useMemories, type MemoryQuery } from './hooks';
import { MemoryDetail, StateChip } from './MemoryDetail';
import { emptyFields, expiry, kinds, percent, scopes, stateLabel, states } from './memoryFormat';
import { ReviewQueue } from './ReviewQueue';
import { SpecForm } from './SpecForm';

function Filters({ q, onChange }: { q: MemoryQuery; onChange: (patch: Partial<MemoryQuery>) => void }) {
  return (
    <div className="mem-filters">
      <div className="mem-search">
        <input
          type="search"
          aria-label="Search memories"
          placeholder={q.mode === 'semantic' ? 'Search by meaning…' : 'Search the text…'}
          value={q.text}
          onChange={(e) => onChange({ text: e.target.value })}
          spellCheck={false}
        />
        <div role="group" aria-label="Search mode" className="mem-toggle">
          <button aria-pressed={q.mode === 'lexical'} className={q.mode === 'lexical' ? 'on' : ''} onClick={() => onChange({ mode: 'lexical' })} title="Match words (full-text search)">
            Text
          </button>
          <button aria-pressed={q.mode === 'semantic'} className={q.mode === 'semantic' ? 'on' : ''} onClick={() => onChange({ mode: 'semantic' })} title="Match meaning (needs an embedding model)">
            Meaning
          </button>
        </div>
      </div>
      <div className="mem-selects">
        <select aria-label="Kind filter" value={q.kind} onChange={(e) => onChange({ kind: e.target.value })}>
          <option value="">any kind</option>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        <select aria-label="Scope filter" value={q.scope} onChange={(e) => onChange({ scope: e.target.value })}>
          <option value="">any scope</option>
          {scopes.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <select aria-label="State filter" value={q.state} onChange={(e) => onChange({ state: e.target.value })}>
          {states.map((s) => (
            <option key={s} value={s}>
              {stateLabel(s)}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

function MemoryRow({ m, onOpen }: { m: Memory; onOpen: () => void }) {
  const exp = expiry(m);
  return (
    <li className={`mem-row state-${m.state}`} data-memory={m.id}>
      <button className="mem-row-btn" onClick={onOpen} aria-label={`Memory: ${m.content}`}>
        <span className="mem-chips">
          <span className="chip mem-kind">{m.kind}</span>
          <span className="chip">{m.scope}</span>
          <StateChip m={m} />
          <span className="spacer" />
          <span className="muted small" title={`confidence ${percent(m.confidence)}, after decay ${percent(m.effective)}`}>
            {percent(m.effective)}
          </span>
        </span>
        <span className="mem-content clamp">{m.content}</span>
        {m.state !== 'active' && m.stateReason && <span className="muted small">{m.stateReason}</span>}
        {m.needsReview && <span className="muted small">Needs review: {m.needsReview}</span>}
        {exp && <span className="muted small">{exp}</span>}
      </button>
    </li>
  );
}

function EmbeddingSettings() {
  const [settings, setSettings] = useState<MemorySettings | null>(null);
  const [model, setModel] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.GetMemorySettings().then(
      (s) => {
        if (!live) return;
        setSettings(s);
        setModel(s.embeddingModel);
      },
      (err: unknown) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, []);
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const s = await api.SetMemorySettings({ embeddingModel: model.trim() });
      setSettings(s);
      setModel(s.embeddingModel);
      store.toast('info', s.embeddingModel ? `Meaning search uses ${s.embeddingModel}.` : 'Meaning search is off.');
    } catch (err) {
      setError(errorMessage(err));
    }
    setBusy(false);
  };
  return (
    <section className="cap-section" aria-label="Embedding model">
      <h3>Meaning search</h3>
      <form
        className="mem-settings"
        onSubmit={(ev) => {
          ev.preventDefault();
          void save();
        }}
      >
        <input aria-label="Embedding model" className="mono" value={model} placeholder="Ollama model, e.g. nomic-embed-text (empty: off)" onChange={(e) => setModel(e.target.value)} spellCheck={false} />
        <button type="submit" disabled={busy || (settings !== null && model.trim() === settings.embeddingModel)}>
          {busy ? 'Checking…' : 'Use'}
        </button>
      </form>
      {settings && (
        <p className="muted small">
          {settings.embeddingModel ? `${settings.embeddingModel}: ${settings.indexed} memories indexed.` : 'No embedding model: search by text only.'}
        </p>
      )}
      {(error || settings?.error) && (
        <p className="form-error" role="alert">
          {error ?? settings?.error}
        </p>
      )}
    </section>
  );
}

export interface MemoryPanelProps {
  workspaceId: string;
  proposals: MemoryProposal[];
  proposalsError: string | null;
  /** onOpenRun shows a run (a proposal's, from the review queue). */
  onOpenRun?: (id: string) => void;
}

export function MemoryPanel({ workspaceId, proposals, proposalsError, onOpenRun }: MemoryPanelProps) {
  const [tab, setTab] = useState<'memories' | 'review'>('memories');
  const [q, setQ] = useState<MemoryQuery>(emptyQuery);
  const [open, setOpen] = useState<Memory | null>(null);
  const [writing, setWriting] = useState(false);
  const list = useMemories(workspaceId, q);
  const patch = (p: Partial<MemoryQuery>) => setQ((x) => ({ ...x, ...p }));
  const semanticRefused = q.mode === 'semantic' && q.text.trim() !== '' && list.error !== null;

  return (
    <div className="caps-panel mem-panel" aria-label="Memory">
      <div role="tablist" aria-label="Memory views" className="run-tabs">
        <button role="tab" aria-selected={tab === 'memories'} className={`run-tab${tab === 'memories' ? ' on' : ''}`} onClick={() => setTab('memories')}>
          Memories
        </button>
        <button role="tab" aria-selected={tab === 'review'} className={`run-tab${tab === 'review' ? ' on' : ''}`} onClick={() => setTab('review')}>
          Review ({proposals.length})
        </button>
      </div>
      {tab === 'review' ? (
        <ReviewQueue proposals={proposals} error={proposalsError} onOpenRun={onOpenRun} />
      ) : open ? (
        <MemoryDetail
          key={`${open.id}/${open.version}`}
          workspaceId={workspaceId}
          memory={open}
          onClose={() => setOpen(null)}
          onChanged={(m) => {
            if (m) setOpen(m);
            void list.reload();
          }}
        />
      ) : (
        <>
          <div className="cap-actions">
            <span className="muted small">{list.items === null ? 'Loading…' : `${list.items.length} ${stateLabel(q.state)} memor${list.items.length === 1 ? 'y' : 'ies'}`}</span>
            <span className="spacer" />
            {!writing && <button onClick={() => setWriting(true)}>Write a note…</button>}
          </div>
          {writing && (
            <section className="cap-section" aria-label="Write a note">
              <h3>Write a note</h3>
              <SpecForm
                label="Note"
                initial={emptyFields}
                submitLabel="Save note"
                withFiles
                onCancel={() => setWriting(false)}
                onSubmit={async (spec, files) => {
                  await api.WriteNote({ workspaceId, spec, files });
                  store.toast('info', 'Note saved to memory.');
                  setWriting(false);
                  void list.reload();
                }}
              />
            </section>
          )}
          <Filters q={q} onChange={patch} />
          {list.error && (
            <div className="run-error" role="alert">
              <span>{semanticRefused ? `Meaning search is unavailable: ${list.error}` : `Could not list the memories: ${list.error}`}</span>
              {semanticRefused && <button onClick={() => patch({ mode: 'lexical' })}>Search by text</button>}
            </div>
          )}
          {list.items !== null && list.items.length === 0 && !list.error && (
            <p className="muted small">{q.text.trim() ? 'No memory matches.' : 'No memories here yet. Write a note, or promote a committed run.'}</p>
          )}
          {list.items !== null && list.items.length > 0 && (
            <ul className="mem-list" aria-label="Memories">
              {list.items.map((m) => (
                <MemoryRow key={`${m.id}/${m.version}`} m={m} onOpen={() => setOpen(m)} />
              ))}
            </ul>
          )}
          <EmbeddingSettings />
        </>
      )}
    </div>
  );
}
