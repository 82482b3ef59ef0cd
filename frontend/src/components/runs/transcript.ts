// An agent run's transcript as the UI holds it: the log's version
// (GetTranscript, the authority) with the live agent.update notifications
// on top, for what the log does not have yet: the text a step is streaming,
// an answer or a tool call just made. The backend commits answers and tool
// calls with the run's next event, so a read of the log may lag behind the
// updates: a live call is shown until the log has it (matched by content),
// and once the run is over the view is exactly the log. No React here.
//
// Each step keeps its object identity while nothing in it changes, so a
// delta re-renders only the step it belongs to.
import type { AgentUpdate, ContextNotice, Transcript, TranscriptCall, TranscriptStep } from '../../bridge';

/** LiveStep is what the live updates said about one model step. */
export interface LiveStep {
  step: number;
  /** purpose is "" for a step of the work, "compact" for a summary step, "calibrate" for a measuring one. */
  purpose: string;
  /** startedAt is when the step began (Unix ms, as seen here): the 'step' update, or the first one seen. */
  startedAt: number;
  content: string;
  thinking: string;
  /** chunks streamed so far (Ollama sends about one token per chunk). */
  chunks: number;
  /** liveRate is chunks per second since the step began, as of the last delta. */
  liveRate: number;
  /** responded: the step's answer is complete (a 'response' update). */
  responded: boolean;
  promptTokens: number;
  evalTokens: number;
  tokensPerSecond: number;
  /** calls seen live, in order (the first ones may be in the log already). */
  calls: TranscriptCall[];
}

/** TranscriptState is a transcript being watched. */
export interface TranscriptState {
  /** log is the last transcript read from the log; null before the first read. */
  log: Transcript | null;
  /** live holds, by step number, what updates said that the log may not have yet. */
  live: Readonly<Record<number, LiveStep>>;
  /** finished: the agent said it is done (a 'done' update). */
  finished: boolean;
  /** liveNotices are the truncations seen live that the log may not have yet. */
  liveNotices: readonly ContextNotice[];
}

export const emptyTranscript: TranscriptState = { log: null, live: {}, finished: false, liveNotices: [] };

const newLive = (step: number, now: number): LiveStep => ({
  step,
  purpose: '',
  startedAt: now,
  content: '',
  thinking: '',
  chunks: 0,
  liveRate: 0,
  responded: false,
  promptTokens: 0,
  evalTokens: 0,
  tokensPerSecond: 0,
  calls: [],
});

/** applyUpdate adds one agent.update of the watched run; now is when it arrived (Unix ms). */
export function applyUpdate(s: TranscriptState, u: AgentUpdate, now: number): TranscriptState {
  if (u.kind === 'done') return s.finished ? s : { ...s, finished: true };
  if (u.kind === 'truncated') {
    if (s.liveNotices.some((n) => n.kind === 'truncated' && n.step === u.step)) return s;
    return { ...s, liveNotices: [...s.liveNotices, { kind: 'truncated', step: u.step, seq: 0, text: u.error ?? 'The server cut this request.' }] };
  }
  const cur = s.live[u.step];
  let next: LiveStep;
  switch (u.kind) {
    case 'step':
      next = { ...(cur ?? newLive(u.step, now)), startedAt: now, purpose: u.purpose ?? '' };
      break;
    case 'delta': {
      const base = cur ?? newLive(u.step, now);
      const chunks = Math.max(base.chunks, u.evalTokens ?? 0);
      const secs = (now - base.startedAt) / 1000;
      next = {
        ...base,
        content: base.content + (u.content ?? ''),
        thinking: base.thinking + (u.thinking ?? ''),
        chunks,
        liveRate: secs > 0 ? chunks / secs : 0,
      };
      break;
    }
    case 'response':
      next = {
        ...(cur ?? newLive(u.step, now)),
        content: u.content ?? '',
        thinking: u.thinking ?? '',
        responded: true,
        promptTokens: u.promptTokens ?? 0,
        evalTokens: u.evalTokens ?? 0,
        tokensPerSecond: u.tokensPerSecond ?? 0,
      };
      break;
    case 'tool': {
      const base = cur ?? newLive(u.step, now);
      const call: TranscriptCall = { name: u.tool ?? '', arguments: u.arguments ?? '', source: '', result: u.result ?? '', error: u.error ?? '', seq: 0 };
      next = { ...base, calls: [...base.calls, call] };
      break;
    }
    default:
      return s;
  }
  return { ...s, live: { ...s.live, [u.step]: next } };
}

