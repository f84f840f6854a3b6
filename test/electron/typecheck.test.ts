// `npm test` type-checks Electron main, preload, the engine entry and these tests
// against electron.d.ts (node_modules/electron), as npm run typecheck:electron does.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

const PROJECT = path.resolve(import.meta.dirname, '..', '..');

it('electron/tsconfig.json type-checks without errors', () => {
  const tsc = path.join(PROJECT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', path.join(PROJECT, 'electron', 'tsconfig.json')], {
    cwd: PROJECT,
    encoding: 'utf8',
  });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
}, 180_000);
