// The Electron bundles as `npm start` and the installers ship them: built with
// scripts/build-electron.mjs into a temporary folder, checked for what they load
// at run time, and the engine bundle run for real under Node with a stand-in
// parentPort: it must report ready, train, mirror its state to "main" and export.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM build script without type declarations
import { buildElectron } from '../../scripts/build-electron.mjs';
// @ts-expect-error plain ESM packaging helper without type declarations
import { moduleSpecifiers, packageOf } from '../../scripts/packaging/bundle-check.mjs';

const PROJECT = path.resolve(import.meta.dirname, '..', '..');
let out: string;
let files: string[];

beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'studio-bundles-'));
  files = await buildElectron({ projectDir: PROJECT, outDir: out, quiet: true });
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

const read = (name: string) => readFile(path.join(out, name), 'utf8');

describe('the bundles', () => {
  it('are main.js and engine-process.js (ES modules) and preload.cjs (CommonJS)', async () => {
    expect(files.map((f) => path.basename(f))).toEqual(['main.js', 'preload.cjs', 'engine-process.js']);
    expect(JSON.parse(await read('package.json'))).toEqual({ type: 'module' });
    const preload = await read('preload.cjs');
    expect(preload).toMatch(/require\("electron"\)/);
    expect(preload).not.toMatch(/^\s*import\s/m);
    expect(preload).not.toMatch(/^\s*export\s/m);
  });

  it('load nothing from node_modules at run time: only electron and Node built-ins', async () => {
    for (const name of ['main.js', 'preload.cjs', 'engine-process.js']) {
      const specifiers = moduleSpecifiers(await read(name)) as string[];
      // As the packaging check does: only names of installed packages count (a bundled
      // string such as csv-parse's "import '\ufeff'" pattern is not a module).
      const packages = specifiers
        .map((s) => packageOf(s) as string | null)
        .filter((p): p is string => p !== null && existsSync(path.join(PROJECT, 'node_modules', p)));
      expect(packages, name).toEqual([]);
      expect(specifiers.filter((s) => s === 'electron').length, name).toBe(name === 'engine-process.js' ? 0 : 1);
    }
  });

  it('the sandboxed preload requires electron alone (a sandboxed preload has no other modules)', async () => {
    const required = [...(await read('preload.cjs')).matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
  });
});

/** Drives the engine bundle as Electron main would, with process.parentPort faked over a MessageChannel. */
const DRIVER = `
import { MessageChannel } from 'node:worker_threads';
const [bundle] = process.argv.slice(2);
const mainListeners = [];
const report = { toMain: [], events: [] };
let exportRequested = false;
process.parentPort = {
  on: (_e, l) => mainListeners.push(l),
  postMessage: (m) => {
    report.toMain.push(m.type === 'state' ? 'state:' + m.command.type : m.type);
    if (m.type === 'commands-done') {
      const o = m.outcomes[0];
      report.exported = o.ok ? o.result.bytes.byteLength : o.message;
      console.log(JSON.stringify(report));
      process.exit(0);
    }
  },
};
await import(bundle);
const { port1, port2 } = new MessageChannel();
const asPortMain = {
  on: (_e, l) => port1.on('message', (data) => l({ data })),
  off: () => {},
  postMessage: (m) => port1.postMessage(m),
  start: () => port1.start(),
  close: () => port1.close(),
};
for (const l of mainListeners) l({ data: { type: 'attach-renderer' }, ports: [asPortMain] });
// The engine batches its events per task (core/protocol/batching-port.ts): a message is one event or an array.
port2.on('message', (msg) => { for (const ev of Array.isArray(msg) ? msg : [msg]) onEvent(ev); });
function onEvent(ev) {
  report.events.push(ev.type);
  if (ev.type === 'ready') report.ops = ev.ops;
  if (ev.type === 'error') report.error = ev.message;
  if (ev.type === 'epoch') (report.trainLoss ??= []).push(ev.trainLoss);
  if (ev.type === 'done' && !exportRequested) {
    exportRequested = true;
    report.done = ev.reason;
    for (const l of mainListeners) l({ data: { type: 'run-commands', requestId: 1, commands: [{ type: 'exportModel', id: '__main:1' }] }, ports: [] });
  }
}
port2.postMessage({ type: 'configure', id: 1, spec: { inputSize: 2, layers: [{ kind: 'affine', units: 16 }, { kind: 'relu' }, { kind: 'affine', units: 3 }] },
  training: { optimizer: 'adam', learningRate: 0.02, batchSize: 20, epochs: 8, seed: 3, init: 'he' } });
port2.postMessage({ type: 'loadBuiltin', id: 2, dataset: { kind: 'spiral', count: 300, noise: 0.1, seed: 1, classes: 3 }, options: { testSplit: 0.2 } });
port2.postMessage({ type: 'start', id: 3 });
setTimeout(() => { console.log(JSON.stringify({ ...report, timeout: true })); process.exit(1); }, 50_000).unref();
`;

describe('the engine bundle, run under Node', () => {
  it('starts the host on the WebAssembly kernels, trains, mirrors its state to main and exports for main', async () => {
    const driver = path.join(out, 'driver.mjs');
    await writeFile(driver, DRIVER);
    const r = spawnSync(process.execPath, [driver, path.join(out, 'engine-process.js')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack traces
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(report.error).toBeUndefined();
    expect(report.ops).toMatch(/wasm/);
    expect(report.done).toBe('finished');
    expect(report.trainLoss).toHaveLength(8);
    expect(report.trainLoss.at(-1)).toBeLessThan(report.trainLoss[0]);
    // What main keeps for a restart: both state commands once acknowledged, a checkpoint per epoch.
    expect(report.toMain.filter((t: string) => t.startsWith('state:'))).toEqual(['state:configure', 'state:loadBuiltin']);
    expect(report.toMain.filter((t: string) => t === 'checkpoint')).toHaveLength(8);
    expect(report.exported).toBeGreaterThan(8);
    // Main's export never reached the renderer.
    expect(report.events).not.toContain('modelExported');
  });

  it('refuses to run outside Electron with one clear line', () => {
    const r = spawnSync(process.execPath, [path.join(out, 'engine-process.js')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('engine-process.js runs inside Electron (utilityProcess.fork); use the CLI to train from a terminal.');
  });
});
