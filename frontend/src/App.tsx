import { lazy, Suspense, useEffect } from 'react';
import { loadSettings, loadStartup, subscribeBackend } from './actions';
import { store, useStudio } from './store';
import { commands, installKeys } from './commands';
import { useThemeSetting } from './theme';
import { CommandPalette } from './components/palette/CommandPalette';
import { useAppCommands } from './components/palette/appCommands';
import { useEventCommands } from './components/eventCommands';
import { LoadError, Notices, StatusBar, TitleBar, Toasts } from './components/Chrome';
// The screens after the welcome screen load when first shown, so the
// first screen does not wait for the editor, the diff and the inspector.
const EventInspector = lazy(() => import('./components/EventInspector').then((m) => ({ default: m.EventInspector })));
const ModelsView = lazy(() => import('./components/Models').then((m) => ({ default: m.ModelsView })));
const StudioView = lazy(() => import('./components/StudioView').then((m) => ({ default: m.StudioView })));
const SettingsView = lazy(() => import('./components/settings/SettingsView').then((m) => ({ default: m.SettingsView })));
const ShortcutsView = lazy(() => import('./components/palette/ShortcutsView').then((m) => ({ default: m.ShortcutsView })));
import { Welcome } from './components/Welcome';

/** preloadScreens fetches the lazily loaded screens, so the first visit to one does not wait. */
function preloadScreens(): void {
  void import('./components/StudioView');
  void import('./components/EventInspector');
  void import('./components/Models');
}

export function App() {
  const loading = useStudio((s) => s.loading);
  const loadError = useStudio((s) => s.loadError);
  const active = useStudio((s) => s.activeWorkspace);
  const view = useStudio((s) => s.view);
  const overlay = useStudio((s) => s.overlay);
  const theme = useStudio((s) => s.settings?.theme.value);
  useThemeSetting(theme);
  useAppCommands();
  useEventCommands();

  // One key handler for the whole app; the user's bindings come with the settings.
  useEffect(() => installKeys(window, commands), []);

  useEffect(() => {
    void loadSettings();
    const off = subscribeBackend();
    // Once the first screen is up, the other screens load in the background.
    void loadStartup().then(() => setTimeout(preloadScreens, 200));
    return off;
  }, []);

  return (
    <div className="app">
      <TitleBar />
      <Notices />
      <div className="content">
        <Suspense fallback={<div className="splash">Loading…</div>}>
        {loadError ? (
          <LoadError error={loadError} />
        ) : loading ? (
          <div className="splash">Starting…</div>
        ) : view === 'events' ? (
          <EventInspector />
        ) : view === 'models' ? (
          <ModelsView />
        ) : view === 'settings' ? (
          <SettingsView />
        ) : active ? (
          <StudioView workspaceId={active} />
        ) : (
          <Welcome />
        )}
        </Suspense>
      </div>
      <StatusBar />
      <CommandPalette />
      {overlay === 'shortcuts' && (
        <Suspense fallback={null}>
          <ShortcutsView onClose={() => store.update({ overlay: null })} />
        </Suspense>
      )}
      <Toasts />
    </div>
  );
}
