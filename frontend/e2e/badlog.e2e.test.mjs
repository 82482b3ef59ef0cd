// A damaged event log is explained in the UI, the Studio still works, and
// the file is left exactly as it was.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { launchBrowser, makeProject, startServe, tempDir, waitForStderr } from './helpers.mjs';

test('a damaged event log is reported and left untouched', async (t) => {
  const home = tempDir(t, 'ice-e2e-badlog-');
  const logPath = join(home, 'events.db');
  const junk = 'these bytes are not an SQLite database\n'.repeat(50);
  writeFileSync(logPath, junk);
  const project = makeProject(t, { 'main.go': 'package main\n' });
  const s = await startServe(t, { env: { ICE_HOME: home } });
  assert.match(await waitForStderr(s, /event log cannot be used/), /event log cannot be used/, 'stderr explains the problem');

  const { page, problems } = await launchBrowser(t);
  await page.goto(s.url);
  await page.getByText(/The event log cannot be used: .*damaged/).waitFor();
  await page.getByLabel(/type its path/).fill(project);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: /main\.go/ }).waitFor();
  assert.equal(readFileSync(logPath, 'utf8'), junk, 'the damaged file is unchanged');
  assert.deepEqual(problems, []);
});
