// Workspaces in Chromium: the explorer follows changes made on disk by
// another program, search and quick open find files, the status bar tells
// how the folder is watched and indexed, and a workspace tab closes.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { artifacts, makeProject, openProject } from './helpers.mjs';

mkdirSync(artifacts, { recursive: true });

const files = {
  'README.md': '# demo\n\nA small project.\n',
  'c.txt': 'to be deleted\n',
  'src/main.go': 'package main\n\nfunc main() {}\n',
  'src/util/strings.go': 'package util\n\n// Reverse reverses s.\nfunc Reverse(s string) string { return s }\n',
};


const row = (tree, path) => tree.locator(`[role="treeitem"][data-path="${path}"]`);

test('the explorer follows the disk; search and quick open find files; the status bar shows the index', async (t) => {
  const project = makeProject(t, files);
  const { page, problems, tree } = await openProject(t, project, /README\.md/);
  const status = page.getByLabel('Workspace status');
  await status.getByText('Index ready').waitFor({ timeout: 15_000 });
  assert.match(await status.textContent(), /Watching \d+ folders?/, 'the folder is watched');
  assert.match(await status.textContent(), /4 files/, 'the files are counted');

  // Another program writes a file in a new folder: it shows up, without a reload.
  const word = `quixotic${process.pid}`;
  mkdirSync(join(project, 'notes'));
  writeFileSync(join(project, 'notes', 'todo.txt'), `first line\nremember the ${word} plan\nlast line\n`);
  await row(tree, 'notes').waitFor({ timeout: 3_000 });
  await row(tree, 'notes').click();
  await row(tree, 'notes/todo.txt').waitFor({ timeout: 3_000 });
  await status.getByText('5 files').waitFor({ timeout: 3_000 });

  // ... and deletes one: it goes.
  rmSync(join(project, 'c.txt'));
  await row(tree, 'c.txt').waitFor({ state: 'detached', timeout: 3_000 });
  await status.getByText('4 files').waitFor({ timeout: 3_000 });

  // Search (Ctrl+Shift+F): the new file's line, its match marked.
  await page.keyboard.press('Control+Shift+F');
  const box = page.getByRole('textbox', { name: 'Search text' });
  await box.waitFor();
  assert.equal(await box.evaluate((el) => el === document.activeElement), true, 'Ctrl+Shift+F puts the focus in the search box');
  await page.keyboard.type(word.toUpperCase());
  const results = page.getByRole('list', { name: 'Search results' });
  const hit = results.getByRole('button', { name: new RegExp(`remember the ${word} plan`) });
  await hit.waitFor();
  assert.deepEqual(await results.locator('.search-file-head').evaluateAll((els) => els.map((e) => e.getAttribute('title'))), ['notes/todo.txt']);
  assert.equal(await hit.locator('mark').textContent(), word, 'the match is marked, found whatever its case');
  assert.equal(await hit.locator('.search-ln').textContent(), '2');
  await page.locator('.search-summary').getByText(/^1 match in 1 file · took \d+ ms/).waitFor();
  await page.screenshot({ path: join(artifacts, 'e2e-search.png') });
  // The rest in the other theme, to see both.
  await page.getByRole('button', { name: 'Switch theme' }).click();
  await page.screenshot({ path: join(artifacts, 'e2e-search-other-theme.png') });

  // A result opens its file at its line.
  await hit.click();
  const details = page.getByLabel('Selection details');
  await details.locator('.cm-content').getByText(`remember the ${word} plan`).waitFor();
  assert.equal(await details.locator('.cm-activeLine').textContent(), `remember the ${word} plan`, 'the line is selected');

  // Quick open (Ctrl+P): part of a name, Enter opens it.
  await page.keyboard.press('Control+P');
  const palette = page.getByRole('dialog', { name: 'Quick open' });
  await palette.waitFor();
  await page.keyboard.type('strgo');
  const first = palette.getByRole('option').first();
  await first.and(page.getByTitle('src/util/strings.go')).waitFor();
  assert.ok((await first.locator('mark').count()) > 0, 'the matched letters are marked');
  await page.screenshot({ path: join(artifacts, 'e2e-quick-open.png') });
  await page.keyboard.press('Enter');
  await palette.waitFor({ state: 'detached' });
  await details.locator('.cm-content').getByText('func Reverse(s string) string { return s }').waitFor();

  // Escape closes it without opening anything.
  await page.keyboard.press('Control+P');
  await palette.waitFor();
  await page.keyboard.press('Escape');
  await palette.waitFor({ state: 'detached' });
  await details.locator('.cm-content').getByText('func Reverse').waitFor();

  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});

test('search matches as rg: Unicode case folding, whole words by Unicode letters, a regex that matches empty lines', async (t) => {
  const project = makeProject(t, {
    'greek.txt': 'ΣΊΣΥΦΟΣ and σίσυφος\nnothing here\n',
    'cafe.txt': 'café au lait\nthe caf is closed\n\nlast\n',
  });
  const { page, problems } = await openProject(t, project, /greek\.txt/);
  await page.getByLabel('Workspace status').getByText('Index ready').waitFor({ timeout: 15_000 });
  await page.keyboard.press('Control+Shift+F');
  const box = page.getByRole('textbox', { name: 'Search text' });
  const results = page.getByRole('list', { name: 'Search results' });
  const summary = page.locator('.search-summary');

  // A final sigma folds with σ and Σ: both words of the line are marked.
  await box.fill('σίσυφοσ');
  const greek = results.getByRole('button', { name: /ΣΊΣΥΦΟΣ and σίσυφος/ });
  await greek.waitFor();
  assert.deepEqual(await greek.locator('mark').allTextContents(), ['ΣΊΣΥΦΟΣ', 'σίσυφος']);

  // Whole word: é is a letter, so "caf" is not a word in "café".
  await box.fill('caf');
  await summary.getByText(/^2 matches in 1 file/).waitFor();
  await page.getByRole('button', { name: 'Match whole word' }).click();
  await summary.getByText(/^1 match in 1 file/).waitFor();
  await results.getByRole('button', { name: /the caf is closed/ }).waitFor();
  await page.screenshot({ path: join(artifacts, 'e2e-search-whole-word.png') });
  await page.getByRole('button', { name: 'Match whole word' }).click();

  // ^$ finds the empty line (with nothing to mark).
  await page.getByRole('button', { name: 'Use regular expression' }).click();
  await box.fill('^$');
  await summary.getByText(/^1 match in 1 file/).waitFor();
  assert.equal(await results.locator('.search-ln').textContent(), '3');
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});

test('closing a workspace tab goes back to the welcome screen; the folder can be opened again from the recent list', async (t) => {
  const project = makeProject(t, files);
  const { page, problems } = await openProject(t, project, /README\.md/);
  const name = basename(project);
  const tabs = page.getByRole('navigation', { name: 'Workspaces' });
  await tabs.getByRole('button', { name, exact: true }).waitFor();

  await tabs.getByRole('button', { name: `Close ${name}` }).click();
  await page.getByRole('heading', { name: 'ICE Studio' }).waitFor();
  await tabs.getByRole('button', { name, exact: true }).waitFor({ state: 'detached' });
  const recent = page.getByRole('list', { name: 'Recent folders' });
  await recent.getByText(project).waitFor();

  await recent.getByRole('button', { name: new RegExp(name) }).first().click();
  await page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: /README\.md/ }).waitFor();
  await page.getByLabel('Workspace status').getByText(/Index ready|Indexing/).waitFor({ timeout: 15_000 });
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});
