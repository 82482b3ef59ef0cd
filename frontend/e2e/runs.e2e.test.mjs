// Runs in Chromium: a find & replace run is validated on a copy, reviewed as
// a diff, committed and reverted; a failed validation is aborted; an edit
// made in the editor becomes a run. The files on disk change only on Commit.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { approveWrites, artifacts, makeProject, openProject, showRuns } from './helpers.mjs';

mkdirSync(artifacts, { recursive: true });

const files = {
  'a.txt': 'hello OLDWORD\n',
  'notes/b.md': '# OLDWORD notes\n\nThe OLDWORD again.\n',
  'c.txt': 'nothing to see\n',
  'src/main.go': 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hello")\n}\n',
};

/** disk reads the project's files as they are now. */
const disk = (root) => Object.fromEntries(Object.keys(files).map((p) => [p, readFileSync(join(root, p), 'utf8')]));


/** The open run: its badge, its buttons, its diff. */
function runView(page) {
  const view = page.getByRole('article', { name: 'Run' });
  return {
    view,
    badge: (status) => view.locator(`.run-title .run-badge[data-status="${status}"]`),
    button: (name) => view.getByRole('button', { name, exact: true }),
    tab: (name) => view.getByRole('tab', { name: new RegExp(name) }),
  };
}

/** startReplace fills the Find & replace form and starts the run. */
async function startReplace(page, { find, replace, command }) {
  await showRuns(page);
  const form = page.getByRole('form', { name: 'Find and replace' });
  if (!(await form.isVisible())) await page.getByRole('button', { name: /Find & replace/ }).click();
  await form.getByLabel('Find').fill(find);
  await form.getByLabel('Replace').fill(replace);
  await page.getByLabel('Validation command').fill(command);
  await form.getByRole('button', { name: 'Start run' }).click();
}

test('a find & replace run: validated on a copy, reviewed, committed, then reverted', async (t) => {
  const project = makeProject(t, files);
  const { page, problems } = await openProject(t, project);

  // `grep WORD a.txt` prints the line it finds: the output tells which a.txt it saw.
  await startReplace(page, { find: 'OLDWORD', replace: 'NEWWORD', command: 'grep WORD a.txt' });
  // Each file write waits for the user's approval.
  assert.equal(await approveWrites(page), 2, 'one approval per file written');
  const runs = page.getByRole('list', { name: 'Runs' });
  await runs.getByRole('listitem').filter({ hasText: 'Replace "OLDWORD" with "NEWWORD"' }).locator('.run-badge[data-status="validated"]').waitFor();

  // The run opened by itself: its staged files and the diff of the first one.
  const rv = runView(page);
  await rv.view.getByRole('heading', { name: 'Replace "OLDWORD" with "NEWWORD"' }).waitFor();
  await rv.badge('validated').waitFor();
  const staged = await rv.view.getByRole('list', { name: 'Staged files' }).locator('button.change-row .change-path').allTextContents();
  assert.deepEqual(staged.sort(), ['a.txt', 'notes/b.md'], 'both files with the word are staged, c.txt is not');
  const diff = rv.view.getByTestId('diff-view');
  await diff.locator('.cm-merge-b .cm-content').getByText('hello NEWWORD').waitFor();
  await diff.locator('.cm-merge-a .cm-content').getByText('hello OLDWORD').waitFor();
  await rv.view.getByRole('list', { name: 'Staged files' }).locator('button.change-row', { hasText: 'notes/b.md' }).click();
  await diff.locator('.cm-merge-b .cm-content').getByText('The NEWWORD again.').waitFor();
  await page.screenshot({ path: join(artifacts, 'e2e-run-view.png') });
  assert.deepEqual(disk(project), files, 'nothing is written before Commit');

  // The validation command ran on a copy with the staged edits applied.
  await rv.tab('Validation').click();
  await rv.view.getByText(/^Tests passed: /).waitFor();
  const output = rv.view.getByLabel('Command output');
  await output.waitFor();
  assert.equal(await output.textContent(), 'hello NEWWORD\n', 'the command saw the staged text');
  assert.equal(disk(project)['a.txt'], 'hello OLDWORD\n', 'while the file on disk still has the old text');

  // The timeline shows the lifecycle phases with their durations.
  await rv.tab('Timeline').click();
  const timeline = rv.view.getByRole('list', { name: 'Timeline' });
  for (const phase of ['created', 'executing', 'validating', 'validated']) await timeline.locator(`[data-phase="${phase}"]:not(.upcoming)`).waitFor();

  await rv.button('Commit').click();
  await rv.badge('committed').waitFor();
  assert.deepEqual(
    disk(project),
    { ...files, 'a.txt': 'hello NEWWORD\n', 'notes/b.md': '# NEWWORD notes\n\nThe NEWWORD again.\n' },
    'Commit wrote the staged changes',
  );
  assert.equal(await rv.button('Commit').isDisabled(), true, 'a committed run cannot be committed again');

  // Revert starts a new run that restores the files; it needs its own Commit.
  await rv.button('Revert').click();
  await rv.view.getByRole('heading', { name: /^Revert run / }).waitFor();
  await rv.badge('validated').waitFor();
  await rv.view.getByText('↶ Reverts').waitFor();
  await diff.locator('.cm-merge-b .cm-content').getByText('hello OLDWORD').waitFor();
  assert.equal(disk(project)['a.txt'], 'hello NEWWORD\n', 'the revert is staged, not applied');
  await rv.button('Commit').click();
  await rv.badge('committed').waitFor();
  assert.deepEqual(disk(project), files, 'the revert restored every file');

  // The reverted run links to its revert and cannot be reverted twice.
  await rv.view.getByRole('button', { name: 'Replace "OLDWORD" with "NEWWORD"' }).click();
  await rv.view.getByRole('heading', { name: 'Replace "OLDWORD" with "NEWWORD"' }).waitFor();
  await rv.view.getByText('Reverted by').waitFor();
  assert.equal(await rv.button('Revert').isDisabled(), true, 'Revert is off once reverted');
  assert.equal(await runs.getByRole('listitem').count(), 2, 'the run and its revert are listed');
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});

