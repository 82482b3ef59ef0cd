// Quick open (Ctrl+P): find a file of the workspace by a fuzzy match of its path.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api, errorMessage, type FileMatch } from '../../bridge';
import { markPositions } from './highlight';

/** typingDelay lets a burst of keys go by before asking. */
const typingDelay = 60;
const limit = 50;

export interface QuickOpenProps {
  workspaceId: string;
  onOpen: (path: string) => void;
  onClose: () => void;
}

interface Answer {
  /** query is what the matches answer. */
  query: string;
  matches: FileMatch[];
  error: string | null;
}

function Match({ m }: { m: FileMatch }) {
  const cut = m.path.lastIndexOf('/') + 1;
  const inName = m.positions.filter((p) => p >= cut);
  const inDir = m.positions.filter((p) => p < cut - 1);
  return (
    <>
      <span className="qo-name">{markPositions(m.path.slice(cut), inName, cut)}</span>
      {cut > 0 && <span className="qo-dir">{markPositions(m.path.slice(0, cut - 1), inDir)}</span>}
    </>
  );
}

export function QuickOpen({ workspaceId, onOpen, onClose }: QuickOpenProps) {
  const [query, setQuery] = useState('');
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [active, setActive] = useState(0);
  const asked = useRef(0);
  /** openFirst: Enter came before the answer to the query typed; open its best match when it comes. */
  const openFirst = useRef(false);
  const onOpenNow = useRef(onOpen);
  onOpenNow.current = onOpen;

  useEffect(() => {
    const n = ++asked.current;
    const t = setTimeout(
      () => {
        api.FindFiles({ workspaceId, query, limit }).then(
          (found) => {
            if (n !== asked.current) return;
            const matches = found ?? []; // an older backend answers null for no match
            setAnswer({ query, matches, error: null });
            setActive(0);
            const first = matches[0];
            if (openFirst.current && first) onOpenNow.current(first.path);
            openFirst.current = false;
          },
          (err: unknown) => {
            if (n !== asked.current) return;
            setAnswer({ query, matches: [], error: errorMessage(err) });
            openFirst.current = false;
          },
        );
      },
      query === '' ? 0 : typingDelay,
    );
    return () => clearTimeout(t);
  }, [workspaceId, query]);

  // Give the focus back to what had it.
  useEffect(() => {
    const before = document.activeElement;
    return () => {
      if (before instanceof HTMLElement && before.isConnected) before.focus();
    };
  }, []);

  const matches = answer?.matches ?? [];
  useEffect(() => {
    document.getElementById(`qo-opt-${active}`)?.scrollIntoView?.({ block: 'nearest' });
  }, [active]);

  const onKey = (ev: KeyboardEvent<HTMLInputElement>) => {
    switch (ev.key) {
      case 'ArrowDown':
        setActive((i) => (matches.length === 0 ? 0 : (i + 1) % matches.length));
        break;
      case 'ArrowUp':
        setActive((i) => (matches.length === 0 ? 0 : (i - 1 + matches.length) % matches.length));
        break;
      case 'Enter': {
        const m = matches[active];
        if (answer?.query === query && m) onOpen(m.path);
        else if (answer?.query !== query) openFirst.current = true;
        break;
      }
      case 'Escape':
        onClose();
        break;
      default:
        return;
    }
    ev.preventDefault();
    ev.stopPropagation();
  };

  const stale = answer !== null && answer.query !== query;
  return (
    <div className="qo-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="qo" role="dialog" aria-modal="true" aria-label="Quick open">
        <input
          autoFocus
          role="combobox"
          aria-label="File name"
          aria-expanded={matches.length > 0}
          aria-controls="qo-list"
          aria-autocomplete="list"
          aria-activedescendant={matches.length > 0 ? `qo-opt-${active}` : undefined}
          placeholder="Go to file — type part of its path"
          value={query}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onKey}
        />
        {answer?.error ? (
          <div className="qo-note error" role="alert">
            {answer.error}
          </div>
        ) : answer && matches.length === 0 ? (
          <div className="qo-note muted">{query ? 'No matching files' : 'This folder has no files'}</div>
        ) : null}
        <ul id="qo-list" role="listbox" aria-label="Files" className={`qo-list${stale ? ' stale' : ''}`}>
          {matches.map((m, i) => (
            <li
              key={m.path}
              id={`qo-opt-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              title={m.path}
              onMouseDown={(e) => e.preventDefault()}
              onMouseMove={() => i !== active && setActive(i)}
              onClick={() => onOpen(m.path)}
            >
              <Match m={m} />
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
