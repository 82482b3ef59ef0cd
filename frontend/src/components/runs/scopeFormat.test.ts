import { describe, expect, it } from 'vitest';
import type { Ask, ScopeChoice } from '../../bridge';
import { scopeChoiceText } from '../capabilities/capFormat';
import { batchScopes, batchTitle, durationBlocked, globsText, groupAsks, kindNoun, scopeOptions } from './scopeFormat';

/** fileScopes are the scopes the kernel computes for a file path (kernel.ScopeChoices). */
function fileScopes(path: string): ScopeChoice[] {
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const ext = path.slice(path.lastIndexOf('.'));
  const out: ScopeChoice[] = [{ id: 'exact', label: 'this file', scope: { glob: path }, describe: path }];
  if (dir) out.push({ id: 'folder', label: 'this folder', scope: { glob: `${dir}/**` }, describe: `${dir}/**` });
  out.push({ id: 'like', label: 'files like it', scope: { glob: `**/*${ext}` }, describe: `**/*${ext}` });
  out.push({ id: 'all', label: 'every file this run touches', scope: { glob: '**' }, describe: '**', runOnly: true });
  return out;
}

function write(id: string, path: string, run = 'r1', seq = 1): Ask {
  return { id, run, kind: 'fs.write', target: path, req: { kind: 'fs.write', path }, reason: 'the policy asks', seq, scopes: fileScopes(path) };
}

describe('scopeOptions', () => {
  it('are the kernel’s choices, or the exact request when it sent none', () => {
    expect(scopeOptions(write('a', 'src/a/b.go')).map((c) => c.describe)).toEqual(['src/a/b.go', 'src/a/**', '**/*.go', '**']);
    const bare: Ask = { id: 'n', run: 'r', kind: 'net.http', target: 'example.com:443', req: { kind: 'net.http' }, reason: '', seq: 1 };
    expect(scopeOptions(bare)).toEqual([{ id: 'exact', label: 'exactly this', scope: {}, describe: 'example.com:443' }]);
  });

  it('show the glob granted with the words', () => {
    expect(scopeChoiceText({ label: 'this folder', describe: 'src/a/**' })).toBe('this folder: src/a/**');
    expect(scopeChoiceText({ label: 'exactly this', describe: '' })).toBe('exactly this');
  });

  it('block only the run-wide scope for the workspace', () => {
    expect(durationBlocked(true, 'workspace')).toContain('only be allowed for this run');
    expect(durationBlocked(true, 'run')).toBe('');
    expect(durationBlocked(false, 'workspace')).toBe('');
  });
});

describe('groupAsks', () => {
  it('puts the pending asks of one run and one kind together, in the order of their first ask', () => {
    const cmd: Ask = { id: 'c', run: 'r1', kind: 'shell.exec', target: 'go test', req: { kind: 'shell.exec', argv: ['go', 'test'] }, reason: '', seq: 2 };
    const groups = groupAsks([write('w3', 'c.go', 'r1', 5), cmd, write('w1', 'a.go', 'r1', 1), write('o1', 'a.go', 'r2', 3), write('w2', 'b.go', 'r1', 4)]);
    expect(groups.map((g) => [g.run, g.kind, g.asks.map((a) => a.id)])).toEqual([
      ['r1', 'fs.write', ['w1', 'w2', 'w3']],
      ['r1', 'shell.exec', ['c']],
      ['r2', 'fs.write', ['o1']],
    ]);
  });
});

describe('batch titles and scopes', () => {
  it('says how many of what the batch allows', () => {
    expect(batchTitle('fs.write', 200, 200)).toBe('Allow all 200 writes of this run');
    expect(batchTitle('fs.write', 200, 199)).toBe('Allow 199 of 200 writes of this run');
    expect(batchTitle('shell.exec', 2, 0)).toBe('No commands chosen of 2');
    expect(kindNoun('net.http', 1)).toBe('1 connection');
    expect(kindNoun('fs.write', 1200)).toBe('1,200 writes');
  });

  it('offers the scopes every ask has, with the distinct globs they grant', () => {
    const asks = [write('1', 'src/a/x.go'), write('2', 'src/a/y.go'), write('3', 'src/b/z.go'), write('4', 'lib/w.go')];
    const s = batchScopes(asks);
    expect(s.map((b) => [b.id, b.label, b.globs, b.runOnly])).toEqual([
      ['exact', 'each one as it is', ['src/a/x.go', 'src/a/y.go', 'src/b/z.go', 'lib/w.go'], false],
      ['folder', 'their 3 folders', ['src/a/**', 'src/b/**', 'lib/**'], false],
      ['like', 'files like them', ['**/*.go'], false],
      ['all', 'every file this run touches', ['**'], true],
    ]);
    // A root file has no folder choice: the batch offers none either.
    expect(batchScopes([write('1', 'src/a/x.go'), write('2', 'main.go')]).map((b) => b.id)).toEqual(['exact', 'like', 'all']);
    expect(batchScopes([])).toEqual([]);
  });

  it('lists a few globs and counts the rest', () => {
    expect(globsText(['a', 'b'])).toBe('a, b');
    expect(globsText(['a', 'b', 'c', 'd', 'e'])).toBe('a, b, c and 2 more');
  });
});
