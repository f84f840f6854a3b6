import { expect, test, type Page } from '@playwright/test';
import { openStudio, waitForRunEnd } from './helpers.js';

/**
 * The Results tab: confusion matrix, decision regions (live while training) and the
 * misclassified test samples, checked against each other and against the engine.
 */

interface StudioWindow {
  __studio: {
    session: {
      data: { loaded: { testCount: number; classNames: string[]; points?: { bounds: { xMin: number; xMax: number; yMin: number; yMax: number } } } | null };
      link: { send(cmd: unknown): Promise<unknown> };
    };
  };
  __sent?: Record<string, number>;
}

/** Count the commands the app sends to the engine, by type. */
function countCommands(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as StudioWindow;
    const link = w.__studio.session.link;
    const send = link.send.bind(link);
    w.__sent = {};
    link.send = (cmd: unknown) => {
      const type = (cmd as { type: string }).type;
      w.__sent![type] = (w.__sent![type] ?? 0) + 1;
      return send(cmd);
    };
  });
}

test.describe('results views', () => {
  test('confusion matrix, decision regions and misclassified samples agree with each other and the engine', async ({ page }) => {
    await openStudio(page);
    await countCommands(page);
    await page.getByRole('tab', { name: 'Results' }).click();
    await page.getByTestId('train-button').click();
    await waitForRunEnd(page);
    // The regions were redrawn while the run went on, not only at its end.
    const grids = await page.evaluate(() => (window as unknown as StudioWindow).__sent?.predictGrid ?? 0);
    expect(grids).toBeGreaterThanOrEqual(3);

    // Confusion matrix: every test sample counted once; the caption's numbers are the diagonal.
    const { testCount, classNames } = await page.evaluate(() => {
      const d = (window as unknown as StudioWindow).__studio.session.data.loaded!;
      return { testCount: d.testCount, classNames: d.classNames };
    });
    const n = classNames.length;
    const cells = page.locator('.confusion [data-row][data-col]');
    await expect(cells).toHaveCount(n * n);
    const counts = (await cells.allTextContents()).map((t) => Number(t.replace(/,/g, '').trim()));
    const total = counts.reduce((a, b) => a + b, 0);
    const correct = Array.from({ length: n }, (_, k) => counts[k * n + k]!).reduce((a, b) => a + b, 0);
    expect(total).toBe(testCount);
    await expect(page.locator('.confusion .caption')).toContainText(`${correct} of ${total} right`);
    await page.locator('.confusion [data-row="0"][data-col="0"]').hover();
    await expect(page.locator('.confusion .hover')).toContainText(`Class ${classNames[0]} predicted right: ${counts[0]}`);

    // The sample browser lists exactly the off-diagonal samples.
    const wrong = total - correct;
    const caption = page.locator('.samples .caption');
    if (wrong === 0) await expect(caption).toContainText('No misclassified test samples');
    else {
      await expect(caption).toContainText(`of ${wrong}`);
      await expect(page.locator('.samples tbody tr')).toHaveCount(Math.min(wrong, 40));
      // Every listed sample is one the network got wrong.
      const rows = await page.locator('.samples tbody tr').evaluateAll((trs) =>
        trs.map((tr) => [tr.children[1]!.textContent!.trim(), tr.children[2]!.textContent!.trim()]),
      );
      for (const [t, p] of rows) expect(t).not.toBe(p);
    }

    // Decision regions: the class under the mouse is the engine's prediction for that cell.
    const canvas = page.locator('.regions canvas');
    await expect(page.locator('.regions .overlay')).toHaveCount(0);
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    const grid = await page.evaluate(async () => {
      const s = (window as unknown as StudioWindow).__studio.session;
      const bounds = s.data.loaded!.points!.bounds;
      const r = (await s.link.send({ type: 'predictGrid', bounds, cols: 90, rows: 90 })) as { classes: Uint8Array };
      return Array.from(r.classes);
    });
    for (const [row, col] of [
      [10, 10],
      [45, 45],
      [70, 20],
      [20, 75],
    ] as const) {
      await page.mouse.move(box.x + ((col + 0.5) / 90) * box.width, box.y + ((row + 0.5) / 90) * box.height);
      await expect(page.locator('.regions .readout')).toContainText(`predicted ${classNames[grid[row * 90 + col]!]}`);
    }
    await page.screenshot({ path: 'test-results/views-results.png', fullPage: true });
  });
});

test.describe('sample browser on images', () => {
  test('pages through misclassified MNIST test digits drawn as 28x28 thumbnails', async ({ page }) => {
    await openStudio(page);
    await page.getByRole('button', { name: /MNIST digits/ }).click();
    await expect(page.getByTestId('data-summary')).toContainText(/mnist/i, { timeout: 60_000 });
    await page.getByTestId('epochs').fill('1');
    await page.getByTestId('epochs').blur();
    await page.getByTestId('train-button').click();
    await waitForRunEnd(page);
    await page.getByRole('tab', { name: 'Results' }).click();

    const caption = page.locator('.samples .caption');
    await expect(caption).toContainText(/Misclassified test samples\s+1–40 of [\d,]+/);
    const total = Number(/of ([\d,]+)/.exec((await caption.textContent()) ?? '')![1]!.replace(/,/g, ''));
    expect(total).toBeGreaterThan(40);
    const thumbs = page.locator('.samples button.thumb');
    await expect(thumbs).toHaveCount(40);
    // Each thumbnail is a wrong prediction: true label differs from the predicted one.
    for (const label of await thumbs.locator('.labels').allTextContents()) {
      const [t, p] = label.split('→').map((s) => s.trim());
      expect(t).not.toBe(p);
    }
    // Drawn from the engine's pixels: 28x28, the MNIST background (value 0) black.
    const corner = await thumbs.first().locator('canvas').evaluate((c) => {
      const cv = c as HTMLCanvasElement;
      return { w: cv.width, h: cv.height, px: Array.from(cv.getContext('2d')!.getImageData(0, 0, 1, 1).data) };
    });
    expect(corner).toEqual({ w: 28, h: 28, px: [0, 0, 0, 255] });

    // Next page, then the detail of a chosen sample.
    await page.getByRole('button', { name: 'Next ›' }).click();
    await expect(caption).toContainText(`41–80 of ${total.toLocaleString('en-US')}`);
    await thumbs.nth(5).click();
    await expect(page.locator('.samples .detail')).toContainText('probability');
    await page.screenshot({ path: 'test-results/views-samples.png', fullPage: true });
  });
});
