import { expect, type Page } from '@playwright/test';
import { openStudio, setNumber, test, waitForRunEnd } from './helpers.js';

/**
 * Faults found when the studio was tried as a new user would (issue 12 part C),
 * each driven the way that user hit it.
 */

/** Choose in-memory files in the data picker (made by the test, not shipped). */
async function openDataBuffers(page: Page, files: { name: string; text: string }[]): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('open-data').click();
  await (await chooser).setFiles(files.map((f) => ({ name: f.name, mimeType: 'text/csv', buffer: Buffer.from(f.text) })));
}

/** 200 rows: two features and, last (the default label), a measurement with ~100 distinct values. */
function continuousCsv(): string {
  const rows = ['width,height,weight'];
  for (let i = 0; i < 200; i++) rows.push(`${(i % 17) * 0.3},${(i % 11) * 0.7},${(10 + (i % 100) * 0.25).toFixed(2)}`);
  return rows.join('\n') + '\n';
}

/** Rows of a 2-feature, 2-class table (class by the sign of x). */
function twoClassCsv(n: number, offset = 0): string {
  const rows = ['x,y,label'];
  for (let i = 0; i < n; i++) {
    const x = ((i * 7 + offset) % 21) - 10;
    rows.push(`${x},${(i * 3) % 5},${x < 0 ? 'left' : 'right'}`);
  }
  return rows.join('\n') + '\n';
}

async function train(page: Page, epochs: number): Promise<void> {
  await setNumber(page, 'epochs', epochs);
  await page.getByTestId('train-button').click();
  await waitForRunEnd(page);
}

/**
 * The notices on screen and the charts of the Training tab share no pixel: each
 * notice's box against the part of each chart canvas the panel shows (a canvas
 * scrolled out of the panel is hidden by it, not by a notice).
 */
async function expectNoticesBesideCharts(page: Page): Promise<void> {
  await expect(page.locator('.notice').first()).toBeVisible();
  const boxes = await page.evaluate(() => {
    type Box = { left: number; top: number; right: number; bottom: number };
    const box = (e: Element): Box => {
      const r = e.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    };
    const panel = box(document.querySelector('[data-testid="panel-training"]')!);
    const shown = (b: Box): Box => ({
      left: Math.max(b.left, panel.left),
      top: Math.max(b.top, panel.top),
      right: Math.min(b.right, panel.right),
      bottom: Math.min(b.bottom, panel.bottom),
    });
    return {
      notices: [...document.querySelectorAll('.notice')].map(box),
      charts: [...document.querySelectorAll('[data-testid="panel-training"] canvas')].map((c) => shown(box(c))),
    };
  });
  // The loss and accuracy charts at least, and some of each in view.
  expect(boxes.charts.length).toBeGreaterThanOrEqual(2);
  expect(boxes.charts.filter((c) => c.bottom > c.top && c.right > c.left).length).toBeGreaterThanOrEqual(2);
  for (const n of boxes.notices) {
    for (const c of boxes.charts) {
      const overlap = n.left < c.right && c.left < n.right && n.top < c.bottom && c.top < n.bottom;
      expect(overlap, `notice ${JSON.stringify(n)} covers chart ${JSON.stringify(c)}`).toBe(false);
    }
  }
}

test('C3: a continuous label column gives one notice that says so, not a flood; Clear all clears', async ({ page }) => {
  await openStudio(page);
  await openDataBuffers(page, [{ name: 'animals.csv', text: continuousCsv() }]);
  await expect(page.getByTestId('data-summary')).toContainText('animals.csv');
  const warning = page.getByTestId('notice-warning');
  await expect(warning.filter({ hasText: 'The label column looks continuous' })).toContainText('"weight" has 100 distinct numeric values');
  // Not one warning per class: a few notices at most.
  expect(await page.locator('.notice').count()).toBeLessThanOrEqual(4);
  await expect(page.getByText(/has no test samples/)).toHaveCount(0);
  // Notices of one kind given again are counted, and Clear all empties the stack.
  await page.getByRole('button', { name: 'Two gaussians' }).click();
  await openDataBuffers(page, [{ name: 'animals.csv', text: continuousCsv() }]);
  await expect(page.getByTestId('notice-count')).toHaveText('×2');
  await openDataBuffers(page, [{ name: 'two-rows.csv', text: 'a,b,label\n1,2,x\n3,4,y\n' }]);
  await expect(page.getByTestId('notice-error')).toBeVisible();
  await page.getByTestId('notices-clear-all').click();
  await expect(page.locator('.notice')).toHaveCount(0);
});

test("C5: one class and a tiny file are explained in the user's words", async ({ page }) => {
  await openStudio(page);
  await openDataBuffers(page, [{ name: 'same.csv', text: 'a,b,label\n1,2,yes\n3,4,yes\n5,6,yes\n7,8,yes\n9,1,yes\n' }]);
  await expect(page.getByTestId('notice-warning').filter({ hasText: 'The label column has only one class' })).toBeVisible();
  await expect(page.getByTestId('train-blocker')).toContainText('The label column has only one class');
  await expect(page.getByTestId('data-summary')).toContainText('1 class');
  await expect(page.getByText(/softmax-cross-entropy needs at least 2 outputs/)).toHaveCount(0);

  await openDataBuffers(page, [{ name: 'two-rows.csv', text: 'a,b,label\n1,2,x\n3,4,y\n' }]);
  await expect(page.getByTestId('notice-error').filter({ hasText: 'Too few rows for a 20% test split' })).toBeVisible();
  await expect(page.getByText(/holding out 0.2 of 2/)).toHaveCount(0);
});

