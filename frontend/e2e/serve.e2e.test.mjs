// Browser end-to-end tests of `ice-studio serve` in Debian's Chromium.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, fakeOllama, launchBrowser, makeProject, startServe, waitForStderr } from './helpers.mjs';

mkdirSync(artifacts, { recursive: true });

function rawGet(origin, path, headers = {}) {
  const u = new URL(path, origin);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers }, (res) => {
      res.resume();
      ok(res.statusCode);
    });
    req.on('error', fail);
    req.end();
  });
}

test('requests without the token are refused', async (t) => {
  const s = await startServe(t);
  assert.equal((await fetch(s.origin + '/')).status, 401, 'page without token');
  assert.equal((await fetch(s.origin + '/?token=wrong')).status, 401, 'page with a wrong token');
  const call = await fetch(s.origin + '/api/call/Startup', { method: 'POST', body: '[]' });
  assert.equal(call.status, 401, 'API call without token');
  const withHeader = await fetch(s.origin + '/api/call/Startup', { method: 'POST', body: '[]', headers: { 'X-Ice-Token': s.token, 'Content-Type': 'application/json' } });
  assert.equal(withHeader.status, 200, 'API call with the token header');
  const body = await withHeader.json();
  assert.equal(body.result.info.mode, 'browser');
  assert.equal(body.result.info.dataDir, s.home);
  // A page on another host name (DNS rebinding) is refused even with the token.
  assert.equal(await rawGet(s.origin, `/?token=${s.token}`, { Host: `evil.example:${new URL(s.origin).port}` }), 403);
});

test('open a folder and browse its tree', async (t) => {
  const ollama = await fakeOllama(t, '0.99.1-fake');
  const project = makeProject(t, {
    'README.md': '# demo\n',
    'src/main.go': 'package main\n',
    'src/util/strings.go': 'package util\n',
    '.git/HEAD': 'ref: refs/heads/main\n',
  });
  const s = await startServe(t, { env: { OLLAMA_HOST: ollama } });
  const { page, problems } = await launchBrowser(t);

  await page.goto(s.url);
  assert.equal(new URL(page.url()).searchParams.get('token'), null, 'the token is removed from the address bar');
  await page.getByRole('heading', { name: 'ICE Studio' }).waitFor();
  await page.getByTestId('ollama-status').getByText('Ollama 0.99.1-fake is running.').waitFor();
  assert.equal(await page.getByTestId('data-dir').textContent(), s.home);
  await page.screenshot({ path: join(artifacts, 'e2e-welcome.png') });

  await page.getByLabel(/type its path/).fill(project);
  await page.getByRole('button', { name: 'Open', exact: true }).click();

  const tree = page.getByRole('tree', { name: 'Files' });
  await tree.getByRole('treeitem', { name: /README\.md/ }).waitFor();
  const items = await tree.getByRole('treeitem').allTextContents();
  assert.deepEqual(items.map((s) => s.replace(/[▸▾]/gu, '').trim()), ['src', 'README.md'], '.git is hidden, folders first');

  await tree.getByRole('treeitem', { name: /src/ }).click();
  await tree.getByRole('treeitem', { name: /main\.go/ }).waitFor();
  await tree.getByRole('treeitem', { name: /util/ }).click();
  await tree.getByRole('treeitem', { name: /strings\.go/ }).click();
  await page.getByLabel('Selection details').getByText('13 B').waitFor();
  await page.screenshot({ path: join(artifacts, 'e2e-studio.png') });

  // Back on the welcome screen the folder is in the recent list.
  await page.getByRole('button', { name: 'Welcome' }).click();
  await page.getByRole('list', { name: 'Recent folders' }).getByText(project).waitFor();
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});

test('a folder that does not exist is explained, not a crash', async (t) => {
  const missing = '/nonexistent/ice-e2e-' + process.pid;
  const s = await startServe(t, { args: [missing] });
  assert.match(await waitForStderr(s, /Could not open the folder/), /Could not open the folder from the command line/, 'stderr names the problem');
  const { page, problems } = await launchBrowser(t);
  await page.goto(s.url);
  await page.getByText(/Could not open the folder from the command line: .*does not exist/).waitFor();
  await page.getByTestId('ollama-status').getByText('Ollama is not reachable.').waitFor();

  await page.getByLabel(/type its path/).fill(missing + '/again');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.locator('.form-error').getByText(/does not exist/).waitFor();
  await page.screenshot({ path: join(artifacts, 'e2e-bad-folder.png') });
  assert.deepEqual(problems, []);
});
