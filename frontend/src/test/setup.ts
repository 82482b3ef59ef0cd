// Vitest runs without globals, so Testing Library cannot register its own
// afterEach cleanup; unmount everything rendered by a test here instead.
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
});
