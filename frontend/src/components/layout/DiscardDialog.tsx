// Asks before a tab with unproposed edits is closed: the edits exist only in
// the Studio (nothing was written), so closing loses them.
import { useEffect, useRef } from 'react';

export interface DiscardDialogProps {
  path: string;
  onDiscard: () => void;
  onCancel: () => void;
}

export function DiscardDialog({ path, onDiscard, onCancel }: DiscardDialogProps) {
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const before = document.activeElement;
    keep.current?.focus();
    return () => {
      if (before instanceof HTMLElement && before.isConnected) before.focus();
    };
  }, []);
  return (
    <div className="qo-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onCancel()}>
      <div
        className="qo discard-dialog"
        role="alertdialog"
        aria-modal="true"
        aria-label="Discard edits?"
        aria-describedby="discard-text"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onCancel();
          }
        }}
      >
        <h3>Discard your edits?</h3>
        <p id="discard-text">
          <span className="mono">{path}</span> has edits that were not proposed. Nothing was written to the file: closing the tab loses them.
        </p>
        <div className="discard-actions">
          <button ref={keep} onClick={onCancel}>
            Keep editing
          </button>
          <button className="danger" onClick={onDiscard}>
            Discard edits
          </button>
        </div>
      </div>
    </div>
  );
}
