// `npm start` without an Electron binary: a few clear lines naming how to get
// one, a non-zero exit, no stack trace, and no time spent building first.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { displayProblem, findElectronBinary } from '../../scripts/start.mjs';

const PROJECT = path.resolve(import.meta.dirname, '..', '..');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-start-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A project folder with an electron package (no binary unless `withBinary`). */
async function fakeProject(name: string, withBinary: boolean): Promise<string> {
  const root = path.join(dir, name);
  const pkg = path.join(root, 'node_modules', 'electron');
  await mkdir(path.join(pkg, 'dist'), { recursive: true });
  await writeFile(path.join(pkg, 'package.json'), JSON.stringify({ name: 'electron', version: '45.5.0' }));
  if (withBinary) {
    await writeFile(path.join(pkg, 'path.txt'), 'electron');
    await writeFile(path.join(pkg, 'dist', 'electron'), '');
  }
  return root;
}

describe('npm start', () => {
  it('without the binary: exit 1, the two ways to get it, browser mode as the alternative, no stack', () => {
    const empty = path.join(dir, 'no-electron-here');
    const r = spawnSync(process.execPath, [path.join(PROJECT, 'scripts', 'start.mjs')], {
      cwd: PROJECT,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: empty },
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    // Names the version npm installed (package.json's electron), whatever patch that is.
    const installed = (JSON.parse(readFileSync(path.join(PROJECT, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
    expect(r.stderr.startsWith(`npm start: the Electron ${installed} binary is not installed`)).toBe(true);
    expect(r.stderr).toContain('node node_modules/electron/install.js');
    expect(r.stderr).toContain('ELECTRON_OVERRIDE_DIST_PATH=');
    expect(r.stderr).toContain('npm run web');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(5);
  });

  it('refuses unknown options in one line', () => {
    const r = spawnSync(process.execPath, [path.join(PROJECT, 'scripts', 'start.mjs'), '--bogus'], { cwd: PROJECT, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('npm start: unknown option --bogus (use --no-build or --build-only, and -- before arguments for Electron)');
  });
});

describe('findElectronBinary', () => {
  it('finds the binary the electron package installed, as its path.txt names it', async () => {
    const root = await fakeProject('installed', true);
    expect(findElectronBinary({ projectDir: root, env: {}, platform: 'linux' })).toEqual({
      ok: true,
      path: path.join(root, 'node_modules', 'electron', 'dist', 'electron'),
    });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH, like the electron package does', async () => {
    const root = await fakeProject('override', false);
    const dist = path.join(dir, 'electron-dist');
    await mkdir(dist, { recursive: true });
    await writeFile(path.join(dist, 'electron'), '');
    expect(findElectronBinary({ projectDir: root, env: { ELECTRON_OVERRIDE_DIST_PATH: dist }, platform: 'linux' })).toEqual({
      ok: true,
      path: path.join(dist, 'electron'),
    });
  });

  it('explains a missing binary and a missing package differently', async () => {
    const root = await fakeProject('skipped', false);
    const missing = findElectronBinary({ projectDir: root, env: {}, platform: 'win32' });
    expect(missing.ok).toBe(false);
    expect(missing.message).toContain(`${path.join('node_modules', 'electron', 'dist', 'electron.exe')} is missing`);
    const none = findElectronBinary({ projectDir: path.join(dir, 'nothing'), env: {}, platform: 'linux' });
    expect(none.message).toMatch(/node_modules\/electron is missing\): run `npm ci` first/);
  });

  it('says when Linux has no display, before launching anything', () => {
    expect(displayProblem({}, 'linux')).toMatch(/xvfb-run -a npm start/);
    expect(displayProblem({ DISPLAY: ':0' }, 'linux')).toBeNull();
    expect(displayProblem({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBeNull();
    expect(displayProblem({}, 'darwin')).toBeNull();
  });
});
