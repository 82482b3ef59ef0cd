// MCP servers in words: their sources and states, the pin of each tool, the
// agent's names for their tools (mcp__<server>__<tool>), and the diff of a
// tool's pinned and current definitions. No React here.
import type { JSONValue, MCPPin, MCPServerView, MCPState, MCPTool } from '../../bridge';
import { shortDigest } from '../runs/agentFormat';

/** Source is where a server is configured. */
export type Source = 'workspace' | 'global' | 'project';

/** sources are the places a server can be configured, in the order the panel lists them, with their headings. */
export const sources: readonly (readonly [Source, string, string])[] = [
  ['workspace', 'This workspace', "Kept in the Studio's data for this workspace, never in the project folder"],
  ['global', 'All workspaces', "The Studio's settings (settings.json): offered in every workspace"],
  ['project', "This project's .mcp.json", 'Written by whoever wrote the project: nothing in it starts until you approve its exact command line'],
];

/** ServerGroup is the servers of one source. */
export interface ServerGroup {
  source: Source;
  title: string;
  hint: string;
  servers: MCPServerView[];
}

/** groupServers puts the servers under their sources, in the panel's order, each group by name; empty groups are left out. */
export function groupServers(servers: readonly MCPServerView[]): ServerGroup[] {
  const known = new Set<string>(sources.map(([s]) => s));
  return sources
    .map(([source, title, hint]) => ({
      source,
      title,
      hint,
      servers: servers.filter((s) => s.source === source || (source === 'workspace' && !known.has(s.source))).sort((a, b) => a.name.localeCompare(b.name)),
    }))
    .filter((g) => g.servers.length > 0);
}

/** stateTone is the badge tone of a server's state. */
export function stateTone(state: string): 'ok' | 'progress' | 'bad' | 'muted' {
  switch (state) {
    case 'running':
      return 'ok';
    case 'starting':
      return 'progress';
    case 'crashed':
      return 'bad';
    default:
      return 'muted';
  }
}

/** awaitingApproval tells whether a server is a project (.mcp.json) one that may not start until the user approves its command line. */
export function awaitingApproval(s: Pick<MCPServerView, 'source' | 'trusted'>): boolean {
  return !s.trusted && s.source === 'project';
}

/** PinState is where a tool stands with its pin. */
export type PinState = { kind: 'none' } | { kind: 'pinned'; hash: string } | { kind: 'changed'; pinned: string; current: string };

/** pinState is a tool's pin: never allowed yet, allowed with the definition it presents, or CHANGED since. */
export function pinState(pins: readonly MCPPin[] | null | undefined, tool: string): PinState {
  const p = (pins ?? []).find((x) => x.tool === tool);
  if (!p || !p.pinned) return { kind: 'none' };
  if (p.changed) return { kind: 'changed', pinned: p.pinned, current: p.current };
  return { kind: 'pinned', hash: p.pinned };
}

/** pinText says a pin in words. */
export function pinText(p: PinState): string {
  switch (p.kind) {
    case 'none':
      return 'not yet allowed';
    case 'pinned':
      return `pinned ${shortHash(p.hash)}`;
    case 'changed':
      return 'CHANGED since you allowed it — calls refused';
  }
}

/** shortHash is the start of a definition hash, enough to tell two apart. */
export function shortHash(h: string): string {
  return shortDigest(h, 12);
}

/** attention counts what the user should look at: crashed servers, project servers awaiting approval, tools whose definition changed. */
export function attention(st: MCPState | null): number {
  if (!st) return 0;
  let n = 0;
  for (const s of st.servers ?? []) {
    if (s.state === 'crashed') n++;
    if (awaitingApproval(s) && !s.disabled) n++;
    n += (s.pins ?? []).filter((p) => p.changed).length;
  }
  return n;
}

/** MCPToolName is an agent tool name split into its server and tool. */
export interface MCPToolName {
  server: string;
  tool: string;
}

/** mcpToolPrefix starts the name the agent calls an MCP tool by. */
export const mcpToolPrefix = 'mcp__';

/**
 * parseMCPToolName splits "mcp__<server>__<tool>" (a server name holds no
 * "__", a tool's may); null for any other name.
 */
