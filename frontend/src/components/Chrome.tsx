// The frame around every screen: title bar, notices, toasts and status bar.
import { useEffect, useRef, useState } from 'react';
import { closeWorkspace, loadWorkspaceStatus, switchTheme } from '../actions';
import { errorMessage, type WorkspaceStatus } from '../bridge';
import { store, useStudio } from '../store';
import { formatCount, formatSize, plural } from './format';
import { OllamaBadge } from './Ollama';
import { statusText } from './sandbox/sandboxFormat';
import { ReplicaStatusItem } from './settings/ReplicaStatusItem';
import { useDocumentTheme } from '../theme';

export function TitleBar() {
  const workspaces = useStudio((s) => s.workspaces);
  const active = useStudio((s) => s.activeWorkspace);
  const view = useStudio((s) => s.view);
  const theme = useDocumentTheme();
  const tab = (on: boolean) => ({ className: `tab${on ? ' active' : ''}`, 'aria-current': on ? ('page' as const) : undefined });
  return (
    <nav className="titlebar" aria-label="Workspaces">
      <button {...tab(view === 'workspaces' && active === null)} onClick={() => store.showWorkspace(null)}>
        Welcome
      </button>
      <button {...tab(view === 'events')} title="Every event in the log, live" onClick={() => store.update({ view: 'events' })}>
        Event log
      </button>
      <button {...tab(view === 'models')} title="Local models: install, remove, choose defaults" onClick={() => store.update({ view: 'models' })}>
        Models
      </button>
      {workspaces.map((w) => {
        const on = view === 'workspaces' && active === w.id;
        return (
          <span key={w.id} className={`ws-tab${on ? ' active' : ''}`}>
            <button {...tab(on)} title={w.root} onClick={() => store.showWorkspace(w.id)}>
              {w.name}
            </button>
            <button className="icon-btn tab-close" aria-label={`Close ${w.name}`} title={`Close ${w.root}`} onClick={() => void closeWorkspace(w.id)}>
              ×
            </button>
          </span>
        );
      })}
      <span className="spacer" />
      <button {...tab(view === 'settings')} title="Settings: Ollama, models, run defaults, theme, keys (Ctrl+,)" onClick={() => store.update({ view: 'settings' })}>
        Settings
      </button>
      <button className="icon-btn" onClick={() => void switchTheme()} title="Switch light/dark theme" aria-label="Switch theme">
        {theme === 'dark' ? '☀' : '☾'}
      </button>
    </nav>
  );
}

