// npm run dist / dist:dir without an Electron distribution: a one-line refusal that
// names ELECTRON_DIST, a non-zero exit code, no stack trace, and nothing built.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distNodeProblem, electronVersion, envWithoutElectronDist, fakeElectronBinary, makeFixtureProject } from './fixture-project.js';
import { ELECTRON_DIST_ENV, chooseArchs, resolveElectronSource } from '../../scripts/packaging/electron-dist.mjs';
import { checkBuiltApp, parseArgs, planDist } from '../../scripts/dist.mjs';

/** The fixture's build script leaves a marker, so a test can tell whether it ran. */
const MARK_BUILD = `import { writeFileSync } from 'node:fs'; writeFileSync('build-ran.marker', 'yes');`;

function expectOneLineRefusal(result: { status: number | null; stderr: string }, pattern: RegExp, ignoreNpmNotices = false) {
  expect(result.status).not.toBe(0);
  expect(result.status).not.toBeNull();
  // Some npm versions add their own "npm error …" lines after a failing script.
  const lines = result.stderr.trim().split(/\r?\n/).filter((l) => !(ignoreNpmNotices && /^npm (error|ERR!)/.test(l)));
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^dist: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m); // no stack frames
}

if (distNodeProblem) console.log(`dist-script: running scripts/dist.mjs skipped: ${distNodeProblem}`);

describe.runIf(!distNodeProblem)('dist script without an Electron distribution', () => {
  let project: { dir: string; cleanup: () => void };
  beforeAll(() => {
    project = makeFixtureProject({ nodeModules: 'minimal', buildScript: MARK_BUILD });
  });
  afterAll(() => project.cleanup());

  it('node scripts/dist.mjs --dir refuses in one line naming ELECTRON_DIST and electronDist, before building', () => {
    const result = spawnSync(process.execPath, ['scripts/dist.mjs', '--dir'], { cwd: project.dir, env: envWithoutElectronDist(), encoding: 'utf8' });
    expectOneLineRefusal(result, new RegExp(`${ELECTRON_DIST_ENV}.*electronDist`));
    expect(result.stderr).toContain(`Electron ${electronVersion}`);
    expect(result.stderr).toContain('node_modules/electron/dist is missing');
    expect(existsSync(path.join(project.dir, 'build-ran.marker'))).toBe(false);
    expect(existsSync(path.join(project.dir, 'release'))).toBe(false);
  });

  it('npm run dist:dir and npm run dist exit non-zero with the same line and no stack trace', () => {
    for (const script of ['dist:dir', 'dist']) {
      const result = spawnSync('npm', ['run', script], { cwd: project.dir, env: envWithoutElectronDist(), encoding: 'utf8', shell: process.platform === 'win32' });
      expectOneLineRefusal(result, new RegExp(`set ${ELECTRON_DIST_ENV} to an unpacked Electron`, 'i'), true);
    }
    expect(existsSync(path.join(project.dir, 'build-ran.marker'))).toBe(false);
  });

  it('an ELECTRON_DIST that does not exist is named in the refusal', () => {
    const missing = path.join(project.dir, 'no-such-electron');
    const result = spawnSync(process.execPath, ['scripts/dist.mjs', '--dir'], { cwd: project.dir, env: envWithoutElectronDist({ ELECTRON_DIST: missing }), encoding: 'utf8' });
    expectOneLineRefusal(result, new RegExp(`ELECTRON_DIST=${missing.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} does not exist`));
  });

  it('an unknown option is refused in one line', () => {
    const result = spawnSync(process.execPath, ['scripts/dist.mjs', '--universal'], { cwd: project.dir, env: envWithoutElectronDist(), encoding: 'utf8' });
    expectOneLineRefusal(result, /unknown option --universal/);
  });
});

describe.runIf(distNodeProblem !== null)('dist script under a Node older than Electron tooling needs', () => {
  it('refuses in one line naming the Node it needs and the one it runs on, before building', () => {
    const project = makeFixtureProject({ nodeModules: 'minimal', buildScript: MARK_BUILD });
    try {
      const result = spawnSync(process.execPath, ['scripts/dist.mjs', '--dir'], { cwd: project.dir, env: envWithoutElectronDist(), encoding: 'utf8' });
      expectOneLineRefusal(result, new RegExp(`need Node 22\\.12 or newer; this is Node ${process.versions.node.replace(/\./g, '\\.')} `));
      expect(existsSync(path.join(project.dir, 'build-ran.marker'))).toBe(false);
    } finally {
      project.cleanup();
    }
  });
});

