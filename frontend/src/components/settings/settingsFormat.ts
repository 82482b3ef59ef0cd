// The settings screen's fields: what each is, how its text is read and
// checked before it is saved, and where its value comes from, in words.
import type { BoolSetting, IntSetting, Settings, StringSetting } from '../../bridge';

/** FieldKey names a setting of the screen (a key of settings.json). */
export type FieldKey = 'ollamaHost' | 'ollamaAutostart' | 'defaultChat' | 'defaultEmbed' | 'numCtx' | 'validationCommand' | 'maxTokens' | 'maxTurns' | 'theme';

/** Field describes one setting of the screen. */
export interface Field {
  key: FieldKey;
  label: string;
  kind: 'text' | 'number' | 'bool' | 'theme' | 'model';
  help: string;
  placeholder?: string;
  /** atStart says a change is used from the next start of the Studio. */
  atStart?: boolean;
}

export const fields: Record<FieldKey, Field> = {
  ollamaHost: {
    key: 'ollamaHost',
    label: 'Ollama endpoint',
    kind: 'text',
    help: 'Where the Studio reaches Ollama.',
    placeholder: 'http://127.0.0.1:11434',
    atStart: true,
  },
  ollamaAutostart: {
    key: 'ollamaAutostart',
    label: 'Start Ollama automatically',
    kind: 'bool',
    help: 'At start, run `ollama serve` when Ollama is installed but not running (the Studio stops it again when it exits).',
    atStart: true,
  },
  defaultChat: { key: 'defaultChat', label: 'Default chat model', kind: 'model', help: 'The model agent runs and conversations use unless you choose another.' },
  defaultEmbed: { key: 'defaultEmbed', label: 'Embedding model', kind: 'model', help: 'Finds memories by meaning; none: by their words only.' },
  numCtx: {
    key: 'numCtx',
    label: 'Context window',
    kind: 'number',
    help: "Tokens a model step may hold (num_ctx). 0: the Studio chooses, up to 8192 within what the model was trained for and what memory holds.",
    placeholder: '0',
  },
  validationCommand: {
    key: 'validationCommand',
    label: 'Validation command',
    kind: 'text',
    help: 'New runs are checked with it, on a copy in the sandbox, unless the workspace has its own. Empty: checked against the disk only.',
    placeholder: 'e.g. go test ./...',
  },
  maxTokens: { key: 'maxTokens', label: 'Max tokens per run', kind: 'number', help: 'Prompt and generated tokens over all the steps of an agent run. 0: no limit.', placeholder: '0' },
  maxTurns: { key: 'maxTurns', label: 'Max model steps per run', kind: 'number', help: 'Model steps of an agent run. 0: 30.', placeholder: '0' },
  theme: { key: 'theme', label: 'Theme', kind: 'theme', help: 'Applies at once. System follows your desktop.' },
};

/** Parsed is a field's text read as the value to save, or why it cannot be. */
export type Parsed = { ok: true; value: string | number | boolean } | { ok: false; error: string };

/** parseField reads and checks a field's text the way the backend will. */
export function parseField(key: FieldKey, text: string | boolean): Parsed {
  const f = fields[key];
  if (f.kind === 'bool') return typeof text === 'boolean' ? { ok: true, value: text } : { ok: false, error: 'choose on or off' };
  const t = String(text).trim();
  switch (key) {
    case 'numCtx':
    case 'maxTokens':
    case 'maxTurns': {
      if (t === '') return { ok: true, value: 0 };
      if (!/^\d+$/.test(t)) return { ok: false, error: `“${t}” is not a whole number` };
      const n = Number(t);
      if (key === 'numCtx' && n !== 0 && (n < 512 || n > 1 << 20)) return { ok: false, error: `give 0 (the model's) or 512 to ${1 << 20} tokens` };
      if (key === 'maxTurns' && n > 1000) return { ok: false, error: 'give 0 (30 steps) or 1 to 1000 steps' };
      return { ok: true, value: n };
    }
    case 'ollamaHost': {
      if (t === '') return { ok: false, error: 'give an address such as http://127.0.0.1:11434, or Reset to the default' };
      const withScheme = t.includes('://') ? t : `http://${t}`;
      let u: URL;
      try {
        u = new URL(withScheme);
      } catch {
        return { ok: false, error: `“${t}” is not an address such as http://127.0.0.1:11434` };
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, error: 'the address must start with http:// or https://' };
      return { ok: true, value: t };
    }
    case 'validationCommand': {
      const q = unbalancedQuote(t);
      if (q) return { ok: false, error: `a ${q} quote is not closed` };
      return { ok: true, value: t };
    }
    case 'defaultChat':
    case 'defaultEmbed':
      if (/\s/.test(t)) return { ok: false, error: `“${t}” is not a model name (e.g. llama3.2:1b)` };
      return { ok: true, value: t };
    case 'theme':
      if (t !== 'dark' && t !== 'light' && t !== 'system') return { ok: false, error: 'choose dark, light or system' };
      return { ok: true, value: t };
  }
  return { ok: false, error: 'unknown setting' };
}

