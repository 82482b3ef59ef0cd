// MCP tool calls outside the panel: the approval card of an mcp.call and
// the transcript's line for an mcp__<server>__<tool> call.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setTransport, type Ask, type Transcript, type TranscriptCall, type TranscriptStep } from '../../bridge';
import { fakeBackend, noBackend, run } from '../../test/fakeBackend';
import { ApprovalCard } from '../runs/ApprovalCards';
import { AgentTranscript } from '../runs/AgentTranscript';
import { hashA } from './mcpFixture';

type MCPDetail = NonNullable<NonNullable<Ask['detail']>['mcp']>;

const prettyArgs = '{\n  "repo": "ice/studio",\n  "title": "The greeting is wrong",\n  "labels": [\n    "bug"\n  ]\n}';

const mcpAsk = (detail: Partial<MCPDetail> = {}): Ask => ({
  id: 'q9',
  run: 'r1',
  kind: 'mcp.call',
  target: 'github/create_issue',
  req: { kind: 'mcp.call', server: 'github', tool: 'create_issue', def: hashA },
  reason: 'the policy asks about MCP tools',
  detail: {
    mcp: { server: 'github', tool: 'create_issue', title: 'Create issue', description: 'Create a new issue in a GitHub repository.', arguments: prettyArgs, hash: hashA, ...detail } as MCPDetail,
  },
  seq: 50,
  scopes: [
    { id: 'tool', label: 'this tool', scope: { tool: 'github/create_issue' }, describe: 'github/create_issue' },
    { id: 'server', label: 'every tool of this server', scope: { tool: 'github/*' }, describe: 'any tool of github' },
  ],
});

const card = () => screen.getByRole('region', { name: 'Approval needed' });

describe('<ApprovalCard> for an MCP tool call', () => {
  afterEach(() => setTransport(noBackend()));

  it('shows the server, the tool, its description, the exact arguments as pretty JSON and the definition hash; the choices grant the scope picked', async () => {
    const b = fakeBackend({ AnswerCapability: async () => {} });
    setTransport(b.transport);
    render(<ApprovalCard ask={mcpAsk()} />);
    const c = card();
    expect(c.querySelector('.ask-title')?.textContent).toBe('Call github › create_issue');
    expect(within(c).getByTestId('mcp-server').textContent).toBe('github');
    expect(within(c).getByTestId('mcp-tool').textContent).toBe('create_issue');
    expect(c.textContent).toContain('— Create issue');
    expect(within(c).getByTestId('mcp-description').textContent).toBe('Create a new issue in a GitHub repository.');
    const args = within(c).getByLabelText('Arguments');
    expect(args.tagName).toBe('PRE');
    expect(args.className).toContain('mono');
    expect(args.textContent).toBe(prettyArgs);
    expect(within(c).getByText('a1b2c3d4e5f6').getAttribute('title')).toContain(hashA);
    expect(within(c).getAllByRole('button').map((x) => x.textContent)).toEqual(['Allow once', 'Allow for this run', 'Allow for this workspace', 'Deny']);

    const radios = within(c).getAllByRole('radio');
    expect(radios.map((r) => r.closest('label')?.textContent)).toEqual(['this tool github/create_issue', 'every tool of this server any tool of github']);
    fireEvent.click(radios[1] as HTMLElement);
    fireEvent.click(within(c).getByRole('button', { name: 'Allow for this workspace' }));
    await waitFor(() => expect(b.argsOf('AnswerCapability')).toEqual([{ requestId: 'q9', choice: 'workspace', scope: 'server', reason: '' }]));
  });

  it('folds a long description, as plain text', () => {
    const long = `<b>Fetches</b> a URL.\n${'It can do many things. '.repeat(30)}`;
    render(<ApprovalCard ask={mcpAsk({ description: long })} />);
    const d = within(card()).getByTestId('mcp-description');
    expect(d.querySelector('b')).toBeNull();
    expect(d.textContent?.startsWith('<b>Fetches</b> a URL.')).toBe(true);
    expect(d.textContent?.length).toBeLessThan(long.length);
    fireEvent.click(within(d).getByRole('button', { name: 'Show all of the description' }));
    expect(d.textContent).toContain(long);
  });
});

