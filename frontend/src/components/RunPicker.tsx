// The event inspector's run filter: runs listed by their task, newest
// first, with a search box; the chosen run narrows the log.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { shortId } from './EventDetail';
import { runChoices } from './eventPages';

export interface RunPickerProps {
  /** value is the chosen run id ("" all runs). */
  value: string;
  tasks: { id: string; task: string }[];
  runs: string[];
  onChange: (run: string) => void;
}

/** shownChoices bounds the list drawn at once; the search narrows the rest. */
const shownChoices = 100;

export function RunPicker({ value, tasks, runs, onChange }: RunPickerProps) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const choices = useMemo(() => runChoices(tasks, runs, query), [tasks, runs, query]);
  const shown = choices.slice(0, shownChoices);
  const label = value ? (tasks.find((t) => t.id === value)?.task ?? value) : 'All runs';

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  useEffect(() => setActive(0), [query]);

  const choose = (run: string) => {
    onChange(run);
    setOpen(false);
    setQuery('');
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') setActive((i) => Math.min(shown.length - 1, i + 1));
    else if (e.key === 'ArrowUp') setActive((i) => Math.max(0, i - 1));
    else if (e.key === 'Enter') {
      const c = shown[active];
      if (c) choose(c.id);
    } else if (e.key === 'Escape') setOpen(false);
    else return;
    e.preventDefault();
  };

  return (
    <div className="ev-filter run-picker" ref={box}>
      <span>Run</span>
      <button
        className={`run-picker-btn${value ? ' set' : ''}`}
        aria-label="Run"
        aria-haspopup="listbox"
        aria-expanded={open}
        title={value ? `${label} (${value})` : 'Show the events of one run'}
        onClick={() => setOpen(!open)}
      >
        {label}
      </button>
      {value && (
        <button className="icon-btn" aria-label="All runs" title="Show every run's events" onClick={() => choose('')}>
          ×
        </button>
      )}
      {open && (
        <div className="run-picker-pop" role="dialog" aria-label="Choose a run">
          <input autoFocus type="search" aria-label="Find a run" placeholder="task or id" value={query} onChange={(e) => setQuery(e.target.value)} onKeyDown={onKey} />
          <ul role="listbox" aria-label="Runs">
            <li role="option" aria-selected={value === ''} className="run-choice" onMouseDown={(e) => e.preventDefault()} onClick={() => choose('')}>
              All runs
            </li>
            {shown.map((c, i) => (
              <li
                key={c.id}
                role="option"
                aria-selected={c.id === value}
                className={`run-choice${i === active ? ' active' : ''}`}
                title={c.id}
                onMouseEnter={() => setActive(i)}
                onClick={() => choose(c.id)}
              >
                <span className="run-choice-task">{c.label}</span> <span className="muted mono small">{shortId(c.id)}</span>
              </li>
            ))}
            {choices.length === 0 && <li className="muted run-choice">No run matches.</li>}
            {choices.length > shown.length && <li className="muted run-choice">{choices.length - shown.length} more: narrow the search.</li>}
          </ul>
        </div>
      )}
    </div>
  );
}
