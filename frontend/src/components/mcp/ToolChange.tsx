// The review of a tool whose definition changed since it was allowed: the
// pinned and current definitions (name, description, input schema) as a
// unified diff of their pretty JSON, and Re-approve, which pins the
// definition shown (its hash goes with the request, so a later change is
// not approved unseen).
import { useEffect, useState } from 'react';
import { api, errorMessage, type MCPState, type MCPToolChange } from '../../bridge';
import { FormError } from '../FormError';
import { attempt } from './hooks';
import { definitionText, foldUnchanged, lineDiff, shortHash, type DiffLine } from './mcpFormat';

type Loaded = { change: MCPToolChange } | { error: string } | null;

/** diffLines is the change as unified diff lines; with no pinned definition recorded, the current one as it is. */
function diffLines(c: MCPToolChange): DiffLine[] {
  const now = definitionText(c.current);
  if (!c.pinned) return now.split('\n').map((text) => ({ kind: 'same', text }));
  return foldUnchanged(lineDiff(definitionText(c.pinned), now));
}

export interface ToolChangeProps {
  workspaceId: string;
  server: string;
  tool: string;
  onClose: () => void;
  /** onRepinned takes the state RepinMCPTool answered. */
  onRepinned: (st: MCPState) => void;
}

export function ToolChange({ workspaceId, server, tool, onClose, onRepinned }: ToolChangeProps) {
  const [loaded, setLoaded] = useState<Loaded>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.MCPToolChange({ workspaceId, server, tool }).then(
      (change) => live && setLoaded({ change }),
      (err: unknown) => live && setLoaded({ error: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [workspaceId, server, tool]);

  const repin = async (hash: string) => {
    setBusy(true);
    setError(null);
    const r = await attempt(() => api.RepinMCPTool({ workspaceId, server, tool, hash }));
    setBusy(false);
    if (r.ok) onRepinned(r.value);
    else setError(r.error);
  };

  const name = `${server} › ${tool}`;
  return (
    <div className="mcp-change" role="group" aria-label={`Change of ${name}`}>
      {loaded === null ? (
        <p className="muted small">Loading the definitions…</p>
      ) : 'error' in loaded ? (
        <FormError error={loaded.error} what="definitions" />
      ) : (
        <>
          <p className="small">
            {loaded.change.pinned ? (
              <>
                Allowed as <code>{shortHash(loaded.change.pinned.hash)}</code>, now presents <code>{shortHash(loaded.change.current.hash)}</code>. Lines removed since are marked −, added +.
              </>
            ) : (
              <>The definition it was allowed with is not recorded; this is what it presents now.</>
            )}
          </p>
          <pre className="mono mcp-diff" aria-label="Definition diff" tabIndex={0}>
            {diffLines(loaded.change).map((l, i) => (
              <span key={i} className={`df-${l.kind}`}>
                {l.kind === 'add' ? '+ ' : l.kind === 'del' ? '− ' : l.kind === 'same' ? '  ' : ''}
                {l.text}
                {'\n'}
              </span>
            ))}
          </pre>
        </>
      )}
      <div className="mcp-actions">
        {loaded && 'change' in loaded && (
          <button className="primary" disabled={busy} onClick={() => void repin(loaded.change.current.hash)} title="Allow calls again, with the definition shown here">
            {busy ? 'Re-approving…' : 'Re-approve'}
          </button>
        )}
        <button disabled={busy} onClick={onClose}>
          Close
        </button>
      </div>
      <FormError error={error} />
    </div>
  );
}
