// A Settings answer for the settings screen's tests.
import type { Settings } from '../../bridge';

export const settings = (over: Partial<Settings> = {}): Settings => ({
  path: '/home/u/.local/share/ice-studio/settings.json',
  ollamaHost: { value: 'http://127.0.0.1:11434', default: 'http://127.0.0.1:11434', source: 'default', env: 'OLLAMA_HOST' },
  ollamaAutostart: { value: false, default: false, source: 'default', env: 'ICE_OLLAMA_AUTOSTART' },
  defaultChat: { value: 'tiny:latest', default: '', source: 'settings.json' },
  defaultEmbed: { value: '', default: '', source: 'default', env: 'ICE_EMBED_MODEL' },
  numCtx: { value: 0, default: 0, source: 'default' },
  validationCommand: { value: '', default: '', source: 'default' },
  maxTokens: { value: 0, default: 0, source: 'default' },
  maxTurns: { value: 0, default: 0, source: 'default' },
  theme: { value: 'system', default: 'system', source: 'default' },
  keys: {},
  keysSource: 'default',
  ...over,
});
