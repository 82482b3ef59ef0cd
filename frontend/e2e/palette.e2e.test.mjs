// The command palette, the keyboard shortcuts list and the settings screen
// in Chromium, against a scripted fake Ollama: (1) a whole run driven from
// the keyboard through the palette — open a folder, start an agent run,
// commit it — and the file on disk changes; (2) the settings change the
// default model, and the next run asks Ollama for that model; a shortcut
// rebound in the list is kept in settings.json and works at once.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, launchBrowser, makeProject, openProject, scriptedOllama, startServe } from './helpers.mjs';

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

/** palette opens the command palette with its keys, types query and runs the first match with Enter. */
async function palette(page, query, keys = 'Control+Shift+P') {
  await page.keyboard.press(keys);
  const box = page.getByRole('dialog', { name: 'Command palette' }).getByRole('combobox', { name: 'Command' });
  await box.waitFor();
  await page.keyboard.type(query);
  return box;
}

test('the palette drives a whole run without the mouse: open folder, start an agent run, commit', async (t) => {
  const ollama = await scriptedOllama(t, [
    { calls: [{ name: 'edit_file', args: { path: 'a.txt', old_text: 'hello', new_text: 'hello palette' } }] },
    { calls: [{ name: 'finish', args: { summary: 'Changed the greeting.' } }] },
  ]);
  const project = makeProject(t, { 'a.txt': 'hello\n' });
  const s = await startServe(t, { env: { OLLAMA_HOST: ollama.url } });
  const { page, problems } = await launchBrowser(t);
  await page.goto(s.url);
  await page.getByLabel(/type its path/).waitFor();
  // Setup through the API: the default model, and writes allowed in the folder (no approval card to click).
  await call(s, 'SetSettings', { set: { defaultChat: 'tiny:latest' }, reset: [] });

  // Open folder…: the palette asks for the path.
  await palette(page, 'open folder');
  const first = page.getByRole('listbox', { name: 'Commands' }).getByRole('option').first();
  assert.match((await first.textContent()) ?? '', /^File: Open folder…Ctrl\+O/);
  await page.keyboard.press('Enter');
  const ask = page.getByRole('dialog', { name: 'Open folder — type its path' }).getByRole('textbox');
  await ask.waitFor();
  await page.keyboard.type(project);
  await page.keyboard.press('Enter');
  await page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: /a\.txt/ }).waitFor();
  const ws = (await call(s, 'Startup')).workspaces[0];
  await call(s, 'Grant', { workspaceId: ws.id, kind: 'fs.write', scope: { glob: '**' }, expiresInS: 0, maxUses: 0, reason: 'the e2e test allows writes' });

  // Start agent run…: the palette asks for the task; the run opens.
  await palette(page, 'start agent');
  await page.keyboard.press('Enter');
  await page.getByRole('textbox', { name: /^Start agent run/ }).waitFor();
  await page.keyboard.type('Greet the palette');
  await page.keyboard.press('Enter');
  const view = page.getByRole('article', { name: 'Run' });
  await view.getByRole('heading', { name: 'Greet the palette' }).waitFor();
  await view.locator('.run-title .run-badge[data-status="validated"]').waitFor();
  assert.equal((await ollama.received(1)).model, 'tiny:latest', 'the default model from the settings');

  // Commit from the palette: the command is enabled now, recently used ones come first.
  const box = await palette(page, 'commit', 'F1');
  const commit = page.getByRole('option', { name: /Run: Commit the open run/ });
  await commit.waitFor();
  assert.equal(await commit.getAttribute('aria-disabled'), 'false');
  await page.screenshot({ path: join(artifacts, 'e2e-palette.png') });
  await box.press('Enter');
  await view.locator('.run-title .run-badge[data-status="committed"]').waitFor();
  assert.equal(readFileSync(join(project, 'a.txt'), 'utf8'), 'hello palette\n');

  // Once committed, the palette greys Commit and says why.
  await palette(page, 'commit the open');
  const greyed = page.getByRole('option', { name: /Run: Commit the open run/ });
  assert.equal(await greyed.getAttribute('aria-disabled'), 'true');
  assert.match((await greyed.textContent()) ?? '', /only a validated run can be committed/);
  await page.keyboard.press('Escape');
  await page.getByRole('dialog', { name: 'Command palette' }).waitFor({ state: 'detached' });
  assert.deepEqual(problems, []);
});

