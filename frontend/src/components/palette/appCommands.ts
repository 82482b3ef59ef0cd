// The Studio's app-level commands: open a folder, switch the theme, the
// settings, the shortcuts, the event log (its verification and its replica), the models,
// and starting an agent run in the workspace on screen.
import { canChooseNatively, chooseFolder, openFolder, startAgentRun, switchTheme } from '../../actions';
import { api, errorMessage } from '../../bridge';
import { useCommands, type Command } from '../../commands';
import { store, type Store } from '../../store';
import { savedCommand } from '../runs/hooks';
import { askText } from './CommandPalette';

/** openFolderCommand asks for a folder (the native dialog on the desktop, its path in a browser) and opens it. */
export async function openFolderCommand(s: Store = store): Promise<void> {
  if (canChooseNatively()) return chooseFolder(s);
  let error: string | null = null;
  let initial = '';
  for (;;) {
    const path = await askText({ prompt: error ? `Open folder — ${error}` : 'Open folder — type its path', placeholder: '/home/you/project', initial });
    if (path === null) return;
    error = await openFolder(path, s, { inline: true });
    if (error === null) return;
    initial = path;
  }
}

/** startAgentCommand asks for a task and starts an agent run with the default model and the settings' budgets, then shows it. */
export async function startAgentCommand(s: Store = store): Promise<void> {
  const ws = s.get().activeWorkspace;
  if (!ws) return;
  const task = await askText({ prompt: 'Start agent run — what should the agent do?', placeholder: 'e.g. Fix the typo in README.md' });
  if (task === null) return;
  const res = await startAgentRun({
    workspaceId: ws,
    task,
    model: '',
    options: { profile: 'edit', validationCommand: savedCommand(ws).trim(), autoCommit: false, maxSteps: 0, wallClockSeconds: 0 },
    maxTokens: 0,
    maxTurns: 0,
    numCtx: 0,
    numPredict: 0,
  });
  if (!res.ok) {
    s.toast('error', `${res.action}: ${res.error}`);
    return;
  }
  s.update({ view: 'workspaces', activeWorkspace: ws });
  s.setWorkspaceView(ws, { run: res.value.id, centre: 'run' });
}

/** verifyLogCommand checks the event log's chain and says the outcome. */
export async function verifyLogCommand(s: Store = store): Promise<void> {
  try {
    const r = await api.VerifyLog();
    if (r.ok) s.toast('info', `The event log verifies: ${r.checked} events, chained and authorised.`);
    else s.toast('error', `The event log does not verify at event ${r.firstBad}: ${r.problem} — ${r.detail}`);
  } catch (err) {
    s.toast('error', `Could not verify the event log: ${errorMessage(err)}`);
  }
}

/** syncReplicaCommand copies the event log to its replica now (recording the anchor) and says the outcome. */
export async function syncReplicaCommand(s: Store = store): Promise<void> {
  try {
    const v = await api.SyncReplica();
    s.update({ replica: v });
    s.toast('info', `The replica holds the log up to seq ${v.seq}${v.anchoredSeq > 0 ? `, anchored at seq ${v.anchoredSeq}` : ''}.`);
  } catch (err) {
    s.toast('error', `Could not sync the replica: ${errorMessage(err)}`);
  }
}

/** appCommands are the commands the whole app offers, whatever is on screen. */
export function appCommands(s: Store = store): Command[] {
  const inWorkspace = () => (s.get().activeWorkspace ? true : 'open a folder first');
  return [
    { id: 'workbench.openFolder', title: 'Open folder…', category: 'File', keys: 'Ctrl+O', run: () => openFolderCommand(s) },
    { id: 'workbench.switchTheme', title: 'Switch theme (light / dark)', category: 'View', run: () => switchTheme(s) },
    { id: 'workbench.openSettings', title: 'Open settings', category: 'Preferences', keys: 'Ctrl+,', run: () => s.update({ view: 'settings' }) },
    { id: 'workbench.openShortcuts', title: 'Keyboard shortcuts', category: 'Preferences', keys: 'Ctrl+K Ctrl+S', run: () => s.update({ overlay: 'shortcuts' }) },
    { id: 'log.show', title: 'Show event log', category: 'Log', run: () => s.update({ view: 'events' }) },
    { id: 'log.verify', title: 'Verify the event log', category: 'Log', run: () => verifyLogCommand(s) },
    { id: 'log.syncReplica', title: 'Sync the replica now', category: 'Log', run: () => syncReplicaCommand(s) },
    { id: 'log.replicationSettings', title: 'Replication settings…', category: 'Log', run: () => s.update({ view: 'settings', settingsSection: 'replication' }) },
    { id: 'models.show', title: 'Show models', category: 'Models', run: () => s.update({ view: 'models' }) },
    { id: 'models.addEndpoint', title: 'Add an endpoint…', category: 'Models', run: () => s.update({ view: 'settings', settingsSection: 'endpoints' }) },
    { id: 'workbench.showWelcome', title: 'Show welcome screen', category: 'View', run: () => s.showWorkspace(null) },
    { id: 'agent.start', title: 'Start agent run…', category: 'Run', enabled: inWorkspace, run: () => startAgentCommand(s) },
  ];
}

/** useAppCommands registers the app-level commands while the app is mounted. */
export function useAppCommands(s: Store = store): void {
  useCommands(appCommands(s));
}
