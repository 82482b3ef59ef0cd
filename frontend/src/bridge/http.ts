// The browser transport used by `ice-studio serve`: API calls are POSTs to
// /api/call/<Method> with a JSON array of arguments; notifications arrive on
// one WebSocket at /api/events that reconnects by itself. Paths mirror
// backend/server/server.go.
import { apiMethods, type Api, type Transport } from './api';
import { Events } from './events';

export const CallPrefix = '/api/call/';
export const EventsPath = '/api/events';

/** ApiError is a failed call; message is what the backend said. */
export class ApiError extends Error {
  readonly status: number;
  readonly method: string;
  constructor(method: string, status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.method = method;
    this.status = status;
  }
}

interface CallResponse {
  result?: unknown;
  error?: string;
}

type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

/** callHttp performs one API call; exported for tests. */
export async function callHttp(fetchFn: FetchFn, base: string, method: string, args: unknown[]): Promise<unknown> {
  let res: Response;
  try {
    res = await fetchFn(base + CallPrefix + method, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(args),
    });
  } catch (err) {
    throw new ApiError(method, 0, `The Studio backend is not reachable (${String(err)}). Is \`ice-studio serve\` still running?`);
  }
  let body: CallResponse = {};
  try {
    body = (await res.json()) as CallResponse;
  } catch {
    // a non-JSON answer: a proxy error page, or the token was refused
  }
  if (!res.ok) {
    const msg = body.error ?? (res.status === 401 ? 'Not authorised: open the URL printed by `ice-studio serve`.' : `HTTP ${res.status}`);
    throw new ApiError(method, res.status, msg);
  }
  return body.result ?? null;
}

export function httpTransport(opts: { base?: string; fetchFn?: FetchFn; WebSocketCtor?: typeof WebSocket } = {}): Transport {
  const base = opts.base ?? '';
  const fetchFn: FetchFn = opts.fetchFn ?? ((i, init) => fetch(i, init));
  const api = Object.fromEntries(
    apiMethods.map((m) => [m, (...args: unknown[]) => callHttp(fetchFn, base, m, args)]),
  ) as unknown as Api;

  const listeners = new Map<string, Set<(data: unknown) => void>>();
  const WS = opts.WebSocketCtor ?? (typeof WebSocket === 'undefined' ? undefined : WebSocket);
  let socket: WebSocket | undefined;
  let retry = 0;
  let connectedOnce = false;

  const dispatch = (name: string, data: unknown) => listeners.get(name)?.forEach((h) => h(data));

  const connect = () => {
    if (!WS || typeof location === 'undefined') return;
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + EventsPath;
    const ws = new WS(url);
    socket = ws;
    ws.onopen = () => {
      retry = 0;
      if (connectedOnce) dispatch(Events.Reconnected, null);
      connectedOnce = true;
    };
    ws.onmessage = (ev: MessageEvent) => {
      try {
        const msg = JSON.parse(String(ev.data)) as { name: string; data: unknown };
        dispatch(msg.name, msg.data);
      } catch {
        // ignore a malformed frame; the next state refresh corrects the UI
      }
    };
    ws.onclose = () => {
      socket = undefined;
      const delay = Math.min(10_000, 250 * 2 ** retry++);
      setTimeout(connect, delay);
    };
  };

  return {
    kind: 'http',
    api,
    on(name, handler) {
      if (!socket && !connectedOnce) connect();
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(handler);
      return () => set.delete(handler);
    },
  };
}
