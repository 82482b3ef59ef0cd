import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiMethods } from './api';
import { Events } from './events';
import { ApiError, CallPrefix, EventsPath, callHttp, httpTransport } from './http';

interface Request {
  url: string;
  init: RequestInit;
}

type Responder = (req: Request) => Response | Promise<Response>;

/** fakeServer records every request and answers with respond. */
function fakeServer(respond: Responder) {
  const requests: Request[] = [];
  const fetchFn = async (url: string, init: RequestInit): Promise<Response> => {
    const req = { url, init };
    requests.push(req);
    return respond(req);
  };
  return { requests, fetchFn };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function bodyOf(req: Request | undefined): unknown {
  expect(req).toBeDefined();
  expect(typeof req?.init.body).toBe('string');
  return JSON.parse(req?.init.body as string);
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('expected the call to fail');
}

describe('callHttp', () => {
  it('POSTs a JSON array of the arguments to /api/call/<Method>', async () => {
    const srv = fakeServer(() => json(200, { result: 'ok' }));
    await callHttp(srv.fetchFn, 'http://studio.test', 'OpenFolder', [{ path: '/tmp/proj' }]);

    expect(srv.requests).toHaveLength(1);
    const req = srv.requests[0];
    expect(req?.url).toBe('http://studio.test/api/call/OpenFolder');
    expect(req?.init.method).toBe('POST');
    expect(new Headers(req?.init.headers).get('Content-Type')).toBe('application/json');
    expect(bodyOf(req)).toEqual([{ path: '/tmp/proj' }]);
  });

  it('sends an empty array when there are no arguments', async () => {
    const srv = fakeServer(() => json(200, { result: null }));
    await callHttp(srv.fetchFn, '', 'Startup', []);
    expect(srv.requests[0]?.url).toBe('/api/call/Startup');
    expect(bodyOf(srv.requests[0])).toEqual([]);
  });

  it('returns the result field of the answer', async () => {
    const listing = { path: 'src', entries: [{ name: 'a.ts', path: 'src/a.ts', kind: 'file', size: 3, modTime: 1 }], truncated: false };
    const srv = fakeServer(() => json(200, { result: listing }));
    await expect(callHttp(srv.fetchFn, '', 'ListDir', [{ workspaceId: 'w1', path: 'src' }])).resolves.toEqual(listing);
  });

  it('returns null when a successful answer has no result (a void method)', async () => {
    const srv = fakeServer(() => json(200, {}));
    await expect(callHttp(srv.fetchFn, '', 'FrontendReady', [])).resolves.toBeNull();
  });

  it('throws an ApiError carrying the backend error message and status', async () => {
    const srv = fakeServer(() => json(400, { error: 'cannot open folder: "/x" does not exist' }));
    const err = await rejection(callHttp(srv.fetchFn, '', 'OpenFolder', [{ path: '/x' }]));
    expect(err.message).toBe('cannot open folder: "/x" does not exist');
    expect(err.status).toBe(400);
    expect(err.method).toBe('OpenFolder');
    expect(err.name).toBe('ApiError');
  });

  it('prefers the backend error message even on a 401', async () => {
    const srv = fakeServer(() => json(401, { error: 'bad token' }));
    const err = await rejection(callHttp(srv.fetchFn, '', 'Startup', []));
    expect(err.message).toBe('bad token');
    expect(err.status).toBe(401);
  });

  it('explains a 401 without a JSON body as "Not authorised"', async () => {
    const srv = fakeServer(() => new Response('Unauthorized', { status: 401 }));
    const err = await rejection(callHttp(srv.fetchFn, '', 'Startup', []));
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/^Not authorised/);
    expect(err.message).toContain('ice-studio serve');
  });

  it('falls back to "HTTP <status>" for another non-JSON failure', async () => {
    const srv = fakeServer(() => new Response('<html>Bad Gateway</html>', { status: 502 }));
    const err = await rejection(callHttp(srv.fetchFn, '', 'RecentFolders', []));
    expect(err.status).toBe(502);
    expect(err.message).toBe('HTTP 502');
  });

  it('turns a network failure into an ApiError with status 0', async () => {
    const fetchFn = (): Promise<Response> => Promise.reject(new TypeError('Failed to fetch'));
    const err = await rejection(callHttp(fetchFn, '', 'OllamaStatus', []));
    expect(err.status).toBe(0);
    expect(err.method).toBe('OllamaStatus');
    expect(err.message).toMatch(/backend is not reachable/);
    expect(err.message).toContain('Failed to fetch');
  });
});

