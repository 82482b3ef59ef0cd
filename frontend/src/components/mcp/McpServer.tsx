// One MCP server in the panel: its state and exact command line, what it
// may reach, Start/Stop/Restart/Remove, the approval a project server needs
// before it may start, its tools (definitions, pins, on/off), resources and
// prompts, and its log.
import { useEffect, useRef, useState } from 'react';
import { api, type MCPServerView, type MCPState, type MCPTool } from '../../bridge';
import { DismissableError, FormError } from '../FormError';
import { attempt, type Outcome } from './hooks';
import { awaitingApproval, pinState, pinText, schemaText, shortHash, stateTone } from './mcpFormat';
import { ToolChange } from './ToolChange';

export interface ServerCardProps {
  workspaceId: string;
  server: MCPServerView;
  /** sandboxed: stdio servers run in the command sandbox (MCPState.sandboxed). */
  sandboxed: boolean;
  /** onState takes the state an action answered. */
  onState: (st: MCPState) => void;
}

type Action = 'start' | 'stop' | 'restart' | 'remove' | 'approve';

/** SandboxLine says where a server runs and what that allows. */
function SandboxLine({ s, sandboxed }: { s: MCPServerView; sandboxed: boolean }) {
  if (s.type === 'http') return <>Reached from the kernel: every connection to its host is a net.http decision</>;
  if (sandboxed) return <>In the command sandbox: no network but the hosts below, writes only to the folders below</>;
  return (
    <strong className="mcp-unsandboxed">UNSANDBOXED: it runs with your full rights (this workspace runs commands unsandboxed)</strong>
  );
}

/** ApproveBlock asks the user to approve the exact command line a project's .mcp.json wants to run. */
function ApproveBlock({ s, sandboxed, busy, onApprove }: { s: MCPServerView; sandboxed: boolean; busy: boolean; onApprove: () => void }) {
  return (
    <div className="mcp-approve" role="note" aria-label={`Approve ${s.name}`}>
      <p>
        <strong>Not started: this project&apos;s .mcp.json asks to run this {s.type === 'http' ? 'server' : 'command'}</strong>
      </p>
      <pre className="mono mcp-command" data-testid="approve-command">
        {s.command}
      </pre>
      <p className="small muted">
        {s.type === 'http'
          ? 'The Studio would connect to this URL; each connection is still a net.http decision.'
          : sandboxed
            ? 'It would run in the command sandbox. '
            : 'It would run UNSANDBOXED, with your full rights. '}
        Approve only what you trust: the approval is recorded, and a change to this entry in .mcp.json needs approving again.
      </p>
      <button className="primary" disabled={busy} onClick={onApprove}>
        {busy ? 'Approving…' : 'Approve and start'}
      </button>
    </div>
  );
}

