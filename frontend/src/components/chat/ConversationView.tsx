// A conversation: its turns, oldest first, each a run and a checkpoint,
// and the composer for the next message. A new conversation (no thread
// yet) is the composer alone until its first message starts the thread.
import { useCallback, useEffect, useLayoutEffect, useRef } from 'react';
import type { SendResult } from '../../bridge';
import { shortId } from '../EventDetail';
import { agentParams, useAgentSettings } from '../runs/AgentSettings';
import { ExportButton } from '../runs/ExportButton';
import type { RunOptionsState } from '../runs/hooks';
import { Composer } from './Composer';
import { useThread } from './hooks';
import { Turn } from './Turn';

/**
 * useFollow keeps a scroller at its end while its content grows (a turn
 * streaming, a new turn), unless the user scrolled up to read.
 */
function useFollow() {
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const last = useRef(0);
  // Only the user scrolling up lets go of the end: content growing (and the
  // browser keeping what is in view in place) never does.
  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    if (el.scrollHeight - el.scrollTop - el.clientHeight < 48) stick.current = true;
    else if (el.scrollTop < last.current - 1) stick.current = false;
    last.current = el.scrollTop;
  }, []);
  const follow = useCallback(() => {
    const el = scroller.current;
    if (el && stick.current) {
      el.scrollTop = el.scrollHeight;
      last.current = el.scrollTop;
    }
  }, []);
  useLayoutEffect(() => {
    follow();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(follow);
    for (const el of [content.current, scroller.current]) if (el) ro.observe(el);
    return () => ro.disconnect();
  }, [follow]);
  return { scroller, content, onScroll, follow, stickNow: () => (stick.current = true) };
}

export interface ConversationViewProps {
  workspaceId: string;
  /** threadId is the conversation shown; null for a new one. */
  threadId: string | null;
  runOptions: RunOptionsState;
  /** onOpenThread shows another conversation (a fork, or the new thread a first message started). */
  onOpenThread: (id: string) => void;
  onOpenRun: (id: string) => void;
  /** titleOf names another conversation (the one this was forked from), when known. */
  titleOf?: (id: string) => string | undefined;
}

export function ConversationView({ workspaceId, threadId, runOptions, onOpenThread, onOpenRun, titleOf }: ConversationViewProps) {
  const { view, error, reload } = useThread(threadId);
  const settings = useAgentSettings(`chat:${workspaceId}`);
  const params = agentParams(settings, runOptions.options);
  const follow = useFollow();
  const turns = view?.turns.length ?? 0;
  useEffect(() => {
    follow.follow();
  }, [turns, follow]);

  const onSent = (res: SendResult) => {
    follow.stickNow();
    if (res.thread.id !== threadId) onOpenThread(res.thread.id);
    else void reload();
  };

  const title = threadId ? (view?.thread.title ?? 'Loading…') : 'New conversation';
  return (
    <article className="chat-view" aria-label="Conversation" data-thread={threadId ?? ''}>
      <header className="chat-head">
        <h2 title={title}>{title}</h2>
        {view && (
          <div className="chat-meta muted small">
            <span>
              {view.turns.length} turn{view.turns.length === 1 ? '' : 's'}
            </span>
            {view.thread.forkOf && (
              <button className="link" onClick={() => onOpenThread(view.thread.forkOf)} title="Open the conversation this one was forked from">
                forked from “{titleOf?.(view.thread.forkOf) ?? shortId(view.thread.forkOf)}” at turn {view.thread.forkTurn}
              </button>
            )}
            <span className="mono" title={view.thread.id}>
              thread {shortId(view.thread.id)}
            </span>
            <ExportButton id={view.thread.id} what="thread" commandId="thread.export" />
          </div>
        )}
      </header>
      {error && (
        <div className="run-error chat-error" role="alert">
          <span>Could not load the conversation: {error}</span>
          <button onClick={() => void reload()}>Retry</button>
        </div>
      )}
      <div className="chat-scroll" ref={follow.scroller} onScroll={follow.onScroll}>
        <div className="chat-turns" ref={follow.content}>
          {!threadId && (
            <div className="chat-empty">
              <p>Ask about the project, or describe a change.</p>
              <p className="muted small">
                Each message is a turn: an agent run whose edits are staged until you Commit them, so every turn is a checkpoint you can commit, abort,
                revert, retry or fork from. Type @ to mention files and folders.
              </p>
            </div>
          )}
          {threadId && !view && !error && <p className="muted run-empty">Loading the conversation…</p>}
          {view?.turns.map((t) => (
            <Turn key={t.turn} t={t} view={view} params={params} onOpenRun={onOpenRun} onOpenThread={onOpenThread} onStarted={onSent} onChanged={() => void reload()} />
          ))}
        </div>
      </div>
      {(!threadId || view) && <Composer workspaceId={workspaceId} view={view} settings={settings} runOptions={runOptions} onSent={onSent} />}
    </article>
  );
}
