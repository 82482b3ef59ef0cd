// The Studio layout for an open workspace: explorer, the editor or a run
// under review in the centre, and the runs panel.
import { Group, Panel, Separator } from 'react-resizable-panels';
import type { DirEntry } from '../bridge';
import { emptyWorkspaceView, store, useStudio } from '../store';
import { FileEditor } from './editor/FileEditor';
import { FileTree } from './FileTree';
import { formatSize } from './format';
import { shortId } from './EventDetail';
import { useRunOptions } from './runs/hooks';
import { RunsPanel } from './runs/RunsPanel';
import { RunView } from './runs/RunView';

function EntryFacts({ entry }: { entry: DirEntry }) {
  return (
    <dl className="facts">
        <dt>Name</dt>
        <dd>{entry.name}</dd>
        <dt>Kind</dt>
        <dd>{entry.kind === 'symlink' ? 'link pointing outside the workspace (not followed)' : entry.kind === 'dir' ? 'folder' : 'file'}</dd>
        {entry.kind === 'file' && (
          <>
            <dt>Size</dt>
            <dd>{formatSize(entry.size)}</dd>
          </>
        )}
        <dt>Modified</dt>
        <dd>{new Date(entry.modTime).toLocaleString()}</dd>
    </dl>
  );
}

export function StudioView({ workspaceId }: { workspaceId: string }) {
  const ws = useStudio((s) => s.workspaces.find((w) => w.id === workspaceId));
  const { selected: sel, run: runId, centre } = useStudio((s) => s.workspaceViews[workspaceId]) ?? emptyWorkspaceView;
  const drafts = store.drafts(workspaceId);
  const runOptions = useRunOptions(workspaceId);
  if (!ws) return null;

  const show = (patch: Parameters<typeof store.setWorkspaceView>[1]) => store.setWorkspaceView(workspaceId, patch);
  const openRun = (id: string) => show({ run: id, centre: 'run' });
  const select = (e: DirEntry) => show({ selected: e, centre: 'file' });
  const showRun = centre === 'run' && runId !== null;

  return (
    <Group orientation="horizontal" className="studio" id="studio-layout">
      <Panel defaultSize="20%" minSize="12%" className="pane">
        <div className="pane-head">
          <span>Explorer</span>
          <span className="muted small" title={ws.root}>
            {ws.name}
          </span>
        </div>
        <div className="pane-body">
          <FileTree key={ws.id} workspaceId={ws.id} selected={sel?.path ?? null} onSelect={select} />
        </div>
      </Panel>
      <Separator className="resizer" />
      <Panel minSize="30%" className="pane">
        <div className="centre-tabs" role="tablist" aria-label="Open items">
          <button role="tab" aria-selected={!showRun} className={`centre-tab${showRun ? '' : ' on'}`} onClick={() => show({ centre: 'file' })} title={sel ? sel.path : ws.root}>
            <span className="path">{sel ? sel.name : ws.name}</span>
          </button>
          {runId && (
            <span className={`centre-tab run-tab-head${showRun ? ' on' : ''}`}>
              <button role="tab" aria-selected={showRun} className="link" onClick={() => show({ centre: 'run' })} title={`Run ${runId}`}>
                Run {shortId(runId)}
              </button>
              <button
                className="icon-btn"
                aria-label="Close the run"
                title="Close the run"
                onClick={() => show({ run: null, centre: 'file' })}
              >
                ×
              </button>
            </span>
          )}
        </div>
        {showRun ? (
          <div className="pane-body run-pane">
            <RunView key={runId} runId={runId} onOpenRun={openRun} />
          </div>
        ) : sel?.kind === 'file' ? (
          <div className="pane-body editor-pane" aria-label="Selection details">
            <FileEditor key={`${ws.id}/${sel.path}`} workspaceId={ws.id} path={sel.path} options={runOptions.options} drafts={drafts} onProposed={(run) => openRun(run.id)} />
          </div>
        ) : sel ? (
          <div className="pane-body detail" aria-label="Selection details">
            <EntryFacts entry={sel} />
          </div>
        ) : (
          <div className="pane-body detail" aria-label="Selection details">
            <p className="muted">
              Select a file in the explorer to view and edit it. Your edits become an edit run: validated, reviewed as a diff and
              written only when you commit. Runs are listed on the right.
            </p>
          </div>
        )}
      </Panel>
      <Separator className="resizer" />
      <Panel defaultSize="27%" minSize="16%" className="pane runs-pane">
        <RunsPanel workspaceId={ws.id} selected={showRun ? runId : null} onSelect={openRun} runOptions={runOptions} />
      </Panel>
    </Group>
  );
}

export { formatSize };
