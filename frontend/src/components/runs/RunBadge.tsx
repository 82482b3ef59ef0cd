// A run's state (or outcome, once decided) as a coloured badge; a run
// paused on an approval says so.
import type { RunInfo } from '../../bridge';
import { runStatus, runTone } from './runFormat';

export function RunBadge({ run, waiting = false }: { run: Pick<RunInfo, 'state' | 'outcome'>; waiting?: boolean }) {
  const status = runStatus(run);
  const tone = runTone(run);
  const title = run.outcome && run.outcome !== run.state ? `outcome: ${run.outcome} (state: ${run.state})` : `state: ${run.state}`;
  return (
    <>
      <span className={`run-badge tone-${tone}`} data-status={status} title={title}>
        {status}
      </span>
      {waiting && !run.outcome && (
        <span className="run-badge tone-review waiting" title="The run is paused until you answer its approval card">
          waiting for your approval
        </span>
      )}
    </>
  );
}
