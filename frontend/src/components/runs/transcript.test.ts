import { describe, expect, it } from 'vitest';
import type { AgentUpdate, Transcript, TranscriptCall, TranscriptStep } from '../../bridge';
import { run } from '../../test/fakeBackend';
import { chatModels, parseAdvanced, pickModel, prettyJson, toolTarget, writePreview } from './agentFormat';
import { applyLog, applyUpdate, emptyTranscript, notices, overlap, placeNotices, stepNumbers, stepView, type TranscriptState } from './transcript';

const step = (n: number, over: Partial<TranscriptStep> = {}): TranscriptStep => ({
  step: n,
  seq: n * 10,
  model: 'tiny:latest',
  digest: 'sha256:00',
  options: {},
  chatOnly: false,
  purpose: '',
  window: 4096,
  estimate: 100,
  sent: 2,
  done: true,
  response: { step: n, model: 'tiny:latest', content: '', promptTokens: 10, evalTokens: 5, totalNs: 0, loadNs: 0, promptEvalNs: 0, evalNs: 5e8, firstTokenMs: 1, wallMs: 7, chunks: 5 },
  thinking: '',
  content: `answer ${n}`,
  toolCalls: [],
  ...over,
});

const log = (steps: TranscriptStep[]): Transcript => ({ run: run({ worker: 'agent' }), steps, promptTokens: 0, evalTokens: 0, tokensPerSecond: 0, notices: [] });
const u = (over: Partial<AgentUpdate> & Pick<AgentUpdate, 'kind' | 'step'>): AgentUpdate => ({ run: 'run-0001', ...over });

const tc = (name: string, result: string, seq = 0): TranscriptCall => ({ name, arguments: '{"path":"a.txt"}', source: 'native', result, error: '', seq });

describe('context notices', () => {
  it('keeps a truncation seen live until the log has it, and drops it once the run is over', () => {
    let s = applyUpdate(emptyTranscript, u({ kind: 'truncated', step: 2, error: 'the server cut this request' }), 0);
    s = applyUpdate(s, u({ kind: 'truncated', step: 2, error: 'again' }), 0);
    expect(notices(s)).toEqual([{ kind: 'truncated', step: 2, seq: 0, text: 'the server cut this request' }]);
    const without = applyLog(s, log([step(1), step(2)]), false);
    expect(notices(without).map((n) => n.text)).toEqual(['the server cut this request']);
    const logged = { kind: 'truncated', step: 2, seq: 31, text: 'The server did not see all of step 2.' };
    expect(notices(applyLog(s, { ...log([step(1), step(2)]), notices: [logged] }, false))).toEqual([logged]);
    expect(notices(applyLog(s, log([step(1), step(2)]), true))).toEqual([]);
  });

  it('puts a trim or a compaction before the step it shaped, a truncation after it, and the rest at the end', () => {
    const n = (kind: string, step: number) => ({ kind, step, seq: step, text: '' });
    const p = placeNotices([n('trimmed', 2), n('truncated', 2), n('compacted', 9)], [1, 2]);
    expect(p.before.get(2)?.map((x) => x.kind)).toEqual(['trimmed']);
    expect(p.after.get(2)?.map((x) => x.kind)).toEqual(['truncated']);
    expect(p.rest.map((x) => x.kind)).toEqual(['compacted']);
  });

  it('tells a summary step from a step of the work, live and logged', () => {
    const live = applyUpdate(emptyTranscript, u({ kind: 'step', step: 3, purpose: 'compact' }), 0).live[3];
    expect(stepView(undefined, live, 3).purpose).toBe('compact');
    expect(stepView(step(3, { purpose: 'compact' }), undefined, 3).purpose).toBe('compact');
    expect(stepView(step(4), undefined, 4).purpose).toBe('');
  });
});

