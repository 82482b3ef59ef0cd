// A command in the sandbox, through the UI: the agent's run_command asks,
// the card says what the command will be able to do, the command's file
// change becomes a staged write and its .git write is refused, and the run
// view shows the sandbox's record. Nothing reaches the disk before Commit.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { approveWrites, artifacts, makeProject, openProject, scriptedOllama, showRuns } from './helpers.mjs';

mkdirSync(artifacts, { recursive: true });

test('a sandboxed command: the card says what it can do, its changes are staged or refused', async (t) => {
  const ollama = await scriptedOllama(t, [
    { calls: [{ name: 'run_command', args: { command: "sh -c 'echo generated > gen.txt; echo hook > .git/hooks/pre-commit; env'" } }] },
    { calls: [{ name: 'finish', args: { summary: 'Generated gen.txt.' } }] },
  ]);
  const project = makeProject(t, { 'notes.txt': 'notes\n', '.git/hooks/.keep': '' });
  const { page } = await openProject(t, project, /notes\.txt/, { OLLAMA_HOST: ollama.url, ICE_TEST_SECRET: 'hunter2-e2e' });
  await showRuns(page);
  const composer = page.getByRole('form', { name: 'Agent' });
  await composer.getByRole('combobox', { name: 'Model' }).locator('option[value="tiny:latest"]').waitFor({ state: 'attached' });
  await page.getByLabel('Profile').selectOption('agent');
  await page.getByLabel('Validation command').fill('');
  await composer.getByRole('textbox', { name: 'Task' }).fill('Generate gen.txt');
  await composer.getByRole('button', { name: 'Start', exact: true }).click();

  const view = page.getByRole('article', { name: 'Run' });
  const card = view.getByRole('region', { name: 'Approval needed' }).first();
  await card.waitFor();
  const sandbox = card.getByRole('note', { name: 'Sandbox' });
  await sandbox.waitFor();
  const said = (await sandbox.textContent()) ?? '';
  assert.match(said, /Runs in the sandbox/, 'the card says the command is sandboxed');
  assert.match(said, /proxy/, 'and that the network goes only through the proxy');
  await page.screenshot({ path: join(artifacts, 'e2e-sandbox-approval.png') });
  // The command, then the write of gen.txt it made (the hook is refused by policy).
  assert.ok((await approveWrites(page, 'Allow once')) >= 2, 'the command and its staged write were approved');

  await view.locator('.run-title .run-badge[data-status="validated"]').waitFor();
  const box = view.getByRole('group', { name: 'Sandbox' }).first();
  await box.waitFor();
  await box.locator('.sbx-toggle').click();
  const record = (await box.textContent()) ?? '';
  assert.match(record, /gen\.txt/, 'the record lists the staged change');
  assert.match(record, /\.git\/hooks\/pre-commit/, 'and the refused one');
  assert.match(record, /refused/);
  const result = (await view.getByLabel('Result of run_command').first().textContent()) ?? '';
  assert.doesNotMatch(result, /hunter2-e2e/, "the Studio's environment did not reach the command");
  await page.screenshot({ path: join(artifacts, 'e2e-sandbox-run.png'), fullPage: true });
  assert.equal(existsSync(join(project, 'gen.txt')), false, 'nothing on disk before Commit');

  await view.getByRole('button', { name: 'Commit', exact: true }).click();
  await view.locator('.run-title .run-badge[data-status="committed"]').waitFor();
  assert.equal(readFileSync(join(project, 'gen.txt'), 'utf8'), 'generated\n');
  assert.equal(existsSync(join(project, '.git/hooks/pre-commit')), false, 'the hook never reached the real .git');
});
