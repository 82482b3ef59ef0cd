import { useEffect } from 'react';
import { loadStartup, subscribeBackend } from './actions';
import { useStudio } from './store';
import { LoadError, Notices, StatusBar, TitleBar, Toasts } from './components/Chrome';
import { EventInspector } from './components/EventInspector';
import { ModelsView } from './components/Models';
import { StudioView } from './components/StudioView';
import { Welcome } from './components/Welcome';

export function App() {
  const loading = useStudio((s) => s.loading);
  const loadError = useStudio((s) => s.loadError);
  const active = useStudio((s) => s.activeWorkspace);
  const view = useStudio((s) => s.view);

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
        {loadError ? (
          <LoadError error={loadError} />
        ) : loading ? (
          <div className="splash">Starting…</div>
        ) : view === 'events' ? (
          <EventInspector />
        ) : view === 'models' ? (
          <ModelsView />
        ) : active ? (
          <StudioView workspaceId={active} />
        ) : (
          <Welcome />
        )}
      </div>
      <StatusBar />
      <Toasts />
    </div>
  );
}
