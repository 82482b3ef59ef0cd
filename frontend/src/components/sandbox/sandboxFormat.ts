// The command sandbox in words: modes, layers, limits in human units, what
// became of a command's changes, and the limit editor's units. Shared by the
// approval cards, the run view, the status bar and the capabilities panel.
// No React here.
import type { CommandPayload, LimitName, Limits, SandboxState } from '../../bridge';

export type LimitKey = keyof Limits;

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** studioDefaults are the limits a command gets when neither the workspace nor a grant sets one (backend/sandbox). */
export const studioDefaults: Required<Limits> = {
  cpuTimeMs: 10 * 60_000,
  wallClockMs: 10 * 60_000,
  memoryBytes: 4 * GiB,
  processes: 512,
  outputBytes: 16 * MiB,
};

type Kind = 'time' | 'bytes' | 'count';

export interface LimitField {
  key: LimitKey;
  /** label names the limit in a sentence ("CPU 10 min"). */
  label: string;
  kind: Kind;
  /** name is how CommandPayload.limit names it. */
  name: LimitName;
}

/** limitFields lists the limits in the order they are shown. */
export const limitFields: readonly LimitField[] = [
  { key: 'cpuTimeMs', label: 'CPU', kind: 'time', name: 'cpu' },
  { key: 'memoryBytes', label: 'memory', kind: 'bytes', name: 'memory' },
  { key: 'processes', label: 'processes', kind: 'count', name: 'processes' },
  { key: 'wallClockMs', label: 'wall clock', kind: 'time', name: 'wall clock' },
  { key: 'outputBytes', label: 'output', kind: 'bytes', name: 'output' },
];

/** The environment variables every command gets (backend/sandbox's fixed allowlist). */
export const fixedEnv = 'PATH, LANG, LC_*, TERM, TZ, HOME, TMPDIR, USER and the build-cache variables';

const trim = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 1).replace(/\.?0+$/, ''));

/** formatMs renders a time limit or measure: 250 ms, 1.5 s, 90 s, 10 min, 2 h. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 120 && (s < 60 || !Number.isInteger(s / 60))) return `${trim(s)} s`;
  const min = s / 60;
  if (min < 120 || !Number.isInteger(min / 60)) return `${trim(min)} min`;
  return `${trim(min / 60)} h`;
}

/** formatBytes renders a size: 512 B, 64 KiB, 1.5 MiB, 4 GiB. */
export function formatBytes(n: number): string {
  if (n < KiB) return `${n} B`;
  if (n < MiB) return `${trim(n / KiB)} KiB`;
  if (n < GiB) return `${trim(n / MiB)} MiB`;
  return `${trim(n / GiB)} GiB`;
}

function formatValue(f: LimitField, v: number): string {
  if (f.kind === 'time') return formatMs(v);
  if (f.kind === 'bytes') return formatBytes(v);
  return v.toLocaleString('en-US');
}

/** effectiveLimits fills the absent limits with the Studio defaults. */
export function effectiveLimits(l: Limits | undefined): Required<Limits> {
  const out = { ...studioDefaults };
  for (const f of limitFields) {
    const v = l?.[f.key];
    if (v !== undefined && v > 0) out[f.key] = v;
  }
  return out;
}

/** limitText says one limit in words: "CPU 10 min", "512 processes". */
export function limitText(f: LimitField, v: number): string {
  return f.kind === 'count' ? `${formatValue(f, v)} ${f.label}` : `${f.label} ${formatValue(f, v)}`;
}

/** limitsText lists limits in words, defaults filled in. */
export function limitsText(l: Limits | undefined): string[] {
  const e = effectiveLimits(l);
  return limitFields.map((f) => limitText(f, e[f.key]));
}

/** killedText says which limit killed a command ("killed: memory limit 1 GiB"), '' if none did. */
export function killedText(c: Pick<CommandPayload, 'limit' | 'limits'>): string {
  if (!c.limit) return '';
  const f = limitFields.find((x) => x.name === c.limit);
  if (!f) return `killed: ${c.limit} limit`;
  return `killed: ${f.label} limit ${formatValue(f, effectiveLimits(c.limits)[f.key])}`;
}

