#!/usr/bin/env node
// @ts-check
// npm run build:electron — bundles the three Electron entry points (one source folder per
// process: electron/main/, electron/preload/, electron/engine/) into dist/electron/:
//   main.js            Electron main (ES module)
//   preload.cjs        the sandboxed preload (CommonJS: sandboxed preloads cannot be ES modules)
//   engine-process.js  the engine's utility process (ES module; core/ host and kernels inside)
// Everything except `electron` is bundled in: the packaged app ships no node_modules.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Electron 45 runs Node 22 and Chromium 140. */
const NODE_TARGET = 'node22';
const CHROME_TARGET = 'chrome140';

// Bundled CommonJS dependencies call require() for Node built-ins; an ES module has
// no `require`, so give the bundle one.
const ESM_REQUIRE_BANNER =
  "import { createRequire as __studioCreateRequire } from 'node:module';\n" +
  'const require = __studioCreateRequire(import.meta.url);';

/**
 * The engine bundle embeds the WebAssembly kernels (core/ops/wasm/generated/kernels.js),
 * so they are built first; scripts/build-wasm.mjs skips work when they are up to date.
 * @param {string} projectDir
 */
function buildWasm(projectDir) {
  const script = path.join(projectDir, 'scripts', 'build-wasm.mjs');
  if (!existsSync(script)) return;
  const r = spawnSync(process.execPath, [script], { cwd: projectDir, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`building the WebAssembly kernels failed (exit code ${r.status ?? r.signal})`);
}

/**
 * @param {{ projectDir?: string, outDir?: string, minify?: boolean, quiet?: boolean }} [options]
 *   outDir: where the bundles go (default dist/electron); tests build into a temporary folder.
 * @returns {Promise<string[]>} the files written
 */
export async function buildElectron({ projectDir = PROJECT_DIR, outDir = path.join(projectDir, 'dist', 'electron'), minify = false, quiet = false } = {}) {
  buildWasm(projectDir);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  /** @type {import('esbuild').BuildOptions} */
  const common = {
    absWorkingDir: projectDir,
    bundle: true,
    external: ['electron'],
    sourcemap: 'linked',
    minify,
    legalComments: 'none',
    logLevel: quiet ? 'error' : 'warning',
    // The WebAssembly kernels, when a module imports them as bytes, travel inside the bundle (works from app.asar).
    loader: { '.wasm': 'binary' },
  };
  await Promise.all([
    build({
      ...common,
      entryPoints: { main: 'electron/main/main.ts', 'engine-process': 'electron/engine/engine-process.ts' },
      outdir: outDir,
      platform: 'node',
      format: 'esm',
      target: NODE_TARGET,
      outExtension: { '.js': '.js' },
      banner: { js: ESM_REQUIRE_BANNER },
    }),
    build({
      ...common,
      entryPoints: { preload: 'electron/preload/preload.ts' },
      outdir: outDir,
      platform: 'node',
      format: 'cjs',
      target: CHROME_TARGET,
      outExtension: { '.js': '.cjs' },
    }),
  ]);
  // The .js bundles are ES modules wherever they are copied (the packaged app included).
  await writeFile(path.join(outDir, 'package.json'), JSON.stringify({ type: 'module' }, null, 2) + '\n');
  const files = ['main.js', 'preload.cjs', 'engine-process.js'].map((f) => path.join(outDir, f));
  if (!quiet) console.log(`build:electron: ${files.map((f) => path.relative(projectDir, f)).join(', ')}`);
  return files;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildElectron({ minify: process.argv.includes('--minify') }).catch((e) => {
    // esbuild has already printed the errors with file:line:column.
    console.error(`build:electron failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    process.exit(1);
  });
}
