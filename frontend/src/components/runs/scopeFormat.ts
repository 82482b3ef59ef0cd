// Approvals that scale, in words: the scopes an approval can be granted
// with (computed by the kernel; the glob shown is the glob granted) and
// the grouping of a run's similar pending approvals into one batch card.
import type { Ask, ScopeChoice } from '../../bridge';

/** scopeOptions are an ask's scope choices, narrowest first (the exact request when the kernel sent none). */
export function scopeOptions(a: Pick<Ask, 'scopes' | 'kind' | 'target'>): [ScopeChoice, ...ScopeChoice[]] {
  const [first, ...rest] = a.scopes ?? [];
  if (first) return [first, ...rest];
  return [{ id: 'exact', label: 'exactly this', scope: {}, describe: a.target }];
}

/** AskGroup is one card: a single ask, or a batch of a run's pending asks of one kind. */
export interface AskGroup {
  key: string;
  run: string;
  kind: string;
  asks: Ask[];
}

/** groupAsks puts the pending asks of the same run and kind together, in the order of each group's first ask. */
export function groupAsks(asks: Ask[]): AskGroup[] {
  const groups = new Map<string, AskGroup>();
  for (const a of [...asks].sort((x, y) => x.seq - y.seq)) {
    const key = `${a.run}\u0000${a.kind}`;
    let g = groups.get(key);
    if (!g) {
      g = { key, run: a.run, kind: a.kind, asks: [] };
      groups.set(key, g);
    }
    g.asks.push(a);
  }
  return [...groups.values()];
}

const nouns: Record<string, [string, string]> = {
  'fs.write': ['write', 'writes'],
  'fs.read': ['read', 'reads'],
  'shell.exec': ['command', 'commands'],
  'net.http': ['connection', 'connections'],
  'model.invoke': ['model call', 'model calls'],
  'memory.write': ['memory write', 'memory writes'],
  'mcp.call': ['tool call', 'tool calls'],
};

/** kindNoun names n effects of a kind: "1 write", "200 writes". */
export function kindNoun(kind: string, n: number): string {
  const [one, many] = nouns[kind] ?? ['request', 'requests'];
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** batchTitle is a batch card's title: "Allow all 200 writes of this run", or "Allow 199 of 200 writes …" with some left out. */
export function batchTitle(kind: string, total: number, included: number): string {
  if (included === total) return `Allow all ${kindNoun(kind, total)} of this run`;
  if (included === 0) return `No ${nouns[kind]?.[1] ?? 'requests'} chosen of ${total.toLocaleString('en-US')}`;
  return `Allow ${included.toLocaleString('en-US')} of ${kindNoun(kind, total)} of this run`;
}

/** BatchScope is a scope offered for a whole batch: each ask is granted its own scope of this id. */
export interface BatchScope {
  id: string;
  label: string;
  /** globs are the distinct scopes that will be granted, in order. */
  globs: string[];
  runOnly: boolean;
}

/** batchScopes are the scope ids every ask of a batch offers, with the distinct globs they would grant. */
export function batchScopes(asks: Ask[]): BatchScope[] {
  const [head] = asks;
  if (!head) return [];
  const out: BatchScope[] = [];
  for (const c of scopeOptions(head)) {
    const globs: string[] = [];
    let everywhere = true;
    let runOnly = !!c.runOnly;
    for (const a of asks) {
      const m = scopeOptions(a).find((o) => o.id === c.id);
      if (!m) {
        everywhere = false;
        break;
      }
      runOnly = runOnly || !!m.runOnly;
      if (!globs.includes(m.describe)) globs.push(m.describe);
    }
    if (everywhere) out.push({ id: c.id, label: batchLabel(c.id, c.label, globs.length), globs, runOnly });
  }
  return out;
}

/** batchLabel says a batch scope in words: each file, their folders, files like them. */
function batchLabel(id: string, label: string, n: number): string {
  switch (id) {
    case 'exact':
      return n === 1 ? label : 'each one as it is';
    case 'folder':
      return n === 1 ? 'their folder' : `their ${n} folders`;
    case 'like':
      return n === 1 ? 'files like them' : `files like them (${n} kinds)`;
    default:
      return label;
  }
}

/** globsText lists the globs a choice grants, the first few and how many more. */
export function globsText(globs: string[], max = 3): string {
  if (globs.length <= max) return globs.join(', ');
  return `${globs.slice(0, max).join(', ')} and ${(globs.length - max).toLocaleString('en-US')} more`;
}

/** durationBlocked says why a scope cannot be allowed for the workspace ("" when it can). */
export function durationBlocked(runOnly: boolean | undefined, choice: string): string {
  return runOnly && choice === 'workspace' ? 'Every file this run touches can only be allowed for this run' : '';
}