const call = (name: string, args: unknown, over: Partial<TranscriptCall> = {}): TranscriptCall => ({ name, arguments: JSON.stringify(args), source: 'native', result: '', error: '', seq: 0, ...over });

function transcript(steps: TranscriptStep[]): Transcript {
  return { run: run({ id: 'r1', worker: 'agent' }), steps, promptTokens: 0, evalTokens: 0, tokensPerSecond: 0, notices: [] };
}

const step = (toolCalls: TranscriptCall[]): TranscriptStep => ({
  step: 1,
  seq: 10,
  model: 'tiny:latest',
  digest: '',
  options: {},
  chatOnly: false,
  purpose: '',
  window: 4096,
  estimate: 90,
  sent: 2,
  done: true,
  response: { step: 1, model: 'tiny:latest', content: '', promptTokens: 10, evalTokens: 5, totalNs: 1e9, loadNs: 0, promptEvalNs: 0, evalNs: 1e9, firstTokenMs: 1, wallMs: 1000, chunks: 5, doneReason: 'stop' },
  thinking: '',
  content: '',
  toolCalls,
});

describe('<AgentTranscript> with MCP tool calls', () => {
  afterEach(() => setTransport(noBackend()));

  it('labels them "server › tool" with an MCP badge, shows the arguments as pretty JSON, the result, an error as an error, and Why? for each', async () => {
    const calls = [
      call('read_file', { path: 'a.txt' }, { result: 'hello', seq: 11 }),
      call('mcp__github__create_issue', { repo: 'ice/studio', title: 'Bug' }, { result: 'Created issue #12', seq: 13 }),
      call('mcp__github__delete_repo', { repo: 'ice/studio' }, { error: 'refused: tool definition changed since you allowed it', seq: 15 }),
    ];
    const b = fakeBackend({
      GetTranscript: async () => transcript([step(calls)]),
      WhyAllowed: async ({ seq }) => ({ allowed: seq === 13, decision: 'mcp.call github/create_issue', usedSeq: seq - 1, policySeq: 0, reason: seq === 13 ? 'allowed once by you' : 'tool definition changed since you allowed it' }),
    });
    setTransport(b.transport);
    render(<AgentTranscript run={run({ id: 'r1', worker: 'agent', state: 'validated' })} />);
    const ok = await screen.findByRole('group', { name: 'Tool call mcp__github__create_issue' });
    expect(ok.querySelector('.tr-call-name')?.textContent).toBe('github › create_issue');
    expect(within(ok).getByText('MCP').className).toContain('mcp-badge');
    expect(within(ok).getByLabelText('Arguments of mcp__github__create_issue').textContent).toBe('{\n  "repo": "ice/studio",\n  "title": "Bug"\n}');
    expect(within(ok).getByLabelText('Result of mcp__github__create_issue').textContent).toBe('Created issue #12');

    const bad = screen.getByRole('group', { name: 'Tool call mcp__github__delete_repo' });
    expect(bad.classList.contains('failed')).toBe(true);
    expect(within(bad).getByRole('note').textContent).toBe('Tool error: refused: tool definition changed since you allowed it');

    // A built-in call keeps its name and gets no badge.
    const builtin = screen.getByRole('group', { name: 'Tool call read_file' });
    expect(builtin.querySelector('.tr-call-name')?.textContent).toBe('read_file');
    expect(within(builtin).queryByText('MCP')).toBeNull();

    fireEvent.click(within(ok).getByRole('button', { name: 'Why?' }));
    expect((await within(ok).findByRole('note', { name: 'Why event 13' })).textContent).toContain('Allowed: mcp.call github/create_issue — allowed once by you');
    fireEvent.click(within(bad).getByRole('button', { name: 'Why?' }));
    expect((await within(bad).findByRole('note', { name: 'Why event 15' })).textContent).toContain('Refused: mcp.call github/create_issue — tool definition changed since you allowed it');
    expect(b.argsOf('WhyAllowed')).toEqual([{ seq: 13 }, { seq: 15 }]);
  });
});
