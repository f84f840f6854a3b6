import { defineConfig } from '@playwright/test';

/**
 * The desktop app itself, launched with Playwright's `_electron` from the built
 * bundles (`npm run test:electron-app`). It needs the Electron binary: where it is
 * missing (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1) the test skips and says why.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../../test-results/electron-app',
  timeout: 240_000,
  expect: { timeout: 30_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
});
