// @ts-check
// Find the Electron distribution electron-builder will package, before anything is
// built, and refuse with one clear line when there is none.
//
// electron-builder normally downloads electron-v<version>-<platform>-<arch>.zip from
// GitHub. Where that is impossible (an offline build machine, or electron installed
// with ELECTRON_SKIP_BINARY_DOWNLOAD=1), its `electronDist` option points it at a local
// copy instead; ELECTRON_DIST is how a user hands us that path:
//   - an unpacked Electron (the folder holding `electron`, `electron.exe` or
//     `Electron.app`, e.g. another checkout's node_modules/electron/dist),
//   - one electron-v<version>-<platform>-<arch>.zip, or
//   - a folder of such zips (one per architecture to build).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { executableArchs } from './binary-arch.mjs';

/** The environment variable that points packaging at a local Electron distribution. */
export const ELECTRON_DIST_ENV = 'ELECTRON_DIST';

/** A refusal the user can act on: printed as one line, without a stack trace. */
export class DistError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'DistError';
  }
}

/** @typedef {import('./binary-arch.mjs').ElectronArch} ElectronArch */
/** @typedef {'linux' | 'darwin' | 'win32'} ElectronPlatform */
/**
 * @typedef {{ kind: 'download', path: null, archs: null }
 *   | { kind: 'unpacked' | 'zip' | 'zip-folder', path: string, archs: ElectronArch[] }} ElectronSource
 * `archs` lists what a local distribution can build; null means electron-builder
 * downloads whatever architecture it is asked for.
 */

/** Where an unpacked Electron keeps its main executable, per platform. */
const UNPACKED_EXECUTABLE = /** @type {Record<ElectronPlatform, string>} */ ({
  linux: 'electron',
  win32: 'electron.exe',
  darwin: path.join('Electron.app', 'Contents', 'MacOS', 'Electron'),
});

/**
 * The Electron version electron-builder will package: the installed electron package's.
 * @param {string} projectDir
 */
export function installedElectronVersion(projectDir) {
  const pkg = path.join(projectDir, 'node_modules', 'electron', 'package.json');
  if (!existsSync(pkg)) throw new DistError('the electron package is not installed (node_modules/electron is missing): run npm ci first');
  const version = JSON.parse(readFileSync(pkg, 'utf8')).version;
  if (typeof version !== 'string') throw new DistError(`${pkg} has no version`);
  return version;
}

