// Memory in Chromium: a note written in the Memory panel is listed, found by
// text search and shows its source file; changing that file on disk
// invalidates it; a committed replace run is promoted to a memory.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { approveWrites, artifacts, makeProject, openProject, showRuns } from './helpers.mjs';

mkdirSync(artifacts, { recursive: true });

const files = {
  'README.md': '# Demo\n\nRun `make` to build.\n',
  'a.txt': 'hello OLDWORD\n',
};


test('a note: written, searched, traced to its file, invalidated when the file changes', async (t) => {
  const project = makeProject(t, files);
  const { page, problems } = await openProject(t, project);
  await page.getByRole('tab', { name: /^Memory/ }).click();
  const panel = page.getByLabel('Memory', { exact: true }).first();
  await panel.getByText(/No memories here yet/).waitFor();

  // A rejected note shows the backend's reason inline.
  await page.getByRole('button', { name: 'Write a note…' }).click();
  const form = page.getByRole('form', { name: 'Note' });
  await form.getByLabel('Content').fill('The build uses make');
  await form.getByLabel('Depends on files').fill('NOPE.md');
  await form.getByRole('button', { name: 'Save note' }).click();
  await form.getByRole('alert').waitFor();
  assert.match((await form.getByRole('alert').textContent()) ?? '', /NOPE\.md/, 'the unknown file is named');

  await form.getByLabel('Kind').selectOption('fact');
  await form.getByLabel('Depends on files').fill('README.md');
  await form.getByRole('button', { name: 'Save note' }).click();
  await form.waitFor({ state: 'detached' });
  const list = page.getByRole('list', { name: 'Memories' });
  const row = list.getByRole('button', { name: /The build uses make/ });
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /fact.*workspace.*active.*100%/, 'kind, scope, state and confidence are shown');

  // Text search finds it; a word it lacks does not.
  const search = page.getByLabel('Search memories');
  await search.fill('nothinglikethis');
  await page.getByText('No memory matches.').waitFor();
  await search.fill('build');
  await row.waitFor();

  // Its provenance names the file it depends on, with a short hash.
  await row.click();
  const detail = page.getByRole('article', { name: 'Memory' });
  const sources = detail.getByRole('list', { name: 'Source files' });
  await sources.getByText('README.md').waitFor();
  assert.match((await sources.textContent()) ?? '', /README\.md [0-9a-f]{6,}/, 'the file is listed with its hash');
  await detail.getByRole('list', { name: 'Version history' }).getByText(/^v1$/).waitFor();
  await page.locator('.runs-pane').screenshot({ path: join(artifacts, 'e2e-memory-detail.png') });
  await detail.getByRole('button', { name: '← All memories' }).click();
  await search.fill('');

  // Changing the file on disk invalidates the memory.
  writeFileSync(join(project, 'README.md'), '# Demo\n\nRun `ninja` to build.\n');
  await row.waitFor({ state: 'detached', timeout: 10_000 });
  await page.getByLabel('State filter').selectOption('invalidated');
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', /invalidated/, 'the memory shows as invalidated');
  await page.locator('.runs-pane').screenshot({ path: join(artifacts, 'e2e-memory-panel.png') });
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});

test('a committed replace run is promoted to a memory', async (t) => {
  const project = makeProject(t, files);
  const { page, problems } = await openProject(t, project);
  await showRuns(page);
  await page.getByRole('button', { name: /Find & replace/ }).click();
  const replace = page.getByRole('form', { name: 'Find and replace' });
  await replace.getByLabel('Find').fill('OLDWORD');
  await replace.getByLabel('Replace').fill('NEWWORD');
  await page.getByLabel('Validation command').fill('');
  await replace.getByRole('button', { name: 'Start run' }).click();
  await approveWrites(page);
  const view = page.getByRole('article', { name: 'Run' });
  await view.locator('.run-title .run-badge[data-status="validated"]').waitFor();
  assert.equal(await view.getByRole('button', { name: 'Promote…' }).count(), 0, 'a run not yet committed cannot be promoted');
  await view.getByRole('button', { name: 'Commit', exact: true }).click();
  await view.locator('.run-title .run-badge[data-status="committed"]').waitFor();

  await view.getByRole('button', { name: 'Promote…' }).click();
  const form = view.getByRole('form', { name: 'Promote to memory' });
  assert.equal(await form.getByLabel('Content').inputValue(), 'Replace "OLDWORD" with "NEWWORD" (changed a.txt)', 'the task and changed files are prefilled');
  await form.getByLabel('Kind').selectOption('fact');
  await form.getByRole('button', { name: 'Promote' }).click();
  await form.waitFor({ state: 'detached' });

  await page.getByRole('tab', { name: /^Memory/ }).click();
  const row = page.getByRole('list', { name: 'Memories' }).getByRole('button', { name: /Replace "OLDWORD" with "NEWWORD"/ });
  await row.waitFor();
  await row.click();
  const detail = page.getByRole('article', { name: 'Memory' });
  await detail.getByRole('region', { name: 'Provenance' }).getByRole('button', { name: /^run / }).waitFor();
  await page.locator('.runs-pane').screenshot({ path: join(artifacts, 'e2e-memory-promoted.png') });
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});
