import { readFileSync, writeFileSync } from 'node:fs';
import { expect, type Page, type TestInfo } from '@playwright/test';
import {
  ends,
  fixture,
  iteration,
  lossHistory,
  openDataFiles,
  openModelFile,
  openStudio,
  percent,
  setNumber,
  test,
  waitForRunEnd,
} from './helpers.js';

/**
 * The studio end to end in browser mode (engine in a Web Worker), driven like a
 * person would: buttons, file pickers, keys. Each test starts from a fresh page.
 */

async function trainToEnd(page: Page): Promise<void> {
  await page.getByTestId('train-button').click();
  await waitForRunEnd(page);
}

/** Save the model as `name`.safetensors (browser mode asks for a name, then downloads); returns where it went. */
async function saveModel(page: Page, info: TestInfo, name: string): Promise<string> {
  const download = page.waitForEvent('download');
  await page.getByTestId('save-model').click();
  await expect(page.getByTestId('prompt-input')).toHaveValue(/\.safetensors$/);
  await page.getByTestId('prompt-input').fill(name);
  await page.getByTestId('prompt-confirm').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`${name}.safetensors`);
  const saved = info.outputPath(`${name}.safetensors`);
  await file.saveAs(saved);
  expect(readFileSync(saved).length).toBeGreaterThan(100);
  await expect(page.getByTestId('document-title')).toHaveText(`${name}.safetensors`);
  await expect(page.getByTestId('unsaved-mark')).toHaveCount(0);
  return saved;
}

test('opens ready to train on a built-in 2-D set, and the first Train shows learning', async ({ page }) => {
  await openStudio(page);
  await expect(page.getByTestId('data-summary')).toContainText('spiral');
  await expect(page.getByTestId('network-problem')).toHaveCount(0);
  await trainToEnd(page);
  const { values } = await lossHistory(page);
  expect(values.length).toBeGreaterThan(10);
  const { first, last } = ends(values, 5);
  expect(last).toBeLessThan(first * 0.5);
  expect(percent(await page.getByTestId('metric-test-accuracy').textContent())).toBeGreaterThan(80);
  // Trained weights that were never saved: the title says so.
  await expect(page.getByTestId('unsaved-mark')).toBeVisible();
});

test('loads a CSV file, marks the label column, and the loss falls while it trains', async ({ page }) => {
  await openStudio(page);
  await openDataFiles(page, ['flowers.csv']);
  await expect(page.getByTestId('data-summary')).toContainText('flowers.csv');
  // The label is the text column "species" (not the last column), found and announced.
  await expect(page.getByTestId('notice-info').filter({ hasText: 'Label column: species' })).toBeVisible();
  await expect(page.getByTestId('label-column')).toHaveValue('2');
  await expect(page.getByTestId('class-counts')).toContainText('versicolor');

  await page.getByRole('tab', { name: 'Data' }).click();
  const table = page.getByTestId('data-table');
  await expect(table.locator('th.label')).toContainText('species');
  await expect(table.locator('tbody tr')).toHaveCount(10);

  // The network fits the data by itself: 4 inputs, 3 outputs.
  await expect(page.getByText('4 features', { exact: true })).toBeVisible();
  await expect(page.getByTestId('network-problem')).toHaveCount(0);

  await page.getByRole('tab', { name: 'Training' }).click();
  await trainToEnd(page);
  const { values } = await lossHistory(page);
  const { first, last } = ends(values, 3);
  expect(last).toBeLessThan(first * 0.6);
  expect(percent(await page.getByTestId('metric-test-accuracy').textContent())).toBeGreaterThan(80);
});

test('loads IDX images with their labels, shows them as a labelled grid and trains on them', async ({ page }) => {
  await openStudio(page);
  await openDataFiles(page, ['digits-images-idx3-ubyte.gz', 'digits-labels-idx1-ubyte.gz']);
  await expect(page.getByTestId('data-summary')).toContainText('400 samples · 784 features · 10 classes');
  await page.getByRole('tab', { name: 'Data' }).click();
  const grid = page.getByTestId('image-grid');
  await expect(grid.locator('canvas').first()).toBeVisible();
  await expect(grid.locator('li').first()).toContainText(/^\s*\d\s*$/);

  // Image data switches the untouched 2-D net to the book's TwoLayerNet (784-50-10).
  const units = page.getByTestId('units');
  await expect(units).toHaveCount(2);
  await expect(units.nth(0)).toHaveValue('50');
  await expect(units.nth(1)).toHaveValue('10');

  await setNumber(page, 'epochs', 50);
  await page.getByRole('tab', { name: 'Training' }).click();
  await trainToEnd(page);
  const { values } = await lossHistory(page);
  const { first, last } = ends(values, 3);
  expect(last).toBeLessThan(first * 0.7);
});