describe('resolveElectronSource', () => {
  let work: string;
  let project: { dir: string; cleanup: () => void };
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'bps-electron-src-'));
    project = makeFixtureProject({ nodeModules: 'minimal', buildScript: MARK_BUILD });
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    project.cleanup();
  });
  const resolve = (dist: string | undefined) => resolveElectronSource({ projectDir: project.dir, env: { ELECTRON_DIST: dist }, platform: 'linux' });

  function unpacked(name: string, arch: string, version: string) {
    const dir = path.join(work, name);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'electron'), fakeElectronBinary(arch));
    writeFileSync(path.join(dir, 'version'), version);
    return dir;
  }

  it('takes an unpacked Electron of the right version and reads its architecture from the binary', () => {
    const dir = unpacked('arm64-ok', 'arm64', electronVersion);
    expect(resolve(dir)).toEqual({ kind: 'unpacked', path: dir, archs: ['arm64'] });
  });

  it('refuses an unpacked Electron of another version', () => {
    const dir = unpacked('old', 'x64', '30.0.0');
    expect(() => resolve(dir)).toThrow(`is Electron 30.0.0, but this project uses Electron ${electronVersion}`);
  });

  it('takes a folder of per-arch zips and builds the arches it holds', () => {
    const dir = path.join(work, 'zips');
    mkdirSync(dir);
    writeFileSync(path.join(dir, `electron-v${electronVersion}-linux-x64.zip`), 'zip');
    writeFileSync(path.join(dir, `electron-v${electronVersion}-win32-arm64.zip`), 'zip');
    expect(resolve(dir)).toEqual({ kind: 'zip-folder', path: dir, archs: ['x64'] });
  });

  it('points out zips of the wrong version in a folder', () => {
    const dir = path.join(work, 'old-zips');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'electron-v30.0.0-linux-x64.zip'), 'zip');
    expect(() => resolve(dir)).toThrow(`holds electron-v30.0.0-linux-x64.zip, but this project uses Electron ${electronVersion}`);
  });

  it('takes a single zip only when its name says its version and architecture', () => {
    const good = path.join(work, `electron-v${electronVersion}-linux-arm64.zip`);
    writeFileSync(good, 'zip');
    expect(resolve(good)).toEqual({ kind: 'zip', path: good, archs: ['arm64'] });
    const bad = path.join(work, 'electron.zip');
    writeFileSync(bad, 'zip');
    expect(() => resolve(bad)).toThrow(/is a file but not named electron-v.*-linux-<arch>\.zip/);
  });

  it('refuses a folder that is no Electron at all', () => {
    const dir = path.join(work, 'empty');
    mkdirSync(dir);
    expect(() => resolve(dir)).toThrow(/holds neither an unpacked Electron for linux \(electron\) nor electron-v/);
  });

  it('without ELECTRON_DIST, uses the Electron npm installed: as is for an unpacked app, by download for installers', () => {
    expect(() => resolve(undefined)).toThrow(/node_modules\/electron\/dist is missing/);
    const installed = path.join(project.dir, 'node_modules/electron/dist');
    mkdirSync(installed);
    writeFileSync(path.join(installed, 'electron'), fakeElectronBinary('x64'));
    writeFileSync(path.join(installed, 'version'), electronVersion);
    try {
      expect(resolve(undefined)).toEqual({ kind: 'download', path: null, archs: null });
      expect(resolveElectronSource({ projectDir: project.dir, env: {}, platform: 'linux', dirOnly: true })).toEqual({ kind: 'unpacked', path: installed, archs: ['x64'] });
      writeFileSync(path.join(installed, 'version'), '44.0.0');
      expect(() => resolveElectronSource({ projectDir: project.dir, env: {}, platform: 'linux', dirOnly: true })).toThrow(
        `node_modules/electron/dist is Electron 44.0.0, but this project uses Electron ${electronVersion}`,
      );
    } finally {
      rmSync(installed, { recursive: true });
    }
  });
});