/** normalise fills the lists Go sends as null. */
function normalise(t: Transcript): Transcript {
  return { ...t, steps: (t.steps ?? []).map((st) => (st.toolCalls ? st : { ...st, toolCalls: [] })), notices: t.notices ?? [] };
}

/** sameStep tells whether a step read again from the log is unchanged. */
function sameStep(a: TranscriptStep, b: TranscriptStep): boolean {
  return (
    a.seq === b.seq &&
    a.done === b.done &&
    a.content === b.content &&
    a.thinking === b.thinking &&
    a.response?.error === b.response?.error &&
    a.toolCalls.length === b.toolCalls.length &&
    a.toolCalls.every((c, i) => c.seq === b.toolCalls[i]?.seq)
  );
}

/** sameCall tells whether a call seen live is one the log recorded (the update carries previews: compare their starts). */
function sameCall(logged: TranscriptCall, live: TranscriptCall): boolean {
  const start = (x: string) => x.slice(0, 200);
  return logged.name === live.name && logged.error === live.error && start(logged.arguments) === start(live.arguments) && start(logged.result) === start(live.result);
}

/**
 * overlap counts the live calls the log already has: the longest run of
 * live calls, from the first, that ends the log's calls. (The page may have
 * joined the run mid-step, so the live calls need not start with the log's.)
 */
export function overlap(logged: readonly TranscriptCall[], live: readonly TranscriptCall[]): number {
  for (let k = Math.min(logged.length, live.length); k > 0; k--) {
    const from = logged.length - k;
    let all = true;
    for (let i = 0; i < k && all; i++) all = sameCall(logged[from + i] as TranscriptCall, live[i] as TranscriptCall);
    if (all) return k;
  }
  return 0;
}

/**
 * applyLog takes a transcript read from the log. A live step the log has
 * whole, calls included, is dropped; the rest stays on top, since the log
 * may lag behind. final (the agent is no longer running) drops all that is
 * live: the view is then exactly the log.
 */
export function applyLog(s: TranscriptState, t: Transcript, final: boolean): TranscriptState {
  const fresh = normalise(t);
  const old = new Map((s.log?.steps ?? []).map((st) => [st.step, st]));
  const steps = fresh.steps.map((st) => {
    const o = old.get(st.step);
    return o && sameStep(o, st) ? o : st;
  });
  const log = { ...fresh, steps };
  if (final) return { ...s, log, live: {}, liveNotices: [] };
  const liveNotices = s.liveNotices.filter((n) => !log.notices.some((l) => l.kind === n.kind && l.step === n.step));
  const byStep = new Map(steps.map((st) => [st.step, st]));
  const live: Record<number, LiveStep> = {};
  for (const l of Object.values(s.live)) {
    const logged = byStep.get(l.step);
    if (logged?.done && overlap(logged.toolCalls, l.calls) === l.calls.length) continue;
    live[l.step] = l;
  }
  return { ...s, log, live, liveNotices: liveNotices.length === s.liveNotices.length ? s.liveNotices : liveNotices };
}

/** notices lists what the runtime did to the context window, the log's and those seen live, in order. */
export function notices(s: TranscriptState): ContextNotice[] {
  return [...(s.log?.notices ?? []), ...s.liveNotices];
}

