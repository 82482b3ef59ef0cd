// How model endpoints read in the UI: their kind, health and models, the
// URL a kind expects, and a model.invoke scope in words. No React here.
import type { EndpointView } from '../../bridge';

/** EndpointKind is what an endpoint speaks: Ollama's API, or the OpenAI-compatible one. */
export type EndpointKind = 'ollama' | 'openai';

/** endpointKinds are the kinds the Add form offers, in its order. */
export const endpointKinds: readonly EndpointKind[] = ['ollama', 'openai'];

/** kindLabel names a kind as the badge shows it. */
export function kindLabel(kind: string): string {
  if (kind === 'ollama') return 'Ollama';
  if (kind === 'openai') return 'OpenAI-compatible';
  return kind;
}

/** urlPlaceholder is the example URL of a kind. */
export function urlPlaceholder(kind: string): string {
  return kind === 'openai' ? 'http://host:8000/v1' : 'http://gpu-box:11434';
}

/** normaliseEndpoints fills the lists Go may send as null. */
export function normaliseEndpoints(list: EndpointView[] | null): EndpointView[] {
  return (list ?? []).map((e) => ({ ...e, models: (e.models ?? []).map((m) => ({ ...m, capabilities: m.capabilities ?? [] })) }));
}

/** healthText says whether an endpoint answers, with its version when it does. */
export function healthText(e: Pick<EndpointView, 'reachable' | 'version' | 'kind'>): string {
  if (!e.reachable) return 'unreachable';
  return e.version ? `reachable · ${kindLabel(e.kind)} ${e.version}` : 'reachable';
}

/** modelCount is "no models", "1 model" or "3 models". */
export function modelCount(n: number): string {
  if (n === 0) return 'no models';
  return n === 1 ? '1 model' : `${n} models`;
}

/** PickerModel is a model as a composer's picker offers it. */
export interface PickerModel {
  name: string;
  /** detail is shown after the name in the full picker (parameters), '' for none. */
  detail: string;
  /** chatOnly: the model lists its capabilities and tool calling is not one of them. */
  chatOnly: boolean;
}

/**
 * endpointModels are the models of an endpoint a run can use: all but
 * embedding-only ones. An OpenAI-compatible server lists no capabilities,
 * so none of its models is called chat-only.
 */
export function endpointModels(e: EndpointView): PickerModel[] {
  return (e.models ?? [])
    .filter((m) => {
      const caps = m.capabilities ?? [];
      return !(caps.includes('embedding') && !caps.includes('completion'));
    })
    .map((m) => {
      const caps = m.capabilities ?? [];
      return { name: m.name, detail: '', chatOnly: caps.length > 0 && !caps.includes('tools') };
    });
}

/** endpointURL is a URL as the model.invoke scope compares it: trimmed, without a trailing slash. */
export function endpointURL(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/** modelScopeText is a model.invoke scope in words: "llama3 on http://gpu-box:11434", "models on …", "any model". */
export function modelScopeText(model: string, endpoint: string): string {
  const m = model.trim();
  const at = endpointURL(endpoint);
  const which = m === '' || m === '*' ? (at ? 'models' : 'any model') : m;
  return at ? `${which} on ${at}` : which;
}