describe('chooseArchs', () => {
  const download = { kind: 'download' as const, path: null, archs: null };
  const x64Only = { kind: 'unpacked' as const, path: '/e', archs: ['x64' as const] };
  const configured = ['x64', 'arm64'] as ('x64' | 'arm64')[];

  it('installers: every configured arch when electron-builder downloads', () => {
    expect(chooseArchs({ requested: [], configured, source: download, dirOnly: false, hostArch: 'x64' })).toEqual({ archs: ['x64', 'arm64'], note: null });
  });

  it('unpacked app: only the host arch, which is the one that runs here', () => {
    expect(chooseArchs({ requested: [], configured, source: download, dirOnly: true, hostArch: 'arm64' })).toEqual({ archs: ['arm64'], note: null });
  });

  it('a one-arch local Electron narrows the build and says so', () => {
    const { archs, note } = chooseArchs({ requested: [], configured, source: x64Only, dirOnly: false, hostArch: 'x64' });
    expect(archs).toEqual(['x64']);
    expect(note).toMatch(/provides no Electron for arm64/);
  });

  it('never packages a binary under another arch: asking for arm64 from an x64 Electron is refused', () => {
    expect(() => chooseArchs({ requested: ['arm64'], configured, source: x64Only, dirOnly: false, hostArch: 'x64' })).toThrow(/provides Electron for x64 only, not arm64/);
  });
});

describe('planDist', () => {
  it('passes the local distribution to electron-builder as electronDist and never publishes', async () => {
    const project = makeFixtureProject({ nodeModules: 'minimal', buildScript: MARK_BUILD });
    const electron = path.join(project.dir, 'electron-x64');
    mkdirSync(electron);
    writeFileSync(path.join(electron, 'electron'), fakeElectronBinary('x64'));
    writeFileSync(path.join(electron, 'version'), electronVersion);
    try {
      const plan = await planDist({ argv: ['--dir'], projectDir: project.dir, env: { ELECTRON_DIST: electron }, platform: 'linux', hostArch: 'x64' });
      expect(plan.builderArgs).toEqual(['--linux', '--x64', '--dir', '--publish', 'never', `-c.electronDist=${electron}`]);
    } finally {
      project.cleanup();
    }
  });

  it('parses its options', () => {
    expect(parseArgs([])).toEqual({ dirOnly: false, requested: [] });
    expect(parseArgs(['--dir', '--arm64'])).toEqual({ dirOnly: true, requested: ['arm64'] });
  });
});

describe('checkBuiltApp (after npm run build, before electron-builder)', () => {
  let project: { dir: string; cleanup: () => void };
  beforeAll(() => {
    project = makeFixtureProject({ nodeModules: 'minimal', buildScript: MARK_BUILD });
    mkdirSync(path.join(project.dir, 'dist/electron'), { recursive: true });
    // A package that exists in node_modules: it would load in development only.
    mkdirSync(path.join(project.dir, 'node_modules/zod'), { recursive: true });
    writeFileSync(path.join(project.dir, 'node_modules/zod/package.json'), '{"name":"zod"}');
  });
  afterAll(() => project.cleanup());

  it('refuses when main was not built', () => {
    expect(() => checkBuiltApp(project.dir)).toThrow(/package\.json main dist\/electron\/main\.js was not produced by npm run build/);
  });

  it('accepts bundles that load only electron and Node built-ins', () => {
    writeFileSync(path.join(project.dir, 'dist/electron/main.js'), `import { app } from "electron";\nimport fs from "node:fs";\nconst p = require("path");\nimport("electron/main");`);
    expect(() => checkBuiltApp(project.dir)).not.toThrow();
  });

  it('refuses a bundle that still loads an installed package at run time, naming file and package', () => {
    writeFileSync(path.join(project.dir, 'dist/electron/engine.js'), `const { z } = require("zod");\nconst x = require("not-installed-anywhere");`);
    expect(() => checkBuiltApp(project.dir)).toThrow(/dist[\\/]electron[\\/]engine\.js loads "zod" at run time, but the packaged app has no node_modules/);
  });
});
