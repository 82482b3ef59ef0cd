// The event inspector in Chromium: opening a folder is in the log, its
// payload names the folder, new events arrive live, and the chain verifies.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, launchBrowser, makeProject, modelsOllama, scriptedOllama, startServe } from './helpers.mjs';

mkdirSync(artifacts, { recursive: true });

/** call invokes an API method directly (setup a test does not drive through the UI). */
async function call(s, method, ...args) {
  const res = await fetch(s.origin + '/api/call/' + method, {
    method: 'POST',
    body: JSON.stringify(args),
    headers: { 'X-Ice-Token': s.token, 'Content-Type': 'application/json' },
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`${method}: ${body.error}`);
  return body.result;
}

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

test('the event log summarises each event, picks a run by its task, searches payloads and jumps to an event', async (t) => {
  const ollama = await scriptedOllama(t, [
    { calls: [{ name: 'read_file', args: { path: 'notes.txt' } }] },
    { calls: [{ name: 'edit_file', args: { path: 'notes.txt', old_text: 'hello world', new_text: 'hello log' } }] },
    { calls: [{ name: 'finish', args: { summary: 'Changed the greeting.' } }] },
  ]);
  const project = makeProject(t, { 'notes.txt': 'hello world\n', 'src/zebra_stripes.go': 'package zebra\n' });
  const s = await startServe(t, { env: { OLLAMA_HOST: ollama.url } });
  const { page, problems } = await launchBrowser(t);
  await page.goto(s.url);
  await page.getByLabel(/type its path/).fill(project);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: /notes\.txt/ }).waitFor();
  const ws = (await call(s, 'Startup')).workspaces[0];
  await call(s, 'Grant', { workspaceId: ws.id, kind: 'fs.write', scope: { glob: '**' }, expiresInS: 0, maxUses: 0, reason: 'the e2e test allows writes' });
  const task = 'Greet the event log in notes.txt';
  const run = await call(s, 'StartAgentRun', {
    workspaceId: ws.id,
    task,
    model: 'tiny:latest',
    options: { profile: 'edit', validationCommand: '', autoCommit: false, maxSteps: 0, wallClockSeconds: 0 },
    maxTokens: 0,
    maxTurns: 0,
    numCtx: 0,
    numPredict: 0,
  });

  await page.getByRole('button', { name: 'Event log', exact: true }).click();
  const list = page.getByRole('listbox', { name: 'Events' });
  const total = page.getByTestId('event-total');
  // The run is validated once its validation passed: every summary is in the log by then.
  await list.locator('.c-type', { hasText: 'run.validation_passed' }).waitFor();

  // The run picker lists the run by its task.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByLabel('Find a run').fill('greet the event');
  await page.getByRole('listbox', { name: 'Runs' }).getByRole('option', { name: new RegExp(task) }).click();
  await total.getByText(/events match/).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Run', exact: true }).textContent(), task, 'the picker names the run by its task');
  const sums = await list.locator('.c-sum').allTextContents();
  const short = run.id.slice(-8);
  for (const want of [
    `run created with tiny:latest: “${task}”`,
    `run …${short} read notes.txt`,
    `run …${short} wrote notes.txt (staged)`,
    'step 1: model called read_file',
  ]) {
    assert.ok(sums.includes(want), `a row says "${want}"; the summaries are:\n${sums.join('\n')}`);
  }
  assert.ok(sums.some((x) => /^step \d+: model answered \d+ tokens?/.test(x)), 'a model answer is summarised with its tokens');
  await list.locator('.c-sum', { hasText: 'wrote notes.txt (staged)' }).first().click();
  await page.getByLabel('Event details').getByLabel('Payload').getByText('notes.txt', { exact: false }).first().waitFor();
  await page.screenshot({ path: join(artifacts, 'e2e-events-summary.png') });

  // Free-text search in payloads, with the run filter and without.
  await page.getByLabel('Search payloads').fill('zebra_stripes');
  await total.getByText(/^\d+ events? match$/).waitFor();
  await page.getByRole('button', { name: 'All runs' }).click();
  await page.waitForFunction((el) => /^[1-9]\d* events? match$/.test(el.textContent), await total.elementHandle());
  const found = await list.locator('.c-sum').allTextContents();
  assert.ok(found.length > 0 && found.every((x) => !x.includes('notes.txt') || x.includes('zebra')), `only events naming zebra_stripes: ${found.join(' | ')}`);
  assert.ok(found.some((x) => x.includes('src/zebra_stripes.go')), 'the scan of the file is found');

  // Jump to an event through the palette (events.show): the search hides it, so it is cleared.
  await page.keyboard.press('Control+Shift+P');
  await page.getByRole('dialog', { name: 'Command palette' }).getByRole('combobox', { name: 'Command' }).waitFor();
  await page.keyboard.type('go to event');
  await page.keyboard.press('Enter');
  await page.getByRole('textbox', { name: /^Go to event/ }).waitFor();
  await page.keyboard.type('#2');
  await page.keyboard.press('Enter');
  const second = list.locator('[data-seq="2"]');
  await page.waitForFunction((el) => el?.getAttribute('aria-selected') === 'true', await second.elementHandle());
  assert.equal(await page.getByLabel('Search payloads').inputValue(), '', 'the search that hid the event is cleared');
  await page.getByLabel('Event details').getByText('#2', { exact: true }).waitFor();

  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});

test('the Models screen shows context, RAM fit, loaded and default markers, and sets defaults in one click', async (t) => {
  const url = await modelsOllama(t);
  const s = await startServe(t, { env: { OLLAMA_HOST: url } });
  const { page, problems } = await launchBrowser(t);
  await page.goto(s.url);
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  const tiny = page.getByRole('row', { name: 'Model tiny' });
  await tiny.waitFor();
  await tiny.getByText('128k').waitFor();
  await tiny.getByText('loaded', { exact: true }).waitFor();
  assert.match(await tiny.textContent(), /5\.0 GiB in RAM, 8k context, until \d\d:\d\d/, 'the loaded model says its memory and until when');
  assert.match(await tiny.getByTestId('fit').textContent(), /^(fits|tight|won't fit|unknown)$/);
  assert.match(await tiny.textContent(), /needs 5\.0 GiB \(4\.0 GiB \+ 1\.0 GiB of cache for 8k tokens\)/, 'the fit counts the weights and the cache');
  const nomic = page.getByRole('row', { name: 'Model nomic-embed-text' });
  assert.equal(await nomic.getByText('loaded', { exact: true }).count(), 0, 'the embedding model is not loaded');
  assert.match(await page.getByTestId('models-memory').textContent(), /This machine: [\d.]+ GiB of RAM/);

  await tiny.getByRole('button', { name: 'Use as default chat model' }).click();
  await tiny.getByText('default chat', { exact: true }).waitFor();
  await nomic.getByRole('button', { name: 'Use for meaning search' }).click();
  await nomic.getByText('meaning search', { exact: true }).waitFor();
  const embedSel = page.getByLabel('Embedding model');
  assert.deepEqual(await embedSel.locator('option').allTextContents(), ['(none: search by text only)', 'nomic-embed-text'], 'one embedding model, under its short name');
  assert.equal(await embedSel.inputValue(), 'nomic-embed-text:latest');
  await page.screenshot({ path: join(artifacts, 'e2e-models.png'), fullPage: true });
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});
