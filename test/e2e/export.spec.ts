import { readFileSync } from 'node:fs';
import { expect } from '@playwright/test';
import { unzipSync } from 'fflate';
import * as ort from 'onnxruntime-node';
import { openStudio, test } from './helpers.js';

/** File › Export in browser mode: the top bar's Export… menu downloads an ONNX file and a PyTorch project. */

test('exports the model as ONNX (runs in ONNX Runtime) and as a PyTorch project .zip', async ({ page }, info) => {
  await openStudio(page);
  const exportMenu = page.getByTestId('export-model');
  await expect(exportMenu).toBeEnabled();

  let download = page.waitForEvent('download');
  await exportMenu.selectOption('onnx');
  let file = await download;
  expect(file.suggestedFilename()).toMatch(/\.onnx$/);
  const onnxPath = info.outputPath(file.suggestedFilename());
  await file.saveAs(onnxPath);
  const session = await ort.InferenceSession.create(readFileSync(onnxPath));
  expect(session.inputNames).toEqual(['input']);
  expect(session.outputNames).toEqual(['probabilities']);
  await session.release();
  await expect(page.getByText('Model exported')).toBeVisible();
  await expect(exportMenu).toHaveValue(''); // back to "Export…", ready for the next choice

  download = page.waitForEvent('download');
  await exportMenu.selectOption('pytorch');
  file = await download;
  expect(file.suggestedFilename()).toMatch(/-pytorch\.zip$/);
  const zipPath = info.outputPath(file.suggestedFilename());
  await file.saveAs(zipPath);
  const names = Object.keys(unzipSync(readFileSync(zipPath))).map((n) => n.replace(/^[^/]+\//, '')).sort();
  expect(names).toEqual(['README.md', 'data.py', 'model.py', 'model.safetensors', 'optim.py', 'train.py']);
});
