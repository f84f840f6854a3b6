#!/usr/bin/env node
// `npm run bench`: build the WebAssembly kernels if their sources changed, bundle the
// bench (TypeScript) with esbuild into .cache/bench/bench.mjs, and run it with the
// given flags. esbuild is already a dev dependency; nothing else is needed.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wasm = spawnSync(process.execPath, [join(root, 'scripts/build-wasm.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
if (wasm.status !== 0) process.exit(wasm.status ?? 1);

const outDir = join(root, '.cache/bench');
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, 'bench.mjs');
await build({
  entryPoints: [join(root, 'bench/main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  logLevel: 'warning',
  sourcemap: 'inline',
  // CommonJS dependencies bundled into an ES module still call require().
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
const r = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, BENCH_REPO_ROOT: root },
});
process.exit(r.status ?? 1);
