// Promote… on a committed run: what the run taught becomes a memory, with
// the run as its provenance.
import { useState } from 'react';
import { api, type FileChange, type RunInfo } from '../../bridge';
import { store } from '../../store';
import { emptyFields } from '../memory/memoryFormat';
import { SpecForm } from '../memory/SpecForm';

/** promoteText drafts a memory from a run's task and the files it changed. */
export function promoteText(run: RunInfo, changes: FileChange[]): string {
  if (changes.length === 0) return run.task;
  const shown = changes.slice(0, 8).map((c) => c.path);
  const more = changes.length > shown.length ? ` and ${changes.length - shown.length} more` : '';
  return `${run.task} (changed ${shown.join(', ')}${more})`;
}

export function PromoteButton({ run, changes }: { run: RunInfo; changes: FileChange[] }) {
  const [open, setOpen] = useState(false);
  if (!open)
    return (
      <button onClick={() => setOpen(true)} title="Remember what this run did: it becomes a memory with the run as its source">
        Promote…
      </button>
    );
  return (
    <div className="promote-box">
      <SpecForm
        label="Promote to memory"
        compact
        initial={{ ...emptyFields, kind: 'summary', content: promoteText(run, changes) }}
        submitLabel="Promote"
        onCancel={() => setOpen(false)}
        onSubmit={async (spec) => {
          await api.PromoteRun({ run: run.id, events: [], spec });
          store.toast('info', 'Run promoted to memory: see the Memory tab.');
          setOpen(false);
        }}
      />
    </div>
  );
}
