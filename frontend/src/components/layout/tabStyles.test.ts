// The editor tabs' close button under the whole stylesheet: the ● of a tab
// with edits shows (the workspace tabs' .tab-close rule once hid it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const css = readFileSync(join(__dirname, '..', '..', 'styles.css'), 'utf8');

describe('editor tab styles', () => {
  afterEach(() => {
    document.head.innerHTML = '';
    document.body.innerHTML = '';
  });

  it('shows the ● of a dirty tab and hides the × of a clean tab not shown', () => {
    const style = document.createElement('style');
    style.textContent = css;
    document.head.append(style);
    const tab = (cls: string, btn: string) =>
      `<span class="centre-tab file-tab ${cls}"><button role="tab" class="link">a.txt</button><button class="icon-btn ed-tab-close ${btn}"><span class="tab-dot">●</span><span class="tab-x">×</span></button></span>`;
    document.body.innerHTML = `<div class="centre-tabs">${tab('dirty', 'is-dirty')}${tab('', '')}${tab('on', '')}</div>`;
    const [dirty, clean, on] = [...document.querySelectorAll<HTMLElement>('.ed-tab-close')];
    const shown = (e: HTMLElement) => getComputedStyle(e).visibility !== 'hidden' && getComputedStyle(e).opacity !== '0';
    expect(shown(dirty!)).toBe(true);
    expect(getComputedStyle(dirty!.querySelector('.tab-dot')!).display).toBe('inline');
    expect(getComputedStyle(dirty!.querySelector('.tab-x')!).display).toBe('none');
    expect(shown(clean!)).toBe(false);
    expect(shown(on!)).toBe(true);
    expect(getComputedStyle(on!.querySelector('.tab-dot')!).display).toBe('none');
  });
});
