// One line of words per event: what the event inspector shows beside each
// row. Every type of the catalogue (backend/eventlog/catalogue.go) has its
// own summary here; a Go test (eventlog's TestEverySummary) fails when a
// type is added there without one.
import type { EventRow } from '../bridge';
import { shortId } from './EventDetail';

/** P is a payload as the row carries it: any JSON object. */
type P = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const obj = (v: unknown): P => (v && typeof v === 'object' && !Array.isArray(v) ? (v as P) : {});

/** items is a list of the payload; a shortened one ends in "… N more" (see studio.rowPayload). */
function items(v: unknown): unknown[] {
  return Array.isArray(v) ? v.filter((x) => !(typeof x === 'string' && /^… \d+ more$/.test(x))) : [];
}

/** size counts a list of the payload, with the items a shortened one left out. */
export function size(v: unknown): number {
  if (!Array.isArray(v)) return 0;
  const last = v.at(-1);
  const more = typeof last === 'string' ? /^… (\d+) more$/.exec(last) : null;
  return more ? v.length - 1 + Number(more[1]) : v.length;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** clip keeps a text to one short line. */
export function clip(text: string, n = 60): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > n ? `${line.slice(0, n - 1)}…` : line;
}

/** quoted is a short text in quotes, or '' for none. */
const quoted = (v: unknown, n = 50) => (str(v) ? `“${clip(str(v), n)}”` : '');

const withReason = (text: string, reason: unknown) => (str(reason) ? `${text}: ${clip(str(reason), 70)}` : text);

/** paths names a list of files: "a.go", "a.go and b.go", "a.go and 3 more". */
function paths(list: unknown): string {
  const ps = items(list).map((f) => (typeof f === 'string' ? f : str(obj(f).path))).filter(Boolean);
  const n = size(list);
  if (n === 0) return 'no files';
  if (n === 1) return ps[0] ?? '1 file';
  if (n === 2 && ps.length === 2) return `${ps[0]} and ${ps[1]}`;
  return `${ps[0] ?? 'a file'} and ${n - 1} more`;
}

/** target names what a capability is about: a path, a command, a host. */
function target(p: P): string {
  const req = obj(p.req);
  const argv = items(req.argv).map(str);
  const t = str(p.target) || str(req.path) || (argv.length ? argv.join(' ') : '') || str(req.host) || str(req.model) || str(req.memory);
  return clip(t, 50);
}

function scope(s: unknown): string {
  const sc = obj(s);
  const argv = items(sc.argv).map(str);
  return str(sc.glob) || (argv.length ? argv.join(' ') : '') || str(sc.host) || str(sc.model) || str(sc.memory) || 'its scope';
}

const choiceWords: Record<string, string> = {
  once: 'once',
  run: 'for this run',
  workspace: 'for this workspace',
  deny: '',
};

/** scopeWords says what a scope choice of an approval covers (kernel.ScopeChoices). */
const scopeWords: Record<string, string> = {
  '': 'the request',
  exact: 'the request',
  folder: 'its folder',
  like: 'files like it',
  all: 'every file of the run',
  prefix: 'the command and its first argument',
  program: 'the program',
};

/** Summary turns a payload (and its row) into one line. */
type Summary = (p: P, row: Pick<EventRow, 'run' | 'stream' | 'workspace'>) => string;

const step = (p: P) => (num(p.step) > 0 ? `step ${num(p.step)}: ` : '');
const tokens = (n: unknown) => plural(num(n), 'token');

/**
 * summaries has one entry for each event type of the catalogue. Keys are
 * quoted type names, one a line: the Go test reads them from this file.
 */
