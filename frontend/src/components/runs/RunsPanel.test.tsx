import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Events, setTransport, type RunInfo } from '../../bridge';
import { fakeBackend, noBackend, run } from '../../test/fakeBackend';

/** models answers ListModels: the agent composer in the panel lists them. */
const models = async () => ({
  models: [{ name: 'tiny:latest', digest: 'sha256:0a1b', size: 1, modifiedAt: 0, family: 'llama', parameters: '1M', quantization: 'F32', format: 'gguf', capabilities: ['completion', 'tools'] }],
  pulls: [],
  defaultChat: '',
  defaultEmbed: '',
});
import { useRunOptions } from './hooks';
import { RunsPanel } from './RunsPanel';

const now = Date.now() * 1e6;

function Harness({ onSelect = () => {}, selected = null }: { onSelect?: (id: string) => void; selected?: string | null }) {
  const opts = useRunOptions('w1');
  return <RunsPanel workspaceId="w1" selected={selected} onSelect={onSelect} runOptions={opts} />;
}

const items = () => within(screen.getByRole('list', { name: 'Runs' })).getAllByRole('listitem');

describe('<RunsPanel>', () => {
  let runs: RunInfo[];
  let backend: ReturnType<typeof fakeBackend>;

  beforeEach(() => {
    localStorage.clear();
    runs = [
      run({ id: 'r3', task: 'Edit src/main.go', worker: 'edit', state: 'validated', createdAt: now - 5e9 }),
      run({ id: 'r2', task: 'Replace "a" with "b"', state: 'terminated', outcome: 'committed', createdAt: now - 3 * 60e9, revertedBy: '' }),
      run({ id: 'r1', task: 'Replace "x" with "y"', state: 'validation_failed', createdAt: now - 2 * 3600e9 }),
    ];
    backend = fakeBackend({
      ListModels: models,
      ListRuns: async () => runs,
      StartReplaceRun: async (req) => run({ id: 'r4', task: `Replace "${req.find}" with "${req.replace}"`, state: 'created' }),
    });
    setTransport(backend.transport);
  });

  afterEach(() => {
    setTransport(noBackend());
  });

  it('lists the workspace runs with task, worker, state or outcome badge and age', async () => {
    render(<Harness />);
    await screen.findByRole('list', { name: 'Runs' });
    expect(backend.argsOf('ListRuns')).toEqual([{ workspaceId: 'w1' }]);
    const rows = items();
    expect(rows.map((r) => r.querySelector('.run-item-task')?.textContent)).toEqual(['Edit src/main.go', 'Replace "a" with "b"', 'Replace "x" with "y"']);
    expect(rows.map((r) => r.querySelector('.run-badge')?.textContent)).toEqual(['validated', 'committed', 'validation_failed']);
    expect(rows.map((r) => [...r.querySelectorAll('.run-badge')].map((b) => b.className))).toEqual([
      ['run-badge tone-review'],
      ['run-badge tone-ok'],
      ['run-badge tone-bad'],
    ]);
    expect(within(rows[0] as HTMLElement).getByText('edit')).toBeTruthy();
    expect(within(rows[0] as HTMLElement).getByText('5 s ago')).toBeTruthy();
    expect(within(rows[1] as HTMLElement).getByText('3 min ago')).toBeTruthy();
    expect(within(rows[2] as HTMLElement).getByText('2 h ago')).toBeTruthy();
  });

  it('names the model of an agent run in the list', async () => {
    runs = [run({ id: 'a1', task: 'Tidy the README', worker: 'agent', model: 'tiny:latest', createdAt: now }), ...runs];
    render(<Harness />);
    await screen.findByRole('list', { name: 'Runs' });
    expect(within(items()[0] as HTMLElement).getByText('agent · tiny:latest')).toBeTruthy();
    expect(within(items()[1] as HTMLElement).getByText('edit')).toBeTruthy();
  });

  it('shows a run that waits for an approval as such in the list', async () => {
    runs = [run({ id: 'r9', task: 'Replace "p" with "q"', state: 'executing', waiting: true, createdAt: now }), ...runs];
    render(<Harness />);
    await screen.findByRole('list', { name: 'Runs' });
    const first = items()[0] as HTMLElement;
    expect(within(first).getByText('waiting for your approval')).toBeTruthy();
    expect(within(items()[1] as HTMLElement).queryByText('waiting for your approval')).toBeNull();
  });

  it('lists again after run.changed, once for a burst of changes', async () => {
    render(<Harness />);
    await screen.findByRole('list', { name: 'Runs' });
    expect(backend.argsOf('ListRuns')).toHaveLength(1);

    runs = [run({ id: 'r5', task: 'Edit README.md', worker: 'edit', state: 'executing', createdAt: now }), ...runs];
    backend.emit(Events.RunChanged, { run: 'r5', state: 'created' });
    backend.emit(Events.RunChanged, { run: 'r5', state: 'provisioned' });
    backend.emit(Events.RunChanged, { run: 'r5', state: 'executing' });
    await waitFor(() => expect(items()).toHaveLength(4));
    expect(items()[0]?.textContent).toContain('Edit README.md');
    expect(items()[0]?.querySelector('.run-badge')?.className).toContain('tone-progress');
    expect(backend.argsOf('ListRuns')).toHaveLength(2);
  });

  it('says so when there are no runs, and shows a ListRuns error with Retry', async () => {
    let fail = true;
    backend = fakeBackend({
      ListModels: models,
      ListRuns: async () => {
        if (fail) throw new Error('the event log is not open');
        return null as unknown as RunInfo[]; // Go's empty list
      },
    });
    setTransport(backend.transport);
    render(<Harness />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('the event log is not open');
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText(/No runs yet/)).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('opens a run when it is clicked, and marks the selected one', async () => {
    const picked: string[] = [];
    render(<Harness onSelect={(id) => picked.push(id)} selected="r2" />);
    await screen.findByRole('list', { name: 'Runs' });
    expect(items()[1]?.classList.contains('selected')).toBe(true);
    fireEvent.click(within(items()[2] as HTMLElement).getByRole('button'));
    expect(picked).toEqual(['r1']);
  });

  it('starts a replace run with the shared options and opens it; the validation command is remembered per workspace', async () => {
    const picked: string[] = [];
    const { unmount } = render(<Harness onSelect={(id) => picked.push(id)} />);
    await screen.findByRole('list', { name: 'Runs' });

    fireEvent.click(screen.getByRole('button', { name: /Find & replace/ }));
    const form = screen.getByRole('form', { name: 'Find and replace' });
    const start = within(form).getByRole('button', { name: 'Start run' });
    expect((start as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(within(form).getByLabelText('Find'), { target: { value: 'OLD' } });
    fireEvent.change(within(form).getByLabelText('Replace'), { target: { value: 'NEW' } });
    fireEvent.change(within(form).getByLabelText('Under'), { target: { value: '/src/' } });
    fireEvent.change(screen.getByLabelText('Validation command'), { target: { value: 'go test ./...' } });
    fireEvent.click(screen.getByLabelText(/Commit automatically/));
    expect((screen.getByLabelText('Profile') as HTMLSelectElement).value).toBe('edit');
    expect(screen.getByText(/Ask: read only · Edit: reads and staged writes · Agent/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Profile'), { target: { value: 'agent' } });
    fireEvent.click(start);

    await waitFor(() => expect(picked).toEqual(['r4']));
    expect(backend.argsOf('StartReplaceRun')).toEqual([
      { workspaceId: 'w1', find: 'OLD', replace: 'NEW', under: 'src', options: { profile: 'agent', validationCommand: 'go test ./...', autoCommit: true, maxSteps: 0, wallClockSeconds: 0 } },
    ]);
    await waitFor(() => expect(backend.argsOf('ListRuns').length).toBeGreaterThanOrEqual(2));

    // A new panel for the same workspace starts from the last command, but never auto-commits unasked.
    unmount();
    render(<Harness />);
    await screen.findByRole('list', { name: 'Runs' });
    expect((screen.getByLabelText('Validation command') as HTMLInputElement).value).toBe('go test ./...');
    expect((screen.getByLabelText(/Commit automatically/) as HTMLInputElement).checked).toBe(false);
  });

  it('shows why a replace run could not start, inline', async () => {
    backend = fakeBackend({ ListModels: models, ListRuns: async () => [], StartReplaceRun: async () => Promise.reject(new Error('validation command "\'": unterminated quote')) });
    setTransport(backend.transport);
    render(<Harness />);
    await screen.findByText(/No runs yet/);
    fireEvent.click(screen.getByRole('button', { name: /Find & replace/ }));
    fireEvent.change(screen.getByLabelText('Find'), { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start run' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('unterminated quote');
  });
});
