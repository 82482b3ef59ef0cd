import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Events, setTransport, type Memory, type MemoryProposal } from '../../bridge';
import { initialState, store } from '../../store';
import { fakeBackend, noBackend } from '../../test/fakeBackend';
import { MemoryPanel } from './MemoryPanel';

const t0 = Date.UTC(2025, 0, 6, 9, 0, 0) * 1e6;

const mem = (over: Partial<Memory> = {}): Memory => ({
  id: 'm1',
  version: 1,
  workspace: 'w1',
  kind: 'fact',
  scope: 'workspace',
  content: 'The build uses make',
  confidence: 0.9,
  effective: 0.8,
  ttlSeconds: 0,
  decayDays: 0,
  onChange: 'invalidate',
  state: 'active',
  stateReason: '',
  needsReview: '',
  createdAt: t0,
  expiresAt: 0,
  endedAt: 0,
  sources: { events: ['0190aaaa-bbbb-cccc-dddd-eeeeffff0001'], files: [{ path: 'README.md', hash: 'sha256:abcdef0123456789' }], run: 'run-0001', note: '' },
  promotedSeq: 41,
  endedSeq: 0,
  ...over,
});

const proposal = (over: Partial<MemoryProposal> = {}): MemoryProposal => ({
  id: 'p1',
  workspace: 'w1',
  run: 'run-0002',
  spec: { kind: 'decision', scope: 'workspace', content: 'Use tabs', confidence: 0.7, ttlSeconds: 0, decayDays: 0, onChange: 'invalidate' },
  events: [],
  state: 'pending',
  reason: '',
  proposedAt: t0,
  memory: '',
  ...over,
});

function renderPanel(proposals: MemoryProposal[] = []) {
  return render(<MemoryPanel workspaceId="w1" proposals={proposals} proposalsError={null} />);
}

