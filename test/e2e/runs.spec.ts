import { expect, type Page } from '@playwright/test';
import { openStudio, setNumber, test, waitForRunEnd } from './helpers.js';

/**
 * The Runs view (issue 11): every run kept and overlaid, one of the book's
 * comparisons, a short hyperparameter search, early stopping, and runs still
 * there after a reload (IndexedDB in browser mode). Screenshots of each view go
 * to the test's output folder. The frame rate of the Training and Runs views
 * while a comparison trains is measured and printed, not asserted.
 */

const SHOTS = process.env.E2E_OUTPUT ?? 'test-results';

async function openRuns(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Runs' }).click();
  await expect(page.getByTestId('runs-view')).toBeVisible();
}

async function train(page: Page): Promise<void> {
  await page.getByTestId('train-button').click();
  await waitForRunEnd(page);
}

/** Runs replace the trained weights: when they are unsaved the studio asks first, and the test agrees. */
async function discard(page: Page): Promise<void> {
  const button = page.getByRole('dialog', { name: 'Discard unsaved changes?' }).getByRole('button', { name: 'Discard' });
  await button.click({ timeout: 10_000 }).catch(() => undefined); // not asked: nothing unsaved
}

/**
 * requestAnimationFrame callbacks per second over `ms` on the page as it is, and whether the
 * comparison was still training when the window closed (else the figure is partly idle time).
 */
