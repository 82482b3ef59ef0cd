import { describe, expect, it } from 'vitest';
import { attention, definitionText, foldUnchanged, groupServers, lineDiff, parseMCPToolName, pinState, pinText, toolLabel } from './mcpFormat';
import { hashA, hashB, mcpState, server, tool } from './mcpFixture';

describe('parseMCPToolName', () => {
  it.each([
    ['mcp__github__create_issue', { server: 'github', tool: 'create_issue' }],
    ['mcp__fs__read__text', { server: 'fs', tool: 'read__text' }],
    ['mcp__my-srv__x', { server: 'my-srv', tool: 'x' }],
    ['read_file', null],
    ['mcp__github', null],
    ['mcp____tool', null],
    ['mcp__github__', null],
  ])('%s', (name, want) => {
    expect(parseMCPToolName(name)).toEqual(want);
  });

  it('labels an MCP tool "server › tool" and leaves built-in names alone', () => {
    expect(toolLabel('mcp__github__create_issue')).toBe('github › create_issue');
    expect(toolLabel('read_file')).toBe('read_file');
  });
});

describe('pinState', () => {
  it('tells a tool never allowed, pinned, and changed since', () => {
    expect(pinText(pinState([], 'x'))).toBe('not yet allowed');
    expect(pinText(pinState([{ tool: 'x', pinned: '', current: hashA, changed: false }], 'x'))).toBe('not yet allowed');
    expect(pinText(pinState([{ tool: 'x', pinned: hashA, current: hashA, changed: false }], 'x'))).toBe('pinned a1b2c3d4e5f6');
    expect(pinState([{ tool: 'x', pinned: hashA, current: hashB, changed: true }], 'x')).toEqual({ kind: 'changed', pinned: hashA, current: hashB });
    expect(pinText(pinState(null, 'x'))).toBe('not yet allowed');
  });
});

describe('groupServers and attention', () => {
  it('groups by source in the panel order, each by name, and counts what needs a look', () => {
    const st = mcpState([
      server({ name: 'zeta' }),
      server({ name: 'proj', source: 'project', trusted: false, state: 'stopped', pins: [] }),
      server({ name: 'alpha', state: 'crashed', pins: [{ tool: 'create_issue', pinned: hashA, current: hashB, changed: true }] }),
      server({ name: 'g', source: 'global' }),
    ]);
    expect(groupServers(st.servers).map((g) => [g.source, g.servers.map((s) => s.name)])).toEqual([
      ['workspace', ['alpha', 'zeta']],
      ['global', ['g']],
      ['project', ['proj']],
    ]);
    // alpha crashed and has a changed pin; proj waits for approval.
    expect(attention(st)).toBe(3);
    expect(attention(mcpState([server()]))).toBe(0);
    expect(attention(null)).toBe(0);
  });
});

describe('lineDiff', () => {
  it('keeps common lines and marks what was removed before what was added', () => {
    expect(lineDiff('a\nb\nc\nd', 'a\nB\nc\nd\ne')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'del', text: 'b' },
      { kind: 'add', text: 'B' },
      { kind: 'same', text: 'c' },
      { kind: 'same', text: 'd' },
      { kind: 'add', text: 'e' },
    ]);
    expect(lineDiff('x', 'x')).toEqual([{ kind: 'same', text: 'x' }]);
    expect(lineDiff('', 'y').filter((l) => l.kind !== 'same')).toEqual([
      { kind: 'del', text: '' },
      { kind: 'add', text: 'y' },
    ]);
  });

  it('folds long unchanged runs, keeping context around each change', () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i}`);
    const after = [...before];
    after[10] = 'changed';
    const folded = foldUnchanged(lineDiff(before.join('\n'), after.join('\n')), 2);
    expect(folded.map((l) => (l.kind === 'same' ? l.text : `${l.kind}:${l.text}`))).toEqual([
      'skip:… 8 unchanged lines',
      'l8',
      'l9',
      'del:l10',
      'add:changed',
      'l11',
      'l12',
      'skip:… 7 unchanged lines',
    ]);
  });
});

describe('definitionText', () => {
  it('is the hashed fields with sorted keys, so a reordered schema shows no change', () => {
    const a = definitionText(tool({ inputSchema: { type: 'object', properties: { b: { type: 'string' }, a: { type: 'number' } } } }));
    const b = definitionText(tool({ inputSchema: { properties: { a: { type: 'number' }, b: { type: 'string' } }, type: 'object' } }));
    expect(a).toBe(b);
    expect(JSON.parse(a)).toEqual({ name: 'create_issue', description: 'Create an issue in a repository.', inputSchema: { properties: { a: { type: 'number' }, b: { type: 'string' } }, type: 'object' } });
    expect(lineDiff(a, b).every((l) => l.kind === 'same')).toBe(true);
  });
});
