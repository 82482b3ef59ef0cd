import { describe, expect, it } from 'vitest';
import { decorationOf, draftCommitMessage, folderMarks, gitIgnored, gitOutcome } from './gitFormat';

describe('decorationOf', () => {
  it('gives each status code its letter and tone', () => {
    expect(decorationOf('M')).toMatchObject({ letter: 'M', tone: 'modified' });
    expect(decorationOf('A')).toMatchObject({ letter: 'A', tone: 'added' });
    expect(decorationOf('U')).toMatchObject({ letter: 'U', tone: 'untracked' });
    expect(decorationOf('D')).toMatchObject({ letter: 'D', tone: 'deleted' });
    expect(decorationOf('C')).toMatchObject({ tone: 'conflict' });
    expect(decorationOf('!')).toMatchObject({ letter: '', tone: 'ignored' });
    expect(decorationOf(undefined)).toBeNull();
    expect(decorationOf('toString')).toBeNull();
  });
});

describe('folderMarks', () => {
  it('marks every folder above a change with the most pressing change below it', () => {
    const m = folderMarks({ 'src/a/x.ts': 'U', 'src/b.ts': 'M', 'docs/new.md': 'A', 'node_modules': '!', 'top.txt': 'M' });
    expect(Object.fromEntries(m)).toEqual({ 'src/a': 'U', src: 'M', docs: 'A' });
  });
  it('lets a stronger change deeper down raise the marks above it', () => {
    const m = folderMarks({ 'a/b/new.txt': 'U', 'a/b/c/conflict.txt': 'C' });
    expect(Object.fromEntries(m)).toEqual({ 'a/b/c': 'C', 'a/b': 'C', a: 'C' });
  });
});

describe('gitIgnored', () => {
  it('covers an ignored path and everything inside an ignored folder', () => {
    const e = { node_modules: '!', 'x.log': '!', 'src/a.ts': 'M' };
    expect(gitIgnored(e, 'node_modules')).toBe(true);
    expect(gitIgnored(e, 'node_modules/pkg/index.js')).toBe(true);
    expect(gitIgnored(e, 'x.log')).toBe(true);
    expect(gitIgnored(e, 'src/a.ts')).toBe(false);
    expect(gitIgnored(e, 'node_modules2')).toBe(false);
  });
});

describe('draftCommitMessage', () => {
  it('takes the task as the subject and lists the files', () => {
    expect(draftCommitMessage('Fix the greeting\nmore words', ['src/a.ts'], 'r1')).toBe('Fix the greeting\n\n- src/a.ts\n\nICE Studio run r1');
  });
  it('shortens a long subject and names files when there is no task', () => {
    const long = draftCommitMessage('x'.repeat(100), ['a'], 'r');
    expect(long.split('\n')[0]).toHaveLength(72);
    expect(draftCommitMessage('', ['a.txt'], 'r').split('\n')[0]).toBe('Update a.txt');
    const many = Array.from({ length: 25 }, (_, i) => `f${i}`);
    expect(draftCommitMessage('', many, 'r')).toContain('- and 5 more');
  });
});

describe('gitOutcome', () => {
  const ev = (type: string, p: object = {}) => ({ type, preview: JSON.stringify(p) });
  it('reads the latest request and its outcome', () => {
    expect(gitOutcome([ev('run.committed')])).toEqual({ state: 'none' });
    expect(gitOutcome([ev('git.commit_requested')]).state).toBe('requested');
    expect(gitOutcome([ev('git.commit_requested'), ev('effect.git_committed', { hash: 'abc', branch: 'main', files: ['a'] })])).toEqual({
      state: 'committed',
      hash: 'abc',
      branch: 'main',
      files: ['a'],
    });
    const failed = gitOutcome([ev('git.commit_requested'), ev('effect.git_failed', { error: 'hook', stderr: 'no' }), ev('git.commit_requested')]);
    expect(failed.state).toBe('requested');
  });
  it('counts a refusal of git.commit as a failure, but not a refusal of something else', () => {
    const refused = gitOutcome([ev('git.commit_requested'), ev('capability.denied', { kind: 'git.commit', target: 'sub/x', reason: 'it leads outside' })]);
    expect(refused).toEqual({ state: 'failed', error: 'Refused — sub/x: it leads outside', stderr: '' });
    expect(gitOutcome([ev('git.commit_requested'), ev('capability.denied', { kind: 'fs.write' })]).state).toBe('requested');
  });
});

describe('the approval card of a git commit', () => {
  it('names the files it commits', async () => {
    const { askTitle } = await import('../capabilities/capFormat');
    const ask = (files: string[]) => ({ kind: 'git.commit', target: "the workspace's git repository", req: { kind: 'git.commit' }, detail: { argv: ['git', 'commit', '--only', '-m', 'msg', '--', ...files], dir: '.' } });
    expect(askTitle(ask(['src/app.js']))).toBe('Git commit src/app.js');
    expect(askTitle(ask(['a', 'b']))).toBe('Git commit 2 files');
  });
});
