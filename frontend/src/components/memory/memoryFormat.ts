// Words and numbers the memory views share: kinds, scopes, states, and the
// conversions between a spec and the form fields a person edits.
import type { Memory, MemorySpec } from '../../bridge';

export const kinds = ['fact', 'decision', 'preference', 'summary', 'code_note', 'procedure'] as const;
export const scopes = ['workspace', 'global'] as const;
export const states = ['', 'expired', 'deprecated', 'superseded', 'invalidated', 'all'] as const;
export const onChanges = ['', 'invalidate', 'review'] as const;

/** stateLabel names a state filter value ('' is the active memories). */
export const stateLabel = (s: string): string => (s === '' ? 'active' : s);

const day = 86_400;

/** SpecFields is a memory spec as the form holds it: numbers as typed text. */
export interface SpecFields {
  kind: string;
  scope: string;
  content: string;
  /** confidence in percent, '' meaning 100. */
  confidence: string;
  ttlDays: string;
  decayDays: string;
  onChange: string;
}

export const emptyFields: SpecFields = { kind: 'fact', scope: 'workspace', content: '', confidence: '', ttlDays: '', decayDays: '', onChange: '' };

const num = (n: number) => (n ? String(Math.round(n * 1000) / 1000) : '');

/** fieldsOf fills the form from an existing spec or memory. */
export function fieldsOf(s: MemorySpec | Memory): SpecFields {
  return {
    kind: s.kind,
    scope: s.scope,
    content: s.content,
    confidence: s.confidence ? num(s.confidence * 100) : '',
    ttlDays: num(s.ttlSeconds / day),
    decayDays: num(s.decayDays),
    onChange: s.onChange || 'invalidate',
  };
}

/** specOf turns the form into a spec, or says which field is wrong. */
export function specOf(f: SpecFields): { spec: MemorySpec } | { error: string } {
  const number = (text: string, what: string, max = Infinity): number | string => {
    if (!text.trim()) return 0;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0 || n > max) return `${what} must be a number from 0${max === Infinity ? '' : ` to ${max}`}.`;
    return n;
  };
  const confidence = number(f.confidence, 'Confidence', 100);
  if (typeof confidence === 'string') return { error: confidence };
  const ttl = number(f.ttlDays, 'Time to live (days)');
  if (typeof ttl === 'string') return { error: ttl };
  const decay = number(f.decayDays, 'Decay half-life (days)');
  if (typeof decay === 'string') return { error: decay };
  return {
    spec: {
      kind: f.kind,
      scope: f.scope,
      content: f.content,
      confidence: confidence / 100,
      ttlSeconds: Math.round(ttl * day),
      decayDays: decay,
      onChange: f.onChange,
    },
  };
}

/** percent shows a 0..1 confidence as a whole percentage. */
export const percent = (x: number): string => `${Math.round(x * 100)}%`;

/** when shows a unix-nanosecond time as a local date and time. */
export const when = (ns: number): string => new Date(ns / 1e6).toLocaleString();

/** expiry says when a memory expires, relative to nowMs. */
export function expiry(m: Memory, nowMs: number = Date.now()): string {
  if (!m.expiresAt) return '';
  const ms = m.expiresAt / 1e6 - nowMs;
  if (ms <= 0) return `expired ${when(m.expiresAt)}`;
  const days = ms / 86_400_000;
  if (days >= 1) return `expires in ${Math.round(days)} d`;
  const hours = ms / 3_600_000;
  return hours >= 1 ? `expires in ${Math.round(hours)} h` : `expires in ${Math.max(1, Math.round(ms / 60_000))} min`;
}

/** shortHash shows the first characters of a content hash. */
export const shortHash = (h: string): string => h.replace(/^sha256:/, '').slice(0, 10);
