// Beyond one machine, as a user sets it up: a second Ollama added as a
// model endpoint in Settings (its health and models listed, the composer
// then offers it), and the event log replicated to a folder from Settings
// → Replication: the status bar shows the replica, Sync now records the
// anchor, and the replica restores with `ice-studio restore`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { artifacts, binary, makeProject, modelsOllama, openProject, tempDir } from './helpers.mjs';

test('a model endpoint and a replica, set up from Settings', async (t) => {
  const gpu = await modelsOllama(t);
  const project = makeProject(t, { 'a.txt': 'hello\n' });
  const { s, page, problems } = await openProject(t, project);
  await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('button', { name: 'Settings', exact: true }).click();

  // A second Ollama: added, reachable, its models listed.
  const add = page.getByRole('form', { name: 'Add a model endpoint' });
  await add.getByLabel('Endpoint name').fill('GPU box');
  await add.getByLabel('Endpoint URL').fill(gpu);
  await add.getByRole('button', { name: /^Add/ }).click();
  const ep = page.getByRole('listitem', { name: 'Endpoint GPU box' });
  await ep.waitFor();
  await ep.getByText(gpu).waitFor();
  await ep.getByText(/0\.9\.0-models/).waitFor();

  // A folder replica: the witness check, then replicating.
  const replicaDir = join(tempDir(t, 'ice-e2e-replica-'), 'replica');
  const form = page.getByRole('form', { name: 'Replica settings' });
  await form.getByLabel('Replica folder').fill(replicaDir);
  await form.getByRole('button', { name: 'Save' }).click();
  const section = page.getByRole('region', { name: 'Replication' });
  await section.getByText(/replicating/i).first().waitFor({ timeout: 30_000 });
  await section.getByRole('button', { name: /Sync now/ }).click();
  await section.getByText(/Last anchor: seq \d+/).waitFor({ timeout: 30_000 });
  // The status bar says so too.
  await page.locator('.replica-badge').waitFor();
  await page.setViewportSize({ width: 1280, height: 1600 });
  await page.screenshot({ path: join(artifacts, 'e2e-endpoints-replication.png') });
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.screenshot({ path: join(artifacts, 'e2e-replication-1024.png') });
  assert.ok(existsSync(replicaDir) && readdirSync(replicaDir).length > 0, 'the replica folder holds the log');

  // The replica restores into a new data folder, and the restored log verifies.
  const to = join(tempDir(t, 'ice-e2e-restored-'), 'data');
  const r = spawnSync(binary, ['restore', '--from', replicaDir, '--to', to], { encoding: 'utf8', env: { ...process.env, ICE_HOME: s.home } });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /hash chain intact/);
  assert.deepEqual(problems, []);
});