test('the settings change the default model and the next run uses it; a rebound shortcut is kept and works', async (t) => {
  const ollama = await scriptedOllama(t, [{ chunks: ['Nothing to change.'] }], { extraModels: ['other:latest'] });
  const project = makeProject(t, { 'a.txt': 'hello\n' });
  const { s, page, problems } = await openProject(t, project, /a\.txt/, { OLLAMA_HOST: ollama.url });

  // The settings screen: each setting with its source; OLLAMA_HOST wins over the endpoint setting.
  await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('button', { name: 'Settings', exact: true }).click();
  const chat = page.getByRole('form', { name: 'Default chat model' });
  await chat.waitFor();
  assert.equal(await chat.getByTestId('defaultChat-source').textContent(), 'default');
  await page.getByRole('form', { name: 'Ollama endpoint' }).getByText('$OLLAMA_HOST is set, so it wins over this setting.').waitFor();
  await page.getByRole('form', { name: 'Ollama endpoint' }).getByTestId('ollamaHost-source').getByText('from $OLLAMA_HOST').waitFor();

  // A bad value is refused beside its field; nothing is saved.
  const ctx = page.getByRole('form', { name: 'Context window' });
  await ctx.getByLabel('Context window').fill('100');
  await ctx.getByRole('button', { name: 'Save' }).click();
  await ctx.getByRole('alert').getByText(/512 to 1048576/).waitFor();

  await chat.getByLabel('Default chat model').fill('other:latest');
  await chat.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('form', { name: 'Default chat model' }).getByTestId('defaultChat-source').getByText('settings.json').waitFor();
  const path = (await page.locator('.settings-head .mono').textContent()) ?? '';
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).defaultChat, 'other:latest');
  // The theme applies at once.
  await page.getByRole('form', { name: 'Theme' }).getByLabel('Theme').selectOption('light');
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
  await page.setViewportSize({ width: 1280, height: 1500 }); // the whole screen, sandbox and theme included
  await page.screenshot({ path: join(artifacts, 'e2e-settings.png') });
  await page.setViewportSize({ width: 1280, height: 800 });

  // The next run, started without a model, asks Ollama for the new default.
  await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('button', { name: /^ice-e2e-project-/ }).first().click();
  await palette(page, 'start agent');
  await page.keyboard.press('Enter');
  await page.getByRole('textbox', { name: /^Start agent run/ }).fill('What is in a.txt?');
  await page.keyboard.press('Enter');
  assert.equal((await ollama.received(1)).model, 'other:latest');
  await page.getByRole('article', { name: 'Run' }).getByRole('heading', { name: 'What is in a.txt?' }).waitFor();

  // Keyboard shortcuts (Ctrl+K Ctrl+S): rebind "Verify the event log" to F7; it is kept and works.
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+S');
  const list = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await list.waitFor();
  await list.getByLabel('Search shortcuts').fill('verify');
  await list.getByRole('button', { name: 'Change the keys of Verify the event log' }).click();
  await list.getByRole('textbox', { name: 'New keys for Verify the event log' }).press('F7');
  await list.getByRole('textbox', { name: 'New keys for Verify the event log' }).press('Enter');
  await list.locator('tr[data-command="log.verify"]').getByText('yours').waitFor();
  await list.getByLabel('Search shortcuts').fill('');
  await page.screenshot({ path: join(artifacts, 'e2e-shortcuts.png') });
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).keys['log.verify'], 'F7');
  await list.getByLabel('Search shortcuts').press('Escape');
  await list.waitFor({ state: 'detached' });
  await page.keyboard.press('F7');
  await page.getByRole('status').getByText(/The event log verifies/).waitFor();
  void s;
  assert.deepEqual(problems, []);
});
