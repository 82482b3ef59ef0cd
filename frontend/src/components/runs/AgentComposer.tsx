// The agent composer: a task for a model, the endpoint and model to use and
// its optional settings. The run options (profile, validation command,
// auto-commit) are the ones every new run shares.
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { startAgentRun } from '../../actions';
import type { RunInfo } from '../../bridge';
import { FormError } from '../FormError';
import { AdvancedSettings, agentParams, ModelPicker, ModelsLink, modelTrouble, useAgentSettings } from './AgentSettings';
import type { RunOptionsState } from './hooks';

export interface AgentComposerProps {
  workspaceId: string;
  opts: RunOptionsState;
  onStarted: (run: RunInfo) => void;
}

export function AgentComposer({ workspaceId, opts, onStarted }: AgentComposerProps) {
  const settings = useAgentSettings();
  const [task, setTask] = useState('');
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const params = agentParams(settings, opts.options);
  const canStart = !busy && task.trim() !== '' && settings.model !== '' && params !== null;

  const submit = async () => {
    if (!canStart || !params) return;
    setBusy(true);
    setError(null);
    const { model, endpoint, options, maxTokens, maxTurns, temperature, seed, numCtx } = params;
    const res = await startAgentRun({
      workspaceId,
      task: task.trim(),
      model,
      ...(endpoint && { endpoint }),
      options,
      maxTokens,
      maxTurns,
      ...(temperature !== undefined && { temperature }),
      ...(seed !== undefined && { seed }),
      numCtx,
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
      <ModelPicker s={settings} />
      <button type="button" className={`disclosure${advancedOpen ? ' open' : ''}`} aria-expanded={advancedOpen} onClick={() => setAdvancedOpen(!advancedOpen)}>
        Advanced
      </button>
      {advancedOpen && <AdvancedSettings s={settings} />}
      {!settings.parsed.ok && <FormError error={settings.parsed.error} />}
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
