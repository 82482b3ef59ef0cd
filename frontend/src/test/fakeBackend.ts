// A fake backend for component tests: the methods a test implements answer,
// every other method rejects; every call is recorded, and the test sends
// notifications with emit.
import { apiMethods, type Api, type Transport } from '../bridge/api';
import type { EventRow, RunInfo, SandboxState, ThreadSummary, ThreadView, TurnView } from '../bridge';

export interface Call {
  method: string;
  arg: unknown;
}

export function fakeBackend(impl: Partial<Api>) {
  const calls: Call[] = [];
  const handlers = new Map<string, Set<(d: unknown) => void>>();
  const api = Object.fromEntries(
    apiMethods.map((m) => [
      m,
      (...args: unknown[]) => {
        calls.push({ method: m, arg: args[0] });
        const f = impl[m] as ((...a: unknown[]) => Promise<unknown>) | undefined;
        return f ? f(...args) : Promise.reject(new Error(`${m} is not part of this fake`));
      },
    ]),
  ) as unknown as Api;
  const transport: Transport = {
    kind: 'http',
    api,
    on(name, handler) {
      let set = handlers.get(name);
      if (!set) handlers.set(name, (set = new Set()));
      set.add(handler);
      return () => set.delete(handler);
    },
  };
  return {
    transport,
    calls,
    /** argsOf lists the first argument of every call of method, in order. */
    argsOf: <M extends keyof Api>(method: M) => calls.filter((c) => c.method === method).map((c) => c.arg as Parameters<Api[M]>[0]),
    /** emit delivers a notification to every subscriber. */
    emit: (name: string, data: unknown) => handlers.get(name)?.forEach((h) => h(data)),
    /** subscribers counts the handlers of a notification. */
    subscribers: (name: string) => handlers.get(name)?.size ?? 0,
  };
}

/** An unused backend to leave behind after a test. */
export const noBackend = (): Transport => fakeBackend({}).transport;

const t0 = Date.UTC(2025, 0, 6, 9, 0, 0) * 1e6;

/** run makes a RunInfo with sensible defaults. */
export function run(over: Partial<RunInfo> = {}): RunInfo {
  return {
    id: 'run-0001',
    workspace: 'w1',
    worker: 'replace',
    task: 'Replace "old" with "new"',
    state: 'validated',
    version: 14,
    createdAt: t0,
    updatedAt: t0 + 50e6,
    autoCommit: false,
    revertOf: '',
    revertedBy: '',
    reason: '',
    approved: false,
    outcome: '',
    profile: 'edit',
    model: '',
    // validated by a command, as the typical run of lifecycleTo (its effect.command_executed)
    validationCommand: ['go', 'test', './...'],
    waiting: false,
    ...over,
  };
}

/** events makes a run's event rows of the given types, seq from first, stepMs apart. */
export function events(runId: string, types: string[], { first = 1, stepMs = 10, start = t0 } = {}): EventRow[] {
  return types.map((type, i) => ({
    seq: first + i,
    id: `ev-${first + i}`,
    at: start + i * stepMs * 1e6,
    type,
    origin: type === 'run.requested' || type === 'run.commit_approved' || type === 'run.abort_requested' ? 'user' : 'runtime',
    stream: `run/${runId}`,
    version: i + 1,
    workspace: 'w1',
    run: runId,
    causation: '',
  }));
}

/** lifecycleTo lists the event types of a run that went as far as state (a typical replace run). */
export function lifecycleTo(state: 'executing' | 'validated' | 'validation_failed' | 'committed'): string[] {
  const start = [
    'run.requested',
    'run.created',
    'run.provisioned',
    'run.context_resolved',
    'run.memory_mounted',
    'run.capabilities_bound',
    'run.execution_started',
    'effect.file_read',
    'effect.file_staged',
  ];
  if (state === 'executing') return start;
  const validating = [...start, 'run.validation_started', 'effect.command_executed'];
  if (state === 'validation_failed') return [...validating, 'run.validation_failed'];
  const validated = [...validating, 'run.validation_passed'];
  if (state === 'validated') return validated;
  return [...validated, 'run.commit_approved', 'run.committing', 'effect.file_written', 'run.committed', 'run.terminated'];
}

/** sandboxState makes a SandboxStatus answer: an available overlayfs sandbox by default. */
export function sandboxState(over: Partial<SandboxState> = {}): SandboxState {
  return {
    available: true,
    mode: 'overlayfs',
    userNs: true,
    overlay: true,
    fuse: false,
    landlockAbi: 7,
    seccomp: true,
    unsandboxed: [],
    ...over,
  };
}

/** turn makes a conversation's TurnView: turn n, a message whose run is "tr-<n>", validated by default. */
export function turn(n: number, over: Partial<TurnView> = {}, info: Partial<RunInfo> = {}): TurnView {
  const id = over.run ?? `tr-${n}`;
  return {
    turn: n,
    run: id,
    kind: 'message',
    retries: 0,
    retried: false,
    inherited: false,
    reverts: '',
    at: t0 + n * 60e9,
    info: run({ id, worker: 'agent', task: over.message ?? `message ${n}`, model: 'tiny:latest', state: 'validated', ...info }),
    message: `message ${n}`,
    files: [],
    rules: [],
    history: 2 * (n - 1),
    summaries: 0,
    changes: [],
    trimmed: 0,
    compacted: 0,
    truncated: 0,
    promptTokens: 0,
    window: 0,
    retryable: false,
    failed: false,
    ...over,
  };
}

/** threadView makes a GetThread answer for thread "th-1" with turns. */
export function threadView(turns: TurnView[], over: Partial<ThreadView> = {}): ThreadView {
  return {
    thread: { id: 'th-1', workspace: 'w1', title: 'Fix the greeting', createdAt: t0, updatedAt: t0 + 1e9, hidden: false, forkOf: '', forkTurn: 0, turns: turns.length },
    turns,
    busy: false,
    pending: '',
    ...over,
  };
}

/** threadSummary makes a ListThreads row. */
export function threadSummary(over: Partial<ThreadSummary> = {}): ThreadSummary {
  return { id: 'th-1', workspace: 'w1', title: 'Fix the greeting', createdAt: t0, updatedAt: t0 + 1e9, hidden: false, forkOf: '', forkTurn: 0, turns: 1, last: 'validated', outcome: '', failed: false, model: 'tiny:latest', ...over };
}
