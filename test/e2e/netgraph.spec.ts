import { expect, type Page } from '@playwright/test';
import { openDataFiles, openStudio, test, waitForRunEnd } from './helpers.js';

/**
 * The Graph tab's "Your network": the network being trained as the book's
 * computational graph, one batch stepped forward node by node and backward from
 * dL/dL = 1, with the engine's own numbers (issue 12, A).
 */

async function openNetworkGraph(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Graph' }).click();
  await page.getByText('Your network').click();
  await expect(page.getByTestId('trace-take')).toBeEnabled();
}

const node = (page: Page, name: string) => page.getByTestId(`node-${name}`);
const edge = (page: Page, label: string) => page.getByTestId(`edge-${label}`);

test('steps a batch forward node by node, then backward from dL/dL = 1, with W and b on their nodes', async ({ page }) => {
  await openStudio(page);
  // A few batches first, so the weights are not the initial ones.
  await page.getByTestId('train-button').click();
  await waitForRunEnd(page);
  await openNetworkGraph(page);
  await page.getByTestId('trace-take').click();

  // The default 2-D network: x → fc1 → tanh1 → … → loss → L.
  await expect(node(page, 'x')).toBeVisible();
  await expect(node(page, 'fc1')).toContainText('Affine');
  await expect(node(page, 'tanh1')).toContainText('Tanh');
  await expect(node(page, 'loss')).toContainText('Softmax-with-Loss');
  await expect(node(page, 'L')).toBeVisible();
  // The book's local rules on the nodes.
  await expect(node(page, 'fc1')).toContainText('dW = xᵀ·dout');
  await expect(node(page, 'tanh1')).toContainText('dx = dout · (1 − y²)');
  await expect(node(page, 'loss')).toContainText('(y − t) / N');
  // W and b are inputs of the Affine node from the start; dW only after backward.
  await expect(node(page, 'fc1').getByText('W', { exact: true })).toBeVisible();
  await expect(node(page, 'fc1')).toContainText('dW: after backward');

  const count = page.getByTestId('step-count');
  const total = Number(/of (\d+)/.exec((await count.textContent()) ?? '')![1]);
  const edges = total / 2;
  await expect(count).toHaveText(`step 0 of ${total}`);
  await expect(edge(page, 'x')).toHaveAttribute('data-value', 'false');

  // Forward: Step feeds x in, the next step is fc1's output.
  await page.getByTestId('step-next').click();
  await expect(edge(page, 'x')).toHaveAttribute('data-value', 'true');
  await expect(edge(page, 'x')).toContainText('8×2');
  await expect(edge(page, 'h1')).toHaveAttribute('data-value', 'false');
  await page.getByTestId('step-next').click();
  await expect(edge(page, 'h1')).toHaveAttribute('data-value', 'true');
  await expect(page.getByTestId('step-text')).toContainText('Forward through fc1: y = x·W + b');

  // Keyboard: Right to the end of forward, the loss is there, nothing backward yet.
  await page.getByTestId('netgraph').focus();
  for (let i = 2; i < edges; i++) await page.keyboard.press('ArrowRight');
  await expect(count).toHaveText(`step ${edges} of ${total}`);
  await expect(page.getByTestId('step-text')).toContainText('Forward done: L =');
  await expect(edge(page, 'L')).toHaveAttribute('data-grad', 'false');

  // Backward: dL/dL = 1 first, then the loss node's (y − t)/N into the scores.
  await page.keyboard.press('ArrowRight');
  await expect(edge(page, 'L')).toHaveAttribute('data-grad', 'true');
  await expect(edge(page, 'L').getByTestId('tensor-grad')).toContainText('1');
  await expect(page.getByTestId('step-text')).toContainText('dL/dL = 1');
  await page.keyboard.press('ArrowRight');
  await expect(edge(page, 'scores')).toHaveAttribute('data-grad', 'true');
  await expect(page.getByTestId('step-text')).toContainText('Backward through loss: dx = (y − t) / N');
  await page.screenshot({ path: test.info().outputPath('netgraph-backward.png'), fullPage: true });

  // Left steps back; End runs to the end: every gradient, fc1's dW and db too.
  await page.keyboard.press('ArrowLeft');
  await expect(edge(page, 'scores')).toHaveAttribute('data-grad', 'false');
  await page.keyboard.press('End');
  await expect(count).toHaveText(`step ${total} of ${total}`);
  await expect(edge(page, 'x')).toHaveAttribute('data-grad', 'true');
  await expect(node(page, 'fc1').getByText('dW', { exact: true })).toBeVisible();
  await expect(node(page, 'fc1').getByText('db', { exact: true })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('netgraph-done.png'), fullPage: true });

  // A weight's numerical gradient, right there: click a cell of fc1's dW.
  await node(page, 'fc1').locator('canvas[aria-label="dW heatmap"]').click({ position: { x: 2, y: 2 } });
  await expect(page.getByTestId('weight-check')).toContainText(/fc1\.weight\[0, 0\]: backprop .* numerical .* ✓ agree/);

  // Home resets the walk; Reset does too.
  await page.getByTestId('netgraph').focus();
  await page.keyboard.press('Home');
  await expect(count).toHaveText(`step 0 of ${total}`);
  await page.getByTestId('step-end').click();
  await page.getByTestId('step-reset').click();
  await expect(count).toHaveText(`step 0 of ${total}`);
});

test('one sample of image data: the input edge is the 28×28 picture', async ({ page }) => {
  await openStudio(page);
  await openDataFiles(page, ['digits-images-idx3-ubyte.gz', 'digits-labels-idx1-ubyte.gz']);
  await expect(page.getByTestId('data-summary')).toContainText('784 features', { timeout: 60_000 });
  await openNetworkGraph(page);
  await page.getByLabel('one sample').check();
  await page.getByTestId('trace-take').click();
  await page.getByTestId('step-end').click();
  await expect(edge(page, 'x')).toContainText('1×1×28×28');
  await expect(node(page, 'fc1').getByText('W', { exact: true })).toBeVisible();
  await expect(node(page, 'loss').getByText('y = softmax', { exact: true })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('netgraph-mnist.png'), fullPage: true });
});
