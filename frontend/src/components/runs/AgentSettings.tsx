// The settings an agent works with, shared by the runs panel's composer and
// a conversation's: the model endpoint (when there is more than the
// Studio's own Ollama), its models and the one chosen, and the optional
// sampling and budget settings (Advanced).
import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage, Events, on, type AgentParams, type EndpointView, type ModelsState, type RunOptions } from '../../bridge';
import { store, useStudio } from '../../store';
import { endpointModels, kindLabel, type PickerModel } from '../settings/endpointFormat';
import { useEndpoints, type EndpointsHook } from '../settings/useEndpoints';
import { chatModels, emptyAdvanced, isChatOnly, parseAdvanced, pickModel, type AdvancedFields, type AdvancedValues } from './agentFormat';

/** useModels lists the installed models, again when Ollama comes or goes and after a pull. */
export function useModels() {
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
export const modelTrouble = (err: string) => /ollama|model|pull/i.test(err);

/** SettingsLink opens the settings at the model endpoints, where another endpoint's trouble is seen. */
function SettingsLink() {
  return (
    <button type="button" className="link models-link" onClick={() => store.update({ view: 'settings', settingsSection: 'endpoints' })}>
      Open Model endpoints
    </button>
  );
}

export function ModelsLink() {
  return (
    <button type="button" className="link models-link" onClick={showModels}>
      Open Models
    </button>
  );
}

/** ModelWhy is why a composer uses its model: chosen, the default, the only one, the first (no usable default), or none. */
export type ModelWhy = 'chosen' | 'default' | 'only' | 'first' | 'none';

/**
 * modelChoice is the model a composer will use and why, as pickModel picks
 * it: the user's choice while installed, else the default chat model (the
 * backend's when a run names none), else the first installed. The why is
 * shown beside the picker, so a composer never uses a model silently.
 * On another endpoint (named by endpointName) the default chat model does not apply:
 * it is the choice, else the endpoint's first model.
 */
export function modelChoice(list: { name: string }[], chosen: string, defaultChat: string, endpointName?: string): { model: string; why: ModelWhy; text: string } {
  if (endpointName !== undefined) {
    const model = pickModel(list, chosen, '');
    if (!model) return { model, why: 'none', text: '' };
    if (chosen && model === chosen) return { model, why: 'chosen', text: `your choice, on ${endpointName}` };
    if (list.length === 1) return { model, why: 'only', text: `the only model on ${endpointName}` };
    return { model, why: 'first', text: `the first model on ${endpointName}` };
  }
  const model = pickModel(list, chosen, defaultChat);
  if (!model) return { model, why: 'none', text: '' };
  if (model === defaultChat) return { model, why: 'default', text: 'the default chat model (set in Models)' };
  if (chosen && model === chosen) return { model, why: 'chosen', text: 'your choice' };
  if (list.length === 1) return { model, why: 'only', text: 'the only chat model installed' };
  return {
    model,
    why: 'first',
    text: defaultChat ? `the first chat model installed: the default, ${defaultChat}, is not installed` : 'the first chat model installed: no default is set (set one in Models)',
  };
}

/** AgentChoice is what the user chose: an endpoint ('' for the Studio's Ollama), a model ('' for the default) and the advanced fields as typed. */
interface AgentChoice {
  endpoint: string;
  chosen: string;
  adv: AdvancedFields;
}

/** remembered keeps a composer's choice while it is closed, by key. */
const remembered = new Map<string, AgentChoice>();

export interface AgentSettings {
  models: ReturnType<typeof useModels>;
  /** endpoints are the model endpoints (null until listed; a failed list leaves only the Studio's Ollama). */
  endpoints: EndpointsHook;
  /** endpoint is the endpoint a run will use ('' the Studio's Ollama), at its view when it is another. */
  endpoint: string;
  at: EndpointView | undefined;
  chooseEndpoint: (id: string) => void;
  /** list is the models an agent can use; model the one it will use ('' when none), and why it is that one. */
  list: PickerModel[];
  model: string;
  why: ReturnType<typeof modelChoice>;
  info: PickerModel | undefined;
  choose: (name: string) => void;
  adv: AdvancedFields;
  setField: (k: keyof AdvancedFields, value: string) => void;
  parsed: ReturnType<typeof parseAdvanced>;
  listError: string | null;
  noModels: boolean;
}

/**
 * useAgentSettings holds a composer's model and advanced settings; with a
 * key, they outlive the composer (a conversation's composer closes when
 * another centre tab is shown).
 */
export function useAgentSettings(key?: string): AgentSettings {
  const models = useModels();
  const endpoints = useEndpoints();
  const [choice, setChoice] = useState<AgentChoice>(() => (key && remembered.get(key)) || { endpoint: '', chosen: '', adv: emptyAdvanced });
  const update = (next: (c: AgentChoice) => AgentChoice) =>
    setChoice((c) => {
      const n = next(c);
      if (key) remembered.set(key, n);
      return n;
    });
  // A remembered endpoint waits for the list; one removed since (or a list
  // that cannot be read) leaves the Studio's Ollama.
  const at = endpoints.list?.find((e) => e.id === choice.endpoint && !e.local);
  const waiting = choice.endpoint !== '' && endpoints.list === null && endpoints.error === null;
  const local = chatModels(models.state).map((m): PickerModel => ({ name: m.name, detail: m.parameters, chatOnly: isChatOnly(m) }));
  const list = at ? endpointModels(at) : waiting ? [] : local;
  const why = at ? modelChoice(list, choice.chosen, '', at.name) : modelChoice(list, choice.chosen, models.state?.defaultChat ?? '');
  const model = waiting ? '' : why.model;
  const listError = at ? (at.error ? `${at.name}: ${at.error}` : at.reachable ? null : `${at.name} is unreachable`) : (models.error ?? models.state?.error ?? null);
  return {
    models,
    endpoints,
    endpoint: at ? at.id : '',
    at,
    chooseEndpoint: (id) => update((c) => ({ ...c, endpoint: id === 'local' ? '' : id, chosen: c.endpoint === (id === 'local' ? '' : id) ? c.chosen : '' })),
    list,
    model,
    why,
    info: list.find((m) => m.name === model),
    choose: (name) => update((c) => ({ ...c, chosen: name })),
    adv: choice.adv,
    setField: (k, value) => update((c) => ({ ...c, adv: { ...c.adv, [k]: value } })),
    parsed: parseAdvanced(choice.adv),
    listError: listError || null,
    noModels: at ? at.reachable && !at.error && list.length === 0 : !waiting && models.state !== null && !models.state.error && list.length === 0,
  };
}

/** agentParams is what a conversation's turn is started with; null while an advanced field is wrong. */
export function agentParams(s: AgentSettings, options: RunOptions): AgentParams | null {
  if (!s.parsed.ok) return null;
  const { temperature, seed, maxTokens, maxTurns, numCtx }: AdvancedValues = s.parsed.value;
  return {
    model: s.model,
    ...(s.endpoint !== '' && { endpoint: s.endpoint }),
    options,
    maxTokens,
    maxTurns,
    ...(temperature !== undefined && { temperature }),
    ...(seed !== undefined && { seed }),
    numCtx,
    numPredict: 0,
    unmanaged: false,
  };
}

/** EndpointPicker chooses the endpoint; it shows only when there is more than the Studio's own Ollama. */
function EndpointPicker({ s }: { s: AgentSettings }) {
  const list = s.endpoints.list ?? [];
  if (list.length < 2) return null;
  return (
    <label className="agent-model agent-endpoint">
      <span>Endpoint</span>
      <select aria-label="Endpoint" value={s.endpoint || 'local'} onChange={(e) => s.chooseEndpoint(e.target.value)} title={`${kindLabel((s.at ?? list.find((e) => e.local))?.kind ?? '')}: ${(s.at ?? list.find((e) => e.local))?.url ?? ''}`}>
        {list.map((e) => (
          <option key={e.id} value={e.local ? 'local' : e.id}>
            {e.name}
            {e.reachable ? '' : ' · unreachable'}
          </option>
        ))}
      </select>
    </label>
  );
}

/** ModelPicker chooses the endpoint and the model, and says what is wrong when there is none to choose. */
export function ModelPicker({ s, compact = false }: { s: AgentSettings; compact?: boolean }) {
  const { list, model, info, listError, noModels, why } = s;
  return (
    <>
      <EndpointPicker s={s} />
      <label className="agent-model">
        <span>Model</span>
        <select aria-label="Model" value={model} onChange={(e) => s.choose(e.target.value)} disabled={list.length === 0}>
          {list.length === 0 && <option value="">{s.models.state || listError ? 'no chat model' : 'loading…'}</option>}
          {list.map((m) => (
            <option key={m.name} value={m.name}>
              {m.name}
              {m.detail && !compact ? ` · ${m.detail}` : ''}
              {m.chatOnly ? ' · chat only' : ''}
            </option>
          ))}
        </select>
      </label>
      {why.text && (
        <p className="muted small agent-note model-why" data-testid="model-why" title="The model this composer's next run or message will use">
          Uses {model}: {why.text}
        </p>
      )}
      {info?.chatOnly && (
        <p className="muted small agent-note">{info.name} has no tool calling: it answers in words and cannot read or change files.</p>
      )}
      {listError &&
        (s.at ? (
          <p className="form-error" role="alert">
            {listError} <SettingsLink />
          </p>
        ) : (
          <p className="form-error" role="alert">
            Could not list the models: {listError} <ModelsLink />
          </p>
        ))}
      {noModels &&
        (s.at ? (
          <p className="form-error" role="alert">
            {s.at.name} serves no chat model. <SettingsLink />
          </p>
        ) : (
          <p className="form-error" role="alert">
            No chat model is installed: pull one in the Models tab. <ModelsLink />
          </p>
        ))}
    </>
  );
}

/** AdvancedSettings are the optional sampling, budget and window settings (what is wrong with them is the caller's to show). */
export function AdvancedSettings({ s }: { s: AgentSettings }) {
  const field = (k: keyof AdvancedFields) => ({ value: s.adv[k], onChange: (e: { target: { value: string } }) => s.setField(k, e.target.value) });
  return (
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
      <label>
        <span>Context window</span>
        <input
          inputMode="numeric"
          placeholder="auto (up to 8192)"
          title="num_ctx, in tokens: the Studio keeps it within what the model was trained for and what memory holds"
          {...field('numCtx')}
        />
      </label>
    </div>
  );
}
