import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { writeFileSync } from 'node:fs';
import type { Plugin } from 'vite';

// dist/ is committed as an empty placeholder so `go build` works on a fresh
// clone (the binary embeds it); keep the placeholder after each build.
const keepPlaceholder = (): Plugin => ({
  name: 'keep-dist-placeholder',
  closeBundle() {
    writeFileSync('dist/.gitkeep', '');
  },
});

// The built UI lands in dist/, which the Go binary embeds.
export default defineConfig({
  plugins: [react(), keepPlaceholder()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
  },
});
