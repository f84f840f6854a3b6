import { expect, test, type Page } from '@playwright/test';
import { iteration, openStudio } from './helpers.js';

/**
 * The Inspector tab (LayerInspector): W, b, dW, db of any Affine layer as heatmaps
 * whose hover readout matches the engine's numbers, histograms, norm charts per
 * layer, and for 28x28 inputs the first layer as one image per hidden unit.
 */

/** The number in a readout like "W[0, 0] = -0.01234 (input 0, unit 0)". */
function readoutValue(text: string | null): number {
  const m = /=\s*(\S+)/.exec(text ?? '');
  if (!m) throw new Error(`no value in readout "${text}"`);
  return Number(m[1]!.replace('−', '-'));
}

/** The engine's own copy of a layer, read through the session the app uses. */
function engineLayer(page: Page, layer: string) {
  return page.evaluate(async (name) => {
    const s = (window as unknown as { __studio: { session: { run: { inspect(l: string): Promise<{ W: Float32Array; dW: Float32Array; b: Float32Array; wShape: [number, number] } | null> } } } }).__studio.session.run;
    const r = await s.inspect(name);
    if (!r) throw new Error(`inspect ${name} failed`);
    return { W: Array.from(r.W), dW: Array.from(r.dW), b: Array.from(r.b), wShape: r.wShape };
  }, layer);
}

async function hoverCanvas(page: Page, selector: string, fx: number, fy: number): Promise<void> {
  await page.locator(selector).scrollIntoViewIfNeeded();
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} not on screen`);
  await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
}

async function stepBatches(page: Page, n: number): Promise<void> {
  const before = await iteration(page);
  for (let i = 0; i < n; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect.poll(() => iteration(page)).toBe(before + n);
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.max(1e-6, Math.abs(b));

test.describe('layer inspector view', () => {
  test('reads W, b, dW and db of any Affine layer, exactly as the engine holds them', async ({ page }) => {
    await openStudio(page);
    await stepBatches(page, 3);
    await page.getByRole('tab', { name: 'Inspector' }).click();

    const tabs = page.getByRole('tablist', { name: 'Affine layers' }).getByRole('tab');
    await expect(tabs).toHaveText(['fc1', 'fc2', 'fc3']);
    await expect(page.locator('.inspector .meta')).toContainText('fc1: 2 → 16');
    for (const t of ['W', 'dW', 'b', 'db']) await expect(page.locator(`canvas[data-name="${t}"]`)).toBeVisible();

    const fc1 = await engineLayer(page, 'fc1');
    expect(fc1.wShape).toEqual([2, 16]);
    // Top-left and bottom-right cells of W, then dW.
    await hoverCanvas(page, 'canvas[data-name="W"]', 0.01, 0.05);
    const wReadout = page.locator('[data-tensor="W"] .heatmap .readout');
    await expect(wReadout).toContainText('W[0, 0]');
    expect(close(readoutValue(await wReadout.textContent()), fc1.W[0]!)).toBe(true);
    await hoverCanvas(page, 'canvas[data-name="W"]', 0.99, 0.95);
    await expect(wReadout).toContainText('W[1, 15]');
    expect(close(readoutValue(await wReadout.textContent()), fc1.W[31]!)).toBe(true);
    await hoverCanvas(page, 'canvas[data-name="dW"]', 0.01, 0.05);
    const dwReadout = page.locator('[data-tensor="dW"] .heatmap .readout');
    await expect(dwReadout).toContainText('dW[0, 0]');
    expect(close(readoutValue(await dwReadout.textContent()), fc1.dW[0]!)).toBe(true);
    // After three batches the gradient of a trained layer is not all zero.
    expect(fc1.dW.some((v) => v !== 0)).toBe(true);
    await expect(page.locator('[data-tensor="W"] .hist .readout')).toContainText('32 values');

    // One norm chart per Affine layer; its title picks the layer.
    await expect(page.locator('.norms .card')).toHaveCount(3);
    await page.locator('.norms .card[data-layer="fc2"] .title').click();
    await expect(page.locator('.inspector .meta')).toContainText('fc2: 16 → 16');
    await expect(tabs.nth(1)).toHaveAttribute('aria-selected', 'true');
    const fc2 = await engineLayer(page, 'fc2');
    await hoverCanvas(page, 'canvas[data-name="b"]', 0.99, 0.5);
    const bReadout = page.locator('[data-tensor="b"] .heatmap .readout');
    await expect(bReadout).toContainText('b[0, 15]');
    expect(close(readoutValue(await bReadout.textContent()), fc2.b[15]!)).toBe(true);

    // Keyboard: arrows move between layers.
    await tabs.nth(1).focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.locator('.inspector .meta')).toContainText('fc3: 16 → 3');
    await page.screenshot({ path: 'test-results/views-inspector.png', fullPage: true });
  });

  test('shows the first layer of a 28x28 network as one image per hidden unit', async ({ page }) => {
    await openStudio(page);
    await page.getByRole('button', { name: /MNIST digits/ }).click();
    await expect(page.getByTestId('data-summary')).toContainText(/mnist/i, { timeout: 60_000 });
    await stepBatches(page, 2);
    await page.getByRole('tab', { name: 'Inspector' }).click();
    await expect(page.locator('.inspector .meta')).toContainText('fc1: 784 → 50');

    const tiles = page.locator('canvas[aria-label^="50 images of 28 by 28 pixels"]');
    await expect(tiles).toBeVisible();
    const fc1 = await engineLayer(page, 'fc1');
    const readout = page.locator('.tiles .readout');
    // The first tile's top-left pixel is W[0, 0] (input 0, unit 0).
    await hoverCanvas(page, '.tiles canvas', 0.002, 0.002);
    await expect(readout).toContainText('unit 0, pixel (row 0, col 0)');
    await expect(readout).toContainText('W[0, 0]');
    expect(close(readoutValue(await readout.textContent()), fc1.W[0]!)).toBe(true);
    // The centre of the first tile is pixel (14, 14) = input 14*28+14 = 406: W[406, 0].
    const box = (await tiles.boundingBox())!;
    // 50 tiles of 28 pixels: far wider than one tile.
    expect(box.width).toBeGreaterThan(28 * 5);
    const hoverText = async (x: number, y: number) => {
      await page.mouse.move(box.x + x, box.y + y);
      return readout.textContent();
    };
    // Walk right along the first tile's top row until the column reaches 14.
    let text = '';
    for (let x = 1; x < 120 && !/col 14\)/.test(text); x++) text = (await hoverText(x, 1)) ?? '';
    expect(text).toMatch(/unit 0, pixel \(row 0, col 14\)/);
    expect(close(readoutValue(text), fc1.W[14 * 50]!)).toBe(true);

    // dW as images too.
    await page.getByRole('group', { name: 'Tensor drawn' }).getByRole('button', { name: 'dW' }).click();
    await hoverCanvas(page, '.tiles canvas', 0.002, 0.002);
    await expect(readout).toContainText('dW[0, 0]');
    await page.screenshot({ path: 'test-results/views-inspector-mnist.png', fullPage: true });
  });
});
