// The bridge is the only module that reaches the backend. It picks the Wails
// bindings inside the desktop window and HTTP/WebSocket in the browser
// (`ice-studio serve`); the rest of the UI calls `api` and `on` only.
import type { Api, Transport, Unsubscribe } from './api';
import type { EventName, EventPayloads } from './events';
import { httpTransport } from './http';
import { wailsTransport } from './wails';

export type { Api } from './api';
export { ApiError } from './http';
export { Events } from './events';
export * from './runs';
export type * from './types';

/** inWails tells whether the page runs inside the Wails desktop window. */
export function inWails(): boolean {
  return typeof window !== 'undefined' && ('go' in window || window.location.protocol === 'wails:');
}

let transport: Transport | undefined;

function current(): Transport {
  transport ??= inWails() ? wailsTransport() : httpTransport();
  return transport;
}

/** setTransport replaces the transport (tests). */
export function setTransport(t: Transport): void {
  transport = t;
}

/** api is the typed backend API. */
export const api: Api = new Proxy({} as Api, {
  get: (_, name: string) => (current().api as unknown as Record<string, unknown>)[name],
});

/** transportKind says which transport is in use. */
export function transportKind(): Transport['kind'] {
  return current().kind;
}

/** on subscribes to a backend notification. */
export function on<N extends EventName>(name: N, handler: (data: EventPayloads[N]) => void): Unsubscribe {
  return current().on(name, (d) => handler(d as EventPayloads[N]));
}

/** errorMessage turns anything thrown by an API call into text for the UI. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err; // Wails rejects with the Go error's text
  return String(err);
}
