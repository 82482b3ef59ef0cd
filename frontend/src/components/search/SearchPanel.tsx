// The search panel: text search over the workspace, with results grouped
// by file; a result opens the file at its line.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { FileResult, SearchQuery } from '../../bridge';
import type { SearchForm } from '../../store';
import { formatCount, plural } from '../format';
import { markRanges } from './highlight';
import { useSearch, type SearchState } from './useSearch';

/** maxResults caps a search's matches; the summary says when it was reached. */
export const maxResults = 2000;

/** typingDelay is how long typing pauses before the search starts. */
const typingDelay = 250;

/** globs splits a comma-separated list of globs. */
export function globs(list: string): string[] {
  return list
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '');
}

/** toQuery turns the form into the backend's query. */
export function toQuery(f: SearchForm): SearchQuery {
  return {
    pattern: f.pattern,
    regex: f.regex,
    caseSensitive: f.caseSensitive,
    wholeWord: f.wholeWord,
    include: globs(f.include),
    exclude: globs(f.exclude),
    maxResults,
  };
}

const countMatches = (rs: Iterable<FileResult>) => {
  let n = 0;
  for (const r of rs) for (const m of r.matches) n += m.ranges.length;
  return n;
};

/** summary sums up a search in one line. */
export function summary(s: SearchState): string {
  const found = () => `${plural(countMatches(s.results.values()), 'match', 'matches')} in ${plural(s.results.size, 'file')}`;
  if (s.running) return s.results.size > 0 ? `Searching… ${found()} so far` : 'Searching…';
  if (s.stopped) return `Stopped: ${found()} so far`;
  const st = s.stats;
  if (!st) return '';
  let line =
    st.matches === 0
      ? `No matches in ${plural(st.files, 'file')} searched · took ${formatCount(st.tookMs)} ms`
      : `${plural(st.matches, 'match', 'matches')} in ${plural(st.filesMatched, 'file')} · took ${formatCount(st.tookMs)} ms`;
  if (st.truncated) line += ` (capped at ${formatCount(s.query?.maxResults ?? maxResults)} — refine the search)`;
  if (st.usedIndex) line += ' · used the index';
  return line;
}

/** lineView drops a line's indentation (keeping any match in it) and moves its ranges along. */
function lineView(text: string, ranges: [number, number][]): [string, [number, number][]] {
  const first = Math.min(text.length, ...ranges.map((r) => r[0]));
  const lead = Math.min(text.length - text.trimStart().length, first);
  if (lead === 0) return [text, ranges];
  return [text.slice(lead), ranges.map(([a, b]) => [a - lead, b - lead])];
}

export interface SearchPanelProps {
  workspaceId: string;
  form: SearchForm;
  onForm: (f: SearchForm) => void;
  /** onOpen opens a result: a file at a 1-based line. */
  onOpen: (path: string, line: number) => void;
  /** focusRequest changes when the search box is to take the focus. */
  focusRequest: number;
}

export function SearchPanel({ workspaceId, form, onForm, onOpen, focusRequest }: SearchPanelProps) {
  const { state, start, stop, reset } = useSearch(workspaceId);
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const input = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const run = (f: SearchForm) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    setCollapsed(new Set());
    if (f.pattern === '') reset();
    else void start(toQuery(f));
  };
  const runNow = useRef(run);
  runNow.current = run;

  /** change updates the form and searches after delay ms. */
  const change = (patch: Partial<SearchForm>, delay: number) => {
    const f = { ...form, ...patch };
    onForm(f);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => runNow.current(f), delay);
  };

  // Back on the panel (after another tab, say): the search it showed runs
  // again. Only when the panel comes: later changes go through change().
  const formAtStart = useRef(form);
  useEffect(() => {
    if (formAtStart.current.pattern !== '') runNow.current(formAtStart.current);
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, [workspaceId]);

  useEffect(() => {
    if (focusRequest === 0) return;
    input.current?.focus();
    input.current?.select();
  }, [focusRequest]);

  const onKey = (ev: KeyboardEvent<HTMLInputElement>) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      run(form);
    }
  };

  const files = useMemo(() => [...state.results.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), [state.results]);
  const toggleFile = (path: string) =>
    setCollapsed((c) => {
      const n = new Set(c);
      if (n.has(path)) n.delete(path);
      else n.add(path);
      return n;
    });

  const option = (key: 'caseSensitive' | 'wholeWord' | 'regex', label: string, glyph: string, hint?: string) => (
    <button
      type="button"
      className={`search-opt${form[key] ? ' on' : ''}`}
      aria-pressed={form[key]}
      aria-label={label}
      title={hint ? `${label} — ${hint}` : label}
      onClick={() => change({ [key]: !form[key] }, 0)}
    >
      {glyph}
    </button>
  );

  const globField = (key: 'include' | 'exclude', label: string, placeholder: string) => (
    <input
      aria-label={label}
      placeholder={placeholder}
      value={form[key]}
      spellCheck={false}
      autoComplete="off"
      onChange={(e) => change({ [key]: e.target.value }, typingDelay)}
      onKeyDown={onKey}
    />
  );

  const line = summary(state);
  return (
    <div className="search-panel">
      <div className="search-form">
        <div className="search-box">
          <input
            ref={input}
            aria-label="Search text"
            placeholder="Search"
            value={form.pattern}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => change({ pattern: e.target.value }, typingDelay)}
            onKeyDown={onKey}
          />
          {option('caseSensitive', 'Match case', 'Aa', 'off: letters match either case, by Unicode case folding')}
          {option('wholeWord', 'Match whole word', 'ab', 'no letter, digit or _ on either side, as rg -w')}
          {option(
            'regex',
            'Use regular expression',
            '.*',
            'RE2 syntax, matched per line as rg: \\w \\d \\s are Unicode, \\b is an ASCII boundary, no look-arounds',
          )}
        </div>
        {globField('include', 'Files to include', 'files to include (e.g. src/**, *.go)')}
        {globField('exclude', 'Files to exclude', 'files to exclude')}
      </div>
      {(line || state.running) && (
        <div className="search-summary">
          <span role="status">{line}</span>
          {state.running && (
            <button className="quiet" onClick={stop} title="Stop the search; what it found stays">
              Stop
            </button>
          )}
        </div>
      )}
      {state.error && (
        <div className="search-error" role="alert">
          {state.error}
        </div>
      )}
      {files.length > 0 && (
        <ul className="search-results" aria-label="Search results">
          {files.map((f) => {
            const open = !collapsed.has(f.path);
            const cut = f.path.lastIndexOf('/');
            return (
              <li key={f.path} className="search-file">
                <button className="search-file-head" aria-expanded={open} title={f.path} onClick={() => toggleFile(f.path)}>
                  <span className="twisty" aria-hidden>
                    {open ? '▾' : '▸'}
                  </span>
                  <span className="search-file-name">{f.path.slice(cut + 1)}</span>
                  <span className="search-file-dir">{cut > 0 ? f.path.slice(0, cut) : ''}</span>
                  <span className="search-count">{formatCount(countMatches([f]))}</span>
                </button>
                {open && (
                  <ul className="search-lines">
                    {f.matches.map((m, i) => {
                      const [text, ranges] = lineView(m.text, m.ranges);
                      return (
                        <li key={`${m.line}:${i}`}>
                          <button className="search-line" title={`${f.path}:${m.line}`} onClick={() => onOpen(f.path, m.line)}>
                            <span className="search-ln">{m.line}</span>
                            <span className="search-text">{markRanges(text, ranges)}</span>
                          </button>
                        </li>
                      );
                    })}
                  </ul>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
