// The Chat tab: the workspace's conversations, the latest active first,
// with a new one a click away; each can be renamed in place or deleted
// (hidden: the log keeps every turn).
import { useRef, useState, type KeyboardEvent } from 'react';
import { deleteThread, renameThread } from '../../actions';
import type { ThreadSummary } from '../../bridge';
import { store } from '../../store';
import { useNow } from '../runs/hooks';
import { RunBadge } from '../runs/RunBadge';
import { relativeTime } from '../runs/runFormat';
import type { Threads } from './hooks';

function RenameField({ t, onDone }: { t: ThreadSummary; onDone: () => void }) {
  const [title, setTitle] = useState(t.title);
  const [busy, setBusy] = useState(false);
  /** settled: saved or cancelled once (Enter, then the blur as the field goes, must not save twice). */
  const settled = useRef(false);
  const save = async () => {
    if (settled.current) return;
    settled.current = true;
    const next = title.trim();
    if (next === '' || next === t.title) return onDone();
    setBusy(true);
    const res = await renameThread(t.id, next);
    setBusy(false);
    // The title field goes away with onDone, so the failure has no inline place: a toast says it.
    if (!res.ok) store.toast('error', `Could not rename the conversation: ${res.error}`);
    onDone();
  };
  const onKey = (ev: KeyboardEvent<HTMLInputElement>) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      void save();
    } else if (ev.key === 'Escape') {
      ev.preventDefault();
      settled.current = true;
      onDone();
    }
  };
  return (
    <input
      className="thread-rename"
      aria-label="Title of the conversation"
      autoFocus
      value={title}
      disabled={busy}
      maxLength={200}
      onChange={(e) => setTitle(e.target.value)}
      onKeyDown={onKey}
      onBlur={() => void save()}
      onFocus={(e) => e.target.select()}
    />
  );
}

export interface ThreadListProps {
  threads: Threads;
  /** selected is the conversation open in the centre, if any. */
  selected: string | null;
  onOpen: (id: string) => void;
  onNew: () => void;
  /** onDeleted is told a conversation was deleted (it closes when open). */
  onDeleted: (id: string) => void;
}

export function ThreadList({ threads: { threads, error, reload }, selected, onOpen, onNew, onDeleted }: ThreadListProps) {
  const now = useNow();
  const [renaming, setRenaming] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const remove = async (id: string) => {
    setBusy(true);
    const res = await deleteThread(id);
    setBusy(false);
    setDeleting(null);
    if (res.ok) onDeleted(id);
    else store.toast('error', `Could not delete the conversation: ${res.error}`);
    void reload();
  };

  return (
    <>
      <div className="pane-head">
        <span>Conversations{threads && threads.length > 0 ? ` · ${threads.length}` : ''}</span>
        <button className="icon-btn head-btn" onClick={() => void reload()} title="Reload the conversations" aria-label="Reload the conversations">
          ⟳
        </button>
      </div>
      <div className="runs-tools chat-tools">
        <button className="primary" onClick={onNew} title="Start a new conversation with the agent">
          New conversation
        </button>
      </div>
      <div className="pane-body runs-body">
        {error && (
          <div className="run-error" role="alert">
            <span>Could not list the conversations: {error}</span>
            <button onClick={() => void reload()}>Retry</button>
          </div>
        )}
        {threads === null ? (
          !error && <p className="muted run-empty">Loading…</p>
        ) : threads.length === 0 ? (
          <p className="muted run-empty">No conversations yet. Start one: each message becomes a turn, a run you review and commit.</p>
        ) : (
          <ul className="run-list thread-list" aria-label="Conversations">
            {threads.map((t) => (
              <li key={t.id} className={`run-item thread-item${t.id === selected ? ' selected' : ''}`} data-thread={t.id}>
                {renaming === t.id ? (
                  <div className="thread-edit">
                    <RenameField
                      t={t}
                      onDone={() => {
                        setRenaming(null);
                        void reload();
                      }}
                    />
                  </div>
                ) : (
                  <div className="thread-row">
                    <button className="run-item-btn" aria-current={t.id === selected ? 'true' : undefined} onClick={() => onOpen(t.id)} title={t.title}>
                      <span className="run-item-task">
                        {t.title}
                      </span>
                      <span className="run-item-meta">
                        {t.last && <RunBadge run={{ state: t.last, outcome: t.failed ? 'failed' : t.outcome }} />}
                        <span className="chip">
                          {t.turns} turn{t.turns === 1 ? '' : 's'}
                        </span>
                        {t.forkOf && (
                          <span className="chip" title={`Forked from another conversation at its turn ${t.forkTurn}`}>
                            fork
                          </span>
                        )}
                        {t.model && <span className="chip thread-model" title={`model ${t.model}`}>{t.model}</span>}
                        <span className="spacer" />
                        <span className="muted small nowrap" title={new Date(t.updatedAt / 1e6).toLocaleString()}>
                          {relativeTime(t.updatedAt, now)}
                        </span>
                      </span>
                    </button>
                    <span className="thread-actions">
                      <button className="icon-btn" aria-label={`Rename ${t.title}`} title="Rename" onClick={() => setRenaming(t.id)}>
                        ✎
                      </button>
                      <button className="icon-btn" aria-label={`Delete ${t.title}`} title="Delete" onClick={() => setDeleting(deleting === t.id ? null : t.id)}>
                        ×
                      </button>
                    </span>
                  </div>
                )}
                {deleting === t.id && (
                  <div className="turn-confirm danger thread-confirm" role="group" aria-label={`Delete ${t.title}?`}>
                    <p className="small">Delete this conversation? It leaves the list; the event log keeps all of it.</p>
                    <div className="turn-confirm-actions">
                      <button className="danger" disabled={busy} onClick={() => void remove(t.id)}>
                        {busy ? 'Deleting…' : 'Delete'}
                      </button>
                      <button onClick={() => setDeleting(null)}>Cancel</button>
                    </div>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
    </>
  );
}
