// The packaged-or-built desktop app, end to end: launch it with Playwright's
// _electron, load a CSV through the (stubbed) native Open dialog, train, inspect
// a layer, save a model through the (stubbed) Save dialog, and check what the
// Electron security checklist promises from inside the page.
// Runs wherever the Electron binary is installed; elsewhere it skips and says why.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
// @ts-expect-error plain ESM script without type declarations
import { findElectronBinary } from '../../scripts/start.mjs';
import { fixture, setNumber, waitForRunEnd } from '../e2e/helpers.js';

const PROJECT = path.resolve(import.meta.dirname, '..', '..');
const binary = findElectronBinary({ projectDir: PROJECT }) as { ok: boolean; path: string; message?: string };
const SKIP_REASON = binary.ok ? '' : `the Electron binary is not installed here, so the desktop app cannot start: ${binary.message}`;
if (!binary.ok) console.log(`test/electron-app: skipped: ${SKIP_REASON}`);

test.describe('desktop app', () => {
  test.skip(!binary.ok, SKIP_REASON);

  let app: ElectronApplication;
  let page: Page;
  let work: string;

  test.beforeAll(async () => {
    // Build what `npm start` builds (kernels, renderer, Electron bundles), without launching.
    const built = spawnSync(process.execPath, [path.join(PROJECT, 'scripts', 'start.mjs'), '--build-only'], {
      cwd: PROJECT,
      stdio: 'inherit',
    });
    expect(built.status, 'npm start --build-only').toBe(0);
    work = mkdtempSync(path.join(tmpdir(), 'studio-electron-app-'));
    app = await electron.launch({
      executablePath: binary.path,
      args: ['.'],
      cwd: PROJECT,
      // A fresh profile: no recent files of the user, no clash with a running studio.
      env: { ...process.env, BACKPROP_STUDIO_USER_DATA: path.join(work, 'profile') } as Record<string, string>,
    });
    page = await app.firstWindow();
    await expect(page.getByTestId('train-button')).toBeEnabled();
  });

  test.afterAll(async () => {
    // Don't Save, should the close ask.
    await app?.evaluate(({ dialog }) => {
      dialog.showMessageBox = (async () => ({ response: 1, checkboxChecked: false })) as typeof dialog.showMessageBox;
    });
    await app?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the page is sandboxed: no Node, only window.studio, no remote requests', async () => {
    expect(page.url()).toBe('app://studio/index.html');
    const probe = await page.evaluate(async () => {
      const w = window as unknown as Record<string, unknown>;
      let remote = 'loaded';
      try {
        await fetch('https://example.com/');
      } catch {
        remote = 'blocked';
      }
      return {
        require: typeof w.require,
        process: typeof w.process,
        studio: Object.keys((w.studio ?? {}) as object).sort(),
        remote,
      };
    });
    expect(probe.require).toBe('undefined');
    expect(probe.process).toBe('undefined');
    expect(probe.studio).toContain('openDataFile');
    expect(probe.studio).toContain('saveModel');
    expect(probe.remote).toBe('blocked');
    // The preload ran sandboxed and isolated: the page sees no trace of its require/process.
    expect(await page.evaluate(() => typeof (globalThis as Record<string, unknown>).module)).toBe('undefined');
  });

  test('loads a CSV, trains, inspects a layer and saves a model', async () => {
    const csv = fixture('flowers.csv');
    const model = path.join(work, 'flowers.safetensors');
    await app.evaluate(({ dialog }, files) => {
      dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [files.csv] })) as typeof dialog.showOpenDialog;
      dialog.showSaveDialog = (async () => ({ canceled: false, filePath: files.model })) as typeof dialog.showSaveDialog;
    }, { csv, model });

    await page.getByTestId('open-data').click();
    await expect(page.getByTestId('data-summary')).toContainText('flowers.csv');

    await setNumber(page, 'epochs', 20);
    await page.getByTestId('train-button').click();
    await waitForRunEnd(page);

    await page.getByRole('tab', { name: 'Inspector' }).click();
    const inspector = page.getByRole('region', { name: 'Layer inspector' });
    for (const t of ['W', 'b', 'dW', 'db']) await expect(inspector.locator(`article[data-tensor="${t}"]`)).toBeVisible();

    await page.getByTestId('save-model').click();
    await expect(page.getByTestId('document-title')).toHaveText('flowers.safetensors');
    const bytes = readFileSync(model);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
    expect(header.__metadata__.format).toBe('pt');
    expect(Object.keys(header)).toContain('fc1.weight');
    // The native title follows the document.
    const title = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.getTitle());
    expect(title).toBe('flowers.safetensors — Backprop Studio');
  });
});