test('an invalid network is explained in place and Train stays disabled with the reason', async ({ page }) => {
  await openStudio(page);
  const units = page.getByTestId('units');
  await units.last().fill('5');
  await expect(page.getByTestId('section-network').getByText('The output layer has 5 units but the data has 3 classes: set it to 3.')).toBeVisible();
  await expect(page.getByTestId('train-button')).toBeDisabled();
  await expect(page.getByTestId('train-blocker')).toContainText('5 units but the data has 3 classes');
  await units.last().fill('3');
  await expect(page.getByTestId('train-button')).toBeEnabled();
});

test('pause stops between batches and resume carries on (buttons and Space)', async ({ page }) => {
  await openStudio(page);
  await page.getByRole('button', { name: /MNIST digits/ }).click();
  await expect(page.getByTestId('data-summary')).toContainText('10,000 samples · 784 features · 10 classes');
  await setNumber(page, 'epochs', 200);
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('Training');
  await expect.poll(() => iteration(page)).toBeGreaterThan(20);

  await page.getByTestId('train-button').click(); // Pause
  await expect(page.getByTestId('run-state')).toHaveText('Paused');
  const paused = await iteration(page);
  await page.waitForTimeout(600);
  expect(await iteration(page)).toBe(paused);

  // One step while paused trains exactly one batch.
  await page.getByRole('button', { name: 'Step' }).click();
  await expect.poll(() => iteration(page)).toBe(paused + 1);

  await page.locator('body').press('Space'); // Resume
  await expect(page.getByTestId('run-state')).toHaveText('Training');
  await expect.poll(() => iteration(page)).toBeGreaterThan(paused + 5);

  await page.locator('body').press('Escape'); // Stop
  await expect(page.getByTestId('run-state')).toHaveText('Stopped');
});

test("inspects a layer's W, b, dW and db, and runs the gradient check", async ({ page }) => {
  await openStudio(page);
  await setNumber(page, 'epochs', 3);
  await trainToEnd(page);

  await page.getByRole('tab', { name: 'Inspector' }).click();
  const inspector = page.getByRole('region', { name: 'Layer inspector' });
  for (const t of ['W', 'b', 'dW', 'db']) {
    await expect(inspector.locator(`article[data-tensor="${t}"]`)).toBeVisible();
  }
  // dW after training is not all zeros: its norm is shown and positive.
  const dW = inspector.locator('article[data-tensor="dW"]');
  await expect(dW.locator('canvas').first()).toBeVisible();
  await inspector.getByRole('tab', { name: 'fc2' }).click();
  await expect(inspector.locator('article[data-tensor="db"] h4')).toContainText('1 × 16');

  await page.getByRole('tab', { name: 'Gradient check' }).click();
  await page.getByRole('button', { name: 'Run gradient check' }).click();
  await expect(page.getByText(/All 6 parameters agree/)).toBeVisible();
});

test('saves a model, reloads it and gets the same test accuracy', async ({ page }, info) => {
  await openStudio(page);
  await openDataFiles(page, ['flowers.csv']);
  await expect(page.getByTestId('data-summary')).toContainText('flowers.csv');
  await setNumber(page, 'epochs', 30);
  await trainToEnd(page);
  const trained = await page.getByTestId('metric-test-accuracy').textContent();
  const saved = await saveModel(page, info, 'flowers-model');

  // New weights: the accuracy is gone, and the model has unsaved changes.
  await page.getByRole('button', { name: 'Reset' }).click();
  await expect(page.getByTestId('metric-test-accuracy')).toHaveText('–');
  await expect(page.getByTestId('unsaved-mark')).toBeVisible();

  // Opening the saved model asks before discarding, then restores it.
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('open-model').click();
  await expect(page.getByTestId('confirm-dialog')).toContainText('unsaved changes');
  await page.getByRole('button', { name: 'Discard' }).click();
  await (await chooser).setFiles(saved);
  await expect(page.getByTestId('metric-test-accuracy')).toHaveText(trained!);
  await expect(page.getByTestId('document-title')).toHaveText('flowers-model.safetensors');
  await expect(page.getByTestId('unsaved-mark')).toHaveCount(0);

  // Ready to continue training from the opened weights.
  await setNumber(page, 'epochs', 2);
  await trainToEnd(page);
  expect(percent(await page.getByTestId('metric-test-accuracy').textContent())).toBeGreaterThan(70);
});

