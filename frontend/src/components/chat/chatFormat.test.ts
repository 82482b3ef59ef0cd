import { describe, expect, it } from 'vitest';
import type { FileMatch } from '../../bridge';
import { threadView, turn } from '../../test/fakeBackend';
import { busyNote, carriedNote, fileChip, folderMatches, insertMention, lastConversational, mentionAt, meterFromTurns, meterTone, pendingNote } from './chatFormat';

const match = (path: string): FileMatch => ({ path, score: 1, positions: [] });

describe('mentionAt', () => {
  it('finds an @ at the start or after a space, up to the caret', () => {
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('look at @src/ma', 15)).toEqual({ start: 8, query: 'src/ma' });
    expect(mentionAt('look at @src/ma and', 19)).toBeNull(); // a space ended it
    expect(mentionAt('look at @src/ma and', 15)).toEqual({ start: 8, query: 'src/ma' });
  });

  it('is no mention inside a word (an e-mail address) or after a finished one', () => {
    expect(mentionAt('mail me@example.org', 19)).toBeNull();
    expect(mentionAt('@a.go ', 6)).toBeNull();
  });
});

describe('insertMention', () => {
  it('replaces what was typed with @path and a space, and puts the caret after it', () => {
    const text = 'see @no please';
    const at = mentionAt(text, 7)!;
    expect(insertMention(text, at, 7, 'notes.txt')).toEqual({ text: 'see @notes.txt please', caret: 15 });
    expect(insertMention('see @no', mentionAt('see @no', 7)!, 7, 'notes.txt')).toEqual({ text: 'see @notes.txt ', caret: 15 });
  });
});

describe('folderMatches', () => {
  const files = [match('src/app/main.go'), match('src/lib.go'), match('docs/srcmap.md'), match('README.md')];
  it('derives the folders whose path contains the query, names that start with it first', () => {
    expect(folderMatches(files, 'src')).toEqual(['src', 'src/app']);
    expect(folderMatches(files, 'app/')).toEqual(['src/app']);
  });
  it('offers the top-level folders for an empty query', () => {
    expect(folderMatches(files, '')).toEqual(['src', 'docs']);
  });
  it('offers no folder that no file is in', () => {
    expect(folderMatches(files, 'READ')).toEqual([]);
  });
});

describe('pendingNote', () => {
  const turns = [turn(1), turn(2)];
  it('says a follow-up carries the staged changes, goes on after Commit, or after Abort', () => {
    expect(pendingNote(threadView(turns, { pending: 'staged' }))).toBe(
      "Your message continues with turn 2's staged changes (they carry over; Commit applies them together).",
    );
    expect(pendingNote(threadView(turns, { pending: 'committed' }))).toBe('Your message continues from turn 2 after Commit: its changes are in the files.');
    expect(pendingNote(threadView(turns, { pending: 'aborted' }))).toBe('Your message continues from turn 2 after Abort: nothing of it was applied.');
    expect(pendingNote(threadView(turns, { pending: '' }))).toBeNull();
  });

  it('goes on from the last turn that is still in the conversation: not a retried one, not a revert', () => {
    const t = [turn(1), turn(2, { retried: true }), turn(3, { kind: 'retry', retries: 2 }), turn(4, { kind: 'restore' })];
    expect(lastConversational(t)?.turn).toBe(3);
    expect(pendingNote(threadView(t, { pending: 'committed' }))).toContain('from turn 3 after Commit');
    expect(busyNote(threadView(t, { busy: true }))).toBe('Turn 3 is still working or waiting for your approval: wait for it, or press Esc to stop it.');
    expect(busyNote(threadView(t))).toBeNull();
  });
});

describe('turn chips', () => {
  it('name an @-file with the short hash of what was read, and the turn whose staged files were carried', () => {
    expect(fileChip({ path: 'notes.txt', hash: '9f86d081884c7d659a2feaa0c55ad015' })).toBe('notes.txt · 9f86d08');
    expect(fileChip({ path: 'gone.txt', hash: '' })).toBe('gone.txt · absent');
    expect(fileChip({ path: 'src', hash: '', folder: true })).toBe('src/ · folder');
    const turns = [turn(1, { run: 'r-a' }), turn(2, { carried: { run: 'r-a', files: ['a.go', 'b.go'] } })];
    expect(carriedNote(turns[1]!, turns)).toBe('carried 2 staged files from turn 1');
    expect(carriedNote(turn(3, { carried: { run: 'elsewhere', files: ['a.go'] } }), turns)).toBe('carried 1 staged file from an earlier turn');
    expect(carriedNote(turns[0]!, turns)).toBeNull();
  });
});

describe('the token meter', () => {
  it('warns over 80% of the window and is full at 100%', () => {
    expect(meterTone({ used: 800, window: 1000 })).toBe('ok');
    expect(meterTone({ used: 801, window: 1000 })).toBe('warn');
    expect(meterTone({ used: 1000, window: 1000 })).toBe('full');
    expect(meterTone({ used: 5, window: 0 })).toBe('ok');
  });

  it('reads, when nothing runs, the last turn whose prompt the server counted', () => {
    const turns = [turn(1, { promptTokens: 900, window: 4096 }), turn(2, { promptTokens: 0, window: 4096 }), turn(3, { kind: 'restore', promptTokens: 0, window: 0 })];
    expect(meterFromTurns(turns)).toEqual({ used: 900, window: 4096 });
    expect(meterFromTurns([turn(1)])).toBeNull();
  });
});
