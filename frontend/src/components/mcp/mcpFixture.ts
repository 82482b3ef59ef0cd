// MCP answers for the MCP panel's tests: a tool, a server, a state.
import type { MCPServerView, MCPState, MCPTool } from '../../bridge';

/** hashA and hashB are two definition hashes (sha256 hex). */
export const hashA = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2';
export const hashB = 'ffee00112233445566778899aabbccddeeff00112233445566778899aabbccdd';

export const tool = (over: Partial<MCPTool> = {}): MCPTool => ({
  server: 'github',
  name: 'create_issue',
  description: 'Create an issue in a repository.',
  inputSchema: { type: 'object', properties: { repo: { type: 'string' }, title: { type: 'string' } }, required: ['repo', 'title'] },
  hash: hashA,
  ...over,
});

export const server = (over: Partial<MCPServerView> = {}): MCPServerView => ({
  name: 'github',
  state: 'running',
  type: 'stdio',
  command: 'GITHUB_TOKEN=… npx -y @modelcontextprotocol/server-github',
  serverName: 'github-mcp',
  serverVersion: '1.2.0',
  tools: [tool()],
  resources: [],
  prompts: [],
  startedAt: Date.UTC(2025, 0, 6, 9, 0, 0),
  restarts: 0,
  source: 'workspace',
  trusted: true,
  fingerprint: 'fp-github',
  disabled: false,
  disabledTools: [],
  hosts: ['api.github.com'],
  writable: [],
  hasHeaders: false,
  pins: [{ tool: 'create_issue', pinned: hashA, current: hashA, changed: false }],
  ...over,
});

export const mcpState = (servers: MCPServerView[], over: Partial<MCPState> = {}): MCPState => ({ servers, sandboxed: true, problems: [], ...over });