export function Notices() {
  const notices = useStudio((s) => s.notices);
  if (notices.length === 0) return null;
  return (
    <div className="notices" role="alert">
      {notices.map((n, i) => (
        <div key={i} className="notice">
          <span>{n}</span>
          <button className="icon-btn" aria-label="Dismiss" onClick={() => store.update((s) => ({ notices: s.notices.filter((_, j) => j !== i) }))}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

export function Toasts() {
  const toasts = useStudio((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div
          key={t.id}
          className={`toast ${t.kind}`}
          role={t.kind === 'error' ? 'alert' : 'status'}
          onMouseEnter={() => store.holdToast(t.id, true)}
          onMouseLeave={() => store.holdToast(t.id, false)}
        >
          <span>{t.text}</span>
          <button className="icon-btn" aria-label="Dismiss" onClick={() => store.dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

/** WatchState says how changes on disk are followed. */
function WatchState({ watch }: { watch: WorkspaceStatus['watch'] }) {
  switch (watch.mode) {
    case 'watching':
      return (
        <span className="status-item" title="Changes made on disk by any program show up here at once">
          Watching {plural(watch.watches, 'folder')}
        </span>
      );
    case 'polling':
      return (
        <span className="status-item long warn" title={watch.reason}>
          Polling every 2 s{watch.reason ? ` — ${watch.reason}` : ''}
        </span>
      );
    case 'missing':
      return (
        <span className="status-item error" title={watch.reason}>
          Folder missing
        </span>
      );
    case 'starting':
      return <span className="status-item muted">Starting to watch…</span>;
    default:
      return <span className="status-item muted">Not watching</span>;
  }
}

/** IndexState shows the text index's progress. */
function IndexState({ index }: { index: WorkspaceStatus['index'] }) {
  switch (index.state) {
    case 'indexing': {
      const pct = index.total > 0 ? Math.min(100, (100 * index.indexed) / index.total) : 0;
      return (
        <span className="status-item" title="Searches use the index for the files already in it">
          Indexing {formatCount(index.indexed)} / {formatCount(index.total)}
          <span className="meter" role="progressbar" aria-label="Index progress" aria-valuemin={0} aria-valuemax={index.total} aria-valuenow={index.indexed}>
            <span style={{ width: `${pct}%` }} />
          </span>
        </span>
      );
    }
    case 'ready':
      return (
        <span className="status-item muted" title={`${plural(index.indexed, 'file')}, ${formatSize(index.bytes)} of text indexed for search`}>
          Index ready
        </span>
      );
    case 'off':
      return (
        <span className="status-item long warn" title={`${index.error ? `${index.error}: s` : 'S'}earches read every file instead`}>
          {index.error ? `Index off: ${index.error}` : 'Index off'}
        </span>
      );
    default:
      return <span className="status-item muted">Scanning…</span>;
  }
}

/** Warnings lists the paths the watcher had trouble with, on demand. */
function Warnings({ warnings }: { warnings: NonNullable<WorkspaceStatus['watch']['warnings']> }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (ev: MouseEvent) => box.current?.contains(ev.target as Node) || setOpen(false);
    const esc = (ev: KeyboardEvent) => ev.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', away);
    document.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('mousedown', away);
      document.removeEventListener('keydown', esc);
    };
  }, [open]);
  return (
    <span className="status-pop" ref={box}>
      <button className="status-btn warn" aria-expanded={open} aria-haspopup="dialog" onClick={() => setOpen((o) => !o)}>
        ⚠ {plural(warnings.length, 'warning')}
      </button>
      {open && (
        <div className="popover" role="dialog" aria-label="Watch warnings">
          <ul>
            {warnings.map((w, i) => (
              <li key={`${w.path}:${i}`}>
                <span className="mono">{w.path || '(workspace folder)'}</span>
                <span className="muted">{w.reason}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </span>
  );
}

/** WorkspaceHealth shows how a workspace is watched and indexed. */
export function WorkspaceHealth({ workspaceId }: { workspaceId: string }) {
  const st = useStudio((s) => s.statuses[workspaceId]);
  useEffect(() => {
    void loadWorkspaceStatus(workspaceId);
  }, [workspaceId]);
  if (!st) return null;
  const warnings = st.watch.warnings ?? [];
  return (
    <span className="health" aria-label="Workspace status">
      <WatchState watch={st.watch} />
      {st.watch.mode !== 'missing' && <span className="status-item muted">{plural(st.watch.files, 'file')}</span>}
      <IndexState index={st.index} />
      {warnings.length > 0 && <Warnings warnings={warnings} />}
      {st.recordError && (
        <span className="status-item long error" title={st.recordError}>
          {st.recordError}
        </span>
      )}
    </span>
  );
}

/**
 * SandboxIndicator says how commands run: in the sandbox (and with which
 * layers), not at all (the sandbox is unavailable here), or UNSANDBOXED
 * because the workspace's policy says so.
 */
export function SandboxIndicator({ workspaceId }: { workspaceId: string | null }) {
  const st = useStudio((s) => s.sandbox);
  if (!st) return null;
  if (workspaceId && (st.unsandboxed ?? []).includes(workspaceId))
    return (
      <span
        className="status-item sandbox-state error strong"
        data-testid="sandbox-indicator"
        title="This workspace's policy runs commands as plain children with your full rights: they can read and write anything you can, use the network, and outlive the run. Change it in Capabilities → Commands."
      >
        UNSANDBOXED
      </span>
    );
  if (st.available)
    return (
      <span className="status-item sandbox-state muted" data-testid="sandbox-indicator" title="Commands run isolated: writes come back as staged changes, network only through the kernel's proxy">
        {statusText(st)}
      </span>
    );
  const why = [st.reason, st.hint].filter(Boolean).join(' — ');
  return (
    <span className="status-item sandbox-state warn" data-testid="sandbox-indicator" title={why || 'Commands cannot be sandboxed on this machine, so none can run'}>
      Sandbox unavailable
    </span>
  );
}

export function StatusBar() {
  const info = useStudio((s) => s.info);
  const ws = useStudio((s) => s.workspaces.find((w) => w.id === s.activeWorkspace));
  return (
    <footer className="statusbar">
      <OllamaBadge />
      <span className="muted root-path" title={ws?.root}>
        {ws ? ws.root : 'No folder open'}
      </span>
      {ws && <WorkspaceHealth workspaceId={ws.id} />}
      <span className="spacer" />
      <ReplicaStatusItem />
      <SandboxIndicator workspaceId={ws?.id ?? null} />
      <span className="muted">{info?.mode === 'browser' ? 'browser' : 'desktop'}</span>
      <span className="muted">v{info?.version}</span>
    </footer>
  );
}

export function LoadError({ error }: { error: unknown }) {
  return (
    <main className="welcome">
      <section className="card error" role="alert">
        <h2>The Studio backend did not answer</h2>
        <p>{errorMessage(error)}</p>
        <button onClick={() => location.reload()}>Reload</button>
      </section>
    </main>
  );
}
