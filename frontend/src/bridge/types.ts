// Payload types, taken from the Go structs through the Wails-generated
// models (the one place they are mirrored), reduced to plain data: the
// generated classes carry helper methods that JSON over HTTP does not.
import type { capability, eventlog, kernel, mcp, memory, ollama, search, studio, workspace } from '../../wailsjs/go/models';

type AnyFn = (...args: never[]) => unknown;

/** Data strips methods from a generated model type, recursively. */
export type Data<T> = T extends readonly (infer U)[]
  ? Data<U>[]
  : T extends object
    ? { [K in keyof T as T[K] extends AnyFn ? never : K]: Data<T[K]> }
    : T;

export type OllamaStatus = Data<ollama.Status>;
export type RecentFolder = Data<workspace.RecentFolder>;
export type Info = Data<studio.Info>;
export type Workspace = Data<studio.Workspace>;
export type StartupResponse = Data<studio.StartupResponse>;
export type DirEntry = Data<workspace.Entry>;
export type Listing = Data<workspace.Listing>;
export type EventRow = Data<studio.EventRow>;
export type EventDetail = Data<studio.EventDetail>;
export type EventFilter = Data<studio.EventFilter>;
export type EventPage = Data<studio.EventPage>;
export type EventFacets = Data<studio.EventFacets>;
export type VerifyReport = Data<eventlog.VerifyReport>;
export type RunInfo = Data<kernel.RunInfo>;
export type RunDetail = Data<studio.RunDetail>;
export type FileChange = Data<studio.FileChange>;
export type FileHunks = Data<kernel.FileHunks>;
export type ReviewHunk = Data<kernel.Hunk>;
export type PartialResult = Data<kernel.PartialResult>;
export type RunOptions = Data<studio.RunOptions>;
export type FileContent = Data<studio.FileContent>;
export type BlobText = Data<studio.BlobText>;
export type WorkspaceStatus = Data<studio.WorkspaceStatus>;
export type CapabilityState = Data<studio.CapabilityState>;
export type CapPolicy = Data<capability.Policy>;
export type CapRule = Data<capability.Rule>;
export type CapScope = Data<capability.Scope>;
/** Limits bound one command; an absent or 0 field means the Studio default. */
export type Limits = Data<capability.Limits>;
/** SandboxPolicy is how a workspace runs commands (part of its policy). */
export type SandboxPolicy = Data<capability.SandboxPolicy>;
export type Grant = Data<capability.Grant>;
export type Ask = Data<kernel.Ask>;
/** ScopeChoice is one scope an approval can be granted with, computed by the kernel (the glob shown is the glob granted). */
export type ScopeChoice = Data<kernel.ScopeChoice>;
export type EffectDetail = Data<kernel.EffectDetail>;
/** SandboxDetail is what an allowed command will be able to do (an approval card's shell.exec detail). */
export type SandboxDetail = Data<kernel.SandboxDetail>;
/** SandboxState is the machine's sandbox and the workspaces that run commands unsandboxed. */
export type SandboxState = Data<studio.SandboxState>;
export type Why = Data<studio.Why>;
export type Memory = Data<memory.Memory>;
export type MemorySpec = Data<memory.Spec>;
export type MemoryFilter = Data<memory.Filter>;
export type MemoryProposal = Data<memory.Proposal>;
export type MemorySettings = Data<studio.MemorySettings>;
export type ModelsState = Data<studio.ModelsState>;
/** Settings are the Studio's settings (settings.json), each with where its value comes from. */
export type Settings = Data<studio.Settings>;
export type SettingsPatch = Data<studio.SettingsPatch>;
export type StringSetting = Data<studio.StringSetting>;
export type IntSetting = Data<studio.IntSetting>;
export type BoolSetting = Data<studio.BoolSetting>;
export type PullState = Data<studio.PullState>;
export type ModelInfo = Data<ollama.Model>;
export type WatchStatus = Data<workspace.WatchStatus>;
export type IndexStatus = Data<studio.IndexStatus>;
export type SearchQuery = Data<search.Query>;
export type FileMatch = Data<search.FileMatch>;
export type StartAgentRunRequest = Data<studio.StartAgentRunRequest>;
export type Transcript = Data<studio.Transcript>;
export type TranscriptStep = Data<studio.TranscriptStep>;
export type TranscriptCall = Data<studio.TranscriptCall>;
export type InferenceRequestView = Data<studio.InferenceRequestView>;
export type ContextNotice = Data<studio.ContextNotice>;
export type AgentParams = Data<studio.AgentParams>;
export type ThreadInfo = Data<kernel.ThreadInfo>;
export type ThreadSummary = Data<studio.ThreadSummary>;
export type ThreadView = Data<studio.ThreadView>;
export type TurnView = Data<studio.TurnView>;
export type FileStat = Data<studio.FileStat>;
export type FileRef = Data<kernel.FileRef>;
export type SendMessageRequest = Data<studio.SendMessageRequest>;
export type SendResult = Data<studio.SendResult>;
export type SelectionRequest = Data<studio.SelectionRequest>;
/** EndpointView is a model endpoint as the UI shows it: its health, version and models; the API key only as hasKey. */
export type EndpointView = Data<studio.EndpointView>;
/** EndpointModel is a model an endpoint serves. */
export type EndpointModel = Data<studio.EndpointModel>;
/** AddEndpointRequest adds an endpoint, or replaces the one of the same name (an empty apiKey: no key). */
export type AddEndpointRequest = Data<studio.AddEndpointRequest>;
/** EndpointRequest names an endpoint by id. */
export type EndpointRequest = Data<studio.EndpointRequest>;
/** ReplicaView is the event log's replication as the UI shows it: where to (no secrets), how far, any error. */
export type ReplicaView = Data<studio.ReplicaView>;
/** SetReplicaRequest configures the replica (an empty url removes it); its secrets are write-only. */
export type SetReplicaRequest = Data<studio.SetReplicaRequest>;