function framesPerSecond(page: Page, ms: number): Promise<{ fps: number; duringRun: boolean }> {
  return page.evaluate(
    (ms) =>
      new Promise<{ fps: number; duringRun: boolean }>((resolve) => {
        let frames = 0;
        const t0 = performance.now();
        const tick = (): void => {
          frames++;
          if (performance.now() - t0 < ms) requestAnimationFrame(tick);
          else resolve({ fps: (frames * 1000) / (performance.now() - t0), duringRun: (window as unknown as { __studio: { session: { runs: { queue: { state: string } } } } }).__studio.session.runs.queue.state !== 'idle' });
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
}

// The trace keeps its DOM snapshots for a failure, but no screencast: encoding a screenshot of every
// changed frame costs the page's own frames (Runs view 19-23 frames/s with it, 43-60 without, same build).
test.use({ trace: { mode: 'retain-on-failure', screenshots: false, snapshots: true } });
test.describe('runs view', () => {
  test('every run is kept and overlaid; a comparison, a search and early stopping land in it; all survive a reload', async ({ page }) => {
    test.setTimeout(420_000);
    await openStudio(page);
    // Each test starts from an empty store: the page's IndexedDB is per origin, shared across tests.
    await page.evaluate(() => new Promise<void>((resolve) => {
      const r = indexedDB.deleteDatabase('backprop-studio-runs');
      r.onsuccess = r.onerror = r.onblocked = () => resolve();
    }));
    await page.reload();
    await openStudio(page);

    // --- two runs by hand, listed and overlaid -------------------------------------------
    await setNumber(page, 'epochs', 5);
    await train(page);
    await train(page); // continues the same weights: a second run
    await openRuns(page);
    const rows = page.getByTestId('run-row');
    await expect(rows).toHaveCount(2);
    await page.getByLabel('Select every run').check();
    await expect(page.getByTestId('runs-loss-chart')).toHaveAttribute('data-series-count', '2');
    await expect(page.getByTestId('runs-metric-chart')).toHaveAttribute('data-series-count', '2');
    await expect(page.getByTestId('runs-diff')).toContainText('same settings');
    await page.getByTestId('runs-x-axis').selectOption('time');
    await page.waitForTimeout(400);
    await page.screenshot({ path: `${SHOTS}/runs-two-runs.png`, fullPage: true });

    // --- the book's optimizer comparison, with the frame rate measured while it trains --------
    // Long enough runs (about a second each here) that both windows fall inside the comparison.
    await setNumber(page, 'compare-epochs', 300);
    await page.getByTestId('compare-optimizers').click();
    await discard(page);
    await expect(page.getByTestId('queue-status')).toBeVisible();
    const runsFps = await framesPerSecond(page, 2000);
    await page.getByRole('tab', { name: 'Training' }).click();
    const trainingFps = await framesPerSecond(page, 2000);
    const during = (m: { duringRun: boolean }): string => (m.duringRun ? '' : ' (the comparison had ended: partly idle)');
    console.log(
      `frames per second while the comparison trains (goal >= 30): Training view ${trainingFps.fps.toFixed(1)}${during(trainingFps)}, ` +
        `Runs view ${runsFps.fps.toFixed(1)}${during(runsFps)}`,
    );
    await openRuns(page);
    await page.screenshot({ path: `${SHOTS}/runs-comparison-running.png`, fullPage: true });
    await expect(page.getByTestId('queue-status')).toBeHidden({ timeout: 300_000 });
    await expect(rows).toHaveCount(8);
    for (const name of ['SGD', 'Momentum', 'Nesterov', 'AdaGrad', 'RMSprop', 'Adam']) {
      await expect(page.locator(`[data-testid="run-row"][data-run-name="${name}"]`)).toContainText('Optimizers');
    }
    // The comparison's runs are selected and overlaid; their settings differ in optimizer and learning rate.
    await expect(page.getByTestId('runs-loss-chart')).toHaveAttribute('data-series-count', '6');
    const differing = await page.locator('[data-testid="diff-row"][data-differs="true"] th').allTextContents();
    expect(differing).toContain('optimizer');
    expect(differing).toContain('learning rate');
    await page.getByTestId('sort-finalTestAccuracy').click();
    await page.screenshot({ path: `${SHOTS}/runs-comparison.png`, fullPage: true });

    // --- a short search -------------------------------------------------------------------
    await page.getByTestId('tools-search').click();
    await setNumber(page, 'search-trials', 3);
    await setNumber(page, 'search-epochs', 2);
    await page.getByTestId('search-start').click();
    await discard(page);
    await expect(page.getByTestId('search-best').locator('li')).toHaveCount(3, { timeout: 120_000 });
    await expect(page.getByTestId('queue-status')).toBeHidden({ timeout: 60_000 });
    await expect(page.getByTestId('search-scatter-learningRate')).toHaveAttribute('data-points', '3');
    await expect(rows).toHaveCount(11);
    await page.screenshot({ path: `${SHOTS}/runs-search.png`, fullPage: true });

    // --- early stopping on a single run ----------------------------------------------------------
    await page.getByRole('tab', { name: 'Training' }).click();
    await page.getByTestId('early-stopping').check();
    await expect(page.getByTestId('validation-split')).toHaveValue('0.1');
    await setNumber(page, 'patience', 2);
    await setNumber(page, 'epochs', 300);
    await page.getByTestId('train-button').click();
    await waitForRunEnd(page);
    await openRuns(page);
    await expect(rows).toHaveCount(12);
    const early = rows.filter({ hasText: '(best' });
    await expect(early).toHaveCount(1);
    const message = await early.locator('.label').getAttribute('title');
    expect(message).toMatch(/finished early: the validation loss has not improved for 2 epochs; the weights of epoch \d+ \(validation loss [\d.]+\) were restored/);
    await page.screenshot({ path: `${SHOTS}/runs-early-stopping.png`, fullPage: true });

    // --- everything is still there after a reload ------------------------------------------
    const names = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-run-name')));
    await page.reload();
    await openStudio(page);
    await openRuns(page);
    await expect(rows).toHaveCount(12);
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-run-name')))).toEqual(names);
    await page.getByLabel('Select every run').check();
    await expect(page.getByTestId('runs-loss-chart')).toHaveAttribute('data-series-count', '12');
    await page.setViewportSize({ width: 900, height: 900 });
    await page.screenshot({ path: `${SHOTS}/runs-narrow.png`, fullPage: true });
  });
});
