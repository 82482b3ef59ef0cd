// The Run lifecycle and the run event payloads the UI reads, mirrored from
// backend/kernel/lifecycle.go, backend/kernel/payloads.go and
// backend/eventlog/catalogue.go (the one place they are mirrored).
import type { Limits } from './types';

/** RunStates lists every run state in lifecycle order. */
export const RunStates = [
  'created',
  'provisioned',
  'context_resolved',
  'memory_mounted',
  'context_ready',
  'executing',
  'validating',
  'validated',
  'validation_failed',
  'committing',
  'committed',
  'aborted',
  'terminated',
] as const;

export type RunState = (typeof RunStates)[number];

/** Outcomes of a finished run (RunInfo.outcome; '' while undecided). */
export type RunOutcome = 'committed' | 'aborted' | 'terminated' | '';

/** RunEvents names the run events the UI treats specially. */
export const RunEvents = {
  Requested: 'run.requested',
  Created: 'run.created',
  Provisioned: 'run.provisioned',
  ContextResolved: 'run.context_resolved',
  MemoryMounted: 'run.memory_mounted',
  CapabilitiesBound: 'run.capabilities_bound',
  ExecutionStarted: 'run.execution_started',
  ValidationStarted: 'run.validation_started',
  ValidationPassed: 'run.validation_passed',
  ValidationFailed: 'run.validation_failed',
  CommitApproved: 'run.commit_approved',
  AbortRequested: 'run.abort_requested',
  Committing: 'run.committing',
  Committed: 'run.committed',
  Aborted: 'run.aborted',
  Terminated: 'run.terminated',
  FileRead: 'effect.file_read',
  FileStaged: 'effect.file_staged',
  FileWritten: 'effect.file_written',
  CommandExecuted: 'effect.command_executed',
} as const;

/**
 * lifecycleState maps each lifecycle (state-changing) event to the state it
 * leads to; every other run event leaves the state as it is (kernel.Lifecycle).
 */
export const lifecycleState: Readonly<Record<string, RunState>> = {
  [RunEvents.Created]: 'created',
  [RunEvents.Provisioned]: 'provisioned',
  [RunEvents.ContextResolved]: 'context_resolved',
  [RunEvents.MemoryMounted]: 'memory_mounted',
  [RunEvents.CapabilitiesBound]: 'context_ready',
  [RunEvents.ExecutionStarted]: 'executing',
  [RunEvents.ValidationStarted]: 'validating',
  [RunEvents.ValidationPassed]: 'validated',
  [RunEvents.ValidationFailed]: 'validation_failed',
  [RunEvents.Committing]: 'committing',
  [RunEvents.Committed]: 'committed',
  [RunEvents.Aborted]: 'aborted',
  [RunEvents.Terminated]: 'terminated',
};

/** abortableStates are the states a user may abort a run from (kernel.abortable). */
export const abortableStates: ReadonlySet<string> = new Set<RunState>([
  'created',
  'provisioned',
  'context_resolved',
  'memory_mounted',
  'context_ready',
  'executing',
  'validating',
  'validated',
  'validation_failed',
]);

/** Conflict is a staged file whose disk content is no longer the base it was staged on. */
export interface Conflict {
  path: string;
  expected: string;
  found: string;
}

/** ValidationPayload is run.validation_passed / run.validation_failed. */
export interface ValidationPayload {
  reason: string;
  /** Go sends an empty list as null. */
  conflicts: Conflict[] | null;
  exitCode: number;
  /** Blob address of the validation command's output ('' without a command). */
  output: string;
}

/** The workspace view a command had (kernel.CommandPayload.Sandbox). */
export type CommandSandbox = 'overlayfs' | 'fuse-overlayfs' | 'copy' | 'unsandboxed';

/** The limit a command was killed for (kernel.CommandPayload.Limit). */
export type LimitName = 'cpu' | 'memory' | 'processes' | 'output' | 'wall clock';

/** One connection a command asked the kernel's proxy for (kernel.NetDecision). */
export interface NetDecision {
  /** host:port */
  target: string;
  allowed: boolean;
  /** Id of the capability.used / capability.denied event that records the decision. */
  event?: string;
  reason?: string;
}

/** What became of a command's file change (kernel.Change*). */
export type ChangeOutcome = 'staged' | 'refused' | 'discarded' | 'unsupported';

/** One file a command changed in its view of the workspace (kernel.CommandChange). */
export interface CommandChange {
  path: string;
  op: 'write' | 'delete';
  size?: number;
  /** Blob address of the new content. */
  after?: string;
  outcome: ChangeOutcome;
  reason?: string;
}

/** CommandPayload is effect.command_executed: one command of a run, run in the kernel's sandbox. */
export interface CommandPayload {
  argv: string[] | null;
  dir: string;
  exitCode: number;
  timedOut: boolean;
  durationMs: number;
  /** Blob address of the combined output. */
  output: string;
  outputSize: number;
  /** validation: the run's validation command; tool: a worker's command. */
  purpose?: 'validation' | 'tool';
  /** Absent in events recorded before the sandbox. */
  sandbox?: CommandSandbox;
  /** Second layers in force, e.g. "landlock ABI 7", "seccomp". */
  layers?: string[];
  /** Limits in force (absent in older events). */
  limits?: Limits;
  /** The limit it was killed for; absent when none. */
  limit?: LimitName;
  signal?: string;
  cpuTimeMs?: number;
  peakMemoryBytes?: number;
  /** Microseconds from "allowed" to the command's exec. */
  startUs?: number;
  network?: NetDecision[] | null;
  changes?: CommandChange[] | null;
}
