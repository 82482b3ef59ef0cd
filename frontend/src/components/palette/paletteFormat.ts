// What the command palette and the shortcuts list show: commands matched
// against what was typed, in order, and the bindings that clash.
import { fuzzyMatch, normalizeKeys, Registry, type Command } from '../../commands';

/** PaletteItem is one line of the palette. */
export interface PaletteItem {
  command: Command;
  /** label is what is matched and shown: "Category: Title". */
  label: string;
  /** positions are the matched characters of label, to highlight. */
  positions: number[];
  /** enabled is true, or why the command cannot run now. */
  enabled: true | string;
  /** keys are the bindings in force, as written ("Ctrl+Shift+P"). */
  keys: string[];
  recent: boolean;
}

/** labelOf is a command as the palette names it. */
export function labelOf(c: Command): string {
  return c.category ? `${c.category}: ${c.title}` : c.title;
}

/**
 * paletteItems matches the commands against query (fuzzily, in order of
 * the letters). Recently used commands come first (the latest first), then
 * the best matches; with nothing typed, the others are by category and title.
 */
export function paletteItems(cmds: Command[], query: string, recent: string[], bindingsOf: (c: Command) => string[]): PaletteItem[] {
  const rank = new Map(recent.map((id, i) => [id, i]));
  const scored: { item: PaletteItem; score: number }[] = [];
  for (const c of cmds) {
    const label = labelOf(c);
    const m = fuzzyMatch(query, label);
    if (!m) continue;
    scored.push({
      item: { command: c, label, positions: m.positions, enabled: Registry.enabled(c), keys: bindingsOf(c), recent: rank.has(c.id) },
      score: m.score,
    });
  }
  scored.sort((a, b) => {
    const ra = rank.get(a.item.command.id) ?? Infinity;
    const rb = rank.get(b.item.command.id) ?? Infinity;
    if (ra !== rb) return ra - rb;
    if (query.trim() && a.score !== b.score) return b.score - a.score;
    return a.item.label.localeCompare(b.item.label);
  });
  return scored.map((s) => s.item);
}

/** Segment is a run of a label, matched (highlighted) or not. */
export interface Segment {
  text: string;
  hit: boolean;
}

/** segments cuts label into runs of matched and unmatched characters. */
export function segments(label: string, positions: number[]): Segment[] {
  const hits = new Set(positions);
  const out: Segment[] = [];
  for (let i = 0; i < label.length; i++) {
    const hit = hits.has(i);
    const last = out[out.length - 1];
    if (last && last.hit === hit) last.text += label[i];
    else out.push({ text: label[i] ?? '', hit });
  }
  return out;
}

/** nextIndex moves a selection by step over items, skipping nothing, wrapping at the ends. */
export function nextIndex(current: number, step: number, count: number): number {
  if (count === 0) return 0;
  return (((current + step) % count) + count) % count;
}

/**
 * conflicts maps each binding in force that more than one command uses to
 * those commands' ids, so the shortcuts list can flag them.
 */
export function conflicts(cmds: Command[], bindingsOf: (c: Command) => string[]): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const c of cmds) {
    for (const k of bindingsOf(c)) {
      const n = normalizeKeys(k);
      if (!n) continue;
      by.set(n, [...(by.get(n) ?? []), c.id]);
    }
  }
  for (const [k, ids] of by) if (ids.length < 2) by.delete(k);
  return by;
}

/**
 * rebind is the user's bindings after giving command c the keys chosen
 * (normalised; "" removes every binding). A choice equal to the default is
 * stored as no override at all, so later default changes apply.
 */
export function rebind(overrides: Record<string, string>, c: Command, keys: string): Record<string, string> {
  const out = { ...overrides };
  const n = normalizeKeys(keys);
  if (n === normalizeKeys(c.keys ?? '') && !c.alias) delete out[c.id];
  else out[c.id] = n;
  return out;
}

/** resetBinding is the user's bindings without their binding of id. */
export function resetBinding(overrides: Record<string, string>, id: string): Record<string, string> {
  const out = { ...overrides };
  delete out[id];
  return out;
}

/** recordChord adds a chord to the one or two being recorded: a third starts again. */
export function recordChord(recorded: string[], chord: string): string[] {
  if (!chord) return recorded;
  return recorded.length >= 2 ? [chord] : [...recorded, chord];
}