test('a run whose validation command fails is validation_failed and can be aborted', async (t) => {
  const project = makeProject(t, files);
  const { page, problems } = await openProject(t, project);

  await startReplace(page, { find: 'OLDWORD', replace: 'BROKEN', command: 'false' });
  await approveWrites(page);
  const rv = runView(page);
  await rv.badge('validation_failed').waitFor();
  await rv.view.getByTestId('run-reason').getByText(/"false" failed with exit code 1/).waitFor();
  assert.equal(await rv.button('Commit').isDisabled(), true, 'a failed run cannot be committed');
  await rv.tab('Validation').click();
  await rv.view.getByText('Validation failed').waitFor();
  await rv.view.getByText('Exit code', { exact: true }).waitFor();

  await rv.button('Abort').click();
  await rv.badge('aborted').waitFor();
  assert.equal(await rv.button('Abort').isDisabled(), true, 'an aborted run cannot be aborted again');
  const item = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
  await item.locator('.run-badge[data-status="aborted"]').waitFor();
  assert.deepEqual(disk(project), files, 'nothing was written');

  // A replace that finds nothing ends aborted, with the reason.
  await startReplace(page, { find: 'NOWHERE', replace: 'x', command: '' });
  await rv.badge('aborted').waitFor();
  await rv.view.getByTestId('run-reason').getByText(/no file contains the text/).waitFor();
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});

test('an edit in the editor becomes an edit run, written only on Commit', async (t) => {
  const project = makeProject(t, files);
  const { page, problems } = await openProject(t, project);

  const tree = page.getByRole('tree', { name: 'Files' });
  await tree.getByRole('treeitem', { name: /src/ }).click();
  await tree.getByRole('treeitem', { name: /main\.go/ }).click();
  const content = page.getByRole('textbox', { name: 'Contents of src/main.go' });
  await content.getByText('fmt.Println("hello")').waitFor();
  await page.getByLabel('Selection details').getByText('Go', { exact: true }).waitFor();
  const proposeBtn = page.getByRole('button', { name: 'Propose change…' });
  assert.equal(await proposeBtn.isDisabled(), true, 'nothing to propose before an edit');

  // Typed as a user would: CodeMirror indents the new line and closes brackets and quotes.
  await content.getByText('fmt.Println("hello")').click();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('fmt.Println("edited in the Studio")');
  await page.getByLabel('edited').waitFor();
  assert.equal(await proposeBtn.isDisabled(), false, 'an edit can be proposed');
  await page.screenshot({ path: join(artifacts, 'e2e-editor.png') });

  await proposeBtn.click();
  const rv = runView(page);
  await rv.view.getByRole('heading', { name: 'Edit src/main.go' }).waitFor();
  await rv.badge('validated').waitFor();
  await rv.view.getByTestId('diff-view').locator('.cm-merge-b .cm-content').getByText('edited in the Studio').waitFor();
  assert.deepEqual(disk(project), files, 'proposing does not write the file');

  await rv.button('Commit').click();
  await rv.badge('committed').waitFor();
  const want = 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hello")\n\tfmt.Println("edited in the Studio")\n}\n';
  assert.equal(disk(project)['src/main.go'], want, 'Commit wrote the edit');

  // Back in the file: the text on disk is the edit, so there is nothing left to propose.
  await page.getByRole('tab', { name: 'main.go' }).click();
  await content.getByText('edited in the Studio').waitFor();
  assert.equal(await proposeBtn.isDisabled(), true, 'the editor is clean after the commit');
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});
