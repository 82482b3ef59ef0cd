// The explorer in Chromium: a project that is a git repository shows git
// decorations (modified, untracked, ignored dimmed), hides ignored files on
// request, has an entry menu; an edit run, once committed, is committed to
// git from the run's offer, with exactly the run's file in the commit.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, makeProject, openProject } from './helpers.mjs';

mkdirSync(artifacts, { recursive: true });

const git = (dir, ...args) =>
  execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir } });

test('git decorations, ignored files, the entry menu, and a git commit of exactly a run file', async (t) => {
  const project = makeProject(t, {
    '.gitignore': 'node_modules/\n*.log\n',
    'README.md': '# Project\n',
    'src/app.js': 'export const greeting = "hello";\n',
    'src/util.js': 'export const two = 2;\n',
  });
  git(project, 'init', '-q', '-b', 'main');
  git(project, 'config', 'user.name', 'E2E');
  git(project, 'config', 'user.email', 'e2e@example.com');
  git(project, 'config', 'commit.gpgsign', 'false');
  git(project, 'add', '-A');
  git(project, 'commit', '-q', '-m', 'initial');
  // The user's own work in progress: modified, untracked, ignored.
  writeFileSync(join(project, 'README.md'), '# Project\n\nMore words.\n');
  writeFileSync(join(project, 'notes.txt'), 'untracked\n');
  writeFileSync(join(project, 'debug.log'), 'noise\n');
  mkdirSync(join(project, 'node_modules', 'pkg'), { recursive: true });
  writeFileSync(join(project, 'node_modules', 'pkg', 'index.js'), 'module.exports = 1;\n');

  const { page, problems, tree } = await openProject(t, project, /README\.md/);
  const row = (name) => tree.getByRole('treeitem', { name });
  await page.getByText('⎇ main').waitFor();
  await tree.locator('[data-path="README.md"][data-git="M"]').waitFor();
  assert.match((await row('notes.txt').getAttribute('class')) ?? '', /git-untracked/);
  assert.match((await row('debug.log').getAttribute('class')) ?? '', /ignored/);
  assert.match((await row('node_modules').getAttribute('class')) ?? '', /ignored/);
  await row('src').click();
  await row('app.js').waitFor();
  await page.locator('.pane').first().screenshot({ path: join(artifacts, 'e2e-explorer-git.png') });

  // Hidden on request, and back.
  await page.getByRole('button', { name: 'Hide ignored' }).click();
  await row('node_modules').waitFor({ state: 'detached' });
  assert.equal(await row('debug.log').count(), 0);
  await page.getByRole('button', { name: 'Show ignored' }).click();
  await row('node_modules').waitFor();

  // The entry menu, from the keyboard: Shift+F10 opens, Esc closes.
  await row('app.js').click();
  await page.keyboard.press('Shift+F10');
  const menu = page.getByRole('menu', { name: 'Actions on src/app.js' });
  await menu.waitFor();
  assert.equal(await menu.getByRole('menuitem', { name: 'Reveal in file manager' }).count(), 0, 'no Reveal in serve mode');
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });

  // An edit run of src/app.js, committed; then git-committed from the offer.
  const content = page.getByRole('textbox', { name: 'Contents of src/app.js' });
  await content.getByText('export const greeting').click();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('export const name = "ICE";');
  await page.getByRole('button', { name: 'Propose change…' }).click();
  const view = page.getByRole('article', { name: 'Run' });
  await view.locator('.run-title .run-badge[data-status="validated"]').waitFor();
  await view.getByRole('button', { name: 'Commit', exact: true }).click();
  await view.locator('.run-title .run-badge[data-status="committed"]').waitFor();

  const offer = view.getByRole('region', { name: 'Git commit' });
  const message = offer.getByLabel('Commit message');
  await message.waitFor();
  assert.match(await message.inputValue(), /^Edit src\/app\.js\n\n- src\/app\.js\n/);
  await message.fill('Add the name\n\nWritten by an ICE Studio edit run.');
  await offer.getByRole('button', { name: 'Git commit' }).click();
  // Asked like any other capability: the approval card shows the commit.
  const card = view.getByRole('region', { name: 'Approval needed' });
  await card.waitFor();
  await page.screenshot({ path: join(artifacts, 'e2e-explorer-git-approval.png') });
  await card.getByRole('button', { name: 'Allow once', exact: true }).click();
  await view.getByTestId('git-committed').waitFor();
  await page.screenshot({ path: join(artifacts, 'e2e-explorer-git-committed.png') });

  assert.deepEqual(git(project, 'log', '-1', '--name-only', '--format=').trim().split('\n'), ['src/app.js'], 'only the run file is in the commit');
  assert.equal(git(project, 'log', '-1', '--format=%s').trim(), 'Add the name');
  assert.match(git(project, 'status', '--porcelain'), / M README\.md/, "the user's own change stays uncommitted");
  // The tree follows: app.js is no longer modified, README.md still is.
  await tree.locator('[data-path="src/app.js"]:not([data-git])').waitFor();
  await tree.locator('[data-path="README.md"][data-git="M"]').waitFor();
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});
