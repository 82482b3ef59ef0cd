// How agent runs read in the UI: which models the composer offers, what a
// tool call is about, and the numbers of a model step. No React here.
import type { ModelInfo, ModelsState, RunInfo } from '../../bridge';

/** hasCap tells whether a model lists a capability (Ollama's /api/show). */
const hasCap = (m: ModelInfo, c: string) => (m.capabilities ?? []).includes(c);

/** isEmbeddingOnly: a model that embeds text but cannot chat. */
export function isEmbeddingOnly(m: ModelInfo): boolean {
  return hasCap(m, 'embedding') && !hasCap(m, 'completion');
}

/** isChatOnly: a chat model without native tool calling; an agent run with it answers in words, with no tools. */
export function isChatOnly(m: ModelInfo): boolean {
  return !hasCap(m, 'tools');
}

/** chatModels are the installed models an agent run can use: all but embedding-only ones. */
export function chatModels(st: Pick<ModelsState, 'models'> | null): ModelInfo[] {
  return (st?.models ?? []).filter((m) => !isEmbeddingOnly(m));
}

/** pickModel keeps the user's choice while it is installed, else the default chat model, else the first. */
export function pickModel(models: readonly { name: string }[], chosen: string, defaultChat: string): string {
  const names = models.map((m) => m.name);
  if (chosen && names.includes(chosen)) return chosen;
  if (defaultChat && names.includes(defaultChat)) return defaultChat;
  return names[0] ?? '';
}

/** agentActiveStates are the states in which an agent run's model may still be working (before validation). */
const agentActiveStates: ReadonlySet<string> = new Set(['created', 'provisioned', 'context_resolved', 'memory_mounted', 'context_ready', 'executing']);

/** agentActive tells whether an agent run is still before validation: its loop may be running and Stop applies. */
export function agentActive(run: Pick<RunInfo, 'state'>): boolean {
  return agentActiveStates.has(run.state);
}

/** shortDigest keeps the start of a model digest, without its "sha256:" prefix. */
export function shortDigest(d: string, n = 12): string {
  return d.replace(/^sha256:/, '').slice(0, n);
}

/** formatRate renders tokens per second: 42.3 tok/s. */
export function formatRate(tps: number): string {
  if (!Number.isFinite(tps) || tps <= 0) return '– tok/s';
  return `${tps < 100 ? tps.toFixed(1) : Math.round(tps)} tok/s`;
}

/** ToolArgs are a tool call's arguments, decoded; null when they are not a JSON object. */
export type ToolArgs = Record<string, unknown> | null;

