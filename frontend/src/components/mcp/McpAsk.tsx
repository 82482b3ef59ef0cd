// What an approval card shows for an MCP tool call (mcp.call): the server,
// the tool and what it says it does, the exact arguments it would be
// called with, and the hash of the definition an allow pins.
import { useState } from 'react';
import type { Ask } from '../../bridge';
import { shortHash } from './mcpFormat';

/** foldAt: a description longer than this many characters or lines starts folded. */
const foldAt = { chars: 280, lines: 4 };

/** FoldedText shows plain text, a long one folded to its start with a toggle. */
export function FoldedText({ text, label }: { text: string; label: string }) {
  const [open, setOpen] = useState(false);
  const lines = text.split('\n');
  const long = text.length > foldAt.chars || lines.length > foldAt.lines;
  const head = lines.slice(0, foldAt.lines).join('\n');
  const shown = !long || open ? text : `${head.length > foldAt.chars ? head.slice(0, foldAt.chars) : head}…`;
  return (
    <span className="mcp-text">
      {shown}
      {long && (
        <>
          {' '}
          <button className="link small" aria-expanded={open} aria-label={`${open ? 'Show less' : 'Show all'} of the ${label}`} onClick={() => setOpen(!open)}>
            {open ? 'less' : 'more'}
          </button>
        </>
      )}
    </span>
  );
}

/** argumentsText is a call's arguments as the card shows them: the kernel's pretty JSON, else the request's arguments indented. */
function argumentsText(ask: Ask): string {
  const pretty = ask.detail?.mcp?.arguments;
  if (pretty) return pretty;
  const raw: unknown = ask.req.args;
  return raw === undefined || raw === null ? '{}' : JSON.stringify(raw, null, 2);
}

export function McpAskFacts({ ask }: { ask: Ask }) {
  const m = ask.detail?.mcp;
  const server = m?.server || ask.req.server || '';
  const tool = m?.tool || ask.req.tool || '';
  const hash = m?.hash || ask.req.def || '';
  return (
    <dl className="facts ask-facts ask-mcp">
      <dt>Server</dt>
      <dd className="mono" data-testid="mcp-server">
        {server}
      </dd>
      <dt>Tool</dt>
      <dd>
        <span className="mono" data-testid="mcp-tool">
          {tool}
        </span>
        {m?.title && m.title !== tool && <span className="muted"> — {m.title}</span>} <span className="chip mcp-badge">MCP</span>
      </dd>
      <dt>It says</dt>
      <dd data-testid="mcp-description">{m?.description ? <FoldedText text={m.description} label="description" /> : <span className="muted">no description</span>}</dd>
      <dt>Arguments</dt>
      <dd>
        <pre className="mono ask-mcp-args" aria-label="Arguments" tabIndex={0}>
          {argumentsText(ask)}
        </pre>
      </dd>
      {hash && (
        <>
          <dt>Definition</dt>
          <dd>
            <code title={`Definition hash ${hash}: an allow pins it; if the server later presents another definition, calls are refused until you re-approve`}>{shortHash(hash)}</code>
          </dd>
        </>
      )}
    </dl>
  );
}