describe('transcript state', () => {
  it('keeps the object of every step a new read of the log did not change', () => {
    const s1 = applyLog(emptyTranscript, log([step(1), step(2, { done: false, response: undefined, content: '' })]), false);
    const s2 = applyLog(s1, log([step(1), step(2), step(3, { done: false, response: undefined, content: '' })]), false);
    expect(s2.log?.steps[0]).toBe(s1.log?.steps[0]);
    expect(s2.log?.steps[1]).not.toBe(s1.log?.steps[1]);
    expect(s2.log?.steps[1]?.done).toBe(true);
    const withCall = log([step(1, { toolCalls: [tc('finish', '', 12)] }), step(2), step(3)]);
    expect(applyLog(s2, withCall, false).log?.steps[0]).not.toBe(s2.log?.steps[0]);
  });

  it('fills the lists Go sends as null', () => {
    const s = applyLog(emptyTranscript, { ...log([{ ...step(1), toolCalls: null as unknown as [] }]) }, false);
    expect(s.log?.steps[0]?.toolCalls).toEqual([]);
    expect(applyLog(emptyTranscript, { ...log([]), steps: null as unknown as [] }, false).log?.steps).toEqual([]);
  });

  it('a live update replaces only the step it is about', () => {
    let s: TranscriptState = applyLog(emptyTranscript, log([step(1)]), false);
    s = applyUpdate(s, u({ kind: 'step', step: 2 }), 1000);
    s = applyUpdate(s, u({ kind: 'step', step: 3 }), 1000);
    const before = s;
    s = applyUpdate(s, u({ kind: 'delta', step: 3, content: 'ab', evalTokens: 4 }), 3000);
    expect(s.log).toBe(before.log);
    expect(s.live[2]).toBe(before.live[2]);
    expect(s.live[3]).not.toBe(before.live[3]);
    expect(s.live[3]).toMatchObject({ content: 'ab', chunks: 4, liveRate: 2 });
    expect(stepNumbers(s)).toEqual([1, 2, 3]);
  });

  it('shows a live call until the log has it: a read may lag behind the updates', () => {
    let s: TranscriptState = applyLog(emptyTranscript, log([step(1, { done: false, response: undefined, content: '' })]), false);
    s = applyUpdate(s, u({ kind: 'delta', step: 1, content: 'Hi', evalTokens: 1 }), 0);
    s = applyUpdate(s, u({ kind: 'response', step: 1, content: 'Hi.' }), 0);
    s = applyUpdate(s, u({ kind: 'tool', step: 1, tool: 'list_dir', arguments: '{"path":"a.txt"}', result: 'a.txt' }), 0);
    s = applyUpdate(s, u({ kind: 'tool', step: 1, tool: 'read_file', arguments: '{"path":"a.txt"}', result: 'hello' }), 0);
    const names = () => stepView(s.log?.steps[0], s.live[1], 1).calls.map((c) => c.name);
    expect(names()).toEqual(['list_dir', 'read_file']);

    // The backend has not committed the answer yet: the log still has the step open.
    s = applyLog(s, log([step(1, { done: false, response: undefined, content: '' })]), false);
    expect(names()).toEqual(['list_dir', 'read_file']);
    expect(stepView(s.log?.steps[0], s.live[1], 1).content).toBe('Hi.');

    // The answer and the first call are committed: each call is shown once.
    const recorded = step(1, { content: 'Hi.', toolCalls: [tc('list_dir', 'a.txt', 11)] });
    s = applyLog(s, log([recorded]), false);
    expect(s.live[1]).toBeDefined();
    expect(stepView(s.log?.steps[0], s.live[1], 1).calls.map((c) => [c.name, c.seq])).toEqual([
      ['list_dir', 11],
      ['read_file', 0],
    ]);

    // Once the log has both, nothing live is left for the step.
    s = applyLog(s, log([{ ...recorded, toolCalls: [...recorded.toolCalls, tc('read_file', 'hello', 12)] }]), false);
    expect(s.live).toEqual({});
    expect(names()).toEqual(['list_dir', 'read_file']);
  });

  it('matches live calls to the end of the log even when the page joined mid-step', () => {
    const logged = [tc('list_dir', 'a'), tc('read_file', 'b'), tc('read_file', 'c')];
    expect(overlap(logged, [tc('read_file', 'c'), tc('finish', 'done')])).toBe(1);
    expect(overlap(logged, [tc('read_file', 'b'), tc('read_file', 'c')])).toBe(2);
    expect(overlap(logged, [tc('finish', 'done')])).toBe(0);
    expect(overlap([], [tc('finish', 'done')])).toBe(0);
    // The update carries previews of long results: their starts match.
    const long = 'x'.repeat(5000);
    expect(overlap([tc('read_file', long)], [tc('read_file', `${long.slice(0, 4000)}…`)])).toBe(1);
    expect(overlap([{ ...tc('read_file', ''), error: 'no such file' }], [tc('read_file', '')])).toBe(0);
  });

  it('keeps the live text of a step the log has not answered, until the run is over', () => {
    let s: TranscriptState = applyUpdate(emptyTranscript, u({ kind: 'delta', step: 1, content: 'stream', evalTokens: 1 }), 0);
    const open = log([step(1, { done: false, response: undefined, content: '' })]);
    s = applyLog(s, open, false);
    expect(stepView(s.log?.steps[0], s.live[1], 1)).toMatchObject({ content: 'stream', streaming: true, done: false });
    s = applyLog(s, open, true);
    expect(s.live).toEqual({});
    expect(stepView(s.log?.steps[0], s.live[1], 1)).toMatchObject({ content: '', streaming: false, done: false });
  });

  it('the log wins over live text for a step it has whole', () => {
    const live = applyUpdate(emptyTranscript, u({ kind: 'response', step: 1, content: 'live text', evalTokens: 3, tokensPerSecond: 9 }), 0).live[1];
    expect(stepView(step(1), live, 1)).toMatchObject({ content: 'answer 1', evalTokens: 5, tokensPerSecond: 10, durationNs: 7e6, done: true });
    expect(stepView(undefined, live, 1)).toMatchObject({ content: 'live text', evalTokens: 3, tokensPerSecond: 9, done: true });
  });

  it('names the calls an answer made that have no result yet', () => {
    const base = step(1);
    const answered = { ...base, response: { ...base.response!, toolCalls: ['read_file', 'edit_file'] } };
    expect(stepView(answered, undefined, 1).pending).toEqual(['read_file', 'edit_file']);
    expect(stepView({ ...answered, toolCalls: [tc('read_file', 'x')] }, undefined, 1).pending).toEqual(['edit_file']);
  });

  it('done marks the agent finished', () => {
    expect(applyUpdate(emptyTranscript, u({ kind: 'done', step: 4 }), 0)).toMatchObject({ finished: true, live: {} });
  });
});