/** parseArgs decodes a tool call's arguments (JSON text). */
export function parseArgs(json: string): ToolArgs {
  if (!json) return null;
  try {
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** prettyJson indents JSON text; short objects stay on one line; text that is not JSON stays as it is. */
export function prettyJson(json: string, oneLine = 60): string {
  try {
    const v: unknown = JSON.parse(json);
    const flat = JSON.stringify(v);
    if (flat.length <= oneLine) return flat.replace(/":(?=\S)/g, '": ').replace(/,"/g, ', "');
    return JSON.stringify(v, null, 2);
  } catch {
    return json;
  }
}

const str = (a: ToolArgs, k: string) => (a && typeof a[k] === 'string' ? (a[k] as string) : '');

/** toolTarget is what a call is about, for its heading: a path, a query, a command. */
export function toolTarget(name: string, a: ToolArgs): string {
  switch (name) {
    case 'list_dir':
      return str(a, 'path') || '.';
    case 'read_file': {
      const p = str(a, 'path');
      const from = a?.start_line;
      const to = a?.end_line;
      return typeof from === 'number' || typeof to === 'number' ? `${p}:${String(from ?? 1)}–${String(to ?? '')}` : p;
    }
    case 'write_file':
    case 'edit_file':
      return str(a, 'path');
    case 'search_text':
      return str(a, 'query') + (str(a, 'path') ? ` in ${str(a, 'path')}` : '');
    case 'run_command':
      return str(a, 'command') + (str(a, 'path') ? ` (in ${str(a, 'path')})` : '');
    default:
      return '';
  }
}

/** PreviewLine is one line of a write's compact preview. */
export interface PreviewLine {
  kind: 'add' | 'del' | 'ctx' | 'more';
  text: string;
}

/** clip keeps the first n lines of text, then says how many more there are. */
function clip(text: string, n: number, kind: PreviewLine['kind']): PreviewLine[] {
  const lines = text.replace(/\n$/, '').split('\n');
  const out: PreviewLine[] = lines.slice(0, n).map((t) => ({ kind, text: t }));
  if (lines.length > n) out.push({ kind: 'more', text: `… ${lines.length - n} more line${lines.length - n === 1 ? '' : 's'}` });
  return out;
}

/**
 * writePreview is a compact preview of a write_file or edit_file call: the
 * start of the new content, the old and new text, or the diff it applies;
 * null for other tools or arguments it cannot read.
 */
export function writePreview(name: string, a: ToolArgs, lines = 6): PreviewLine[] | null {
  if (!a) return null;
  if (name === 'write_file' && typeof a.content === 'string') return clip(a.content, lines, 'add');
  if (name !== 'edit_file') return null;
  if (typeof a.diff === 'string' && a.diff) {
    return clip(a.diff, lines * 2, 'ctx').map((l) =>
      l.kind === 'more' ? l : { kind: l.text.startsWith('+') && !l.text.startsWith('+++') ? 'add' : l.text.startsWith('-') && !l.text.startsWith('---') ? 'del' : 'ctx', text: l.text },
    );
  }
  if (typeof a.old_text === 'string' || typeof a.new_text === 'string') {
    return [...clip(str(a, 'old_text'), lines, 'del'), ...clip(str(a, 'new_text'), lines, 'add')];
  }
  return null;
}

/** isLong tells whether a tool result should start collapsed. */
export function isLong(text: string, maxLines = 12, maxChars = 1200): boolean {
  if (text.length > maxChars) return true;
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) if (++n >= maxLines) return true;
  return false;
}

/** headLines is the start of a long text shown collapsed. */
export function headLines(text: string, n = 8, maxChars = 800): string {
  const cut = text.split('\n').slice(0, n).join('\n');
  return cut.length > maxChars ? `${cut.slice(0, maxChars)}…` : cut;
}

/** AdvancedFields are the composer's optional settings, as typed ('' leaves the default). */
export interface AdvancedFields {
  temperature: string;
  seed: string;
  maxTokens: string;
  maxTurns: string;
  /** numCtx is the context window wanted (num_ctx); the Studio keeps it within what the model and memory allow. */
  numCtx: string;
}

export const emptyAdvanced: AdvancedFields = { temperature: '', seed: '', maxTokens: '', maxTurns: '', numCtx: '' };

/** AdvancedValues are the settings a StartAgentRun or SendMessage request carries. */
export interface AdvancedValues {
  temperature?: number;
  seed?: number;
  maxTokens: number;
  maxTurns: number;
  numCtx: number;
}

/** parseAdvanced reads the advanced fields; it returns the values or what is wrong with them. */
export function parseAdvanced(f: AdvancedFields): { ok: true; value: AdvancedValues } | { ok: false; error: string } {
  const value: AdvancedValues = { maxTokens: 0, maxTurns: 0, numCtx: 0 };
  const t = f.temperature.trim();
  if (t) {
    const n = Number(t);
    if (!Number.isFinite(n) || n < 0) return { ok: false, error: 'Temperature must be a number, 0 or more (e.g. 0.2).' };
    value.temperature = n;
  }
  const s = f.seed.trim();
  if (s) {
    const n = Number(s);
    if (!Number.isSafeInteger(n)) return { ok: false, error: 'Seed must be a whole number.' };
    value.seed = n;
  }
  const whole = (text: string, what: string): number | string => {
    const v = text.trim();
    if (!v) return 0;
    const n = Number(v);
    return Number.isSafeInteger(n) && n >= 0 ? n : `${what} must be a whole number, 0 or more (empty for the default).`;
  };
  const mt = whole(f.maxTokens, 'Max tokens');
  if (typeof mt === 'string') return { ok: false, error: mt };
  const ms = whole(f.maxTurns, 'Max model steps');
  if (typeof ms === 'string') return { ok: false, error: ms };
  const nc = whole(f.numCtx, 'Context window');
  if (typeof nc === 'string') return { ok: false, error: nc };
  value.maxTokens = mt;
  value.maxTurns = ms;
  value.numCtx = nc;
  return { ok: true, value };
}
