// Capabilities in words: what a run asks for, what a scope covers, why an
// effect was allowed. Shared by the approval cards, the timeline and the
// capabilities panel.
import type { Ask, CapRule, CapScope, Grant, Why } from '../../bridge';
import { clock } from '../EventDetail';

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
    default:
      return `${a.kind} ${a.target}`;
  }
}

/** scopeText describes a scope for its kind. */
export function scopeText(kind: string, s: CapScope | undefined): string {
  if (!s) return 'anything';
  if (kind.startsWith('fs.')) return s.glob ? s.glob : 'any file';
  if (kind === 'shell.exec') return s.argv && s.argv.length > 0 ? s.argv.join(' ') : 'any command';
  if (kind === 'net.http') return s.host ? s.host : 'any host';
  if (kind === 'model.invoke') return s.model ? s.model : s.endpoint ? s.endpoint : 'any model';
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
  return '';
}

/** scopeFrom turns the text a user typed for kind into a scope. */
export function scopeFrom(kind: string, text: string): CapScope {
  const t = text.trim();
  if (t === '') return {};
  if (kind.startsWith('fs.')) return { glob: t };
  if (kind === 'shell.exec') return { argv: t.split(/\s+/) };
  if (kind === 'net.http') return { host: t };
  if (kind === 'model.invoke') return { model: t };
  if (kind === 'memory.write') return { memory: t };
  return {};
}

/** scopeHint is the placeholder of a scope input for kind. */
export function scopeHint(kind: string): string {
  if (kind.startsWith('fs.')) return 'glob, e.g. src/**';
  if (kind === 'shell.exec') return 'command words, e.g. go test';
  if (kind === 'net.http') return 'host, e.g. api.github.com';
  if (kind === 'model.invoke') return 'model, e.g. llama3';
  return 'any';
}

/** ruleText describes a policy rule. */
export function ruleText(r: CapRule): string {
  return `${r.effect} ${r.kind} on ${scopeText(r.kind, r.scope)}`;
}

/** time formats unix ns as a local date and time. */
export function time(ns: number): string {
  return new Date(ns / 1e6).toLocaleString();
}

/** grantUses says how often a grant was used, of how many. */
export function grantUses(g: Pick<Grant, 'uses' | 'maxUses'>): string {
  return g.maxUses ? `${g.uses}/${g.maxUses} uses` : `${g.uses} use${g.uses === 1 ? '' : 's'}`;
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
