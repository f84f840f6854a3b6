#!/usr/bin/env node
// `npm run web`: build the renderer and serve it in browser mode on 127.0.0.1,
// with the engine in a Web Worker. The two cross-origin isolation headers let
// the engine use SharedArrayBuffer (WASM threads), as in the desktop app.
//
//   node scripts/web.mjs [--port 5178] [--no-build] [--out-dir dist/renderer]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './web-server.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
let dist = join(root, 'dist', 'renderer');

function parseArgs(argv) {
  const out = { port: Number(process.env.PORT) || 5178, build: true, outDir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-build') out.build = false;
    else if (a === '--port') {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0 || v > 65535) fail(`--port needs a number 0..65535, got ${argv[i]}`);
      out.port = v;
    } else if (a === '--out-dir') {
      // Where to build and serve from (lets parallel test runs keep their own build).
      const v = argv[++i];
      if (!v) fail('--out-dir needs a folder');
      out.outDir = resolve(v);
    } else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/web.mjs [--port 5178] [--no-build] [--out-dir dist/renderer]');
      process.exit(0);
    } else fail(`unknown option ${a} (try --help)`);
  }
  return out;
}

function fail(message) {
  console.error(`web: ${message}`);
  process.exit(2);
}

function build() {
  // The engine worker embeds the WebAssembly kernels: build them first (skipped when up to date).
  const wasm = spawnSync(process.execPath, [join(root, 'scripts', 'build-wasm.mjs')], { cwd: root, stdio: 'inherit' });
  if (wasm.status !== 0) fail('building the WebAssembly kernels failed (see above)');
  console.log('web: building the renderer (vite build)…');
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn', '--outDir', dist, '--emptyOutDir'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) fail('the build failed (see above)');
}

const args = parseArgs(process.argv.slice(2));
if (args.outDir) dist = args.outDir;
if (args.build) build();
if (!existsSync(join(dist, 'index.html'))) fail(`${dist} has no index.html: run without --no-build`);
try {
  const server = await serve(dist, args.port);
  const { port } = server.address();
  console.log(`Backprop Studio (browser mode) at http://127.0.0.1:${port}/  — Ctrl+C to stop`);
} catch (e) {
  if (e && e.code === 'EADDRINUSE') fail(`port ${args.port} is in use; pick another with --port`);
  fail(e instanceof Error ? e.message : String(e));
}
