// Endpoints answers for the tests of the settings screen, the composers
// and the policy editor.
import type { EndpointView } from '../../bridge';

/** localEndpoint is the Studio's own Ollama, reachable, with two chat models and an embedding one. */
export const localEndpoint = (over: Partial<EndpointView> = {}): EndpointView => ({
  id: 'local',
  name: 'This machine',
  kind: 'ollama',
  url: 'http://127.0.0.1:11434',
  hasKey: false,
  local: true,
  reachable: true,
  version: '0.6.5',
  models: [
    { name: 'tiny:latest', capabilities: ['completion', 'tools'] },
    { name: 'embed:latest', capabilities: ['embedding'] },
  ],
  ...over,
});

/** gpuBox is another Ollama server, reachable, serving a tool model, a chat-only one and an embedding one. */
export const gpuBox = (over: Partial<EndpointView> = {}): EndpointView => ({
  id: 'gpu-box',
  name: 'gpu-box',
  kind: 'ollama',
  url: 'http://gpu-box:11434',
  hasKey: false,
  local: false,
  reachable: true,
  version: '0.6.5',
  models: [
    { name: 'qwen3:32b', capabilities: ['completion', 'tools'], contextLength: 40960 },
    { name: 'gemma3:27b', capabilities: ['completion'] },
    { name: 'nomic-embed-text:latest', capabilities: ['embedding'] },
  ],
  ...over,
});

/** vllm is an OpenAI-compatible server with a key, unreachable. */
export const vllm = (over: Partial<EndpointView> = {}): EndpointView => ({
  id: 'vllm',
  name: 'vllm',
  kind: 'openai',
  url: 'http://10.0.0.7:8000/v1',
  hasKey: true,
  local: false,
  reachable: false,
  models: [],
  error: 'dial tcp 10.0.0.7:8000: connect: connection refused',
  ...over,
});
