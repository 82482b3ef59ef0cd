// MCP in Chromium, against the real Studio and the scripted MCP test
// server (built from backend/mcp/internal/testserver into the project):
// the project's .mcp.json is untrusted, so its server is listed, with its
// exact command line, and nothing starts until the user approves it; once
// approved it runs and lists its tools. An agent run then calls
// mcp__srv__echo: the approval card shows the server, the tool, its
// description and the pretty-printed arguments; allowed once, the
// transcript shows "srv › echo" with the server's answer, and the run ends.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, makeProject, openProject, repoRoot, scriptedOllama, showRuns } from './helpers.mjs';

mkdirSync(artifacts, { recursive: true });

const args = { text: 'hello from e2e' };

/** buildTestServer builds the scripted MCP server into the project (the command sandbox hides the host's /tmp, not the workspace). */
function buildTestServer(project) {
  const bin = join(project, '.bin', 'testserver');
  execFileSync('go', ['build', '-o', bin, 'github.com/ice-studio/ice-studio/backend/mcp/internal/testserver'], {
    cwd: repoRoot,
    env: { ...process.env, GOFLAGS: '-tags=sqlite_fts5' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return bin;
}

/** shots scrolls what into view (its top at the top) and takes a screenshot at each size and in each theme, named e2e-mcp-<name>-<width>-<theme>.png, and restores the first size and theme. */
async function shots(page, what, name) {
  const first = page.viewportSize();
  for (const size of [
    { width: 1440, height: 900 },
    { width: 1024, height: 700 },
  ]) {
    await page.setViewportSize(size);
    for (let i = 0; i < 2; i++) {
      const theme = await page.evaluate(() => document.documentElement.dataset.theme ?? 'dark');
      await what.evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: join(artifacts, `e2e-mcp-${name}-${size.width}-${theme}.png`) });
      // Switching saves the theme in the settings; wait for that, so a late answer does not switch it back.
      const saved = page.waitForResponse((r) => r.url().endsWith('/api/call/SetSettings'));
      await page.getByRole('button', { name: 'Switch theme' }).click();
      await saved;
      await page.waitForFunction((t) => (document.documentElement.dataset.theme ?? 'dark') !== t, theme);
    }
  }
  await page.setViewportSize(first);
}

test("an untrusted .mcp.json server starts only once approved, and the agent's call of its tool is approved on a card and shown in the transcript", async (t) => {
  const ollama = await scriptedOllama(t, [
    { chunks: ['Let me call the echo tool.'], calls: [{ name: 'mcp__srv__echo', args }] },
    { calls: [{ name: 'finish', args: { summary: 'The echo tool answered.' } }] },
  ], { countPrompts: true });
  const project = makeProject(t, { 'notes.txt': 'notes\n' });
  const bin = buildTestServer(project);
  writeFileSync(join(project, '.mcp.json'), JSON.stringify({ mcpServers: { srv: { command: bin } } }));

  const { page, problems } = await openProject(t, project, /notes\.txt/, { OLLAMA_HOST: ollama.url });
  await page.setViewportSize({ width: 1440, height: 900 });

  // The MCP tab: the project's server is listed, not approved, not started.
  const tab = page.getByRole('tablist', { name: 'Right pane' }).getByRole('tab', { name: /^MCP/ });
  await tab.click();
  assert.equal(await tab.getAttribute('aria-selected'), 'true');
  const group = page.getByRole('region', { name: "This project's .mcp.json" });
  const server = group.getByRole('article', { name: 'Server srv' });
  await server.waitFor();
  assert.equal(await server.getAttribute('data-state'), 'stopped', 'nothing started before the approval');
  assert.equal(await server.getByTestId('server-state').textContent(), 'not approved');
  assert.match((await tab.textContent()) ?? '', /MCP\s*1/, 'the tab counts the server waiting for approval');
  const approve = server.getByRole('note', { name: 'Approve srv' });
  assert.equal(await approve.getByTestId('approve-command').textContent(), bin, 'the exact command line .mcp.json asks to run');
  assert.match((await approve.textContent()) ?? '', /Not started: this project's \.mcp\.json asks to run this command/);
  const approveButton = approve.getByRole('button', { name: 'Approve and start', exact: true });
  assert.equal(await approveButton.isEnabled(), true);
  assert.equal(await server.getByRole('button', { name: 'Start', exact: true }).count(), 0, 'no plain Start before the approval');
  assert.match((await server.getByRole('region', { name: 'Tools of srv' }).textContent()) ?? '', /Tools \(0\)Its tools are listed while it runs\./);
  // Its log is empty: the program never ran (it writes "testserver: ready" first thing).
  await server.getByRole('button', { name: 'Log', exact: true }).click();
  const log = server.getByLabel('Log of srv');
  await log.waitFor();
  assert.doesNotMatch((await log.textContent()) ?? '', /testserver: ready/, 'the server did not run before the approval');
  await server.getByRole('button', { name: 'Hide log', exact: true }).click();
  await shots(page, group, 'unapproved');

  // Approved: it starts and lists its tools with their descriptions.
  await approveButton.click();
  await group.locator('article[aria-label="Server srv"][data-state="running"]').waitFor();
  assert.equal(await server.getByTestId('server-state').textContent(), 'running');
  assert.equal(await server.getByRole('note', { name: 'Approve srv' }).count(), 0, 'no approval is asked for any more');
  const echo = server.getByRole('listitem', { name: 'Tool echo' });
  await echo.waitFor();
  assert.equal(await echo.locator('.mcp-tool-name').textContent(), 'echo');
  assert.equal(await echo.locator('.mcp-tool-desc').textContent(), 'Echoes its arguments.');
  assert.equal(await echo.getByRole('switch', { name: 'Offer echo to the agent' }).isChecked(), true);
  assert.equal(await echo.getByTestId('pin').textContent(), 'not yet allowed');
  assert.equal(await server.locator('.mcp-command').textContent(), bin, 'the command line it runs is the one approved');
  assert.equal(await server.locator('.mcp-server-head').getByText('testserver 1.2.3').count(), 1, 'it said what it is');
  assert.doesNotMatch((await tab.textContent()) ?? '', /\d/, 'nothing is left to look at');
  await server.getByRole('button', { name: 'Log', exact: true }).click();
  await server.getByLabel('Log of srv').getByText(/testserver: ready/).waitFor();
  await server.getByRole('button', { name: 'Hide log', exact: true }).click();
  await shots(page, group, 'running');

  // An agent run calls the server's echo: the card shows what would be called.
  await showRuns(page);
  const composer = page.getByRole('form', { name: 'Agent' });
  await composer.getByRole('combobox', { name: 'Model' }).locator('option[value="tiny:latest"]').waitFor({ state: 'attached' });
  await page.getByLabel('Profile').selectOption('agent');
  await page.getByLabel('Validation command').fill('');
  await composer.getByRole('textbox', { name: 'Task' }).fill('Say hello through the echo tool');
  await composer.getByRole('button', { name: 'Start', exact: true }).click();

  const view = page.getByRole('article', { name: 'Run' });
  const card = view.getByRole('region', { name: 'Approval needed' });
  await card.waitFor();
  assert.equal(await card.locator('.ask-title').textContent(), 'Call srv › echo');
  assert.equal(await card.getByTestId('mcp-server').textContent(), 'srv');
  assert.equal(await card.getByTestId('mcp-tool').textContent(), 'echo');
  assert.equal(await card.getByTestId('mcp-description').textContent(), 'Echoes its arguments.');
  assert.equal(await card.getByLabel('Arguments', { exact: true }).textContent(), JSON.stringify(args, null, 2), 'the exact arguments, pretty-printed');
  assert.deepEqual(await card.getByRole('button').allTextContents(), ['Allow once', 'Allow for this run', 'Allow for this workspace', 'Deny']);
  await shots(page, card, 'approval');
  assert.ok(
    ollama.requests[0].tools.some((x) => x.function.name === 'mcp__srv__echo'),
    `the model was offered the MCP tool: ${ollama.requests[0].tools.map((x) => x.function.name)}`,
  );

  await card.getByRole('button', { name: 'Allow once', exact: true }).click();
  await card.waitFor({ state: 'detached' });

  // The run ends; the transcript shows the call as "srv › echo" with the server's answer.
  const badge = view.locator('.run-title .run-badge:is([data-status="validated"],[data-status="validation_failed"],[data-status="aborted"],[data-status="terminated"],[data-status="committed"])');
  await badge.waitFor();
  assert.equal(await badge.getAttribute('data-status'), 'validated', 'the run finished (nothing staged, no validation command)');
  const transcript = view.getByLabel('Transcript', { exact: true });
  await transcript.getByRole('button', { name: 'Stop' }).waitFor({ state: 'detached' });
  const call = transcript.getByRole('group', { name: 'Tool call mcp__srv__echo' });
  assert.equal(await call.locator('.tr-call-name').textContent(), 'srv › echo');
  assert.equal(await call.getByText('MCP', { exact: true }).count(), 1, 'an MCP badge');
  assert.equal(await call.getByLabel('Arguments of mcp__srv__echo').textContent(), JSON.stringify(args, null, 2));
  assert.deepEqual(JSON.parse((await call.getByLabel('Result of mcp__srv__echo').textContent()) ?? ''), args, 'the server echoed what it was called with');
  assert.equal(await call.evaluate((el) => el.classList.contains('failed')), false);
  await transcript.getByRole('group', { name: 'Tool call finish' }).getByText('The echo tool answered.').waitFor();
  assert.equal(ollama.requests.length, 2, 'the model was asked twice: the call, then finish');
  const answer = ollama.requests[1].messages.at(-1);
  assert.equal(answer.role, 'tool');
  assert.match(answer.content, /hello from e2e/, "the model got the tool's result");
  await call.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifacts, 'e2e-mcp-transcript.png') });
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});