/** ServerLog shows a server's stderr (and the Studio's lines about it), read on demand. */
function ServerLog({ workspaceId, name }: { workspaceId: string; name: string }) {
  const [log, setLog] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLPreElement>(null);
  const read = async () => {
    setBusy(true);
    const r = await attempt(() => api.MCPServerLog({ workspaceId, name }));
    setBusy(false);
    if (r.ok) {
      setLog(r.value);
      setError(null);
    } else setError(r.error);
  };
  useEffect(() => {
    void read();
    // Read once when shown; Refresh reads again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [workspaceId, name]);
  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [log]);
  return (
    <div className="mcp-log-box">
      <div className="mcp-subhead">
        <span className="muted small">stderr and the Studio&apos;s notes about it</span>
        <span className="spacer" />
        <button className="quiet small" disabled={busy} onClick={() => void read()}>
          {busy ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <FormError error={error} what="log" />
      {log !== null && (
        <pre className="mono mcp-log" ref={box} tabIndex={0} aria-label={`Log of ${name}`}>
          {log || '(nothing logged yet)'}
        </pre>
      )}
    </div>
  );
}

/** ToolRow is one tool: its definition, its pin and whether the agent is offered it. */
function ToolRow({ workspaceId, s, t, onState }: { workspaceId: string; s: MCPServerView; t: MCPTool; onState: (st: MCPState) => void }) {
  const enabled = !t.disabled && !s.disabledTools.includes(t.name);
  const pin = pinState(s.pins, t.name);
  const [reviewing, setReviewing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toggle = async () => {
    setBusy(true);
    setError(null);
    const r = await attempt(() => api.SetMCPTool({ workspaceId, server: s.name, tool: t.name, enabled: !enabled }));
    setBusy(false);
    if (r.ok) onState(r.value);
    else setError(r.error);
  };
  return (
    <li className={`mcp-tool${enabled ? '' : ' off'}${pin.kind === 'changed' ? ' changed' : ''}`} aria-label={`Tool ${t.name}`} data-pin={pin.kind}>
      <div className="mcp-tool-head">
        <label className="mcp-switch" title={enabled ? 'Offered to the agent (each call still decided by your policy)' : 'Never offered to the agent'}>
          <input type="checkbox" role="switch" checked={enabled} disabled={busy} aria-label={`Offer ${t.name} to the agent`} onChange={() => void toggle()} />
        </label>
        <span className="mono mcp-tool-name">{t.name}</span>
        {t.title && t.title !== t.name && <span className="muted small">{t.title}</span>}
        <span className="spacer" />
        <span className={`chip mcp-pin${pin.kind === 'changed' ? ' bad' : pin.kind === 'pinned' ? ' good' : ''}`} data-testid="pin" title={pin.kind === 'pinned' ? `Allowed with the definition ${pin.hash}` : undefined}>
          {pinText(pin)}
        </span>
      </div>
      {t.description && <p className="mcp-tool-desc small">{t.description}</p>}
      <details className="mcp-schema">
        <summary className="small">Input schema</summary>
        <pre className="mono">{schemaText(t.inputSchema)}</pre>
      </details>
      {pin.kind === 'changed' && !reviewing && (
        <p className="mcp-changed small" role="note">
          Its definition changed since you allowed it ({shortHash(pin.pinned)} → {shortHash(pin.current)}): calls are refused until you re-approve it.{' '}
          <button className="small" onClick={() => setReviewing(true)}>
            Review change
          </button>
        </p>
      )}
      {reviewing && (
        <ToolChange
          workspaceId={workspaceId}
          server={s.name}
          tool={t.name}
          onClose={() => setReviewing(false)}
          onRepinned={(st) => {
            setReviewing(false);
            onState(st);
          }}
        />
      )}
      <FormError error={error} />
    </li>
  );
}

/** serverRequest is the request naming s to a server action. */
const serverRequest = (workspaceId: string, s: MCPServerView) => ({ workspaceId, name: s.name, scope: s.source });

export function ServerCard({ workspaceId, server: s, sandboxed, onState }: ServerCardProps) {
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [showLog, setShowLog] = useState(false);
  const tone = stateTone(s.state);
  const waiting = awaitingApproval(s);
  const running = s.state === 'running' || s.state === 'starting';

  const act = async (what: Action, call: () => Promise<Outcome<MCPState>>) => {
    setBusy(what);
    setError(null);
    const r = await call();
    setBusy(null);
    if (r.ok) onState(r.value);
    else setError(r.error);
  };
  const req = serverRequest(workspaceId, s);
  const start = () => act('start', () => attempt(() => api.StartMCPServer(req)));
  const stop = () => act('stop', () => attempt(() => api.StopMCPServer(req)));
  const restart = () => act('restart', () => attempt(() => api.RestartMCPServer(req)));
  const remove = () => act('remove', () => attempt(() => api.RemoveMCPServer(req)));
  // Approving records the approval of this exact command line (its
  // fingerprint); the server is then started unless the approval did.
  const approve = () =>
    act('approve', async () => {
      const r = await attempt(() => api.ApproveMCPServer({ ...req, fingerprint: s.fingerprint }));
      if (!r.ok) return r;
      const now = r.value.servers?.find((x) => x.name === s.name && x.source === s.source);
      if (!now || !now.trusted || now.state === 'running' || now.state === 'starting') return r;
      onState(r.value);
      return attempt(() => api.StartMCPServer(req));
    });

  return (
    <article className={`mcp-server state-${s.state}`} aria-label={`Server ${s.name}`} data-state={s.state}>
      <header className="mcp-server-head">
        <strong className="mono mcp-server-name">{s.name}</strong>
        <span className={`run-badge tone-${tone}`} data-testid="server-state">
          {waiting ? 'not approved' : s.state}
        </span>
        <span className="chip">{s.type}</span>
        {s.disabled && <span className="chip">disabled</span>}
        {s.serverName && (
          <span className="muted small" title="What the server said it is">
            {s.serverName}
            {s.serverVersion ? ` ${s.serverVersion}` : ''}
          </span>
        )}
      </header>
      {waiting && <ApproveBlock s={s} sandboxed={sandboxed} busy={busy === 'approve'} onApprove={() => void approve()} />}
      {s.state === 'crashed' && (
        <div className="mcp-crash" role="note" aria-label={`${s.name} crashed`}>
          <span>
            <strong>Crashed</strong>
            {s.error ? `: ${s.error}` : ''}
          </span>
          {!waiting && (
            <button disabled={busy !== null} onClick={() => void restart()}>
              {busy === 'restart' ? 'Restarting…' : 'Restart'}
            </button>
          )}
        </div>
      )}
      {s.state !== 'crashed' && s.error && <p className="small muted mcp-note">{s.error}</p>}
      <dl className="facts mcp-facts">
        {!waiting && (
          <>
            <dt>{s.type === 'http' ? 'URL' : 'Command'}</dt>
            <dd className="mono mcp-command">{s.command}</dd>
          </>
        )}
        <dt>Runs</dt>
        <dd>
          <SandboxLine s={s} sandboxed={sandboxed} />
        </dd>
        {s.type !== 'http' && (
          <>
            <dt>Network</dt>
            <dd className={s.hosts.length > 0 ? 'mono' : 'muted'}>{s.hosts.length > 0 ? s.hosts.join(', ') : 'none'}</dd>
            <dt>Writable</dt>
            <dd className={s.writable.length > 0 ? 'mono' : 'muted'}>{s.writable.length > 0 ? s.writable.join(', ') : 'nothing (its writes are discarded)'}</dd>
          </>
        )}
        {s.hasHeaders && (
          <>
            <dt>Token</dt>
            <dd>token set (kept in the settings, never in the log)</dd>
          </>
        )}
        {!!s.startedAt && running && (
          <>
            <dt>Started</dt>
            <dd>
              {new Date(s.startedAt).toLocaleString()}
              {s.restarts > 0 && ` · ${s.restarts} restart${s.restarts === 1 ? '' : 's'}`}
            </dd>
          </>
        )}
      </dl>
      <div className="mcp-actions">
        {!waiting && !running && s.state !== 'crashed' && (
          <button disabled={busy !== null || s.disabled} title={s.disabled ? 'A disabled server is never started' : undefined} onClick={() => void start()}>
            {busy === 'start' ? 'Starting…' : 'Start'}
          </button>
        )}
        {running && (
          <button disabled={busy !== null} onClick={() => void stop()}>
            {busy === 'stop' ? 'Stopping…' : 'Stop'}
          </button>
        )}
        {s.state === 'running' && (
          <button disabled={busy !== null} onClick={() => void restart()}>
            {busy === 'restart' ? 'Restarting…' : 'Restart'}
          </button>
        )}
        <button className="quiet" aria-expanded={showLog} onClick={() => setShowLog(!showLog)}>
          {showLog ? 'Hide log' : 'Log'}
        </button>
        <span className="spacer" />
        {s.source !== 'project' &&
          (confirmRemove ? (
            <>
              <span className="small">Remove {s.name}?</span>
              <button className="danger" disabled={busy !== null} onClick={() => void remove()}>
                {busy === 'remove' ? 'Removing…' : 'Remove'}
              </button>
              <button disabled={busy !== null} onClick={() => setConfirmRemove(false)}>
                Keep
              </button>
            </>
          ) : (
            <button className="quiet" disabled={busy !== null} onClick={() => setConfirmRemove(true)} title={`Remove ${s.name} from ${s.source === 'global' ? 'every workspace' : 'this workspace'}`}>
              Remove…
            </button>
          ))}
      </div>
      <DismissableError error={error} onDismiss={() => setError(null)} />
      {showLog && <ServerLog workspaceId={workspaceId} name={s.name} />}
      <section className="mcp-tools" aria-label={`Tools of ${s.name}`}>
        <h4>
          Tools <span className="muted">({s.tools.length})</span>
        </h4>
        {s.tools.length === 0 ? (
          <p className="muted small">
            {s.state === 'running' ? 'It offers no tools.' : 'Its tools are listed while it runs.'}
            {s.disabledTools.length > 0 && ` Never offered: ${s.disabledTools.join(', ')}.`}
          </p>
        ) : (
          <ul className="mcp-tool-list">
            {s.tools.map((t) => (
              <ToolRow key={t.name} workspaceId={workspaceId} s={s} t={t} onState={onState} />
            ))}
          </ul>
        )}
      </section>
      {s.resources.length > 0 && (
        <details className="mcp-readonly">
          <summary>
            Resources <span className="muted">({s.resources.length}, read-only)</span>
          </summary>
          <ul aria-label={`Resources of ${s.name}`}>
            {s.resources.map((r) => (
              <li key={r.uri}>
                <span className="mono">{r.uri}</span> {r.name && r.name !== r.uri && <span>{r.name}</span>} {r.mimeType && <span className="chip">{r.mimeType}</span>}
                {r.description && <div className="muted small">{r.description}</div>}
              </li>
            ))}
          </ul>
        </details>
      )}
      {s.prompts.length > 0 && (
        <details className="mcp-readonly">
          <summary>
            Prompts <span className="muted">({s.prompts.length}, read-only)</span>
          </summary>
          <ul aria-label={`Prompts of ${s.name}`}>
            {s.prompts.map((p) => (
              <li key={p.name}>
                <span className="mono">{p.name}</span>
                {(p.arguments ?? []).length > 0 && (
                  <span className="muted small">
                    {' '}
                    ({(p.arguments ?? []).map((a) => `${a.name}${a.required ? '' : '?'}`).join(', ')})
                  </span>
                )}
                {p.description && <div className="muted small">{p.description}</div>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </article>
  );
}
