import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtCliExists, cli, jsonLines, runNodeScript, tempDir, writeBlobsCsv } from './helpers.js';

/**
 * The WebAssembly backend runs kernel worker threads. A command that leaves them
 * (or their message ports) running finishes its work, prints its last line, and
 * then never exits: scripts that call the CLI hang forever.
 */

const ports = (): number => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort' || r === 'Worker').length;

describe('every command shuts its kernel threads down', () => {
  it('after train, eval, predict, and after a failing command', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'blobs.csv', 60, 1);
    const before = ports();
    const t = await cli(dir, 'train', 'blobs.csv', '--layers', '4,3', '--epochs', '1', '--threads', '2', '--out', 'm.safetensors', '--json');
    expect(t.code).toBe(0);
    expect(ports()).toBe(before);
    expect((await cli(dir, 'eval', 'm.safetensors', 'blobs.csv', '--threads', '2')).code).toBe(0);
    expect(ports()).toBe(before);
    expect((await cli(dir, 'predict', 'm.safetensors', 'blobs.csv', '--threads', '2')).code).toBe(0);
    expect(ports()).toBe(before);
    // Fails after the backend has started (the data file does not exist).
    expect((await cli(dir, 'eval', 'm.safetensors', 'nope.csv', '--threads', '2')).code).toBe(1);
    expect(ports()).toBe(before);
  });
});

const bin = fileURLToPath(new URL('../../bin/backprop-studio.js', import.meta.url));
if (!builtCliExists) console.log('lifecycle: the process-exit test needs the built CLI; run `npm run build:cli` (npm test does)');

describe.skipIf(!builtCliExists)('the built CLI as a process', () => {
  it('exits by itself when train is done (a hang is killed after 120 s and fails the test)', async () => {
    const dir = tempDir();
    writeBlobsCsv(dir, 'blobs.csv', 60, 1);
    const run = await runNodeScript(bin, ['train', 'blobs.csv', '--layers', '4,3', '--epochs', '2', '--json'], dir);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    expect(jsonLines({ code: 0, out: run.stdout.split('\n'), err: [] }).at(-1)).toMatchObject({ event: 'done', reason: 'finished' });
  }, 150_000);
});
