// A run's validation: the verdict and its reason, the conflicts (staged
// files whose disk content changed under the run), and the validation
// command with its exit code, duration and output.
import { useEffect, useState } from 'react';
import { api, errorMessage, RunEvents, type BlobText, type CommandPayload, type EventRow, type ValidationPayload } from '../../bridge';
import { FormError } from '../FormError';
import { CommandSandbox } from '../sandbox/CommandSandbox';
import { killedText } from '../sandbox/sandboxFormat';
import { quoteArg } from '../capabilities/capFormat';
import { formatDuration, shortHash, validationMark } from './runFormat';

export interface ValidationFacts {
  /** verdict is the run.validation_passed/failed event, if validation ended. */
  verdict: EventRow | null;
  /** command is the validation command's effect.command_executed event, if it ran. */
  command: EventRow | null;
  /** started tells whether validation began at all. */
  started: boolean;
}

/** validationFacts finds the events of a run's (last) validation. */
export function validationFacts(events: readonly EventRow[]): ValidationFacts {
  let start = -1;
  events.forEach((e, i) => {
    if (e.type === RunEvents.ValidationStarted) start = i;
  });
  if (start < 0) return { verdict: null, command: null, started: false };
  let verdict: EventRow | null = null;
  let command: EventRow | null = null;
  for (const e of events.slice(start + 1)) {
    if (e.type === RunEvents.CommandExecuted) command = e;
    if (e.type === RunEvents.ValidationPassed || e.type === RunEvents.ValidationFailed) {
      verdict = e;
      break;
    }
  }
  return { verdict, command, started: true };
}

type Loaded = {
  validation: ValidationPayload | null;
  command: CommandPayload | null;
  output: BlobText | null;
  error: string | null;
  outputError: string | null;
};

async function payloadOf<T>(e: EventRow | null): Promise<T | null> {
  if (!e) return null;
  const d = await api.GetEvent({ seq: e.seq, id: e.id });
  return JSON.parse(d.payload) as T;
}

function useValidation(facts: ValidationFacts): Loaded | null {
  const [loaded, setLoaded] = useState<{ key: string; value: Loaded } | null>(null);
  const key = `${facts.verdict?.seq ?? 0}/${facts.command?.seq ?? 0}`;
  const { verdict, command } = facts;
  useEffect(() => {
    if (!verdict && !command) return;
    let live = true;
    (async () => {
      const value: Loaded = { validation: null, command: null, output: null, error: null, outputError: null };
      try {
        value.validation = await payloadOf<ValidationPayload>(verdict);
        value.command = await payloadOf<CommandPayload>(command);
      } catch (err) {
        value.error = errorMessage(err);
      }
      const out = value.command?.output || value.validation?.output;
      if (value.command?.outputSize === 0) {
        value.output = { hash: out ?? '', text: '', size: 0, binary: false, truncated: false }; // nothing printed: no blob stored
      } else if (out) {
        try {
          value.output = await api.ReadBlob({ hash: out });
        } catch (err) {
          value.outputError = errorMessage(err);
        }
      }
      if (live) setLoaded({ key, value });
    })();
    return () => {
      live = false;
    };
    // key names the events; their objects change identity with every reload.
  }, [key]);
  return loaded?.key === key ? loaded.value : null;
}

/**
 * verdictTitle says what validation checked: a command that passed is
 * named (argv, '' while its event loads); without one, the edits only
 * apply cleanly, which is not a test. A failure says so; its reason, the
 * command and its output follow.
 */
export function verdictTitle(passed: boolean, commandRan: boolean, argv: string): string {
  if (!passed) return 'Validation failed';
  if (!commandRan) return 'Applies cleanly · not tested';
  return argv ? `Tests passed: ${argv}` : 'Tests passed';
}

