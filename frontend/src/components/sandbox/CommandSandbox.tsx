// What the sandbox did with one command (effect.command_executed): its
// workspace view and layers, its limits and the one it was killed for, the
// CPU time and memory it used, the connections it asked for and what became
// of the files it changed. Compact: one summary line, details on demand.
import { useState } from 'react';
import type { CommandPayload } from '../../bridge';
import { WhyLink } from '../capabilities/Why';
import { formatDuration } from '../runs/runFormat';
import { formatBytes, formatMs, killedText, limitsText, modeText, outcomeText } from './sandboxFormat';

export interface CommandSandboxProps {
  cmd: CommandPayload;
  /** seqOf finds the seq of an event of the run by its id, when the run's events are at hand. */
  seqOf?: (id: string) => number | undefined;
}

/** resultText says how a command ended: "exit 0", "exit 137 · killed: memory limit 1 GiB". */
export function resultText(cmd: CommandPayload): string {
  const parts = [`exit ${cmd.exitCode}`];
  const killed = killedText(cmd);
  if (killed) parts.push(killed);
  else if (cmd.timedOut) parts.push('timed out');
  if (cmd.signal) parts.push(`signal ${cmd.signal}`);
  return parts.join(' · ');
}

export function CommandSandbox({ cmd, seqOf }: CommandSandboxProps) {
  const [open, setOpen] = useState(false);
  const network = cmd.network ?? [];
  const changes = cmd.changes ?? [];
  const unsandboxed = cmd.sandbox === 'unsandboxed';
  const killed = killedText(cmd);
  const denied = network.filter((n) => !n.allowed).length;
  const refused = changes.filter((c) => c.outcome === 'refused').length;
  const summary = [
    cmd.sandbox ? modeText(cmd.sandbox) : 'no sandbox recorded',
    ...(cmd.layers ?? []),
    killed || (cmd.timedOut ? 'timed out' : ''),
    cmd.cpuTimeMs !== undefined ? `CPU ${formatMs(cmd.cpuTimeMs)}` : '',
    cmd.peakMemoryBytes ? `peak ${formatBytes(cmd.peakMemoryBytes)}` : '',
    network.length > 0 ? `${network.length} connection${network.length === 1 ? '' : 's'}${denied ? ` (${denied} denied)` : ''}` : '',
    changes.length > 0 ? `${changes.length} change${changes.length === 1 ? '' : 's'}${refused ? ` (${refused} refused)` : ''}` : '',
  ].filter(Boolean);

  return (
    <div className={`sbx${unsandboxed ? ' sbx-danger' : killed ? ' sbx-killed' : ''}`} role="group" aria-label="Sandbox">
      <button className="link sbx-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span className="sbx-twisty" aria-hidden>
          {open ? '▾' : '▸'}
        </span>
        <span className="sbx-label">Sandbox</span>
        <span className="sbx-summary" data-testid="sandbox-summary">
          {summary.map((s, i) => (
            <span key={i} className={s === killed || (unsandboxed && i === 0) ? 'error' : undefined}>
              {i > 0 && ' · '}
              {s}
            </span>
          ))}
        </span>
      </button>
      {open && (
        <div className="sbx-body">
          <dl className="facts sbx-facts">
            <dt>View</dt>
            <dd className={unsandboxed ? 'error' : undefined}>
              {unsandboxed
                ? 'UNSANDBOXED: ran as a plain child with your full rights (workspace setting)'
                : cmd.sandbox
                  ? `${modeText(cmd.sandbox)}: writes landed in a scratch layer`
                  : 'not recorded (an event from before the sandbox)'}
            </dd>
            {(cmd.layers ?? []).length > 0 && (
              <>
                <dt>Layers</dt>
                <dd>{(cmd.layers ?? []).join(' · ')}</dd>
              </>
            )}
            <dt>Result</dt>
            <dd className={cmd.exitCode === 0 && !killed && !cmd.timedOut ? 'ok' : 'error'} data-testid="sandbox-result">
              {resultText(cmd)}
            </dd>
            {cmd.limits && (
              <>
                <dt>Limits</dt>
                <dd>{limitsText(cmd.limits).join(' · ')}</dd>
              </>
            )}
            {cmd.cpuTimeMs !== undefined && (
              <>
                <dt>CPU time</dt>
                <dd>{formatMs(cmd.cpuTimeMs)}</dd>
              </>
            )}
            {cmd.peakMemoryBytes !== undefined && (
              <>
                <dt>Peak memory</dt>
                <dd>{formatBytes(cmd.peakMemoryBytes)}</dd>
              </>
            )}
            <dt>Duration</dt>
            <dd>
              {formatDuration(cmd.durationMs * 1e6)}
              {cmd.startUs ? <span className="muted"> (started {formatDuration(cmd.startUs * 1e3)} after it was allowed)</span> : null}
            </dd>
          </dl>
          <h4 className="sbx-head">Network</h4>
          {network.length === 0 ? (
            <p className="muted small">No connection asked for.</p>
          ) : (
            <ul className="sbx-list" aria-label="Network decisions">
              {network.map((n, i) => {
                const seq = n.event ? seqOf?.(n.event) : undefined;
                return (
                  <li key={i} className={n.allowed ? undefined : 'tone-bad'}>
                    <span className="mono">{n.target}</span> <span className={`chip ${n.allowed ? 'good' : 'bad'}`}>{n.allowed ? 'allowed' : 'denied'}</span>
                    {n.reason && <span className="muted small"> — {n.reason}</span>}
                    {n.event && <WhyLink seq={seq} id={n.event} />}
                  </li>
                );
              })}
            </ul>
          )}
          <h4 className="sbx-head">Files changed</h4>
          {changes.length === 0 ? (
            <p className="muted small">It changed no file.</p>
          ) : (
            <ul className="sbx-list" aria-label="File changes">
              {changes.map((c, i) => (
                <li key={i} data-outcome={c.outcome}>
                  <span className="chip">{c.op === 'delete' ? 'delete' : 'write'}</span> <span className="mono">{c.path}</span>
                  {c.size !== undefined && c.op !== 'delete' && <span className="muted small"> {formatBytes(c.size)}</span>}{' '}
                  <span className={`chip ${c.outcome === 'staged' ? 'good' : c.outcome === 'refused' ? 'bad' : ''}`}>{outcomeText(c.outcome)}</span>
                  {c.reason && <span className="muted small"> — {c.reason}</span>}
                </li>
              ))}
            </ul>
          )}
          {cmd.purpose === 'validation' && changes.length > 0 && <p className="muted small">A validation command's changes are shown, never applied.</p>}
        </div>
      )}
    </div>
  );
}
