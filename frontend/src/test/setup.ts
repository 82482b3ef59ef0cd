// Vitest runs without globals, so Testing Library cannot register its own
// afterEach cleanup; unmount everything rendered by a test here instead.
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

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
