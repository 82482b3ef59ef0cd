// The MCP panel of a workspace: the Model Context Protocol servers it may
// use, grouped by where they are configured (this workspace, all
// workspaces, the project's own .mcp.json), each with its state, exact
// command line, tools and pins, and the form that imports servers from a
// pasted Claude Desktop / Cursor config.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, type MCPState } from '../../bridge';
import { FormError } from '../FormError';
import { attempt, type MCPHook } from './hooks';
import { groupServers } from './mcpFormat';
import { ServerCard } from './McpServer';

const example = `{
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "…" }
    }
  }
}`;

/** ImportForm takes a pasted mcpServers config and where to keep it; the backend's error shows here, once. */
function ImportForm({ workspaceId, focusKey, onImported, onCancel }: { workspaceId: string; focusKey: number; onImported: (st: MCPState) => void; onCancel: () => void }) {
  const [json, setJson] = useState('');
  const [scope, setScope] = useState<'workspace' | 'global'>('workspace');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    area.current?.focus();
  }, [focusKey]);
  const submit = async (ev?: FormEvent) => {
    ev?.preventDefault();
    if (!json.trim() || busy) return;
    setBusy(true);
    setError(null);
    const r = await attempt(() => api.ImportMCPServers({ workspaceId, scope, json }));
    setBusy(false);
    if (r.ok) {
      setJson('');
      onImported(r.value);
    } else setError(r.error);
  };
  return (
    <form className="mcp-import" aria-label="Import MCP servers" onSubmit={(ev) => void submit(ev)}>
      <label className="mcp-import-field">
        <span className="small">
          Paste a Claude Desktop or Cursor config: <code>{'{"mcpServers": {…}}'}</code>
        </span>
        <textarea
          ref={area}
          aria-label="MCP servers JSON"
          className="mono"
          rows={8}
          value={json}
          placeholder={example}
          spellCheck={false}
          autoComplete="off"
          disabled={busy}
          onChange={(e) => {
            setJson(e.target.value);
            setError(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void submit();
            }
          }}
        />
      </label>
      <div className="mcp-actions">
        <label className="small">
          Add to{' '}
          <select aria-label="Add to" value={scope} disabled={busy} onChange={(e) => setScope(e.target.value === 'global' ? 'global' : 'workspace')}>
            <option value="workspace">this workspace</option>
            <option value="global">all workspaces</option>
          </select>
        </label>
        <span className="spacer" />
        <button type="button" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy || !json.trim()} title="Ctrl+Enter">
          {busy ? 'Importing…' : 'Import'}
        </button>
      </div>
      <FormError error={error} />
      <p className="muted small">
        A server with the same name is replaced. Headers (tokens) stay in the Studio&apos;s settings file and never reach the event log. Imported servers start when
        you start them; each tool call is still decided by your policy (mcp.call).
      </p>
    </form>
  );
}

export interface McpPanelProps {
  workspaceId: string;
  mcp: MCPHook;
  /**
   * importRequest, when not 0, asks for the import form: it is opened and
   * focused, and onImportOpened is told, so the request can be cleared.
   */
  importRequest?: number;
  onImportOpened?: () => void;
}

export function McpPanel({ workspaceId, mcp, importRequest = 0, onImportOpened }: McpPanelProps) {
  const [importing, setImporting] = useState(false);
  const [focusKey, setFocusKey] = useState(0);
  const opened = useRef(onImportOpened);
  opened.current = onImportOpened;
  useEffect(() => {
    if (importRequest === 0) return;
    setImporting(true);
    setFocusKey((k) => k + 1);
    opened.current?.();
  }, [importRequest]);
  const st = mcp.state;
  const groups = groupServers(st?.servers ?? []);
  return (
    <div className="mcp-panel" aria-label="MCP servers">
      <div className="mcp-intro">
        <p className="muted small">
          Tools from Model Context Protocol servers. The agent is offered them as <code>mcp__server__tool</code>; every call is decided by your policy (
          <code>mcp.call</code>) and recorded, and a tool whose definition changes after you allowed it is refused until you re-approve it.
        </p>
        {!importing && (
          <button onClick={() => setImporting(true)}>
            Add or import servers…
          </button>
        )}
      </div>
      {importing && (
        <ImportForm
          workspaceId={workspaceId}
          focusKey={focusKey}
          onImported={(s) => {
            mcp.set(s);
            setImporting(false);
          }}
          onCancel={() => setImporting(false)}
        />
      )}
      {mcp.error && (
        <div className="run-error" role="alert">
          <span>Could not load the MCP servers: {mcp.error}</span>
          <button onClick={() => void mcp.reload()}>Retry</button>
        </div>
      )}
      {st && (st.problems ?? []).length > 0 && (
        <div className="mcp-problems" role="note" aria-label="Configuration problems">
          <strong>Some of the configuration was not used:</strong>
          <ul>
            {(st.problems ?? []).map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      {!st ? (
        !mcp.error && <p className="muted run-empty">Loading…</p>
      ) : groups.length === 0 ? (
        <p className="muted small" data-testid="mcp-empty">
          No MCP servers yet. Add one by pasting its config, or put a <code>.mcp.json</code> in the project (its servers start only once you approve them).
        </p>
      ) : (
        groups.map((g) => (
          <section key={g.source} className="mcp-group" aria-label={g.title}>
            <h3 title={g.hint}>{g.title}</h3>
            {g.source === 'project' && <p className="muted small">{g.hint}.</p>}
            {g.servers.map((s) => (
              <ServerCard key={`${s.source}/${s.name}`} workspaceId={workspaceId} server={s} sandboxed={st.sandboxed} onState={mcp.set} />
            ))}
          </section>
        ))
      )}
    </div>
  );
}
