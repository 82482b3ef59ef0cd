import { describe, expect, it } from 'vitest';
import { clip, size, summaries, summarize } from './eventSummary';

const row = (type: string, payload: unknown, run = '') => ({ type, run, stream: '', workspace: '', preview: JSON.stringify(payload) });

describe('summarize', () => {
  it('has a summary for every type that reads an empty or missing payload without failing', () => {
    const types = Object.keys(summaries);
    expect(types.length).toBeGreaterThan(60);
    for (const type of types) {
      const a = summarize({ type, run: '', stream: '', workspace: '', preview: '{}' });
      const b = summarize({ type, run: '', stream: '', workspace: '' });
      expect(a, type).not.toBe('');
      expect(a, type).not.toMatch(/undefined|NaN|\[object/);
      expect(b, type).toBe(a);
    }
  });

  it('says what an effect, a decision and an answer were', () => {
    const run = '01J9ZZZZZZZZZZZZZZ1a2b3c4d';
    expect(summarize(row('effect.file_staged', { path: 'src/a.go', op: 'write' }, run))).toBe('run …1a2b3c4d wrote src/a.go (staged)');
    expect(summarize(row('effect.file_written', { path: 'old.txt', op: 'delete' }, run))).toBe('run …1a2b3c4d deleted old.txt on disk');
    expect(summarize(row('capability.approved', { request: 'q1', choice: 'run', scope: 'folder' }))).toBe('user allowed its folder for this run');
    expect(summarize(row('capability.approved', { request: 'q1', requests: ['q1', 'q2', 'q3'], choice: 'workspace' }))).toBe(
      'user allowed the request for this workspace (3 requests)',
    );
    expect(summarize(row('capability.granted', { kind: 'fs.write', scope: { glob: 'src/**' }, run, issuedBy: 'user' }))).toBe(
      'granted fs.write src/** for this run (by user)',
    );
    expect(summarize(row('capability.refused', { request: 'q1', choice: 'deny', reason: 'not that file' }))).toBe('user refused: not that file');
    expect(summarize(row('inference.response', { step: 2, evalTokens: 120, content: 'Done.' }))).toBe('step 2: model answered 120 tokens: “Done.”');
    expect(summarize(row('inference.response', { step: 1, error: 'llama runner crashed' }))).toBe('step 1: model failed: llama runner crashed');
    expect(summarize(row('effect.command_executed', { argv: ['go', 'test', './...'], exitCode: 1 }, run))).toBe('run …1a2b3c4d ran go test ./... → exit 1');
    expect(summarize(row('run.created', { task: 'Rename the parser\nand its tests', model: 'tiny' }))).toBe('run created with tiny: “Rename the parser and its tests”');
    expect(summarize(row('model.pull_progress', { model: 'tiny', total: 400, completed: 100 }))).toBe('pull of tiny: 25%');
    expect(summarize(row('settings.changed', { changes: [{ key: 'defaultChat' }, { key: 'numCtx' }] }))).toBe('user changed defaultChat, numCtx');
  });

  it('counts the files of a shortened list', () => {
    const files = [...Array.from({ length: 8 }, (_, i) => ({ path: `f${i}.go` })), '… 12 more'];
    expect(size(files)).toBe(20);
    expect(summarize(row('run.committing', { files }))).toBe('writing f0.go and 19 more');
    expect(summarize(row('run.committing', { files: [{ path: 'a' }, { path: 'b' }] }))).toBe('writing a and b');
  });

  it('names an unknown type or a broken payload plainly', () => {
    expect(summarize({ type: 'future.thing', run: '', stream: '', workspace: '', preview: '{}' })).toBe('future.thing');
    expect(summarize({ type: 'effect.file_read', run: '', stream: '', workspace: '', preview: '{not json' })).toBe('read');
    expect(clip('a   b\n c', 60)).toBe('a b c');
    expect(clip('x'.repeat(80), 10)).toBe('xxxxxxxxx…');
  });
});
