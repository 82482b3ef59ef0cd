// Approvals that scale, in Chromium: a find & replace over 30 files puts 30
// writes before the user at once; one batch card answers them all with one
// decision (every file this run touches, for the run) and every file is
// staged, nothing written before Commit.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, makeProject, openProject, showRuns } from './helpers.mjs';

mkdirSync(artifacts, { recursive: true });

const files = { 'a.txt': 'hello OLDWORD\n' };
for (let i = 0; i < 29; i++) files[`src/p${i % 4}/file${String(i).padStart(2, '0')}.go`] = `package p // OLDWORD ${i}\n`;

/** call calls the Studio's API from the page, as the frontend does. */
async function call(page, method, arg) {
  return page.evaluate(
    async ([m, a]) => {
      const res = await fetch(`/api/call/${m}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, credentials: 'same-origin', body: JSON.stringify([a]) });
      const body = await res.json();
      if (!res.ok) throw new Error(`${m}: ${body.error ?? res.status}`);
      return body.result;
    },
    [method, arg],
  );
}

test('a replace over 30 files is one batch approval, and every file is staged', async (t) => {
  const project = makeProject(t, files);
  const { page, problems } = await openProject(t, project);
  await page.setViewportSize({ width: 1440, height: 900 });
  await showRuns(page);
  await page.getByRole('button', { name: /Find & replace/ }).click();
  const form = page.getByRole('form', { name: 'Find and replace' });
  await form.getByLabel('Find').fill('OLDWORD');
  await form.getByLabel('Replace').fill('NEWWORD');
  await page.getByLabel('Validation command').fill('');
  await form.getByRole('button', { name: 'Start run' }).click();

  const view = page.getByRole('article', { name: 'Run' });
  const batch = view.getByRole('region', { name: 'Approvals batch' });
  await batch.getByText('Allow all 30 writes of this run').waitFor({ timeout: 20000 });
  const run = await batch.getAttribute('data-batch');
  // The oldest write still has its own card (to answer one by one).
  assert.equal(await view.getByRole('region', { name: 'Approval needed' }).count(), 1);

  await batch.getByRole('button', { name: 'Show the 30 writes' }).click();
  const list = batch.getByRole('list', { name: 'Requests in this batch' });
  assert.equal(await list.getByRole('checkbox').count(), 30, 'the list names every write');
  const scopes = batch.getByRole('radiogroup', { name: 'Scope to allow' });
  const labels = (await scopes.locator('label').allTextContents()).map((s) => s.trim());
  // a.txt is at the root: no folder choice for the batch; the globs shown are the globs granted.
  assert.deepEqual(labels, [
    'each one as it is a.txt, src/p0/file00.go, src/p0/file04.go and 27 more',
    'files like them (2 kinds) **/*.txt, **/*.go',
    'every file this run touches ** (this run only)',
  ]);
  await scopes.getByRole('radio', { name: /every file this run touches/ }).check();
  assert.equal(await batch.getByRole('button', { name: 'Allow for this workspace' }).isDisabled(), true, 'the run-wide scope is for the run only');
  await batch.screenshot({ path: join(artifacts, 'e2e-approvals-batch.png') });

  await batch.getByRole('button', { name: 'Allow for this run' }).click();
  await view.locator('.run-title .run-badge[data-status="validated"]').waitFor({ timeout: 20000 });
  assert.equal(await view.getByRole('region', { name: /Approval/ }).count(), 0, 'no card is left');

  const detail = await call(page, 'GetRun', { id: run });
  assert.equal(detail.changes.length, 30, 'every file is staged');
  assert.ok(detail.changes.every((c) => c.after.includes('NEWWORD')));
  const approved = await call(page, 'ListEvents', { filter: { run, type: 'capability.approved' }, offset: 0, limit: 10 });
  assert.equal(approved.total, 1, 'one user decision');
  const granted = await call(page, 'ListEvents', { filter: { run, type: 'capability.granted' }, offset: 0, limit: 10 });
  assert.equal(granted.total, 1, 'one grant, of **, for the run');
  for (const [p, body] of Object.entries(files)) assert.equal(readFileSync(join(project, p), 'utf8'), body, `${p} is unchanged before Commit`);
  await page.screenshot({ path: join(artifacts, 'e2e-approvals-batch-staged.png') });
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});