test('a model opened with a file of two of its three classes reads it its way: the model stays, Evaluate scores its outputs', async ({ page }, info) => {
  await openStudio(page);
  await openDataFiles(page, ['flowers.csv']);
  await setNumber(page, 'epochs', 30);
  await trainToEnd(page);
  const saved = await saveModel(page, info, 'three-species');

  // Held-out flowers of two species only; what the trained model scores on them (Try it lines a file up by class name).
  const [header, ...rows] = readFileSync(fixture('flowers-heldout.csv'), 'utf8').trim().split('\n');
  const two = info.outputPath('two-species.csv');
  writeFileSync(two, [header, ...rows.filter((r) => !r.includes(',setosa,'))].join('\n') + '\n');
  await page.getByRole('tab', { name: 'Try it' }).click();
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('evaluate-file').click();
  await (await chooser).setFiles(two);
  const result = page.getByTestId('file-evaluation');
  await expect(result).toContainText('two-species.csv');
  const expected = percent(await result.locator('p').first().textContent());
  expect(expected).toBeGreaterThan(70);

  // A fresh studio: open the model, then the two-species file as the data (no split).
  await openStudio(page);
  await page.locator('#split').fill('0');
  // The built-in set reloads without a split first (it would rebuild the network for its 2-D points).
  await expect(page.getByTestId('data-summary')).toContainText('test 0');
  await openModelFile(page, saved);
  await expect(page.getByTestId('document-title')).toHaveText('three-species.safetensors');
  const chooseData = page.waitForEvent('filechooser');
  await page.getByTestId('open-data').click();
  await (await chooseData).setFiles(two);
  await expect(page.getByTestId('data-summary')).toContainText('two-species.csv');
  // The model's three classes, setosa with no samples; the network and its file stay.
  const counts = page.getByTestId('class-counts').locator('tbody tr');
  await expect(counts).toHaveCount(3);
  await expect(counts.first()).toContainText('setosa');
  await expect(counts.first().locator('td.num').first()).toHaveText('0');
  await expect(page.getByTestId('document-title')).toHaveText('three-species.safetensors');
  await page.getByRole('tab', { name: 'Training' }).click();
  await page.getByTestId('evaluate').click();
  await expect(page.getByTestId('metric-train-accuracy')).not.toHaveText('–');
  expect(percent(await page.getByTestId('metric-train-accuracy').textContent())).toBeCloseTo(expected, 1);
  await page.screenshot({ path: info.outputPath('model-with-two-classes.png'), fullPage: true });
});

test('a corrupt data file and a corrupt model show clear errors, and the session keeps working', async ({ page }) => {
  await openStudio(page);
  await openDataFiles(page, ['corrupt.csv']);
  const err = page.getByTestId('notice-error');
  await expect(err).toContainText('Could not load corrupt.csv');
  await expect(err).toContainText('corrupt.csv:4:');
  await err.getByRole('button', { name: 'Dismiss' }).click();

  await openModelFile(page, fixture('corrupt.safetensors'));
  await expect(page.getByTestId('notice-error')).toContainText('Could not open corrupt.safetensors');

  // The spiral set is still loaded and trains.
  await expect(page.getByTestId('data-summary')).toContainText('spiral');
  await setNumber(page, 'epochs', 5);
  await trainToEnd(page);
});

test('a diverging run stops with the reason and offers a smaller learning rate', async ({ page }) => {
  await openStudio(page);
  // A deep ReLU net with plain SGD at a huge learning rate overflows within a few batches.
  await page.getByTestId('preset').selectOption('deep-relu');
  await page.getByTestId('optimizer').selectOption('sgd');
  await setNumber(page, 'learning-rate', 1000);
  await page.getByTestId('train-button').click();
  await waitForRunEnd(page, 'Diverged');
  const err = page.getByTestId('notice-error').filter({ hasText: 'Training diverged' });
  await expect(err).toContainText('lower the learning rate');
  await err.getByRole('button', { name: /Reset with learning rate 100/ }).click();
  await expect(page.getByTestId('learning-rate')).toHaveValue('100');
  await expect(page.getByTestId('iteration')).toHaveText('0');
});

