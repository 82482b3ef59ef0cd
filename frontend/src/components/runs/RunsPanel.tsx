// The runs panel: the workspace's runs, newest first and live; the agent
// composer and a find & replace form that start runs; and the options every
// new run uses.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { startReplaceRun } from '../../actions';
import { api, errorMessage, type RunInfo } from '../../bridge';
import { shortId } from '../EventDetail';
import { FormError } from '../FormError';
import { AgentComposer } from './AgentComposer';
import { runProfiles, useNow, useRunChanged, type RunOptionsState, type RunProfile } from './hooks';
import { RunBadge } from './RunBadge';
import { relativeTime } from './runFormat';

/** useRuns lists a workspace's runs, again after every run change (debounced). */
export function useRuns(workspaceId: string) {
  const [runs, setRuns] = useState<RunInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const reload = useCallback(async () => {
    const gen = ++generation.current;
    try {
      const got = await api.ListRuns({ workspaceId });
      if (gen !== generation.current) return;
      setRuns(got ?? []); // Go sends an empty list as null
      setError(null);
    } catch (err) {
      if (gen === generation.current) setError(errorMessage(err));
    }
  }, [workspaceId]);
  useEffect(() => {
    setRuns(null);
    void reload();
  }, [reload]);
  useRunChanged(() => void reload());
  return { runs, error, reload };
}

function ReplaceForm({ workspaceId, opts, onStarted }: { workspaceId: string; opts: RunOptionsState; onStarted: (run: RunInfo) => void }) {
  const [find, setFind] = useState('');
  const [replace, setReplace] = useState('');
  const [under, setUnder] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    const res = await startReplaceRun({ workspaceId, find, replace, under: under.trim().replace(/^\/+|\/+$/g, ''), options: opts.options });
    setBusy(false);
    if (res.ok) onStarted(res.value);
    else setError(res.error);
  };
  return (
    <form className="runs-form" aria-label="Find and replace" onSubmit={(ev) => void submit(ev)}>
      <label>
        <span>Find</span>
        <input value={find} onChange={(e) => setFind(e.target.value)} spellCheck={false} autoComplete="off" placeholder="exact text" />
      </label>
      <label>
        <span>Replace</span>
        <input value={replace} onChange={(e) => setReplace(e.target.value)} spellCheck={false} autoComplete="off" placeholder="with (may be empty)" />
      </label>
      <label>
        <span>Under</span>
        <input value={under} onChange={(e) => setUnder(e.target.value)} spellCheck={false} autoComplete="off" placeholder="folder (whole workspace if empty)" />
      </label>
      <div className="runs-form-foot">
        <span className="muted small">Stages the edits; nothing is written until you commit.</span>
        <button type="submit" className="primary" disabled={busy || find === ''}>
          {busy ? 'Starting…' : 'Start run'}
        </button>
      </div>
      <FormError error={error} />
    </form>
  );
}

/** RunOptionsForm edits the options every new run shares (the runs panel and a conversation's settings). */
export function RunOptionsForm({ opts }: { opts: RunOptionsState }) {
  return (
    <div className="run-options" role="group" aria-label="Run options">
      <label className="stack">
        <span>Validation command</span>
        <input
          className="mono"
          value={opts.options.validationCommand}
          onChange={(e) => opts.setValidationCommand(e.target.value)}
          placeholder="e.g. go test ./…  (runs in the sandbox)"
          spellCheck={false}
          autoComplete="off"
          title="Run against a temporary copy of the workspace with the staged edits applied; a non-zero exit fails validation"
        />
      </label>
      <label className="stack">
        <span>Profile</span>
        <select aria-label="Profile" value={opts.options.profile} onChange={(e) => opts.setProfile(e.target.value as RunProfile)}>
          {runProfiles.map((p) => (
            <option key={p} value={p}>
              {`${p.charAt(0).toUpperCase()}${p.slice(1)}`}
            </option>
          ))}
        </select>
        <span className="muted small">Ask: read only · Edit: reads and staged writes · Agent: also commands, network and memory</span>
      </label>
      <label className="check">
        <input type="checkbox" checked={opts.options.autoCommit} onChange={(e) => opts.setAutoCommit(e.target.checked)} />
        <span>Commit automatically when validation passes</span>
      </label>
    </div>
  );
}

export interface RunsPanelProps {
  workspaceId: string;
  selected: string | null;
  onSelect: (id: string) => void;
  runOptions: RunOptionsState;
}

export function RunsPanel({ workspaceId, selected, onSelect, runOptions }: RunsPanelProps) {
  const { runs, error, reload } = useRuns(workspaceId);
  const [replaceOpen, setReplaceOpen] = useState(false);
  const now = useNow();

  return (
    <>
      <div className="pane-head">
        <span>Runs{runs && runs.length > 0 ? ` · ${runs.length}` : ''}</span>
        <button className="icon-btn head-btn" onClick={() => void reload()} title="Reload the runs" aria-label="Reload the runs">
          ⟳
        </button>
      </div>
      <div className="runs-tools">
        <AgentComposer
          workspaceId={workspaceId}
          opts={runOptions}
          onStarted={(run) => {
            onSelect(run.id);
            void reload();
          }}
        />
        <button className={`disclosure${replaceOpen ? ' open' : ''}`} aria-expanded={replaceOpen} onClick={() => setReplaceOpen(!replaceOpen)}>
          Find &amp; replace…
        </button>
        {replaceOpen && (
          <ReplaceForm
            workspaceId={workspaceId}
            opts={runOptions}
            onStarted={(run) => {
              onSelect(run.id);
              void reload();
            }}
          />
        )}
        <RunOptionsForm opts={runOptions} />
      </div>
      <div className="pane-body runs-body">
        {error && (
          <div className="run-error" role="alert">
            <span>Could not list the runs: {error}</span>
            <button onClick={() => void reload()}>Retry</button>
          </div>
        )}
        {runs === null ? (
          !error && <p className="muted run-empty">Loading…</p>
        ) : runs.length === 0 ? (
          <p className="muted run-empty">No runs yet. Give the agent a task, edit a file and propose the change, or start a find &amp; replace.</p>
        ) : (
          <ul className="run-list" aria-label="Runs">
            {runs.map((r) => (
              <li key={r.id} className={`run-item${r.id === selected ? ' selected' : ''}`} data-run={r.id}>
                <button className="run-item-btn" aria-current={r.id === selected ? 'true' : undefined} onClick={() => onSelect(r.id)} title={`${r.task}\n${r.reason}`}>
                  <span className="run-item-task">
                    {r.revertOf && (
                      <span className="revert-mark" title={`Reverts run ${shortId(r.revertOf)}`}>
                        ↶{' '}
                      </span>
                    )}
                    {r.task}
                  </span>
                  <span className="run-item-meta">
                    <RunBadge run={r} waiting={r.waiting} />
                    <span className="chip" title={r.model ? `model ${r.model}` : undefined}>
                      {r.model ? `${r.worker} · ${r.model}` : r.worker}
                    </span>
                    <span className="spacer" />
                    <span className="muted small" title={new Date(r.createdAt / 1e6).toLocaleString()}>
                      {relativeTime(r.createdAt || r.updatedAt, now)}
                    </span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </>
  );
}