/** unbalancedQuote names the quote left open in a command line, as the backend reads it (none: ''). */
function unbalancedQuote(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote === '"' && ch === '\\') i++;
    else if (!quote && ch === '\\') i++;
    else if (!quote && (ch === '"' || ch === "'")) quote = ch;
    else if (ch === quote) quote = '';
  }
  return quote === '"' ? 'double' : quote === "'" ? 'single' : '';
}

type AnySetting = StringSetting | IntSetting | BoolSetting;

/** settingOf is a field's setting in the settings. */
export function settingOf(st: Settings, key: FieldKey): AnySetting {
  return st[key];
}

/** fieldText is a setting's value as its field shows it. */
export function fieldText(st: Settings, key: FieldKey): string | boolean {
  const s = settingOf(st, key);
  if (typeof s.value === 'boolean') return s.value;
  if (key === 'ollamaHost') return (s as StringSetting).saved || String(s.value);
  return String(s.value);
}

/** sourceText says in words where a setting's value comes from. */
export function sourceText(s: AnySetting): string {
  const env = 'env' in s ? s.env : undefined;
  switch (s.source) {
    case 'env':
      return env ? `from $${env}` : 'from the environment';
    case 'settings.json':
      return 'settings.json';
    default:
      return 'default';
  }
}

/** note explains a setting whose saved value is not the one in force (an environment variable wins, or a change waits for a restart). */
export function note(key: FieldKey, s: AnySetting): string | null {
  const env = 'env' in s ? s.env : undefined;
  const saved = 'saved' in s ? s.saved : undefined;
  if (s.source === 'env' && env) {
    return saved ? `$${env} is set, so it wins over the saved ${saved}.` : `$${env} is set, so it wins over this setting.`;
  }
  if (fields[key].atStart && saved && saved !== s.value) return `Saved: ${saved} is used from the next start; now in use: ${String(s.value)}.`;
  return null;
}

/** inlineError is a backend error for a field, without the field's name it starts with. */
export function inlineError(key: FieldKey, error: string): string {
  const label = fields[key].label;
  const i = error.indexOf(`${backendLabels[key]}: `);
  const msg = i >= 0 ? error.slice(i + backendLabels[key].length + 2) : error;
  return msg || `${label}: could not be saved`;
}

/** backendLabels are the names the backend's errors start with (settings.go). */
const backendLabels: Record<FieldKey, string> = {
  ollamaHost: 'Ollama endpoint',
  ollamaAutostart: 'Start Ollama automatically',
  defaultChat: 'Default chat model',
  defaultEmbed: 'Embedding model',
  numCtx: 'Context window',
  validationCommand: 'Validation command',
  maxTokens: 'Max tokens',
  maxTurns: 'Max model steps',
  theme: 'Theme',
};

/** changed tells whether a field's text differs from the value in force. */
export function changed(st: Settings, key: FieldKey, text: string | boolean): boolean {
  const p = parseField(key, text);
  if (!p.ok) return true;
  const cur = fieldText(st, key);
  return typeof p.value === 'number' ? String(p.value) !== String(cur) : p.value !== cur;
}
