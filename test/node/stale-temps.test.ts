import { existsSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STALE_TEMP_MS, writeFileAtomic } from '../../node/atomic-write.js';

/**
 * A save killed before its rename leaves `<target>.<n>` (write-file-atomic's temp
 * name) beside the target. The next save of that target removes such leftovers:
 * only its own (that exact name pattern) and only stale ones (untouched for a while).
 */

const old = (path: string): void => {
  const t = new Date(Date.now() - STALE_TEMP_MS - 60_000);
  utimesSync(path, t, t);
};

describe('stale temp files of a save are swept by the next save of the same target', () => {
  it('removes stale temps of this target and nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bps-sweep-'));
    const target = join(dir, 'model.safetensors');
    const stale = ['model.safetensors.123456', 'model.safetensors.4294967295'];
    const kept = [
      'model.safetensors.1', // a user's numbered copy: too short for a temp name
      'model.safetensors.bak',
      'model.safetensors.12345678901', // 11 digits: not a uint32
      'other.safetensors.123456', // another target's temp
      'model.safetensors.123456.json',
    ];
    for (const name of [...stale, ...kept]) {
      writeFileSync(join(dir, name), 'partial');
      old(join(dir, name));
    }
    writeFileSync(join(dir, 'model.safetensors.654321'), 'a save in progress'); // fresh: its writer may still run
    await writeFileAtomic(target, new Uint8Array([1, 2, 3]));
    const left = readdirSync(dir).sort();
    expect(left).toEqual(['model.safetensors', 'model.safetensors.654321', ...kept].sort());
    for (const name of stale) expect(existsSync(join(dir, name))).toBe(false);
  });

  it('a folder with the temp pattern is not touched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bps-sweep-'));
    const folder = join(dir, 'm.safetensors.999999');
    writeFileSync(join(dir, 'placeholder'), '');
    await import('node:fs').then((fs) => fs.mkdirSync(folder));
    old(folder);
    await writeFileAtomic(join(dir, 'm.safetensors'), new Uint8Array([1]));
    expect(existsSync(folder)).toBe(true);
  });
});
