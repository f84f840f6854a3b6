#!/usr/bin/env node
// @ts-check
// npm run dist      installers for this platform (NSIS / dmg + zip / AppImage + deb)
// npm run dist:dir  an unpacked app for this machine, in release/<platform>-unpacked
//
//   node scripts/dist.mjs [--dir] [--x64] [--arm64]
//
// Order matters: first make sure there is an Electron distribution to package (so a
// machine without one is told in one line, before minutes of building), then build the
// app (`npm run build`), check the bundles need no node_modules, and only then run
// electron-builder with electron-builder.yml.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ELECTRON_DIST_ENV, DistError, chooseArchs, resolveElectronSource } from './packaging/electron-dist.mjs';
import { unbundledImports } from './packaging/bundle-check.mjs';
import { nodeProblem } from './check-env.mjs';

/** @typedef {import('./packaging/electron-dist.mjs').ElectronArch} ElectronArch */
/** @typedef {import('./packaging/electron-dist.mjs').ElectronPlatform} ElectronPlatform */

const BUILDER_PLATFORM = /** @type {Record<ElectronPlatform, { flag: string, key: string }>} */ ({
  linux: { flag: '--linux', key: 'linux' },
  darwin: { flag: '--mac', key: 'mac' },
  win32: { flag: '--win', key: 'win' },
});
const ARCH_FLAGS = /** @type {Record<string, ElectronArch>} */ ({ '--x64': 'x64', '--arm64': 'arm64' });

/**
 * @param {string[]} argv
 * @returns {{ dirOnly: boolean, requested: ElectronArch[] }}
 */
export function parseArgs(argv) {
  let dirOnly = false;
  /** @type {ElectronArch[]} */
  const requested = [];
  for (const arg of argv) {
    if (arg === '--dir') dirOnly = true;
    else if (arg in ARCH_FLAGS) requested.push(ARCH_FLAGS[arg]);
    else throw new DistError(`unknown option ${arg} (use --dir, --x64, --arm64)`);
  }
  return { dirOnly, requested };
}

/**
 * The architectures electron-builder.yml builds on this platform.
 * @param {string} projectDir @param {ElectronPlatform} platform
 * @returns {Promise<ElectronArch[]>}
 */
export async function configuredArchs(projectDir, platform) {
  const { load } = await import('js-yaml');
  const config = /** @type {any} */ (load(readFileSync(path.join(projectDir, 'electron-builder.yml'), 'utf8')));
  const targets = config?.[BUILDER_PLATFORM[platform].key]?.target ?? [];
  /** @type {Set<ElectronArch>} */
  const archs = new Set();
  for (const target of Array.isArray(targets) ? targets : [targets]) {
    for (const arch of [target?.arch ?? []].flat()) archs.add(arch);
  }
  if (archs.size === 0) throw new DistError(`electron-builder.yml lists no ${BUILDER_PLATFORM[platform].key} target architectures`);
  return [...archs];
}

/**
 * Everything that can be checked before building: platform, options, the Electron
 * distribution and the architectures. Throws DistError.
 * @param {{ argv: string[], projectDir: string, env: Record<string, string | undefined>, platform: string, hostArch: string }} options
 */
export async function planDist({ argv, projectDir, env, platform, hostArch }) {
  if (!(platform in BUILDER_PLATFORM)) throw new DistError(`cannot package on ${platform}: installers are built on linux, darwin or win32`);
  const electronPlatform = /** @type {ElectronPlatform} */ (platform);
  const { dirOnly, requested } = parseArgs(argv);
  const source = resolveElectronSource({ projectDir, env, platform: electronPlatform, dirOnly });
  const configured = await configuredArchs(projectDir, electronPlatform);
  const { archs, note } = chooseArchs({ requested, configured, source, dirOnly, hostArch });
  const builderArgs = [BUILDER_PLATFORM[electronPlatform].flag, ...archs.map((a) => `--${a}`), ...(dirOnly ? ['--dir'] : []), '--publish', 'never'];
  if (source.path) builderArgs.push(`-c.electronDist=${source.path}`);
  return { dirOnly, archs, note, source, builderArgs };
}

