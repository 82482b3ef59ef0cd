// Monospace text that starts collapsed to its first lines when it is long.
import { useState } from 'react';
import { headLines, isLong } from './agentFormat';

export interface CollapsibleProps {
  text: string;
  /** label names the text in the toggle's accessible name ("Show all of the result"). */
  label: string;
  className?: string;
}

export function Collapsible({ text, label, className = '' }: CollapsibleProps) {
  const [open, setOpen] = useState(false);
  const long = isLong(text);
  const lines = long ? text.split('\n').length : 0;
  return (
    <div className={`collapsible ${className}`}>
      <pre className={`tr-pre mono${long && !open ? ' clipped' : ''}`}>{long && !open ? headLines(text) : text}</pre>
      {long && (
        <button className="link more-btn small" aria-expanded={open} aria-label={`${open ? 'Show less' : 'Show all'} of the ${label}`} onClick={() => setOpen(!open)}>
          {open ? 'Show less' : `Show all (${lines} line${lines === 1 ? '' : 's'}, ${text.length.toLocaleString('en-US')} characters)`}
        </button>
      )}
    </div>
  );
}
