// Capabilities in Chromium: a find & replace run pauses before each file
// write; the user denies one write and allows the other once; the denial and
// the use are recorded, and the Capabilities panel explains why the allowed
// write was allowed.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, makeProject, openProject, showRuns } from './helpers.mjs';

mkdirSync(artifacts, { recursive: true });

const files = {
  'a.txt': 'hello OLDWORD\n',
  'notes/b.md': '# OLDWORD notes\n',
  'c.txt': 'nothing to see\n',
};

const disk = (root) => Object.fromEntries(Object.keys(files).map((p) => [p, readFileSync(join(root, p), 'utf8')]));

/** openAndReplace opens project in the Studio and starts a find & replace of find with NEWWORD. */
async function openAndReplace(t, project, find) {
  const { page, problems } = await openProject(t, project);
  await showRuns(page);
  await page.getByRole('button', { name: /Find & replace/ }).click();
  const form = page.getByRole('form', { name: 'Find and replace' });
  await form.getByLabel('Find').fill(find);
  await form.getByLabel('Replace').fill('NEWWORD');
  await page.getByLabel('Validation command').fill('');
  await form.getByRole('button', { name: 'Start run' }).click();
  return { page, problems };
}

/** stagedFiles lists the open run's staged paths. */
async function stagedFiles(view) {
  const rows = await view.getByRole('list', { name: 'Staged files' }).locator('button.change-row .change-path').allTextContents();
  return rows.sort();
}

/** whyOf opens the Capabilities tab and asks why the fs.write of path was used or denied. */
async function whyOf(page, type, path) {
  await page.getByRole('tab', { name: 'Capabilities' }).click();
  const history = page.getByRole('list', { name: 'Capability decisions' });
  const row = history.locator(`li[data-type="${type}"]`, { hasText: path }).filter({ hasText: 'fs.write' }).first();
  await row.waitFor();
  await row.getByRole('button', { name: 'Why?' }).click();
  const note = row.getByRole('note');
  await note.waitFor();
  return note;
}

test('each write asks; allowed once, it is staged and the panel says why', async (t) => {
  const project = makeProject(t, files);
  const { page, problems } = await openAndReplace(t, project, 'OLDWORD');
  const view = page.getByRole('article', { name: 'Run' });
  const card = view.getByRole('region', { name: 'Approval needed' });
  await card.waitFor();
  await view.locator('.run-title .run-badge', { hasText: 'waiting for your approval' }).waitFor();
  assert.match((await card.locator('.ask-title').textContent()) ?? '', /^Write (a\.txt|notes\/b\.md)$/);
  await card.getByTestId('diff-view').waitFor();
  await card.screenshot({ path: join(artifacts, 'e2e-approval-card.png') });
  for (let i = 0; i < 2; i++) {
    const id = await card.first().getAttribute('data-ask');
    await card.first().getByRole('button', { name: 'Allow once', exact: true }).click();
    await view.locator(`[data-ask="${id}"]`).waitFor({ state: 'detached' });
  }
  await view.locator('.run-title .run-badge[data-status="validated"]').waitFor();
  assert.deepEqual(await stagedFiles(view), ['a.txt', 'notes/b.md'], 'both writes allowed once were staged');
  assert.deepEqual(disk(project), files, 'nothing is written before Commit');
  const note = await whyOf(page, 'capability.used', 'a.txt');
  await note.getByText(/Allowed: fs\.write a\.txt/).waitFor();
  assert.match((await note.textContent()) ?? '', /you allowed it once/, 'the grant the user gave is named');
  await note.getByText(/issued by user/).waitFor();
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});

test('a denied write is recorded as capability.denied', async (t) => {
  const project = makeProject(t, files);
  const { page, problems } = await openAndReplace(t, project, 'nothing to see');
  const view = page.getByRole('article', { name: 'Run' });
  const card = view.getByRole('region', { name: 'Approval needed' });
  await card.locator('.ask-title', { hasText: 'Write c.txt' }).waitFor();
  await card.getByRole('button', { name: 'Deny', exact: true }).click();
  await card.waitFor({ state: 'detached' });
  const note = await whyOf(page, 'capability.denied', 'c.txt');
  await note.getByText(/Refused: fs\.write c\.txt/).waitFor();
  assert.deepEqual(disk(project), files, 'nothing was written');
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});

test('approval cards: deny one write, allow the other once; the panel explains why', async (t) => {
  const project = makeProject(t, files);
  const { page, problems } = await openAndReplace(t, project, 'OLDWORD');

  const view = page.getByRole('article', { name: 'Run' });
  await view.getByRole('heading', { name: 'Replace "OLDWORD" with "NEWWORD"' }).waitFor();
  const card = view.getByRole('region', { name: 'Approval needed' });

  // The first write waits for approval and shows its exact diff.
  await card.waitFor();
  await view.locator('.run-title .run-badge', { hasText: 'waiting for your approval' }).waitFor();
  const first = (await card.locator('.ask-title').textContent()) ?? '';
  const m = /^Write (.+)$/.exec(first);
  assert.ok(m, `the card says what the run wants to write: ${first}`);
  const firstPath = m[1];
  const secondPath = firstPath === 'a.txt' ? 'notes/b.md' : 'a.txt';
  assert.ok(['a.txt', 'notes/b.md'].includes(firstPath), `a file with the word: ${firstPath}`);
  await card.getByTestId('diff-view').getByText(firstPath === 'a.txt' ? 'hello NEWWORD' : '# NEWWORD notes').waitFor();
  await card.getByTestId('diff-view').getByText(firstPath === 'a.txt' ? 'hello OLDWORD' : '# OLDWORD notes').waitFor();
  const firstId = await card.getAttribute('data-ask');
  await card.getByRole('button', { name: 'Deny', exact: true }).click();
  await view.locator(`[data-ask="${firstId}"]`).waitFor({ state: 'detached' });

  // The second file's card: allowed once.
  await card.or(view.locator('.run-title .run-badge:is([data-status="validated"],[data-status="validation_failed"],[data-status="aborted"])')).first().waitFor();
  if (!(await card.isVisible())) {
    await page.screenshot({ path: join(artifacts, 'e2e-capabilities-fail.png') });
    assert.fail(`the run ended after the denial: ${await view.locator('.run-title').textContent()} · ${await view.getByTestId('run-reason').textContent().catch(() => '')}`);
  }
  await card.locator('.ask-title', { hasText: `Write ${secondPath}` }).waitFor();
  await card.getByRole('button', { name: 'Allow once', exact: true }).click();
  await view.locator('.run-title .run-badge[data-status="validated"]').waitFor();
  assert.deepEqual(await stagedFiles(view), [secondPath], 'only the write allowed once was staged');
  assert.deepEqual(disk(project), files, 'nothing is written before Commit');

  // The Capabilities panel: the denial and the use are in the history.
  await page.getByRole('tab', { name: 'Capabilities' }).click();
  const history = page.getByRole('list', { name: 'Capability decisions' });
  const denied = history.locator('li[data-type="capability.denied"]', { hasText: firstPath }).filter({ hasText: 'fs.write' });
  await denied.first().waitFor();
  const used = history.locator('li[data-type="capability.used"]', { hasText: secondPath }).filter({ hasText: 'fs.write' });
  await used.first().waitFor();
  await used.first().getByRole('button', { name: 'Why?' }).click();
  const why = used.first().getByRole('note');
  await why.getByText(/you allowed it once/).first().waitFor();
  await page.screenshot({ path: join(artifacts, 'e2e-capabilities.png') });
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});
