// The frame around every screen: title bar, notices, toasts and status bar.
import { errorMessage } from '../bridge';
import { store, useStudio } from '../store';
import { OllamaBadge } from './Ollama';
import { useTheme } from '../theme';

export function TitleBar() {
  const workspaces = useStudio((s) => s.workspaces);
  const active = useStudio((s) => s.activeWorkspace);
  const view = useStudio((s) => s.view);
  const [theme, toggleTheme] = useTheme();
  const tab = (on: boolean) => ({ className: `tab${on ? ' active' : ''}`, 'aria-current': on ? ('page' as const) : undefined });
  return (
    <nav className="titlebar" aria-label="Workspaces">
      <button {...tab(view === 'workspaces' && active === null)} onClick={() => store.showWorkspace(null)}>
        Welcome
      </button>
      <button {...tab(view === 'events')} title="Every event in the log, live" onClick={() => store.update({ view: 'events' })}>
        Event log
      </button>
      {workspaces.map((w) => (
        <button key={w.id} {...tab(view === 'workspaces' && active === w.id)} title={w.root} onClick={() => store.showWorkspace(w.id)}>
          {w.name}
        </button>
      ))}
      <span className="spacer" />
      <button className="icon-btn" onClick={toggleTheme} title="Switch light/dark theme" aria-label="Switch theme">
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
        <div key={t.id} className={`toast ${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          <span>{t.text}</span>
          <button className="icon-btn" aria-label="Dismiss" onClick={() => store.dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

export function StatusBar() {
  const info = useStudio((s) => s.info);
  const ws = useStudio((s) => s.workspaces.find((w) => w.id === s.activeWorkspace));
  return (
    <footer className="statusbar">
      <OllamaBadge />
      <span className="muted">{ws ? ws.root : 'No folder open'}</span>
      <span className="spacer" />
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
