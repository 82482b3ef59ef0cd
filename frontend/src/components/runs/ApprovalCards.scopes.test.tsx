import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setTransport, type Ask, type ScopeChoice } from '../../bridge';
import { fakeBackend, noBackend } from '../../test/fakeBackend';
import { ApprovalCard, ApprovalCards } from './ApprovalCards';

function scopes(path: string): ScopeChoice[] {
  const dir = path.slice(0, path.lastIndexOf('/'));
  return [
    { id: 'exact', label: 'this file', scope: { glob: path }, describe: path },
    { id: 'folder', label: 'this folder', scope: { glob: `${dir}/**` }, describe: `${dir}/**` },
    { id: 'like', label: 'files like it', scope: { glob: '**/*.go' }, describe: '**/*.go' },
    { id: 'all', label: 'every file this run touches', scope: { glob: '**' }, describe: '**', runOnly: true },
  ];
}

const write = (i: number, path = `src/p${i % 3}/f${i}.go`, run = 'r1'): Ask => ({
  id: `q${i}`,
  run,
  kind: 'fs.write',
  target: path,
  req: { kind: 'fs.write', path },
  reason: 'the workspace policy asks before fs.write **',
  detail: { op: 'write', base: 'b', after: 'a' },
  seq: 100 + i,
  scopes: scopes(path),
});

const backend = () => {
  const b = fakeBackend({ AnswerCapability: async () => {}, ReadBlob: async ({ hash }) => ({ hash, text: hash, size: 1, binary: false, truncated: false }) });
  setTransport(b.transport);
  return b;
};

describe('<ApprovalCard> scope choices', () => {
  afterEach(() => setTransport(noBackend()));

  it('shows each scope with the glob it grants and sends the chosen one', async () => {
    const b = backend();
    render(<ApprovalCard ask={write(1, 'src/a/b.go')} />);
    const group = screen.getByRole('radiogroup', { name: 'Scope to allow' });
    const radios = within(group).getAllByRole('radio') as HTMLInputElement[];
    expect(radios.map((r) => r.closest('label')?.textContent)).toEqual([
      'this file src/a/b.go',
      'this folder src/a/**',
      'files like it **/*.go',
      'every file this run touches ** (this run only)',
    ]);
    expect(radios[0]?.checked).toBe(true);
    fireEvent.click(within(group).getByRole('radio', { name: /this folder/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Allow for this workspace' }));
    await waitFor(() => expect(b.argsOf('AnswerCapability')).toEqual([{ requestId: 'q1', choice: 'workspace', scope: 'folder', reason: '' }]));
  });

  it('allows every file of the run only for the run, and once only for the request itself', async () => {
    const b = backend();
    render(<ApprovalCard ask={write(2, 'src/a/b.go')} />);
    fireEvent.click(screen.getByRole('radio', { name: /every file this run touches/ }));
    const ws = screen.getByRole('button', { name: 'Allow for this workspace' }) as HTMLButtonElement;
    expect(ws.disabled).toBe(true);
    expect(ws.title).toContain('only be allowed for this run');
    fireEvent.click(screen.getByRole('button', { name: 'Allow once' }));
    await waitFor(() => expect(b.argsOf('AnswerCapability')).toEqual([{ requestId: 'q2', choice: 'once', reason: '' }]));
  });

  it('offers no picker when there is one scope', () => {
    render(<ApprovalCard ask={{ ...write(3), scopes: [{ id: 'exact', label: 'this file', scope: { glob: 'x' }, describe: 'x' }] }} />);
    expect(screen.queryByRole('radiogroup')).toBeNull();
  });
});

describe('<ApprovalCards> batches', () => {
  afterEach(() => setTransport(noBackend()));

  it('shows one batch card for a run’s similar requests, the oldest on its own card, and single cards for the rest', () => {
    const asks = [...Array.from({ length: 30 }, (_, i) => write(i)), write(99, 'docs/x.go', 'r2')];
    render(<ApprovalCards asks={asks} />);
    const batch = screen.getByRole('region', { name: 'Approvals batch' });
    expect(within(batch).getByText('Allow all 30 writes of this run')).toBeTruthy();
    const singles = screen.getAllByRole('region', { name: 'Approval needed' });
    expect(singles.map((c) => c.getAttribute('data-ask'))).toEqual(['q0', 'q99']); // r1's oldest, r2's write
    expect(screen.getAllByRole('region', { name: 'Approvals batch' })).toHaveLength(1);
    // The list is collapsed until asked for.
    expect(within(batch).queryByRole('list', { name: 'Requests in this batch' })).toBeNull();
    fireEvent.click(within(batch).getByRole('button', { name: 'Show the 30 writes' }));
    expect(within(within(batch).getByRole('list', { name: 'Requests in this batch' })).getAllByRole('checkbox')).toHaveLength(30);
    // Batch scopes show the distinct globs granted.
    const folder = within(batch).getByRole('radio', { name: /their 3 folders/ });
    expect(folder.closest('label')?.textContent).toContain('src/p0/**, src/p1/**, src/p2/**');
  });

  it('answers the batch in one call with the requests left in and the scope chosen', async () => {
    const b = backend();
    const asks = Array.from({ length: 5 }, (_, i) => write(i));
    render(<ApprovalCards asks={asks} />);
    const batch = screen.getByRole('region', { name: 'Approvals batch' });
    fireEvent.click(within(batch).getByRole('button', { name: 'Show the 5 writes' }));
    fireEvent.click(within(batch).getByRole('checkbox', { name: 'Include Write src/p2/f2.go' }));
    expect(within(batch).getByText('Allow 4 of 5 writes of this run')).toBeTruthy();
    fireEvent.click(within(batch).getByRole('radio', { name: /files like them/ }));
    fireEvent.click(within(batch).getByRole('button', { name: 'Allow for this run' }));
    await waitFor(() =>
      expect(b.argsOf('AnswerCapability')).toEqual([{ requestId: '', requestIds: ['q0', 'q1', 'q3', 'q4'], choice: 'run', scope: 'like', reason: '' }]),
    );
    expect(b.argsOf('AnswerCapability')).toHaveLength(1);
  });

  it('shows an item’s change on demand and denies all in one call', async () => {
    const b = backend();
    render(<ApprovalCards asks={[write(1), write(2)]} />);
    const batch = screen.getByRole('region', { name: 'Approvals batch' });
    fireEvent.click(within(batch).getByRole('button', { name: 'Show the 2 writes' }));
    fireEvent.click(within(batch).getByRole('button', { name: 'Show the change of Write src/p1/f1.go' }));
    await waitFor(() => expect(within(batch).getByLabelText('Change to src/p1/f1.go')).toBeTruthy());
    fireEvent.click(within(batch).getByRole('button', { name: 'Deny all' }));
    await waitFor(() => expect(b.argsOf('AnswerCapability')).toEqual([{ requestId: '', requestIds: ['q1', 'q2'], choice: 'deny', reason: '' }]));
  });
});
