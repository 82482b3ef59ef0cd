// The event inspector in Chromium: opening a folder is in the log, its
// payload names the folder, new events arrive live, and the chain verifies.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, launchBrowser, makeProject, startServe } from './helpers.mjs';

mkdirSync(artifacts, { recursive: true });

test('the event log shows workspace.opened with its payload, live, and verifies', async (t) => {
  const project = makeProject(t, { 'README.md': '# events\n', 'src/main.go': 'package main\n' });
  const other = makeProject(t, { 'notes.txt': 'later\n' });
  const s = await startServe(t);
  const { page, problems } = await launchBrowser(t);

  await page.goto(s.url);
  await page.getByLabel(/type its path/).fill(project);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: /README\.md/ }).waitFor();

  await page.getByRole('button', { name: 'Event log', exact: true }).click();
  const list = page.getByRole('listbox', { name: 'Events' });
  const openedRows = list.getByRole('option').filter({ hasText: 'workspace.opened' });
  await openedRows.first().waitFor();
  const total = page.getByTestId('event-total');
  assert.match(await total.textContent(), /^\d+ events?$/, 'the total is shown');
  const before = Number((await total.textContent()).replace(/\D/g, ''));

  await openedRows.first().click();
  assert.equal(await openedRows.first().getAttribute('aria-selected'), 'true', 'the clicked row is selected');
  const details = page.getByLabel('Event details');
  const payload = details.getByLabel('Payload');
  await payload.getByText(project, { exact: false }).waitFor();
  const text = await details.textContent();
  for (const field of ['workspace.opened', 'stream', 'origin', 'runtime', 'hash', 'prevHash']) assert.ok(text.includes(field), `the detail shows ${field}`);

  // An event appended meanwhile (a second folder opened through the API)
  // shows up without a reload.
  const res = await fetch(`${s.origin}/api/call/OpenFolder`, {
    method: 'POST',
    headers: { 'X-Ice-Token': s.token, 'Content-Type': 'application/json' },
    body: JSON.stringify([{ path: other }]),
  });
  assert.equal(res.status, 200, 'OpenFolder through the API');
  await page.waitForFunction(
    ([el, n]) => Number(el.textContent.replace(/\D/g, '')) > n,
    [await total.elementHandle(), before],
  );
  await openedRows.nth(1).waitFor();

  // The type filter narrows the list; Clear widens it again.
  await page.getByLabel('Type', { exact: true }).selectOption('workspace.opened');
  await total.getByText('2 events match').waitFor();
  const types = await list.locator('.c-type').allTextContents();
  assert.deepEqual(types, ['workspace.opened', 'workspace.opened'], 'only workspace.opened rows');
  await page.getByRole('button', { name: 'Clear', exact: true }).click();
  await total.getByText(/match/).waitFor({ state: 'detached' });

  await page.getByRole('button', { name: 'Verify log' }).click();
  await page.getByRole('status').getByText(/Log verified: \d+ events?, hash chain intact\./).waitFor();

  await openedRows.first().click();
  await payload.getByText(project, { exact: false }).waitFor();
  await page.screenshot({ path: join(artifacts, 'e2e-events.png') });
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});
