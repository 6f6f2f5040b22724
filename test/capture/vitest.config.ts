// Capturing workflow histories (scripts/capture-histories.mjs): the same dev server set-up as the
// test suite, but only the *.capture.ts files, which `npm test` never runs.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/capture/**/*.capture.ts'],
    globalSetup: ['test/setup/temporal-server.ts'],
    pool: 'forks',
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
