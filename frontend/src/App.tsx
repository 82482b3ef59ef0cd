import { useEffect } from 'react';
import { loadStartup, subscribeBackend } from './actions';
import { useStudio } from './store';
import { LoadError, Notices, StatusBar, TitleBar, Toasts } from './components/Chrome';
import { StudioView } from './components/StudioView';
import { Welcome } from './components/Welcome';

export function App() {
  const loading = useStudio((s) => s.loading);
  const loadError = useStudio((s) => s.loadError);
  const active = useStudio((s) => s.activeWorkspace);

  useEffect(() => {
    const off = subscribeBackend();
    void loadStartup();
    return off;
  }, []);

  return (
    <div className="app">
      <TitleBar />
      <Notices />
      <div className="content">
        {loadError ? <LoadError error={loadError} /> : loading ? <div className="splash">Starting…</div> : active ? <StudioView workspaceId={active} /> : <Welcome />}
      </div>
      <StatusBar />
      <Toasts />
    </div>
  );
}
