// Capabilities in words: what a run asks for, what a scope covers, why an
// effect was allowed. Shared by the approval cards, the timeline and the
// capabilities panel.
import type { Ask, CapRule, CapScope, Grant, Why } from '../../bridge';
import { clock } from '../EventDetail';
import { endpointURL, modelScopeText } from '../settings/endpointFormat';

/** Choices an approval card offers (kernel Choice*). */
export const askChoices = [
  ['once', 'Allow once'],
  ['run', 'Allow for this run'],
  ['workspace', 'Allow for this workspace'],
  ['deny', 'Deny'],
] as const;

export type AskChoice = (typeof askChoices)[number][0];

/** Effects a policy rule may have. */
export const effects = ['allow', 'ask', 'deny'] as const;

/** Memory scopes a memory.write rule may name. */
export const memoryScopes = ['*', 'workspace', 'global'] as const;

/** askTitle says in words what a run wants to do. */
/** quoteArg shows an argument as a shell would need it typed. */
export function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

export function askTitle(a: Pick<Ask, 'kind' | 'target' | 'detail' | 'req'>): string {
  const d = a.detail;
  switch (a.kind) {
    case 'fs.write':
      return `${d?.op === 'delete' ? 'Delete' : d?.base === '' && d?.after ? 'Create' : 'Write'} ${a.req.path || a.target}`;
    case 'fs.read':
      return `Read ${a.req.path || a.target}`;
    case 'shell.exec': {
      const argv = d?.argv ?? a.req.argv ?? [];
      return `Run \`${argv.length > 0 ? argv.map(quoteArg).join(' ') : a.target}\` in ${d?.dir || a.req.dir || '.'}`;
    }
    case 'net.http':
      return `Connect to ${d?.host || a.req.host || a.target}`;
    case 'model.invoke':
      return `Call the model ${a.req.model || a.target}`;
    case 'memory.write':
      return `Write to ${a.req.memory || a.target} memory`;
    case 'mcp.call': {
      const server = d?.mcp?.server || a.req.server || '';
      const tool = d?.mcp?.tool || a.req.tool || '';
      return server && tool ? `Call ${server} › ${tool}` : `Call ${a.target}`;
    }
    case 'git.commit': {
      // The argv is git commit … -- <the run's files>.
      const argv = d?.argv ?? [];
      const files = argv.includes('--') ? argv.slice(argv.indexOf('--') + 1) : [];
      return files.length > 0 ? `Git commit ${files.length === 1 ? files[0] : `${files.length} files`}` : `Git commit in ${a.target}`;
    }
    default:
      return `${a.kind} ${a.target}`;
  }
}

