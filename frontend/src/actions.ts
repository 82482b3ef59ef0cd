// What the UI does, in one place: each action calls the bridge and records
// the outcome in the store; failures become toasts, never silent.
import { api, errorMessage, Events, inWails, on, transportKind } from './bridge';
import { store, type Store } from './store';

export async function loadStartup(s: Store = store): Promise<void> {
  try {
    const st = await api.Startup();
    s.update({
      loading: false,
      loadError: null,
      info: st.info,
      recent: st.recent,
      workspaces: st.workspaces,
      notices: st.notices,
      // A folder given on the command line opens straight into the Studio.
      activeWorkspace: s.get().activeWorkspace ?? st.workspaces.at(-1)?.id ?? null,
    });
  } catch (err) {
    s.update({ loading: false, loadError: errorMessage(err) });
    return;
  }
  void refreshOllama(s);
  api
    .FrontendReady({ transport: transportKind(), userAgent: navigator.userAgent })
    .catch((err: unknown) => s.toast('error', `Could not report readiness: ${errorMessage(err)}`));
}

export async function refreshOllama(s: Store = store): Promise<void> {
  try {
    s.update({ ollama: await api.OllamaStatus() });
  } catch (err) {
    s.toast('error', `Could not check Ollama: ${errorMessage(err)}`);
  }
}

/** openFolder opens path as a workspace; it returns the error text, if any. */
export async function openFolder(path: string, s: Store = store): Promise<string | null> {
  try {
    const ws = await api.OpenFolder({ path });
    s.openWorkspace(ws);
    return null;
  } catch (err) {
    const msg = errorMessage(err);
    s.toast('error', msg);
    return msg;
  }
}

/** chooseFolder shows the native dialog (desktop only) and opens the choice. */
export async function chooseFolder(s: Store = store): Promise<void> {
  try {
    const path = await api.ChooseFolder();
    if (path) await openFolder(path, s);
  } catch (err) {
    s.toast('error', errorMessage(err));
  }
}

export async function forgetRecent(path: string, s: Store = store): Promise<void> {
  try {
    s.update({ recent: await api.ForgetRecent({ path }) });
  } catch (err) {
    s.toast('error', errorMessage(err));
  }
}

export function canChooseNatively(): boolean {
  return inWails();
}

/** subscribeBackend keeps the store current with backend notifications. */
export function subscribeBackend(s: Store = store): () => void {
  const offs = [
    on(Events.OllamaStatusChanged, (st) => s.update({ ollama: st })),
    on(Events.RecentChanged, (rec) => s.update({ recent: rec })),
    on(Events.WorkspaceOpened, (ws) =>
      s.update((cur) => ({ workspaces: [...cur.workspaces.filter((w) => w.id !== ws.id), ws] })),
    ),
    on(Events.Reconnected, () => void loadStartup(s)),
  ];
  return () => offs.forEach((off) => off());
}
