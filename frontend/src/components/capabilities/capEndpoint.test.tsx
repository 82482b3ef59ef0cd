// A model.invoke scope is a model on an endpoint: the policy editor and the
// grant form edit both, say them in words, offer the configured
// endpoints' URLs, and keep the endpoint of a rule they did not touch.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setTransport, type CapabilityState, type CapPolicy } from '../../bridge';
import { fakeBackend, noBackend } from '../../test/fakeBackend';
import { gpuBox, localEndpoint } from '../settings/endpointsFixture';
import { CapabilitiesPanel } from './CapabilitiesPanel';
import { scopeFrom, scopeText } from './capFormat';

describe('model.invoke scopes', () => {
  it.each([
    ['llama3', '', { model: 'llama3' }, 'llama3'],
    ['', 'http://gpu-box:11434/', { model: '*', endpoint: 'http://gpu-box:11434' }, 'models on http://gpu-box:11434'],
    ['qwen3*', ' http://gpu-box:11434 ', { model: 'qwen3*', endpoint: 'http://gpu-box:11434' }, 'qwen3* on http://gpu-box:11434'],
    ['*', '', { model: '*' }, 'any model'],
    ['', '', {}, 'any model'],
  ])('model %j at %j', (model, endpoint, scope, words) => {
    expect(scopeFrom('model.invoke', model, endpoint)).toEqual(scope);
    expect(scopeText('model.invoke', scope)).toBe(words);
  });
  it('leaves the other kinds alone', () => {
    expect(scopeFrom('net.http', 'example.com', 'http://gpu-box:11434')).toEqual({ host: 'example.com' });
  });
});

const policy: CapPolicy = {
  rules: [
    { kind: 'model.invoke', scope: { model: '*', endpoint: 'http://127.0.0.1:11434' }, effect: 'allow' },
    { kind: 'model.invoke', scope: { model: '*' }, effect: 'ask' },
  ],
  sandbox: { limits: {} },
};

const state = (p: CapPolicy = policy, seq = 0): CapabilityState => ({
  policy: p,
  policySeq: seq,
  default: policy,
  grants: [],
  asks: [],
  kinds: ['fs.read', 'model.invoke'],
  profiles: {},
});

function backend(extra: Parameters<typeof fakeBackend>[0] = {}) {
  return fakeBackend({
    CapabilityState: async () => state(),
    ListEvents: async () => ({ total: 0, offset: 0, rows: [] }),
    Endpoints: async () => [localEndpoint(), gpuBox()],
    SetPolicy: async ({ policy: p }) => state(p, 9),
    Grant: async (req) => ({
      id: 'g1',
      kind: req.kind,
      scope: req.scope,
      workspace: 'w1',
      issuedBy: 'user',
      reason: req.reason,
      grantedAt: 0,
      grantedSeq: 12,
      uses: 0,
      revoked: false,
      expired: false,
      describe: '',
    }),
    ...extra,
  });
}

describe('<CapabilitiesPanel> model.invoke', () => {
  afterEach(() => setTransport(noBackend()));

  it('shows a rule’s endpoint, offers the configured URLs, and saves an edited one as models on it', async () => {
    const b = backend();
    setTransport(b.transport);
    render(<CapabilitiesPanel workspaceId="w1" />);
    const endpoint1 = (await screen.findByLabelText('Endpoint of scope of rule 1')) as HTMLInputElement;
    expect(endpoint1.value).toBe('http://127.0.0.1:11434');
    const rule1 = screen.getAllByTestId('policy-rule')[0] as HTMLElement;
    expect(within(rule1).getByTestId('scope-words').textContent).toBe('models on http://127.0.0.1:11434');

    const list = document.getElementById(endpoint1.getAttribute('list') ?? '') as HTMLDataListElement;
    await waitFor(() => expect([...list.options].map((o) => o.value)).toEqual(['http://127.0.0.1:11434', 'http://gpu-box:11434']));

    const endpoint2 = screen.getByLabelText('Endpoint of scope of rule 2') as HTMLInputElement;
    expect(endpoint2.value).toBe('');
    fireEvent.change(endpoint2, { target: { value: 'http://gpu-box:11434' } });
    const rule2 = screen.getAllByTestId('policy-rule')[1] as HTMLElement;
    expect(within(rule2).getByTestId('scope-words').textContent).toBe('models on http://gpu-box:11434');
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    await waitFor(() => expect(b.argsOf('SetPolicy')).toHaveLength(1));
    expect(b.argsOf('SetPolicy')[0]?.policy.rules).toEqual([
      { kind: 'model.invoke', scope: { model: '*', endpoint: 'http://127.0.0.1:11434' }, effect: 'allow' },
      { kind: 'model.invoke', scope: { model: '*', endpoint: 'http://gpu-box:11434' }, effect: 'ask' },
    ]);
  });

  it('a standing grant of a model on an endpoint', async () => {
    const b = backend();
    setTransport(b.transport);
    render(<CapabilitiesPanel workspaceId="w1" />);
    const form = await screen.findByRole('form', { name: 'Standing grant' });
    fireEvent.change(within(form).getByLabelText('Grant kind'), { target: { value: 'model.invoke' } });
    fireEvent.change(within(form).getByLabelText('Grant scope'), { target: { value: 'qwen3:32b' } });
    fireEvent.change(within(form).getByLabelText('Endpoint of grant scope'), { target: { value: 'http://gpu-box:11434/' } });
    expect(within(form).getByTestId('scope-words').textContent).toBe('qwen3:32b on http://gpu-box:11434');
    fireEvent.submit(form);
    await waitFor(() => expect(b.argsOf('Grant')).toHaveLength(1));
    expect(b.argsOf('Grant')[0]).toMatchObject({ kind: 'model.invoke', scope: { model: 'qwen3:32b', endpoint: 'http://gpu-box:11434' } });
  });
});
