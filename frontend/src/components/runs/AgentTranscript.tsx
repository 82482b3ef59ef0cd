// The transcript of an agent run: the task, then every model step with its
// streamed text, thinking, tool calls and their results, the numbers of the
// step and, on demand, exactly what the model was sent. It is read from the
// log (GetTranscript) and follows the run live through agent.update.
import { Fragment, memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { abortRun } from '../../actions';
import { api, errorMessage, Events, on, RunEvents, type CommandPayload, type ContextNotice, type EventRow, type RunInfo, type TranscriptCall, type TranscriptStep } from '../../bridge';
import { WhyLink } from '../capabilities/Why';
import { FormError } from '../FormError';
import { parseMCPToolName, toolLabel } from '../mcp/mcpFormat';
import { CommandSandbox } from '../sandbox/CommandSandbox';
import { agentActive, formatRate, parseArgs, prettyJson, shortDigest, toolTarget, writePreview } from './agentFormat';
import { Collapsible } from './Collapsible';
import { InferenceRequest } from './InferenceRequest';
import { formatDuration } from './runFormat';
import { applyLog, applyUpdate, emptyTranscript, notices, placeNotices, stepNumbers, stepView, type LiveStep, type StepView, type TranscriptState } from './transcript';

/** reloadDelayMs gathers the tool calls of one step into one read of the log. */
const reloadDelayMs = 200;

/**
 * useTranscript watches an agent run's transcript: it reads the log, again
 * after answers and tool calls (debounced), when the run changes state and
 * after a reconnect, and applies the run's live updates in between.
 */
export function useTranscript(run: Pick<RunInfo, 'id' | 'state' | 'outcome'>) {
  const [state, setState] = useState<TranscriptState>(emptyTranscript);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const active = agentActive(run);
  const activeRef = useRef(active);
  activeRef.current = active;

  const reload = useCallback(async () => {
    const gen = ++generation.current;
    const final = !activeRef.current;
    try {
      const t = await api.GetTranscript({ id: run.id });
      if (gen !== generation.current) return;
      setState((s) => applyLog(s, t, final));
      setError(null);
    } catch (err) {
      if (gen === generation.current) setError(errorMessage(err));
    }
  }, [run.id]);

  // Subscribe before the first read, so that nothing falls between them.
  useEffect(() => {
    setState(emptyTranscript);
    let timer: ReturnType<typeof setTimeout> | null = null;
    const later = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        void reload();
      }, reloadDelayMs);
    };
    const offs = [
      on(Events.AgentUpdate, (u) => {
        if (u.run !== run.id) return;
        const now = Date.now();
        setState((s) => applyUpdate(s, u, now));
        // The log has more than the update (once the backend committed
        // it, with the run's next event): a response names the calls it
        // made (one may be waiting for an approval), a tool call has its
        // whole result.
        if (u.kind === 'response' || u.kind === 'tool' || u.kind === 'done') later();
      }),
      on(Events.Reconnected, () => void reload()),
    ];
    return () => {
      if (timer) clearTimeout(timer);
      offs.forEach((off) => off());
    };
  }, [run.id, reload]);

  // The first read, and one whenever the run moves on (its end above all:
  // the view then equals the log).
  useEffect(() => {
    void reload();
  }, [reload, run.state, run.outcome]);

  return { state, error, reload };
}

/** useStepViews derives the shown steps, keeping each one's identity while its sources are unchanged. */
function useStepViews(state: TranscriptState): StepView[] {
  const cache = useRef(new Map<number, { log: TranscriptStep | undefined; live: LiveStep | undefined; view: StepView }>());
  return useMemo(() => {
    const logSteps = new Map((state.log?.steps ?? []).map((st) => [st.step, st]));
    const next = new Map<number, { log: TranscriptStep | undefined; live: LiveStep | undefined; view: StepView }>();
    const views = stepNumbers(state).map((n) => {
      const log = logSteps.get(n);
      const live = state.live[n];
      const hit = cache.current.get(n);
      const view = hit && hit.log === log && hit.live === live ? hit.view : stepView(log, live, n);
      next.set(n, { log, live, view });
      return view;
    });
    cache.current = next;
    return views;
  }, [state]);
}