export function parseMCPToolName(name: string): MCPToolName | null {
  if (!name.startsWith(mcpToolPrefix)) return null;
  const rest = name.slice(mcpToolPrefix.length);
  const at = rest.indexOf('__');
  if (at <= 0 || at + 2 >= rest.length) return null;
  return { server: rest.slice(0, at), tool: rest.slice(at + 2) };
}

/** toolLabel is how the transcript names a tool: "server › tool" for an MCP tool, else its name. */
export function toolLabel(name: string): string {
  const m = parseMCPToolName(name);
  return m ? `${m.server} › ${m.tool}` : name;
}

/** canonical orders every object's keys, so two definitions differ in their text only where they differ in content. */
function canonical(v: JSONValue): JSONValue {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    const out: { [k: string]: JSONValue } = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical(v[k] as JSONValue);
    return out;
  }
  return v;
}

/** definitionText is what a tool's hash covers — its name, description and input schema — as pretty JSON with sorted keys. */
export function definitionText(t: Pick<MCPTool, 'name' | 'description' | 'inputSchema'>): string {
  return JSON.stringify({ name: t.name, description: t.description, inputSchema: canonical(t.inputSchema ?? {}) }, null, 2);
}

/** schemaText is an input schema as pretty JSON. */
export function schemaText(schema: JSONValue | undefined): string {
  return JSON.stringify(schema ?? {}, null, 2);
}

/** DiffLine is one line of a unified diff; 'skip' stands for unchanged lines left out. */
export interface DiffLine {
  kind: 'same' | 'add' | 'del' | 'skip';
  text: string;
}

/** lcsLimit bounds the table the line diff builds; past it the changed middle is shown as removed, then added. */
const lcsLimit = 4_000_000;

/** lineDiff is the unified line diff of before and after (longest common subsequence, common start and end first). */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const head: DiffLine[] = a.slice(0, start).map((text) => ({ kind: 'same', text }));
  const tail: DiffLine[] = a.slice(endA).map((text) => ({ kind: 'same', text }));
  const ma = a.slice(start, endA);
  const mb = b.slice(start, endB);
  if (ma.length * mb.length > lcsLimit) {
    return [...head, ...ma.map((text): DiffLine => ({ kind: 'del', text })), ...mb.map((text): DiffLine => ({ kind: 'add', text })), ...tail];
  }
  // lcs[i][j]: the longest common subsequence of ma[i:] and mb[j:].
  const w = mb.length + 1;
  const lcs = new Uint32Array((ma.length + 1) * w);
  for (let i = ma.length - 1; i >= 0; i--)
    for (let j = mb.length - 1; j >= 0; j--)
      lcs[i * w + j] = ma[i] === mb[j] ? (lcs[(i + 1) * w + j + 1] ?? 0) + 1 : Math.max(lcs[(i + 1) * w + j] ?? 0, lcs[i * w + j + 1] ?? 0);
  const mid: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < ma.length || j < mb.length) {
    if (i < ma.length && j < mb.length && ma[i] === mb[j]) {
      mid.push({ kind: 'same', text: ma[i] as string });
      i++;
      j++;
    } else if (i < ma.length && (j === mb.length || (lcs[(i + 1) * w + j] ?? 0) >= (lcs[i * w + j + 1] ?? 0))) {
      mid.push({ kind: 'del', text: ma[i] as string });
      i++;
    } else {
      mid.push({ kind: 'add', text: mb[j] as string });
      j++;
    }
  }
  return [...head, ...mid, ...tail];
}

/** foldUnchanged keeps context lines around each change and stands one 'skip' line for each longer unchanged run. */
export function foldUnchanged(lines: readonly DiffLine[], context = 3): DiffLine[] {
  const keep = lines.map(() => false);
  lines.forEach((l, i) => {
    if (l.kind === 'same') return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep[k] = true;
  });
  const out: DiffLine[] = [];
  let skipped = 0;
  const flush = () => {
    if (skipped > 0) out.push({ kind: 'skip', text: `… ${skipped} unchanged line${skipped === 1 ? '' : 's'}` });
    skipped = 0;
  };
  lines.forEach((l, i) => {
    if (keep[i]) {
      flush();
      out.push(l);
    } else skipped++;
  });
  flush();
  return out;
}