describe('httpTransport', () => {
  it('is an http transport', () => {
    const t = httpTransport({ fetchFn: fakeServer(() => json(200, {})).fetchFn });
    expect(t.kind).toBe('http');
  });

  it('exposes every API method, each posting to its own path', async () => {
    const srv = fakeServer((req) => json(200, { result: req.url.slice(req.url.lastIndexOf('/') + 1) }));
    const t = httpTransport({ fetchFn: srv.fetchFn });
    const api = t.api as unknown as Record<string, unknown>;

    for (const m of apiMethods) {
      const fn = api[m];
      expect(typeof fn, m).toBe('function');
      // Each method answers with its own name, so the right path was called.
      await expect((fn as () => Promise<unknown>)()).resolves.toBe(m);
    }
    expect(srv.requests.map((r) => r.url)).toEqual(apiMethods.map((m) => CallPrefix + m));
  });

  it('passes the arguments through and prefixes the base URL', async () => {
    const srv = fakeServer(() => json(200, { result: { id: 'w1', root: '/tmp/p', name: 'p', openedAt: 5 } }));
    const t = httpTransport({ base: 'http://127.0.0.1:9000', fetchFn: srv.fetchFn });
    const ws = await t.api.OpenFolder({ path: '/tmp/p' });

    expect(ws.id).toBe('w1');
    expect(srv.requests[0]?.url).toBe('http://127.0.0.1:9000/api/call/OpenFolder');
    expect(bodyOf(srv.requests[0])).toEqual([{ path: '/tmp/p' }]);
  });

  it('rejects API calls with ApiError on a backend error', async () => {
    const srv = fakeServer(() => json(500, { error: 'boom' }));
    const t = httpTransport({ fetchFn: srv.fetchFn });
    const err = await rejection(t.api.ListDir({ workspaceId: 'w', path: '' }));
    expect(err.message).toBe('boom');
    expect(err.method).toBe('ListDir');
  });

  describe('events', () => {
    /** A WebSocket stand-in that the test drives by hand. */
    class FakeSocket {
      static all: FakeSocket[] = [];
      readonly url: string;
      onopen: (() => void) | null = null;
      onmessage: ((ev: { data: string }) => void) | null = null;
      onclose: (() => void) | null = null;
      constructor(url: string) {
        this.url = url;
        FakeSocket.all.push(this);
      }
      open() {
        this.onopen?.();
      }
      send(name: string, data: unknown) {
        this.onmessage?.({ data: JSON.stringify({ name, data }) });
      }
    }

    it('connects to the events path on the first subscription and dispatches by name', () => {
      FakeSocket.all = [];
      const t = httpTransport({ fetchFn: fakeServer(() => json(200, {})).fetchFn, WebSocketCtor: FakeSocket as unknown as typeof WebSocket });
      expect(FakeSocket.all).toHaveLength(0);

      const got: unknown[] = [];
      const other: unknown[] = [];
      const off = t.on(Events.RecentChanged, (d) => got.push(d));
      t.on(Events.OllamaStatusChanged, (d) => other.push(d));
      expect(FakeSocket.all).toHaveLength(1);
      const sock = FakeSocket.all[0];
      expect(sock?.url).toBe(`ws://${location.host}${EventsPath}`);

      sock?.open();
      sock?.send(Events.RecentChanged, [{ path: '/a' }]);
      expect(got).toEqual([[{ path: '/a' }]]);
      expect(other).toEqual([]);

      // A malformed frame is ignored, not thrown.
      expect(() => sock?.onmessage?.({ data: 'not json' })).not.toThrow();

      off();
      sock?.send(Events.RecentChanged, []);
      expect(got).toHaveLength(1);
    });

    describe('reconnection', () => {
      afterEach(() => {
        vi.useRealTimers();
      });

      it('reconnects after the socket closes and then announces Reconnected', () => {
        vi.useFakeTimers();
        FakeSocket.all = [];
        const t = httpTransport({ fetchFn: fakeServer(() => json(200, {})).fetchFn, WebSocketCtor: FakeSocket as unknown as typeof WebSocket });
        const reconnected: unknown[] = [];
        t.on(Events.Reconnected, (d) => reconnected.push(d));
        const first = FakeSocket.all[0];
        first?.open();
        // The first connection is not a reconnection.
        expect(reconnected).toEqual([]);

        first?.onclose?.();
        expect(FakeSocket.all).toHaveLength(1);
        vi.advanceTimersByTime(250);
        expect(FakeSocket.all).toHaveLength(2);

        FakeSocket.all[1]?.open();
        expect(reconnected).toEqual([null]);
      });
    });
  });
});
