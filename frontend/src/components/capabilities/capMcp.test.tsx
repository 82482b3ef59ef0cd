// The mcp.call kind in the policy editor and in words.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setTransport, type CapabilityState, type CapRule } from '../../bridge';
import { fakeBackend, noBackend } from '../../test/fakeBackend';
import { CapabilitiesPanel } from './CapabilitiesPanel';
import { askTitle, ruleShadow, ruleText, scopeCovers, scopeFrom, scopeInput, scopeText } from './capFormat';

describe('mcp.call scopes in words', () => {
  it.each([
    [{ tool: 'github/create_issue' }, 'github/create_issue'],
    [{ tool: 'github/*' }, 'any tool of github'],
    [{ tool: '*/*' }, 'any MCP tool'],
    [{ tool: 'git*/*' }, 'git*/*'],
    [{ tool: 'github/create_issue', args: { '/repo': 'ice/*' } }, 'github/create_issue where /repo is ice/*'],
    [{ tool: 'fs/*', args: { '/path': 'docs/**', '/mode': 'read' } }, 'any tool of fs where /mode is read and /path is docs/**'],
  ])('%j is "%s"', (scope, want) => {
    expect(scopeText('mcp.call', scope)).toBe(want);
  });

  it('reads the typed scope "server/tool /pointer=glob …" and writes it back the same way', () => {
    expect(scopeFrom('mcp.call', '  github/*  ')).toEqual({ tool: 'github/*' });
    expect(scopeFrom('mcp.call', 'github/create_issue /repo=ice/* /title=Bug*')).toEqual({ tool: 'github/create_issue', args: { '/repo': 'ice/*', '/title': 'Bug*' } });
    // A pattern may hold "=" itself; a word without one is kept for the backend to refuse.
    expect(scopeFrom('mcp.call', 'x/y /q=a=b /oops')).toEqual({ tool: 'x/y', args: { '/q': 'a=b', '/oops': '' } });
    expect(scopeInput('mcp.call', { tool: 'github/create_issue', args: { '/title': 'Bug*', '/repo': 'ice/*' } })).toBe('github/create_issue /repo=ice/* /title=Bug*');
    expect(scopeFrom('mcp.call', '')).toEqual({});
  });

  it('titles an ask by its server and tool', () => {
    expect(askTitle({ kind: 'mcp.call', target: 'github/create_issue', req: { kind: 'mcp.call', server: 'github', tool: 'create_issue' } })).toBe('Call github › create_issue');
  });

  it('tells a rule no call can reach past a broader one', () => {
    const rules: CapRule[] = [
      { kind: 'mcp.call', scope: { tool: 'github/*' }, effect: 'ask' },
      { kind: 'mcp.call', scope: { tool: 'github/create_issue', args: { '/repo': 'ice/*' } }, effect: 'allow' },
      { kind: 'mcp.call', scope: { tool: 'fs/read' }, effect: 'allow' },
      { kind: 'mcp.call', scope: { tool: 'FS/*' }, effect: 'deny' },
    ];
    expect(ruleShadow(rules, 1)?.text).toBe('Never matches: rule 1 (ask mcp.call on any tool of github) comes first and covers everything it does.');
    expect(ruleShadow(rules, 2)?.by).toBe(4);
    expect(ruleShadow(rules, 0)).toBeNull();
    expect(scopeCovers('mcp.call', { tool: 'github/*' }, { tool: 'gitlab/x' }, 'allow')).toBe(false);
    expect(scopeCovers('mcp.call', { tool: 'a/b', args: { '/p': 'x' } }, { tool: 'a/b' }, 'allow')).toBe(false);
    expect(scopeCovers('mcp.call', { tool: '*/*' }, { tool: 'a/b', args: { '/p': 'x' } }, 'allow')).toBe(true);
    expect(ruleText(rules[1] as CapRule)).toBe('allow mcp.call on github/create_issue where /repo is ice/*');
  });
});

const policy = { rules: [{ kind: 'fs.read', scope: { glob: '**' }, effect: 'allow' }], sandbox: { limits: {} } };

const state = (over: Partial<CapabilityState> = {}): CapabilityState => ({
  policy,
  policySeq: 0,
  default: policy,
  grants: [],
  asks: [],
  kinds: ['fs.read', 'fs.write', 'shell.exec', 'net.http', 'model.invoke', 'memory.write', 'mcp.call'],
  profiles: {},
  ...over,
});

describe('<CapabilitiesPanel> with an mcp.call rule', () => {
  afterEach(() => setTransport(noBackend()));

  it('takes an mcp.call rule with argument patterns, says it in words, and saves its scope', async () => {
    const b = fakeBackend({
      CapabilityState: async () => state(),
      ListEvents: async () => ({ total: 0, offset: 0, rows: [] }),
      SetPolicy: async ({ policy: p }) => state({ policy: p, policySeq: 90 }),
    });
    setTransport(b.transport);
    render(<CapabilitiesPanel workspaceId="w1" />);
    await screen.findByText('Default policy');
    fireEvent.click(screen.getByRole('button', { name: 'Add rule' }));
    fireEvent.change(screen.getByLabelText('Kind of rule 2'), { target: { value: 'mcp.call' } });
    const scope = screen.getByLabelText('Scope of rule 2') as HTMLInputElement;
    expect(scope.value).toBe('');
    expect(scope.placeholder).toBe('server/tool, e.g. github/* /repo=ice/*');
    fireEvent.change(scope, { target: { value: 'github/* /repo=ice/*' } });
    const row = screen.getAllByTestId('policy-rule')[1] as HTMLElement;
    expect(within(row).getByTestId('scope-words').textContent).toBe('any tool of github where /repo is ice/*');
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    await screen.findByText(/Changed by you.*event #90/);
    expect(b.argsOf('SetPolicy')[0]?.policy.rules).toEqual([
      { kind: 'fs.read', scope: { glob: '**' }, effect: 'allow' },
      { kind: 'mcp.call', scope: { tool: 'github/*', args: { '/repo': 'ice/*' } }, effect: 'ask' },
    ]);
    // Read back from the saved policy, the rule shows as it was typed.
    await waitFor(() => expect((screen.getByLabelText('Scope of rule 2') as HTMLInputElement).value).toBe('github/* /repo=ice/*'));
  });

  it('grants an MCP tool standing, with its scope', async () => {
    const b = fakeBackend({
      CapabilityState: async () => state(),
      ListEvents: async () => ({ total: 0, offset: 0, rows: [] }),
      Grant: async () => ({ id: 'g1', kind: 'mcp.call', scope: { tool: 'github/create_issue' }, workspace: 'w1', issuedBy: 'user', reason: '', grantedAt: 0, grantedSeq: 3, uses: 0, revoked: false, expired: false, describe: 'github/create_issue' }),
    });
    setTransport(b.transport);
    render(<CapabilitiesPanel workspaceId="w1" />);
    await screen.findByText('Default policy');
    fireEvent.change(screen.getByLabelText('Grant kind'), { target: { value: 'mcp.call' } });
    fireEvent.change(screen.getByLabelText('Grant scope'), { target: { value: 'github/create_issue' } });
    fireEvent.click(screen.getByRole('button', { name: 'Grant' }));
    await waitFor(() => expect(b.argsOf('Grant')[0]?.scope).toEqual({ tool: 'github/create_issue' }));
    expect(b.argsOf('Grant')[0]?.kind).toBe('mcp.call');
  });
});
