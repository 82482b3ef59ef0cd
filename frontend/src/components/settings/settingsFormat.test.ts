import { describe, expect, it } from 'vitest';
import { settings } from './settingsFixture';
import { changed, fieldText, inlineError, note, parseField, sourceText } from './settingsFormat';


describe('parseField', () => {
  it('reads numbers, empty as 0, and refuses what the backend would', () => {
    expect(parseField('numCtx', '')).toEqual({ ok: true, value: 0 });
    expect(parseField('numCtx', ' 8192 ')).toEqual({ ok: true, value: 8192 });
    expect(parseField('numCtx', '100')).toEqual({ ok: false, error: "give 0 (the model's) or 512 to 1048576 tokens" });
    expect(parseField('maxTokens', '-5')).toEqual({ ok: false, error: '“-5” is not a whole number' });
    expect(parseField('maxTurns', '2.5')).toEqual({ ok: false, error: '“2.5” is not a whole number' });
    expect(parseField('maxTurns', '1001')).toMatchObject({ ok: false });
  });

  it('checks the endpoint, a command line, model names and the theme', () => {
    expect(parseField('ollamaHost', 'localhost:11500')).toEqual({ ok: true, value: 'localhost:11500' });
    expect(parseField('ollamaHost', 'ftp://x')).toEqual({ ok: false, error: 'the address must start with http:// or https://' });
    expect(parseField('ollamaHost', '')).toMatchObject({ ok: false, error: expect.stringContaining('Reset') });
    expect(parseField('validationCommand', 'go test "./...')).toEqual({ ok: false, error: 'a double quote is not closed' });
    expect(parseField('validationCommand', `sh -c 'go vet && go test'`)).toEqual({ ok: true, value: `sh -c 'go vet && go test'` });
    expect(parseField('defaultChat', 'llama 3')).toMatchObject({ ok: false });
    expect(parseField('defaultChat', '')).toEqual({ ok: true, value: '' });
    expect(parseField('theme', 'blue')).toMatchObject({ ok: false });
    expect(parseField('ollamaAutostart', true)).toEqual({ ok: true, value: true });
  });
});

describe('sources and notes', () => {
  it('says where a value comes from', () => {
    const st = settings({ ollamaHost: { value: 'http://127.0.0.1:9', default: 'http://127.0.0.1:11434', source: 'env', env: 'OLLAMA_HOST', saved: 'http://box:11434' } });
    expect(sourceText(st.ollamaHost)).toBe('from $OLLAMA_HOST');
    expect(sourceText(st.defaultChat)).toBe('settings.json');
    expect(sourceText(st.numCtx)).toBe('default');
    expect(note('ollamaHost', st.ollamaHost)).toBe('$OLLAMA_HOST is set, so it wins over the saved http://box:11434.');
    expect(fieldText(st, 'ollamaHost')).toBe('http://box:11434');
  });

  it('tells a saved endpoint waiting for the next start', () => {
    const st = settings({ ollamaHost: { value: 'http://127.0.0.1:11434', default: 'http://127.0.0.1:11434', source: 'settings.json', env: 'OLLAMA_HOST', saved: 'http://box:1' } });
    expect(note('ollamaHost', st.ollamaHost)).toBe('Saved: http://box:1 is used from the next start; now in use: http://127.0.0.1:11434.');
    expect(note('numCtx', st.numCtx)).toBeNull();
  });

  it('strips the field name off a backend error and tells a change', () => {
    expect(inlineError('numCtx', 'Context window: 100 tokens is out of range')).toBe('100 tokens is out of range');
    expect(inlineError('maxTokens', 'network down')).toBe('network down');
    const st = settings();
    expect(changed(st, 'numCtx', '0')).toBe(false);
    expect(changed(st, 'numCtx', '')).toBe(false);
    expect(changed(st, 'numCtx', '4096')).toBe(true);
    expect(changed(st, 'defaultChat', 'tiny:latest')).toBe(false);
  });
});
