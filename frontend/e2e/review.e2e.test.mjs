// Review like a code review, in Chromium: a find & replace run changes two
// files in two places each (two hunks each); all but one hunk are rejected,
// "Commit selected" writes exactly that hunk, and the run stays open with
// the rest staged until Abort.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, makeProject, openProject, showRuns } from './helpers.mjs';

mkdirSync(artifacts, { recursive: true });

/** lines is a file of 20 numbered lines, OLDWORD on lines 2 and 18. */
const lines = (name) => Array.from({ length: 20 }, (_, i) => (i === 1 || i === 17 ? `${name} ${i + 1} OLDWORD` : `${name} ${i + 1}`));
const text = (ls) => ls.join('\n') + '\n';
const files = { 'a.txt': text(lines('a')), 'b.txt': text(lines('b')) };
const read = (root, p) => readFileSync(join(root, p), 'utf8');

/** allowWrites answers the run's write approvals (one card per file, or one for the batch) "for this run". */
async function allowWrites(view) {
  const settled = view.locator('.run-title .run-badge:is([data-status="validated"], [data-status="validation_failed"], [data-status="aborted"])');
  const allow = view.locator('button:visible', { hasText: /^Allow for this run$/ }).first();
  for (let i = 0; i < 10; i++) {
    await allow.or(settled).first().waitFor();
    if (await settled.isVisible()) return;
    // The card may go between the look and the click (answered, or
    // replaced by the next one): look again rather than wait for it.
    await allow.click({ timeout: 3_000 }).catch(() => {});
    await settled.or(allow).first().waitFor();
  }
}

test('reject all but one hunk, commit selected: disk has exactly that hunk, the run keeps the rest', async (t) => {
  const project = makeProject(t, files);
  const { page, problems } = await openProject(t, project);
  await page.setViewportSize({ width: 1440, height: 900 });
  await showRuns(page);
  const form = page.getByRole('form', { name: 'Find and replace' });
  if (!(await form.isVisible())) await page.getByRole('button', { name: /Find & replace/ }).click();
  await form.getByLabel('Find').fill('OLDWORD');
  await form.getByLabel('Replace').fill('NEWWORD');
  await page.getByLabel('Validation command').fill('');
  await form.getByRole('button', { name: 'Start run' }).click();
  const view = page.getByRole('article', { name: 'Run' });
  await allowWrites(view);
  await view.locator('.run-title .run-badge[data-status="validated"]').waitFor();
  await view.getByRole('tab', { name: /Changes/ }).click();
  const list = view.getByRole('list', { name: 'Staged files' });
  await list.getByRole('checkbox', { name: 'Accept change 2 of b.txt' }).waitFor();
  assert.equal(await list.getByRole('checkbox').count(), 6, 'two files and two hunks each, each with its toggle');
  assert.equal(await list.getByLabel('2 added, 2 removed').count(), 2, 'each file with its +/- counts');

  // Keep only the first hunk of a.txt: reject b.txt whole and a's second hunk.
  await list.getByRole('checkbox', { name: 'Accept b.txt' }).uncheck();
  await list.getByRole('checkbox', { name: 'Accept change 2 of a.txt' }).uncheck();
  // F7 goes to the next change: a.txt's second hunk, then b.txt's first.
  await list.getByRole('button', { name: /a\.txt/ }).first().click();
  await page.keyboard.press('F7');
  await view.getByText('change 2 of 2').waitFor();
  await page.keyboard.press('F7');
  await view.locator('.diff-path', { hasText: 'b.txt' }).waitFor();
  await page.keyboard.press('Shift+F7');
  await view.locator('.diff-path', { hasText: 'a.txt' }).waitFor();

  const diff = view.getByTestId('diff-view');
  const vb = await view.boundingBox();
  const db = await diff.boundingBox();
  assert.ok(db.y - vb.y < vb.height / 3, `the diff starts in the top third of the run view (${db.y - vb.y} of ${vb.height})`);
  assert.ok(db.height > vb.height / 2, `the diff fills most of the run view (${db.height} of ${vb.height})`);

  await view.getByRole('button', { name: 'Commit selected (1 of 4 hunks)' }).click();
  await view.getByRole('status').filter({ hasText: 'Wrote 1 of 4 hunks to a.txt. 3 hunks still staged' }).waitFor();
  const wantA = lines('a');
  wantA[1] = 'a 2 NEWWORD';
  assert.equal(read(project, 'a.txt'), text(wantA), 'a.txt has exactly the accepted hunk');
  assert.equal(read(project, 'b.txt'), files['b.txt'], 'b.txt is untouched');

  // The run is still open, with the rest staged: a's second hunk and b's two.
  await view.locator('.run-title .run-badge[data-status="validated"]').waitFor();
  await list.getByRole('checkbox', { name: 'Accept change 2 of b.txt' }).waitFor();
  await view.getByRole('list', { name: 'Changes in a.txt' }).getByRole('listitem').nth(0).waitFor();
  assert.equal(await view.getByRole('list', { name: 'Changes in a.txt' }).getByRole('listitem').count(), 1, 'a.txt has one hunk left');
  assert.equal(await view.getByRole('list', { name: 'Changes in b.txt' }).getByRole('listitem').count(), 2, 'b.txt has both');
  await view.getByTestId('run-reason').filter({ hasText: /partial commit: 1 of 4 hunk/ }).waitFor();
  await page.screenshot({ path: join(artifacts, 'e2e-review-partial.png') });

  // The inline layout is remembered.
  await view.getByRole('button', { name: 'Unified', exact: true }).click();
  await diff.locator('.cm-editor').first().waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('ice-studio.diff-mode')), 'unified');

  // Abort drops the rest; the accepted hunk stays.
  await view.getByRole('button', { name: 'Abort', exact: true }).click();
  await view.locator('.run-title .run-badge[data-status="aborted"]').waitFor();
  assert.equal(read(project, 'a.txt'), text(wantA));
  assert.equal(read(project, 'b.txt'), files['b.txt']);
  assert.deepEqual(problems, [], 'no page errors');
});
