import { expect, test as base, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';

/** A fixture file under test/e2e/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/**
 * `test` whose page fails the test on any uncaught error or Content-Security-Policy
 * violation (browser mode sends the desktop app's CSP): bugs whatever a test checks.
 */
export const test = base.extend<{ pageProblems: string[] }>({
  pageProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
      page.on('console', (m) => {
        // Errors and warnings alike: the engine only warns when the CSP keeps its WebAssembly from compiling.
        if ((m.type() === 'error' || m.type() === 'warning') && /Content Security Policy|Refused to|unsafe-eval/i.test(m.text())) {
          problems.push(`CSP: ${m.text()}`);
        }
      });
      await use(problems);
      expect(problems, 'errors in the page').toEqual([]);
    },
    { auto: true },
  ],
});

/** Open the studio and wait until the engine is up and the default data set is loaded. */
export async function openStudio(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('data-summary')).toBeVisible();
  await expect(page.getByTestId('train-button')).toBeEnabled();
}

/** Choose files in the data file picker (button in the Data panel). */
export async function openDataFiles(page: Page, names: string[]): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('open-data').click();
  await (await chooser).setFiles(names.map(fixture));
}

export async function openModelFile(page: Page, path: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('open-model').click();
  await (await chooser).setFiles(path);
}

/** The loss per iteration as the charts hold it. */
export function lossHistory(page: Page): Promise<{ iterations: number[]; values: number[] }> {
  return page.evaluate(() => {
    const s = (window as unknown as { __studio: { session: { history: { loss: { iterations: number[]; values: number[] } } } } }).__studio.session.history;
    return { iterations: [...s.loss.iterations], values: [...s.loss.values] };
  });
}

export function iteration(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __studio: { session: { history: { iteration: number } } } }).__studio.session.history.iteration);
}

/** Mean of the first and last `k` values. */
export function ends(values: number[], k: number): { first: number; last: number } {
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  return { first: mean(values.slice(0, k)), last: mean(values.slice(-k)) };
}

export async function waitForRunEnd(page: Page, state = 'Finished'): Promise<void> {
  await expect(page.getByTestId('run-state')).toHaveText(state, { timeout: 90_000 });
}

/** Set a training setting's number box. */
export async function setNumber(page: Page, testid: string, value: number): Promise<void> {
  const box = page.getByTestId(testid);
  await box.fill(String(value));
  await box.blur();
}

export function percent(text: string | null): number {
  const m = /([\d.]+)%/.exec(text ?? '');
  if (!m) throw new Error(`no percentage in "${text}"`);
  return Number(m[1]);
}
