import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';
import { openStudio, setNumber, test } from './helpers.js';

/**
 * The "engine: …" label in the run bar (issue 15: the backend is shown there and can
 * be chosen in the studio).
 *
 * Browser mode: the engine is a Web Worker on WebAssembly; the label says so in its
 * title and offers no dead control.
 *
 * Desktop mode, renderer side: the page gets a stand-in for the preload's
 * window.studio (the Electron binary is not available to these tests; main's side
 * of the switch is tested in test/electron/main/compute-backend.test.ts). This
 * stand-in plays main: it hands the page a port to a real engine (the browser
 * worker, relayed), keeps the backend choice, and on a change restarts the engine
 * the way main announces it (restarting, a fresh port, restarted). Its engine is the
 * browser's WebAssembly one whatever the choice, so for the Reference choice it
 * reports `ts-f32`, the name a desktop engine on that backend gives in its `ready`.
 */

const DIST = process.env.E2E_DIST ?? fileURLToPath(new URL('../../dist/renderer', import.meta.url));

/** The built engine worker's URL (the page builds its own with import.meta.url; the stand-in needs it by name). */
function workerUrl(): string {
  const name = readdirSync(join(DIST, 'assets')).find((f) => /^worker-entry.*\.js$/.test(f));
  if (!name) throw new Error(`no worker-entry*.js in ${join(DIST, 'assets')}`);
  return `/assets/${name}`;
}

async function installFakeMain(page: Page, stored: string): Promise<void> {
  await page.addInitScript(
    ({ url, stored }) => {
      type Restart = { phase: string; reason: string; exitCode: null; attempt: number; maxAttempts: number; restored: unknown; message: string };
      let backend = stored;
      let worker: Worker | null = null;
      let onRestart: ((e: Restart) => void) | null = null;
      const setCalls: string[] = [];
      const restored = { network: false, data: null, checkpointEpoch: null, runPaused: false, problems: [] };
      const restart = (phase: string, message: string): void =>
        onRestart?.({ phase, reason: 'reload', exitCode: null, attempt: 1, maxAttempts: 3, restored, message });
      const connect = (): void => {
        worker?.terminate();
        const w = new Worker(url, { type: 'module', name: 'backprop-engine' });
        worker = w;
        const { port1, port2 } = new MessageChannel();
        port1.onmessage = (e) => w.postMessage(e.data);
        // A message is one event or one engine task's batch of them (core/protocol/batching-port.ts).
        const relabel = (d: { type?: string }): unknown => (d?.type === 'ready' && backend === 'reference' ? { ...d, ops: 'ts-f32' } : d);
        w.onmessage = (e) => {
          const d = e.data as { type?: string } | { type?: string }[];
          port1.postMessage(Array.isArray(d) ? d.map(relabel) : relabel(d));
        };
        window.postMessage({ type: 'backprop-studio:engine-port' }, location.origin, [port2]);
      };
      const never = () => new Promise<never>(() => {});
      (window as unknown as { studio: unknown }).studio = {
        platform: { os: 'linux', modifierKey: 'Ctrl', versions: { app: 'e2e', electron: '', chrome: '', node: '' } },
        openDataFile: never,
        openModelFile: never,
        openPath: never,
        saveModel: never,
        getRecentFiles: async () => [],
        setDocumentState: () => {},
        confirmDiscardChanges: async () => true,
        connectEngine: connect,
        onMenu: () => () => {},
        onEngineRestarted: (cb: (e: Restart) => void) => {
          onRestart = cb;
          return () => {};
        },
        computeBackend: {
          get: async () => backend,
          set: async (b: string) => {
            setCalls.push(b);
            if (b === backend) return;
            backend = b;
            restart('restarting', `Restarting the engine with the compute backend ${b}…`);
            setTimeout(() => {
              connect();
              restart('restarted', `The engine was restarted with the compute backend ${b}.`);
            }, 50);
          },
        },
      };
      (window as unknown as { __fakeMain: unknown }).__fakeMain = { setCalls };
    },
    { url: workerUrl(), stored },
  );
}

const setCalls = (page: Page) => page.evaluate(() => (window as unknown as { __fakeMain: { setCalls: string[] } }).__fakeMain.setCalls);

test('browser mode: the label names the backend and says why there is nothing to choose', async ({ page }) => {
  await openStudio(page);
  const label = page.getByTestId('engine-backend');
  await expect(label).toHaveText('engine: wasm-simd');
  expect(await label.evaluate((el) => el.tagName)).toBe('SPAN');
  await expect(label).toHaveAttribute('title', /Web Worker on WebAssembly SIMD kernels\. .*native one \(ONNX Runtime\), are features of the desktop app\./);
  await expect(page.getByTestId('backend-menu')).toHaveCount(0);
  await label.screenshot({ path: test.info().outputPath('engine-label-browser.png') });
});

