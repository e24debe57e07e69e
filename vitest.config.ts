import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run the TypeScript sources of core directly, so no build is needed between edits.
    alias: { '@tollgate/core': fileURLToPath(new URL('packages/core/src/index.ts', import.meta.url)) },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: keep the worker count small so the PostgreSQL and concurrency tests are not
    // starved by parallel files.
    maxWorkers: 2,
    reporters: ['default', './tools/summary-reporter.ts'],
  },
});
