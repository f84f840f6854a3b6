import { readFileSync } from 'node:fs';
import { expect, type Page } from '@playwright/test';
import { fixture, openDataFiles, openStudio, percent, test, waitForRunEnd } from './helpers.js';

/**
 * The "Try it" tab (issue 12, B): class probabilities live for a drawn digit, a
 * dropped image, edited feature values or a picked sample; Evaluate on file and
 * Predict on file (C1: a file is always standardized as the weights were trained).
 */

async function train(page: Page): Promise<void> {
  await page.getByTestId('train-button').click();
  await waitForRunEnd(page);
}

async function openTryIt(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Try it' }).click();
  await expect(page.getByTestId('top-classes').locator('li').first()).not.toContainText('No prediction');
}

/** The probabilities shown, best first. */
async function shown(page: Page): Promise<{ name: string; p: number }[]> {
  const rows = page.getByTestId('top-classes').locator('li');
  const out: { name: string; p: number }[] = [];
  for (const li of await rows.all()) {
    const name = (await li.locator('.name').textContent())!.replace('(true class)', '').trim();
    out.push({ name, p: percent(await li.locator('.p').textContent()) });
  }
  return out;
}

test('table model: edited feature values change the prediction live; Evaluate and Predict on file', async ({ page }) => {
  await openStudio(page);
  await openDataFiles(page, ['flowers.csv']);
  await expect(page.getByTestId('data-summary')).toContainText('flowers.csv');
  await train(page);
  await openTryIt(page);

  // The first test sample is filled in; the three classes add up to 100%.
  await expect(page.getByTestId('tryit-note')).toContainText('test sample #');
  const first = await shown(page);
  expect(first.map((r) => r.name).sort()).toEqual(['setosa', 'versicolor', 'virginica']);
  expect(first.reduce((s, r) => s + r.p, 0)).toBeCloseTo(100, 0);

  // Feature order is the file's: sepal_length, sepal_width, petal_length, petal_width (species left out).
  const set = async (values: number[]): Promise<void> => {
    for (const [j, v] of values.entries()) await page.getByTestId(`feature-${j}`).fill(String(v));
  };
  await set([5.0, 3.4, 1.4, 0.2]);
  await expect(page.getByTestId('top-classes').locator('li').first()).toContainText('setosa');
  await set([6.7, 3.0, 5.8, 2.2]);
  await expect(page.getByTestId('top-classes').locator('li').first()).toContainText('virginica');
  await page.screenshot({ path: test.info().outputPath('tryit-table.png'), fullPage: true });

  // Evaluate on file: accuracy and a per-class table, the loaded data untouched.
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('evaluate-file').click();
  await (await chooser).setFiles(fixture('flowers-heldout.csv'));
  const result = page.getByTestId('file-evaluation');
  await expect(result).toContainText('flowers-heldout.csv: 104 samples');
  await expect(result).toContainText('trained with');
  await expect(result.locator('tbody tr')).toHaveCount(3);
  const fileAccuracy = percent(await result.locator('p').first().textContent());
  expect(fileAccuracy).toBeGreaterThan(80);
  await expect(page.getByTestId('data-summary')).toContainText('flowers.csv');
  await page.screenshot({ path: test.info().outputPath('tryit-evaluate-file.png'), fullPage: true });

  // Predict on file writes a CSV: header, one row per sample, probabilities that sum to 1.
  const download = page.waitForEvent('download');
  const chooser2 = page.waitForEvent('filechooser');
  await page.getByTestId('predict-file').click();
  await (await chooser2).setFiles(fixture('flowers-heldout.csv'));
  const file = await download;
  expect(file.suggestedFilename()).toBe('flowers-heldout-predictions.csv');
  const csv = readFileSync((await file.path())!, 'utf8').trim().split('\n');
  expect(csv[0]).toBe('row,label,predicted,p(setosa),p(versicolor),p(virginica)');
  expect(csv.length).toBe(105);
  const p = csv[1]!.split(',').slice(3).map(Number);
  expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);

  // C1: the same file opened as the data (no split) and evaluated gives the same accuracy.
  await page.getByRole('tab', { name: 'Training' }).click();
  await page.locator('#split').fill('0');
  await openDataFiles(page, ['flowers-heldout.csv']);
  // The studio may ask before replacing data under unsaved weights: keep going (the weights stay).
  const ask = page.getByTestId('confirm-dialog');
  if (await ask.waitFor({ state: 'visible', timeout: 1500 }).then(() => true, () => false)) await ask.locator('button.primary').click();
  await expect(page.getByTestId('data-summary')).toContainText('flowers-heldout.csv');
  await page.getByTestId('evaluate').click();
  await expect(page.getByTestId('metric-train-accuracy')).not.toHaveText('–');
  expect(percent(await page.getByTestId('metric-train-accuracy').textContent())).toBeCloseTo(fileAccuracy, 0);
});