/**
 * placeNotices sorts notices by the step they concern: a trim or a
 * compaction shapes a step's request, so it goes before the step; a
 * truncation is found in its answer, so after it. A notice of a step not
 * shown goes at the end.
 */
export function placeNotices(list: readonly ContextNotice[], steps: readonly number[]) {
  const shown = new Set(steps);
  const before = new Map<number, ContextNotice[]>();
  const after = new Map<number, ContextNotice[]>();
  const rest: ContextNotice[] = [];
  for (const n of list) {
    if (!shown.has(n.step)) {
      rest.push(n);
      continue;
    }
    const m = n.kind === 'truncated' ? after : before;
    m.set(n.step, [...(m.get(n.step) ?? []), n]);
  }
  return { before, after, rest };
}

/** StepNumbers lists the steps to show, log and live, in order. */
export function stepNumbers(s: TranscriptState): number[] {
  const set = new Set<number>((s.log?.steps ?? []).map((st) => st.step));
  for (const k of Object.keys(s.live)) set.add(Number(k));
  return [...set].sort((a, b) => a - b);
}

/** StepView is one step as shown: the log's where it has it, else the live updates'. */
export interface StepView {
  step: number;
  /** purpose: "" for a step of the work, "compact" for a summary of older messages, "calibrate" for a measuring step. */
  purpose: string;
  /** done: the answer is complete (recorded, or announced live). */
  done: boolean;
  /** streaming: text is arriving and no answer is complete yet. */
  streaming: boolean;
  content: string;
  thinking: string;
  calls: TranscriptCall[];
  promptTokens: number;
  evalTokens: number;
  /** tokensPerSecond: Ollama's measure once done; while streaming, chunks per second so far. */
  tokensPerSecond: number;
  /** durationNs is the step's wall time, once recorded. */
  durationNs: number;
  firstTokenMs: number;
  doneReason: string;
  error: string;
  /** pending names the calls the answer made that have no result yet (or never got one). */
  pending: string[];
}

/** stepView merges the log's step with the live one (either may be missing). */
export function stepView(log: TranscriptStep | undefined, live: LiveStep | undefined, step: number): StepView {
  const r = log?.done ? log.response : undefined;
  const logged = log?.toolCalls ?? [];
  const seen = live?.calls ?? [];
  const calls = seen.length > 0 ? [...logged, ...seen.slice(overlap(logged, seen))] : logged;
  const purpose = log?.purpose || live?.purpose || '';
  if (log?.done) {
    return {
      step,
      purpose,
      done: true,
      streaming: false,
      content: log.content,
      thinking: log.thinking,
      calls,
      promptTokens: r?.promptTokens ?? 0,
      evalTokens: r?.evalTokens ?? 0,
      tokensPerSecond: r && r.evalNs > 0 ? r.evalTokens / (r.evalNs / 1e9) : 0,
      durationNs: (r?.wallMs ?? 0) * 1e6,
      firstTokenMs: r?.firstTokenMs ?? 0,
      doneReason: r?.doneReason ?? '',
      error: r?.error ?? '',
      pending: (r?.toolCalls ?? []).slice(calls.length),
    };
  }
  // Tool calls come after the answer: a step seen only from its calls (the
  // page joined late) is answered too.
  const answered = !!live && (live.responded || live.calls.length > 0);
  return {
    step,
    purpose,
    done: answered,
    streaming: !!live && !answered && (live.chunks > 0 || live.content !== '' || live.thinking !== ''),
    content: live?.content ?? log?.content ?? '',
    thinking: live?.thinking ?? log?.thinking ?? '',
    calls,
    promptTokens: live?.promptTokens ?? 0,
    evalTokens: live?.responded ? live.evalTokens : (live?.chunks ?? 0),
    tokensPerSecond: live?.responded ? live.tokensPerSecond : (live?.liveRate ?? 0),
    durationNs: 0,
    firstTokenMs: 0,
    doneReason: '',
    error: '',
    pending: [],
  };
}
