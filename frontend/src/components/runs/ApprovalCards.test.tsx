import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setTransport, type Ask, type SandboxDetail } from '../../bridge';
import { fakeBackend, noBackend } from '../../test/fakeBackend';
import { ApprovalCard } from './ApprovalCards';

const shell = (sandbox: SandboxDetail): Ask => ({
  id: 'q1',
  run: 'r1',
  kind: 'shell.exec',
  target: 'go test ./...',
  req: { kind: 'shell.exec', argv: ['go', 'test', './...'], dir: '.' },
  reason: 'the policy asks',
  detail: { argv: ['go', 'test', './...'], dir: '.', sandbox },
  seq: 41,
});

const card = () => screen.getByRole('region', { name: 'Approval needed' });
const sandboxNote = () => within(card()).getByRole('note', { name: 'Sandbox' });
const allowButtons = () => within(card()).getAllByRole('button').map((b) => b.textContent);

describe('<ApprovalCard> for a command', () => {
  afterEach(() => setTransport(noBackend()));

  it('says the command runs in the sandbox without network, with its limits in human units', () => {
    render(<ApprovalCard ask={shell({ mode: 'overlayfs', network: 'none', writable: ['a scratch layer over the workspace'], limits: { memoryBytes: 1 << 30, cpuTimeMs: 90_000 } })} />);
    expect(within(card()).getByText('go test ./...', { selector: 'dd' })).toBeTruthy();
    const note = sandboxNote();
    expect(note.textContent).toContain('Runs in the sandbox (overlayfs): writes land in a scratch layer and come back as staged changes');
    expect(within(note).getByTestId('ask-network').textContent).toBe('No network');
    expect(note.textContent).toContain('Private /tmp and home');
    expect(within(note).getByTestId('ask-limits').textContent).toBe('Limits: CPU 90 s · memory 1 GiB · 512 processes · wall clock 10 min · output 16 MiB');
    expect(note.classList.contains('danger')).toBe(false);
    expect(note.textContent).not.toContain('UNSANDBOXED');
  });

  it("says the network goes only through the kernel's proxy", () => {
    render(<ApprovalCard ask={shell({ mode: 'fuse-overlayfs', network: 'proxy', writable: [], limits: {} })} />);
    expect(within(sandboxNote()).getByTestId('ask-network').textContent).toBe("Network only through the kernel's proxy: every connection is asked for and decided");
    expect(sandboxNote().textContent).toContain('(fuse-overlayfs)');
  });

  it('warns in red when the workspace runs commands unsandboxed', () => {
    render(<ApprovalCard ask={shell({ mode: 'unsandboxed', network: 'none', writable: [], limits: {} })} />);
    const note = sandboxNote();
    expect(note.classList.contains('danger')).toBe(true);
    expect(note.textContent).toContain('Runs UNSANDBOXED with your full rights (workspace setting)');
    expect(note.textContent).not.toContain('Runs in the sandbox');
    expect(within(note).getByTestId('ask-limits').textContent).toContain('CPU 10 min');
  });

  it('says why a command cannot be sandboxed here, and still offers the choices', () => {
    render(<ApprovalCard ask={shell({ mode: '', network: 'none', writable: [], limits: {}, reason: 'user namespaces are disabled (kernel.unprivileged_userns_clone=0)' })} />);
    const note = sandboxNote();
    expect(note.textContent).toContain('Commands cannot be sandboxed here: user namespaces are disabled');
    expect(note.classList.contains('warn')).toBe(true);
    expect(allowButtons()).toEqual(['Allow once', 'Allow for this run', 'Allow for this workspace', 'Deny']);
  });
});

describe('<ApprovalCard> for a connection', () => {
  it("shows host:port and that the command's connection waits", () => {
    const ask: Ask = { id: 'q2', run: 'r1', kind: 'net.http', target: 'proxy.golang.org:443', req: { kind: 'net.http', host: 'proxy.golang.org', port: 443 }, reason: 'asks', detail: { host: 'proxy.golang.org' }, seq: 42 };
    render(<ApprovalCard ask={ask} />);
    expect(within(card()).getByText('proxy.golang.org:443')).toBeTruthy();
    expect(card().textContent).toContain("The command's connection waits for your answer");
  });
});

describe('<ApprovalCard> Deny with a reason', () => {
  const write: Ask = { id: 'q3', run: 'r1', kind: 'fs.write', target: 'notes.txt', req: { kind: 'fs.write', path: 'notes.txt' }, reason: 'asks', detail: { op: 'write', base: '', after: '' }, seq: 43 };
  afterEach(() => setTransport(noBackend()));

  it('sends the reason typed with Deny, and none with an allow', async () => {
    const b = fakeBackend({ AnswerCapability: async () => {}, ReadBlob: async ({ hash }) => ({ hash, text: '', size: 0, binary: false, truncated: false }) });
    setTransport(b.transport);
    const { unmount } = render(<ApprovalCard ask={write} explain />);
    const field = within(card()).getByRole('textbox', { name: 'Reason for denying' }) as HTMLInputElement;
    expect(field.placeholder).toBe('Tell the model why (optional)');
    fireEvent.change(field, { target: { value: ' Keep the greeting: the README quotes it. ' } });
    fireEvent.click(within(card()).getByRole('button', { name: 'Deny' }));
    await waitFor(() => expect(b.argsOf('AnswerCapability')).toEqual([{ requestId: 'q3', choice: 'deny', reason: 'Keep the greeting: the README quotes it.' }]));
    unmount();

    render(<ApprovalCard ask={write} explain />);
    fireEvent.change(within(card()).getByRole('textbox', { name: 'Reason for denying' }), { target: { value: 'typed, then allowed' } });
    fireEvent.click(within(card()).getByRole('button', { name: 'Allow once' }));
    await waitFor(() => expect(b.argsOf('AnswerCapability').at(-1)).toEqual({ requestId: 'q3', choice: 'once', reason: '' }));
  });

  it('denies on Enter in the reason field, and offers no field when there is no model to tell', async () => {
    const b = fakeBackend({ AnswerCapability: async () => {}, ReadBlob: async ({ hash }) => ({ hash, text: '', size: 0, binary: false, truncated: false }) });
    setTransport(b.transport);
    const { unmount } = render(<ApprovalCard ask={write} explain />);
    const field = within(card()).getByRole('textbox', { name: 'Reason for denying' });
    fireEvent.change(field, { target: { value: 'No.' } });
    fireEvent.keyDown(field, { key: 'Enter' });
    await waitFor(() => expect(b.argsOf('AnswerCapability')).toEqual([{ requestId: 'q3', choice: 'deny', reason: 'No.' }]));
    unmount();
    render(<ApprovalCard ask={write} />);
    expect(within(card()).queryByRole('textbox', { name: 'Reason for denying' })).toBeNull();
  });
});