/** modeText names a sandbox mode for a sentence. */
export function modeText(mode: string): string {
  switch (mode) {
    case 'overlayfs':
      return 'overlayfs';
    case 'fuse-overlayfs':
      return 'fuse-overlayfs';
    case 'copy':
      return 'a copy of the workspace';
    case 'unsandboxed':
      return 'UNSANDBOXED';
    default:
      return mode || 'unknown';
  }
}

/** layersOf lists the machine's second layers in words: "Landlock 7", "seccomp". */
export function layersOf(st: Pick<SandboxState, 'landlockAbi' | 'seccomp'>): string[] {
  const out: string[] = [];
  if (st.landlockAbi > 0) out.push(`Landlock ${st.landlockAbi}`);
  if (st.seccomp) out.push('seccomp');
  return out;
}

/** statusText is the status bar's line for an available sandbox: "Sandbox: overlayfs · Landlock 7 · seccomp". */
export function statusText(st: SandboxState): string {
  return ['Sandbox: ' + (st.mode || 'on'), ...layersOf(st)].join(' · ');
}

/** outcomeText says what became of a command's file change. */
export function outcomeText(outcome: string): string {
  switch (outcome) {
    case 'staged':
      return 'staged';
    case 'refused':
      return 'refused';
    case 'discarded':
      return 'shown, not applied';
    case 'unsupported':
      return 'not staged';
    default:
      return outcome;
  }
}

/** parseEnv reads the extra environment variable names a user typed, comma or line separated. */
export function parseEnv(text: string): string[] {
  const seen = new Set<string>();
  for (const part of text.split(/[\s,]+/)) if (part) seen.add(part);
  return [...seen];
}

/** Units a limit may be typed in, with their size in the limit's base unit (ms, bytes, 1). */
export const unitsOf: Record<Kind, readonly (readonly [string, number])[]> = {
  time: [
    ['s', 1000],
    ['min', 60_000],
  ],
  bytes: [
    ['MiB', MiB],
    ['GiB', GiB],
  ],
  count: [['', 1]],
};

/** LimitDraft is a limit as typed: a number (empty = default) and its unit. */
export interface LimitDraft {
  value: string;
  unit: string;
}

export type LimitsDraft = Record<LimitKey, LimitDraft>;

/** bestUnit picks the largest unit a value is a whole number of (else the smallest). */
function bestUnit(kind: Kind, v: number): readonly [string, number] {
  const units = unitsOf[kind];
  for (let i = units.length - 1; i > 0; i--) {
    const u = units[i];
    if (u && v % u[1] === 0) return u;
  }
  return units[0] ?? ['', 1];
}

/** defaultUnit is the unit of a limit's Studio default, shown while it is empty. */
export function defaultUnit(f: LimitField): string {
  return bestUnit(f.kind, studioDefaults[f.key])[0];
}

/** placeholderOf is a limit input's placeholder: the default in the chosen unit. */
export function placeholderOf(f: LimitField, unit: string): string {
  const size = unitsOf[f.kind].find((u) => u[0] === unit)?.[1] ?? 1;
  return `${trim(studioDefaults[f.key] / size)} (default)`;
}

/** toLimitsDraft turns stored limits into what the editor shows. */
export function toLimitsDraft(l: Limits | undefined): LimitsDraft {
  const out = {} as LimitsDraft;
  for (const f of limitFields) {
    const v = l?.[f.key];
    if (v === undefined || v <= 0) {
      out[f.key] = { value: '', unit: defaultUnit(f) };
      continue;
    }
    const [unit, size] = bestUnit(f.kind, v);
    out[f.key] = { value: trim(v / size), unit };
  }
  return out;
}

/** fromLimitsDraft turns the editor's limits into stored ones, or says what is wrong. */
export function fromLimitsDraft(d: LimitsDraft): { limits: Limits } | { error: string } {
  const limits: Limits = {};
  for (const f of limitFields) {
    const { value, unit } = d[f.key];
    if (value.trim() === '') continue;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) return { error: `The ${f.label} limit must be a positive number (or empty for the default).` };
    const size = unitsOf[f.kind].find((u) => u[0] === unit)?.[1] ?? 1;
    const v = Math.round(n * size);
    if (f.kind === 'count' && !Number.isInteger(n)) return { error: `The ${f.label} limit must be a whole number.` };
    if (v > 0) limits[f.key] = v;
  }
  return { limits };
}
