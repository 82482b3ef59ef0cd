// The Output panel's log: every toast and notice the Studio showed, with the
// time it appeared, kept after the toast is gone (the last 500).
import { useSyncExternalStore } from 'react';
import { store as defaultStore, type Store } from '../../store';

export interface OutputLine {
  id: number;
  at: number;
  kind: 'error' | 'info' | 'notice';
  text: string;
}

const limit = 500;

/** OutputLog follows a store and keeps what it showed as lines. */
export class OutputLog {
  private lines: OutputLine[] = [];
  private seenToasts = new Set<number>();
  private seenNotices: string[] = [];
  private next = 1;
  private listeners = new Set<() => void>();
  private off: (() => void) | null = null;

  constructor(
    private readonly source: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** start follows the store (once); lines already on screen are taken in. */
  start(): void {
    if (this.off) return;
    this.off = this.source.subscribe(() => this.take());
    this.take();
  }

  private take(): void {
    const s = this.source.get();
    const added: OutputLine[] = [];
    for (const t of s.toasts) {
      if (this.seenToasts.has(t.id)) continue;
      this.seenToasts.add(t.id);
      added.push({ id: this.next++, at: this.now(), kind: t.kind, text: t.text });
    }
    for (const n of s.notices) if (!this.seenNotices.includes(n)) added.push({ id: this.next++, at: this.now(), kind: 'notice', text: n });
    this.seenNotices = [...s.notices];
    if (added.length === 0) return;
    this.lines = [...this.lines, ...added].slice(-limit);
    this.listeners.forEach((l) => l());
  }

  clear = (): void => {
    this.lines = [];
    this.listeners.forEach((l) => l());
  };

  all = (): OutputLine[] => this.lines;

  subscribe = (l: () => void): (() => void) => {
    this.start();
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
}

export const outputLog = new OutputLog(defaultStore);

/** useOutputLog is the log's lines, kept current. */
export function useOutputLog(log: OutputLog = outputLog): OutputLine[] {
  return useSyncExternalStore(log.subscribe, log.all);
}
