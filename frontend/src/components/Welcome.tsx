// The first screen: open a folder, reopen a recent one, see where things are.
import { useEffect, useState, type FormEvent } from 'react';
import { canChooseNatively, chooseFolder, forgetRecent, openFolder } from '../actions';
import { store, useStudio } from '../store';
import { FormError } from './FormError';
import { OllamaCard } from './Ollama';

function formatWhen(ms: number): string {
  if (!ms) return '';
  return new Date(ms).toLocaleString();
}

/**
 * useDropHint: in the desktop window a folder dropped on the window opens
 * (the Go side handles it). A browser does not tell a page where a dropped
 * folder is, so there the drop is refused with a hint, instead of the
 * browser leaving the Studio to show the file.
 */
function useDropHint(native: boolean): void {
  useEffect(() => {
    if (native) return;
    const over = (ev: DragEvent) => ev.preventDefault();
    const drop = (ev: DragEvent) => {
      ev.preventDefault();
      store.toast('info', 'A browser does not tell the Studio where a dropped folder is: type its path instead.');
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, [native]);
}

export function Welcome() {
  const info = useStudio((s) => s.info);
  const recent = useStudio((s) => s.recent);
  const [path, setPath] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const native = canChooseNatively();
  useDropHint(native);

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setError(await openFolder(path, undefined, { inline: true }));
    setBusy(false);
  };

  return (
    <main className="welcome">
      <header className="welcome-head">
        <img src="/icon.png" alt="" width={56} height={56} />
        <div>
          <h1>ICE Studio</h1>
          <p className="muted">AI work on your project folders, under a kernel that decides what may happen.</p>
        </div>
      </header>

      <div className="welcome-grid">
        <section className="card" aria-labelledby="open-h">
          <h2 id="open-h">Start</h2>
          {native && (
            <button className="primary" onClick={() => void chooseFolder()}>
              Open folder…
            </button>
          )}
          <form className="path-form" onSubmit={(ev) => void submit(ev)}>
            <label htmlFor="folder-path">{native ? 'or type a folder path' : 'Open folder — type its path'}</label>
            <div className="row">
              <input
                id="folder-path"
                name="folder-path"
                placeholder="/home/you/projects/my-app"
                value={path}
                onChange={(e) => setPath(e.target.value)}
                spellCheck={false}
                autoComplete="off"
              />
              <button type="submit" className={native ? '' : 'primary'} disabled={busy || !path.trim()}>
                Open
              </button>
            </div>
            <FormError error={error} />
          </form>
        </section>

        <section className="card" aria-labelledby="recent-h">
          <h2 id="recent-h">Recent folders</h2>
          {recent.length === 0 ? (
            <p className="muted">No folders opened yet.</p>
          ) : (
            <ul className="recent" aria-label="Recent folders">
              {recent.map((r) => (
                <li key={r.path} className={r.missing ? 'missing' : ''}>
                  <button
                    className="link"
                    disabled={r.missing}
                    title={r.missing ? `${r.path} no longer exists` : `Open ${r.path}`}
                    onClick={() => void openFolder(r.path)}
                  >
                    <span className="recent-name">{r.name}</span>
                    <span className="recent-path">{r.path}</span>
                  </button>
                  <span className="muted small">{r.missing ? 'missing' : formatWhen(r.openedAt)}</span>
                  <button className="icon-btn" aria-label={`Forget ${r.path}`} title="Remove from list" onClick={() => void forgetRecent(r.path)}>
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>

        <OllamaCard />

        <section className="card" aria-labelledby="about-h">
          <h2 id="about-h">This Studio</h2>
          <dl className="facts">
            <dt>Version</dt>
            <dd data-testid="version">{info?.version}</dd>
            <dt>Mode</dt>
            <dd>{info?.mode === 'desktop' ? 'Desktop window' : 'Browser (ice-studio serve)'}</dd>
            <dt>Data folder</dt>
            <dd className="mono" data-testid="data-dir">
              {info?.dataDir}
            </dd>
            <dt>Log file</dt>
            <dd className="mono">{info?.logFile || '—'}</dd>
          </dl>
        </section>
      </div>
    </main>
  );
}
