// A run's state (or outcome, once decided) as one coloured badge: a run
// paused on an approval shows that as its state; a run no command tested
// is not called validated.
import { runStatus, runStatusTitle, runTone, type BadgeRun } from './runFormat';

export function RunBadge({ run, waiting = false }: { run: BadgeRun; waiting?: boolean }) {
  const status = runStatus(run, waiting);
  return (
    <span className={`run-badge tone-${runTone(run, waiting)}${waiting && !run.outcome ? ' waiting' : ''}`} data-status={waiting && !run.outcome ? 'waiting' : run.outcome || run.state} title={runStatusTitle(run, waiting)}>
      {status}
    </span>
  );
}
