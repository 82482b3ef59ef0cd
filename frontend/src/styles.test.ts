// The stylesheet's own rules, checked where a rule could override another.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const css = readFileSync(join(__dirname, 'styles.css'), 'utf8');

describe('styles.css', () => {
  afterEach(() => {
    document.head.innerHTML = '';
    document.body.innerHTML = '';
  });

  it('hides a hidden element whatever display its classes give it (the run view’s transcript under the Changes tab)', () => {
    const style = document.createElement('style');
    style.textContent = css;
    document.head.append(style);
    document.body.innerHTML = `
      <div class="run-body body-transcript" id="t" hidden></div>
      <div class="run-body body-changes" id="c" hidden></div>
      <div class="run-body body-transcript" id="shown"></div>`;
    const display = (id: string) => getComputedStyle(document.getElementById(id)!).display;
    expect(display('t')).toBe('none');
    expect(display('c')).toBe('none');
    expect(display('shown')).toBe('flex');
  });
});
