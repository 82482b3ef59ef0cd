// The token meter: how much of the model's context window the conversation's
// prompt takes, as the running turn measures it step by step.
import { meterTone, tokens, type Meter } from './chatFormat';

export function TokenMeter({ meter, live }: { meter: Meter | null; live: boolean }) {
  if (!meter || meter.window <= 0)
    return (
      <span className="token-meter empty muted small" title="The prompt's size against the model's context window, once a turn has run">
        – tokens
      </span>
    );
  const tone = meterTone(meter);
  const pct = Math.min(100, Math.round((meter.used / meter.window) * 100));
  const title =
    `${tokens(meter.used)} of ${tokens(meter.window)} tokens of the context window (${pct}%)` +
    (live ? ', as the running turn measures it' : ', at the last turn') +
    (tone === 'ok' ? '' : ': older messages will be trimmed or compacted to fit (/compact does it now)');
  return (
    <span className={`token-meter tone-${tone}`} title={title} data-testid="token-meter">
      <span
        className="meter-bar"
        role="meter"
        aria-label="Context window used"
        aria-valuemin={0}
        aria-valuemax={meter.window}
        aria-valuenow={Math.min(meter.used, meter.window)}
        aria-valuetext={`${pct}%`}
      >
        <span className="meter-fill" style={{ width: `${pct}%` }} />
      </span>
      <span className="meter-text small">
        {tokens(meter.used)} / {tokens(meter.window)} tokens
      </span>
    </span>
  );
}
