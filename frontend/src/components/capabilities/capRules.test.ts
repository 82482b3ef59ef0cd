// A policy rule that can never match is flagged: an earlier rule of the
// same kind covers it, or a deny rule (checked before every other rule)
// does. "Covers" is exact for each kind's scope, never a guess.
import { describe, expect, it } from 'vitest';
import type { CapRule } from '../../bridge';
import { ruleShadow, scopeCovers } from './capFormat';

const r = (kind: string, scope: CapRule['scope'], effect = 'allow'): CapRule => ({ kind, scope, effect });

describe('scopeCovers', () => {
  it.each([
    // fs: ** covers every path; identical globs cover each other; nothing else is claimed.
    ['fs.read', { glob: '**' }, { glob: 'src/**' }, 'allow', true],
    ['fs.read', { glob: './**' }, { glob: 'a.txt' }, 'allow', true],
    ['fs.read', { glob: 'src/**' }, { glob: 'src/**' }, 'allow', true],
    ['fs.read', { glob: 'src/**' }, { glob: './src/**' }, 'allow', true],
    ['fs.read', { glob: 'src/**' }, { glob: 'src/a.go' }, 'allow', false],
    ['fs.read', { glob: '*.md' }, { glob: '**' }, 'allow', false],
    ['fs.read', { glob: 'src/**' }, { glob: '**' }, 'allow', false],
    // ** reaches into .git for writes only when denying (a deny matches loosely).
    ['fs.write', { glob: '**' }, { glob: '.git/hooks/**' }, 'allow', false],
    ['fs.write', { glob: '**' }, { glob: '.git/hooks/**' }, 'deny', true],
    ['fs.write', { glob: '**' }, { glob: 'docs/**' }, 'ask', true],
    ['fs.read', {}, { glob: 'a.txt' }, 'allow', false],
    // shell: * covers any command; a prefix covers a longer one of plain words.
    ['shell.exec', { argv: ['*'] }, { argv: ['go', 'test'] }, 'allow', true],
    ['shell.exec', { argv: ['go'] }, { argv: ['go', 'test'] }, 'allow', true],
    ['shell.exec', { argv: ['go'] }, { argv: ['go', 'a;b'] }, 'allow', false],
    ['shell.exec', { argv: ['go', 'test'] }, { argv: ['go'] }, 'allow', false],
    ['shell.exec', { argv: ['go'] }, { argv: ['*'] }, 'allow', false],
    // net: * covers every host on the same ports; *.example.com its subdomains.
    ['net.http', { host: '*' }, { host: 'api.github.com' }, 'deny', true],
    ['net.http', { host: '*' }, { host: 'api.github.com:443' }, 'deny', true],
    ['net.http', { host: '*' }, { host: 'localhost:8080' }, 'deny', false],
    ['net.http', { host: '*:8080' }, { host: 'localhost:8080' }, 'deny', true],
    ['net.http', { host: '*.example.com' }, { host: 'api.example.com' }, 'allow', true],
    ['net.http', { host: '*.example.com' }, { host: 'example.com' }, 'allow', false],
    ['net.http', { host: 'Example.com' }, { host: 'example.com' }, 'allow', true],
    // model: * covers every model at the same (or any) endpoint.
    ['model.invoke', { model: '*' }, { model: 'llama3' }, 'allow', true],
    ['model.invoke', { model: '*', endpoint: 'localhost:11434' }, { model: 'llama3' }, 'allow', false],
    ['model.invoke', { model: 'llama3*' }, { model: 'llama3:8b' }, 'allow', false],
    ['memory.write', { memory: '*' }, { memory: 'global' }, 'ask', true],
    ['memory.write', { memory: 'workspace' }, { memory: 'global' }, 'ask', false],
  ])('%s %j covers %j (%s): %s', (kind, a, b, effect, want) => {
    expect(scopeCovers(kind, a, b, effect)).toBe(want);
  });
});

describe('ruleShadow', () => {
  it('flags a rule placed after a catch-all of its kind', () => {
    const rules = [r('fs.read', { glob: '**' }, 'allow'), r('fs.write', { glob: '**' }, 'ask'), r('fs.read', { glob: 'secret/**' }, 'ask')];
    expect(ruleShadow(rules, 0)).toBeNull();
    expect(ruleShadow(rules, 1)).toBeNull();
    expect(ruleShadow(rules, 2)).toEqual({ by: 1, text: 'Never matches: rule 1 (allow fs.read on **) comes first and covers everything it does.' });
  });

  it('does not flag a narrower rule before a catch-all, nor rules of other kinds', () => {
    const rules = [r('fs.read', { glob: 'secret/**' }, 'ask'), r('fs.read', { glob: '**' }, 'allow'), r('net.http', { host: '*' }, 'allow')];
    expect(rules.map((_, i) => ruleShadow(rules, i))).toEqual([null, null, null]);
  });

  it('knows deny rules are checked first, wherever they are', () => {
    const rules = [r('net.http', { host: 'api.github.com' }, 'allow'), r('net.http', { host: '*' }, 'deny'), r('net.http', { host: 'x.org' }, 'deny')];
    expect(ruleShadow(rules, 0)?.text).toBe('Never matches: rule 2 (deny net.http on *) denies everything it covers, and deny rules are checked first.');
    expect(ruleShadow(rules, 1)).toBeNull();
    expect(ruleShadow(rules, 2)?.text).toBe('Never matches: rule 2 (deny net.http on *) already denies everything it covers.');
  });
});