/** hasGlob tells whether a name holds glob syntax (path.Match's * ? [). */
const hasGlob = (s: string) => /[*?[]/.test(s);

/**
 * toolScopeText describes an mcp.call scope as the backend does
 * (capability.describeTool): "github/create_issue", "any tool of github",
 * "any MCP tool", with "where /repo is ice/*" for each argument pattern.
 */
export function toolScopeText(s: Pick<CapScope, 'tool' | 'args'>): string {
  const tool = s.tool ?? '';
  const [server = '', name = ''] = tool.split('/');
  let d = tool === '*/*' ? 'any MCP tool' : name === '*' && server !== '' && !hasGlob(server) ? `any tool of ${server}` : tool || 'any MCP tool';
  Object.keys(s.args ?? {})
    .sort()
    .forEach((p, i) => {
      d += `${i === 0 ? ' where ' : ' and '}${p} is ${s.args?.[p] ?? ''}`;
    });
  return d;
}

/** scopeText describes a scope for its kind. */
export function scopeText(kind: string, s: CapScope | undefined): string {
  if (!s) return 'anything';
  if (kind === 'mcp.call') return toolScopeText(s);
  if (kind.startsWith('fs.')) return s.glob ? s.glob : 'any file';
  if (kind === 'shell.exec') return s.argv && s.argv.length > 0 ? s.argv.join(' ') : 'any command';
  if (kind === 'net.http') return s.host ? s.host : 'any host';
  if (kind === 'model.invoke') return modelScopeText(s.model ?? '', s.endpoint ?? '');
  if (kind === 'memory.write') return s.memory ? `${s.memory} memory` : 'any memory';
  return s.glob || s.argv?.join(' ') || s.host || s.model || s.memory || 'anything';
}

/** scopeInput is the text a user edits for a scope of kind. */
export function scopeInput(kind: string, s: CapScope | undefined): string {
  if (!s) return '';
  if (kind.startsWith('fs.')) return s.glob ?? '';
  if (kind === 'shell.exec') return (s.argv ?? []).join(' ');
  if (kind === 'net.http') return s.host ?? '';
  if (kind === 'model.invoke') return s.model ?? '';
  if (kind === 'memory.write') return s.memory ?? '';
  if (kind === 'mcp.call') {
    const args = Object.keys(s.args ?? {})
      .sort()
      .map((p) => `${p}=${s.args?.[p] ?? ''}`);
    return [s.tool ?? '', ...args].join(' ').trim();
  }
  return '';
}

/** scopeEndpoint is the endpoint URL a user edits beside a model.invoke scope's model ('' for any endpoint). */
export function scopeEndpoint(kind: string, s: CapScope | undefined): string {
  return kind === 'model.invoke' ? (s?.endpoint ?? '') : '';
}

/**
 * scopeFrom turns the text a user typed for kind into a scope; endpoint is
 * the URL typed beside a model.invoke scope. An endpoint without a model is
 * every model on it ("*": an empty model matches none).
 */
export function scopeFrom(kind: string, text: string, endpoint = ''): CapScope {
  const t = text.trim();
  if (kind === 'model.invoke') {
    const at = endpointURL(endpoint);
    if (at === '') return t === '' ? {} : { model: t };
    return { model: t || '*', endpoint: at };
  }
  if (t === '') return {};
  if (kind.startsWith('fs.')) return { glob: t };
  if (kind === 'shell.exec') return { argv: t.split(/\s+/) };
  if (kind === 'net.http') return { host: t };
  if (kind === 'memory.write') return { memory: t };
  if (kind === 'mcp.call') {
    // "server/tool /pointer=glob …": a word without "=" is kept with an
    // empty pattern, which the backend refuses with what is wrong.
    const [tool = '', ...rest] = t.split(/\s+/);
    if (rest.length === 0) return { tool };
    const args: Record<string, string> = {};
    for (const w of rest) {
      const at = w.indexOf('=');
      if (at < 0) args[w] = '';
      else args[w.slice(0, at)] = w.slice(at + 1);
    }
    return { tool, args };
  }
  return {};
}

/** scopeHint is the placeholder of a scope input for kind. */
export function scopeHint(kind: string): string {
  if (kind.startsWith('fs.')) return 'glob, e.g. src/**';
  if (kind === 'shell.exec') return 'command words, e.g. go test';
  if (kind === 'net.http') return 'host, e.g. api.github.com';
  if (kind === 'model.invoke') return 'model, e.g. llama3 or *';
  if (kind === 'mcp.call') return 'server/tool, e.g. github/* /repo=ice/*';
  return 'any';
}

/** ruleText describes a policy rule. */
export function ruleText(r: CapRule): string {
  return `${r.effect} ${r.kind} on ${scopeText(r.kind, r.scope)}`;
}

/** shellSyntax is what an argument past a rule's argv prefix may not hold (capability.Matches). */
const shellSyntax = /[;&|`$<>\n]/;

/** namesGit tells whether a glob has a literal ".git" component (capability.namesGit). */
const namesGit = (g: string) => g.split('/').includes('.git');

/** hostParts splits a net.http scope host into its lower-case host and the ports it admits (none given: 80 and 443). */
function hostParts(h: string): { host: string; ports: number[] } {
  const [host = '', port] = h.toLowerCase().split(':');
  return { host, ports: port === undefined ? [0, 80, 443] : [Number(port)] };
}

/**
 * scopeCovers tells whether a rule's scope a (of effect) matches every
 * request scope b of the same kind matches, mirroring capability.Matches
 * (and MatchesLoosely for a deny). It only claims what is certain: a
 * catch-all (**, *, any command, any host on the same ports, any model at
 * the same endpoint), identical patterns, an argv prefix, a *.domain for its
 * subdomains. Any other overlap is not claimed, so no rule is flagged wrongly.
 */
export function scopeCovers(kind: string, a: CapScope, b: CapScope, effect: string): boolean {
  if (kind.startsWith('fs.')) {
    const ga = (a.glob ?? '').replace(/^\.\//, '');
    const gb = (b.glob ?? '').replace(/^\.\//, '');
    if (!ga || !gb) return false;
    if (ga === gb) return true;
    // ** matches every path, but a write into .git only when the glob names .git (a deny matches it loosely, so it does).
    return ga === '**' && (kind !== 'fs.write' || effect === 'deny' || !namesGit(gb));
  }
  if (kind === 'shell.exec') {
    const pa = a.argv ?? [];
    const pb = b.argv ?? [];
    if (pa.length === 0 || pb.length === 0) return false;
    if (pa.length === 1 && pa[0] === '*') return true;
    if (pb.length === 1 && pb[0] === '*') return false;
    return pa.length <= pb.length && pa.every((w, i) => pb[i] === w) && !pb.slice(pa.length).some((w) => shellSyntax.test(w));
  }
  if (kind === 'net.http') {
    if (!a.host || !b.host) return false;
    const ha = hostParts(a.host);
    const hb = hostParts(b.host);
    if (!hb.ports.every((p) => ha.ports.includes(p))) return false;
    if (ha.host === '*' || ha.host === hb.host) return true;
    const suffix = ha.host.startsWith('*.') ? ha.host.slice(1) : '';
    return suffix !== '' && hb.host.endsWith(suffix) && hb.host.length > suffix.length;
  }
  if (kind === 'model.invoke') {
    if (!a.model || !b.model) return false;
    if (a.endpoint && a.endpoint.toLowerCase() !== (b.endpoint ?? '').toLowerCase()) return false;
    return a.model === '*' || a.model === b.model;
  }
  if (kind === 'memory.write') return !!a.memory && !!b.memory && (a.memory === '*' || a.memory === b.memory);
  if (kind === 'mcp.call') return toolCovers(a, b, effect === 'deny');
  return false;
}

/**
 * toolCovers tells whether mcp.call scope a matches whatever b does
 * (capability.matchesTool; loose folds case, as deny rules match): the
 * same tool pattern, or a catch-all one (every tool of every server, or
 * every tool of one literal server), and every argument pattern of a also
 * in b, the same.
 */
function toolCovers(a: CapScope, b: CapScope, loose: boolean): boolean {
  const f = (x: string) => (loose ? x.toLowerCase() : x);
  const ta = f(a.tool ?? '');
  const tb = f(b.tool ?? '');
  if (!ta || !tb) return false;
  const [sa = '', na = ''] = ta.split('/');
  const [sb = ''] = tb.split('/');
  const toolOK = ta === tb || ta === '*/*' || (na === '*' && !hasGlob(sa) && sa === sb && !hasGlob(sb));
  if (!toolOK) return false;
  const argsB = b.args ?? {};
  return Object.entries(a.args ?? {}).every(([p, g]) => p in argsB && f(argsB[p] ?? '') === f(g));
}

/** RuleShadow says which rule keeps another from ever matching (by: its 1-based number). */
export interface RuleShadow {
  by: number;
  text: string;
}

/**
 * ruleShadow tells whether rule i of a policy can never match, as the
 * enforcer decides (capability.Enforcer.Decide): every deny rule is checked
 * first, then the allow and ask rules in order, the first match deciding.
 * So an allow or ask rule is dead when any deny rule covers it, or an
 * earlier allow or ask rule of its kind does; a deny rule when an earlier
 * deny rule covers it.
 */
export function ruleShadow(rules: readonly CapRule[], i: number): RuleShadow | null {
  const r = rules[i];
  if (!r) return null;
  const covers = (j: number) => {
    const o = rules[j];
    return j !== i && o !== undefined && o.kind === r.kind && scopeCovers(r.kind, o.scope, r.scope, o.effect);
  };
  const say = (j: number, what: string): RuleShadow => ({ by: j + 1, text: `Never matches: rule ${j + 1} (${ruleText(rules[j] as CapRule)}) ${what}.` });
  if (r.effect === 'deny') {
    for (let j = 0; j < i; j++) if (rules[j]?.effect === 'deny' && covers(j)) return say(j, 'already denies everything it covers');
    return null;
  }
  for (let j = 0; j < rules.length; j++) if (rules[j]?.effect === 'deny' && covers(j)) return say(j, 'denies everything it covers, and deny rules are checked first');
  for (let j = 0; j < i; j++) if (rules[j]?.effect !== 'deny' && covers(j)) return say(j, 'comes first and covers everything it does');
  return null;
}

/** time formats unix ns as a local date and time. */
export function time(ns: number): string {
  return new Date(ns / 1e6).toLocaleString();
}

/** grantUses says how often a grant was used, of how many. */
export function grantUses(g: Pick<Grant, 'uses' | 'maxUses'>): string {
  return g.maxUses ? `${g.uses}/${g.maxUses} uses` : `${g.uses} use${g.uses === 1 ? '' : 's'}`;
}

/**
 * grantEnd says why a grant no longer applies ('' while in force): revoked,
 * expired, or bound to a run that finished (runOutcome: the run's outcome,
 * '' while undecided, undefined when not known).
 */
export function grantEnd(g: Pick<Grant, 'revoked' | 'expired' | 'run'>, runOutcome: string | undefined): string {
  if (g.revoked) return 'revoked';
  if (g.expired) return 'expired';
  if (g.run && runOutcome) return runOutcome === 'terminated' ? 'run ended' : `run ${runOutcome}`;
  return '';
}

/** whyLines explains a decision in a few lines of words. */
export function whyLines(w: Why): string[] {
  const lines = [`${w.allowed ? 'Allowed' : 'Refused'}: ${w.decision}${w.reason ? ` — ${w.reason}` : ''}`];
  if (w.grant) {
    const g = w.grant;
    lines.push(
      `By grant ${g.describe || scopeText(g.kind, g.scope)} (${g.run ? 'this run only' : 'standing'}), issued by ${w.issuedBy || g.issuedBy}` +
        `${w.issuedAt ? ` at ${clock(w.issuedAt)}` : ''}${w.grantSeq ? ` (event #${w.grantSeq})` : ''}${g.reason ? `: ${g.reason}` : ''}`,
    );
    lines.push(`Scope: ${g.kind} on ${scopeText(g.kind, g.scope)} · ${grantUses(g)}${g.revoked ? ' · revoked since' : g.expired ? ' · expired since' : ''}`);
  }
  if (w.rule) {
    const of = w.policySeq > 0 ? `your policy of ${w.issuedAt ? time(w.issuedAt) : 'the time'} (event #${w.policySeq})` : 'the default policy';
    lines.push(`By rule #${w.ruleIndex ?? '?'} of ${of}: ${ruleText(w.rule)}`);
  }
  if (!w.grant && !w.rule && w.allowed) lines.push('No grant or rule is recorded for it.');
  return lines;
}

/** scopeChoiceText is a scope choice in words with the exact scope it grants: "this folder: src/a/**". */
export function scopeChoiceText(c: { label: string; describe: string }): string {
  return c.describe ? `${c.label}: ${c.describe}` : c.label;
}
