// A run's state (or outcome, once decided) as a coloured badge.
import type { RunInfo } from '../../bridge';
import { runStatus, runTone } from './runFormat';

export function RunBadge({ run }: { run: Pick<RunInfo, 'state' | 'outcome'> }) {
  const status = runStatus(run);
  const tone = runTone(run);
  const title = run.outcome && run.outcome !== run.state ? `outcome: ${run.outcome} (state: ${run.state})` : `state: ${run.state}`;
  return (
    <span className={`run-badge tone-${tone}`} data-status={status} title={title}>
      {status}
    </span>
  );
}
