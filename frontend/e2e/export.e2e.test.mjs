// Runs in Chromium: a committed edit run is exported as an HTML report
// through the run view's Export… menu; the downloaded file opens offline
// (every network request refused) and shows the task, the diff, the commit
// and the log's verify line.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { artifacts, makeProject, openProject, tempDir } from './helpers.mjs';

mkdirSync(artifacts, { recursive: true });

const files = {
  'a.txt': 'hello\n',
  'src/main.go': 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hello")\n}\n',
};

test('a committed run exported as HTML opens offline with its diff and the verify line', async (t) => {
  const project = makeProject(t, files);
  const { page, problems } = await openProject(t, project);

  // An edit in the editor, proposed as a run and committed.
  const tree = page.getByRole('tree', { name: 'Files' });
  await tree.getByRole('treeitem', { name: /src/ }).click();
  await tree.getByRole('treeitem', { name: /main\.go/ }).click();
  const content = page.getByRole('textbox', { name: 'Contents of src/main.go' });
  await content.getByText('fmt.Println("hello")').click();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('fmt.Println("exported <b>report</b>")');
  await page.getByLabel('edited').waitFor();
  await page.getByRole('button', { name: 'Propose change…' }).click();
  const view = page.getByRole('article', { name: 'Run' });
  await view.getByRole('heading', { name: 'Edit src/main.go' }).waitFor();
  await view.locator('.run-title .run-badge[data-status="validated"]').waitFor();
  await view.getByRole('button', { name: 'Commit', exact: true }).click();
  await view.locator('.run-title .run-badge[data-status="committed"]').waitFor();

  // Export… → HTML report: the browser downloads one file.
  await view.getByRole('button', { name: 'Export…' }).click();
  const menu = view.getByRole('menu', { name: 'Export the run report as' });
  const [dl] = await Promise.all([page.waitForEvent('download'), menu.getByRole('menuitem', { name: /HTML report/ }).click()]);
  assert.match(dl.suggestedFilename(), /\.html$/, 'the file is named as HTML');
  const saved = join(tempDir(t, 'ice-e2e-export-'), dl.suggestedFilename());
  await dl.saveAs(saved);
  await page.getByRole('status').getByText(/Report downloaded as/).waitFor();
  const html = readFileSync(saved, 'utf8');
  assert.ok(html.startsWith('<!DOCTYPE html>'), 'an HTML document');
  assert.ok(!html.includes('<b>report</b>'), 'the edited text is escaped, not markup');

  // Opened from disk, offline: a new context that refuses every request.
  const context = await page.context().browser().newContext({ viewport: { width: 1100, height: 900 } });
  t.after(() => context.close());
  const asked = [];
  await context.route('**', (r) => {
    const u = r.request().url();
    if (u.startsWith('file:')) return r.continue();
    asked.push(u);
    return r.abort();
  });
  const report = await context.newPage();
  const reportProblems = [];
  report.on('pageerror', (e) => reportProblems.push(String(e)));
  await report.goto(pathToFileURL(saved).href);
  await report.getByRole('heading', { name: /Edit src\/main\.go/ }).first().waitFor();
  const diff = report.locator('span.add', { hasText: 'fmt.Println("exported <b>report</b>")' });
  await diff.first().waitFor();
  assert.ok((await diff.count()) >= 1, 'the diff shows the added line (as text)');
  await report.getByText('--- a/src/main.go').first().waitFor();
  const verify = report.locator('#verify');
  await verify.waitFor();
  assert.match(await verify.textContent(), /Log verify:.*hash chain intact/, 'the verify line of the log at export time');
  await report.getByText(/committed/).first().waitFor();
  await report.screenshot({ path: join(artifacts, 'e2e-export-report.png'), fullPage: true });
  assert.deepEqual(asked, [], 'the report asks the network for nothing');
  assert.deepEqual(reportProblems, [], 'no errors in the report page');
  assert.deepEqual(problems, [], 'no uncaught errors in the Studio page');
});
