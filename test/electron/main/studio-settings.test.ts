// Main's settings file (settings.json in the user's data folder): the compute backend
// survives a restart of the app, and whatever is wrong with the file means "auto".
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeTextFileStorage } from '../../../electron/main/recent-storage.js';
import { StudioSettings, type SettingsStorage } from '../../../electron/main/studio-settings.js';

function memory(text: string | null, failRead = false) {
  const writes: string[] = [];
  const storage: SettingsStorage & { writes: string[]; failWrite: boolean } = {
    writes,
    failWrite: false,
    read: async () => {
      if (failRead) throw new Error('EACCES: permission denied');
      return text;
    },
    write: async (t) => {
      if (storage.failWrite) throw new Error('cannot save: no space left on device');
      writes.push(t);
    },
  };
  return storage;
}

async function loaded(text: string | null, failRead = false) {
  const logs: string[] = [];
  const settings = new StudioSettings(memory(text, failRead), { log: (m) => logs.push(m) });
  await settings.load();
  return { settings, logs };
}

describe('StudioSettings', () => {
  it('is auto when there is no file yet, without a word in the log', async () => {
    const { settings, logs } = await loaded(null);
    expect(settings.computeBackend).toBe('auto');
    expect(logs).toEqual([]);
  });

  it('reads the stored backend', async () => {
    for (const choice of ['auto', 'native', 'wasm', 'reference'] as const) {
      const { settings } = await loaded(JSON.stringify({ version: 1, computeBackend: choice }));
      expect(settings.computeBackend).toBe(choice);
    }
  });

  it.each([
    ['not JSON', '{"version":1,"computeBack', /not valid JSON/],
    ['an empty file', '', /not valid JSON/],
    ['another version', '{"version":2,"computeBackend":"wasm"}', /unexpected shape/],
    ['an array', '["wasm"]', /unexpected shape/],
    ['an unknown backend', '{"version":1,"computeBackend":"gpu"}', /computeBackend "gpu" is not one of auto, native, wasm, reference; using auto/],
    ['a backend of the wrong type', '{"version":1,"computeBackend":3}', /computeBackend 3 is not one of/],
  ])('a damaged file (%s) means auto, and says so once', async (_what, text, message) => {
    const { settings, logs } = await loaded(text);
    expect(settings.computeBackend).toBe('auto');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(message);
  });

  it('an unreadable file means auto', async () => {
    const { settings, logs } = await loaded(null, true);
    expect(settings.computeBackend).toBe('auto');
    expect(logs).toEqual(['could not read the settings file: EACCES: permission denied; using the defaults']);
  });

  it('keeps settings it does not know (a later version wrote them) out of the way', async () => {
    const { settings, logs } = await loaded('{"version":1,"computeBackend":"wasm","theme":"dark"}');
    expect(settings.computeBackend).toBe('wasm');
    expect(logs).toEqual([]);
  });

  it('writes a new choice, and takes it only once it is on disk', async () => {
    const storage = memory(null);
    const settings = new StudioSettings(storage, { log: () => {} });
    await settings.setComputeBackend('reference');
    expect(settings.computeBackend).toBe('reference');
    expect(JSON.parse(storage.writes.at(-1)!)).toEqual({ version: 1, computeBackend: 'reference' });
    storage.failWrite = true;
    await expect(settings.setComputeBackend('wasm')).rejects.toThrow('no space left on device');
    expect(settings.computeBackend).toBe('reference');
    storage.failWrite = false;
    await settings.setComputeBackend('native');
    expect(settings.computeBackend).toBe('native');
  });

  it('two quick changes land on disk in the order they were made', async () => {
    const storage = memory(null);
    const settings = new StudioSettings(storage);
    await Promise.all([settings.setComputeBackend('wasm'), settings.setComputeBackend('native')]);
    expect(storage.writes.map((t) => JSON.parse(t).computeBackend)).toEqual(['wasm', 'native']);
    expect(settings.computeBackend).toBe('native');
  });
});

describe('settings.json on disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'studio-settings-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips through an atomic write and leaves no temporary file', async () => {
    const file = path.join(dir, 'settings.json');
    const first = new StudioSettings(nodeTextFileStorage(file));
    await first.load();
    expect(first.computeBackend).toBe('auto');
    await first.setComputeBackend('wasm');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, computeBackend: 'wasm' });
    expect(await readdir(dir)).toEqual(['settings.json']);
    const next = new StudioSettings(nodeTextFileStorage(file));
    await next.load();
    expect(next.computeBackend).toBe('wasm');
  });

  it('a truncated file from an older crash is read as auto and replaced by the next choice', async () => {
    const file = path.join(dir, 'settings.json');
    await writeFile(file, '{"version":1,"comp');
    const logs: string[] = [];
    const settings = new StudioSettings(nodeTextFileStorage(file), { log: (m) => logs.push(m) });
    await settings.load();
    expect(settings.computeBackend).toBe('auto');
    expect(logs).toEqual(['the settings file is not valid JSON; using the defaults']);
    await settings.setComputeBackend('native');
    expect(JSON.parse(await readFile(file, 'utf8')).computeBackend).toBe('native');
  });
});
