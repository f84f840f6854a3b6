import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chromiumProblem, nodeProblem } from '../../scripts/check-env.mjs';

/** The machine checks `npm test`, `npm start` and `npm run dist` run first: the stated Node range, a Chromium. */

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
  scripts: Record<string, string>;
};

describe('the Node version', () => {
  it.each([
    ['v20.18.3', false, false],
    ['v20.19.0', true, false],
    ['v20.20.2', true, false],
    ['v21.7.3', false, false],
    ['v22.11.0', false, false],
    ['v22.12.0', true, true],
    ['v24.3.0', true, true],
  ])('%s: builds and tests %s, Electron download and installers %s', (version, build, electron) => {
    expect(nodeProblem('build', version) === null).toBe(build);
    expect(nodeProblem('electron', version) === null).toBe(electron);
  });

  it('says what is needed and what this is, in one line', () => {
    expect(nodeProblem('electron', 'v20.20.2')).toBe(
      'downloading Electron 45 and building installers need Node 22.12 or newer; this is Node 20.20.2 (https://nodejs.org/en/download)',
    );
  });

  it('package.json states the same range as the check, and npm test checks first', () => {
    expect(pkg.engines.node).toBe('^20.19.0 || >=22.12.0');
    expect(pkg.scripts['test']).toMatch(/^node scripts\/check-env\.mjs test && /);
    // The Node running these tests is in the stated range (CI runs Node 20).
    expect(nodeProblem('build')).toBeNull();
  });
});

describe('the Chromium for the browser tests', () => {
  it('is found where playwright.config.ts looks, or named in one line with how to get it', () => {
    expect(chromiumProblem({ CHROMIUM_PATH: process.execPath })).toBeNull();
    expect(chromiumProblem({ CHROMIUM_PATH: '/nowhere/chromium' })).toBe(
      'the browser tests need Chromium, not found at /nowhere/chromium: `sudo apt-get install chromium` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium binary',
    );
  });

  it('the script stops npm test with that one line and exit code 1, before any build', () => {
    const script = new URL('../../scripts/check-env.mjs', import.meta.url).pathname;
    const run = spawnSync(process.execPath, [script, 'test'], { env: { ...process.env, CHROMIUM_PATH: '/nowhere/chromium' }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([`npm test: ${chromiumProblem({ CHROMIUM_PATH: '/nowhere/chromium' })}`]);
    expect(execFileSync(process.execPath, [script, 'test'], { env: { ...process.env, CHROMIUM_PATH: process.execPath }, encoding: 'utf8' })).toBe('');
  });
});
