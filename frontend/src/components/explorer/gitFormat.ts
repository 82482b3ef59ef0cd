// The explorer's git decorations in words and colours: a letter and tone
// per status code (as VS Code shows them), the mark of a folder with
// changes below it, whether git ignores a path, and the message drafted
// for a git commit of a run's files.

/** GitCode is a status code of studio.GitStatus entries. */
export type GitCode = 'M' | 'A' | 'D' | 'R' | 'U' | '!' | 'C';

/** Tone is the colour class of a decoration. */
export type Tone = 'modified' | 'added' | 'deleted' | 'renamed' | 'untracked' | 'ignored' | 'conflict';

export interface Decoration {
  /** letter is shown after the name ('' for ignored: dimmed only). */
  letter: string;
  tone: Tone;
  /** title says it in words, for the tooltip and screen readers. */
  title: string;
}

const decorations: Record<GitCode, Decoration> = {
  M: { letter: 'M', tone: 'modified', title: 'modified' },
  A: { letter: 'A', tone: 'added', title: 'added to the index' },
  D: { letter: 'D', tone: 'deleted', title: 'deleted' },
  R: { letter: 'R', tone: 'renamed', title: 'renamed' },
  U: { letter: 'U', tone: 'untracked', title: 'untracked' },
  C: { letter: '!', tone: 'conflict', title: 'in conflict' },
  '!': { letter: '', tone: 'ignored', title: 'ignored by git' },
};

/** decorationOf is the decoration of a status code (null for none or an unknown one). */
export function decorationOf(code: string | undefined): Decoration | null {
  return code && Object.hasOwn(decorations, code) ? decorations[code as GitCode] : null;
}

/** weight orders codes for a folder's mark: the most pressing change below it wins. */
const weight: Record<string, number> = { C: 6, M: 5, D: 4, R: 3, A: 2, U: 1 };

/**
 * folderMarks maps every folder with a change somewhere below it to the
 * most pressing code among those changes. Ignored entries mark nothing.
 */
export function folderMarks(entries: Readonly<Record<string, string>>): Map<string, GitCode> {
  const out = new Map<string, GitCode>();
  for (const [path, code] of Object.entries(entries)) {
    const w = weight[code];
    if (!w) continue;
    let i = path.lastIndexOf('/');
    while (i > 0) {
      const dir = path.slice(0, i);
      const cur = out.get(dir);
      if (cur && (weight[cur] ?? 0) >= w) break; // its ancestors are marked at least as strongly already
      out.set(dir, code as GitCode);
      i = dir.lastIndexOf('/');
    }
  }
  return out;
}

/** gitIgnored tells whether git ignores path: listed as ignored, or inside an ignored folder. */
export function gitIgnored(entries: Readonly<Record<string, string>>, path: string): boolean {
  let p = path;
  for (;;) {
    if (entries[p] === '!') return true;
    const i = p.lastIndexOf('/');
    if (i < 0) return false;
    p = p.slice(0, i);
  }
}

/** maxListedFiles bounds the files a drafted message lists. */
const maxListedFiles = 20;

/**
 * draftCommitMessage drafts a git commit message for a run: its task as
 * the subject (one line, at most 72 characters), then the files and where
 * they came from. The user edits it before committing.
 */
export function draftCommitMessage(task: string, files: readonly string[], runId: string): string {
  const firstLine = task.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  let subject = firstLine || (files.length === 1 ? `Update ${files[0]}` : `Update ${files.length} files`);
  if (subject.length > 72) subject = `${subject.slice(0, 71).trimEnd()}…`;
  const listed = files.slice(0, maxListedFiles).map((f) => `- ${f}`);
  if (files.length > maxListedFiles) listed.push(`- and ${files.length - maxListedFiles} more`);
  return [subject, '', ...listed, '', `ICE Studio run ${runId}`].join('\n');
}

/** shortHash is the 7-character form of a commit hash. */
export const shortHash = (h: string) => h.slice(0, 7);

/** GitOutcome is where a run's git commit stands, read from its events. */
export type GitOutcome =
  | { state: 'none' }
  | { state: 'requested' }
  | { state: 'committed'; hash: string; branch: string; files: string[] }
  | { state: 'failed'; error: string; stderr: string };

/** Event types of a run's git commit (eventlog.GitCommitRequested, EffectGitCommitted, EffectGitFailed). */
export const GitEvents = {
  Requested: 'git.commit_requested',
  Committed: 'effect.git_committed',
  Failed: 'effect.git_failed',
} as const;

function parsePreview(preview: string | undefined): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(preview ?? '');
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** gitOutcome is the latest state of a run's git commit: its last request and what came of it. */
export function gitOutcome(events: readonly { type: string; preview?: string }[]): GitOutcome {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (!e) continue;
    if (e.type === GitEvents.Committed) {
      const p = parsePreview(e.preview);
      return { state: 'committed', hash: str(p.hash), branch: str(p.branch), files: Array.isArray(p.files) ? p.files.map(str) : [] };
    }
    if (e.type === GitEvents.Failed) {
      const p = parsePreview(e.preview);
      return { state: 'failed', error: str(p.error), stderr: str(p.stderr) };
    }
    if (e.type === 'capability.denied') {
      const p = parsePreview(e.preview);
      if (p.kind === 'git.commit') {
        const target = str(p.target);
        const why = target && target !== "the workspace's git repository" ? `${target}: ${str(p.reason)}` : str(p.reason);
        return { state: 'failed', error: `Refused — ${why}`, stderr: '' };
      }
    }
    if (e.type === GitEvents.Requested) return { state: 'requested' };
  }
  return { state: 'none' };
}
