// Screenshots of every harness view in light and dark, for looking at while building the views.
//   node renderer/src/components/inspector/harness/shoot.mjs http://127.0.0.1:4399/ /tmp/views-shots [view ...]
// Uses Debian's Chromium (CHROMIUM_PATH or /usr/bin/chromium). Screenshots stay out of git.
import { chromium } from '@playwright/test';
import { mkdirSync } from 'node:fs';

const [base = 'http://127.0.0.1:4399/', out = '/tmp/views-shots', ...only] = process.argv.slice(2);
const views = only.length ? only : ['inspector', 'vanishing', 'graph', 'gradcheck', 'confusion', 'regions', 'samples', 'empty'];
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
const errors = [];
for (const theme of ['light', 'dark']) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: theme });
  page.on('pageerror', (e) => errors.push(`${theme}: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && !/favicon|404/.test(m.text() + m.location().url) && errors.push(`${theme}: console: ${m.text()}`));
  for (const view of views) {
    await page.goto(`${base}?theme=${theme}#${view}`);
    await page.waitForTimeout(400);
    await page.screenshot({ path: `${out}/${view}-${theme}.png`, fullPage: true });
  }
  await page.close();
}
await browser.close();
if (errors.length) {
  console.error(errors.join('\n'));
  process.exit(1);
}
console.log(`screenshots in ${out}`);
