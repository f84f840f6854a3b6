import { expect } from '@playwright/test';
import { iteration, openStudio, test } from './helpers.js';

/**
 * Slow motion (issue 12, C9): the default spiral trains in a fraction of a second,
 * too fast to watch its decision regions form. The Speed control beside the
 * regions makes the engine wait after every batch; Pause still answers at once.
 */
test('slow motion: a wait after every batch, the regions redrawn as they form, and Pause answers at once', async ({ page }) => {
  await openStudio(page);
  await page.getByRole('tab', { name: 'Results' }).click();
  await page.getByTestId('pace').selectOption('250');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('Training');
  // 250 ms a batch: after about two seconds, a handful of batches, not the whole run.
  await page.waitForTimeout(2000);
  const early = await iteration(page);
  expect(early).toBeGreaterThan(0);
  expect(early).toBeLessThan(40);
  await expect(page.locator('.regions canvas').first()).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('slow-motion.png'), fullPage: true });
  // Pause between two batches, without waiting out a long run.
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('Paused');
  const paused = await iteration(page);
  await page.waitForTimeout(700);
  expect(await iteration(page)).toBe(paused);
  // Full speed again: the run finishes its epochs.
  await page.getByTestId('pace').selectOption('0');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('Finished', { timeout: 90_000 });
});
