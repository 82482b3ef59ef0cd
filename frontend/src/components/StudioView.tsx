// The Studio layout for an open workspace: explorer, main area, side panel.
import { useState } from 'react';
import { Group, Panel, Separator } from 'react-resizable-panels';
import type { DirEntry } from '../bridge';
import { useStudio } from '../store';
import { FileTree } from './FileTree';

function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export function StudioView({ workspaceId }: { workspaceId: string }) {
  const ws = useStudio((s) => s.workspaces.find((w) => w.id === workspaceId));
  const [sel, setSel] = useState<DirEntry | null>(null);
  if (!ws) return null;
  return (
    <Group orientation="horizontal" className="studio" id="studio-layout">
      <Panel defaultSize="22%" minSize="12%" className="pane">
        <div className="pane-head">
          <span>Explorer</span>
          <span className="muted small" title={ws.root}>
            {ws.name}
          </span>
        </div>
        <div className="pane-body">
          <FileTree key={ws.id} workspaceId={ws.id} selected={sel?.path ?? null} onSelect={setSel} />
        </div>
      </Panel>
      <Separator className="resizer" />
      <Panel minSize="30%" className="pane">
        <div className="pane-head">
          <span className="path">{sel ? sel.path : ws.root}</span>
        </div>
        <div className="pane-body detail" aria-label="Selection details">
          {sel ? (
            <dl className="facts">
              <dt>Name</dt>
              <dd>{sel.name}</dd>
              <dt>Kind</dt>
              <dd>{sel.kind === 'symlink' ? 'link pointing outside the workspace (not followed)' : sel.kind === 'dir' ? 'folder' : 'file'}</dd>
              {sel.kind === 'file' && (
                <>
                  <dt>Size</dt>
                  <dd>{formatSize(sel.size)}</dd>
                </>
              )}
              <dt>Modified</dt>
              <dd>{new Date(sel.modTime).toLocaleString()}</dd>
            </dl>
          ) : (
            <p className="muted">Select a file in the explorer. The editor, runs and their review arrive in the next releases.</p>
          )}
        </div>
      </Panel>
    </Group>
  );
}

export { formatSize };
