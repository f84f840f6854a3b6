#!/usr/bin/env node
// @ts-check
// What the project needs from the machine, checked before work that would fail
// late: the Node version (per task) and, for `npm test`, a Chromium for the
// browser end-to-end tests. Each problem is one line saying how to fix it.
//
//   node scripts/check-env.mjs test    # before npm test builds anything
//
// Node versions, from the packages' own `engines` fields:
// - building, testing, the CLI and browser mode: ^20.19.0 || >=22.12.0 (vite 8, rolldown,
//   @sveltejs/vite-plugin-svelte);
// - downloading the Electron binary and building installers: >=22.12.0 (electron 45's
//   @electron/get and extract-zip, electron-builder's @electron/rebuild and node-abi).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** @typedef {'build' | 'electron'} NodeTask */

/** @type {Record<NodeTask, { ranges: [number, number][], text: string }>} */
const NEEDS = {
  build: { ranges: [[20, 19], [22, 12]], text: 'Node 20.19 or a later 20.x, or Node 22.12 or newer' },
  electron: { ranges: [[22, 12]], text: 'Node 22.12 or newer' },
};

/**
 * The one-line reason `version` cannot do `task`, or null when it can.
 * @param {NodeTask} task
 * @param {string} [version] e.g. "v20.20.2"
 * @returns {string | null}
 */
export function nodeProblem(task, version = process.version) {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const need = NEEDS[task];
  // Ranges are [major, minor] minimums; a minimum on an older line covers only that line (^20.19).
  const ok = need.ranges.some(([m, n], i) => {
    const last = i === need.ranges.length - 1;
    return last ? major > m || (major === m && minor >= n) : major === m && minor >= n;
  });
  if (ok) return null;
  const what = task === 'electron' ? 'downloading Electron 45 and building installers need' : 'this project needs';
  return `${what} ${need.text}; this is Node ${version.replace(/^v/, '')} (https://nodejs.org/en/download)`;
}

/**
 * The Chromium the end-to-end tests drive (as playwright.config.ts finds it), or a one-line reason.
 * @param {Record<string, string | undefined>} [env]
 * @returns {string | null}
 */
export function chromiumProblem(env = process.env) {
  const chromium = env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(chromium)) return null;
  return (
    `the browser tests need Chromium, not found at ${chromium}: \`sudo apt-get install chromium\` (Debian/Ubuntu), ` +
    'or set CHROMIUM_PATH to a Chromium binary'
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const task = process.argv[2];
  const problems = task === 'test' ? [nodeProblem('build'), chromiumProblem()] : task === 'electron' ? [nodeProblem('electron')] : [nodeProblem('build')];
  const found = problems.filter((p) => p !== null);
  for (const p of found) console.error(`npm ${task ?? 'run'}: ${p}`);
  process.exit(found.length > 0 ? 1 : 0);
}
