// The agent composer: a task for a local model, the model to use and its
// optional settings. The run options (profile, validation command,
// auto-commit) are the ones every new run shares.
import { useCallback, useEffect, useState, type FormEvent, type KeyboardEvent } from 'react';
import { startAgentRun } from '../../actions';
import { api, errorMessage, Events, on, type ModelsState, type RunInfo } from '../../bridge';
import { store, useStudio } from '../../store';
import { FormError } from '../FormError';
import { chatModels, emptyAdvanced, isChatOnly, parseAdvanced, pickModel, type AdvancedFields } from './agentFormat';
import type { RunOptionsState } from './hooks';

/** useModels lists the installed models, again when Ollama comes or goes and after a pull. */
function useModels() {
  const [state, setState] = useState<ModelsState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reachable = useStudio((s) => s.ollama?.reachable);
  const reload = useCallback(async () => {
    try {
      setState(await api.ListModels());
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload, reachable]);
  useEffect(
    () =>
      on(Events.ModelPull, (p) => {
        if (p.done) void reload();
      }),
    [reload],
  );
  return { state, error, reload };
}

/** showModels opens the Models screen. */
const showModels = () => store.update({ view: 'models' });

/** modelTrouble tells whether an error is about Ollama or a model, so the Models screen can help. */
const modelTrouble = (err: string) => /ollama|model|pull/i.test(err);

function ModelsLink() {
  return (
    <button type="button" className="link models-link" onClick={showModels}>
      Open Models
    </button>
  );
}

export interface AgentComposerProps {
  workspaceId: string;
  opts: RunOptionsState;
  onStarted: (run: RunInfo) => void;
}

export function AgentComposer({ workspaceId, opts, onStarted }: AgentComposerProps) {
  const models = useModels();
  const [task, setTask] = useState('');
  const [chosen, setChosen] = useState('');
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const [adv, setAdv] = useState<AdvancedFields>(emptyAdvanced);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const list = chatModels(models.state);
  const model = pickModel(list, chosen, models.state?.defaultChat ?? '');
  const info = list.find((m) => m.name === model);
  const parsed = parseAdvanced(adv);
  const canStart = !busy && task.trim() !== '' && model !== '' && parsed.ok;

  const submit = async () => {
    if (!canStart || !parsed.ok) return;
    setBusy(true);
    setError(null);
    const { temperature, seed, maxTokens, maxTurns } = parsed.value;
    const res = await startAgentRun({
      workspaceId,
      task: task.trim(),
      model,
      options: opts.options,
      maxTokens,
      maxTurns,
      ...(temperature !== undefined && { temperature }),
      ...(seed !== undefined && { seed }),
      numCtx: 0,
      numPredict: 0,
    });
    setBusy(false);
    if (res.ok) {
      setTask('');
      onStarted(res.value);
    } else setError(res.error);
  };
  const onSubmit = (ev: FormEvent) => {
    ev.preventDefault();
    void submit();
  };
  const onKeyDown = (ev: KeyboardEvent<HTMLTextAreaElement>) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      void submit();
    }
  };
  const field = (k: keyof AdvancedFields) => ({ value: adv[k], onChange: (e: { target: { value: string } }) => setAdv((a) => ({ ...a, [k]: e.target.value })) });

  const listError = models.error ?? models.state?.error ?? null;
  const noModels = models.state !== null && !models.state.error && list.length === 0;

  return (
    <form className="runs-form agent-form" aria-label="Agent" onSubmit={onSubmit}>
      <label className="stack">
        <span>Task for the agent</span>
        <textarea
          aria-label="Task"
          rows={3}
          value={task}
          onChange={(e) => setTask(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder="e.g. Fix the typo in README.md"
          spellCheck
        />
      </label>
      <label className="agent-model">
        <span>Model</span>
        <select aria-label="Model" value={model} onChange={(e) => setChosen(e.target.value)} disabled={list.length === 0}>
          {list.length === 0 && <option value="">{models.state || listError ? 'no chat model' : 'loading…'}</option>}
          {list.map((m) => (
            <option key={m.name} value={m.name}>
              {m.name}
              {m.parameters ? ` · ${m.parameters}` : ''}
              {isChatOnly(m) ? ' · chat only' : ''}
            </option>
          ))}
        </select>
      </label>
      {info && isChatOnly(info) && (
        <p className="muted small agent-note">{info.name} has no tool calling: it answers in words and cannot read or change files.</p>
      )}
      {listError && (
        <p className="form-error" role="alert">
          Could not list the models: {listError} <ModelsLink />
        </p>
      )}
      {noModels && (
        <p className="form-error" role="alert">
          No chat model is installed: pull one in the Models tab. <ModelsLink />
        </p>
      )}
      <button type="button" className={`disclosure${advancedOpen ? ' open' : ''}`} aria-expanded={advancedOpen} onClick={() => setAdvancedOpen(!advancedOpen)}>
        Advanced
      </button>
      {advancedOpen && (
        <div className="agent-advanced" role="group" aria-label="Advanced settings">
          <label>
            <span>Temperature</span>
            <input inputMode="decimal" placeholder="model default" {...field('temperature')} />
          </label>
          <label>
            <span>Seed</span>
            <input inputMode="numeric" placeholder="random" {...field('seed')} />
          </label>
          <label>
            <span>Max tokens</span>
            <input inputMode="numeric" placeholder="no limit" title="Prompt and generated tokens over all steps" {...field('maxTokens')} />
          </label>
          <label>
            <span>Max model steps</span>
            <input inputMode="numeric" placeholder="30" {...field('maxTurns')} />
          </label>
        </div>
      )}
      {!parsed.ok && <FormError error={parsed.error} />}
      <div className="runs-form-foot">
        <span className="muted small">Ctrl+Enter starts. Its edits are staged for your review.</span>
        <button type="submit" className="primary" disabled={!canStart} title="Start the agent (Ctrl+Enter)">
          {busy ? 'Starting…' : 'Start'}
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error} {modelTrouble(error) && <ModelsLink />}
        </p>
      )}
    </form>
  );
}
