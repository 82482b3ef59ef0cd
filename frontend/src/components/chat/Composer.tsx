// The composer at the bottom of a conversation: the message, its @-files
// and editor selection as chips, what a follow-up does with the previous
// turn's changes, the model and settings, and the token meter. Enter
// sends, Shift+Enter is a new line, Esc stops the running turn; @ opens
// suggestions of files, folders and lines of text.
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { abortRun, compactThread, sendMessage } from '../../actions';
import type { SendResult, ThreadView } from '../../bridge';
import { emptyDraft, store, type ComposerDraft } from '../../store';
import { FormError } from '../FormError';
import { AdvancedSettings, agentParams, ModelPicker, ModelsLink, modelTrouble, type AgentSettings } from '../runs/AgentSettings';
import type { RunOptionsState } from '../runs/hooks';
import { RunOptionsForm } from '../runs/RunsPanel';
import { markPositions } from '../search/highlight';
import { addMention, baseName, busyNote, insertMention, lastConversational, lineRange, mentionAt, pendingNote, type MentionQuery } from './chatFormat';
import { useTokenMeter } from './hooks';
import { TokenMeter } from './TokenMeter';
import { useMentionOptions, type MentionOption } from './useMentions';

const rulesKey = 'ice-studio.chat.use-rules';

/** useRulesSetting is "Use project rules", remembered in the browser (on unless turned off). */
function useRulesSetting(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(() => {
    try {
      return localStorage.getItem(rulesKey) !== 'off';
    } catch {
      return true;
    }
  });
  return [
    on,
    (v) => {
      setOn(v);
      try {
        localStorage.setItem(rulesKey, v ? 'on' : 'off');
      } catch {
        // storage full or disabled: the setting still applies to this session
      }
    },
  ];
}

/** useDraft keeps the message being written in the store while the composer is closed. */
function useDraft(workspaceId: string, key: string): [ComposerDraft, (next: (d: ComposerDraft) => ComposerDraft) => void] {
  const drafts = store.messageDrafts(workspaceId);
  const [draft, setDraft] = useState<ComposerDraft>(() => drafts.get(key) ?? emptyDraft);
  return [
    draft,
    (next) =>
      setDraft((d) => {
        const n = next(d);
        if (n.text === '' && n.mentions.length === 0 && !n.selection) drafts.delete(key);
        else drafts.set(key, n);
        return n;
      }),
  ];
}

function OptionLabel({ o }: { o: MentionOption }) {
  if (o.kind === 'text')
    return (
      <>
        <span className="mention-kind" aria-hidden>
          ≡
        </span>
        <span className="mention-path mono">
          {o.path}:{o.line}
        </span>
        <span className="mention-text mono">{o.text}</span>
      </>
    );
  const cut = o.path.lastIndexOf('/') + 1;
  const pos = o.positions ?? [];
  return (
    <>
      <span className="mention-kind" aria-hidden>
        {o.kind === 'folder' ? '▸' : '·'}
      </span>
      <span className="mention-name">{o.kind === 'file' ? markPositions(o.path.slice(cut), pos.filter((p) => p >= cut), cut) : `${baseName(o.path)}/`}</span>
      {(o.kind === 'folder' ? o.path.includes('/') : cut > 0) && <span className="mention-dir mono">{o.kind === 'folder' ? o.path : o.path.slice(0, cut - 1)}</span>}
    </>
  );
}

export interface ComposerProps {
  workspaceId: string;
  /** view is the conversation; null for a new one (its first message starts it). */
  view: ThreadView | null;
  settings: AgentSettings;
  runOptions: RunOptionsState;
  /** onSent is told about the turn a message (or /compact) started. */
  onSent: (res: SendResult) => void;
}

