import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests of the whole studio in browser mode (engine in a Web Worker),
 * in Debian's Chromium: the Electron binary cannot be downloaded on the build
 * machines, and Playwright's own browsers are not installed.
 */
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  throw new Error(
    `Chromium not found at ${chromium}. Install it with \`apt-get install chromium\` (Debian), or point CHROMIUM_PATH at a Chromium binary.`,
  );
}

const PORT = Number(process.env.E2E_PORT ?? 4179);
/** E2E_DIST: build and serve from another folder than dist/renderer (parallel runs on one checkout). */
const DIST = process.env.E2E_DIST;

export default defineConfig({
  testDir: 'test/e2e',
  outputDir: process.env.E2E_OUTPUT ?? 'test-results',
  timeout: 120_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    headless: true,
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    // Build, then serve dist/renderer with the cross-origin isolation headers.
    command: `node scripts/web.mjs --port ${PORT}${DIST ? ` --out-dir ${JSON.stringify(DIST)}` : ''}`,
    url: `http://127.0.0.1:${PORT}/`,
    timeout: 300_000,
    reuseExistingServer: !process.env.CI,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
