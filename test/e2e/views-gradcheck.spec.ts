import { expect, test } from '@playwright/test';
import { openStudio } from './helpers.js';

/** The Gradient check tab: one row per parameter with its shape, green when backprop agrees. */
test.describe('gradient check view', () => {
  test('runs on the current network and shows every parameter agreeing', async ({ page }) => {
    await openStudio(page);
    await page.getByRole('tab', { name: 'Gradient check' }).click();
    await expect(page.getByText('No check run yet.')).toBeVisible();
    await page.getByRole('button', { name: 'Run gradient check' }).click();

    const rows = page.locator('.gradcheck tbody tr');
    await expect(rows).toHaveCount(6);
    await expect(page.locator('.gradcheck .summary')).toContainText('All 6 parameters agree');
    await expect(page.locator('.gradcheck tbody tr.row-ok')).toHaveCount(6);
    // The default 2-D net: 2 -> 16 -> 16 -> classes, weights [in, out], biases [1, out].
    await expect(rows.locator('th')).toHaveText(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias']);
    await expect(rows.nth(0).locator('td').first()).toHaveText('2 × 16');
    await expect(rows.nth(2).locator('td').first()).toHaveText('16 × 16');
    await expect(rows.nth(3).locator('td').first()).toHaveText('1 × 16');
    // Relative errors are tiny numbers, each printed.
    for (const text of await rows.locator('td:nth-child(5)').allTextContents()) expect(Number(text)).toBeLessThan(1e-6);
    await page.screenshot({ path: 'test-results/views-gradcheck.png' });
  });
});
