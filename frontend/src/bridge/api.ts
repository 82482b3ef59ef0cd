// The backend API as the UI sees it: every method bound on the Go App, with
// plain-data arguments and results. Derived from the generated bindings, so a
// Go signature change shows up here as a type error.
import type * as Bound from '../../wailsjs/go/main/App';
import type { Data, MCPState, MCPToolChange } from './types';

type BoundApi = typeof Bound;

type DataArgs<P extends readonly unknown[]> = { [I in keyof P]: Data<P[I]> };

/**
 * JSONResults are the results that hold a json.RawMessage (an MCP tool's
 * input schema): the generated models call it number[], but it is JSON on
 * the wire, so these methods answer the types that say so.
 */
interface JSONResults {
  MCPState: MCPState;
  ImportMCPServers: MCPState;
  RemoveMCPServer: MCPState;
  ApproveMCPServer: MCPState;
  StartMCPServer: MCPState;
  StopMCPServer: MCPState;
  RestartMCPServer: MCPState;
  SetMCPTool: MCPState;
  RepinMCPTool: MCPState;
  MCPToolChange: MCPToolChange;
}

type Result<K extends keyof BoundApi> = K extends keyof JSONResults ? JSONResults[K] : Data<Awaited<ReturnType<BoundApi[K]>>>;

export type Api = {
  [K in keyof BoundApi]: (...args: DataArgs<Parameters<BoundApi[K]>>) => Promise<Result<K>>;
};

/** Names of every API method; the check below fails to compile if one is missing. */
export const apiMethods = [
  'Startup',
  'OllamaStatus',
  'OpenFolder',
  'ChooseFolder',
  'RecentFolders',
  'ForgetRecent',
  'ListDir',
  'FrontendReady',
  'ListEvents',
  'GetEvent',
  'EventFacets',
  'VerifyLog',
  'ListRuns',
  'GetRun',
  'StartEditRun',
  'StartReplaceRun',
  'StartAgentRun',
  'GetTranscript',
  'GetInferenceRequest',
  'SendMessage',
  'ListThreads',
  'GetThread',
  'RetryTurn',
  'CompactThread',
  'ForkThread',
  'RestoreThread',
  'RenameThread',
  'DeleteThread',
  'ApproveRun',
  'AbortRun',
  'RevertRun',
  'RunHunks',
  'CommitHunks',
  'ReadFile',
  'ReadBlob',
  'CloseWorkspace',
  'WorkspaceStatus',
  'StartSearch',
  'CancelSearch',
  'FindFiles',
  'CapabilityState',
  'SetPolicy',
  'Grant',
  'Revoke',
  'AnswerCapability',
  'WhyAllowed',
  'MemoryList',
  'MemoryHistory',
  'WriteNote',
  'SupersedeMemory',
  'DeprecateMemory',
  'PromoteRun',
  'MemoryProposals',
  'DecideProposal',
  'GetMemorySettings',
  'SetMemorySettings',
  'StartOllama',
  'ListModels',
  'PullModel',
  'CancelPull',
  'DeleteModel',
  'SetDefaultModels',
  'SandboxStatus',
  'ExportRun',
  'SaveRunExport',
  'GetSettings',
  'SetSettings',
  'GitStatus',
  'GitCommit',
  'RevealPath',
  'MCPState',
  'ImportMCPServers',
  'RemoveMCPServer',
  'ApproveMCPServer',
  'StartMCPServer',
  'StopMCPServer',
  'RestartMCPServer',
  'SetMCPTool',
  'MCPServerLog',
  'MCPToolChange',
  'RepinMCPTool',
  'Endpoints',
  'AddEndpoint',
  'RemoveEndpoint',
  'Replica',
  'SetReplica',
  'SyncReplica',
] as const satisfies readonly (keyof Api)[];

type Missing = Exclude<keyof Api, (typeof apiMethods)[number]>;
const exhaustive: [Missing] extends [never] ? true : Missing = true;
void exhaustive;

/** Unsubscribe ends an event subscription. */
export type Unsubscribe = () => void;

/** Transport is one way of reaching the backend: Wails bindings or HTTP. */
export interface Transport {
  readonly kind: 'wails' | 'http';
  readonly api: Api;
  on(name: string, handler: (data: unknown) => void): Unsubscribe;
}
