// The Validation tab says what was checked: edits that apply cleanly with
// no command configured are not a ✓ for tests; a command that passed is
// named with its ✓; one that failed shows ✗ and its output.
import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { RunEvents, setTransport, type CommandPayload, type EventRow, type ValidationPayload } from '../../bridge';
import { events, fakeBackend, lifecycleTo, noBackend } from '../../test/fakeBackend';
import { RunValidation } from './RunValidation';

const cmd = (over: Partial<CommandPayload> = {}): CommandPayload => ({
  argv: ['go', 'test', './...'],
  dir: '',
  exitCode: 0,
  timedOut: false,
  durationMs: 1200,
  output: 'out-1',
  outputSize: 3,
  purpose: 'validation',
  ...over,
});

function serve(rows: EventRow[], payloads: Record<string, unknown>, blobs: Record<string, string> = {}) {
  setTransport(
    fakeBackend({
      GetEvent: async ({ seq }) => {
        const row = rows.find((e) => e.seq === seq);
        if (!row) throw new Error(`event ${seq} not found`);
        return { ...row, schema: 1, correlation: row.run, payload: JSON.stringify(payloads[row.type] ?? {}), hash: 'h', prevHash: 'p', causationSeq: 0 };
      },
      ReadBlob: async ({ hash }) => {
        const text = blobs[hash];
        if (text === undefined) throw new Error(`blob ${hash} not found`);
        return { hash, text, size: text.length, binary: false, truncated: false };
      },
    }).transport,
  );
}

describe('<RunValidation> says what was checked', () => {
  afterEach(() => setTransport(noBackend()));

  it('no command configured: applies cleanly, not tested, no ✓', async () => {
    const rows = events('r1', lifecycleTo('validated').filter((t) => t !== RunEvents.CommandExecuted));
    const v: ValidationPayload = { reason: '1 staged change(s) apply cleanly; no validation command configured', conflicts: null, exitCode: 0, output: '' };
    serve(rows, { [RunEvents.ValidationPassed]: v });
    const { container } = render(<RunValidation events={rows} />);
    expect(await screen.findByText('Applies cleanly · not tested')).toBeTruthy();
    const verdict = container.querySelector('.verdict') as HTMLElement;
    expect(verdict.className).toContain('neutral');
    expect(verdict.querySelector('.verdict-mark')?.textContent).toBe('○');
    expect(container.textContent).not.toContain('✓');
    expect(container.textContent).not.toContain('Validation passed');
    expect(container.textContent).toContain('No validation command was set');
  });

  it('a command that passed: named, with ✓', async () => {
    const rows = events('r1', lifecycleTo('validated'));
    serve(
      rows,
      { [RunEvents.ValidationPassed]: { reason: '1 staged change(s) apply cleanly and "go test ./..." passed', conflicts: null, exitCode: 0, output: 'out-1' }, [RunEvents.CommandExecuted]: cmd() },
      { 'out-1': 'ok\n' },
    );
    const { container } = render(<RunValidation events={rows} />);
    expect(await screen.findByText('Tests passed: go test ./...')).toBeTruthy();
    expect(container.querySelector('.verdict.good .verdict-mark')?.textContent).toBe('✓');
    expect(await screen.findByLabelText('Command output')).toBeTruthy();
  });

  it('a command that failed: ✗ with its output', async () => {
    const rows = events('r1', lifecycleTo('validation_failed'));
    serve(
      rows,
      {
        [RunEvents.ValidationFailed]: { reason: 'validation command "go test ./..." failed with exit code 1', conflicts: null, exitCode: 1, output: 'out-1' },
        [RunEvents.CommandExecuted]: cmd({ exitCode: 1 }),
      },
      { 'out-1': 'FAIL x_test.go\n' },
    );
    const { container } = render(<RunValidation events={rows} />);
    expect(await screen.findByText('Validation failed')).toBeTruthy();
    expect(await screen.findByText('validation command "go test ./..." failed with exit code 1')).toBeTruthy();
    expect(container.querySelector('.verdict.bad .verdict-mark')?.textContent).toBe('✗');
    expect((await screen.findByLabelText('Command output')).textContent).toBe('FAIL x_test.go\n');
  });
});
