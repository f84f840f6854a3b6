import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';

/**
 * The host's second home: core/host/worker-entry.ts bundled as browser mode
 * bundles it, run as a module Web Worker in Debian's Chromium, driven by a page
 * with postMessage. Skips, saying why, where no Chromium is installed.
 */

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`[worker-browser.test] skipped: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH, or apt-get install chromium)`);

const PAGE = `<!doctype html><meta charset="utf-8"><title>engine worker</title>
<script type="module">
  const worker = new Worker('/worker.js', { type: 'module' });
  const events = [];
  const waiters = [];
  // One message is one event or the batch of one engine task (core/protocol/batching-port.ts).
  worker.onmessage = (e) => {
    for (const ev of Array.isArray(e.data) ? e.data : [e.data]) {
      events.push(ev);
      for (const w of waiters.splice(0)) if (!w(ev)) waiters.push(w);
    }
  };
  let id = 0;
  window.command = (cmd) => new Promise((resolve) => {
    const my = ++id;
    waiters.push((ev) => (ev.id === my && (ev.type === 'ack' || ev.type === 'error') ? (resolve(ev), true) : false));
    worker.postMessage({ ...cmd, id: my });
  });
  window.waitFor = (type) => new Promise((resolve) => {
    const seen = events.find((e) => e.type === type);
    if (seen) return resolve(seen);
    waiters.push((ev) => (ev.type === type ? (resolve(ev), true) : false));
  });
  window.events = events;
</script>`;

describe.skipIf(!haveChromium)('engine host in a browser Web Worker', () => {
  let dir = '';
  let server: Server;
  let browser: Browser;
  let url = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bps-worker-'));
    await build({
      entryPoints: [resolve('core/host/worker-entry.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      outfile: join(dir, 'worker.js'),
      logLevel: 'error',
    });
    const worker = await readFile(join(dir, 'worker.js'));
    server = createServer((req, res) => {
      if (req.url === '/worker.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(worker);
      else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('trains a 2-D set, inspects and exports through postMessage, and refuses a bad command', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url);
    const result = await page.evaluate(async () => {
      type Ev = { type: string; [k: string]: unknown };
      const w = window as unknown as {
        command(c: object): Promise<Ev>;
        waitFor(t: string): Promise<Ev>;
        events: Ev[];
      };
      const ready = await w.waitFor('ready');
      const acks: string[] = [];
      const run = async (c: { type: string; [k: string]: unknown }): Promise<void> => {
        const r = await w.command(c);
        acks.push(`${c.type}:${r.type}${r.type === 'error' ? `:${String(r['message'])}` : ''}`);
      };
      await run({
        type: 'configure',
        spec: { inputSize: 2, layers: [{ kind: 'affine', units: 12 }, { kind: 'tanh' }, { kind: 'affine', units: 2 }] },
        training: { learningRate: 0.3, batchSize: 10, epochs: 25, seed: 3, init: 'xavier' },
      });
      await run({ type: 'loadBuiltin', dataset: { kind: 'circles', count: 400, noise: 0.05, seed: 2 }, options: {} });
      await run({ type: 'start' });
      const done = await w.waitFor('done');
      await run({ type: 'inspect', layer: 'fc1' });
      await run({ type: 'exportModel' });
      const bad = await w.command({ type: 'fly' });
      const inspect = w.events.find((e) => e.type === 'inspectResult')!;
      const epochs = w.events.filter((e) => e.type === 'epoch');
      const exported = w.events.find((e) => e.type === 'modelExported')!;
      return {
        ops: ready['ops'],
        acks,
        done: done['reason'],
        lastAccuracy: epochs.at(-1)?.['testAccuracy'],
        epochs: epochs.length,
        wIsFloat32: inspect['W'] instanceof Float32Array,
        wLength: (inspect['W'] as Float32Array).length,
        exportedBytes: (exported['bytes'] as ArrayBuffer).byteLength,
        badCode: bad['code'],
      };
    });
    expect(problems).toEqual([]);
    expect(String(result.ops)).toMatch(/\S/);
    expect(result.acks).toEqual(['configure:ack', 'loadBuiltin:ack', 'start:ack', 'inspect:ack', 'exportModel:ack']);
    expect(result.done).toBe('finished');
    expect(result.epochs).toBe(25);
    expect(result.lastAccuracy).toBeGreaterThan(0.95);
    expect(result.wIsFloat32).toBe(true);
    expect(result.wLength).toBe(24);
    expect(result.exportedBytes).toBeGreaterThan(8 + 62 * 4);
    expect(result.badCode).toBe('BAD_MESSAGE');
    console.log(`[worker-browser.test] the worker ran on backend "${String(result.ops)}"`);
    await page.close();
  }, 60_000);
});
