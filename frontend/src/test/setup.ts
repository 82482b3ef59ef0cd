// Vitest runs without globals, so Testing Library cannot register its own
// afterEach cleanup; unmount everything rendered by a test here instead.
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// findBy*/waitFor wait up to 1 s by default; a loaded CI machine can take
// longer to settle a chain of fake backend calls. Waiting longer never makes
// a test pass that should fail: it only removes timing flakes.
configure({ asyncUtilTimeout: 4000 });

afterEach(() => {
  cleanup();
});

// jsdom has no layout: CodeMirror measures text ranges for the cursor and
// selection, which jsdom's Range lacks. Empty rectangles are enough.
if (typeof Range !== 'undefined' && !Range.prototype.getClientRects) {
  const noRects = Object.assign([] as DOMRect[], { item: () => null }) as unknown as DOMRectList;
  Range.prototype.getClientRects = () => noRects;
  Range.prototype.getBoundingClientRect = () => new DOMRect(0, 0, 0, 0);
}
