// An agent run in Chromium, against a scripted fake Ollama: the user gives
// a task and picks the model and profile; the model lists and reads files,
// edits one (the write waits for the user's approval) and finishes. The
// transcript shows every step as the log recorded it, the staged diff has
// the edit, and the file on disk changes only on Commit.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { approveWrites, artifacts, makeProject, openProject, scriptedOllama, showRuns } from './helpers.mjs';

mkdirSync(artifacts, { recursive: true });

const files = {
  'notes.txt': 'hello world\nsecond line\n',
  'src/a.go': 'package a\n',
};

const disk = (root) => Object.fromEntries(Object.keys(files).map((p) => [p, readFileSync(join(root, p), 'utf8')]));

const task = 'Change the greeting in notes.txt to "hello agent"';

test('an agent run: the model reads and edits, the write is approved, the change is reviewed and committed', async (t) => {
  const ollama = await scriptedOllama(t, [
    { chunks: ['Let me ', 'look at ', 'the files.'], calls: [{ name: 'list_dir', args: { path: '.' } }], delayMs: 40 },
    { calls: [{ name: 'read_file', args: { path: 'notes.txt' } }] },
    { chunks: ['I will change ', 'the greeting.'], calls: [{ name: 'edit_file', args: { path: 'notes.txt', old_text: 'hello world', new_text: 'hello agent' } }] },
    { calls: [{ name: 'finish', args: { summary: 'Changed the greeting in notes.txt.' } }] },
  ]);
  const project = makeProject(t, files);
  const { page, problems } = await openProject(t, project, /notes\.txt/, { OLLAMA_HOST: ollama.url });
  await showRuns(page);

  // The composer: the task, the model, the profile.
  const composer = page.getByRole('form', { name: 'Agent' });
  const picker = composer.getByRole('combobox', { name: 'Model' });
  await picker.locator('option[value="tiny:latest"]').waitFor({ state: 'attached' });
  assert.equal(await picker.locator('option').count(), 1, 'the one installed model is offered');
  assert.doesNotMatch((await picker.locator('option').textContent()) ?? '', /chat only/, 'it has tool calling');
  await picker.selectOption('tiny:latest');
  await page.getByLabel('Profile').selectOption('edit');
  await page.getByLabel('Validation command').fill('');
  await composer.getByRole('textbox', { name: 'Task' }).fill(task);
  await composer.getByRole('button', { name: 'Start', exact: true }).click();

  // The run opens on its transcript; the edit waits for the user's approval.
  const view = page.getByRole('article', { name: 'Run' });
  await view.getByRole('heading', { name: task }).waitFor();
  assert.equal(await view.getByRole('tab', { name: 'Transcript' }).getAttribute('aria-selected'), 'true');
  const transcript = view.getByLabel('Transcript', { exact: true });
  const card = view.getByRole('region', { name: 'Approval needed' });
  await card.waitFor();
  assert.match((await card.locator('.ask-title').textContent()) ?? '', /notes\.txt/, 'the card is about the edited file');
  await card.getByTestId('diff-view').getByText('hello agent').waitFor();
  const step3 = transcript.getByRole('region', { name: 'Step 3', exact: true });
  await step3.getByTestId('step-text').getByText('I will change the greeting.').waitFor();
  await step3.getByRole('group', { name: 'Tool call edit_file' }).getByText('in progress…').waitFor();
  await transcript.getByRole('button', { name: 'Stop' }).waitFor();
  await page.screenshot({ path: join(artifacts, 'e2e-agent-approval.png') });
  assert.equal(await approveWrites(page, 'Allow once'), 1, 'one approval: the edit of notes.txt');

  // The model finished; the run was validated and its transcript is the log's.
  await view.locator('.run-title .run-badge[data-status="validated"]').waitFor();
  await transcript.getByRole('region', { name: 'Step 4', exact: true }).waitFor();
  await transcript.getByRole('button', { name: 'Stop' }).waitFor({ state: 'detached' });
  await transcript.getByText(task).waitFor();
  const step1 = transcript.getByRole('region', { name: 'Step 1', exact: true });
  assert.equal(await step1.getByTestId('step-text').textContent(), 'Let me look at the files.');
  assert.match((await step1.getByLabel('Result of list_dir').textContent()) ?? '', /notes\.txt \(24 bytes\)/);
  const step2 = transcript.getByRole('region', { name: 'Step 2', exact: true });
  assert.match((await step2.getByLabel('Result of read_file').textContent()) ?? '', /1\thello world/);
  const edit = step3.getByRole('group', { name: 'Tool call edit_file' });
  assert.equal(await edit.locator('.tr-call-target').textContent(), 'notes.txt');
  assert.equal(await edit.getByLabel('Preview of the change').textContent(), '- hello world\n+ hello agent\n');
  assert.match((await edit.getByLabel('Result of edit_file').textContent()) ?? '', /staged/);
  await transcript.getByRole('group', { name: 'Tool call finish' }).getByText('Changed the greeting in notes.txt.').waitFor();
  assert.match((await step1.getByTestId('step-stats').textContent()) ?? '', /^10 prompt · 4 eval tokens · 4000\.0 tok\/s|^10 prompt · 4 eval tokens · 4000 tok\/s/);
  assert.match((await transcript.getByTestId('transcript-totals').textContent()) ?? '', /^4 steps · 49 tokens · 2250 tok\/s$/);
  await transcript.locator('.tr-bar').getByText('tiny:latest').waitFor();
  await transcript.locator('.tr-bar').getByText('c0ffee00d15e').waitFor();

  // Request: exactly what the model was sent at step 2, with the first tool result.
  await step2.getByRole('button', { name: 'Request' }).click();
  const sent = step2.getByRole('region', { name: 'Request of step 2' });
  const messages = sent.getByRole('list', { name: 'Messages sent' }).locator(':scope > li');
  await messages.first().waitFor();
  assert.deepEqual(await messages.evaluateAll((els) => els.map((e) => e.getAttribute('data-role'))), ['system', 'user', 'assistant', 'tool']);
  assert.match((await messages.nth(3).textContent()) ?? '', /list_dir.*notes\.txt \(24 bytes\)/s);
  // The raw JSON is exactly the body the fake server received.
  const shown = JSON.parse((await sent.getByLabel('Request JSON').textContent()) ?? '{}');
  assert.equal(ollama.requests[1].stream, true);
  assert.deepEqual(shown, ollama.requests[1], 'the request view is what the model was sent');
  await messages.nth(3).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifacts, 'e2e-agent-request.png') });
  await transcript.locator('.tr-scroll').evaluate((el) => (el.scrollTop = 0));
  await page.screenshot({ path: join(artifacts, 'e2e-agent-run.png') });
  await page.getByRole('button', { name: 'Switch theme' }).click();
  await page.screenshot({ path: join(artifacts, 'e2e-agent-run-other-theme.png') });
  await page.getByRole('button', { name: 'Switch theme' }).click();
  await step2.getByRole('button', { name: 'Request' }).click();

  // What the fake Ollama received: four requests, the second with the tool result.
  assert.equal(ollama.requests.length, 4, 'one chat request per model step');
  const second = ollama.requests[1].messages;
  assert.deepEqual(
    second.map((m) => m.role),
    ['system', 'user', 'assistant', 'tool'],
    'the second request carries the assistant call and its result',
  );
  assert.equal(second[2].tool_calls?.[0]?.function?.name, 'list_dir');
  assert.equal(second[3].tool_name, 'list_dir');
  assert.match(second[3].content, /notes\.txt \(24 bytes\)/);
  assert.equal(ollama.requests[0].messages[1].content, task, 'the task is the user message');
  const tools = ollama.requests[0].tools.map((x) => x.function.name);
  assert.ok(tools.includes('edit_file') && !tools.includes('run_command'), `the edit profile offers edits, no commands: ${tools}`);
  assert.equal(ollama.requests[0].options?.num_ctx, 4096, 'the context fits what the model was trained for');

  // The staged diff has the edit; the disk is unchanged until Commit.
  await view.getByRole('tab', { name: /Changes/ }).click();
  const staged = await view.getByRole('list', { name: 'Staged files' }).locator('button.change-row .change-path').allTextContents();
  assert.deepEqual(staged, ['notes.txt']);
  const diff = view.getByTestId('diff-view');
  await diff.locator('.cm-merge-b .cm-content').getByText('hello agent').waitFor();
  await diff.locator('.cm-merge-a .cm-content').getByText('hello world').waitFor();
  assert.equal(await view.locator('#run-panel-transcript').isVisible(), false, 'the transcript is hidden under the Changes tab');
  await page.screenshot({ path: join(artifacts, 'e2e-agent-changes.png') });
  // The diff gets the editor area: it starts in the top third of the run view.
  const viewBox = await view.boundingBox();
  const diffBox = await diff.boundingBox();
  assert.ok(diffBox.y - viewBox.y < viewBox.height / 3, `the diff starts ${diffBox.y - viewBox.y}px into a ${viewBox.height}px run view`);
  assert.deepEqual(disk(project), files, 'nothing is written before Commit');

  await view.getByRole('button', { name: 'Commit', exact: true }).click();
  await view.locator('.run-title .run-badge[data-status="committed"]').waitFor();
  assert.deepEqual(disk(project), { ...files, 'notes.txt': 'hello agent\nsecond line\n' }, 'Commit wrote the edit');
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});
