// The whole `npm run dist:dir` path with the real electron-builder, the real
// electron-builder.yml and hooks, and a stand-in Electron (a binary with Electron's
// fuse wire): what lands in app.asar, and that the fuses of the packaged binary are
// flipped. Runs offline. On Linux only: electron-builder edits a Windows .exe's
// resources and signs a macOS .app, which a stand-in binary cannot stand in for;
// there, the release workflow packages with the real Electron.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUSES_OFF, FUSES_ON } from './expected-fuses.js';
import { distNodeProblem, envWithoutElectronDist, makeFakeLinuxElectron, makeFixtureProject, repoRoot } from './fixture-project.js';

const require = createRequire(import.meta.url);
const supported = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64');
if (!supported) console.log(`package-unpacked: skipped on ${process.platform}/${process.arch}: the stand-in Electron is a Linux x64/arm64 ELF binary`);
if (distNodeProblem) console.log(`package-unpacked: skipped: ${distNodeProblem}`);

/**
 * The fixture's `npm run build`: what esbuild and vite produce, plus what must not ship
 * (source maps, a test folder inside dist) next to sources and tests outside dist.
 */
const BUILD = `
import { mkdirSync, writeFileSync } from 'node:fs';
const put = (file, text) => { mkdirSync(file.split('/').slice(0, -1).join('/'), { recursive: true }); writeFileSync(file, text); };
put('dist/electron/main.js', 'import { app } from "electron"; app.whenReady();');
put('dist/electron/main.js.map', '{}');
put('dist/electron/preload.cjs', 'require("electron");');
put('dist/electron/engine.js', 'import { parentPort } from "node:worker_threads";');
put('dist/renderer/index.html', '<!doctype html><title>Backprop Studio</title>');
put('dist/renderer/assets/index.js', 'console.log(1)');
put('dist/renderer/assets/index.js.map', '{}');
put('dist/renderer/assets/engine.wasm', 'wasm');
put('dist/renderer/test/leftover.html', 'x');
put('dist/renderer/types.d.ts', 'export {};');
put('core/matrix.ts', 'export {};');
put('electron/main/main.ts', 'export {};');
put('test/unit/matrix.test.ts', 'export {};');
`;

describe.runIf(supported && !distNodeProblem)('npm run dist:dir with a local Electron distribution', () => {
  let project: { dir: string; cleanup: () => void };
  let electron: { dir: string; cleanup: () => void };
  let result: ReturnType<typeof spawnSync>;
  const unpacked = () => path.join(project.dir, 'release', process.arch === 'x64' ? 'linux-unpacked' : `linux-${process.arch}-unpacked`);

  beforeAll(() => {
    project = makeFixtureProject({ nodeModules: 'real', buildScript: BUILD });
    electron = makeFakeLinuxElectron(process.arch);
    result = spawnSync(process.execPath, ['scripts/dist.mjs', '--dir'], {
      cwd: project.dir,
      env: envWithoutElectronDist({ ELECTRON_DIST: electron.dir }),
      encoding: 'utf8',
    });
  });
  afterAll(() => {
    project?.cleanup();
    electron?.cleanup();
  });

  it('builds the app, then packages it, and succeeds', () => {
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain(`Electron from ELECTRON_DIST=${electron.dir}`);
    expect(existsSync(path.join(unpacked(), 'backprop-studio'))).toBe(true);
  });

  it('app.asar holds only the bundles and package.json: no maps, tests, sources or node_modules', () => {
    const asar = require(path.join(repoRoot, 'node_modules/@electron/asar'));
    const files: string[] = asar
      .listPackage(path.join(unpacked(), 'resources', 'app.asar'), { isPack: false })
      .map((f: string) => f.replaceAll('\\', '/'))
      .filter((f: string) => {
        const stat = asar.statFile(path.join(unpacked(), 'resources', 'app.asar'), f.slice(1));
        return !('files' in stat);
      })
      .sort();
    expect(files).toEqual([
      '/dist/electron/engine.js',
      '/dist/electron/main.js',
      '/dist/electron/preload.cjs',
      '/dist/renderer/assets/engine.wasm',
      '/dist/renderer/assets/index.js',
      '/dist/renderer/index.html',
      '/package.json',
    ]);
    // Nothing next to app.asar either (no unpacked node_modules, no loose app folder).
    expect(readdirSync(path.join(unpacked(), 'resources')).sort()).toEqual(['app.asar']);
  });

  it('the packaged package.json keeps main and drops scripts and devDependencies', () => {
    const asar = require(path.join(repoRoot, 'node_modules/@electron/asar'));
    const pkg = JSON.parse(asar.extractFile(path.join(unpacked(), 'resources', 'app.asar'), 'package.json').toString());
    const source = JSON.parse(readFileSync(path.join(project.dir, 'package.json'), 'utf8'));
    expect(pkg.main).toBe(source.main);
    expect(pkg.scripts).toBeUndefined();
    expect(pkg.devDependencies).toBeUndefined();
  });

  it('the packaged binary has its fuses flipped by the after-pack hook', async () => {
    const { getCurrentFuseWire, FuseV1Options } = await import('@electron/fuses');
    const wire = (await getCurrentFuseWire(path.join(unpacked(), 'backprop-studio'))) as unknown as Record<number, number>;
    const on = 0x31;
    const off = 0x30;
    for (const fuse of FUSES_OFF) expect(wire[fuse], FuseV1Options[fuse]).toBe(off);
    for (const fuse of FUSES_ON) expect(wire[fuse], FuseV1Options[fuse]).toBe(on);
    // Left at Electron's default.
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(off);
  });
});
