import { expect, type Page } from '@playwright/test';
import { openStudio, setNumber, test } from './helpers.js';

/**
 * Convolutional networks in the studio (issue 11 items 1 and 2): SimpleConvNet from
 * its preset on the built-in MNIST digits, trained two epochs to the book's accuracy;
 * its filters before and after training, their gradients and one sample's feature maps
 * in the Inspector; a kernel larger than its input explained on its row.
 */

async function loadMnist(page: Page): Promise<void> {
  await page.getByRole('button', { name: /MNIST digits/ }).click();
  await expect(page.getByTestId('data-summary')).toContainText('10,000 samples · 784 features · 10 classes', { timeout: 60_000 });
}

function epochs(page: Page): Promise<{ epoch: number; testAccuracy: number | null; seconds: number }[]> {
  return page.evaluate(() => (window as unknown as { __studio: { session: { history: { epochs: { epoch: number; testAccuracy: number | null; seconds: number }[] } } } }).__studio.session.history.epochs.map((e) => ({ epoch: e.epoch, testAccuracy: e.testAccuracy, seconds: e.seconds })));
}

test('SimpleConvNet from the preset trains two epochs on MNIST to >= 95% test accuracy; filters and feature maps render', async ({ page }) => {
  test.setTimeout(900_000);
  await openStudio(page);
  await loadMnist(page);
  await page.getByTestId('preset').selectOption('simple-convnet');

  // Shapes per row as the book gives them, and the input as an image.
  await expect(page.getByTestId('input-shape')).toHaveText('N×1×28×28');
  const shapes = page.getByTestId('layer-shape');
  await expect(shapes).toHaveText(['N×30×24×24', 'N×30×24×24', 'N×30×12×12', 'N×100', 'N×100', 'N×10']);
  await expect(page.getByTestId('opt-filters').first()).toHaveValue('30');
  await expect(page.getByTestId('optimizer')).toHaveValue('adam');
  await setNumber(page, 'epochs', 2);
  await page.getByTestId('section-network').screenshot({ path: test.info().outputPath('convnet-editor.png') }).catch(() => page.screenshot({ path: test.info().outputPath('convnet-editor.png'), fullPage: true }));

  const started = Date.now();
  await page.getByRole('tab', { name: 'Training' }).click();
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('Finished', { timeout: 840_000 });
  const wall = (Date.now() - started) / 1000;
  const done = await epochs(page);
  console.log(`SimpleConvNet, 2 epochs on 8,000 MNIST training digits in headless Chromium: ${wall.toFixed(1)} s wall, epochs ${done.map((e) => `${e.epoch}: ${e.seconds.toFixed(1)} s, test ${((e.testAccuracy ?? 0) * 100).toFixed(2)}%`).join('; ')}`);
  expect(done).toHaveLength(2);
  expect(done[1]!.testAccuracy!).toBeGreaterThanOrEqual(0.95);

  // The Inspector was never open before training: the engine kept the filters as built for the before/after figure.
  await page.getByRole('tab', { name: 'Inspector' }).click();
  const images = page.getByTestId('image-layers');
  await expect(images.getByTestId('filters-before').locator('canvas')).toHaveCount(30, { timeout: 60_000 });
  await expect(images.getByTestId('filters').locator('canvas')).toHaveCount(30);
  await expect(images.getByTestId('filter-grads').locator('canvas')).toHaveCount(30);
  // Feature maps of the input, conv1, relu1 and pool1: 1, 30, 30, 30 channels (the grids cap at 48).
  for (const [name, n] of [['input', 1], ['conv1', 30], ['relu1', 30], ['pool1', 30]] as const) {
    await expect(images.getByTestId(`feature-maps-${name}`).locator('canvas')).toHaveCount(n);
  }
  await expect(images.getByTestId('feature-maps-pool1')).toContainText('30×12×12');
  await images.getByTestId('filters').scrollIntoViewIfNeeded();
  // Tiles are drawn once on screen.
  await expect(images.getByTestId('filters').locator('canvas[data-drawn="true"]').first()).toBeAttached();
  await page.screenshot({ path: test.info().outputPath('convnet-filters.png'), fullPage: true });
  await images.getByTestId('feature-maps-conv1').scrollIntoViewIfNeeded();
  await expect(images.getByTestId('feature-maps-conv1').locator('canvas[data-drawn="true"]').first()).toBeAttached();
  await page.screenshot({ path: test.info().outputPath('convnet-feature-maps.png'), fullPage: true });

  // Another sample: the maps follow it.
  await images.getByTestId('feature-sample').fill('7');
  await expect(images.getByTestId('feature-maps-input').locator('canvas')).toHaveCount(1);
});

test('a kernel larger than its input says so on its row; BatchNorm statistics show in the Inspector', async ({ page }) => {
  test.setTimeout(300_000);
  await openStudio(page);
  await loadMnist(page);
  await page.getByTestId('preset').selectOption('deep-convnet');
  await expect(page.getByTestId('layer-shape').nth(5)).toHaveText('N×32×7×7');

  // The second Convolution with a 17x17 kernel on its 16x14x14 input padded by 1 (16x16).
  const row = page.getByTestId('layer-row').nth(3);
  await row.getByTestId('opt-size').fill('17');
  await expect(row.getByTestId('layer-error')).toHaveText('On input 16x14x14: kernel 17x17 is larger than its input 16x14x14 padded by 1');
  await expect(page.getByTestId('train-button')).toBeDisabled();
  await page.getByTestId('section-network').screenshot({ path: test.info().outputPath('convnet-kernel-error.png') }).catch(() => page.screenshot({ path: test.info().outputPath('convnet-kernel-error.png'), fullPage: true }));
  await row.getByTestId('opt-size').fill('3');
  await expect(row.getByTestId('layer-error')).toHaveCount(0);

  // BatchNorm after the first Convolution; a few steps of training, then its statistics.
  await page.getByTestId('add-batchnorm').click();
  const kinds = page.getByTestId('layer-row').locator('select');
  // Move the new BatchNorm up until it follows conv1.
  for (let i = 0; i < 12; i++) {
    const values = await kinds.evaluateAll((els) => els.map((e) => (e as HTMLSelectElement).value));
    const at = values.indexOf('batchnorm');
    if (at <= 1) break;
    await page.getByRole('button', { name: `Move layer ${at + 1} up` }).click();
  }
  await expect(page.getByTestId('layer-shape').nth(1)).toHaveText('N×16×28×28');
  await setNumber(page, 'epochs', 1);
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('Training');
  await page.waitForFunction(() => (window as unknown as { __studio: { session: { history: { iteration: number } } } }).__studio.session.history.iteration >= 10);
  await page.locator('body').press('Escape');
  await expect(page.getByTestId('run-state')).toHaveText('Stopped');
  await page.getByRole('tab', { name: 'Inspector' }).click();
  await page.getByTestId('image-layer-bn1').click();
  await expect(page.getByTestId('bn-stats').locator('tr')).toHaveCount(4);
  await page.getByTestId('bn-stats').scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath('convnet-batchnorm.png'), fullPage: true });
});