test('desktop app: choose the backend from the label; the engine restarts and the label shows the new one', async ({ page }) => {
  await installFakeMain(page, 'auto');
  await openStudio(page);
  const control = page.getByRole('button', { name: 'engine: wasm-simd' });
  await expect(control).toHaveAttribute('title', 'The engine computes with WebAssembly SIMD kernels (compute backend: Automatic). Click to choose the compute backend.');

  // Keyboard: focus the label, open it, and the current choice has the focus.
  await control.focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('dialog', { name: 'Compute backend' });
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('radio', { name: /^Automatic/ })).toBeFocused();
  await expect(menu.getByRole('radio', { name: /^Automatic/ })).toBeChecked();
  await expect(menu).toContainText('In use now: wasm-simd.');
  // Automatic, yet WebAssembly runs: the menu says why (this stand-in's engine has no native library).
  await expect(menu.getByTestId('backend-mismatch')).toHaveText('The native library did not load on this machine, so the engine runs wasm-simd instead.');
  const apply = menu.getByRole('button', { name: 'Restart engine' });
  await expect(apply).toBeDisabled();
  await page.screenshot({ path: test.info().outputPath('backend-menu.png'), clip: await clipAround(page) });

  // Arrow keys move the choice without restarting anything; Escape closes and changes nothing.
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('radio', { name: /^Native \(ONNX Runtime\)/ })).toBeChecked();
  await expect(apply).toBeEnabled();
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(control).toBeFocused();
  expect(await setCalls(page)).toEqual([]);

  // Reference, applied: main is asked once, the engine restarts, its new `ready` shows in the label.
  await control.click();
  await menu.getByRole('radio', { name: /^Reference \(TypeScript, slow\)/ }).check();
  await apply.click();
  await expect(menu).toBeHidden();
  await expect(page.getByRole('button', { name: 'engine: ts-f32' })).toBeVisible();
  expect(await setCalls(page)).toEqual(['reference']);
  await expect(page.getByRole('button', { name: 'engine: ts-f32' })).toHaveAttribute('title', /plain TypeScript reference kernels \(slow\) \(compute backend: Reference \(TypeScript, slow\)\)/);
  await page.getByRole('button', { name: 'engine: ts-f32' }).click();
  await expect(menu.getByRole('radio', { name: /^Reference/ })).toBeChecked();
  await expect(menu.getByRole('radio', { name: /^Reference/ })).toBeFocused();
  await expect(menu.getByTestId('backend-mismatch')).toHaveCount(0);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: test.info().outputPath('backend-menu-dark.png'), clip: await clipAround(page) });
});

test('desktop app: no change during a training run; once paused, the change is offered', async ({ page }) => {
  await installFakeMain(page, 'wasm');
  await openStudio(page);
  // MNIST for 200 epochs: long enough to still run while the menu is looked at.
  await page.getByRole('button', { name: /MNIST digits/ }).click();
  await expect(page.getByTestId('data-summary')).toContainText('10,000 samples');
  await setNumber(page, 'epochs', 200);
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('Training');
  const control = page.getByRole('button', { name: /^engine: / });
  await control.click();
  const menu = page.getByRole('dialog', { name: 'Compute backend' });
  await menu.getByRole('radio', { name: /^Automatic/ }).check();
  await expect(menu.getByRole('status')).toHaveText('Pause or stop training first: changing the backend restarts the engine.');
  await expect(menu.getByRole('button', { name: 'Restart engine' })).toBeDisabled();

  await page.getByTestId('train-button').click(); // Pause (a click outside also closes the menu)
  await expect(page.getByTestId('run-state')).toHaveText('Paused');
  await control.click();
  await menu.getByRole('radio', { name: /^Automatic/ }).check();
  await expect(menu.getByRole('status')).toHaveCount(0);
  await expect(menu.getByRole('button', { name: 'Restart engine' })).toBeEnabled();
  expect(await setCalls(page)).toEqual([]);
});

/** The run bar's right end and the menu under it, for the screenshot. */
async function clipAround(page: Page) {
  const box = await page.getByTestId('backend-menu').boundingBox();
  if (!box) throw new Error('the menu is not on screen');
  return { x: box.x - 40, y: Math.max(0, box.y - 60), width: box.width + 60, height: box.height + 80 };
}

test('desktop app: a choice made as the menu opens is kept (its toggle event comes a task later)', async ({ page }) => {
  await installFakeMain(page, 'wasm');
  await openStudio(page);
  await expect(page.getByRole('button', { name: 'engine: wasm-simd' })).toBeVisible();
  // Open and pick in one task, before the popover's toggle event: a quick click does this.
  await page.evaluate(() => {
    const popover = document.querySelector<HTMLElement>('[data-testid="backend-menu"]')!;
    popover.showPopover();
    [...popover.querySelectorAll<HTMLInputElement>('input[type="radio"]')].find((r) => r.value === 'auto')!.click();
  });
  const menu = page.getByRole('dialog', { name: 'Compute backend' });
  await expect(menu.getByRole('radio', { name: /^Automatic/ })).toBeChecked();
  await expect(menu.getByRole('button', { name: 'Restart engine' })).toBeEnabled();
  // Closing forgets it: the menu opens again on the current choice.
  await menu.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'engine: wasm-simd' }).click();
  await expect(menu.getByRole('radio', { name: /^WebAssembly/ })).toBeChecked();
  await expect(menu.getByRole('button', { name: 'Restart engine' })).toBeDisabled();
});