function PreviewBlock({ name, args }: { name: string; args: ReturnType<typeof parseArgs> }) {
  const lines = writePreview(name, args);
  if (!lines) return null;
  return (
    <pre className="tr-preview mono" aria-label="Preview of the change">
      {lines.map((l, i) => (
        <span key={i} className={`pv-${l.kind}`}>
          {l.kind === 'add' ? '+ ' : l.kind === 'del' ? '- ' : l.kind === 'ctx' ? '  ' : ''}
          {l.text}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

/**
 * useToolCommand reads the effect.command_executed event of a run_command
 * call: the run's last command recorded after the call before it (afterSeq)
 * and before the call itself (the call is recorded once the command ran).
 */
function useToolCommand(run: string, afterSeq: number, callSeq: number, wanted: boolean) {
  const [state, setState] = useState<{ key: string; cmd: CommandPayload | null; error: string | null } | null>(null);
  const key = `${run}/${afterSeq}/${callSeq}`;
  useEffect(() => {
    if (!wanted || callSeq <= 0) return;
    let live = true;
    (async () => {
      const filter = { run, type: RunEvents.CommandExecuted, origin: '', workspace: '' };
      let row: EventRow | undefined;
      // Oldest first, page by page, up to the call itself.
      for (let offset = 0; ; ) {
        const page = await api.ListEvents({ filter, offset, limit: 500 });
        const got = page.rows ?? [];
        row = got.filter((e) => e.seq > afterSeq && e.seq < callSeq).at(-1) ?? row;
        offset += got.length;
        if (got.length === 0 || offset >= page.total || (got.at(-1)?.seq ?? 0) >= callSeq) break;
      }
      if (!row) return null;
      const d = await api.GetEvent({ seq: row.seq, id: row.id });
      return JSON.parse(d.payload) as CommandPayload;
    })().then(
      (cmd) => live && setState({ key, cmd, error: null }),
      (err: unknown) => live && setState({ key, cmd: null, error: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [key, wanted, run, afterSeq, callSeq]);
  return state?.key === key ? state : null;
}

function ToolCallItem({ call, run, afterSeq }: { call: TranscriptCall; run: string; afterSeq: number }) {
  const command = useToolCommand(run, afterSeq, call.seq, call.name === 'run_command');
  const args = parseArgs(call.arguments);
  const target = toolTarget(call.name, args);
  const isWrite = call.name === 'write_file' || call.name === 'edit_file';
  const finish = call.name === 'finish' && !call.error;
  // A tool of an MCP server (mcp__<server>__<tool>): labelled "server › tool", its arguments always indented.
  const mcp = parseMCPToolName(call.name);
  return (
    <div className={`tr-call${call.error ? ' failed' : ''}${finish ? ' finish' : ''}`} role="group" aria-label={`Tool call ${call.name || '(unreadable)'}`} data-tool={call.name}>
      <div className="tr-call-head">
        <span className="tr-call-icon" aria-hidden>
          {call.error ? '✗' : finish ? '✓' : '⚙'}
        </span>
        <span className="tr-call-name mono" title={mcp ? call.name : undefined}>
          {call.name ? toolLabel(call.name) : '(unreadable call)'}
        </span>
        {mcp && (
          <span className="chip mcp-badge" title={`A tool of the MCP server ${mcp.server}`}>
            MCP
          </span>
        )}
        {target && (
          <span className="tr-call-target mono" title={target}>
            {target}
          </span>
        )}
        {call.source === 'text' && (
          <span className="chip" title="The model wrote this call in its answer instead of using native tool calling">
            from text
          </span>
        )}
      </div>
      {finish ? (
        <p className="tr-finish">{typeof args?.summary === 'string' ? args.summary : call.result}</p>
      ) : (
        <>
          {isWrite ? (
            <PreviewBlock name={call.name} args={args} />
          ) : (
            call.arguments &&
            call.arguments !== '{}' &&
            call.arguments !== 'null' && (
              <pre className="tr-args mono" aria-label={`Arguments of ${call.name}`}>
                {prettyJson(call.arguments, mcp ? 0 : 60)}
              </pre>
            )
          )}
          {command?.cmd && <CommandSandbox cmd={command.cmd} />}
          {command?.error && <FormError error={command.error} what="command's sandbox record" />}
          {call.error ? (
            <p className="tr-call-error" role="note">
              <strong>Tool error:</strong> {call.error}
            </p>
          ) : (
            <div className="tr-result" aria-label={`Result of ${call.name}`}>
              <Collapsible text={call.result} label="result" />
            </div>
          )}
          {mcp && call.seq > 0 && (
            <div className="tr-call-why small">
              <WhyLink seq={call.seq} />
            </div>
          )}
        </>
      )}
    </div>
  );
}

function StepFooter({ v }: { v: StepView }) {
  if (!v.done && !v.streaming) return null;
  const parts = [
    v.done ? `${v.promptTokens.toLocaleString('en-US')} prompt · ${v.evalTokens.toLocaleString('en-US')} eval tokens` : `${v.evalTokens.toLocaleString('en-US')} tokens so far`,
    formatRate(v.tokensPerSecond),
  ];
  if (v.durationNs > 0) parts.push(formatDuration(v.durationNs));
  return (
    <div className="tr-step-foot muted small" data-testid="step-stats" title={v.firstTokenMs > 0 ? `First token after ${v.firstTokenMs} ms` : undefined}>
      {parts.join(' · ')}
      {v.doneReason && v.doneReason !== 'stop' && <span className="chip warn-chip">{v.doneReason}</span>}
    </div>
  );
}

/** noticeTitle heads a context-window notice. */
const noticeTitle: Record<string, string> = {
  trimmed: 'Context trimmed',
  compacted: 'Context compacted',
  truncated: 'Request cut by the server',
};

/** Notice is what the runtime did to the context window at a step: a trim, a compaction, a truncation the server made. */
function Notice({ n }: { n: ContextNotice }) {
  const title = noticeTitle[n.kind] ?? n.kind;
  return (
    <p className={`tr-notice kind-${n.kind}`} role="note" aria-label={title} data-step={n.step}>
      <span className="tr-notice-title">{title}</span> <span className="tr-notice-text">{n.text}</span>
    </p>
  );
}

/** stepLabel names a step: the runtime's own steps (a summary, a calibration) say what they are. */
function stepLabel(v: StepView): { label: string; name: string } {
  if (v.purpose === 'compact') return { label: `Compaction · step ${v.step}`, name: `Compaction, step ${v.step}` };
  if (v.purpose === 'calibrate') return { label: `Calibration · step ${v.step}`, name: `Calibration, step ${v.step}` };
  return { label: `Step ${v.step}`, name: `Step ${v.step}` };
}

const StepItem = memo(function StepItem({ v, run, active }: { v: StepView; run: string; active: boolean }) {
  const [showRequest, setShowRequest] = useState(false);
  const waiting = !v.done && !v.streaming;
  const { label, name } = stepLabel(v);
  return (
    <section className={`tr-step${v.streaming ? ' streaming' : ''}${v.purpose ? ` purpose-${v.purpose}` : ''}`} aria-label={name} data-step={v.step}>
      <header className="tr-step-head">
        <span className="tr-step-no">{label}</span>
        {v.streaming && <span className="muted small">streaming…</span>}
        {waiting && <span className="muted small">{active ? 'waiting for the model…' : 'no answer was recorded'}</span>}
        <span className="spacer" />
        <button className={`quiet tr-req-btn${showRequest ? ' on' : ''}`} aria-expanded={showRequest} onClick={() => setShowRequest(!showRequest)} title="Show exactly what the model was sent at this step">
          Request
        </button>
      </header>
      {v.thinking && (
        <details className="tr-thinking">
          <summary>Thinking</summary>
          <pre className="tr-pre">{v.thinking}</pre>
        </details>
      )}
      {(v.content || v.streaming) && (
        <div className="tr-text" data-testid="step-text">
          {v.content}
          {v.streaming && <span className="tr-caret" aria-hidden />}
        </div>
      )}
      {v.calls.map((c, i) => (
        <ToolCallItem key={i} call={c} run={run} afterSeq={v.calls[i - 1]?.seq ?? 0} />
      ))}
      {v.pending.map((name, i) => (
        <div key={`p${i}`} className="tr-call pending" role="group" aria-label={`Tool call ${name}`} data-tool={name}>
          <div className="tr-call-head">
            <span className="tr-call-icon" aria-hidden>
              ⋯
            </span>
            <span className="tr-call-name mono">{toolLabel(name)}</span>
            {parseMCPToolName(name) && <span className="chip mcp-badge">MCP</span>}
            <span className="muted small">{active ? 'in progress…' : 'not carried out'}</span>
          </div>
        </div>
      ))}
      {v.error && (
        <p className="tr-call-error" role="note">
          <strong>Model error:</strong> {v.error}
        </p>
      )}
      <StepFooter v={v} />
      {showRequest && <InferenceRequest run={run} step={v.step} />}
    </section>
  );
});

/** useStickToBottom keeps a scroller at its end while content grows, unless the user scrolled up. */
function useStickToBottom(dep: unknown) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const onScroll = useCallback(() => {
    const el = ref.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  }, []);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [dep]);
  return { ref, onScroll };
}

export interface AgentTranscriptProps {
  run: RunInfo;
  /**
   * embedded shows the transcript inside a conversation's turn: no task
   * (the turn shows the message), no scroller of its own and no Stop (the
   * turn has its actions).
   */
  embedded?: boolean;
}

export function AgentTranscript({ run, embedded = false }: AgentTranscriptProps) {
  const { state, error, reload } = useTranscript(run);
  const views = useStepViews(state);
  const active = agentActive(run);
  const [stopping, setStopping] = useState(false);
  const scroller = useStickToBottom(embedded ? null : state);
  const placed = useMemo(
    () => placeNotices(notices(state), views.map((v) => v.step)),
    [state, views],
  );

  const first = state.log?.steps[0];
  const totals = views.reduce((t, v) => ({ prompt: t.prompt + v.promptTokens, eval: t.eval + (v.done ? v.evalTokens : 0) }), { prompt: 0, eval: 0 });
  const streaming = views.find((v) => v.streaming);
  const rate = streaming ? streaming.tokensPerSecond : (state.log?.tokensPerSecond ?? 0);

  const stop = async () => {
    setStopping(true);
    await abortRun(run.id, 'stopped by the user');
    setStopping(false);
  };

  const steps = (
    <>
      {views.map((v) => (
        <Fragment key={v.step}>
          {placed.before.get(v.step)?.map((n) => <Notice key={`${n.kind}-${n.seq}`} n={n} />)}
          <StepItem v={v} run={run.id} active={active} />
          {placed.after.get(v.step)?.map((n) => <Notice key={`${n.kind}-${n.seq}`} n={n} />)}
        </Fragment>
      ))}
      {placed.rest.map((n) => (
        <Notice key={`${n.kind}-${n.seq}-${n.step}`} n={n} />
      ))}
    </>
  );

  return (
    <div className={`transcript${embedded ? ' embedded' : ''}`} aria-label="Transcript">
      <div className="tr-bar">
        <span className="tr-model mono" title="The model of this run">
          {first?.model || run.model || (active ? 'starting…' : 'no model step')}
        </span>
        {first?.digest && (
          <span className="chip mono" title={first.digest}>
            {shortDigest(first.digest)}
          </span>
        )}
        {first?.chatOnly && (
          <span className="chip" title="The model has no tool calling: it answers in words">
            chat only
          </span>
        )}
        <span className="muted small" data-testid="transcript-totals" title={`${totals.prompt} prompt + ${totals.eval} eval tokens`}>
          {views.length} step{views.length === 1 ? '' : 's'} · {(totals.prompt + totals.eval).toLocaleString('en-US')} tokens · {streaming ? `${formatRate(rate)} live` : formatRate(rate)}
        </span>
        <span className="spacer" />
        {active && !embedded && (
          <button className="danger" disabled={stopping} onClick={() => void stop()} title="Stop the agent: the run is aborted, nothing it staged is applied">
            {stopping ? 'Stopping…' : 'Stop'}
          </button>
        )}
      </div>
      {error && (
        <div className="run-error" role="alert">
          <span>Could not load the transcript: {error}</span>
          <button onClick={() => void reload()}>Retry</button>
        </div>
      )}
      <div className={embedded ? 'tr-flow' : 'tr-scroll'} ref={embedded ? undefined : scroller.ref} onScroll={embedded ? undefined : scroller.onScroll}>
        {!embedded && (
          <div className="tr-task">
            <span className="tr-role">Task</span>
            <p>{run.task}</p>
          </div>
        )}
        {steps}
        {state.log && views.length === 0 && <p className="muted run-empty">{active ? 'Waiting for the first model step…' : 'The run made no model step.'}</p>}
        {!state.log && !error && <p className="muted run-empty">Loading the transcript…</p>}
      </div>
    </div>
  );
}
