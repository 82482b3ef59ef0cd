import { describe, expect, it } from 'vitest';
import { displayName, fitText, formatTokens, loadedText, memoryText, untilText } from './modelsFormat';

const gib = 1024 ** 3;

describe('modelsFormat', () => {
  it('formats context lengths', () => {
    expect(formatTokens(131072)).toBe('128k');
    expect(formatTokens(2048)).toBe('2k');
    expect(formatTokens(1500)).toBe('1,500');
    expect(formatTokens(0)).toBe('');
  });

  it('says whether a model fits, with the numbers', () => {
    const f = { verdict: 'tight', window: 8192, weights: 4 * gib, kvCache: gib, need: 5 * gib, total: 16 * gib, available: 6 * gib };
    expect(fitText(f)).toEqual({ label: 'tight', detail: 'needs 5.0 GiB (4.0 GiB + 1.0 GiB of cache for 8k tokens); 6.0 GiB free of 16.0 GiB' });
    expect(fitText({ ...f, verdict: 'wont' }).label).toBe("won't fit");
    expect(fitText({ ...f, kvCache: 0, need: 4 * gib, verdict: 'fits' }).detail).toBe('needs 4.0 GiB (weights; cache size unknown); 6.0 GiB free of 16.0 GiB');
    expect(fitText({ ...f, verdict: 'unknown', total: 0, available: 0 })).toEqual({ label: 'unknown', detail: "this system's memory is not known" });
    expect(fitText(undefined).label).toBe('unknown');
  });

  it('describes a loaded model and when it unloads', () => {
    const now = new Date(2026, 0, 2, 3, 4, 5).getTime();
    const at = new Date(2026, 0, 2, 3, 9, 5).getTime();
    expect(untilText(at, now)).toBe('until 03:09');
    expect(untilText(0, now)).toBe('');
    expect(untilText(now + 400 * 24 * 3600 * 1000, now)).toBe('kept loaded');
    expect(loadedText({ name: 'x', size: 5 * gib, vram: gib, expiresAt: at, contextLength: 8192 }, now)).toBe('4.0 GiB in RAM, 1.0 GiB in VRAM, 8k context, until 03:09');
    expect(loadedText({ name: 'x', size: 2 * gib, vram: 0, expiresAt: 0 }, now)).toBe('2.0 GiB in RAM');
  });

  it('names models without :latest and says when memory is unknown', () => {
    expect(displayName({ name: 'nomic-embed-text:latest', display: 'nomic-embed-text' })).toBe('nomic-embed-text');
    expect(displayName({ name: 'old:latest' })).toBe('old:latest');
    expect(memoryText({ total: 16 * gib, available: 8 * gib })).toBe('This machine: 16.0 GiB of RAM, 8.0 GiB free now.');
    expect(memoryText(undefined)).toMatch(/unknown/);
  });
});