/** @param {string} version @param {ElectronPlatform} platform */
function zipPattern(version, platform) {
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^electron-v${escaped}-${platform}-(x64|arm64|ia32|armv7l)\\.zip$`);
}

/**
 * An unpacked Electron folder: it must hold the executable and be the project's
 * Electron version; its architecture is read from the executable.
 * @param {string} dist @param {string} label how the message names the folder
 * @param {ElectronPlatform} platform @param {string} version
 * @returns {ElectronSource}
 */
function unpackedSource(dist, label, platform, version) {
  const executable = path.join(dist, UNPACKED_EXECUTABLE[platform]);
  if (!existsSync(executable)) throw new DistError(`${label} holds no unpacked Electron for ${platform} (${UNPACKED_EXECUTABLE[platform]})`);
  const versionFile = path.join(dist, 'version');
  const distVersion = existsSync(versionFile) ? readFileSync(versionFile, 'utf8').trim().replace(/^v/, '') : null;
  if (distVersion !== version) {
    throw new DistError(`${label} is Electron ${distVersion ?? '(no version file)'}, but this project uses Electron ${version}`);
  }
  try {
    return { kind: 'unpacked', path: dist, archs: executableArchs(executable) };
  } catch (error) {
    throw new DistError(`${label}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Decide where the Electron binaries come from. Pure apart from reading the file
 * system; throws DistError with a one-line, actionable message.
 * Without ELECTRON_DIST, an unpacked build (`dirOnly`) uses the Electron that npm
 * installed in node_modules/electron/dist (this machine's arch, no download), and
 * installers let electron-builder download each architecture's zip.
 * @param {{ projectDir: string, env: Record<string, string | undefined>, platform: ElectronPlatform, dirOnly?: boolean }} options
 * @returns {ElectronSource}
 */
export function resolveElectronSource({ projectDir, env, platform, dirOnly = false }) {
  const version = installedElectronVersion(projectDir);
  const configured = env[ELECTRON_DIST_ENV]?.trim();
  const zipName = `electron-v${version}-${platform}-<arch>.zip`;

  if (!configured) {
    // Electron's own postinstall fills node_modules/electron/dist when it can download;
    // then electron-builder can fetch (or take from the same cache) every arch's zip.
    const installed = path.join(projectDir, 'node_modules', 'electron', 'dist');
    if (existsSync(installed)) return dirOnly ? unpackedSource(installed, 'node_modules/electron/dist', platform, version) : { kind: 'download', path: null, archs: null };
    throw new DistError(
      `Electron ${version} is not available here: node_modules/electron/dist is missing (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1 or offline) ` +
        `and ${ELECTRON_DIST_ENV} is not set. Set ${ELECTRON_DIST_ENV} to an unpacked Electron ${version} for ${platform} or to a folder of ${zipName} files ` +
        `(electron-builder's electronDist option), or reinstall electron with network access`,
    );
  }

  const dist = path.resolve(projectDir, configured);
  if (!existsSync(dist)) throw new DistError(`${ELECTRON_DIST_ENV}=${configured} does not exist`);
  const pattern = zipPattern(version, platform);

  if (statSync(dist).isFile()) {
    const match = pattern.exec(path.basename(dist));
    if (!match) throw new DistError(`${ELECTRON_DIST_ENV}=${configured} is a file but not named ${zipName}, so its version and architecture are unknown`);
    return { kind: 'zip', path: dist, archs: [/** @type {ElectronArch} */ (match[1])] };
  }

  const entries = readdirSync(dist);
  const zips = entries.map((name) => pattern.exec(name)).filter((m) => m !== null);
  if (zips.length > 0) return { kind: 'zip-folder', path: dist, archs: zips.map((m) => /** @type {ElectronArch} */ (m[1])) };

  if (!existsSync(path.join(dist, UNPACKED_EXECUTABLE[platform]))) {
    const otherZips = entries.filter((name) => /^electron-v.*\.zip$/.test(name));
    const hint = otherZips.length > 0 ? ` (it holds ${otherZips.join(', ')}, but this project uses Electron ${version})` : '';
    throw new DistError(`${ELECTRON_DIST_ENV}=${configured} holds neither an unpacked Electron for ${platform} (${UNPACKED_EXECUTABLE[platform]}) nor ${zipName}${hint}`);
  }
  return unpackedSource(dist, `${ELECTRON_DIST_ENV}=${configured}`, platform, version);
}

/**
 * The architectures to build: those asked for on the command line, else those the
 * configuration lists (only the host's for an unpacked `--dir` build, which is meant
 * to be run right here), narrowed to what a local distribution provides.
 * @param {{ requested: ElectronArch[], configured: ElectronArch[], source: ElectronSource, dirOnly: boolean, hostArch: string }} options
 * @returns {{ archs: ElectronArch[], note: string | null }}
 */
export function chooseArchs({ requested, configured, source, dirOnly, hostArch }) {
  const available = source.archs;
  const where = `the Electron at ${source.path}`;
  if (requested.length > 0) {
    const missing = available ? requested.filter((a) => !available.includes(a)) : [];
    if (missing.length > 0) {
      throw new DistError(`${where} provides Electron for ${available?.join(', ')} only, not ${missing.join(', ')}; set ${ELECTRON_DIST_ENV} to a folder of electron-v<version>-<platform>-<arch>.zip files for other architectures`);
    }
    return { archs: requested, note: null };
  }
  let wanted = configured;
  if (dirOnly && configured.includes(/** @type {ElectronArch} */ (hostArch))) wanted = [/** @type {ElectronArch} */ (hostArch)];
  if (!available) return { archs: wanted, note: null };
  const archs = wanted.filter((a) => available.includes(a));
  if (archs.length === 0) {
    const fallback = configured.filter((a) => available.includes(a));
    if (fallback.length === 0) {
      throw new DistError(`${where} provides Electron for ${available.join(', ')}, but electron-builder.yml builds ${configured.join(', ')}`);
    }
    return { archs: fallback, note: `building ${fallback.join(', ')} only: that is what ${where} provides` };
  }
  const skipped = wanted.filter((a) => !available.includes(a));
  return { archs, note: skipped.length > 0 ? `building ${archs.join(', ')} only: ${where} provides no Electron for ${skipped.join(', ')}` : null };
}