describe('<MemoryPanel>', () => {
  beforeEach(() => store.update(initialState));
  afterEach(() => setTransport(noBackend()));

  it('lists the workspace memories and passes the filters to MemoryList', async () => {
    const b = fakeBackend({
      MemoryList: async ({ filter }) => (filter.state === 'invalidated' ? [mem({ id: 'm2', content: 'Old one', state: 'invalidated' })] : [mem({ needsReview: 'README.md changed' })]),
      GetMemorySettings: async () => ({ embeddingModel: '', indexed: 0 }),
    });
    setTransport(b.transport);
    renderPanel();
    const list = await screen.findByRole('list', { name: 'Memories' });
    const row = within(list).getByRole('button', { name: /The build uses make/ });
    expect(row.textContent).toContain('fact');
    expect(row.textContent).toContain('80%');
    expect(row.textContent).toContain('needs review');
    expect(b.argsOf('MemoryList')[0]).toEqual({ filter: { workspace: 'w1', kind: '', scope: '', state: '', limit: 200 }, text: '', mode: '' });

    fireEvent.change(screen.getByLabelText('Kind filter'), { target: { value: 'decision' } });
    fireEvent.change(screen.getByLabelText('Scope filter'), { target: { value: 'global' } });
    fireEvent.change(screen.getByLabelText('State filter'), { target: { value: 'invalidated' } });
    await screen.findByRole('button', { name: /Old one/ });
    expect(b.argsOf('MemoryList').at(-1)).toEqual({ filter: { workspace: 'w1', kind: 'decision', scope: 'global', state: 'invalidated', limit: 200 }, text: '', mode: '' });
    expect(screen.queryByRole('button', { name: /The build uses make/ })).toBeNull();
  });

  it('searches by text, and by meaning with the refusal shown inline and a way back to text', async () => {
    const b = fakeBackend({
      MemoryList: async ({ text, mode }) => {
        if (mode === 'semantic') throw new Error('semantic search needs an embedding model: choose one in the Memory settings');
        return text ? [mem({ content: 'Found by text', score: 1.2 })] : [mem()];
      },
      GetMemorySettings: async () => ({ embeddingModel: '', indexed: 0 }),
    });
    setTransport(b.transport);
    renderPanel();
    await screen.findByRole('button', { name: /The build uses make/ });
    fireEvent.change(screen.getByLabelText('Search memories'), { target: { value: 'build' } });
    await screen.findByRole('button', { name: /Found by text/ });
    expect(b.argsOf('MemoryList').at(-1)).toMatchObject({ text: 'build', mode: 'lexical' });

    fireEvent.click(screen.getByRole('button', { name: 'Meaning' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('needs an embedding model');
    expect(b.argsOf('MemoryList').at(-1)).toMatchObject({ text: 'build', mode: 'semantic' });
    fireEvent.click(within(alert).getByRole('button', { name: 'Search by text' }));
    await screen.findByRole('button', { name: /Found by text/ });
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('button', { name: 'Text' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('writes a note: a rejection shows inline, a success sends the spec and files', async () => {
    let reject = true;
    const b = fakeBackend({
      MemoryList: async () => [],
      GetMemorySettings: async () => ({ embeddingModel: '', indexed: 0 }),
      WriteNote: async ({ spec }) => {
        if (reject) throw new Error('file "nope.md" is not in the workspace');
        return mem({ content: spec.content });
      },
    });
    setTransport(b.transport);
    renderPanel();
    fireEvent.click(await screen.findByRole('button', { name: 'Write a note…' }));
    const form = screen.getByRole('form', { name: 'Note' });
    fireEvent.change(within(form).getByLabelText('Confidence'), { target: { value: '150' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save note' }));
    expect(within(form).getByRole('alert').textContent).toContain('Confidence must be a number from 0 to 100');
    expect(b.argsOf('WriteNote')).toHaveLength(0);

    fireEvent.change(within(form).getByLabelText('Confidence'), { target: { value: '80' } });
    fireEvent.change(within(form).getByLabelText('Content'), { target: { value: 'The build uses make' } });
    fireEvent.change(within(form).getByLabelText('Kind'), { target: { value: 'procedure' } });
    fireEvent.change(within(form).getByLabelText('Time to live (days)'), { target: { value: '2' } });
    fireEvent.change(within(form).getByLabelText('Decay half-life (days)'), { target: { value: '30' } });
    fireEvent.change(within(form).getByLabelText('When a source changes'), { target: { value: 'review' } });
    fireEvent.change(within(form).getByLabelText('Depends on files'), { target: { value: 'nope.md' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save note' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('"nope.md" is not in the workspace');

    reject = false;
    fireEvent.change(within(form).getByLabelText('Depends on files'), { target: { value: ' README.md , docs/a.md,' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save note' }));
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Note' })).toBeNull());
    expect(b.argsOf('WriteNote').at(-1)).toEqual({
      workspaceId: 'w1',
      spec: { kind: 'procedure', scope: 'workspace', content: 'The build uses make', confidence: 0.8, ttlSeconds: 2 * 86400, decayDays: 30, onChange: 'review' },
      files: ['README.md', 'docs/a.md'],
    });
    expect(store.get().toasts.at(-1)?.text).toMatch(/Note saved/);
  });

  it('opens a memory: provenance, history, and a new version supersedes it', async () => {
    const versions = [mem({ version: 1, content: 'Builds with make', state: 'superseded', stateReason: 'a new version replaced it' }), mem({ version: 2 })];
    const b = fakeBackend({
      MemoryList: async () => [mem({ version: 2 })],
      GetMemorySettings: async () => ({ embeddingModel: '', indexed: 0 }),
      MemoryHistory: async () => versions,
      SupersedeMemory: async ({ spec }) => {
        versions[1] = { ...versions[1]!, state: 'superseded', stateReason: 'a new version replaced it' };
        const next = mem({ version: 3, content: spec.content });
        versions.push(next);
        return next;
      },
    });
    setTransport(b.transport);
    renderPanel();
    fireEvent.click(await screen.findByRole('button', { name: /The build uses make/ }));
    const detail = screen.getByRole('article', { name: 'Memory' });
    const prov = within(detail).getByRole('region', { name: 'Provenance' });
    expect(within(prov).getByRole('list', { name: 'Source files' }).textContent).toContain('README.md abcdef0123');
    fireEvent.click(within(prov).getByRole('button', { name: /#…ffff0001/ }));
    expect(store.get().view).toBe('events');
    fireEvent.click(within(prov).getByRole('button', { name: /run run-0001|run-0001/ }));
    expect(store.get().workspaceViews.w1).toMatchObject({ run: 'run-0001', centre: 'run' });

    const history = await within(detail).findByRole('list', { name: 'Version history' });
    expect(within(history).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      expect.stringMatching(/^v1 superseded.*a new version replaced it.*Builds with make/),
      expect.stringMatching(/^v2 active/),
    ]);

    fireEvent.click(within(detail).getByRole('button', { name: 'New version…' }));
    const form = within(detail).getByRole('form', { name: 'New version' });
    expect((within(form).getByLabelText('Content') as HTMLTextAreaElement).value).toBe('The build uses make');
    expect((within(form).getByLabelText('Confidence') as HTMLInputElement).value).toBe('90');
    fireEvent.change(within(form).getByLabelText('Content'), { target: { value: 'The build uses make and Go 1.24' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save new version' }));
    await waitFor(() => expect(b.argsOf('SupersedeMemory')).toHaveLength(1));
    expect(b.argsOf('SupersedeMemory')[0]).toEqual({
      id: 'm1',
      version: 2,
      spec: { kind: 'fact', scope: 'workspace', content: 'The build uses make and Go 1.24', confidence: 0.9, ttlSeconds: 0, decayDays: 0, onChange: 'invalidate' },
    });
    const shown = await screen.findByTestId('memory-content');
    expect(shown.textContent).toBe('The build uses make and Go 1.24');
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Version history' })).getAllByRole('listitem')).toHaveLength(3));
  });

  it('offers no New version on a superseded version, and shows the backend refusal of a supersede', async () => {
    const b = fakeBackend({
      MemoryList: async () => [mem()],
      GetMemorySettings: async () => ({ embeddingModel: '', indexed: 0 }),
      MemoryHistory: async () => [mem()],
      SupersedeMemory: async () => {
        throw new Error('memory m1 v1 is not the latest active version');
      },
    });
    setTransport(b.transport);
    renderPanel();
    fireEvent.click(await screen.findByRole('button', { name: /The build uses make/ }));
    fireEvent.click(await screen.findByRole('button', { name: 'New version…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save new version' }));
    expect((await screen.findByRole('alert')).textContent).toContain('not the latest active version');
  });

  it('deprecates after a confirmation, with the reason', async () => {
    let state = 'active';
    const b = fakeBackend({
      MemoryList: async () => [mem({ state })],
      GetMemorySettings: async () => ({ embeddingModel: '', indexed: 0 }),
      MemoryHistory: async () => [mem({ state, stateReason: state === 'deprecated' ? 'wrong' : '' })],
      DeprecateMemory: async () => {
        state = 'deprecated';
      },
    });
    setTransport(b.transport);
    renderPanel();
    fireEvent.click(await screen.findByRole('button', { name: /The build uses make/ }));
    fireEvent.click(await screen.findByRole('button', { name: 'Deprecate' }));
    expect(b.argsOf('DeprecateMemory')).toHaveLength(0);
    const confirm = screen.getByRole('group', { name: 'Confirm deprecation' });
    fireEvent.change(within(confirm).getByLabelText('Reason for deprecating'), { target: { value: 'wrong' } });
    fireEvent.click(within(confirm).getByRole('button', { name: 'Confirm deprecate' }));
    await waitFor(() => expect(b.argsOf('DeprecateMemory')).toEqual([{ id: 'm1', version: 1, reason: 'wrong' }]));
    const detail = screen.getByRole('article', { name: 'Memory' });
    await waitFor(() => expect(within(detail).getAllByText('deprecated').length).toBeGreaterThan(0));
    expect(within(detail).queryByRole('button', { name: 'Deprecate' })).toBeNull();
    expect(within(detail).queryByRole('button', { name: 'New version…' })).toBeNull();
  });

  it('review queue: accept, edit & accept, reject with a reason', async () => {
    const b = fakeBackend({
      MemoryList: async () => [],
      GetMemorySettings: async () => ({ embeddingModel: '', indexed: 0 }),
      DecideProposal: async ({ proposal: id }) => mem({ id: `m-${id}` }),
    });
    setTransport(b.transport);
    renderPanel([proposal(), proposal({ id: 'p2', spec: { ...proposal().spec, content: 'Prefer small PRs' } }), proposal({ id: 'p3', spec: { ...proposal().spec, content: 'Bad idea' } })]);
    fireEvent.click(screen.getByRole('tab', { name: 'Review (3)' }));
    const queue = screen.getByRole('list', { name: 'Pending proposals' });
    const card = (text: string) => within(queue).getByRole('listitem', { name: `Proposal ${text}` });

    fireEvent.click(within(card('Use tabs')).getByRole('button', { name: 'Accept' }));
    await waitFor(() => expect(b.argsOf('DecideProposal')).toHaveLength(1));
    expect(b.argsOf('DecideProposal')[0]).toMatchObject({ proposal: 'p1', accept: true });
    expect(b.argsOf('DecideProposal')[0]).not.toHaveProperty('edited');

    fireEvent.click(within(card('Prefer small PRs')).getByRole('button', { name: 'Edit & accept' }));
    const form = within(card('Prefer small PRs')).getByRole('form', { name: 'Edit proposal' });
    expect((within(form).getByLabelText('Kind') as HTMLSelectElement).value).toBe('decision');
    fireEvent.change(within(form).getByLabelText('Content'), { target: { value: 'Prefer small pull requests' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Accept edited' }));
    await waitFor(() => expect(b.argsOf('DecideProposal')).toHaveLength(2));
    expect(b.argsOf('DecideProposal')[1]).toMatchObject({ proposal: 'p2', accept: true, edited: { kind: 'decision', content: 'Prefer small pull requests', confidence: 0.7 } });

    fireEvent.click(within(card('Bad idea')).getByRole('button', { name: 'Reject' }));
    fireEvent.change(within(card('Bad idea')).getByLabelText('Reason for rejecting'), { target: { value: 'not true' } });
    fireEvent.click(within(card('Bad idea')).getByRole('button', { name: 'Confirm reject' }));
    await waitFor(() => expect(b.argsOf('DecideProposal')).toHaveLength(3));
    expect(b.argsOf('DecideProposal')[2]).toEqual({ proposal: 'p3', accept: false, reason: 'not true' });
  });

  it('sets the embedding model and shows a refusal inline', async () => {
    const b = fakeBackend({
      MemoryList: async () => [],
      GetMemorySettings: async () => ({ embeddingModel: '', indexed: 0 }),
      SetMemorySettings: async ({ embeddingModel }) => {
        if (embeddingModel === 'llama3') throw new Error('model "llama3" cannot embed');
        return { embeddingModel, indexed: 4 };
      },
    });
    setTransport(b.transport);
    renderPanel();
    const box = await screen.findByRole('region', { name: 'Embedding model' });
    await within(box).findByText(/No embedding model/);
    fireEvent.change(within(box).getByLabelText('Embedding model'), { target: { value: 'llama3' } });
    fireEvent.click(within(box).getByRole('button', { name: 'Use' }));
    expect((await within(box).findByRole('alert')).textContent).toContain('cannot embed');
    fireEvent.change(within(box).getByLabelText('Embedding model'), { target: { value: 'nomic-embed-text' } });
    fireEvent.click(within(box).getByRole('button', { name: 'Use' }));
    await within(box).findByText('nomic-embed-text: 4 memories indexed.');
    expect(within(box).queryByRole('alert')).toBeNull();
  });

  it('reloads when the backend says the memories changed', async () => {
    let items = [mem()];
    const b = fakeBackend({ MemoryList: async () => items, GetMemorySettings: async () => ({ embeddingModel: '', indexed: 0 }) });
    setTransport(b.transport);
    renderPanel();
    await screen.findByRole('button', { name: /The build uses make/ });
    items = [];
    b.emit(Events.MemoriesChanged, { workspaceId: 'w1' });
    await waitFor(() => expect(screen.queryByRole('button', { name: /The build uses make/ })).toBeNull(), { timeout: 2000 });
  });
});
