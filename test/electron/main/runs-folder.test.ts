import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES, RunsFolder } from '../../../electron/main/runs-folder.js';

/** The desktop runs store on a real folder: records and weights survive a new RunsFolder (a restart). */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function folder(): RunsFolder {
  const d = mkdtempSync(path.join(tmpdir(), 'runs-'));
  dirs.push(d);
  return new RunsFolder(path.join(d, 'runs'));
}

describe('RunsFolder', () => {
  it('keeps records and weights across instances, renames by put, deletes both files', async () => {
    const a = folder();
    expect(await a.list()).toEqual([]);
    await a.put('k1-abc', { id: 'k1-abc', name: 'one' });
    await a.put('k2-def', { id: 'k2-def', name: 'two' });
    await a.putWeights('k1-abc', Uint8Array.from([1, 2, 3]));
    const b = new RunsFolder(a.dir);
    expect(await b.list()).toEqual([{ id: 'k1-abc', name: 'one' }, { id: 'k2-def', name: 'two' }]);
    expect(Array.from((await b.getWeights('k1-abc'))!)).toEqual([1, 2, 3]);
    await b.put('k1-abc', { id: 'k1-abc', name: 'renamed' });
    expect((await b.list())[0]).toEqual({ id: 'k1-abc', name: 'renamed' });
    await b.remove('k1-abc');
    expect(readdirSync(a.dir).sort()).toEqual(['k2-def.json']);
    expect(await b.getWeights('k1-abc')).toBeNull();
  });

  it('refuses ids that could name another file, and oversized records', async () => {
    const f = folder();
    await expect(f.put('../evil', {})).rejects.toThrow(/not a run id/);
    await expect(f.getWeights('a/b')).rejects.toThrow(/not a run id/);
    await expect(f.put('big', { s: 'x'.repeat(MAX_RECORD_BYTES) })).rejects.toThrow(/over the/);
  });

  it('skips a damaged record file instead of failing the list', async () => {
    const f = folder();
    await f.put('good', { ok: true });
    writeFileSync(path.join(f.dir, 'bad.json'), '{ not json');
    writeFileSync(path.join(f.dir, 'NotAnId!.json'), '{}');
    expect(await f.list()).toEqual([{ ok: true }]);
  });
});

describe('the runs channels in main', () => {
  it('check ids and payloads before the folder is touched', async () => {
    const { FakeIpcMain, ipcEventFrom } = await import('../fake-electron.js');
    const { registerStudioIpc } = await import('../../../electron/main/ipc.js');
    const { IPC } = await import('../../../contract/ipc-channels.js');
    const f = folder();
    const ipcMain = new FakeIpcMain();
    const none = (): never => {
      throw new Error('not used');
    };
    registerStudioIpc(ipcMain as never, { files: {} as never, recentFiles: none, setDocumentState: none, confirmDiscard: none, connectEngine: none, runs: f, computeBackend: { get: none, set: none }, log: () => undefined });
    const invoke = (channel: string, ...args: unknown[]): Promise<{ ok: boolean; message?: string; value?: unknown }> =>
      ipcMain.handlers.get(channel)!(ipcEventFrom('app://studio/index.html'), ...args) as Promise<{ ok: boolean; message?: string; value?: unknown }>;
    expect((await invoke(IPC.runsPut, { id: 'r-1', record: { name: 'x' } })).ok).toBe(true);
    expect((await invoke(IPC.runsList)).value).toEqual([{ name: 'x' }]);
    const bad = await invoke(IPC.runsPut, { id: '../../x', record: {} });
    expect(bad.ok).toBe(false);
    expect(bad.message).toMatch(/studio:runs-put field id/);
    expect((await invoke(IPC.runsPut, { id: 'r-2', record: 'not an object' })).ok).toBe(false);
    expect((await invoke(IPC.runsPutWeights, { id: 'r-1', bytes: 'abc' })).ok).toBe(false);
    expect((await invoke(IPC.runsPutWeights, { id: 'r-1', bytes: Uint8Array.from([7]) })).ok).toBe(true);
    expect(Array.from((await invoke(IPC.runsGetWeights, 'r-1')).value as Uint8Array)).toEqual([7]);
    expect((await invoke(IPC.runsDelete, 'r-1')).ok).toBe(true);
    expect((await invoke(IPC.runsList)).value).toEqual([]);
  });
});