export const summaries: Record<string, Summary> = {
  // run.*
  'run.requested': (p) => `user asked for a run: ${quoted(p.task) || 'no task'}`,
  'run.created': (p) => `run created${str(p.model) ? ` with ${str(p.model)}` : ''}: ${quoted(p.task) || 'no task'}${str(p.revertOf) ? ` (reverts ${shortId(str(p.revertOf))})` : ''}`,
  'run.provisioned': (p) => `run provisioned${str(p.worker) ? ` for ${str(p.worker)}` : ''}`,
  'run.context_resolved': (p) => `context resolved: ${plural(size(p.files), 'file')}${size(p.history) ? `, ${plural(size(p.history), 'earlier turn')}` : ''}`,
  'run.memory_mounted': (p) => `${plural(size(p.memories), 'memory', 'memories')} mounted`,
  'run.capabilities_bound': (p) => `capabilities bound${str(p.profile) ? ` (${str(p.profile)} profile)` : ''}: ${items(p.allows).map(str).join(', ') || 'nothing allowed'}`,
  'run.execution_started': () => 'the run started working',
  'run.validation_started': () => 'validation started',
  'run.validation_passed': (p) => withReason('validation passed', p.reason),
  'run.validation_failed': (p) =>
    withReason(size(p.conflicts) ? `validation failed: ${plural(size(p.conflicts), 'conflict')}` : `validation failed${num(p.exitCode) ? ` (exit ${num(p.exitCode)})` : ''}`, p.reason),
  'run.commit_approved': () => 'user approved the commit',
  'run.abort_requested': (p) => withReason('user asked to abort the run', p.reason),
  'run.commit_requested': () => 'commit requested',
  'run.committing': (p) => `writing ${paths(p.files)}`,
  'run.committed': () => 'run committed: its files are written',
  'run.aborted': (p) => withReason('run aborted: nothing applied', p.reason),
  'run.terminated': (p) => withReason('run ended', p.reason),
  'run.review_decided': (p) => `user chose ${plural(num(p.accepted), 'hunk')} to commit, ${num(p.rejected)} rejected, in ${paths(p.files)}`,
  'run.review_validated': (p) => (p.passed ? 'the chosen hunks passed validation' : withReason('the chosen hunks failed validation', p.reason)),
  'run.partial_committing': (p) => `writing the chosen hunks of ${paths(p.files)}`,
  'run.partial_committed': (p) => `partial commit written: ${paths(p.files)}`,

  // inference.*
  'inference.request': (p) =>
    `${step(p)}${str(p.purpose) ? `${str(p.purpose)} ` : ''}request to ${str(p.model) || 'the model'}: ${plural(size(p.messages), 'message')}${num(p.estimate) ? `, ~${tokens(p.estimate)}` : ''}`,
  'inference.token_summary': (p) => `${step(p)}${tokens(p.evalTokens ?? p.tokens)} so far`,
  'inference.response': (p) =>
    str(p.error)
      ? `${step(p)}model failed: ${clip(str(p.error), 70)}`
      : `${step(p)}model answered ${tokens(p.evalTokens)}${size(p.toolCalls) ? ` with ${plural(size(p.toolCalls), 'tool call')}` : ''}${str(p.content) ? `: ${quoted(p.content, 40)}` : ''}`,
  'inference.tool_call': (p) => `${step(p)}model called ${str(p.name) || 'a tool'}${str(p.error) ? ` — ${clip(str(p.error), 50)}` : ''}`,
  'inference.plan_step': (p) => `plan: ${quoted(p.text ?? p.content ?? p.step) || 'a step'}`,
  'inference.truncated': (p) => `${step(p)}the server cut the request: it read ${tokens(p.promptEval)} of ~${num(p.estimate).toLocaleString('en')}`,

  // context.*
  'context.trimmed': (p) => `${step(p)}trimmed ${plural(size(p.items), 'tool output')} to fit ${tokens(p.window)}`,
  'context.compacted': (p) => `${step(p)}${plural(size(p.replaced), 'message')} replaced by a summary (${str(p.reason) || 'fit'})`,

  // thread.*
  'thread.created': (p) => `user started a conversation ${quoted(p.title)}${str(p.forkOf) ? ` (fork at turn ${num(p.forkTurn)})` : ''}`,
  'thread.renamed': (p) => `user renamed the conversation to ${quoted(p.title)}`,
  'thread.hidden': () => 'user hid the conversation',
  'thread.restore_requested': (p) => `user asked to restore the files as after turn ${num(p.turn)}`,
  'thread.turn_added': (p) => `turn ${num(p.turn)}: run ${shortId(str(p.run))}${p.retries ? ` (retries turn ${num(p.retries)})` : ''}`,

  // effect.*
  'effect.file_read': (p, r) => `${actor(r)}read ${str(p.path)}`,
  'effect.file_staged': (p, r) => `${actor(r)}${str(p.op) === 'delete' ? 'deleted' : 'wrote'} ${str(p.path)} (staged)`,
  'effect.file_written': (p, r) => `${actor(r)}${str(p.op) === 'delete' ? 'deleted' : 'wrote'} ${str(p.path)} on disk`,
  'effect.command_executed': (p, r) =>
    `${actor(r)}ran ${clip(items(p.argv).map(str).join(' ') || 'a command', 50)} → ${p.timedOut ? 'timed out' : `exit ${num(p.exitCode)}`}`,
  'effect.git_committed': (p) => `git commit ${str(p.hash).slice(0, 8)}${str(p.branch) ? ` on ${str(p.branch)}` : ''}: ${quoted(p.message)} (${plural(size(p.files), 'file')})`,
  'effect.git_failed': (p) => `git commit failed: ${clip(str(p.error) || str(p.stderr) || 'no reason given', 70)}`,
  'effect.http_requested': (p, r) => `${actor(r)}requested ${clip(str(p.url) || str(p.target) || 'a URL', 60)}`,

  // capability.*
  'capability.requested': (p, r) => `${actor(r)}asks for ${str(p.kind)} ${target(p)}`,
  'capability.approved': (p) =>
    `user allowed ${scopeWords[str(p.scope)] ?? 'the request'} ${choiceWords[str(p.choice)] ?? str(p.choice)}${size(p.requests) > 1 ? ` (${plural(size(p.requests), 'request')})` : ''}`,
  'capability.refused': (p) => withReason('user refused', p.reason),
  'capability.granted': (p) => `granted ${str(p.kind)} ${scope(p.scope)} ${p.run ? 'for this run' : 'for the workspace'}${str(p.issuedBy) ? ` (by ${str(p.issuedBy)})` : ''}`,
  'capability.denied': (p) => withReason(`denied ${str(p.kind)} ${target(p)}`, p.reason),
  'capability.used': (p) => `allowed ${str(p.kind)} ${target(p)} by ${p.grant ? 'a grant' : num(p.rule) ? `rule #${num(p.rule)}` : 'policy'}`,
  'capability.revoked': (p) => withReason('grant revoked', p.reason),
  'capability.expired': (p) => withReason('grant expired', p.reason),
  'capability.policy_changed': (p) => `user changed the policy: ${plural(size(obj(p.policy).rules), 'rule')}`,

  // memory.*
  'memory.proposed': (p) => `agent proposed a ${str(obj(p.spec).kind) || 'memory'}: ${quoted(obj(p.spec).content)}`,
  'memory.accepted': (p) => `user accepted a ${str(obj(p.spec).kind) || 'memory'}: ${quoted(obj(p.spec).content)}`,
  'memory.rejected': (p) => withReason('user rejected a memory proposal', p.reason),
  'memory.note_written': (p) => `user wrote a ${str(obj(p.spec).kind) || 'note'}: ${quoted(obj(p.spec).content)}`,
  'memory.promoted': (p) => `memory version ${num(p.version)}: ${quoted(obj(p.spec).content)}`,
  'memory.superseded': (p) => `memory version ${num(p.version)} superseded${num(p.by) ? ` by version ${num(p.by)}` : ''}`,
  'memory.deprecated': (p) => withReason(`memory version ${num(p.version)} deprecated`, p.reason),
  'memory.expired': (p) => `memory version ${num(p.version)} expired`,
  'memory.invalidated': (p) => `memory version ${num(p.version)} invalidated${str(p.path) ? `: ${str(p.path)} changed` : ''}`,

  // workspace.*
  'workspace.opened': (p) => `opened ${str(p.name) || 'a folder'}${str(p.root) ? ` (${str(p.root)})` : ''}`,
  'workspace.scanned': (p) => `scanned ${plural(num(p.files), 'file')}, ${num(p.changed)} changed`,
  'workspace.file_changed': (p) => `${str(p.path)} ${str(p.kind) || 'changed'}`,
  'workspace.indexed': (p) => `indexed ${plural(num(p.files), 'file')} (${plural(num(p.chunks), 'chunk')})`,
  'workspace.closed': (p) => withReason('workspace closed', p.reason),
  'workspace.forgotten': (p) => `user forgot ${str(p.root) || 'the workspace'}`,
  'log.anchored': (p) => `replica ${str(p.replica)} holds the log up to seq ${num(p.seq)}`,

  // model.*
  'model.pull_requested': (p) => `user asked to pull ${str(p.model)}`,
  'model.pull_started': (p) => `pull of ${str(p.model)} started`,
  'model.pull_progress': (p) => `pull of ${str(p.model)}: ${num(p.total) > 0 ? Math.round((100 * num(p.completed)) / num(p.total)) : 0}%`,
  'model.pull_completed': (p) => `pulled ${str(p.model)}`,
  'model.pull_failed': (p) => withReason(`pull of ${str(p.model)} failed`, p.reason),
  'model.delete_requested': (p) => `user asked to delete ${str(p.model)}`,
  'model.deleted': (p) => `deleted ${str(p.model)}`,

  // git.*
  'git.commit_requested': (p) => `user asked to git commit ${paths(p.files)}: ${quoted(p.message)}`,

  // mcp.*
  'effect.mcp_called': (p, r) =>
    `${actor(r)}called ${str(p.server)}/${str(p.tool)}${p.isError ? ' → tool error' : ''} (${num(p.durationMs)} ms)`,
  'mcp.tool_pinned': (p) =>
    `${str(p.previous) ? 're-approved the changed' : 'pinned the'} definition of ${str(p.server)}/${str(p.tool)} (${str(p.hash).slice(0, 12)})`,
  'mcp.server_approved': (p) => `user approved MCP server ${str(p.server)}: ${clip(str(p.commandLine), 60)}`,
  'mcp.config_changed': (p) => `user changed the ${str(p.scope) || 'MCP'} servers: ${clip(str(p.change) || items(p.servers).map(str).join(', '), 60)}`,
  'mcp.server_started': (p) => `MCP server ${str(p.server)} started`,
  'mcp.server_stopped': (p) => withReason(`MCP server ${str(p.server)} stopped`, p.reason),
  'mcp.server_crashed': (p) => withReason(`MCP server ${str(p.server)} crashed`, p.error),

  // settings.*
  'settings.changed': (p) =>
    `user changed ${items(p.changes)
      .map((c) => str(obj(c).key))
      .filter(Boolean)
      .join(', ') || 'settings'}`,
};

/** actor names the run that did an effect: "run …1a2b3c4d ". */
function actor(r: Pick<EventRow, 'run'>): string {
  return r.run ? `run ${shortId(r.run)} ` : '';
}

/** parse reads a row's payload preview; a row without one (or a broken one) reads as {}. */
function parse(payload: string | undefined): P {
  if (!payload) return {};
  try {
    return obj(JSON.parse(payload));
  } catch {
    return {};
  }
}

/** summarize is the one line for an event row; an unknown type says its type. */
export function summarize(row: Pick<EventRow, 'type' | 'run' | 'stream' | 'workspace' | 'preview'>): string {
  const s = summaries[row.type];
  if (!s) return row.type;
  try {
    return s(parse(row.preview), row).replace(/\s+/g, ' ').trim();
  } catch {
    return row.type;
  }
}