test('a crashed engine is restarted with the network and data restored', async ({ page }) => {
  await openStudio(page);
  await setNumber(page, 'epochs', 3);
  await trainToEnd(page);
  // Kill the worker the way a crash would, through the same path a real 'error' event takes.
  await page.evaluate(() => {
    const w = window as unknown as { __studio: { session: { link: unknown }; platform: { crashed(link: unknown, why: string): Promise<void> } } };
    void w.__studio.platform.crashed(w.__studio.session.link, 'killed by the test');
  });
  await expect(page.getByTestId('notice-info').filter({ hasText: 'Engine restarted' })).toContainText('weights of epoch 3');
  await expect(page.getByTestId('iteration')).not.toHaveText('0');
  await setNumber(page, 'epochs', 2);
  await trainToEnd(page);
});

test('files dropped on the window open like picked ones', async ({ page }) => {
  await openStudio(page);
  const csv = readFileSync(fixture('flowers.csv'), 'utf8');
  await page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'flowers.csv', { type: 'text/csv' }));
    const app = document.querySelector('.app')!;
    app.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
    app.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    app.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, csv);
  await expect(page.getByTestId('data-summary')).toContainText('flowers.csv');
  await expect(page.getByTestId('class-counts')).toContainText('virginica');
});

test('charts export PNG and CSV, and the loss axis switches to log scale', async ({ page }) => {
  await openStudio(page);
  await setNumber(page, 'epochs', 4);
  await trainToEnd(page);
  const chart = page.getByTestId('loss-chart');
  await chart.getByTestId('log-scale').check();
  await expect(chart.getByTestId('log-scale')).toBeChecked();

  let download = page.waitForEvent('download');
  await chart.getByRole('button', { name: 'PNG' }).click();
  let file = await download;
  expect(file.suggestedFilename()).toBe('loss.png');
  const png = readFileSync(await file.path());
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

  download = page.waitForEvent('download');
  await chart.getByRole('button', { name: 'CSV' }).click();
  file = await download;
  const lines = readFileSync(await file.path(), 'utf8').trim().split('\n');
  expect(lines[0]).toBe('iteration,loss,smoothed');
  const { values } = await lossHistory(page);
  expect(lines).toHaveLength(values.length + 1);

  download = page.waitForEvent('download');
  await page.getByTestId('accuracy-chart').getByRole('button', { name: 'CSV' }).click();
  file = await download;
  const acc = readFileSync(await file.path(), 'utf8').trim().split('\n');
  expect(acc[0]).toBe('epoch,iteration,train_loss,train_accuracy,test_loss,test_accuracy,seconds');
  expect(acc).toHaveLength(5);
});

test('follows the system colour scheme, and the theme button overrides it', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await openStudio(page);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const dark = await background();
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await background();
  expect(dark).not.toBe(light);
  const lum = (c: string) => (c.match(/\d+/g) ?? []).slice(0, 3).reduce((s, v) => s + Number(v), 0);
  expect(lum(dark)).toBeLessThan(lum(light));
  await page.getByRole('button', { name: /^Theme:/ }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await background()).toBe(dark);
});

test('new training settings keep the trained weights, and the charts go on', async ({ page }) => {
  await openStudio(page);
  await setNumber(page, 'epochs', 3);
  await trainToEnd(page);
  const before = await iteration(page);
  expect(before).toBeGreaterThan(0);
  await setNumber(page, 'learning-rate', 0.003);
  await page.getByTestId('optimizer').selectOption('momentum');
  await expect(page.getByTestId('iteration')).toHaveText(String(before)); // not rebuilt
  await trainToEnd(page);
  expect(await iteration(page)).toBe(before * 2);
  await expect(page.getByTestId('run-progress')).toContainText('6 epochs trained');
  const { iterations } = await lossHistory(page);
  expect(iterations[0]).toBeLessThan(before);
  expect(iterations.at(-1)).toBe(before * 2);
});