test('image model: a drawn digit and a dropped image get live probabilities; a picked sample shows its class', async ({ page }) => {
  await openStudio(page);
  await openDataFiles(page, ['digits-images-idx3-ubyte.gz', 'digits-labels-idx1-ubyte.gz']);
  await expect(page.getByTestId('data-summary')).toContainText('784 features', { timeout: 60_000 });
  await train(page);
  await openTryIt(page);
  await expect(page.getByTestId('draw-canvas')).toBeVisible();
  await expect(page.getByTestId('tryit-note')).toContainText(/sample #0, class \d/);

  // Draw a vertical stroke: probabilities update while drawing.
  await page.getByTestId('draw-clear').click();
  const box = (await page.getByTestId('draw-canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.2);
  await page.mouse.down();
  for (let k = 1; k <= 10; k++) await page.mouse.move(box.x + box.width / 2, box.y + box.height * (0.2 + 0.06 * k));
  await page.mouse.up();
  await expect(page.getByTestId('tryit-note')).toHaveCount(0);
  const drawn = await shown(page);
  expect(drawn.length).toBe(5);
  expect(drawn[0]!.p).toBeGreaterThan(drawn[4]!.p);
  await page.screenshot({ path: test.info().outputPath('tryit-draw.png'), fullPage: true });

  // An image file (dark ink on white paper, any size) is fitted, made grayscale and inverted like the training images.
  const png = await page.evaluate(async () => {
    const c = document.createElement('canvas');
    c.width = 100;
    c.height = 60;
    const g = c.getContext('2d')!;
    g.fillStyle = '#fff';
    g.fillRect(0, 0, 100, 60);
    g.strokeStyle = '#000';
    g.lineWidth = 8;
    g.beginPath();
    g.arc(50, 30, 18, 0, Math.PI * 2);
    g.stroke();
    return c.toDataURL('image/png');
  });
  await page.getByTestId('image-file').setInputFiles({ name: 'zero.png', mimeType: 'image/png', buffer: Buffer.from(png.split(',')[1]!, 'base64') });
  await expect(page.getByTestId('tryit-note')).toContainText('100×60 image fitted into 28×28, grayscale 0..1, inverted');
  await expect(page.getByTestId('top-classes').locator('li')).toHaveCount(5);

  // Any sample of the test set: its true class is marked.
  await page.getByTestId('sample-index').fill('3');
  await page.getByTestId('sample-pick').click();
  await expect(page.getByTestId('tryit-note')).toContainText('sample #');
  await expect(page.getByTestId('top-classes')).toContainText('(true class)');
});

test('a confusion-matrix cell filters the sample browser to that pair; a sample shows its top 3 classes', async ({ page }) => {
  await openStudio(page);
  await train(page);
  await page.getByRole('tab', { name: 'Results' }).click();
  // The diagonal cell of the first class: its right predictions, as many as the cell counts.
  const cell = page.getByTestId('confusion-cell-0-0');
  const n = Number((await cell.textContent())!.replace(/\D/g, ''));
  expect(n).toBeGreaterThan(0);
  await cell.click();
  await expect(page.getByTestId('sample-filter')).toContainText('Class arm 1, predicted right');
  await expect(page.locator('.samples .caption')).toContainText(`of ${n}`);
  const rows = page.locator('.samples tbody tr');
  await expect(rows.first()).toBeVisible();
  for (const r of await rows.all()) {
    await expect(r.locator('td').nth(1)).toHaveText('arm 1');
    await expect(r.locator('td').nth(2)).toHaveText('arm 1');
  }
  // The selected sample's three most likely classes, its true class marked.
  const top3 = page.getByTestId('sample-top3');
  await expect(top3.locator('li')).toHaveCount(3);
  await expect(top3).toContainText('(true class)');
  await page.screenshot({ path: test.info().outputPath('results-confusion-filter.png'), fullPage: true });
  // Back to every mistake.
  await page.getByRole('button', { name: 'show all mistakes' }).click();
  await expect(page.getByTestId('sample-filter')).toHaveCount(0);
});
