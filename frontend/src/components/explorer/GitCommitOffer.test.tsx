import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setTransport, type EventRow, type GitCommitResult, type RunInfo } from '../../bridge';
import { apiMethods, type Api } from '../../bridge/api';
import { GitCommitOffer } from './GitCommitOffer';

const run = { id: 'run-1', workspace: 'w1', task: 'Fix the greeting', outcome: 'committed', state: 'terminated' } as RunInfo;
const ev = (type: string, p: object = {}) => ({ type, preview: JSON.stringify(p) }) as EventRow;

function backend(repo: boolean, answer?: GitCommitResult) {
  const calls: { run: string; message: string }[] = [];
  const api = {
    ...Object.fromEntries(apiMethods.map((m) => [m, () => Promise.reject(new Error(`${m} not faked`))])),
    GitStatus: async () => ({ repo, branch: 'main', head: '', entries: {}, truncated: false }),
    GitCommit: async (req: { run: string; message: string }) => {
      calls.push(req);
      return answer ?? { state: 'waiting', files: ['a.txt'], message: req.message };
    },
  } as unknown as Api;
  setTransport({ kind: 'http', api, on: () => () => {} });
  return calls;
}

describe('<GitCommitOffer>', () => {
  afterEach(() => backend(false));

  it('offers a commit of exactly the run files with a drafted, editable message', async () => {
    const calls = backend(true);
    render(<GitCommitOffer run={run} files={['a.txt']} events={[ev('run.committed')]} asked={false} onChanged={() => {}} />);
    const box = (await screen.findByLabelText('Commit message')) as HTMLTextAreaElement;
    expect(box.value).toBe('Fix the greeting\n\n- a.txt\n\nICE Studio run run-1');
    fireEvent.change(box, { target: { value: 'My message' } });
    fireEvent.click(screen.getByRole('button', { name: 'Git commit' }));
    await waitFor(() => expect(calls).toEqual([{ run: 'run-1', message: 'My message' }]));
  });

  it('shows nothing outside a git repository', async () => {
    backend(false);
    const { container } = render(<GitCommitOffer run={run} files={['a.txt']} events={[]} asked={false} onChanged={() => {}} />);
    await new Promise((r) => setTimeout(r, 20));
    expect(container.textContent).toBe('');
  });

  it('says where a commit stands: waiting, committed, failed with git words', async () => {
    backend(true);
    const { rerender } = render(<GitCommitOffer run={run} files={['a.txt']} events={[ev('git.commit_requested')]} asked onChanged={() => {}} />);
    expect((await screen.findByTestId('git-waiting')).textContent).toContain('waits for your approval');
    rerender(
      <GitCommitOffer run={run} files={['a.txt']} events={[ev('git.commit_requested'), ev('effect.git_committed', { hash: 'abcdef123456', branch: 'main', files: ['a.txt'] })]} asked={false} onChanged={() => {}} />,
    );
    expect(screen.getByTestId('git-committed').textContent).toContain('abcdef1 on main: 1 file');
    rerender(
      <GitCommitOffer run={run} files={['a.txt']} events={[ev('git.commit_requested'), ev('effect.git_failed', { error: 'git commit failed', stderr: 'hook says no' })]} asked={false} onChanged={() => {}} />,
    );
    expect(screen.getByRole('alert').textContent).toContain('hook says no');
    expect(screen.getByRole('button', { name: 'Try the git commit again' })).toBeTruthy();
  });
});
