// The layout in Chromium: files open as editor tabs (a preview replaced by
// the next single click, a pinned one kept), an edit marks its tab ●, the
// side bar, the right pane and the panel toggle with Ctrl+B, Ctrl+Alt+B and
// Ctrl+J and stay so after a reload; at 1024×700 and 1440×900, in both
// themes, the diff of a run gets the room and the policy editor's selects
// read fully.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, makeProject, openProject, showRuns } from './helpers.mjs';

mkdirSync(artifacts, { recursive: true });

const long = Array.from({ length: 80 }, (_, i) => `line ${i + 1} says OLDWORD`).join('\n') + '\n';
const files = {
  'a.txt': long,
  'src/main.go': 'package main\n\nfunc main() {}\n',
  'src/util.go': 'package main\n\nfunc util() {}\n',
};

/** tabs lists the editor's tabs: name, ~ for a preview tab, ● for one with edits. */
const tabs = (page) =>
  page
    .getByRole('tablist', { name: 'Open items' })
    .locator('.centre-tab')
    .evaluateAll((els) => els.map((e) => `${e.querySelector('[role="tab"]').textContent}${e.classList.contains('preview') ? '~' : ''}${e.classList.contains('dirty') ? '●' : ''}`));

/** width is a pane's width on screen, in pixels. */
const width = (page, id) => page.locator(`[data-panel][id="${id}"]`).evaluate((e) => e.getBoundingClientRect().width);
const height = (page, id) => page.locator(`[data-panel][id="${id}"]`).evaluate((e) => e.getBoundingClientRect().height);

