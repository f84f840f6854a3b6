#!/usr/bin/env node
// @ts-check
// npm start — build the renderer (vite) and the Electron bundles, then launch the
// desktop app. A missing Electron binary is downloaded first (the electron package
// fetches it on first use); where that cannot be done (ELECTRON_SKIP_BINARY_DOWNLOAD=1,
// or offline) it says how to get one, in a few lines and without a stack trace,
// before spending time on a build.
//
//   node scripts/start.mjs [--no-build | --build-only] [-- extra electron arguments]
//   --build-only  build everything the app needs and stop (no Electron binary needed)

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeProblem } from './check-env.mjs';

const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where an Electron distribution keeps its executable, per platform (as electron's install.js writes path.txt). */
const EXECUTABLE = /** @type {Record<string, string>} */ ({
  linux: 'electron',
  freebsd: 'electron',
  openbsd: 'electron',
  win32: 'electron.exe',
  darwin: 'Electron.app/Contents/MacOS/Electron',
});

/**
 * The Electron executable `npm start` would run, resolved the way the electron
 * package does (node_modules/electron/index.js) but without its side effect of
 * downloading a missing binary.
 * @param {{ projectDir?: string, env?: Record<string, string | undefined>, platform?: string }} [options]
 * @returns {{ ok: true, path: string } | { ok: false, path: string, message: string }}
 */
export function findElectronBinary({ projectDir = PROJECT_DIR, env = process.env, platform = process.platform } = {}) {
  const pkgDir = path.join(projectDir, 'node_modules', 'electron');
  const pathFile = path.join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : (EXECUTABLE[platform] ?? 'electron');
  const override = env.ELECTRON_OVERRIDE_DIST_PATH?.trim();
  const binary = override ? path.join(override, relative) : path.join(pkgDir, 'dist', relative);
  if (existsSync(binary)) return { ok: true, path: binary };
  if (!existsSync(pkgDir)) {
    return { ok: false, path: binary, message: 'the electron package is not installed (node_modules/electron is missing): run `npm ci` first.' };
  }
  const version = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  const where = override
    ? `ELECTRON_OVERRIDE_DIST_PATH=${override} holds no ${relative}`
    : `${path.relative(projectDir, binary)} is missing (npm skips the download when ELECTRON_SKIP_BINARY_DOWNLOAD=1 is set, or when offline)`;
  return {
    ok: false,
    path: binary,
    message:
      `the Electron ${version} binary is not installed: ${where}.\n` +
      '  With network access, download it:   node node_modules/electron/install.js\n' +
      `  Or use an unpacked Electron ${version} you already have:   ELECTRON_OVERRIDE_DIST_PATH=/path/to/electron-dist npm start\n` +
      '  Browser mode needs no Electron:   npm run web',
  };
}

/**
 * Electron 45's npm package has no install script: its binary is downloaded the
 * first time it is needed. Do that here, as `electron .` would, unless the user
 * asked for no download or pointed at their own Electron; on failure the caller
 * prints how to get one.
 * @returns {boolean} whether the download ran and succeeded
 */
function downloadElectron(env = process.env) {
  const install = path.join(PROJECT_DIR, 'node_modules', 'electron', 'install.js');
  if (!existsSync(install) || env.ELECTRON_SKIP_BINARY_DOWNLOAD || env.ELECTRON_OVERRIDE_DIST_PATH) return false;
  console.log('npm start: downloading the Electron binary (first start only)...');
  // Output captured: a failed download prints a stack trace; we show its one-line reason.
  const r = spawnSync(process.execPath, [install], { cwd: PROJECT_DIR, env, encoding: 'utf8', timeout: 10 * 60_000 });
  if (r.status === 0) return true;
  const reason = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.split('\n').find((l) => /error/i.test(l))?.trim();
  console.error(`npm start: the download failed${reason ? `: ${reason}` : ''}`);
  return false;
}

/** Why the app could not show a window here, if we can tell in advance. */
export function displayProblem(env = process.env, platform = process.platform) {
  if (platform !== 'linux') return null;
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return null;
  return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset): run it in a desktop session, or under a virtual one with `xvfb-run -a npm start`.';
}

/** @param {string} what @param {string} command @param {string[]} args */
function runStep(what, command, args) {
  const r = spawnSync(command, args, { cwd: PROJECT_DIR, stdio: 'inherit', env: process.env });
  if (r.error) fail(`${what}: could not start ${path.basename(command)}: ${r.error.message}`);
  if (r.status !== 0) fail(`${what} failed (exit code ${r.status ?? r.signal}); its messages are above.`);
}

/** @param {string} message @returns {never} */
function fail(message) {
  console.error(`npm start: ${message}`);
  process.exit(1);
}

async function main() {
  const argv = process.argv.slice(2);
  const dashes = argv.indexOf('--');
  const own = dashes < 0 ? argv : argv.slice(0, dashes);
  const electronArgs = dashes < 0 ? [] : argv.slice(dashes + 1);
  const unknown = own.filter((a) => a !== '--no-build' && a !== '--build-only');
  if (unknown.length > 0) fail(`unknown option ${unknown[0]} (use --no-build or --build-only, and -- before arguments for Electron)`);
  const buildOnly = own.includes('--build-only');
  if (buildOnly && own.includes('--no-build')) fail('--build-only and --no-build contradict each other');

  // Checked before building: no point spending a minute on a build that cannot be launched.
  let electron = findElectronBinary();
  const tooOld = nodeProblem('build');
  if (tooOld) fail(tooOld);
  // A missing binary is downloaded only where this Node can run Electron's downloader;
  // otherwise the missing-binary message (with its alternatives) says why, not a bare version line.
  const cannotDownload = !buildOnly && !electron.ok ? nodeProblem('electron') : null;
  if (cannotDownload) fail(`${electron.ok ? '' : electron.message}\n  Downloading it here is not possible: ${cannotDownload}`);
  if (!buildOnly && !electron.ok && downloadElectron()) electron = findElectronBinary();
  if (!buildOnly) {
    if (!electron.ok) fail(electron.message);
    const noDisplay = displayProblem();
    if (noDisplay) fail(noDisplay);
  }

  if (!own.includes('--no-build')) {
    const vite = path.join(PROJECT_DIR, 'node_modules', 'vite', 'bin', 'vite.js');
    if (!existsSync(vite)) fail('vite is not installed (node_modules/vite is missing): run `npm ci` first.');
    // The kernels first: the renderer (browser-mode worker) and the engine bundle both embed them.
    runStep('building the WebAssembly kernels', process.execPath, [path.join(PROJECT_DIR, 'scripts', 'build-wasm.mjs')]);
    runStep('building the renderer (vite build)', process.execPath, [vite, 'build', '--logLevel', 'warn']);
    const { buildElectron } = await import('./build-electron.mjs');
    try {
      await buildElectron({ projectDir: PROJECT_DIR });
    } catch (e) {
      fail(`building the Electron bundles failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  if (!existsSync(path.join(PROJECT_DIR, 'dist', 'renderer', 'index.html'))) {
    fail('dist/renderer/index.html is missing: run without --no-build once.');
  }
  if (buildOnly) return;

  // `electron .` reads package.json "main" (dist/electron/main.js).
  const child = spawn(electron.path, ['.', ...electronArgs], { cwd: PROJECT_DIR, stdio: 'inherit', env: process.env });
  child.on('error', (e) => fail(`could not launch ${electron.path}: ${e.message}`));
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => fail(e instanceof Error ? e.message.split('\n')[0] : String(e)));
}
