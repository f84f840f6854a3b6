#!/usr/bin/env node
// `npm run screenshots [folder]`: pictures of every main view of the studio, in
// browser mode in Debian's Chromium, light and dark, into `folder` (default
// docs/screenshots, which git ignores). Builds and serves the renderer itself.
//
//   node scripts/screenshots.mjs [folder] [--no-build]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const outDir = resolve(args.find((a) => !a.startsWith('--')) ?? join(root, 'docs', 'screenshots'));
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PORT = Number(process.env.SCREENSHOTS_PORT ?? 4185);
const fixtures = join(root, 'test', 'e2e', 'fixtures');

if (!existsSync(executablePath)) {
  console.error(`screenshots: Chromium not found at ${executablePath}; install it with \`apt-get install chromium\` or set CHROMIUM_PATH`);
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

/** Start scripts/web.mjs and resolve once it prints its URL. */
function startServer() {
  return new Promise((resolveStart, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'web.mjs'), '--port', String(PORT), ...(build ? [] : ['--no-build'])], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolveStart({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`the web server exited (${code}) before serving`)));
  });
}

const { child, url } = await startServer();
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const taken = [];

async function studio(theme) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: theme, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`screenshots: page error: ${e.message}`));
  await page.goto(url);
  await page.getByTestId('data-summary').waitFor();
  await page.getByTestId('train-button').waitFor({ state: 'visible' });
  await page.waitForFunction(() => !document.querySelector('[data-testid="train-button"]')?.hasAttribute('disabled'));
  return { context, page };
}

async function shot(page, name) {
  // Let the last chart frame and canvases paint.
  await page.waitForTimeout(400);
  const file = join(outDir, `${name}.png`);
  await page.screenshot({ path: file });
  taken.push(file);
}

async function tab(page, name) {
  await page.getByRole('tab', { name, exact: true }).click();
}

async function train(page, state = 'Finished') {
  await page.getByTestId('train-button').click();
  await page.getByTestId('run-state').filter({ hasText: state }).waitFor({ timeout: 120_000 });
}

async function openData(page, names) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('open-data').click();
  await (await chooser).setFiles(names.map((n) => join(fixtures, n)));
  await page.waitForFunction((n) => document.querySelector('[data-testid="data-summary"]')?.textContent?.includes(n), names[0]);
}

/** New data on trained, unsaved weights: the studio asks before rebuilding the network. */
async function discardIfAsked(page) {
  const dialog = page.getByTestId('confirm-dialog');
  if (await dialog.waitFor({ timeout: 1500 }).then(() => true, () => false)) await dialog.getByRole('button', { name: 'Discard' }).click();
}

async function dismissNotices(page) {
  for (const b of await page.getByRole('button', { name: 'Dismiss' }).all()) await b.click().catch(() => {});
}

try {
  for (const theme of ['light', 'dark']) {
    const { context, page } = await studio(theme);
    await shot(page, `${theme}-01-start`);
    await train(page);
    await dismissNotices(page);
    await shot(page, `${theme}-02-training-spiral`);
    await tab(page, 'Results');
    await page.waitForTimeout(800);
    await shot(page, `${theme}-03-results-spiral`);
    await tab(page, 'Inspector');
    await shot(page, `${theme}-04-inspector-spiral`);
    await tab(page, 'Data');
    await shot(page, `${theme}-05-data-spiral`);
    await tab(page, 'Graph');
    await shot(page, `${theme}-06-graph`);
    await tab(page, 'Gradient check');
    await page.getByRole('button', { name: 'Run gradient check' }).click();
    await page.getByText(/parameters agree|disagree/).first().waitFor();
    await shot(page, `${theme}-07-gradcheck`);

    if (theme === 'light') {
      // A table with a text label column.
      await openData(page, ['flowers.csv']);
      await discardIfAsked(page);
      await dismissNotices(page);
      await tab(page, 'Data');
      await shot(page, `${theme}-08-data-csv`);

      // The MNIST digits: the book's TwoLayerNet, a few epochs.
      await page.getByRole('button', { name: /MNIST digits/ }).click();
      await page.getByTestId('data-summary').filter({ hasText: '10,000 samples' }).waitFor();
      await discardIfAsked(page);
      await shot(page, `${theme}-09-data-mnist`);
      const epochs = page.getByTestId('epochs');
      await epochs.fill('5');
      await epochs.blur();
      await page.waitForTimeout(400);
      await tab(page, 'Training');
      await train(page);
      await dismissNotices(page);
      await shot(page, `${theme}-10-training-mnist`);
      await tab(page, 'Inspector');
      await page.locator('article[data-tensor="W"]').waitFor();
      await shot(page, `${theme}-11-inspector-mnist`);
      await page.mouse.wheel(0, 2000);
      await shot(page, `${theme}-12-inspector-mnist-images`);
      await tab(page, 'Results');
      await page.waitForTimeout(800);
      await shot(page, `${theme}-13-results-mnist`);

      // An error as the user sees it.
      const chooser = page.waitForEvent('filechooser');
      await page.getByTestId('open-data').click();
      await (await chooser).setFiles(join(fixtures, 'corrupt.csv'));
      await page.getByTestId('notice-error').waitFor();
      await shot(page, `${theme}-14-error`);
    }
    await context.close();
  }
  console.log(`screenshots: ${taken.length} pictures in ${outDir}`);
} finally {
  await browser.close();
  child.kill();
}
