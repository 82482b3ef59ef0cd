// The model endpoints, as the settings screen, the composers and the
// policy editor read them: loaded when the component mounts, again on
// reload or a reconnect; an action's answer replaces them (set).
import { useCallback, useEffect } from 'react';
import { api, Events, on, type EndpointView } from '../../bridge';
import { useLoaded } from '../useLoaded';
import { normaliseEndpoints } from './endpointFormat';

/** EndpointsHook is the endpoints (null until loaded), the last load's error, and ways to change them. */
export interface EndpointsHook {
  list: EndpointView[] | null;
  error: string | null;
  /** set takes the list AddEndpoint or RemoveEndpoint answered. */
  set: (list: EndpointView[]) => void;
  reload: () => Promise<void>;
}

/** useEndpoints lists the model endpoints with their health and models. */
export function useEndpoints(): EndpointsHook {
  const load = useCallback(async () => normaliseEndpoints(await api.Endpoints()), []);
  const { value, setValue, error, reload } = useLoaded<EndpointView[] | null>(load, null);
  useEffect(() => on(Events.Reconnected, () => void reload()), [reload]);
  const set = useCallback((list: EndpointView[]) => setValue(normaliseEndpoints(list)), [setValue]);
  return { list: value, error, set, reload };
}
