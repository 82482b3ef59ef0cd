import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setTransport, type FileChange, type FileHunks } from '../../bridge';
import { fakeBackend, noBackend } from '../../test/fakeBackend';
import { RunChanges } from './RunChanges';

const lines = (name: string) => Array.from({ length: 20 }, (_, i) => `${name} ${i + 1}`);
const text = (ls: string[]) => ls.join('\n') + '\n';
const change = (path: string): FileChange => {
  const before = lines(path);
  const after = [...before];
  after[1] = `${path} ONE`;
  after[17] = `${path} TWO`;
  return { path, op: 'write', before: text(before), after: text(after), beforeExists: true, afterExists: true, binary: false, truncated: false };
};
const hunks = (path: string): FileHunks => ({
  path,
  op: 'modify',
  added: 2,
  removed: 2,
  binary: false,
  whole: false,
  hunks: [1, 2].map((n) => ({
    id: `${path}-h${n}`,
    oldStart: n === 1 ? 1 : 15,
    oldLines: 5,
    newStart: n === 1 ? 1 : 15,
    newLines: 5,
    lines: [
      { kind: ' ', text: 'x' },
      { kind: '-', text: `${path} ${n === 1 ? 2 : 18}` },
      { kind: '+', text: `${path} ${n === 1 ? 'ONE' : 'TWO'}` },
    ],
  })),
});

afterEach(() => {
  setTransport(noBackend());
  localStorage.clear();
});

describe('RunChanges review', () => {
  it('commits only the accepted hunks, by their hashes, and shows what it did', async () => {
    let changed = 0;
    const be = fakeBackend({
      RunHunks: async () => [hunks('a.txt'), hunks('b.txt')],
      CommitHunks: async (req) => ({ run: {} as never, written: ['a.txt'], accepted: req.accept.length, rejected: 4 - req.accept.length, committed: false, reason: '' }),
    });
    setTransport(be.transport);
    render(<RunChanges run={{ id: 'r1', state: 'validated', version: 3 }} changes={[change('a.txt'), change('b.txt')]} onChanged={() => changed++} />);
    const list = screen.getByRole('list', { name: 'Staged files' });
    await within(list).findByRole('checkbox', { name: 'Accept a.txt' });
    expect(within(list).getAllByRole('checkbox').every((c) => (c as HTMLInputElement).checked)).toBe(true);
    // All accepted: only the ordinary Commit (in the run's header) applies.
    expect(screen.queryByRole('button', { name: /Commit selected/ })).toBeNull();
    expect(within(list).getAllByLabelText(/2 added, 2 removed/)).toHaveLength(2);

    // Reject b.txt whole and a's second hunk.
    fireEvent.click(within(list).getByRole('checkbox', { name: 'Accept b.txt' }));
    fireEvent.click(within(list).getByRole('checkbox', { name: 'Accept change 2 of a.txt' }));
    const a = within(list).getByRole('checkbox', { name: 'Accept a.txt' }) as HTMLInputElement;
    expect(a.checked && a.indeterminate).toBe(true);
    expect((within(list).getByRole('checkbox', { name: 'Accept change 1 of b.txt' }) as HTMLInputElement).checked).toBe(false);
    const commit = screen.getByRole('button', { name: 'Commit selected (1 of 4 hunks)' });
    fireEvent.click(commit);
    await screen.findByText('Wrote 1 of 4 hunks to a.txt. 3 hunks still staged: Commit or Abort them.');
    expect(be.argsOf('CommitHunks')).toEqual([{ id: 'r1', accept: ['a.txt-h1'], files: {} }]);
    expect(changed).toBe(1);
  });

  it('says why a partial commit failed and keeps the choice', async () => {
    const be = fakeBackend({
      RunHunks: async () => [hunks('a.txt')],
      CommitHunks: async () => {
        throw new Error('the accepted hunks fail validation, so nothing was written: exit code 1');
      },
    });
    setTransport(be.transport);
    render(<RunChanges run={{ id: 'r1', state: 'validated', version: 3 }} changes={[change('a.txt')]} />);
    fireEvent.click(await screen.findByRole('checkbox', { name: 'Accept change 1 of a.txt' }));
    fireEvent.click(screen.getByRole('button', { name: 'Commit selected (1 of 2 hunks)' }));
    expect((await screen.findByRole('alert')).textContent).toContain('nothing was written');
    expect(screen.getByRole('button', { name: 'Commit selected (1 of 2 hunks)' })).toBeTruthy();
  });

  it('offers no decisions on a run that is not waiting for one, and collapses the file list', async () => {
    setTransport(fakeBackend({ RunHunks: async () => [hunks('a.txt')] }).transport);
    render(<RunChanges run={{ id: 'r1', state: 'executing', version: 3 }} changes={[change('a.txt')]} />);
    const list = screen.getByRole('list', { name: 'Staged files' });
    await within(list).findByRole('list', { name: 'Changes in a.txt' });
    expect(within(list).queryAllByRole('checkbox')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: /^Files/ }));
    expect(screen.queryByRole('list', { name: 'Staged files' })).toBeNull();
    expect(localStorage.getItem('ice-studio.review-files')).toBe('closed');
    await waitFor(() => expect(screen.getByTestId('diff-view')).toBeTruthy());
  });
});
