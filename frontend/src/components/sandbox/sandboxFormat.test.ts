import { describe, expect, it } from 'vitest';
import { formatBytes, formatMs, fromLimitsDraft, killedText, limitsText, parseEnv, placeholderOf, statusText, toLimitsDraft, limitFields } from './sandboxFormat';

describe('sandbox formatting', () => {
  it('renders times and sizes in human units', () => {
    expect(formatMs(250)).toBe('250 ms');
    expect(formatMs(1500)).toBe('1.5 s');
    expect(formatMs(90_000)).toBe('90 s');
    expect(formatMs(600_000)).toBe('10 min');
    expect(formatMs(7_200_000)).toBe('2 h');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(16 << 20)).toBe('16 MiB');
    expect(formatBytes(1.5 * (1 << 20))).toBe('1.5 MiB');
    expect(formatBytes(4 * 2 ** 30)).toBe('4 GiB');
  });

  it('fills absent limits with the Studio defaults', () => {
    expect(limitsText({})).toEqual(['CPU 10 min', 'memory 4 GiB', '512 processes', 'wall clock 10 min', 'output 16 MiB']);
    expect(limitsText({ memoryBytes: 1 << 30, processes: 64 })).toEqual(['CPU 10 min', 'memory 1 GiB', '64 processes', 'wall clock 10 min', 'output 16 MiB']);
  });

  it('names the limit a command was killed for, with its value', () => {
    expect(killedText({ limit: 'memory', limits: { memoryBytes: 1 << 30 } })).toBe('killed: memory limit 1 GiB');
    expect(killedText({ limit: 'wall clock', limits: {} })).toBe('killed: wall clock limit 10 min');
    expect(killedText({ limits: {} })).toBe('');
  });

  it('says which sandbox the machine has', () => {
    expect(statusText({ available: true, mode: 'overlayfs', userNs: true, overlay: true, fuse: false, landlockAbi: 7, seccomp: true, unsandboxed: [] })).toBe(
      'Sandbox: overlayfs · Landlock 7 · seccomp',
    );
  });

  it('reads env names separated by commas, spaces or lines, once each', () => {
    expect(parseEnv(' GOFLAGS, NODE_OPTIONS\nGOFLAGS\n\n')).toEqual(['GOFLAGS', 'NODE_OPTIONS']);
  });

  it('round-trips limits through the editor in the largest whole unit', () => {
    const d = toLimitsDraft({ cpuTimeMs: 90_000, memoryBytes: 2 * 2 ** 30, outputBytes: 512 << 20 });
    expect(d.cpuTimeMs).toEqual({ value: '90', unit: 's' });
    expect(d.memoryBytes).toEqual({ value: '2', unit: 'GiB' });
    expect(d.outputBytes).toEqual({ value: '512', unit: 'MiB' });
    expect(d.processes).toEqual({ value: '', unit: '' });
    expect(d.wallClockMs).toEqual({ value: '', unit: 'min' });
    expect(fromLimitsDraft(d)).toEqual({ limits: { cpuTimeMs: 90_000, memoryBytes: 2 * 2 ** 30, outputBytes: 512 << 20 } });
    expect(fromLimitsDraft({ ...d, processes: { value: '-3', unit: '' } })).toEqual({ error: expect.stringContaining('processes') });
    const mem = limitFields.find((f) => f.key === 'memoryBytes');
    expect(mem && placeholderOf(mem, 'MiB')).toBe('4096 (default)');
  });
});