async function until(f, what) {
  for (let i = 0; i < 50; i++) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** setTheme shows theme: as the system's (prefers-color-scheme), else by the title bar's switch. */
async function setTheme(page, theme) {
  await page.emulateMedia({ colorScheme: theme });
  const now = () => page.evaluate(() => document.documentElement.dataset.theme);
  for (let i = 0; i < 10 && (await now()) !== theme; i++) await new Promise((r) => setTimeout(r, 100));
  if ((await now()) !== theme) await page.getByRole('button', { name: 'Switch theme' }).click();
  await until(async () => (await now()) === theme, `the ${theme} theme`);
}

const shot = (page, name) => page.screenshot({ path: join(artifacts, `e2e-layout-${name}.png`) });

test('editor tabs, pane toggles by key, and the layout at 1024×700 and 1440×900 in both themes', async (t) => {
  const project = makeProject(t, files);
  const { page, problems, tree } = await openProject(t, project);
  await page.setViewportSize({ width: 1440, height: 900 });
  await setTheme(page, 'dark');

  // A single click opens a preview tab; the next single click replaces it.
  await tree.getByRole('treeitem', { name: /a\.txt/ }).click();
  await page.getByRole('textbox', { name: 'Contents of a.txt' }).getByText('line 1 says OLDWORD').waitFor();
  assert.deepEqual(await tabs(page), ['a.txt~']);
  assert.equal(await page.locator('.centre-tab.preview .link').evaluate((e) => getComputedStyle(e).fontStyle), 'italic', 'a preview tab is in italics');
  await tree.getByRole('treeitem', { name: /src/ }).click();
  await tree.getByRole('treeitem', { name: /main\.go/ }).click();
  await page.getByRole('textbox', { name: 'Contents of src/main.go' }).waitFor();
  assert.deepEqual(await tabs(page), ['main.go~'], 'the preview was replaced');

  // A double click pins it; the next file opens beside it.
  await tree.getByRole('treeitem', { name: /main\.go/ }).dblclick();
  assert.deepEqual(await tabs(page), ['main.go']);
  await tree.getByRole('treeitem', { name: /util\.go/ }).click();
  await page.getByRole('textbox', { name: 'Contents of src/util.go' }).waitFor();
  assert.deepEqual(await tabs(page), ['main.go', 'util.go~']);

  // Editing the preview pins it and marks it ●; Ctrl+PageUp goes to main.go and back keeps the edit.
  const util = page.getByRole('textbox', { name: 'Contents of src/util.go' });
  await util.getByText('func util() {}').click();
  await page.keyboard.press('End');
  await page.keyboard.type(' // edited');
  await until(async () => (await tabs(page)).join() === 'main.go,util.go●', 'the dirty marker');
  assert.equal(await page.locator('.centre-tab.dirty .tab-dot').isVisible(), true, 'the ● shows on the tab');
  await page.keyboard.press('Control+PageUp');
  await page.getByRole('textbox', { name: 'Contents of src/main.go' }).waitFor();
  await page.keyboard.press('Control+PageDown');
  await util.getByText('func util() {} // edited').waitFor();

  // Ctrl+W on the edited tab asks first; keeping it changes nothing.
  await page.keyboard.press('Control+w');
  const ask = page.getByRole('alertdialog', { name: 'Discard edits?' });
  await ask.waitFor();
  await shot(page, 'discard-1440-dark');
  await ask.getByRole('button', { name: 'Keep editing' }).click();
  await ask.waitFor({ state: 'detached' });
  assert.deepEqual(await tabs(page), ['main.go', 'util.go●']);

  // The panes: Ctrl+B, Ctrl+Alt+B close the side bar and the right pane; Ctrl+J opens the panel.
  assert.ok((await width(page, 'side')) > 150, 'the side bar is open');
  assert.ok((await height(page, 'panel')) < 2, 'the panel starts closed');
  await page.keyboard.press('Control+b');
  await until(async () => (await width(page, 'side')) < 2, 'the side bar to close');
  await page.keyboard.press('Control+Alt+b');
  await until(async () => (await width(page, 'right')) < 2, 'the right pane to close');
  await page.keyboard.press('Control+j');
  await until(async () => (await height(page, 'panel')) > 80, 'the panel to open');
  await page.getByRole('tablist', { name: 'Panel' }).getByRole('tab', { name: 'Output' }).waitFor();
  assert.ok((await width(page, 'centre')) > 1400, 'the editor takes the whole width');
  await shot(page, 'collapsed-1440-dark');

  // The layout is kept for the folder: a reload finds it so.
  await page.reload();
  const pathField = page.getByLabel(/type its path/);
  await page.locator('[data-panel][id="centre"]').or(pathField).first().waitFor();
  if (await pathField.isVisible()) {
    await pathField.fill(project);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
  }
  await page.locator('[data-panel][id="centre"]').waitFor();
  await until(async () => (await width(page, 'side')) < 2 && (await width(page, 'right')) < 2 && (await height(page, 'panel')) > 80, 'the layout after a reload');
  await page.keyboard.press('Control+b');
  await page.keyboard.press('Control+Alt+b');
  await until(async () => (await width(page, 'side')) > 150 && (await width(page, 'right')) > 200, 'the panes to open again');
  // Tabs are of the session: open main.go again, pinned.
  const explorer = page.getByRole("tree", { name: "Files" });
  await explorer.getByRole('treeitem', { name: /main\.go/ }).or(explorer.getByRole('treeitem', { name: /src/ })).first().waitFor();
  if (!(await explorer.getByRole('treeitem', { name: /main\.go/ }).isVisible())) await explorer.getByRole('treeitem', { name: /src/ }).click();
  await explorer.getByRole('treeitem', { name: /main\.go/ }).dblclick();
  await page.getByRole('textbox', { name: 'Contents of src/main.go' }).waitFor();

  // A run to review: its diff, the Validation in the panel.
  await showRuns(page);
  await page.getByRole('button', { name: /Find & replace/ }).click();
  const form = page.getByRole('form', { name: 'Find and replace' });
  await form.getByLabel('Find').fill('OLDWORD');
  await form.getByLabel('Replace').fill('NEWWORD');
  await page.getByLabel('Validation command').fill('');
  await form.getByRole('button', { name: 'Start run' }).click();
  const view = page.getByRole('article', { name: 'Run' });
  await view.getByRole('region', { name: 'Approval needed' }).getByRole('button', { name: 'Allow for this run', exact: true }).click();
  await view.locator('.run-title .run-badge[data-status="validated"]').waitFor();
  await view.getByRole('tab', { name: /Changes/ }).click();
  const diff = view.getByTestId('diff-view');
  await diff.waitFor();
  await page.getByRole('tablist', { name: 'Panel' }).getByRole('tab', { name: /Validation/ }).click();
  await page.getByRole('region', { name: 'Panel' }).getByText(/no validation command|Validation passed|checked against the files/i).first().waitFor();

  for (const theme of ['dark', 'light']) {
    await setTheme(page, theme);
    for (const [w, h] of [
      [1440, 900],
      [1024, 700],
    ]) {
      await page.setViewportSize({ width: w, height: h });
      await showRuns(page);
      await page.getByRole('tab', { name: /^Run / }).click();
      await diff.waitFor();
      // The diff gets room: at least a dozen lines with the panel open.
      await until(async () => (await diff.locator('.cm-merge-b .cm-line').count()) >= 12, `a diff of a dozen lines at ${w}×${h}`);
      const shown = await diff.locator('.cm-merge-b .cm-scroller').evaluate((e) => e.clientHeight);
      assert.ok(shown > 180, `the diff shows more than a few lines at ${w}×${h} (${shown}px)`);
      await shot(page, `run-${w}-${theme}`);

      // The policy editor: every select reads its whole value.
      await page.getByRole('tab', { name: 'Capabilities' }).click();
      const rules = page.getByTestId('policy-rule');
      await rules.first().waitFor();
      const cut = await page
        .getByRole('region', { name: 'Policy' })
        .locator('.cap-rules select')
        .evaluateAll((els) =>
          els
            .map((s) => {
              const probe = document.createElement('span');
              probe.style.cssText = `font: ${getComputedStyle(s).font}; position: absolute; visibility: hidden; white-space: pre`;
              probe.textContent = s.selectedOptions[0]?.textContent ?? '';
              document.body.append(probe);
              const need = probe.getBoundingClientRect().width;
              probe.remove();
              // The select's own text box: its width less padding, border and the arrow (about 20px).
              const cs = getComputedStyle(s);
              const room = s.getBoundingClientRect().width - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 20;
              return need > room ? `${s.getAttribute('aria-label')}: "${probe.textContent}" needs ${Math.round(need)}px, has ${Math.round(room)}px` : null;
            })
            .filter(Boolean),
        );
      assert.deepEqual(cut, [], `the policy editor's selects read fully at ${w}×${h}`);
      await shot(page, `caps-${w}-${theme}`);

      // The editor with its tabs, the explorer and the panel.
      await page.getByRole('tab', { name: 'main.go' }).click();
      await page.getByRole('textbox', { name: 'Contents of src/main.go' }).waitFor();
      await shot(page, `editor-${w}-${theme}`);
    }
  }

  // The conversation docked on the right, beside the editor.
  await page.getByRole('tablist', { name: 'Right pane' }).getByRole('tab', { name: 'Chat', exact: true }).click();
  await page.getByRole('button', { name: 'New conversation' }).click();
  await page.getByRole('article', { name: 'Conversation' }).waitFor();
  await page.getByRole('button', { name: 'Move the conversation to the right pane' }).click();
  await page.getByRole('tab', { name: 'main.go' }).click();
  await page.getByRole('textbox', { name: 'Contents of src/main.go' }).waitFor();
  await page.locator('[data-panel][id="right"]').getByRole('article', { name: 'Conversation' }).waitFor();
  await shot(page, 'chat-right-1024-light');
  assert.deepEqual(problems, [], 'no uncaught errors in the page');
});