export function Composer({ workspaceId, view, settings, runOptions, onSent }: ComposerProps) {
  const threadId = view?.thread.id ?? '';
  const [draft, setDraft] = useDraft(workspaceId, threadId);
  const [caret, setCaret] = useState(0);
  const [menuClosed, setMenuClosed] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [useRules, setUseRules] = useRulesSetting();
  const [sending, setSending] = useState<'send' | 'compact' | 'stop' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const meter = useTokenMeter(view);

  const mention: MentionQuery | null = mentionAt(draft.text, caret);
  const menuOpen = mention !== null && menuClosed !== mention.start;
  const suggestions = useMentionOptions(workspaceId, menuOpen ? mention.query : null);
  const options = suggestions.options;
  const activeIndex = Math.min(active, Math.max(0, options.length - 1));
  useEffect(() => setActive(0), [mention?.query]);
  useEffect(() => {
    document.getElementById(`mention-opt-${activeIndex}`)?.scrollIntoView?.({ block: 'nearest' });
  }, [activeIndex]);

  const last = view ? lastConversational(view.turns) : undefined;
  const busy = !!view?.busy;
  const params = agentParams(settings, runOptions.options);
  const text = draft.text.trim();
  const isCompact = text === '/compact';
  const canSend = sending === null && !busy && text !== '' && params !== null && (isCompact ? !!view && view.turns.length > 0 : settings.model !== '');
  const pending = view ? pendingNote(view) : null;
  const busyHint = view ? busyNote(view) : null;

  const setText = (t: string, at: number) => {
    setDraft((d) => ({ ...d, text: t }));
    setCaret(at);
  };

  const choose = (o: MentionOption) => {
    if (!mention) return;
    const next = insertMention(draft.text, mention, caret, o.kind === 'folder' ? `${o.path}/` : o.path);
    setDraft((d) => ({ ...d, text: next.text, mentions: addMention(d.mentions, { path: o.path, folder: o.kind === 'folder' }) }));
    setCaret(next.caret);
    requestAnimationFrame(() => {
      const el = box.current;
      if (el) {
        el.focus();
        el.setSelectionRange(next.caret, next.caret);
      }
    });
  };

  const compact = async () => {
    if (!view || !params || sending !== null || busy) return;
    setSending('compact');
    setError(null);
    const res = await compactThread({ id: view.thread.id, agent: params });
    setSending(null);
    if (res.ok) {
      if (isCompact) setDraft((d) => ({ ...d, text: '' }));
      onSent(res.value);
    } else setError(res.error);
  };

  const send = async () => {
    if (!canSend || !params) return;
    if (isCompact) return compact();
    setSending('send');
    setError(null);
    const res = await sendMessage({
      workspaceId,
      threadId,
      text,
      mentions: draft.mentions.map((m) => m.path),
      ...(draft.selection && { selection: draft.selection }),
      noRules: !useRules,
      agent: params,
    });
    setSending(null);
    if (res.ok) {
      setDraft(() => emptyDraft);
      setCaret(0);
      onSent(res.value);
    } else setError(res.error);
  };

  const stop = async () => {
    if (!last || !busy || sending !== null) return;
    setSending('stop');
    await abortRun(last.run, 'stopped by the user');
    setSending(null);
  };

  const onKeyDown = (ev: KeyboardEvent<HTMLTextAreaElement>) => {
    if (ev.nativeEvent.isComposing) return;
    if (menuOpen && mention) {
      switch (ev.key) {
        case 'ArrowDown':
          setActive(options.length === 0 ? 0 : (activeIndex + 1) % options.length);
          break;
        case 'ArrowUp':
          setActive(options.length === 0 ? 0 : (activeIndex - 1 + options.length) % options.length);
          break;
        case 'Enter':
        case 'Tab': {
          const o = options[activeIndex];
          if (o) {
            choose(o);
            break;
          }
          if (ev.key === 'Tab') return;
          // Nothing to choose: the list closes and Enter sends.
          setMenuClosed(mention.start);
          ev.preventDefault();
          void send();
          return;
        }
        case 'Escape':
          setMenuClosed(mention.start);
          break;
        default:
          return;
      }
      ev.preventDefault();
      ev.stopPropagation();
      return;
    }
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.altKey) {
      ev.preventDefault();
      void send();
    } else if (ev.key === 'Escape' && busy) {
      ev.preventDefault();
      void stop();
    }
  };

  const onSubmit = (ev: FormEvent) => {
    ev.preventDefault();
    void send();
  };

  const chips = draft.mentions.length > 0 || draft.selection;
  return (
    <form className="composer" aria-label="Message composer" onSubmit={onSubmit}>
      {pending && (
        <p className={`composer-note pending-${view?.pending ?? ''}`} role="note" aria-label="What your message goes on from">
          {pending}
        </p>
      )}
      {meter.truncated && busy && (
        <p className="composer-note warn" role="alert">
          The server cut a request of this turn: {meter.truncated}
        </p>
      )}
      {chips && (
        <ul className="composer-chips" aria-label="Attached to the message">
          {draft.mentions.map((m) => (
            <li key={m.path} className={`chip attach-chip${m.folder ? ' folder' : ''}`} title={m.folder ? `The folder ${m.path}` : m.path}>
              <span className="mono">@{m.folder ? `${m.path}/` : m.path}</span>
              <button
                type="button"
                className="icon-btn"
                aria-label={`Remove ${m.path}`}
                onClick={() => setDraft((d) => ({ ...d, mentions: d.mentions.filter((x) => x.path !== m.path) }))}
              >
                ×
              </button>
            </li>
          ))}
          {draft.selection && (
            <li className="chip attach-chip selection" title={draft.selection.text}>
              <span className="mono">
                {draft.selection.path}:{lineRange(draft.selection.startLine, draft.selection.endLine)}
              </span>
              <button type="button" className="icon-btn" aria-label="Remove the selection" onClick={() => setDraft((d) => ({ ...d, selection: null }))}>
                ×
              </button>
            </li>
          )}
        </ul>
      )}
      <div className="composer-input">
        {menuOpen && (options.length > 0 || suggestions.error || !suggestions.loading) && (
          <div className="mention-menu">
            {suggestions.error ? (
              <p className="form-error small">{suggestions.error}</p>
            ) : options.length === 0 ? (
              <p className="muted small mention-none">No file matches @{mention?.query}</p>
            ) : (
              <ul id="mention-list" role="listbox" aria-label="Mention suggestions">
                {options.map((o, i) => (
                  <li
                    key={`${o.kind}:${o.path}:${o.line ?? ''}`}
                    id={`mention-opt-${i}`}
                    role="option"
                    aria-selected={i === activeIndex}
                    className={`mention-opt kind-${o.kind}${i === activeIndex ? ' active' : ''}`}
                    title={o.kind === 'text' ? `${o.path}:${o.line} — mentions ${o.path}` : o.path}
                    onMouseDown={(e) => e.preventDefault()}
                    onMouseMove={() => i !== activeIndex && setActive(i)}
                    onClick={() => choose(o)}
                  >
                    <OptionLabel o={o} />
                  </li>
                ))}
              </ul>
            )}
            <p className="mention-hint muted small">↑↓ to move · Enter or Tab to mention · Esc to close</p>
          </div>
        )}
        <textarea
          ref={box}
          aria-label="Message"
          aria-autocomplete="list"
          aria-controls={menuOpen ? 'mention-list' : undefined}
          aria-activedescendant={menuOpen && options.length > 0 ? `mention-opt-${activeIndex}` : undefined}
          rows={3}
          autoFocus
          value={draft.text}
          placeholder={view ? 'Follow up… (@ to mention a file, /compact to summarise)' : 'Ask about the project or describe a change… (@ to mention a file)'}
          spellCheck
          onChange={(e) => {
            setText(e.target.value, e.target.selectionStart);
            setMenuClosed(null);
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onBlur={() => setMenuClosed(mention?.start ?? null)}
        />
      </div>
      <div className="composer-bar">
        <ModelPicker s={settings} compact />
        <button type="button" className={`disclosure${settingsOpen ? ' open' : ''}`} aria-expanded={settingsOpen} onClick={() => setSettingsOpen(!settingsOpen)}>
          Settings
        </button>
        <button
          type="button"
          className="quiet"
          disabled={!view || view.turns.length === 0 || busy || sending !== null || params === null}
          onClick={() => void compact()}
          title="Summarise the conversation so far in a turn of its own: the next messages carry the summary instead (also: type /compact)"
        >
          {sending === 'compact' ? 'Compacting…' : '/compact'}
        </button>
        <TokenMeter meter={meter.meter} live={meter.live} />
        <span className="spacer" />
        {busy ? (
          <button type="button" className="danger" disabled={sending !== null} onClick={() => void stop()} title="Stop the running turn: nothing it staged is applied (Esc)">
            {sending === 'stop' ? 'Stopping…' : 'Stop'}
          </button>
        ) : null}
        <button type="submit" className="primary" disabled={!canSend} title="Send (Enter); Shift+Enter for a new line">
          {sending === 'send' ? 'Sending…' : 'Send'}
        </button>
      </div>
      {busyHint ? (
        <p className="composer-hint muted small" role="status">
          {busyHint}
        </p>
      ) : (
        <p className="composer-hint muted small">Enter sends · Shift+Enter new line · each message is a turn whose changes wait for your Commit</p>
      )}
      {settingsOpen && (
        <div className="composer-settings runs-form" role="group" aria-label="Conversation settings">
          <RunOptionsForm opts={runOptions} />
          <label className="check rules-check">
            <input type="checkbox" checked={useRules} onChange={(e) => setUseRules(e.target.checked)} />
            <span>Use project rules (AGENTS.md, CLAUDE.md…)</span>
          </label>
          <AdvancedSettings s={settings} />
        </div>
      )}
      {!settings.parsed.ok && <FormError error={settings.parsed.error} />}
      {error && (
        <p className="form-error" role="alert">
          {error} {modelTrouble(error) && <ModelsLink />}
        </p>
      )}
    </form>
  );
}
