// Notification names, mirrored from backend/bus/bus.go.
import type { AgentUpdate, FilesChanged, OllamaStatus, PullState, RecentFolder, SearchUpdate, ThreadChanged, Workspace, WorkspaceStatus } from './types';

export const Events = {
  OllamaStatusChanged: 'ollama.status',
  WorkspaceOpened: 'workspace.opened',
  RecentChanged: 'recent.changed',
  EventsAppended: 'events.appended',
  RunChanged: 'run.changed',
  WorkspaceClosed: 'workspace.closed',
  WorkspaceStatus: 'workspace.status',
  FilesChanged: 'workspace.files',
  SearchResults: 'search.results',
  Notice: 'studio.notice',
  CapabilitiesChanged: 'capabilities.changed',
  MemoriesChanged: 'memories.changed',
  ModelPull: 'model.pull',
  AgentUpdate: 'agent.update',
  ThreadChanged: 'thread.changed',
  /** A workspace's MCP servers changed: their state, tools or configuration (refetch MCPState). */
  MCPChanged: 'mcp.changed',
  /** Emitted by the HTTP transport after its event stream reconnects. */
  Reconnected: 'bridge.reconnected',
} as const;

/** Payload type of each notification. */
export interface EventPayloads {
  [Events.OllamaStatusChanged]: OllamaStatus;
  [Events.WorkspaceOpened]: Workspace;
  [Events.RecentChanged]: RecentFolder[];
  [Events.EventsAppended]: { headSeq: number };
  [Events.RunChanged]: { run: string; state: string };
  [Events.WorkspaceClosed]: { workspaceId: string };
  [Events.WorkspaceStatus]: WorkspaceStatus;
  [Events.FilesChanged]: FilesChanged;
  [Events.SearchResults]: SearchUpdate;
  [Events.Notice]: string;
  [Events.CapabilitiesChanged]: { workspaceId: string };
  [Events.MemoriesChanged]: { workspaceId: string };
  [Events.ModelPull]: PullState;
  [Events.AgentUpdate]: AgentUpdate;
  [Events.ThreadChanged]: ThreadChanged;
  [Events.MCPChanged]: { workspaceId: string };
  [Events.Reconnected]: null;
}

export type EventName = keyof EventPayloads;
