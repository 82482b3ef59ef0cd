// The settings screen: every setting of the Studio in one place, each with
// where its value comes from and a reset; each is saved on its own, with
// its error beside it. The theme applies at once; the sandbox is shown as it is.
import { useEffect, useState, type FormEvent } from 'react';
import { loadSettings, saveSettings } from '../../actions';
import { api, type ModelInfo, type SandboxState, type Settings } from '../../bridge';
import { commands } from '../../commands';
import { store, useStudio } from '../../store';
import { layersOf, modeText } from '../sandbox/sandboxFormat';
import { EndpointsSection } from './EndpointsSection';
import { ReplicationSection } from './ReplicationSection';
import { changed, fields, fieldText, inlineError, note, parseField, settingOf, sourceText, type FieldKey } from './settingsFormat';

/** save is how a field keeps its value; tests replace it. */
export type SaveSetting = (key: FieldKey, value: string | number | boolean | null) => Promise<string | null>;

async function saveField(key: FieldKey, value: string | number | boolean | null): Promise<string | null> {
  const res = await saveSettings(value === null ? { set: {}, reset: [key] } : { set: { [key]: value }, reset: [] });
  return res.ok ? null : res.error;
}

export function SettingsView({ save = saveField }: { save?: SaveSetting }) {
  const st = useStudio((s) => s.settings);
  const sandbox = useStudio((s) => s.sandbox);
  const [models, setModels] = useState<ModelInfo[]>([]);
  useEffect(() => {
    if (!st) void loadSettings();
    api
      .ListModels()
      .then((m) => setModels(m.models ?? []))
      .catch(() => setModels([]));
    // once, when the screen opens
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  if (!st) return <p className="muted settings-loading">Reading the settings…</p>;
  const chatModels = models.filter((m) => !m.capabilities?.length || m.capabilities.includes('completion')).map((m) => m.name);
  const embedModels = models.filter((m) => m.capabilities?.includes('embedding')).map((m) => m.name);
  const row = (key: FieldKey, options?: string[]) => <SettingRow key={`${key}:${String(fieldText(st, key))}`} st={st} field={key} save={save} options={options} />;
  return (
    <div className="settings-view">
      <header className="settings-head">
        <h1>Settings</h1>
        <p className="muted small">
          Kept in <span className="mono">{st.path || '(nowhere: the data folder cannot be used)'}</span>. Changes to what runs use are recorded in the event log
          (settings.changed).
        </p>
        {st.notice && (
          <p className="notice" role="alert">
            {st.notice}
          </p>
        )}
      </header>
      <section aria-label="Ollama" className="settings-section">
        <h2>Ollama</h2>
        {row('ollamaHost')}
        {row('ollamaAutostart')}
      </section>
      <section aria-label="Models" className="settings-section">
        <h2>Models</h2>
        {row('defaultChat', chatModels)}
        {row('defaultEmbed', embedModels)}
      </section>
      <EndpointsSection />
      <section aria-label="Runs" className="settings-section">
        <h2>Runs</h2>
        {row('numCtx')}
        {row('validationCommand')}
        {row('maxTokens')}
        {row('maxTurns')}
      </section>
      <section aria-label="Sandbox" className="settings-section">
        <h2>Sandbox</h2>
        <SandboxRow sandbox={sandbox} />
      </section>
      <ReplicationSection />
      <section aria-label="Appearance" className="settings-section">
        <h2>Appearance and keys</h2>
        {row('theme')}
        <div className="setting">
          <div className="setting-label">
            <span>Keyboard shortcuts</span>
            <span className="setting-source muted small">{st.keysSource === 'settings.json' ? 'settings.json' : 'default'}</span>
          </div>
          <div className="setting-control">
            <span className="muted">
              {Object.keys(st.keys).length === 0 ? 'All default.' : `${Object.keys(st.keys).length} of yours.`}{' '}
            </span>
            <button onClick={() => commands.run('workbench.openShortcuts') || store.update({ overlay: 'shortcuts' })}>Keyboard shortcuts… (Ctrl+K Ctrl+S)</button>
          </div>
        </div>
      </section>
    </div>
  );
}

interface SettingRowProps {
  st: Settings;
  field: FieldKey;
  save: SaveSetting;
  options?: string[];
}

/** SettingRow is one setting: its control, source, Save and Reset, and its error. */
function SettingRow({ st, field, save, options }: SettingRowProps) {
  const f = fields[field];
  const setting = settingOf(st, field);
  const [text, setText] = useState<string | boolean>(() => fieldText(st, field));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dirty = changed(st, field, text);
  const id = `setting-${field}`;
  const why = note(field, setting);
  const keep = async (value: string | number | boolean | null) => {
    setBusy(true);
    const err = await save(field, value);
    setBusy(false);
    setError(err === null ? null : inlineError(field, err));
  };
  const submit = (ev?: FormEvent) => {
    ev?.preventDefault();
    const p = parseField(field, text);
    if (!p.ok) return setError(p.error);
    void keep(p.value);
  };
  // Switches and choices are kept as soon as they change.
  const pick = (v: string | boolean) => {
    setText(v);
    const p = parseField(field, v);
    if (!p.ok) return setError(p.error);
    void keep(p.value);
  };
  let control;
  switch (f.kind) {
    case 'bool':
      control = (
        <label className="inline">
          <input id={id} type="checkbox" checked={text === true} disabled={busy} onChange={(e) => pick(e.target.checked)} /> {text ? 'On' : 'Off'}
        </label>
      );
      break;
    case 'theme':
      control = (
        <select id={id} value={String(text)} disabled={busy} onChange={(e) => pick(e.target.value)}>
          <option value="system">System</option>
          <option value="dark">Dark</option>
          <option value="light">Light</option>
        </select>
      );
      break;
    default:
      control = (
        <>
          <input
            id={id}
            inputMode={f.kind === 'number' ? 'numeric' : undefined}
            list={options ? `${id}-list` : undefined}
            placeholder={f.kind === 'model' ? '(none)' : f.placeholder}
            value={String(text)}
            spellCheck={false}
            aria-invalid={error ? true : undefined}
            aria-describedby={`${id}-help`}
            onChange={(e) => {
              setText(e.target.value);
              setError(null);
            }}
          />
          {options && (
            <datalist id={`${id}-list`}>
              {options.map((o) => (
                <option key={o} value={o} />
              ))}
            </datalist>
          )}
          <button type="submit" className="primary" disabled={!dirty || busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </>
      );
  }
  return (
    <form className="setting" aria-label={f.label} onSubmit={submit} data-setting={field}>
      <div className="setting-label">
        <label htmlFor={id}>{f.label}</label>
        <span className={`setting-source small ${setting.source === 'default' ? 'muted' : ''}`} data-testid={`${field}-source`}>
          {sourceText(setting)}
        </span>
      </div>
      <div className="setting-control">
        {control}
        {setting.source === 'settings.json' && (
          <button type="button" className="quiet" disabled={busy} title="Take it out of settings.json: the default applies" onClick={() => void keep(null)}>
            Reset
          </button>
        )}
      </div>
      <p id={`${id}-help`} className="setting-help muted small">
        {f.help}
        {f.atStart && ' Used from the next start.'}
        {'default' in setting && setting.default !== '' && setting.default !== 0 && setting.default !== false && ` Default: ${String(setting.default)}.`}
      </p>
      {why && <p className="setting-note warn small">{why}</p>}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function SandboxRow({ sandbox }: { sandbox: SandboxState | null }) {
  if (!sandbox) return <p className="muted">Checking the command sandbox…</p>;
  return (
    <div className="setting" aria-label="Command sandbox">
      <div className="setting-label">
        <span>Command sandbox</span>
        <span className="setting-source muted small">this machine (read-only)</span>
      </div>
      <div className="setting-control">
        {sandbox.available ? (
          <span>
            Commands run in {modeText(sandbox.mode)}
            {layersOf(sandbox).length > 0 && `, with ${layersOf(sandbox).join(' and ')}`}.
          </span>
        ) : (
          <span className="warn">Unavailable{sandbox.reason ? `: ${sandbox.reason}` : ''}{sandbox.hint ? ` — ${sandbox.hint}` : ''}</span>
        )}
      </div>
      {(sandbox.unsandboxed?.length ?? 0) > 0 && (
        <p className="setting-note error small">Workspaces whose policy runs commands UNSANDBOXED: {sandbox.unsandboxed.join(', ')}. Change it in Capabilities → Commands.</p>
      )}
      <p className="setting-help muted small">How commands are isolated is decided by the machine and each workspace's policy (Capabilities), not here.</p>
    </div>
  );
}