test('C6 and C2: the discard question comes before the data changes; a rebuilt network is a new Untitled model', async ({ page }) => {
  await openStudio(page);
  await train(page, 3);
  const download = page.waitForEvent('download');
  await page.getByTestId('save-model').click();
  await page.getByTestId('prompt-input').fill('spiral');
  await page.getByTestId('prompt-confirm').click();
  await download;
  await expect(page.getByTestId('document-title')).toHaveText('spiral.safetensors');
  await train(page, 2); // unsaved trained weights again

  // Cancel: nothing has changed, the spiral is still loaded and trainable.
  await page.getByRole('button', { name: 'MNIST digits' }).click();
  await expect(page.getByTestId('confirm-dialog')).toContainText('Loading MNIST will discard them');
  await expect(page.getByTestId('data-summary')).toContainText('spiral');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('data-summary')).toContainText('spiral');
  await expect(page.getByTestId('train-button')).toBeEnabled();
  await expect(page.getByTestId('document-title')).toHaveText('spiral.safetensors');

  // Discard: the new data with a network built for it, under no file name; asked only once.
  await page.getByRole('button', { name: 'MNIST digits' }).click();
  await page.getByRole('button', { name: 'Discard' }).click();
  await expect(page.getByTestId('data-summary')).toContainText('784 features', { timeout: 60_000 });
  await expect(page.getByTestId('confirm-dialog')).toHaveCount(0);
  await expect(page.getByTestId('document-title')).toHaveText('Untitled model');
  await expect(page.getByTestId('metric-test-accuracy')).toHaveText('–');
  // The engine builds the network for the new data right after the load; the suggested name
  // follows it once built (a Save clicked in between still offers the old widths, so retry).
  await expect(async () => {
    await page.getByTestId('save-model').click();
    const suggested = await page.getByTestId('prompt-input').inputValue();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(suggested).toMatch(/^mnist.*-784-50-10\.safetensors$/);
  }).toPass({ timeout: 30_000 });

  // New model: Untitled, fresh weights, after asking about unsaved work.
  await page.getByTestId('new-model').click();
  await expect(page.getByTestId('document-title')).toHaveText('Untitled model');
  await expect(page.getByTestId('unsaved-mark')).toHaveCount(0);
});

test('C8 and C7: a held-out test file is named in the data header; figures of replaced data are not shown as current', async ({ page }) => {
  await openStudio(page);
  await expect(page.getByTestId('open-data-hint')).toContainText('choose both files together');
  await train(page, 2);
  await expect(page.getByTestId('metric-test-accuracy')).not.toHaveText('–');

  // Same shape of data (2 features, 3 classes): the weights stay, but the old figures no longer apply.
  await page.getByRole('button', { name: 'Two gaussians' }).click();
  await expect(page.getByTestId('data-summary')).toContainText('gaussians');
  await expect(page.getByTestId('confirm-dialog')).toHaveCount(0);
  await expect(page.getByTestId('metric-test-accuracy')).toHaveText('–');

  await openDataBuffers(page, [
    { name: 'sides.csv', text: twoClassCsv(120) },
    { name: 'sides-test.csv', text: twoClassCsv(40, 3) },
  ]);
  // A file's shape is known only once read: with trained weights unsaved, the question comes first.
  await page.getByRole('button', { name: 'Discard' }).click();
  const header = page.getByTestId('data-summary');
  await expect(header).toContainText('sides.csv');
  await expect(page.getByTestId('test-file')).toHaveText('from sides-test.csv');
  await expect(header).toContainText('test 40');
});

test('C10: epochs add to what is trained, honest times and speeds, a readable accuracy axis and graph', async ({ page }, info) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await openStudio(page);
  // At 1024 px the top bar still shows the model's name.
  expect((await page.getByTestId('document-title').boundingBox())?.width ?? 0).toBeGreaterThan(40);
  // One step takes a few milliseconds: no speed is made up from it.
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(page.getByTestId('iteration')).toHaveText('1');
  await expect(page.getByTestId('speed')).toHaveCount(0);

  await train(page, 3);
  await expect(page.getByTestId('epochs-hint')).toHaveText('more, after the 3 trained');
  await expect(page.getByTestId('speed')).toBeVisible();
  // A small set's epoch takes milliseconds, said as such.
  await expect(page.getByTestId('metric-epoch-time')).not.toHaveText('0.00 s');
  await expect(page.getByTestId('metric-epoch-time')).toHaveText(/^(\d+ ms|\d+\.\d+ s)$/);
  // "Training finished" is given: it sits beside the charts, never over their corner.
  await expectNoticesBesideCharts(page);
  await page.screenshot({ path: info.outputPath('c10-training.png') });
  await page.setViewportSize({ width: 1440, height: 900 });
  await train(page, 1);
  await expectNoticesBesideCharts(page);
  await page.screenshot({ path: info.outputPath('c10-training-1440.png') });
  // Still dismissable where they are.
  const finished = page.locator('.notice').filter({ hasText: 'Training finished 4 epochs' });
  await finished.getByRole('button', { name: 'Dismiss' }).click();
  await expect(finished).toHaveCount(0);
  await page.setViewportSize({ width: 1024, height: 768 });

  // The graph's labels stay readable at 1024 px, and an empty tax box puts no "NaN" on its edge.
  await page.getByRole('tab', { name: 'Graph' }).click();
  const svg = page.locator('.stage svg');
  const smallest = await svg.evaluate((s) => {
    const scale = s.getBoundingClientRect().width / (s as SVGSVGElement).viewBox.baseVal.width;
    const sizes = [...s.querySelectorAll('text')].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
    return Math.min(...sizes);
  });
  expect(smallest).toBeGreaterThanOrEqual(11);
  await page.locator('[data-input="tax"]').fill('');
  await expect(page.locator('.stage')).not.toContainText('NaN');
  await page.screenshot({ path: info.outputPath('c10-graph.png') });
});