/**
 * After `npm run build`: the entry point exists and the Electron bundles load no
 * package from node_modules. Throws DistError.
 * @param {string} projectDir
 */
export function checkBuiltApp(projectDir) {
  const pkg = JSON.parse(readFileSync(path.join(projectDir, 'package.json'), 'utf8'));
  if (typeof pkg.main !== 'string') throw new DistError('package.json has no "main": electron-builder needs the path of the built main process');
  const main = path.normalize(pkg.main);
  if (!main.startsWith(path.join('dist', 'electron') + path.sep)) throw new DistError(`package.json main ${pkg.main} is outside dist/electron, which is all electron-builder.yml packages of the main process`);
  if (!existsSync(path.join(projectDir, main))) throw new DistError(`package.json main ${pkg.main} was not produced by npm run build`);
  const problems = unbundledImports(projectDir);
  if (problems.length > 0) {
    const list = problems.map((p) => `${p.file} loads "${p.specifier}"`).join('; ');
    throw new DistError(`${list} at run time, but the packaged app has no node_modules: bundle it into dist/electron`);
  }
}

/**
 * Run a command with the terminal attached; returns its exit code.
 * @param {string} command @param {string[]} args @param {string} cwd
 */
function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: process.env });
  if (result.error) throw new DistError(`could not start ${path.basename(command)}: ${result.error.message}`);
  return result.status ?? 1;
}

/**
 * `npm run build`, through the npm that runs this script when there is one.
 * @param {string} projectDir
 */
function npmRunBuild(projectDir) {
  const npmCli = process.env.npm_execpath;
  if (npmCli && /\.(c|m)?js$/.test(npmCli)) return run(process.execPath, [npmCli, 'run', 'build'], projectDir);
  const result = spawnSync('npm run build', { cwd: projectDir, stdio: 'inherit', shell: true });
  return result.status ?? 1;
}

/**
 * @param {{ argv: string[], projectDir: string, env: Record<string, string | undefined>, platform: string, hostArch: string }} options
 * @returns {Promise<number>} exit code
 */
export async function dist(options) {
  const { projectDir } = options;
  const tooOld = nodeProblem('electron');
  if (tooOld) throw new DistError(tooOld);
  const plan = await planDist(options);
  const from = !plan.source.path ? 'electron-builder download/cache' : options.env[ELECTRON_DIST_ENV]?.trim() ? `${ELECTRON_DIST_ENV}=${plan.source.path}` : plan.source.path;
  console.log(`dist: ${plan.dirOnly ? 'unpacked app' : 'installers'} for ${options.platform} ${plan.archs.join(', ')}, Electron from ${from}`);
  if (plan.note) console.log(`dist: ${plan.note}`);

  const built = npmRunBuild(projectDir);
  if (built !== 0) throw new DistError(`npm run build failed (exit code ${built}); nothing was packaged`);
  checkBuiltApp(projectDir);

  const cli = path.join(projectDir, 'node_modules', 'electron-builder', 'cli.js');
  if (!existsSync(cli)) throw new DistError('electron-builder is not installed (node_modules/electron-builder/cli.js is missing): run npm ci first');
  const code = run(process.execPath, [cli, ...plan.builderArgs], projectDir);
  if (code !== 0) throw new DistError(`electron-builder failed (exit code ${code}); its messages are above`);
  console.log(`dist: done; see ${path.join(path.relative(process.cwd(), projectDir) || '.', 'release')}`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  dist({ argv: process.argv.slice(2), projectDir, env: process.env, platform: process.platform, hostArch: process.arch }).then(
    (code) => process.exit(code),
    (error) => {
      // One line, never a stack trace: a refusal says what to do; anything else is
      // reported as unexpected (set DEBUG_DIST=1 to see where it came from).
      const message = error instanceof Error ? error.message : String(error);
      console.error(error instanceof DistError ? `dist: ${message}` : `dist: unexpected error: ${message.split('\n')[0]}`);
      if (process.env.DEBUG_DIST && error instanceof Error) console.error(error.stack);
      process.exit(1);
    },
  );
}