export function RunValidation({ events }: { events: readonly EventRow[] }) {
  const facts = validationFacts(events);
  const loaded = useValidation(facts);

  if (!facts.started) return <p className="muted run-empty">Validation has not started yet: the run is still being prepared or executed.</p>;
  const passed = facts.verdict?.type === RunEvents.ValidationPassed;
  const v = loaded?.validation;
  const cmd = loaded?.command;
  const conflicts = v?.conflicts ?? [];
  const mark = validationMark(facts.verdict?.type, facts.command !== null);
  const argv = cmd ? (cmd.argv ?? []).map(quoteArg).join(' ') : '';

  return (
    <div className="run-validation" aria-label="Validation">
      {!facts.verdict ? (
        <div className="verdict running">
          <span className="verdict-mark" aria-hidden>
            ◌
          </span>
          <span>Validating…</span>
        </div>
      ) : (
        <div className={`verdict ${mark?.tone ?? 'bad'}`} role={passed ? 'status' : 'alert'} title={mark?.text}>
          <span className="verdict-mark" aria-hidden>
            {mark?.mark ?? '✗'}
          </span>
          <div>
            <strong>{verdictTitle(passed, facts.command !== null, argv)}</strong>
            {v?.reason && <div className="verdict-reason">{v.reason}</div>}
          </div>
        </div>
      )}
      <FormError error={loaded?.error} what="validation details" />
      {conflicts.length > 0 && (
        <section>
          <h3 className="run-section">Conflicts</h3>
          <p className="muted small">These files changed on disk after the run read them, so its edits no longer apply.</p>
          <table className="conflicts" aria-label="Conflicts">
            <thead>
              <tr>
                <th>File</th>
                <th>Expected</th>
                <th>Found on disk</th>
              </tr>
            </thead>
            <tbody>
              {conflicts.map((c) => (
                <tr key={c.path}>
                  <td className="mono">{c.path}</td>
                  <td className="mono" title={c.expected}>
                    {shortHash(c.expected)}
                  </td>
                  <td className="mono" title={c.found}>
                    {shortHash(c.found)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {facts.command ? (
        <section>
          <h3 className="run-section">Validation command</h3>
          {cmd ? (
            <>
              <dl className="facts cmd-facts">
                <dt>Command</dt>
                <dd className="mono">{(cmd.argv ?? []).map(quoteArg).join(' ')}</dd>
                <dt>Ran in</dt>
                <dd>{cmd.dir || 'a temporary copy of the workspace'}</dd>
                <dt>Exit code</dt>
                <dd className={cmd.exitCode === 0 ? 'ok' : 'error'}>
                  {cmd.exitCode}
                  {killedText(cmd) ? ` (${killedText(cmd)})` : cmd.timedOut && ' (timed out)'}
                </dd>
                <dt>Duration</dt>
                <dd>{formatDuration(cmd.durationMs * 1e6)}</dd>
              </dl>
              <CommandSandbox cmd={cmd} seqOf={(id) => events.find((e) => e.id === id)?.seq} />
              <h3 className="run-section">Output</h3>
              {loaded?.output ? (
                loaded.output.binary ? (
                  <p className="muted">The output is binary ({loaded.output.size} bytes).</p>
                ) : loaded.output.text ? (
                  <>
                    <pre className="cmd-output" aria-label="Command output">
                      {loaded.output.text}
                    </pre>
                    {loaded.output.truncated && <p className="muted small">Only the beginning of the output is shown.</p>}
                  </>
                ) : (
                  <p className="muted">The command printed nothing.</p>
                )
              ) : loaded?.outputError ? (
                <FormError error={loaded.outputError} what="output" />
              ) : (
                !loaded?.error && <p className="muted">Loading…</p>
              )}
            </>
          ) : (
            !loaded?.error && <p className="muted">Loading…</p>
          )}
        </section>
      ) : (
        facts.verdict && (
          <p className="muted small">
            No validation command was set: the staged edits were only checked against the files on disk, and nothing tested them. Set a validation command
            (e.g. <span className="mono">go test ./...</span>) under Run options in the Runs panel to test a run's edits before you commit them.
          </p>
        )
      )}
    </div>
  );
}
