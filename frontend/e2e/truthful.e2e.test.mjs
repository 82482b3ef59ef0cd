// Truthful states in Chromium: a run waiting for an approval shows one
// badge; a run no validation command tested is "ready to commit · not
// tested" with a neutral Validation mark, not "validated ✓"; a run a
// committed revert undid offers no Promote….
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, makeProject, openProject, showRuns } from './helpers.mjs';

mkdirSync(artifacts, { recursive: true });

const files = { 'README.md': '# Demo\n', 'a.txt': 'hello OLDWORD\n' };

/** settle answers the open run's approval cards until its badge says it settled (by data-status, whatever the words). */
async function settle(view, shot) {
  const settled = view.locator('.run-title .run-badge:is([data-status="validated"],[data-status="validation_failed"],[data-status="aborted"],[data-status="committed"])');
  const card = view.getByRole('region', { name: 'Approval needed' }).first();
  for (let i = 0; i < 20; i++) {
    await card.or(settled).first().waitFor();
    if (await settled.isVisible()) return;
    if (shot) {
      assert.deepEqual(await view.locator('.run-head .run-badge').allTextContents(), ['waiting for your approval'], 'one badge while the run waits');
      await view.locator('.run-head').screenshot({ path: join(artifacts, 'e2e-truthful-waiting.png') });
      shot = false;
    }
    const id = await card.getAttribute('data-ask');
    await card.getByRole('button', { name: 'Allow for this run', exact: true }).click();
    await view.locator(`[data-ask="${id}"]`).waitFor({ state: 'detached' });
  }
  throw new Error('the run kept asking');
}

test('a run nothing tested says so, and a reverted run offers no Promote…', async (t) => {
  const project = makeProject(t, files);
  const { page, problems } = await openProject(t, project);
  await showRuns(page);
  await page.getByRole('button', { name: /Find & replace/ }).click();
  const replace = page.getByRole('form', { name: 'Find and replace' });
  await replace.getByLabel('Find').fill('OLDWORD');
  await replace.getByLabel('Replace').fill('NEWWORD');
  await page.getByLabel('Validation command').fill('');
  await replace.getByRole('button', { name: 'Start run' }).click();
  const view = page.getByRole('article', { name: 'Run' });
  await settle(view, true);

  const badge = view.locator('.run-title .run-badge');
  assert.equal(await badge.textContent(), 'ready to commit · not tested');
  const tab = view.getByRole('tab', { name: /Validation/ });
  assert.equal(await tab.textContent(), 'Validation○');
  await tab.click();
  await view.getByText('Applies cleanly · not tested').waitFor();
  await view.screenshot({ path: join(artifacts, 'e2e-truthful-not-tested.png') });

  await view.getByRole('button', { name: 'Commit', exact: true }).click();
  await view.locator('.run-title .run-badge[data-status="committed"]').waitFor();
  await view.getByRole('button', { name: 'Promote…' }).waitFor();
  await view.getByRole('button', { name: 'Revert', exact: true }).click();
  await view.getByRole('heading', { name: /^Revert/ }).waitFor();
  await settle(view, false);
  await view.getByRole('button', { name: 'Commit', exact: true }).click();
  await view.locator('.run-title .run-badge[data-status="committed"]').waitFor();
  await view.getByRole('button', { name: 'Replace "OLDWORD" with "NEWWORD"' }).click();
  await view.getByRole('heading', { name: 'Replace "OLDWORD" with "NEWWORD"' }).waitFor();
  await view.locator('.run-link .run-badge[data-status="committed"]').waitFor();
  assert.equal(await view.getByRole('button', { name: 'Promote…' }).count(), 0, 'a reverted run cannot be promoted');
  await view.locator('.run-head').screenshot({ path: join(artifacts, 'e2e-truthful-reverted.png') });
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});