describe('agent formatting', () => {
  const m = (name: string, capabilities: string[]) => ({ name, digest: '', size: 0, modifiedAt: 0, family: '', parameters: '', quantization: '', format: '', capabilities });

  it('offers every model but the embedding-only ones, and keeps a choice while it is installed', () => {
    const list = chatModels({ models: [m('e', ['embedding']), m('both', ['embedding', 'completion']), m('c', ['completion']), m('unknown', [])] });
    expect(list.map((x) => x.name)).toEqual(['both', 'c', 'unknown']);
    expect(pickModel(list, 'c', 'both')).toBe('c');
    expect(pickModel(list, 'gone', 'both')).toBe('both');
    expect(pickModel(list, '', 'gone')).toBe('both');
    expect(pickModel([], '', 'x')).toBe('');
  });

  it('previews a write as its start, an edit as old and new text or its diff', () => {
    const content = Array.from({ length: 9 }, (_, i) => `l${i + 1}`).join('\n') + '\n';
    expect(writePreview('write_file', { path: 'a', content }, 3)).toEqual([
      { kind: 'add', text: 'l1' },
      { kind: 'add', text: 'l2' },
      { kind: 'add', text: 'l3' },
      { kind: 'more', text: '… 6 more lines' },
    ]);
    expect(writePreview('edit_file', { path: 'a', old_text: 'x', new_text: 'y\nz' })).toEqual([
      { kind: 'del', text: 'x' },
      { kind: 'add', text: 'y' },
      { kind: 'add', text: 'z' },
    ]);
    expect(writePreview('edit_file', { path: 'a', diff: '--- a\n+++ a\n@@ -1 +1 @@\n-x\n+y' })?.map((l) => l.kind)).toEqual(['ctx', 'ctx', 'ctx', 'del', 'add']);
    expect(writePreview('read_file', { path: 'a' })).toBeNull();
    expect(writePreview('write_file', null)).toBeNull();
  });

  it('names what a call is about, and keeps short arguments on one line', () => {
    expect(toolTarget('run_command', { command: 'go test ./...', path: 'src' })).toBe('go test ./... (in src)');
    expect(toolTarget('read_file', { path: 'a.go', start_line: 3, end_line: 9 })).toBe('a.go:3–9');
    expect(toolTarget('search_text', { query: 'TODO' })).toBe('TODO');
    expect(toolTarget('list_dir', {})).toBe('.');
    expect(prettyJson('{"path":"a.txt","n":2}')).toBe('{"path": "a.txt", "n": 2}');
    expect(prettyJson(JSON.stringify({ content: 'x'.repeat(80) }))).toBe(`{\n  "content": "${'x'.repeat(80)}"\n}`);
    expect(prettyJson('{not json')).toBe('{not json');
  });

  it('reads the advanced settings: empty is the default, anything else must be a number', () => {
    const none = { temperature: '', seed: '', maxTokens: '', maxTurns: '', numCtx: '' };
    expect(parseAdvanced(none)).toEqual({ ok: true, value: { maxTokens: 0, maxTurns: 0, numCtx: 0 } });
    expect(parseAdvanced({ temperature: '0.7', seed: '-3', maxTokens: '1000', maxTurns: '5', numCtx: '16384' })).toEqual({
      ok: true,
      value: { temperature: 0.7, seed: -3, maxTokens: 1000, maxTurns: 5, numCtx: 16384 },
    });
    expect(parseAdvanced({ ...none, temperature: 'hot' }).ok).toBe(false);
    expect(parseAdvanced({ ...none, maxTokens: '-1' })).toEqual({ ok: false, error: 'Max tokens must be a whole number, 0 or more (empty for the default).' });
    expect(parseAdvanced({ ...none, maxTurns: '2.5' }).ok).toBe(false);
    expect(parseAdvanced({ ...none, numCtx: 'big' })).toEqual({ ok: false, error: 'Context window must be a whole number, 0 or more (empty for the default).' });
  });
});
