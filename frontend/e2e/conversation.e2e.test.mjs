// A conversation in Chromium, against a scripted fake Ollama: turn 1 reads
// an @-mentioned file and stages an edit, whose approval the user denies
// with a reason the model is told; turn 2 is a follow-up that carries turn
// 1's messages; turn 3 is sent while Ollama is stopped and fails, Ollama
// comes back and Retry tries turn 3 again; then a fork at turn 2 starts a new
// conversation with turns 1–2 that goes on from there, and a question
// about lines selected in the editor goes to it.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, makeProject, openProject, scriptedOllama } from './helpers.mjs';

mkdirSync(artifacts, { recursive: true });

const files = {
  'notes.txt': 'hello world\nsecond line\n',
  'AGENTS.md': 'Keep answers short.\n',
  'src/a.go': 'package a\n',
};

const shot = (page, name) => page.screenshot({ path: join(artifacts, `e2e-conversation-${name}.png`) });

/** contents lists the text of a chat request's messages, by role. */
const contents = (req, role) => req.messages.filter((m) => m.role === role).map((m) => m.content);

const reason = 'Keep the greeting as it is: the README quotes it.';

test('a conversation: deny with a reason, a follow-up, a failed turn retried after Ollama came back, and a fork', async (t) => {
  const ollama = await scriptedOllama(t, [
    // Turn 1: read, then an edit the user denies, then the model gives up on it.
    { chunks: ['Let me read ', 'the file.'], calls: [{ name: 'read_file', args: { path: 'notes.txt' } }] },
    { chunks: ['I will change the greeting.'], calls: [{ name: 'edit_file', args: { path: 'notes.txt', old_text: 'hello world', new_text: 'hello agent' } }] },
    { chunks: ['Understood: I leave notes.txt as it is.'] },
    // Turn 2: a follow-up.
    { chunks: ['It still says hello world.'] },
    // Turn 3 is sent while Ollama is stopped; then again (Retry).
    { chunks: ['Done: nothing else to change.'] },
    // The fork's turn 3, then its turn 4 (about the selection).
    { chunks: ['Hello from the fork.'] },
    { chunks: ['That line is the greeting.'] },
  ], { countPrompts: true });
  const project = makeProject(t, files);
  const { page, problems } = await openProject(t, project, /notes\.txt/, { OLLAMA_HOST: ollama.url });

  // The Chat tab is the first and open one; a new conversation opens in the centre.
  const right = page.getByRole('tablist', { name: 'Right pane' });
  assert.equal(await right.getByRole('tab', { name: 'Chat' }).getAttribute('aria-selected'), 'true');
  await page.getByRole('button', { name: 'New conversation' }).click();
  const chat = page.getByRole('article', { name: 'Conversation' });
  await chat.getByRole('heading', { name: 'New conversation' }).waitFor();
  const composer = chat.getByRole('form', { name: 'Message composer' });
  const box = composer.getByRole('textbox', { name: 'Message' });
  await composer.getByRole('combobox', { name: 'Model' }).locator('option[value="tiny:latest"]').waitFor({ state: 'attached' });

  // @-mention: typing @note offers notes.txt; Enter chooses it and it becomes a chip.
  await box.click();
  await box.pressSequentially('Change the greeting in @note');
  const suggestions = composer.getByRole('listbox', { name: 'Mention suggestions' });
  await suggestions.getByRole('option', { name: /notes\.txt/ }).first().waitFor();
  await shot(page, 'mention');
  await box.press('Enter');
  await suggestions.waitFor({ state: 'detached' });
  const attached = composer.getByRole('list', { name: 'Attached to the message' });
  assert.deepEqual(await attached.getByRole('listitem').allTextContents(), ['@notes.txt×']);
  await box.pressSequentially('to "hello agent"');
  assert.equal(await box.inputValue(), 'Change the greeting in @notes.txt to "hello agent"');
  await box.press('Enter');

  // Turn 1 opens as the conversation; the edit waits for approval: deny it with a reason.
  const turn1 = chat.getByRole('region', { name: 'Turn 1', exact: true });
  await turn1.waitFor();
  const context1 = turn1.getByRole('list', { name: 'Context of turn 1' });
  await context1.getByText(/^@notes\.txt · [0-9a-f]{7}$/).waitFor();
  await context1.getByText('rules: AGENTS.md').waitFor();
  const card = turn1.getByRole('region', { name: 'Approval needed' });
  await card.waitFor();
  assert.match((await card.locator('.ask-title').textContent()) ?? '', /notes\.txt/);
  await card.getByRole('textbox', { name: 'Reason for denying' }).fill(reason);
  await shot(page, 'approval');
  await card.getByRole('button', { name: 'Deny', exact: true }).click();
  await card.waitFor({ state: 'detached' });
  await turn1.locator('.run-badge[data-status="validated"]').waitFor();
  await turn1.getByText('Understood: I leave notes.txt as it is.').waitFor();

  // The model was told the reason in the edit's tool result.
  assert.equal(ollama.requests.length, 3, 'turn 1 made three model steps');
  const afterDeny = ollama.requests[2];
  const toolResults = contents(afterDeny, 'tool');
  assert.ok(toolResults.some((c) => c.includes(reason)), `the denied edit's result carries the reason: ${JSON.stringify(toolResults)}`);
  const asked = contents(ollama.requests[0], 'user').at(-1) ?? '';
  assert.ok(asked.startsWith('Change the greeting in @notes.txt to "hello agent"'), `the message is the user's: ${asked}`);
  assert.match(asked, /@notes\.txt:\n```\nhello world\nsecond line\n```/, 'the @-file is sent with it');
  assert.ok(ollama.requests[0].messages.some((m) => m.content.includes('Keep answers short.')), 'the rules file is in the first request');
  assert.deepEqual(readFileSync(join(project, 'notes.txt'), 'utf8'), files['notes.txt'], 'nothing was written');

  // The thread is in the list; the meter shows the last prompt against the window.
  const list = page.getByRole('list', { name: 'Conversations' });
  await list.getByRole('button', { name: /^Change the greeting in @notes\.txt.* validated 1 turn tiny:latest/ }).waitFor();
  await composer.getByTestId('token-meter').getByText(/^[\d,]+ \/ 4,096 tokens$/).waitFor();

  // Turn 2: a follow-up carries turn 1's messages.
  await box.fill('What does the file say now?');
  await box.press('Enter');
  const turn2 = chat.getByRole('region', { name: 'Turn 2', exact: true });
  await turn2.getByText('It still says hello world.').waitFor();
  await turn2.locator('.run-badge[data-status="validated"]').waitFor();
  const followUp = ollama.requests[3];
  assert.ok(contents(followUp, 'user').some((c) => c.startsWith('Change the greeting in @notes.txt')), "turn 1's message is carried");
  assert.equal(contents(followUp, 'user').at(-1), 'What does the file say now?');
  assert.ok(contents(followUp, 'assistant').includes('Understood: I leave notes.txt as it is.'), "turn 1's answer is carried");
  assert.ok(contents(followUp, 'tool').some((c) => c.includes(reason)), "turn 1's denial is carried");
  await shot(page, 'followup');

  // Turn 3 is sent while Ollama is stopped: the message is kept as a turn
  // that failed with the reason; Ollama comes back and Retry sends it.
  await ollama.stop();
  await box.fill('Add a third line to notes.txt.');
  await box.press('Enter');
  const turn3 = chat.getByRole('region', { name: 'Turn 3', exact: true });
  await turn3.waitFor();
  const retry = turn3.getByRole('button', { name: 'Retry', exact: true });
  await retry.waitFor();
  assert.match((await turn3.textContent()) ?? '', /ollama is not running/i, 'the failed turn says why');
  assert.equal(await turn3.locator('.turn-foot .run-badge').first().textContent(), 'failed');
  await shot(page, 'failed');
  await ollama.start();
  await retry.click();

  // Turn 4 is turn 3 again; turn 3 folds away.
  const turn4 = chat.getByRole('region', { name: 'Turn 4', exact: true });
  await turn4.getByText('Done: nothing else to change.').waitFor();
  await turn4.getByRole('list', { name: 'Context of turn 4' }).getByText('retry of turn 3').waitFor();
  await turn3.getByText('failed — retried in turn 4').waitFor();
  const retried = ollama.requests[4];
  assert.equal(contents(retried, 'user').at(-1), 'Add a third line to notes.txt.');
  assert.ok(contents(retried, 'assistant').includes('It still says hello world.'), "the retry goes on from turn 2's messages");
  await chat.locator('.chat-scroll').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await shot(page, 'retried');

  // Fork at turn 2: a new conversation with turns 1–2 that accepts a message.
  await turn2.getByRole('button', { name: 'Fork here' }).click();
  const fork = turn2.getByRole('group', { name: 'Fork at turn 2' });
  assert.equal(await fork.getByRole('checkbox', { name: /Also restore the files/ }).isChecked(), false);
  await fork.getByRole('button', { name: 'Fork', exact: true }).click();
  await chat.getByRole('heading', { name: /^Fork of Change the greeting/ }).waitFor();
  await chat.getByRole('region', { name: 'Turn 2', exact: true }).waitFor();
  assert.equal(await chat.getByRole('region', { name: /^Turn \d+$/ }).count(), 2, 'the fork has turns 1–2');
  await chat.getByRole('region', { name: 'Turn 1', exact: true }).getByText('from the original conversation').waitFor();
  await box.fill('Say hello.');
  await box.press('Enter');
  const forked3 = chat.getByRole('region', { name: 'Turn 3', exact: true });
  await forked3.getByText('Hello from the fork.').waitFor();
  const forkReq = ollama.requests[5];
  assert.equal(contents(forkReq, 'user').at(-1), 'Say hello.');
  assert.ok(contents(forkReq, 'assistant').includes('It still says hello world.'), "the fork goes on from turn 2's messages");
  assert.ok(!contents(forkReq, 'user').includes('Add a third line to notes.txt.'), "the original's later turns are not in the fork");
  await list.getByRole('button', { name: /^Fork of Change the greeting.* fork / }).waitFor();
  assert.equal(await list.getByRole('listitem').count(), 2);
  await shot(page, 'fork');
  await composer.getByRole('button', { name: 'Settings' }).click();
  await composer.getByRole('checkbox', { name: 'Use project rules (AGENTS.md, CLAUDE.md…)' }).waitFor();
  await shot(page, 'settings');
  await composer.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Switch theme' }).click();
  await shot(page, 'fork-other-theme');
  await page.getByRole('button', { name: 'Switch theme' }).click();

  // Ask about selection: line 1 of notes.txt goes to the open conversation as a chip.
  await page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: /notes\.txt/ }).click();
  const content = page.getByRole('textbox', { name: 'Contents of notes.txt' });
  await content.getByText('hello world').click();
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
  await page.getByRole('button', { name: 'Ask about selection' }).click();
  await chat.getByRole('heading', { name: /^Fork of Change the greeting/ }).waitFor();
  assert.deepEqual(await attached.getByRole('listitem').allTextContents(), ['notes.txt:1×']);
  await box.fill('What is this line?');
  await shot(page, 'selection');
  await box.press('Enter');
  await chat.getByRole('region', { name: 'Turn 4', exact: true }).getByText('That line is the greeting.').waitFor();
  await chat.getByRole('list', { name: 'Context of turn 4' }).getByText('notes.txt:1').waitFor();
  const about = contents(ollama.requests[6], 'user').at(-1) ?? '';
  assert.ok(about.startsWith('What is this line?'), about);
  assert.match(about, /Selected in notes\.txt, lines 1–1:\n```\nhello world\n```/, 'the selection is sent with the message');

  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});
