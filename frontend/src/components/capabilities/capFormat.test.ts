import { describe, expect, it } from 'vitest';
import { askTitle, quoteArg } from './capFormat';

describe('askTitle', () => {
  it('quotes a command the way it would be typed, so the title shows the real argv', () => {
    const t = askTitle({ kind: 'shell.exec', target: '', req: { kind: 'shell.exec', argv: ['sh', '-c', 'echo a > b; env'] }, detail: { argv: ['sh', '-c', 'echo a > b; env'], dir: '.' } });
    expect(t).toBe("Run `sh -c 'echo a > b; env'` in .");
  });
  it('leaves plain words alone and escapes quotes', () => {
    expect(quoteArg('./...')).toBe('./...');
    expect(quoteArg("it's")).toBe(`'it'\\''s'`);
  });
});
