// Formatting of the Models screen's facts: context, RAM fit, loaded state.
import type { ModelInfo } from '../bridge';
import { formatSize } from './format';

type Fit = NonNullable<ModelInfo['fit']>;
type Loaded = NonNullable<ModelInfo['loaded']>;

/** displayName is how a model is shown: its display name (":latest" dropped), else its name. */
export const displayName = (m: Pick<ModelInfo, 'name' | 'display'>): string => m.display || m.name;

/** formatTokens renders a context length: 131,072 → "128k", 2,048 → "2k", 1,500 → "1,500". */
export function formatTokens(n: number): string {
  if (n <= 0) return '';
  if (n % 1024 === 0) return `${n / 1024}k`;
  return n.toLocaleString('en-US');
}

export const fitLabels: Record<string, string> = { fits: 'fits', tight: 'tight', wont: "won't fit", unknown: 'unknown' };

/** fitText is the verdict's short word and the numbers behind it. */
export function fitText(f: Fit | undefined): { label: string; detail: string } {
  if (!f) return { label: 'unknown', detail: 'not estimated' };
  const label = fitLabels[f.verdict] ?? f.verdict;
  if (f.verdict === 'unknown' && f.total <= 0) return { label, detail: "this system's memory is not known" };
  if (f.verdict === 'unknown') return { label, detail: "the model's size is not known" };
  const need =
    f.kvCache > 0
      ? `${formatSize(f.need)} (${formatSize(f.weights)} + ${formatSize(f.kvCache)} of cache for ${formatTokens(f.window)} tokens)`
      : `${formatSize(f.need)} (weights; cache size unknown)`;
  const free = f.available > 0 ? `${formatSize(f.available)} free of ${formatSize(f.total)}` : `${formatSize(f.total)} in all`;
  return { label, detail: `needs ${need}; ${free}` };
}

/** untilText says when a loaded model is unloaded: "until 03:09", or "" when the server keeps it. */
export function untilText(expiresAt: number, nowMs = Date.now()): string {
  if (expiresAt <= 0) return '';
  // Ollama's "keep loaded forever" is an expiry years away.
  if (expiresAt - nowMs > 365 * 24 * 3600 * 1000) return 'kept loaded';
  const d = new Date(expiresAt);
  const p = (n: number) => String(n).padStart(2, '0');
  const day = d.toDateString() === new Date(nowMs).toDateString() ? '' : `${d.toLocaleDateString()} `;
  return `until ${day}${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** loadedText describes a loaded model's memory and expiry: "4.0 GiB in RAM, 1.0 GiB in VRAM, until 03:09". */
export function loadedText(l: Loaded, nowMs = Date.now()): string {
  const ram = Math.max(0, l.size - l.vram);
  const parts = [l.vram > 0 ? `${formatSize(ram)} in RAM, ${formatSize(l.vram)} in VRAM` : `${formatSize(ram)} in RAM`];
  if (l.contextLength) parts.push(`${formatTokens(l.contextLength)} context`);
  const until = untilText(l.expiresAt, nowMs);
  if (until) parts.push(until);
  return parts.join(', ');
}

/** memoryText describes the machine's RAM, or says it is not known. */
export function memoryText(m: { total: number; available: number } | undefined): string {
  if (!m || m.total <= 0) return "This system's memory is unknown (it is read from /proc/meminfo on Linux): RAM fit is not estimated.";
  return `This machine: ${formatSize(m.total)} of RAM, ${formatSize(m.available)} free now.`;
}
