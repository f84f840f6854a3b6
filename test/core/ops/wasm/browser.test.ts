import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { buildKernels } from './wasm-test-helpers.js';

/**
 * The WebAssembly backend where browser mode runs it: inside a Web Worker in Chromium,
 * starting its kernel threads as nested Web Workers over shared memory when the page
 * is cross-origin isolated (COOP + COEP), and on one thread, saying why, when it is
 * not. Skips, saying why, where no Chromium is installed.
 */

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`[wasm-browser.test] skipped: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH, or apt-get install chromium)`);

/** Runs in the engine's Web Worker: the same product on 1 and 2 threads and on the TypeScript reference. */
const WORKER = `
import { createWasmOps } from './core/ops/wasm/wasm-ops.ts';
import { createReferenceOps } from './core/ops/reference.ts';
self.onmessage = async () => {
  try {
    const one = await createWasmOps({ threads: 1 });
    const two = await createWasmOps({ threads: 2 });
    const ref = createReferenceOps('f32');
    const [M, N, K] = [96, 130, 70];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 31) - 1;
    const A = Float32Array.from({ length: M * K }, rnd), B = Float32Array.from({ length: K * N }, rnd);
    const outs = [];
    for (const ops of [one, two, ref]) {
      const a = ops.alloc(M, K), b = ops.alloc(K, N), c = ops.alloc(M, N);
      a.data.set(A); b.data.set(B);
      ops.gemm(a, false, b, false, c);
      outs.push(c.data);
    }
    const bits = (x) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));
    let worst = 0;
    for (let i = 0; i < outs[2].length; i++) worst = Math.max(worst, Math.abs(outs[0][i] - outs[2][i]) / (1 + Math.abs(outs[2][i])));
    self.postMessage({
      ok: true,
      isolated: self.crossOriginIsolated,
      threads: two.threads,
      poolKind: two.poolKind,
      note: two.threadNote,
      shared: two.sharedMemory,
      variant: two.variant,
      threaded: two.threadedCalls,
      sameBits: JSON.stringify(bits(outs[0])) === JSON.stringify(bits(outs[1])),
      worstVsReference: worst,
    });
    await two.dispose();
  } catch (e) {
    self.postMessage({ ok: false, error: String(e && e.stack || e) });
  }
};
`;

const PAGE = `<!doctype html><meta charset="utf-8"><title>wasm threads</title>
<script type="module">
  window.result = new Promise((resolve) => {
    const worker = new Worker('/worker.js', { type: 'module' });
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => resolve({ ok: false, error: e.message });
    worker.postMessage('go');
  });
</script>`;

const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

describe.skipIf(!haveChromium)('the WebAssembly backend in a browser Web Worker (Chromium)', () => {
  let server: Server;
  let browser: Browser;
  let base = '';

  beforeAll(async () => {
    buildKernels();
    const bundle = await build({
      stdin: { contents: WORKER, resolveDir: resolve('.'), loader: 'js', sourcefile: 'wasm-worker.js' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'error',
    });
    const worker = bundle.outputFiles[0]!.contents;
    server = createServer((req, res) => {
      const isolated = req.url?.startsWith('/isolated') || req.headers.referer?.includes('/isolated');
      const headers = isolated ? ISOLATION : {};
      if (req.url?.endsWith('/worker.js')) res.writeHead(200, { 'content-type': 'text/javascript', ...headers }).end(worker);
      else res.writeHead(200, { 'content-type': 'text/html', ...headers }).end(PAGE);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  async function run(path: string): Promise<Record<string, unknown>> {
    const page = await browser.newPage();
    try {
      await page.goto(`${base}${path}`);
      return (await page.evaluate('window.result')) as Record<string, unknown>;
    } finally {
      await page.close();
    }
  }

  it('on a cross-origin isolated page: two threads as nested Web Workers, the same bits as one thread', async () => {
    const r = await run('/isolated/');
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ ok: true, isolated: true, threads: 2, poolKind: 'web-workers', note: '', shared: true, sameBits: true });
    expect(r.threaded).toBe(1);
    expect(r.variant).toBe('relaxed'); // Chromium has relaxed SIMD: the fused multiply-add build
    expect(r.worstVsReference as number).toBeLessThan(1e-5);
  });

  it('on a page without isolation: one thread on a plain memory, and the reason', async () => {
    const r = await run('/plain/');
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ ok: true, isolated: false, threads: 1, poolKind: 'none', shared: false });
    expect(r.note).toBe(
      'one thread: the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp), so WebAssembly memory cannot be shared between threads',
    );
    expect(r.worstVsReference as number).toBeLessThan(1e-5);
  });
});
