import { expect, test, type Page } from '@playwright/test';
import { openStudio } from './helpers.js';

/**
 * The Graph tab: the book's shopping example (ch. 5.4) with forward values above
 * and gradients below every edge, computed by core/graph/scalar.ts as you type.
 */
const edge = (page: Page, id: string, kind: 'forward' | 'backward') => page.locator(`[data-edge="${id}"][data-kind="${kind}"]`);

test.describe('computational graph view', () => {
  test('shows the book numbers and follows edits as you type', async ({ page }) => {
    await openStudio(page);
    await page.getByRole('tab', { name: 'Graph' }).click();
    const price = page.locator('[data-output="price"]');

    // Apples and oranges, the book's figure 5-17.
    await expect(price).toHaveText('715');
    await expect(edge(page, 'apple', 'backward')).toHaveText('2.2');
    await expect(edge(page, 'appleNum', 'backward')).toHaveText('110');
    await expect(edge(page, 'orange', 'backward')).toHaveText('3.3');
    await expect(edge(page, 'orangeNum', 'backward')).toHaveText('165');
    await expect(edge(page, 'tax', 'backward')).toHaveText('650');
    await expect(edge(page, 'allPrice', 'forward')).toHaveText('650');
    await expect(edge(page, 'allPrice', 'backward')).toHaveText('1.1');
    await expect(edge(page, 'price', 'backward')).toHaveText('1');
    await page.screenshot({ path: 'test-results/views-graph.png' });

    // Doubling the tax doubles every fruit gradient; dTax (the pre-tax price) does not move.
    await page.locator('[data-input="tax"]').fill('2.2');
    await expect(price).toHaveText('1430');
    await expect(edge(page, 'apple', 'backward')).toHaveText('4.4');
    await expect(edge(page, 'orangeNum', 'backward')).toHaveText('330');
    await expect(edge(page, 'tax', 'backward')).toHaveText('650');

    // More apples: the apple price's gradient is the count times the tax.
    await page.locator('[data-input="appleNum"]').fill('5');
    await expect(edge(page, 'apple', 'backward')).toHaveText('11');
    await expect(edge(page, 'applePrice', 'forward')).toHaveText('500');

    // A box that is not a number is named, and the graph keeps its last good numbers.
    await page.locator('[data-input="apple"]').fill('12a');
    await expect(page.getByRole('status').filter({ hasText: 'Type a number for apple price.' })).toBeVisible();
    // (100 · 5 + 150 · 3) · 2.2, from before the bad edit, shown dimmed.
    await expect(price).toHaveText('2090');

    // Book values, then the apples-only graph of figure 5-16.
    await page.getByRole('button', { name: 'Book values' }).click();
    await expect(price).toHaveText('715');
    await page.getByLabel('with oranges').uncheck();
    await expect(price).toHaveText('220');
    await expect(edge(page, 'tax', 'backward')).toHaveText('200');
    await expect(edge(page, 'appleNum', 'backward')).toHaveText('110');
    await expect(edge(page, 'orange', 'forward')).toHaveCount(0);

    // Hovering a node explains its local rule with the current numbers.
    await page.locator('.node').first().hover();
    await expect(page.locator('.explain')).toContainText('100 × 2 = 200');
    await expect(page.locator('.explain')).toContainText('∂/∂apple = 1.1 × 2 = 2.2');
  });
});
