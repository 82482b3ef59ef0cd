// The desktop transport: the Wails-generated bindings and runtime events.
import * as Bound from '../../wailsjs/go/main/App';
import { EventsOn } from '../../wailsjs/runtime/runtime';
import type { Api, Transport } from './api';

export function wailsTransport(): Transport {
  // The generated functions take and return model classes; over the Wails
  // IPC they carry exactly the plain JSON data that Api describes.
  const api = Bound as unknown as Api;
  return {
    kind: 'wails',
    api,
    on: (name, handler) => EventsOn(name, (data: unknown) => handler(data)),
  };
}