/** JSONValue is any JSON value. */
export type JSONValue = string | number | boolean | null | JSONValue[] | { [key: string]: JSONValue };
/** JSONObject is a JSON object: what a json.RawMessage of an MCP tool holds on the wire (the generated models call it number[]). */
export type JSONObject = { [key: string]: JSONValue };

/** MCPTool is a tool an MCP server presents now; hash is the hash of its definition (name, description, input schema). */
export type MCPTool = Omit<Data<mcp.Tool>, 'inputSchema' | 'annotations'> & { inputSchema: JSONObject; annotations?: JSONObject };
/** MCPResource is a resource a server lists (read-only). */
export type MCPResource = Data<mcp.Resource>;
/** MCPPrompt is a prompt a server lists (read-only). */
export type MCPPrompt = Data<mcp.Prompt>;
/** MCPPin is a tool's pin: the definition hash it was first allowed with ("" not yet) and the one it presents now. */
export type MCPPin = Data<studio.MCPPin>;
/** MCPServerView is one MCP server as the panel shows it: its state, where it is configured, whether it may start, its tools and pins. */
export type MCPServerView = Omit<Data<studio.MCPServerView>, 'tools'> & { tools: MCPTool[] };
/** MCPState is a workspace's MCP servers, and the problems of their configuration (what could not be read, project servers shadowed by name). */
export type MCPState = Omit<Data<studio.MCPState>, 'servers'> & { servers: MCPServerView[] };
/** MCPToolChange is a tool's pinned definition (null: none recorded) beside the one it presents now. */
export type MCPToolChange = Omit<Data<studio.MCPToolChange>, 'pinned' | 'current'> & { pinned: MCPTool | null; current: MCPTool };
export type MCPServerRequest = Data<studio.MCPServerRequest>;
export type ImportMCPRequest = Data<studio.ImportMCPRequest>;
export type SetMCPToolRequest = Data<studio.SetMCPToolRequest>;
export type MCPToolRequest = Data<studio.MCPToolRequest>;

// Notification payloads that no method returns, so Wails generates no
// model for them: mirrored by hand from backend/search and backend/studio.

/** One line with matches; ranges are [start, end) UTF-16 offsets into text (search.LineMatch). */
export interface LineMatch {
  line: number;
  text: string;
  ranges: [number, number][];
}

/** The matches in one file (search.FileResult). */
export interface FileResult {
  path: string;
  matches: LineMatch[];
}

/** A search's summary (search.Stats). */
export interface SearchStats {
  files: number;
  skipped: number;
  filesMatched: number;
  matches: number;
  truncated: boolean;
  usedIndex: boolean;
  tookMs: number;
}

/** A search.results notification (studio.SearchUpdate). */
export interface SearchUpdate {
  id: string;
  results: FileResult[];
  done: boolean;
  stats?: SearchStats;
  error?: string;
}

/** A workspace.files notification (studio.FilesChanged). */
export interface FilesChanged {
  workspaceId: string;
  changes: { path: string; kind: 'created' | 'modified' | 'deleted'; folder?: boolean }[];
  rescan: boolean;
  at: number;
}

/** A thread.changed notification: a conversation changed (studio.ThreadChangedPayload). */
export interface ThreadChanged {
  thread: string;
  workspace: string;
}

/** Live progress of an agent run (agent.Update, the agent.update notification). */
export interface AgentUpdate {
  run: string;
  step: number;
  /**
   * step: a model step begins; delta: streamed text; response: a step's
   * answer is complete; tool: a tool call and its result; truncated: the
   * server cut the step's request (error says how); done: the agent finished.
   */
  kind: 'step' | 'delta' | 'response' | 'tool' | 'truncated' | 'done';
  content?: string;
  thinking?: string;
  tool?: string;
  /** For tool: the call's place in the step's answer. */
  index?: number;
  /** For response: the tools the answer calls, in order. */
  toolCalls?: string[];
  arguments?: string;
  result?: string;
  error?: string;
  promptTokens?: number;
  /** For deltas: chunks streamed so far in this step. */
  evalTokens?: number;
  tokensPerSecond?: number;
  /** For step, response and truncated: the context window (num_ctx) of the step. */
  window?: number;
  /** For step and truncated: the kernel's estimate of the prompt, in tokens. */
  estimate?: number;
  /** "compact" for a step that summarises older messages; "calibrate" for one that measures the model. */
  purpose?: string;
}

/** GitStatus is a workspace's git status (studio.GitStatus): entries map paths to M, A, D, R, U (untracked), ! (ignored) or C (conflict). */
export type GitStatus = Data<studio.GitStatus>;
/** GitCommitResult is how a git commit of a run's files ended, or that it waits for approval (kernel.GitCommitResult). */
export type GitCommitResult = Data<kernel.GitCommitResult>;
